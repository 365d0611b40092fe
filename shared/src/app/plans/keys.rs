//! Where sites, pages, plans and planned links live in the table (docs/data-model.md).
//!
//! - a site: the tenant's partition, `SITE#{siteId}`;
//! - its pages: their own partition `T#{tenant}#SITE#{siteId}`, `PAGE#{url}#{hash}` (the URL
//!   cut to fit a key, so pages list in URL order; the hash of the whole URL keeps them one
//!   per URL);
//! - a plan: the tenant's partition, `PLAN#{planId}`; the parts too big for one item (tier
//!   assignments, anchor variants) and its planned links in the plan's own partition
//!   `T#{tenant}#PLAN#{planId}`, under `TIERS#`, `ANCHORS#` and `LINK#`.

use crate::app::backlinks::keys::shard_of;
use crate::app::entity::{Entity, IndexKey};
use crate::app::store::{Versioned, sha256_hex, tenant_partition};
use crate::domain::ids::{PlanId, PlannedLinkId, SiteId, TenantId};
use crate::domain::plans::{PageAnchorPlan, PlanHead, PlannedLink, Site, SitePage, TierAssignment};
use crate::domain::time::Timestamp;
use crate::domain::web::WebUrl;
use crate::ports::table::{Index, Key};
use serde::{Deserialize, Serialize};

pub const SITE_PREFIX: &str = "SITE#";
pub const PLAN_PREFIX: &str = "PLAN#";
pub const PAGE_PREFIX: &str = "PAGE#";
pub const TIERS_PREFIX: &str = "TIERS#";
pub const ANCHORS_PREFIX: &str = "ANCHORS#";
pub const LINK_PREFIX: &str = "LINK#";

/// Bytes of a URL kept in a page's sort key (DynamoDB allows 1,024 in all).
const URL_IN_KEY: usize = 700;

pub fn site(tenant: &TenantId, id: &SiteId) -> Key {
    Key::new(tenant_partition(tenant), format!("{SITE_PREFIX}{id}"))
}

pub fn pages(tenant: &TenantId, site: &SiteId) -> String {
    format!("{}#SITE#{site}", tenant_partition(tenant))
}

pub fn page(tenant: &TenantId, site: &SiteId, url: &WebUrl) -> Key {
    let text = url.as_str();
    let mut cut = text.len().min(URL_IN_KEY);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let hash = &sha256_hex(text.as_bytes())[..16];
    Key::new(
        pages(tenant, site),
        format!("{PAGE_PREFIX}{}#{hash}", &text[..cut]),
    )
}

pub fn plan(tenant: &TenantId, id: &PlanId) -> Key {
    Key::new(tenant_partition(tenant), format!("{PLAN_PREFIX}{id}"))
}

pub fn plan_parts(tenant: &TenantId, id: &PlanId) -> String {
    format!("{}#PLAN#{id}", tenant_partition(tenant))
}

pub fn link(tenant: &TenantId, plan: &PlanId, id: &PlannedLinkId) -> Key {
    Key::new(plan_parts(tenant, plan), format!("{LINK_PREFIX}{id}"))
}

/// A page of a site, as stored: the checked page and the tier its site's pages give it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredPage {
    pub site_id: SiteId,
    #[serde(flatten)]
    pub page: SitePage,
    pub tier: Option<crate::domain::plans::Tier>,
}

impl Entity for Site {
    const TAG: &'static str = "site";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        site(tenant, &self.id)
    }
}

impl Entity for StoredPage {
    const TAG: &'static str = "site_page";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        page(tenant, &self.site_id, &self.page.url)
    }
}

impl Entity for PlanHead {
    const TAG: &'static str = "plan";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        plan(tenant, &self.id)
    }
}

/// One numbered chunk of a plan's tier assignments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierChunk {
    pub plan_id: PlanId,
    pub chunk: u32,
    pub tiers: Vec<TierAssignment>,
}

impl Entity for TierChunk {
    const TAG: &'static str = "plan_tiers";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        Key::new(
            plan_parts(tenant, &self.plan_id),
            format!("{TIERS_PREFIX}{:05}", self.chunk),
        )
    }
}

/// One numbered chunk of a plan's anchor variants (allocations are counted from its links).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnchorChunk {
    pub plan_id: PlanId,
    pub chunk: u32,
    pub pages: Vec<PageAnchorPlan>,
}

impl Entity for AnchorChunk {
    const TAG: &'static str = "plan_anchors";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        Key::new(
            plan_parts(tenant, &self.plan_id),
            format!("{ANCHORS_PREFIX}{:05}", self.chunk),
        )
    }
}

/// GSI4: the planned-link sweeps, sharded like the backlinks' (`PLANNEDCHECK#{shard}`).
/// Sorted by when a pending verdict is due its confirmation; a link with none waits for the
/// weekly sweep under `~`, after every time.
pub fn planned_check_shard(shard: u32) -> String {
    format!("PLANNEDCHECK#{shard}")
}

/// The sort key of a link's place in the sweep: due time, tenant, plan, link.
pub fn planned_check_position(
    due: Option<Timestamp>,
    tenant: &TenantId,
    plan: &PlanId,
    id: &PlannedLinkId,
) -> String {
    let due = due.map_or_else(|| "~".to_string(), |t| t.to_key());
    format!("{due}#{tenant}#{plan}#{id}")
}

/// Whether the planned-link sweeps check this link: one bought or won (or lost, perhaps to
/// come back) with a placement URL to fetch, unless a backlink wins it: the backlink's own
/// daily check then carries it (`app::monitoring::backlinks`), and one fetch is enough.
pub fn swept(link: &PlannedLink) -> bool {
    link.status.link_checked() && link.placement_url.is_some() && link.backlink_id.is_none()
}

impl Entity for PlannedLink {
    const TAG: &'static str = "planned_link";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        link(tenant, &self.plan_id, &self.id)
    }
    fn indexes(&self, tenant: &TenantId) -> Vec<IndexKey> {
        if !swept(self) {
            return Vec::new();
        }
        let due = self
            .link_health
            .as_ref()
            .filter(|h| h.pending.is_some())
            .and_then(|h| h.next_due);
        vec![IndexKey::new(
            Index::Gsi4,
            planned_check_shard(shard_of(self.id.as_str())),
            planned_check_position(due, tenant, &self.plan_id, &self.id),
        )]
    }
}

impl Versioned for PlannedLink {
    fn version(&self) -> u64 {
        self.version
    }
    fn stamp(&mut self, version: u64, now: crate::domain::time::Timestamp) {
        self.version = version;
        self.updated_at = now;
    }
}

impl Versioned for PlanHead {
    fn version(&self) -> u64 {
        self.version
    }
    fn stamp(&mut self, version: u64, now: crate::domain::time::Timestamp) {
        self.version = version;
        self.updated_at = now;
    }
}
