//! What a tenant can tune in each layer, with the defaults and the checks on a change.

use crate::domain::FieldError;
use regex::Regex;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExclusionRule {
    #[schema(min_length = 1)]
    pub id: String,
    /// A regular expression matched against the whole URL.
    #[schema(max_length = 500)]
    pub pattern: String,
    pub category: String,
    pub enabled: bool,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Layer1Rules {
    #[schema(max_items = 200)]
    pub url_pattern_exclusions: Vec<ExclusionRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Layer2Rules {
    /// A site whose last post is older than this is not an active publication.
    #[schema(minimum = 1, maximum = 3650)]
    pub blog_freshness_threshold_days: u32,
    /// Pages a site must link from its homepage: any of about, contact, team.
    pub required_company_pages: Vec<String>,
    /// Least publication score (0-1) to pass.
    #[schema(minimum = 0, maximum = 1)]
    pub minimum_publication_score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfidenceThresholds {
    #[schema(minimum = 0, maximum = 1)]
    pub very_high: f64,
    #[schema(minimum = 0, maximum = 1)]
    pub high: f64,
    #[schema(minimum = 0, maximum = 1)]
    pub medium: f64,
    #[schema(minimum = 0, maximum = 1)]
    pub low: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prompts {
    #[schema(min_length = 1, max_length = 20000)]
    pub classification_system: String,
    /// May use {domain}, {url}, {title}, {description}, {excerpt} and {signals}.
    #[schema(min_length = 1, max_length = 20000)]
    pub classification_user: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Layer3Rules {
    pub confidence_thresholds: ConfidenceThresholds,
    /// Below this score a prospect is rejected outright.
    #[schema(minimum = 0, maximum = 1)]
    pub auto_reject_threshold: f64,
    /// The LLM model; the platform's default when absent.
    pub model: Option<String>,
    pub prompts: Prompts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClassificationSettings {
    pub layer1_rules: Layer1Rules,
    pub layer2_rules: Layer2Rules,
    pub layer3_rules: Layer3Rules,
}

pub const DEFAULT_SYSTEM_PROMPT: &str = "You are an expert link-building analyst. You judge whether a website is a \
real, active publication that could publish a guest post or add a resource link. Answer with one JSON object only.";

pub const DEFAULT_USER_PROMPT: &str = "Website: {domain} ({url})\nTitle: {title}\nDescription: {description}\n\
Signals: {signals}\nHomepage text:\n{excerpt}\n\nReturn JSON with exactly these keys: \"classification\" \
(\"approved\" or \"rejected\"), \"content_quality_score\" (0 to 1), \"reasoning\" (string), \
\"sophistication_signals\" (array of strings), \"relevance_indicators\" (array of strings), \"red_flags\" \
(array of strings), \"confidence_explanation\" (string).";

impl Default for ClassificationSettings {
    fn default() -> Self {
        let rule = |id: &str, pattern: &str, category: &str, description: &str| ExclusionRule {
            id: id.into(),
            pattern: pattern.into(),
            category: category.into(),
            enabled: true,
            description: description.into(),
        };
        Self {
            layer1_rules: Layer1Rules {
                url_pattern_exclusions: vec![
                    rule(
                        "social",
                        r"(?i)//([a-z0-9-]+\.)?(facebook|twitter|x|instagram|linkedin|pinterest|tiktok|youtube|reddit)\.com/",
                        "social_network",
                        "Social networks",
                    ),
                    rule(
                        "marketplaces",
                        r"(?i)//([a-z0-9-]+\.)?(amazon|ebay|etsy|aliexpress)\.",
                        "marketplace",
                        "Marketplaces",
                    ),
                    rule(
                        "encyclopedias",
                        r"(?i)//([a-z0-9-]+\.)?wikipedia\.org/",
                        "reference",
                        "Wikipedia",
                    ),
                    rule(
                        "qa-sites",
                        r"(?i)//([a-z0-9-]+\.)?(quora|stackoverflow|stackexchange)\.com/",
                        "forum",
                        "Q&A sites",
                    ),
                ],
            },
            layer2_rules: Layer2Rules {
                blog_freshness_threshold_days: 90,
                required_company_pages: vec!["about".into(), "contact".into()],
                minimum_publication_score: 0.3,
            },
            layer3_rules: Layer3Rules {
                confidence_thresholds: ConfidenceThresholds {
                    very_high: 0.95,
                    high: 0.85,
                    medium: 0.65,
                    low: 0.45,
                },
                auto_reject_threshold: 0.30,
                model: None,
                prompts: Prompts {
                    classification_system: DEFAULT_SYSTEM_PROMPT.into(),
                    classification_user: DEFAULT_USER_PROMPT.into(),
                },
            },
        }
    }
}

impl ClassificationSettings {
    /// Every problem with the settings, by field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut ids = std::collections::HashSet::new();
        for (i, rule) in self.layer1_rules.url_pattern_exclusions.iter().enumerate() {
            let at = |f: &str| format!("layer1Rules.urlPatternExclusions.{i}.{f}");
            if let Err(e) = Regex::new(&rule.pattern) {
                errors.push(FieldError::new(
                    at("pattern"),
                    format!("is not a valid regular expression: {e}"),
                ));
            }
            if rule.id.trim().is_empty() || !ids.insert(rule.id.clone()) {
                errors.push(FieldError::new(at("id"), "must be present and unique"));
            }
            if rule.pattern.len() > 500 {
                errors.push(FieldError::new(
                    at("pattern"),
                    "must be at most 500 characters",
                ));
            }
        }
        if self.layer1_rules.url_pattern_exclusions.len() > 200 {
            errors.push(FieldError::new(
                "layer1Rules.urlPatternExclusions",
                "must have at most 200 rules",
            ));
        }
        let l2 = &self.layer2_rules;
        if !(1..=3650).contains(&l2.blog_freshness_threshold_days) {
            errors.push(FieldError::new(
                "layer2Rules.blogFreshnessThresholdDays",
                "must be between 1 and 3650",
            ));
        }
        for (i, page) in l2.required_company_pages.iter().enumerate() {
            if !matches!(page.as_str(), "about" | "contact" | "team") {
                errors.push(FieldError::new(
                    format!("layer2Rules.requiredCompanyPages.{i}"),
                    "must be about, contact or team",
                ));
            }
        }
        if !(0.0..=1.0).contains(&l2.minimum_publication_score) {
            errors.push(FieldError::new(
                "layer2Rules.minimumPublicationScore",
                "must be between 0 and 1",
            ));
        }
        let l3 = &self.layer3_rules;
        let t = &l3.confidence_thresholds;
        let ordered = [
            l3.auto_reject_threshold,
            t.low,
            t.medium,
            t.high,
            t.very_high,
        ];
        if ordered.iter().any(|v| !(0.0..=1.0).contains(v))
            || ordered.windows(2).any(|w| w[0] >= w[1])
        {
            errors.push(FieldError::new(
                "layer3Rules.confidenceThresholds",
                "must lie in 0-1 with autoReject < low < medium < high < veryHigh",
            ));
        }
        for (field, text) in [
            ("classificationSystem", &l3.prompts.classification_system),
            ("classificationUser", &l3.prompts.classification_user),
        ] {
            if text.trim().is_empty() || text.len() > 20_000 {
                errors.push(FieldError::new(
                    format!("layer3Rules.prompts.{field}"),
                    "must be 1 to 20000 characters",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_validated() {
        let mut s = ClassificationSettings::default();
        assert!(s.validate().is_ok());
        s.layer1_rules.url_pattern_exclusions[0].pattern = "(unclosed".into();
        s.layer3_rules.confidence_thresholds.medium = 0.9;
        s.layer2_rules.required_company_pages.push("careers".into());
        let fields: Vec<String> = s
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "layer1Rules.urlPatternExclusions.0.pattern",
                "layer2Rules.requiredCompanyPages.2",
                "layer3Rules.confidenceThresholds",
            ]
        );
    }
}
