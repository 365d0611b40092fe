//! `importPages`: a CSV file (our pages CSV, an Ahrefs or Semrush organic-keywords export, a
//! Search Console pages export) or the site's sitemap, taken in as a job with progress.
//!
//! A CSV is read at once (a bad file is a 400 naming what it lacks) and its pages staged in
//! chunks; a sitemap is fetched by the worker. The worker writes the staged pages a batch at
//! a time, recording progress after each, so a redelivered message resumes where the last
//! one stopped; rows that cannot be used are reported, and the rest are imported.

use super::keys::pages as site_partition;
use super::pages::{MAX_PAGES_PER_CALL, MAX_PAGES_PER_SITE, write_pages};
use super::sites;
use crate::app::enqueue::{self, ForTenant};
use crate::app::entity::{self, Entity, read};
use crate::app::store::query_all;
use crate::app::{App, AppError};
use crate::domain::ids::{ImportId, SiteId, TenantId};
use crate::domain::plans::import::{
    ImportError, ImportFormat, Sitemap, parse_pages_csv, parse_sitemap, sitemap_pages,
};
use crate::domain::plans::{PageInput, check_page, import::guess_page_type};
use crate::domain::time::Timestamp;
use crate::domain::web::WebUrl;
use crate::ports::table::{Condition, Index, Key, Query, SortCondition, TableError, WriteOp};
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const QUEUE: &str = "page-import";
/// Pages per staged chunk: well under an item's 400 KB.
const CHUNK_PAGES: usize = 200;
/// Child sitemaps an index may name that are fetched.
const MAX_CHILD_SITEMAPS: usize = 50;
/// Errors kept on the import (the count goes on).
const MAX_KEPT_ERRORS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportSource {
    Csv,
    Sitemap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// The sitemap is being fetched.
    Fetching,
    /// Pages are being written.
    Writing,
    Completed,
    /// The sitemap could not be read; `errors` says why.
    Failed,
}

/// An import and its progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageImport {
    pub id: ImportId,
    pub site_id: SiteId,
    pub source: ImportSource,
    pub status: ImportStatus,
    pub format: Option<ImportFormat>,
    pub sitemap_url: Option<WebUrl>,
    pub sitemaps_fetched: u32,
    /// Pages found in the file or sitemap, and written so far.
    pub pages_found: u32,
    pub pages_written: u32,
    pub created: u32,
    pub updated: u32,
    pub error_count: u32,
    /// The first 200 rows or entries that could not be used.
    pub errors: Vec<ImportError>,
    pub chunks: u32,
    pub chunks_done: u32,
    pub created_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub version: u64,
}

/// Staged pages of an import.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImportChunk {
    site_id: SiteId,
    import_id: ImportId,
    chunk: u32,
    pages: Vec<PageInput>,
}

impl Entity for PageImport {
    const TAG: &'static str = "page_import";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        import_key(tenant, &self.site_id, &self.id)
    }
}

impl Entity for ImportChunk {
    const TAG: &'static str = "page_import_chunk";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        Key::new(
            site_partition(tenant, &self.site_id),
            format!("IMPORTCHUNK#{}#{:05}", self.import_id, self.chunk),
        )
    }
}

fn import_key(tenant: &TenantId, site: &SiteId, id: &ImportId) -> Key {
    Key::new(site_partition(tenant, site), format!("IMPORT#{id}"))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportRequest {
    pub source: ImportSource,
    /// The CSV file's text (UTF-8), for `csv`.
    #[serde(default)]
    pub csv: Option<String>,
    /// The CSV file's bytes in base64, for exports that are not UTF-8 (Ahrefs writes
    /// UTF-16), for `csv`.
    #[serde(default)]
    pub csv_base64: Option<String>,
    /// For `sitemap`: the sitemap or sitemap index; `https://{domain}/sitemap.xml` when
    /// absent.
    #[serde(default)]
    pub sitemap_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportMessage {
    pub tenant_id: TenantId,
    pub site_id: SiteId,
    pub import_id: ImportId,
}

impl ForTenant for ImportMessage {
    fn tenant(&self) -> &TenantId {
        &self.tenant_id
    }
}

fn csv_bytes(request: &ImportRequest) -> Result<Vec<u8>, AppError> {
    match (&request.csv, &request.csv_base64) {
        (Some(text), None) => Ok(text.as_bytes().to_vec()),
        (None, Some(b64)) => base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|e| AppError::invalid("csvBase64", format!("is not base64: {e}"))),
        _ => Err(AppError::invalid(
            "csv",
            "give the file as csv or as csvBase64, once",
        )),
    }
}

fn keep_errors(import: &mut PageImport, errors: impl IntoIterator<Item = ImportError>) {
    for e in errors {
        import.error_count += 1;
        if import.errors.len() < MAX_KEPT_ERRORS {
            import.errors.push(e);
        }
    }
}

pub async fn start(
    app: &App,
    tenant: &TenantId,
    site_id: &SiteId,
    request: ImportRequest,
) -> Result<PageImport, AppError> {
    let site = sites::get(app, tenant, site_id).await?;
    let now = app.clock.now();
    let mut import = PageImport {
        id: ImportId::from_uuid(app.ids.next()),
        site_id: site_id.clone(),
        source: request.source,
        status: ImportStatus::Fetching,
        format: None,
        sitemap_url: None,
        sitemaps_fetched: 0,
        pages_found: 0,
        pages_written: 0,
        created: 0,
        updated: 0,
        error_count: 0,
        errors: Vec::new(),
        chunks: 0,
        chunks_done: 0,
        created_at: now,
        completed_at: None,
        version: 1,
    };
    match request.source {
        ImportSource::Csv => {
            let outcome = parse_pages_csv(&csv_bytes(&request)?)
                .map_err(|e| AppError::invalid("csv", e.to_string()))?;
            import.format = Some(outcome.format);
            keep_errors(&mut import, outcome.errors);
            stage(app, tenant, &mut import, outcome.pages).await?;
        }
        ImportSource::Sitemap => {
            let raw = request
                .sitemap_url
                .clone()
                .unwrap_or_else(|| format!("https://{}/sitemap.xml", site.domain));
            let url =
                WebUrl::parse(&raw).map_err(|e| AppError::Invalid(vec![e.within("sitemapUrl")]))?;
            import.sitemap_url = Some(url);
        }
    }
    app.table
        .put(entity::item(&import, tenant)?, Some(Condition::NotExists))
        .await?;
    let message = ImportMessage {
        tenant_id: tenant.clone(),
        site_id: site_id.clone(),
        import_id: import.id.clone(),
    };
    enqueue::send(app, QUEUE, &[message]).await?;
    Ok(import)
}

/// Stages the pages in chunks and moves the import to writing.
async fn stage(
    app: &App,
    tenant: &TenantId,
    import: &mut PageImport,
    pages: Vec<PageInput>,
) -> Result<(), AppError> {
    let mut writes = Vec::new();
    for (n, chunk) in pages.chunks(CHUNK_PAGES).enumerate() {
        let staged = ImportChunk {
            site_id: import.site_id.clone(),
            import_id: import.id.clone(),
            chunk: n as u32,
            pages: chunk.to_vec(),
        };
        writes.push(WriteOp::Put(entity::item(&staged, tenant)?));
    }
    import.chunks = writes.len() as u32;
    import.pages_found = pages.len() as u32;
    import.status = ImportStatus::Writing;
    app.table.batch_write(writes).await?;
    Ok(())
}

pub async fn get(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
    id: &ImportId,
) -> Result<PageImport, AppError> {
    let item = app.table.get(&import_key(tenant, site, id)).await?;
    item.map(read)
        .transpose()?
        .ok_or(AppError::NotFound("import"))
}

/// Records progress; false when another delivery of the message moved the import on, and
/// this one should stop.
async fn save(app: &App, tenant: &TenantId, import: &mut PageImport) -> Result<bool, AppError> {
    let seen = import.version;
    import.version += 1;
    match app
        .table
        .put(
            entity::item(&*import, tenant)?,
            Some(Condition::eq("version", seen)),
        )
        .await
    {
        Ok(()) => Ok(true),
        Err(TableError::ConditionFailed) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The worker: fetches a sitemap import's pages, then writes staged pages batch by batch.
pub async fn run(app: &App, message: &ImportMessage) -> Result<(), AppError> {
    let tenant = &message.tenant_id;
    let mut import = match get(app, tenant, &message.site_id, &message.import_id).await {
        Ok(i) => i,
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let site = match sites::get(app, tenant, &message.site_id).await {
        Ok(site) => site,
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    if import.status == ImportStatus::Fetching {
        match fetch_sitemap(app, &mut import, &site.domain).await {
            Ok(pages) => stage(app, tenant, &mut import, pages).await?,
            Err(why) => {
                keep_errors(&mut import, [why]);
                import.status = ImportStatus::Failed;
                import.completed_at = Some(app.clock.now());
            }
        }
        if !save(app, tenant, &mut import).await? {
            return Ok(());
        }
    }
    while import.status == ImportStatus::Writing && import.chunks_done < import.chunks {
        let batch = (MAX_PAGES_PER_CALL / CHUNK_PAGES) as u32;
        let end = (import.chunks_done + batch).min(import.chunks);
        let mut inputs = Vec::new();
        for n in import.chunks_done..end {
            let key = ImportChunk {
                site_id: import.site_id.clone(),
                import_id: import.id.clone(),
                chunk: n,
                pages: Vec::new(),
            }
            .key(tenant);
            if let Some(item) = app.table.get(&key).await? {
                inputs.extend(read::<ImportChunk>(item)?.pages);
            }
        }
        let mut good = Vec::new();
        let mut checked = Vec::new();
        for input in inputs {
            match check_page(&input, &site.domain, |u| guess_page_type(u.as_url())) {
                Ok(page) => {
                    checked.push(page);
                    good.push(input);
                }
                Err(errors) => keep_errors(
                    &mut import,
                    errors.into_iter().map(|e| ImportError {
                        row: None,
                        column: Some(e.field.clone()),
                        message: format!("{}: {}", input.url, e.message),
                    }),
                ),
            }
        }
        if !good.is_empty() {
            match write_pages(app, tenant, &import.site_id, &good, checked).await {
                Ok(result) => {
                    import.created += result.created;
                    import.updated += result.updated;
                    import.pages_written += good.len() as u32;
                }
                Err(AppError::Invalid(errors)) => keep_errors(
                    &mut import,
                    errors.into_iter().map(|e| ImportError::file(e.message)),
                ),
                Err(e) => return Err(e),
            }
        }
        import.chunks_done = end;
        if import.chunks_done == import.chunks {
            import.status = ImportStatus::Completed;
            import.completed_at = Some(app.clock.now());
        }
        if !save(app, tenant, &mut import).await? {
            return Ok(());
        }
    }
    if import.status == ImportStatus::Completed {
        clear_chunks(app, tenant, &import).await?;
    }
    Ok(())
}

async fn clear_chunks(app: &App, tenant: &TenantId, import: &PageImport) -> Result<(), AppError> {
    let query = Query::new(Index::Table, site_partition(tenant, &import.site_id)).sort(
        SortCondition::BeginsWith(format!("IMPORTCHUNK#{}#", import.id)),
    );
    let keys: Vec<WriteOp> = query_all(app, query)
        .await?
        .iter()
        .filter_map(Key::of)
        .map(WriteOp::Delete)
        .collect();
    app.table.batch_write(keys).await?;
    Ok(())
}

async fn fetch_xml(app: &App, url: &WebUrl) -> Result<Sitemap, ImportError> {
    let fetched = app
        .fetcher
        .get(url.as_url())
        .await
        .map_err(|e| ImportError::file(e.to_string()))?;
    if fetched.status != 200 {
        return Err(ImportError::file(format!(
            "{url} answered HTTP {}",
            fetched.status
        )));
    }
    if fetched.truncated {
        return Err(ImportError::file(format!(
            "{url} is larger than the fetch limit"
        )));
    }
    if fetched.body.starts_with(&[0x1f, 0x8b]) {
        return Err(ImportError::file(format!(
            "{url} is gzip-compressed; give the uncompressed sitemap's URL"
        )));
    }
    parse_sitemap(&fetched.body).map_err(|e| ImportError::file(format!("{url}: {e}")))
}

/// The pages a sitemap (or a sitemap index's sitemaps) lists on the site's domain.
async fn fetch_sitemap(
    app: &App,
    import: &mut PageImport,
    domain: &str,
) -> Result<Vec<PageInput>, ImportError> {
    let Some(url) = import.sitemap_url.clone() else {
        return Err(ImportError::file("no sitemap URL"));
    };
    let first = fetch_xml(app, &url).await?;
    import.sitemaps_fetched = 1;
    import.format = Some(first.format());
    let mut urls = Vec::new();
    match first {
        Sitemap::Urls(found) => urls.extend(found),
        Sitemap::Index(children) => {
            if children.len() > MAX_CHILD_SITEMAPS {
                keep_errors(
                    import,
                    [ImportError::file(format!(
                        "the index names {} sitemaps; the first {MAX_CHILD_SITEMAPS} are read",
                        children.len()
                    ))],
                );
            }
            for child in children.iter().take(MAX_CHILD_SITEMAPS) {
                let read = match WebUrl::parse(child) {
                    Ok(child_url) => fetch_xml(app, &child_url).await,
                    Err(e) => Err(ImportError::file(format!("{child}: {e}"))),
                };
                import.sitemaps_fetched += 1;
                match read {
                    Ok(Sitemap::Urls(found)) => urls.extend(found),
                    Ok(Sitemap::Index(_)) => keep_errors(
                        import,
                        [ImportError::file(format!(
                            "{child} is another index; indexes do not nest (sitemaps.org)"
                        ))],
                    ),
                    Err(e) => keep_errors(import, [e]),
                }
            }
        }
    }
    if urls.len() > MAX_PAGES_PER_SITE {
        keep_errors(
            import,
            [ImportError::file(format!(
                "the sitemap lists {} URLs; a site holds at most {MAX_PAGES_PER_SITE}, the first are imported",
                urls.len()
            ))],
        );
        urls.truncate(MAX_PAGES_PER_SITE);
    }
    let (pages, errors) = sitemap_pages(&urls, domain);
    keep_errors(import, errors);
    Ok(pages)
}
