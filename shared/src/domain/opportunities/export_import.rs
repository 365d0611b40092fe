//! One backlink export brought into a site's referring domains (issue 16): whose links it
//! holds, how far it has got, and what it found.

use super::exports::{ExportFormat, RowError};
use crate::domain::ids::{ExportImportId, SiteId};
use crate::domain::time::Timestamp;
use crate::domain::web::DomainName;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whose backlinks an export lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LinksOf {
    /// The tenant's own site.
    Own,
    /// A competitor, by its registrable domain.
    Competitor { domain: DomainName },
}

impl LinksOf {
    /// The source an import's referring domains are kept under.
    pub fn source(&self) -> String {
        match self {
            LinksOf::Own => OWN.to_string(),
            LinksOf::Competitor { domain } => domain.to_string(),
        }
    }
}

/// The source name of the tenant's own links (never a domain: it has no dot).
pub const OWN: &str = "own";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    /// Created; the file goes to `uploadUrl`, then `startBacklinkImport`.
    AwaitingUpload,
    Queued,
    Reading,
    Done,
    /// The file as a whole could not be read (`failure` says why).
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BacklinkImport {
    pub id: ExportImportId,
    pub site_id: SiteId,
    pub links_of: LinksOf,
    pub state: ImportState,
    #[schema(value_type = Option<String>)]
    pub format: Option<ExportFormat>,
    /// The variant of the format (header version, encoding).
    pub layout: Option<String>,
    pub rows: u64,
    pub bad_rows: u64,
    /// The first bad rows, with their lines.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<RowError>,
    /// Referring domains found.
    pub domains: u64,
    pub failure: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub version: u64,
}

impl BacklinkImport {
    pub fn new(id: ExportImportId, site_id: SiteId, links_of: LinksOf, now: Timestamp) -> Self {
        Self {
            id,
            site_id,
            links_of,
            state: ImportState::AwaitingUpload,
            format: None,
            layout: None,
            rows: 0,
            bad_rows: 0,
            errors: Vec::new(),
            domains: 0,
            failure: None,
            created_at: now,
            updated_at: now,
            finished_at: None,
            version: 1,
        }
    }

    /// Where its file is kept (a plain name, as every blob store takes).
    pub fn file_key(&self) -> String {
        format!("backlink-export-{}.csv", self.id)
    }
}
