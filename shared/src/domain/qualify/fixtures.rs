//! Crawl records for the layer tests.

use crate::domain::crawl::CrawlRecord;
use crate::domain::signals::SiteSignals;
use crate::domain::time::Timestamp;
use crate::domain::web::DomainName;
use chrono::NaiveDate;

pub fn crawl(signals: SiteSignals, email: bool) -> CrawlRecord {
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

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}
