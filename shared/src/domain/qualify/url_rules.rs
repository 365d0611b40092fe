//! Layer 1: rules on the URL and domain alone, before anything is fetched.

use super::Layer1Rules;
use crate::domain::email::registrable_domain;
use regex::Regex;
use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::qualify::*;

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
}
