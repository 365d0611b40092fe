//! Local mode's domain event stream: an append-only table in the local database, beside the
//! store and the queues. Events are kept per tenant and once per id, so a publish retried
//! after a partial failure changes nothing twice; a second publish of an id keeps the first.

use super::sqlite::{LocalDb, backend};
use crate::domain::ids::TenantId;
use crate::domain::time::Timestamp;
use crate::ports::events::{DomainEvent, EventBus, EventError, EventLog};
use crate::ports::table::TableError;
use async_trait::async_trait;
use rusqlite::params;

pub struct SqliteEventLog {
    db: LocalDb,
}

fn unavailable(e: TableError) -> EventError {
    EventError::Unavailable(e.to_string())
}

fn corrupt(what: &str, text: &str) -> TableError {
    TableError::Unavailable(format!("corrupt event {what}: {text}"))
}

impl SqliteEventLog {
    pub async fn open(db: LocalDb) -> Result<Self, EventError> {
        db.with(|conn| {
            // `at` is the fixed-width timestamp text, which sorts in time order; `seq`
            // orders events published in the same millisecond.
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS events (
                   seq INTEGER PRIMARY KEY AUTOINCREMENT,
                   tenant TEXT NOT NULL,
                   id TEXT NOT NULL,
                   detail_type TEXT NOT NULL,
                   detail TEXT NOT NULL,
                   at TEXT NOT NULL,
                   UNIQUE (tenant, id));
                 CREATE INDEX IF NOT EXISTS idx_events_tenant_at ON events (tenant, at, seq);",
            )
            .map_err(backend)
        })
        .await
        .map_err(unavailable)?;
        Ok(Self { db })
    }
}

#[async_trait]
impl EventBus for SqliteEventLog {
    async fn publish(&self, events: Vec<DomainEvent>) -> Result<(), EventError> {
        for event in &events {
            event.document()?;
        }
        self.db
            .with(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                for e in events {
                    tx.execute(
                        "INSERT OR IGNORE INTO events (tenant, id, detail_type, detail, at) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![
                            e.tenant.as_str(),
                            e.id,
                            e.detail_type,
                            e.detail.to_string(),
                            e.at.to_key()
                        ],
                    )
                    .map_err(backend)?;
                }
                tx.commit().map_err(backend)
            })
            .await
            .map_err(unavailable)
    }
}

#[async_trait]
impl EventLog for SqliteEventLog {
    async fn list(
        &self,
        tenant: &TenantId,
        since: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<DomainEvent>, EventError> {
        let tenant = tenant.clone();
        // Empty text sorts before every timestamp: no lower bound.
        let since = since.map(|s| s.to_key()).unwrap_or_default();
        self.db
            .with(move |conn| {
                let mut stmt = conn
                    .prepare(
                        "SELECT id, detail_type, detail, at FROM events \
                         WHERE tenant = ?1 AND at >= ?2 ORDER BY at DESC, seq DESC LIMIT ?3",
                    )
                    .map_err(backend)?;
                let rows = stmt
                    .query_map(params![tenant.as_str(), since, limit], |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                        ))
                    })
                    .map_err(backend)?;
                rows.map(|row| {
                    let (id, detail_type, detail, at) = row.map_err(backend)?;
                    Ok(DomainEvent {
                        tenant: tenant.clone(),
                        detail_type,
                        detail: serde_json::from_str(&detail)
                            .map_err(|_| corrupt("detail", &detail))?,
                        at: Timestamp::parse(&at).ok_or_else(|| corrupt("time", &at))?,
                        id,
                    })
                })
                .collect()
            })
            .await
            .map_err(unavailable)
    }
}
