//! Policy decisions as the audit log keeps them, and why a send was refused.

use super::legal::{LegalBasis, Region};
use crate::domain::ids::{CampaignId, EmailId};
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allowed,
    Blocked,
}

/// One policy decision, kept for audit (seed 001 AuditLog, with the reasons and legal basis).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub at: Timestamp,
    pub email_id: EmailId,
    pub campaign_id: CampaignId,
    /// 0 for the first email, 1.. for follow-ups.
    pub sequence: u32,
    pub recipient: String,
    pub sender: Option<String>,
    pub subject: String,
    pub verdict: Verdict,
    /// Stable codes: sender_identity_incomplete, suppressed_address, suppressed_domain,
    /// consent_required, duplicate_attempt, cap_campaign_daily, cap_tenant_daily,
    /// cap_recipient_domain_daily, cap_platform_domain_daily, campaign_not_active,
    /// replied, not_awaiting_reply.
    pub reasons: Vec<BlockReason>,
    pub region: Region,
    pub legal_basis: LegalBasis,
}

/// Why a send did not happen. Permanent reasons settle the email for good; temporary ones
/// put it off (the campaign resumes, a cap resets tomorrow, the window opens).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BlockReason {
    SenderIdentityIncomplete,
    SuppressedAddress,
    SuppressedDomain,
    /// A follow-up to someone who replied.
    Replied,
    /// A follow-up whose backlink is no longer waiting for an answer.
    NotAwaitingReply,
    /// A reclaim whose link is not (or no longer) confirmed lost.
    LinkNotLost,
    ConsentRequired,
    CampaignNotActive,
    CapCampaignDaily,
    CapTenantDaily,
    CapRecipientDomainDaily,
    CapPlatformDomainDaily,
    SendWindowClosed,
    /// Another attempt holds this send.
    DuplicateAttempt,
}

impl BlockReason {
    pub const ALL: [BlockReason; 14] = [
        Self::SenderIdentityIncomplete,
        Self::SuppressedAddress,
        Self::SuppressedDomain,
        Self::Replied,
        Self::NotAwaitingReply,
        Self::LinkNotLost,
        Self::ConsentRequired,
        Self::CampaignNotActive,
        Self::CapCampaignDaily,
        Self::CapTenantDaily,
        Self::CapRecipientDomainDaily,
        Self::CapPlatformDomainDaily,
        Self::SendWindowClosed,
        Self::DuplicateAttempt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SenderIdentityIncomplete => "sender_identity_incomplete",
            Self::SuppressedAddress => "suppressed_address",
            Self::SuppressedDomain => "suppressed_domain",
            Self::Replied => "replied",
            Self::NotAwaitingReply => "not_awaiting_reply",
            Self::LinkNotLost => "link_not_lost",
            Self::ConsentRequired => "consent_required",
            Self::CampaignNotActive => "campaign_not_active",
            Self::CapCampaignDaily => "cap_campaign_daily",
            Self::CapTenantDaily => "cap_tenant_daily",
            Self::CapRecipientDomainDaily => "cap_recipient_domain_daily",
            Self::CapPlatformDomainDaily => "cap_platform_domain_daily",
            Self::SendWindowClosed => "send_window_closed",
            Self::DuplicateAttempt => "duplicate_attempt",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether no later try can succeed without someone changing something.
    pub fn is_permanent(self) -> bool {
        matches!(
            self,
            Self::SenderIdentityIncomplete
                | Self::SuppressedAddress
                | Self::SuppressedDomain
                | Self::Replied
                | Self::NotAwaitingReply
                | Self::LinkNotLost
                | Self::ConsentRequired
        )
    }
}

/// Every reason once, permanent ones first, each group in a fixed order.
pub fn ordered(mut reasons: Vec<BlockReason>) -> Vec<BlockReason> {
    reasons.sort_by_key(|r| (!r.is_permanent(), *r));
    reasons.dedup();
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_back_and_permanent_ones_come_first() {
        for r in BlockReason::ALL {
            assert_eq!(BlockReason::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert_eq!(
            ordered(vec![
                BlockReason::CapTenantDaily,
                BlockReason::SuppressedAddress,
                BlockReason::CapTenantDaily,
                BlockReason::CampaignNotActive,
                BlockReason::ConsentRequired,
            ]),
            vec![
                BlockReason::SuppressedAddress,
                BlockReason::ConsentRequired,
                BlockReason::CampaignNotActive,
                BlockReason::CapTenantDaily,
            ]
        );
    }
}
