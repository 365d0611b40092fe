//! Mapping between entities and table items. Entities serialise to JSON objects; the item
//! adds the key attributes and the `entity` tag beside them.

use super::{App, AppError};
use crate::ports::table::{ENTITY, Index, Item, Key, PK, Query, SK, TTL, WriteOp};

fn is_storage_attr(name: &str) -> bool {
    name == PK
        || name == SK
        || name == ENTITY
        || name == TTL
        || Index::GSIS
            .iter()
            .any(|i| name == i.partition_attr() || name == i.sort_attr())
}
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Builds an item from an entity, its key and extra key attributes (GSI keys).
pub(super) fn to_item<T: Serialize>(
    entity: &str,
    key: &Key,
    value: &T,
    extra: impl IntoIterator<Item = (&'static str, String)>,
) -> Result<Item, AppError> {
    let Value::Object(mut item) = serde_json::to_value(value)
        .map_err(|e| AppError::internal(format!("cannot serialise {entity}: {e}")))?
    else {
        return Err(AppError::internal(format!("{entity} is not an object")));
    };
    item.insert(PK.into(), Value::String(key.pk.clone()));
    item.insert(SK.into(), Value::String(key.sk.clone()));
    item.insert(ENTITY.into(), Value::String(entity.into()));
    for (attr, value) in extra {
        item.insert(attr.into(), Value::String(value));
    }
    Ok(item)
}

/// The entity in an item; key attributes and the entity tag are left out so that strict
/// types (`deny_unknown_fields`) read back what they wrote.
pub fn from_item<T: DeserializeOwned>(mut item: Item) -> Result<T, AppError> {
    item.retain(|k, _| !is_storage_attr(k));
    serde_json::from_value(Value::Object(item))
        .map_err(|e| AppError::internal(format!("stored item does not parse: {e}")))
}

/// The tenant an item found through a cross-tenant index belongs to.
pub fn tenant_of(item: &Item) -> Result<crate::domain::ids::TenantId, AppError> {
    let text = item
        .get(super::entity::TENANT)
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::internal("stored item has no tenantId"))?;
    crate::domain::ids::TenantId::parse(text)
        .map_err(|e| AppError::internal(format!("stored item's tenantId: {e}")))
}

/// The SHA-256 of some bytes, in hex: a short, fixed-size stand-in for long values in keys.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Every item `query` finds, page after page: for partitions a use case reads whole
/// (a site's pages, a plan's links).
pub async fn query_all(app: &App, query: Query) -> Result<Vec<Item>, AppError> {
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = app.table.query(query.clone().start_after(cursor)).await?;
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
}

/// The partition holding a tenant's own items.
pub fn tenant_partition(tenant: &crate::domain::ids::TenantId) -> String {
    format!("T#{tenant}")
}

/// An entity written under a `version` attribute: edits are read-modify-write, and the
/// write holds only if nobody wrote in between.
pub trait Versioned: Clone + DeserializeOwned {
    fn version(&self) -> u64;
    /// Sets the next version and the time of the change.
    fn stamp(&mut self, version: u64, now: crate::domain::time::Timestamp);
}

/// Reads the item at `key`, changes it and writes it back under its version, retrying a
/// lost race on fresh data; `item` maps the entity to its item (with its index keys).
pub async fn modify_versioned<T: Versioned>(
    app: &super::App,
    key: &Key,
    what: &'static str,
    item: impl Fn(&T) -> Result<Item, AppError>,
    change: impl Fn(&mut T) -> Result<(), AppError>,
) -> Result<T, AppError> {
    use crate::ports::table::{Condition, TableError};
    for _ in 0..5 {
        let before: T = match app.table.get(key).await? {
            Some(stored) => from_item(stored)?,
            None => return Err(AppError::NotFound(what)),
        };
        let mut entity = before.clone();
        change(&mut entity)?;
        entity.stamp(before.version() + 1, app.clock.now());
        match app
            .table
            .put(
                item(&entity)?,
                Some(Condition::eq("version", before.version())),
            )
            .await
        {
            Ok(()) => return Ok(entity),
            Err(TableError::ConditionFailed) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict(format!(
        "the {what} is being changed by someone else; try again"
    )))
}

/// Deletes every item of a table partition, a page at a time.
pub async fn delete_partition(app: &App, partition: String) -> Result<(), AppError> {
    loop {
        let query = Query::new(Index::Table, partition.clone()).limit(500);
        let page = app.table.query(query).await?;
        if page.items.is_empty() {
            return Ok(());
        }
        let deletes = page
            .items
            .iter()
            .filter_map(Key::of)
            .map(WriteOp::Delete)
            .collect();
        app.table.batch_write(deletes).await?;
    }
}
