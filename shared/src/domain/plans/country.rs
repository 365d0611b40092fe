//! Country strategy profiles (seed 002 §2.3, §3.4): the timeline, budget, target DR, quality
//! threshold, velocity phases, anchor-text mix and tier allocation a plan for one market
//! starts from. They are constants versioned with the code, so a plan snapshots the profile it
//! was built with and a later change of these numbers never rewrites an existing plan.

use super::anchors::{AnchorMix, Band};
use super::tiers::Tier;
use crate::domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Raised whenever a number below changes, so a snapshot says which numbers it holds.
pub const PROFILE_VERSION: u32 = 1;

/// The four markets the seed defines profiles for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum CountryCode {
    Pk,
    Ca,
    Uk,
    Usa,
}

impl CountryCode {
    pub const ALL: [CountryCode; 4] = [Self::Pk, Self::Ca, Self::Uk, Self::Usa];

    /// Reads a code in any case; the seed's codes only (UK, not GB; USA, not US).
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| FieldError::new("", "must be one of PK, CA, UK, USA"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pk => "PK",
            Self::Ca => "CA",
            Self::Uk => "UK",
            Self::Usa => "USA",
        }
    }

    pub fn profile(self) -> &'static CountryProfile {
        match self {
            Self::Pk => &PK,
            Self::Ca => &CA,
            Self::Uk => &UK,
            Self::Usa => &USA,
        }
    }
}

/// An inclusive range of whole numbers: US dollars, DR points or links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    pub min: u32,
    pub max: u32,
}

impl Span {
    pub const fn new(min: u32, max: u32) -> Self {
        Self { min, max }
    }
}

/// §2.1, hub-only strategy: the share that goes to T1-T3 (homepage, hubs, products/services).
pub const HUB_TIERS_SHARE: Band = Band::new(70, 85);
/// §2.1: the share that goes to T4-T5 (authority magnets and supporting articles).
pub const MAGNET_TIERS_SHARE: Band = Band::new(15, 30);

/// The phases a plan's monthly velocity curve goes through, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VelocityPhase {
    Ramp,
    Peak,
    Cruise,
    Maintenance,
}

/// §2.3: "Same 4 phases" in every market; the seed gives no phase lengths, so none are set.
pub const VELOCITY_PHASES: [VelocityPhase; 4] = [
    VelocityPhase::Ramp,
    VelocityPhase::Peak,
    VelocityPhase::Cruise,
    VelocityPhase::Maintenance,
];

/// The whole-percent share of a plan's links that goes to each tier. Keys are the tiers'
/// own names (T1..T5), as in the seed's `tier_allocation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub struct TierAllocation {
    pub t1: u8,
    pub t2: u8,
    pub t3: u8,
    pub t4: u8,
    pub t5: u8,
}

impl TierAllocation {
    pub fn pct(&self, tier: Tier) -> u8 {
        match tier {
            Tier::T1 => self.t1,
            Tier::T2 => self.t2,
            Tier::T3 => self.t3,
            Tier::T4 => self.t4,
            Tier::T5 => self.t5,
        }
    }

    /// All links are allocated, and the T1-T3 and T4-T5 shares lie in the §2.1 bands.
    pub fn respects_hub_only(&self) -> bool {
        let hubs = u32::from(self.t1) + u32::from(self.t2) + u32::from(self.t3);
        let magnets = u32::from(self.t4) + u32::from(self.t5);
        hubs + magnets == 100
            && HUB_TIERS_SHARE.contains(f64::from(hubs))
            && MAGNET_TIERS_SHARE.contains(f64::from(magnets))
    }
}

/// §3.4 gives PK's allocation (0.25, 0.35, 0.25, 0.10, 0.05) and elides the other three
/// (`'CA': { ... }`). Every market uses it: it already lies in both §2.1 bands (85% / 15%),
/// and nothing in the seed ties the split to a market, so any other split would be a figure
/// the seed does not give. See docs/decisions.md.
pub const SEED_TIER_ALLOCATION: TierAllocation = TierAllocation {
    t1: 25,
    t2: 35,
    t3: 25,
    t4: 10,
    t5: 5,
};

/// One market's strategy, as a plan snapshots it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CountryProfile {
    pub country: CountryCode,
    /// The `PROFILE_VERSION` these numbers belong to.
    pub version: u32,
    pub timeline_months: u32,
    /// The campaign's total budget in US dollars ("$2-5K" is 2,000 to 5,000).
    pub budget_usd: Span,
    /// The DR the client's domain is meant to reach; quality scoring compares a linking
    /// domain with its lower bound (§3.4 `target_dr` is PK's lower bound, 25).
    pub target_dr: Span,
    /// The least quality score (out of 11) a link opportunity needs.
    pub quality_threshold: u8,
    pub velocity_phases: [VelocityPhase; 4],
    pub anchor_mix: AnchorMix,
    pub tier_allocation: TierAllocation,
}

pub const PK: CountryProfile = CountryProfile {
    country: CountryCode::Pk,
    version: PROFILE_VERSION,
    timeline_months: 8,
    budget_usd: Span::new(2_000, 5_000),
    target_dr: Span::new(25, 30),
    quality_threshold: 5,
    velocity_phases: VELOCITY_PHASES,
    anchor_mix: AnchorMix {
        branded: Band::new(30, 35),
        naked_url: Band::new(15, 20),
        generic: Band::new(15, 20),
        partial_match: Band::new(15, 20),
        exact_match: Band::new(5, 10),
        lsi: Band::new(5, 10),
        brand_keyword: None,
    },
    tier_allocation: SEED_TIER_ALLOCATION,
};

/// CA and UK differ only in timeline and budget ceiling (§2.3).
const CA_UK_ANCHORS: AnchorMix = AnchorMix {
    branded: Band::new(35, 40),
    naked_url: Band::new(15, 20),
    generic: Band::new(15, 20),
    partial_match: Band::new(12, 18),
    exact_match: Band::new(3, 7),
    lsi: Band::new(5, 10),
    brand_keyword: Some(Band::new(3, 5)),
};

pub const CA: CountryProfile = CountryProfile {
    country: CountryCode::Ca,
    version: PROFILE_VERSION,
    timeline_months: 12,
    budget_usd: Span::new(3_000, 7_000),
    target_dr: Span::new(35, 40),
    quality_threshold: 6,
    velocity_phases: VELOCITY_PHASES,
    anchor_mix: CA_UK_ANCHORS,
    tier_allocation: SEED_TIER_ALLOCATION,
};

pub const UK: CountryProfile = CountryProfile {
    country: CountryCode::Uk,
    version: PROFILE_VERSION,
    timeline_months: 14,
    budget_usd: Span::new(3_000, 9_000),
    target_dr: Span::new(35, 40),
    quality_threshold: 6,
    velocity_phases: VELOCITY_PHASES,
    anchor_mix: CA_UK_ANCHORS,
    tier_allocation: SEED_TIER_ALLOCATION,
};

pub const USA: CountryProfile = CountryProfile {
    country: CountryCode::Usa,
    version: PROFILE_VERSION,
    timeline_months: 18,
    budget_usd: Span::new(5_000, 13_000),
    target_dr: Span::new(40, 45),
    quality_threshold: 7,
    velocity_phases: VELOCITY_PHASES,
    anchor_mix: AnchorMix {
        branded: Band::new(35, 45),
        naked_url: Band::new(15, 20),
        generic: Band::new(15, 20),
        partial_match: Band::new(10, 15),
        exact_match: Band::new(2, 5),
        lsi: Band::new(5, 8),
        brand_keyword: Some(Band::new(3, 5)),
    },
    tier_allocation: SEED_TIER_ALLOCATION,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plans::AnchorType;

    /// (code, months, budget, target DR, threshold,
    /// [branded, naked URL, generic, partial, exact, LSI], brand+keyword).
    type SeedRow = (
        &'static str,
        u32,
        (u32, u32),
        (u32, u32),
        u8,
        [(u8, u8); 6],
        Option<(u8, u8)>,
    );

    /// The seed's §2.3 tables, one row per market, written out again rather than read from
    /// the constants.
    #[rustfmt::skip]
    const SEED_ROWS: [SeedRow; 4] = [
        ("PK", 8, (2_000, 5_000), (25, 30), 5,
            [(30, 35), (15, 20), (15, 20), (15, 20), (5, 10), (5, 10)], None),
        ("CA", 12, (3_000, 7_000), (35, 40), 6,
            [(35, 40), (15, 20), (15, 20), (12, 18), (3, 7), (5, 10)], Some((3, 5))),
        ("UK", 14, (3_000, 9_000), (35, 40), 6,
            [(35, 40), (15, 20), (15, 20), (12, 18), (3, 7), (5, 10)], Some((3, 5))),
        ("USA", 18, (5_000, 13_000), (40, 45), 7,
            [(35, 45), (15, 20), (15, 20), (10, 15), (2, 5), (5, 8)], Some((3, 5))),
    ];

    #[test]
    fn profiles_hold_the_seed_numbers() {
        for (code, months, budget, dr, threshold, anchors, brand_keyword) in SEED_ROWS {
            let p = CountryCode::parse(code).unwrap().profile();
            assert_eq!(p.country.as_str(), code);
            assert_eq!(p.version, PROFILE_VERSION);
            assert_eq!(p.timeline_months, months, "{code}");
            assert_eq!(p.budget_usd, Span::new(budget.0, budget.1), "{code}");
            assert_eq!(p.target_dr, Span::new(dr.0, dr.1), "{code}");
            assert_eq!(p.quality_threshold, threshold, "{code}");
            assert_eq!(p.velocity_phases, VELOCITY_PHASES, "{code}");
            for (anchor, (min, max)) in AnchorType::ALL.into_iter().zip(anchors) {
                assert_eq!(
                    p.anchor_mix.band(anchor),
                    Some(Band::new(min, max)),
                    "{code} {anchor:?}"
                );
            }
            assert_eq!(
                p.anchor_mix.band(AnchorType::BrandKeyword),
                brand_keyword.map(|(min, max)| Band::new(min, max)),
                "{code}"
            );
        }
    }

    #[test]
    fn pakistan_has_no_brand_keyword_anchors() {
        assert_eq!(PK.anchor_mix.brand_keyword, None);
        let json = serde_json::to_value(PK).unwrap();
        assert!(json["anchorMix"]["brandKeyword"].is_null());
        for code in [CountryCode::Ca, CountryCode::Uk, CountryCode::Usa] {
            assert!(
                code.profile().anchor_mix.brand_keyword.is_some(),
                "{code:?}"
            );
        }
    }

    #[test]
    fn pakistan_allocation_is_the_seeds() {
        let expected = [(Tier::T1, 25), (Tier::T2, 35), (Tier::T3, 25)];
        let expected = expected.into_iter().chain([(Tier::T4, 10), (Tier::T5, 5)]);
        for (tier, pct) in expected {
            assert_eq!(PK.tier_allocation.pct(tier), pct, "{tier:?}");
        }
    }

    #[test]
    fn every_allocation_sums_to_one_and_is_hub_only() {
        for code in CountryCode::ALL {
            let a = code.profile().tier_allocation;
            let sum: u32 = Tier::ALL.into_iter().map(|t| u32::from(a.pct(t))).sum();
            assert_eq!(sum, 100, "{code:?}");
            assert!(a.respects_hub_only(), "{code:?}");
        }
        let too_few_hub_links = TierAllocation {
            t1: 20,
            t2: 25,
            t3: 20,
            t4: 20,
            t5: 15,
        };
        assert!(!too_few_hub_links.respects_hub_only());
        let not_all_allocated = TierAllocation {
            t5: 4,
            ..SEED_TIER_ALLOCATION
        };
        assert!(!not_all_allocated.respects_hub_only());
    }

    #[test]
    fn every_anchor_mix_can_add_up_to_one_hundred() {
        for code in CountryCode::ALL {
            let bands = AnchorType::ALL
                .into_iter()
                .filter_map(|a| code.profile().anchor_mix.band(a));
            let (low, high) = bands.fold((0, 0), |(l, h), b| {
                (l + u32::from(b.min_pct), h + u32::from(b.max_pct))
            });
            assert!(low <= 100 && 100 <= high, "{code:?}: {low}..{high}");
        }
    }

    #[test]
    fn codes_parse_in_any_case_and_serialize_as_the_seeds() {
        assert_eq!(CountryCode::parse(" usa ").unwrap(), CountryCode::Usa);
        assert_eq!(CountryCode::parse("Pk").unwrap(), CountryCode::Pk);
        let json = serde_json::to_string(&CountryCode::ALL).unwrap();
        assert_eq!(json, r#"["PK","CA","UK","USA"]"#);
        let back: Vec<CountryCode> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, CountryCode::ALL);
    }

    #[test]
    fn an_unknown_code_names_the_four() {
        for text in ["GB", "US", ""] {
            let e = CountryCode::parse(text).unwrap_err();
            for code in ["PK", "CA", "UK", "USA"] {
                assert!(e.message.contains(code), "{text}: {}", e.message);
            }
        }
    }

    #[test]
    fn a_profile_snapshot_round_trips() {
        for code in CountryCode::ALL {
            let json = serde_json::to_string(code.profile()).unwrap();
            let back: CountryProfile = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, code.profile());
        }
        let json = serde_json::to_value(USA).unwrap();
        assert_eq!(json["tierAllocation"]["T2"], 35);
        assert_eq!(json["anchorMix"]["exactMatch"]["maxPct"], 5);
        assert_eq!(json["velocityPhases"][3], "maintenance");
    }
}
