//! `generatePlan`: a plan for one of the tenant's sites in one market, stored with its
//! tiers, anchors and planned links.

use super::keys::{AnchorChunk, TierChunk};
use super::read::PlanView;
use super::{refine, sites};
use crate::app::entity;
use crate::app::usage;
use crate::app::{App, AppError};
use crate::domain::ids::{PlanId, PlannedLinkId, SiteId, TenantId};
use crate::domain::plans::{
    CountryCode, DEFAULT_LONG_FORM_WORDS, GeneratedPlan, LinkTarget, PlanError, PlanHead,
    PlanOptions, PlanStatus, PlannedLink, Span, generate,
};
use crate::domain::text::single_line;
use crate::domain::usage::MeteredOperation;
use crate::domain::web::WebUrl;
use crate::domain::{FieldError, FieldErrors};
use crate::ports::table::{Condition, WriteOp};
use serde::Deserialize;
use utoipa::ToSchema;

/// Tier assignments per stored chunk, and anchor pages per chunk: each well under an item's
/// 400 KB.
const TIERS_PER_CHUNK: usize = 1_000;
const ANCHOR_PAGES_PER_CHUNK: usize = 100;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanOverrides {
    /// Words from which a guide, tool, comparison or listicle is an authority magnet (T5);
    /// default 3,000.
    #[schema(minimum = 100, maximum = 100000)]
    pub long_form_words: Option<u32>,
    /// Your own price of a link in US dollars, instead of the market's blended rate.
    pub cost_per_link_usd: Option<Span>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPlan {
    pub site_id: String,
    /// PK, CA, UK or USA.
    #[schema(value_type = CountryCode)]
    pub country_code: String,
    /// The brand for branded anchors; the site's brand name when absent.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub brand_name: Option<String>,
    #[serde(default)]
    pub overrides: Option<PlanOverrides>,
    /// Let the LLM phrase the funded pages' anchor variants (each checked before use); needs
    /// an LLM configured.
    #[serde(default)]
    pub refine_anchors: bool,
}

fn check_overrides(errors: &mut FieldErrors, o: &PlanOverrides) {
    if let Some(words) = o.long_form_words
        && !(100..=100_000).contains(&words)
    {
        errors.push("overrides.longFormWords", "must be 100 to 100000");
    }
    if let Some(cost) = o.cost_per_link_usd
        && (cost.min > cost.max || cost.max > 100_000)
    {
        errors.push(
            "overrides.costPerLinkUsd",
            "must have min at most max, and max at most 100000",
        );
    }
}

pub async fn create(app: &App, tenant: &TenantId, input: NewPlan) -> Result<PlanView, AppError> {
    let mut errors = FieldErrors::default();
    let site_id = SiteId::parse(&input.site_id);
    let country = errors.check("countryCode", CountryCode::parse(&input.country_code));
    let brand = input
        .brand_name
        .as_deref()
        .and_then(|b| errors.check("brandName", single_line(b, 100)));
    let overrides = input.overrides.unwrap_or_default();
    check_overrides(&mut errors, &overrides);
    errors.into_result().map_err(AppError::Invalid)?;
    let no_site = || AppError::invalid("siteId", "no site of this tenant");
    let site_id = site_id.map_err(|_| no_site())?;
    let Some(country) = country else {
        return Err(AppError::internal("country checked but missing"));
    };
    // A body's id names the tenant's own thing or nothing: a 400, as for campaignId.
    let site = match sites::get(app, tenant, &site_id).await {
        Err(AppError::NotFound(_)) => return Err(no_site()),
        other => other?,
    };
    let pages = sites::all_pages(app, tenant, &site_id).await?;
    if pages.is_empty() {
        return Err(AppError::Conflict(
            "the site has no pages yet: add them with upsertPages or importPages".into(),
        ));
    }
    let plan_pages: Vec<_> = pages.iter().map(|p| p.page.plan_page()).collect();
    let options = PlanOptions {
        brand: brand.unwrap_or_else(|| site.brand_name.clone()),
        domain: pages
            .iter()
            .find(|p| p.page.url.as_url().path() == "/")
            .and_then(|p| p.page.url.as_url().host_str().map(str::to_string))
            .unwrap_or_else(|| site.domain.clone()),
        long_form_words: overrides.long_form_words.unwrap_or(DEFAULT_LONG_FORM_WORDS),
        cost_per_link_usd: overrides.cost_per_link_usd,
    };
    let profile = country.profile();
    let mut plan = generate(&plan_pages, profile, &options).map_err(|e| match e {
        PlanError::Invalid(e) => AppError::Invalid(vec![e]),
        PlanError::NothingToLinkTo(why) => AppError::Conflict(why),
    })?;
    let anchor_refinement = match input.refine_anchors {
        true => Some(refine::refine(app, &mut plan, &options.brand, &options.domain).await?),
        false => None,
    };
    let now = app.clock.now();
    let head = PlanHead {
        id: PlanId::from_uuid(app.ids.next()),
        site_id,
        country_code: country,
        status: PlanStatus::Draft,
        brand: options.brand,
        total_links_target: plan.total_links_target,
        budget_estimate_min: plan.budget_estimate.min,
        budget_estimate_max: plan.budget_estimate.max,
        cost_per_link_usd: plan.cost_per_link_usd,
        timeline_months: plan.timeline_months,
        long_form_words: options.long_form_words,
        country_profile: *profile,
        monthly_plan: plan
            .monthly_plan
            .iter()
            .cloned()
            .map(|mut m| {
                m.pages.clear();
                m
            })
            .collect(),
        explain: plan.explain.clone(),
        anchor_refinement,
        created_at: now,
        updated_at: now,
        started_at: None,
        completed_at: None,
        version: 1,
    };
    // Charged once per plan, after the plan is known to be possible and before it is kept.
    let subject = format!(
        "plan {} for site {} ({})",
        head.id,
        head.site_id,
        country.as_str()
    );
    usage::meter(
        app,
        tenant,
        MeteredOperation::PlanGeneration,
        head.id.as_str(),
        &subject,
    )
    .await?;
    store(app, tenant, &head, &plan).await?;
    super::read::get(app, tenant, &head.id).await
}

fn planned_links(
    app: &App,
    head: &PlanHead,
    plan: &GeneratedPlan,
) -> Result<Vec<PlannedLink>, AppError> {
    let now = head.created_at;
    plan.links
        .iter()
        .map(|slot| {
            let target_url = WebUrl::parse(&slot.url)
                .map_err(|e: FieldError| AppError::internal(format!("planned page URL: {e}")))?;
            let to = LinkTarget {
                month: slot.month,
                url: target_url,
                tier: slot.tier,
                anchor_text: slot.anchor_text.clone(),
                anchor_type: slot.anchor_type,
            };
            let id = PlannedLinkId::from_uuid(app.ids.next());
            Ok(PlannedLink::planned(id, head.id.clone(), to, now))
        })
        .collect()
}

/// Writes the plan's parts and links, then its head: until the head is written the plan
/// does not exist, so a generation cut short leaves nothing a reader can see.
async fn store(
    app: &App,
    tenant: &TenantId,
    head: &PlanHead,
    plan: &GeneratedPlan,
) -> Result<(), AppError> {
    let mut writes = Vec::new();
    for (chunk, tiers) in plan.tier_assignments.chunks(TIERS_PER_CHUNK).enumerate() {
        let part = TierChunk {
            plan_id: head.id.clone(),
            chunk: chunk as u32,
            tiers: tiers.to_vec(),
        };
        writes.push(WriteOp::Put(entity::item(&part, tenant)?));
    }
    for (chunk, pages) in plan.anchor_plan.chunks(ANCHOR_PAGES_PER_CHUNK).enumerate() {
        let part = AnchorChunk {
            plan_id: head.id.clone(),
            chunk: chunk as u32,
            pages: pages.to_vec(),
        };
        writes.push(WriteOp::Put(entity::item(&part, tenant)?));
    }
    for link in planned_links(app, head, plan)? {
        writes.push(WriteOp::Put(entity::item(&link, tenant)?));
    }
    app.table.batch_write(writes).await?;
    app.table
        .put(entity::item(head, tenant)?, Some(Condition::NotExists))
        .await?;
    Ok(())
}
