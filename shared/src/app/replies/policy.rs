//! How many soft bounces suppress an address. Suppression from bounces is platform-wide
//! (one dead mailbox hurts every tenant's sending reputation alike), so the limit is the
//! deployment's, not a tenant's classification setting: `SOFT_BOUNCE_LIMIT` (default 3)
//! soft bounces of one address, each within `SOFT_BOUNCE_WINDOW_DAYS` (default 30) of the
//! one before.

use crate::config::{ConfigError, optional};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BouncePolicy {
    /// Soft bounces of one address that suppress it, 1-100.
    pub soft_limit: u32,
    /// Days a soft bounce is remembered after the last one, 1-365.
    pub soft_window_days: u32,
}

impl Default for BouncePolicy {
    fn default() -> Self {
        Self {
            soft_limit: 3,
            soft_window_days: 30,
        }
    }
}

impl BouncePolicy {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::parse(
            optional("SOFT_BOUNCE_LIMIT").as_deref(),
            optional("SOFT_BOUNCE_WINDOW_DAYS").as_deref(),
        )
    }

    /// The policy from the two settings' text; a missing one keeps its default.
    pub fn parse(limit: Option<&str>, days: Option<&str>) -> Result<Self, ConfigError> {
        let number = |name: &str, text: Option<&str>, default: u32, max: u32| match text {
            None => Ok(default),
            Some(t) => t
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| ConfigError::Invalid {
                    name: name.into(),
                    reason: format!("must be a whole number from 1 to {max}"),
                }),
        };
        let default = Self::default();
        Ok(Self {
            soft_limit: number("SOFT_BOUNCE_LIMIT", limit, default.soft_limit, 100)?,
            soft_window_days: number(
                "SOFT_BOUNCE_WINDOW_DAYS",
                days,
                default.soft_window_days,
                365,
            )?,
        })
    }

    /// The address is suppressed once this many soft bounces are counted.
    pub fn reached(&self, count: i64) -> bool {
        count >= i64::from(self.soft_limit)
    }

    pub fn window_secs(&self) -> i64 {
        i64::from(self.soft_window_days) * 86_400
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_bounce_limit_is_configurable_and_validated() {
        let default = BouncePolicy::parse(None, None).unwrap();
        assert_eq!(default, BouncePolicy::default());
        assert!(!default.reached(2) && default.reached(3));
        let one = BouncePolicy::parse(Some("1"), Some("7")).unwrap();
        assert!(one.reached(1));
        assert_eq!(one.window_secs(), 7 * 86_400);
        for bad in ["0", "101", "three", "-1"] {
            assert!(BouncePolicy::parse(Some(bad), None).is_err(), "{bad}");
        }
        assert!(BouncePolicy::parse(None, Some("366")).is_err());
    }
}
