//! Shared test plumbing: the local AWS emulator, temporary stores, and the local server
//! started in-process on a loopback port.
#![allow(dead_code)]

pub mod outreach;
pub mod plans;
pub mod refusing;
pub mod send_world;
pub mod watched;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use backlinks_core::adapters::dynamodb::DynamoTable;
use backlinks_core::adapters::polite::Politeness;
use backlinks_core::adapters::sqlite::{LocalDb, SqliteTable};
use backlinks_core::domain::identity::Role;
use backlinks_core::domain::time::Timestamp;
use backlinks_core::local::runtime::{self, Local, LocalOptions};
use backlinks_core::local::server;
use backlinks_core::ports::{Clock, ManualClock, Table};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The moto server the test script starts; tests that need AWS fail loudly without it.
pub fn moto_endpoint() -> String {
    std::env::var("MOTO_ENDPOINT")
        .expect("MOTO_ENDPOINT is not set: run the tests through infra/test.sh, which starts moto")
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::now_v7().simple())
}

pub fn dynamo_client() -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        // The Lambda functions' HTTP client, so the AWS suites exercise it.
        .http_client(backlinks_core::adapters::aws_http::http_client())
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(moto_endpoint())
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

pub fn sqs_client() -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        // The Lambda functions' HTTP client, so the AWS suites exercise it.
        .http_client(backlinks_core::adapters::aws_http::http_client())
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new("us-east-1"))
        .endpoint_url(moto_endpoint())
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// Politeness without the waiting, for fixture sites.
pub fn fast_politeness() -> Politeness {
    Politeness {
        min_interval: Duration::ZERO,
        retries: 1,
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
    }
}

/// An SQS queue with its own dead-letter queue after `max_receives` deliveries.
/// A queue with a dead-letter queue after `max_receives`: (queue URL, dead-letter URL).
pub async fn sqs_queue_with_dlq(
    client: &aws_sdk_sqs::Client,
    name: &str,
    max_receives: u32,
) -> (String, String) {
    use aws_sdk_sqs::types::QueueAttributeName;
    let dlq = client
        .create_queue()
        .queue_name(unique("dlq"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let arn = client
        .get_queue_attributes()
        .queue_url(&dlq)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&QueueAttributeName::QueueArn]
        .clone();
    let policy = serde_json::json!({"deadLetterTargetArn": arn, "maxReceiveCount": max_receives.to_string()});
    let url = client
        .create_queue()
        .queue_name(unique(name))
        .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    (url, dlq)
}

pub fn start_time() -> Timestamp {
    Timestamp::parse("2026-06-01T12:00:00Z").unwrap()
}

/// A store under test with a clock the test moves.
pub struct Store {
    pub table: Arc<dyn Table>,
    pub clock: Arc<ManualClock>,
    _dir: Option<tempfile::TempDir>,
}

impl Store {
    /// The same table and clock, for a second process over the same data.
    pub fn share(&self) -> Store {
        Store {
            table: self.table.clone(),
            clock: self.clock.clone(),
            _dir: None,
        }
    }

    pub async fn sqlite() -> Store {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start_time()));
        let db = LocalDb::open(&dir.path().join("test.sqlite3")).unwrap();
        let table = SqliteTable::open(db, clock.clone() as Arc<dyn Clock>)
            .await
            .unwrap();
        Store {
            table: Arc::new(table),
            clock,
            _dir: Some(dir),
        }
    }

    pub async fn dynamodb() -> Store {
        let client = dynamo_client();
        let name = unique("table");
        DynamoTable::create_table(&client, &name).await.unwrap();
        let clock = Arc::new(ManualClock::new(start_time()));
        Store {
            table: Arc::new(DynamoTable::new(
                client,
                name,
                clock.clone() as Arc<dyn Clock>,
            )),
            clock,
            _dir: None,
        }
    }
}

/// An application over a store under test: queues in `dir`, mail to `dir/outbox` unless a
/// mailer is given, public fetching only.
pub async fn app_over(
    store: &Store,
    dir: &std::path::Path,
    mailer: Option<Arc<dyn backlinks_core::ports::Mailer>>,
) -> backlinks_core::app::App {
    use backlinks_core::adapters::mail::{MailRouter, Outbox};
    let db = LocalDb::open(&dir.join("q.sqlite3")).unwrap();
    let names = backlinks_core::jobs::queue_names()
        .into_iter()
        .map(String::from)
        .collect();
    let queue = backlinks_core::adapters::local_queue::LocalQueue::open(
        db,
        store.clock.clone() as Arc<dyn Clock>,
        names,
        5,
    )
    .await
    .unwrap();
    let fetcher =
        backlinks_core::adapters::web_fetcher::WebFetcher::new(Default::default()).unwrap();
    let mailer = mailer
        .unwrap_or_else(|| Arc::new(MailRouter::new(Arc::new(Outbox::new(dir.join("outbox"))))));
    backlinks_core::app::App::new(
        store.table.clone(),
        Arc::new(queue),
        store.clock.clone(),
        Arc::new(fetcher),
    )
    .with_mail(
        mailer,
        backlinks_core::app::outreach::OutreachEnv::ephemeral(),
    )
}

/// The whole local product on a loopback port, with its own data folder.
pub struct TestServer {
    pub base: String,
    pub local: Local,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// Starts with options adjusted by `adjust` (fixture sites' addresses, providers).
    pub async fn start_with(adjust: impl FnOnce(&mut LocalOptions)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut options = LocalOptions {
            allow_private_network: true,
            politeness: fast_politeness(),
            providers: Default::default(),
            ..LocalOptions::new(dir.path())
        };
        adjust(&mut options);
        let local = runtime::build(options).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(server::serve(
            local.api.clone(),
            listener,
            std::future::pending(),
        ));
        TestServer {
            base,
            local,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    pub fn token(&self, tenant: &str, user: &str, role: Role) -> String {
        let now = chrono::Utc::now().timestamp();
        self.local.keys.mint(tenant, user, role, now, 3600).unwrap()
    }

    /// Runs every queue job (and the inbox) until nothing is ready.
    pub async fn drain(&self) {
        backlinks_core::local::workers::drain_all(self.local.app.clone())
            .await
            .unwrap();
    }

    /// The `.eml` files the local transport wrote, oldest first.
    pub fn outbox(&self) -> Vec<String> {
        let dir = self.local.options.data_dir.join("outbox");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// Creates a campaign and returns it.
    pub async fn campaign(&self, token: &str, body: Value) -> Value {
        let a = self
            .call("POST", "/v1/campaigns", Some(token), Some(body))
            .await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        a.body
    }

    /// Activates a campaign.
    pub async fn activate(&self, token: &str, campaign: &Value) {
        let path = format!(
            "/v1/campaigns/{}/activate",
            campaign["id"].as_str().unwrap()
        );
        let a = self.call("POST", &path, Some(token), None).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
    }

    /// Starts discovery for a campaign.
    pub async fn discover(&self, token: &str, campaign: &Value, body: Value) -> Answer {
        let path = format!(
            "/v1/campaigns/{}/discover",
            campaign["id"].as_str().unwrap()
        );
        self.call("POST", &path, Some(token), Some(body)).await
    }

    /// `(count, credits)` of one metered operation in the caller's usage report this month.
    pub async fn usage_of(&self, token: &str, operation: &str) -> (Value, Value) {
        let usage = self.call("GET", "/v1/usage", Some(token), None).await;
        assert_eq!(usage.status, 200, "{:?}", usage.body);
        let entry = usage.body["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operation"] == operation)
            .unwrap_or_else(|| panic!("no {operation} in {:?}", usage.body))
            .clone();
        (entry["count"].clone(), entry["credits"].clone())
    }

    pub fn member(&self, tenant: &str) -> String {
        self.token(tenant, &format!("user-of-{tenant}"), Role::Member)
    }

    /// Sends a request; `body` is JSON unless None.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        Self::answer(req.send().await.unwrap()).await
    }

    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let req = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body);
        Self::answer(req.send().await.unwrap()).await
    }

    async fn answer(res: reqwest::Response) -> Answer {
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = res.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            content_type,
            body,
        }
    }
}

/// An application on the embedded store with a clock the test moves, fetching fixture
/// sites on loopback under real-looking names.
pub struct Rig {
    pub app: backlinks_core::app::App,
    pub clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

impl Rig {
    pub async fn new(resolve: Vec<(String, std::net::SocketAddr)>) -> Rig {
        use backlinks_core::adapters::local_queue::LocalQueue;
        use backlinks_core::adapters::polite::PoliteFetcher;
        use backlinks_core::adapters::web_fetcher::{FetchPolicy, WebFetcher};
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(start_time()));
        let db = LocalDb::open(&dir.path().join("rig.sqlite3")).unwrap();
        let table = SqliteTable::open(db.clone(), clock.clone() as Arc<dyn Clock>)
            .await
            .unwrap();
        let names = backlinks_core::jobs::queue_names()
            .into_iter()
            .map(String::from)
            .collect();
        let queue = LocalQueue::open(db, clock.clone() as Arc<dyn Clock>, names, 5)
            .await
            .unwrap();
        let fetcher = WebFetcher::new(FetchPolicy {
            allow_private: true,
            resolve,
            max_body_bytes: 256 * 1024,
            ..FetchPolicy::default()
        })
        .unwrap();
        let app = backlinks_core::app::App::new(
            Arc::new(table),
            Arc::new(queue),
            clock.clone(),
            Arc::new(PoliteFetcher::new(Arc::new(fetcher), fast_politeness())),
        );
        Rig {
            app,
            clock,
            _dir: dir,
        }
    }
}

/// A fixture website on loopback that answers for a real-looking domain.
pub struct Site {
    pub domain: backlinks_core::domain::web::DomainName,
    pub server: wiremock::MockServer,
}

impl Site {
    pub async fn new(domain: &str) -> Site {
        Site {
            domain: backlinks_core::domain::web::DomainName::parse(domain).unwrap(),
            server: wiremock::MockServer::start().await,
        }
    }

    pub async fn page(&self, route: &str, status: u16, html: impl Into<String>) -> &Self {
        wiremock::Mock::given(wiremock::matchers::method("GET"))
            .and(wiremock::matchers::path(route))
            .respond_with(
                wiremock::ResponseTemplate::new(status)
                    .set_body_raw(html.into().into_bytes(), "text/html"),
            )
            .mount(&self.server)
            .await;
        self
    }

    pub fn addr(&self) -> (String, std::net::SocketAddr) {
        (self.domain.to_string(), *self.server.address())
    }
}

/// A sweep's budget long enough for any test.
pub fn budget() -> backlinks_core::app::sweep::Budget {
    backlinks_core::app::sweep::Budget::of(std::time::Duration::from_secs(60))
}
