//! Use cases, one module per capability. Each takes the tenant from the caller's verified
//! identity and scopes every read and write by it.

pub mod activity;
pub mod backlinks;
pub mod campaigns;
pub mod crawl;
pub mod discover;
pub mod enqueue;
pub mod entity;
pub mod error;
pub mod jobs;
pub mod limits;
pub mod link_health;
pub mod monitoring;
pub mod opportunities;
pub mod outreach;
pub mod paging;
pub mod pipeline;
pub mod plans;
pub mod replies;
pub mod settings;
pub mod store;
pub mod suppression;
pub mod sweep;
pub mod tenant_cache;
pub mod totals;
pub mod usage;
pub mod webhooks;

pub use error::AppError;

use crate::config::{EXPORTS_BUCKET_VAR, INBOUND_BUCKET_VAR};
use crate::domain::limits::TenantLimits;
use crate::ports::blobs::NoBlobs;
use crate::ports::events::{EventBus, MemoryEventLog};
use crate::ports::{
    BlobStore, Clock, Fetcher, Ids, IndexChecker, Llm, Mailer, Queue, Search, Table, V7Ids,
};
use std::sync::Arc;

/// The ports a use case may reach, built once per process.
#[derive(Clone)]
pub struct App {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
    pub fetcher: Arc<dyn Fetcher>,
    /// The search providers configured; none means discovery takes URL lists only.
    pub search: Vec<Arc<dyn Search>>,
    /// The LLM, when configured; otherwise classification is heuristic.
    pub llm: Option<Arc<dyn Llm>>,
    /// The index checker, when configured; otherwise `isIndexed` stays unknown (null).
    pub index: Option<Arc<dyn IndexChecker>>,
    /// Classification settings, cached per tenant for five minutes.
    pub settings: Arc<settings::SettingsCache>,
    /// The tenants' API rate limits.
    pub limits: Arc<limits::Limiter>,
    /// Link checks' robots.txt and target redirects, kept an hour per process.
    pub checks: Arc<monitoring::cache::CheckCache>,
    pub mailer: Arc<dyn Mailer>,
    pub outreach: Arc<outreach::OutreachEnv>,
    /// Where inbound mail waits to be read.
    pub blobs: Arc<dyn BlobStore>,
    /// Where exports too large to answer inline are written and linked to.
    pub exports: Arc<dyn BlobStore>,
    /// When soft bounces suppress an address.
    pub bounces: crate::domain::bounce::policy::BouncePolicy,
    /// When a link's loss counts, and an unreachable page kills it.
    pub link_health: crate::domain::monitoring::health::HealthPolicy,
    /// The domain event stream. `App::new` starts with a log in memory, for tests; the
    /// Lambda and local wiring always set their own (docs/decisions.md, "Domain events").
    pub events: Arc<dyn EventBus>,
    /// Webhook delivery: the client that POSTs and the retry schedule. `App::new` starts
    /// with one that sends nothing; the Lambda and local wiring set the SSRF-safe client.
    pub webhooks: webhooks::WebhookEnv,
}

impl App {
    pub fn new(
        table: Arc<dyn Table>,
        queue: Arc<dyn Queue>,
        clock: Arc<dyn Clock>,
        fetcher: Arc<dyn Fetcher>,
    ) -> Self {
        Self {
            table,
            queue,
            clock,
            ids: Arc::new(V7Ids),
            fetcher,
            search: vec![],
            llm: None,
            index: None,
            settings: Arc::new(settings::cache()),
            limits: Arc::new(limits::Limiter::new(TenantLimits::DEFAULT)),
            checks: Arc::new(monitoring::cache::CheckCache::default()),
            mailer: Arc::new(NoMailer),
            outreach: Arc::new(outreach::OutreachEnv::ephemeral()),
            blobs: Arc::new(NoBlobs(INBOUND_BUCKET_VAR)),
            exports: Arc::new(NoBlobs(EXPORTS_BUCKET_VAR)),
            bounces: crate::domain::bounce::policy::BouncePolicy::default(),
            link_health: crate::domain::monitoring::health::HealthPolicy::default(),
            events: Arc::new(MemoryEventLog::default()),
            webhooks: webhooks::WebhookEnv::default(),
        }
    }

    pub fn with_mail(mut self, mailer: Arc<dyn Mailer>, env: outreach::OutreachEnv) -> Self {
        self.mailer = mailer;
        self.outreach = Arc::new(env);
        self
    }

    /// The rate limits of tenants no platform operator has set limits for.
    pub fn with_rate_limits(mut self, defaults: TenantLimits) -> Self {
        self.limits = Arc::new(limits::Limiter::new(defaults));
        self
    }

    pub fn with_link_health(
        mut self,
        policy: crate::domain::monitoring::health::HealthPolicy,
    ) -> Self {
        self.link_health = policy;
        self
    }

    pub fn with_bounce_policy(
        mut self,
        policy: crate::domain::bounce::policy::BouncePolicy,
    ) -> Self {
        self.bounces = policy;
        self
    }

    pub fn with_blobs(mut self, blobs: Arc<dyn BlobStore>) -> Self {
        self.blobs = blobs;
        self
    }

    pub fn with_exports(mut self, exports: Arc<dyn BlobStore>) -> Self {
        self.exports = exports;
        self
    }

    pub fn with_events(mut self, events: Arc<dyn EventBus>) -> Self {
        self.events = events;
        self
    }

    pub fn with_webhooks(mut self, webhooks: webhooks::WebhookEnv) -> Self {
        self.webhooks = webhooks;
        self
    }

    pub fn with_search(mut self, providers: Vec<Arc<dyn Search>>) -> Self {
        self.search = providers;
        self
    }

    pub fn with_llm(mut self, llm: Option<Arc<dyn Llm>>) -> Self {
        self.llm = llm;
        self
    }

    pub fn with_index(mut self, index: Option<Arc<dyn IndexChecker>>) -> Self {
        self.index = index;
        self
    }
}

/// The mailer of an application built without one: every send is refused, plainly.
struct NoMailer;

#[async_trait::async_trait]
impl Mailer for NoMailer {
    async fn send(
        &self,
        _: &crate::ports::mailer::Transport,
        _: &crate::ports::mailer::Envelope,
        _: &[u8],
    ) -> Result<String, crate::ports::mailer::MailError> {
        Err(crate::ports::mailer::MailError::Permanent(
            "no mail transport is configured".into(),
        ))
    }
}
