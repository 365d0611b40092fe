//! The single-table store, shaped like DynamoDB's item API so that the DynamoDB adapter is
//! a direct translation and the embedded adapter follows the same rules.
//!
//! Items are JSON objects. Every item carries `PK`, `SK`, an `entity` tag, optionally the
//! key attributes of the global secondary indexes it appears in, and optionally `ttl`
//! (epoch seconds). An item whose `ttl` has passed is treated as absent by every read and
//! every item-level condition, whether or not the backend has deleted it yet.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub type Item = Map<String, Value>;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const ENTITY: &str = "entity";
pub const TTL: &str = "ttl";

/// Transactions are capped by DynamoDB at 100 items.
pub const MAX_TRANSACTION_ITEMS: usize = 100;

/// The table itself or one of its overloaded global secondary indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Index {
    Table,
    Gsi1,
    Gsi2,
    Gsi3,
    Gsi4,
    Gsi5,
}

impl Index {
    pub const GSIS: [Index; 5] = [
        Index::Gsi1,
        Index::Gsi2,
        Index::Gsi3,
        Index::Gsi4,
        Index::Gsi5,
    ];

    /// The index name in DynamoDB; None for the table.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Index::Table => None,
            Index::Gsi1 => Some("GSI1"),
            Index::Gsi2 => Some("GSI2"),
            Index::Gsi3 => Some("GSI3"),
            Index::Gsi4 => Some("GSI4"),
            Index::Gsi5 => Some("GSI5"),
        }
    }

    pub fn partition_attr(&self) -> &'static str {
        match self {
            Index::Table => PK,
            Index::Gsi1 => "GSI1PK",
            Index::Gsi2 => "GSI2PK",
            Index::Gsi3 => "GSI3PK",
            Index::Gsi4 => "GSI4PK",
            Index::Gsi5 => "GSI5PK",
        }
    }

    pub fn sort_attr(&self) -> &'static str {
        match self {
            Index::Table => SK,
            Index::Gsi1 => "GSI1SK",
            Index::Gsi2 => "GSI2SK",
            Index::Gsi3 => "GSI3SK",
            Index::Gsi4 => "GSI4SK",
            Index::Gsi5 => "GSI5SK",
        }
    }

    /// Attributes that identify a position in this index: its keys plus the table's.
    pub fn cursor_attrs(&self) -> Vec<&'static str> {
        let mut attrs = vec![PK, SK];
        if *self != Index::Table {
            attrs.push(self.partition_attr());
            attrs.push(self.sort_attr());
        }
        attrs
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    pub fn of(item: &Item) -> Option<Key> {
        Some(Key::new(item.get(PK)?.as_str()?, item.get(SK)?.as_str()?))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A condition on the item as it is before the write.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The item exists and has not expired.
    Exists,
    /// The item does not exist, or has expired.
    NotExists,
    AttributeExists(String),
    AttributeNotExists(String),
    /// Compares an attribute with a value; false when the attribute is absent (except `Ne`).
    Compare(String, CompareOp, Value),
    And(Vec<Condition>),
    Or(Vec<Condition>),
}

impl Condition {
    pub fn eq(attr: &str, value: impl Into<Value>) -> Self {
        Condition::Compare(attr.to_string(), CompareOp::Eq, value.into())
    }

    pub fn lt(attr: &str, value: impl Into<Value>) -> Self {
        Condition::Compare(attr.to_string(), CompareOp::Lt, value.into())
    }
}

/// An update expression: SET, ADD (numbers) and REMOVE on top-level attributes. Like
/// DynamoDB's UpdateItem it creates the item when it does not exist.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub set: Vec<(String, Value)>,
    pub add: Vec<(String, i64)>,
    pub remove: Vec<String>,
}

impl Update {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(mut self, attr: &str, value: impl Into<Value>) -> Self {
        self.set.push((attr.to_string(), value.into()));
        self
    }

    pub fn add(mut self, attr: &str, delta: i64) -> Self {
        self.add.push((attr.to_string(), delta));
        self
    }

    pub fn remove(mut self, attr: &str) -> Self {
        self.remove.push(attr.to_string());
        self
    }

    /// Puts the item in a secondary index under these keys.
    pub fn set_index(
        self,
        index: Index,
        partition: impl Into<Value>,
        sort: impl Into<Value>,
    ) -> Self {
        self.set(index.partition_attr(), partition)
            .set(index.sort_attr(), sort)
    }

    /// Takes the item out of a secondary index.
    pub fn remove_index(self, index: Index) -> Self {
        self.remove(index.partition_attr())
            .remove(index.sort_attr())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SortCondition {
    Eq(String),
    BeginsWith(String),
    Between(String, String),
    Lt(String),
    Le(String),
    Gt(String),
    Ge(String),
}

/// A position in an index: the key attributes of the last item returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub BTreeMap<String, String>);

impl Cursor {
    /// The position just after `item` in `index`.
    pub fn after(index: Index, item: &Item) -> Option<Cursor> {
        let mut keys = BTreeMap::new();
        for attr in index.cursor_attrs() {
            keys.insert(attr.to_string(), item.get(attr)?.as_str()?.to_string());
        }
        Some(Cursor(keys))
    }

    /// Whether this cursor is a position in `index` under `partition`; anything else is a
    /// forged or stale cursor and must not reach the backend.
    pub fn fits(&self, index: Index, partition: &str) -> bool {
        let attrs = index.cursor_attrs();
        self.0.len() == attrs.len()
            && attrs.iter().all(|a| self.0.contains_key(*a))
            && self.0.get(index.partition_attr()).map(String::as_str) == Some(partition)
    }

    pub fn get(&self, attr: &str) -> Option<&str> {
        self.0.get(attr).map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub index: Index,
    pub partition: String,
    pub sort: Option<SortCondition>,
    /// Ascending sort key order when true.
    pub forward: bool,
    pub limit: u32,
    pub start_after: Option<Cursor>,
}

impl Query {
    pub fn new(index: Index, partition: impl Into<String>) -> Self {
        Self {
            index,
            partition: partition.into(),
            sort: None,
            forward: true,
            limit: 100,
            start_after: None,
        }
    }

    pub fn sort(mut self, sort: SortCondition) -> Self {
        self.sort = Some(sort);
        self
    }

    pub fn descending(mut self) -> Self {
        self.forward = false;
        self
    }

    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    pub fn start_after(mut self, cursor: Option<Cursor>) -> Self {
        self.start_after = cursor;
        self
    }
}

/// One page of a query. It may hold fewer than `limit` items even when more follow;
/// only a missing `next` means the end.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TransactOp {
    Put {
        item: Item,
        condition: Option<Condition>,
    },
    Update {
        key: Key,
        update: Update,
        condition: Option<Condition>,
    },
    Delete {
        key: Key,
        condition: Option<Condition>,
    },
    Check {
        key: Key,
        condition: Condition,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    Put(Item),
    Delete(Key),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the write's condition was not met")]
    ConditionFailed,
    /// Nothing was written; `failed` lists the operations whose condition was not met.
    #[error("transaction cancelled (conditions failed at {failed:?})")]
    TransactionCancelled { failed: Vec<usize> },
    #[error("the cursor does not belong to this query")]
    InvalidCursor,
    #[error("invalid request to the store: {0}")]
    Invalid(String),
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Table: Send + Sync {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError>;
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), TableError>;
    /// Applies the update and returns the item as it is afterwards.
    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, TableError>;
    /// Deletes and returns the old item, if there was one.
    async fn delete(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, TableError>;
    async fn query(&self, query: Query) -> Result<Page, TableError>;
    /// All operations or none, up to [`MAX_TRANSACTION_ITEMS`], each key at most once.
    async fn transact(&self, ops: Vec<TransactOp>) -> Result<(), TableError>;
    /// Unconditional puts and deletes in any number; not atomic as a whole.
    async fn batch_write(&self, ops: Vec<WriteOp>) -> Result<(), TableError>;
}

/// Whether an item's `ttl` has passed at `now` (epoch seconds).
pub fn is_expired(item: &Item, now: i64) -> bool {
    item.get(TTL)
        .and_then(Value::as_i64)
        .is_some_and(|ttl| ttl <= now)
}

/// Checks the rules every adapter shares before a write reaches the backend.
pub fn check_item(item: &Item) -> Result<Key, TableError> {
    let key =
        Key::of(item).ok_or_else(|| TableError::Invalid("item needs string PK and SK".into()))?;
    if key.pk.is_empty() || key.sk.is_empty() {
        return Err(TableError::Invalid("PK and SK must not be empty".into()));
    }
    for index in Index::GSIS {
        for attr in [index.partition_attr(), index.sort_attr()] {
            match item.get(attr) {
                None => {}
                Some(Value::String(s)) if !s.is_empty() => {}
                Some(_) => {
                    return Err(TableError::Invalid(format!(
                        "{attr} must be a non-empty string when present"
                    )));
                }
            }
        }
    }
    if item.get(TTL).is_some_and(|t| t.as_i64().is_none()) {
        return Err(TableError::Invalid("ttl must be an integer".into()));
    }
    Ok(key)
}

/// Checks a transaction's size and that no key appears twice, as DynamoDB requires.
pub fn check_transaction(ops: &[TransactOp]) -> Result<(), TableError> {
    if ops.is_empty() || ops.len() > MAX_TRANSACTION_ITEMS {
        return Err(TableError::Invalid(format!(
            "a transaction holds 1 to {MAX_TRANSACTION_ITEMS} operations"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for op in ops {
        let key = match op {
            TransactOp::Put { item, .. } => check_item(item)?,
            TransactOp::Update { key, .. }
            | TransactOp::Delete { key, .. }
            | TransactOp::Check { key, .. } => key.clone(),
        };
        if !seen.insert(key) {
            return Err(TableError::Invalid(
                "a transaction may touch each item only once".into(),
            ));
        }
    }
    Ok(())
}

impl Condition {
    /// Evaluates the condition against the live item (None when absent or expired). This is
    /// the definition every adapter follows.
    pub fn holds(&self, item: Option<&Item>) -> bool {
        let attr = |name: &str| item.and_then(|i| i.get(name));
        match self {
            Condition::Exists => item.is_some(),
            Condition::NotExists => item.is_none(),
            Condition::AttributeExists(a) => attr(a).is_some(),
            Condition::AttributeNotExists(a) => attr(a).is_none(),
            Condition::Compare(a, op, value) => match attr(a) {
                None => *op == CompareOp::Ne,
                Some(current) => compare(current, *op, value),
            },
            Condition::And(all) => all.iter().all(|c| c.holds(item)),
            Condition::Or(any) => any.iter().any(|c| c.holds(item)),
        }
    }
}

fn compare(current: &Value, op: CompareOp, value: &Value) -> bool {
    use std::cmp::Ordering;
    let ordering = match (current, value) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => a
                .as_f64()
                .zip(b.as_f64())
                .and_then(|(a, b)| a.partial_cmp(&b)),
        },
        (Value::String(a), Value::String(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (a, b) if a == b => Some(Ordering::Equal),
        _ => None,
    };
    match (op, ordering) {
        (CompareOp::Eq, o) => o == Some(Ordering::Equal),
        (CompareOp::Ne, o) => o != Some(Ordering::Equal),
        (CompareOp::Lt, Some(o)) => o == Ordering::Less,
        (CompareOp::Le, Some(o)) => o != Ordering::Greater,
        (CompareOp::Gt, Some(o)) => o == Ordering::Greater,
        (CompareOp::Ge, Some(o)) => o != Ordering::Less,
        (_, None) => false,
    }
}

impl Update {
    /// Applies the update to the live item (or a new one holding only the key).
    pub fn apply(&self, key: &Key, base: Option<Item>) -> Result<Item, TableError> {
        let mut item = base.unwrap_or_else(|| {
            let mut fresh = Item::new();
            fresh.insert(PK.into(), Value::String(key.pk.clone()));
            fresh.insert(SK.into(), Value::String(key.sk.clone()));
            fresh
        });
        let touches_key = |a: &str| a == PK || a == SK;
        for (attr, value) in &self.set {
            if touches_key(attr) {
                return Err(TableError::Invalid(
                    "an update cannot change PK or SK".into(),
                ));
            }
            item.insert(attr.clone(), value.clone());
        }
        for (attr, delta) in &self.add {
            let current = match item.get(attr) {
                None => 0,
                Some(v) => v
                    .as_i64()
                    .ok_or_else(|| TableError::Invalid(format!("ADD needs a number in {attr}")))?,
            };
            item.insert(attr.clone(), Value::from(current + delta));
        }
        for attr in &self.remove {
            if touches_key(attr) {
                return Err(TableError::Invalid(
                    "an update cannot remove PK or SK".into(),
                ));
            }
            item.remove(attr);
        }
        check_item(&item)?;
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(v: Value) -> Item {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn conditions_follow_dynamodb_semantics_on_missing_attributes() {
        let it = item(json!({"PK": "a", "SK": "b", "n": 3, "s": "x"}));
        assert!(Condition::lt("n", 4).holds(Some(&it)));
        assert!(!Condition::lt("missing", 4).holds(Some(&it)));
        assert!(Condition::Compare("missing".into(), CompareOp::Ne, json!(1)).holds(Some(&it)));
        assert!(!Condition::eq("s", 1).holds(Some(&it)));
        assert!(Condition::NotExists.holds(None));
        assert!(
            Condition::Or(vec![
                Condition::AttributeNotExists("n".into()),
                Condition::lt("n", 10)
            ])
            .holds(Some(&it))
        );
    }

    #[test]
    fn updates_create_items_and_refuse_key_changes() {
        let key = Key::new("p", "s");
        let out = Update::new()
            .add("count", 2)
            .set("a", "b")
            .apply(&key, None)
            .unwrap();
        assert_eq!(out.get("count"), Some(&json!(2)));
        assert_eq!(out.get(PK), Some(&json!("p")));
        assert!(Update::new().set(PK, "x").apply(&key, None).is_err());
        let not_number = item(json!({"PK": "p", "SK": "s", "count": "x"}));
        assert!(
            Update::new()
                .add("count", 1)
                .apply(&key, Some(not_number))
                .is_err()
        );
    }

    #[test]
    fn cursors_must_fit_their_query() {
        let it = item(json!({"PK": "T#a", "SK": "X#1", "GSI1PK": "g", "GSI1SK": "1"}));
        let table = Cursor::after(Index::Table, &it).unwrap();
        assert!(table.fits(Index::Table, "T#a"));
        assert!(!table.fits(Index::Table, "T#b"));
        assert!(!table.fits(Index::Gsi1, "g"));
        let gsi = Cursor::after(Index::Gsi1, &it).unwrap();
        assert!(gsi.fits(Index::Gsi1, "g"));
        assert!(Cursor::after(Index::Gsi2, &it).is_none());
    }
}
