//! Plan generation for a 40-page fixture site in each of the four markets (issue 14): the
//! tier rule, timeline, budget, phases, reserve, anchor variants and anchor bands.

use backlinks_core::domain::plans::{
    AnchorType, CountryCode, DEFAULT_LONG_FORM_WORDS, GeneratedPlan, PageInput, PageType,
    PlanError, PlanOptions, PlanPage, Span, Tier, VARIANTS_PER_TYPE, VelocityPhase, check_page,
    generate,
};
use std::collections::{BTreeMap, HashSet};

const SITE: &str = include_str!("../../tests/fixtures/plans/site.json");

fn pages() -> Vec<PlanPage> {
    let inputs: Vec<PageInput> = serde_json::from_str(SITE).unwrap();
    inputs
        .iter()
        .map(|p| {
            check_page(p, "example.com", |_| (PageType::BlogArticle, "unused"))
                .unwrap()
                .plan_page()
        })
        .collect()
}

fn options() -> PlanOptions {
    PlanOptions {
        brand: "Northwind Coffee".into(),
        domain: "www.example.com".into(),
        long_form_words: DEFAULT_LONG_FORM_WORDS,
        cost_per_link_usd: None,
    }
}

fn plan(country: CountryCode) -> GeneratedPlan {
    generate(&pages(), country.profile(), &options()).unwrap()
}

fn tier_of(plan: &GeneratedPlan, path: &str) -> Option<Tier> {
    let url = format!("https://www.example.com{path}");
    plan.tier_assignments
        .iter()
        .find(|t| t.url == url)
        .unwrap()
        .tier
}

#[test]
fn the_top_40_percent_of_hubs_by_cluster_volume_are_t2() {
    let plan = plan(CountryCode::Uk);
    // coffee-subscriptions has the largest keyword of its own but the smallest cluster.
    assert_eq!(tier_of(&plan, "/coffee-beans"), Some(Tier::T2));
    assert_eq!(tier_of(&plan, "/espresso-machines"), Some(Tier::T2));
    for hub in ["/grinders", "/accessories", "/coffee-subscriptions"] {
        assert_eq!(tier_of(&plan, hub), Some(Tier::T3), "{hub}");
    }
    assert_eq!(tier_of(&plan, "/"), Some(Tier::T1));
    assert_eq!(tier_of(&plan, "/products/burr-grinder-pro"), Some(Tier::T3));
    assert_eq!(tier_of(&plan, "/services/barista-training"), Some(Tier::T3));
    assert_eq!(tier_of(&plan, "/blog/cold-brew-ratio"), Some(Tier::T4));
    assert_eq!(
        tier_of(&plan, "/blog/aeropress-vs-french-press"),
        Some(Tier::T4)
    );
    assert_eq!(tier_of(&plan, "/guides/espresso-at-home"), Some(Tier::T5));
    assert_eq!(tier_of(&plan, "/tools/grind-size-chart"), Some(Tier::T5));
    assert_eq!(tier_of(&plan, "/tag/espresso"), None);
    let untiered = plan.tier_assignments.iter().filter(|t| t.tier.is_none());
    assert!(untiered.clone().all(|t| t.links == 0));
    assert_eq!(untiered.count(), 6);
}

#[test]
fn every_market_gets_its_timeline_budget_phases_and_reserve() {
    for country in CountryCode::ALL {
        let profile = country.profile();
        let plan = plan(country);
        let name = country.as_str();
        assert_eq!(plan.timeline_months, profile.timeline_months, "{name}");
        assert_eq!(
            plan.monthly_plan.len() as u32,
            profile.timeline_months,
            "{name}"
        );
        let budget = plan.budget_estimate;
        assert!(
            profile.budget_usd.min <= budget.min && budget.max <= profile.budget_usd.max,
            "{name}: {budget:?} outside {:?}",
            profile.budget_usd
        );
        assert!(budget.min < budget.max);

        let phases: Vec<VelocityPhase> = plan.monthly_plan.iter().map(|m| m.phase).collect();
        let mut order = phases.clone();
        order.dedup();
        assert_eq!(order, profile.velocity_phases, "{name}");

        let targets: u32 = plan.monthly_plan.iter().map(|m| m.links_target).sum();
        assert_eq!(targets, plan.total_links_target, "{name}");
        assert_eq!(plan.links.len() as u32, plan.total_links_target, "{name}");
        let reserve: u32 = plan
            .monthly_plan
            .iter()
            .map(|m| m.replacement_reserve)
            .sum();
        let share = f64::from(reserve) / f64::from(targets) * 100.0;
        assert!(
            (10.0..=15.0).contains(&share),
            "{name}: reserve {share:.1}%"
        );
        for month in plan.monthly_plan.iter().filter(|m| m.links_target >= 20) {
            let share = f64::from(month.replacement_reserve) / f64::from(month.links_target);
            assert!(
                (0.10..=0.15).contains(&share),
                "{name} month {}",
                month.month
            );
        }
        let month_links: u32 = plan
            .monthly_plan
            .iter()
            .map(|m| m.pages.iter().map(|p| p.links).sum::<u32>())
            .sum();
        assert_eq!(month_links, targets);
        let month_budget: u32 = plan.monthly_plan.iter().map(|m| m.budget.max).sum();
        assert_eq!(month_budget, budget.max);
    }
}

#[test]
fn hub_tiers_take_70_to_85_percent_and_every_page_stays_in_its_span() {
    for country in CountryCode::ALL {
        let plan = plan(country);
        let mut by_tier: BTreeMap<Tier, u32> = BTreeMap::new();
        for t in &plan.tier_assignments {
            if let Some(tier) = t.tier {
                *by_tier.entry(tier).or_default() += t.links;
                let span = tier.links_per_page();
                assert!(
                    t.links == 0 || (span.min..=span.max).contains(&t.links),
                    "{t:?}"
                );
                if tier <= Tier::T3 {
                    assert!(t.links > 0, "every money page is funded: {t:?}");
                }
            }
        }
        let hubs: u32 = [Tier::T1, Tier::T2, Tier::T3]
            .iter()
            .map(|t| by_tier[t])
            .sum();
        let share = f64::from(hubs) / f64::from(plan.total_links_target) * 100.0;
        assert!(
            (70.0..=85.5).contains(&share),
            "{}: {share}",
            country.as_str()
        );
    }
}

#[test]
fn every_funded_page_has_three_variants_of_each_type_and_the_totals_sit_in_the_bands() {
    for country in CountryCode::ALL {
        let profile = country.profile();
        let plan = plan(country);
        let name = country.as_str();
        let funded = plan.tier_assignments.iter().filter(|t| t.links > 0).count();
        assert_eq!(plan.anchor_plan.len(), funded, "{name}");
        for page in &plan.anchor_plan {
            let types: Vec<AnchorType> = page.variants.iter().map(|v| v.anchor_type).collect();
            let expected = if profile.anchor_mix.brand_keyword.is_some() {
                7
            } else {
                6
            };
            assert_eq!(types.len(), expected, "{name} {}", page.url);
            for v in &page.variants {
                let distinct: HashSet<String> = v.texts.iter().map(|t| t.to_lowercase()).collect();
                assert_eq!(
                    distinct.len(),
                    VARIANTS_PER_TYPE,
                    "{name} {} {v:?}",
                    page.url
                );
            }
            let allocated: u32 = page.allocation.iter().map(|a| a.links).sum();
            assert_eq!(allocated, page.links);
        }
        let total = f64::from(plan.total_links_target);
        for anchor in &plan.anchor_totals {
            let band = profile.anchor_mix.band(anchor.anchor_type).unwrap();
            let pct = f64::from(anchor.links) / total * 100.0;
            assert!(
                band.contains(pct),
                "{name}: {:?} {pct:.1}% outside {band:?}",
                anchor.anchor_type
            );
            let counted = plan
                .links
                .iter()
                .filter(|l| l.anchor_type == anchor.anchor_type)
                .count();
            assert_eq!(counted as u32, anchor.links);
        }
        let exact = plan
            .anchor_totals
            .iter()
            .find(|a| a.anchor_type == AnchorType::ExactMatch)
            .unwrap();
        assert!(
            f64::from(exact.links) / total * 100.0
                <= f64::from(profile.anchor_mix.exact_match.max_pct)
        );
        assert!(
            !plan
                .links
                .iter()
                .any(|l| l.anchor_type == AnchorType::BrandKeyword)
                || profile.anchor_mix.brand_keyword.is_some()
        );
        // Every link's text is one of its page's variants of its type.
        for link in &plan.links {
            let page = plan.anchor_plan.iter().find(|p| p.url == link.url).unwrap();
            let v = page
                .variants
                .iter()
                .find(|v| v.anchor_type == link.anchor_type)
                .unwrap();
            assert!(v.texts.contains(&link.anchor_text), "{link:?}");
        }
    }
}

#[test]
fn months_take_pages_by_priority_and_no_page_gets_its_links_in_one_burst() {
    let plan = plan(CountryCode::Usa);
    // The first month leads with the pages of the highest commercial value.
    let first = &plan.monthly_plan[0];
    assert!(first.pages.iter().all(|p| p.tier <= Tier::T3), "{first:?}");
    // Each page's links follow the plan's pace: in no month does a page get more than its
    // share of the month, rounded up, plus one.
    let total = plan.total_links_target;
    for month in &plan.monthly_plan {
        for page in &month.pages {
            let links = plan
                .tier_assignments
                .iter()
                .find(|t| t.url == page.url)
                .unwrap()
                .links;
            let share = (month.links_target * links).div_ceil(total);
            assert!(
                page.links <= share + 1,
                "month {}: {page:?} of {links}",
                month.month
            );
        }
    }
}

#[test]
fn generation_is_deterministic_explains_itself_and_takes_a_custom_price() {
    assert_eq!(plan(CountryCode::Ca), plan(CountryCode::Ca));
    let plan = plan(CountryCode::Pk);
    let figures: Vec<&str> = plan.explain.iter().map(|e| e.figure.as_str()).collect();
    assert_eq!(
        figures,
        [
            "tierAssignments",
            "totalLinksTarget",
            "budgetEstimate",
            "timelineMonths",
            "monthlyPlan",
            "anchorPlan"
        ]
    );
    let budget = &plan.explain[2].text;
    assert!(
        budget.contains(&format!(
            "${}-${}",
            plan.budget_estimate.min, plan.budget_estimate.max
        )),
        "{budget}"
    );
    let custom = PlanOptions {
        cost_per_link_usd: Some(Span::new(100, 200)),
        ..options()
    };
    let priced = generate(&pages(), CountryCode::Pk.profile(), &custom).unwrap();
    let reserve: u32 = priced
        .monthly_plan
        .iter()
        .map(|m| m.replacement_reserve)
        .sum();
    assert_eq!(
        priced.budget_estimate.min,
        (priced.total_links_target + reserve) * 100
    );
    assert!(priced.explain[2].text.contains("you gave"));
}

#[test]
fn a_site_without_money_pages_cannot_be_planned() {
    let articles: Vec<PlanPage> = pages()
        .into_iter()
        .filter(|p| p.page_type == PageType::BlogArticle)
        .collect();
    let err = generate(&articles, CountryCode::Uk.profile(), &options()).unwrap_err();
    assert!(matches!(err, PlanError::NothingToLinkTo(_)));
}
