//! Reading plans: one whole (with its parts, its months' pages and its progress) or the
//! list of a tenant's plans.

use super::keys::{self, AnchorChunk, TierChunk};
use crate::app::entity::read;
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::{query_all, tenant_partition};
use crate::app::{App, AppError};
use crate::domain::ids::{PlanId, SiteId, TenantId};
use crate::domain::plans::{
    MonthPage, PageAnchorPlan, PlanHead, PlanStatus, PlannedLink, Progress, TierAssignment,
    progress,
};
use crate::ports::table::{Index, Query, SortCondition};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// A whole plan: its head, its months with their pages, tiers, anchors, and what its links
/// have achieved against it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    #[serde(flatten)]
    pub plan: PlanHead,
    pub tier_assignments: Vec<TierAssignment>,
    pub anchor_plan: Vec<PageAnchorPlan>,
    pub progress: Progress,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanFilter {
    pub status: Option<PlanStatus>,
    pub site_id: Option<String>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

pub async fn head(app: &App, tenant: &TenantId, id: &PlanId) -> Result<PlanHead, AppError> {
    let item = app.table.get(&keys::plan(tenant, id)).await?;
    item.map(read)
        .transpose()?
        .ok_or(AppError::NotFound("plan"))
}

/// Every planned link of a plan, in the order the plan made them.
pub async fn links(
    app: &App,
    tenant: &TenantId,
    id: &PlanId,
) -> Result<Vec<PlannedLink>, AppError> {
    let query = Query::new(Index::Table, keys::plan_parts(tenant, id))
        .sort(SortCondition::BeginsWith(keys::LINK_PREFIX.into()));
    query_all(app, query).await?.into_iter().map(read).collect()
}

pub async fn get(app: &App, tenant: &TenantId, id: &PlanId) -> Result<PlanView, AppError> {
    let head = head(app, tenant, id).await?;
    let parts = |prefix: &str| {
        Query::new(Index::Table, keys::plan_parts(tenant, id))
            .sort(SortCondition::BeginsWith(prefix.into()))
    };
    let mut tiers = Vec::new();
    for item in query_all(app, parts(keys::TIERS_PREFIX)).await? {
        tiers.extend(read::<TierChunk>(item)?.tiers);
    }
    let mut anchors = Vec::new();
    for item in query_all(app, parts(keys::ANCHORS_PREFIX)).await? {
        anchors.extend(read::<AnchorChunk>(item)?.pages);
    }
    let links = links(app, tenant, id).await?;
    Ok(assemble(head, tiers, anchors, &links))
}

/// Fills in what is counted from the links: each month's pages, each page's links and
/// anchor allocation, each tier assignment's links, and the progress.
pub fn assemble(
    mut head: PlanHead,
    mut tiers: Vec<TierAssignment>,
    mut anchors: Vec<PageAnchorPlan>,
    links: &[PlannedLink],
) -> PlanView {
    let counted: Vec<&PlannedLink> = links.iter().filter(|l| l.counts()).collect();
    for month in &mut head.monthly_plan {
        month.pages.clear();
        for link in counted.iter().filter(|l| l.month == month.month) {
            let url = link.target_url.as_str();
            match month.pages.iter_mut().find(|p| p.url == url) {
                Some(p) => p.links += 1,
                None => month.pages.push(MonthPage {
                    url: url.to_string(),
                    tier: link.target_tier,
                    links: 1,
                }),
            }
        }
    }
    let mut per_page: BTreeMap<&str, BTreeMap<_, u32>> = BTreeMap::new();
    for link in &counted {
        *per_page
            .entry(link.target_url.as_str())
            .or_default()
            .entry(link.anchor_type)
            .or_default() += 1;
    }
    for page in &mut anchors {
        let counts = per_page.get(page.url.as_str());
        for a in &mut page.allocation {
            a.links = counts
                .and_then(|c| c.get(&a.anchor_type))
                .copied()
                .unwrap_or(0);
        }
        page.links = page.allocation.iter().map(|a| a.links).sum();
    }
    for t in &mut tiers {
        t.links = per_page.get(t.url.as_str()).map_or(0, |c| c.values().sum());
    }
    let progress = progress(
        &head.monthly_plan,
        links,
        &head.country_profile.anchor_mix,
        (head.budget_estimate_min, head.budget_estimate_max),
    );
    PlanView {
        plan: head,
        tier_assignments: tiers,
        anchor_plan: anchors,
        progress,
    }
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    filter: &PlanFilter,
    page: PageRequest,
) -> Result<ListPage<PlanHead>, AppError> {
    let site = filter
        .site_id
        .as_deref()
        .map(SiteId::parse)
        .transpose()
        .map_err(|e| AppError::Invalid(vec![e.within("siteId")]))?;
    let query = Query::new(Index::Table, tenant_partition(tenant))
        .sort(SortCondition::BeginsWith(keys::PLAN_PREFIX.into()))
        .descending();
    paging::list(app.table.as_ref(), query, page, |item| {
        let plan: PlanHead = read(item)?;
        let keep = filter.status.is_none_or(|s| s == plan.status)
            && site.as_ref().is_none_or(|s| *s == plan.site_id);
        Ok(keep.then_some(plan))
    })
    .await
}
