//! Why a recipient failed, from the most specific status code and the diagnostic text,
//! and the wording that marks a notice as a bounce or as a transient warning.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// Phrases per reason, most specific reason first. Matched in lower case.
const PHRASES: &[(Reason, &[&str])] = &[
    (
        Reason::MailboxFull,
        &[
            "mailbox full",
            "mailbox is full",
            "mailbox was full",
            "over quota",
            "overquota",
            "quota exceeded",
            "exceeded storage",
            "exceeds quota",
            "exceed quota",
            "quota exceed",
            "mailbox size limit",
            "mailfolder is full",
            "inbox is full",
            "over the quota",
            "not enough storage",
            "would exceed",
            "full mailbox",
            "mailbox has exceeded",
            "out of storage",
            "user is over",
            "storage quota",
            "mailbox exceeds",
            "is full",
            "insufficient storage",
            "quota",
            "over its storage",
        ],
    ),
    (
        Reason::TooLarge,
        &[
            "message too large",
            "line limit exceeded",
            "line too long",
            "message is too large",
            "message size exceeds",
            "too big",
            "exceeds the maximum size",
            "message length exceeds",
            "size limit",
            "message too big",
            "exceeds size",
            "exceeded the maximum",
            "message exceeds",
            "size exceeds",
        ],
    ),
    (
        Reason::RateLimited,
        &[
            "too many connections",
            "rate limit",
            "ratelimit",
            "too many messages",
            "exceeded the rate",
            "throttl",
            "connection rate",
            "sending rate",
            "too many emails",
            "unusual rate",
            "unexpected volume",
            "too many recipients this hour",
            "try to reduce",
            "too fast",
            "exceeded a rate",
        ],
    ),
    (
        Reason::Rejected,
        &[
            "sender address rejected",
            "relay access denied",
            "relaying denied",
            "sender address",
            "sender rejected",
            "domain of sender",
            "sender verify",
            "envelope sender",
            "sender domain",
            "invalid sender",
            "sender not allowed",
        ],
    ),
    (
        // Exchange Online's directory-based blocking answers an unknown recipient so.
        Reason::UserUnknown,
        &["recipient address rejected: access denied"],
    ),
    (
        Reason::HasMoved,
        &[
            "has moved",
            "address changed",
            "changed its address",
            "new address",
            "moved to",
        ],
    ),
    (
        Reason::HostUnknown,
        &[
            "host unknown",
            "mail exchanger",
            "unknown host",
            "domain not found",
            "no such domain",
            "domain does not exist",
            "host not found",
            "name or service not known",
            "nxdomain",
            "unknown domain",
            "host or domain name not found",
            "domain name not found",
            "no mx",
            "does not accept mail",
            "unrouteable",
            "unroutable",
            "domain is not valid",
            "domain does not accept",
            "no valid mx",
            "dns error",
            "could not resolve",
            "domain name not valid",
            "not a valid domain",
            "hostname not found",
            "domain not exist",
            "unknown mail domain",
            "host name lookup failed",
            "no route for",
            "mx record",
        ],
    ),
    (
        Reason::UserUnknown,
        &[
            "user unknown",
            "invalid user address",
            "unknown user",
            "no such user",
            "no such mailbox",
            "does not exist",
            "doesn't exist",
            "invalid recipient",
            "recipient unknown",
            "unknown recipient",
            "not listed in",
            "mailbox not found",
            "no mailbox",
            "recipient not found",
            "user not found",
            "invalid mailbox",
            "no such recipient",
            "unknown address",
            "address unknown",
            "account does not exist",
            "mailbox unavailable",
            "address not present",
            "bad destination mailbox",
            "couldn't be found",
            "could not be found",
            "no account",
            "unknown local part",
            "not a valid mailbox",
            "addressee unknown",
            "mailbox does not exist",
            "not a known user",
            "name is not recognized",
            "unknown or illegal alias",
            "no valid recipients",
            "not exist",
            "recipnotfound",
            "no such account",
            "user doesn't have",
            "user does not have",
            "mailbox is unavailable",
            "invalid address",
            "not our customer",
            "unknown email address",
            "email address could not be found",
            "no such person",
            "is not a valid user",
            "no such local user",
            "not found",
            "mailbox unknown",
            "unknown mailbox",
            "no user",
            "user invalid",
            "user doesn't exist",
            "not a valid recipient",
            "non-existent",
            "nonexistent",
            "address does not",
            "not have an account",
            "mailbox not available",
            "retired",
            "inexistent",
            "unknown account",
            "bad address",
            "bad recipient",
            "recipient invalid",
            "invalid user",
        ],
    ),
    (
        Reason::Suspended,
        &[
            "account disabled",
            "temporary locked",
            "been locked",
            "is locked",
            "account has been disabled",
            "mailbox disabled",
            "account is disabled",
            "suspended",
            "inactive",
            "deactivated",
            "not active",
            "account expired",
            "is disabled",
            "has been disabled",
            "mailbox is disabled",
            "temporarily disabled",
            "account is locked",
            "is frozen",
            "blocked account",
            "account locked",
            "discontinued",
        ],
    ),
    (
        Reason::SecurityError,
        &[
            "dmarc",
            "spf",
            "dkim",
            "unauthenticated",
            "authentication",
            "tls required",
            "starttls",
            "encryption required",
            "must use tls",
            "virus",
            "malware",
            "infected",
            "certificate",
            "sender policy framework",
            "not authenticated",
            "requires tls",
        ],
    ),
    (
        Reason::SpamDetected,
        &[
            "spam",
            "junk mail",
            "bulk mail",
            "unsolicited",
            "scored as",
            "phish",
            "message content rejected",
            "content rejected",
            "rejected due to content",
            "suspicious",
        ],
    ),
    (
        Reason::Blocked,
        &[
            "blocked",
            "blacklist",
            "black list",
            "block list",
            "blocklist",
            "denylist",
            "rbl",
            "spamhaus",
            "dnsbl",
            "sorbs",
            "your ip",
            "ip address",
            "client host",
            "reverse dns",
            "ptr record",
            "reputation",
            "banned",
            "refused to talk",
            "not allowed to send",
            "listed at",
            "listed on",
            "access denied",
            "connection refused by",
            "reverse lookup",
            "hostname does not",
            "rejected your ip",
            "sender ip",
        ],
    ),
    (
        Reason::Rejected,
        &[
            "sender address rejected",
            "sender rejected",
            "domain of sender",
            "sender verify",
            "sender domain",
            "invalid sender",
            "sender not allowed",
            "relay access denied",
            "relaying denied",
            "not permitted to relay",
            "unable to relay",
            "relay not permitted",
            "sender is not",
            "sender address",
            "from address",
            "return path",
            "envelope sender",
            "relaying",
            "not allowed to relay",
            "no relay",
        ],
    ),
    (
        Reason::Filtered,
        &[
            "filtered",
            "rejected by recipient",
            "user refuses",
            "refused by the recipient",
            "not accepting",
            "recipient rejected",
            "rejected by the recipient",
            "only accepts",
            "recipient blocked",
            "does not want",
            "the recipient has blocked",
            "restricted to",
            "not authorized to send",
            "not permitted to post",
            "permission to post",
            "moderated",
        ],
    ),
    (
        Reason::Policy,
        &[
            "policy",
            "not authorized",
            "prohibited",
            "administrative",
            "not allowed",
            "restricted",
            "denied",
            "refused",
            "violat",
        ],
    ),
    (
        Reason::Expired,
        &[
            "expired",
            "retry timeout",
            "aborted after",
            "multiple retries",
            "giving up",
            "given up",
            "gave up",
            "too long",
            "delivery time",
            "in the queue",
            "undeliverable for",
            "maximum time",
            "could not be delivered for",
            "retry time",
            "was not delivered within",
        ],
    ),
    (
        Reason::NetworkError,
        &[
            "connection timed out",
            "connection refused",
            "network",
            "no route to host",
            "could not connect",
            "couldn't connect",
            "lost connection",
            "unreachable",
            "mail loop",
            "routing loop",
            "too many hops",
            "loop detected",
            "connect to",
            "connection reset",
            "broken pipe",
            "connection closed",
        ],
    ),
    (
        Reason::SystemError,
        &[
            "system error",
            "internal error",
            "server error",
            "temporary failure",
            "local error",
            "out of memory",
            "disk full",
            "system full",
            "insufficient system storage",
            "mailer error",
            "configuration error",
            "service unavailable",
            "try again later",
            "temporarily",
            "resources",
            "local problem",
            "server busy",
            "system is busy",
            "unavailable",
        ],
    ),
];

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
        .replace("unknown address error", "");
    for (reason, phrases) in PHRASES {
        if phrases.iter().any(|p| lower.contains(p)) {
            return *reason;
        }
    }
    match code {
        Some(c) => weak(c),
        None if delayed => Reason::Expired,
        None => Reason::Undefined,
    }
}

const TRANSIENT: &[&str] = &[
    "will be retried",
    "will retry",
    "will keep trying",
    "will continue to try",
    "still trying",
    "not yet been delivered",
    "has not been delivered yet",
    "delayed",
    "delivery delay",
    "this is only a warning",
    "warning: message still undelivered",
    "temporary failure",
    "temporarily",
    "try again later",
    "transient",
    "retrying",
    "will try again",
    "will attempt",
    "continuing to attempt",
    "not yet delivered",
];
const PERMANENT: &[&str] = &[
    "permanent",
    "fatal",
    "given up",
    "giving up",
    "gave up",
    "failed permanently",
    "could not be delivered",
    "was not delivered",
    "undeliverable",
    "delivery has failed",
    "unable to deliver",
];

/// A notice with no codes that says it will try again (and not that it gave up).
pub fn transient_wording(text: &str) -> bool {
    let lower = text.to_lowercase();
    TRANSIENT.iter().any(|p| lower.contains(p)) && !PERMANENT.iter().any(|p| lower.contains(p))
}

const SUBJECTS: &[&str] = &[
    "undeliverable",
    "undelivered",
    "delivery status notification",
    "mail delivery failed",
    "delivery failure",
    "failure notice",
    "returned mail",
    "message not delivered",
    "delivery has failed",
    "could not be delivered",
    "unzustellbar",
    "non remis",
    "non distribuable",
    "no se puede entregar",
    "non recapitabile",
    "mail system error",
    "delivery notification",
    "nondeliverable",
    "non-deliverable",
    "delivery problem",
    "undeliverable mail",
    "mail failure",
    "delivery failed",
    "returned to sender",
    "warning: could not send",
    "delayed mail",
    "delivery delayed",
    "not delivered",
    "rejected:",
    "error sending",
    "mail could not",
    "delivery report",
    "failed delivery",
    "message delivery",
    "send failure",
    "unable to deliver",
    "delivery error",
    "nicht zustellbar",
    "fehlgeschlagen",
    "notification d'état",
    "échec",
    "не доставлено",
    "не может быть доставлено",
    "returned message",
    "bounce",
    "message you sent",
    "notice of",
    "failed mail",
    "mail error",
    "problem delivering",
];

/// A subject that non-delivery notices use.
pub fn bounce_subject(subject: &str) -> bool {
    let lower = subject.to_lowercase();
    SUBJECTS.iter().any(|p| lower.contains(p))
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
        ];
        for (text, reason) in cases {
            assert_eq!(classify(Some("5.0.0"), text, false), reason, "{text}");
        }
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

    #[test]
    fn warnings_are_transient_unless_they_gave_up() {
        assert!(transient_wording(
            "Delivery is delayed; we will keep trying"
        ));
        assert!(!transient_wording(
            "This is a permanent error; I've given up."
        ));
        assert!(!transient_wording(
            "Sorry, your message could not be delivered"
        ));
    }
}
