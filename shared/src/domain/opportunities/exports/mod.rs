//! Backlink exports of the major tools, read as a stream and normalised into one row schema
//! (issue 16, competitor gap).
//!
//! The format is told from the bytes and the header row, never from the file name: the
//! encoding from the byte-order mark or the first bytes (UTF-8 with or without a mark,
//! UTF-16LE/BE, and Windows-1252 as Excel saves "CSV"), then a header row (trimmed, any case,
//! found past preamble lines such as Moz's) with its delimiter (tab, semicolon or comma), whose
//! column names pick the tool, report and header version. `formats` holds the tables and where
//! each header comes from.
//!
//! `ExportReader` yields one `ExportRow` per link (per referring domain in domain-level
//! reports; per linked target in Link Intersect and Backlink Gap reports). A row that cannot be
//! read comes as `ExportError::BadRow` with its line and the reading goes on; `read_export`
//! keeps the first of those and counts the rest. `DomainAggregate` folds rows into one entry
//! per referring domain, so memory grows with domains, not rows.
//!
//! Pure: the caller hands in any `std::io::Read` (an upload body, an S3 object, a file).

mod aggregate;
mod cells;
mod decode;
mod formats;
mod reader;
mod rows;

pub use aggregate::{DomainAggregate, DomainStats};
pub use formats::Field;
pub use reader::{ExportReader, FORMAT_BYTES, read_export};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The upload limit; the benchmark lifts it.
pub const MAX_EXPORT_BYTES: u64 = 100 * 1024 * 1024;
/// Bad rows listed per import: enough to fix a file by, bounded for a file of bad rows.
pub const MAX_REPORTED_ERRORS: usize = 1_000;

/// The exports we read. Variants of one report (current and legacy headers, UTF-8 or
/// UTF-16) share a format; `ExportReader::layout` names the variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    AhrefsBacklinks,
    AhrefsReferringDomains,
    AhrefsLinkIntersect,
    SemrushBacklinks,
    SemrushBacklinkGap,
    MozLinks,
    MajesticBacklinks,
    SearchConsoleTopLinkingSites,
    SearchConsoleLatestLinks,
    /// A plain list of URLs or domains, or a CSV with a URL or domain column.
    UrlList,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 10] = [
        Self::AhrefsBacklinks,
        Self::AhrefsReferringDomains,
        Self::AhrefsLinkIntersect,
        Self::SemrushBacklinks,
        Self::SemrushBacklinkGap,
        Self::MozLinks,
        Self::MajesticBacklinks,
        Self::SearchConsoleTopLinkingSites,
        Self::SearchConsoleLatestLinks,
        Self::UrlList,
    ];

    /// How a person would name the export, as the unknown-format error lists it.
    pub fn label(self) -> &'static str {
        match self {
            Self::AhrefsBacklinks => "Ahrefs backlinks (UTF-16 or UTF-8, current or legacy)",
            Self::AhrefsReferringDomains => "Ahrefs referring domains",
            Self::AhrefsLinkIntersect => "Ahrefs Link Intersect",
            Self::SemrushBacklinks => "Semrush backlinks (current or legacy)",
            Self::SemrushBacklinkGap => "Semrush Backlink Gap",
            Self::MozLinks => "Moz Link Explorer inbound links",
            Self::MajesticBacklinks => "Majestic backlinks",
            Self::SearchConsoleTopLinkingSites => "Google Search Console top linking sites",
            Self::SearchConsoleLatestLinks => "Google Search Console latest links",
            Self::UrlList => "a list or CSV with a URL or domain column",
        }
    }
}

/// Which score an authority is: the tools' scales are all 0-100 but not comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityMetric {
    /// Ahrefs Domain Rating of the referring domain.
    AhrefsDomainRating,
    /// Semrush Authority Score (of the page in backlinks reports, the domain in Backlink Gap).
    SemrushAuthorityScore,
    /// Semrush's pre-2020 Page Score.
    SemrushPageScore,
    /// Moz Domain Authority.
    MozDomainAuthority,
    /// Majestic Trust Flow of the referring page.
    MajesticTrustFlow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    pub metric: AuthorityMetric,
    /// 0 to 100.
    pub score: u8,
}

/// The link's rel attributes, when the export says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rel {
    pub nofollow: bool,
    pub ugc: bool,
    pub sponsored: bool,
}

impl Rel {
    /// A link that passes authority: none of the three hints.
    pub fn is_dofollow(self) -> bool {
        !(self.nofollow || self.ugc || self.sponsored)
    }
}

/// Where on the referring page the link sits, when the export says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// In the page's main content (Ahrefs "Content").
    Content,
    /// On every page of the site, as in a footer or blogroll (Semrush "Sitewide").
    Sitewide,
    /// Outside the main content but not said to be sitewide (Ahrefs "Content" false).
    Other,
}

/// One link (or one referring domain, or one domain's links to one target) in the common
/// schema. URLs are absolute http(s) without fragment; domains are registrable domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRow {
    /// The line of the file the row starts on (1-based, preamble and header counted).
    pub line: u64,
    /// Absent in domain-level reports.
    pub referring_url: Option<String>,
    pub referring_domain: String,
    pub target_url: Option<String>,
    /// The target's registrable domain: from the target URL, or the column of a Link
    /// Intersect or Backlink Gap report.
    pub target_domain: Option<String>,
    pub anchor: Option<String>,
    pub authority: Option<Authority>,
    /// Estimated monthly organic traffic of the referring domain (else page).
    pub traffic: Option<u64>,
    /// How many links the row stands for: 1 for a link, the report's count otherwise.
    pub links: u32,
    /// How many of those pass authority, when the export says.
    pub dofollow_links: Option<u32>,
    pub rel: Option<Rel>,
    pub placement: Option<Placement>,
    pub first_seen: Option<NaiveDate>,
    pub last_seen: Option<NaiveDate>,
    /// The tool saw the link go.
    pub lost: bool,
    pub lost_on: Option<NaiveDate>,
}

#[cfg(test)]
impl ExportRow {
    /// A row with only its line and referrer, for tests to fill in.
    pub(super) fn bare(line: u64, url: Option<&str>, domain: &str) -> Self {
        Self {
            line,
            referring_url: url.map(str::to_string),
            referring_domain: domain.into(),
            target_url: None,
            target_domain: None,
            anchor: None,
            authority: None,
            traffic: None,
            links: 1,
            dofollow_links: None,
            rel: None,
            placement: None,
            first_seen: None,
            last_seen: None,
            lost: false,
            lost_on: None,
        }
    }
}

/// A row that could not be read; the rows after it still are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub line: u64,
    /// The column as the file names it, when one cell is at fault.
    pub column: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, {column}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// Which column of the file fed which field of the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnUse {
    pub field: Field,
    pub column: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error(
        "the file is no backlink export we know; we read: {}",
        known.join("; ")
    )]
    UnknownFormat { known: Vec<&'static str> },
    #[error("the file is over {limit} bytes; split it or filter the export")]
    TooLarge { limit: u64 },
    #[error("the file is not text; upload the export as CSV (not a workbook)")]
    NotText,
    #[error("the file is empty")]
    Empty,
    #[error("the file could not be read: {0}")]
    Read(String),
    /// Not fatal: the row is skipped and the next ones still come.
    #[error("{0}")]
    BadRow(RowError),
}

impl ExportError {
    pub fn unknown_format() -> Self {
        Self::UnknownFormat {
            known: ExportFormat::ALL.iter().map(|f| f.label()).collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    pub max_bytes: u64,
    pub max_reported_errors: usize,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            max_bytes: MAX_EXPORT_BYTES,
            max_reported_errors: MAX_REPORTED_ERRORS,
        }
    }
}

/// What `read_export` read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    pub format: ExportFormat,
    /// The header variant, e.g. "Ahrefs backlinks, Site Explorer v3".
    pub layout: &'static str,
    pub mapping: Vec<ColumnUse>,
    pub rows: u64,
    pub bad_rows: u64,
    /// The first `max_reported_errors` bad rows.
    pub errors: Vec<RowError>,
}

#[cfg(test)]
mod tests;
