//! Checking a plan's planned links (issue 15): one now (`checkPlannedLink`), or every
//! ordered and live link of a plan through the queue (`checkPlan`, the seed's link audit,
//! metered). A confirmed change moves the planned link live or dead and is a link event.

use super::indexed;
use super::inspect::inspect;
use super::loss::{self, LostFacts};
use super::records::{self, LinkCheck, LinkEvent, Observed, Subject};
use crate::app::enqueue::{self, ForTenant};
use crate::app::entity;
use crate::app::paging::{ListPage, PageRequest};
use crate::app::plans::{keys, links, read, replacement};
use crate::app::store::modify_versioned;
use crate::app::{App, AppError, link_health, usage};
use crate::domain::ids::{PlanId, PlannedLinkId, TenantId};
use crate::domain::monitoring::codes::FindingCode;
use crate::domain::monitoring::health::{HealthPolicy, HealthStatus};
use crate::domain::plans::{PlannedLink, PlannedLinkStatus};
use crate::domain::usage::MeteredOperation;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use utoipa::ToSchema;

/// A queued check of one planned link (on the link-check queue, beside backlinks').
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlannedCheckRequest {
    pub tenant_id: TenantId,
    pub plan_id: PlanId,
    pub planned_link_id: PlannedLinkId,
}

impl ForTenant for PlannedCheckRequest {
    fn tenant(&self) -> &TenantId {
        &self.tenant_id
    }
}

/// What `checkPlan` queued.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanCheck {
    pub plan_id: PlanId,
    /// Ordered, live and dead links with a placement URL, one check each.
    pub queued: u32,
    /// Ordered or live links without a placement URL, which cannot be checked yet.
    pub without_placement: u32,
}

fn checkable(link: &PlannedLink) -> bool {
    link.status.link_checked()
}

pub async fn check(
    app: &App,
    tenant: &TenantId,
    plan: &PlanId,
    id: &PlannedLinkId,
    policy: &HealthPolicy,
) -> Result<LinkCheck, AppError> {
    let link = links::get(app, tenant, plan, id).await?;
    let Some(placement) = link.placement_url.clone().filter(|_| checkable(&link)) else {
        return Err(AppError::Conflict(
            "only an ordered, live or dead planned link with a placementUrl can be checked".into(),
        ));
    };
    let report = inspect(app, &placement, &link.target_url, Some(&link.anchor_text)).await;
    let now = app.clock.now();
    let found = report.link_href.is_some();
    let mut asked = link.link_health.clone().unwrap_or_default();
    let index = indexed::refresh(app, &placement, found, &mut asked, now).await;
    // Judged on the link as stored when the write is made (see `backlinks::check`).
    let judged = Mutex::new(None);
    let link = modify_versioned(
        app,
        &keys::link(tenant, plan, id),
        "planned link",
        |l: &PlannedLink| entity::item(l, tenant),
        |link| {
            let mut health = link.link_health.clone().unwrap_or_default();
            if index.is_some() {
                (health.indexed, health.index_checked_at) = (asked.indexed, asked.index_checked_at);
            }
            // An ordered link not on its page yet is waiting to be placed, not lost.
            let waiting = link.status == PlannedLinkStatus::Ordered
                && report
                    .findings
                    .iter()
                    .any(|f| matches!(f, FindingCode::LinkRemoved | FindingCode::PageGone));
            let change = if waiting {
                health.last_checked_at = Some(now);
                None
            } else {
                health.observe(&report.findings, now, policy)
            };
            if let Some(change) = &change {
                let to = match change.to {
                    HealthStatus::Dead => PlannedLinkStatus::Dead,
                    _ => PlannedLinkStatus::Live,
                };
                if to != link.status && link.status.can_move_to(to) {
                    link.move_to(to, now, None)
                        .map_err(|e| AppError::Conflict(e.to_string()))?;
                }
            }
            link.date_last_checked = Some(now);
            let status = if waiting {
                HealthStatus::Unknown
            } else {
                health.status
            };
            link.link_health = Some(health);
            *judged.lock().unwrap_or_else(|e| e.into_inner()) = Some((status, change));
            Ok(())
        },
    )
    .await?;
    let Some((status, change)) = judged.into_inner().unwrap_or_else(|e| e.into_inner()) else {
        return Err(AppError::internal(
            "a check was written without its verdict",
        ));
    };
    if link.status == PlannedLinkStatus::Live && link.date_live == Some(now) {
        replacement::went_live(app, tenant, &link, now).await?;
    }
    let subject = Subject::PlannedLink {
        plan_id: plan.clone(),
        planned_link_id: id.clone(),
    };
    if let Some(change) = &change {
        let mut event = LinkEvent {
            at: now,
            subject: subject.clone(),
            campaign_id: None,
            plan_id: Some(plan.clone()),
            from: change.from,
            to: change.to,
            reasons: change.reasons.clone(),
            placement_url: placement.to_string(),
            target_url: link.target_url.to_string(),
            loss: None,
        };
        if change.to == HealthStatus::Dead {
            let facts = LostFacts {
                source_dr: link.source_dr,
                indexed: link.link_health.as_ref().and_then(|h| h.indexed),
                plan: Some((plan.clone(), id.clone())),
            };
            event.loss = Some(loss::assess(app, tenant, &subject, facts, now).await?);
        }
        records::record_event(app, tenant, event).await?;
    }
    let observed = Observed {
        subject,
        placement_url: placement.to_string(),
        target_url: link.target_url.to_string(),
        report,
        health: status,
        change,
        index,
    };
    records::keep_check(app, tenant, observed).await
}

/// `checkPlannedLink`: checks now, within `deadline`; a page too slow for an API call is left
/// to the queue (answered 503 with the check queued, never a half-applied check), as
/// `backlinks::check_now` does.
pub async fn check_now(
    app: &App,
    tenant: &TenantId,
    plan: &PlanId,
    id: &PlannedLinkId,
    deadline: std::time::Duration,
) -> Result<LinkCheck, AppError> {
    let policy = app.link_health;
    match tokio::time::timeout(deadline, check(app, tenant, plan, id, &policy)).await {
        Ok(result) => result,
        Err(_) => {
            let request = PlannedCheckRequest {
                tenant_id: tenant.clone(),
                plan_id: plan.clone(),
                planned_link_id: id.clone(),
            };
            enqueue::send(app, link_health::QUEUE, &[request]).await?;
            Err(AppError::Unavailable(
                "the placement page is too slow to check within the call; the check is queued"
                    .into(),
            ))
        }
    }
}

pub async fn checks(
    app: &App,
    tenant: &TenantId,
    plan: &PlanId,
    id: &PlannedLinkId,
    page: PageRequest,
) -> Result<ListPage<LinkCheck>, AppError> {
    links::get(app, tenant, plan, id).await?;
    let subject = Subject::PlannedLink {
        plan_id: plan.clone(),
        planned_link_id: id.clone(),
    };
    records::list_checks(app, tenant, &subject, page).await
}

/// `checkPlan`: queues a check of every checkable link of the plan. One link audit (1
/// credit) per plan per minute, so a retried call is not charged twice.
pub async fn check_plan(
    app: &App,
    tenant: &TenantId,
    plan: &PlanId,
) -> Result<PlanCheck, AppError> {
    read::head(app, tenant, plan).await?;
    let links = read::links(app, tenant, plan).await?;
    let (with, without): (Vec<&PlannedLink>, Vec<&PlannedLink>) = links
        .iter()
        .filter(|l| checkable(l))
        .partition(|l| l.placement_url.is_some());
    let minute = app.clock.now().to_key();
    let once = format!("{plan}#{}", minute.get(..16).unwrap_or(&minute));
    usage::meter(
        app,
        tenant,
        MeteredOperation::LinkAudit,
        &once,
        &format!("audit of plan {plan}"),
    )
    .await?;
    let requests: Vec<PlannedCheckRequest> = with
        .iter()
        .map(|l| PlannedCheckRequest {
            tenant_id: tenant.clone(),
            plan_id: plan.clone(),
            planned_link_id: l.id.clone(),
        })
        .collect();
    enqueue::send(app, link_health::QUEUE, &requests).await?;
    Ok(PlanCheck {
        plan_id: plan.clone(),
        queued: requests.len() as u32,
        without_placement: without.len() as u32,
    })
}
