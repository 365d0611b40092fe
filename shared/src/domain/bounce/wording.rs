//! The wording that marks a notice as a bounce (its subject) or as a transient warning
//! when it quotes no code.

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

/// Wording that says delivery will still be attempted: a warning, whatever else the
/// notice says ("could not be delivered ... Delivery attempts will continue").
const RETRYING: &[&str] = &[
    "attempts will continue",
    "will continue to attempt",
    "will continue to try",
    "will keep trying",
    "will be retried",
];

/// A notice with no codes that says it will try again (and not that it gave up).
pub fn transient_wording(text: &str) -> bool {
    let lower = text.to_lowercase();
    RETRYING.iter().any(|p| lower.contains(p))
        || (TRANSIENT.iter().any(|p| lower.contains(p))
            && !PERMANENT.iter().any(|p| lower.contains(p)))
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
    "non-delivery",
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

    #[test]
    fn a_notice_that_will_still_try_is_a_warning_even_if_it_says_not_delivered() {
        assert!(transient_wording(
            "could not be delivered to the following recipients: a@example.org\n\
Please do not resend your original message.\nDelivery attempts will continue to be made for 5 day(s)."
        ));
        assert!(!transient_wording(
            "could not be delivered. It will not be retried."
        ));
        assert!(bounce_subject("Non-Delivery: your message"));
    }
}
