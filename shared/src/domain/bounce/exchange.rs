//! Microsoft Exchange (2003 to Online), Office 365 and Outlook.com notices. Many carry a
//! DSN (read by [`super::dsn`]); these are the ones without: "did not reach the following
//! recipient(s)" (2003, with `addr on <date>` lines and `MSEXCH:IMS` codes), "Delivery has
//! failed to these recipients or groups" (2007 on, often HTML only) and "Your message to
//! addr couldn't be delivered" (Office 365), with `Remote Server returned '550 5.1.1 ...'`
//! or `#550 5.1.1 RESOLVER.ADR.RecipNotFound##` in the diagnostic section.

use super::{Bounce, BounceFormat, Evidence, Excluded, judge, plain};
use crate::domain::inbound::InboundMail;

/// Where the recipients start, in lower case.
const MARKERS: &[&str] = &[
    "did not reach the following recipient",
    "delivery has failed to these recipients or groups",
    "your message did not reach some or all of the intended recipients",
    "the following recipient(s) cannot be reached",
    "could not be delivered to the following recipients",
    "your message couldn't be delivered",
    "delivery to these recipients or groups is delayed",
    "there was a temporary problem delivering your message",
];

/// Exchange's own status tokens and what RFC 3463 code they stand for.
const TOKENS: &[(&str, &str)] = &[
    ("resolver.adr.recipnotfound", "5.1.1"),
    ("resolver.adr.exrecipnotfound", "5.1.1"),
    ("resolver.adr.recipientnotfound", "5.1.1"),
    ("resolver.adr.badprimary", "5.1.1"),
    ("resolver.rst.recipsizelimit", "5.3.4"),
    ("resolver.rst.notauthorized", "5.7.1"),
    ("resolver.rst.authrequired", "5.7.1"),
    ("000c05a6", "5.1.1"),
    ("recipient name is not recognized", "5.1.1"),
    ("mailbox full", "5.2.2"),
    ("quota exceeded", "5.2.2"),
];

/// The byte offset of the line where the recipients start.
fn start(text: &str) -> Option<usize> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let lower = line.to_lowercase();
        // Office 365: "Your message to addr couldn't be delivered."
        if MARKERS.iter().any(|m| lower.contains(m))
            || (lower.contains("your message to ") && lower.contains("couldn't be delivered"))
        {
            return Some(at);
        }
        at += line.len();
    }
    None
}

/// A status code for an Exchange token in the text, when it quotes none of its own.
fn token_code(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    TOKENS
        .iter()
        .find(|(t, _)| lower.contains(t))
        .map(|(_, c)| *c)
}

pub fn parse(mail: &InboundMail, excluded: &Excluded<'_>) -> Option<Bounce> {
    let texts = if mail.texts.is_empty() {
        std::slice::from_ref(&mail.text)
    } else {
        mail.texts.as_slice()
    };
    for text in texts.iter().take(3) {
        let Some(at) = start(text) else { continue };
        let pre = plain::before_copy(&text[at..]);
        let found = plain::recipients(pre, excluded);
        if found.is_empty() {
            continue;
        }
        let delayed = pre.to_lowercase().contains("delayed")
            || pre.to_lowercase().contains("temporary problem");
        let failures = found
            .into_iter()
            .map(|f| {
                let status = match (super::codes::enhanced_in(&f.block), token_code(&f.block)) {
                    (None, Some(code)) => Some(code.to_string()),
                    _ => None,
                };
                judge(
                    Evidence {
                        address: f.address,
                        delayed,
                        status,
                        diagnostic: f.block,
                        remote_mta: None,
                    },
                    pre,
                )
            })
            .collect();
        return Bounce::from_failures(BounceFormat::Exchange, failures);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bounce::Reason;

    fn mail(text: &str) -> InboundMail {
        InboundMail {
            from: Some("postmaster@example.jp".into()),
            recipients: vec!["me@agency.com".into()],
            subject: "Undeliverable: hello".into(),
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn exchange_2003_lines_and_codes() {
        let m = mail(
            "Your message\n\n  To:      someone@example.com\n  Subject: Hi\n\n\
did not reach the following recipient(s):\n\ngone@example.jp on Thu, 29 Apr 2010 00:00:00 -0000\n\
    The recipient name is not recognized\n    MSEXCH:IMS:NNN:KIJITORACAT:NEKO 0 (000C05A6) Unknown Recipient\n",
        );
        let b = parse(&m, &Excluded::new(&m, &[])).unwrap();
        assert_eq!(b.recipients, ["gone@example.jp"]);
        assert_eq!(b.failures[0].reason, Reason::UserUnknown);
        assert!(b.permanent);
    }

    #[test]
    fn office_365_html_text() {
        let m = mail(
            "Delivery has failed to these recipients or groups:\n\ngone@example.com<mailto:gone@example.com>\n\
The email address you entered couldn't be found.\n\nDiagnostic information for administrators:\n\n\
Generating server: mail.example.com\n\ngone@example.com\n#550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup ##\n\n\
Original message headers:\n\nTo: gone@example.com\n",
        );
        let b = parse(&m, &Excluded::new(&m, &[])).unwrap();
        assert_eq!(b.recipients, ["gone@example.com"]);
        assert_eq!(b.failures[0].status.as_deref(), Some("5.1.10"));
        assert_eq!(b.failures[0].reason, Reason::HostUnknown);
        assert!(b.failures[0].hard);
    }
}
