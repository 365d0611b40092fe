//! What the benchmarks share (each uses a part of it).
#![allow(dead_code)]

/// The process's peak resident memory so far, in MiB (Linux; 0 elsewhere).
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

use backlinks_core::adapters::local_queue::LocalQueue;
use backlinks_core::adapters::polite::{PoliteFetcher, Politeness};
use backlinks_core::adapters::sqlite::{LocalDb, SqliteTable};
use backlinks_core::adapters::web_fetcher::{FetchPolicy, WebFetcher};
use backlinks_core::app::App;
use backlinks_core::jobs::queue_names;
use backlinks_core::ports::{Clock, SystemClock};
use std::sync::Arc;

/// An application on the embedded store under `dir` that fetches every one of `hosts`
/// from the fixture server at `addr`, with no pause between requests to a host.
pub async fn fixture_app(
    dir: &std::path::Path,
    hosts: &[String],
    addr: std::net::SocketAddr,
) -> Arc<App> {
    let (table, queue, clock) = local_store(dir).await;
    let fetcher = WebFetcher::new(FetchPolicy {
        allow_private: true,
        resolve: hosts.iter().map(|h| (h.clone(), addr)).collect(),
        ..FetchPolicy::default()
    })
    .unwrap();
    let polite = Politeness {
        min_interval: std::time::Duration::ZERO,
        ..Politeness::default()
    };
    Arc::new(App::new(
        Arc::new(table),
        Arc::new(queue),
        clock,
        Arc::new(PoliteFetcher::new(Arc::new(fetcher), polite)),
    ))
}

/// The embedded store and local queues in one SQLite file under `dir`, on the system clock.
pub async fn local_store(dir: &std::path::Path) -> (SqliteTable, LocalQueue, Arc<dyn Clock>) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let db = LocalDb::open(&dir.join("bench.sqlite3")).unwrap();
    let table = SqliteTable::open(db.clone(), clock.clone()).await.unwrap();
    let names = queue_names().into_iter().map(String::from).collect();
    let queue = LocalQueue::open(db, clock.clone(), names, 5).await.unwrap();
    (table, queue, clock)
}

/// A small magazine's website for whatever host the request names: a homepage with a feed
/// and about, contact and write-for-us pages.
pub async fn fixture_site(req: axum::extract::Request) -> axum::response::Response<String> {
    let host = req
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("x")
        .split(':')
        .next()
        .unwrap_or("x")
        .to_string();
    let (status, body) = match req.uri().path() {
        "/" => (
            200,
            format!(
                r#"<html lang="en"><head><title>{host}</title><meta name="generator" content="WordPress 6.5">
            <link rel="alternate" type="application/rss+xml" href="/feed/"></head><body><h1>{host}</h1>
            <p>{}</p><a href="/about">About</a> <a href="/contact">Contact</a> <a href="/write-for-us">Write for us</a></body></html>"#,
                "Guides, reviews and news for people who care about their craft. ".repeat(30)
            ),
        ),
        "/about" => (200, "<p>A small editorial team.</p>".to_string()),
        "/contact" => (200, format!("<p>hello@{host}</p>")),
        "/write-for-us" => (
            200,
            format!(r#"<p>Guest posts welcome: <a href="mailto:editor@{host}">Sam Lee</a></p>"#),
        ),
        "/feed/" => (
            200,
            format!(
                "<rss><channel><item><pubDate>{}</pubDate></item></channel></rss>",
                chrono::Utc::now().to_rfc2822()
            ),
        ),
        _ => (404, "not found".to_string()),
    };
    let mut response = axum::response::Response::new(body);
    *response.status_mut() = axum::http::StatusCode::from_u16(status).unwrap();
    response
}
