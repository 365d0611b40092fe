//! Key builders for outreach items (see docs/data-model.md).

use crate::app::entity::{Entity, IndexKey, LogEntry};
use crate::app::store::tenant_partition;
use crate::domain::ids::{BacklinkId, CampaignId, EmailId, TemplateId, TenantId};
use crate::domain::outreach::{Attempt, AuditEntry, EmailStatus, OutreachEmail, Template};
use crate::domain::time::Timestamp;
use crate::ports::table::{Index, Key};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub fn sender(tenant: &TenantId) -> Key {
    Key::new(tenant_partition(tenant), "SETTINGS#sender")
}

pub const TEMPLATE_PREFIX: &str = "TEMPLATE#";

pub fn template(tenant: &TenantId, id: &TemplateId) -> Key {
    Key::new(tenant_partition(tenant), format!("{TEMPLATE_PREFIX}{id}"))
}

pub const EMAIL_PREFIX: &str = "EMAIL#";

pub fn email(tenant: &TenantId, id: &EmailId) -> Key {
    Key::new(tenant_partition(tenant), format!("{EMAIL_PREFIX}{id}"))
}

/// GSI1: a tenant's emails in one status.
pub fn email_by_status(tenant: &TenantId, status: EmailStatus) -> String {
    format!(
        "{}#EMAIL#STATUS#{}",
        tenant_partition(tenant),
        status.as_str()
    )
}

/// GSI2: a campaign's emails.
pub fn email_by_campaign(tenant: &TenantId, campaign: &CampaignId) -> String {
    format!("{}#EMAIL#CAMPAIGN#{campaign}", tenant_partition(tenant))
}

/// One email per backlink (seed 000: CampaignEmail is 1:1 with Backlink).
pub fn backlink_email(tenant: &TenantId, backlink: &BacklinkId) -> Key {
    Key::new(
        tenant_partition(tenant),
        format!("BACKLINK_EMAIL#{backlink}"),
    )
}

/// The email drafted for a backlink: written with the email, so a backlink gets one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BacklinkEmail {
    pub backlink_id: BacklinkId,
    pub email_id: EmailId,
}

impl Entity for BacklinkEmail {
    const TAG: &'static str = "backlink_email";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        backlink_email(tenant, &self.backlink_id)
    }
}

pub const SEND_SHARDS: u32 = 4;

fn shard(id: &EmailId) -> u32 {
    id.as_str()
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        % SEND_SHARDS
}

/// GSI4: approved emails waiting for their send window, by approval time.
pub fn send_queue(id: &EmailId) -> String {
    send_queue_shard(shard(id))
}

pub fn send_queue_shard(shard: u32) -> String {
    format!("SENDQ#{shard}")
}

/// GSI4: sent emails with a follow-up due, by due time.
pub fn follow_up_queue(id: &EmailId) -> String {
    follow_up_shard(shard(id))
}

pub fn follow_up_shard(shard: u32) -> String {
    format!("FOLLOWUP#{shard}")
}

pub fn attempt(tenant: &TenantId, email: &EmailId, sequence: u32) -> Key {
    Key::new(
        format!("{}#EMAIL#{email}", tenant_partition(tenant)),
        format!("ATTEMPT#{sequence:03}"),
    )
}

pub const AUDIT_PREFIX: &str = "AUDIT#";

impl LogEntry for AuditEntry {
    const TAG: &'static str = "audit";
    const PREFIX: &'static str = AUDIT_PREFIX;
    // Audit entries are kept two years.
    const KEEP_SECS: i64 = 2 * 365 * 24 * 3600;
    fn at(&self) -> Timestamp {
        self.at
    }
}

/// The daily cap of one campaign.
pub fn campaign_cap_scope(tenant: &TenantId, campaign: &CampaignId) -> String {
    format!("{}#CAMPAIGN#{campaign}", tenant_partition(tenant))
}

/// The daily cap of a tenant.
pub fn tenant_cap_scope(tenant: &TenantId) -> String {
    tenant_partition(tenant)
}

/// The daily cap of one recipient domain, for one tenant.
pub fn domain_cap_scope(tenant: &TenantId, domain: &str) -> String {
    format!("{}#DOMAIN#{domain}", tenant_partition(tenant))
}

/// The daily cap of one recipient domain, across every tenant.
pub fn platform_domain_cap_scope(domain: &str) -> String {
    format!("PLATFORM#DOMAIN#{domain}")
}

/// A daily counter: its own partition so counters never share a hot key.
pub fn cap(scope: &str, day: NaiveDate) -> Key {
    Key::new(format!("CAP#{scope}#{day}"), "COUNT")
}

pub fn campaign_stats(tenant: &TenantId, campaign: &CampaignId) -> Key {
    Key::new(
        format!("{}#CAMPAIGN#{campaign}", tenant_partition(tenant)),
        "STATS",
    )
}

pub fn campaign_day(tenant: &TenantId, campaign: &CampaignId, day: NaiveDate) -> Key {
    Key::new(
        format!("{}#CAMPAIGN#{campaign}", tenant_partition(tenant)),
        format!("DAY#{day}"),
    )
}

impl Entity for OutreachEmail {
    const TAG: &'static str = "outreach_email";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        email(tenant, &self.id)
    }

    fn indexes(&self, tenant: &TenantId) -> Vec<IndexKey> {
        let id = self.id.to_string();
        let mut keys = vec![
            IndexKey::new(Index::Gsi1, email_by_status(tenant, self.status), &id),
            IndexKey::new(
                Index::Gsi2,
                email_by_campaign(tenant, &self.campaign_id),
                &id,
            ),
        ];
        if self.status == EmailStatus::Approved {
            let at = self.approved_at.unwrap_or(self.updated_at);
            keys.push(IndexKey::new(
                Index::Gsi4,
                send_queue(&self.id),
                format!("{}#{tenant}#{id}", at.to_key()),
            ));
        } else if self.status == EmailStatus::Sent
            && !self.follow_ups_stopped()
            && !self.follow_up.as_ref().is_some_and(|d| d.awaits_review())
            && let Some(due) = self.next_follow_up_at
        {
            keys.push(IndexKey::new(
                Index::Gsi4,
                follow_up_queue(&self.id),
                format!("{}#{tenant}#{id}", due.to_key()),
            ));
        }
        keys
    }
}

impl Entity for Attempt {
    const TAG: &'static str = "send_attempt";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        attempt(tenant, &self.email_id, self.sequence)
    }
}

impl Entity for Template {
    const TAG: &'static str = "template";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        template(tenant, &self.id)
    }
}
