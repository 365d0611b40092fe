//! Status codes: RFC 3463 enhanced codes (`5.1.1`) and RFC 5321 reply codes (`550`),
//! found in fields and in free text without taking IP addresses, dates or versions.

use regex::Regex;
use std::sync::LazyLock;

static ENHANCED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d.\w])([245])\.([0-7])\.(\d{1,3})(?:[^\d.]|\.(?:\s|$)|$)")
        .expect("enhanced code pattern")
});
static SMTP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d.:\-#\w/=+])([45][0-5]\d)(?:[\s\-]|$)").expect("smtp code pattern")
});
/// A reply code an MTA labels as one (`ERROR_CODE :421`, `code: 550`), which the plain
/// pattern leaves alone after a colon (it would take times such as `12:450`).
static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^a-z])code\s*:\s*([45][0-5]\d)\b").expect("labelled smtp code pattern")
});

/// An enhanced status code at the start of a field value (`5.1.1 (user unknown)`).
pub fn enhanced(value: &str) -> Option<String> {
    enhanced_in(value.split_whitespace().next().unwrap_or_default())
}

/// The first enhanced status code in a text.
pub fn enhanced_in(text: &str) -> Option<String> {
    ENHANCED
        .captures(text)
        .map(|c| normalise(&format!("{}.{}.{}", &c[1], &c[2], &c[3])))
}

/// Every enhanced status code in a text, in order.
pub fn all_enhanced(text: &str) -> Vec<String> {
    ENHANCED
        .captures_iter(text)
        .map(|c| normalise(&format!("{}.{}.{}", &c[1], &c[2], &c[3])))
        .collect()
}

/// `5.01.001` and `5.1.01` written as `5.1.1`.
fn normalise(code: &str) -> String {
    code.split('.')
        .map(|p| {
            let t = p.trim_start_matches('0');
            if t.is_empty() { "0" } else { t }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The first SMTP reply code (4xx or 5xx) in a text.
pub fn smtp_in(text: &str) -> Option<u16> {
    LABELLED
        .captures(text)
        .or_else(|| SMTP.captures(text))
        .and_then(|c| c[1].parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enhanced_codes_are_found_but_not_in_addresses_or_versions() {
        assert_eq!(enhanced("5.1.1 (user unknown)").as_deref(), Some("5.1.1"));
        assert_eq!(
            enhanced_in("said: 550 5.1.1 <a@b>").as_deref(),
            Some("5.1.1")
        );
        assert_eq!(enhanced_in("#5.0.0 X-Unix").as_deref(), Some("5.0.0"));
        assert_eq!(enhanced_in("(#5.5.0)").as_deref(), Some("5.5.0"));
        assert_eq!(enhanced_in("5.7.26 DMARC").as_deref(), Some("5.7.26"));
        assert_eq!(enhanced_in("host 192.0.2.153 said"), None);
        assert_eq!(enhanced_in("Mailer v2.0.1 here"), None);
        assert_eq!(enhanced_in("ends with 4.2.2."), Some("4.2.2".into()));
    }

    #[test]
    fn smtp_codes_are_found_but_not_in_times_or_numbers() {
        assert_eq!(
            smtp_in("a@b Error, ERROR_CODE :421, Host not reachable"),
            Some(421)
        );
        assert_eq!(smtp_in("reply code: 550 no such user"), Some(550));
        assert_eq!(smtp_in("remote host said: 550 Unknown user"), Some(550));
        assert_eq!(smtp_in("550-5.7.26 Unauthenticated"), Some(550));
        assert_eq!(smtp_in("at 18:02:00 +0900 (port=51580)"), None);
        assert_eq!(smtp_in("on 2014 then 250 ok"), None);
        assert_eq!(smtp_in("<<< 452 4.2.2 Over quota"), Some(452));
    }
}
