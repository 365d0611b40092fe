//! Anchor-text mix (seed 002 §2.3): the share of a plan's anchors each anchor type may take
//! in a market, as bands of whole percent.

use serde::{Deserialize, Serialize};
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_inclusive() {
        let band = Band::new(3, 7);
        assert!(band.contains(3.0) && band.contains(7.0) && band.contains(4.5));
        assert!(!band.contains(2.99) && !band.contains(7.01));
    }
}
