//! Webhook delivery over reqwest, under the fetcher's SSRF rules (`web_fetcher.rs`): the
//! same URL checks, and the same resolver, which refuses a name that leads to a non-public
//! address and hands reqwest only the addresses it checked, so DNS rebinding cannot slip a
//! private one in. Webhooks are https, unless local mode allows private networks (test
//! receivers on loopback). No redirect is followed: a 3xx is the receiver's answer. Five
//! seconds to connect, ten in all, and at most 4 KB of the answer read.

use super::web_fetcher::{FetchPolicy, GuardedResolver, check_url, classify};
use crate::ports::fetcher::FetchError;
use crate::ports::webhook::{PostError, WebhookPoster, WebhookRequest, WebhookResponse};
use async_trait::async_trait;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use url::Url;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The whole request, answer included: well inside the delivery job's limit.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer read; the rest is not waited for.
const MAX_RESPONSE_BYTES: usize = 4 * 1024;

pub struct WebhookClient {
    policy: FetchPolicy,
    /// Built on the first POST, so a function that never delivers never pays for it.
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl WebhookClient {
    /// `allow_private` and `resolve` as in [`FetchPolicy`]: local mode's opt-in to private
    /// networks (and plain http), and its fixed addresses for host names.
    pub fn new(allow_private: bool, resolve: Vec<(String, SocketAddr)>) -> Self {
        Self {
            policy: FetchPolicy {
                allow_private,
                resolve,
                connect_timeout: CONNECT_TIMEOUT,
                total_timeout: TOTAL_TIMEOUT,
                user_agent: concat!("Backlinks-Webhooks/", env!("CARGO_PKG_VERSION")).into(),
                // Redirects are never followed and the answer is read here, so the fetcher's
                // limits on both do not apply.
                ..FetchPolicy::default()
            },
            client: OnceLock::new(),
        }
    }

    fn client(&self) -> Result<&reqwest::Client, PostError> {
        let built = self.client.get_or_init(|| {
            let mut builder = crate::tls::reqwest_builder();
            if self.policy.allow_private {
                for (host, addr) in &self.policy.resolve {
                    builder = builder.resolve(host, *addr);
                }
            }
            builder
                .redirect(reqwest::redirect::Policy::none())
                .dns_resolver(Arc::new(GuardedResolver {
                    allow_private: self.policy.allow_private,
                }))
                .connect_timeout(self.policy.connect_timeout)
                .timeout(self.policy.total_timeout)
                .user_agent(self.policy.user_agent.clone())
                .no_proxy()
                .build()
                .map_err(|e| e.to_string())
        });
        built
            .as_ref()
            .map_err(|e| PostError::Network(format!("cannot build the HTTP client: {e}")))
    }
}

/// An error and its causes, outermost first: reqwest's own text rarely says what failed.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn post_error(url: &Url, e: reqwest::Error) -> PostError {
    let detail = chain(&e);
    match classify(url, e) {
        FetchError::Timeout(_) => PostError::Timeout,
        FetchError::Refused { reason, .. } => PostError::Refused(reason),
        _ => PostError::Network(detail),
    }
}

/// The start of the answer's body; reading stops at the cap or at the first error.
async fn read_start(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_RESPONSE_BYTES - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_RESPONSE_BYTES {
            break;
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

#[async_trait]
impl WebhookPoster for WebhookClient {
    fn admits(&self, url: &Url) -> Result<(), String> {
        if url.scheme() != "https" && !self.policy.allow_private {
            return Err("webhooks must use https".into());
        }
        check_url(&self.policy, url).map_err(|e| match e {
            FetchError::Refused { reason, .. } => reason,
            other => other.to_string(),
        })
    }

    async fn post(&self, request: &WebhookRequest) -> Result<WebhookResponse, PostError> {
        let url = &request.url;
        self.admits(url).map_err(PostError::Refused)?;
        let mut builder = self
            .client()?
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let response = builder
            .body(request.body.clone())
            .send()
            .await
            .map_err(|e| post_error(url, e))?;
        let status = response.status().as_u16();
        Ok(WebhookResponse {
            status,
            body: read_start(response).await,
        })
    }
}
