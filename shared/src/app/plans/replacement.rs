//! Standing in for a lost planned link (seed 002 §2.8): a replacement is a new planned link to
//! the same page with the same anchor type, drawn from a month's replacement reserve. It
//! counts toward the plan only once live; then the lost link is `replaced`, naming it, and
//! stops counting, so the plan's totals and anchor bands stay as they were.

use super::keys;
use super::read;
use crate::app::entity;
use crate::app::store::modify_versioned;
use crate::app::{App, AppError};
use crate::domain::ids::{PlanId, PlannedLinkId, TenantId};
use crate::domain::plans::{LinkTarget, PlanStatus, PlannedLink, PlannedLinkStatus, reserve_used};
use crate::domain::text::{multi_line, single_line};
use crate::domain::time::Timestamp;
use crate::domain::{FieldErrors, in_range};
use crate::ports::table::Condition;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplacementInput {
    /// The month whose reserve pays for it (default: the plan's current month).
    pub month: Option<u32>,
    /// Another anchor text of the same type (default: the lost link's).
    pub anchor_text: Option<String>,
    pub notes: Option<String>,
}

/// `replacePlannedLink`: a replacement for the dead link `lost`, from a month's reserve.
pub async fn replace(
    app: &App,
    tenant: &TenantId,
    plan_id: &PlanId,
    lost_id: &PlannedLinkId,
    input: ReplacementInput,
) -> Result<PlannedLink, AppError> {
    let plan = read::head(app, tenant, plan_id).await?;
    let links = read::links(app, tenant, plan_id).await?;
    let lost = links
        .iter()
        .find(|l| &l.id == lost_id)
        .ok_or(AppError::NotFound("planned link"))?;
    if plan.status == PlanStatus::Completed {
        return Err(AppError::Conflict("the plan is completed".into()));
    }
    if lost.status != PlannedLinkStatus::Dead {
        return Err(AppError::Conflict(format!(
            "only a dead planned link is replaced; this one is {}",
            lost.status.as_str()
        )));
    }
    if let Some(other) = links
        .iter()
        .find(|l| l.replaces.as_ref() == Some(lost_id) && l.status != PlannedLinkStatus::Rejected)
    {
        return Err(AppError::Conflict(format!(
            "planned link {} already stands in for it; reject that one first",
            other.id
        )));
    }
    let now = app.clock.now();
    let mut e = FieldErrors::default();
    let month = input.month.unwrap_or_else(|| plan.month_at(now));
    e.check("month", in_range(month, 1..=plan.timeline_months));
    let text = match &input.anchor_text {
        Some(text) => e.check("anchorText", single_line(text, 200)),
        None => Some(lost.anchor_text.clone()),
    };
    let notes = input
        .notes
        .as_deref()
        .and_then(|n| e.check("notes", multi_line(n, 5000)));
    e.into_result().map_err(AppError::Invalid)?;
    let Some(text) = text else {
        return Err(AppError::internal("anchor text checked but missing"));
    };
    let reserve = plan
        .monthly_plan
        .iter()
        .find(|m| m.month == month)
        .map_or(0, |m| m.replacement_reserve);
    let used = reserve_used(&links, month);
    if used >= reserve {
        return Err(AppError::invalid(
            "month",
            format!(
                "month {month}'s replacement reserve ({reserve} links) is used up ({used} drawn); \
                 choose a month with reserve left"
            ),
        ));
    }
    let to = LinkTarget {
        month,
        url: lost.target_url.clone(),
        tier: lost.target_tier,
        anchor_text: text,
        anchor_type: lost.anchor_type,
    };
    let mut link = PlannedLink::planned(
        PlannedLinkId::from_uuid(app.ids.next()),
        plan_id.clone(),
        to,
        now,
    );
    link.replaces = Some(lost.id.clone());
    link.link_type = lost.link_type;
    link.notes = notes.unwrap_or_default();
    app.table
        .put(entity::item(&link, tenant)?, Some(Condition::NotExists))
        .await?;
    Ok(link)
}

/// A replacement went live: the dead link it stands in for is `replaced`, naming it. A lost
/// link deleted, or already back or replaced, is left as it is.
pub async fn went_live(
    app: &App,
    tenant: &TenantId,
    link: &PlannedLink,
    now: Timestamp,
) -> Result<(), AppError> {
    let Some(lost) = &link.replaces else {
        return Ok(());
    };
    let by = link.id.clone();
    let changed = modify_versioned(
        app,
        &keys::link(tenant, &link.plan_id, lost),
        "planned link",
        |l: &PlannedLink| entity::item(l, tenant),
        |lost| {
            if lost.status == PlannedLinkStatus::Dead {
                lost.move_to(PlannedLinkStatus::Replaced, now, None)
                    .map_err(|e| AppError::Conflict(e.to_string()))?;
                lost.replaced_by = Some(by.clone());
            }
            Ok(())
        },
    )
    .await;
    match changed {
        Ok(_) | Err(AppError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}
