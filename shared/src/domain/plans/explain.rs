//! The `explain` section of a plan: how each headline figure came about, in sentences a
//! client can read, with the numbers the plan actually used.

use super::anchors::AnchorType;
use super::generate::{Explanation, Facts};
use super::sizing::{links_per_page, magnet_share_pct};
use super::tiers::Tier;
use crate::domain::plans::VelocityPhase;

fn line(figure: &str, text: String) -> Explanation {
    Explanation {
        figure: figure.into(),
        text,
    }
}

fn anchor_name(anchor: AnchorType) -> &'static str {
    match anchor {
        AnchorType::Branded => "branded",
        AnchorType::NakedUrl => "naked URL",
        AnchorType::Generic => "generic",
        AnchorType::PartialMatch => "partial match",
        AnchorType::ExactMatch => "exact match",
        AnchorType::Lsi => "LSI/topical",
        AnchorType::BrandKeyword => "brand+keyword",
    }
}

pub fn explain(f: &Facts<'_>) -> Vec<Explanation> {
    let country = f.profile.country.as_str();
    let count = |tier: Option<Tier>| f.tiers.iter().filter(|t| t.tier == tier).count();
    let funded = |tier: Tier| {
        f.tiers
            .iter()
            .filter(|t| t.tier == Some(tier) && t.links > 0)
            .count()
    };
    let tiers = format!(
        "{} page(s) in all. T1: the homepage ({}). T2: the top 40% of hubs by the search volume \
         of their cluster's keywords ({}). T3: the other hubs, products and services ({}). T4: \
         blog articles, and guides, tools, comparisons and listicles under {} words ({}). T5: \
         those of {} words or more ({}). {} term or taxonomy page(s) get no tier: internal \
         links carry authority to them.",
        f.tiers.len(),
        count(Some(Tier::T1)),
        count(Some(Tier::T2)),
        count(Some(Tier::T3)),
        f.long_form_words,
        count(Some(Tier::T4)),
        f.long_form_words,
        count(Some(Tier::T5)),
        count(None),
    );
    let per = |tier| links_per_page(tier, f.profile);
    let mut links = format!(
        "{country}'s {}-month timeline puts each page {}% of the way into its tier's links-per-page \
         span (T1 {}, T2 {}, T3 {}, T4 {}, T5 {}; the further a market's timeline is from PK's 8 \
         months toward USA's 18, the more links a page needs). Every homepage, hub, product and \
         service page gets its links: {} in all. Authority magnets (T4 and T5) are offered {}% \
         of the plan ({} links), served by priority: {} T4 and {} T5 page(s) take links.",
        f.profile.timeline_months,
        (f.profile.timeline_months.clamp(8, 18) - 8) * 10,
        per(Tier::T1),
        per(Tier::T2),
        per(Tier::T3),
        per(Tier::T4),
        per(Tier::T5),
        f.hub_links,
        magnet_share_pct(f.profile),
        f.magnet_offer,
        funded(Tier::T4),
        funded(Tier::T5),
    );
    if f.dropped > 0 {
        links.push_str(&format!(
            " The site has too few authority magnets for {} of those links, so the plan \
             leaves them out rather than overload a page.",
            f.dropped
        ));
    }
    links.push_str(&format!(" Total: {} links.", f.total));
    let reserve: u32 = f.months.iter().map(|m| m.replacement_reserve).sum();
    let price = if f.custom_cost {
        format!("the ${}-${} a link you gave", f.cost.min, f.cost.max)
    } else {
        format!(
            "${}-${} a link, {country}'s rate: its ${}-${} budget range spread over what a \
             typical 25-page site's plan buys there",
            f.cost.min, f.cost.max, f.profile.budget_usd.min, f.profile.budget_usd.max
        )
    };
    let budget = format!(
        "{} links plus {} held in reserve to replace lost ones, at {price}: ${}-${}.",
        f.total, reserve, f.budget.min, f.budget.max
    );
    let phase_months = |phase: VelocityPhase| f.months.iter().filter(|m| m.phase == phase).count();
    let monthly = format!(
        "Ramp {} month(s), peak {}, cruise {}, maintenance {}: the pace rises, peaks, then \
         settles so the link profile grows the way a natural one does. Each month holds about \
         an eighth of its target in reserve (10-15%) for replacing lost links. Pages come in \
         order of commercial value, search volume and keyword ease; each page's links are \
         spread evenly over the months.",
        phase_months(VelocityPhase::Ramp),
        phase_months(VelocityPhase::Peak),
        phase_months(VelocityPhase::Cruise),
        phase_months(VelocityPhase::Maintenance),
    );
    let mix: Vec<String> = f
        .anchor_totals
        .iter()
        .filter_map(|a| {
            let band = f.profile.anchor_mix.band(a.anchor_type)?;
            Some(format!(
                "{} {} ({}-{}%)",
                anchor_name(a.anchor_type),
                a.links,
                band.min_pct,
                band.max_pct
            ))
        })
        .collect();
    let anchors = format!(
        "Anchor types across the plan, against {country}'s bands: {}. Three texts per type for \
         every page that takes links, from the brand, the domain and the page's keywords.",
        mix.join(", ")
    );
    vec![
        line("tierAssignments", tiers),
        line("totalLinksTarget", links),
        line("budgetEstimate", budget),
        line(
            "timelineMonths",
            format!(
                "{} months: the {country} profile's timeline.",
                f.profile.timeline_months
            ),
        ),
        line("monthlyPlan", monthly),
        line("anchorPlan", anchors),
    ]
}
