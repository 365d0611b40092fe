//! The directory matcher (issue 16): for a tenant with a business profile, one
//! `directory_opportunity` backlink per active directory that fits it and that it does not
//! have yet, with the directory's steps copied (self-contained, as seed 000 says), its DR and
//! link type, and a relevance score (`domain::opportunities::matching`). Run daily for every
//! tenant with a profile, and on demand (`matchOpportunities`).
//!
//! Idempotent: an opportunity's id is made from its directory's, so a rerun or a redelivered
//! run cannot make a second one, and each directory offered is marked, so one the tenant
//! deleted is not offered again. A directory made inactive later leaves its opportunities be.

use super::keys::{self, Offered};
use super::{directories, profile};
use crate::app::backlinks::{self, keys as backlink_keys};
use crate::app::entity;
use crate::app::store::{query_all, tenant_of};
use crate::app::sweep::{Budget, Pages};
use crate::app::{App, AppError};
use crate::domain::backlink::{Backlink, SourceType};
use crate::domain::ids::{BacklinkId, DirectoryId, TenantId};
use crate::domain::opportunities::directory::{BacklinkDirectory, DirectoryCategory};
use crate::domain::opportunities::matching::{BusinessProfile, relevance};
use crate::ports::table::{Index, Query};
use serde::Serialize;
use std::collections::HashSet;
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatchReport {
    /// Active directories that fit the profile.
    pub matched: u32,
    /// Opportunities made by this run.
    pub created: u32,
    /// Fitting directories the tenant already has (or had and deleted).
    pub already: u32,
}

/// `matchOpportunities`: the tenant's matcher run, now.
pub async fn run(app: &App, tenant: &TenantId) -> Result<MatchReport, AppError> {
    let profile = profile::get(app, tenant).await?;
    if profile.regions.is_empty() {
        return Err(AppError::Conflict(
            "the business profile names no region; set regions (and the industries it is in) with updateBusinessProfile first".into(),
        ));
    }
    let catalogue = catalogue(app).await?;
    match_tenant(app, tenant, &profile, &catalogue).await
}

/// Every active directory (a few hundred): read once a run, whatever the tenants; which kinds
/// a tenant wants is `relevance`'s to say.
async fn catalogue(app: &App) -> Result<Vec<BacklinkDirectory>, AppError> {
    let mut all = Vec::new();
    for kind in DirectoryCategory::ALL {
        all.extend(directories::active(app, kind).await?);
    }
    Ok(all)
}

async fn match_tenant(
    app: &App,
    tenant: &TenantId,
    profile: &BusinessProfile,
    catalogue: &[BacklinkDirectory],
) -> Result<MatchReport, AppError> {
    let mut report = MatchReport::default();
    let held = held(app, tenant).await?;
    for d in catalogue {
        let Some(score) = relevance(profile, d) else {
            continue;
        };
        report.matched += 1;
        if held.contains(&d.id) {
            report.already += 1;
            continue;
        }
        let id = opportunity_id(&d.id)?;
        let created = match backlinks::insert(
            app,
            tenant,
            &opportunity(app, id.clone(), d, profile, score)?,
        )
        .await
        {
            Ok(()) => true,
            // Made by an earlier run that stopped before its mark.
            Err(AppError::Conflict(_)) => false,
            Err(e) => return Err(e),
        };
        let mark = Offered {
            directory_id: d.id.clone(),
            backlink_id: id,
            at: app.clock.now(),
        };
        app.table.put(entity::item(&mark, tenant)?, None).await?;
        if created {
            report.created += 1;
        } else {
            report.already += 1;
        }
    }
    Ok(report)
}

/// Directories the tenant has opportunities for (made by the matcher or by hand), or was
/// offered once: two queries, whatever the catalogue's size.
async fn held(app: &App, tenant: &TenantId) -> Result<HashSet<DirectoryId>, AppError> {
    let query = Query::new(
        Index::Gsi2,
        backlink_keys::by_source(tenant, SourceType::DirectoryOpportunity),
    );
    let mut ids = HashSet::new();
    for item in query_all(app, query).await? {
        if let Some(id) = entity::read::<Backlink>(item)?.directory_id {
            ids.insert(id);
        }
    }
    for item in query_all(
        app,
        Query::new(Index::Table, keys::offered_partition(tenant)),
    )
    .await?
    {
        ids.insert(entity::read::<Offered>(item)?.directory_id);
    }
    Ok(ids)
}

/// The opportunity's id, the directory's own digits: one per directory per tenant.
fn opportunity_id(directory: &DirectoryId) -> Result<BacklinkId, AppError> {
    let digits = directory
        .as_str()
        .trim_start_matches(DirectoryId::PREFIX)
        .trim_start_matches('_');
    BacklinkId::parse(&format!("{}_{digits}", BacklinkId::PREFIX))
        .map_err(|e| AppError::internal(format!("an opportunity id: {}", e.message)))
}

fn opportunity(
    app: &App,
    id: BacklinkId,
    d: &BacklinkDirectory,
    profile: &BusinessProfile,
    score: u8,
) -> Result<Backlink, AppError> {
    let f = &d.fields;
    let domain = f
        .url
        .domain()
        .ok_or_else(|| AppError::internal(format!("directory {} has no domain name", d.id)))?;
    let mut b = Backlink::new(
        id,
        SourceType::DirectoryOpportunity,
        domain,
        app.clock.now(),
    );
    b.directory_id = Some(d.id.clone());
    b.steps = Some(f.steps.clone());
    b.source_url = Some(f.url.clone());
    b.domain_rating = f.domain_rating;
    if let Some(rel) = f.link_type {
        b.link_type = rel;
    }
    b.relevance_score = Some(score);
    b.target_url = profile.website.clone();
    Ok(b)
}

/// The daily run: every tenant with a business profile, within the run's budget.
pub async fn sweep(app: &App, budget: &Budget) -> Result<u32, AppError> {
    let mut pages = Pages::new(Query::new(Index::Gsi1, keys::PROFILES));
    let catalogue = catalogue(app).await?;
    let mut created = 0;
    while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
        for item in items {
            let tenant = tenant_of(&item)?;
            let profile: BusinessProfile = entity::read(item)?;
            if profile.regions.is_empty() {
                continue;
            }
            created += match_tenant(app, &tenant, &profile, &catalogue)
                .await?
                .created;
        }
    }
    Ok(created)
}
