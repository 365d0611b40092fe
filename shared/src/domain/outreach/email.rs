//! One outreach email to one prospect, with its follow-ups, and its campaign's review.

use super::audit::BlockReason;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{BacklinkId, CampaignId, EmailId, TemplateId};
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    Draft,
    Approved,
    /// Released to the send queue.
    Queued,
    Sent,
    Skipped,
    /// Policy refused it; `blockReasons` says why.
    Blocked,
    /// The transport refused it for good.
    Failed,
    /// A send was claimed but never confirmed: a person must check before anything is resent.
    NeedsReview,
}

impl EmailStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Approved => "approved",
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Skipped => "skipped",
            Self::Blocked => "blocked",
            Self::Failed => "failed",
            Self::NeedsReview => "needs_review",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Generator {
    Template,
    Llm,
    /// The built-in template, used when no template was given and no LLM is configured.
    Fallback,
}

/// How a draft was made (seed 003 AI metadata).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Generation {
    pub generator: Generator,
    pub model: Option<String>,
    pub prompt: Option<String>,
    pub temperature: Option<f32>,
    /// The generator's confidence in the draft (0-1).
    pub confidence: f64,
    pub tokens: u64,
    pub cost_usd: f64,
    pub generation_time_ms: u64,
}

/// One outreach email to one prospect (seed 000 CampaignEmail, 1:1 with an outreach
/// backlink), with its follow-ups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutreachEmail {
    pub id: EmailId,
    pub campaign_id: CampaignId,
    pub backlink_id: BacklinkId,
    pub status: EmailStatus,
    pub subject: String,
    pub body: String,
    pub recipient_email: EmailAddress,
    pub recipient_name: Option<String>,
    pub template_id: Option<TemplateId>,
    /// Edited by a person after it was generated.
    pub user_edited: bool,
    pub generation: Generation,
    pub block_reasons: Vec<BlockReason>,
    pub last_error: Option<String>,
    /// Message-IDs of everything sent in this thread, first email first.
    pub message_ids: Vec<String>,
    pub follow_ups_sent: u32,
    pub next_follow_up_at: Option<Timestamp>,
    /// The follow-up released to the send queue and not yet sent.
    pub follow_up_pending: Option<u32>,
    /// The next follow-up's text, made when it fell due, for review before it goes.
    #[serde(default)]
    pub follow_up: Option<FollowUpDraft>,
    /// A cap was reached: not released again before this time.
    pub not_before: Option<Timestamp>,
    /// Set when the prospect replied (any human reply): follow-ups stop for good.
    pub replied_at: Option<Timestamp>,
    /// Set when the recipient's server refused it for good, or the recipient complained.
    #[serde(default)]
    pub bounced_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub approved_at: Option<Timestamp>,
    pub sent_at: Option<Timestamp>,
    pub version: u64,
}

impl OutreachEmail {
    /// Whether the next follow-up is a reclaim: the one kind that goes after a reply.
    pub fn reclaiming(&self) -> bool {
        self.follow_up.as_ref().is_some_and(|d| {
            d.purpose == FollowUpPurpose::Reclaim && d.sequence == self.follow_ups_sent + 1
        })
    }

    /// Whether follow-ups have stopped for good: the prospect replied, and no reclaim waits.
    pub fn follow_ups_stopped(&self) -> bool {
        self.replied_at.is_some() && !self.reclaiming()
    }
}

/// The text of one follow-up. While `approvedAt` is empty it waits for a person; the
/// original message is quoted under it when it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpDraft {
    /// 1 for the first follow-up.
    pub sequence: u32,
    pub body: String,
    /// The step's template, when the campaign names one.
    pub template_id: Option<TemplateId>,
    pub user_edited: bool,
    /// Why this draft needs a person even in a campaign that sends follow-ups unreviewed.
    pub note: Option<String>,
    /// A step of the sequence, or a reclaim of a link that was won and lost.
    #[serde(default)]
    pub purpose: FollowUpPurpose,
    pub created_at: Timestamp,
    pub approved_at: Option<Timestamp>,
}

/// Why a follow-up is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpPurpose {
    /// The campaign's next step to someone who has not answered.
    #[default]
    Sequence,
    /// A note asking the site to restore a link it placed and later removed
    /// (`draftReclaimEmail`): written to someone who did answer, always reviewed.
    Reclaim,
}

impl FollowUpDraft {
    pub fn awaits_review(&self) -> bool {
        self.approved_at.is_none()
    }
}

/// Where a campaign's emails are in review (seed 000): draft → dm_review → dm_approved →
/// sent (when every email is sent or skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    #[default]
    Draft,
    DmReview,
    DmApproved,
    Sent,
}
