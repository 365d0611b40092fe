//! Wiring for the Lambda functions. Start-up reads and checks the whole configuration, so
//! a missing or malformed variable fails the function's init by name; every client is
//! built on first use ([`crate::adapters::lazy`]), so a function pays only for the
//! adapters its route or job touches. Nothing at start touches the network or the disk.

mod aws;

use crate::adapters::dataforseo::DataForSeo;
use crate::adapters::dynamodb::DynamoTable;
use crate::adapters::eventbridge::EventBridgeBus;
use crate::adapters::jwks::HttpJwks;
use crate::adapters::lazy::Lazy;
use crate::adapters::mail::MailRouter;
use crate::adapters::polite::{PoliteFetcher, Politeness};
use crate::adapters::s3::S3Blobs;
use crate::adapters::ses::Ses;
use crate::adapters::sqs::SqsQueue;
use crate::adapters::web_fetcher::{FetchPolicy, WebFetcher};
use crate::adapters::webhook_poster::WebhookClient;
use crate::app::App;
use crate::app::outreach::OutreachEnv;
use crate::app::webhooks::WebhookEnv;
use crate::config::{
    CloudSettings, ConfigError, EXPORTS_BUCKET_VAR, INBOUND_BUCKET_VAR, OutreachSettings,
    ProviderSettings, optional, required,
};
use crate::http::auth::Verifier;
use crate::jobs::queue_names;
use crate::ports::BlobStore;
use crate::ports::IndexChecker;
use crate::ports::SystemClock;
use crate::ports::blobs::NoBlobs;
use crate::secrets::Secrets;
use std::sync::{Arc, OnceLock};

pub struct Cloud {
    pub app: Arc<App>,
    pub verifier: Arc<Verifier>,
}

#[derive(thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// As its message: a function's `main` prints a failed start with `Debug`, and the log
/// line should name the variable plainly.
impl std::fmt::Debug for StartupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// One reqwest client for the providers and the JWKS cache, built when the first of them
/// is used.
fn provider_client() -> impl Fn() -> reqwest::Client + Clone + Send + 'static {
    let cell = Arc::new(OnceLock::new());
    move || {
        cell.get_or_init(|| {
            crate::tls::reqwest_builder()
                .no_proxy()
                .build()
                .expect("a reqwest client on a built TLS configuration")
        })
        .clone()
    }
}

/// Builds the wiring, or fails (and logs) on the first bad variable.
pub fn build() -> Result<Cloud, StartupError> {
    wire().inspect_err(|e| tracing::error!(error = %e, "start-up failed"))
}

fn wire() -> Result<Cloud, StartupError> {
    let settings = CloudSettings::from_env(&queue_names())?;
    let providers = ProviderSettings::from_env()?;
    let outreach = OutreachSettings::from_env()?;
    let bounces = crate::config::bounces::from_env()?;
    let link_health = crate::config::link_health::from_env()?;
    let rate_limits = crate::config::rate_limits::from_env()?;
    let event_bus = required("EVENT_BUS_NAME", "the EventBridge bus of domain events")?;
    let secrets = Secrets::from_base64(&outreach.secret_key).map_err(|e| ConfigError::Invalid {
        name: "BACKLINKS_SECRET_KEY".into(),
        reason: e.to_string(),
    })?;
    let sdk = aws::sdk_config()?;
    let clock = Arc::new(SystemClock);

    let table = {
        let (sdk, name, clock) = (sdk.clone(), settings.table_name.clone(), clock.clone());
        Lazy::new(move || DynamoTable::new(aws_sdk_dynamodb::Client::new(&sdk), name, clock))
    };
    let queue = {
        let (sdk, urls, dead_letters) = (
            sdk.clone(),
            settings.queue_urls.clone(),
            settings.dead_letter_urls.clone(),
        );
        Lazy::new(move || SqsQueue::new(aws_sdk_sqs::Client::new(&sdk), urls, dead_letters))
    };
    let events = {
        let sdk = sdk.clone();
        Lazy::new(move || EventBridgeBus::new(aws_sdk_eventbridge::Client::new(&sdk), event_bus))
    };
    let fetcher = Lazy::new(|| {
        let web = WebFetcher::new(FetchPolicy::default())
            .expect("the default fetch policy builds a client");
        PoliteFetcher::new(Arc::new(web), Politeness::default())
    });
    let http = provider_client();
    let jwks = {
        let (http, url) = (http.clone(), settings.jwks_url.clone());
        Lazy::new(move || HttpJwks::new(http(), url))
    };
    let verifier = Verifier::new(Arc::new(jwks), settings.auth.clone());
    let index = providers
        .dataforseo
        .clone()
        .map(|config| Arc::new(DataForSeo::new(http.clone(), config)) as Arc<dyn IndexChecker>);
    let (search, llm) = crate::adapters::providers(http, &providers);
    let mailer = {
        let (sdk, set) = (sdk.clone(), optional("SES_CONFIGURATION_SET"));
        Lazy::new(move || MailRouter::new(Arc::new(Ses::new(aws_sdk_ses::Client::new(&sdk), set))))
    };
    let env = OutreachEnv {
        secrets,
        public_base_url: outreach.public_base_url,
        default_reply_domain: outreach.reply_domain,
        platform_domain_daily_cap: outreach.platform_domain_daily_cap,
    };
    // Only the reply-ingest function reads stored mail and only the export function writes
    // exports; each bucket is set on its function alone.
    let bucket = |variable: &'static str| -> Arc<dyn BlobStore> {
        match optional(variable) {
            Some(bucket) => {
                let sdk = sdk.clone();
                Arc::new(Lazy::new(move || {
                    S3Blobs::new(aws_sdk_s3::Client::new(&sdk), bucket)
                }))
            }
            None => Arc::new(NoBlobs(variable)),
        }
    };
    let (blobs, exports) = (bucket(INBOUND_BUCKET_VAR), bucket(EXPORTS_BUCKET_VAR));
    Ok(Cloud {
        app: Arc::new(
            App::new(Arc::new(table), Arc::new(queue), clock, Arc::new(fetcher))
                .with_search(search)
                .with_llm(llm)
                .with_index(index)
                .with_mail(Arc::new(mailer), env)
                .with_blobs(blobs)
                .with_exports(exports)
                .with_events(Arc::new(events))
                // Public https addresses only; its client is built on the first POST.
                .with_webhooks(WebhookEnv::new(Arc::new(WebhookClient::new(false, vec![]))))
                .with_bounce_policy(bounces)
                .with_link_health(link_health)
                .with_rate_limits(rate_limits),
        ),
        verifier: Arc::new(verifier),
    })
}
