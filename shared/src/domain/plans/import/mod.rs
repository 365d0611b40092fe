//! Site imports (issue 14): the files a tenant already has, turned into `PageInput`s. Our own
//! pages CSV, an Ahrefs or Semrush organic-keywords export and a Search Console pages export
//! go through `parse_pages_csv`, which tells them apart by their header row; a sitemap goes
//! through `parse_sitemap` and `sitemap_pages`. A page without a type can take
//! `guess_page_type`'s.
//!
//! Pure parsing: the caller reads the upload (and fetches the children of a sitemap index);
//! every page still goes through `check_page`. A bad row is reported with its number and
//! column and the good rows still come through; only a file that cannot be read at all, or is
//! over the limits, fails as a whole.

mod cells;
pub mod csv;
pub mod page_type;
pub mod sitemap;

pub use self::csv::{MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, parse_pages_csv};
pub use self::page_type::guess_page_type;
pub use self::sitemap::{Sitemap, SitemapUrl, parse_sitemap, sitemap_pages};

use super::site::PageInput;
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// Row errors kept per import: enough to fix a file by, bounded so a file of a million bad
/// rows does not answer with a million errors.
pub const MAX_REPORTED_ERRORS: usize = 1_000;

/// What went wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportError {
    /// 1-based: the header is row 1, so the first data row is 2. For a sitemap, the entry's
    /// position. Absent when the file as a whole is at fault.
    pub row: Option<usize>,
    /// The column (or XML element) as the file names it.
    pub column: Option<String>,
    pub message: String,
}

impl ImportError {
    /// The file as a whole.
    pub fn file(message: impl Into<String>) -> Self {
        Self {
            row: None,
            column: None,
            message: message.into(),
        }
    }

    /// A row as a whole.
    pub fn in_row(row: usize, message: impl Into<String>) -> Self {
        Self {
            row: Some(row),
            column: None,
            message: message.into(),
        }
    }

    pub fn at(row: usize, column: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            row: Some(row),
            column: Some(column.into()),
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, &self.column) {
            (Some(row), Some(column)) => write!(f, "row {row}, {column}: {}", self.message),
            (Some(row), None) => write!(f, "row {row}: {}", self.message),
            (None, Some(column)) => write!(f, "{column}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ImportError {}

/// The kind of file an import recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// Our own one-row-per-page CSV.
    PagesCsv,
    /// Ahrefs Site Explorer → Organic keywords, one row per keyword.
    AhrefsOrganicKeywords,
    /// Semrush Organic Research → Positions, one row per keyword.
    SemrushOrganicKeywords,
    /// Search Console Performance → Pages (`Pages.csv`).
    SearchConsolePages,
    /// A sitemaps.org `<urlset>`.
    Sitemap,
    /// A sitemaps.org `<sitemapindex>`: its children are sitemaps to fetch.
    SitemapIndex,
}

/// The pages an import found, and the rows it could not use.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    pub pages: Vec<PageInput>,
    pub errors: Vec<ImportError>,
    pub format: ImportFormat,
}

/// Collects row errors up to `MAX_REPORTED_ERRORS`, then only counts them.
#[derive(Debug, Default)]
pub(crate) struct ErrorLog {
    errors: Vec<ImportError>,
    dropped: usize,
}

impl ErrorLog {
    pub(crate) fn push(&mut self, error: ImportError) {
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(error);
        } else {
            self.dropped += 1;
        }
    }

    pub(crate) fn finish(mut self) -> Vec<ImportError> {
        if self.dropped > 0 {
            self.errors.push(ImportError::file(format!(
                "{} more rows had errors and are not listed",
                self.dropped
            )));
        }
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_where_and_serialize_in_camel_and_snake_case() {
        let e = ImportError::at(3, "Volume", "is not a number");
        assert_eq!(e.to_string(), "row 3, Volume: is not a number");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"row": 3, "column": "Volume", "message": "is not a number"})
        );
        let format = serde_json::to_value(ImportFormat::AhrefsOrganicKeywords).unwrap();
        assert_eq!(format, "ahrefs_organic_keywords");
    }

    #[test]
    fn the_error_log_stops_listing_after_its_bound() {
        let mut log = ErrorLog::default();
        for row in 0..MAX_REPORTED_ERRORS + 5 {
            log.push(ImportError::at(row, "url", "bad"));
        }
        let errors = log.finish();
        assert_eq!(errors.len(), MAX_REPORTED_ERRORS + 1);
        assert!(
            errors[MAX_REPORTED_ERRORS]
                .message
                .starts_with("5 more rows")
        );
    }
}
