//! A plan's planned figures against what its links have achieved: per month, per tier, per
//! anchor type (the live mix against the market's bands) and budget spent.

use super::anchors::{AnchorMix, AnchorType, Band};
use super::generate::PlanMonth;
use super::links::{PlannedLink, PlannedLinkStatus};
use super::tiers::Tier;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonthProgress {
    pub month: u32,
    pub links_target: u32,
    /// Links of the month that are live now.
    pub live: u32,
    /// Ordered and waiting to go live.
    pub ordered: u32,
    /// Links the month holds back to replace lost ones (§2.8: 10-15% of its budget).
    pub replacement_reserve: u32,
    /// Replacements drawn from it (any not rejected), and what is left.
    pub reserve_used: u32,
    pub reserve_left: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TierProgress {
    pub tier: Tier,
    /// Links the plan counts on for the tier (rejected and replaced ones left out).
    pub planned: u32,
    pub live: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnchorProgress {
    pub anchor_type: AnchorType,
    pub planned: u32,
    pub live: u32,
    /// The type's share of the live links, in percent (none before any link is live).
    pub live_pct: Option<f64>,
    pub band: Band,
    /// Whether the live share lies in the band; unknown before any link is live.
    pub within_band: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BudgetProgress {
    pub estimate_min: u32,
    pub estimate_max: u32,
    /// US dollars recorded on links ordered, live, dead or replaced.
    pub spent_usd: f64,
    /// Links that count as bought but have no cost recorded.
    pub links_without_cost: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub live: u32,
    pub months: Vec<MonthProgress>,
    pub tiers: Vec<TierProgress>,
    pub anchors: Vec<AnchorProgress>,
    pub budget: BudgetProgress,
}

/// Replacements scheduled in `month`, rejected ones given back.
pub fn reserve_used(links: &[PlannedLink], month: u32) -> u32 {
    links
        .iter()
        .filter(|l| {
            l.month == month && l.replaces.is_some() && l.status != PlannedLinkStatus::Rejected
        })
        .count() as u32
}

fn bought(status: PlannedLinkStatus) -> bool {
    use PlannedLinkStatus::*;
    matches!(status, Ordered | Live | Dead | Replaced)
}

pub fn progress(
    months: &[PlanMonth],
    links: &[PlannedLink],
    mix: &AnchorMix,
    estimate: (u32, u32),
) -> Progress {
    let live = |l: &&PlannedLink| l.status == PlannedLinkStatus::Live;
    let live_total = links.iter().filter(live).count() as u32;
    let months = months
        .iter()
        .map(|m| {
            let of_month = || links.iter().filter(move |l| l.month == m.month);
            MonthProgress {
                month: m.month,
                links_target: m.links_target,
                live: of_month().filter(live).count() as u32,
                ordered: of_month()
                    .filter(|l| l.status == PlannedLinkStatus::Ordered)
                    .count() as u32,
                replacement_reserve: m.replacement_reserve,
                reserve_used: reserve_used(links, m.month),
                reserve_left: m
                    .replacement_reserve
                    .saturating_sub(reserve_used(links, m.month)),
            }
        })
        .collect();
    let mut tiers: BTreeMap<Tier, TierProgress> = BTreeMap::new();
    for link in links.iter().filter(|l| l.counts()) {
        let t = tiers.entry(link.target_tier).or_insert(TierProgress {
            tier: link.target_tier,
            planned: 0,
            live: 0,
        });
        t.planned += 1;
        t.live += u32::from(link.status == PlannedLinkStatus::Live);
    }
    let anchors = AnchorType::ALL
        .into_iter()
        .filter_map(|anchor| {
            let band = mix.band(anchor)?;
            let of_type = || links.iter().filter(move |l| l.anchor_type == anchor);
            let planned = of_type().filter(|l| l.counts()).count() as u32;
            let live = of_type().filter(live).count() as u32;
            let live_pct =
                (live_total > 0).then(|| f64::from(live) / f64::from(live_total) * 100.0);
            Some(AnchorProgress {
                anchor_type: anchor,
                planned,
                live,
                live_pct,
                band,
                within_band: live_pct.map(|pct| band.contains(pct)),
            })
        })
        .collect();
    let bought_links = || links.iter().filter(|l| bought(l.status));
    let spent: f64 = bought_links().filter_map(|l| l.cost_usd).sum();
    Progress {
        live: live_total,
        months,
        tiers: tiers.into_values().collect(),
        anchors,
        budget: BudgetProgress {
            estimate_min: estimate.0,
            estimate_max: estimate.1,
            spent_usd: (spent * 100.0).round() / 100.0,
            links_without_cost: bought_links().filter(|l| l.cost_usd.is_none()).count() as u32,
        },
    }
}
