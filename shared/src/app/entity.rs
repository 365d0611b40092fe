//! One shape for stored items, in the manner of modyne: each entity names its `entity` tag,
//! its key and its index keys in one place (its `impl Entity`), and its items are built and
//! read only through here, so no use case spells a tag, a key format or an index attribute.

use super::AppError;
use super::store::{from_item, tenant_partition, to_item};
use crate::domain::ids::TenantId;
use crate::domain::time::Timestamp;
use crate::ports::table::{ENTITY, Index, Item, Key, TTL};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The attribute naming a tenant's item's owner.
pub const TENANT: &str = "tenantId";

/// Who an item belongs to: a tenant, or the platform.
pub trait Owner {
    /// Whether items of this owner carry `tenantId` beside the entity.
    const IS_TENANT: bool;
    /// The tenant written beside the item (`tenantId`), which cross-tenant sweeps read.
    fn tenant(&self) -> Option<&TenantId>;
}

impl Owner for TenantId {
    const IS_TENANT: bool = true;
    fn tenant(&self) -> Option<&TenantId> {
        Some(self)
    }
}

/// Items shared by every tenant (the crawl cache, platform counters).
pub struct Platform;

impl Owner for Platform {
    const IS_TENANT: bool = false;
    fn tenant(&self) -> Option<&TenantId> {
        None
    }
}

/// An item's place in one secondary index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    pub index: Index,
    pub partition: String,
    pub sort: String,
}

impl IndexKey {
    pub fn new(index: Index, partition: impl Into<String>, sort: impl Into<String>) -> Self {
        Self {
            index,
            partition: partition.into(),
            sort: sort.into(),
        }
    }
}

pub trait Entity: Serialize + DeserializeOwned {
    /// The `entity` attribute of its items.
    const TAG: &'static str;
    type Owner: Owner;
    fn key(&self, owner: &Self::Owner) -> Key;
    /// The secondary indexes the item is in, which may depend on its state.
    fn indexes(&self, _owner: &Self::Owner) -> Vec<IndexKey> {
        Vec::new()
    }
    /// When the table drops the item (epoch seconds); never, unless an entity says.
    fn expires_at(&self) -> Option<i64> {
        None
    }
}

/// An entry of a tenant's log (audit, activity): kept in time order in the tenant's
/// partition, each under an id of its own, until it expires.
pub trait LogEntry: Serialize + DeserializeOwned {
    const TAG: &'static str;
    /// The sort-key prefix of the log's entries.
    const PREFIX: &'static str;
    /// How long an entry is kept.
    const KEEP_SECS: i64;
    fn at(&self) -> Timestamp;
}

/// A log entry as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound = "E: LogEntry")]
pub struct Logged<E> {
    pub id: String,
    #[serde(flatten)]
    pub entry: E,
}

impl<E: LogEntry> Entity for Logged<E> {
    const TAG: &'static str = E::TAG;
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        Key::new(
            tenant_partition(tenant),
            format!("{}{}#{}", E::PREFIX, self.entry.at().to_key(), self.id),
        )
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.entry.at().epoch_seconds() + E::KEEP_SECS)
    }
}

/// The item that stores `entity`: its attributes, key, index keys, tag and owner.
pub fn item<E: Entity>(entity: &E, owner: &E::Owner) -> Result<Item, AppError> {
    let extra = entity.indexes(owner).into_iter().flat_map(|k| {
        [
            (k.index.partition_attr(), k.partition),
            (k.index.sort_attr(), k.sort),
        ]
    });
    let mut item = to_item(E::TAG, &entity.key(owner), entity, extra)?;
    if let Some(tenant) = owner.tenant() {
        item.insert(TENANT.into(), tenant.as_str().into());
    }
    if let Some(at) = entity.expires_at() {
        item.insert(TTL.into(), at.into());
    }
    Ok(item)
}

/// The entity an item stores; an item of another entity, or one that does not parse, is
/// corrupt.
pub fn read<E: Entity>(mut item: Item) -> Result<E, AppError> {
    if E::Owner::IS_TENANT {
        item.remove(TENANT);
    }
    match item.get(ENTITY).and_then(|v| v.as_str()) {
        Some(tag) if tag == E::TAG => from_item(item),
        other => Err(AppError::internal(format!(
            "expected a {} item, found {}",
            E::TAG,
            other.unwrap_or("an untagged one")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Note {
        id: String,
        done: bool,
    }

    impl Entity for Note {
        const TAG: &'static str = "note";
        type Owner = TenantId;
        fn key(&self, tenant: &TenantId) -> Key {
            Key::new(format!("T#{tenant}"), format!("NOTE#{}", self.id))
        }
        fn indexes(&self, tenant: &TenantId) -> Vec<IndexKey> {
            let open = (!self.done)
                .then(|| IndexKey::new(Index::Gsi1, format!("T#{tenant}#OPEN"), &self.id));
            open.into_iter().collect()
        }
    }

    #[test]
    fn items_carry_tag_key_indexes_and_owner_and_read_back() {
        let tenant = TenantId::parse("acme").unwrap();
        let note = Note {
            id: "n1".into(),
            done: false,
        };
        let stored = item(&note, &tenant).unwrap();
        assert_eq!(stored["entity"], "note");
        assert_eq!(stored["PK"], "T#acme");
        assert_eq!(stored["GSI1PK"], "T#acme#OPEN");
        assert_eq!(stored["GSI1SK"], "n1");
        assert_eq!(stored["tenantId"], "acme");
        assert_eq!(read::<Note>(stored.clone()).unwrap(), note);
        let mut other = stored;
        other.insert("entity".into(), "campaign".into());
        assert!(matches!(read::<Note>(other), Err(AppError::Internal(_))));
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Event {
        at: Timestamp,
        what: String,
    }

    impl LogEntry for Event {
        const TAG: &'static str = "event";
        const PREFIX: &'static str = "EVENT#";
        const KEEP_SECS: i64 = 60;
        fn at(&self) -> Timestamp {
            self.at
        }
    }

    #[test]
    fn log_entries_sort_by_time_expire_and_read_back_without_their_id() {
        let tenant = TenantId::parse("acme").unwrap();
        let at = Timestamp::from_epoch_seconds(1_700_000_000).unwrap();
        let logged = Logged {
            id: "abc".into(),
            entry: Event {
                at,
                what: "x".into(),
            },
        };
        let stored = item(&logged, &tenant).unwrap();
        assert_eq!(stored["entity"], "event");
        assert_eq!(stored["SK"], format!("EVENT#{}#abc", at.to_key()));
        assert_eq!(stored["ttl"], 1_700_000_060);
        assert_eq!(read::<Logged<Event>>(stored).unwrap().entry, logged.entry);
    }
}
