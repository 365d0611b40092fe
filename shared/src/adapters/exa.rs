//! Exa's search API: `POST {base}/search` with `x-api-key`, asking for a little page text
//! with each result. The base URL is configurable so tests point it at a fake.

use crate::ports::search::{Search, SearchError, SearchHit};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;
use url::Url;

pub const DEFAULT_BASE_URL: &str = "https://api.exa.ai";
const NAME: &str = "exa";
/// Exa allows 10 searches a second by default; we stay a little under.
pub const MIN_INTERVAL: Duration = Duration::from_millis(125);

pub struct Exa {
    client: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl std::fmt::Debug for Exa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exa")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Response {
    results: Vec<Hit>,
}

#[derive(Deserialize)]
struct Hit {
    url: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

impl Exa {
    pub fn new(
        client: reqwest::Client,
        base_url: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        Self {
            client,
            base_url: base_url.into().trim_end_matches('/').to_string(),
            api_key: api_key.into(),
        }
    }
}

fn unavailable(reason: impl ToString) -> SearchError {
    SearchError::Unavailable {
        provider: NAME,
        reason: reason.to_string(),
    }
}

#[async_trait]
impl Search for Exa {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn search(&self, query: &str, max_results: usize) -> Result<Vec<SearchHit>, SearchError> {
        let body = json!({
            "query": query,
            "type": "auto",
            "numResults": max_results.clamp(1, 100),
            "contents": {"text": {"maxCharacters": 500}},
        });
        let response = self
            .client
            .post(format!("{}/search", self.base_url))
            .header("x-api-key", &self.api_key)
            .timeout(Duration::from_secs(30))
            .json(&body)
            .send()
            .await
            .map_err(unavailable)?;
        let status = response.status();
        if status == 401 || status == 403 || status == 402 {
            return Err(SearchError::Refused {
                provider: NAME,
                reason: format!("HTTP {status}"),
            });
        }
        if !status.is_success() {
            return Err(unavailable(format!("HTTP {status}")));
        }
        let parsed: Response = response.json().await.map_err(unavailable)?;
        Ok(parsed
            .results
            .into_iter()
            .filter_map(|hit| {
                Some(SearchHit {
                    url: Url::parse(&hit.url).ok()?,
                    title: hit.title.unwrap_or_default(),
                    snippet: hit.text.unwrap_or_default(),
                })
            })
            .collect())
    }
}
