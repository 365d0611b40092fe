//! Per-tenant classification settings (seed 004's singleton, one per tenant), validated on
//! save and cached by readers for five minutes.

use super::entity::{self, Entity};
use super::store::tenant_partition;
use super::tenant_cache::TenantCache;
use super::{App, AppError, activity};
use crate::domain::identity::Identity;
use crate::domain::ids::TenantId;
use crate::domain::qualify::ClassificationSettings;
use crate::ports::table::Key;
use std::time::Duration;

const CACHE_FOR: Duration = Duration::from_secs(300);

fn key(tenant: &TenantId) -> Key {
    Key::new(tenant_partition(tenant), "SETTINGS#classification")
}

impl Entity for ClassificationSettings {
    const TAG: &'static str = "classification_settings";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        key(tenant)
    }
}

/// Readers' cache. A change made through another process shows within five minutes.
pub type SettingsCache = TenantCache<ClassificationSettings>;

pub fn cache() -> SettingsCache {
    TenantCache::new(CACHE_FOR)
}

/// The stored settings, or the defaults.
pub async fn load(app: &App, tenant: &TenantId) -> Result<ClassificationSettings, AppError> {
    match app.table.get(&key(tenant)).await? {
        Some(item) => entity::read(item),
        None => Ok(ClassificationSettings::default()),
    }
}

/// The settings for a worker: from the cache when fresh.
pub async fn cached(app: &App, tenant: &TenantId) -> Result<ClassificationSettings, AppError> {
    if let Some(hit) = app.settings.get(tenant) {
        return Ok(hit);
    }
    let settings = load(app, tenant).await?;
    app.settings.put(tenant, settings.clone());
    Ok(settings)
}

pub async fn replace(
    app: &App,
    who: &Identity,
    settings: ClassificationSettings,
) -> Result<ClassificationSettings, AppError> {
    settings.validate().map_err(AppError::Invalid)?;
    app.table
        .put(entity::item(&settings, &who.tenant)?, None)
        .await?;
    app.settings.put(&who.tenant, settings.clone());
    activity::record(
        app,
        &who.tenant,
        "settings_updated",
        None,
        who.user.as_str(),
        serde_json::json!({}),
    )
    .await;
    Ok(settings)
}
