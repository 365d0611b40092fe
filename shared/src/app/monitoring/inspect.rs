//! One link check's fetching: the placement page, its host's robots.txt, and only when the
//! link is not found, where the target now redirects and a random path on the same host (to
//! tell a soft 404 from a removed link). Everything goes through the SSRF-safe fetcher; the
//! judgement is `domain::monitoring::page`.

use crate::app::App;
use crate::domain::monitoring::codes::FindingCode;
use crate::domain::monitoring::page::{
    Expectation, FetchedPage, PageReport, SiteEvidence, analyse,
};
use crate::domain::web::WebUrl;
use crate::ports::fetcher::Fetched;
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
    let robots_txt = match requested.join("/robots.txt") {
        Ok(url) => fetch(app, &url)
            .await
            .filter(|r| r.status == 200)
            .map(|r| r.body),
        Err(_) => None,
    };
    let home = requested.join("/").ok().map(|u| u.to_string());
    let mut expect = Expectation {
        target: target.as_url().clone(),
        target_redirects_to: None,
        anchor: anchor.map(str::to_string),
    };
    let mut site = SiteEvidence {
        probe: None,
        robots_txt,
        home,
    };
    let report = analyse(&fetched, &expect, &site);
    if !report.findings.contains(&FindingCode::LinkRemoved) {
        return report;
    }
    // Not found: perhaps the target moved, or the page is an error page in disguise.
    if let Some(moved) = fetch(app, target.as_url()).await
        && moved.final_url != moved.requested
    {
        expect.target_redirects_to = Some(moved.final_url);
    }
    let probe_path = format!("/{}-not-a-page", app.ids.next().simple());
    if fetched.status == 200
        && let Ok(probe_url) = requested.join(&probe_path)
    {
        site.probe = fetch(app, &probe_url).await;
    }
    analyse(&fetched, &expect, &site)
}
