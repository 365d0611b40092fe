//! The planned-link sweeps (seed 002's weekly link check, Thursdays 03:00 UTC): the weekly
//! run queues every swept planned link (`plans::keys::swept`); between runs, the hourly
//! link-health sweep queues those whose pending verdict is due its confirmation, so a loss
//! is confirmed hours after it is seen, not a week.

use super::planned::PlannedCheckRequest;
use crate::app::backlinks::LINK_CHECK_SHARDS;
use crate::app::plans::keys::planned_check_shard;
use crate::app::store::tenant_of;
use crate::app::sweep::{Budget, queue_items};
use crate::app::{App, AppError, link_health};
use crate::ports::table::{Index, Item, Query, SortCondition};

/// Planned links one run queues of one tenant's at most; the rest wait for the next run.
const CHECKS_PER_TENANT: usize = 20_000;

/// Which planned links a run queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Those whose pending verdict is due its confirming check.
    Due,
    /// Every swept link: the weekly check.
    All,
}

/// Queues the planned links `reach` names, pending confirmations first, within the run's
/// budget. Returns how many were queued.
pub async fn sweep(app: &App, budget: &Budget, reach: Reach) -> Result<usize, AppError> {
    let cutoff = app.clock.now().to_key();
    let queries = (0..LINK_CHECK_SHARDS).map(|shard| {
        let query = Query::new(Index::Gsi4, planned_check_shard(shard));
        match reach {
            Reach::Due => query.sort(SortCondition::Lt(cutoff.clone())),
            Reach::All => query,
        }
    });
    queue_items(
        app,
        budget,
        queries,
        CHECKS_PER_TENANT,
        link_health::QUEUE,
        request,
    )
    .await
}

fn request(item: &Item) -> Result<PlannedCheckRequest, AppError> {
    Ok(PlannedCheckRequest {
        tenant_id: tenant_of(item)?,
        plan_id: field(item, "planId")?,
        planned_link_id: field(item, "id")?,
    })
}

fn field<T: serde::de::DeserializeOwned>(item: &Item, name: &str) -> Result<T, AppError> {
    serde_json::from_value(item.get(name).cloned().unwrap_or_default())
        .map_err(|e| AppError::internal(format!("a swept planned link without {name}: {e}")))
}
