//! Web addresses and domain names, parsed once at the boundary.

use super::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;
use url::{Host, Url};

pub const MAX_URL_CHARS: usize = 2048;

/// An absolute http(s) URL with a host and without credentials.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebUrl(Url);

impl WebUrl {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.len() > MAX_URL_CHARS {
            return Err(FieldError::new(
                "",
                format!("must be at most {MAX_URL_CHARS} characters"),
            ));
        }
        let url = Url::parse(text)
            .map_err(|e| FieldError::new("", format!("is not an absolute URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FieldError::new("", "must be an http or https URL"));
        }
        if url.host().is_none() {
            return Err(FieldError::new("", "must have a host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FieldError::new("", "must not contain credentials"));
        }
        Ok(Self(url))
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host as a domain name, when it is one (not an IP address).
    pub fn domain(&self) -> Option<DomainName> {
        self.0.domain().and_then(|d| DomainName::parse(d).ok())
    }
}

impl TryFrom<String> for WebUrl {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<WebUrl> for String {
    fn from(value: WebUrl) -> String {
        value.0.into()
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl utoipa::PartialSchema for WebUrl {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::Custom("uri".into())))
            .max_length(Some(MAX_URL_CHARS))
            .into()
    }
}

impl utoipa::ToSchema for WebUrl {}

/// A lower-case ASCII (punycode) domain name with at least two labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainName(String);

impl DomainName {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let text = text.trim().trim_end_matches('.');
        let invalid = || FieldError::new("", "must be a domain name such as example.com");
        if text.contains("://") || text.contains('/') {
            return Err(FieldError::new(
                "",
                "must be a bare domain name such as example.com, not a URL",
            ));
        }
        let ascii = match Host::parse(text).map_err(|_| invalid())? {
            Host::Domain(d) => d,
            Host::Ipv4(_) | Host::Ipv6(_) => return Err(invalid()),
        };
        let labels: Vec<&str> = ascii.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        let tld_ok = labels
            .last()
            .is_some_and(|t| t.bytes().all(|b| b.is_ascii_alphabetic()) || t.starts_with("xn--"));
        if ascii.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
            return Err(invalid());
        }
        Ok(Self(ascii))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DomainName {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DomainName> for String {
    fn from(value: DomainName) -> String {
        value.0
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl utoipa::PartialSchema for DomainName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Hostname,
            )))
            .max_length(Some(253))
            .into()
    }
}

impl utoipa::ToSchema for DomainName {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_web_urls_without_credentials() {
        assert!(WebUrl::parse("https://example.com/a?b=c").is_ok());
        assert!(WebUrl::parse("ftp://example.com").is_err());
        assert!(WebUrl::parse("javascript:alert(1)").is_err());
        assert!(WebUrl::parse("https://user:pw@example.com").is_err());
        assert!(WebUrl::parse("/relative").is_err());
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert!(WebUrl::parse(&long).is_err());
    }

    #[test]
    fn domains_are_normalised_to_lower_case_ascii() {
        assert_eq!(
            DomainName::parse("Example.COM.").unwrap().as_str(),
            "example.com"
        );
        assert_eq!(
            DomainName::parse("bücher.de").unwrap().as_str(),
            "xn--bcher-kva.de"
        );
        for bad in [
            "localhost",
            "https://a.com",
            "1.2.3.4",
            "-a.com",
            "a..com",
            "a.c0m",
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_url_knows_its_domain() {
        let url = WebUrl::parse("https://Blog.Example.com/post").unwrap();
        assert_eq!(url.domain().unwrap().as_str(), "blog.example.com");
        assert!(
            WebUrl::parse("http://10.0.0.1/")
                .unwrap()
                .domain()
                .is_none()
        );
    }
}
