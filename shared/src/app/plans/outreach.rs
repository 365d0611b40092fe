//! The loop between plans and outreach (issue 14): a campaign that follows a plan gives each
//! backlink it drafts for one of the plan's due links (its target page and anchor), and the
//! health check's verdict on that backlink's link moves the planned link live or dead.

use super::keys;
use super::links::save;
use super::read;
use crate::app::entity;
use crate::app::store::modify_versioned;
use crate::app::{App, AppError};
use crate::domain::backlink::Backlink;
use crate::domain::ids::{PlanId, PlannedLinkId, TenantId};
use crate::domain::plans::{PlanStatus, PlannedLink, PlannedLinkStatus};
use crate::domain::time::Timestamp;

/// Claims a planned link of an active plan for a backlink: a link still `planned`, won by
/// no other backlink, due by the plan's current month, the most overdue first (then in plan
/// order). Returns none when the plan is not active or nothing is due. Two drafts racing
/// for one link: the version check lets one claim it and the other takes the next.
pub async fn claim(
    app: &App,
    tenant: &TenantId,
    plan: &PlanId,
    backlink: &Backlink,
) -> Result<Option<PlannedLink>, AppError> {
    let head = read::head(app, tenant, plan).await?;
    if head.status != PlanStatus::Active {
        return Ok(None);
    }
    let now = app.clock.now();
    let due = head.month_at(now);
    let mut open: Vec<PlannedLink> = read::links(app, tenant, plan)
        .await?
        .into_iter()
        .filter(|l| l.status == PlannedLinkStatus::Planned && l.backlink_id.is_none())
        .filter(|l| l.month <= due)
        .collect();
    open.sort_by_key(|l| l.month);
    for mut link in open {
        let seen = link.version;
        link.backlink_id = Some(backlink.id.clone());
        link.source_domain = Some(backlink.source_domain.clone());
        link.source_url = backlink.source_url.clone();
        link.placement_url = backlink.placement_url.clone();
        link.version = seen + 1;
        link.updated_at = now;
        match save(app, tenant, &link, seen).await {
            Ok(()) => return Ok(Some(link)),
            Err(AppError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// What the health check found for a backlink that wins a planned link: found, the planned
/// link is live (dated the first time); gone after being live, it is dead. A planned link
/// or plan deleted meanwhile is nothing to update.
pub async fn link_checked(
    app: &App,
    tenant: &TenantId,
    plan: &PlanId,
    id: &PlannedLinkId,
    live: bool,
    now: Timestamp,
) -> Result<(), AppError> {
    if let Err(e) = read::head(app, tenant, plan).await {
        return match e {
            AppError::NotFound(_) => Ok(()),
            e => Err(e),
        };
    }
    let changed = modify_versioned(
        app,
        &keys::link(tenant, plan, id),
        "planned link",
        |l: &PlannedLink| entity::item(l, tenant),
        |link| {
            let to = match (live, link.status) {
                (true, PlannedLinkStatus::Live) => {
                    link.date_last_checked = Some(now);
                    return Ok(());
                }
                (true, PlannedLinkStatus::Planned | PlannedLinkStatus::Ordered)
                | (true, PlannedLinkStatus::Dead) => PlannedLinkStatus::Live,
                (false, PlannedLinkStatus::Live) => PlannedLinkStatus::Dead,
                _ => return Ok(()),
            };
            // The outreach win needs no threshold override: the site placed the link itself.
            link.move_to(to, now, None)
                .map_err(|e| AppError::Conflict(e.to_string()))
        },
    )
    .await;
    match changed {
        Ok(link) if link.status == PlannedLinkStatus::Live && link.date_live == Some(now) => {
            super::replacement::went_live(app, tenant, &link, now).await
        }
        Ok(_) | Err(AppError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}
