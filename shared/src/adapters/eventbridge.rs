//! The domain event stream on Amazon EventBridge: `PutEvents` on the product's own bus,
//! every entry with source [`SOURCE`], the event's detail-type, its time, and the detail
//! document of [`DomainEvent::document`] (the tenant inside, since a bus has no tenants).
//!
//! A call takes at most ten entries and 256 KB, so events go in batches within both. The
//! API accepts a batch in part: entries it reports failed with a code it documents as
//! transient are sent again, alone, a bounded number of times; any other failure, or a
//! transient one that outlasts the retries, fails the publish naming the events.

use crate::ports::events::{DomainEvent, EventBus, EventError, MAX_ENTRY_BYTES, SOURCE};
use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use std::ops::Range;
use std::time::Duration;

/// Entries per `PutEvents` call, the API's limit.
pub const MAX_BATCH: usize = 10;
/// Sends of one entry in all, the first included.
const MAX_ATTEMPTS: u32 = 3;
/// Before the first resend; doubled before each next one.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// The per-entry error codes EventBridge documents as worth retrying.
const TRANSIENT: [&str; 2] = ["InternalFailure", "ThrottlingException"];

pub struct EventBridgeBus {
    client: Client,
    bus: String,
}

/// An entry on its way, with what names it in an error.
struct Pending {
    id: String,
    entry: PutEventsRequestEntry,
}

impl EventBridgeBus {
    /// `bus` is the bus's name or ARN.
    pub fn new(client: Client, bus: String) -> Self {
        Self { client, bus }
    }

    fn entry(&self, event: &DomainEvent) -> Result<(Pending, usize), EventError> {
        let document = event.document()?;
        let size = event.entry_size(&document);
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus)
            .source(SOURCE)
            .detail_type(&event.detail_type)
            .time(DateTime::from_millis(event.at.epoch_millis()))
            .detail(document)
            .build();
        Ok((
            Pending {
                id: event.id.clone(),
                entry,
            },
            size,
        ))
    }

    /// Sends one batch, resending its transiently failed entries.
    async fn send(&self, mut pending: Vec<Pending>) -> Result<(), EventError> {
        let (mut attempt, mut backoff) = (1, FIRST_BACKOFF);
        loop {
            let out = self
                .client
                .put_events()
                .set_entries(Some(pending.iter().map(|p| p.entry.clone()).collect()))
                .send()
                .await
                .map_err(|e| {
                    let e = e.into_service_error();
                    EventError::Unavailable(format!("{e}: {}", e.message().unwrap_or_default()))
                })?;
            let results = out.entries();
            if results.len() != pending.len() {
                return Err(EventError::Unavailable(format!(
                    "PutEvents answered {} results for {} entries",
                    results.len(),
                    pending.len()
                )));
            }
            let (mut retry, mut refused) = (Vec::new(), Vec::new());
            for (p, result) in pending.into_iter().zip(results) {
                let Some(code) = result.error_code() else {
                    continue;
                };
                let reason = format!(
                    "{} ({code}: {})",
                    p.id,
                    result.error_message().unwrap_or_default()
                );
                if TRANSIENT.contains(&code) && attempt < MAX_ATTEMPTS {
                    retry.push(p);
                } else {
                    refused.push(reason);
                }
            }
            if !refused.is_empty() {
                // The transient ones still pending are refused with them: the caller's retry
                // of the whole publish covers both.
                refused.extend(retry.iter().map(|p| format!("{} (not retried)", p.id)));
                return Err(EventError::Refused(refused));
            }
            if retry.is_empty() {
                return Ok(());
            }
            tracing::warn!(
                count = retry.len(),
                attempt,
                "EventBridge refused entries for now; resending them"
            );
            tokio::time::sleep(backoff).await;
            (attempt, backoff) = (attempt + 1, backoff * 2);
            pending = retry;
        }
    }
}

/// Consecutive runs of entries, each at most [`MAX_BATCH`] entries and `MAX_ENTRY_BYTES`
/// in all. Every size is within the limit already (`DomainEvent::document` checked it).
fn batches(sizes: &[usize]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, size) in sizes.iter().enumerate() {
        if i - start == MAX_BATCH || bytes + size > MAX_ENTRY_BYTES {
            out.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        out.push(start..sizes.len());
    }
    out
}

#[async_trait]
impl EventBus for EventBridgeBus {
    async fn publish(&self, events: Vec<DomainEvent>) -> Result<(), EventError> {
        // Every event is checked before any is sent, so a bad one publishes nothing.
        let (mut pending, sizes): (Vec<Pending>, Vec<usize>) = events
            .iter()
            .map(|e| self.entry(e))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .unzip();
        for range in batches(&sizes) {
            let rest = pending.split_off(range.len());
            self.send(std::mem::replace(&mut pending, rest)).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_ten_entries_at_most() {
        let ranges = batches(&[100; 23]);
        assert_eq!(ranges, vec![0..10, 10..20, 20..23]);
    }

    #[test]
    fn batches_stay_within_the_byte_limit() {
        let big = MAX_ENTRY_BYTES / 2;
        let ranges = batches(&[big, big, 1, big, MAX_ENTRY_BYTES]);
        assert_eq!(ranges, vec![0..2, 2..4, 4..5]);
    }

    #[test]
    fn no_events_no_batches() {
        assert!(batches(&[]).is_empty());
    }
}
