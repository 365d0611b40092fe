//! One conformance suite for the `Queue` port: the local queue and SQS (moto).

mod support;

use backlinks_core::adapters::local_queue::LocalQueue;
use backlinks_core::adapters::sqlite::LocalDb;
use backlinks_core::adapters::sqs::SqsQueue;
use backlinks_core::ports::{Clock, ManualClock, Queue, QueueError};
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

mod cases {
    use super::*;

    pub async fn every_message_is_delivered(f: Fixture) {
        let bodies: Vec<String> = (0..23).map(|i| format!("m{i}")).collect();
        f.queue.send(NAME, bodies.clone()).await.unwrap();
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
        f.queue.send(NAME, vec!["once".into()]).await.unwrap();
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
        f.queue.send(NAME, vec!["poison".into()]).await.unwrap();
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
        f.queue.send(NAME, vec!["fine".into()]).await.unwrap();
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
            .send_after(NAME, "later".into(), Duration::from_secs(1))
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
        let err = f.queue.send("nope", vec!["x".into()]).await.unwrap_err();
        assert_eq!(err, QueueError::UnknownQueue("nope".into()));
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

conformance!(
    every_message_is_delivered,
    unacknowledged_messages_come_back,
    poison_messages_reach_the_dead_letter_queue,
    dead_lettered_messages_skip_their_retries,
    delayed_messages_wait_their_turn,
    unknown_queues_are_errors,
);
