//! The directory catalogue (issue 16): read by every signed-in user (active directories
//! only, unless a platform operator asks), written only by platform operators. A directory is
//! never deleted: `deleteDirectory` takes it out of matching, and the opportunities made from
//! it stay as they are. Imports are idempotent by URL, with a report per row.

use super::keys::{self, DirectoryUrl};
use crate::app::entity::{self, Platform};
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::modify_versioned;
use crate::app::{App, AppError};
use crate::domain::FieldError;
use crate::domain::ids::DirectoryId;
use crate::domain::opportunities::directory::{
    BacklinkDirectory, DirectoryCategory, DirectoryFields, DirectoryInput, Region,
};
use crate::ports::table::{Condition, Index, Query, SortCondition, TableError, TransactOp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// Rows one import may carry.
pub const MAX_IMPORT_ROWS: usize = 2_000;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DirectoryFilter {
    pub category: Option<DirectoryCategory>,
    /// Any case.
    pub subcategory: Option<String>,
    /// Directories serving this region (GLOBAL ones serve every region).
    pub region: Option<Region>,
    pub is_free: Option<bool>,
    /// Platform operators only: include inactive directories.
    pub include_inactive: Option<bool>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::Invalid(errors)
}

pub async fn get(
    app: &App,
    id: &DirectoryId,
    operator: bool,
) -> Result<BacklinkDirectory, AppError> {
    match app.table.get(&keys::directory(id)).await? {
        Some(item) => {
            let d: BacklinkDirectory = entity::read(item)?;
            if d.is_active || operator {
                Ok(d)
            } else {
                Err(AppError::NotFound("directory"))
            }
        }
        None => Err(AppError::NotFound("directory")),
    }
}

pub async fn list(
    app: &App,
    filter: &DirectoryFilter,
    page: PageRequest,
    operator: bool,
) -> Result<ListPage<BacklinkDirectory>, AppError> {
    let with_inactive = filter.include_inactive.unwrap_or(false);
    if with_inactive && !operator {
        return Err(AppError::invalid(
            "includeInactive",
            "is for platform operators",
        ));
    }
    let query = Query::new(Index::Table, keys::CATALOGUE)
        .sort(SortCondition::BeginsWith(keys::DIR_PREFIX.into()));
    paging::list(app.table.as_ref(), query, page, |item| {
        let d: BacklinkDirectory = entity::read(item)?;
        let f = &d.fields;
        let keep = (d.is_active || with_inactive)
            && filter.category.is_none_or(|c| c == f.category)
            && filter
                .subcategory
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case(&f.subcategory))
            && filter
                .region
                .is_none_or(|r| f.regions.contains(&r) || f.regions.contains(&Region::GLOBAL))
            && filter.is_free.is_none_or(|free| free == f.is_free);
        Ok(keep.then_some(d))
    })
    .await
}

/// Every active directory of a category (the matcher's read).
pub async fn active(
    app: &App,
    category: DirectoryCategory,
) -> Result<Vec<BacklinkDirectory>, AppError> {
    let query = Query::new(Index::Gsi1, keys::by_category(category, true));
    crate::app::store::query_all(app, query)
        .await?
        .into_iter()
        .map(entity::read)
        .collect()
}

pub async fn create(app: &App, input: DirectoryInput) -> Result<BacklinkDirectory, AppError> {
    let active = input.is_active.unwrap_or(true);
    let fields = input.check().map_err(invalid)?;
    if let Some(existing) = by_url(app, &fields).await? {
        return Err(AppError::Conflict(format!(
            "directory {existing} already has this url; update it instead"
        )));
    }
    add(app, fields, active).await
}

async fn add(
    app: &App,
    fields: DirectoryFields,
    active: bool,
) -> Result<BacklinkDirectory, AppError> {
    let now = app.clock.now();
    let d = BacklinkDirectory {
        id: DirectoryId::from_uuid(app.ids.next()),
        fields,
        is_active: active,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    insert(app, &d).await?;
    Ok(d)
}

async fn by_url(app: &App, fields: &DirectoryFields) -> Result<Option<DirectoryId>, AppError> {
    match app.table.get(&keys::url(fields.url.as_str())).await? {
        Some(item) => Ok(Some(entity::read::<DirectoryUrl>(item)?.directory_id)),
        None => Ok(None),
    }
}

/// The directory and its URL's mark, together; a URL taken meanwhile is a conflict.
async fn insert(app: &App, d: &BacklinkDirectory) -> Result<(), AppError> {
    let mark = DirectoryUrl {
        url: d.fields.url.to_string(),
        directory_id: d.id.clone(),
    };
    let ops = vec![
        TransactOp::Put {
            item: entity::item(d, &Platform)?,
            condition: Some(Condition::NotExists),
        },
        TransactOp::Put {
            item: entity::item(&mark, &Platform)?,
            condition: Some(Condition::NotExists),
        },
    ];
    match app.table.transact(ops).await {
        Ok(()) => Ok(()),
        Err(TableError::TransactionCancelled { .. }) => {
            Err(AppError::Conflict("another directory has this url".into()))
        }
        Err(e) => Err(e.into()),
    }
}

/// `updateDirectory`: the fields given replace the directory's, and the whole is checked
/// again. A new URL moves the URL's mark.
pub async fn update(
    app: &App,
    id: &DirectoryId,
    patch: Value,
) -> Result<BacklinkDirectory, AppError> {
    let Value::Object(changes) = patch else {
        return Err(AppError::invalid("", "must be a JSON object"));
    };
    let before = get(app, id, true).await?;
    let merged = merge(&before, changes)?;
    let active = merged.is_active.unwrap_or(before.is_active);
    let fields = merged.check().map_err(invalid)?;
    if fields.url != before.fields.url {
        if let Some(other) = by_url(app, &fields).await? {
            return Err(AppError::invalid(
                "url",
                format!("is directory {other}'s url"),
            ));
        }
        let mark = DirectoryUrl {
            url: fields.url.to_string(),
            directory_id: id.clone(),
        };
        app.table
            .put(entity::item(&mark, &Platform)?, Some(Condition::NotExists))
            .await
            .map_err(|_| AppError::Conflict("another directory has this url".into()))?;
        app.table
            .delete(&keys::url(before.fields.url.as_str()), None)
            .await?;
    }
    set(app, id, fields, active).await
}

/// Writes a directory's checked fields and state (the catalogue's one edit).
async fn set(
    app: &App,
    id: &DirectoryId,
    fields: DirectoryFields,
    active: bool,
) -> Result<BacklinkDirectory, AppError> {
    modify_versioned(
        app,
        &keys::directory(id),
        "directory",
        |d: &BacklinkDirectory| entity::item(d, &Platform),
        |d| {
            d.fields = fields.clone();
            d.is_active = active;
            Ok(())
        },
    )
    .await
}

fn merge(
    before: &BacklinkDirectory,
    changes: serde_json::Map<String, Value>,
) -> Result<DirectoryInput, AppError> {
    let mut whole = serde_json::to_value(before.to_input())
        .map_err(|e| AppError::internal(format!("a directory as input: {e}")))?;
    if let Value::Object(fields) = &mut whole {
        fields.extend(changes);
    }
    from_value(whole)
}

/// Reads a directory input, naming the field serde stopped at.
pub fn from_value(value: Value) -> Result<DirectoryInput, AppError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { String::new() } else { field };
        AppError::invalid(&field, e.inner().to_string())
    })
}

/// `deleteDirectory`: out of matching and of tenants' lists; kept for the opportunities
/// made from it.
pub async fn deactivate(app: &App, id: &DirectoryId) -> Result<(), AppError> {
    let d = get(app, id, true).await?;
    set(app, id, d.fields, false).await.map(|_| ())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectoryImport {
    /// Directories as JSON objects (the fields of `createDirectory`).
    pub directories: Option<Vec<Value>>,
    /// Or CSV text: the same fields as columns, `regions` joined by `|`, `steps` as a JSON
    /// array, `sources` joined by `|`.
    pub csv: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    /// 1 for the first directory (the first data line of a CSV).
    pub row: usize,
    pub errors: Vec<FieldError>,
}

/// `importDirectories`: each row created, or its URL's directory updated to it; a row with
/// errors is reported and the rest go on.
pub async fn import(app: &App, input: DirectoryImport) -> Result<ImportReport, AppError> {
    let rows = match (input.directories, input.csv) {
        (Some(rows), None) => rows,
        (None, Some(text)) => super::directory_csv::rows(&text)?,
        _ => {
            return Err(AppError::invalid(
                "directories",
                "give either directories or csv",
            ));
        }
    };
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(AppError::invalid(
            "directories",
            format!("at most {MAX_IMPORT_ROWS} rows an import"),
        ));
    }
    let mut report = ImportReport::default();
    for (i, row) in rows.into_iter().enumerate() {
        let row_error = |errors: Vec<FieldError>| RowError { row: i + 1, errors };
        let input = match from_value(row) {
            Ok(input) => input,
            Err(AppError::Invalid(errors)) => {
                report.errors.push(row_error(errors));
                continue;
            }
            Err(e) => return Err(e),
        };
        let active = input.is_active;
        let fields = match input.check() {
            Ok(fields) => fields,
            Err(errors) => {
                report.errors.push(row_error(errors));
                continue;
            }
        };
        match by_url(app, &fields).await? {
            None => {
                add(app, fields, active.unwrap_or(true)).await?;
                report.created += 1;
            }
            Some(id) => {
                let before = get(app, &id, true).await?;
                if before.fields == fields && active.is_none_or(|a| a == before.is_active) {
                    report.unchanged += 1;
                    continue;
                }
                set(app, &id, fields, active.unwrap_or(before.is_active)).await?;
                report.updated += 1;
            }
        }
    }
    Ok(report)
}
