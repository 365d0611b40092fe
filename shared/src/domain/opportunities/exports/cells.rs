//! Reading one cell of an export: URLs and domains, counts, 0-100 scores, flags and dates
//! as the tools write them. Each fails with the reason its `RowError` carries. No allocation
//! but for the values kept: a million-row file goes through these several times a row.

use super::Rel;
use crate::domain::email::registrable_domain;
use chrono::{DateTime, NaiveDate};
use url::{Host, Url};

/// An absolute http(s) URL (a missing scheme taken as http), without its fragment, and the
/// registrable domain of its host.
pub(super) fn page_url(text: &str) -> Result<(String, String), String> {
    let mut url = match Url::parse(text) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => Url::parse(&format!("http://{text}"))
            .map_err(|e| format!("{text:?} is not a URL ({e})"))?,
        Err(e) => return Err(format!("{text:?} is not a URL ({e})")),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{text:?} is not an http or https URL"));
    }
    let domain = host_domain(&url).ok_or_else(|| format!("{text:?} has no web host"))?;
    url.set_fragment(None);
    Ok((url.into(), domain))
}

/// A domain, or a URL (then kept too): lists and Search Console's sites hold either.
pub(super) fn site(text: &str) -> Result<(Option<String>, String), String> {
    if text.contains("://") || text.contains('/') {
        return page_url(text).map(|(url, domain)| (Some(url), domain));
    }
    let url = Url::parse(&format!("http://{text}"))
        .map_err(|_| format!("{text:?} is not a domain or URL"))?;
    if url.port().is_some() || !url.username().is_empty() {
        return Err(format!("{text:?} is not a domain or URL"));
    }
    let domain = host_domain(&url).ok_or_else(|| format!("{text:?} is not a domain or URL"))?;
    Ok((None, domain))
}

/// The registrable domain of a host with at least two labels, or the address of an IP host.
fn host_domain(url: &Url) -> Option<String> {
    match url.host()? {
        Host::Domain(host) => {
            let host = host.trim_end_matches('.');
            if !host.contains('.') {
                return None;
            }
            Some(registrable_domain(host).unwrap_or_else(|| host.to_string()))
        }
        Host::Ipv4(ip) => Some(ip.to_string()),
        Host::Ipv6(ip) => Some(ip.to_string()),
    }
}

/// A count as the tools write it (`1,200`, `1 200`, `1200.0`).
pub(super) fn count(text: &str) -> Result<u64, String> {
    let bad = || format!("{text:?} is not a whole number");
    let (mut n, mut digits, mut fraction) = (0u64, 0, false);
    for c in text.chars() {
        match c {
            '0' if fraction => {}
            '0'..='9' if !fraction => {
                let digit = u64::from(c as u8 - b'0');
                n = n
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(digit))
                    .ok_or_else(bad)?;
                digits += 1;
            }
            ',' | '\'' | '_' | ' ' | '\u{a0}' | '\u{202f}' if !fraction => {}
            '.' if !fraction && digits > 0 => fraction = true,
            _ => return Err(bad()),
        }
    }
    if digits == 0 {
        return Err(bad());
    }
    Ok(n)
}

/// A 0-100 score; decimals are rounded and a trailing `%` is allowed.
pub(super) fn score(text: &str) -> Result<u8, String> {
    let number = text.trim_end_matches('%').trim_end();
    match number.parse::<f64>() {
        Ok(s) if (0.0..=100.0).contains(&s) => Ok(s.round() as u8),
        _ => Err(format!("{text:?} is not a score from 0 to 100")),
    }
}

/// A yes/no cell: `true`/`false` (Ahrefs, Semrush), `Yes`/`No` (Moz), `+`/`-` (Majestic flags).
/// Empty is no.
pub(super) fn flag(text: &str) -> Result<bool, String> {
    const YES: [&str; 5] = ["true", "yes", "y", "1", "+"];
    const NO: [&str; 6] = ["false", "no", "n", "0", "-", ""];
    if YES.iter().any(|y| text.eq_ignore_ascii_case(y)) {
        Ok(true)
    } else if NO.iter().any(|n| text.eq_ignore_ascii_case(n)) {
        Ok(false)
    } else {
        Err(format!("{text:?} is not true or false"))
    }
}

/// The rel words of one "link type" cell (Ahrefs' legacy `Type`: "dofollow", "nofollow",
/// "ugc", "sponsored", with others such as "redirect" beside them).
pub(super) fn rel_words(text: &str) -> Rel {
    let has = |word: &str| {
        text.as_bytes()
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
    };
    Rel {
        nofollow: has("nofollow"),
        ugc: has("ugc"),
        sponsored: has("sponsored"),
    }
}

/// Formats seen besides ISO dates: Search Console's "Sep 28, 2026" and the day-first forms.
const DATE_FORMATS: [&str; 6] = [
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
];

/// A date: ISO 8601 with or without a time (the time dropped), epoch seconds (Semrush's API
/// form), or one of `DATE_FORMATS`. Slashed day/month orders are ambiguous and refused.
pub(super) fn date(text: &str) -> Result<NaiveDate, String> {
    let bad = || format!("{text:?} is not a date");
    let bytes = text.as_bytes();
    if bytes.len() >= 10 && bytes[4] == b'-' && bytes[7] == b'-' {
        let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
        let (Some(y), Some(m), Some(d)) = (number(0..4), number(5..7), number(8..10)) else {
            return Err(bad());
        };
        return NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(bad);
    }
    if (9..=10).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_digit) {
        let seconds = text.parse::<i64>().map_err(|_| bad())?;
        return DateTime::from_timestamp(seconds, 0)
            .map(|t| t.date_naive())
            .ok_or_else(bad);
    }
    DATE_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_keep_their_url_and_give_the_registrable_domain() {
        assert_eq!(
            page_url("https://Blog.Example.co.uk/a?b=1#top"),
            Ok((
                "https://blog.example.co.uk/a?b=1".into(),
                "example.co.uk".into()
            ))
        );
        assert_eq!(
            page_url("www.example.com/x"),
            Ok(("http://www.example.com/x".into(), "example.com".into()))
        );
        assert_eq!(
            page_url("http://192.0.2.7/p").map(|p| p.1),
            Ok("192.0.2.7".into())
        );
        assert!(page_url("ftp://example.com/").is_err());
        assert!(page_url("https://localhost/").is_err());
        assert!(page_url("not a url").is_err());
    }

    #[test]
    fn sites_are_domains_or_urls() {
        assert_eq!(site("www.Zawya.com"), Ok((None, "zawya.com".into())));
        assert_eq!(
            site("https://peppol.org/members/"),
            Ok((
                Some("https://peppol.org/members/".into()),
                "peppol.org".into()
            ))
        );
        assert_eq!(
            site("bücher.de").map(|s| s.1),
            Ok("xn--bcher-kva.de".into())
        );
        for bad in ["Linking page", "example", "example.com:8080", "a@b.com"] {
            assert!(site(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_scores_and_flags_read_the_tools_spellings() {
        assert_eq!(count("1,200"), Ok(1_200));
        assert_eq!(count("1 200\u{a0}000"), Ok(1_200_000));
        assert_eq!(count("1200.0"), Ok(1_200));
        for bad in ["1.5", "-3", "n/a", "", ".0", "99999999999999999999"] {
            assert!(count(bad).is_err(), "{bad}");
        }
        assert_eq!(score("54.5"), Ok(55));
        assert_eq!(score("7%"), Ok(7));
        assert!(score("101").is_err());
        assert!(score("high").is_err());
        for yes in ["TRUE", "Yes", "+", "1"] {
            assert_eq!(flag(yes), Ok(true));
        }
        for no in ["false", "No", "-", ""] {
            assert_eq!(flag(no), Ok(false));
        }
        assert!(flag("maybe").is_err());
        let rel = rel_words("Nofollow, UGC");
        assert!(rel.nofollow && rel.ugc && !rel.sponsored);
        assert!(rel_words("dofollow").is_dofollow());
    }

    #[test]
    fn dates_in_the_forms_the_exports_use() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(date("2024-03-05"), Ok(d(2024, 3, 5)));
        assert_eq!(date("2024-03-05 17:02:11"), Ok(d(2024, 3, 5)));
        assert_eq!(date("2024-03-05T17:02:11Z"), Ok(d(2024, 3, 5)));
        assert_eq!(date("Sep 28, 2026"), Ok(d(2026, 9, 28)));
        assert_eq!(date("Sep 8, 2026"), Ok(d(2026, 9, 8)));
        assert_eq!(date("28 September 2026"), Ok(d(2026, 9, 28)));
        assert_eq!(date("1700000000"), Ok(d(2023, 11, 14)));
        for bad in ["2024-13-01", "03/05/2024", "soon", "2024-0a-01"] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }
}
