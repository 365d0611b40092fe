//! Layer 2: homepage signals from the crawl.

use super::Layer2Rules;
use crate::domain::crawl::CrawlRecord;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

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

#[cfg(test)]
mod tests {
    use super::super::fixtures::{crawl, today};
    use super::*;
    use crate::domain::qualify::*;
    use crate::domain::signals::SiteSignals;

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
}
