//! Local mode's webhook delivery rule: what `WebhookDeliveryRule` in template.yaml does on
//! the bus. Every event published goes to the local event log, then to the local
//! `webhook-delivery` queue in the envelope EventBridge gives an SQS target, so that the
//! delivery job reads the same message in both modes. An event the log already held is sent
//! again; the job makes each delivery once, so that changes nothing.

use crate::app::webhooks::QUEUE;
use crate::ports::events::{DomainEvent, EventBus, EventError, EventLog, SOURCE};
use crate::ports::queue::{Outgoing, Queue};
use async_trait::async_trait;
use serde_json::{Value, json};
use std::sync::Arc;

/// The account and region a local envelope names: there are none.
const LOCAL_ACCOUNT: &str = "000000000000";
const LOCAL_REGION: &str = "local";

pub struct LocalDeliveryRule {
    log: Arc<dyn EventLog>,
    queue: Arc<dyn Queue>,
}

impl LocalDeliveryRule {
    pub fn new(log: Arc<dyn EventLog>, queue: Arc<dyn Queue>) -> Self {
        Self { log, queue }
    }
}

/// The message EventBridge sends an SQS target for `event`: its envelope, with the event's
/// document as `detail`.
fn envelope(event: &DomainEvent) -> Result<String, EventError> {
    let detail: Value =
        serde_json::from_str(&event.document()?).map_err(|e| EventError::Invalid {
            id: event.id.clone(),
            reason: e.to_string(),
        })?;
    let time = event.at.datetime().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    Ok(json!({
        "version": "0",
        "id": event.id,
        "detail-type": event.detail_type,
        "source": SOURCE,
        "account": LOCAL_ACCOUNT,
        "time": time,
        "region": LOCAL_REGION,
        "resources": [],
        "detail": detail,
    })
    .to_string())
}

#[async_trait]
impl EventBus for LocalDeliveryRule {
    async fn publish(&self, events: Vec<DomainEvent>) -> Result<(), EventError> {
        let messages = events
            .iter()
            .map(|e| Ok(Outgoing::new(&e.tenant, envelope(e)?)))
            .collect::<Result<Vec<_>, EventError>>()?;
        self.log.publish(events).await?;
        self.queue
            .send(QUEUE, messages)
            .await
            .map_err(|e| EventError::Unavailable(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::TenantId;
    use crate::domain::time::Timestamp;

    #[test]
    fn the_envelope_is_eventbridges_with_the_document_as_detail() {
        let event = DomainEvent {
            tenant: TenantId::parse("acme").unwrap(),
            detail_type: "link.status_changed".into(),
            detail: json!({"to": "dead"}),
            at: Timestamp::parse("2026-06-01T12:00:00.250Z").unwrap(),
            id: "ev1".into(),
        };
        let sent: Value = serde_json::from_str(&envelope(&event).unwrap()).unwrap();
        assert_eq!(sent["source"], "backlinks");
        assert_eq!(sent["detail-type"], "link.status_changed");
        assert_eq!(sent["time"], "2026-06-01T12:00:00Z");
        let document: Value = serde_json::from_str(&event.document().unwrap()).unwrap();
        assert_eq!(sent["detail"], document);
    }
}
