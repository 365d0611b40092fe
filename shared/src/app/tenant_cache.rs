//! A per-process cache of one value per tenant, fresh for a fixed time: settings that
//! every call reads and that change rarely.

use crate::domain::ids::TenantId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct TenantCache<T> {
    fresh_for: Duration,
    entries: Mutex<HashMap<TenantId, (Instant, T)>>,
}

impl<T: Clone> TenantCache<T> {
    pub fn new(fresh_for: Duration) -> Self {
        Self {
            fresh_for,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, tenant: &TenantId) -> Option<T> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(tenant)
            .filter(|(at, _)| at.elapsed() < self.fresh_for)
            .map(|(_, value)| value.clone())
    }

    pub fn put(&self, tenant: &TenantId, value: T) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(tenant.clone(), (Instant::now(), value));
    }
}
