//! The link health sweep (seed 000's daily check): every hour it queues the placed links that
//! are due (a day after their last check, or sooner when a finding waits for its
//! confirmation); the worker checks each through `monitoring` (issue 15).

use super::backlinks::{self, LINK_CHECK_SHARDS, keys};
use super::enqueue::ForTenant;
use super::store::tenant_of;
use super::sweep::{Budget, queue_items};
use super::{App, AppError, monitoring};
use crate::domain::ids::{BacklinkId, TenantId};
use crate::domain::monitoring::health::HealthStatus;
use crate::ports::table::{Index, Query, SortCondition};
use serde::{Deserialize, Serialize};

pub const QUEUE: &str = "link-check";
/// Links one daily run queues of one tenant's at most; the rest stay due, stalest first.
const CHECKS_PER_TENANT: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckRequest {
    pub tenant_id: TenantId,
    pub backlink_id: BacklinkId,
}

impl ForTenant for CheckRequest {
    fn tenant(&self) -> &TenantId {
        &self.tenant_id
    }
}

/// Queues every placed link that is due, stalest first, within the run's budget. Returns
/// how many were queued.
pub async fn sweep(app: &App, budget: &Budget) -> Result<usize, AppError> {
    // The index sorts links by when they are due (backlinks::keys).
    let cutoff = app.clock.now().to_key();
    let queries = (0..LINK_CHECK_SHARDS).map(|shard| {
        Query::new(Index::Gsi4, keys::link_check_shard(shard))
            .sort(SortCondition::Lt(cutoff.clone()))
    });
    queue_items(app, budget, queries, CHECKS_PER_TENANT, QUEUE, |item| {
        Ok(CheckRequest {
            tenant_id: tenant_of(item)?,
            backlink_id: serde_json::from_value(item.get("id").cloned().unwrap_or_default())
                .map_err(|e| AppError::internal(format!("backlink without id: {e}")))?,
        })
    })
    .await
}

/// Checks one due link (the sweep's worker). A link gone from the queue's view (deleted, no
/// longer expecting a link, its URLs cleared) is skipped; what the check found is kept and
/// applied by `monitoring::backlinks`.
pub async fn check(app: &App, request: &CheckRequest) -> Result<Option<HealthStatus>, AppError> {
    let b = match backlinks::get(app, &request.tenant_id, &request.backlink_id).await {
        Ok(b) => b,
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !b.outreach_status.link_checked() || b.placement_url.is_none() || b.target_url.is_none() {
        return Ok(None);
    }
    let policy = app.link_health;
    match monitoring::backlinks::check(app, &request.tenant_id, &b.id, &policy).await {
        Ok(check) => Ok(Some(check.observed.health)),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
