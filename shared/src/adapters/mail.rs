//! The mail transports: the tenant's SMTP mailbox (lettre), and the platform default, which
//! is SES in the cloud and the outbox folder in local mode.

use crate::ports::mailer::{Envelope, MailError, Mailer, SmtpAccount, SmtpSecurity, Transport};
use async_trait::async_trait;
use lettre::AsyncTransport;
use lettre::transport::smtp::authentication::Credentials;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where platform mail goes.
#[async_trait]
pub trait PlatformSender: Send + Sync {
    async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<String, MailError>;
}

/// Routes each message to the platform sender or the tenant's SMTP account.
pub struct MailRouter {
    platform: Arc<dyn PlatformSender>,
}

impl MailRouter {
    pub fn new(platform: Arc<dyn PlatformSender>) -> Self {
        Self { platform }
    }
}

fn lettre_envelope(envelope: &Envelope) -> Result<lettre::address::Envelope, MailError> {
    let parse = |a: &str| {
        a.parse::<lettre::Address>()
            .map_err(|e| MailError::Permanent(format!("bad address {a}: {e}")))
    };
    lettre::address::Envelope::new(Some(parse(&envelope.from)?), vec![parse(&envelope.to)?])
        .map_err(|e| MailError::Permanent(e.to_string()))
}

/// Sends over SMTP. The connection (TLS, login) is tried first: failing there nothing was
/// sent, so it is retryable (or permanent for a 5xx such as bad credentials). During the
/// transfer an explicit 4xx is retryable and a 5xx permanent; anything else (a dropped
/// connection, a timeout) leaves the outcome unknown.
pub async fn send_smtp(
    account: &SmtpAccount,
    envelope: &Envelope,
    raw: &[u8],
) -> Result<String, MailError> {
    type Smtp = lettre::AsyncSmtpTransport<lettre::Tokio1Executor>;
    let builder = match account.security {
        SmtpSecurity::Implicit => Smtp::relay(&account.host),
        SmtpSecurity::Starttls => Smtp::starttls_relay(&account.host),
        SmtpSecurity::None => Ok(Smtp::builder_dangerous(&account.host)),
    }
    .map_err(|e| MailError::Retryable(format!("cannot set up SMTP to {}: {e}", account.host)))?;
    let mut builder = builder
        .port(account.port)
        .timeout(Some(Duration::from_secs(30)));
    if !account.username.is_empty() {
        builder = builder.credentials(Credentials::new(
            account.username.clone(),
            account.password.clone(),
        ));
    }
    let transport = builder.build();
    match transport.test_connection().await {
        Ok(true) => {}
        Ok(false) => {
            return Err(MailError::Retryable(format!(
                "{} did not answer",
                account.host
            )));
        }
        Err(e) if e.is_permanent() => return Err(MailError::Permanent(e.to_string())),
        Err(e) => return Err(MailError::Retryable(e.to_string())),
    }
    match transport.send_raw(&lettre_envelope(envelope)?, raw).await {
        Ok(response) => Ok(response.message().collect::<Vec<_>>().join(" ")),
        Err(e) if e.is_transient() => Err(MailError::Retryable(e.to_string())),
        Err(e) if e.is_permanent() => Err(MailError::Permanent(e.to_string())),
        Err(e) => Err(MailError::Unknown(e.to_string())),
    }
}

#[async_trait]
impl Mailer for MailRouter {
    async fn send(
        &self,
        transport: &Transport,
        envelope: &Envelope,
        raw: &[u8],
    ) -> Result<String, MailError> {
        match transport {
            Transport::Platform => self.platform.send(envelope, raw).await,
            Transport::Smtp(account) => send_smtp(account, envelope, raw).await,
        }
    }
}

/// Local mode's platform transport: one `.eml` file per message in `<data-dir>/outbox/`.
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }
}

#[async_trait]
impl PlatformSender for Outbox {
    async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<String, MailError> {
        let io = |e: std::io::Error| MailError::Retryable(format!("outbox: {e}"));
        tokio::fs::create_dir_all(&self.dir).await.map_err(io)?;
        let id = format!(
            "{}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%3f"),
            uuid::Uuid::now_v7().simple()
        );
        let safe_to: String = envelope
            .to
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '@' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("{id}-{safe_to}.eml");
        // Written under a temporary name and renamed, so readers never see half a message.
        let tmp = self.dir.join(format!(".{name}.tmp"));
        tokio::fs::write(&tmp, raw).await.map_err(io)?;
        tokio::fs::rename(&tmp, self.dir.join(&name))
            .await
            .map_err(io)?;
        Ok(name)
    }
}
