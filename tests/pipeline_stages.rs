//! Pipeline stages on the AWS adapters' side: the hand-off between crawl and qualify
//! through SQS (moto), and the archival sweep with a clock that jumps months.

mod support;

use backlinks_core::adapters::sqs::SqsQueue;
use backlinks_core::app::{App, jobs};
use backlinks_core::domain::identity::{Identity, Role};
use backlinks_core::domain::ids::{TenantId, UserId};
use backlinks_core::domain::job::JobStatus;
use backlinks_core::ports::Queue;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use support::{Rig, Site};

fn acme() -> Identity {
    Identity {
        tenant: TenantId::parse("acme").unwrap(),
        user: UserId::parse("u1").unwrap(),
        role: Role::Member,
    }
}

async fn fixture() -> Site {
    let site = Site::new("handoff.org").await;
    site.page(
        "/",
        200,
        "<p>Editor: ed@handoff.org</p><a href=\"/about\">About</a>",
    )
    .await;
    site.page("/about", 200, "<p>About us</p>").await;
    site
}

#[tokio::test]
async fn crawl_hands_off_to_qualify_through_sqs() {
    let site = fixture().await;
    let rig = Rig::new(vec![site.addr()]).await;
    let client = support::sqs_client();
    let (mut urls, mut dead_letters) = (HashMap::new(), HashMap::new());
    for name in backlinks_core::jobs::queue_names() {
        let (url, dlq) = support::sqs_queue_with_dlq(&client, name, 5).await;
        urls.insert(name.to_string(), url);
        dead_letters.insert(name.to_string(), dlq);
    }
    let sqs: Arc<dyn Queue> = Arc::new(SqsQueue::new(client, urls, dead_letters));
    let app = Arc::new(App {
        queue: sqs.clone(),
        ..rig.app.clone()
    });
    let job = jobs::create(
        &app,
        &acme(),
        serde_json::from_value(serde_json::json!({"urls": ["https://handoff.org/"]})).unwrap(),
    )
    .await
    .unwrap();
    // Each stage takes its message from SQS, handles it, and deletes it.
    for stage in ["seed", "crawl", "qualify"] {
        let messages = sqs
            .receive(stage, 10, Duration::from_secs(30))
            .await
            .unwrap();
        assert_eq!(messages.len(), 1, "{stage}");
        let runner = backlinks_core::jobs::by_name(stage).unwrap();
        let batch = messages
            .iter()
            .map(|m| (m.id.clone(), m.body.clone()))
            .collect();
        assert!(
            backlinks_core::jobs::run_batch(
                app.clone(),
                &runner,
                batch,
                backlinks_core::jobs::batch::deadline_for(&runner)
            )
            .await
            .is_empty()
        );
        sqs.delete(stage, &messages[0].receipt).await.unwrap();
    }
    let done = jobs::get(&app, &acme().tenant, &job.id).await.unwrap();
    assert_eq!(
        (done.status, done.processed_urls),
        (JobStatus::Completed, 1)
    );
}

#[tokio::test]
async fn finished_jobs_are_archived_after_90_days_and_deleted_after_180() {
    let site = fixture().await;
    let rig = Rig::new(vec![site.addr()]).await;
    let app = Arc::new(rig.app.clone());
    let job = jobs::create(
        &app,
        &acme(),
        serde_json::from_value(serde_json::json!({"urls": ["handoff.org"]})).unwrap(),
    )
    .await
    .unwrap();
    for stage in ["seed", "crawl", "qualify"] {
        let runner = backlinks_core::jobs::by_name(stage).unwrap();
        let drained = backlinks_core::local::workers::drain_once(app.clone(), &runner)
            .await
            .unwrap();
        assert_eq!(drained, 1);
    }
    let tenant = acme().tenant;
    assert_eq!(
        jobs::get(&app, &tenant, &job.id).await.unwrap().status,
        JobStatus::Completed
    );
    assert_eq!(
        jobs::archive_sweep(&app, &support::budget()).await.unwrap(),
        (0, 0)
    );
    rig.clock.advance_seconds(91 * 86_400);
    assert_eq!(
        jobs::archive_sweep(&app, &support::budget()).await.unwrap(),
        (1, 0)
    );
    let archived = jobs::get(&app, &tenant, &job.id).await.unwrap();
    assert!(archived.is_archived && archived.archived_at.is_some());
    assert_eq!(
        jobs::archive_sweep(&app, &support::budget()).await.unwrap(),
        (0, 0)
    );
    rig.clock.advance_seconds(181 * 86_400);
    assert_eq!(
        jobs::archive_sweep(&app, &support::budget()).await.unwrap(),
        (0, 1)
    );
    assert!(jobs::get(&app, &tenant, &job.id).await.is_err());
    let left = backlinks_core::ports::table::Query::new(
        backlinks_core::ports::table::Index::Table,
        jobs::keys::results(&tenant, &job.id),
    );
    assert!(
        app.table.query(left).await.unwrap().items.is_empty(),
        "results deleted too"
    );
}

/// `n` URLs, one site each.
fn many_urls(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("https://site{i}.org/")).collect()
}

async fn url_job(app: &App, urls: Vec<String>) -> backlinks_core::domain::job::Job {
    let input = serde_json::from_value(serde_json::json!({ "urls": urls })).unwrap();
    jobs::create(app, &acme(), input).await.unwrap()
}

/// Runs the seed stage until its queue is empty.
async fn drain_seed(app: &Arc<App>) {
    let seed = backlinks_core::jobs::by_name("seed").unwrap();
    while backlinks_core::local::workers::drain_once(app.clone(), &seed)
        .await
        .unwrap()
        > 0
    {}
}

async fn depth(app: &App, queue: &str) -> u64 {
    app.queue.stats(queue).await.unwrap().depth
}

fn chunk(job: &backlinks_core::domain::job::Job, index: u32) -> jobs::SeedMessage {
    jobs::SeedMessage {
        tenant_id: acme().tenant,
        job_id: job.id.clone(),
        chunk: index,
    }
}

#[tokio::test]
async fn five_thousand_urls_are_seeded_in_the_queue_stage_once_each() {
    let rig = Rig::new(vec![]).await;
    let app = Arc::new(rig.app.clone());
    let job = url_job(&app, many_urls(5_000)).await;
    // The request stored the plan and queued the first chunk: no result yet.
    assert_eq!((job.status, job.total_urls), (JobStatus::Pending, 0));
    assert_eq!(depth(&app, "seed").await, 1);
    drain_seed(&app).await;
    let seeded = jobs::get(&app, &acme().tenant, &job.id).await.unwrap();
    assert_eq!(
        (seeded.status, seeded.total_urls, seeded.seeding),
        (JobStatus::Processing, 5_000, false)
    );
    assert_eq!(depth(&app, "crawl").await, 5_000);
    // Every chunk redelivered: nothing is counted, written or queued twice.
    for index in 0..10 {
        jobs::seed_stage(&app, &chunk(&job, index)).await.unwrap();
    }
    drain_seed(&app).await;
    let again = jobs::get(&app, &acme().tenant, &job.id).await.unwrap();
    assert_eq!(again.total_urls, 5_000);
    assert_eq!(depth(&app, "crawl").await, 5_000);
    let query = backlinks_core::ports::table::Query::new(
        backlinks_core::ports::table::Index::Table,
        jobs::keys::results(&acme().tenant, &job.id),
    )
    .sort(backlinks_core::ports::table::SortCondition::BeginsWith(
        jobs::keys::RESULT_PREFIX.into(),
    ));
    let mut written = 0;
    let mut cursor = None;
    loop {
        let page = app
            .table
            .query(query.clone().start_after(cursor))
            .await
            .unwrap();
        written += page.items.len();
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(written, 5_000);
}

#[tokio::test]
async fn a_chunk_whose_worker_died_is_taken_over_after_the_stage_time_limit() {
    let rig = Rig::new(vec![]).await;
    let refusing = support::refusing::RefusingQueue::new(rig.app.queue.clone(), &["crawl"]);
    let app = Arc::new(App {
        queue: refusing.clone(),
        ..rig.app.clone()
    });
    let job = url_job(&app, many_urls(600)).await;
    // The worker claims chunk 0, writes its results, and dies before queueing their crawl.
    assert!(jobs::seed_stage(&app, &chunk(&job, 0)).await.is_err());
    refusing.allow_all();
    // While the claim is fresh, another worker leaves it alone.
    let busy = jobs::seed_stage(&app, &chunk(&job, 0)).await;
    assert!(
        matches!(busy, Err(backlinks_core::app::AppError::Unavailable(_))),
        "{busy:?}"
    );
    assert_eq!(depth(&app, "crawl").await, 0);
    rig.clock
        .advance_seconds(i64::from(jobs::SEED_TIMEOUT_SECS) + 1);
    jobs::seed_stage(&app, &chunk(&job, 0)).await.unwrap();
    drain_seed(&app).await;
    let seeded = jobs::get(&app, &acme().tenant, &job.id).await.unwrap();
    assert_eq!((seeded.total_urls, seeded.seeding), (600, false));
    assert_eq!(depth(&app, "crawl").await, 600);
}

#[tokio::test]
async fn the_repair_sweep_restarts_seeding_whose_message_was_lost() {
    let rig = Rig::new(vec![]).await;
    let app = Arc::new(rig.app.clone());
    let job = url_job(&app, many_urls(700)).await;
    // The first chunk is seeded; the message for the second is lost.
    let seed = backlinks_core::jobs::by_name("seed").unwrap();
    assert_eq!(
        backlinks_core::local::workers::drain_once(app.clone(), &seed)
            .await
            .unwrap(),
        1
    );
    let lost = app
        .queue
        .receive("seed", 10, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(lost.len(), 1);
    app.queue.delete("seed", &lost[0].receipt).await.unwrap();
    let stalled = jobs::get(&app, &acme().tenant, &job.id).await.unwrap();
    assert_eq!((stalled.total_urls, stalled.seeding), (500, true));
    // Not yet taken as stuck.
    assert_eq!(
        jobs::repair_sweep(&app, &support::budget()).await.unwrap(),
        0
    );
    rig.clock.advance_seconds(16 * 60);
    assert_eq!(
        jobs::repair_sweep(&app, &support::budget()).await.unwrap(),
        1
    );
    assert_eq!(depth(&app, "seed").await, 1);
    drain_seed(&app).await;
    let seeded = jobs::get(&app, &acme().tenant, &job.id).await.unwrap();
    assert_eq!(
        (seeded.total_urls, seeded.seeding, seeded.status),
        (700, false, JobStatus::Processing)
    );
    rig.clock.advance_seconds(16 * 60);
    assert_eq!(
        jobs::repair_sweep(&app, &support::budget()).await.unwrap(),
        0
    );
}

/// A search provider that answers after a pause and records how many of its searches were
/// in flight at once.
#[derive(Default)]
struct CountingSearch {
    in_flight: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
    calls: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl backlinks_core::ports::Search for CountingSearch {
    fn name(&self) -> &'static str {
        "counting"
    }

    async fn search(
        &self,
        _query: &str,
        _max: usize,
    ) -> Result<
        Vec<backlinks_core::ports::search::SearchHit>,
        backlinks_core::ports::search::SearchError,
    > {
        use std::sync::atomic::Ordering::SeqCst;
        let now = self.in_flight.fetch_add(1, SeqCst) + 1;
        self.most.fetch_max(now, SeqCst);
        self.calls.fetch_add(1, SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.in_flight.fetch_sub(1, SeqCst);
        Ok(vec![])
    }
}

#[tokio::test]
async fn discovery_runs_a_providers_queries_concurrently_within_a_bound() {
    use std::sync::atomic::Ordering::SeqCst;
    let rig = Rig::new(vec![]).await;
    let search = Arc::new(CountingSearch::default());
    let app = App {
        search: vec![search.clone()],
        ..rig.app.clone()
    };
    let campaign = backlinks_core::app::campaigns::create(
        &app,
        &acme().tenant,
        serde_json::from_value(serde_json::json!({"name": "c", "keywords": ["a", "b"]})).unwrap(),
    )
    .await
    .unwrap();
    let job = jobs::discover(&app, &acme(), &campaign, Default::default())
        .await
        .unwrap();
    let message = jobs::StageMessage {
        tenant_id: acme().tenant,
        job_id: job.id.clone(),
        result_id: None,
    };
    backlinks_core::app::discover::run(&app, &message, Duration::from_millis(1))
        .await
        .unwrap();
    assert_eq!(search.calls.load(SeqCst), 16);
    let most = search.most.load(SeqCst);
    assert!((2..=4).contains(&most), "{most} searches at once");
}
