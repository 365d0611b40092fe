//! Throughput of the embedded store and of the API on top of it, in process (no network).
//! Run: cargo bench -p backlinks-core --features local --bench store
//! Figures go to docs/benchmarks.md by hand; nothing here asserts on time.

use backlinks_core::adapters::sqlite::{LocalDb, SqliteTable};
use backlinks_core::domain::identity::Role;
use backlinks_core::local::runtime::{self, LocalOptions};
use backlinks_core::ports::table::{Index, Query, SortCondition, Update};
use backlinks_core::ports::{Clock, SystemClock, Table};
use bytes::Bytes;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

fn rate(label: &str, n: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{label:<44} {n:>6} ops  {:>10.0} ops/s  {:>8.1} µs/op",
        n as f64 / secs,
        secs * 1e6 / n as f64
    );
}

async fn table_ops(dir: &std::path::Path) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let db = LocalDb::open(&dir.join("bench.sqlite3")).unwrap();
    let table = SqliteTable::open(db, clock).await.unwrap();
    let n = 5_000;
    let t = Instant::now();
    for i in 0..n {
        let item = json!({"PK": "T#bench", "SK": format!("X#{i:06}"), "GSI1PK": "S#a", "GSI1SK": format!("{i:06}"), "n": i});
        table
            .put(item.as_object().unwrap().clone(), None)
            .await
            .unwrap();
    }
    rate("sqlite put (with one GSI)", n, t);
    let t = Instant::now();
    for i in 0..n {
        let key = backlinks_core::ports::table::Key::new("T#bench", format!("X#{i:06}"));
        table.get(&key).await.unwrap();
    }
    rate("sqlite get", n, t);
    let t = Instant::now();
    let key = backlinks_core::ports::table::Key::new("C#1", "DAY");
    for _ in 0..n {
        table
            .update(&key, Update::new().add("count", 1), None)
            .await
            .unwrap();
    }
    rate("sqlite counter add", n, t);
    let t = Instant::now();
    let pages = 500;
    for _ in 0..pages {
        let q = Query::new(Index::Table, "T#bench")
            .sort(SortCondition::BeginsWith("X#".into()))
            .limit(50)
            .descending();
        table.query(q).await.unwrap();
    }
    rate("sqlite query page of 50", pages, t);
}

async fn api_ops(dir: &std::path::Path) {
    let local = runtime::build(LocalOptions {
        allow_private_network: false,
        ..LocalOptions::new(dir.join("api"))
    })
    .await
    .unwrap();
    let token = local
        .keys
        .mint(
            "bench",
            "u",
            Role::Member,
            chrono::Utc::now().timestamp(),
            3600,
        )
        .unwrap();
    let request = |method: &str, path: &str, body: &str| {
        http::Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Bytes::from(body.to_string()))
            .unwrap()
    };
    let n = 2_000;
    let t = Instant::now();
    for i in 0..n {
        let body = format!(
            r#"{{"sourceDomain": "site{i}.example", "targetUrl": "https://client.example/"}}"#
        );
        let res = local
            .api
            .handle(request("POST", "/v1/backlinks", &body))
            .await;
        assert_eq!(res.status(), 201);
    }
    rate("api createBacklink (verify token, validate, write)", n, t);
    let t = Instant::now();
    let pages = 300;
    for _ in 0..pages {
        let res = local
            .api
            .handle(request("GET", "/v1/backlinks?limit=50", ""))
            .await;
        assert_eq!(res.status(), 200);
    }
    rate("api listBacklinks page of 50", pages, t);
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    table_ops(dir.path()).await;
    api_ops(dir.path()).await;
}
