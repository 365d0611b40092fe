//! Plan generation (seed 002 §2.4): from a site's pages and a market's profile to the tiers,
//! the links each page takes, the budget, the monthly plan, every link's anchor, and an
//! account of how each headline figure came about. Pure and deterministic: the same pages,
//! brand and profile always give the same plan.

use super::anchor_plan::{AnchorVariants, allocate, anchor_variants};
use super::anchors::AnchorType;
use super::country::{CountryProfile, Span, VelocityPhase};
use super::schedule::{anchor_sequence, priority_order, spread};
use super::sizing::{cost_per_link_usd, links_per_page, magnet_links};
use super::tiers::{PlanPage, Tier, assign_tiers};
use super::velocity::monthly_curve;
use crate::domain::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A page's tier in a plan, and the links the plan gives it (none for untiered pages and
/// for magnets the plan had no room for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TierAssignment {
    pub url: String,
    pub tier: Option<Tier>,
    pub links: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonthPage {
    pub url: String,
    pub tier: Tier,
    pub links: u32,
}

/// One month of a plan (§3.1 `monthly_plan`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanMonth {
    pub month: u32,
    pub phase: VelocityPhase,
    pub links_target: u32,
    /// Replacements for lost links the month holds room for, on top of its target.
    pub replacement_reserve: u32,
    /// The pages the month's links point at, in the order they go out first.
    pub pages: Vec<MonthPage>,
    /// US dollars for the month's links and reserve, at the plan's cost per link.
    pub budget: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnchorCount {
    pub anchor_type: AnchorType,
    pub links: u32,
}

/// A page's anchors (§3.1 `anchor_text_plan`): three texts per type the market uses, and
/// how many of the page's links take each type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageAnchorPlan {
    pub url: String,
    pub tier: Tier,
    pub links: u32,
    pub variants: Vec<AnchorVariants>,
    pub allocation: Vec<AnchorCount>,
}

/// One link the plan expects: it becomes a planned link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSlot {
    pub month: u32,
    pub url: String,
    pub tier: Tier,
    pub anchor_type: AnchorType,
    pub anchor_text: String,
}

/// How one headline figure came about, in words a client can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// The field explained: `tierAssignments`, `totalLinksTarget`, `budgetEstimate`,
    /// `timelineMonths`, `monthlyPlan` or `anchorPlan`.
    pub figure: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub brand: String,
    /// The site's host, for naked-URL anchors.
    pub domain: String,
    pub long_form_words: u32,
    /// The tenant's own price of a link, instead of the market's.
    pub cost_per_link_usd: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedPlan {
    pub tier_assignments: Vec<TierAssignment>,
    pub total_links_target: u32,
    pub budget_estimate: Span,
    pub cost_per_link_usd: Span,
    pub timeline_months: u32,
    pub monthly_plan: Vec<PlanMonth>,
    pub anchor_plan: Vec<PageAnchorPlan>,
    pub anchor_totals: Vec<AnchorCount>,
    pub links: Vec<LinkSlot>,
    pub explain: Vec<Explanation>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Invalid(FieldError),
    /// The site has no page backlinks go to (§2.1: homepage, hubs, products, services).
    #[error("{0}")]
    NothingToLinkTo(String),
}

/// Gives pages of one magnet tier (in priority order) their links, `per_page` each, until
/// `links` run out; a remainder under the tier's least is added to the pages already served
/// up to the tier's most. Returns the links each page gets and how many found no page.
fn fill_magnets(pages: usize, tier: Tier, per_page: u32, links: u32) -> (Vec<u32>, u32) {
    let span = tier.links_per_page();
    let mut given = vec![0u32; pages];
    let mut left = links;
    for g in given.iter_mut() {
        if left < span.min.min(per_page) {
            break;
        }
        *g = per_page.min(left);
        left -= *g;
    }
    for g in given.iter_mut().filter(|g| **g > 0) {
        let add = left.min(span.max - *g);
        *g += add;
        left -= add;
    }
    (given, left)
}

pub fn generate(
    pages: &[PlanPage],
    profile: &CountryProfile,
    options: &PlanOptions,
) -> Result<GeneratedPlan, PlanError> {
    let tiers = assign_tiers(pages, options.long_form_words);
    let mut by_tier: BTreeMap<Tier, Vec<&PlanPage>> = BTreeMap::new();
    for (page, (_, tier)) in pages.iter().zip(&tiers) {
        if let Some(tier) = tier {
            by_tier.entry(*tier).or_default().push(page);
        }
    }
    let mut links_of: BTreeMap<&str, u32> = BTreeMap::new();
    let mut ordered: BTreeMap<Tier, Vec<&PlanPage>> = BTreeMap::new();
    for (&tier, tier_pages) in &by_tier {
        let order = priority_order(tier_pages);
        ordered.insert(tier, order.into_iter().map(|i| tier_pages[i]).collect());
    }
    let hub_links: u32 = [Tier::T1, Tier::T2, Tier::T3]
        .into_iter()
        .map(|t| ordered.get(&t).map_or(0, Vec::len) as u32 * links_per_page(t, profile))
        .sum();
    if hub_links == 0 {
        return Err(PlanError::NothingToLinkTo(
            "the site has no homepage, hub, product or service page: backlinks go to those \
             (seed 002 §2.1); add them or correct the page types"
                .into(),
        ));
    }
    for tier in [Tier::T1, Tier::T2, Tier::T3] {
        for page in ordered.get(&tier).into_iter().flatten() {
            links_of.insert(&page.url, links_per_page(tier, profile));
        }
    }
    let (offer_t4, offer_t5) = magnet_links(hub_links, profile);
    let magnets = |tier: Tier| ordered.get(&tier).map_or(0, Vec::len);
    let (t4, left4) = fill_magnets(
        magnets(Tier::T4),
        Tier::T4,
        links_per_page(Tier::T4, profile),
        offer_t4,
    );
    let (t5, left5) = fill_magnets(
        magnets(Tier::T5),
        Tier::T5,
        links_per_page(Tier::T5, profile),
        offer_t5 + left4,
    );
    // What T5 could not hold goes back to T4 pages not yet served.
    let (t4, dropped) = if left5 > 0 {
        let served = t4.iter().filter(|&&g| g > 0).count();
        let (more, dropped) = fill_magnets(
            magnets(Tier::T4) - served,
            Tier::T4,
            links_per_page(Tier::T4, profile),
            left5,
        );
        let mut all = t4;
        for (g, m) in all.iter_mut().skip(served).zip(more) {
            *g += m;
        }
        (all, dropped)
    } else {
        (t4, 0)
    };
    for (tier, given) in [(Tier::T4, &t4), (Tier::T5, &t5)] {
        for (page, &n) in ordered.get(&tier).into_iter().flatten().zip(given) {
            links_of.insert(&page.url, n);
        }
    }

    // Funded pages in priority order across tiers: the tier first (T1 leads), then the
    // page's place within its tier.
    let funded: Vec<(&PlanPage, Tier, u32)> = ordered
        .iter()
        .flat_map(|(&tier, pages)| pages.iter().map(move |p| (*p, tier)))
        .filter_map(|(p, tier)| {
            let n = links_of.get(p.url.as_str()).copied().unwrap_or(0);
            (n > 0).then_some((p, tier, n))
        })
        .collect();
    let total: u32 = funded.iter().map(|f| f.2).sum();
    let sequence = spread(&funded.iter().map(|f| f.2).collect::<Vec<_>>());
    let anchor_totals = allocate(total, &profile.anchor_mix);
    let anchors = anchor_sequence(&anchor_totals);

    let mut variants: Vec<Vec<AnchorVariants>> = Vec::with_capacity(funded.len());
    for (page, _, _) in &funded {
        variants.push(
            anchor_variants(&options.brand, &options.domain, page, &profile.anchor_mix)
                .map_err(PlanError::Invalid)?,
        );
    }
    let curve = monthly_curve(total, profile.timeline_months);
    let cost = options
        .cost_per_link_usd
        .unwrap_or_else(|| cost_per_link_usd(profile));
    let mut links = Vec::with_capacity(total as usize);
    let mut used: Vec<BTreeMap<AnchorType, u32>> = vec![BTreeMap::new(); funded.len()];
    let mut months = Vec::with_capacity(curve.len());
    let mut next = 0usize;
    for target in &curve {
        let mut month_pages: Vec<MonthPage> = Vec::new();
        for _ in 0..target.links_target {
            let (page_index, anchor_type) = (sequence[next], anchors[next]);
            next += 1;
            let (page, tier, _) = funded[page_index];
            let n = used[page_index].entry(anchor_type).or_default();
            let texts = variants[page_index]
                .iter()
                .find(|v| v.anchor_type == anchor_type)
                .map(|v| v.texts.as_slice())
                .unwrap_or_default();
            let anchor_text = texts
                .get(*n as usize % texts.len().max(1))
                .cloned()
                .unwrap_or_default();
            *n += 1;
            links.push(LinkSlot {
                month: target.month,
                url: page.url.clone(),
                tier,
                anchor_type,
                anchor_text,
            });
            match month_pages.iter_mut().find(|m| m.url == page.url) {
                Some(m) => m.links += 1,
                None => month_pages.push(MonthPage {
                    url: page.url.clone(),
                    tier,
                    links: 1,
                }),
            }
        }
        let bought = target.links_target + target.replacement_reserve;
        months.push(PlanMonth {
            month: target.month,
            phase: target.phase,
            links_target: target.links_target,
            replacement_reserve: target.replacement_reserve,
            pages: month_pages,
            budget: Span::new(bought * cost.min, bought * cost.max),
        });
    }
    let anchor_plan = funded
        .iter()
        .zip(variants)
        .zip(&used)
        .map(|(((page, tier, n), variants), used)| PageAnchorPlan {
            url: page.url.clone(),
            tier: *tier,
            links: *n,
            variants,
            allocation: anchor_totals
                .iter()
                .map(|&(anchor_type, _)| AnchorCount {
                    anchor_type,
                    links: used.get(&anchor_type).copied().unwrap_or(0),
                })
                .collect(),
        })
        .collect();
    let budget = months.iter().fold(Span::new(0, 0), |acc, m| {
        Span::new(acc.min + m.budget.min, acc.max + m.budget.max)
    });
    let tier_assignments: Vec<TierAssignment> = tiers
        .into_iter()
        .map(|(url, tier)| {
            let links = links_of.get(url.as_str()).copied().unwrap_or(0);
            TierAssignment { url, tier, links }
        })
        .collect();
    let anchor_totals: Vec<AnchorCount> = anchor_totals
        .into_iter()
        .map(|(anchor_type, links)| AnchorCount { anchor_type, links })
        .collect();
    let facts = Facts {
        profile,
        tiers: &tier_assignments,
        hub_links,
        magnet_offer: offer_t4 + offer_t5,
        dropped,
        total,
        cost,
        custom_cost: options.cost_per_link_usd.is_some(),
        budget,
        months: &months,
        anchor_totals: &anchor_totals,
        long_form_words: options.long_form_words,
    };
    Ok(GeneratedPlan {
        explain: super::explain::explain(&facts),
        tier_assignments,
        total_links_target: total,
        budget_estimate: budget,
        cost_per_link_usd: cost,
        timeline_months: profile.timeline_months,
        monthly_plan: months,
        anchor_plan,
        anchor_totals,
        links,
    })
}

/// What the explanations are written from.
pub struct Facts<'a> {
    pub profile: &'a CountryProfile,
    pub tiers: &'a [TierAssignment],
    pub hub_links: u32,
    pub magnet_offer: u32,
    pub dropped: u32,
    pub total: u32,
    pub cost: Span,
    pub custom_cost: bool,
    pub budget: Span,
    pub months: &'a [PlanMonth],
    pub anchor_totals: &'a [AnchorCount],
    pub long_form_words: u32,
}
