//! Per-tenant API rate limits: a token bucket per tenant and class of operation, kept as
//! the generic cell rate algorithm's one number (the bucket's "theoretical arrival time"),
//! so that a request is admitted by comparing and moving that number, with no refill loop.

use super::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which bucket an operation draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RateClass {
    /// Every authenticated call.
    Standard,
    /// Calls that start heavy work: imports, discovery, plan generation, on-demand checks.
    Expensive,
}

impl RateClass {
    pub fn as_str(self) -> &'static str {
        match self {
            RateClass::Standard => "standard",
            RateClass::Expensive => "expensive",
        }
    }
}

/// A bucket: `burst` calls at once, refilled at `per_minute` calls a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimit {
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub per_minute: u32,
    #[schema(minimum = 1, maximum = 100_000)]
    pub burst: u32,
}

impl RateLimit {
    /// Milliseconds between two calls at the sustained rate.
    fn interval_ms(&self) -> i64 {
        (60_000 / i64::from(self.per_minute.max(1))).max(1)
    }

    /// Admits a call at `now_ms` against a bucket whose theoretical arrival time is `tat_ms`
    /// (none: a full bucket). Admitted, the bucket's new time; refused, how long until a
    /// call would be admitted.
    pub fn admit(&self, tat_ms: Option<i64>, now_ms: i64) -> Result<i64, i64> {
        let interval = self.interval_ms();
        let start = tat_ms.map_or(now_ms, |t| t.max(now_ms));
        let tolerance = interval * i64::from(self.burst.max(1) - 1);
        if start - now_ms <= tolerance {
            Ok(start + interval)
        } else {
            Err(start - now_ms - tolerance)
        }
    }

    fn check(&self, field: &str, errors: &mut FieldErrors) {
        errors.check(
            &format!("{field}.perMinute"),
            super::in_range(self.per_minute, 1..=1_000_000),
        );
        errors.check(
            &format!("{field}.burst"),
            super::in_range(self.burst, 1..=100_000),
        );
    }
}

/// A tenant's limits: the deployment's defaults unless a platform operator set others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantLimits {
    pub standard: RateLimit,
    pub expensive: RateLimit,
}

impl TenantLimits {
    /// 20 calls a second sustained with bursts of 300 (a frontend loading a dashboard makes
    /// a few dozen calls at once); one expensive call a second with bursts of 20.
    pub const DEFAULT: TenantLimits = TenantLimits {
        standard: RateLimit {
            per_minute: 1_200,
            burst: 300,
        },
        expensive: RateLimit {
            per_minute: 60,
            burst: 20,
        },
    };

    pub fn of(&self, class: RateClass) -> RateLimit {
        match class {
            RateClass::Standard => self.standard,
            RateClass::Expensive => self.expensive,
        }
    }

    pub fn validate(&self) -> Result<(), Vec<super::FieldError>> {
        let mut errors = FieldErrors::default();
        self.standard.check("standard", &mut errors);
        self.expensive.check("expensive", &mut errors);
        errors.into_result()
    }
}

impl Default for TenantLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_A_SECOND_BURST_3: RateLimit = RateLimit {
        per_minute: 60,
        burst: 3,
    };

    #[test]
    fn a_full_bucket_admits_its_burst_then_refuses_until_it_refills() {
        let limit = ONE_A_SECOND_BURST_3;
        let mut tat = None;
        for _ in 0..3 {
            tat = Some(limit.admit(tat, 0).unwrap());
        }
        assert_eq!(tat, Some(3_000));
        assert_eq!(limit.admit(tat, 0), Err(1_000));
        assert_eq!(limit.admit(tat, 400), Err(600));
        assert_eq!(limit.admit(tat, 1_000), Ok(4_000));
    }

    #[test]
    fn an_idle_bucket_is_full_again() {
        let limit = ONE_A_SECOND_BURST_3;
        assert_eq!(limit.admit(Some(3_000), 60_000), Ok(61_000));
    }

    #[test]
    fn limits_are_bounded() {
        let mut limits = TenantLimits::DEFAULT;
        assert!(limits.validate().is_ok());
        limits.expensive.burst = 0;
        limits.standard.per_minute = 0;
        let errors = limits.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["standard.perMinute", "expensive.burst"]);
    }
}
