//! The daily link health check (seed 000): a sweep finds placed links not checked for a
//! day and queues them; a worker fetches each source page and records whether the link to
//! the target is still there.

use super::backlinks::{self, LINK_CHECK_SHARDS, keys};
use super::enqueue::{self, ForTenant};
use super::store::tenant_of;
use super::sweep::{Budget, Pages, PerTenant};
use super::{App, AppError};
use crate::domain::backlink::{Backlink, OutreachStatus};
use crate::domain::ids::{BacklinkId, TenantId};
use crate::domain::link_presence::{FoundLink, find_link};
use crate::domain::web::WebUrl;
use crate::ports::fetcher::FetchError;
use crate::ports::table::{Index, Query, SortCondition};
use serde::{Deserialize, Serialize};

pub const QUEUE: &str = "link-check";
/// A link is due again this long after its last check (a little under a day, so a daily
/// sweep never skips one that was checked slightly later the day before).
const RECHECK_AFTER_SECS: i64 = 20 * 3600;
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
    let cutoff = app.clock.now().plus_seconds(-RECHECK_AFTER_SECS).to_key();
    let mut queued = 0;
    let mut shares = PerTenant::new(CHECKS_PER_TENANT);
    for shard in 0..LINK_CHECK_SHARDS {
        let query = Query::new(Index::Gsi4, keys::link_check_shard(shard))
            .sort(SortCondition::Lt(cutoff.clone()));
        let mut pages = Pages::new(query);
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            let mut requests = Vec::with_capacity(items.len());
            for item in items {
                let tenant = tenant_of(&item)?;
                if !shares.take(&tenant) {
                    continue;
                }
                requests.push(CheckRequest {
                    tenant_id: tenant,
                    backlink_id: serde_json::from_value(item["id"].clone())
                        .map_err(|e| AppError::internal(format!("backlink without id: {e}")))?,
                });
            }
            queued += requests.len();
            let requests = enqueue::interleave(requests, |r| &r.tenant_id);
            enqueue::send(app, QUEUE, &requests).await?;
        }
    }
    Ok(queued)
}

/// The link to `target` on the page at `source`, fetched SSRF-safely. Transient failures
/// (network, 5xx, 429, 403) are errors; a missing page or one we may not fetch has none.
pub async fn link_on(
    app: &App,
    source: &WebUrl,
    target: &WebUrl,
) -> Result<Option<FoundLink>, AppError> {
    match app.fetcher.get(source.as_url()).await {
        Ok(page) if (200..300).contains(&page.status) => {
            Ok(find_link(&page.text(), &page.final_url, target.as_url()))
        }
        Ok(page) if matches!(page.status, 404 | 410) => Ok(None),
        Ok(page) => Err(AppError::Unavailable(format!(
            "{source} answered {}; will retry",
            page.status
        ))),
        // A page we may never fetch cannot show the link.
        Err(FetchError::Refused { .. }) => Ok(None),
        Err(e) => Err(AppError::Unavailable(e.to_string())),
    }
}

/// What one check concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Live,
    Missing,
    /// Agreed, and not on the placement page yet.
    NotYetPlaced,
    /// Nothing to check (the backlink was deleted, or no longer expects a link).
    Skipped,
}

/// Checks one link. Transient failures (network, 5xx, 429, 403) are errors, so the
/// message is retried and finally dead-lettered; a definite answer updates the backlink.
pub async fn check(app: &App, request: &CheckRequest) -> Result<Verdict, AppError> {
    let backlink = match backlinks::get(app, &request.tenant_id, &request.backlink_id).await {
        Ok(b) => b,
        Err(AppError::NotFound(_)) => return Ok(Verdict::Skipped),
        Err(e) => return Err(e),
    };
    let (Some(placement), Some(target)) = (&backlink.placement_url, &backlink.target_url) else {
        return Ok(Verdict::Skipped);
    };
    if !backlink.outreach_status.link_checked() {
        return Ok(Verdict::Skipped);
    }
    let found = link_on(app, placement, target).await?;
    let now = app.clock.now();
    let verdict = match (&found, backlink.outreach_status) {
        (Some(_), _) => Verdict::Live,
        // Agreed but not placed yet: nothing is missing.
        (None, OutreachStatus::Agreed) => Verdict::NotYetPlaced,
        (None, _) => Verdict::Missing,
    };
    backlinks::modify(app, &request.tenant_id, &backlink.id, |b: &mut Backlink| {
        b.last_checked_at = Some(now);
        if verdict == Verdict::NotYetPlaced {
            return Ok(());
        }
        b.is_live = Some(found.is_some());
        if let Some(link) = &found {
            b.link_type = link.link_type;
            // The agreed link went live: the backlink is won.
            if b.outreach_status == OutreachStatus::Agreed {
                b.transition(OutreachStatus::Published, now)
                    .map_err(|e| AppError::Conflict(e.to_string()))?;
            }
        }
        Ok(())
    })
    .await?;
    if verdict != Verdict::NotYetPlaced
        && let (Some(plan), Some(link)) = (&backlink.plan_id, &backlink.planned_link_id)
    {
        let live = verdict == Verdict::Live;
        crate::app::plans::outreach::link_checked(app, &request.tenant_id, plan, link, live, now)
            .await?;
    }
    Ok(verdict)
}
