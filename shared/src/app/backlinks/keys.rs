//! Where backlinks are stored: their key, their index keys and the campaign's domain
//! sentinels (see docs/data-model.md).

use crate::app::entity::{Entity, IndexKey};
use crate::app::store::tenant_partition;
use crate::domain::backlink::{Backlink, OutreachStatus, SourceType};
use crate::domain::ids::{BacklinkId, CampaignId, TenantId};
use crate::ports::table::{Index, Key};

/// Partitions of the link-check sweep index, so no one partition holds every live link.
pub const LINK_CHECK_SHARDS: u32 = 8;

pub const PREFIX: &str = "BACKLINK#";

pub fn item(tenant: &TenantId, id: &BacklinkId) -> Key {
    Key::new(tenant_partition(tenant), format!("{PREFIX}{id}"))
}

/// GSI1: by status (seed index [tenantId, outreachStatus]).
pub fn by_status(tenant: &TenantId, status: OutreachStatus) -> String {
    format!(
        "{}#BACKLINK#STATUS#{}",
        tenant_partition(tenant),
        status.as_str()
    )
}

/// GSI2: by source type (seed index [tenantId, sourceType]).
pub fn by_source(tenant: &TenantId, source: SourceType) -> String {
    format!(
        "{}#BACKLINK#SOURCE#{}",
        tenant_partition(tenant),
        source.as_str()
    )
}

/// GSI3: a campaign's backlinks.
pub fn by_campaign(tenant: &TenantId, campaign: &CampaignId) -> String {
    format!("{}#BACKLINK#CAMPAIGN#{campaign}", tenant_partition(tenant))
}

/// GSI5: by health-check verdict (seed index [tenantId, isLive, lastCheckedAt]).
pub fn by_liveness(tenant: &TenantId, live: bool) -> String {
    format!("{}#BACKLINK#LIVE#{live}", tenant_partition(tenant))
}

/// A link's next check without a health record: a little under a day after its last.
const RECHECK_AFTER_SECS: i64 = 20 * 3_600;

/// GSI4: the cross-tenant health-check sweep, sharded; sorted by when each link is due
/// (never checked, "0", first), so a verdict waiting for its confirmation comes due in hours.
pub fn link_check_shard(shard: u32) -> String {
    format!("LINKCHECK#{shard}")
}

pub fn link_check_position(due: Option<&str>, tenant: &TenantId, id: &BacklinkId) -> String {
    format!("{}#{tenant}#{id}", due.unwrap_or("0"))
}

/// The partition of a campaign's domain sentinels.
pub fn membership_partition(tenant: &TenantId, campaign: &CampaignId) -> String {
    format!("{}#CAMPAIGN#{campaign}", tenant_partition(tenant))
}

/// One domain's sentinel in a campaign: at most one backlink per domain per campaign.
pub fn membership(tenant: &TenantId, campaign: &CampaignId, domain: &str) -> Key {
    Key::new(
        membership_partition(tenant, campaign),
        format!("DOMAIN#{domain}"),
    )
}

/// FNV-1a over an id: stable across processes and releases.
pub fn shard_of(id: &str) -> u32 {
    let hash = id.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    });
    hash % LINK_CHECK_SHARDS
}

impl Entity for Backlink {
    const TAG: &'static str = "backlink";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        item(tenant, &self.id)
    }

    fn indexes(&self, tenant: &TenantId) -> Vec<IndexKey> {
        let id = self.id.to_string();
        let mut keys = vec![
            IndexKey::new(Index::Gsi1, by_status(tenant, self.outreach_status), &id),
            IndexKey::new(Index::Gsi2, by_source(tenant, self.source_type), &id),
        ];
        if let Some(campaign) = &self.campaign_id {
            keys.push(IndexKey::new(
                Index::Gsi3,
                by_campaign(tenant, campaign),
                &id,
            ));
        }
        if self.outreach_status.link_checked()
            && self.placement_url.is_some()
            && self.target_url.is_some()
        {
            let due = match &self.link_health {
                Some(health) => health.next_due,
                None => self
                    .last_checked_at
                    .map(|t| t.plus_seconds(RECHECK_AFTER_SECS)),
            };
            let due = due.map(|t| t.to_key());
            keys.push(IndexKey::new(
                Index::Gsi4,
                link_check_shard(shard_of(self.id.as_str())),
                link_check_position(due.as_deref(), tenant, &self.id),
            ));
        }
        if let Some(live) = self.is_live {
            keys.push(IndexKey::new(Index::Gsi5, by_liveness(tenant, live), &id));
        }
        keys
    }
}
