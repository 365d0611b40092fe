//! One conformance suite for the `Queue` port: the local queue and SQS (moto). Fairness
//! between tenants is the local queue's own; on SQS it is the service's (fair queues, which
//! moto does not model), so there the suite checks the tenant travels as the message group.

mod support;

use backlinks_core::adapters::local_queue::LocalQueue;
use backlinks_core::adapters::sqlite::LocalDb;
use backlinks_core::adapters::sqs::SqsQueue;
use backlinks_core::domain::ids::TenantId;
use backlinks_core::ports::{Clock, ManualClock, Outgoing, Queue, QueueError};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

const MAX_RECEIVES: u32 = 3;
const NAME: &str = "work";

struct Fixture {
    queue: Arc<dyn Queue>,
    clock: Option<Arc<ManualClock>>,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    async fn local() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(support::start_time()));
        let db = LocalDb::open(&dir.path().join("q.sqlite3")).unwrap();
        let queue = LocalQueue::open(
            db,
            clock.clone() as Arc<dyn Clock>,
            vec![NAME.into()],
            MAX_RECEIVES,
        )
        .await
        .unwrap();
        Fixture {
            queue: Arc::new(queue),
            clock: Some(clock),
            _dir: Some(dir),
        }
    }

    async fn sqs() -> Fixture {
        let client = support::sqs_client();
        let (url, dlq) = support::sqs_queue_with_dlq(&client, "work", MAX_RECEIVES).await;
        let queue = SqsQueue::new(
            client,
            HashMap::from([(NAME.to_string(), url)]),
            HashMap::from([(NAME.to_string(), dlq)]),
        );
        Fixture {
            queue: Arc::new(queue),
            clock: None,
            _dir: None,
        }
    }

    /// Lets a visibility timeout (or a delay) of one second pass.
    async fn pass_visibility(&self) {
        match &self.clock {
            Some(clock) => clock.advance_seconds(2),
            None => tokio::time::sleep(Duration::from_millis(1500)).await,
        }
    }
}

const VISIBILITY: Duration = Duration::from_secs(1);

/// Messages of tenant `acme`.
fn acme(bodies: &[String]) -> Vec<Outgoing> {
    for_tenant("acme", bodies)
}

fn for_tenant(tenant: &str, bodies: &[String]) -> Vec<Outgoing> {
    let tenant = TenantId::parse(tenant).unwrap();
    bodies
        .iter()
        .map(|b| Outgoing::new(&tenant, b.clone()))
        .collect()
}

fn one(body: &str) -> Vec<Outgoing> {
    acme(&[body.to_string()])
}

mod cases {
    use super::*;

    pub async fn every_message_is_delivered(f: Fixture) {
        let bodies: Vec<String> = (0..23).map(|i| format!("m{i}")).collect();
        f.queue.send(NAME, acme(&bodies)).await.unwrap();
        let mut seen = HashSet::new();
        for _ in 0..20 {
            for m in f
                .queue
                .receive(NAME, 10, Duration::from_secs(30))
                .await
                .unwrap()
            {
                assert_eq!(m.receive_count, 1);
                f.queue.delete(NAME, &m.receipt).await.unwrap();
                seen.insert(m.body);
            }
            if seen.len() == bodies.len() {
                break;
            }
        }
        assert_eq!(seen, bodies.into_iter().collect::<HashSet<_>>());
        assert_eq!(f.queue.stats(NAME).await.unwrap().depth, 0);
    }

    pub async fn unacknowledged_messages_come_back(f: Fixture) {
        f.queue.send(NAME, one("once")).await.unwrap();
        let first = f.queue.receive(NAME, 10, VISIBILITY).await.unwrap();
        assert_eq!(first.len(), 1);
        assert!(
            f.queue
                .receive(NAME, 10, VISIBILITY)
                .await
                .unwrap()
                .is_empty()
        );
        f.pass_visibility().await;
        let again = f.queue.receive(NAME, 10, VISIBILITY).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].body, "once");
        assert_eq!(again[0].receive_count, 2);
        f.queue.delete(NAME, &again[0].receipt).await.unwrap();
        f.pass_visibility().await;
        assert!(
            f.queue
                .receive(NAME, 10, VISIBILITY)
                .await
                .unwrap()
                .is_empty()
        );
    }

    pub async fn poison_messages_reach_the_dead_letter_queue(f: Fixture) {
        f.queue.send(NAME, one("poison")).await.unwrap();
        for attempt in 1..=MAX_RECEIVES {
            let got = f.queue.receive(NAME, 10, VISIBILITY).await.unwrap();
            assert_eq!(got.len(), 1, "delivery {attempt}");
            f.pass_visibility().await;
        }
        assert!(
            f.queue
                .receive(NAME, 10, VISIBILITY)
                .await
                .unwrap()
                .is_empty()
        );
        let stats = f.queue.stats(NAME).await.unwrap();
        assert_eq!((stats.depth, stats.dead_letters), (0, 1));
    }

    pub async fn dead_lettered_messages_skip_their_retries(f: Fixture) {
        f.queue.send(NAME, one("fine")).await.unwrap();
        f.queue.dead_letter(NAME, "corrupt".into()).await.unwrap();
        let got = f.queue.receive(NAME, 10, VISIBILITY).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body, "fine");
        f.queue.delete(NAME, &got[0].receipt).await.unwrap();
        let stats = f.queue.stats(NAME).await.unwrap();
        assert_eq!((stats.depth, stats.dead_letters), (0, 1));
    }

    pub async fn delayed_messages_wait_their_turn(f: Fixture) {
        f.queue
            .send_after(NAME, one("later").remove(0), Duration::from_secs(1))
            .await
            .unwrap();
        assert!(
            f.queue
                .receive(NAME, 10, VISIBILITY)
                .await
                .unwrap()
                .is_empty(),
            "not before its delay"
        );
        f.pass_visibility().await;
        let got = f.queue.receive(NAME, 10, VISIBILITY).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].body.as_str(), got[0].receive_count), ("later", 1));
    }

    pub async fn unknown_queues_are_errors(f: Fixture) {
        let err = f.queue.send("nope", one("x")).await.unwrap_err();
        assert_eq!(err, QueueError::UnknownQueue("nope".into()));
    }

    pub async fn messages_carry_their_tenant(f: Fixture) {
        let mut sent = for_tenant("acme", &["a1".into(), "a2".into()]);
        sent.extend(for_tenant("globex", &["g1".into()]));
        f.queue.send(NAME, sent).await.unwrap();
        let mut got = Vec::new();
        for _ in 0..10 {
            for m in f.queue.receive(NAME, 10, VISIBILITY).await.unwrap() {
                f.queue.delete(NAME, &m.receipt).await.unwrap();
                got.push((m.body, m.tenant.map(String::from)));
            }
            if got.len() == 3 {
                break;
            }
        }
        got.sort();
        let tenant = |t: &str| Some(t.to_string());
        assert_eq!(
            got,
            vec![
                ("a1".to_string(), tenant("acme")),
                ("a2".to_string(), tenant("acme")),
                ("g1".to_string(), tenant("globex")),
            ]
        );
    }

    /// Tenant A enqueues 1,000 messages, then B 10: every one of B's is served before A's
    /// hundredth.
    pub async fn a_backlog_does_not_hold_up_another_tenant(f: Fixture) {
        let many: Vec<String> = (0..1000).map(|i| format!("a{i}")).collect();
        f.queue.send(NAME, for_tenant("a", &many)).await.unwrap();
        let few: Vec<String> = (0..10).map(|i| format!("b{i}")).collect();
        f.queue.send(NAME, for_tenant("b", &few)).await.unwrap();
        let (mut served_a, mut served_b) = (0, 0);
        while served_b < few.len() {
            let batch = f.queue.receive(NAME, 10, VISIBILITY).await.unwrap();
            assert!(!batch.is_empty(), "B still waits after {served_a} of A's");
            for m in batch {
                f.queue.delete(NAME, &m.receipt).await.unwrap();
                match m.tenant.as_ref().map(|t| t.as_str()) {
                    Some("b") => served_b += 1,
                    _ => served_a += 1,
                }
            }
        }
        assert!(served_a < 100, "B waited for {served_a} of A's messages");
    }
}

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod local {
            $( #[tokio::test] async fn $case() { super::cases::$case(super::Fixture::local().await).await; } )*
        }
        mod sqs {
            $( #[tokio::test] async fn $case() { super::cases::$case(super::Fixture::sqs().await).await; } )*
        }
    };
}

// SQS serves tenants fairly in the service itself, which moto does not model.
#[tokio::test]
async fn local_a_backlog_does_not_hold_up_another_tenant() {
    cases::a_backlog_does_not_hold_up_another_tenant(Fixture::local().await).await;
}

conformance!(
    every_message_is_delivered,
    unacknowledged_messages_come_back,
    poison_messages_reach_the_dead_letter_queue,
    dead_lettered_messages_skip_their_retries,
    delayed_messages_wait_their_turn,
    unknown_queues_are_errors,
    messages_carry_their_tenant,
);
