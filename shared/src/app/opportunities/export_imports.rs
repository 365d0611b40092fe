//! Backlink exports brought into a site's referring domains (issue 16, competitor gap). The
//! file never passes through the API: `createBacklinkImport` answers an upload link (S3's
//! presigned PUT in the cloud, the local server's signed one locally), `startBacklinkImport`
//! checks the file's format at once (an unknown one is a 400 listing the formats known) and
//! queues it, and the `backlink-import` job reads it as a stream (`domain::opportunities::
//! exports`), folds it per referring domain and keeps one item per domain under the import,
//! reporting progress and bad rows on the import.
//!
//! Items of a site's earlier import of the same source stay until their TTL; the gap reads
//! only each source's latest finished import.

use super::keys::{self, RefDomain};
use crate::app::enqueue::{self, ForTenant};
use crate::app::entity;
use crate::app::plans::sites;
use crate::app::store::{modify_versioned, query_all};
use crate::app::{App, AppError};
use crate::domain::email::registrable_domain;
use crate::domain::ids::{ExportImportId, SiteId, TenantId};
use crate::domain::opportunities::export_import::{BacklinkImport, ImportState, LinksOf};
use crate::domain::opportunities::exports::{
    DomainAggregate, ExportError, ExportOptions, ExportReader, FORMAT_BYTES, MAX_REPORTED_ERRORS,
    read_export,
};
use crate::domain::time::Timestamp;
use crate::domain::web::DomainName;
use crate::ports::table::{Condition, Index, Query, SortCondition, WriteOp};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;

pub const QUEUE: &str = "backlink-import";
/// How long an upload link works.
const UPLOAD_FOR: Duration = Duration::from_secs(3_600);
/// Bad rows kept on an import.
const ERRORS_KEPT: usize = 100;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewBacklinkImport {
    /// The competitor whose backlinks the export lists (a domain); absent for the site's own.
    pub competitor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedImport {
    pub import: BacklinkImport,
    /// `PUT` the export's bytes here (no other header needed), then `startBacklinkImport`.
    pub upload_url: String,
    pub upload_expires_at: Timestamp,
}

/// The queue's message: read this import's file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportMessage {
    pub tenant_id: TenantId,
    pub site_id: SiteId,
    pub import_id: ExportImportId,
}

impl ForTenant for ImportMessage {
    fn tenant(&self) -> &TenantId {
        &self.tenant_id
    }
}

pub async fn create(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
    input: NewBacklinkImport,
) -> Result<CreatedImport, AppError> {
    sites::get(app, tenant, site).await?;
    let links_of = match input.competitor.as_deref().map(str::trim) {
        None | Some("") => LinksOf::Own,
        Some(text) => LinksOf::Competitor {
            domain: competitor_domain(text).map_err(|why| AppError::invalid("competitor", why))?,
        },
    };
    let now = app.clock.now();
    let import = BacklinkImport::new(
        ExportImportId::from_uuid(app.ids.next()),
        site.clone(),
        links_of,
        now,
    );
    let upload_url = app
        .exports
        .upload_link(&import.file_key(), UPLOAD_FOR)
        .await
        .map_err(AppError::from)?;
    app.table
        .put(entity::item(&import, tenant)?, Some(Condition::NotExists))
        .await?;
    Ok(CreatedImport {
        import,
        upload_url,
        upload_expires_at: now.plus_seconds(UPLOAD_FOR.as_secs() as i64),
    })
}

/// A competitor's registrable domain, from a domain or a URL.
pub fn competitor_domain(text: &str) -> Result<DomainName, String> {
    let host = url::Url::parse(text)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| text.to_string());
    registrable_domain(&host.to_ascii_lowercase())
        .and_then(|d| DomainName::parse(&d).ok())
        .ok_or_else(|| format!("{text:?} is not a domain such as rival.com"))
}

pub async fn get(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
    id: &ExportImportId,
) -> Result<BacklinkImport, AppError> {
    match app
        .table
        .get(&keys::export_import(tenant, site, id))
        .await?
    {
        Some(item) => entity::read(item),
        None => Err(AppError::NotFound("backlink import")),
    }
}

/// A site's imports, newest first.
pub async fn list(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
) -> Result<Vec<BacklinkImport>, AppError> {
    sites::get(app, tenant, site).await?;
    of_site(app, tenant, site).await
}

/// A site's imports, newest first, for a caller that has checked the site.
pub async fn of_site(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
) -> Result<Vec<BacklinkImport>, AppError> {
    let query = Query::new(Index::Table, crate::app::store::tenant_partition(tenant))
        .sort(SortCondition::BeginsWith(keys::export_imports_prefix(site)))
        .descending();
    query_all(app, query)
        .await?
        .into_iter()
        .map(entity::read)
        .collect()
}

/// `startBacklinkImport`: the uploaded file's format is checked now, then it is queued.
pub async fn start(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
    id: &ExportImportId,
) -> Result<BacklinkImport, AppError> {
    let import = get(app, tenant, site, id).await?;
    if !matches!(
        import.state,
        ImportState::AwaitingUpload | ImportState::Failed
    ) {
        return Err(AppError::Conflict(format!(
            "the import is {:?} already",
            import.state
        )));
    }
    // Only the start: the format is told there, and the job reads the whole.
    let head = match app.exports.head(&import.file_key(), FORMAT_BYTES).await {
        Ok(head) => head,
        Err(crate::ports::BlobError::NotFound(_)) => {
            return Err(AppError::Conflict(
                "no file has been uploaded to the import's uploadUrl yet".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    ExportReader::new(std::io::Cursor::new(&head[..])).map_err(file_error)?;
    let queued = set(app, tenant, site, id, |i| {
        i.state = ImportState::Queued;
        i.failure = None;
    })
    .await?;
    let message = ImportMessage {
        tenant_id: tenant.clone(),
        site_id: site.clone(),
        import_id: id.clone(),
    };
    enqueue::send(app, QUEUE, &[message]).await?;
    Ok(queued)
}

fn file_error(e: ExportError) -> AppError {
    AppError::invalid("file", e.to_string())
}

async fn set(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
    id: &ExportImportId,
    change: impl Fn(&mut BacklinkImport),
) -> Result<BacklinkImport, AppError> {
    modify_versioned(
        app,
        &keys::export_import(tenant, site, id),
        "backlink import",
        |i: &BacklinkImport| entity::item(i, tenant),
        |i| {
            change(i);
            Ok(())
        },
    )
    .await
}

/// The job: reads the file, keeps a referring-domain item per domain, and finishes the
/// import with what it found (or why the file could not be read).
pub async fn run(app: &App, message: &ImportMessage) -> Result<(), AppError> {
    let (tenant, site, id) = (&message.tenant_id, &message.site_id, &message.import_id);
    let import = match get(app, tenant, site, id).await {
        Ok(i) if i.state == ImportState::Queued || i.state == ImportState::Reading => i,
        // Gone, or handled by an earlier delivery.
        Ok(_) | Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    set(app, tenant, site, id, |i| i.state = ImportState::Reading).await?;
    let file = app.exports.get(&import.file_key()).await?;
    let read = tokio::task::spawn_blocking(move || {
        let mut domains = DomainAggregate::new();
        let options = ExportOptions {
            max_reported_errors: ERRORS_KEPT.min(MAX_REPORTED_ERRORS),
            ..ExportOptions::default()
        };
        read_export(std::io::Cursor::new(file), &options, |row| {
            domains.add(&row)
        })
        .map(|summary| (summary, domains))
    })
    .await
    .map_err(|e| AppError::internal(format!("the export reader stopped: {e}")))?;
    let (summary, domains) = match read {
        Ok(read) => read,
        Err(e) => {
            let why = e.to_string();
            let now = app.clock.now();
            set(app, tenant, site, id, |i| {
                i.state = ImportState::Failed;
                i.failure = Some(why.clone());
                i.finished_at = Some(now);
            })
            .await?;
            return Ok(());
        }
    };
    let source = import.links_of.source();
    let now = app.clock.now();
    let mut batch = Vec::new();
    for (domain, stats) in domains.iter() {
        let item = RefDomain {
            site_id: site.clone(),
            domain: domain.to_string(),
            source: source.clone(),
            import_id: id.clone(),
            stats: stats.clone(),
            kept_at: now,
        };
        batch.push(WriteOp::Put(entity::item(&item, tenant)?));
        if batch.len() == 25 {
            app.table.batch_write(std::mem::take(&mut batch)).await?;
        }
    }
    app.table.batch_write(batch).await?;
    let found = domains.len() as u64;
    set(app, tenant, site, id, |i| {
        i.state = ImportState::Done;
        i.format = Some(summary.format);
        i.layout = Some(summary.layout.to_string());
        i.rows = summary.rows;
        i.bad_rows = summary.bad_rows;
        i.errors = summary.errors.clone();
        i.domains = found;
        i.finished_at = Some(now);
    })
    .await
    .map(|_| ())
}
