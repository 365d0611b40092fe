//! Bounce parsing: every failed recipient of a non-delivery notice, with its codes, the
//! diagnostic, the reason and whether it is hard or soft. One function per family of
//! formats, tried in order of trust:
//!
//! - [`dsn`]: RFC 3464 delivery status reports (`message/delivery-status`), the one
//!   standard format; most MTAs and providers send it.
//! - [`headers`]: `X-Failed-Recipients` (Exim, Gmail, Mail.ru) naming the failures.
//! - [`exchange`]: Microsoft Exchange, Office 365 and Outlook.com notices, including the
//!   HTML "Delivery has failed to these recipients or groups" ones without a DSN.
//! - [`plain`]: the plain-text notices of Sendmail, Postfix, Exim, qmail, Courier, Lotus
//!   Domino, GroupWise, Yahoo, AOL, Gmail and others: recipient lines and the block after.
//!
//! The verdict comes from the delivery status first (`Status:`), then the codes quoted in
//! the diagnostic (`550 5.1.1`), then the wording ([`wording`]); [`reason`] names why
//! (from the code, else the diagnostic's phrases), and only a
//! permanent failure about the recipient (unknown user or host, moved, disabled, or
//! permanent with no better reason) is hard. See docs/decisions.md for the table.

pub mod codes;
pub mod dsn;
pub mod exchange;
pub mod headers;
mod phrases;
pub mod plain;
pub mod policy;
pub mod reason;
pub mod ses;
pub mod wording;

use super::inbound::InboundMail;
pub use reason::Reason;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the reporting server did with the message for one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BounceAction {
    /// Given up: the message will not be delivered.
    Failed,
    /// Still trying (RFC 3464 `Action: delayed`, "will retry" warnings).
    Delayed,
}

/// Which family of formats the bounce was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BounceFormat {
    Rfc3464,
    XFailedRecipients,
    Exchange,
    PlainText,
    SesNotification,
    /// A person set the class by hand.
    Manual,
}

/// Which evidence decided permanent or transient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BounceRule {
    /// `Action: delayed` or a "will retry" notice: transient whatever the codes say.
    Delayed,
    /// The RFC 3464 `Status:` field (or SES's per-recipient `status`).
    Status,
    /// An enhanced status code (`5.1.1`) quoted in the diagnostic text.
    EnhancedCode,
    /// An SMTP reply code (`550`) quoted in the diagnostic text.
    SmtpCode,
    /// No code: the notice's wording ("permanent error", "will keep trying").
    Wording,
    /// SES's `bounceType` (`Permanent`, `Transient`, `Undetermined`).
    SesBounceType,
    /// A person's override.
    User,
}

/// One failed (or delayed) recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BouncedRecipient {
    pub address: String,
    pub action: BounceAction,
    /// The enhanced status code (`5.1.1`), when the bounce gives one.
    pub status: Option<String>,
    /// The SMTP reply code (`550`), when the bounce quotes one.
    pub smtp_code: Option<u16>,
    /// What the remote server or the MTA said, up to 1,000 characters.
    pub diagnostic: Option<String>,
    /// The server that refused, when named.
    pub remote_mta: Option<String>,
    pub reason: Reason,
    /// The failure is permanent (`5.x.x`), not transient.
    pub permanent: bool,
    /// Hard bounce: the address is dead (suppress it); otherwise soft.
    pub hard: bool,
    /// What decided permanent or transient.
    pub rule: BounceRule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Bounce {
    /// Every address that failed or was delayed.
    pub recipients: Vec<String>,
    /// Some recipient bounced hard.
    pub permanent: bool,
    /// The enhanced status code (`5.1.1`) of the first hard (else first) recipient.
    pub status: Option<String>,
    /// The format it was read from.
    #[serde(default)]
    pub format: Option<BounceFormat>,
    /// Each recipient's verdict.
    #[serde(default)]
    pub failures: Vec<BouncedRecipient>,
}

impl Bounce {
    /// A bounce from its recipients' verdicts; `None` when there are none.
    pub fn from_failures(format: BounceFormat, failures: Vec<BouncedRecipient>) -> Option<Self> {
        if failures.is_empty() {
            return None;
        }
        let permanent = failures.iter().any(|f| f.hard);
        Some(Bounce {
            recipients: failures.iter().map(|f| f.address.clone()).collect(),
            permanent,
            status: failures
                .iter()
                .find(|f| f.hard == permanent)
                .and_then(|f| f.status.clone()),
            format: Some(format),
            failures,
        })
    }

    /// Every recipient was only delayed: nothing has failed yet.
    pub fn only_delayed(&self) -> bool {
        !self.failures.is_empty()
            && self
                .failures
                .iter()
                .all(|f| f.action == BounceAction::Delayed)
    }
}

/// What is known about one recipient before the verdict.
#[derive(Debug, Clone, Default)]
pub(crate) struct Evidence {
    pub address: String,
    pub delayed: bool,
    /// The DSN `Status:` field.
    pub status: Option<String>,
    /// Text that explains the failure (Diagnostic-Code, the MTA's lines about it).
    pub diagnostic: String,
    pub remote_mta: Option<String>,
}

/// The verdict on one recipient: permanent or not from the status first, then the codes
/// in the diagnostic, then the wording; the reason from codes and text; hard from both.
pub(crate) fn judge(e: Evidence, context: &str) -> BouncedRecipient {
    let status = e.status.as_deref().and_then(codes::enhanced);
    let quoted = codes::enhanced_in(&e.diagnostic);
    let smtp = codes::smtp_in(&e.diagnostic);
    let context_enhanced = codes::enhanced_in(context);
    let context_smtp = codes::smtp_in(context);
    let (permanent, rule) = if e.delayed {
        (false, BounceRule::Delayed)
    } else if let Some(s) = &status {
        (s.starts_with('5'), BounceRule::Status)
    } else if let Some(s) = &quoted {
        (s.starts_with('5'), BounceRule::EnhancedCode)
    } else if let Some(c) = smtp {
        (c >= 500, BounceRule::SmtpCode)
    } else if let Some(s) = &context_enhanced {
        (s.starts_with('5'), BounceRule::EnhancedCode)
    } else if let Some(c) = context_smtp {
        (c >= 500, BounceRule::SmtpCode)
    } else {
        (!wording::transient_wording(context), BounceRule::Wording)
    };
    let delayed = e.delayed || (rule == BounceRule::Wording && !permanent);
    // The most specific code says most about the reason: `5.0.0` in Status with
    // `5.1.1` in the text is an unknown user (`x.1.0` is as vague: SES wraps the remote
    // answer in `5.1.0 - Unknown address error 550-'5.2.2 ... Mailbox Full'`).
    let specific = codes::all_enhanced(&e.diagnostic);
    let best = status
        .iter()
        .chain(&specific)
        .find(|c| !c.ends_with(".0.0") && !c.ends_with(".1.0"))
        .or(status
            .as_ref()
            .or(quoted.as_ref())
            .or(context_enhanced.as_ref()))
        .cloned();
    let text = if e.diagnostic.trim().is_empty() {
        context
    } else {
        e.diagnostic.as_str()
    };
    let mut reason = reason::classify(best.as_deref(), text, delayed);
    if reason == Reason::Undefined && text != context {
        // The diagnostic says nothing known (`X-Unix; 255`): the notice's own words may.
        reason = reason::classify(best.as_deref(), context, delayed);
    }
    if reason == Reason::Undefined {
        reason = reason::by_reply_code(smtp).unwrap_or(reason);
    }
    let action = if delayed {
        BounceAction::Delayed
    } else {
        BounceAction::Failed
    };
    let diagnostic = crate::domain::text::trim_excerpt(e.diagnostic.trim(), 1_000);
    BouncedRecipient {
        address: e.address,
        action,
        status: status.or(quoted).or(context_enhanced),
        smtp_code: smtp.or(context_smtp),
        diagnostic: (!diagnostic.is_empty()).then_some(diagnostic),
        remote_mta: e.remote_mta,
        hard: action == BounceAction::Failed && permanent && reason.hard_when_permanent(),
        reason,
        permanent,
        rule,
    }
}

/// Local parts that are the mail system itself, never a failed recipient.
pub(crate) fn system_address(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or_default();
    matches!(
        local,
        "postmaster"
            | "mailer-daemon"
            | "mailer_daemon"
            | "mail-daemon"
            | "mail-delivery-subsystem"
            | "maildaemon"
            | "mailerdaemon"
            | "hostmaster"
            | "mdaemon"
    ) || local.starts_with("mailer-daemon")
        || local.starts_with("postmaster")
}

/// The mail system wrote this message (its sender or subject says so).
pub(crate) fn from_mail_system(mail: &InboundMail) -> bool {
    let null_sender = mail
        .return_path
        .as_deref()
        .is_some_and(|r| r.trim_matches(['<', '>', ' ']).is_empty());
    mail.from.as_deref().is_none_or(|f| {
        system_address(f)
            || matches!(
                f.split('@').next().unwrap_or_default(),
                "no-reply" | "noreply" | "post_master" | "sysadmin" | "mail-daemon" | "daemon"
            )
    }) || null_sender
        || wording::bounce_subject(&mail.subject)
}

/// Addresses that are never a failed recipient: the notice's own sender and recipients,
/// the returned message's sender, our own domains, the mail system's mailboxes.
pub struct Excluded<'a> {
    mail: &'a InboundMail,
    ours: &'a [String],
}

impl<'a> Excluded<'a> {
    pub fn new(mail: &'a InboundMail, ours: &'a [String]) -> Self {
        Excluded { mail, ours }
    }

    /// Never a failed recipient, wherever it stands.
    pub fn excludes(&self, address: &str) -> bool {
        self.always(address) || self.mail.addressed_to.iter().any(|r| r == address)
    }

    /// Never a failed recipient, even on a line of its own (where a notice sent back to
    /// the failed address itself still names it).
    pub fn always(&self, address: &str) -> bool {
        system_address(address)
            || self.mail.from.as_deref() == Some(address)
            || self.mail.original_senders.iter().any(|r| r == address)
            || self.ours.iter().any(|o| {
                address
                    .rsplit_once('@')
                    .is_some_and(|(_, d)| d == o || d.ends_with(&format!(".{o}")))
            })
    }
}

/// Reads a parsed message as a bounce; `None` when it is not one. `ours` are our own
/// mail domains (never a failed recipient).
pub fn parse_bounce(mail: &InboundMail, ours: &[String]) -> Option<Bounce> {
    let excluded = Excluded::new(mail, ours);
    if let Some(b) = dsn::parse(mail, &excluded) {
        return Some(b);
    }
    if let Some(b) = ses::parse_text(mail) {
        return Some(b);
    }
    if let Some(b) = headers::parse(mail, &excluded) {
        return Some(b);
    }
    if let Some(b) = exchange::parse(mail, &excluded) {
        return Some(b);
    }
    plain::parse(mail, &excluded)
}

/// Parses raw bytes and reads them as a bounce.
pub fn parse_bounce_raw(raw: &[u8]) -> Option<Bounce> {
    parse_bounce(&super::inbound::parse(raw)?, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_systems_own_senders_are_never_recipients() {
        for a in ["MAILER-DAEMON@x.org", "postmaster@x.org", "mdaemon@x.org"] {
            assert!(system_address(&a.to_ascii_lowercase()), "{a}");
        }
        assert!(!system_address("daemon.fan@x.org"));
    }

    #[test]
    fn a_code_quoted_only_in_the_notice_names_the_reason_by_its_class() {
        // The recipient's lines say nothing; the notice's "554 5.7.0" decides permanent,
        // and its class (x.7.0, security or policy) is the reason: not a dead address.
        let f = judge(
            Evidence {
                address: "a@example.jp".into(),
                diagnostic: "a@example.jp".into(),
                ..Default::default()
            },
            "SMTP error from remote mail server after end of data:\n554 5.7.0 Header error",
        );
        assert_eq!(
            (f.reason, f.permanent, f.hard),
            (Reason::Policy, true, false)
        );
    }

    #[test]
    fn a_552_with_no_words_for_it_is_a_full_mailbox() {
        let f = judge(
            Evidence {
                address: "a@one.lv".into(),
                status: Some("5.0.0".into()),
                diagnostic: "552 Account(s) <a@one.lv> does not have enough space".into(),
                ..Default::default()
            },
            "",
        );
        assert_eq!(
            (f.reason, f.permanent, f.hard),
            (Reason::MailboxFull, true, false)
        );
    }
}
