//! What a confirmed loss costs and how to make it good (seed 002 §2.8): its impact score, from
//! the last check that still saw the link, and, charged as one dead-link detection, the
//! plan's replacement recommendations and its month's reserve. Out of credits, the loss is
//! still recorded with its impact, and says why the recommendations are missing.

use super::records::{self, Subject};
use crate::app::backlinks::keys as backlink_keys;
use crate::app::entity;
use crate::app::paging::PageRequest;
use crate::app::plans::read;
use crate::app::store::query_all;
use crate::app::{App, AppError, usage};
use crate::domain::backlink::{Backlink, OutreachStatus, SourceType};
use crate::domain::ids::{BacklinkId, PlanId, PlannedLinkId, TenantId};
use crate::domain::monitoring::impact::{Impact, LostLink, impact};
use crate::domain::monitoring::replace::{Lost, Recommendation, recommend};
use crate::domain::plans::reserve_used;
use crate::domain::time::Timestamp;
use crate::domain::usage::MeteredOperation;
use crate::ports::table::{Index, Query};
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
    /// The tenant's directory and competitor-gap opportunities not yet worked, best first:
    /// links to win in the lost one's place.
    #[serde(default)]
    pub opportunities: Vec<OpportunityHint>,
    /// Why there are no recommendations, when there are none.
    pub note: Option<String>,
}

/// An opportunity the tenant has that could make up for a loss, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpportunityHint {
    pub backlink_id: BacklinkId,
    pub source_type: SourceType,
    pub source_domain: String,
    pub relevance_score: Option<u8>,
    pub why: String,
}

/// Opportunities suggested per loss, of each kind.
const HINTS_PER_KIND: usize = 3;

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
        opportunities: Vec::new(),
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
    report.opportunities = opportunities(app, tenant).await?;
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

/// The tenant's directory and competitor-gap opportunities not yet started, the most relevant
/// of each kind.
async fn opportunities(app: &App, tenant: &TenantId) -> Result<Vec<OpportunityHint>, AppError> {
    let query = Query::new(
        Index::Gsi1,
        backlink_keys::by_status(tenant, OutreachStatus::Opportunity),
    );
    let mut open: Vec<Backlink> = query_all(app, query)
        .await?
        .into_iter()
        .map(entity::read)
        .collect::<Result<_, _>>()?;
    open.sort_by_key(|b| std::cmp::Reverse(b.relevance_score));
    let mut hints = Vec::new();
    for kind in [SourceType::DirectoryOpportunity, SourceType::CompetitorGap] {
        for b in open
            .iter()
            .filter(|b| b.source_type == kind)
            .take(HINTS_PER_KIND)
        {
            let why = match kind {
                SourceType::CompetitorGap => format!(
                    "links to {} of your competitors ({}) and not yet to you",
                    b.gap_competitors.len(),
                    b.gap_competitors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => "a directory listing that fits your business, not yet started".to_string(),
            };
            hints.push(OpportunityHint {
                backlink_id: b.id.clone(),
                source_type: kind,
                source_domain: b.source_domain.to_string(),
                relevance_score: b.relevance_score,
                why,
            });
        }
    }
    Ok(hints)
}
