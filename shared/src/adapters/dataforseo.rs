//! DataForSEO's Google Organic SERP API as the index checker: one Live Regular task per
//! page, `POST {base}/v3/serp/google/organic/live/regular` with HTTP Basic auth (the API
//! login and password) and the body `[{"keyword": "site:<page URL>", "location_code": …,
//! "language_code": …, "depth": 10}]`.
//!
//! Judgement: the page is indexed when an `organic` item of the SERP is the page itself,
//! compared after dropping the scheme, a leading `www.`, a trailing slash and the fragment.
//! DataForSEO documents `site:{{URL}}` in the keyword as its way to check that a page is
//! indexed ("in case the specified page does not appear in the results, it is not
//! indexed"), billed at five times a plain query; the task code 40102 "No Search Results"
//! is that empty answer. Google warns that `site:https://www.example.com` and
//! `site:https://example.com/` differ, so the query keeps the URL exactly as stored.
//!
//! Sources:
//! - <https://docs.dataforseo.com/v3/serp/google/organic/live/regular/> (endpoint, body,
//!   `%25`/`%2B` in keywords, the 700-character limit, response fields)
//! - <https://dataforseo.com/help-center/check-if-a-page-is-indexed> (`site:` rule, cost)
//! - <https://docs.dataforseo.com/v3/appendix/errors/> (HTTP 401/402/404/500 and the
//!   `status_code` of the envelope and of each task, 20000 for success)
//! - <https://dataforseo.com/help-center/what-does-the-40101-error-mean> and
//!   <https://dataforseo.com/help-center/what-does-the-40102-error-mean>
//! - <https://developers.google.com/search/docs/monitor-debug/search-operators/all-search-site>

use crate::ports::index::{IndexAnswer, IndexChecker, IndexError};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;
use url::Url;

pub const DEFAULT_BASE_URL: &str = "https://api.dataforseo.com";
/// United States, in DataForSEO's location list.
pub const DEFAULT_LOCATION_CODE: u32 = 2840;
pub const DEFAULT_LANGUAGE_CODE: &str = "en";
const NAME: &str = "dataforseo";
const ENDPOINT: &str = "/v3/serp/google/organic/live/regular";
/// An indexed page answers its own `site:` query first; one SERP of ten is billed as one.
const DEPTH: u32 = 10;
/// DataForSEO's keyword limit, counted after it decodes `%##`.
const MAX_KEYWORD_CHARS: usize = 700;
/// Live SERPs take about six seconds on average; `site:` queries take longer.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct DataForSeoConfig {
    pub base_url: String,
    pub login: String,
    pub password: String,
    /// The Google location and language the SERP is asked for.
    pub location_code: u32,
    pub language_code: String,
}

/// Never prints the password (configuration is logged when start-up fails).
impl std::fmt::Debug for DataForSeoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataForSeoConfig")
            .field("base_url", &self.base_url)
            .field("location_code", &self.location_code)
            .field("language_code", &self.language_code)
            .finish_non_exhaustive()
    }
}

type ClientSource = Box<dyn Fn() -> reqwest::Client + Send + Sync>;

pub struct DataForSeo {
    /// Called per request: the Lambda wiring hands out one client built on first use, so a
    /// function that never checks indexing never builds one.
    client: ClientSource,
    config: DataForSeoConfig,
    timeout: Duration,
}

impl std::fmt::Debug for DataForSeo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataForSeo")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl DataForSeo {
    pub fn new(
        client: impl Fn() -> reqwest::Client + Send + Sync + 'static,
        mut config: DataForSeoConfig,
    ) -> Self {
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        Self {
            client: Box::new(client),
            config,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Bounds each request, body included (the default is 30 seconds).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

#[derive(Deserialize)]
struct Envelope {
    status_code: u32,
    status_message: Option<String>,
    cost: Option<f64>,
    tasks: Option<Vec<Task>>,
}

#[derive(Deserialize)]
struct Task {
    status_code: u32,
    status_message: Option<String>,
    cost: Option<f64>,
    result: Option<Vec<Serp>>,
}

#[derive(Deserialize)]
struct Serp {
    items: Option<Vec<Item>>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
}

fn unavailable(reason: impl ToString) -> IndexError {
    IndexError::Unavailable {
        provider: NAME,
        reason: reason.to_string(),
    }
}

fn refused(reason: impl ToString) -> IndexError {
    IndexError::Refused {
        provider: NAME,
        reason: reason.to_string(),
    }
}

/// DataForSEO answers 200 except for the HTTP codes its errors appendix lists; 403, 408
/// and 429 come from proxies and gateways in between.
fn http_error(status: reqwest::StatusCode) -> IndexError {
    match status.as_u16() {
        401 => refused(
            "the login was rejected (HTTP 401): check DATAFORSEO_LOGIN and DATAFORSEO_PASSWORD",
        ),
        402 => refused("the account could not be billed (HTTP 402): top up the DataForSEO balance"),
        403 => refused(
            "access denied (HTTP 403): check DATAFORSEO_LOGIN, DATAFORSEO_PASSWORD and the account's API access",
        ),
        404 => refused("no such endpoint (HTTP 404): check DATAFORSEO_BASE_URL"),
        408 | 429 => unavailable(format!("HTTP {status}")),
        400..=499 => refused(format!("HTTP {status}")),
        _ => unavailable(format!("HTTP {status}")),
    }
}

/// A `status_code` other than success, of the envelope or of the task. 40101 is the
/// search engine failing after DataForSEO's own retries, 40202 its rate limit and 5xxxx
/// its own errors: all worth asking again later. The 402xx codes are the account's balance, plan and limits;
/// any other code is a request DataForSEO will refuse again, so its own message is kept.
fn status_error(code: u32, message: Option<&str>) -> IndexError {
    let said = format!("status {code} {}", message.unwrap_or("(no message)"));
    match code {
        40101 | 40202 | 50000..=59999 => unavailable(said),
        40200..=40299 => refused(format!(
            "{said}: check the balance and plan of the account in DATAFORSEO_LOGIN"
        )),
        _ => refused(said),
    }
}

fn is_success(code: u32) -> bool {
    (20000..30000).contains(&code)
}

/// A page as search results show it: the scheme, a leading `www.`, a trailing slash and
/// the fragment do not tell two pages apart; host, port, path and query do.
fn page_key(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path().trim_end_matches('/');
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("{host}{port}{path}{query}"))
}

/// DataForSEO decodes `%##` and `+` in keywords, so a URL's own `%` and `+` are escaped.
fn keyword(query: &str) -> String {
    query.replace('%', "%25").replace('+', "%2B")
}

#[async_trait]
impl IndexChecker for DataForSeo {
    async fn is_indexed(&self, url: &Url) -> Result<IndexAnswer, IndexError> {
        let wanted = page_key(url)
            .filter(|_| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| refused(format!("{url} is not a web page address")))?;
        let mut page = url.clone();
        page.set_fragment(None);
        let query = format!("site:{page}");
        if query.chars().count() > MAX_KEYWORD_CHARS {
            return Err(refused(format!(
                "the query for this page is longer than DataForSEO's {MAX_KEYWORD_CHARS} characters"
            )));
        }
        let body = json!([{
            "keyword": keyword(&query),
            "location_code": self.config.location_code,
            "language_code": self.config.language_code,
            "depth": DEPTH,
        }]);
        let response = (self.client)()
            .post(format!("{}{ENDPOINT}", self.config.base_url))
            .basic_auth(&self.config.login, Some(&self.config.password))
            .timeout(self.timeout)
            .json(&body)
            .send()
            .await
            // Without the URL: a base URL may carry credentials of a proxy.
            .map_err(|e| unavailable(e.without_url()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(http_error(status));
        }
        let envelope: Envelope = response
            .json()
            .await
            .map_err(|e| unavailable(format!("unreadable answer: {}", e.without_url())))?;
        if !is_success(envelope.status_code) {
            return Err(status_error(
                envelope.status_code,
                envelope.status_message.as_deref(),
            ));
        }
        // A Live call carries exactly one task.
        let task = envelope
            .tasks
            .into_iter()
            .flatten()
            .next()
            .ok_or_else(|| unavailable("the answer holds no task"))?;
        let indexed = match task.status_code {
            code if is_success(code) => task
                .result
                .iter()
                .flatten()
                .flat_map(|serp| serp.items.iter().flatten())
                .filter(|item| item.kind == "organic")
                .filter_map(|item| Url::parse(item.url.as_deref()?).ok())
                .any(|found| page_key(&found).as_deref() == Some(wanted.as_str())),
            40102 => false,
            code => return Err(status_error(code, task.status_message.as_deref())),
        };
        Ok(IndexAnswer {
            indexed,
            checked_query: query,
            provider: NAME.into(),
            cost_usd: task.cost.or(envelope.cost).unwrap_or_default(),
        })
    }
}
