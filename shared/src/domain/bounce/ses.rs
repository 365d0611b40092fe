//! SES's own bounce notifications: `bounceType` / `bounceSubType` and each
//! `bouncedRecipients` entry's `status` and `diagnosticCode`, read into the same
//! per-recipient verdict as a bounce that arrives by mail. A recipient's own status and
//! diagnostic come first (as in a DSN); the bounce type decides only without them.

use super::{
    Bounce, BounceAction, BounceFormat, BounceRule, BouncedRecipient, Evidence, Reason, judge,
};
use crate::domain::inbound::InboundMail;
use serde_json::Value;

/// What a sub-type says about the reason when the recipient's codes say nothing.
fn sub_type_reason(sub_type: &str) -> Reason {
    match sub_type {
        "NoEmail" => Reason::UserUnknown,
        "MailboxFull" => Reason::MailboxFull,
        "MessageTooLarge" => Reason::TooLarge,
        "ContentRejected" | "AttachmentRejected" => Reason::Filtered,
        // Suppressed by SES for an earlier hard bounce or complaint: permanent, and no
        // better reason is given.
        _ => Reason::Undefined,
    }
}

/// One `bouncedRecipients` entry.
pub fn recipient(
    address: &str,
    bounce_type: &str,
    sub_type: &str,
    status: Option<&str>,
    diagnostic: Option<&str>,
    action: Option<&str>,
) -> BouncedRecipient {
    let delayed = action.is_some_and(|a| a.eq_ignore_ascii_case("delayed"));
    let evidence = Evidence {
        address: address.trim().to_ascii_lowercase(),
        delayed,
        status: status.map(str::to_string),
        diagnostic: diagnostic.unwrap_or_default().to_string(),
        remote_mta: None,
    };
    let mut r = judge(evidence, "");
    if r.rule == BounceRule::Wording {
        // No codes at all: SES's bounce type decides.
        r.permanent = bounce_type == "Permanent";
        r.rule = BounceRule::SesBounceType;
        r.action = BounceAction::Failed;
    }
    if r.reason == Reason::Undefined
        || (r.rule == BounceRule::SesBounceType && sub_type != "General")
    {
        r.reason = sub_type_reason(sub_type);
    }
    r.hard = r.action == BounceAction::Failed && r.permanent && r.reason.hard_when_permanent();
    r
}

/// The recipients of an SES `bounce` object (the notification's `bounce` field).
pub fn from_json(bounce: &Value) -> Option<Bounce> {
    let text = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_string);
    let bounce_type = text(bounce, "bounceType").unwrap_or_default();
    let sub_type = text(bounce, "bounceSubType").unwrap_or_default();
    let failures = bounce
        .get("bouncedRecipients")?
        .as_array()?
        .iter()
        .filter_map(|r| {
            let address = text(r, "emailAddress")?;
            Some(recipient(
                &address,
                &bounce_type,
                &sub_type,
                text(r, "status").as_deref(),
                text(r, "diagnosticCode").as_deref(),
                text(r, "action").as_deref(),
            ))
        })
        .collect();
    Bounce::from_failures(BounceFormat::SesNotification, failures)
}

/// An SES notification delivered as mail (an SNS e-mail subscription): the JSON body.
pub fn parse_text(mail: &InboundMail) -> Option<Bounce> {
    let text = mail.texts.first().unwrap_or(&mail.text).trim_start();
    if !text.starts_with('{') || !text.contains("\"bounce\"") {
        return None;
    }
    // The JSON (folded by mail software at any point) ends before SNS's footer.
    let json: String = text
        .split("\n--")
        .next()?
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n'))
        .collect();
    let value: Value = serde_json::from_str(&json).ok()?;
    from_json(value.get("bounce")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_first_then_the_bounce_type() {
        let r = recipient(
            "Gone@X.org",
            "Permanent",
            "General",
            Some("5.1.1"),
            Some("smtp; 550 5.1.1 user unknown"),
            Some("failed"),
        );
        assert_eq!(
            (r.address.as_str(), r.hard, r.reason, r.rule),
            ("gone@x.org", true, Reason::UserUnknown, BounceRule::Status)
        );
        let r = recipient("a@x.org", "Permanent", "NoEmail", None, None, None);
        assert_eq!(
            (r.hard, r.reason, r.rule),
            (true, Reason::UserUnknown, BounceRule::SesBounceType)
        );
        let r = recipient("a@x.org", "Transient", "MailboxFull", None, None, None);
        assert_eq!((r.hard, r.reason), (false, Reason::MailboxFull));
        let r = recipient("a@x.org", "Permanent", "Suppressed", None, None, None);
        assert!(r.hard);
        let r = recipient("a@x.org", "Transient", "General", Some("4.4.7"), None, None);
        assert_eq!((r.hard, r.reason), (false, Reason::Expired));
        let r = recipient(
            "a@x.org",
            "Permanent",
            "ContentRejected",
            Some("5.7.1"),
            Some("smtp; 550 5.7.1 message rejected as spam"),
            None,
        );
        assert_eq!((r.hard, r.reason), (false, Reason::SpamDetected));
    }
}
