//! Why a recipient failed: a status code that names its reason, else the diagnostic's
//! words ([`super::phrases`]), else the code's class.

use super::phrases::PHRASES;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use utoipa::ToSchema;

/// A count of attempts made ("Delivery failed 20 attempts", "after 30 attempt(s)"): the
/// retries were used up.
static ATTEMPTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:failed|after)\s+\d+\s+(?:delivery\s+)?attempt").expect("attempts pattern")
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The mailbox does not exist.
    UserUnknown,
    MailboxFull,
    /// The recipient's domain does not exist or accepts no mail.
    HostUnknown,
    /// The sender's IP address or domain is refused (block lists, reputation).
    Blocked,
    SpamDetected,
    /// The recipient's filters refused it.
    Filtered,
    /// The receiving site's policy refused it.
    Policy,
    /// The sender address was refused.
    Rejected,
    /// Given up after retrying.
    Expired,
    /// The mailbox is disabled or suspended.
    Suspended,
    TooLarge,
    SystemError,
    NetworkError,
    RateLimited,
    /// Authentication (SPF, DKIM, DMARC), TLS or a virus.
    SecurityError,
    /// The recipient has moved to another address.
    HasMoved,
    Undefined,
}

impl Reason {
    pub const ALL: [Reason; 17] = [
        Self::UserUnknown,
        Self::MailboxFull,
        Self::HostUnknown,
        Self::Blocked,
        Self::SpamDetected,
        Self::Filtered,
        Self::Policy,
        Self::Rejected,
        Self::Expired,
        Self::Suspended,
        Self::TooLarge,
        Self::SystemError,
        Self::NetworkError,
        Self::RateLimited,
        Self::SecurityError,
        Self::HasMoved,
        Self::Undefined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserUnknown => "user_unknown",
            Self::MailboxFull => "mailbox_full",
            Self::HostUnknown => "host_unknown",
            Self::Blocked => "blocked",
            Self::SpamDetected => "spam_detected",
            Self::Filtered => "filtered",
            Self::Policy => "policy",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::Suspended => "suspended",
            Self::TooLarge => "too_large",
            Self::SystemError => "system_error",
            Self::NetworkError => "network_error",
            Self::RateLimited => "rate_limited",
            Self::SecurityError => "security_error",
            Self::HasMoved => "has_moved",
            Self::Undefined => "undefined",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// A permanent failure for this reason is a hard bounce: it is about the recipient's
    /// address (gone, never was, moved, disabled), or permanent with no better reason.
    /// The rest (the sender refused, the content, the size, a full mailbox, the systems
    /// between) say nothing against the address and stay soft.
    pub fn hard_when_permanent(self) -> bool {
        matches!(
            self,
            Self::UserUnknown
                | Self::HostUnknown
                | Self::HasMoved
                | Self::Suspended
                | Self::Undefined
        )
    }
}

/// Codes that name their reason whatever the text says.
fn strong(code: &str) -> Option<Reason> {
    let (_, rest) = code.split_once('.')?;
    Some(match rest {
        "1.1" => Reason::UserUnknown,
        "1.2" | "1.10" => Reason::HostUnknown,
        "1.6" => Reason::HasMoved,
        "2.2" => Reason::MailboxFull,
        "2.3" | "3.4" => Reason::TooLarge,
        "4.7" => Reason::Expired,
        "7.23" | "7.24" | "7.25" | "7.26" | "7.27" | "7.5" | "7.6" | "7.7" | "7.8" | "7.9" => {
            Reason::SecurityError
        }
        "7.28" => Reason::RateLimited,
        _ => return None,
    })
}

/// What a code's class says when the text says nothing better.
fn weak(code: &str) -> Reason {
    let (_, rest) = code.split_once('.').unwrap_or_default();
    match rest {
        "1.0" | "1.3" | "1.4" | "1.5" => Reason::UserUnknown,
        "1.7" | "1.8" => Reason::Rejected,
        "2.1" => Reason::Suspended,
        "2.0" | "2.4" => Reason::Filtered,
        "3.1" | "3.0" | "3.2" | "3.3" | "3.5" | "4.3" | "4.5" => Reason::SystemError,
        "4.1" | "4.2" | "4.6" | "4.0" => Reason::NetworkError,
        "4.4" => Reason::HostUnknown,
        "5.3" => Reason::Policy,
        "6.0" | "6.1" => Reason::Filtered,
        "7.0" | "7.1" | "7.2" | "7.3" | "7.4" => Reason::Policy,
        _ => Reason::Undefined,
    }
}

/// Why it failed: a code that names its reason, else the text, else the code's class.
pub fn classify(code: Option<&str>, text: &str, delayed: bool) -> Reason {
    if let Some(r) = code.and_then(strong) {
        return r;
    }
    // Block lists named after spam are about the sender's IP, not the content.
    let lower = text
        .to_lowercase()
        .replace("spamhaus", "blocklist")
        .replace("spamcop", "blocklist")
        .replace("spamrats", "blocklist")
        // SES's wrapper around the remote answer says nothing itself.
        .replace("unknown address error", "")
        // qmail-send's sentence on every permanent failure is no reason of its own.
        .replace("this is a permanent error; i've given up", "");
    for (reason, phrases) in PHRASES {
        if phrases.iter().any(|p| lower.contains(p)) {
            return *reason;
        }
    }
    if ATTEMPTS.is_match(&lower) {
        return Reason::Expired;
    }
    match code {
        Some(c) => weak(c),
        None if delayed => Reason::Expired,
        None => Reason::Undefined,
    }
}

/// What an SMTP reply code alone says when nothing else names a reason: RFC 5321 4.2.3
/// gives 552 as "exceeded storage allocation", a full mailbox.
pub fn by_reply_code(code: Option<u16>) -> Option<Reason> {
    (code == Some(552)).then_some(Reason::MailboxFull)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_specific_code_decides_before_the_text() {
        assert_eq!(
            classify(Some("5.1.1"), "blocked", false),
            Reason::UserUnknown
        );
        assert_eq!(classify(Some("4.2.2"), "", false), Reason::MailboxFull);
        assert_eq!(classify(Some("5.1.10"), "", false), Reason::HostUnknown);
        assert_eq!(classify(Some("5.7.26"), "", false), Reason::SecurityError);
        assert_eq!(classify(Some("5.4.7"), "", true), Reason::Expired);
    }

    #[test]
    fn the_text_decides_a_generic_code() {
        let cases = [
            ("550 Unknown user kijitora@example.jp", Reason::UserUnknown),
            ("Host or domain name not found", Reason::HostUnknown),
            ("blocked using zen.spamhaus.org", Reason::Blocked),
            ("Message rejected as spam", Reason::SpamDetected),
            (
                "Sender address rejected: Domain not found",
                Reason::Rejected,
            ),
            ("Relay access denied", Reason::Rejected),
            ("Connection timed out", Reason::NetworkError),
            ("Mailbox disabled for this recipient", Reason::Suspended),
            ("user is over quota", Reason::MailboxFull),
            ("message size exceeds fixed limit", Reason::TooLarge),
            (
                "mail for example.lv loops back to myself",
                Reason::NetworkError,
            ),
            (
                "554 Message looping (received 6 times)",
                Reason::NetworkError,
            ),
            (
                "Connection was dropped by remote host",
                Reason::NetworkError,
            ),
            (
                "Command died with status 17: \"/usr/sbin/amavis\"",
                Reason::SystemError,
            ),
            ("Exceeded Maximum Delivery Attempts", Reason::Expired),
        ];
        for (text, reason) in cases {
            assert_eq!(classify(Some("5.0.0"), text, false), reason, "{text}");
        }
    }

    #[test]
    fn counted_attempts_are_retries_used_up_and_qmails_sentence_is_no_reason() {
        assert_eq!(
            classify(None, "Delivery failed 20 attempts: a@example.ph", false),
            Reason::Expired
        );
        assert_eq!(
            classify(
                None,
                "This condition occurred after 30 attempt(s) to deliver",
                false
            ),
            Reason::Expired
        );
        let qmail =
            "This is a permanent error; I've given up. Sorry it didn't work out.\n<a@example.de>:";
        assert_eq!(classify(None, qmail, false), Reason::Undefined);
        assert_eq!(
            classify(
                None,
                &format!(
                    "{qmail}\nI'm not going to try again; this message has been in the queue too long."
                ),
                false
            ),
            Reason::Expired
        );
    }

    #[test]
    fn a_552_reply_alone_is_a_full_mailbox() {
        assert_eq!(by_reply_code(Some(552)), Some(Reason::MailboxFull));
        assert_eq!(by_reply_code(Some(550)), None);
        assert_eq!(by_reply_code(None), None);
    }

    #[test]
    fn a_code_class_is_the_last_word_before_undefined() {
        assert_eq!(classify(Some("5.7.1"), "no", false), Reason::Policy);
        assert_eq!(classify(Some("5.2.1"), "", false), Reason::Suspended);
        assert_eq!(classify(None, "", false), Reason::Undefined);
        assert_eq!(classify(None, "", true), Reason::Expired);
    }

    #[test]
    fn hard_is_about_the_address() {
        let hard: Vec<_> = Reason::ALL
            .into_iter()
            .filter(|r| r.hard_when_permanent())
            .collect();
        assert_eq!(
            hard,
            [
                Reason::UserUnknown,
                Reason::HostUnknown,
                Reason::Suspended,
                Reason::HasMoved,
                Reason::Undefined
            ]
        );
    }
}
