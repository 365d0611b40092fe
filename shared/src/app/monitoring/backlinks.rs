//! Checking a backlink's link (issue 15): the sweep's worker and `checkBacklink` both come
//! here. The check is judged, kept, and applied to the link's health; only a confirmed
//! change moves `isLive`, records a link event, and moves the planned link it wins.

use super::indexed;
use super::inspect::inspect;
use super::loss::{self, LostFacts};
use super::records::{self, LinkCheck, LinkEvent, Observed, Subject};
use crate::app::{App, AppError, backlinks};
use crate::domain::backlink::{Backlink, LinkType, OutreachStatus};
use crate::domain::ids::{BacklinkId, TenantId};
use crate::domain::monitoring::codes::FindingCode;
use crate::domain::monitoring::health::{HealthChange, HealthPolicy, HealthStatus, LinkHealth};
use crate::domain::monitoring::page::PageReport;
use crate::domain::time::Timestamp;
use std::sync::Mutex;

/// The rel the page gives the link, as the backlink records it.
fn link_type(report: &PageReport) -> LinkType {
    let has = |t: &str| report.rel.iter().any(|r| r == t);
    if has("sponsored") {
        LinkType::Sponsored
    } else if has("ugc") {
        LinkType::Ugc
    } else if has("nofollow") || report.findings.contains(&FindingCode::Nofollow) {
        LinkType::Nofollow
    } else {
        LinkType::Dofollow
    }
}

/// An agreed link that is not on its page yet is waiting to be placed, not lost.
fn not_placed_yet(b: &Backlink, report: &PageReport) -> bool {
    b.outreach_status == OutreachStatus::Agreed
        && report
            .findings
            .iter()
            .any(|f| matches!(f, FindingCode::LinkRemoved | FindingCode::PageGone))
}

/// Checks the backlink's link now and applies the result.
pub async fn check(
    app: &App,
    tenant: &TenantId,
    id: &BacklinkId,
    policy: &HealthPolicy,
) -> Result<LinkCheck, AppError> {
    let b = backlinks::get(app, tenant, id).await?;
    let (Some(placement), Some(target)) = (b.placement_url.clone(), b.target_url.clone()) else {
        return Err(AppError::Conflict(
            "the backlink has no placementUrl and targetUrl to check; set them first".into(),
        ));
    };
    let report = inspect(app, &placement, &target, b.anchor_text.as_deref()).await;
    let now = app.clock.now();
    let found = report.link_href.is_some();
    let mut asked = b.link_health.clone().unwrap_or_default();
    let index = indexed::refresh(app, &placement, found, &mut asked, now).await;
    let rel = link_type(&report);
    // Judged on the health as stored when the write is made, so two checks of one link at
    // once never undo each other (the write retries on fresh data).
    let judged = Mutex::new(None);
    let updated = backlinks::modify(app, tenant, id, |b: &mut Backlink| {
        let mut health = b.link_health.clone().unwrap_or_default();
        if index.is_some() {
            (health.indexed, health.index_checked_at) = (asked.indexed, asked.index_checked_at);
        }
        let waiting = not_placed_yet(b, &report);
        let change = if waiting {
            health.last_checked_at = Some(now);
            health.next_due = Some(now.plus_seconds(policy.recheck_after_secs));
            None
        } else {
            health.observe(&report.findings, now, policy)
        };
        apply(b, &health, found, rel, now)?;
        let status = if waiting {
            HealthStatus::Unknown
        } else {
            health.status
        };
        *judged.lock().unwrap_or_else(|e| e.into_inner()) = Some((status, change));
        Ok(())
    })
    .await?;
    let Some((status, change)) = judged.into_inner().unwrap_or_else(|e| e.into_inner()) else {
        return Err(AppError::internal(
            "a check was written without its verdict",
        ));
    };
    if let Some(change) = &change {
        announce(app, tenant, &updated, change, now).await?;
    }
    let observed = Observed {
        subject: Subject::Backlink {
            backlink_id: id.clone(),
        },
        placement_url: placement.to_string(),
        target_url: target.to_string(),
        report,
        health: status,
        change,
        index,
    };
    records::keep_check(app, tenant, observed).await
}

/// The backlink's fields after a check: `isLive` follows the confirmed health only.
fn apply(
    b: &mut Backlink,
    health: &LinkHealth,
    found: bool,
    rel: LinkType,
    now: Timestamp,
) -> Result<(), AppError> {
    b.last_checked_at = Some(now);
    match health.status {
        HealthStatus::Live | HealthStatus::Degraded => b.is_live = Some(true),
        HealthStatus::Dead => b.is_live = Some(false),
        HealthStatus::Unknown => {}
    }
    if found {
        b.link_type = rel;
    }
    // The agreed link is on its page: the backlink is won.
    if found && b.outreach_status == OutreachStatus::Agreed {
        b.transition(OutreachStatus::Published, now)
            .map_err(|e| AppError::Conflict(e.to_string()))?;
    }
    b.is_indexed = health.indexed;
    b.link_health = Some(health.clone());
    Ok(())
}

/// A confirmed change: a link event, and the planned link the backlink wins moves with it.
async fn announce(
    app: &App,
    tenant: &TenantId,
    b: &Backlink,
    change: &HealthChange,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut event = LinkEvent {
        at: now,
        subject: Subject::Backlink {
            backlink_id: b.id.clone(),
        },
        campaign_id: b.campaign_id.clone(),
        plan_id: b.plan_id.clone(),
        from: change.from,
        to: change.to,
        reasons: change.reasons.clone(),
        placement_url: b
            .placement_url
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        target_url: b
            .target_url
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        loss: None,
    };
    if change.to == HealthStatus::Dead {
        let facts = LostFacts {
            source_dr: b.domain_rating,
            indexed: b.is_indexed,
            plan: b.plan_id.clone().zip(b.planned_link_id.clone()),
        };
        event.loss = Some(loss::assess(app, tenant, &event.subject, facts, now).await?);
    }
    records::record_event(app, tenant, event).await?;
    if let (Some(plan), Some(link)) = (&b.plan_id, &b.planned_link_id) {
        let live = change.to != HealthStatus::Dead;
        crate::app::plans::outreach::link_checked(app, tenant, plan, link, live, now).await?;
    }
    Ok(())
}

/// `checkBacklink`: checks now, within `deadline`; a page too slow for an API call is left
/// to the queue (answered 503 with the check queued, never a half-applied check).
pub async fn check_now(
    app: &App,
    tenant: &TenantId,
    id: &BacklinkId,
    deadline: std::time::Duration,
) -> Result<LinkCheck, AppError> {
    let policy = app.link_health;
    match tokio::time::timeout(deadline, check(app, tenant, id, &policy)).await {
        Ok(result) => result,
        Err(_) => {
            let request = crate::app::link_health::CheckRequest {
                tenant_id: tenant.clone(),
                backlink_id: id.clone(),
            };
            crate::app::enqueue::send(app, crate::app::link_health::QUEUE, &[request]).await?;
            Err(AppError::Unavailable(
                "the placement page is too slow to check within the call; the check is queued"
                    .into(),
            ))
        }
    }
}

/// A backlink's kept checks, newest first (404 for another tenant's).
pub async fn checks(
    app: &App,
    tenant: &TenantId,
    id: &BacklinkId,
    page: crate::app::paging::PageRequest,
) -> Result<crate::app::paging::ListPage<LinkCheck>, AppError> {
    backlinks::get(app, tenant, id).await?;
    let subject = Subject::Backlink {
        backlink_id: id.clone(),
    };
    records::list_checks(app, tenant, &subject, page).await
}
