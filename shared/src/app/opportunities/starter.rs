//! The starter catalogue that ships with the product (`shared/data/directories.json`, its
//! sources and how far each entry was checked in `shared/data/README.md`). Local mode loads
//! it into an empty catalogue at first start; in the cloud a platform operator imports the
//! same file (`importDirectories`).

use super::directories::{self, DirectoryImport, ImportReport};
use super::keys;
use crate::app::{App, AppError};
use crate::ports::table::{Index, Query, SortCondition};
use serde_json::Value;

pub const STARTER: &str = include_str!("../../../data/directories.json");

/// Imports the starter catalogue if the catalogue is empty; None if it was not.
pub async fn load_if_empty(app: &App) -> Result<Option<ImportReport>, AppError> {
    let query = Query::new(Index::Table, keys::CATALOGUE)
        .sort(SortCondition::BeginsWith(keys::DIR_PREFIX.into()))
        .limit(1);
    if !app.table.query(query).await?.items.is_empty() {
        return Ok(None);
    }
    let rows: Vec<Value> = serde_json::from_str(STARTER)
        .map_err(|e| AppError::internal(format!("the starter catalogue does not parse: {e}")))?;
    let report = directories::import(
        app,
        DirectoryImport {
            directories: Some(rows),
            csv: None,
        },
    )
    .await?;
    Ok(Some(report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::opportunities::directory::{DirectoryCategory, Region};

    #[test]
    fn every_starter_directory_passes_the_check() {
        let rows: Vec<Value> = serde_json::from_str(STARTER).unwrap();
        assert!(rows.len() >= 60, "{}", rows.len());
        let mut categories = std::collections::BTreeSet::new();
        let mut regions = std::collections::BTreeSet::new();
        for (i, row) in rows.into_iter().enumerate() {
            let d = directories::from_value(row)
                .unwrap_or_else(|e| panic!("row {i}: {e:?}"))
                .check()
                .unwrap_or_else(|e| panic!("row {i}: {e:?}"));
            assert!(!d.sources.is_empty(), "row {i} has no source");
            assert_eq!(d.domain_rating, None, "row {i}: no DR is public fact");
            categories.insert(d.category);
            regions.extend(d.regions);
        }
        assert_eq!(categories.len(), DirectoryCategory::ALL.len());
        for r in [
            Region::US,
            Region::UK,
            Region::CA,
            Region::AU,
            Region::IN,
            Region::PK,
            Region::GLOBAL,
        ] {
            assert!(regions.contains(&r), "{r:?}");
        }
    }
}
