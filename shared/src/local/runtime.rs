//! Builds the product for local mode from a data folder.

use super::dev_keys::{DevKeyError, DevKeys, LOCAL_ISSUER};
use super::dev_routes;
use crate::adapters::blob_dir::{DirBlobs, Links};
use crate::adapters::dataforseo::DataForSeo;
use crate::adapters::event_log::SqliteEventLog;
use crate::adapters::jwks::StaticJwks;
use crate::adapters::local_queue::LocalQueue;
use crate::adapters::mail::{MailRouter, Outbox};
use crate::adapters::polite::{PoliteFetcher, Politeness};
use crate::adapters::sqlite::{LocalDb, SqliteTable};
use crate::adapters::web_fetcher::{FetchPolicy, WebFetcher};
use crate::adapters::webhook_poster::WebhookClient;
use crate::adapters::webhook_rule::LocalDeliveryRule;
use crate::app::App;
use crate::app::outreach::OutreachEnv;
use crate::app::webhooks::WebhookEnv;
use crate::config::{AuthSettings, ProviderSettings};
use crate::http::Api;
use crate::http::auth::Verifier;
use crate::http::routes::routes;
use crate::jobs::QUEUES;
use crate::ports::{Clock, EventLog, IndexChecker, SystemClock};
use crate::secrets::Secrets;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Set to 1 to let local mode fetch loopback and private addresses (fixture sites in
/// tests). The Lambda build has no such switch.
pub const ALLOW_PRIVATE_ENV: &str = "BACKLINKS_ALLOW_PRIVATE_NETWORK";
/// `host=ip:port,...`: fixed addresses for host names, so fixture sites on loopback can
/// answer for real-looking domains. Honoured only with private networks allowed.
pub const RESOLVE_ENV: &str = "BACKLINKS_RESOLVE";

#[derive(Debug, Clone)]
pub struct LocalOptions {
    pub data_dir: PathBuf,
    pub allow_private_network: bool,
    pub resolve: Vec<(String, SocketAddr)>,
    pub politeness: Politeness,
    pub providers: ProviderSettings,
    /// Where the local server is reached, for unsubscribe links in outbox mail.
    pub public_base_url: String,
    /// Emails per day to one recipient domain across every tenant.
    pub platform_domain_daily_cap: u32,
    /// When soft bounces suppress an address (`SOFT_BOUNCE_LIMIT`, `SOFT_BOUNCE_WINDOW_DAYS`).
    pub bounces: crate::domain::bounce::policy::BouncePolicy,
    /// Tenants' default API rate limits (`RATE_LIMIT_STANDARD`, `RATE_LIMIT_EXPENSIVE`).
    pub rate_limits: crate::domain::limits::TenantLimits,
    /// The product's time: the system clock, or a test's that it moves itself.
    pub clock: Arc<dyn Clock>,
    /// Load the starter directory catalogue into an empty catalogue at start.
    pub starter_directories: bool,
}

/// Parses `host=ip:port` pairs separated by commas; malformed pairs are skipped with a
/// warning.
pub fn parse_resolve(text: &str) -> Vec<(String, SocketAddr)> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .filter_map(|pair| {
            let parsed = pair.split_once('=').and_then(|(host, addr)| {
                Some((host.trim().to_ascii_lowercase(), addr.trim().parse().ok()?))
            });
            if parsed.is_none() {
                tracing::warn!(pair, "ignoring malformed {RESOLVE_ENV} entry");
            }
            parsed
        })
        .collect()
}

impl LocalOptions {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            allow_private_network: std::env::var(ALLOW_PRIVATE_ENV).is_ok_and(|v| v == "1"),
            resolve: parse_resolve(&std::env::var(RESOLVE_ENV).unwrap_or_default()),
            politeness: Politeness::default(),
            public_base_url: std::env::var("PUBLIC_BASE_URL")
                .unwrap_or_else(|_| "http://127.0.0.1:3000".into()),
            platform_domain_daily_cap: 50,
            bounces: crate::config::bounces::from_env().unwrap_or_else(|e| {
                tracing::warn!(error = %e, "bounce policy ignored");
                Default::default()
            }),
            rate_limits: crate::config::rate_limits::from_env().unwrap_or_else(|e| {
                tracing::warn!(error = %e, "rate limits ignored");
                Default::default()
            }),
            providers: ProviderSettings::from_env().unwrap_or_else(|e| {
                tracing::warn!(error = %e, "provider settings ignored");
                ProviderSettings::default()
            }),
            clock: Arc::new(SystemClock),
            starter_directories: true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("cannot create the data folder {0}: {1}")]
    DataDir(PathBuf, std::io::Error),
    #[error(transparent)]
    Keys(#[from] DevKeyError),
    #[error("cannot open the local store: {0}")]
    Store(String),
}

pub struct Local {
    pub app: Arc<App>,
    /// The domain events `app` publishes, read back (tests; `app` publishes through
    /// `LocalDeliveryRule`, which appends to this log and queues each event for webhooks).
    pub events: Arc<dyn EventLog>,
    pub api: Arc<Api>,
    pub keys: DevKeys,
    pub options: LocalOptions,
}

/// The local secret key, made on first use in the data folder (mode 0600, git-ignored).
fn local_secret(dir: &std::path::Path) -> Result<Secrets, LocalError> {
    let path = dir.join("secret.key");
    if !path.exists() {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let key = Secrets::generate().map_err(|e| LocalError::Store(e.to_string()))?;
        match options.open(&path) {
            Ok(mut file) => file
                .write_all(key.as_bytes())
                .map_err(|e| LocalError::DataDir(path.clone(), e))?,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(LocalError::DataDir(path.clone(), e)),
        }
    }
    let text = std::fs::read_to_string(&path).map_err(|e| LocalError::DataDir(path.clone(), e))?;
    Secrets::from_base64(&text).map_err(|e| LocalError::Store(format!("{}: {e}", path.display())))
}

pub async fn build(options: LocalOptions) -> Result<Local, LocalError> {
    let dir = &options.data_dir;
    std::fs::create_dir_all(dir).map_err(|e| LocalError::DataDir(dir.clone(), e))?;
    let clock = options.clock.clone();
    let store = |e: &dyn std::fmt::Display| LocalError::Store(e.to_string());
    let db = LocalDb::open(&dir.join("backlinks.sqlite3")).map_err(|e| store(&e))?;
    let table = SqliteTable::open(db.clone(), clock.clone())
        .await
        .map_err(|e| store(&e))?;
    let names = QUEUES.iter().map(|q| q.name.to_string()).collect();
    let max_receives = QUEUES.iter().map(|q| q.max_receives).max().unwrap_or(5);
    let queue = LocalQueue::open(db.clone(), clock.clone(), names, max_receives)
        .await
        .map_err(|e| store(&e))?;
    let queue = Arc::new(queue);
    let events = Arc::new(SqliteEventLog::open(db).await.map_err(|e| store(&e))?);
    // The bus's webhook delivery rule, locally: each event also goes to the delivery queue.
    let stream = LocalDeliveryRule::new(events.clone(), queue.clone());
    let webhooks = WebhookClient::new(options.allow_private_network, options.resolve.clone());
    let fetcher = WebFetcher::new(FetchPolicy {
        allow_private: options.allow_private_network,
        resolve: options.resolve.clone(),
        ..FetchPolicy::default()
    })
    .map_err(|e| store(&e))?;
    let fetcher = PoliteFetcher::new(Arc::new(fetcher), options.politeness);
    let (search, llm) = {
        let client = reqwest::Client::new();
        crate::adapters::providers(move || client.clone(), &options.providers)
    };
    let index = options.providers.dataforseo.clone().map(|config| {
        let client = reqwest::Client::new();
        Arc::new(DataForSeo::new(move || client.clone(), config)) as Arc<dyn IndexChecker>
    });
    let exports = DirBlobs::new(dir.join("exports")).with_links(Links {
        base_url: options.public_base_url.clone(),
        secrets: Arc::new(local_secret(dir)?),
        clock: clock.clone(),
    });
    let env = OutreachEnv {
        secrets: local_secret(dir)?,
        public_base_url: options.public_base_url.clone(),
        default_reply_domain: "replies.localhost.localdomain".into(),
        platform_domain_daily_cap: options.platform_domain_daily_cap,
    };
    let mailer = MailRouter::new(Arc::new(Outbox::new(dir.join("outbox"))));
    let app = Arc::new(
        App::new(Arc::new(table), queue, clock, Arc::new(fetcher))
            .with_search(search)
            .with_llm(llm)
            .with_index(index)
            .with_mail(Arc::new(mailer), env)
            .with_blobs(Arc::new(DirBlobs::new(dir.join("inbox"))))
            .with_exports(Arc::new(exports))
            .with_events(Arc::new(stream))
            .with_webhooks(WebhookEnv::new(Arc::new(webhooks)))
            .with_bounce_policy(options.bounces)
            .with_link_health(crate::config::link_health::from_env().unwrap_or_else(|e| {
                tracing::warn!(error = %e, "link health settings ignored");
                Default::default()
            }))
            .with_rate_limits(options.rate_limits),
    );
    std::fs::create_dir_all(dir.join("inbox"))
        .map_err(|e| LocalError::DataDir(dir.join("inbox"), e))?;
    if options.starter_directories
        && let Some(report) = crate::app::opportunities::starter::load_if_empty(&app)
            .await
            .map_err(|e| store(&e))?
    {
        tracing::info!(
            created = report.created,
            "loaded the starter directory catalogue"
        );
    }
    let keys = DevKeys::load_or_create(dir)?;
    let verifier = Verifier::new(
        Arc::new(StaticJwks::new(&keys.jwks())),
        AuthSettings::new(LOCAL_ISSUER),
    );
    let mut table = routes();
    table.extend(dev_routes::routes());
    let api = Arc::new(Api::new(app.clone(), Arc::new(verifier), table));
    Ok(Local {
        app,
        events,
        api,
        keys,
        options,
    })
}
