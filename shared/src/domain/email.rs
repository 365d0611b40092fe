//! Email addresses, parsed once: RFC 5322 syntax (email_address), a domain name with a
//! known public suffix, lower-cased domain, no display name, no domain literals.

use super::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Whether a domain ends in a suffix on the public suffix list (so `logo@2x.png` is not an
/// address: `.png` is no TLD).
pub fn has_known_suffix(domain: &str) -> bool {
    psl::suffix(domain.as_bytes()).is_some_and(|s| s.is_known())
}

/// The registrable domain (`blog.example.co.uk` → `example.co.uk`), if there is one.
pub fn registrable_domain(domain: &str) -> Option<String> {
    psl::domain_str(domain).map(str::to_string)
}

impl EmailAddress {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        let invalid =
            |why: &str| FieldError::new("", format!("is not a usable email address ({why})"));
        if text.len() > 254 || text.chars().any(char::is_control) {
            return Err(invalid("too long or contains control characters"));
        }
        let options = email_address::Options {
            minimum_sub_domains: 2,
            allow_domain_literal: false,
            allow_display_text: false,
        };
        let parsed = email_address::EmailAddress::parse_with_options(text, options)
            .map_err(|e| invalid(&e.to_string()))?;
        let domain = parsed.domain().to_ascii_lowercase();
        if !has_known_suffix(&domain) {
            return Err(invalid("unknown top-level domain"));
        }
        Ok(Self(format!("{}@{domain}", parsed.local_part())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map(|(l, _)| l).unwrap_or_default()
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> String {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl utoipa::PartialSchema for EmailAddress {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Email,
            )))
            .into()
    }
}

impl utoipa::ToSchema for EmailAddress {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises_the_domain() {
        let e = EmailAddress::parse(" Jane.Doe@Blog.Example.CO.UK ").unwrap();
        assert_eq!(e.as_str(), "Jane.Doe@blog.example.co.uk");
        assert_eq!(e.domain(), "blog.example.co.uk");
        assert_eq!(
            registrable_domain(e.domain()).as_deref(),
            Some("example.co.uk")
        );
    }

    #[test]
    fn refuses_what_cannot_be_mailed() {
        for bad in [
            "logo@2x.png",
            "a@localhost",
            "Jane <jane@example.com>",
            "a@[127.0.0.1]",
            "no-at-sign",
            "a\r\nbcc@example.com",
            "a@b.notatld",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
