//! How many links a plan sets out to win, and what they cost (seed 002 §2.4 steps 3-5).
//!
//! The seed gives each tier a links-per-page span (§2.2), PK's tier allocation (§3.4), the
//! hub-only bands (§2.1) and each market's budget range, but no rule joining them and no
//! price of a link. The rules here join them; docs/decisions.md gives the reasoning.

use super::country::{CountryProfile, Span};
use super::tiers::Tier;

/// The timelines of the shortest and longest markets (PK and USA): a market's place between
/// them is how deep into each tier's links-per-page span its pages are planned.
const SHORTEST_MONTHS: u32 = 8;
const LONGEST_MONTHS: u32 = 18;

/// Links planned for one page of `tier` in this market: the tier's span, `(t - 8) / 10` of
/// the way from its lowest to its highest figure for a timeline of `t` months (rounded half
/// up): PK (8 months) plans the lowest, CA 40% of the way, UK 60%, USA (18 months) the
/// highest. A longer timeline is the seed's measure of a harder market (its target DR and
/// quality threshold rise with it), and a harder market needs more links per page.
pub fn links_per_page(tier: Tier, profile: &CountryProfile) -> u32 {
    let span = tier.links_per_page();
    let depth = profile
        .timeline_months
        .clamp(SHORTEST_MONTHS, LONGEST_MONTHS)
        - SHORTEST_MONTHS;
    let range = LONGEST_MONTHS - SHORTEST_MONTHS;
    span.min + ((span.max - span.min) * depth * 2 + range) / (2 * range)
}

/// The share of a plan's links that authority magnets (T4 and T5) take, in percent: the
/// seed's tier allocation (T4 10% + T5 5%), which lies in §2.1's 15-30% band.
pub fn magnet_share_pct(profile: &CountryProfile) -> u32 {
    let a = profile.tier_allocation;
    u32::from(a.t4) + u32::from(a.t5)
}

/// Links the magnet tiers are offered when the hub tiers take `hub_links`: so that magnets
/// hold their share of the whole (`hub_links * share / (100 - share)`, rounded half up),
/// split between T4 and T5 as the allocation splits them (T4's part rounded half up).
pub fn magnet_links(hub_links: u32, profile: &CountryProfile) -> (u32, u32) {
    let share = magnet_share_pct(profile);
    let rest = 100 - share;
    let magnets = (hub_links * share * 2 + rest) / (2 * rest);
    let a = profile.tier_allocation;
    let (t4, t5) = (u32::from(a.t4), u32::from(a.t5));
    if t4 + t5 == 0 {
        return (0, 0);
    }
    let for_t4 = (magnets * t4 * 2 + t4 + t5) / (2 * (t4 + t5));
    (for_t4, magnets - for_t4)
}

/// A typical site (§2.1: "typically 20-30 target pages per site"): 25 pages, of which one
/// homepage, 5 hubs, 8 products or services, 8 blog articles and 3 long guides. The cost of a
/// link in each market is set so that this site's plan costs the market's budget range.
pub const TYPICAL_SITE: [(Tier, u32); 5] = [
    (Tier::T1, 1),
    (Tier::T2, 2),
    (Tier::T3, 3 + 8),
    (Tier::T4, 8),
    (Tier::T5, 3),
];

/// Price of one link in US dollars, low and high, by market: the market's budget range
/// divided by the links the typical site's plan buys (its links plus the replacement
/// reserve), the low end rounded up and the high end down, so the typical site's estimate
/// lies inside the range: the typical plan buys 70 links in PK, 134 in CA, 160 in the UK
/// and 229 in the USA (reserve included). `sizing::tests` derives these figures again from the rules. A
/// blend over link types: no public source prices each link type per market.
pub fn cost_per_link_usd(profile: &CountryProfile) -> Span {
    use super::country::CountryCode::*;
    match profile.country {
        Pk => Span::new(29, 71),
        Ca => Span::new(23, 52),
        Uk => Span::new(19, 56),
        Usa => Span::new(22, 56),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plans::{CountryCode, monthly_curve};

    /// The typical site's links (with the magnet tiers capped by their pages) and reserve.
    fn typical_links_bought(profile: &CountryProfile) -> u32 {
        let per = |tier| links_per_page(tier, profile);
        let pages = |tier| TYPICAL_SITE.iter().find(|t| t.0 == tier).map_or(0, |t| t.1);
        let hubs: u32 = [Tier::T1, Tier::T2, Tier::T3]
            .into_iter()
            .map(|t| per(t) * pages(t))
            .sum();
        let (t4, t5) = magnet_links(hubs, profile);
        let links = hubs
            + t4.min(per(Tier::T4) * pages(Tier::T4))
            + t5.min(per(Tier::T5) * pages(Tier::T5));
        let reserve: u32 = monthly_curve(links, profile.timeline_months)
            .iter()
            .map(|m| m.replacement_reserve)
            .sum();
        links + reserve
    }

    #[test]
    fn link_prices_are_the_budget_over_the_typical_sites_links() {
        for country in CountryCode::ALL {
            let profile = country.profile();
            let bought = typical_links_bought(profile);
            let budget = profile.budget_usd;
            let derived = Span::new(budget.min.div_ceil(bought), budget.max / bought);
            assert_eq!(cost_per_link_usd(profile), derived, "{}", country.as_str());
            let (low, high) = (bought * derived.min, bought * derived.max);
            assert!(
                budget.min <= low && high <= budget.max,
                "{}",
                country.as_str()
            );
        }
    }

    #[test]
    fn pages_sit_deeper_in_their_span_the_longer_the_market() {
        let t1 = CountryCode::ALL.map(|c| links_per_page(Tier::T1, c.profile()));
        assert_eq!(t1, [10, 18, 22, 30]);
        let t4 = CountryCode::ALL.map(|c| links_per_page(Tier::T4, c.profile()));
        assert_eq!(t4, [1, 2, 3, 4]);
        for country in CountryCode::ALL {
            for tier in Tier::ALL {
                let span = tier.links_per_page();
                let n = links_per_page(tier, country.profile());
                assert!(span.min <= n && n <= span.max);
            }
        }
    }

    #[test]
    fn magnets_take_fifteen_percent_split_two_to_one() {
        let pk = CountryCode::Pk.profile();
        assert_eq!(magnet_links(85, pk), (10, 5));
        assert_eq!(magnet_links(170, pk), (20, 10));
        assert_eq!(magnet_links(0, pk), (0, 0));
        let (t4, t5) = magnet_links(53, pk);
        let share = f64::from(t4 + t5) / f64::from(53 + t4 + t5) * 100.0;
        assert!((14.0..=16.0).contains(&share), "{share}");
    }
}
