//! The repair sweep: a job still seeding whose seeding has not moved for a while (its seed
//! message was never sent, or was dead-lettered) gets its first unqueued chunk queued
//! again; one whose chunks are all queued has its seeding ended.

use super::archival::sweep;
use super::{complete_if_done, keys, seed, unfinished};
use crate::app::entity;
use crate::app::store::tenant_of;
use crate::app::sweep::Budget;
use crate::app::{App, AppError};
use crate::domain::job::Job;
use crate::ports::table::{Condition, Index, TableError, Update};

/// Seeding that has not moved for this long is taken as stuck (a chunk takes at most
/// `seed::SEED_TIMEOUT_SECS`; the rest is time spent waiting in the queue).
pub const STUCK_AFTER_SECS: i64 = 15 * 60;

/// Returns how many jobs were repaired.
pub async fn repair_sweep(app: &App, budget: &Budget) -> Result<usize, AppError> {
    let now = app.clock.now();
    let before = now.plus_seconds(-STUCK_AFTER_SECS).to_key();
    let mut repaired = 0;
    for partition in keys::all_shards("JOBS#SEEDING#") {
        let mut pages = sweep(&partition, &before);
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            for item in items {
                let tenant = tenant_of(&item)?;
                let job: Job = entity::read(item)?;
                // The plan is written with the seeding flag, in one transaction.
                let Some(plan) = seed::load_plan(app, &tenant, &job.id).await? else {
                    return Err(AppError::internal(format!(
                        "job {} has no seed plan",
                        job.id
                    )));
                };
                let update = if seed::queue_first_waiting(app, &tenant, &job.id, &plan).await? {
                    // Not looked at again before another stuck period has passed.
                    Update::new().set_index(
                        Index::Gsi4,
                        keys::seeding(&job.id),
                        keys::sweep_position(&now, &tenant, &job.id),
                    )
                } else {
                    Update::new()
                        .set("seeding", false)
                        .remove_index(Index::Gsi4)
                };
                let key = keys::item(&tenant, &job.id);
                match app
                    .table
                    .update(
                        &key,
                        update,
                        Some(Condition::And(vec![
                            Condition::eq("seeding", true),
                            unfinished(),
                        ])),
                    )
                    .await
                {
                    // Seeding ended meanwhile, or the job finished: nothing left to repair.
                    Ok(_) | Err(TableError::ConditionFailed) => {}
                    Err(e) => return Err(e.into()),
                }
                complete_if_done(app, &tenant, &job.id).await?;
                tracing::info!(tenant = %tenant, job = %job.id, "seeding repaired");
                repaired += 1;
            }
        }
    }
    Ok(repaired)
}
