//! A job's statuses: moves guarded by the status it must be in, completion once every URL
//! is finished (and seeding is over), pause, resume, cancel and failure.

use super::{CRAWL_QUEUE, QUALIFY_QUEUE, StageMessage, get, keys, send};
use crate::app::store::from_item;
use crate::app::{App, AppError, activity};
use crate::domain::identity::Identity;
use crate::domain::ids::{JobId, TenantId};
use crate::domain::job::{Job, JobResult, JobStatus, ResultState, can_move};
use crate::ports::table::{Condition, Index, Query, SortCondition, TableError, Update};
use serde_json::json;

/// Moves a job between statuses, if it is still in one of `from`.
pub async fn set_status(
    app: &App,
    tenant: &TenantId,
    id: &JobId,
    from: &[JobStatus],
    to: JobStatus,
    extra: Update,
) -> Result<Job, AppError> {
    let mut update = extra
        .set("status", to.as_str())
        .set_index(Index::Gsi1, keys::by_status(tenant, to), id.to_string())
        .add("version", 1);
    if to.is_final() {
        let now = app.clock.now();
        update = update.set("completedAt", now.to_key()).set_index(
            Index::Gsi4,
            keys::finished(id),
            keys::sweep_position(&now, tenant, id),
        );
    }
    let allowed = Condition::Or(
        from.iter()
            .map(|s| Condition::eq("status", s.as_str()))
            .collect(),
    );
    match app
        .table
        .update(
            &keys::item(tenant, id),
            update,
            Some(Condition::And(vec![Condition::Exists, allowed])),
        )
        .await
    {
        Ok(item) => from_item(item),
        Err(TableError::ConditionFailed) => {
            let current = get(app, tenant, id).await?;
            Err(AppError::Conflict(format!(
                "cannot move a {} job to {}",
                current.status.as_str(),
                to.as_str()
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Marks the job completed once every URL is finished and none is left to seed.
pub async fn complete_if_done(
    app: &App,
    tenant: &TenantId,
    id: &JobId,
) -> Result<Option<Job>, AppError> {
    let job = get(app, tenant, id).await?;
    if job.status != JobStatus::Processing || job.seeding || job.processed_urls < job.total_urls {
        return Ok(None);
    }
    match set_status(
        app,
        tenant,
        id,
        &[JobStatus::Processing],
        JobStatus::Completed,
        Update::new(),
    )
    .await
    {
        Ok(done) => {
            let details = json!({"passed": done.passed_urls, "rejected": done.rejected_urls, "failed": done.failed_urls});
            activity::record(app, tenant, "job_completed", Some(id), "system", details).await;
            Ok(Some(done))
        }
        Err(AppError::Conflict(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// How a URL finished.
pub async fn pause(app: &App, who: &Identity, id: &JobId) -> Result<Job, AppError> {
    let job = set_status(
        app,
        &who.tenant,
        id,
        &[JobStatus::Pending, JobStatus::Processing],
        JobStatus::Paused,
        Update::new(),
    )
    .await?;
    activity::record(
        app,
        &who.tenant,
        "job_paused",
        Some(id),
        who.user.as_str(),
        json!({}),
    )
    .await;
    Ok(job)
}

/// Resumes a paused job: URLs that were waiting are queued again where they stopped.
pub async fn resume(app: &App, who: &Identity, id: &JobId) -> Result<Job, AppError> {
    let current = get(app, &who.tenant, id).await?;
    if !can_move(current.status, JobStatus::Processing) || current.status == JobStatus::Processing {
        return Err(AppError::Conflict(format!(
            "cannot resume a {} job",
            current.status.as_str()
        )));
    }
    if current.status == JobStatus::Pending && current.total_urls == 0 && !current.seeding {
        return Err(AppError::Conflict(
            "the job has not been planned yet; it starts on its own".into(),
        ));
    }
    let job = set_status(
        app,
        &who.tenant,
        id,
        &[JobStatus::Paused, JobStatus::Pending],
        JobStatus::Processing,
        Update::new(),
    )
    .await?;
    let (mut crawl, mut qualify) = (Vec::new(), Vec::new());
    let mut cursor = None;
    loop {
        let page = app
            .table
            .query(
                Query::new(Index::Table, keys::results(&who.tenant, id))
                    .sort(SortCondition::BeginsWith(keys::RESULT_PREFIX.into()))
                    .limit(500)
                    .start_after(cursor),
            )
            .await?;
        for item in page.items {
            let r: JobResult = from_item(item)?;
            let message = StageMessage {
                tenant_id: who.tenant.clone(),
                job_id: id.clone(),
                result_id: Some(r.id),
            };
            match r.state {
                ResultState::Queued => crawl.push(message),
                ResultState::Crawled => qualify.push(message),
                _ => {}
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    send(app, CRAWL_QUEUE, &crawl).await?;
    send(app, QUALIFY_QUEUE, &qualify).await?;
    activity::record(
        app,
        &who.tenant,
        "job_resumed",
        Some(id),
        who.user.as_str(),
        json!({}),
    )
    .await;
    complete_if_done(app, &who.tenant, id)
        .await
        .map(|done| done.unwrap_or(job))
}

pub async fn cancel(app: &App, who: &Identity, id: &JobId) -> Result<Job, AppError> {
    let from = [JobStatus::Pending, JobStatus::Processing, JobStatus::Paused];
    let job = set_status(
        app,
        &who.tenant,
        id,
        &from,
        JobStatus::Cancelled,
        Update::new(),
    )
    .await?;
    activity::record(
        app,
        &who.tenant,
        "job_cancelled",
        Some(id),
        who.user.as_str(),
        json!({}),
    )
    .await;
    Ok(job)
}

/// Marks a job failed with the reason, for everyone to see.
pub async fn fail(app: &App, tenant: &TenantId, id: &JobId, reason: &str) -> Result<(), AppError> {
    let from = [JobStatus::Pending, JobStatus::Processing];
    match set_status(
        app,
        tenant,
        id,
        &from,
        JobStatus::Failed,
        Update::new().set("lastError", reason),
    )
    .await
    {
        Ok(_) | Err(AppError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    activity::record(
        app,
        tenant,
        "job_failed",
        Some(id),
        "system",
        json!({"error": reason}),
    )
    .await;
    Ok(())
}
