//! Anchor-text mix (seed 002 §2.3): the share of a plan's anchors each anchor type may take
//! in a market, as bands of whole percent.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// An inclusive range of whole percentages; every band in the seed is whole percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Band {
    #[schema(maximum = 100)]
    pub min_pct: u8,
    #[schema(maximum = 100)]
    pub max_pct: u8,
}

impl Band {
    pub const fn new(min_pct: u8, max_pct: u8) -> Self {
        Self { min_pct, max_pct }
    }

    pub fn contains(self, pct: f64) -> bool {
        f64::from(self.min_pct) <= pct && pct <= f64::from(self.max_pct)
    }
}

/// The seed's anchor types (§3.1 `anchor_type`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AnchorType {
    Branded,
    NakedUrl,
    Generic,
    PartialMatch,
    ExactMatch,
    Lsi,
    BrandKeyword,
}

impl AnchorType {
    /// The name the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Branded => "branded",
            Self::NakedUrl => "naked_url",
            Self::Generic => "generic",
            Self::PartialMatch => "partial_match",
            Self::ExactMatch => "exact_match",
            Self::Lsi => "lsi",
            Self::BrandKeyword => "brand_keyword",
        }
    }

    pub const ALL: [AnchorType; 7] = [
        Self::Branded,
        Self::NakedUrl,
        Self::Generic,
        Self::PartialMatch,
        Self::ExactMatch,
        Self::Lsi,
        Self::BrandKeyword,
    ];
}

/// The share of anchors of each type; a type a market does not use (brand+keyword in PK,
/// "—" in the seed) is `None`, not a zero band, so a plan never schedules it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnchorMix {
    pub branded: Band,
    pub naked_url: Band,
    pub generic: Band,
    pub partial_match: Band,
    pub exact_match: Band,
    pub lsi: Band,
    pub brand_keyword: Option<Band>,
}

impl AnchorMix {
    pub fn band(&self, anchor: AnchorType) -> Option<Band> {
        match anchor {
            AnchorType::Branded => Some(self.branded),
            AnchorType::NakedUrl => Some(self.naked_url),
            AnchorType::Generic => Some(self.generic),
            AnchorType::PartialMatch => Some(self.partial_match),
            AnchorType::ExactMatch => Some(self.exact_match),
            AnchorType::Lsi => Some(self.lsi),
            AnchorType::BrandKeyword => self.brand_keyword,
        }
    }
}

/// The first band (in `AnchorType::ALL` order) a change of a plan's anchor counts takes a
/// type out of: inside it before (or no links before) and outside after. Exact match over
/// its maximum is always a breach: the seed makes its ceiling the one hard rule. A band the
/// plan was already outside of (whole links cannot meet every band in a small plan) does not
/// stop a change.
pub fn band_breach(
    before: &BTreeMap<AnchorType, u32>,
    after: &BTreeMap<AnchorType, u32>,
    mix: &AnchorMix,
    market: &str,
) -> Option<String> {
    let pct = |counts: &BTreeMap<AnchorType, u32>, anchor| {
        let total: u32 = counts.values().sum();
        (total > 0).then(|| {
            f64::from(counts.get(&anchor).copied().unwrap_or(0)) / f64::from(total) * 100.0
        })
    };
    let total: u32 = after.values().sum();
    AnchorType::ALL.into_iter().find_map(|anchor| {
        let band = mix.band(anchor)?;
        let now = pct(after, anchor)?;
        let was_in = pct(before, anchor).is_none_or(|p| band.contains(p));
        let over_exact = anchor == AnchorType::ExactMatch && now > f64::from(band.max_pct);
        ((was_in || over_exact) && !band.contains(now)).then(|| {
            format!(
                "{} anchors would be {now:.1}% of the plan's {total} links, outside \
                 {market}'s {}-{}% band",
                anchor.as_str(),
                band.min_pct,
                band.max_pct
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_that_leaves_a_band_is_named_and_one_already_outside_is_not() {
        let mix = crate::domain::plans::UK.anchor_mix;
        let counts =
            |pairs: &[(AnchorType, u32)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();
        let before = counts(&[(AnchorType::Branded, 95), (AnchorType::ExactMatch, 5)]);
        let after = counts(&[(AnchorType::Branded, 95), (AnchorType::ExactMatch, 9)]);
        let breach = band_breach(&before, &after, &mix, "UK").unwrap();
        assert!(
            breach.contains("exact_match") && breach.contains("3-7%"),
            "{breach}"
        );
        // Branded was already over its 35-40% band: growing it further is not refused.
        let more_branded = counts(&[(AnchorType::Branded, 96), (AnchorType::ExactMatch, 5)]);
        assert_eq!(band_breach(&before, &more_branded, &mix, "UK"), None);
    }

    #[test]
    fn bands_are_inclusive() {
        let band = Band::new(3, 7);
        assert!(band.contains(3.0) && band.contains(7.0) && band.contains(4.5));
        assert!(!band.contains(2.99) && !band.contains(7.01));
    }
}
