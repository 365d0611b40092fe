//! In-process queues for local mode, kept in the local database so that nothing is lost on
//! restart. Same contract as SQS: at-least-once delivery, a visibility timeout, and after
//! `max_receives` deliveries without a delete the message moves to the dead-letter queue.
//! Like an SQS fair queue it shares a queue between tenants: among the ready messages it
//! serves each tenant's oldest first, then each tenant's second, and so on, so a tenant
//! with a backlog of thousands holds up another's ten by at most ten turns.

use super::sqlite::{LocalDb, backend};
use crate::domain::ids::TenantId;
use crate::ports::clock::Clock;
use crate::ports::queue::{MAX_DELAY, Outgoing, Queue, QueueError, QueueMessage, QueueStats};
use crate::ports::table::TableError;
use async_trait::async_trait;
use rusqlite::params;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

pub struct LocalQueue {
    db: LocalDb,
    clock: Arc<dyn Clock>,
    names: Vec<String>,
    max_receives: u32,
}

fn unavailable(e: TableError) -> QueueError {
    QueueError::Unavailable(e.to_string())
}

impl LocalQueue {
    pub async fn open(
        db: LocalDb,
        clock: Arc<dyn Clock>,
        names: Vec<String>,
        max_receives: u32,
    ) -> Result<Self, QueueError> {
        db.with(|conn| {
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS queue_messages (
                   seq INTEGER PRIMARY KEY AUTOINCREMENT,
                   queue TEXT NOT NULL,
                   id TEXT NOT NULL,
                   body TEXT NOT NULL,
                   visible_at INTEGER NOT NULL,
                   receive_count INTEGER NOT NULL DEFAULT 0,
                   receipt TEXT,
                   dead INTEGER NOT NULL DEFAULT 0,
                   tenant TEXT NOT NULL DEFAULT '');
                 CREATE INDEX IF NOT EXISTS idx_queue_ready
                   ON queue_messages (queue, dead, visible_at);
                 CREATE INDEX IF NOT EXISTS idx_queue_receipt ON queue_messages (receipt);",
            )
            .map_err(backend)?;
            // A data folder from before messages named their tenant.
            let has_tenant = conn
                .prepare("SELECT 1 FROM pragma_table_info('queue_messages') WHERE name = 'tenant'")
                .and_then(|mut stmt| stmt.exists([]))
                .map_err(backend)?;
            if !has_tenant {
                conn.execute_batch(
                    "ALTER TABLE queue_messages ADD COLUMN tenant TEXT NOT NULL DEFAULT ''",
                )
                .map_err(backend)?;
            }
            Ok(())
        })
        .await
        .map_err(unavailable)?;
        Ok(Self {
            db,
            clock,
            names,
            max_receives: max_receives.max(1),
        })
    }

    /// Adds every message in one transaction, each visible once `delay` has passed.
    async fn insert(
        &self,
        queue: &str,
        messages: Vec<Outgoing>,
        delay: Duration,
    ) -> Result<(), QueueError> {
        let queue = self.known(queue)?;
        let visible_at = self.clock.now().epoch_millis() + delay.as_millis() as i64;
        self.db
            .with(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                for m in messages {
                    tx.execute(
                        "INSERT INTO queue_messages (queue, id, body, visible_at, tenant) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![
                            queue,
                            Uuid::now_v7().to_string(),
                            m.body,
                            visible_at,
                            m.tenant.as_str()
                        ],
                    )
                    .map_err(backend)?;
                }
                tx.commit().map_err(backend)
            })
            .await
            .map_err(unavailable)
    }

    fn known(&self, queue: &str) -> Result<String, QueueError> {
        if self.names.iter().any(|n| n == queue) {
            Ok(queue.to_string())
        } else {
            Err(QueueError::UnknownQueue(queue.to_string()))
        }
    }
}

#[async_trait]
impl Queue for LocalQueue {
    async fn send(&self, queue: &str, messages: Vec<Outgoing>) -> Result<(), QueueError> {
        self.insert(queue, messages, Duration::ZERO).await
    }

    async fn send_after(
        &self,
        queue: &str,
        message: Outgoing,
        delay: Duration,
    ) -> Result<(), QueueError> {
        self.insert(queue, vec![message], delay.min(MAX_DELAY))
            .await
    }

    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility: Duration,
    ) -> Result<Vec<QueueMessage>, QueueError> {
        let queue = self.known(queue)?;
        let now = self.clock.now().epoch_millis();
        let hidden_until = now + visibility.as_millis() as i64;
        let max_receives = self.max_receives;
        self.db
            .with(move |conn| {
                let tx = conn.transaction().map_err(backend)?;
                let mut out = Vec::new();
                loop {
                    // Each tenant's turn: its first ready message is turn 1, its second 2.
                    let ready: Vec<(i64, String, String, u32, String)> = {
                        let mut stmt = tx
                            .prepare(
                                "SELECT seq, id, body, receive_count, tenant FROM ( \
                                   SELECT seq, id, body, receive_count, tenant, \
                                     ROW_NUMBER() OVER (PARTITION BY tenant ORDER BY seq) AS turn \
                                   FROM queue_messages \
                                   WHERE queue = ?1 AND dead = 0 AND visible_at <= ?2) \
                                 ORDER BY turn, seq LIMIT ?3",
                            )
                            .map_err(backend)?;
                        let rows = stmt
                            .query_map(params![queue, now, max.max(1) - out.len() as u32], |r| {
                                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                            })
                            .map_err(backend)?;
                        rows.collect::<Result<_, _>>().map_err(backend)?
                    };
                    if ready.is_empty() {
                        break;
                    }
                    for (seq, id, body, count, tenant) in ready {
                        if count >= max_receives {
                            tx.execute(
                                "UPDATE queue_messages SET dead = 1 WHERE seq = ?1",
                                params![seq],
                            )
                            .map_err(backend)?;
                            continue;
                        }
                        let receipt = Uuid::now_v7().to_string();
                        tx.execute(
                            "UPDATE queue_messages SET receive_count = receive_count + 1, \
                             receipt = ?1, visible_at = ?2 WHERE seq = ?3",
                            params![receipt, hidden_until, seq],
                        )
                        .map_err(backend)?;
                        out.push(QueueMessage {
                            id,
                            receipt,
                            body,
                            tenant: TenantId::parse(&tenant).ok(),
                            receive_count: count + 1,
                        });
                    }
                    if out.len() as u32 >= max.max(1) {
                        break;
                    }
                }
                tx.commit().map_err(backend)?;
                Ok(out)
            })
            .await
            .map_err(unavailable)
    }

    async fn dead_letter(&self, queue: &str, body: String) -> Result<(), QueueError> {
        let queue = self.known(queue)?;
        let now = self.clock.now().epoch_millis();
        self.db
            .with(move |conn| {
                conn.execute(
                    "INSERT INTO queue_messages (queue, id, body, visible_at, dead) VALUES (?1, ?2, ?3, ?4, 1)",
                    params![queue, Uuid::now_v7().to_string(), body, now],
                )
                .map_err(backend)?;
                Ok(())
            })
            .await
            .map_err(unavailable)
    }

    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        let (queue, receipt) = (self.known(queue)?, receipt.to_string());
        self.db
            .with(move |conn| {
                conn.execute(
                    "DELETE FROM queue_messages WHERE queue = ?1 AND receipt = ?2 AND dead = 0",
                    params![queue, receipt],
                )
                .map_err(backend)?;
                Ok(())
            })
            .await
            .map_err(unavailable)
    }

    async fn stats(&self, queue: &str) -> Result<QueueStats, QueueError> {
        let queue = self.known(queue)?;
        self.db
            .with(move |conn| {
                conn.query_row(
                    "SELECT COALESCE(SUM(dead = 0), 0), COALESCE(SUM(dead = 1), 0) \
                     FROM queue_messages WHERE queue = ?1",
                    params![queue],
                    |r| {
                        Ok(QueueStats {
                            depth: r.get::<_, i64>(0)? as u64,
                            dead_letters: r.get::<_, i64>(1)? as u64,
                        })
                    },
                )
                .map_err(backend)
            })
            .await
            .map_err(unavailable)
    }
}
