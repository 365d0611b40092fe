//! Outreach rules that need no I/O: sender settings and send windows, caps, legal basis by
//! region, and email templates with their variables.

use super::FieldError;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

// ---------------------------------------------------------------- send window

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendWindow {
    /// Days mail may leave: mon, tue, wed, thu, fri, sat, sun.
    pub days: Vec<String>,
    /// First hour (0-23) and the hour after the last (1-24), in `timeZone`.
    pub start_hour: u32,
    pub end_hour: u32,
    /// An IANA time zone such as Europe/Berlin; caps count days in it too.
    pub time_zone: String,
}

impl Default for SendWindow {
    fn default() -> Self {
        Self {
            days: ["mon", "tue", "wed", "thu", "fri"]
                .map(String::from)
                .to_vec(),
            start_hour: 9,
            end_hour: 17,
            time_zone: "UTC".into(),
        }
    }
}

fn weekday(name: &str) -> Option<Weekday> {
    match name {
        "mon" => Some(Weekday::Mon),
        "tue" => Some(Weekday::Tue),
        "wed" => Some(Weekday::Wed),
        "thu" => Some(Weekday::Thu),
        "fri" => Some(Weekday::Fri),
        "sat" => Some(Weekday::Sat),
        "sun" => Some(Weekday::Sun),
        _ => None,
    }
}

impl SendWindow {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.days.is_empty() || self.days.iter().any(|d| weekday(d).is_none()) {
            errors.push(FieldError::new(
                "sendWindow.days",
                "must list days as mon, tue, wed, thu, fri, sat, sun",
            ));
        }
        if self.start_hour > 23 || self.end_hour > 24 || self.start_hour >= self.end_hour {
            errors.push(FieldError::new(
                "sendWindow.startHour",
                "must be 0-23 and before endHour (1-24)",
            ));
        }
        if self.time_zone.parse::<Tz>().is_err() {
            errors.push(FieldError::new(
                "sendWindow.timeZone",
                "must be an IANA time zone such as Europe/Berlin",
            ));
        }
        errors
    }

    fn zone(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::UTC)
    }

    /// Whether mail may leave at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&self.zone());
        let day_ok = self
            .days
            .iter()
            .filter_map(|d| weekday(d))
            .any(|d| d == local.weekday());
        day_ok && (self.start_hour..self.end_hour).contains(&local.hour())
    }

    /// The calendar day of `now` in the window's zone: daily caps count by it.
    pub fn day(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.zone()).date_naive()
    }
}

// ---------------------------------------------------------------- legal basis

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    Eu,
    Uk,
    Ca,
    Au,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    Consent,
    LegitimateInterest,
}

/// EU member states and the EEA (Iceland, Liechtenstein, Norway), and `.eu`.
const EU_EEA: &[&str] = &[
    "at", "be", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "gr", "hu", "ie", "it", "lv",
    "lt", "lu", "mt", "nl", "pl", "pt", "ro", "sk", "si", "es", "se", "is", "li", "no", "eu",
];

fn region_of_code(code: &str) -> Region {
    match code.to_ascii_lowercase().as_str() {
        "uk" | "gb" => Region::Uk,
        "ca" => Region::Ca,
        "au" => Region::Au,
        c if EU_EEA.contains(&c) => Region::Eu,
        _ => Region::Other,
    }
}

/// The recipient's region: the prospect's country when known, else the address's ccTLD.
pub fn region_of(email_domain: &str, country: Option<&str>) -> Region {
    match country {
        Some(c) => region_of_code(c),
        None => region_of_code(email_domain.rsplit('.').next().unwrap_or_default()),
    }
}

/// Regions whose law needs recorded consent for cold outreach (seed 001: EU, UK, CA, AU).
pub fn legal_basis(region: Region) -> LegalBasis {
    match region {
        Region::Other => LegalBasis::LegitimateInterest,
        _ => LegalBasis::Consent,
    }
}

// ---------------------------------------------------------------- templates

/// The variables a template may use, as `{{name}}`.
pub const VARIABLES: &[&str] = &[
    "recipient_name",
    "recipient_first_name",
    "site_name",
    "site_url",
    "source_domain",
    "target_url",
    "anchor_text",
    "topic",
    "sender_name",
    "sender_organization",
    "campaign_name",
    "pitch_rationale",
];

/// The `{{variable}}` names a text uses, in order; unknown ones are errors naming them.
pub fn variables_in(text: &str, field: &str) -> Result<Vec<String>, FieldError> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(FieldError::new(field, "has a {{ without a closing }}"));
        };
        let name = after[..end].trim();
        if !VARIABLES.contains(&name) {
            return Err(FieldError::new(
                field,
                format!(
                    "uses the unknown variable {{{{{name}}}}}; known: {}",
                    VARIABLES.join(", ")
                ),
            ));
        }
        found.push(name.to_string());
        rest = &after[end + 2..];
    }
    Ok(found)
}

/// Fills a checked template's variables; a variable without a value becomes empty, except
/// names, which fall back to a friendly greeting word.
pub fn render(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                let value = values
                    .get(name)
                    .filter(|v| !v.is_empty())
                    .cloned()
                    .unwrap_or_else(|| match name {
                        "recipient_name" | "recipient_first_name" => "there".into(),
                        _ => String::new(),
                    });
                out.push_str(&value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------- entities

use super::email::EmailAddress;
use super::ids::{BacklinkId, CampaignId, EmailId, TemplateId};
use super::time::Timestamp;
use super::web::DomainName;
use crate::ports::mailer::SmtpSecurity;

/// Daily caps beyond each campaign's own `maxEmailsPerDay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendCaps {
    /// First-touch and follow-up emails per day for the whole tenant (default 100).
    pub per_tenant_daily: u32,
    /// Emails per day to any one recipient domain (default 20).
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub id: TemplateId,
    pub name: String,
    /// initial or follow_up.
    pub category: TemplateCategory,
    pub subject: String,
    pub body: String,
    /// Drafts made from it, emails sent from it, and replies those got (seed 003).
    pub usage_count: u64,
    pub sent_count: u64,
    pub positive_reply_count: u64,
    /// positiveReplyCount / sentCount, 0 before anything was sent.
    pub success_rate: f64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateCategory {
    Initial,
    FollowUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    Draft,
    Approved,
    /// Released to the send queue.
    Queued,
    Sent,
    Skipped,
    /// Policy refused it; `blockReasons` says why.
    Blocked,
    /// The transport refused it for good.
    Failed,
    /// A send was claimed but never confirmed: a person must check before anything is resent.
    NeedsReview,
}

impl EmailStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Approved => "approved",
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Skipped => "skipped",
            Self::Blocked => "blocked",
            Self::Failed => "failed",
            Self::NeedsReview => "needs_review",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Generator {
    Template,
    Llm,
    /// The built-in template, used when no template was given and no LLM is configured.
    Fallback,
}

/// How a draft was made (seed 003 AI metadata).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Generation {
    pub generator: Generator,
    pub model: Option<String>,
    pub prompt: Option<String>,
    pub temperature: Option<f32>,
    /// The generator's confidence in the draft (0-1).
    pub confidence: f64,
    pub tokens: u64,
    pub cost_usd: f64,
    pub generation_time_ms: u64,
}

/// One outreach email to one prospect (seed 000 CampaignEmail, 1:1 with an outreach
/// backlink), with its follow-ups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutreachEmail {
    pub id: EmailId,
    pub campaign_id: CampaignId,
    pub backlink_id: BacklinkId,
    pub status: EmailStatus,
    pub subject: String,
    pub body: String,
    pub recipient_email: EmailAddress,
    pub recipient_name: Option<String>,
    pub template_id: Option<TemplateId>,
    /// Edited by a person after it was generated.
    pub user_edited: bool,
    pub generation: Generation,
    pub block_reasons: Vec<String>,
    pub last_error: Option<String>,
    /// Message-IDs of everything sent in this thread, first email first.
    pub message_ids: Vec<String>,
    pub follow_ups_sent: u32,
    pub next_follow_up_at: Option<Timestamp>,
    /// The follow-up released to the send queue and not yet sent.
    pub follow_up_pending: Option<u32>,
    /// A cap was reached: not released again before this time.
    pub not_before: Option<Timestamp>,
    /// Set when the prospect replied (any human reply): follow-ups stop for good.
    pub replied_at: Option<Timestamp>,
    /// Set when the recipient's server refused it for good, or the recipient complained.
    #[serde(default)]
    pub bounced_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub approved_at: Option<Timestamp>,
    pub sent_at: Option<Timestamp>,
    pub version: u64,
}

/// Where a campaign's emails are in review (seed 000): draft → dm_review → dm_approved →
/// sent (when every email is sent or skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    #[default]
    Draft,
    DmReview,
    DmApproved,
    Sent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allowed,
    Blocked,
}

/// One policy decision, kept for audit (seed 001 AuditLog, with the reasons and legal basis).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub at: Timestamp,
    pub email_id: EmailId,
    pub campaign_id: CampaignId,
    /// 0 for the first email, 1.. for follow-ups.
    pub sequence: u32,
    pub recipient: String,
    pub sender: Option<String>,
    pub subject: String,
    pub verdict: Verdict,
    /// Stable codes: sender_identity_incomplete, suppressed_address, suppressed_domain,
    /// consent_required, duplicate_attempt, cap_campaign_daily, cap_tenant_daily,
    /// cap_recipient_domain_daily, cap_platform_domain_daily, campaign_not_active,
    /// replied, not_awaiting_reply.
    pub reasons: Vec<String>,
    pub region: Region,
    pub legal_basis: LegalBasis,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn windows_and_days_follow_the_tenant_time_zone() {
        let w = SendWindow {
            time_zone: "America/New_York".into(),
            ..SendWindow::default()
        };
        assert!(w.validate().is_empty());
        // 14:00 UTC on a Monday is 09:00 in New York (EST): open.
        assert!(w.is_open(at("2026-11-23T14:00:00Z")));
        assert!(!w.is_open(at("2026-11-23T13:59:00Z")));
        // Saturday.
        assert!(!w.is_open(at("2026-11-21T15:00:00Z")));
        // 03:00 UTC Tuesday is still Monday in New York.
        assert_eq!(w.day(at("2026-11-24T03:00:00Z")).to_string(), "2026-11-23");
        let bad = SendWindow {
            days: vec!["funday".into()],
            start_hour: 18,
            end_hour: 9,
            time_zone: "Mars/Base".into(),
        };
        assert_eq!(bad.validate().len(), 3);
    }

    #[test]
    fn regions_and_legal_basis() {
        assert_eq!(region_of("blog.de", None), Region::Eu);
        assert_eq!(region_of("blog.co.uk", None), Region::Uk);
        assert_eq!(region_of("blog.no", None), Region::Eu);
        assert_eq!(region_of("blog.com", None), Region::Other);
        assert_eq!(region_of("blog.com", Some("CA")), Region::Ca);
        assert_eq!(legal_basis(Region::Au), LegalBasis::Consent);
        assert_eq!(legal_basis(Region::Other), LegalBasis::LegitimateInterest);
    }

    #[test]
    fn templates_check_and_fill_variables() {
        let body = "Hi {{ recipient_first_name }}, I loved {{site_name}}. {{anchor_text}}";
        assert_eq!(
            variables_in(body, "body").unwrap(),
            vec!["recipient_first_name", "site_name", "anchor_text"]
        );
        let err = variables_in("Hello {{first_name}}", "subject").unwrap_err();
        assert_eq!(err.field, "subject");
        assert!(err.message.contains("{{first_name}}"));
        assert!(variables_in("open {{ never closed", "body").is_err());
        let values = BTreeMap::from([("site_name".to_string(), "Green Mag".to_string())]);
        assert_eq!(render(body, &values), "Hi there, I loved Green Mag. ");
    }
}
