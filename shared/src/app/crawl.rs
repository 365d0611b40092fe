//! Crawling a site for contacts, with the crawl cache shared by every tenant: robots.txt
//! first, then the homepage, then the contact, about, team and write-for-us pages it links
//! to. Fetching goes through the `Fetcher` port (SSRF-safe and polite in production).

use super::entity::{self, Entity, Platform};
use super::{App, AppError};
use crate::domain::contacts::{self, Candidate, Tier, contact_pages, rank};
use crate::domain::crawl::{CRAWL_CACHE_TTL_SECS, CrawlRecord, has_captcha, is_blocked};
use crate::domain::email::EmailAddress;
use crate::domain::signals::{self, SiteSignals};
use crate::domain::text::trim_excerpt;
use crate::domain::web::DomainName;
use crate::ports::fetcher::{FetchError, Fetched};
use crate::ports::table::Key;
use texting_robots::Robot;
use url::Url;

/// The robots.txt product token we obey.
pub const ROBOTS_AGENT: &str = "BacklinksBot";
/// Pages fetched per site beyond robots.txt (the homepage included).
const MAX_PAGES: usize = 5;
/// Characters of homepage text kept in the cache.
const RAW_EXTRACT_CHARS: usize = 8_000;

/// Not tenant-scoped: the cache is shared (seed 000).
fn key(domain: &DomainName) -> Key {
    Key::new(format!("CRAWL#{domain}"), "CACHE")
}

impl Entity for CrawlRecord {
    const TAG: &'static str = "crawl_cache";
    type Owner = Platform;

    fn key(&self, _: &Platform) -> Key {
        key(&self.domain)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.crawled_at.epoch_seconds() + CRAWL_CACHE_TTL_SECS)
    }
}

/// The cached crawl of a domain, if one younger than 14 days exists.
pub async fn cached(app: &App, domain: &DomainName) -> Result<Option<CrawlRecord>, AppError> {
    match app.table.get(&key(domain)).await? {
        Some(item) => entity::read(item).map(Some),
        None => Ok(None),
    }
}

/// Returns the cached crawl, or crawls the site (starting at `homepage`, normally
/// `https://{domain}/`) and caches the result for 14 days.
pub async fn crawl(
    app: &App,
    domain: &DomainName,
    homepage: &Url,
) -> Result<CrawlRecord, AppError> {
    if let Some(hit) = cached(app, domain).await? {
        return Ok(hit);
    }
    let record = fetch_site(app, domain, homepage).await;
    app.table
        .put(entity::item(&record, &Platform)?, None)
        .await?;
    Ok(record)
}

/// The usual homepage of a domain.
pub fn homepage_of(domain: &DomainName) -> Url {
    Url::parse(&format!("https://{domain}/"))
        .unwrap_or_else(|_| Url::parse("https://invalid.invalid/").expect("static URL"))
}

/// GET with a fallback from https to http when the TLS side is not there at all.
async fn get_either(app: &App, url: &Url) -> Result<Fetched, FetchError> {
    match app.fetcher.get(url).await {
        Err(FetchError::Network { .. } | FetchError::Timeout(_)) if url.scheme() == "https" => {
            let mut plain = url.clone();
            let _ = plain.set_scheme("http");
            app.fetcher.get(&plain).await
        }
        other => other,
    }
}

async fn robots(app: &App, homepage: &Url) -> Option<Robot> {
    let url = homepage.join("/robots.txt").ok()?;
    match get_either(app, &url).await {
        Ok(page) if page.status == 200 => Robot::new(ROBOTS_AGENT, &page.body).ok(),
        // No robots.txt (4xx) or none we can read: nothing is disallowed.
        _ => None,
    }
}

/// The feed to read for posting dates: the one the homepage advertises, else WordPress's.
fn feed_url(signals: &SiteSignals, homepage: &Url) -> Option<Url> {
    match (&signals.feed_url, signals.detected_cms.as_deref()) {
        (Some(href), _) => homepage.join(href).ok(),
        (None, Some("WordPress")) => homepage.join("/feed/").ok(),
        _ => None,
    }
}

struct Visit {
    page: Url,
    candidates: Vec<Candidate>,
    author: Option<String>,
}

async fn fetch_site(app: &App, domain: &DomainName, homepage: &Url) -> CrawlRecord {
    let mut record = CrawlRecord {
        domain: domain.clone(),
        contact_page_url: None,
        recipient_email: None,
        recipient_name: None,
        emails: vec![],
        raw_extract: String::new(),
        is_reachable: false,
        has_captcha: false,
        is_blocked: false,
        robots_disallowed: false,
        pages: vec![],
        signals: SiteSignals::default(),
        crawled_at: app.clock.now(),
    };
    let robot = robots(app, homepage).await;
    let allowed = |url: &Url| robot.as_ref().is_none_or(|r| r.allowed(url.as_str()));
    if !allowed(homepage) {
        record.robots_disallowed = true;
        return record;
    }
    let mut visits: Vec<Visit> = Vec::new();
    let mut queue = vec![homepage.clone()];
    let mut contact_like: Option<Url> = None;
    while let Some(url) = queue.first().cloned() {
        queue.remove(0);
        if record.pages.len() >= MAX_PAGES {
            break;
        }
        let page = match get_either(app, &url).await {
            Ok(page) => page,
            Err(e) => {
                tracing::debug!(%url, error = %e, "page not fetched");
                continue;
            }
        };
        record.is_reachable = true;
        record.pages.push(page.final_url.to_string());
        let html = page.text();
        record.has_captcha |= has_captcha(&html);
        record.is_blocked |= is_blocked(page.status, &html);
        if !(200..300).contains(&page.status) {
            continue;
        }
        let text = contacts::page_text(&html);
        if visits.is_empty() {
            record.raw_extract = trim_excerpt(&text, RAW_EXTRACT_CHARS);
            let links = contact_pages(&html, &page.final_url, MAX_PAGES - 1);
            record.signals = signals::from_homepage(&html, &text, &links);
            queue.extend(links.into_iter().filter(|next| allowed(next)));
        } else {
            signals::add_page(&mut record.signals, &text);
            if contact_like.is_none() {
                contact_like = Some(page.final_url.clone());
            }
        }
        let (candidates, author) = contacts::extract(&html);
        visits.push(Visit {
            page: page.final_url,
            candidates,
            author,
        });
    }
    if let Some(feed) = feed_url(&record.signals, homepage).filter(|u| allowed(u)) {
        match get_either(app, &feed).await {
            Ok(page) if page.status == 200 => signals::add_feed(&mut record.signals, &page.text()),
            Ok(_) => {}
            Err(e) => tracing::debug!(%feed, error = %e, "feed not fetched"),
        }
    }
    let site = homepage.host_str().unwrap_or(domain.as_str()).to_string();
    let site = if site.parse::<std::net::IpAddr>().is_ok() {
        domain.to_string()
    } else {
        site
    };
    let all: Vec<Candidate> = visits.iter().flat_map(|v| v.candidates.clone()).collect();
    record.emails = rank(&site, all);
    let found_on = |email: &EmailAddress| {
        visits
            .iter()
            .find(|v| v.candidates.iter().any(|c| &c.email == email))
    };
    if let Some(best) = record.emails.first() {
        let visit = found_on(&best.email);
        record.recipient_email = Some(best.email.clone());
        record.recipient_name = best.name.clone().or_else(|| {
            (best.tier == Tier::Person)
                .then(|| visit.and_then(|v| v.author.clone()))
                .flatten()
        });
        let on_homepage = visit.is_some_and(|v| {
            v.page == *homepage || visits.first().is_some_and(|f| f.page == v.page)
        });
        record.contact_page_url = match (on_homepage, visit) {
            (false, Some(v)) => Some(v.page.to_string()),
            _ => contact_like.as_ref().map(Url::to_string),
        };
    } else {
        record.contact_page_url = contact_like.as_ref().map(Url::to_string);
    }
    record
}
