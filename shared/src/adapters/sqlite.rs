//! The embedded store for local mode: SQLite on disk (rusqlite, bundled), one row per item
//! with the key attributes in columns and the whole item as JSON. Every operation runs
//! under one connection lock, so conditional writes and transactions are serialisable.

use crate::ports::clock::Clock;
use crate::ports::table::{
    Condition, Cursor, Index, Item, Key, Page, Query, SortCondition, Table, TableError, TransactOp,
    Update, WriteOp, check_item, check_transaction, is_expired,
};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A handle on the local database file, shared by the table and the local queues.
#[derive(Clone)]
pub struct LocalDb {
    conn: Arc<Mutex<Connection>>,
}

impl LocalDb {
    pub fn open(path: &Path) -> Result<Self, TableError> {
        let conn = Connection::open(path).map_err(backend)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;",
        )
        .map_err(backend)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn with<R, F>(&self, f: F) -> Result<R, TableError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, TableError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| TableError::Unavailable(format!("store task failed: {e}")))?
    }
}

pub(crate) fn backend(e: rusqlite::Error) -> TableError {
    TableError::Unavailable(e.to_string())
}

fn column(index: Index, sort: bool) -> &'static str {
    match (index, sort) {
        (Index::Table, false) => "pk",
        (Index::Table, true) => "sk",
        (Index::Gsi1, false) => "gsi1pk",
        (Index::Gsi1, true) => "gsi1sk",
        (Index::Gsi2, false) => "gsi2pk",
        (Index::Gsi2, true) => "gsi2sk",
        (Index::Gsi3, false) => "gsi3pk",
        (Index::Gsi3, true) => "gsi3sk",
        (Index::Gsi4, false) => "gsi4pk",
        (Index::Gsi4, true) => "gsi4sk",
        (Index::Gsi5, false) => "gsi5pk",
        (Index::Gsi5, true) => "gsi5sk",
    }
}

pub struct SqliteTable {
    db: LocalDb,
    clock: Arc<dyn Clock>,
}

impl SqliteTable {
    pub async fn open(db: LocalDb, clock: Arc<dyn Clock>) -> Result<Self, TableError> {
        db.with(|conn| {
            let mut ddl = String::from("CREATE TABLE IF NOT EXISTS items (pk TEXT NOT NULL, sk TEXT NOT NULL, ");
            for index in Index::GSIS {
                ddl.push_str(&format!("{} TEXT, {} TEXT, ", column(index, false), column(index, true)));
            }
            ddl.push_str("ttl INTEGER, body TEXT NOT NULL, PRIMARY KEY (pk, sk)) WITHOUT ROWID;");
            for index in Index::GSIS {
                let (p, s) = (column(index, false), column(index, true));
                ddl.push_str(&format!(
                    "CREATE INDEX IF NOT EXISTS idx_{p} ON items ({p}, {s}, pk, sk) WHERE {p} IS NOT NULL;"
                ));
            }
            conn.execute_batch(&ddl).map_err(backend)
        })
        .await?;
        Ok(Self { db, clock })
    }

    fn now(&self) -> i64 {
        self.clock.now().epoch_seconds()
    }
}

/// The live item under `key`, or None when absent or expired.
fn load(tx: &Connection, key: &Key, now: i64) -> Result<Option<Item>, TableError> {
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM items WHERE pk = ?1 AND sk = ?2",
            params![key.pk, key.sk],
            |row| row.get(0),
        )
        .optional()
        .map_err(backend)?;
    match body {
        None => Ok(None),
        Some(text) => {
            let item: Item = serde_json::from_str(&text)
                .map_err(|e| TableError::Unavailable(format!("corrupt item: {e}")))?;
            Ok((!is_expired(&item, now)).then_some(item))
        }
    }
}

fn store(tx: &Connection, item: &Item) -> Result<(), TableError> {
    let key = check_item(item)?;
    let text = |attr: &str| item.get(attr).and_then(|v| v.as_str()).map(str::to_string);
    let mut gsi: Vec<Option<String>> = Vec::new();
    for index in Index::GSIS {
        gsi.push(text(index.partition_attr()));
        gsi.push(text(index.sort_attr()));
    }
    let ttl = item.get(crate::ports::table::TTL).and_then(|v| v.as_i64());
    let body = serde_json::to_string(item).map_err(|e| TableError::Invalid(e.to_string()))?;
    tx.execute(
        "INSERT OR REPLACE INTO items (pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, \
         gsi4pk, gsi4sk, gsi5pk, gsi5sk, ttl, body) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            key.pk, key.sk, gsi[0], gsi[1], gsi[2], gsi[3], gsi[4], gsi[5], gsi[6], gsi[7], gsi[8],
            gsi[9], ttl, body
        ],
    )
    .map_err(backend)?;
    Ok(())
}

fn remove(tx: &Connection, key: &Key) -> Result<(), TableError> {
    tx.execute(
        "DELETE FROM items WHERE pk = ?1 AND sk = ?2",
        params![key.pk, key.sk],
    )
    .map_err(backend)?;
    Ok(())
}

fn check(condition: Option<&Condition>, current: Option<&Item>) -> bool {
    condition.is_none_or(|c| c.holds(current))
}

/// Applies one transactional operation; Ok(false) when its condition fails.
fn apply(tx: &Transaction<'_>, op: &TransactOp, now: i64) -> Result<bool, TableError> {
    match op {
        TransactOp::Put { item, condition } => {
            let key = check_item(item)?;
            if !check(condition.as_ref(), load(tx, &key, now)?.as_ref()) {
                return Ok(false);
            }
            store(tx, item)?;
        }
        TransactOp::Update {
            key,
            update,
            condition,
        } => {
            let current = load(tx, key, now)?;
            if !check(condition.as_ref(), current.as_ref()) {
                return Ok(false);
            }
            store(tx, &update.apply(key, current)?)?;
        }
        TransactOp::Delete { key, condition } => {
            if !check(condition.as_ref(), load(tx, key, now)?.as_ref()) {
                return Ok(false);
            }
            remove(tx, key)?;
        }
        TransactOp::Check { key, condition } => {
            if !condition.holds(load(tx, key, now)?.as_ref()) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

fn sort_clause(col: &str, sort: &SortCondition, args: &mut Vec<String>) -> String {
    let mut arg = |v: &String| {
        args.push(v.clone());
        format!("?{}", args.len())
    };
    match sort {
        SortCondition::Eq(v) => format!("{col} = {}", arg(v)),
        SortCondition::Lt(v) => format!("{col} < {}", arg(v)),
        SortCondition::Le(v) => format!("{col} <= {}", arg(v)),
        SortCondition::Gt(v) => format!("{col} > {}", arg(v)),
        SortCondition::Ge(v) => format!("{col} >= {}", arg(v)),
        SortCondition::Between(a, b) => {
            let a = arg(a);
            format!("{col} BETWEEN {a} AND {}", arg(b))
        }
        SortCondition::BeginsWith(v) => {
            let p = arg(v);
            format!("substr({col}, 1, length({p})) = {p}")
        }
    }
}

#[async_trait]
impl Table for SqliteTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        let (key, now) = (key.clone(), self.now());
        self.db.with(move |conn| load(conn, &key, now)).await
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), TableError> {
        let now = self.now();
        self.db
            .with(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                if !apply(&tx, &TransactOp::Put { item, condition }, now)? {
                    return Err(TableError::ConditionFailed);
                }
                tx.commit().map_err(backend)
            })
            .await
    }

    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, TableError> {
        let (key, now) = (key.clone(), self.now());
        self.db
            .with(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let current = load(&tx, &key, now)?;
                if !check(condition.as_ref(), current.as_ref()) {
                    return Err(TableError::ConditionFailed);
                }
                let next = update.apply(&key, current)?;
                store(&tx, &next)?;
                tx.commit().map_err(backend)?;
                Ok(next)
            })
            .await
    }

    async fn delete(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, TableError> {
        let (key, now) = (key.clone(), self.now());
        self.db
            .with(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let current = load(&tx, &key, now)?;
                if !check(condition.as_ref(), current.as_ref()) {
                    return Err(TableError::ConditionFailed);
                }
                remove(&tx, &key)?;
                tx.commit().map_err(backend)?;
                Ok(current)
            })
            .await
    }

    async fn query(&self, query: Query) -> Result<Page, TableError> {
        if let Some(cursor) = &query.start_after
            && !cursor.fits(query.index, &query.partition)
        {
            return Err(TableError::InvalidCursor);
        }
        let now = self.now();
        self.db
            .with(move |conn| {
                let (p, s) = (column(query.index, false), column(query.index, true));
                let mut args = vec![query.partition.clone()];
                let mut sql = format!("SELECT body FROM items WHERE {p} = ?1");
                if let Some(sort) = &query.sort {
                    sql.push_str(" AND ");
                    sql.push_str(&sort_clause(s, sort, &mut args));
                }
                let cmp = if query.forward { ">" } else { "<" };
                if let Some(cursor) = &query.start_after {
                    let sort_value = cursor.get(query.index.sort_attr()).unwrap_or_default();
                    let (pk, sk) = (
                        cursor.get("PK").unwrap_or_default(),
                        cursor.get("SK").unwrap_or_default(),
                    );
                    if query.index == Index::Table {
                        args.push(sk.to_string());
                        sql.push_str(&format!(" AND sk {cmp} ?{}", args.len()));
                    } else {
                        args.extend([sort_value.to_string(), pk.to_string(), sk.to_string()]);
                        let n = args.len();
                        sql.push_str(&format!(
                            " AND ({s}, pk, sk) {cmp} (?{}, ?{}, ?{n})",
                            n - 2,
                            n - 1
                        ));
                    }
                }
                args.push(now.to_string());
                sql.push_str(&format!(
                    " AND (ttl IS NULL OR ttl > CAST(?{} AS INTEGER))",
                    args.len()
                ));
                let dir = if query.forward { "ASC" } else { "DESC" };
                sql.push_str(&format!(
                    " ORDER BY {s} {dir}, pk {dir}, sk {dir} LIMIT {}",
                    query.limit.max(1)
                ));
                let mut stmt = conn.prepare(&sql).map_err(backend)?;
                let rows = stmt
                    .query_map(rusqlite::params_from_iter(args.iter()), |row| {
                        row.get::<_, String>(0)
                    })
                    .map_err(backend)?;
                let mut items = Vec::new();
                for row in rows {
                    let text = row.map_err(backend)?;
                    let item: Item = serde_json::from_str(&text)
                        .map_err(|e| TableError::Unavailable(format!("corrupt item: {e}")))?;
                    items.push(item);
                }
                let next = if items.len() as u32 >= query.limit.max(1) {
                    items
                        .last()
                        .and_then(|last| Cursor::after(query.index, last))
                } else {
                    None
                };
                Ok(Page { items, next })
            })
            .await
    }

    async fn transact(&self, ops: Vec<TransactOp>) -> Result<(), TableError> {
        check_transaction(&ops)?;
        let now = self.now();
        self.db
            .with(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let mut failed = Vec::new();
                for (i, op) in ops.iter().enumerate() {
                    if !apply(&tx, op, now)? {
                        failed.push(i);
                    }
                }
                if !failed.is_empty() {
                    // Dropping the transaction rolls every write back.
                    return Err(TableError::TransactionCancelled { failed });
                }
                tx.commit().map_err(backend)
            })
            .await
    }

    async fn batch_write(&self, ops: Vec<WriteOp>) -> Result<(), TableError> {
        self.db
            .with(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                for op in &ops {
                    match op {
                        WriteOp::Put(item) => store(&tx, item)?,
                        WriteOp::Delete(key) => remove(&tx, key)?,
                    }
                }
                tx.commit().map_err(backend)
            })
            .await
    }
}
