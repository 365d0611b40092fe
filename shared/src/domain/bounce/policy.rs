//! How many soft bounces suppress an address. Suppression from bounces is platform-wide
//! (one dead mailbox hurts every tenant's sending reputation alike), so the limit is the
//! deployment's (`SOFT_BOUNCE_LIMIT`, `SOFT_BOUNCE_WINDOW_DAYS`, read in `config`), not a
//! tenant's classification setting.

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
    /// The address is suppressed once this many soft bounces are counted.
    pub fn reached(&self, count: i64) -> bool {
        count >= i64::from(self.soft_limit)
    }

    pub fn window_secs(&self) -> i64 {
        i64::from(self.soft_window_days) * 86_400
    }
}
