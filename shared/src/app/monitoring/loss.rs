//! What a confirmed loss costs and how to make it good (seed 002 §2.8): its impact score, from
//! the last check that still saw the link, and, charged as one dead-link detection, the
//! plan's replacement recommendations and its month's reserve. Out of credits, the loss is
//! still recorded with its impact, and says why the recommendations are missing.

use super::records::{self, Subject};
use crate::app::paging::PageRequest;
use crate::app::plans::read;
use crate::app::{App, AppError, usage};
use crate::domain::ids::{PlanId, PlannedLinkId, TenantId};
use crate::domain::monitoring::impact::{Impact, LostLink, impact};
use crate::domain::monitoring::replace::{Lost, Recommendation, recommend};
use crate::domain::plans::reserve_used;
use crate::domain::time::Timestamp;
use crate::domain::usage::MeteredOperation;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A month's replacement reserve when a loss was confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReserveState {
    pub month: u32,
    pub reserve: u32,
    pub used: u32,
    pub left: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LossReport {
    pub impact: Impact,
    /// Unfilled planned links that could stand in, best first (`replacePlannedLink`).
    pub replacements: Vec<Recommendation>,
    /// The lost link's month's reserve, for a link of a plan.
    pub reserve: Option<ReserveState>,
    /// Why there are no recommendations, when there are none.
    pub note: Option<String>,
}

/// What is known of the lost link besides its checks.
pub struct LostFacts {
    pub source_dr: Option<u8>,
    pub indexed: Option<bool>,
    /// The plan and planned link it won or is, if any.
    pub plan: Option<(PlanId, PlannedLinkId)>,
}

pub async fn assess(
    app: &App,
    tenant: &TenantId,
    subject: &Subject,
    facts: LostFacts,
    at: Timestamp,
) -> Result<LossReport, AppError> {
    let checks = records::list_checks(app, tenant, subject, PageRequest::first(20)).await?;
    // The last check that still saw the link tells its rel, indexability and company.
    let standing = checks
        .items
        .iter()
        .find(|c| c.observed.report.link_href.is_some());
    let mut lost = LostLink {
        source_dr: facts.source_dr,
        findings: standing.map_or_else(Vec::new, |c| c.observed.report.findings.clone()),
        indexed: facts.indexed,
        outbound_links: standing.and_then(|c| c.observed.report.outbound_links),
        tier: None,
    };
    let mut report = LossReport {
        impact: impact(&lost),
        replacements: Vec::new(),
        reserve: None,
        note: None,
    };
    let once = format!("{}#{}", subject.link_id(), at.to_key());
    let charged = usage::meter(
        app,
        tenant,
        MeteredOperation::DeadLinkDetection,
        &once,
        &format!("confirmed loss of {}", subject.link_id()),
    )
    .await;
    match charged {
        Ok(()) => {}
        Err(AppError::PaymentRequired(why)) => {
            report.note = Some(format!("no replacement recommendations: {why}"));
            return Ok(report);
        }
        Err(e) => return Err(e),
    }
    let Some((plan, link_id)) = facts.plan else {
        report.note =
            Some("the link is in no plan: replacements are recommended from a plan's links".into());
        return Ok(report);
    };
    let links = read::links(app, tenant, &plan).await?;
    let Some(planned) = links.iter().find(|l| l.id == link_id) else {
        report.note = Some("the planned link it won no longer exists".into());
        return Ok(report);
    };
    lost.tier = Some(planned.target_tier);
    lost.source_dr = lost.source_dr.or(planned.source_dr);
    report.impact = impact(&lost);
    let head = read::head(app, tenant, &plan).await?;
    report.reserve = head
        .monthly_plan
        .iter()
        .find(|m| m.month == planned.month)
        .map(|m| {
            let used = reserve_used(&links, m.month);
            ReserveState {
                month: m.month,
                reserve: m.replacement_reserve,
                used,
                left: m.replacement_reserve.saturating_sub(used),
            }
        });
    let lost_link = Lost {
        id: Some(&planned.id),
        month: planned.month,
        target_url: planned.target_url.as_str(),
        tier: planned.target_tier,
        anchor_type: planned.anchor_type,
    };
    report.replacements = recommend(&lost_link, &links);
    if report.replacements.is_empty() {
        report.note = Some("no unfilled planned link from this month on can stand in".into());
    }
    Ok(report)
}
