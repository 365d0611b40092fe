//! A queue that refuses sends to some of its queues (all of them with "*") and passes
//! everything else to the queue it wraps: a queue that is down, or a worker that dies
//! between writing and queueing.

use async_trait::async_trait;
use backlinks_core::ports::queue::{QueueError, QueueMessage, QueueStats};
use backlinks_core::ports::{Outgoing, Queue};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct RefusingQueue {
    inner: Arc<dyn Queue>,
    refused: Mutex<Vec<String>>,
}

impl RefusingQueue {
    pub fn new(inner: Arc<dyn Queue>, refused: &[&str]) -> Arc<Self> {
        Arc::new(Self {
            inner,
            refused: Mutex::new(refused.iter().map(|q| q.to_string()).collect()),
        })
    }

    /// From now on every send goes through.
    pub fn allow_all(&self) {
        self.refused.lock().unwrap().clear();
    }

    fn check(&self, queue: &str) -> Result<(), QueueError> {
        let refused = self.refused.lock().unwrap();
        if refused.iter().any(|q| q == queue || q == "*") {
            return Err(QueueError::Unavailable(format!("{queue} refused the send")));
        }
        Ok(())
    }
}

#[async_trait]
impl Queue for RefusingQueue {
    async fn send(&self, queue: &str, messages: Vec<Outgoing>) -> Result<(), QueueError> {
        self.check(queue)?;
        self.inner.send(queue, messages).await
    }

    async fn send_after(
        &self,
        queue: &str,
        message: Outgoing,
        delay: Duration,
    ) -> Result<(), QueueError> {
        self.check(queue)?;
        self.inner.send_after(queue, message, delay).await
    }

    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility: Duration,
    ) -> Result<Vec<QueueMessage>, QueueError> {
        self.inner.receive(queue, max, visibility).await
    }

    async fn dead_letter(&self, queue: &str, body: String) -> Result<(), QueueError> {
        self.inner.dead_letter(queue, body).await
    }

    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        self.inner.delete(queue, receipt).await
    }

    async fn stats(&self, queue: &str) -> Result<QueueStats, QueueError> {
        self.inner.stats(queue).await
    }
}
