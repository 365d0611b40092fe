//! Reading the cells of an imported spreadsheet: URLs, counts as exports write them, keyword
//! difficulty, positions, page types and our `keywords` lists, each failing with the message
//! its `ImportError` carries.

use super::{ErrorLog, ImportError};
use crate::domain::plans::{MAX_KEYWORD_CHARS, MAX_KEYWORDS_PER_PAGE, PageKeyword, PageType};
use crate::domain::text::single_line;
use crate::domain::web::WebUrl;
use ::csv::StringRecord;
use serde::Deserialize;
use serde::de::{IntoDeserializer, value::Error as DeError};

const PAGE_TYPES: &str =
    "homepage, hub, product, service, blog_article, guide, tool, comparison, listicle, term";

/// One data row being read: its cells, and the errors it has had.
pub(super) struct Row<'a> {
    pub(super) row: usize,
    pub(super) record: &'a StringRecord,
    pub(super) names: &'a [String],
    pub(super) errors: &'a mut ErrorLog,
    pub(super) failed: bool,
}

impl<'a> Row<'a> {
    /// The trimmed cell; a short row's missing cells are empty.
    pub(super) fn cell(&self, column: usize) -> &'a str {
        self.record.get(column).unwrap_or_default().trim()
    }

    /// Keeps the value, or reports the message against the column.
    pub(super) fn check<T>(&mut self, column: usize, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|message| {
                let name = self.names.get(column).cloned().unwrap_or_default();
                self.errors.push(ImportError::at(self.row, name, message));
                self.failed = true;
            })
            .ok()
    }

    /// An optional cell: absent or empty is `None`.
    pub(super) fn optional<T>(
        &mut self,
        column: Option<usize>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let column = column?;
        let text = self.cell(column);
        if text.is_empty() {
            return None;
        }
        self.check(column, parse(text))
    }
}

/// An absolute http(s) URL without its fragment.
pub(super) fn page_url(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err("is empty".into());
    }
    let url = WebUrl::parse(text).map_err(|e| format!("{text:?} {}", e.message))?;
    let mut url = url.as_url().clone();
    url.set_fragment(None);
    Ok(url.into())
}

pub(super) fn parse_page_type(text: &str) -> Result<PageType, String> {
    let name = text.to_lowercase().replace([' ', '-'], "_");
    let de: serde::de::value::StrDeserializer<DeError> = name.as_str().into_deserializer();
    PageType::deserialize(de).map_err(|_| format!("{text:?} is not a page type ({PAGE_TYPES})"))
}

/// `keyword:volume:difficulty` items joined by `|`.
pub(super) fn keyword_list(text: &str) -> Result<Vec<PageKeyword>, String> {
    let items: Vec<&str> = text
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.len() > MAX_KEYWORDS_PER_PAGE {
        return Err(format!(
            "has {} keywords; a page may have at most {MAX_KEYWORDS_PER_PAGE}",
            items.len()
        ));
    }
    let mut keywords = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = |message: String| format!("keyword {} ({item:?}): {message}", i + 1);
        let parts: Vec<&str> = item.split(':').collect();
        let [keyword, rest @ ..] = parts.as_slice() else {
            continue;
        };
        if rest.len() > 2 {
            return Err(at(
                "write keyword:volume:difficulty, with no other ':'".into()
            ));
        }
        keywords.push(PageKeyword {
            keyword: single_line(keyword, MAX_KEYWORD_CHARS).map_err(|e| at(e.message))?,
            volume: match rest.first() {
                Some(v) => whole_u32(v).map_err(at)?,
                None => 0,
            },
            difficulty: match rest.get(1) {
                Some(d) => difficulty(d).map_err(at)?,
                None => None,
            },
        });
    }
    Ok(keywords)
}

/// A count as exports write it (`1,200`, `1 200`, `1200.0`); empty is 0.
pub(super) fn whole(text: &str) -> Result<u64, String> {
    let digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ',' | '\'' | '_'))
        .collect();
    if digits.is_empty() {
        return Ok(0);
    }
    digits
        .parse::<u64>()
        .ok()
        .or_else(|| {
            let f = digits.parse::<f64>().ok()?;
            (f.fract() == 0.0 && (0.0..1e19).contains(&f)).then_some(f as u64)
        })
        .ok_or_else(|| format!("{text:?} is not a whole number"))
}

pub(super) fn whole_u32(text: &str) -> Result<u32, String> {
    let n = whole(text)?;
    u32::try_from(n).map_err(|_| format!("{n} is too large"))
}

/// Keyword difficulty, 0 to 100 (Semrush once wrote decimals such as `85.18`); empty is none.
pub(super) fn difficulty(text: &str) -> Result<Option<u8>, String> {
    let number = text.trim().trim_end_matches('%').trim();
    if number.is_empty() {
        return Ok(None);
    }
    match number.parse::<f64>() {
        Ok(d) if (0.0..=100.0).contains(&d) => Ok(Some(d.round() as u8)),
        _ => Err(format!("{text:?} is not a difficulty from 0 to 100")),
    }
}

/// An average position: 1 or more.
pub(super) fn parse_position(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 1.0 => Ok(p),
        _ => Err(format!("{text:?} is not a position (1 or more)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_separators_and_reject_what_is_not_whole() {
        assert_eq!(whole("1,200"), Ok(1_200));
        assert_eq!(whole("1 200\u{a0}000"), Ok(1_200_000));
        assert_eq!(whole("1200.0"), Ok(1_200));
        assert_eq!(whole(""), Ok(0));
        assert!(whole("1.5").is_err());
        assert!(whole("-3").is_err());
        assert!(whole("n/a").is_err());
        assert!(whole_u32("5000000000").is_err());
    }

    #[test]
    fn difficulty_positions_and_page_types() {
        assert_eq!(difficulty("85.18"), Ok(Some(85)));
        assert_eq!(difficulty("45%"), Ok(Some(45)));
        assert_eq!(difficulty(""), Ok(None));
        assert!(difficulty("101").is_err());
        assert_eq!(parse_position("3.5"), Ok(3.5));
        assert!(parse_position("0").is_err());
        assert_eq!(parse_page_type("Blog Article"), Ok(PageType::BlogArticle));
        for name in PAGE_TYPES.split(", ") {
            assert!(parse_page_type(name).is_ok(), "{name}");
        }
        assert!(parse_page_type("landing").unwrap_err().contains("listicle"));
    }

    #[test]
    fn keyword_lists_take_optional_volume_and_difficulty() {
        let list = keyword_list("red shoes:1,200:35| shoes sale:900 |boots").unwrap();
        let got: Vec<(&str, u32, Option<u8>)> = list
            .iter()
            .map(|k| (k.keyword.as_str(), k.volume, k.difficulty))
            .collect();
        assert_eq!(
            got,
            [
                ("red shoes", 1_200, Some(35)),
                ("shoes sale", 900, None),
                ("boots", 0, None)
            ]
        );
        let e = keyword_list("a:1|b:x").unwrap_err();
        assert!(e.starts_with("keyword 2 (\"b:x\")"), "{e}");
        assert!(keyword_list("c++: a tutorial:1:2").is_err());
    }

    #[test]
    fn page_urls_lose_their_fragment_and_must_be_absolute() {
        assert_eq!(
            page_url("https://example.com/a#b"),
            Ok("https://example.com/a".into())
        );
        assert!(page_url("/a").is_err());
        assert_eq!(page_url(""), Err("is empty".into()));
    }
}
