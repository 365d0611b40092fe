//! `X-Failed-Recipients` (Exim, Gmail, Mail.ru, Google Groups): the MTA names the failed
//! addresses in a header, and explains each in the text below the address.

use super::{Bounce, BounceFormat, Evidence, Excluded, judge, plain};
use crate::domain::inbound::InboundMail;

pub fn parse(mail: &InboundMail, excluded: &Excluded<'_>) -> Option<Bounce> {
    let header = mail.machine_header("x-failed-recipients")?;
    let text = mail.texts.first().unwrap_or(&mail.text);
    let pre = plain::before_copy(text);
    let lines = plain::recipients(pre, excluded);
    let mut failures: Vec<super::BouncedRecipient> = Vec::new();
    for address in header
        .split([',', ' ', '\t', '\n', '\r'])
        .map(|a| a.trim().trim_matches(['<', '>', '"']).to_ascii_lowercase())
        .filter(|a| a.contains('@'))
    {
        if failures.iter().any(|f| f.address == address) {
            continue;
        }
        let block = lines
            .iter()
            .find(|f| f.address == address)
            .map(|f| f.block.clone())
            .unwrap_or_default();
        failures.push(judge(
            Evidence {
                address,
                diagnostic: block,
                ..Default::default()
            },
            pre,
        ));
    }
    Bounce::from_failures(BounceFormat::XFailedRecipients, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_names_them_and_the_text_explains() {
        let m = InboundMail {
            from: Some("mailer-daemon@googlemail.com".into()),
            recipients: vec!["me@agency.com".into()],
            machine_headers: vec![(
                "x-failed-recipients".into(),
                "gone@example.jp, full@example.org".into(),
            )],
            text: "Delivery to the following recipient failed permanently:\n\n     gone@example.jp\n\n\
550 5.1.1 <gone@example.jp>... User Unknown\n\n     full@example.org\n\n452 4.2.2 The email account that you tried to reach is over quota\n\
----- Original message -----\nTo: other@example.jp\n"
                .into(),
            ..Default::default()
        };
        let b = parse(&m, &Excluded::new(&m, &[])).unwrap();
        assert_eq!(b.recipients, ["gone@example.jp", "full@example.org"]);
        assert!(b.failures[0].hard);
        assert!(!b.failures[1].hard && !b.failures[1].permanent);
    }
}
