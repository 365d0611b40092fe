//! Fairness between tenants in local mode: tenant A starts a 300-URL job, tenant B a 6-URL
//! job right after; the local runtime's own workers (one per queue, as `backlinks serve`
//! runs them) crawl and qualify both against fixture sites on loopback, each page answered
//! after a short delay as a real site would. Prints how long B waited and how far A had got
//! when B was done; figures go to docs/benchmarks.md by hand.
//! Run: cargo bench -p backlinks-core --features local --bench fairness [-- A_URLS B_URLS DELAY_MS]

mod support;

use backlinks_core::app::{App, jobs as job_cases};
use backlinks_core::domain::identity::{Identity, Role};
use backlinks_core::domain::ids::{TenantId, UserId};
use backlinks_core::domain::job::{Job, JobStatus};
use std::time::{Duration, Instant};
use support::fixture_site;

fn who(tenant: &str) -> Identity {
    Identity {
        tenant: TenantId::parse(tenant).unwrap(),
        user: UserId::parse("u").unwrap(),
        role: Role::Member,
    }
}

async fn job(app: &App, who: &Identity, hosts: &[String]) -> Job {
    let request = serde_json::json!({ "urls": hosts });
    job_cases::create(app, who, serde_json::from_value(request).unwrap())
        .await
        .unwrap()
}

async fn finished(app: &App, who: &Identity, job: &Job) -> Job {
    job_cases::get(app, &who.tenant, &job.id).await.unwrap()
}

#[tokio::main]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let a_urls = args.first().copied().unwrap_or(300) as usize;
    let b_urls = args.get(1).copied().unwrap_or(6) as usize;
    let delay = Duration::from_millis(args.get(2).copied().unwrap_or(20));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let slow_site = move |req| async move {
        tokio::time::sleep(delay).await;
        fixture_site(req).await
    };
    tokio::spawn(
        async move { axum::serve(listener, axum::Router::new().fallback(slow_site)).await },
    );

    let dir = tempfile::tempdir().unwrap();
    let hosts = |prefix: &str, n: usize| -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}.org")).collect()
    };
    let (a_hosts, b_hosts) = (
        hosts("tenant-a-site", a_urls),
        hosts("tenant-b-site", b_urls),
    );
    let every_host: Vec<String> = a_hosts.iter().chain(&b_hosts).cloned().collect();
    let app = support::fixture_app(dir.path(), &every_host, addr).await;
    let (a, b) = (who("tenant-a"), who("tenant-b"));

    let started = Instant::now();
    let a_job = job(&app, &a, &a_hosts).await;
    let b_job = job(&app, &b, &b_hosts).await;
    let b_started = started.elapsed();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = backlinks_core::local::workers::spawn(app.clone(), stopped);
    let (b_done_at, a_when_b_done) = loop {
        if finished(&app, &b, &b_job).await.status == JobStatus::Completed {
            break (
                started.elapsed(),
                finished(&app, &a, &a_job).await.processed_urls,
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let a_done_at = loop {
        if finished(&app, &a, &a_job).await.status == JobStatus::Completed {
            break started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let _ = stop.send(true);
    for w in workers {
        let _ = w.await;
    }
    println!("A: {a_urls} URLs, B: {b_urls} URLs, each page answered after {delay:?}");
    println!(
        "B waited {:.2} s; A had processed {a_when_b_done} of {a_urls} ({:.0}%) when B was done",
        (b_done_at - b_started).as_secs_f64(),
        100.0 * a_when_b_done as f64 / a_urls as f64
    );
    println!("A done after {:.2} s", a_done_at.as_secs_f64());
}
