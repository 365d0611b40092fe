//! Changing a plan: its status, its months, its pages' links and its price of a link
//! (`updatePlan`), and deleting it.

use super::keys::{self, AnchorChunk, StoredPage, TierChunk};
use super::read::{self, PlanView};
use crate::app::entity::{self, read as read_item};
use crate::app::store::{delete_partition, modify_versioned, query_all};
use crate::app::{App, AppError};
use crate::domain::ids::{PlanId, PlannedLinkId, TenantId};
use crate::domain::plans::{
    AnchorCount, AnchorType, LinkTarget, PageAnchorPlan, PlanAction, PlanHead, PlanStatus,
    PlannedLink, PlannedLinkStatus, Span, allocate, anchor_counts, anchor_variants, band_breach,
    risk,
};
use crate::domain::web::WebUrl;
use crate::domain::{FieldError, FieldErrors};
use crate::ports::table::{Condition, Index, Query, SortCondition, TableError, WriteOp};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MonthChange {
    pub month: u32,
    pub links_target: u32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageChange {
    /// A page the plan has anchors for.
    pub url: String,
    /// Its links in the plan: 0 drops it, otherwise within its tier's links-per-page span.
    pub links: u32,
}

/// A change to a plan. Page changes add or remove planned links (only links still
/// `planned` are removed); month changes move planned links between months, and the months
/// must add up to the plan's links. The anchor mix is checked afterwards: a change that takes
/// an anchor type out of a band it was in is refused (409) and names the band.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanPatch {
    #[schema(max_items = 500)]
    pub pages: Option<Vec<PageChange>>,
    #[schema(max_items = 60)]
    pub months: Option<Vec<MonthChange>>,
    /// A new price of a link in US dollars; the months' budgets and the estimate follow.
    pub cost_per_link_usd: Option<Span>,
}

pub async fn act(
    app: &App,
    tenant: &TenantId,
    id: &PlanId,
    action: PlanAction,
) -> Result<PlanView, AppError> {
    let now = app.clock.now();
    modify_versioned(
        app,
        &keys::plan(tenant, id),
        "plan",
        |h: &PlanHead| entity::item(h, tenant),
        |head| {
            head.apply(action, now)
                .map_err(|e| AppError::Conflict(e.to_string()))
        },
    )
    .await?;
    read::get(app, tenant, id).await
}

async fn write_head(
    app: &App,
    tenant: &TenantId,
    mut head: PlanHead,
    seen: u64,
) -> Result<(), AppError> {
    head.version = seen + 1;
    head.updated_at = app.clock.now();
    match app
        .table
        .put(
            entity::item(&head, tenant)?,
            Some(Condition::eq("version", seen)),
        )
        .await
    {
        Ok(()) => Ok(()),
        Err(TableError::ConditionFailed) => Err(AppError::Conflict(
            "the plan was changed by someone else meanwhile; read it and try again".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(app: &App, tenant: &TenantId, id: &PlanId) -> Result<(), AppError> {
    let key = keys::plan(tenant, id);
    match app.table.delete(&key, Some(Condition::Exists)).await {
        Ok(_) => {}
        Err(TableError::ConditionFailed) => return Err(AppError::NotFound("plan")),
        Err(e) => return Err(e.into()),
    }
    delete_partition(app, keys::plan_parts(tenant, id)).await
}

/// The anchor type the next added link takes: the one furthest under its share of the new
/// total (the safest first on a tie, as `allocate` orders them).
fn next_type(target: &[(AnchorType, u32)], counts: &BTreeMap<AnchorType, u32>) -> AnchorType {
    target
        .iter()
        .map(|&(t, want)| {
            (
                t,
                i64::from(want) - i64::from(counts.get(&t).copied().unwrap_or(0)),
            )
        })
        .max_by_key(|&(t, deficit)| (deficit, std::cmp::Reverse(risk(t))))
        .map_or(AnchorType::Branded, |(t, _)| t)
}

struct Change {
    added: Vec<PlannedLink>,
    removed: Vec<PlannedLinkId>,
    moved: Vec<PlannedLinkId>,
}

/// Applies page changes to the links: adds or removes the difference for each page.
fn change_pages(
    app: &App,
    head: &PlanHead,
    anchors: &[PageAnchorPlan],
    links: &mut Vec<PlannedLink>,
    pages: &[PageChange],
    change: &mut Change,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    let now = app.clock.now();
    let current = head.month_at(now);
    for (i, page) in pages.iter().enumerate() {
        let field = format!("pages.{i}");
        let Some(plan_page) = anchors.iter().find(|a| a.url == page.url) else {
            errors.push(
                &format!("{field}.url"),
                "is not a tiered page of the plan's site",
            );
            continue;
        };
        let span = plan_page.tier.links_per_page();
        if page.links != 0 && !(span.min..=span.max).contains(&page.links) {
            errors.push(
                &format!("{field}.links"),
                format!(
                    "must be 0 or {}-{} for a {:?} page",
                    span.min, span.max, plan_page.tier
                ),
            );
            continue;
        }
        let of_page = |l: &PlannedLink| l.target_url.as_str() == page.url && l.counts();
        let have = links.iter().filter(|l| of_page(l)).count() as u32;
        if page.links < have {
            // Remove still-planned links, the latest months and riskiest anchors first.
            let mut removable: Vec<usize> = (0..links.len())
                .filter(|&j| of_page(&links[j]) && links[j].status == PlannedLinkStatus::Planned)
                .collect();
            let need = (have - page.links) as usize;
            if removable.len() < need {
                return Err(AppError::Conflict(format!(
                    "{}: only {} of its {have} links are still planned; the others are ordered or won",
                    page.url,
                    removable.len()
                )));
            }
            removable
                .sort_by_key(|&j| std::cmp::Reverse((links[j].month, risk(links[j].anchor_type))));
            let mut gone: Vec<usize> = removable.into_iter().take(need).collect();
            gone.sort_unstable_by(|a, b| b.cmp(a));
            for j in gone {
                change.removed.push(links.remove(j).id);
            }
        }
        for _ in have..page.links {
            let total = links.iter().filter(|l| l.counts()).count() as u32 + 1;
            let target = allocate(total, &head.country_profile.anchor_mix);
            let anchor_type = next_type(&target, &anchor_counts(links));
            let used = links
                .iter()
                .filter(|l| l.target_url.as_str() == page.url && l.anchor_type == anchor_type)
                .count();
            let texts = plan_page
                .variants
                .iter()
                .find(|v| v.anchor_type == anchor_type)
                .map(|v| v.texts.as_slice())
                .unwrap_or_default();
            let Some(text) = texts.get(used % texts.len().max(1)) else {
                return Err(AppError::internal("a planned page without anchor variants"));
            };
            // The month from now on with the fewest links.
            let month = (current..=head.timeline_months)
                .min_by_key(|m| links.iter().filter(|l| l.month == *m && l.counts()).count())
                .unwrap_or(current);
            let to = LinkTarget {
                month,
                url: WebUrl::parse(&page.url)
                    .map_err(|e: FieldError| AppError::internal(e.to_string()))?,
                tier: plan_page.tier,
                anchor_text: text.clone(),
                anchor_type,
            };
            let id = PlannedLinkId::from_uuid(app.ids.next());
            let link = PlannedLink::planned(id, head.id.clone(), to, now);
            change.added.push(link.clone());
            links.push(link);
        }
    }
    errors.into_result().map_err(AppError::Invalid)
}

/// Moves still-planned links from months over their new target to months under it.
fn change_months(
    head: &mut PlanHead,
    links: &mut [PlannedLink],
    months: &[MonthChange],
    change: &mut Change,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    for (i, m) in months.iter().enumerate() {
        match head.monthly_plan.iter_mut().find(|p| p.month == m.month) {
            Some(p) => p.links_target = m.links_target,
            None => errors.push(
                &format!("months.{i}.month"),
                format!("must be 1 to {}", head.timeline_months),
            ),
        }
    }
    errors.into_result().map_err(AppError::Invalid)?;
    let total = links.iter().filter(|l| l.counts()).count() as u32;
    let sum: u32 = head.monthly_plan.iter().map(|m| m.links_target).sum();
    if sum != total {
        return Err(AppError::invalid(
            "months",
            format!("the months' targets add up to {sum}; the plan has {total} links"),
        ));
    }
    let count = |links: &[PlannedLink], month: u32| {
        links
            .iter()
            .filter(|l| l.month == month && l.counts())
            .count() as u32
    };
    for from in head.monthly_plan.clone() {
        while count(links, from.month) > from.links_target {
            let Some(to) = head
                .monthly_plan
                .iter()
                .find(|m| count(links, m.month) < m.links_target)
                .map(|m| m.month)
            else {
                break;
            };
            let Some(link) = links
                .iter_mut()
                .rev()
                .find(|l| l.month == from.month && l.status == PlannedLinkStatus::Planned)
            else {
                return Err(AppError::Conflict(format!(
                    "month {} has more ordered or won links than {} ",
                    from.month, from.links_target
                )));
            };
            link.month = to;
            change.moved.push(link.id.clone());
        }
    }
    Ok(())
}

pub async fn update(
    app: &App,
    tenant: &TenantId,
    id: &PlanId,
    patch: PlanPatch,
) -> Result<PlanView, AppError> {
    let mut head = read::head(app, tenant, id).await?;
    if head.status == PlanStatus::Completed {
        return Err(AppError::Conflict("the plan is completed".into()));
    }
    if let Some(cost) = patch.cost_per_link_usd
        && (cost.min > cost.max || cost.max > 100_000)
    {
        return Err(AppError::invalid(
            "costPerLinkUsd",
            "must have min at most max, and max at most 100000",
        ));
    }
    let seen = head.version;
    let mut links = read::links(app, tenant, id).await?;
    let query = Query::new(Index::Table, keys::plan_parts(tenant, id))
        .sort(SortCondition::BeginsWith(keys::ANCHORS_PREFIX.into()));
    let mut anchors: Vec<PageAnchorPlan> = Vec::new();
    let chunk_items = query_all(app, query).await?;
    let next_chunk = chunk_items.len() as u32;
    for item in chunk_items {
        anchors.extend(read_item::<AnchorChunk>(item)?.pages);
    }
    let funded_now = match &patch.pages {
        Some(pages) => fund_pages(app, tenant, &head, &anchors, pages).await?,
        None => Vec::new(),
    };
    anchors.extend(funded_now.iter().cloned());
    let before = anchor_counts(&links);
    let mut change = Change {
        added: Vec::new(),
        removed: Vec::new(),
        moved: Vec::new(),
    };
    if let Some(pages) = &patch.pages {
        change_pages(app, &head, &anchors, &mut links, pages, &mut change)?;
        // Page changes land in months: their targets follow unless the patch sets them.
        for month in &mut head.monthly_plan {
            month.links_target = links
                .iter()
                .filter(|l| l.month == month.month && l.counts())
                .count() as u32;
        }
    }
    if let Some(months) = &patch.months {
        change_months(&mut head, &mut links, months, &mut change)?;
    }
    let after = anchor_counts(&links);
    if let Some(breach) = band_breach(
        &before,
        &after,
        &head.country_profile.anchor_mix,
        head.country_code.as_str(),
    ) {
        return Err(AppError::Conflict(breach));
    }
    if let Some(cost) = patch.cost_per_link_usd {
        head.cost_per_link_usd = cost;
    }
    let cost = head.cost_per_link_usd;
    for month in &mut head.monthly_plan {
        month.replacement_reserve = (month.links_target + 4) / 8;
        let bought = month.links_target + month.replacement_reserve;
        month.budget = Span::new(bought * cost.min, bought * cost.max);
    }
    head.total_links_target = head.monthly_plan.iter().map(|m| m.links_target).sum();
    head.budget_estimate_min = head.monthly_plan.iter().map(|m| m.budget.min).sum();
    head.budget_estimate_max = head.monthly_plan.iter().map(|m| m.budget.max).sum();
    write_head(app, tenant, head, seen).await?;
    let mut writes: Vec<WriteOp> = change
        .removed
        .iter()
        .map(|l| WriteOp::Delete(keys::link(tenant, id, l)))
        .collect();
    let now = app.clock.now();
    let added: Vec<&PlannedLinkId> = change.added.iter().map(|l| &l.id).collect();
    for link in &mut links {
        if added.contains(&&link.id) {
            writes.push(WriteOp::Put(entity::item(&*link, tenant)?));
        } else if change.moved.contains(&link.id) {
            link.updated_at = now;
            link.version += 1;
            writes.push(WriteOp::Put(entity::item(&*link, tenant)?));
        }
    }
    if !funded_now.is_empty() {
        let chunk = AnchorChunk {
            plan_id: id.clone(),
            chunk: next_chunk,
            pages: funded_now,
        };
        writes.push(WriteOp::Put(entity::item(&chunk, tenant)?));
    }
    app.table.batch_write(writes).await?;
    read::get(app, tenant, id).await
}

/// Anchor variants for tiered pages the plan gave no links and a change now funds, from the
/// site's page as it is now.
async fn fund_pages(
    app: &App,
    tenant: &TenantId,
    head: &PlanHead,
    anchors: &[PageAnchorPlan],
    pages: &[PageChange],
) -> Result<Vec<PageAnchorPlan>, AppError> {
    let wanted: Vec<&PageChange> = pages
        .iter()
        .filter(|p| p.links > 0 && !anchors.iter().any(|a| a.url == p.url))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let query = Query::new(Index::Table, keys::plan_parts(tenant, &head.id))
        .sort(SortCondition::BeginsWith(keys::TIERS_PREFIX.into()));
    let mut tiers = Vec::new();
    for item in query_all(app, query).await? {
        tiers.extend(read_item::<TierChunk>(item)?.tiers);
    }
    let mut funded = Vec::new();
    for change in wanted {
        let Some(tier) = tiers
            .iter()
            .find(|t| t.url == change.url)
            .and_then(|t| t.tier)
        else {
            continue;
        };
        let Ok(url) = WebUrl::parse(&change.url) else {
            continue;
        };
        let Some(item) = app
            .table
            .get(&keys::page(tenant, &head.site_id, &url))
            .await?
        else {
            continue;
        };
        let page: StoredPage = read_item(item)?;
        let host = url.as_url().host_str().unwrap_or_default().to_string();
        let mix = &head.country_profile.anchor_mix;
        let variants = anchor_variants(&head.brand, &host, &page.page.plan_page(), mix)
            .map_err(|e| AppError::internal(format!("anchor variants: {e}")))?;
        funded.push(PageAnchorPlan {
            url: change.url.clone(),
            tier,
            links: 0,
            allocation: variants
                .iter()
                .map(|v| AnchorCount {
                    anchor_type: v.anchor_type,
                    links: 0,
                })
                .collect(),
            variants,
        });
    }
    Ok(funded)
}
