//! Quality score of a link opportunity (seed 002 §2.6, §3.5): eleven factors of one point
//! each, seven checked automatically and four by a reviewer. A factor whose data is missing
//! scores nothing and says so: the score never guesses, and a reviewer sees what to fill in.

use super::country::CountryCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// §2.6: "Organic traffic >500/month".
pub const MIN_ORGANIC_TRAFFIC: u32 = 500;
/// §2.6: "Outbound links <100 on linking page".
pub const MAX_OUTBOUND_LINKS: u32 = 100;

/// The eleven factors, in the seed's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QualityFactor {
    OrganicTraffic,
    DomainRating,
    Indexed,
    NotBlocklisted,
    TrafficTrend,
    NicheRelevance,
    Dofollow,
    OutboundLinks,
    EditorialNicheRelevance,
    EditorialQuality,
    DofollowVerified,
}

impl QualityFactor {
    pub const ALL: [QualityFactor; 11] = [
        Self::OrganicTraffic,
        Self::DomainRating,
        Self::Indexed,
        Self::NotBlocklisted,
        Self::TrafficTrend,
        Self::NicheRelevance,
        Self::Dofollow,
        Self::OutboundLinks,
        Self::EditorialNicheRelevance,
        Self::EditorialQuality,
        Self::DofollowVerified,
    ];

    /// Factors 8 to 11 need a person's review.
    pub fn is_manual(self) -> bool {
        matches!(
            self,
            Self::OutboundLinks
                | Self::EditorialNicheRelevance
                | Self::EditorialQuality
                | Self::DofollowVerified
        )
    }
}

/// What is known about an opportunity; every field is optional and `None` means unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QualityInput {
    /// Monthly organic visits of the linking domain.
    pub organic_traffic: Option<u32>,
    /// Ahrefs Domain Rating of the linking domain, 0-100.
    #[schema(maximum = 100)]
    pub domain_rating: Option<u8>,
    /// Moz Domain Authority, 0-100; used only when the DR is unknown (§2.6 "DR / DA").
    #[schema(maximum = 100)]
    pub domain_authority: Option<u8>,
    pub indexed: Option<bool>,
    pub on_blocklist: Option<bool>,
    /// Whether the domain's traffic is stable or growing.
    pub traffic_stable_or_growing: Option<bool>,
    /// Automatic check of relevance to the content's topic.
    pub niche_relevant: Option<bool>,
    /// Automatic check that the link would be dofollow.
    pub dofollow: Option<bool>,
    /// Outbound links on the linking page (manual).
    pub outbound_links: Option<u32>,
    /// A reviewer's judgement of niche relevance.
    pub editorial_niche_relevant: Option<bool>,
    /// A reviewer's judgement of the surrounding content's editorial quality.
    pub editorial_quality: Option<bool>,
    /// A reviewer's confirmation that the placed link is dofollow.
    pub dofollow_verified: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FactorResult {
    pub factor: QualityFactor,
    pub manual: bool,
    pub met: bool,
    /// The data was unknown, so the factor scored nothing.
    pub missing: bool,
    /// What was compared, in words.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QualityScore {
    /// Factors met, 0-11.
    #[schema(maximum = 11)]
    pub score: u8,
    /// The country's least score.
    pub threshold: u8,
    pub meets_threshold: bool,
    /// One result per factor, in the seed's order.
    pub breakdown: Vec<FactorResult>,
}

/// Scores an opportunity for a plan in `country`. The DR factor needs the linking domain's
/// DR (or DA) strictly above the lower bound of the country's target DR: §2.6 says "> country
/// threshold" and §3.4's single `target_dr` for PK is its range's lower bound, 25.
pub fn score(input: &QualityInput, country: CountryCode) -> QualityScore {
    let profile = country.profile();
    let breakdown: Vec<FactorResult> = QualityFactor::ALL
        .into_iter()
        .map(|factor| {
            let (met, note) = match judge(factor, input, profile.target_dr.min) {
                Some((met, note)) => (Some(met), note),
                None => (None, "no data: counted as not met".to_string()),
            };
            FactorResult {
                factor,
                manual: factor.is_manual(),
                met: met == Some(true),
                missing: met.is_none(),
                note,
            }
        })
        .collect();
    let score = breakdown.iter().filter(|f| f.met).count() as u8;
    QualityScore {
        score,
        threshold: profile.quality_threshold,
        meets_threshold: score >= profile.quality_threshold,
        breakdown,
    }
}

/// Whether the factor is met and why, or `None` when its data is unknown.
fn judge(factor: QualityFactor, i: &QualityInput, target_dr: u32) -> Option<(bool, String)> {
    let flag = |value: Option<bool>, yes: &str, no: &str| {
        value.map(|v| (v, if v { yes } else { no }.to_string()))
    };
    match factor {
        QualityFactor::OrganicTraffic => i.organic_traffic.map(|t| {
            let met = t > MIN_ORGANIC_TRAFFIC;
            (
                met,
                format!("{t} visits/month, needs more than {MIN_ORGANIC_TRAFFIC}"),
            )
        }),
        QualityFactor::DomainRating => {
            let (name, value) = match (i.domain_rating, i.domain_authority) {
                (Some(dr), _) => ("DR", dr),
                (None, Some(da)) => ("DA", da),
                (None, None) => return None,
            };
            let met = u32::from(value) > target_dr;
            Some((met, format!("{name} {value}, needs more than {target_dr}")))
        }
        QualityFactor::Indexed => flag(i.indexed, "indexed in Google", "not indexed in Google"),
        QualityFactor::NotBlocklisted => flag(
            i.on_blocklist.map(|on| !on),
            "not on the PBN/spam blocklist",
            "on the PBN/spam blocklist",
        ),
        QualityFactor::TrafficTrend => flag(
            i.traffic_stable_or_growing,
            "traffic stable or growing",
            "traffic declining",
        ),
        QualityFactor::NicheRelevance => {
            flag(i.niche_relevant, "relevant niche", "unrelated niche")
        }
        QualityFactor::Dofollow => flag(i.dofollow, "dofollow", "nofollow"),
        QualityFactor::OutboundLinks => i.outbound_links.map(|n| {
            let met = n < MAX_OUTBOUND_LINKS;
            (
                met,
                format!("{n} outbound links, needs fewer than {MAX_OUTBOUND_LINKS}"),
            )
        }),
        QualityFactor::EditorialNicheRelevance => flag(
            i.editorial_niche_relevant,
            "reviewer: relevant niche",
            "reviewer: unrelated niche",
        ),
        QualityFactor::EditorialQuality => flag(
            i.editorial_quality,
            "reviewer: editorial quality good",
            "reviewer: editorial quality poor",
        ),
        QualityFactor::DofollowVerified => flag(
            i.dofollow_verified,
            "reviewer: dofollow confirmed",
            "reviewer: not dofollow",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An opportunity that meets every factor in every country.
    fn all_met() -> QualityInput {
        QualityInput {
            organic_traffic: Some(501),
            domain_rating: Some(46),
            domain_authority: None,
            indexed: Some(true),
            on_blocklist: Some(false),
            traffic_stable_or_growing: Some(true),
            niche_relevant: Some(true),
            dofollow: Some(true),
            outbound_links: Some(99),
            editorial_niche_relevant: Some(true),
            editorial_quality: Some(true),
            dofollow_verified: Some(true),
        }
    }

    /// Each factor spoiled on its own, in the seed's order.
    fn spoilers() -> [fn(&mut QualityInput); 11] {
        [
            |i| i.organic_traffic = Some(500),
            |i| i.domain_rating = Some(25),
            |i| i.indexed = Some(false),
            |i| i.on_blocklist = Some(true),
            |i| i.traffic_stable_or_growing = Some(false),
            |i| i.niche_relevant = Some(false),
            |i| i.dofollow = Some(false),
            |i| i.outbound_links = Some(100),
            |i| i.editorial_niche_relevant = Some(false),
            |i| i.editorial_quality = Some(false),
            |i| i.dofollow_verified = Some(false),
        ]
    }

    fn result(s: &QualityScore, factor: QualityFactor) -> &FactorResult {
        s.breakdown.iter().find(|f| f.factor == factor).unwrap()
    }

    #[test]
    fn every_factor_met_scores_eleven() {
        let s = score(&all_met(), CountryCode::Usa);
        assert_eq!(s.score, 11);
        assert!(s.meets_threshold);
        let factors: Vec<QualityFactor> = s.breakdown.iter().map(|f| f.factor).collect();
        assert_eq!(factors, QualityFactor::ALL);
        assert!(s.breakdown.iter().all(|f| f.met && !f.missing));
        let manual = s.breakdown.iter().filter(|f| f.manual).count();
        assert_eq!(manual, 4);
    }

    #[test]
    fn each_factor_not_met_costs_one_point() {
        for (factor, spoil) in QualityFactor::ALL.into_iter().zip(spoilers()) {
            let mut input = all_met();
            spoil(&mut input);
            let s = score(&input, CountryCode::Usa);
            assert_eq!(s.score, 10, "{factor:?}");
            let r = result(&s, factor);
            assert!(!r.met && !r.missing, "{factor:?}: {}", r.note);
        }
    }

    #[test]
    fn missing_data_is_not_met_and_flagged() {
        let s = score(&QualityInput::default(), CountryCode::Pk);
        assert_eq!(s.score, 0);
        assert!(!s.meets_threshold);
        assert!(s.breakdown.iter().all(|f| !f.met && f.missing));
        let mut input = all_met();
        input.indexed = None;
        input.dofollow_verified = None;
        let s = score(&input, CountryCode::Usa);
        assert_eq!(s.score, 9);
        let missing: Vec<QualityFactor> = s
            .breakdown
            .iter()
            .filter(|f| f.missing)
            .map(|f| f.factor)
            .collect();
        assert_eq!(
            missing,
            [QualityFactor::Indexed, QualityFactor::DofollowVerified]
        );
    }

    #[test]
    fn domain_rating_must_exceed_the_lower_target_of_the_country() {
        for (country, lower) in [
            (CountryCode::Pk, 25),
            (CountryCode::Ca, 35),
            (CountryCode::Uk, 35),
            (CountryCode::Usa, 40),
        ] {
            let met = |dr: u8| {
                let input = QualityInput {
                    domain_rating: Some(dr),
                    ..QualityInput::default()
                };
                result(&score(&input, country), QualityFactor::DomainRating).met
            };
            assert!(!met(lower) && met(lower + 1), "{country:?}");
        }
    }

    #[test]
    fn domain_authority_stands_in_only_for_an_unknown_rating() {
        let mut input = QualityInput {
            domain_authority: Some(30),
            ..QualityInput::default()
        };
        let r = score(&input, CountryCode::Pk).breakdown[1].clone();
        assert!(r.met && r.note.starts_with("DA 30"), "{}", r.note);
        input.domain_rating = Some(20);
        let r = score(&input, CountryCode::Pk).breakdown[1].clone();
        assert!(!r.met && r.note.starts_with("DR 20"), "{}", r.note);
    }

    #[test]
    fn thresholds_follow_the_country() {
        // Seven factors met: enough everywhere; six: not in the USA; five: PK only.
        for (met, expected) in [
            (7, [true, true, true, true]),
            (6, [true, true, true, false]),
            (5, [true, false, false, false]),
        ] {
            let mut input = all_met();
            for spoil in &spoilers()[met..] {
                spoil(&mut input);
            }
            for (country, expected) in CountryCode::ALL.into_iter().zip(expected) {
                let s = score(&input, country);
                assert_eq!(usize::from(s.score), met);
                assert_eq!(s.threshold, country.profile().quality_threshold);
                assert_eq!(s.meets_threshold, expected, "{country:?} with {met}");
            }
        }
    }
}
