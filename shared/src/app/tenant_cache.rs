//! Per-process caches of values fresh for a fixed time: settings that every call reads and
//! that change rarely (one per tenant), and facts about hosts a run asks for again and again
//! (a host's robots.txt). Bounded: when full, what has gone stale is dropped, and if that is
//! not enough, everything.

use crate::domain::ids::TenantId;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries one cache holds at most.
const MAX_ENTRIES: usize = 10_000;

pub struct TtlCache<K, T> {
    fresh_for: Duration,
    entries: Mutex<HashMap<K, (Instant, T)>>,
}

/// One value per tenant.
pub type TenantCache<T> = TtlCache<TenantId, T>;

impl<K: Eq + Hash + Clone, T: Clone> TtlCache<K, T> {
    pub fn new(fresh_for: Duration) -> Self {
        Self {
            fresh_for,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &K) -> Option<T> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(at, _)| at.elapsed() < self.fresh_for)
            .map(|(_, value)| value.clone())
    }

    pub fn put(&self, key: &K, value: T) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES && !map.contains_key(key) {
            map.retain(|_, (at, _)| at.elapsed() < self.fresh_for);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key.clone(), (Instant::now(), value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_expire_and_a_full_cache_makes_room() {
        let cache: TtlCache<u32, u32> = TtlCache::new(Duration::from_secs(60));
        for k in 0..MAX_ENTRIES as u32 {
            cache.put(&k, k);
        }
        assert_eq!(cache.get(&7), Some(7));
        cache.put(&u32::MAX, 1);
        assert_eq!(cache.get(&u32::MAX), Some(1));
        assert!(cache.entries.lock().unwrap().len() <= MAX_ENTRIES);
        let stale: TtlCache<u32, u32> = TtlCache::new(Duration::ZERO);
        stale.put(&1, 1);
        assert_eq!(stale.get(&1), None);
    }
}
