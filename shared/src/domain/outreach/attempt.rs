//! One try at sending an email or one of its follow-ups: claimed before the mail leaves, so
//! that an email is sent at most once.

use crate::domain::ids::{EmailId, TenantId};
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The send job's time limit: a claim older than this belongs to a worker that died.
pub const SEND_TIMEOUT_SECS: u32 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    /// Claimed: the message may be leaving right now.
    Claimed,
    Sent,
    /// The transport did not take it; it may be claimed again.
    Released,
    Failed,
    NeedsReview,
    /// Sent, then bounced for good.
    Bounced,
}

impl AttemptStatus {
    /// The stored form, for conditions on the `status` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::Sent => "sent",
            Self::Released => "released",
            Self::Failed => "failed",
            Self::NeedsReview => "needs_review",
            Self::Bounced => "bounced",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub email_id: EmailId,
    pub sequence: u32,
    pub status: AttemptStatus,
    pub message_id: String,
    pub reply_token: String,
    pub claimed_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub provider_id: Option<String>,
    pub error: Option<String>,
    /// Refusals for now so far; each is retried after a longer wait, up to a limit.
    #[serde(default)]
    pub retries: u32,
}

impl Attempt {
    /// Whether a claim made then may still belong to a live worker.
    pub fn in_flight(&self, now: Timestamp) -> bool {
        now.epoch_seconds() < self.claimed_at.epoch_seconds() + i64::from(SEND_TIMEOUT_SECS)
    }
}

/// The attempt a reply token, one of our Message-IDs or a recipient's address points at:
/// how a reply or a mailed unsubscribe finds what it answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyTarget {
    pub tenant_id: TenantId,
    pub email_id: EmailId,
    pub sequence: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_status_names_are_the_serde_names() {
        for s in [
            AttemptStatus::Claimed,
            AttemptStatus::Sent,
            AttemptStatus::Released,
            AttemptStatus::Failed,
            AttemptStatus::NeedsReview,
            AttemptStatus::Bounced,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
