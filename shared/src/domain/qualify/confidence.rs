//! The overall confidence score and its band.

use super::{Classification, Layer1Factors, Layer2Factors, Layer3Factors, Layer3Rules};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum ConfidenceBand {
    #[serde(rename = "very-high")]
    VeryHigh,
    #[serde(rename = "high")]
    High,
    #[serde(rename = "medium")]
    Medium,
    #[serde(rename = "low")]
    Low,
    #[serde(rename = "very-low")]
    VeryLow,
    #[serde(rename = "auto_reject")]
    AutoReject,
}

impl ConfidenceBand {
    pub fn of(score: f64, rules: &Layer3Rules) -> Self {
        let t = &rules.confidence_thresholds;
        if score >= t.very_high {
            Self::VeryHigh
        } else if score >= t.high {
            Self::High
        } else if score >= t.medium {
            Self::Medium
        } else if score >= t.low {
            Self::Low
        } else if score >= rules.auto_reject_threshold {
            Self::VeryLow
        } else {
            Self::AutoReject
        }
    }

    /// Whether a prospect in this band becomes a backlink.
    pub fn passes(&self) -> bool {
        matches!(self, Self::VeryHigh | Self::High | Self::Medium | Self::Low)
    }
}

/// The overall confidence that a site is a good prospect (0-1), from whichever layers ran.
pub fn confidence(
    l1: &Layer1Factors,
    l2: Option<&Layer2Factors>,
    l3: Option<&Layer3Factors>,
) -> f64 {
    if !l1.passed {
        return 0.0;
    }
    let Some(l2) = l2 else {
        return 0.2 * l1.url_structure_score;
    };
    let base = 0.2 * l1.url_structure_score + 0.4 * l2.publication_score;
    let score = match l3 {
        None => base,
        Some(l3) if l3.classification == Classification::Approved => {
            base + 0.4 * l3.content_quality_score.max(0.5)
        }
        Some(l3) => (base + 0.4 * l3.content_quality_score) * 0.5,
    };
    let score = if l2.passed { score } else { score.min(0.35) };
    (score * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{crawl, today};
    use super::*;
    use crate::domain::qualify::*;
    use crate::domain::signals::SiteSignals;
    use url::Url;

    #[test]
    fn the_heuristic_and_confidence_bands_agree_with_the_signals() {
        let settings = ClassificationSettings::default();
        let good = SiteSignals {
            has_about_page: true,
            has_contact_page: true,
            has_team_page: true,
            post_dates: vec![today()],
            write_for_us_keywords: vec!["guest post".into()],
            word_count: 1200,
            detected_cms: Some("Ghost".into()),
            ..SiteSignals::default()
        };
        let record = crawl(good, true);
        let l1 = layer1(
            &Url::parse("https://green.org/").unwrap(),
            &settings.layer1_rules,
        );
        let l2 = layer2(&record, today(), &settings.layer2_rules);
        let l3 = heuristic_layer3(&record, &l2);
        assert_eq!(l3.classification, Classification::Approved);
        assert_eq!(l3.llm_provider, "heuristic");
        let score = confidence(&l1, Some(&l2), Some(&l3));
        assert!(
            ConfidenceBand::of(score, &settings.layer3_rules).passes(),
            "{score}"
        );
        let rejected = layer1(
            &Url::parse("https://x.wordpress.com/").unwrap(),
            &settings.layer1_rules,
        );
        assert_eq!(
            ConfidenceBand::of(confidence(&rejected, None, None), &settings.layer3_rules),
            ConfidenceBand::AutoReject
        );
    }
}
