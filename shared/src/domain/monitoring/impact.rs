//! What losing a link costs (seed 002 §2.8 "impact scoring: estimate authority loss based on
//! source DR and link type"), as a score of 0-100 with the formula and every factor shown.
//!
//! `impact = 100 x authority x rel x indexability x dilution x tier`, each factor 0-1:
//! - authority: the source's DR / 100 (DR is on a 0-100 log scale, so a DR 60 source is worth
//!   far more than twice a DR 30 one; the linear share understates the gap, never inflates it);
//!   an unknown DR is taken as 50 and says so;
//! - rel: dofollow 1; nofollow, ugc and sponsored 0.25 (Google reads them as hints since 2019
//!   and may still count them; a quarter is our weight, not Google's);
//! - indexability: 1 for an indexable page; 0.1 when the page is noindexed, canonicalised
//!   elsewhere or disallowed to Googlebot (it passes next to nothing); 0.5 when an index
//!   checker found the page not indexed;
//! - dilution: `1 / (1 + outbound / 100)`: a page with 100 outbound links halves a link's
//!   share (seed 002 quality factor 8 draws its line at 100); unknown counts as none;
//! - tier: what the target page is worth to the plan: T1 1, T2 0.9, T3 0.8, T5 0.7, T4 0.6; a
//!   backlink outside a plan 0.8.

use super::codes::FindingCode;
use crate::domain::plans::Tier;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What is known of the lost link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LostLink {
    pub source_dr: Option<u8>,
    /// The findings of its last check while it stood (its rel and indexability).
    pub findings: Vec<FindingCode>,
    pub indexed: Option<bool>,
    pub outbound_links: Option<u32>,
    pub tier: Option<Tier>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Impact {
    /// 0-100, one decimal.
    pub score: f64,
    pub formula: String,
    pub authority: f64,
    pub rel: f64,
    pub indexability: f64,
    pub dilution: f64,
    pub tier: f64,
    /// Values taken where the fact is unknown.
    pub assumptions: Vec<String>,
}

pub const FORMULA: &str = "100 x authority (DR/100) x rel (dofollow 1, nofollow/ugc/sponsored 0.25) x \
     indexability (1; 0.1 noindex/canonical elsewhere/robots disallowed; 0.5 not indexed) x \
     dilution (1/(1 + outbound/100)) x tier (T1 1, T2 0.9, T3 0.8, T5 0.7, T4 0.6; none 0.8)";

pub fn impact(link: &LostLink) -> Impact {
    use FindingCode::*;
    let mut assumptions = Vec::new();
    let has = |c: FindingCode| link.findings.contains(&c);
    let authority = match link.source_dr {
        Some(dr) => f64::from(dr.min(100)) / 100.0,
        None => {
            assumptions.push("the source's DR is unknown: taken as 50".to_string());
            0.5
        }
    };
    let rel = if has(Nofollow) || has(Ugc) || has(Sponsored) {
        0.25
    } else {
        1.0
    };
    let indexability = if has(Noindex) || has(CanonicalElsewhere) || has(RobotsDisallowed) {
        0.1
    } else if link.indexed == Some(false) {
        0.5
    } else {
        1.0
    };
    let dilution = match link.outbound_links {
        Some(n) => 1.0 / (1.0 + f64::from(n) / 100.0),
        None => {
            assumptions.push("the page's outbound links are unknown: no dilution".to_string());
            1.0
        }
    };
    let tier = match link.tier {
        Some(Tier::T1) => 1.0,
        Some(Tier::T2) => 0.9,
        Some(Tier::T3) => 0.8,
        Some(Tier::T4) => 0.6,
        Some(Tier::T5) => 0.7,
        None => 0.8,
    };
    let score = (100.0 * authority * rel * indexability * dilution * tier * 10.0).round() / 10.0;
    Impact {
        score,
        formula: FORMULA.into(),
        authority,
        rel,
        indexability,
        dilution,
        tier,
        assumptions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strong_dofollow_link_to_the_homepage_weighs_most() {
        let strong = impact(&LostLink {
            source_dr: Some(70),
            outbound_links: Some(20),
            tier: Some(Tier::T1),
            ..LostLink::default()
        });
        assert_eq!(strong.score, 58.3);
        assert!(strong.assumptions.is_empty());
        let weak = impact(&LostLink {
            source_dr: Some(70),
            outbound_links: Some(20),
            tier: Some(Tier::T1),
            findings: vec![FindingCode::Nofollow, FindingCode::Noindex],
            ..LostLink::default()
        });
        assert_eq!(weak.score, 1.5);
    }

    #[test]
    fn unknowns_are_assumed_out_loud() {
        let i = impact(&LostLink::default());
        assert_eq!(i.score, 40.0);
        assert_eq!(i.assumptions.len(), 2);
        assert!(i.formula.contains("DR/100"));
    }
}
