//! Qualification in three layers (seed 004): URL and domain rules, homepage signals, and a
//! classification (an LLM's, or a deterministic heuristic's). Each layer records its
//! factors; together they give a confidence score and band.

use super::FieldError;
use super::crawl::CrawlRecord;
use super::email::registrable_domain;
use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use url::Url;
use utoipa::ToSchema;

// ---------------------------------------------------------------- settings

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

// ---------------------------------------------------------------- layer 1

/// Hosted blog platforms: a subdomain there is somebody's blog, not its own site.
const BLOG_PLATFORMS: &[&str] = &[
    "blogspot.com",
    "wordpress.com",
    "medium.com",
    "tumblr.com",
    "substack.com",
    "wixsite.com",
    "weebly.com",
    "ghost.io",
    "hashnode.dev",
    "livejournal.com",
    "typepad.com",
    "jimdosite.com",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Layer1Factors {
    pub matched_patterns: Vec<String>,
    pub domain_category: String,
    pub url_structure_score: f64,
    pub rejection_reasons: Vec<String>,
    pub tld_type: String,
    pub domain_classification: String,
    pub target_profile: String,
    pub reasoning: String,
    pub passed: bool,
}

/// Layer 1: rules on the URL and domain alone, before anything is fetched.
pub fn layer1(url: &Url, rules: &Layer1Rules) -> Layer1Factors {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let tld = host.rsplit('.').next().unwrap_or_default().to_string();
    let mut matched = Vec::new();
    let mut reasons = Vec::new();
    for rule in rules.url_pattern_exclusions.iter().filter(|r| r.enabled) {
        if Regex::new(&rule.pattern).is_ok_and(|re| re.is_match(url.as_str())) {
            matched.push(rule.pattern.clone());
            reasons.push(format!("excluded by rule {} ({})", rule.id, rule.category));
        }
    }
    let platform = BLOG_PLATFORMS
        .iter()
        .find(|p| host == **p || host.ends_with(&format!(".{p}")));
    if let Some(p) = platform {
        reasons.push(format!("subdomain of the blog platform {p}"));
    }
    let tld_type = match tld.as_str() {
        "edu" => "education",
        "gov" | "mil" => "government",
        "org" => "organisation",
        "com" | "net" | "io" | "co" | "info" | "biz" => "generic",
        t if t.len() == 2 => "country",
        _ => "generic-new",
    }
    .to_string();
    let domain_classification = match tld_type.as_str() {
        "education" => "educational",
        "government" => "governmental",
        "organisation" => "non_profit",
        _ => "commercial",
    }
    .to_string();
    let path = url.path().to_ascii_lowercase();
    let domain_category = if platform.is_some() {
        "blog_platform"
    } else if ["/blog", "/news", "/articles", "/magazine", "/posts"]
        .iter()
        .any(|p| path.starts_with(p))
        || host.starts_with("blog.")
    {
        "blog"
    } else if ["/resources", "/links", "/useful-links", "/tools"]
        .iter()
        .any(|p| path.contains(p))
    {
        "resource_page"
    } else {
        "website"
    }
    .to_string();
    // Short, clean URLs on a registrable domain of their own score highest.
    let mut score: f64 = 1.0;
    let depth = url
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).count())
        .unwrap_or(0);
    score -= 0.1 * depth.saturating_sub(2) as f64;
    if url.query().is_some() {
        score -= 0.1;
    }
    if host.chars().filter(|c| *c == '-').count() >= 3 || host.chars().any(|c| c.is_ascii_digit()) {
        score -= 0.2;
    }
    if registrable_domain(&host).is_none() {
        score -= 0.5;
        reasons.push("no registrable domain".into());
    }
    let passed = reasons.is_empty();
    let reasoning = if passed {
        format!("{host} is an independent {domain_category} on a {tld_type} TLD")
    } else {
        reasons.join("; ")
    };
    Layer1Factors {
        matched_patterns: matched,
        domain_category,
        url_structure_score: score.clamp(0.0, 1.0),
        rejection_reasons: reasons,
        tld_type,
        domain_classification,
        target_profile: if passed {
            "publisher".into()
        } else {
            "excluded".into()
        },
        reasoning,
        passed,
    }
}

// ---------------------------------------------------------------- layer 2

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Layer2Factors {
    pub has_about_page: bool,
    pub has_contact_page: bool,
    pub has_team_page: bool,
    pub recent_post_count: usize,
    pub last_post_date: Option<NaiveDate>,
    pub blog_freshness_days: Option<i64>,
    pub detected_cms: Option<String>,
    pub publication_score: f64,
    pub module_scores: BTreeMap<String, f64>,
    pub keywords_found: Vec<String>,
    pub ad_networks_detected: Vec<String>,
    pub content_signals: Vec<String>,
    pub reasoning: String,
    pub passed: bool,
}

/// Layer 2: what the crawl saw on the homepage and the pages it links to.
pub fn layer2(crawl: &CrawlRecord, today: NaiveDate, rules: &Layer2Rules) -> Layer2Factors {
    let s = &crawl.signals;
    let window = i64::from(rules.blog_freshness_threshold_days);
    let recent = s
        .post_dates
        .iter()
        .filter(|d| (today - **d).num_days() <= window)
        .count();
    let last = s.post_dates.first().copied();
    let freshness = last.map(|d| (today - d).num_days());
    let mut modules = BTreeMap::new();
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    modules.insert("aboutPage".to_string(), flag(s.has_about_page));
    modules.insert(
        "contactPage".to_string(),
        flag(s.has_contact_page || crawl.recipient_email.is_some()),
    );
    modules.insert("teamPage".to_string(), flag(s.has_team_page));
    modules.insert(
        "blogFreshness".to_string(),
        freshness
            .map(|d| (1.0 - d as f64 / window as f64).clamp(0.0, 1.0))
            .unwrap_or(0.0),
    );
    modules.insert("postVolume".to_string(), (recent as f64 / 6.0).min(1.0));
    modules.insert(
        "content".to_string(),
        (s.word_count as f64 / 600.0).min(1.0),
    );
    modules.insert(
        "guestPostSignals".to_string(),
        flag(!s.write_for_us_keywords.is_empty()),
    );
    modules.insert(
        "contactable".to_string(),
        flag(crawl.recipient_email.is_some()),
    );
    let weights = [
        ("aboutPage", 0.1),
        ("contactPage", 0.1),
        ("teamPage", 0.05),
        ("blogFreshness", 0.2),
        ("postVolume", 0.15),
        ("content", 0.1),
        ("guestPostSignals", 0.15),
        ("contactable", 0.15),
    ];
    let mut score: f64 = weights.iter().map(|(k, w)| modules[*k] * w).sum();
    if !s.ad_networks.is_empty() {
        // Heavy advertising suggests a made-for-ads site.
        score -= 0.05 * s.ad_networks.len().min(3) as f64;
    }
    let score = score.clamp(0.0, 1.0);
    let mut signals = Vec::new();
    if recent > 0 {
        signals.push("active_blog".to_string());
    }
    if !s.write_for_us_keywords.is_empty() {
        signals.push("accepts_guest_posts".to_string());
    }
    if s.word_count >= 600 {
        signals.push("substantial_content".to_string());
    }
    let mut reasons = Vec::new();
    if !crawl.is_reachable {
        reasons.push("site unreachable".to_string());
    }
    if crawl.is_blocked {
        reasons.push("site blocks crawlers".to_string());
    }
    if crawl.robots_disallowed {
        reasons.push("robots.txt disallows us".to_string());
    }
    for page in &rules.required_company_pages {
        let present = match page.as_str() {
            "about" => s.has_about_page,
            "contact" => s.has_contact_page || crawl.recipient_email.is_some(),
            _ => s.has_team_page,
        };
        if !present {
            reasons.push(format!("no {page} page"));
        }
    }
    if freshness.is_some_and(|d| d > window) {
        reasons.push(format!(
            "last post {} days ago",
            freshness.unwrap_or_default()
        ));
    }
    if score < rules.minimum_publication_score {
        reasons.push(format!(
            "publication score {score:.2} below {:.2}",
            rules.minimum_publication_score
        ));
    }
    let passed = reasons.is_empty();
    Layer2Factors {
        has_about_page: s.has_about_page,
        has_contact_page: s.has_contact_page,
        has_team_page: s.has_team_page,
        recent_post_count: recent,
        last_post_date: last,
        blog_freshness_days: freshness,
        detected_cms: s.detected_cms.clone(),
        publication_score: score,
        module_scores: modules,
        keywords_found: s.write_for_us_keywords.clone(),
        ad_networks_detected: s.ad_networks.clone(),
        content_signals: signals,
        reasoning: if passed {
            "site has the pages and activity of a publication".into()
        } else {
            reasons.join("; ")
        },
        passed,
    }
}

// ---------------------------------------------------------------- layer 3

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Approved,
    Rejected,
}

/// What an LLM must answer, parsed strictly: every key present, nothing else, scores in
/// range.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmVerdict {
    pub classification: Classification,
    pub content_quality_score: f64,
    pub reasoning: String,
    pub sophistication_signals: Vec<String>,
    pub relevance_indicators: Vec<String>,
    pub red_flags: Vec<String>,
    pub confidence_explanation: String,
}

impl LlmVerdict {
    pub fn parse(text: &str) -> Result<Self, String> {
        // Models sometimes wrap JSON in a code fence; nothing else is tolerated.
        let trimmed = text
            .trim()
            .trim_start_matches("```json")
            .trim_start_matches("```")
            .trim_end_matches("```")
            .trim();
        let verdict: LlmVerdict =
            serde_json::from_str(trimmed).map_err(|e| format!("not the JSON asked for: {e}"))?;
        if !(0.0..=1.0).contains(&verdict.content_quality_score) {
            return Err("content_quality_score outside 0-1".into());
        }
        Ok(verdict)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Layer3Factors {
    pub classification: Classification,
    /// `heuristic` when no LLM is configured.
    pub llm_provider: String,
    pub model_version: String,
    pub classification_reasoning: String,
    pub content_quality_score: f64,
    pub sophistication_signals: Vec<String>,
    pub relevance_indicators: Vec<String>,
    pub red_flags: Vec<String>,
    pub confidence_explanation: String,
    pub cost_usd: f64,
    pub tokens_used: u64,
    pub processing_time_ms: u64,
}

impl Layer3Factors {
    pub fn from_llm(
        verdict: LlmVerdict,
        provider: &str,
        model: &str,
        tokens: u64,
        cost_usd: f64,
        ms: u64,
    ) -> Self {
        Self {
            classification: verdict.classification,
            llm_provider: provider.into(),
            model_version: model.into(),
            classification_reasoning: verdict.reasoning,
            content_quality_score: verdict.content_quality_score,
            sophistication_signals: verdict.sophistication_signals,
            relevance_indicators: verdict.relevance_indicators,
            red_flags: verdict.red_flags,
            confidence_explanation: verdict.confidence_explanation,
            cost_usd,
            tokens_used: tokens,
            processing_time_ms: ms,
        }
    }
}

/// The deterministic classifier used when no LLM is configured. It fills the same fields
/// and says it is a heuristic.
pub fn heuristic_layer3(crawl: &CrawlRecord, l2: &Layer2Factors) -> Layer3Factors {
    let s = &crawl.signals;
    let mut sophistication = Vec::new();
    let mut relevance = Vec::new();
    let mut red_flags = Vec::new();
    if s.detected_cms.is_some() {
        sophistication.push(format!(
            "runs on {}",
            s.detected_cms.clone().unwrap_or_default()
        ));
    }
    if s.has_team_page {
        sophistication.push("named team".into());
    }
    if l2.recent_post_count > 0 {
        sophistication.push(format!(
            "{} posts in the freshness window",
            l2.recent_post_count
        ));
    }
    relevance.extend(
        s.write_for_us_keywords
            .iter()
            .map(|k| format!("mentions \"{k}\"")),
    );
    if crawl.recipient_email.is_some() {
        relevance.push("publishes a contact address".into());
    }
    if s.ad_networks.len() >= 2 {
        red_flags.push("several ad networks".into());
    }
    if crawl.has_captcha {
        red_flags.push("contact behind a captcha".into());
    }
    if s.word_count < 150 {
        red_flags.push("thin homepage content".into());
    }
    let quality = (0.5 * l2.publication_score
        + 0.1 * sophistication.len().min(3) as f64
        + 0.1 * relevance.len().min(2) as f64
        - 0.15 * red_flags.len() as f64)
        .clamp(0.0, 1.0);
    let approved = l2.passed && quality >= 0.4 && red_flags.len() < 2;
    Layer3Factors {
        classification: if approved {
            Classification::Approved
        } else {
            Classification::Rejected
        },
        llm_provider: "heuristic".into(),
        model_version: "heuristic-v1".into(),
        classification_reasoning: format!(
            "Heuristic verdict (no LLM configured): {} positive signals, {} relevance indicators, {} red flags.",
            sophistication.len(),
            relevance.len(),
            red_flags.len()
        ),
        content_quality_score: quality,
        sophistication_signals: sophistication,
        relevance_indicators: relevance,
        red_flags,
        confidence_explanation: "derived from homepage signals by fixed rules".into(),
        cost_usd: 0.0,
        tokens_used: 0,
        processing_time_ms: 0,
    }
}

// ---------------------------------------------------------------- confidence

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
    use super::*;
    use crate::domain::signals::SiteSignals;
    use crate::domain::time::Timestamp;
    use crate::domain::web::DomainName;

    fn crawl(signals: SiteSignals, email: bool) -> CrawlRecord {
        CrawlRecord {
            domain: DomainName::parse("green.org").unwrap(),
            contact_page_url: None,
            recipient_email: email
                .then(|| crate::domain::email::EmailAddress::parse("ed@green.org").unwrap()),
            recipient_name: None,
            emails: vec![],
            raw_extract: String::new(),
            is_reachable: true,
            has_captcha: false,
            is_blocked: false,
            robots_disallowed: false,
            pages: vec![],
            signals,
            crawled_at: Timestamp::parse("2026-11-01T00:00:00Z").unwrap(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn layer1_excludes_platforms_and_rule_matches() {
        let rules = ClassificationSettings::default().layer1_rules;
        let ok = layer1(
            &Url::parse("https://greenliving.org/write-for-us").unwrap(),
            &rules,
        );
        assert!(ok.passed, "{ok:?}");
        assert_eq!(ok.tld_type, "organisation");
        let hosted = layer1(&Url::parse("https://jane.blogspot.com/").unwrap(), &rules);
        assert!(!hosted.passed);
        assert_eq!(hosted.domain_category, "blog_platform");
        let social = layer1(
            &Url::parse("https://www.facebook.com/somepage").unwrap(),
            &rules,
        );
        assert!(!social.passed);
        assert_eq!(social.matched_patterns.len(), 1);
        let deep = layer1(
            &Url::parse("https://a-b-c-d.com/x/y/z/w?q=1").unwrap(),
            &rules,
        );
        assert!(deep.url_structure_score < 0.6);
    }

    #[test]
    fn layer2_scores_an_active_publication_and_rejects_a_stale_one() {
        let rules = ClassificationSettings::default().layer2_rules;
        let active = SiteSignals {
            has_about_page: true,
            has_contact_page: true,
            post_dates: (0..8)
                .map(|i| today() - chrono::Duration::days(i * 7))
                .collect(),
            write_for_us_keywords: vec!["write for us".into()],
            word_count: 900,
            detected_cms: Some("WordPress".into()),
            ..SiteSignals::default()
        };
        let l2 = layer2(&crawl(active.clone(), true), today(), &rules);
        assert!(l2.passed, "{l2:?}");
        assert_eq!(l2.recent_post_count, 8);
        assert_eq!(l2.blog_freshness_days, Some(0));
        assert!(l2.publication_score > 0.8);
        let stale = SiteSignals {
            post_dates: vec![today() - chrono::Duration::days(400)],
            ..active
        };
        let l2 = layer2(&crawl(stale, true), today(), &rules);
        assert!(!l2.passed);
        assert!(l2.reasoning.contains("last post 400 days ago"));
    }

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

    #[test]
    fn llm_answers_are_parsed_strictly() {
        let good = r#"{"classification": "approved", "content_quality_score": 0.8, "reasoning": "r",
            "sophistication_signals": [], "relevance_indicators": ["write for us"], "red_flags": [],
            "confidence_explanation": "c"}"#;
        assert_eq!(
            LlmVerdict::parse(&format!("```json\n{good}\n```"))
                .unwrap()
                .classification,
            Classification::Approved
        );
        assert!(LlmVerdict::parse(r#"{"classification": "approved"}"#).is_err());
        assert!(LlmVerdict::parse(&good.replace("0.8", "1.8")).is_err());
        assert!(LlmVerdict::parse(&good.replace("\"r\",", "\"r\", \"extra\": 1,")).is_err());
        assert!(LlmVerdict::parse("Sure! Here is the JSON").is_err());
    }

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
