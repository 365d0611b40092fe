//! Key builders for replies and the indexes that match inbound mail to what we sent (see
//! docs/data-model.md).

use crate::app::entity::{Entity, IndexKey, Platform};
use crate::app::store::{sha256_hex, tenant_partition};
use crate::domain::ids::{CampaignId, EmailId, ReplyId, TenantId};
use crate::domain::outreach::ReplyTarget;
use crate::domain::reply::{Reply, ReplyClass};
use crate::domain::time::Timestamp;
use crate::ports::table::{Index, Key};
use serde::{Deserialize, Serialize};

pub const REPLY_PREFIX: &str = "REPLY#";

pub fn reply(tenant: &TenantId, id: &ReplyId) -> Key {
    Key::new(tenant_partition(tenant), format!("{REPLY_PREFIX}{id}"))
}

/// GSI1: a tenant's replies of one class.
pub fn by_class(tenant: &TenantId, class: ReplyClass) -> String {
    format!(
        "{}#REPLY#CLASS#{}",
        tenant_partition(tenant),
        class.as_str()
    )
}

/// GSI2: a campaign's replies.
pub fn by_campaign(tenant: &TenantId, campaign: &CampaignId) -> String {
    format!("{}#REPLY#CAMPAIGN#{campaign}", tenant_partition(tenant))
}

/// GSI3: a tenant's replies matched to nothing, waiting for a person.
pub fn unmatched(tenant: &TenantId) -> String {
    format!("{}#REPLY#UNMATCHED", tenant_partition(tenant))
}

/// A Message-ID must be stored once per tenant. Long ids are hashed to keep keys small.
fn message_key(message_id: &str) -> String {
    let id = message_id
        .trim()
        .trim_matches(['<', '>'])
        .to_ascii_lowercase();
    if id.len() <= 300 {
        id
    } else {
        sha256_hex(id.as_bytes())
    }
}

/// The sentinel that makes a Message-ID stored once per tenant.
pub fn seen(tenant: &TenantId, message_id: &str) -> Key {
    Key::new(
        format!(
            "{}#INBOUND#{}",
            tenant_partition(tenant),
            message_key(message_id)
        ),
        "SEEN",
    )
}

/// Mail nobody could route to a tenant, kept for the platform's operators.
pub const UNROUTED: &str = "PLATFORM#UNROUTED";

pub fn unrouted(id: &ReplyId) -> Key {
    Key::new(UNROUTED, format!("{REPLY_PREFIX}{id}"))
}

/// The tenant that receives mail at a reply domain of its own (routes mail that matched
/// nothing into that tenant's unmatched list).
pub fn reply_domain(domain: &str) -> Key {
    Key::new(
        format!("REPLYDOMAIN#{}", domain.to_ascii_lowercase()),
        "OWNER",
    )
}

/// What one of our Message-IDs belongs to (written when a send is claimed).
pub fn outbound(message_id: &str) -> Key {
    Key::new(format!("OUTMSG#{}", message_key(message_id)), "TARGET")
}

/// What a reply or unsubscribe address token points at (written when a send is claimed).
pub fn reply_token(token: &str) -> Key {
    Key::new(format!("REPLYTOKEN#{token}"), "TARGET")
}

/// Sent emails by recipient address, newest first: the sender-address match.
pub fn by_recipient(address: &str) -> String {
    format!("RCPT#{}", address.to_ascii_lowercase())
}

/// Sent emails by recipient domain, newest first: the sender-domain match.
pub fn by_recipient_domain(domain: &str) -> String {
    format!("RCPTDOMAIN#{}", domain.to_ascii_lowercase())
}

/// Soft bounces of one address across the platform (expires after 30 days).
pub fn soft_bounces(address: &str) -> Key {
    Key::new(
        format!("SOFTBOUNCE#{}", address.to_ascii_lowercase()),
        "COUNT",
    )
}

/// The reply that counts one send's bounce: a second report of the same bounce (by mail and
/// by SES) is stored and acted on, but counted once, in the soft-bounce limit and the figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BounceCounted {
    pub email_id: EmailId,
    pub sequence: u32,
    pub reply_id: ReplyId,
}

impl Entity for BounceCounted {
    const TAG: &'static str = "bounce_counted";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        Key::new(
            tenant_partition(tenant),
            format!("BOUNCED#{}#{:03}", self.email_id, self.sequence),
        )
    }
}

impl Entity for Reply {
    const TAG: &'static str = "reply";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        reply(tenant, &self.id)
    }

    fn indexes(&self, tenant: &TenantId) -> Vec<IndexKey> {
        let id = self.id.to_string();
        let mut keys = vec![IndexKey::new(
            Index::Gsi1,
            by_class(tenant, self.analysis.classification),
            &id,
        )];
        if let Some(c) = &self.campaign_id {
            keys.push(IndexKey::new(Index::Gsi2, by_campaign(tenant, c), &id));
        }
        if self.matched.is_none() {
            keys.push(IndexKey::new(Index::Gsi3, unmatched(tenant), &id));
        }
        keys
    }
}

/// A message no tenant could be found for, kept for the platform's operators.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnroutedReply(pub Reply);

impl Entity for UnroutedReply {
    const TAG: &'static str = "unrouted_reply";
    type Owner = Platform;

    fn key(&self, _: &Platform) -> Key {
        unrouted(&self.0.id)
    }
}

/// The record that a Message-ID was stored once for a tenant, and as which reply.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundSeen {
    /// The Message-ID (or the stand-in for a message without one).
    pub message_id: String,
    pub reply_id: ReplyId,
}

impl Entity for InboundSeen {
    const TAG: &'static str = "inbound_seen";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        seen(tenant, &self.message_id)
    }
}

/// The attempt a reply or unsubscribe address token belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyToken {
    pub token: String,
    #[serde(flatten)]
    pub target: ReplyTarget,
    pub message_id: String,
}

impl Entity for ReplyToken {
    const TAG: &'static str = "reply_token";
    type Owner = Platform;

    fn key(&self, _: &Platform) -> Key {
        reply_token(&self.token)
    }
}

/// The attempt one of our Message-IDs belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundMessage {
    pub message_id: String,
    #[serde(flatten)]
    pub target: ReplyTarget,
}

impl Entity for OutboundMessage {
    const TAG: &'static str = "outbound_message";
    type Owner = Platform;

    fn key(&self, _: &Platform) -> Key {
        outbound(&self.message_id)
    }
}

/// Which recipient's mail a sent email can be matched by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientMatch {
    Address,
    Domain,
}

/// A sent email indexed by its recipient's address or domain, newest first, for replies
/// that carry neither our token nor our Message-ID; it expires after 180 days.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientIndex {
    pub by: RecipientMatch,
    /// The address or the registrable domain.
    pub recipient: String,
    pub sent_at: Timestamp,
    #[serde(flatten)]
    pub target: ReplyTarget,
}

/// How long a sent email can be matched by its recipient's address or domain.
const RECIPIENT_MATCH_SECS: i64 = 180 * 86_400;

impl Entity for RecipientIndex {
    const TAG: &'static str = "recipient_index";
    type Owner = Platform;

    fn key(&self, _: &Platform) -> Key {
        let partition = match self.by {
            RecipientMatch::Address => by_recipient(&self.recipient),
            RecipientMatch::Domain => by_recipient_domain(&self.recipient),
        };
        let t = &self.target;
        Key::new(
            partition,
            format!("{}#{}#{}", self.sent_at.to_key(), t.tenant_id, t.email_id),
        )
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.sent_at.epoch_seconds() + RECIPIENT_MATCH_SECS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::entity;
    use crate::domain::ids::EmailId;

    #[test]
    fn a_recipient_index_expires_and_reads_back_as_its_target() {
        let target = ReplyTarget {
            tenant_id: TenantId::parse("acme").unwrap(),
            email_id: EmailId::parse("em_0123456789abcdef0123456789abcdef").unwrap(),
            sequence: 0,
        };
        let sent_at = Timestamp::from_epoch_seconds(1_700_000_000).unwrap();
        let index = RecipientIndex {
            by: RecipientMatch::Domain,
            recipient: "b.org".into(),
            sent_at,
            target: target.clone(),
        };
        let item = entity::item(&index, &Platform).unwrap();
        assert_eq!(item["PK"], "RCPTDOMAIN#b.org");
        assert_eq!(item["ttl"], 1_700_000_000 + RECIPIENT_MATCH_SECS);
        assert_eq!(item["tenantId"], "acme");
        assert_eq!(entity::read::<RecipientIndex>(item).unwrap().target, target);
    }
}
