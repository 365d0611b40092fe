//! One conformance suite for the `Table` port, run against the embedded store and against
//! DynamoDB (moto in server mode).

mod support;

use backlinks_core::ports::table::{
    Condition, Cursor, Index, Item, Key, Query, SortCondition, TableError, TransactOp, Update,
    WriteOp,
};
use serde_json::{Value, json};
use std::collections::HashSet;

use support::Store;

fn item(v: Value) -> Item {
    v.as_object().unwrap().clone()
}

fn key(pk: &str, sk: &str) -> Key {
    Key::new(pk, sk)
}

mod cases {
    use super::*;
    use backlinks_core::ports::Clock;

    pub async fn conditional_create_conflicts(s: Store) {
        let it = item(json!({"PK": "T#a", "SK": "X#1", "entity": "x", "n": 1}));
        s.table
            .put(it.clone(), Some(Condition::NotExists))
            .await
            .unwrap();
        let again = s.table.put(it, Some(Condition::NotExists)).await;
        assert_eq!(again, Err(TableError::ConditionFailed));
        let got = s.table.get(&key("T#a", "X#1")).await.unwrap().unwrap();
        assert_eq!(got["n"], json!(1));
    }

    pub async fn failed_conditions_are_typed_errors(s: Store) {
        let k = key("T#a", "X#1");
        s.table
            .put(item(json!({"PK": "T#a", "SK": "X#1", "version": 1})), None)
            .await
            .unwrap();
        let stale = Update::new().set("name", "b").add("version", 1);
        let err = s
            .table
            .update(&k, stale, Some(Condition::eq("version", 2)))
            .await;
        assert_eq!(err, Err(TableError::ConditionFailed));
        let fresh = Update::new()
            .set("name", "b")
            .add("version", 1)
            .remove("missing");
        let out = s
            .table
            .update(&k, fresh, Some(Condition::eq("version", 1)))
            .await
            .unwrap();
        assert_eq!(out["version"], json!(2));
        assert_eq!(out["name"], json!("b"));
        let del = s.table.delete(&k, Some(Condition::eq("version", 1))).await;
        assert_eq!(del, Err(TableError::ConditionFailed));
        let gone = s.table.delete(&k, Some(Condition::Exists)).await.unwrap();
        assert_eq!(gone.unwrap()["version"], json!(2));
        assert_eq!(
            s.table.delete(&k, Some(Condition::Exists)).await,
            Err(TableError::ConditionFailed)
        );
    }

    pub async fn concurrent_increments_lose_nothing(s: Store) {
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let table = s.table.clone();
                tokio::spawn(async move {
                    for _ in 0..4 {
                        table
                            .update(&key("C#1", "DAY#1"), Update::new().add("count", 1), None)
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let got = s.table.get(&key("C#1", "DAY#1")).await.unwrap().unwrap();
        assert_eq!(got["count"], json!(200));
    }

    pub async fn a_conditional_cap_is_never_exceeded(s: Store) {
        let cap = 20;
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let table = s.table.clone();
                tokio::spawn(async move {
                    let under_cap = Condition::Or(vec![
                        Condition::AttributeNotExists("count".into()),
                        Condition::lt("count", cap),
                    ]);
                    table
                        .update(
                            &key("C#1", "DAY#1"),
                            Update::new().add("count", 1),
                            Some(under_cap),
                        )
                        .await
                })
            })
            .collect();
        let mut granted = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => granted += 1,
                Err(TableError::ConditionFailed) => {}
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert_eq!(granted, cap);
        let got = s.table.get(&key("C#1", "DAY#1")).await.unwrap().unwrap();
        assert_eq!(got["count"], json!(cap));
    }

    async fn all_pages(s: &Store, query: Query) -> Vec<String> {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = s
                .table
                .query(query.clone().start_after(cursor))
                .await
                .unwrap();
            assert!(page.items.len() <= query.limit as usize);
            seen.extend(
                page.items
                    .iter()
                    .map(|i| i["SK"].as_str().unwrap().to_string()),
            );
            match page.next {
                Some(next) => cursor = Some(next),
                None => return seen,
            }
        }
    }

    pub async fn pagination_returns_every_item_once(s: Store) {
        let ops: Vec<WriteOp> = (0..57)
            .map(|i| {
                WriteOp::Put(item(
                    json!({"PK": "T#a", "SK": format!("X#{i:03}"), "i": i}),
                ))
            })
            .chain([WriteOp::Put(item(json!({"PK": "T#a", "SK": "Y#other"})))])
            .chain([WriteOp::Put(item(json!({"PK": "T#b", "SK": "X#000"})))])
            .collect();
        s.table.batch_write(ops).await.unwrap();
        let query = Query::new(Index::Table, "T#a")
            .sort(SortCondition::BeginsWith("X#".into()))
            .limit(10);
        let forward = all_pages(&s, query.clone()).await;
        let expected: Vec<String> = (0..57).map(|i| format!("X#{i:03}")).collect();
        assert_eq!(forward, expected);
        let mut backward = all_pages(&s, query.descending()).await;
        backward.reverse();
        assert_eq!(backward, expected);
    }

    pub async fn gsi_queries_page_through_ties(s: Store) {
        // Several items share one GSI sort key: the cursor must still visit each once.
        let ops: Vec<WriteOp> = (0..23)
            .map(|i| {
                WriteOp::Put(item(json!({
                    "PK": format!("T#{}", i % 3), "SK": format!("X#{i:02}"),
                    "GSI1PK": "STATUS#live", "GSI1SK": format!("2026-01-0{}", i % 4 + 1),
                })))
            })
            .chain([WriteOp::Put(item(
                json!({"PK": "T#9", "SK": "X#99", "GSI1PK": "STATUS#dead", "GSI1SK": "2026-01-01"}),
            ))])
            .collect();
        s.table.batch_write(ops).await.unwrap();
        let query = Query::new(Index::Gsi1, "STATUS#live").limit(4);
        let seen = all_pages(&s, query.clone()).await;
        assert_eq!(seen.len(), 23);
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 23);
        let early = Query::new(Index::Gsi1, "STATUS#live")
            .sort(SortCondition::Between(
                "2026-01-01".into(),
                "2026-01-02".into(),
            ))
            .limit(100);
        let page = s.table.query(early).await.unwrap();
        assert_eq!(page.items.len(), 12);
        let sorted: Vec<&str> = page
            .items
            .iter()
            .map(|i| i["GSI1SK"].as_str().unwrap())
            .collect();
        assert!(sorted.windows(2).all(|w| w[0] <= w[1]));
    }

    pub async fn cursors_from_other_partitions_are_refused(s: Store) {
        s.table
            .put(item(json!({"PK": "T#a", "SK": "X#1"})), None)
            .await
            .unwrap();
        let forged = Cursor::after(Index::Table, &item(json!({"PK": "T#b", "SK": "X#1"}))).unwrap();
        let query = Query::new(Index::Table, "T#a").start_after(Some(forged));
        assert_eq!(s.table.query(query).await, Err(TableError::InvalidCursor));
    }

    pub async fn transactions_are_all_or_nothing(s: Store) {
        s.table
            .put(item(json!({"PK": "T#a", "SK": "B"})), None)
            .await
            .unwrap();
        let ops = vec![
            TransactOp::Put {
                item: item(json!({"PK": "T#a", "SK": "A"})),
                condition: Some(Condition::NotExists),
            },
            TransactOp::Put {
                item: item(json!({"PK": "T#a", "SK": "B", "v": 2})),
                condition: Some(Condition::NotExists),
            },
            TransactOp::Update {
                key: key("T#a", "C"),
                update: Update::new().add("n", 1),
                condition: None,
            },
        ];
        let err = s.table.transact(ops).await;
        assert_eq!(
            err,
            Err(TableError::TransactionCancelled { failed: vec![1] })
        );
        assert_eq!(s.table.get(&key("T#a", "A")).await.unwrap(), None);
        assert_eq!(s.table.get(&key("T#a", "C")).await.unwrap(), None);
        assert_eq!(
            s.table
                .get(&key("T#a", "B"))
                .await
                .unwrap()
                .unwrap()
                .get("v"),
            None
        );

        let ops = vec![
            TransactOp::Check {
                key: key("T#a", "B"),
                condition: Condition::Exists,
            },
            TransactOp::Put {
                item: item(json!({"PK": "T#a", "SK": "A"})),
                condition: Some(Condition::NotExists),
            },
            TransactOp::Delete {
                key: key("T#a", "C"),
                condition: None,
            },
        ];
        s.table
            .put(item(json!({"PK": "T#a", "SK": "C"})), None)
            .await
            .unwrap();
        s.table.transact(ops).await.unwrap();
        assert!(s.table.get(&key("T#a", "A")).await.unwrap().is_some());
        assert_eq!(s.table.get(&key("T#a", "C")).await.unwrap(), None);

        let dup = vec![
            TransactOp::Check {
                key: key("T#a", "A"),
                condition: Condition::Exists,
            },
            TransactOp::Delete {
                key: key("T#a", "A"),
                condition: None,
            },
        ];
        assert!(matches!(
            s.table.transact(dup).await,
            Err(TableError::Invalid(_))
        ));
    }

    pub async fn expired_items_are_invisible(s: Store) {
        let now = s.clock.now().epoch_seconds();
        let cached = item(json!({"PK": "CRAWL#a.com", "SK": "CACHE", "ttl": now + 60, "n": 1}));
        s.table.put(cached.clone(), None).await.unwrap();
        let k = key("CRAWL#a.com", "CACHE");
        assert!(s.table.get(&k).await.unwrap().is_some());
        s.clock.advance_seconds(61);
        assert_eq!(s.table.get(&k).await.unwrap(), None);
        let page = s
            .table
            .query(Query::new(Index::Table, "CRAWL#a.com"))
            .await
            .unwrap();
        assert!(page.items.is_empty());
        assert_eq!(
            s.table
                .update(&k, Update::new().set("x", 1), Some(Condition::Exists))
                .await,
            Err(TableError::ConditionFailed)
        );
        // An expired item does not block a conditional create of a fresh one.
        let fresh = item(json!({"PK": "CRAWL#a.com", "SK": "CACHE", "ttl": now + 3600, "n": 2}));
        s.table
            .put(fresh, Some(Condition::NotExists))
            .await
            .unwrap();
        assert_eq!(s.table.get(&k).await.unwrap().unwrap()["n"], json!(2));
    }

    pub async fn batch_writes_any_number(s: Store) {
        let puts: Vec<WriteOp> = (0..60)
            .map(|i| WriteOp::Put(item(json!({"PK": "T#a", "SK": format!("X#{i:02}")}))))
            .collect();
        s.table.batch_write(puts).await.unwrap();
        let page = s
            .table
            .query(Query::new(Index::Table, "T#a").limit(100))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 60);
        let deletes: Vec<WriteOp> = (0..60)
            .map(|i| WriteOp::Delete(key("T#a", &format!("X#{i:02}"))))
            .collect();
        s.table.batch_write(deletes).await.unwrap();
        let page = s
            .table
            .query(Query::new(Index::Table, "T#a"))
            .await
            .unwrap();
        assert!(page.items.is_empty());
    }

    pub async fn nested_values_round_trip(s: Store) {
        let original = item(json!({
            "PK": "T#a", "SK": "X#1", "entity": "x", "text": "é ✓", "none": null, "flag": false,
            "list": [1, "two", {"three": 3.5}], "map": {"a": [], "b": {}}, "big": 9007199254740993u64,
        }));
        s.table.put(original.clone(), None).await.unwrap();
        assert_eq!(
            s.table.get(&key("T#a", "X#1")).await.unwrap().unwrap(),
            original
        );
    }

    pub async fn bad_items_are_refused(s: Store) {
        let no_sk = item(json!({"PK": "T#a"}));
        assert!(matches!(
            s.table.put(no_sk, None).await,
            Err(TableError::Invalid(_))
        ));
        let empty_gsi = item(json!({"PK": "T#a", "SK": "1", "GSI1PK": ""}));
        assert!(matches!(
            s.table.put(empty_gsi, None).await,
            Err(TableError::Invalid(_))
        ));
        let change_key = Update::new().set("PK", "T#b");
        assert!(matches!(
            s.table.update(&key("T#a", "1"), change_key, None).await,
            Err(TableError::Invalid(_))
        ));
    }
}

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::cases::$case(super::Store::sqlite().await).await;
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::cases::$case(super::Store::dynamodb().await).await;
                }
            )*
        }
    };
}

conformance!(
    conditional_create_conflicts,
    failed_conditions_are_typed_errors,
    concurrent_increments_lose_nothing,
    a_conditional_cap_is_never_exceeded,
    pagination_returns_every_item_once,
    gsi_queries_page_through_ties,
    cursors_from_other_partitions_are_refused,
    transactions_are_all_or_nothing,
    expired_items_are_invisible,
    batch_writes_any_number,
    nested_values_round_trip,
    bad_items_are_refused,
);
