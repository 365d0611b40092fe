//! Whether a search engine has indexed a page: the `isIndexed` of a backlink. Without a
//! configured checker the answer is unknown (null), never guessed.

use async_trait::async_trait;
use url::Url;

/// One answer, with what was asked and what it cost, so a report can show its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexAnswer {
    pub indexed: bool,
    /// The query as a person would type it into the search engine (e.g. `site:https://…`).
    pub checked_query: String,
    pub provider: String,
    /// What the provider charged for this answer, in US dollars.
    pub cost_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    /// The provider could not answer now (network, timeout, rate limit, its own or the
    /// search engine's failure); worth asking again later.
    #[error("{provider} is unavailable: {reason}")]
    Unavailable {
        provider: &'static str,
        reason: String,
    },
    /// The provider refused the request (credentials, balance, plan, a setting or a page it
    /// cannot check); asking again will not help. The reason names what to fix.
    #[error("{provider} refused the request: {reason}")]
    Refused {
        provider: &'static str,
        reason: String,
    },
}

impl IndexError {
    pub fn retryable(&self) -> bool {
        matches!(self, IndexError::Unavailable { .. })
    }
}

#[async_trait]
pub trait IndexChecker: Send + Sync {
    async fn is_indexed(&self, url: &Url) -> Result<IndexAnswer, IndexError>;
}
