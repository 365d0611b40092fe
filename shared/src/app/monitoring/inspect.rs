//! One link check's fetching: the placement page, its host's robots.txt and where the target
//! now redirects (both kept an hour, `cache`), and only when the link is not found, a random
//! path on the same host (to tell a soft 404 from a removed link). Everything goes through
//! the SSRF-safe fetcher; the judgement is `domain::monitoring::page`.

use crate::app::App;
use crate::domain::monitoring::codes::FindingCode;
use crate::domain::monitoring::page::{
    Expectation, FetchedPage, PageReport, SiteEvidence, analyse,
};
use crate::domain::web::WebUrl;
use crate::ports::fetcher::Fetched;
use std::sync::Arc;
use url::Url;

fn page(requested: &Url, fetched: Fetched) -> FetchedPage {
    FetchedPage {
        requested: requested.clone(),
        body: fetched.text(),
        final_url: fetched.final_url,
        status: fetched.status,
        redirects: fetched.redirects,
        headers: fetched.headers,
    }
}

async fn fetch(app: &App, url: &Url) -> Option<FetchedPage> {
    app.fetcher.get(url).await.ok().map(|f| page(url, f))
}

/// A report for a page that could not be fetched at all.
fn unreachable(placement: &WebUrl, why: String) -> PageReport {
    PageReport {
        findings: vec![FindingCode::Unreachable],
        final_url: placement.to_string(),
        snippet: Some(why),
        ..PageReport::default()
    }
}

/// The robots.txt of `page`'s origin, fetched once an hour per origin. A
/// robots.txt that cannot be read is not kept: the next check asks again.
async fn robots_txt(app: &App, page: &Url) -> Option<String> {
    let url = page.join("/robots.txt").ok()?;
    let origin = url.origin().ascii_serialization();
    if let Some(known) = app.checks.robots.get(&origin) {
        return known.map(|text| text.to_string());
    }
    let fetched = fetch(app, &url).await?;
    let text = match fetched.status {
        200 => Some(fetched.body),
        // RFC 9309 2.3.1.3: an unavailable robots.txt (4xx) allows everything.
        400..=499 => None,
        // Unreachable (5xx): not cached; the analysis treats it as no rules this time.
        _ => return None,
    };
    app.checks
        .robots
        .put(&origin, text.as_deref().map(Arc::<str>::from));
    text
}

/// Checks the link to `target` on `placement`, expecting `anchor` when given.
pub async fn inspect(
    app: &App,
    placement: &WebUrl,
    target: &WebUrl,
    anchor: Option<&str>,
) -> PageReport {
    let requested = placement.as_url();
    let fetched = match app.fetcher.get(requested).await {
        Ok(f) => page(requested, f),
        Err(e) => return unreachable(placement, e.to_string()),
    };
    let robots_txt = robots_txt(app, requested).await;
    let home = requested.join("/").ok().map(|u| u.to_string());
    let expect = Expectation {
        target: target.as_url().clone(),
        target_redirects_to: moved_to(app, target.as_url()).await,
        anchor: anchor.map(str::to_string),
    };
    let mut site = SiteEvidence {
        probe: None,
        robots_txt,
        home,
    };
    let report = analyse(&fetched, &expect, &site);
    if !report.findings.contains(&FindingCode::LinkRemoved) || fetched.status != 200 {
        return report;
    }
    // Not found: perhaps the page is an error page in disguise.
    let probe_path = format!("/{}-not-a-page", app.ids.next().simple());
    if let Ok(probe_url) = requested.join(&probe_path) {
        site.probe = fetch(app, &probe_url).await;
    }
    analyse(&fetched, &expect, &site)
}

/// Where the target now redirects, if anywhere: asked once an hour per target. A target
/// that cannot be fetched is taken as standing, and not kept.
async fn moved_to(app: &App, target: &Url) -> Option<Url> {
    let key = target.to_string();
    if let Some(known) = app.checks.targets.get(&key) {
        return known;
    }
    let fetched = fetch(app, target).await?;
    let moved = (fetched.final_url != fetched.requested).then_some(fetched.final_url);
    app.checks.targets.put(&key, moved.clone());
    moved
}
