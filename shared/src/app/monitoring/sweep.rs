//! The planned-link sweeps (seed 002's weekly link check, Thursdays 03:00 UTC): the weekly
//! run queues every swept planned link (`plans::keys::swept`); between runs, the hourly
//! link-health sweep queues those whose pending verdict is due its confirmation, so a loss
//! is confirmed hours after it is seen, not a week.

use super::planned::PlannedCheckRequest;
use crate::app::backlinks::LINK_CHECK_SHARDS;
use crate::app::enqueue;
use crate::app::plans::keys::planned_check_shard;
use crate::app::store::tenant_of;
use crate::app::sweep::{Budget, Pages, PerTenant};
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
    let mut queued = 0;
    let mut shares = PerTenant::new(CHECKS_PER_TENANT);
    for shard in 0..LINK_CHECK_SHARDS {
        let mut query = Query::new(Index::Gsi4, planned_check_shard(shard));
        if reach == Reach::Due {
            query = query.sort(SortCondition::Lt(cutoff.clone()));
        }
        let mut pages = Pages::new(query);
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            let mut requests = Vec::with_capacity(items.len());
            for item in items {
                let request = request(&item)?;
                if shares.take(&request.tenant_id) {
                    requests.push(request);
                }
            }
            queued += requests.len();
            let requests = enqueue::interleave(requests, |r| &r.tenant_id);
            enqueue::send(app, link_health::QUEUE, &requests).await?;
        }
    }
    Ok(queued)
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
