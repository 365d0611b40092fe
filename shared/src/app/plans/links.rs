//! A plan's planned links: list with filters, add one by hand, read, edit (including its
//! status, under the lifecycle and the quality threshold), delete.

use super::keys::{self, TierChunk};
use super::read;
use crate::app::entity::{self, read as read_item};
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::{modify_versioned, query_all};
use crate::app::{App, AppError};
use crate::domain::ids::{PlanId, PlannedLinkId, TenantId, UserId};
use crate::domain::plans::{
    AnchorType, LinkTarget, LinkType, PlanStatus, PlannedLink, PlannedLinkStatus, QualityScore,
    ThresholdOverride, Tier, anchor_counts, band_breach,
};
use crate::domain::text::{multi_line, single_line};
use crate::domain::web::{DomainName, WebUrl};
use crate::domain::{FieldErrors, nullable};
use crate::ports::table::{Condition, Index, Query, SortCondition, TableError};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlannedLinkFilter {
    pub status: Option<PlannedLinkStatus>,
    pub tier: Option<Tier>,
    pub anchor_type: Option<AnchorType>,
    pub month: Option<u32>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// A link added to a plan by hand.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPlannedLink {
    /// A tiered page of the plan.
    pub target_url: String,
    #[schema(min_length = 1, max_length = 200)]
    pub anchor_text: String,
    pub anchor_type: AnchorType,
    /// The plan month, 1 to its timeline; the plan's current month when absent.
    #[serde(default)]
    pub month: Option<u32>,
    #[serde(default)]
    pub link_type: Option<LinkType>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// A partial edit: absent fields stay; `null` clears a nullable one. A new `status` must be
/// a legal move; `ordered` needs a source that meets the market's threshold, or
/// `overrideThreshold` with the reason, which is recorded with who and when.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlannedLinkPatch {
    pub status: Option<PlannedLinkStatus>,
    #[schema(min_length = 1, max_length = 500)]
    pub override_threshold: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<LinkType>)]
    pub link_type: Option<Option<LinkType>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub source_domain: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub source_url: Option<Option<String>>,
    /// The page that carries the link, once it is placed: what link checks fetch.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub placement_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u8>, maximum = 100)]
    pub source_dr: Option<Option<u8>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u64>)]
    pub source_traffic: Option<Option<u64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub marketplace: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000)]
    pub cost_usd: Option<Option<f64>>,
    pub country_relevant: Option<bool>,
    #[schema(min_length = 1, max_length = 200)]
    pub anchor_text: Option<String>,
    pub anchor_type: Option<AnchorType>,
    pub month: Option<u32>,
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

fn month_in(month: u32, timeline: u32) -> Result<u32, crate::domain::FieldError> {
    crate::domain::in_range(month, 1..=timeline)
}

impl PlannedLinkPatch {
    fn apply_to(&self, link: &mut PlannedLink, timeline: u32) -> Result<(), AppError> {
        let mut e = FieldErrors::default();
        if let Some(v) = self.link_type {
            link.link_type = v;
        }
        if let Some(v) = &self.source_domain {
            link.source_domain = v
                .as_deref()
                .and_then(|d| e.check("sourceDomain", DomainName::parse(d)));
        }
        if let Some(v) = &self.placement_url {
            link.placement_url = v
                .as_deref()
                .and_then(|u| e.check("placementUrl", WebUrl::parse(u)));
        }
        if let Some(v) = &self.source_url {
            link.source_url = v
                .as_deref()
                .and_then(|u| e.check("sourceUrl", WebUrl::parse(u)));
            if link.source_domain.is_none() {
                link.source_domain = link.source_url.as_ref().and_then(WebUrl::domain);
            }
        }
        if let Some(v) = self.source_dr {
            if v.is_some_and(|dr| dr > 100) {
                e.push("sourceDr", "must be 0 to 100");
            } else {
                link.source_dr = v;
            }
        }
        if let Some(v) = self.source_traffic {
            link.source_traffic = v;
        }
        if let Some(v) = &self.marketplace {
            link.marketplace = v
                .as_deref()
                .and_then(|m| e.check("marketplace", single_line(m, 50)));
        }
        if let Some(v) = self.cost_usd {
            match v {
                Some(c) if !c.is_finite() || !(0.0..=1_000_000.0).contains(&c) => {
                    e.push("costUsd", "must be 0 to 1000000")
                }
                _ => link.cost_usd = v.map(|c| (c * 100.0).round() / 100.0),
            }
        }
        if let Some(v) = self.country_relevant {
            link.country_relevant = v;
        }
        if let Some(v) = &self.anchor_text
            && let Some(v) = e.check("anchorText", single_line(v, 200))
        {
            link.anchor_text = v;
        }
        if let Some(v) = self.anchor_type {
            link.anchor_type = v;
        }
        if let Some(v) = self.month
            && let Some(v) = e.check("month", month_in(v, timeline))
        {
            link.month = v;
        }
        if let Some(v) = &self.notes
            && let Some(v) = e.check("notes", multi_line(v, 5000))
        {
            link.notes = v;
        }
        if let Some(reason) = &self.override_threshold {
            e.check("overrideThreshold", single_line(reason, 500));
        }
        e.into_result().map_err(AppError::Invalid)
    }
}

pub async fn get(
    app: &App,
    tenant: &TenantId,
    plan: &PlanId,
    id: &PlannedLinkId,
) -> Result<PlannedLink, AppError> {
    read::head(app, tenant, plan).await?;
    let item = app.table.get(&keys::link(tenant, plan, id)).await?;
    item.map(read_item)
        .transpose()?
        .ok_or(AppError::NotFound("planned link"))
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    plan: &PlanId,
    filter: &PlannedLinkFilter,
    page: PageRequest,
) -> Result<ListPage<PlannedLink>, AppError> {
    read::head(app, tenant, plan).await?;
    let query = Query::new(Index::Table, keys::plan_parts(tenant, plan))
        .sort(SortCondition::BeginsWith(keys::LINK_PREFIX.into()));
    paging::list(app.table.as_ref(), query, page, |item| {
        let link: PlannedLink = read_item(item)?;
        let keep = filter.status.is_none_or(|s| s == link.status)
            && filter.tier.is_none_or(|t| t == link.target_tier)
            && filter.anchor_type.is_none_or(|a| a == link.anchor_type)
            && filter.month.is_none_or(|m| m == link.month);
        Ok(keep.then_some(link))
    })
    .await
}

pub async fn create(
    app: &App,
    tenant: &TenantId,
    plan_id: &PlanId,
    input: NewPlannedLink,
) -> Result<PlannedLink, AppError> {
    let plan = read::head(app, tenant, plan_id).await?;
    if plan.status == PlanStatus::Completed {
        return Err(AppError::Conflict("the plan is completed".into()));
    }
    let mut e = FieldErrors::default();
    let target = e.check("targetUrl", WebUrl::parse(&input.target_url));
    let text = e.check("anchorText", single_line(&input.anchor_text, 200));
    let month = input
        .month
        .unwrap_or_else(|| plan.month_at(app.clock.now()));
    e.check("month", month_in(month, plan.timeline_months));
    let notes = input
        .notes
        .as_deref()
        .and_then(|n| e.check("notes", multi_line(n, 5000)));
    e.into_result().map_err(AppError::Invalid)?;
    let (Some(target), Some(text)) = (target, text) else {
        return Err(AppError::internal("link fields checked but missing"));
    };
    let query = Query::new(Index::Table, keys::plan_parts(tenant, plan_id))
        .sort(SortCondition::BeginsWith(keys::TIERS_PREFIX.into()));
    let mut tier = None;
    for item in query_all(app, query).await? {
        let chunk: TierChunk = read_item(item)?;
        if let Some(t) = chunk.tiers.iter().find(|t| t.url == target.as_str()) {
            tier = t.tier;
        }
    }
    let Some(tier) = tier else {
        return Err(AppError::invalid(
            "targetUrl",
            "is not a tiered page of the plan's site",
        ));
    };
    let links = read::links(app, tenant, plan_id).await?;
    let before = anchor_counts(&links);
    let mut after = before.clone();
    *after.entry(input.anchor_type).or_default() += 1;
    check_bands(&plan, &before, &after)?;
    let now = app.clock.now();
    let to = LinkTarget {
        month,
        url: target,
        tier,
        anchor_text: text,
        anchor_type: input.anchor_type,
    };
    let mut link = PlannedLink::planned(
        PlannedLinkId::from_uuid(app.ids.next()),
        plan_id.clone(),
        to,
        now,
    );
    link.link_type = input.link_type;
    link.notes = notes.unwrap_or_default();
    app.table
        .put(entity::item(&link, tenant)?, Some(Condition::NotExists))
        .await?;
    Ok(link)
}

fn check_bands(
    plan: &crate::domain::plans::PlanHead,
    before: &BTreeMap<AnchorType, u32>,
    after: &BTreeMap<AnchorType, u32>,
) -> Result<(), AppError> {
    match band_breach(
        before,
        after,
        &plan.country_profile.anchor_mix,
        plan.country_code.as_str(),
    ) {
        Some(breach) => Err(AppError::Conflict(breach)),
        None => Ok(()),
    }
}

pub async fn update(
    app: &App,
    tenant: &TenantId,
    plan_id: &PlanId,
    id: &PlannedLinkId,
    user: &UserId,
    patch: PlannedLinkPatch,
) -> Result<PlannedLink, AppError> {
    let plan = read::head(app, tenant, plan_id).await?;
    let mut link = get(app, tenant, plan_id, id).await?;
    let seen = link.version;
    let was = (link.anchor_type, link.counts());
    patch.apply_to(&mut link, plan.timeline_months)?;
    let now = app.clock.now();
    if let Some(to) = patch.status
        && to != link.status
    {
        let allow = patch
            .override_threshold
            .as_ref()
            .map(|reason| ThresholdOverride {
                by: user.to_string(),
                at: now,
                reason: reason.trim().to_string(),
            });
        link.move_to(to, now, allow)
            .map_err(|e| AppError::Conflict(e.to_string()))?;
    }
    if was != (link.anchor_type, link.counts()) {
        let links = read::links(app, tenant, plan_id).await?;
        let before = anchor_counts(&links);
        // A replacement going live takes its lost link's place in the counts.
        let stood_in = (link.status == PlannedLinkStatus::Live)
            .then_some(link.replaces.as_ref())
            .flatten();
        let others: Vec<PlannedLink> = links
            .into_iter()
            .filter(|l| l.id != link.id && Some(&l.id) != stood_in)
            .chain([link.clone()])
            .collect();
        check_bands(&plan, &before, &anchor_counts(&others))?;
    }
    link.version = seen + 1;
    link.updated_at = now;
    save(app, tenant, &link, seen).await?;
    if link.status == PlannedLinkStatus::Live && link.date_live == Some(now) {
        super::replacement::went_live(app, tenant, &link, now).await?;
    }
    Ok(link)
}

pub async fn delete(
    app: &App,
    tenant: &TenantId,
    plan_id: &PlanId,
    id: &PlannedLinkId,
) -> Result<(), AppError> {
    read::head(app, tenant, plan_id).await?;
    match app
        .table
        .delete(&keys::link(tenant, plan_id, id), Some(Condition::Exists))
        .await
    {
        Ok(_) => Ok(()),
        Err(TableError::ConditionFailed) => Err(AppError::NotFound("planned link")),
        Err(e) => Err(e.into()),
    }
}

/// Stores a source's quality score on a planned link, with the source domain, DR and
/// traffic it was scored from.
#[allow(clippy::too_many_arguments)]
pub async fn record_score(
    app: &App,
    tenant: &TenantId,
    plan: &PlanId,
    id: &PlannedLinkId,
    domain: &DomainName,
    quality: &QualityScore,
    dr: Option<u8>,
    traffic: Option<u32>,
) -> Result<(), AppError> {
    read::head(app, tenant, plan).await?;
    modify_versioned(
        app,
        &keys::link(tenant, plan, id),
        "planned link",
        |l: &PlannedLink| entity::item(l, tenant),
        |link| {
            link.quality = Some(quality.clone());
            link.source_domain = Some(domain.clone());
            link.source_dr = dr.or(link.source_dr);
            link.source_traffic = traffic.map(u64::from).or(link.source_traffic);
            Ok(())
        },
    )
    .await
    .map(|_| ())
}

/// Writes the planned link if nobody changed it since `seen` (409 otherwise).
pub async fn save(
    app: &App,
    tenant: &TenantId,
    link: &PlannedLink,
    seen: u64,
) -> Result<(), AppError> {
    match app
        .table
        .put(
            entity::item(link, tenant)?,
            Some(Condition::eq("version", seen)),
        )
        .await
    {
        Ok(()) => Ok(()),
        Err(TableError::ConditionFailed) => Err(AppError::Conflict(
            "the planned link was changed by someone else meanwhile; read it and try again".into(),
        )),
        Err(e) => Err(e.into()),
    }
}
