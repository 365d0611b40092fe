//! Per-tenant API rate limits (`domain::limits`), kept in the table so that every Lambda
//! instance draws from the same buckets: a call reads its bucket and moves it with a
//! conditional write on the time it read (compare and set), so two instances admitting
//! calls at once cannot both take the last token. A platform operator may set a tenant's
//! limits; the rest have the deployment's defaults.

use super::entity::{self, Entity};
use super::store::tenant_partition;
use super::tenant_cache::TenantCache;
use super::{App, AppError};
use crate::domain::ids::TenantId;
use crate::domain::limits::{RateClass, TenantLimits};
use crate::ports::table::{Condition, Key, TableError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A change of a tenant's limits reaches every instance within a minute.
const LIMITS_FRESH_FOR: Duration = Duration::from_secs(60);
/// Compare-and-set attempts before a call that keeps losing the race is refused.
const ATTEMPTS: usize = 3;

pub struct Limiter {
    defaults: TenantLimits,
    cache: TenantCache<TenantLimits>,
}

impl Limiter {
    pub fn new(defaults: TenantLimits) -> Self {
        Self {
            defaults,
            cache: TenantCache::new(LIMITS_FRESH_FOR),
        }
    }
}

/// A tenant's bucket for one class of call: the time at which it would be full again
/// plus one interval (GCRA's theoretical arrival time).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bucket {
    class: RateClass,
    tat_ms: i64,
}

impl Entity for Bucket {
    const TAG: &'static str = "rate_bucket";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        bucket_key(tenant, self.class)
    }

    /// A bucket left alone for an hour past full is the same as no bucket.
    fn expires_at(&self) -> Option<i64> {
        Some(self.tat_ms / 1000 + 3600)
    }
}

fn bucket_key(tenant: &TenantId, class: RateClass) -> Key {
    Key::new(tenant_partition(tenant), format!("RATE#{}", class.as_str()))
}

fn limits_key(tenant: &TenantId) -> Key {
    Key::new(tenant_partition(tenant), "LIMITS")
}

impl Entity for TenantLimits {
    const TAG: &'static str = "tenant_limits";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        limits_key(tenant)
    }
}

/// The tenant's limits: those an operator set, or the defaults.
pub async fn of(app: &App, tenant: &TenantId) -> Result<TenantLimits, AppError> {
    if let Some(hit) = app.limits.cache.get(tenant) {
        return Ok(hit);
    }
    let limits = match app.table.get(&limits_key(tenant)).await? {
        Some(item) => entity::read(item)?,
        None => app.limits.defaults,
    };
    app.limits.cache.put(tenant, limits);
    Ok(limits)
}

/// Sets a tenant's limits (platform operators).
pub async fn set(
    app: &App,
    tenant: &TenantId,
    limits: TenantLimits,
) -> Result<TenantLimits, AppError> {
    limits.validate().map_err(AppError::Invalid)?;
    app.table.put(entity::item(&limits, tenant)?, None).await?;
    app.limits.cache.put(tenant, limits);
    Ok(limits)
}

/// Takes one call of `class` from the tenant's bucket, or answers how long to wait.
pub async fn admit(app: &App, tenant: &TenantId, class: RateClass) -> Result<(), AppError> {
    let limit = of(app, tenant).await?.of(class);
    let key = bucket_key(tenant, class);
    let mut wait_ms = 1_000;
    for _ in 0..ATTEMPTS {
        let now = app.clock.now().epoch_millis();
        let stored: Option<Bucket> = app.table.get(&key).await?.map(entity::read).transpose()?;
        let tat = stored.as_ref().map(|b| b.tat_ms);
        let next = match limit.admit(tat, now) {
            Ok(next) => next,
            Err(wait) => {
                wait_ms = wait;
                break;
            }
        };
        let condition = match tat {
            None => Condition::NotExists,
            Some(tat) => Condition::eq("tatMs", tat),
        };
        let bucket = Bucket {
            class,
            tat_ms: next,
        };
        match app
            .table
            .put(entity::item(&bucket, tenant)?, Some(condition))
            .await
        {
            Ok(()) => return Ok(()),
            // Another call moved the bucket first: read it again.
            Err(TableError::ConditionFailed) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::RateLimited {
        limit: format!(
            "the {} rate limit of {} calls a minute (bursts of {}) is used up",
            class.as_str(),
            limit.per_minute,
            limit.burst
        ),
        retry_after_secs: (wait_ms as u64).div_ceil(1000).max(1),
    })
}
