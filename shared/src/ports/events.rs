//! The product's one stream of domain events (a link's status changed, a reply was
//! classified, a tipping point was reached). Use cases publish here and never call a
//! subscriber themselves: webhook delivery, and a tenant's own backend on the bus, read the
//! stream. In the cloud it is `PutEvents` on the product's EventBridge bus; locally an
//! append-only log in the embedded store (docs/decisions.md, "Domain events").
//!
//! Publishing is at-least-once: a failed call may have published part of its events, and
//! the caller retries them all. Every event carries its own id, so readers drop repeats.
//!
//! Reading back is a second trait, [`EventLog`], that only the logs implement: EventBridge
//! pushes events to rules and cannot be read, so a `list` on the bus could only ever fail,
//! and code that needs to read says so in its type instead of finding out in production.

use crate::domain::ids::TenantId;
use crate::domain::time::Timestamp;
use async_trait::async_trait;
use serde_json::{Map, Value};
use std::sync::Mutex;

/// The `Source` of every event the product publishes; subscribers' rules match on it.
pub const SOURCE: &str = "backlinks";
/// EventBridge's limit on one entry (Time, Source, DetailType and Detail together). The
/// local log enforces it too, so an event accepted locally is never refused in the cloud.
pub const MAX_ENTRY_BYTES: usize = 256 * 1024;
/// What EventBridge counts for an entry's `Time`.
const TIME_BYTES: usize = 14;
/// Envelope fields of the published detail; a use case's detail may not set them.
const ENVELOPE: [&str; 3] = ["tenantId", "eventId", "at"];

#[derive(Debug, Clone, PartialEq)]
pub struct DomainEvent {
    pub tenant: TenantId,
    /// `<entity>.<change>` in lower snake case, e.g. `link.status_changed`.
    pub detail_type: String,
    /// The use case's fields: a JSON object.
    pub detail: Value,
    pub at: Timestamp,
    /// The event's own id, stable across retries: what readers deduplicate on.
    pub id: String,
}

impl DomainEvent {
    /// The detail as subscribers receive it: `{"tenantId", "eventId", "at", ...detail}`.
    /// Fails if the event breaks the conventions or is over the entry limit.
    pub fn document(&self) -> Result<String, EventError> {
        let invalid = |reason: &str| EventError::Invalid {
            id: self.id.clone(),
            reason: reason.to_string(),
        };
        if self.id.is_empty() {
            return Err(invalid("the event id is empty"));
        }
        if !is_detail_type(&self.detail_type) {
            return Err(invalid(
                "the detail-type must be <entity>.<change> in lower snake case",
            ));
        }
        let Value::Object(fields) = &self.detail else {
            return Err(invalid("the detail must be a JSON object"));
        };
        if let Some(key) = ENVELOPE.iter().find(|k| fields.contains_key(**k)) {
            return Err(invalid(&format!("the detail may not set {key}")));
        }
        let mut document = Map::new();
        document.insert("tenantId".into(), self.tenant.as_str().into());
        document.insert("eventId".into(), self.id.clone().into());
        document.insert("at".into(), self.at.to_key().into());
        document.extend(fields.clone());
        let text = Value::Object(document).to_string();
        let bytes = self.entry_size(&text);
        if bytes > MAX_ENTRY_BYTES {
            return Err(EventError::TooLarge {
                id: self.id.clone(),
                bytes,
            });
        }
        Ok(text)
    }

    /// The size of this event's entry with `document` as EventBridge counts it: Time (14
    /// bytes), Source, DetailType and Detail.
    pub fn entry_size(&self, document: &str) -> usize {
        TIME_BYTES + SOURCE.len() + self.detail_type.len() + document.len()
    }
}

fn is_detail_type(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("event {id} is invalid: {reason}")]
    Invalid { id: String, reason: String },
    /// Never dropped silently: a use case with that much to say should store it and
    /// publish a reference.
    #[error("event {id} is {bytes} bytes, over the {MAX_ENTRY_BYTES}-byte entry limit")]
    TooLarge { id: String, bytes: usize },
    /// The stream answered but refused these events (after retries, where retrying helps).
    #[error("events were refused: {}", .0.join("; "))]
    Refused(Vec<String>),
    #[error("the event stream is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes every event, or fails; see the module's note on retries.
    async fn publish(&self, events: Vec<DomainEvent>) -> Result<(), EventError>;
}

/// An event stream that can be read back: local mode's log (which tests read; local
/// webhook delivery gets each event through the queue, as from the bus's rule).
#[async_trait]
pub trait EventLog: EventBus {
    /// The tenant's events at or after `since`, newest first (ties in publishing order
    /// reversed), at most `limit`. An event published twice under one id is listed once.
    async fn list(
        &self,
        tenant: &TenantId,
        since: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<DomainEvent>, EventError>;
}

/// A log in memory: what `App::new` starts with, so that tests of use cases see what they
/// published. The Lambda functions and local mode replace it (`App::with_events`).
#[derive(Default)]
pub struct MemoryEventLog {
    events: Mutex<Vec<DomainEvent>>,
}

#[async_trait]
impl EventBus for MemoryEventLog {
    async fn publish(&self, events: Vec<DomainEvent>) -> Result<(), EventError> {
        for event in &events {
            event.document()?;
        }
        let mut log = self.events.lock().unwrap_or_else(|e| e.into_inner());
        for event in events {
            if !log
                .iter()
                .any(|e| e.tenant == event.tenant && e.id == event.id)
            {
                log.push(event);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl EventLog for MemoryEventLog {
    async fn list(
        &self,
        tenant: &TenantId,
        since: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<DomainEvent>, EventError> {
        let log = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<DomainEvent> = log
            .iter()
            .rev()
            .filter(|e| &e.tenant == tenant && since.is_none_or(|s| e.at >= s))
            .cloned()
            .collect();
        // Stable: among equal times the later-published stays first.
        out.sort_by_key(|e| std::cmp::Reverse(e.at));
        out.truncate(limit as usize);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(detail: Value) -> DomainEvent {
        DomainEvent {
            tenant: TenantId::parse("acme").unwrap(),
            detail_type: "link.status_changed".into(),
            detail,
            at: Timestamp::parse("2026-06-01T12:00:00.123Z").unwrap(),
            id: "ev-1".into(),
        }
    }

    #[test]
    fn the_document_puts_the_envelope_beside_the_detail() {
        let text = event(json!({"linkId": "bl-1", "status": "dead"}))
            .document()
            .unwrap();
        let document: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            document,
            json!({"tenantId": "acme", "eventId": "ev-1", "at": "2026-06-01T12:00:00.123Z",
                   "linkId": "bl-1", "status": "dead"})
        );
    }

    #[test]
    fn a_detail_cannot_name_another_tenant() {
        let err = event(json!({"tenantId": "other"})).document().unwrap_err();
        assert!(matches!(err, EventError::Invalid { .. }), "{err}");
    }

    #[test]
    fn detail_types_follow_the_convention() {
        for good in [
            "link.status_changed",
            "reply.classified",
            "plan.tipping_point.reached",
        ] {
            assert!(is_detail_type(good), "{good}");
        }
        for bad in [
            "",
            "link",
            "Link.Changed",
            "link..changed",
            "link.status-changed",
        ] {
            assert!(!is_detail_type(bad), "{bad}");
        }
    }

    #[test]
    fn an_oversize_event_is_an_error_naming_it() {
        let big = "x".repeat(MAX_ENTRY_BYTES);
        match event(json!({ "body": big })).document() {
            Err(EventError::TooLarge { id, bytes }) => {
                assert_eq!(id, "ev-1");
                assert!(bytes > MAX_ENTRY_BYTES);
            }
            other => panic!("{other:?}"),
        }
    }
}
