//! The tenant's sender settings: identity, caps, send window, transport.

use super::window::SendWindow;
use crate::domain::email::EmailAddress;
use crate::domain::time::Timestamp;
use crate::domain::web::DomainName;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// No TLS: accepted only for a loopback host (a local relay or test server).
    None,
}

/// Daily caps beyond each campaign's own `maxEmailsPerDay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendCaps {
    /// First-touch and follow-up emails per day for the whole tenant (default 100).
    #[schema(minimum = 1, maximum = 100000)]
    pub per_tenant_daily: u32,
    /// Emails per day to any one recipient domain (default 20).
    #[schema(minimum = 1, maximum = 10000)]
    pub per_recipient_domain_daily: u32,
}

impl Default for SendCaps {
    fn default() -> Self {
        Self {
            per_tenant_daily: 100,
            per_recipient_domain_daily: 20,
        }
    }
}

/// The tenant's SMTP account as shown: the password is write-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SmtpView {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub password_set: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransportKind {
    /// The platform's transport (SES).
    Ses,
    /// The tenant's own mailbox over SMTP.
    Smtp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SenderSettings {
    pub from_name: String,
    pub from_email: Option<EmailAddress>,
    pub organization: String,
    /// Printed in every email's footer (CAN-SPAM, PECR).
    pub postal_address: String,
    /// Where replies come back (Reply-To tokens and unsubscribe mail); the platform's when
    /// absent.
    pub reply_domain: Option<DomainName>,
    pub caps: SendCaps,
    pub send_window: SendWindow,
    pub transport: TransportKind,
    pub smtp: Option<SmtpView>,
    pub updated_at: Option<Timestamp>,
}

impl Default for SenderSettings {
    fn default() -> Self {
        Self {
            from_name: String::new(),
            from_email: None,
            organization: String::new(),
            postal_address: String::new(),
            reply_domain: None,
            caps: SendCaps::default(),
            send_window: SendWindow::default(),
            transport: TransportKind::Ses,
            smtp: None,
            updated_at: None,
        }
    }
}

impl SenderSettings {
    /// The identity fields the policy requires before anything is sent.
    pub fn missing_identity(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.from_name.trim().is_empty() {
            missing.push("fromName");
        }
        if self.from_email.is_none() {
            missing.push("fromEmail");
        }
        if self.organization.trim().is_empty() {
            missing.push("organization");
        }
        if self.postal_address.trim().is_empty() {
            missing.push("postalAddress");
        }
        missing
    }
}
