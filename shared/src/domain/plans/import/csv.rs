//! Spreadsheet imports, told apart by their header row (trimmed, any case). Files may be
//! UTF-8 (with or without a byte-order mark) or UTF-16LE with its mark, as Ahrefs and Excel's
//! "Unicode text" write them, and comma, tab or semicolon delimited.
//!
//! Our own pages CSV has one row per page:
//! `url,title,pageType,hub,keywords,wordCount,commercialValue` (only `url` is required;
//! `page_type` or `Page type` spellings also match). `keywords` lists
//! `keyword:volume:difficulty` items joined by `|`, volume and difficulty optional
//! (`red shoes:1200:35|shoes sale:900|boots`); a keyword cannot itself contain `:` or `|`.
//!
//! Keyword exports have one row per keyword and the URL that ranks for it; the rows are
//! gathered into one page per URL (fragments dropped) with its keywords, a keyword repeated
//! on a page keeping its highest volume and each page keeping its `MAX_KEYWORDS_PER_PAGE`
//! highest-volume keywords. A row without a URL (Ahrefs lists keywords a site lost) names no
//! page and is skipped.

use super::cells::{
    Row, difficulty, keyword_list, page_url, parse_page_type, parse_position, whole, whole_u32,
};
use super::{ErrorLog, ImportError, ImportFormat, ImportOutcome};
use crate::domain::plans::{
    MAX_KEYWORD_CHARS, MAX_KEYWORDS_PER_PAGE, MAX_TITLE_CHARS, PageInput, PageKeyword,
    SearchPerformance,
};
use crate::domain::text::single_line;
use ::csv::ReaderBuilder;
use std::borrow::Cow;
use std::collections::HashMap;

pub const MAX_IMPORT_BYTES: usize = 50 * 1024 * 1024;
/// Data rows, the header not counted.
pub const MAX_IMPORT_ROWS: usize = 1_000_000;

const PAGES_COLUMNS: [&str; 7] = [
    "url",
    "title",
    "pageType",
    "hub",
    "keywords",
    "wordCount",
    "commercialValue",
];

/// The columns a keyword export is read by (lower case), in the order tried.
struct KeywordExport {
    format: ImportFormat,
    volume: &'static str,
    url: &'static str,
    difficulty: &'static str,
}

const KEYWORD_EXPORTS: [KeywordExport; 3] = [
    // Semrush Organic Research → Positions, UTF-8, comma. Full header: "Keyword,Position,
    // Previous position,Search Volume,Keyword Difficulty,CPC,URL,Traffic,Traffic (%),Traffic
    // Cost,Competition,Number of Results,Trends,Timestamp,SERP Features by Keyword,Keyword
    // Intents,Position Type" (kevinvogelgesang/er-seo-tools,
    // lib/parsers/semrush/semrushOrganicPositions.parser.test.ts); newer files drop and reorder
    // columns but keep these names.
    KeywordExport {
        format: ImportFormat::SemrushOrganicKeywords,
        volume: "search volume",
        url: "url",
        difficulty: "keyword difficulty",
    },
    // Ahrefs Site Explorer → Organic keywords (v3), UTF-16LE, tab: "Keyword", "Volume", "KD",
    // "Current position", "Current URL", with "Previous …" twins in comparison mode
    // (tirth-automation/sw-ai-citation-tracker, build_from_export.py; rome2o/oil-comp,
    // seo/analysis/reports/markdown_docs/10_ahrefs-data-analysis---keywords-backlinks.md).
    KeywordExport {
        format: ImportFormat::AhrefsOrganicKeywords,
        volume: "volume",
        url: "current url",
        difficulty: "kd",
    },
    // Older Ahrefs (v2) exports named the ranking page "URL" and its rank "Position" (the
    // fallbacks of the same build_from_export.py).
    KeywordExport {
        format: ImportFormat::AhrefsOrganicKeywords,
        volume: "volume",
        url: "url",
        difficulty: "kd",
    },
];

/// Reads a pages CSV or a keyword or Search Console export (see the module docs). Fails as a
/// whole only when the file is over the limits, not text, or of no format we know.
pub fn parse_pages_csv(bytes: &[u8]) -> Result<ImportOutcome, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::file(format!(
            "the file is {} bytes; at most 50 MiB ({MAX_IMPORT_BYTES} bytes) can be imported",
            bytes.len()
        )));
    }
    let text = decode(bytes)?;
    let first_line = text.lines().next().unwrap_or_default();
    // Ties (a one-column file) go to the comma, listed last.
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|&d| first_line.bytes().filter(|&b| b == d).count())
        .unwrap_or(b',');
    let mut records = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records();
    let header = match records.next() {
        None => return Err(ImportError::file("the file is empty")),
        Some(Err(e)) => return Err(ImportError::in_row(1, e.to_string())),
        Some(Ok(header)) => header,
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                .to_string()
        })
        .collect();
    let layout = detect(&names)?;
    let mut pages = Pages::default();
    let mut errors = ErrorLog::default();
    for (i, record) in records.enumerate() {
        if i >= MAX_IMPORT_ROWS {
            return Err(ImportError::file(format!(
                "the file has more than {MAX_IMPORT_ROWS} rows; split it"
            )));
        }
        let record = match record {
            Ok(record) if record.iter().all(|c| c.trim().is_empty()) => continue,
            Ok(record) => record,
            Err(e) => {
                errors.push(ImportError::in_row(i + 2, e.to_string()));
                continue;
            }
        };
        let mut row = Row {
            row: i + 2,
            record: &record,
            names: &names,
            errors: &mut errors,
            failed: false,
        };
        match &layout {
            Layout::Pages(columns) => page_row(columns, &mut row, &mut pages),
            Layout::Keywords(_, columns) => keyword_row(columns, &mut row, &mut pages),
            Layout::SearchConsole(columns) => search_console_row(columns, &mut row, &mut pages),
        }
    }
    let format = match layout {
        Layout::Pages(_) => ImportFormat::PagesCsv,
        Layout::Keywords(format, _) => {
            for page in &mut pages.pages {
                page.keywords = top_keywords(std::mem::take(&mut page.keywords));
            }
            format
        }
        Layout::SearchConsole(_) => ImportFormat::SearchConsolePages,
    };
    Ok(ImportOutcome {
        pages: pages.pages,
        errors: errors.finish(),
        format,
    })
}

fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ImportError> {
    if let Some(body) = bytes.strip_prefix(b"\xFF\xFE") {
        let units = body
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]));
        return char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map(Cow::Owned)
            .map_err(|e| ImportError::file(format!("the file is not valid UTF-16LE ({e})")));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        // A line, not a record: the best place to point at before the CSV is read.
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        ImportError::in_row(
            line,
            "the file is not UTF-8 text from this line on: save it as \"CSV UTF-8\" (or as \
             UTF-16 with a byte-order mark)",
        )
    })
}

struct KeywordColumns {
    keyword: usize,
    url: usize,
    volume: usize,
    difficulty: Option<usize>,
}

/// Where each column is in the file: the pages CSV's in `PAGES_COLUMNS` order, Search
/// Console's as page, clicks, impressions, position.
enum Layout {
    Pages([Option<usize>; 7]),
    Keywords(ImportFormat, KeywordColumns),
    SearchConsole([usize; 4]),
}

fn detect(names: &[String]) -> Result<Layout, ImportError> {
    let lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let find = |name: &str| lower.iter().position(|h| h == name);
    if let Some(keyword) = find("keyword") {
        for export in &KEYWORD_EXPORTS {
            if let (Some(url), Some(volume)) = (find(export.url), find(export.volume)) {
                let columns = KeywordColumns {
                    keyword,
                    url,
                    volume,
                    difficulty: find(export.difficulty),
                };
                return Ok(Layout::Keywords(export.format, columns));
            }
        }
    }
    // Search Console → Performance → Export → Pages.csv: "Top pages,Clicks,Impressions,CTR,
    // Position", CTR like "1.04%" (not needed: it is clicks over impressions). Real files:
    // StraightUpSearch/niheatingoilcom, ztokar/zechanah-seo-dashboard and
    // epic-oss/calculator-malaysia, each at Pages.csv.
    let gsc = ["top pages", "clicks", "impressions", "position"].map(find);
    if let [Some(page), Some(clicks), Some(impressions), Some(position)] = gsc {
        return Ok(Layout::SearchConsole([page, clicks, impressions, position]));
    }
    let compact = |h: &str| h.replace([' ', '_', '-'], "").to_lowercase();
    if names.iter().any(|h| compact(h) == "url") {
        let mut columns = [None; 7];
        for (i, name) in names.iter().enumerate() {
            let Some(c) = PAGES_COLUMNS
                .iter()
                .position(|c| c.to_lowercase() == compact(name))
            else {
                return Err(ImportError::at(
                    1,
                    name.as_str(),
                    format!(
                        "is not a column of the pages CSV ({})",
                        PAGES_COLUMNS.join(", ")
                    ),
                ));
            };
            columns[c] = columns[c].or(Some(i));
        }
        return Ok(Layout::Pages(columns));
    }
    Err(ImportError::in_row(
        1,
        format!(
            "the header row ({}) matches no format we read. Recognised: our pages CSV (url, \
             and any of title, pageType, hub, keywords, wordCount, commercialValue); Ahrefs \
             organic keywords (Keyword, Volume, Current URL, and KD when present; older \
             exports: URL); Semrush organic positions (Keyword, Search Volume, URL, and \
             Keyword Difficulty when present); Search Console pages (Top pages, Clicks, \
             Impressions, Position)",
            names.join(", ")
        ),
    ))
}

fn page_row(columns: &[Option<usize>; 7], row: &mut Row, pages: &mut Pages) {
    let [
        url,
        title,
        page_type,
        hub,
        keywords,
        word_count,
        commercial_value,
    ] = *columns;
    let url_column = url.unwrap_or_default();
    let url = row.check(url_column, page_url(row.cell(url_column)));
    let input = PageInput {
        url: url.clone().unwrap_or_default(),
        title: row.optional(title, |t| {
            single_line(t, MAX_TITLE_CHARS).map_err(|e| e.message)
        }),
        page_type: row.optional(page_type, parse_page_type),
        hub: row.optional(hub, page_url),
        keywords: row.optional(keywords, keyword_list).unwrap_or_default(),
        word_count: row.optional(word_count, whole_u32),
        commercial_value: row.optional(commercial_value, whole_u32),
        performance: None,
    };
    let (Some(url), false) = (url, row.failed) else {
        return;
    };
    let (page, first) = pages.entry(url, row.row);
    if first == row.row {
        *page = input;
    } else {
        let message = format!("repeats the page of row {first}, which is kept");
        row.check::<()>(url_column, Err(message));
    }
}

fn keyword_row(c: &KeywordColumns, row: &mut Row, pages: &mut Pages) {
    if row.cell(c.url).is_empty() {
        return;
    }
    let keyword = row.check(
        c.keyword,
        single_line(row.cell(c.keyword), MAX_KEYWORD_CHARS).map_err(|e| e.message),
    );
    let url = row.check(c.url, page_url(row.cell(c.url)));
    let volume = row.check(c.volume, whole_u32(row.cell(c.volume)));
    let difficulty = row.optional(c.difficulty, difficulty).flatten();
    if let (Some(keyword), Some(url), Some(volume), false) = (keyword, url, volume, row.failed) {
        pages.entry(url, row.row).0.keywords.push(PageKeyword {
            keyword,
            volume,
            difficulty,
        });
    }
}

/// Search Console lists a page's jump links (`#section`) apart; they merge into the page:
/// clicks add up, and the row with the most impressions gives impressions and position (the
/// page's own result holds the jump links, so their impressions are not extra searches).
fn search_console_row(columns: &[usize; 4], row: &mut Row, pages: &mut Pages) {
    let [page, clicks, impressions, position] = *columns;
    let url = row.check(page, page_url(row.cell(page)));
    let clicks = row.check(clicks, whole(row.cell(clicks)));
    let impressions = row.check(impressions, whole(row.cell(impressions)));
    let position = row.optional(Some(position), parse_position);
    let (Some(url), Some(clicks), Some(impressions), false) =
        (url, clicks, impressions, row.failed)
    else {
        return;
    };
    let page = pages.entry(url, row.row).0;
    match page.performance.as_mut() {
        Some(seen) => {
            seen.clicks = seen.clicks.saturating_add(clicks);
            if impressions > seen.impressions {
                seen.impressions = impressions;
                seen.position = position;
            }
        }
        None => {
            page.performance = Some(SearchPerformance {
                clicks,
                impressions,
                position,
            });
        }
    }
}

/// Pages in the order the file first names them.
#[derive(Default)]
struct Pages {
    pages: Vec<PageInput>,
    first_rows: Vec<usize>,
    by_url: HashMap<String, usize>,
}

impl Pages {
    /// The page of `url` (added, at `row`, if new) and the row that added it.
    fn entry(&mut self, url: String, row: usize) -> (&mut PageInput, usize) {
        let i = *self.by_url.entry(url.clone()).or_insert_with(|| {
            self.pages.push(PageInput {
                url,
                ..PageInput::default()
            });
            self.first_rows.push(row);
            self.pages.len() - 1
        });
        (&mut self.pages[i], self.first_rows[i])
    }
}

/// A keyword repeated on a page (exports list one row per position held) keeps its highest
/// volume; then the highest-volume keywords are kept, as many as a page may have.
fn top_keywords(keywords: Vec<PageKeyword>) -> Vec<PageKeyword> {
    let mut kept: Vec<PageKeyword> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for k in keywords {
        match seen.get(&k.keyword.to_lowercase()) {
            Some(&i) => {
                kept[i].volume = kept[i].volume.max(k.volume);
                kept[i].difficulty = kept[i].difficulty.or(k.difficulty);
            }
            None => {
                seen.insert(k.keyword.to_lowercase(), kept.len());
                kept.push(k);
            }
        }
    }
    kept.sort_by_key(|k| std::cmp::Reverse(k.volume));
    kept.truncate(MAX_KEYWORDS_PER_PAGE);
    kept
}

#[cfg(test)]
mod tests;
