//! Web search providers that find sites which might link.

use async_trait::async_trait;
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub url: Url,
    pub title: String,
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The provider could not be reached or failed; worth retrying.
    #[error("{provider} is unavailable: {reason}")]
    Unavailable {
        provider: &'static str,
        reason: String,
    },
    /// The provider refused the request (bad key, quota); retrying will not help.
    #[error("{provider} refused the request: {reason}")]
    Refused {
        provider: &'static str,
        reason: String,
    },
}

impl SearchError {
    pub fn retryable(&self) -> bool {
        matches!(self, SearchError::Unavailable { .. })
    }
}

#[async_trait]
pub trait Search: Send + Sync {
    /// The provider's name, for results and errors.
    fn name(&self) -> &'static str;
    async fn search(&self, query: &str, max_results: usize) -> Result<Vec<SearchHit>, SearchError>;
}
