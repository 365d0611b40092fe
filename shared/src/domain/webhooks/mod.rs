//! Webhooks: a URL a tenant registers to receive its domain events, each request signed
//! ([`signature`]) and tried again on a schedule until the receiver answers 2xx or the
//! schedule runs out ([`delivery`]). See docs/decisions.md, "Webhooks".

pub mod delivery;
pub mod signature;

use super::FieldError;
use super::ids::WebhookId;
use super::time::Timestamp;
use super::web::WebUrl;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// The domain events a webhook can receive, by detail-type.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[schema(as = WebhookEventType)]
pub enum EventType {
    /// A link's health changed (live, degraded, dead, replaced): a link event.
    #[serde(rename = "link.status_changed")]
    LinkStatusChanged,
}

impl EventType {
    pub const ALL: [EventType; 1] = [EventType::LinkStatusChanged];

    /// The detail-type of its events on the event stream.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::LinkStatusChanged => "link.status_changed",
        }
    }

    /// The event type of a detail-type, if webhooks can receive it.
    pub fn of(detail_type: &str) -> Option<EventType> {
        Self::ALL.into_iter().find(|t| t.as_str() == detail_type)
    }
}

/// The event types a webhook asks for: at least one, each once, in order. None given means
/// link events.
pub fn event_types(asked: Option<Vec<EventType>>) -> Result<Vec<EventType>, FieldError> {
    let mut types = asked.unwrap_or_else(|| vec![EventType::LinkStatusChanged]);
    if types.is_empty() {
        return Err(FieldError::new("", "must name at least one event type"));
    }
    types.sort();
    types.dedup();
    Ok(types)
}

/// A tenant's webhook, as the API shows it (never with its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: WebhookId,
    /// Where events are POSTed: https, on a public address.
    pub url: WebUrl,
    /// The event types it receives.
    pub event_types: Vec<EventType>,
    /// A disabled webhook receives nothing, and its retries waiting are cancelled.
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

impl Webhook {
    /// Whether an event of this detail-type goes to this webhook.
    pub fn wants(&self, detail_type: &str) -> bool {
        self.enabled && EventType::of(detail_type).is_some_and(|t| self.event_types.contains(&t))
    }
}

/// The bytes of a new secret, from a secure random source.
pub const SECRET_BYTES: usize = 32;
const SECRET_PREFIX: &str = "whsec_";

/// The key a webhook's requests are signed with: `whsec_` and 43 base64url characters. The
/// whole text, prefix included, is the HMAC key. Shown once, when the webhook is created;
/// kept sealed. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn from_random(bytes: [u8; SECRET_BYTES]) -> Self {
        Self(format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A secret read back from storage.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix(SECRET_PREFIX)?;
        let bytes = URL_SAFE_NO_PAD.decode(rest).ok()?;
        (bytes.len() == SECRET_BYTES).then(|| Self(text.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(enabled: bool) -> Webhook {
        let at = Timestamp::parse("2026-06-01T12:00:00Z").unwrap();
        Webhook {
            id: WebhookId::from_uuid(uuid::Uuid::now_v7()),
            url: WebUrl::parse("https://hooks.example.com/in").unwrap(),
            event_types: vec![EventType::LinkStatusChanged],
            enabled,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    #[test]
    fn a_webhook_wants_its_enabled_event_types_only() {
        assert!(hook(true).wants("link.status_changed"));
        assert!(!hook(true).wants("reply.classified"));
        assert!(!hook(false).wants("link.status_changed"));
    }

    #[test]
    fn event_types_default_to_link_events_and_are_never_empty() {
        assert_eq!(event_types(None).unwrap(), [EventType::LinkStatusChanged]);
        let twice = vec![EventType::LinkStatusChanged, EventType::LinkStatusChanged];
        assert_eq!(event_types(Some(twice)).unwrap().len(), 1);
        assert!(event_types(Some(vec![])).is_err());
        let parsed: Result<EventType, _> = serde_json::from_str("\"link.deleted\"");
        assert!(parsed.is_err(), "unknown event types are refused");
    }

    #[test]
    fn secrets_read_back_and_never_print() {
        let secret = WebhookSecret::from_random([7; SECRET_BYTES]);
        assert!(secret.expose().starts_with("whsec_"));
        assert_eq!(secret.expose().len(), 6 + 43);
        assert_eq!(WebhookSecret::parse(secret.expose()), Some(secret.clone()));
        assert_eq!(WebhookSecret::parse("whsec_short"), None);
        assert_eq!(WebhookSecret::parse("sk_whatever"), None);
        assert!(!format!("{secret:?}").contains("whsec_"));
    }
}
