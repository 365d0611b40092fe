//! The usage ledger (issue 14) on both table adapters: charged once under retries, totals by
//! operation in exact halves, the monthly limit as a 402 that records nothing, the limit's
//! race, and months kept apart.

mod support;

use backlinks_core::app::usage::{self, UsageReport};
use backlinks_core::app::{App, AppError};
use backlinks_core::domain::ids::TenantId;
use backlinks_core::domain::usage::{CreditLimit, Credits, MeteredOperation};
use backlinks_core::http::problem::Problem;
use backlinks_core::ports::table::{Index, Query, SortCondition};
use support::Store;
use tempfile::TempDir;

use MeteredOperation::{DeadLinkDetection, KpiSnapshot, LinkAudit, PlanGeneration};

struct World {
    app: App,
    store: Store,
    tenant: TenantId,
    _dir: TempDir,
}

async fn world(store: Store) -> World {
    let dir = tempfile::tempdir().unwrap();
    let app = support::app_over(&store, dir.path(), None).await;
    World {
        app,
        store,
        tenant: TenantId::parse("acme").unwrap(),
        _dir: dir,
    }
}

impl World {
    async fn meter(&self, op: MeteredOperation, once: &str) -> Result<(), AppError> {
        usage::meter(&self.app, &self.tenant, op, once, &format!("test {once}")).await
    }

    async fn report(&self, month: Option<&str>) -> UsageReport {
        usage::month(&self.app, &self.tenant, month.map(String::from))
            .await
            .unwrap()
    }

    async fn limit(&self, credits: Option<i64>) {
        let limit = CreditLimit {
            monthly_credits: credits.map(Credits::whole),
        };
        usage::set_limit(&self.app, &self.tenant, limit)
            .await
            .unwrap();
    }
}

/// (count, credits as shown) of one operation in a report.
fn of(report: &UsageReport, op: MeteredOperation) -> (u64, String) {
    let line = report
        .operations
        .iter()
        .find(|o| o.operation == op)
        .unwrap();
    (line.count, line.credits.to_string())
}

mod cases {
    use super::*;

    pub async fn recorded_once_under_a_retry(store: Store) {
        let w = world(store).await;
        w.meter(PlanGeneration, "plan_1").await.unwrap();
        w.meter(PlanGeneration, "plan_1").await.unwrap();
        // The same key a month later is still the same charge.
        w.store.clock.advance_seconds(31 * 24 * 3600);
        w.meter(PlanGeneration, "plan_1").await.unwrap();
        let june = w.report(Some("2026-06")).await;
        assert_eq!(of(&june, PlanGeneration), (1, "2".into()));
        assert_eq!(june.total_credits, Credits::whole(2));
        assert_eq!(june.entries.len(), 1);
        assert_eq!(june.entries[0].once_key, "plan_1");
        assert_eq!(june.entries[0].subject, "test plan_1");
        assert_eq!(w.report(None).await.total_credits, Credits::ZERO);
        // Another operation with the same key is another charge.
        w.meter(LinkAudit, "plan_1").await.unwrap();
        assert_eq!(w.report(None).await.total_credits, Credits::whole(1));
        // Entries expire after about 400 days; the month totals stay.
        let entries = Query::new(Index::Table, "T#acme")
            .sort(SortCondition::BeginsWith("USAGE#ENTRY#2026-06".into()));
        let page = w.store.table.query(entries).await.unwrap();
        let ttl = page.items[0]["ttl"].as_i64().unwrap();
        let at = support::start_time().epoch_seconds();
        assert_eq!(ttl - at, 400 * 24 * 3600);
    }

    pub async fn totals_by_operation_with_a_half_credit(store: Store) {
        let w = world(store).await;
        let charges = [
            (PlanGeneration, "p1"),
            (KpiSnapshot, "kpi-1"),
            (KpiSnapshot, "kpi-2"),
            (KpiSnapshot, "kpi-3"),
            (DeadLinkDetection, "bl-1"),
        ];
        for (op, once) in charges {
            w.meter(op, once).await.unwrap();
            w.store.clock.advance_seconds(60);
        }
        let r = w.report(None).await;
        assert_eq!(r.month.to_string(), "2026-06");
        assert_eq!(r.operations.len(), MeteredOperation::ALL.len());
        assert_eq!(of(&r, PlanGeneration), (1, "2".into()));
        assert_eq!(of(&r, KpiSnapshot), (3, "1.5".into()));
        assert_eq!(of(&r, DeadLinkDetection), (1, "1".into()));
        assert_eq!(of(&r, LinkAudit), (0, "0".into()));
        assert_eq!(r.total_credits, Credits::from_milli(4_500));
        assert_eq!((r.limit_credits, r.remaining_credits), (None, None));
        let newest_first: Vec<&str> = r.entries.iter().map(|e| e.once_key.as_str()).collect();
        assert_eq!(newest_first, ["bl-1", "kpi-3", "kpi-2", "kpi-1", "p1"]);
        assert!(!r.entries_truncated);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["totalCredits"], serde_json::json!(4.5));
        assert_eq!(json["operations"][2]["unitCost"], serde_json::json!(0.5));
        assert_eq!(json["entries"][1]["credits"], serde_json::json!(0.5));
    }

    pub async fn a_reached_limit_is_a_402_naming_it_and_records_nothing(store: Store) {
        let w = world(store).await;
        w.limit(Some(3)).await;
        w.meter(PlanGeneration, "p1").await.unwrap();
        w.meter(KpiSnapshot, "k1").await.unwrap();
        let err = w.meter(PlanGeneration, "p2").await.unwrap_err();
        let AppError::PaymentRequired(detail) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(
            detail,
            "this month's (2026-06) credit limit of 3 is reached: 2.5 used, plan generation costs 2"
        );
        let problem = Problem::from(err).into_response();
        assert_eq!(problem.status(), 402);
        let body: serde_json::Value = serde_json::from_slice(problem.body()).unwrap();
        assert_eq!(body["type"], "urn:backlinks:problem:credit-limit");
        let r = w.report(None).await;
        assert_eq!(r.total_credits, Credits::from_milli(2_500));
        assert_eq!(r.entries.len(), 2);
        assert_eq!(r.limit_credits, Some(Credits::whole(3)));
        assert_eq!(r.remaining_credits, Some(Credits::from_milli(500)));
        // What still fits passes, up to the limit exactly; a retry of a charge stays free.
        w.meter(KpiSnapshot, "k2").await.unwrap();
        w.meter(PlanGeneration, "p1").await.unwrap();
        assert_eq!(w.report(None).await.remaining_credits, Some(Credits::ZERO));
        // A cost above the whole limit is refused in a month with nothing used.
        w.limit(Some(1)).await;
        w.store.clock.advance_seconds(31 * 24 * 3600);
        let refused = w.meter(PlanGeneration, "p3").await.unwrap_err();
        assert!(matches!(refused, AppError::PaymentRequired(d) if d.contains("limit of 1 ")));
        // A retry of what was charged before is no new charge, whatever the limit says now.
        w.meter(PlanGeneration, "p1").await.unwrap();
        assert_eq!(w.report(None).await.entries.len(), 0);
        // Raised or removed, the limit holds at once.
        w.limit(None).await;
        w.meter(PlanGeneration, "p3").await.unwrap();
    }

    pub async fn concurrent_charges_at_the_edge_pass_once(store: Store) {
        let w = world(store).await;
        w.limit(Some(5)).await;
        w.meter(LinkAudit, "audit").await.unwrap();
        // 1 used: room for two plan generations (2 each) of the ten racing.
        let racers: Vec<_> = (0..10)
            .map(|i| {
                let (app, tenant) = (w.app.clone(), w.tenant.clone());
                tokio::spawn(async move {
                    let once = format!("plan-{i}");
                    usage::meter(&app, &tenant, PlanGeneration, &once, "race").await
                })
            })
            .collect();
        let mut passed = 0;
        for racer in racers {
            match racer.await.unwrap() {
                Ok(()) => passed += 1,
                Err(AppError::PaymentRequired(_)) => {}
                Err(e) => panic!("{e:?}"),
            }
        }
        assert_eq!(passed, 2);
        let r = w.report(None).await;
        assert_eq!(r.total_credits, Credits::whole(5));
        assert_eq!(of(&r, PlanGeneration), (2, "4".into()));
        assert_eq!(r.entries.len(), 3);
    }

    pub async fn retries_racing_charge_once(store: Store) {
        let w = world(store).await;
        let racers: Vec<_> = (0..8)
            .map(|_| {
                let (app, tenant) = (w.app.clone(), w.tenant.clone());
                tokio::spawn(async move {
                    usage::meter(&app, &tenant, KpiSnapshot, "kpi-june", "snapshot").await
                })
            })
            .collect();
        for racer in racers {
            racer.await.unwrap().unwrap();
        }
        let r = w.report(None).await;
        assert_eq!(of(&r, KpiSnapshot), (1, "0.5".into()));
        assert_eq!(r.entries.len(), 1);
    }

    pub async fn months_are_kept_apart(store: Store) {
        let w = world(store).await;
        w.limit(Some(2)).await;
        w.meter(PlanGeneration, "june").await.unwrap();
        assert!(w.meter(LinkAudit, "june-audit").await.is_err());
        w.store.clock.advance_seconds(30 * 24 * 3600);
        // July starts with the whole limit.
        w.meter(LinkAudit, "july-audit").await.unwrap();
        let june = w.report(Some("2026-06")).await;
        let july = w.report(None).await;
        assert_eq!(july.month.to_string(), "2026-07");
        assert_eq!(of(&june, PlanGeneration), (1, "2".into()));
        assert_eq!(of(&june, LinkAudit), (0, "0".into()));
        assert_eq!(of(&july, LinkAudit), (1, "1".into()));
        assert_eq!(of(&july, PlanGeneration), (0, "0".into()));
        assert_eq!(june.entries[0].once_key, "june");
        assert_eq!(july.entries[0].once_key, "july-audit");
        assert_eq!(july.remaining_credits, Some(Credits::whole(1)));
        let empty = w.report(Some("2025-01")).await;
        assert_eq!(
            (empty.total_credits, empty.entries.len()),
            (Credits::ZERO, 0)
        );
        let bad = usage::month(&w.app, &w.tenant, Some("2026-13".into())).await;
        assert!(matches!(bad, Err(AppError::Invalid(e)) if e[0].field == "month"));
    }

    pub async fn limits_are_validated(store: Store) {
        let w = world(store).await;
        let over = CreditLimit {
            monthly_credits: Some(Credits::whole(2_000_000_000)),
        };
        let err = usage::set_limit(&w.app, &w.tenant, over).await;
        assert!(matches!(err, Err(AppError::Invalid(e)) if e[0].field == "monthlyCredits"));
        assert_eq!(
            usage::limit(&w.app, &w.tenant).await.unwrap(),
            CreditLimit::default()
        );
        // Another tenant's limit is its own.
        w.limit(Some(0)).await;
        let other = TenantId::parse("other").unwrap();
        usage::meter(&w.app, &other, KpiSnapshot, "k", "s")
            .await
            .unwrap();
        assert!(w.meter(KpiSnapshot, "k").await.is_err());
    }
}

macro_rules! on_both_stores {
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

on_both_stores!(
    recorded_once_under_a_retry,
    totals_by_operation_with_a_half_credit,
    a_reached_limit_is_a_402_naming_it_and_records_nothing,
    concurrent_charges_at_the_edge_pass_once,
    retries_racing_charge_once,
    months_are_kept_apart,
    limits_are_validated,
);
