//! Crawls and qualifies a few thousand fixture domains served on loopback, through the real
//! stages (layer 1, crawl with robots and contact pages, layers 2 and 3 with the heuristic
//! classifier) on the embedded store and local queues. Prints domains per second and peak
//! memory; figures go to docs/benchmarks.md by hand.
//! Run: cargo bench -p backlinks-core --features local --bench pipeline [-- DOMAINS WORKERS]

mod support;

use support::{fixture_site, peak_rss_mib};

use backlinks_core::app::jobs as job_cases;
use backlinks_core::domain::identity::{Identity, Role};
use backlinks_core::domain::ids::{TenantId, UserId};
use backlinks_core::jobs;
use backlinks_core::local::workers::drain_once;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let domains = args.first().copied().unwrap_or(2_000);
    let workers = args.get(1).copied().unwrap_or(16);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        async move { axum::serve(listener, axum::Router::new().fallback(fixture_site)).await },
    );

    let dir = tempfile::tempdir().unwrap();
    let hosts: Vec<String> = (0..domains).map(|i| format!("site{i}.org")).collect();
    let app = support::fixture_app(dir.path(), &hosts, addr).await;
    let who = Identity {
        tenant: TenantId::parse("bench").unwrap(),
        user: UserId::parse("u").unwrap(),
        role: Role::Member,
    };

    let started = Instant::now();
    let request = serde_json::json!({"urls": hosts});
    let job = job_cases::create(&app, &who, serde_json::from_value(request).unwrap())
        .await
        .unwrap();
    let seeded = started.elapsed();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let stages = [
                jobs::by_name("seed").unwrap(),
                jobs::by_name("crawl").unwrap(),
                jobs::by_name("qualify").unwrap(),
            ];
            loop {
                let mut handled = 0;
                for stage in &stages {
                    handled += drain_once(app.clone(), stage).await.unwrap_or(0);
                }
                if handled == 0 {
                    return;
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    let done = job_cases::get(&app, &who.tenant, &job.id).await.unwrap();
    println!("domains: {domains}, workers: {workers}");
    println!(
        "job seeded in {:.2} s; {} processed, {} passed, {} rejected, {} failed",
        seeded.as_secs_f64(),
        done.processed_urls,
        done.passed_urls,
        done.rejected_urls,
        done.failed_urls
    );
    println!(
        "total {:.2} s, {:.1} domains/s, peak RSS {:.1} MiB",
        elapsed.as_secs_f64(),
        domains as f64 / elapsed.as_secs_f64(),
        peak_rss_mib()
    );
}
