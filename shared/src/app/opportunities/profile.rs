//! A tenant's business profile: what the directory matcher matches on, and the name,
//! address, phone and website a citation needs.

use super::keys;
use crate::app::{App, AppError, entity};
use crate::domain::ids::TenantId;
use crate::domain::opportunities::matching::{BusinessProfile, ProfileInput};

/// The tenant's profile; an empty one before it is first set.
pub async fn get(app: &App, tenant: &TenantId) -> Result<BusinessProfile, AppError> {
    match app.table.get(&keys::profile(tenant)).await? {
        Some(item) => entity::read(item),
        None => Ok(BusinessProfile::empty()),
    }
}

/// `updateBusinessProfile`: the fields given replace the profile's.
pub async fn update(
    app: &App,
    tenant: &TenantId,
    input: ProfileInput,
) -> Result<BusinessProfile, AppError> {
    let mut profile = get(app, tenant).await?;
    input.apply_to(&mut profile).map_err(AppError::Invalid)?;
    profile.updated_at = Some(app.clock.now());
    app.table.put(entity::item(&profile, tenant)?, None).await?;
    Ok(profile)
}
