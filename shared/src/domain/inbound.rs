//! Inbound mail, parsed once with mail-parser (any charset, quoted-printable and base64,
//! nested multiparts, HTML-only bodies turned into text) into the facts reply handling
//! needs: threading ids, addresses, the text, auto-reply headers, and the machine-readable
//! reports inside bounces (RFC 3464) and complaints (RFC 5965).

use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders, PartType};

/// A delivery report's per-recipient verdict (RFC 3464).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientStatus {
    pub recipient: String,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    pub action: String,
    /// The enhanced status code (`5.1.1`), when given.
    pub status: Option<String>,
    pub diagnostic: Option<String>,
    /// The `Remote-MTA` that answered, when given.
    pub remote_mta: Option<String>,
}

/// What a `multipart/report` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    Delivery(Vec<RecipientStatus>),
    /// An ARF feedback report: its type (`abuse`, `fraud`, …) and the complained-of
    /// recipients.
    Feedback {
        feedback_type: String,
        recipients: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboundMail {
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// The sender's address, lower-cased.
    pub from: Option<String>,
    pub from_name: Option<String>,
    /// To, Cc, Delivered-To and X-Original-To, lower-cased.
    pub recipients: Vec<String>,
    /// The `To` and `Cc` headers only, lower-cased.
    pub addressed_to: Vec<String>,
    /// The first Reply-To address, lower-cased.
    pub reply_to: Option<String>,
    pub subject: String,
    pub date: Option<chrono::DateTime<chrono::Utc>>,
    /// The text body, or the HTML body turned into text.
    pub text: String,
    pub html: Option<String>,
    /// `Auto-Submitted`, `Precedence`, `X-Autoreply`, `X-Autorespond` and
    /// `X-Failed-Recipients` (Exim's and Gmail's bounces), lower-cased.
    pub machine_headers: Vec<(String, String)>,
    pub report: Option<Report>,
    /// Message-IDs of a message returned inside this one (a bounce's or complaint's copy
    /// of what we sent).
    pub original_message_ids: Vec<String>,
    /// Recipients named by the returned copy's headers.
    pub original_recipients: Vec<String>,
    /// Senders named by the returned copy's headers (`From`, `Return-Path`): never a
    /// failed recipient.
    pub original_senders: Vec<String>,
    /// The envelope sender (`Return-Path`) as received, `<>` for a null sender.
    pub return_path: Option<String>,
    /// Every text part outside returned messages, the first one first (bounce parsing
    /// reads all of them).
    pub texts: Vec<String>,
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => vec![],
    }
}

fn addresses(address: Option<&Address<'_>>) -> Vec<String> {
    address
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

/// The value after `rfc822;` in a report field.
fn after_type(value: &str) -> String {
    value
        .split_once(';')
        .map(|(_, v)| v)
        .unwrap_or(value)
        .trim()
        .trim_matches(|c| c == '<' || c == '>')
        .to_ascii_lowercase()
}

/// `Name: value` fields of one report block, continuation lines folded.
fn fields(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    out
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The per-recipient blocks of a `message/delivery-status` body.
pub fn delivery_status(body: &str) -> Vec<RecipientStatus> {
    let body = body.replace("\r\n", "\n");
    body.split("\n\n")
        .map(fields)
        .filter_map(|f| {
            let final_recipient = field(&f, "final-recipient").map(after_type);
            let original = field(&f, "original-recipient").map(after_type);
            // A source route (`@relay:user@host`), a pipe or a bare domain in
            // Final-Recipient: the Original-Recipient, when it is a plain address, says more.
            let plain = |a: &String| {
                a.split_once('@').is_some_and(|(l, d)| {
                    !l.is_empty() && d.contains('.') && !l.contains([':', '|', ' '])
                })
            };
            let recipient = match (final_recipient, original) {
                (Some(f), _) if plain(&f) => f,
                (_, Some(o)) if plain(&o) => o,
                (Some(f), _) => f,
                (None, Some(o)) => o,
                (None, None) => return None,
            };
            Some(RecipientStatus {
                recipient,
                action: field(&f, "action")
                    .unwrap_or("failed")
                    .trim()
                    .to_ascii_lowercase(),
                status: field(&f, "status")
                    .and_then(|s| s.split_whitespace().next())
                    .map(str::to_string),
                diagnostic: field(&f, "diagnostic-code").map(after_type),
                remote_mta: field(&f, "remote-mta").map(after_type),
            })
        })
        .collect()
}

fn feedback(body: &str) -> Report {
    let f = fields(&body.replace("\r\n", "\n"));
    Report::Feedback {
        feedback_type: field(&f, "feedback-type")
            .unwrap_or("abuse")
            .to_ascii_lowercase(),
        recipients: f
            .iter()
            .filter(|(n, _)| n == "original-rcpt-to" || n == "removal-recipient")
            .map(|(_, v)| after_type(v))
            .collect(),
    }
}

fn part_text(part: &mail_parser::MessagePart<'_>) -> String {
    match &part.body {
        PartType::Text(t) | PartType::Html(t) => t.to_string(),
        PartType::Binary(b) | PartType::InlineBinary(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

/// Reads the returned copy of our message (full message or headers only).
fn returned(mail: &mut InboundMail, original: &Message<'_>) {
    mail.original_message_ids
        .extend(original.message_id().map(str::to_string));
    mail.original_recipients.extend(addresses(original.to()));
    mail.original_senders.extend(addresses(original.from()));
    mail.original_senders.extend(
        original
            .header_raw("Return-Path")
            .map(|v| v.trim().trim_matches(['<', '>']).to_ascii_lowercase())
            .filter(|v| v.contains('@')),
    );
}

fn read_parts(mail: &mut InboundMail, message: &Message<'_>) {
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            // A part without headers is text/plain (RFC 2046 5.1).
            if let PartType::Text(t) = &part.body
                && mail.texts.len() < 8
            {
                mail.texts.push(t.replace("\r\n", "\n"));
            }
            continue;
        };
        let subtype = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        match (ct.ctype().to_ascii_lowercase().as_str(), subtype.as_str()) {
            ("message", "delivery-status" | "global-delivery-status") => {
                let statuses = delivery_status(&part_text(part));
                if !statuses.is_empty() {
                    mail.report = Some(Report::Delivery(statuses));
                }
            }
            ("message", "feedback-report") => mail.report = Some(feedback(&part_text(part))),
            ("text", "plain" | "html") if mail.texts.len() < 8 => {
                let text = part_text(part);
                mail.texts.push(if subtype == "html" {
                    super::html_text::html_to_text(&text)
                } else {
                    text.replace("\r\n", "\n")
                });
            }
            ("text", "rfc822-headers") | ("message", "rfc822-headers") => {
                let text = part_text(part);
                if let Some(headers) = MessageParser::default().parse_headers(text.as_bytes()) {
                    returned(mail, &headers);
                }
            }
            _ => {}
        }
        if let PartType::Message(nested) = &part.body {
            returned(mail, nested);
        }
    }
}

/// Parses a raw message; `None` when it has no headers at all. mail-parser can panic on
/// some malformed input (found by the corpus fuzz test): such a message is read as plain
/// text rather than lost.
pub fn parse(raw: &[u8]) -> Option<InboundMail> {
    let raw = without_leading_blank_lines(raw);
    std::panic::catch_unwind(|| parse_mime(raw)).unwrap_or_else(|_| {
        let text = String::from_utf8_lossy(raw).replace("\r\n", "\n");
        Some(InboundMail {
            texts: vec![text.clone()],
            text,
            ..Default::default()
        })
    })
}

/// Some gateways put a line of spaces (or an empty line) before the headers; a MIME parser
/// then reads the whole message as a body with no headers.
fn without_leading_blank_lines(raw: &[u8]) -> &[u8] {
    let mut rest = raw;
    while let Some(end) = rest.iter().position(|&b| b == b'\n') {
        if !rest[..end].iter().all(|b| b.is_ascii_whitespace()) {
            break;
        }
        rest = &rest[end + 1..];
    }
    rest
}

fn parse_mime(raw: &[u8]) -> Option<InboundMail> {
    let message = MessageParser::default().parse(raw)?;
    // Mail has at least one header mail has; a line of binary noise is no message.
    let known = [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "Received",
        "Return-Path",
        "Content-Type",
        "MIME-Version",
        "X-Failed-Recipients",
    ];
    if message.headers().is_empty() || !known.iter().any(|h| message.header(*h).is_some()) {
        return None;
    }
    let from = message.from().and_then(|a| a.first());
    let mut recipients = addresses(message.to());
    recipients.extend(addresses(message.cc()));
    let addressed_to = recipients.clone();
    for name in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        recipients.extend(
            message
                .header_values(name)
                .filter_map(|v| v.as_text())
                .map(|t| t.trim().trim_matches(['<', '>']).to_ascii_lowercase()),
        );
    }
    let machine_headers = [
        "Auto-Submitted",
        "Precedence",
        "X-Autoreply",
        "X-Autorespond",
        "X-Failed-Recipients",
    ]
    .iter()
    .filter_map(|name| {
        message
            .header_raw(*name)
            .map(|v| (name.to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
    })
    .collect();
    let mut mail = InboundMail {
        message_id: message.message_id().map(str::to_string),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        from: from
            .and_then(|a| a.address())
            .map(|a| a.trim().to_ascii_lowercase()),
        from_name: from.and_then(|a| a.name()).map(str::to_string),
        recipients,
        addressed_to,
        reply_to: addresses(message.reply_to()).into_iter().next(),
        subject: message.subject().unwrap_or_default().to_string(),
        date: message
            .date()
            .and_then(|d| chrono::DateTime::from_timestamp(d.to_timestamp(), 0)),
        // An HTML-only message is read with its blocks and quotes kept apart.
        text: match message.text_part(0).map(|p| &p.body) {
            Some(PartType::Html(html)) => super::html_text::html_to_text(html),
            _ => message
                .body_text(0)
                .map(|t| t.replace("\r\n", "\n"))
                .unwrap_or_default(),
        },
        html: message.body_html(0).map(|h| h.into_owned()),
        machine_headers,
        ..Default::default()
    };
    mail.return_path = message
        .header_raw("Return-Path")
        .map(|v| v.trim().to_ascii_lowercase());
    read_parts(&mut mail, &message);
    if message.parts.len() == 1 && mail.texts.is_empty() && !mail.text.trim().is_empty() {
        mail.texts.push(mail.text.clone());
    }
    // Broken MIME (a boundary that never comes, say): the body is read as plain text.
    if mail.texts.is_empty() && mail.text.trim().is_empty() {
        let body = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|at| at + 4)
            .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|at| at + 2))
            .map(|at| String::from_utf8_lossy(&raw[at..]).replace("\r\n", "\n"))
            .unwrap_or_default();
        mail.text = body.clone();
        mail.texts.push(body);
    }
    // A report written as plain text (no delivery-status part, or one the parser
    // could not separate) still names its recipients in DSN fields.
    if mail.report.is_none()
        && let Some(text) = mail
            .texts
            .iter()
            .find(|t| t.to_ascii_lowercase().contains("final-recipient:"))
    {
        let statuses = delivery_status(text);
        if !statuses.is_empty() {
            mail.report = Some(Report::Delivery(statuses));
        }
    }
    mail.recipients.dedup();
    Some(mail)
}

impl InboundMail {
    pub fn machine_header(&self, name: &str) -> Option<&str> {
        self.machine_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The ids this message threads on, most telling first: In-Reply-To, the returned
    /// copy's id, then References newest first. A long References chain is cut short: our
    /// message is near its end, and every id is a lookup.
    pub fn thread_ids(&self) -> impl Iterator<Item = &str> {
        self.in_reply_to
            .iter()
            .chain(&self.original_message_ids)
            .chain(self.references.iter().rev())
            .take(12)
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_before_the_headers_do_not_hide_them() {
        let raw = b"   \r\n\r\nFrom: MAILER-DAEMON@mx.example\r\nTo: a@agency.example\r\nSubject: Undelivered Mail\r\n\r\nThe message could not be delivered.\r\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.subject, "Undelivered Mail");
    }

    #[test]
    fn quoted_printable_in_a_latin_charset_and_threading_headers_are_read() {
        let raw = b"From: =?iso-8859-1?q?Ren=E9e_M=FCller?= <Renee@Example.DE>\r\n\
To: reply+abc@replies.example.com\r\nSubject: =?utf-8?b?UmU6IEfDpHN0ZWJlaXRyYWc=?=\r\n\
Message-ID: <r1@mail.example.de>\r\nIn-Reply-To: <em_1.0@replies.example.com>\r\n\
References: <em_1.0@replies.example.com> <x@y>\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Gr=FC=DFe, gerne!\r\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.from.as_deref(), Some("renee@example.de"));
        assert_eq!(mail.from_name.as_deref(), Some("Renée Müller"));
        assert_eq!(mail.subject, "Re: Gästebeitrag");
        assert_eq!(mail.message_id.as_deref(), Some("r1@mail.example.de"));
        assert_eq!(mail.in_reply_to, ["em_1.0@replies.example.com"]);
        assert_eq!(mail.references.len(), 2);
        assert!(mail.text.contains("Grüße, gerne!"));
        assert_eq!(mail.recipients, ["reply+abc@replies.example.com"]);
    }

    #[test]
    fn html_only_bodies_become_text() {
        let raw = b"From: a@b.com\r\nSubject: Hi\r\nContent-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: base64\r\n\r\nPGRpdj5Tb3VuZHMgPGI+Z3JlYXQ8L2I+ITwvZGl2Pg==\r\n";
        let mail = parse(raw).unwrap();
        assert!(mail.text.contains("Sounds great!"), "{}", mail.text);
    }

    #[test]
    fn delivery_status_blocks_name_each_recipient() {
        let statuses = delivery_status(
            "Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; Gone@Example.com\n\
Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n\
Final-Recipient: rfc822;later@example.org\nAction: delayed\nStatus: 4.2.2 (mailbox full)\n",
        );
        assert_eq!(statuses.len(), 2);
        assert_eq!(statuses[0].recipient, "gone@example.com");
        assert_eq!(statuses[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(statuses[1].action, "delayed");
        assert_eq!(statuses[1].status.as_deref(), Some("4.2.2"));
    }
}
