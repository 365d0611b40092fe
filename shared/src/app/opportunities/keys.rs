//! Where the directory catalogue, business profiles and the matcher's marks live
//! (docs/data-model.md):
//!
//! - a directory: `PLATFORM#DIRECTORY`, `DIR#{id}`; GSI1 `DIRECTORY#{active|inactive}#{category}`
//!   / `{subcategory}#{id}` (the matcher's and the filters' index);
//! - a directory's URL: `PLATFORM#DIRECTORY#URL`, `URL#{url}` (imports are idempotent by URL);
//! - a tenant's business profile: its partition, `BUSINESS_PROFILE`; GSI1
//!   `BUSINESS_PROFILES` / `{tenant}` (the daily matcher's list of tenants);
//! - a directory the matcher has offered a tenant: `T#{tenant}#DIROPP`, `DIR#{directoryId}`;
//! - a site's backlink imports: the tenant's partition, `BXIMPORT#{site}#{id}`;
//! - a site's referring domains: `T#{tenant}#REFDOMAINS#{site}`, `{domain}#{source}#{importId}`.

use crate::app::entity::{Entity, IndexKey, Platform};
use crate::app::store::{Versioned, tenant_partition};
use crate::domain::ids::{BacklinkId, DirectoryId, ExportImportId, SiteId, TenantId};
use crate::domain::opportunities::directory::{BacklinkDirectory, DirectoryCategory};
use crate::domain::opportunities::export_import::BacklinkImport;
use crate::domain::opportunities::exports::DomainStats;
use crate::domain::opportunities::matching::BusinessProfile;
use crate::domain::time::Timestamp;
use crate::ports::table::{Index, Key};
use serde::{Deserialize, Serialize};

pub const CATALOGUE: &str = "PLATFORM#DIRECTORY";
pub const DIR_PREFIX: &str = "DIR#";
const URLS: &str = "PLATFORM#DIRECTORY#URL";
pub const PROFILES: &str = "BUSINESS_PROFILES";

pub fn directory(id: &DirectoryId) -> Key {
    Key::new(CATALOGUE, format!("{DIR_PREFIX}{id}"))
}

/// GSI1: a category's directories, active or not.
pub fn by_category(category: DirectoryCategory, active: bool) -> String {
    let state = if active { "active" } else { "inactive" };
    format!("DIRECTORY#{state}#{}", category.as_str())
}

pub fn url(text: &str) -> Key {
    Key::new(URLS, format!("URL#{text}"))
}

pub fn profile(tenant: &TenantId) -> Key {
    Key::new(tenant_partition(tenant), "BUSINESS_PROFILE")
}

/// The directories the matcher has offered a tenant.
pub fn offered_partition(tenant: &TenantId) -> String {
    format!("{}#DIROPP", tenant_partition(tenant))
}

pub fn offered(tenant: &TenantId, directory: &DirectoryId) -> Key {
    Key::new(
        offered_partition(tenant),
        format!("{DIR_PREFIX}{directory}"),
    )
}

impl Entity for BacklinkDirectory {
    const TAG: &'static str = "directory";
    type Owner = Platform;
    fn key(&self, _: &Platform) -> Key {
        directory(&self.id)
    }
    fn indexes(&self, _: &Platform) -> Vec<IndexKey> {
        vec![IndexKey::new(
            Index::Gsi1,
            by_category(self.fields.category, self.is_active),
            format!("{}#{}", self.fields.subcategory.to_lowercase(), self.id),
        )]
    }
}

impl Versioned for BacklinkDirectory {
    fn version(&self) -> u64 {
        self.version
    }
    fn stamp(&mut self, version: u64, now: Timestamp) {
        self.version = version;
        self.updated_at = now;
    }
}

/// A URL's directory, so an import finds it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryUrl {
    pub url: String,
    pub directory_id: DirectoryId,
}

impl Entity for DirectoryUrl {
    const TAG: &'static str = "directory_url";
    type Owner = Platform;
    fn key(&self, _: &Platform) -> Key {
        url(&self.url)
    }
}

impl Entity for BusinessProfile {
    const TAG: &'static str = "business_profile";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        profile(tenant)
    }
    fn indexes(&self, tenant: &TenantId) -> Vec<IndexKey> {
        vec![IndexKey::new(Index::Gsi1, PROFILES, tenant.as_str())]
    }
}

/// A directory the matcher offered a tenant: kept after the opportunity is deleted, so a
/// tenant that deleted one is not offered it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offered {
    pub directory_id: DirectoryId,
    pub backlink_id: BacklinkId,
    pub at: Timestamp,
}

impl Entity for Offered {
    const TAG: &'static str = "directory_offered";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        offered(tenant, &self.directory_id)
    }
}

/// A site's backlink imports, in the tenant's partition: `BXIMPORT#{site}#{id}`.
pub fn export_imports_prefix(site: &SiteId) -> String {
    format!("BXIMPORT#{site}#")
}

pub fn export_import(tenant: &TenantId, site: &SiteId, id: &ExportImportId) -> Key {
    Key::new(
        tenant_partition(tenant),
        format!("{}{id}", export_imports_prefix(site)),
    )
}

/// A site's referring domains, every source's, sorted by domain so that one pass sees each
/// domain's sources together (the gap's read).
pub fn ref_domains(tenant: &TenantId, site: &SiteId) -> String {
    format!("{}#REFDOMAINS#{site}", tenant_partition(tenant))
}

/// Referring domains are kept a little over a year: a gap older than that is stale anyway.
const REF_DOMAIN_KEEP_SECS: i64 = 400 * 86_400;

impl Entity for BacklinkImport {
    const TAG: &'static str = "backlink_import";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        export_import(tenant, &self.site_id, &self.id)
    }
}

impl Versioned for BacklinkImport {
    fn version(&self) -> u64 {
        self.version
    }
    fn stamp(&mut self, version: u64, now: Timestamp) {
        self.version = version;
        self.updated_at = now;
    }
}

/// One referring domain of one source (the site's own links, or a competitor's) as one
/// import found it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefDomain {
    pub site_id: SiteId,
    pub domain: String,
    pub source: String,
    pub import_id: ExportImportId,
    #[serde(flatten)]
    pub stats: DomainStats,
    pub kept_at: Timestamp,
}

impl Entity for RefDomain {
    const TAG: &'static str = "ref_domain";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        Key::new(
            ref_domains(tenant, &self.site_id),
            format!("{}#{}#{}", self.domain, self.source, self.import_id),
        )
    }
    fn expires_at(&self) -> Option<i64> {
        Some(self.kept_at.epoch_seconds() + REF_DOMAIN_KEEP_SECS)
    }
}
