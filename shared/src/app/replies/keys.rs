//! Key builders for replies and the indexes that match inbound mail to what we sent (see
//! docs/data-model.md).

use crate::app::store::tenant_partition;
use crate::domain::ids::{CampaignId, ReplyId, TenantId};
use crate::domain::reply::ReplyClass;
use crate::ports::table::Key;

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

/// The SHA-256 of some bytes, in hex: a short, fixed-size stand-in for long values in keys.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
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
pub fn unrouted(id: &ReplyId) -> Key {
    Key::new("PLATFORM#UNROUTED", format!("{REPLY_PREFIX}{id}"))
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
