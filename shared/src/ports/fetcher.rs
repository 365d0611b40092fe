//! Fetching web pages named by users or found by search. The real adapter is SSRF-safe; the
//! port only promises a bounded, redirect-followed GET.

use async_trait::async_trait;
use bytes::Bytes;
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Where the last redirect led.
    pub final_url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    /// The (decompressed) body, cut at the size cap.
    pub body: Bytes,
    /// Whether the body was cut at the size cap.
    pub truncated: bool,
    /// A `Retry-After` given in seconds.
    pub retry_after: Option<u64>,
    /// The addresses redirected from, in order: the one asked for first, the final one not
    /// among them.
    pub redirects: Vec<Url>,
    /// The final answer's headers, names lower case (at most `MAX_HEADERS`).
    pub headers: Vec<(String, String)>,
}

/// Headers kept from one answer: enough for any real page, bounded against abuse.
pub const MAX_HEADERS: usize = 100;

impl Fetched {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The values of a header (its name lower case), in order.
    pub fn header(&self, name: &str) -> impl Iterator<Item = &str> {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The address is not one we fetch (scheme, port, or a non-public network).
    #[error("refused to fetch {url}: {reason}")]
    Refused { url: String, reason: String },
    #[error("too many redirects from {0}")]
    TooManyRedirects(String),
    #[error("timed out fetching {0}")]
    Timeout(String),
    #[error("could not fetch {url}: {reason}")]
    Network { url: String, reason: String },
}

#[async_trait]
pub trait Fetcher: Send + Sync {
    async fn get(&self, url: &Url) -> Result<Fetched, FetchError>;
}
