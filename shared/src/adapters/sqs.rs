//! Queues on Amazon SQS. Logical queue names map to queue URLs given by configuration, and
//! so do their dead-letter queues (for messages dead-lettered at once); the dead-letter
//! counts in `stats` come from each queue's redrive policy. Every message is sent with its
//! tenant as its `MessageGroupId`: on a standard queue that makes it a fair queue, where SQS
//! keeps one tenant's backlog from holding up the others (docs/decisions.md, "Fairness").

use crate::domain::ids::TenantId;
use crate::ports::queue::{
    MAX_BATCH, MAX_DELAY, Outgoing, Queue, QueueError, QueueMessage, QueueStats,
};
use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::{
    MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry,
};
use std::collections::HashMap;
use std::time::Duration;

pub struct SqsQueue {
    client: Client,
    urls: HashMap<String, String>,
    dead_letter_urls: HashMap<String, String>,
}

fn unavailable<E: ProvideErrorMetadata + std::fmt::Display>(e: E) -> QueueError {
    QueueError::Unavailable(format!("{e}: {}", e.message().unwrap_or_default()))
}

impl SqsQueue {
    /// `urls` maps each logical queue name to its SQS queue URL, `dead_letter_urls` to the
    /// URL of its dead-letter queue.
    pub fn new(
        client: Client,
        urls: HashMap<String, String>,
        dead_letter_urls: HashMap<String, String>,
    ) -> Self {
        Self {
            client,
            urls,
            dead_letter_urls,
        }
    }

    fn url(&self, queue: &str) -> Result<&str, QueueError> {
        self.urls
            .get(queue)
            .map(String::as_str)
            .ok_or_else(|| QueueError::UnknownQueue(queue.to_string()))
    }

    async fn count(&self, url: &str) -> Result<(u64, Option<String>), QueueError> {
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .attribute_names(QueueAttributeName::RedrivePolicy)
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        let attrs = out.attributes.unwrap_or_default();
        let number = |name: QueueAttributeName| {
            attrs
                .get(&name)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let depth = number(QueueAttributeName::ApproximateNumberOfMessages)
            + number(QueueAttributeName::ApproximateNumberOfMessagesNotVisible);
        let dead_letter_arn = attrs
            .get(&QueueAttributeName::RedrivePolicy)
            .and_then(|policy| serde_json::from_str::<serde_json::Value>(policy).ok())
            .and_then(|policy| policy["deadLetterTargetArn"].as_str().map(str::to_string));
        Ok((depth, dead_letter_arn))
    }
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, queue: &str, messages: Vec<Outgoing>) -> Result<(), QueueError> {
        let url = self.url(queue)?;
        for chunk in messages.chunks(MAX_BATCH) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, message)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(&message.body)
                        .message_group_id(message.tenant.as_str())
                        .build()
                        .map_err(|e| QueueError::Unavailable(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let out = self
                .client
                .send_message_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| unavailable(e.into_service_error()))?;
            if let Some(failed) = out.failed().first() {
                return Err(QueueError::Unavailable(format!(
                    "{} of {} messages were refused: {}",
                    out.failed().len(),
                    chunk.len(),
                    failed.message().unwrap_or(failed.code())
                )));
            }
        }
        Ok(())
    }

    async fn send_after(
        &self,
        queue: &str,
        message: Outgoing,
        delay: Duration,
    ) -> Result<(), QueueError> {
        self.client
            .send_message()
            .queue_url(self.url(queue)?)
            .message_body(message.body)
            .message_group_id(message.tenant.as_str())
            .delay_seconds(delay.min(MAX_DELAY).as_secs() as i32)
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        Ok(())
    }

    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility: Duration,
    ) -> Result<Vec<QueueMessage>, QueueError> {
        let out = self
            .client
            .receive_message()
            .queue_url(self.url(queue)?)
            .max_number_of_messages(max.clamp(1, MAX_BATCH as u32) as i32)
            .visibility_timeout(visibility.as_secs().max(1) as i32)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .message_system_attribute_names(MessageSystemAttributeName::MessageGroupId)
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        Ok(out
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|m| QueueMessage {
                receive_count: m
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1),
                tenant: m
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::MessageGroupId))
                    .and_then(|v| TenantId::parse(v).ok()),
                id: m.message_id.unwrap_or_default(),
                receipt: m.receipt_handle.unwrap_or_default(),
                body: m.body.unwrap_or_default(),
            })
            .collect())
    }

    async fn dead_letter(&self, queue: &str, body: String) -> Result<(), QueueError> {
        let url = self
            .dead_letter_urls
            .get(queue)
            .ok_or_else(|| QueueError::UnknownQueue(format!("{queue} (dead letters)")))?;
        self.client
            .send_message()
            .queue_url(url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        Ok(())
    }

    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        self.client
            .delete_message()
            .queue_url(self.url(queue)?)
            .receipt_handle(receipt)
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        Ok(())
    }

    async fn stats(&self, queue: &str) -> Result<QueueStats, QueueError> {
        let (depth, dead_letter_arn) = self.count(self.url(queue)?).await?;
        let dead_letters = match dead_letter_arn
            .as_deref()
            .and_then(|arn| arn.rsplit(':').next())
        {
            None => 0,
            Some(name) => {
                let url = self
                    .client
                    .get_queue_url()
                    .queue_name(name)
                    .send()
                    .await
                    .map_err(|e| unavailable(e.into_service_error()))?
                    .queue_url
                    .unwrap_or_default();
                self.count(&url).await?.0
            }
        };
        Ok(QueueStats {
            depth,
            dead_letters,
        })
    }
}
