//! The usage ledger (issue 14): every metered operation is charged once, with its cost and
//! what it was for, and adds to the tenant's month totals; a tenant's optional monthly
//! credit limit refuses an operation that would pass it.
//!
//! One charge is one transaction of three writes: a once-mark keyed by the operation and
//! its once key (create-only, so a retry finds it and charges nothing), the ledger entry
//! (kept in time order for the report), and ADDs to the month's totals item, whose
//! condition carries the limit so two charges racing near it cannot both pass.

use super::entity::{self, Entity, LogEntry, Logged, TENANT};
use super::paging::{self, PageRequest};
use super::store::{sha256_hex, tenant_partition};
use super::{App, AppError};
use crate::domain::ids::TenantId;
use crate::domain::time::Timestamp;
use crate::domain::usage::{CreditLimit, Credits, MeteredOperation, Month};
use crate::ports::table::{
    CompareOp, Condition, ENTITY, Index, Key, Query, SortCondition, TableError, TransactOp, Update,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Entries and once-marks are kept about 13 months, long enough to answer for last year's
/// same month; month totals are kept for good.
const KEEP_SECS: i64 = 400 * 24 * 3600;
/// Most entries a report lists.
const ENTRY_CAP: u32 = 1_000;
const ENTRIES: &str = "USAGE#ENTRY#";
/// The month totals' attribute holding every operation's milli-credits together.
const TOTAL: &str = "total_milli";
/// Tries of a charge that DynamoDB cancels for a concurrent one on the same totals item.
const CONFLICT_TRIES: u32 = 6;

fn milli_attr(op: MeteredOperation) -> String {
    format!("{}_milli", op.as_str())
}

fn count_attr(op: MeteredOperation) -> String {
    format!("{}_count", op.as_str())
}

fn limit_key(tenant: &TenantId) -> Key {
    Key::new(tenant_partition(tenant), "USAGE#LIMIT")
}

fn month_key(tenant: &TenantId, month: Month) -> Key {
    Key::new(tenant_partition(tenant), format!("USAGE#MONTH#{month}"))
}

/// Hashed: a once key is the caller's text (a plan id, a job id and a date) of any length.
fn mark_key(tenant: &TenantId, op: MeteredOperation, once_key: &str) -> Key {
    let hash = sha256_hex(once_key.as_bytes());
    Key::new(
        tenant_partition(tenant),
        format!("USAGE#ONCE#{}#{hash}", op.as_str()),
    )
}

impl Entity for CreditLimit {
    const TAG: &'static str = "credit_limit";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        limit_key(tenant)
    }
}

/// One charge in the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageEntry {
    pub at: Timestamp,
    pub operation: MeteredOperation,
    pub credits: Credits,
    /// What it was for, e.g. `plan plan_…`.
    pub subject: String,
    /// The key that makes a retry charge nothing, e.g. the plan id.
    pub once_key: String,
}

impl LogEntry for UsageEntry {
    const TAG: &'static str = "usage_entry";
    const PREFIX: &'static str = ENTRIES;
    const KEEP_SECS: i64 = KEEP_SECS;
    fn at(&self) -> Timestamp {
        self.at
    }
}

/// The mark that an operation's once key has been charged.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Charged {
    operation: MeteredOperation,
    once_key: String,
    at: Timestamp,
}

impl Entity for Charged {
    const TAG: &'static str = "usage_once";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        mark_key(tenant, self.operation, &self.once_key)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.at.epoch_seconds() + KEEP_SECS)
    }
}

/// A month's totals: milli-credits and counts by operation (`{op}_milli`, `{op}_count`)
/// and overall (`total_milli`), written only by ADDs.
#[derive(Debug, Deserialize, Serialize)]
struct MonthTotals {
    month: Month,
    #[serde(flatten)]
    counters: BTreeMap<String, i64>,
}

impl Entity for MonthTotals {
    const TAG: &'static str = "usage_month";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        month_key(tenant, self.month)
    }
}

impl MonthTotals {
    fn counter(&self, attr: &str) -> i64 {
        self.counters.get(attr).copied().unwrap_or(0)
    }
}

/// The tenant's limit; none set is no limit.
pub async fn limit(app: &App, tenant: &TenantId) -> Result<CreditLimit, AppError> {
    // Read, not cached: metered operations are few and heavy, and an operator raising a
    // blocked tenant's limit expects it to hold at once.
    app.table
        .get(&limit_key(tenant))
        .await?
        .map(entity::read)
        .transpose()
        .map(Option::unwrap_or_default)
}

/// Sets a tenant's monthly credit limit (platform operators); null removes it.
pub async fn set_limit(
    app: &App,
    tenant: &TenantId,
    limit: CreditLimit,
) -> Result<CreditLimit, AppError> {
    limit.validate().map_err(AppError::Invalid)?;
    app.table.put(entity::item(&limit, tenant)?, None).await?;
    Ok(limit)
}

async fn totals(
    app: &App,
    tenant: &TenantId,
    month: Month,
) -> Result<Option<MonthTotals>, AppError> {
    app.table
        .get(&month_key(tenant, month))
        .await?
        .map(entity::read)
        .transpose()
}

/// Charges `op` to the tenant once per `once_key`: a second call with the same key (a
/// retry, a redelivered message) records nothing and succeeds. Over the tenant's monthly
/// limit it fails with [`AppError::PaymentRequired`] and records nothing.
pub async fn meter(
    app: &App,
    tenant: &TenantId,
    op: MeteredOperation,
    once_key: &str,
    subject: &str,
) -> Result<(), AppError> {
    if once_key.is_empty() {
        return Err(AppError::internal("a metered operation needs a once key"));
    }
    let mark = mark_key(tenant, op, once_key);
    if app.table.get(&mark).await?.is_some() {
        return Ok(());
    }
    let limit = limit(app, tenant).await?.monthly_credits;
    let at = app.clock.now();
    let month = Month::of(at);
    // The most the month may hold before this charge for it to fit.
    let room = match limit {
        Some(limit) if limit.milli() < op.cost().milli() => {
            return refused(app, tenant, month, op, limit).await;
        }
        Some(limit) => Some(limit.milli() - op.cost().milli()),
        None => None,
    };
    let entry = Logged {
        id: app.ids.next().simple().to_string(),
        entry: UsageEntry {
            at,
            operation: op,
            credits: op.cost(),
            subject: subject.to_string(),
            once_key: once_key.to_string(),
        },
    };
    match transact(app, charge(tenant, month, &entry, room)?).await {
        Ok(()) => Ok(()),
        Err(TableError::TransactionCancelled { failed }) => {
            // The mark's put is first: a concurrent retry charged it already.
            if failed.contains(&0) || app.table.get(&mark).await?.is_some() {
                return Ok(());
            }
            match limit {
                Some(limit) => refused(app, tenant, month, op, limit).await,
                None => Err(TableError::TransactionCancelled { failed }.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The charge's writes: the once-mark (index 0), the month's totals, the entry.
fn charge(
    tenant: &TenantId,
    month: Month,
    logged: &Logged<UsageEntry>,
    room: Option<i64>,
) -> Result<Vec<TransactOp>, AppError> {
    let e = &logged.entry;
    let mark = Charged {
        operation: e.operation,
        once_key: e.once_key.clone(),
        at: e.at,
    };
    let cost = e.credits.milli();
    let update = Update::new()
        .set(ENTITY, MonthTotals::TAG)
        .set(TENANT, tenant.as_str())
        .set("month", month.to_string())
        .add(TOTAL, cost)
        .add(&milli_attr(e.operation), cost)
        .add(&count_attr(e.operation), 1);
    let within = room.map(|room| {
        Condition::Or(vec![
            Condition::AttributeNotExists(TOTAL.into()),
            Condition::Compare(TOTAL.into(), CompareOp::Le, room.into()),
        ])
    });
    Ok(vec![
        TransactOp::Put {
            item: entity::item(&mark, tenant)?,
            condition: Some(Condition::NotExists),
        },
        TransactOp::Update {
            key: month_key(tenant, month),
            update,
            condition: within,
        },
        TransactOp::Put {
            item: entity::item(logged, tenant)?,
            condition: None,
        },
    ])
}

/// DynamoDB cancels one of two transactions on the same totals item at the same moment
/// (TransactionConflict, an `Unavailable` here): that one tries again. Trying again is
/// safe because the once-mark makes a charge that did commit fail at index 0.
async fn transact(app: &App, ops: Vec<TransactOp>) -> Result<(), TableError> {
    let mut tries = 1;
    loop {
        match app.table.transact(ops.clone()).await {
            Err(TableError::Unavailable(reason)) if tries < CONFLICT_TRIES => {
                let jitter = app.ids.next().as_u128() as u64 % 25;
                tracing::debug!(%reason, tries, "usage charge conflicted; trying again");
                let wait = 10 * 2u64.pow(tries) + jitter;
                tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
                tries += 1;
            }
            other => return other,
        }
    }
}

/// The 402 for an operation the month's limit has no room for, naming the limit.
async fn refused(
    app: &App,
    tenant: &TenantId,
    month: Month,
    op: MeteredOperation,
    limit: Credits,
) -> Result<(), AppError> {
    let used = totals(app, tenant, month)
        .await?
        .map_or(0, |t| t.counter(TOTAL));
    Err(AppError::PaymentRequired(format!(
        "this month's ({month}) credit limit of {limit} is reached: {} used, {} costs {}",
        Credits::from_milli(used),
        op.label(),
        op.cost()
    )))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UsageQuery {
    /// The UTC month, `YYYY-MM`; the current one when left out.
    pub month: Option<String>,
}

/// One operation's share of a month.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperationUsage {
    pub operation: MeteredOperation,
    /// What one operation costs.
    pub unit_cost: Credits,
    pub count: u64,
    pub credits: Credits,
}

/// A tenant's usage in one month.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsageReport {
    pub month: Month,
    /// Every metered operation, at zero when unused.
    pub operations: Vec<OperationUsage>,
    pub total_credits: Credits,
    /// The tenant's monthly limit; null: no limit.
    pub limit_credits: Option<Credits>,
    /// What the limit leaves this month (never below 0); null without a limit.
    pub remaining_credits: Option<Credits>,
    /// The month's charges, newest first, at most 1,000 (entries are kept 400 days).
    pub entries: Vec<UsageEntry>,
    /// Whether older charges of the month were left out of `entries`.
    pub entries_truncated: bool,
}

/// The month's totals by operation, the limit and the month's entries; the current UTC
/// month when `month` is none.
pub async fn month(
    app: &App,
    tenant: &TenantId,
    month: Option<String>,
) -> Result<UsageReport, AppError> {
    let month = match month {
        Some(text) => {
            Month::parse(&text).map_err(|e| AppError::Invalid(vec![e.within("month")]))?
        }
        None => Month::of(app.clock.now()),
    };
    let totals = totals(app, tenant, month).await?;
    let counter = |attr: &str| totals.as_ref().map_or(0, |t| t.counter(attr));
    let operations = MeteredOperation::ALL
        .into_iter()
        .map(|op| OperationUsage {
            operation: op,
            unit_cost: op.cost(),
            count: u64::try_from(counter(&count_attr(op))).unwrap_or(0),
            credits: Credits::from_milli(counter(&milli_attr(op))),
        })
        .collect();
    let total = Credits::from_milli(counter(TOTAL));
    let limit = limit(app, tenant).await?.monthly_credits;
    let query = Query::new(Index::Table, tenant_partition(tenant))
        .sort(SortCondition::BeginsWith(format!("{ENTRIES}{month}-")))
        .descending();
    let page = paging::list(
        app.table.as_ref(),
        query,
        PageRequest::first(ENTRY_CAP),
        |item| entity::read::<Logged<UsageEntry>>(item).map(|l| Some(l.entry)),
    )
    .await?;
    Ok(UsageReport {
        month,
        operations,
        total_credits: total,
        limit_credits: limit,
        remaining_credits: limit.map(|l| l.minus(total)),
        entries: page.items,
        entries_truncated: page.next_cursor.is_some(),
    })
}
