//! Daily archival (seed 004): finished jobs are archived after 90 days and deleted, with
//! everything in their results partition, after 180.

use super::keys;
use crate::app::store::{delete_partition, from_item, tenant_of};
use crate::app::sweep::{Budget, Pages};
use crate::app::{App, AppError, activity};
use crate::domain::ids::{JobId, TenantId};
use crate::domain::job::Job;
use crate::ports::table::{Condition, Index, Query, SortCondition, Update};
use serde_json::json;

const ARCHIVE_AFTER_DAYS: i64 = 90;
const DELETE_AFTER_DAYS: i64 = 180;

/// Returns (archived, deleted).
pub async fn archive_sweep(app: &App, budget: &Budget) -> Result<(usize, usize), AppError> {
    let now = app.clock.now();
    let archive_before = now.plus_seconds(-ARCHIVE_AFTER_DAYS * 86_400).to_key();
    let delete_before = now.plus_seconds(-DELETE_AFTER_DAYS * 86_400).to_key();
    let (mut archived, mut deleted) = (0, 0);
    for partition in keys::all_shards("JOBS#FINISHED#") {
        let mut pages = sweep(&partition, &archive_before);
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            for item in items {
                let (tenant, job): (TenantId, Job) = (tenant_of(&item)?, from_item(item)?);
                let update = Update::new()
                    .set("isArchived", true)
                    .set("archivedAt", now.to_key())
                    .set_index(
                        Index::Gsi4,
                        keys::archived(&job.id),
                        keys::sweep_position(&now, &tenant, &job.id),
                    );
                app.table
                    .update(
                        &keys::item(&tenant, &job.id),
                        update,
                        Some(Condition::Exists),
                    )
                    .await?;
                activity::record(
                    app,
                    &tenant,
                    "job_archived",
                    Some(&job.id),
                    "system",
                    json!({}),
                )
                .await;
                archived += 1;
            }
        }
    }
    for partition in keys::all_shards("JOBS#ARCHIVED#") {
        let mut pages = sweep(&partition, &delete_before);
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            for item in items {
                let (tenant, job): (TenantId, Job) = (tenant_of(&item)?, from_item(item)?);
                delete_with_results(app, &tenant, &job.id).await?;
                deleted += 1;
            }
        }
    }
    Ok((archived, deleted))
}

/// Items of a sweep partition older than `before`, oldest first (at most 1000 a run).
pub(super) fn sweep(partition: &str, before: &str) -> Pages {
    Pages::new(Query::new(Index::Gsi4, partition).sort(SortCondition::Lt(before.into())))
}

async fn delete_with_results(app: &App, tenant: &TenantId, id: &JobId) -> Result<(), AppError> {
    delete_partition(app, keys::results(tenant, id)).await?;
    app.table.delete(&keys::item(tenant, id), None).await?;
    Ok(())
}
