//! Tenants' webhooks (admin only): registering a URL that receives the tenant's domain
//! events, and what delivery made of each event ([`deliveries`], [`job`]). A webhook's
//! secret is made here, answered once at creation, and kept sealed with the platform key.
//! See docs/decisions.md, "Webhooks".

pub mod deliveries;
pub mod job;

use super::entity::{self, Entity};
use super::paging::{self, ListPage, PageRequest};
use super::store::{Versioned, modify_versioned, query_all, tenant_partition};
use super::{App, AppError};
use crate::domain::FieldErrors;
use crate::domain::ids::{TenantId, WebhookId};
use crate::domain::time::Timestamp;
use crate::domain::web::WebUrl;
use crate::domain::webhooks::delivery::RetrySchedule;
use crate::domain::webhooks::{self as hooks, EventType, SECRET_BYTES, Webhook, WebhookSecret};
use crate::ports::WebhookPoster;
use crate::ports::table::{Condition, Index, Key, Query, SortCondition, TableError};
use crate::ports::webhook::NoWebhooks;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// The queue of webhook delivery: domain events from the bus's rule (or local mode's
/// stand-in for it), and attempts to make.
pub const QUEUE: &str = "webhook-delivery";
/// Webhooks one tenant may have: every event reads them all.
pub const MAX_WEBHOOKS: usize = 10;
const PREFIX: &str = "WEBHOOK#";

/// How webhooks are delivered: the client that POSTs, and when a failure is tried again.
#[derive(Clone)]
pub struct WebhookEnv {
    pub poster: Arc<dyn WebhookPoster>,
    pub retries: RetrySchedule,
}

impl WebhookEnv {
    /// Delivery through `poster` on the default retry schedule.
    pub fn new(poster: Arc<dyn WebhookPoster>) -> Self {
        Self {
            poster,
            retries: RetrySchedule::default(),
        }
    }
}

impl Default for WebhookEnv {
    /// What `App::new` starts with: nothing is sent (see `NoWebhooks`).
    fn default() -> Self {
        Self::new(Arc::new(NoWebhooks))
    }
}

/// A webhook as kept: what the API shows, and the sealed secret it never shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    pub sealed_secret: String,
}

fn key(tenant: &TenantId, id: &WebhookId) -> Key {
    Key::new(tenant_partition(tenant), format!("{PREFIX}{id}"))
}

impl Entity for StoredWebhook {
    const TAG: &'static str = "webhook";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        key(tenant, &self.webhook.id)
    }
}

impl Versioned for StoredWebhook {
    fn version(&self) -> u64 {
        self.webhook.version
    }
    fn stamp(&mut self, version: u64, now: Timestamp) {
        self.webhook.version = version;
        self.webhook.updated_at = now;
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWebhook {
    /// Where to POST events: an https URL on a public address.
    #[schema(max_length = 2048)]
    pub url: String,
    /// The event types to receive (default: `link.status_changed`).
    pub event_types: Option<Vec<EventType>>,
    /// Default true.
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookPatch {
    /// A new address; the secret stays.
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    /// False stops deliveries; attempts already waiting are cancelled at their turn.
    pub enabled: Option<bool>,
}

/// A new webhook, with its secret: the only time the secret is shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The signing secret (`whsec_…`). Shown only in this answer: keep it now.
    pub secret: String,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WebhookFilter {
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// A URL the poster will send to, or the field error saying why not.
fn webhook_url(app: &App, errors: &mut FieldErrors, text: &str) -> Option<WebUrl> {
    let url = errors.check("url", WebUrl::parse(text))?;
    let admitted = app.webhooks.poster.admits(url.as_url()).map_err(|reason| {
        crate::domain::FieldError::new("", format!("cannot receive webhooks: {reason}"))
    });
    errors.check("url", admitted).map(|_| url)
}

fn new_secret() -> Result<WebhookSecret, AppError> {
    use aws_lc_rs::rand::{SecureRandom, SystemRandom};
    let mut bytes = [0u8; SECRET_BYTES];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| AppError::Unavailable("the system random source failed".into()))?;
    Ok(WebhookSecret::from_random(bytes))
}

async fn all(app: &App, tenant: &TenantId) -> Result<Vec<StoredWebhook>, AppError> {
    let query = Query::new(Index::Table, tenant_partition(tenant))
        .sort(SortCondition::BeginsWith(PREFIX.into()));
    query_all(app, query)
        .await?
        .into_iter()
        .map(entity::read)
        .collect()
}

/// The tenant's enabled webhooks that receive this detail-type.
pub(crate) async fn receiving(
    app: &App,
    tenant: &TenantId,
    detail_type: &str,
) -> Result<Vec<Webhook>, AppError> {
    Ok(all(app, tenant)
        .await?
        .into_iter()
        .map(|s| s.webhook)
        .filter(|w| w.wants(detail_type))
        .collect())
}

pub(crate) async fn stored(
    app: &App,
    tenant: &TenantId,
    id: &WebhookId,
) -> Result<Option<StoredWebhook>, AppError> {
    match app.table.get(&key(tenant, id)).await? {
        Some(item) => entity::read(item).map(Some),
        None => Ok(None),
    }
}

pub async fn create(
    app: &App,
    tenant: &TenantId,
    input: NewWebhook,
) -> Result<CreatedWebhook, AppError> {
    let mut errors = FieldErrors::default();
    let url = webhook_url(app, &mut errors, &input.url);
    let event_types = errors.check("eventTypes", hooks::event_types(input.event_types));
    errors.into_result().map_err(AppError::Invalid)?;
    let (Some(url), Some(event_types)) = (url, event_types) else {
        return Err(AppError::internal("a field error went unreported"));
    };
    if all(app, tenant).await?.len() >= MAX_WEBHOOKS {
        return Err(AppError::Conflict(format!(
            "a tenant may have at most {MAX_WEBHOOKS} webhooks; delete one first"
        )));
    }
    let secret = new_secret()?;
    let now = app.clock.now();
    let webhook = Webhook {
        id: WebhookId::from_uuid(app.ids.next()),
        url,
        event_types,
        enabled: input.enabled.unwrap_or(true),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let sealed_secret = app
        .outreach
        .secrets
        .seal(secret.expose())
        .map_err(AppError::internal)?;
    let stored = StoredWebhook {
        webhook: webhook.clone(),
        sealed_secret,
    };
    app.table
        .put(entity::item(&stored, tenant)?, Some(Condition::NotExists))
        .await?;
    tracing::info!(webhook = %webhook.id, "webhook created");
    Ok(CreatedWebhook {
        webhook,
        secret: secret.expose().to_string(),
    })
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    page: PageRequest,
) -> Result<ListPage<Webhook>, AppError> {
    let query = Query::new(Index::Table, tenant_partition(tenant))
        .sort(SortCondition::BeginsWith(PREFIX.into()))
        .descending();
    paging::list(app.table.as_ref(), query, page, |item| {
        entity::read::<StoredWebhook>(item).map(|s| Some(s.webhook))
    })
    .await
}

pub async fn update(
    app: &App,
    tenant: &TenantId,
    id: &WebhookId,
    patch: WebhookPatch,
) -> Result<Webhook, AppError> {
    let mut errors = FieldErrors::default();
    let url = match patch.url.as_deref() {
        Some(text) => webhook_url(app, &mut errors, text).map(Some),
        None => Some(None),
    };
    let event_types = match patch.event_types {
        Some(types) => errors
            .check("eventTypes", hooks::event_types(Some(types)))
            .map(Some),
        None => Some(None),
    };
    errors.into_result().map_err(AppError::Invalid)?;
    let (Some(url), Some(event_types)) = (url, event_types) else {
        return Err(AppError::internal("a field error went unreported"));
    };
    let changed = modify_versioned(
        app,
        &key(tenant, id),
        "webhook",
        |s: &StoredWebhook| entity::item(s, tenant),
        |s| {
            if let Some(url) = &url {
                s.webhook.url = url.clone();
            }
            if let Some(types) = &event_types {
                s.webhook.event_types = types.clone();
            }
            if let Some(enabled) = patch.enabled {
                s.webhook.enabled = enabled;
            }
            Ok(())
        },
    )
    .await?;
    Ok(changed.webhook)
}

/// Deletes the webhook. Its deliveries can no longer be listed and expire with their TTL;
/// attempts still queued find it gone and stop.
pub async fn delete(app: &App, tenant: &TenantId, id: &WebhookId) -> Result<(), AppError> {
    match app
        .table
        .delete(&key(tenant, id), Some(Condition::Exists))
        .await
    {
        Ok(_) => Ok(()),
        Err(TableError::ConditionFailed) => Err(AppError::NotFound("webhook")),
        Err(e) => Err(e.into()),
    }
}
