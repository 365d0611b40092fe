//! Sending a composed message. The transport is chosen per tenant: the platform default
//! (SES in the cloud, the outbox folder locally) or the tenant's own mailbox over SMTP.

use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub from: String,
    pub to: String,
}

pub use crate::domain::outreach::SmtpSecurity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpAccount {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// The platform's transport: SES in the cloud, the outbox folder locally.
    Platform,
    Smtp(SmtpAccount),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The transport did not take the message; sending again is safe.
    #[error("the message was not accepted, try again later: {0}")]
    Retryable(String),
    /// The transport refused the message for good.
    #[error("the message was refused: {0}")]
    Permanent(String),
    /// It is unknown whether the message left (a timeout mid-transfer): never resent
    /// automatically.
    #[error("unknown whether the message was sent: {0}")]
    Unknown(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `raw` and returns the transport's id for it.
    async fn send(
        &self,
        transport: &Transport,
        envelope: &Envelope,
        raw: &[u8],
    ) -> Result<String, MailError>;
}
