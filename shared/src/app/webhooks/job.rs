//! The webhook-delivery job. Its queue carries two kinds of message:
//!
//! - a domain event, in the envelope EventBridge gives an SQS target (put there by the bus's
//!   rule in the cloud, by `adapters/webhook_rule.rs` locally). Each enabled webhook of the
//!   event's tenant that wants its type gets one delivery, made once: its key is the event's
//!   time and id, so the same event delivered again finds it. Each new delivery's first
//!   attempt is queued.
//! - an attempt ([`AttemptMessage`]): POST the event, signed, to the webhook; record what
//!   came back; queue the next attempt when a retry is due.
//!
//! SQS delays a message fifteen minutes at most, so a longer wait is made of hops: an
//! attempt that arrives before its time goes back to the queue for the rest of the wait,
//! fifteen minutes at a time. A copy of an attempt's message that arrives while the attempt
//! is on the wire finds it claimed and does nothing; one that arrives after it was made
//! only makes sure the next attempt is queued.

use super::deliveries::{self, Claim, StoredDelivery};
use super::{QUEUE, StoredWebhook, receiving, stored};
use crate::app::enqueue::{self, ForTenant};
use crate::app::entity::{self, Entity};
use crate::app::{App, AppError};
use crate::domain::ids::{TenantId, WebhookId};
use crate::domain::time::Timestamp;
use crate::domain::webhooks::delivery::{Answer, Delivery, DeliveryState};
use crate::domain::webhooks::{EventType, WebhookSecret, signature};
use crate::ports::events::SOURCE;
use crate::ports::queue::MAX_DELAY;
use crate::ports::table::{Condition, TableError};
use crate::ports::webhook::WebhookRequest;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// One message's time limit: a POST takes at most ten seconds, the rest is the table.
pub const TIMEOUT_SECS: u32 = 30;
/// The request header naming the event, for receivers that drop repeats before parsing.
pub const EVENT_ID_HEADER: &str = "Backlinks-Event-Id";

/// The `attempt`-th POST of an event to a webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttemptMessage {
    pub tenant_id: TenantId,
    pub webhook_id: WebhookId,
    pub event_id: String,
    pub event_at: Timestamp,
    pub attempt: u32,
}

impl ForTenant for AttemptMessage {
    fn tenant(&self) -> &TenantId {
        &self.tenant_id
    }
}

/// The part of EventBridge's envelope the job reads; `detail` is the event's document.
#[derive(Debug, Deserialize)]
struct Envelope {
    source: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    detail: Value,
}

/// The envelope fields of an event's document (`ports::events::DomainEvent::document`).
struct Event {
    tenant: TenantId,
    id: String,
    at: Timestamp,
}

impl Event {
    fn read(detail: &Value) -> Result<Event, AppError> {
        let field = |name: &str| detail.get(name).and_then(Value::as_str);
        let bad = |name: &str, why: &str| AppError::invalid(&format!("detail.{name}"), why);
        let tenant = field("tenantId")
            .and_then(|t| TenantId::parse(t).ok())
            .ok_or_else(|| bad("tenantId", "is missing or not a tenant id"))?;
        let id = field("eventId")
            .filter(|id| {
                !id.is_empty()
                    && id.len() <= 128
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            })
            .ok_or_else(|| bad("eventId", "is missing or not an event id"))?;
        let at = field("at")
            .and_then(Timestamp::parse)
            .ok_or_else(|| bad("at", "is missing or not a time"))?;
        Ok(Event {
            tenant,
            id: id.to_string(),
            at,
        })
    }
}

/// Handles one message of the queue: an event to fan out, or an attempt to make.
pub async fn run(app: &App, body: &str) -> Result<(), AppError> {
    if let Ok(message) = serde_json::from_str::<AttemptMessage>(body) {
        return attempt(app, &message).await;
    }
    let envelope: Envelope = serde_json::from_str(body).map_err(|e| {
        AppError::invalid(
            "message",
            format!("neither a domain event nor a webhook attempt: {e}"),
        )
    })?;
    fan_out(app, &envelope).await
}

async fn fan_out(app: &App, envelope: &Envelope) -> Result<(), AppError> {
    if envelope.source != SOURCE {
        tracing::warn!(
            source = envelope.source,
            "not one of the product's events; ignored"
        );
        return Ok(());
    }
    let Some(event_type) = EventType::of(&envelope.detail_type) else {
        // No webhook can ask for it (yet).
        return Ok(());
    };
    let event = Event::read(&envelope.detail)?;
    let hooks = receiving(app, &event.tenant, &envelope.detail_type).await?;
    let payload = json!({"type": envelope.detail_type, "detail": envelope.detail}).to_string();
    let now = app.clock.now();
    let mut first = Vec::new();
    for hook in hooks {
        let stored = StoredDelivery {
            delivery: Delivery::new(hook.id, event.id.clone(), event_type, event.at, now),
            payload: payload.clone(),
            claim: None,
            version: 1,
        };
        let item = entity::item(&stored, &event.tenant)?;
        let queue_first = match app.table.put(item, Some(Condition::NotExists)).await {
            Ok(()) => true,
            // The event came before. Its first attempt is queued again only if it was never
            // made: the earlier run may have stopped before queueing it.
            Err(TableError::ConditionFailed) => {
                match app.table.get(&stored.key(&event.tenant)).await? {
                    Some(item) => {
                        let before = entity::read::<StoredDelivery>(item)?.delivery;
                        before.state == DeliveryState::Pending && before.attempts.is_empty()
                    }
                    None => false,
                }
            }
            Err(e) => return Err(e.into()),
        };
        if queue_first {
            first.push(AttemptMessage {
                tenant_id: event.tenant.clone(),
                webhook_id: stored.delivery.webhook_id.clone(),
                event_id: event.id.clone(),
                event_at: event.at,
                attempt: 1,
            });
        }
    }
    if !first.is_empty() {
        tracing::info!(
            event = event.id,
            webhooks = first.len(),
            "event fanned out to webhooks"
        );
    }
    enqueue::send(app, QUEUE, &first).await
}

async fn attempt(app: &App, message: &AttemptMessage) -> Result<(), AppError> {
    let tenant = &message.tenant_id;
    let key = deliveries::key(
        tenant,
        &message.webhook_id,
        message.event_at,
        &message.event_id,
    );
    let Some(item) = app.table.get(&key).await? else {
        // Expired, or never made.
        return Ok(());
    };
    let mut stored: StoredDelivery = entity::read(item)?;
    let made = stored.delivery.attempts.len() as u32;
    if stored.delivery.state != DeliveryState::Pending || made >= message.attempt {
        if made == message.attempt {
            queue_next(app, message, &stored.delivery).await?;
        }
        return Ok(());
    }
    let now = app.clock.now();
    let early = stored.delivery.next_attempt_at.map(|due| wait(now, due));
    if let Some(rest) = early.filter(|w| !w.is_zero()) {
        return send_after(app, message, rest).await;
    }
    if stored.claim.as_ref().is_some_and(|c| c.until > now) {
        // Another run is making this attempt.
        return Ok(());
    }
    let hook = match stored_hook(app, message).await? {
        Ok(hook) => hook,
        Err(reason) => {
            stored.delivery.cancel(reason);
            save(app, tenant, stored).await?;
            return Ok(());
        }
    };
    stored.claim = Some(Claim {
        attempt: message.attempt,
        until: now.plus_seconds(i64::from(TIMEOUT_SECS)),
    });
    let Some(mut stored) = save(app, tenant, stored).await? else {
        return Ok(());
    };
    let (answer, response, duration_ms) = post(app, &hook, &stored.payload, message).await?;
    let schedule = &app.webhooks.retries;
    let delivery = &mut stored.delivery;
    delivery.record(app.clock.now(), duration_ms, &answer, response, schedule);
    stored.claim = None;
    let Some(saved) = save(app, tenant, stored).await? else {
        tracing::warn!(
            event = message.event_id,
            "the attempt's record lost a race; dropped"
        );
        return Ok(());
    };
    let d = &saved.delivery;
    tracing::info!(
        webhook = %message.webhook_id,
        event = message.event_id,
        attempt = d.attempts.len(),
        answer = ?answer,
        state = ?d.state,
        "webhook attempt made"
    );
    queue_next(app, message, d).await
}

/// The webhook, if it still takes deliveries; otherwise why not.
async fn stored_hook(
    app: &App,
    message: &AttemptMessage,
) -> Result<Result<StoredWebhook, &'static str>, AppError> {
    Ok(
        match stored(app, &message.tenant_id, &message.webhook_id).await? {
            Some(hook) if hook.webhook.enabled => Ok(hook),
            Some(_) => Err("the webhook was disabled"),
            None => Err("the webhook was deleted"),
        },
    )
}

/// Signs the payload afresh and POSTs it: the answer, the start of the response body, and
/// how long it took.
async fn post(
    app: &App,
    hook: &StoredWebhook,
    payload: &str,
    message: &AttemptMessage,
) -> Result<(Answer, Option<String>, u64), AppError> {
    let secret = app
        .outreach
        .secrets
        .open(&hook.sealed_secret)
        .ok()
        .and_then(|text| WebhookSecret::parse(&text))
        .ok_or_else(|| AppError::internal("the webhook's secret does not open"))?;
    let t = app.clock.now().epoch_seconds();
    let request = WebhookRequest {
        url: hook.webhook.url.as_url().clone(),
        headers: vec![
            (signature::HEADER, signature::sign(&secret, t, payload)),
            (EVENT_ID_HEADER, message.event_id.clone()),
        ],
        body: payload.to_string(),
    };
    let started = Instant::now();
    let result = app.webhooks.poster.post(&request).await;
    let duration_ms = started.elapsed().as_millis() as u64;
    Ok(match result {
        Ok(response) => (
            Answer::Status(response.status),
            Some(response.body).filter(|b| !b.is_empty()),
            duration_ms,
        ),
        Err(e) => (e.into(), None, duration_ms),
    })
}

/// Writes the delivery under its version: None when another run wrote it first.
async fn save(
    app: &App,
    tenant: &TenantId,
    mut stored: StoredDelivery,
) -> Result<Option<StoredDelivery>, AppError> {
    let read = stored.version;
    stored.version += 1;
    let item = entity::item(&stored, tenant)?;
    match app
        .table
        .put(item, Some(Condition::eq("version", read)))
        .await
    {
        Ok(()) => Ok(Some(stored)),
        Err(TableError::ConditionFailed) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Queues the delivery's next attempt, if one is due.
async fn queue_next(
    app: &App,
    message: &AttemptMessage,
    delivery: &Delivery,
) -> Result<(), AppError> {
    let (DeliveryState::Pending, Some(due)) = (delivery.state, delivery.next_attempt_at) else {
        return Ok(());
    };
    let next = AttemptMessage {
        attempt: delivery.attempts.len() as u32 + 1,
        ..message.clone()
    };
    send_after(app, &next, wait(app.clock.now(), due)).await
}

/// The wait until `due`, in whole seconds rounded up (SQS delays by whole seconds, and a
/// message must not arrive before its time).
fn wait(now: Timestamp, due: Timestamp) -> Duration {
    let millis = (due.epoch_millis() - now.epoch_millis()).max(0) as u64;
    Duration::from_secs(millis.div_ceil(1_000))
}

async fn send_after(app: &App, message: &AttemptMessage, wait: Duration) -> Result<(), AppError> {
    enqueue::send_after(app, QUEUE, message, wait.min(MAX_DELAY)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_round_up_to_whole_seconds_and_never_go_back() {
        let now = Timestamp::parse("2026-06-01T12:00:00Z").unwrap();
        assert_eq!(wait(now, now), Duration::ZERO);
        assert_eq!(wait(now, now.plus_seconds(60)), Duration::from_secs(60));
        let half = Timestamp::parse("2026-06-01T12:00:59.500Z").unwrap();
        assert_eq!(wait(now, half), Duration::from_secs(60));
        assert_eq!(wait(now.plus_seconds(5), now), Duration::ZERO);
    }

    #[test]
    fn an_attempt_message_is_not_mistaken_for_an_event() {
        let message = AttemptMessage {
            tenant_id: TenantId::parse("acme").unwrap(),
            webhook_id: WebhookId::from_uuid(uuid::Uuid::now_v7()),
            event_id: "e1".into(),
            event_at: Timestamp::parse("2026-06-01T12:00:00Z").unwrap(),
            attempt: 2,
        };
        let body = serde_json::to_string(&message).unwrap();
        assert_eq!(
            serde_json::from_str::<AttemptMessage>(&body).unwrap(),
            message
        );
        assert!(serde_json::from_str::<Envelope>(&body).is_err());
        let event = json!({"version": "0", "id": "x", "detail-type": "link.status_changed",
            "source": "backlinks", "account": "1", "time": "2026-06-01T12:00:00Z",
            "region": "eu-west-1", "resources": [], "detail": {}});
        assert!(serde_json::from_value::<AttemptMessage>(event.clone()).is_err());
        assert!(serde_json::from_value::<Envelope>(event).is_ok());
    }

    #[test]
    fn an_events_document_must_name_its_tenant_id_and_time() {
        let good =
            json!({"tenantId": "acme", "eventId": "0190abc", "at": "2026-06-01T12:00:00.000Z"});
        let event = Event::read(&good).unwrap();
        assert_eq!(
            (event.tenant.as_str(), event.id.as_str()),
            ("acme", "0190abc")
        );
        for (field, bad) in [
            ("tenantId", json!("a#b")),
            ("eventId", json!("x#y")),
            ("at", json!("soon")),
        ] {
            let mut doc = good.clone();
            doc[field] = bad;
            match Event::read(&doc) {
                Err(AppError::Invalid(errors)) => {
                    assert_eq!(errors[0].field, format!("detail.{field}"))
                }
                other => panic!("{field}: {:?}", other.err()),
            }
        }
    }
}
