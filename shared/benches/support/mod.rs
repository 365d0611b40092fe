//! What the benchmarks share.

/// The process's peak resident memory so far, in MiB (Linux; 0 elsewhere).
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

use backlinks_core::adapters::local_queue::LocalQueue;
use backlinks_core::adapters::sqlite::{LocalDb, SqliteTable};
use backlinks_core::jobs::queue_names;
use backlinks_core::ports::{Clock, SystemClock};
use std::sync::Arc;

/// The embedded store and local queues in one SQLite file under `dir`, on the system clock.
pub async fn local_store(dir: &std::path::Path) -> (SqliteTable, LocalQueue, Arc<dyn Clock>) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let db = LocalDb::open(&dir.join("bench.sqlite3")).unwrap();
    let table = SqliteTable::open(db.clone(), clock.clone()).await.unwrap();
    let names = queue_names().into_iter().map(String::from).collect();
    let queue = LocalQueue::open(db, clock.clone(), names, 5).await.unwrap();
    (table, queue, clock)
}
