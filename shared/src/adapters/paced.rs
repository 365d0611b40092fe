//! A search provider held to its rate limit: calls may be made concurrently, but each
//! starts no sooner than `interval` after the one before it, across every caller of this
//! value (one per process: a Lambda instance, or the local server).

use crate::ports::search::{Search, SearchError, SearchHit};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

pub struct Paced {
    inner: Arc<dyn Search>,
    interval: Duration,
    /// When the next call may start.
    next: Mutex<Instant>,
}

impl Paced {
    pub fn new(inner: Arc<dyn Search>, interval: Duration) -> Self {
        Self {
            inner,
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Takes the next start slot and waits for it.
    async fn wait_turn(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[async_trait]
impl Search for Paced {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn search(&self, query: &str, max_results: usize) -> Result<Vec<SearchHit>, SearchError> {
        self.wait_turn().await;
        self.inner.search(query, max_results).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex as StdMutex;

    struct Clocked(StdMutex<Vec<Instant>>);

    #[async_trait]
    impl Search for Clocked {
        fn name(&self) -> &'static str {
            "clocked"
        }
        async fn search(&self, _: &str, _: usize) -> Result<Vec<SearchHit>, SearchError> {
            self.0.lock().unwrap().push(Instant::now());
            Ok(vec![])
        }
    }

    #[tokio::test]
    async fn concurrent_calls_take_one_start_slot_each() {
        let interval = Duration::from_millis(20);
        let inner = Arc::new(Clocked(StdMutex::new(vec![])));
        let began = Instant::now();
        let paced = Paced::new(inner.clone(), interval);
        let calls = (0..4).map(|i| {
            let paced = &paced;
            async move { paced.search(&format!("q{i}"), 5).await }
        });
        futures::future::join_all(calls).await;
        let mut starts = inner.0.lock().unwrap().clone();
        starts.sort();
        assert_eq!(starts.len(), 4);
        // The k-th call may not start before k intervals have passed.
        for (k, start) in starts.iter().enumerate() {
            assert!(*start >= began + interval * k as u32, "{k}: {starts:?}");
        }
    }
}
