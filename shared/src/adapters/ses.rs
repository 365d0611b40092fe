//! The platform transport in the cloud: SES `SendRawEmail`, so our own MIME (headers,
//! threading, unsubscribe) goes out exactly as built.

use super::mail::PlatformSender;
use crate::ports::mailer::{Envelope, MailError};
use async_trait::async_trait;
use aws_sdk_ses::Client;
use aws_sdk_ses::error::ProvideErrorMetadata;
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;

pub struct Ses {
    client: Client,
    /// The configuration set whose event destination reports bounces and complaints.
    configuration_set: Option<String>,
}

impl Ses {
    pub fn new(client: Client, configuration_set: Option<String>) -> Self {
        Self {
            client,
            configuration_set,
        }
    }
}

#[async_trait]
impl PlatformSender for Ses {
    async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<String, MailError> {
        let message = RawMessage::builder()
            .data(Blob::new(raw))
            .build()
            .map_err(|e| MailError::Permanent(e.to_string()))?;
        let sent = self
            .client
            .send_raw_email()
            .source(&envelope.from)
            .destinations(&envelope.to)
            .raw_message(message)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await;
        match sent {
            Ok(out) => Ok(out.message_id),
            Err(err) => {
                let service = err.as_service_error().map(|e| {
                    (
                        e.code().unwrap_or_default().to_string(),
                        e.message().unwrap_or_default().to_string(),
                    )
                });
                match service {
                    // SES answered and refused: nothing was sent.
                    Some((code, message))
                        if code == "Throttling" || code == "ServiceUnavailable" =>
                    {
                        Err(MailError::Retryable(format!("{code}: {message}")))
                    }
                    Some((code, message)) => {
                        Err(MailError::Permanent(format!("{code}: {message}")))
                    }
                    // No answer (timeout, dropped connection): it may have been sent.
                    None => Err(MailError::Unknown(err.to_string())),
                }
            }
        }
    }
}
