//! Composing an outreach message: our Message-ID, a Reply-To that carries the attempt's
//! token, one-click unsubscribe (RFC 8058), threading headers for follow-ups, and the
//! sender's postal address in the footer. Text and HTML parts, built with mail-builder.

use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub from_name: String,
    pub from_email: String,
    pub to_name: Option<String>,
    pub to_email: String,
    pub reply_to: String,
    pub subject: String,
    pub text: String,
    /// Without angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub unsubscribe_mailto: String,
    pub unsubscribe_url: String,
    pub organization: String,
    pub postal_address: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl OutgoingMail {
    fn footer_text(&self) -> String {
        format!(
            "\n\n--\n{} · {}\nNot interested? Unsubscribe: {}\n",
            self.organization,
            self.postal_address.replace('\n', ", "),
            self.unsubscribe_url
        )
    }

    fn html(&self) -> String {
        let paragraphs: String = self
            .text
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
            .collect();
        format!(
            "<!doctype html><html><body>{paragraphs}<hr><p style=\"font-size:12px;color:#666\">{} · {}<br>\
             Not interested? <a href=\"{}\">Unsubscribe</a></p></body></html>",
            escape(&self.organization),
            escape(&self.postal_address).replace('\n', ", "),
            escape(&self.unsubscribe_url)
        )
    }

    /// The RFC 5322 message.
    pub fn to_bytes(&self) -> Vec<u8> {
        let to = match &self.to_name {
            Some(name) => (name.as_str(), self.to_email.as_str()),
            None => ("", self.to_email.as_str()),
        };
        let mut builder = MessageBuilder::new()
            .from((self.from_name.as_str(), self.from_email.as_str()))
            .to(to)
            .reply_to(self.reply_to.as_str())
            .subject(self.subject.as_str())
            .message_id(self.message_id.as_str())
            .header(
                "List-Unsubscribe",
                Raw::new(format!(
                    "<mailto:{}>, <{}>",
                    self.unsubscribe_mailto, self.unsubscribe_url
                )),
            )
            .header(
                "List-Unsubscribe-Post",
                Raw::new("List-Unsubscribe=One-Click"),
            )
            .text_body(format!("{}{}", self.text, self.footer_text()))
            .html_body(self.html());
        if let Some(parent) = &self.in_reply_to {
            builder = builder.in_reply_to(parent.as_str());
        }
        if !self.references.is_empty() {
            builder = builder.references(
                self.references
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
        }
        builder.write_to_vec().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> OutgoingMail {
        OutgoingMail {
            from_name: "Alice Agent".into(),
            from_email: "alice@agency.com".into(),
            to_name: Some("Maya Chen".into()),
            to_email: "maya@greenmag.org".into(),
            reply_to: "reply+tok123@replies.agency.com".into(),
            subject: "A resource for your readers".into(),
            text: "Hi Maya,\n\nI loved your post.\n\nAlice".into(),
            message_id: "att_1@replies.agency.com".into(),
            in_reply_to: Some("att_0@replies.agency.com".into()),
            references: vec!["att_0@replies.agency.com".into()],
            unsubscribe_mailto: "unsubscribe+tok123@replies.agency.com".into(),
            unsubscribe_url: "https://api.agency.com/v1/unsubscribe/tok123".into(),
            organization: "Agency <Ltd>".into(),
            postal_address: "1 Main St\nSpringfield".into(),
        }
    }

    #[test]
    fn carries_the_headers_outreach_needs() {
        let raw = String::from_utf8(mail().to_bytes()).unwrap();
        assert!(
            raw.contains("Message-ID: <att_1@replies.agency.com>"),
            "{raw}"
        );
        assert!(raw.contains("In-Reply-To: <att_0@replies.agency.com>"));
        assert!(raw.contains("References: <att_0@replies.agency.com>"));
        assert!(raw.contains("Reply-To: <reply+tok123@replies.agency.com>"));
        let unfolded = raw.replace("\r\n\t", " ").replace("\r\n ", " ");
        assert!(unfolded.contains("List-Unsubscribe: <mailto:unsubscribe+tok123@replies.agency.com>, <https://api.agency.com/v1/unsubscribe/tok123>"), "{raw}");
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("1 Main St, Springfield"));
        assert!(raw.contains("Agency &lt;Ltd&gt;"));
    }

    #[test]
    fn parses_back_with_a_mime_parser_view_of_the_parts() {
        let raw = mail().to_bytes();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("text/plain") && text.contains("text/html"));
        assert!(text.contains("To: \"Maya Chen\" <maya@greenmag.org>"));
    }
}
