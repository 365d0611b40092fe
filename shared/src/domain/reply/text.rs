//! Reading the words of a reply: the new text without the quoted history and signature,
//! phrases matched on word boundaries, URLs, and dates written the ways people write them
//! in several languages.

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use std::sync::LazyLock;

/// Lines that open the quoted history in the common clients and languages.
static QUOTE_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(on\b.{0,200}\bwrote:?|le\b.{0,200}\ba écrit\s*:?|am\b.{0,200}\bschrieb.{0,80}:?|el\b.{0,200}\bescribió:?|il\b.{0,200}\bha scritto:?|op\b.{0,200}\bschreef.{0,80}:?|em\b.{0,200}\bescreveu:?|-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht)\s*-{2,}|-{3,}\s*forwarded message\s*-{3,}|_{20,}|(from|von|de|da|van):\s*\S.*)\s*$",
    )
    .expect("quote header pattern")
});

/// Lines that open a signature or a client's sign-off.
static SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(--\s*|sent from my \w+.*|get outlook for \w+.*|envoyé de mon \w+.*|von meinem \w+ gesendet.*|enviado desde mi \w+.*|inviato da(l mio)? \w+.*)$")
        .expect("signature pattern")
});

/// The new text of a reply: everything before the quoted history or the signature, with
/// `>`-quoted lines dropped.
pub fn strip_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if QUOTE_HEADER.is_match(line) || SIGNATURE.is_match(line) {
            break;
        }
        // Gmail wraps a long "On ... wrote:" over two lines.
        let joined = lines.get(i + 1).map(|next| format!("{line} {next}"));
        if line.trim_start().to_ascii_lowercase().starts_with("on ")
            && joined.is_some_and(|j| QUOTE_HEADER.is_match(&j))
        {
            break;
        }
        if line.trim_start().starts_with('>') {
            continue;
        }
        out.push(*line);
    }
    out.join("\n").trim().to_string()
}

/// Lower-cased words: letters, digits, and the hyphens and apostrophes inside words, so
/// "non-stop" is one word and "yesterday" never matches "yes".
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace(['’', '‘'], "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .map(|w| w.trim_matches(['-', '\'']))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

const NEGATORS: &[&str] = &[
    "not", "no", "never", "don't", "dont", "isn't", "aren't", "wouldn't", "won't", "can't",
    "cannot", "nicht", "kein", "pas", "ne", "non",
];

/// Whether `phrase` occurs as whole words; with `affirmed`, an occurrence right after a
/// negation ("not interested", "not sure") does not count.
pub fn has_phrase(words: &[String], phrase: &str, affirmed: bool) -> bool {
    let wanted: Vec<String> = self::words(phrase);
    if wanted.is_empty() || wanted.len() > words.len() {
        return false;
    }
    words.windows(wanted.len()).enumerate().any(|(i, w)| {
        w == wanted.as_slice()
            && !(affirmed
                && i > 0
                && NEGATORS.contains(&words[i - 1].as_str())
                && !NEGATORS.contains(&wanted[0].as_str()))
    })
}

pub fn any_phrase(words: &[String], phrases: &[&str], affirmed: bool) -> bool {
    phrases.iter().any(|p| has_phrase(words, p, affirmed))
}

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"https?://[^\s<>"'()\[\]]+"#).expect("url pattern"));

/// The http(s) URLs in a text, trailing punctuation removed.
pub fn urls(text: &str) -> Vec<String> {
    URL.find_iter(text)
        .map(|m| m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?']))
        .map(str::to_string)
        .collect()
}

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)+").expect("address pattern")
});

/// Email addresses written in a text, lower-cased, first occurrence first.
pub fn addresses(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in ADDRESS.find_iter(text) {
        let a = m.as_str().trim_end_matches('.').to_ascii_lowercase();
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// Month names and their common abbreviations in English, German, French, Spanish,
/// Italian, Dutch and Portuguese.
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("januar", 1),
    ("janvier", 1),
    ("enero", 1),
    ("gennaio", 1),
    ("januari", 1),
    ("janeiro", 1),
    ("jänner", 1),
    ("february", 2),
    ("feb", 2),
    ("februar", 2),
    ("février", 2),
    ("fevrier", 2),
    ("febrero", 2),
    ("febbraio", 2),
    ("februari", 2),
    ("fevereiro", 2),
    ("march", 3),
    ("mar", 3),
    ("märz", 3),
    ("maerz", 3),
    ("mars", 3),
    ("marzo", 3),
    ("maart", 3),
    ("março", 3),
    ("april", 4),
    ("apr", 4),
    ("avril", 4),
    ("abril", 4),
    ("aprile", 4),
    ("may", 5),
    ("mai", 5),
    ("mayo", 5),
    ("maggio", 5),
    ("mei", 5),
    ("maio", 5),
    ("june", 6),
    ("jun", 6),
    ("juni", 6),
    ("juin", 6),
    ("junio", 6),
    ("giugno", 6),
    ("junho", 6),
    ("july", 7),
    ("jul", 7),
    ("juli", 7),
    ("juillet", 7),
    ("julio", 7),
    ("luglio", 7),
    ("julho", 7),
    ("august", 8),
    ("aug", 8),
    ("août", 8),
    ("aout", 8),
    ("agosto", 8),
    ("augustus", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("septembre", 9),
    ("septiembre", 9),
    ("settembre", 9),
    ("setembro", 9),
    ("october", 10),
    ("oct", 10),
    ("oktober", 10),
    ("octobre", 10),
    ("octubre", 10),
    ("ottobre", 10),
    ("outubro", 10),
    ("november", 11),
    ("nov", 11),
    ("novembre", 11),
    ("noviembre", 11),
    ("novembro", 11),
    ("december", 12),
    ("dec", 12),
    ("dezember", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("diciembre", 12),
    ("dicembre", 12),
    ("dezembro", 12),
];

fn month(name: &str) -> Option<u32> {
    let name = name.trim_end_matches('.').to_lowercase();
    MONTHS.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})([./])(\d{1,2})(?:[./](\d{2,4}))?)\b")
        .expect("numeric date pattern")
});

/// `1 December`, `1st of December`, `1. Dezember`, `1er décembre`, `1 de diciembre`.
static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:st|nd|rd|th|er|º|\.)?\s+(?:of\s+|de\s+)?([a-zà-ü]{3,10})\.?(?:,?\s+(?:de\s+)?(\d{4}))?")
        .expect("day-month pattern")
});

/// `December 1`, `Dec 1st, 2026`.
static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-zà-ü]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")
        .expect("month-day pattern")
});

/// A year for a date written without one: the first that puts it on or after `after`.
fn with_year(year: Option<i32>, m: u32, d: u32, after: NaiveDate) -> Option<NaiveDate> {
    match year {
        Some(y) => NaiveDate::from_ymd_opt(if y < 100 { 2000 + y } else { y }, m, d),
        None => {
            let this = NaiveDate::from_ymd_opt(after.year(), m, d)?;
            if this.succ_opt().is_some_and(|next| next < after) {
                NaiveDate::from_ymd_opt(after.year() + 1, m, d)
            } else {
                Some(this)
            }
        }
    }
}

/// Every date written in a text (`2026-12-01`, `01.12.2026`, `1/12`, `December 1st`,
/// `1. Dezember`, `1er décembre`, `1 de diciembre de 2026`, …). Slashed and dotted dates
/// read day first unless that cannot be a date.
pub fn dates(text: &str, after: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    for c in NUMERIC_DATE.captures_iter(text) {
        let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        if let (Some(y), Some(m), Some(d)) = (num(1), num(2), num(3)) {
            out.extend(NaiveDate::from_ymd_opt(y as i32, m, d));
        } else if let (Some(a), Some(b)) = (num(4), num(6)) {
            let year = num(7).map(|y| y as i32);
            let (d, m) = if b > 12 { (b, a) } else { (a, b) };
            out.extend(with_year(year, m, d, after));
        }
    }
    // Each form is read on its own, so a word before a date ("until 1 December") cannot
    // hide it from the other.
    for (pattern, day_at, month_at) in [(&*DAY_MONTH, 1, 2), (&*MONTH_DAY, 2, 1)] {
        for c in pattern.captures_iter(text) {
            let year = c.get(3).and_then(|y| y.as_str().parse().ok());
            if let (Ok(d), Some(m)) = (c[day_at].parse(), month(&c[month_at])) {
                out.extend(with_year(year, m, d, after));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn quoted_history_and_signatures_are_cut() {
        let gmail = "Sounds good, send it over.\n\nOn Mon, 1 Jun 2026 at 10:00, Sam <sam@acme.com> wrote:\n> Would you like a guest post?\n";
        assert_eq!(strip_quoted(gmail), "Sounds good, send it over.");
        let wrapped = "Yes please.\n\nOn Mon, 1 Jun 2026 at 10:00, Sam Smith <\nsam@acme.com> wrote:\n> pitch";
        assert_eq!(strip_quoted(wrapped), "Yes please.");
        let outlook = "Not for us, thanks.\n\n________________________________\nFrom: Sam <sam@acme.com>\nSent: Monday\nInterested in a guest post?";
        assert_eq!(strip_quoted(outlook), "Not for us, thanks.");
        let german = "Gerne!\n\nAm 01.06.2026 um 10:00 schrieb Sam <sam@acme.com>:\n> Hallo";
        assert_eq!(strip_quoted(german), "Gerne!");
        let mobile = "Ok!\n\nSent from my iPhone\n\n> hi";
        assert_eq!(strip_quoted(mobile), "Ok!");
        let sig = "Happy to.\n-- \nJane\nEditor";
        assert_eq!(strip_quoted(sig), "Happy to.");
    }

    #[test]
    fn phrases_match_whole_words_only() {
        let w = words("We run non-stop. Yesterday was busy.");
        assert!(!has_phrase(&w, "stop", false));
        assert!(!has_phrase(&w, "yes", false));
        assert!(has_phrase(&w, "non-stop", false));
        let w = words("I'm not interested, sorry");
        assert!(!has_phrase(&w, "interested", true));
        assert!(has_phrase(&w, "not interested", true));
        assert!(has_phrase(&words("Don’t email me"), "don't email", false));
    }

    #[test]
    fn dates_in_several_languages_and_forms() {
        let after = day("2026-06-01");
        assert_eq!(dates("back on 2026-06-15", after), [day("2026-06-15")]);
        assert_eq!(dates("bis zum 15.06.2026", after), [day("2026-06-15")]);
        assert_eq!(dates("until June 15th", after), [day("2026-06-15")]);
        assert_eq!(dates("jusqu'au 15 juin", after), [day("2026-06-15")]);
        assert_eq!(
            dates("hasta el 15 de junio de 2026", after),
            [day("2026-06-15")]
        );
        assert_eq!(dates("fino al 15 giugno", after), [day("2026-06-15")]);
        assert_eq!(dates("returning 6/15", after), [day("2026-06-15")]);
        // Written without a year and already past: next year.
        assert_eq!(dates("back January 3", after), [day("2027-01-03")]);
    }

    #[test]
    fn urls_and_addresses_are_found() {
        assert_eq!(
            urls("Live at https://blog.example.com/post-1. Thanks!"),
            ["https://blog.example.com/post-1"]
        );
        assert_eq!(
            addresses("<Gone@Example.com>: user unknown; gone@example.com"),
            ["gone@example.com"]
        );
    }
}
