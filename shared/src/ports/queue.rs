//! Queues between pipeline stages: at-least-once delivery, a visibility timeout, and a
//! dead-letter queue after too many receives. Queues are named by their logical name
//! (see `jobs::QueueName`); adapters map names to their own addresses. Every message
//! names its tenant, so that a queue can share its throughput fairly between tenants
//! (SQS fair queues take it as the message group; the local queue serves tenants in turn).

use crate::domain::ids::TenantId;
use async_trait::async_trait;
use std::time::Duration;

/// SQS takes at most ten messages per batch call; adapters split larger sends.
pub const MAX_BATCH: usize = 10;
/// SQS delays a message by at most fifteen minutes.
pub const MAX_DELAY: Duration = Duration::from_secs(900);

/// A message to send, with the tenant it works for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub tenant: TenantId,
    pub body: String,
}

impl Outgoing {
    pub fn new(tenant: &TenantId, body: String) -> Self {
        Self {
            tenant: tenant.clone(),
            body,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueMessage {
    pub id: String,
    /// Identifies this delivery; needed to delete the message.
    pub receipt: String,
    pub body: String,
    /// The tenant it was sent for, as the queue carried it.
    pub tenant: Option<TenantId>,
    /// How many times the message has been received, this time included.
    pub receive_count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueStats {
    /// Messages waiting or in flight.
    pub depth: u64,
    /// Messages moved to the dead-letter queue.
    pub dead_letters: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("no queue is configured under the name {0}")]
    UnknownQueue(String),
    #[error("the queue is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Queue: Send + Sync {
    /// Sends every message; fails if any could not be accepted.
    async fn send(&self, queue: &str, messages: Vec<Outgoing>) -> Result<(), QueueError>;
    /// Sends one message that is not delivered before `delay` has passed (at most
    /// `MAX_DELAY`; longer delays are shortened to it).
    async fn send_after(
        &self,
        queue: &str,
        message: Outgoing,
        delay: Duration,
    ) -> Result<(), QueueError>;
    /// Receives up to `max` messages, hiding them for `visibility`.
    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility: Duration,
    ) -> Result<Vec<QueueMessage>, QueueError>;
    /// Puts a body straight into the queue's dead-letter queue: a message no retry can help.
    async fn dead_letter(&self, queue: &str, body: String) -> Result<(), QueueError>;
    /// Acknowledges a delivery so that the message is not delivered again.
    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError>;
    async fn stats(&self, queue: &str) -> Result<QueueStats, QueueError>;
}
