//! POSTing an event to a tenant's webhook. The real adapter
//! (`adapters/webhook_poster.rs`) applies the fetcher's SSRF rules: public addresses only,
//! checked when connecting against the very addresses connected to; no redirect followed; a
//! short time limit; a bounded read of the answer.

use crate::domain::webhooks::delivery::Answer;
use async_trait::async_trait;
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRequest {
    pub url: Url,
    /// Headers beside `Content-Type: application/json`: the signature, the event id.
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookResponse {
    pub status: u16,
    /// The start of the response body, as text.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    /// The address is not one we send to (scheme, port, or a non-public network).
    #[error("refused: {0}")]
    Refused(String),
    #[error("timed out")]
    Timeout,
    #[error("network error: {0}")]
    Network(String),
}

impl From<PostError> for Answer {
    fn from(e: PostError) -> Self {
        match e {
            PostError::Refused(reason) => Answer::Refused(reason),
            PostError::Timeout => Answer::Timeout,
            PostError::Network(reason) => Answer::Network(reason),
        }
    }
}

#[async_trait]
pub trait WebhookPoster: Send + Sync {
    /// Whether a URL may receive webhooks at all, judged without DNS: the scheme (https;
    /// http only where local mode allows private networks), the port, credentials, and a
    /// literal address. The reason, when not.
    fn admits(&self, url: &Url) -> Result<(), String>;
    /// POSTs the body; any answer is a response, whatever its status.
    async fn post(&self, request: &WebhookRequest) -> Result<WebhookResponse, PostError>;
}

/// The poster of an application built without one (`App::new`): it admits any URL and
/// sends nothing, so a delivery fails plainly instead of reaching out from a test.
pub struct NoWebhooks;

#[async_trait]
impl WebhookPoster for NoWebhooks {
    fn admits(&self, _: &Url) -> Result<(), String> {
        Ok(())
    }

    async fn post(&self, _: &WebhookRequest) -> Result<WebhookResponse, PostError> {
        Err(PostError::Refused("no webhook client is configured".into()))
    }
}
