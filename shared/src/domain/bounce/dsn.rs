//! RFC 3464 delivery status notifications: one block per recipient with
//! `Final-Recipient` (or `Original-Recipient`), `Action`, `Status`, `Remote-MTA` and
//! `Diagnostic-Code`. The most trusted format: its recipients and status are taken as
//! written; the human-readable part only explains a recipient that has no diagnostic.

use super::{Bounce, BounceFormat, Evidence, Excluded, judge, plain};
use crate::domain::inbound::{InboundMail, RecipientStatus, Report};

/// The actions that report a failure (RFC 3464 2.3.3); `failure` and the like are read
/// as `failed`.
fn failing(action: &str) -> Option<bool> {
    match action {
        "delayed" | "delay" => Some(true),
        a if a.starts_with("fail") || a.is_empty() => Some(false),
        _ => None,
    }
}

/// The statuses of a report, or `None` without one.
pub fn statuses(mail: &InboundMail) -> Option<&[RecipientStatus]> {
    match &mail.report {
        Some(Report::Delivery(s)) => Some(s),
        _ => None,
    }
}

/// A report whose recipients were all delivered, relayed or expanded: no bounce.
pub fn only_successes(mail: &InboundMail) -> bool {
    statuses(mail).is_some_and(|s| s.iter().all(|r| failing(&r.action).is_none()))
}

/// The lines of the human-readable part that speak of one recipient.
fn explanation(text: &str, address: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let Some(at) = lines
        .iter()
        .position(|l| l.to_ascii_lowercase().contains(address))
    else {
        return String::new();
    };
    lines[at..(at + 8).min(lines.len())].join("\n")
}

pub fn parse(mail: &InboundMail, excluded: &Excluded<'_>) -> Option<Bounce> {
    let statuses = statuses(mail)?;
    let human = mail.texts.first().unwrap_or(&mail.text);
    let human = plain::before_copy(human);
    let mut failures: Vec<super::BouncedRecipient> = Vec::new();
    // Recipients the report names with no usable address (`@mx.example.org`) are taken
    // from the human-readable part, in order.
    let mut from_text = None;
    for s in statuses {
        let Some(delayed) = failing(&s.action) else {
            continue;
        };
        let mut address = s.recipient.trim().to_ascii_lowercase();
        if let Some(inner) = plain::address_in(&address) {
            address = inner;
        } else {
            let named = from_text.get_or_insert_with(|| plain::recipients(human, excluded));
            match named
                .iter()
                .position(|f| !failures.iter().any(|g| g.address == f.address))
            {
                Some(at) => address = named.remove(at).address,
                None => continue,
            }
        }
        // The mail system's own mailboxes are never a failed recipient.
        if failures.iter().any(|f| f.address == address) || super::system_address(&address) {
            continue;
        }
        let diagnostic = match &s.diagnostic {
            Some(d) if !d.trim().is_empty() => d.clone(),
            _ => explanation(human, &address),
        };
        failures.push(judge(
            Evidence {
                address,
                delayed,
                status: s.status.clone(),
                diagnostic,
                remote_mta: s.remote_mta.clone(),
            },
            human,
        ));
    }
    Bounce::from_failures(BounceFormat::Rfc3464, failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bounce::{BounceAction, BounceRule, Reason};
    use crate::domain::inbound::delivery_status;

    fn parse(mail: &InboundMail) -> Option<Bounce> {
        super::parse(mail, &Excluded::new(mail, &[]))
    }

    fn report(body: &str) -> InboundMail {
        InboundMail {
            report: Some(Report::Delivery(delivery_status(body))),
            ..Default::default()
        }
    }

    #[test]
    fn every_recipient_with_its_own_verdict() {
        let m = report(
            "Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; Gone@Example.com\n\
Action: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.com\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n\
Final-Recipient: rfc822;full@example.org\nAction: failed\nStatus: 4.2.2\nDiagnostic-Code: smtp; 452 4.2.2 Over quota\n\n\
Final-Recipient: rfc822;later@example.net\nAction: delayed\nStatus: 5.0.0\n\n\
Final-Recipient: rfc822;fine@example.net\nAction: delivered\nStatus: 2.0.0\n",
        );
        let b = parse(&m).unwrap();
        assert_eq!(
            b.recipients,
            ["gone@example.com", "full@example.org", "later@example.net"]
        );
        let [gone, full, later] = &b.failures[..] else {
            panic!("{b:?}")
        };
        assert!(gone.hard && gone.permanent && gone.reason == Reason::UserUnknown);
        assert_eq!(gone.remote_mta.as_deref(), Some("mx.example.com"));
        assert_eq!(gone.smtp_code, Some(550));
        assert!(!full.hard && full.reason == Reason::MailboxFull);
        assert_eq!(full.rule, BounceRule::Status);
        assert!(!later.hard && later.action == BounceAction::Delayed);
        assert_eq!(later.rule, BounceRule::Delayed);
        assert!(b.permanent);
    }

    #[test]
    fn a_generic_status_takes_its_reason_from_the_diagnostic() {
        let m = report(
            "Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.0.0\n\
Diagnostic-Code: smtp; 550 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org\n",
        );
        let f = &parse(&m).unwrap().failures[0];
        assert_eq!((f.reason, f.hard), (Reason::Blocked, false));
        let m = report(
            "Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.0.0\n\
Diagnostic-Code: smtp; 550 Requested action not taken: mailbox unavailable\n",
        );
        let f = &parse(&m).unwrap().failures[0];
        assert_eq!((f.reason, f.hard), (Reason::UserUnknown, true));
    }

    #[test]
    fn only_successes_is_no_bounce() {
        let m =
            report("Final-Recipient: rfc822; a@example.com\nAction: delivered\nStatus: 2.0.0\n");
        assert!(parse(&m).is_none());
        assert!(only_successes(&m));
    }
}
