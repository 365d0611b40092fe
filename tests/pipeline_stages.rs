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
