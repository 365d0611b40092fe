//! Seeding: a job's URLs become results queued for the crawl in a queue stage, not in the
//! request. The request (or the discover stage) stores a seed plan and the URLs in chunks
//! (one site each, the tenant's own sites left out) and queues the first chunk; each seed
//! message checks one chunk's URLs (suppression, already in the campaign, the campaign's
//! room), writes their results, queues their crawl, counts them on the job and queues the
//! next chunk. A chunk moves waiting -> claimed (its accepted URLs fixed) -> queued, so a
//! redelivered message skips a queued chunk and a worker that died leaves a claim another
//! takes over once the stage's time limit has passed.

use super::{
    CRAWL_QUEUE, MAX_URLS, SEED_QUEUE, StageMessage, get, keys, send, set_status, unfinished,
};
use crate::app::entity::{self, Entity};
use crate::app::{App, AppError, backlinks, campaigns, suppression};
use crate::domain::campaign::Campaign;
use crate::domain::email::registrable_domain;
use crate::domain::ids::{JobId, ResultId, TenantId};
use crate::domain::job::{ChunkState, Job, JobResult, JobStatus, ResultState, SeedChunk, SeedPlan};
use crate::domain::web::{DomainName, WebUrl};
use crate::ports::table::{Condition, Index, Key, TableError, TransactOp, Update};
use futures::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How long one seed message may take; a claim older than this belongs to a dead worker.
pub const SEED_TIMEOUT_SECS: u32 = 120;
/// Reads and writes one chunk has in flight at once.
const IN_FLIGHT: usize = 16;

/// One chunk of a job's seeding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedMessage {
    pub tenant_id: TenantId,
    pub job_id: JobId,
    pub chunk: u32,
}

impl crate::app::enqueue::ForTenant for SeedMessage {
    fn tenant(&self) -> &TenantId {
        &self.tenant_id
    }
}

/// One URL per registrable domain, in order, leaving out the tenant's own sites: what the
/// request can decide without a read per URL.
async fn one_per_site(
    app: &App,
    tenant: &TenantId,
    urls: Vec<WebUrl>,
) -> Result<Vec<String>, AppError> {
    let own = campaigns::own_sites(app, tenant).await?;
    let mut seen = HashSet::new();
    Ok(urls
        .into_iter()
        .filter(|url| {
            url.domain().is_some_and(|domain| {
                let site =
                    registrable_domain(domain.as_str()).unwrap_or_else(|| domain.to_string());
                !own.contains(&site) && seen.insert(site)
            })
        })
        .map(|url| url.to_string())
        .collect())
}

/// Stores a job's seed plan and chunks and queues the first chunk. With `create`, the job
/// itself is written in the same transaction (createJob); otherwise it is a stored
/// discovery job, still pending, and a plan already stored (a redelivered discover message)
/// is queued again as it is.
pub async fn start_seeding(
    app: &App,
    tenant: &TenantId,
    job: &Job,
    create: bool,
    campaign: Option<&Campaign>,
    urls: Vec<WebUrl>,
) -> Result<(), AppError> {
    let urls = one_per_site(app, tenant, urls).await?;
    let room = match campaign {
        Some(c) => (c.limits.max_opportunities as usize)
            .saturating_sub(backlinks::campaign_size(app, tenant, &c.id).await?),
        None => MAX_URLS,
    };
    let chunks = SeedChunk::split(&job.id, urls);
    let plan = SeedPlan {
        job_id: job.id.clone(),
        chunks: chunks.len() as u32,
        room: room as u64,
    };
    let mut seeding = job.clone();
    seeding.seeding = true;
    let job_op = if create {
        TransactOp::Put {
            item: entity::item(&seeding, tenant)?,
            condition: Some(Condition::NotExists),
        }
    } else {
        let index = seeding
            .indexes(tenant)
            .into_iter()
            .find(|k| k.index == Index::Gsi4)
            .ok_or_else(|| AppError::internal("a seeding job has a repair position"))?;
        TransactOp::Update {
            key: keys::item(tenant, &job.id),
            update: Update::new().set("seeding", true).set_index(
                Index::Gsi4,
                index.partition,
                index.sort,
            ),
            condition: Some(Condition::eq("status", JobStatus::Pending.as_str())),
        }
    };
    let mut ops = vec![
        job_op,
        TransactOp::Put {
            item: entity::item(&plan, tenant)?,
            condition: Some(Condition::NotExists),
        },
    ];
    for chunk in &chunks {
        ops.push(TransactOp::Put {
            item: entity::item(chunk, tenant)?,
            condition: None,
        });
    }
    match app.table.transact(ops).await {
        Ok(()) => {}
        Err(TableError::TransactionCancelled { .. }) if !create => {
            if app
                .table
                .get(&keys::seed_plan(tenant, &job.id))
                .await?
                .is_none()
            {
                return Err(AppError::Conflict("the job is no longer pending".into()));
            }
        }
        Err(e) => return Err(e.into()),
    }
    queue_chunk(app, tenant, &job.id, 0).await
}

async fn queue_chunk(
    app: &App,
    tenant: &TenantId,
    job: &JobId,
    chunk: u32,
) -> Result<(), AppError> {
    let message = SeedMessage {
        tenant_id: tenant.clone(),
        job_id: job.clone(),
        chunk,
    };
    send(app, SEED_QUEUE, &[message]).await
}

async fn load<E: Entity>(app: &App, key: &Key) -> Result<Option<E>, AppError> {
    app.table.get(key).await?.map(entity::read).transpose()
}

/// The seed stage: one chunk per message, idempotent under redelivery.
pub async fn seed_stage(app: &App, m: &SeedMessage) -> Result<(), AppError> {
    let tenant = &m.tenant_id;
    let job = match get(app, tenant, &m.job_id).await {
        Ok(job) => job,
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    if job.status.is_final() {
        return Ok(());
    }
    let plan: Option<SeedPlan> = load(app, &keys::seed_plan(tenant, &job.id)).await?;
    let chunk: Option<SeedChunk> = load(app, &keys::seed_chunk(tenant, &job.id, m.chunk)).await?;
    let (Some(plan), Some(chunk)) = (plan, chunk) else {
        return Ok(());
    };
    let now = app.clock.now();
    let mut claim = chunk.clone();
    match chunk.state {
        ChunkState::Queued => return next(app, tenant, &plan, &chunk).await,
        ChunkState::Claimed
            if chunk
                .claimed_at
                .is_some_and(|at| now.plus_seconds(-i64::from(SEED_TIMEOUT_SECS)) < at) =>
        {
            return Err(AppError::Unavailable(format!(
                "chunk {} of job {} is being seeded by another worker",
                chunk.index, job.id
            )));
        }
        // A claim whose worker died: its accepted URLs stand, the rest is done again.
        ChunkState::Claimed => {}
        ChunkState::Waiting => claim.accepted = accept(app, tenant, &job, &plan, &chunk).await?,
    }
    claim.state = ChunkState::Claimed;
    claim.claimed_at = Some(now);
    claim.version += 1;
    match app
        .table
        .put(
            entity::item(&claim, tenant)?,
            Some(Condition::eq("version", chunk.version)),
        )
        .await
    {
        Ok(()) => {}
        Err(TableError::ConditionFailed) => {
            return Err(AppError::Unavailable(format!(
                "chunk {} of job {} was claimed meanwhile",
                chunk.index, job.id
            )));
        }
        Err(e) => return Err(e.into()),
    }
    if job.status == JobStatus::Pending {
        // Before any crawl message: the crawl stage only works for a processing job.
        let started = Update::new().set("startedAt", now.to_key());
        match set_status(
            app,
            tenant,
            &job.id,
            &[JobStatus::Pending],
            JobStatus::Processing,
            started,
        )
        .await
        {
            Ok(_) | Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let results = write_results(app, tenant, &claim).await?;
    let messages: Vec<StageMessage> = results
        .iter()
        .map(|id| StageMessage {
            tenant_id: tenant.clone(),
            job_id: job.id.clone(),
            result_id: Some(id.clone()),
        })
        .collect();
    // Queued before the chunk is marked queued: a worker dying in between leaves the chunk
    // claimed, and the next one sends them again (the crawl stage ignores a second copy).
    send(app, CRAWL_QUEUE, &messages).await?;
    if mark_queued(app, tenant, &plan, &claim, results.len()).await? {
        next(app, tenant, &plan, &claim).await
    } else {
        Ok(())
    }
}

/// The positions of a chunk's URLs that join the job, within what is left of its room.
async fn accept(
    app: &App,
    tenant: &TenantId,
    job: &Job,
    plan: &SeedPlan,
    chunk: &SeedChunk,
) -> Result<Vec<u32>, AppError> {
    let room = plan.room.saturating_sub(job.total_urls) as usize;
    let checks: Vec<_> = chunk
        .urls
        .iter()
        .map(|url| joins(app, tenant, job, url))
        .collect();
    let kept: Vec<bool> = stream::iter(checks)
        .buffered(IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(kept
        .into_iter()
        .enumerate()
        .filter(|(_, keep)| *keep)
        .map(|(i, _)| i as u32)
        .take(room)
        .collect())
}

/// Whether a URL joins the job: its domain is not suppressed and not in the campaign yet.
async fn joins(app: &App, tenant: &TenantId, job: &Job, url: &str) -> Result<bool, AppError> {
    let Some(domain) = WebUrl::parse(url).ok().and_then(|u| u.domain()) else {
        return Ok(false);
    };
    if suppression::domain_suppressed(app, tenant, &domain).await? {
        return Ok(false);
    }
    match &job.campaign_id {
        Some(c) => Ok(!backlinks::in_campaign(app, tenant, c, &domain).await?),
        None => Ok(true),
    }
}

/// Writes the results of a claimed chunk's accepted URLs, leaving any already written (a
/// worker before this one may have queued them, and the crawl moved them on).
async fn write_results(
    app: &App,
    tenant: &TenantId,
    chunk: &SeedChunk,
) -> Result<Vec<ResultId>, AppError> {
    let mut results = Vec::with_capacity(chunk.accepted.len());
    for &position in &chunk.accepted {
        let url = chunk
            .urls
            .get(position as usize)
            .and_then(|u| WebUrl::parse(u).ok())
            .ok_or_else(|| AppError::internal(format!("seed chunk {} is corrupt", chunk.index)))?;
        let domain = url
            .domain()
            .ok_or_else(|| AppError::internal(format!("seed chunk {} is corrupt", chunk.index)))?;
        let id = ResultId::of_job(&chunk.job_id, chunk.offset + position);
        results.push(new_result(app, &chunk.job_id, id, &domain, &url));
    }
    let writes: Vec<_> = results.iter().map(|r| write_new(app, tenant, r)).collect();
    stream::iter(writes)
        .buffer_unordered(IN_FLIGHT)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(results.into_iter().map(|r| r.id).collect())
}

async fn write_new(app: &App, tenant: &TenantId, result: &JobResult) -> Result<(), AppError> {
    let item = entity::item(result, tenant)?;
    match app.table.put(item, Some(Condition::NotExists)).await {
        Ok(()) | Err(TableError::ConditionFailed) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Marks a claimed chunk queued and counts its results on the job, in one transaction; the
/// last chunk also ends the job's seeding. False when another worker did it first or the
/// job finished meanwhile.
async fn mark_queued(
    app: &App,
    tenant: &TenantId,
    plan: &SeedPlan,
    claim: &SeedChunk,
    count: usize,
) -> Result<bool, AppError> {
    let mut queued = claim.clone();
    queued.state = ChunkState::Queued;
    queued.version += 1;
    let mut job = Update::new().add("totalUrls", count as i64);
    job = if claim.index + 1 >= plan.chunks {
        job.set("seeding", false).remove_index(Index::Gsi4)
    } else {
        let now = app.clock.now();
        job.set_index(
            Index::Gsi4,
            keys::seeding(&claim.job_id),
            keys::sweep_position(&now, tenant, &claim.job_id),
        )
    };
    let ops = vec![
        TransactOp::Put {
            item: entity::item(&queued, tenant)?,
            condition: Some(Condition::eq("version", claim.version)),
        },
        TransactOp::Update {
            key: keys::item(tenant, &claim.job_id),
            update: job,
            condition: Some(unfinished()),
        },
    ];
    match app.table.transact(ops).await {
        Ok(()) => Ok(true),
        Err(TableError::TransactionCancelled { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// After a queued chunk: the next one, or, after the last, the job's completion (when
/// every URL was left out, or all finished before seeding ended).
async fn next(
    app: &App,
    tenant: &TenantId,
    plan: &SeedPlan,
    chunk: &SeedChunk,
) -> Result<(), AppError> {
    if chunk.index + 1 < plan.chunks {
        queue_chunk(app, tenant, &chunk.job_id, chunk.index + 1).await
    } else {
        super::complete_if_done(app, tenant, &chunk.job_id)
            .await
            .map(|_| ())
    }
}

pub(super) async fn queue_first_waiting(
    app: &App,
    tenant: &TenantId,
    job: &JobId,
    plan: &SeedPlan,
) -> Result<bool, AppError> {
    for index in 0..plan.chunks {
        let chunk: Option<SeedChunk> = load(app, &keys::seed_chunk(tenant, job, index)).await?;
        match chunk {
            Some(c) if c.state == ChunkState::Queued => continue,
            _ => {
                queue_chunk(app, tenant, job, index).await?;
                return Ok(true);
            }
        }
    }
    Ok(false)
}

pub(super) async fn load_plan(
    app: &App,
    tenant: &TenantId,
    job: &JobId,
) -> Result<Option<SeedPlan>, AppError> {
    load(app, &keys::seed_plan(tenant, job)).await
}

fn new_result(
    app: &App,
    job: &JobId,
    id: ResultId,
    domain: &DomainName,
    url: &WebUrl,
) -> JobResult {
    JobResult {
        id,
        job_id: job.clone(),
        url: url.to_string(),
        domain: domain.to_string(),
        state: ResultState::Queued,
        current_layer: None,
        layer1_status: None,
        layer2_status: None,
        layer3_classification: None,
        classification: None,
        confidence_band: None,
        confidence_score: None,
        layer1_factors: None,
        layer2_factors: None,
        layer3_factors: None,
        layer1_processing_time_ms: None,
        layer2_processing_time_ms: None,
        layer3_processing_time_ms: None,
        total_processing_time_ms: None,
        layer3_total_cost: None,
        retry_count: 0,
        last_error: None,
        contact: None,
        backlink_id: None,
        created_at: app.clock.now(),
        processed_at: None,
        version: 1,
    }
}
