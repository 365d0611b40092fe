//! Politeness towards the sites we fetch: one request at a time per host, a minimum
//! interval between requests to the same host, and backoff on 429 and 5xx answers
//! (honouring a short `Retry-After`). Wraps any [`Fetcher`].

use crate::ports::fetcher::{FetchError, Fetched, Fetcher};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

#[derive(Debug, Clone, Copy)]
pub struct Politeness {
    /// Least time between two requests to one host.
    pub min_interval: Duration,
    /// Retries after a 429 or 5xx answer.
    pub retries: u32,
    /// First backoff; doubled on each retry.
    pub backoff: Duration,
    /// Longest wait, whatever the server asks.
    pub max_backoff: Duration,
}

impl Default for Politeness {
    fn default() -> Self {
        Self {
            min_interval: Duration::from_millis(500),
            retries: 2,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(10),
        }
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<Instant>>>;

pub struct PoliteFetcher {
    inner: Arc<dyn Fetcher>,
    rules: Politeness,
    hosts: Mutex<HashMap<String, Slot>>,
}

/// Hosts remembered before idle ones are forgotten.
const MAX_HOSTS: usize = 10_000;

impl PoliteFetcher {
    pub fn new(inner: Arc<dyn Fetcher>, rules: Politeness) -> Self {
        Self {
            inner,
            rules,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, host: &str) -> Slot {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        if hosts.len() >= MAX_HOSTS {
            // Forget hosts nobody is fetching right now.
            hosts.retain(|_, slot| Arc::strong_count(slot) > 1);
        }
        hosts.entry(host.to_string()).or_default().clone()
    }
}

fn retry_after(page: &Fetched) -> Option<Duration> {
    page.retry_after.map(Duration::from_secs)
}

#[async_trait]
impl Fetcher for PoliteFetcher {
    async fn get(&self, url: &Url) -> Result<Fetched, FetchError> {
        // One server is a host and port: two sites on one address keep their own pace.
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        );
        let slot = self.slot(&host);
        let mut last = slot.lock().await;
        let mut attempt = 0;
        loop {
            if let Some(at) = *last {
                tokio::time::sleep_until(at + self.rules.min_interval).await;
            }
            let result = self.inner.get(url).await;
            *last = Some(Instant::now());
            let page = match result {
                Ok(page)
                    if (page.status == 429 || page.status >= 500)
                        && attempt < self.rules.retries =>
                {
                    page
                }
                other => return other,
            };
            let backoff = retry_after(&page)
                .unwrap_or(self.rules.backoff * 2u32.pow(attempt))
                .min(self.rules.max_backoff);
            tracing::debug!(%url, status = page.status, ?backoff, "backing off");
            tokio::time::sleep(backoff).await;
            attempt += 1;
        }
    }
}
