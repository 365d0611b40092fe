//! Wiring for the Lambda functions: DynamoDB, SQS, the SSRF-safe fetcher and the JWKS
//! verifier, built once per cold start from the environment.

use crate::adapters::dynamodb::DynamoTable;
use crate::adapters::jwks::HttpJwks;
use crate::adapters::mail::MailRouter;
use crate::adapters::polite::{PoliteFetcher, Politeness};
use crate::adapters::s3::S3Blobs;
use crate::adapters::ses::Ses;
use crate::adapters::sqs::SqsQueue;
use crate::adapters::web_fetcher::{FetchPolicy, WebFetcher};
use crate::app::App;
use crate::app::outreach::OutreachEnv;
use crate::config::{CloudSettings, ConfigError, OutreachSettings, ProviderSettings};
use crate::http::auth::Verifier;
use crate::jobs::queue_names;
use crate::ports::SystemClock;
use crate::secrets::Secrets;
use std::sync::Arc;

/// The bucket the SES receipt rule stores inbound mail in.
pub const INBOUND_BUCKET_VAR: &str = "INBOUND_BUCKET";

pub struct Cloud {
    pub app: Arc<App>,
    pub verifier: Arc<Verifier>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot build a client: {0}")]
    Client(String),
}

pub async fn build() -> Result<Cloud, StartupError> {
    let settings = CloudSettings::from_env(&queue_names())?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let clock = Arc::new(SystemClock);
    let table = DynamoTable::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        settings.table_name.clone(),
        clock.clone(),
    );
    let queue = SqsQueue::new(
        aws_sdk_sqs::Client::new(&sdk),
        settings.queue_urls.clone(),
        settings.dead_letter_urls.clone(),
    );
    let fetcher =
        WebFetcher::new(FetchPolicy::default()).map_err(|e| StartupError::Client(e.to_string()))?;
    let fetcher = PoliteFetcher::new(Arc::new(fetcher), Politeness::default());
    let http = reqwest::Client::builder()
        .build()
        .map_err(|e| StartupError::Client(e.to_string()))?;
    let verifier = Verifier::new(
        Arc::new(HttpJwks::new(http.clone(), settings.jwks_url.clone())),
        settings.auth.clone(),
    );
    let (search, llm) = crate::adapters::providers(&http, &ProviderSettings::from_env()?);
    let outreach = OutreachSettings::from_env()?;
    let env = OutreachEnv {
        secrets: Secrets::from_base64(&outreach.secret_key)
            .map_err(|e| StartupError::Client(format!("BACKLINKS_SECRET_KEY: {e}")))?,
        public_base_url: outreach.public_base_url,
        default_reply_domain: outreach.reply_domain,
        platform_domain_daily_cap: outreach.platform_domain_daily_cap,
    };
    let mailer = MailRouter::new(Arc::new(Ses::new(
        aws_sdk_ses::Client::new(&sdk),
        std::env::var("SES_CONFIGURATION_SET")
            .ok()
            .filter(|s| !s.is_empty()),
    )));
    // Only the reply-ingest function reads stored mail; the others have no bucket.
    let blobs: Arc<dyn crate::ports::BlobStore> = match std::env::var(INBOUND_BUCKET_VAR) {
        Ok(bucket) if !bucket.is_empty() => {
            Arc::new(S3Blobs::new(aws_sdk_s3::Client::new(&sdk), bucket))
        }
        _ => Arc::new(crate::ports::blobs::NoBlobs),
    };
    let bounces = crate::app::replies::policy::BouncePolicy::from_env()?;
    Ok(Cloud {
        app: Arc::new(
            App::new(Arc::new(table), Arc::new(queue), clock, Arc::new(fetcher))
                .with_search(search)
                .with_llm(llm)
                .with_mail(Arc::new(mailer), env)
                .with_blobs(blobs)
                .with_bounce_policy(bounces),
        ),
        verifier: Arc::new(verifier),
    })
}
