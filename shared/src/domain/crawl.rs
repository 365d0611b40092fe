//! What a crawl of one site learned (seed 000 CrawlCache), and how a page tells us it is
//! guarded by a captcha or a firewall.

use super::contacts::RankedContact;
use super::email::EmailAddress;
use super::signals::SiteSignals;
use super::time::Timestamp;
use super::web::DomainName;
use serde::{Deserialize, Serialize};

/// Kept for 14 days and shared by every tenant: a domain is not fetched again within it.
pub const CRAWL_CACHE_TTL_SECS: i64 = 14 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrawlRecord {
    pub domain: DomainName,
    /// The page the best address was found on, else the first contact-like page.
    pub contact_page_url: Option<String>,
    pub recipient_email: Option<EmailAddress>,
    pub recipient_name: Option<String>,
    /// Every address found, best first.
    #[schema(value_type = Vec<Object>)]
    pub emails: Vec<RankedContact>,
    /// The homepage's visible text, trimmed.
    pub raw_extract: String,
    pub is_reachable: bool,
    pub has_captcha: bool,
    pub is_blocked: bool,
    /// robots.txt kept us off the homepage.
    pub robots_disallowed: bool,
    /// The pages fetched, in order.
    pub pages: Vec<String>,
    /// What the pages say about the site as a publication.
    #[schema(value_type = Object)]
    pub signals: SiteSignals,
    pub crawled_at: Timestamp,
}

const CAPTCHA_MARKERS: &[&str] = &[
    "g-recaptcha",
    "google.com/recaptcha",
    "recaptcha/api.js",
    "hcaptcha.com/1/api.js",
    "h-captcha",
    "challenges.cloudflare.com/turnstile",
    "cf-turnstile",
    "/cdn-cgi/challenge-platform",
    "cf_chl_opt",
    "<title>just a moment...</title>",
    "px-captcha",
    "captcha-delivery.com",
];

const BLOCK_MARKERS: &[&str] = &[
    "attention required! | cloudflare",
    "access denied</title>",
    "the request could not be satisfied",
    "request blocked",
    "sucuri website firewall",
    "incapsula incident id",
    "you have been blocked",
    "/cdn-cgi/challenge-platform",
];

/// reCAPTCHA, hCaptcha, Turnstile, and challenge pages.
pub fn has_captcha(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    CAPTCHA_MARKERS.iter().any(|m| lower.contains(m))
}

/// 403, 429 and 451 answers, and firewall pages whatever their status.
pub fn is_blocked(status: u16, html: &str) -> bool {
    if matches!(status, 403 | 429 | 451) {
        return true;
    }
    let lower = html.to_ascii_lowercase();
    BLOCK_MARKERS.iter().any(|m| lower.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_captchas_and_firewalls() {
        assert!(has_captcha(
            r#"<div class="g-recaptcha" data-sitekey="x"></div>"#
        ));
        assert!(has_captcha(
            r#"<script src="https://js.hcaptcha.com/1/api.js"></script>"#
        ));
        assert!(has_captcha(r#"<div class="cf-turnstile"></div>"#));
        assert!(has_captcha("<html><title>Just a moment...</title></html>"));
        assert!(!has_captcha("<p>we love captchas of all kinds</p>"));
        assert!(is_blocked(403, "Forbidden"));
        assert!(is_blocked(
            200,
            "<title>Attention Required! | Cloudflare</title>"
        ));
        assert!(!is_blocked(200, "<p>welcome</p>"));
    }
}
