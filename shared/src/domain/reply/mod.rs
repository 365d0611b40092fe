//! Inbound replies: the stored reply (seed 003 backlinking_responses, seed 001
//! OutreachReply), the classes a reply falls in, and the rules that classify it.

pub mod class;
pub mod classify;
mod phrases;
pub mod text;

pub use super::bounce::Bounce;
pub use class::{Complaint, OutOfOffice, ReplyAnalysis, ReplyClass, Sentiment, Urgency, verdict};
pub use classify::{classify, classify_human, classify_machine, from_llm, return_date};

use super::ids::{BacklinkId, CampaignId, EmailId, ReplyId};
use super::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The per-attempt token in the Reply-To address it was sent to.
    ReplyToken,
    /// In-Reply-To or References (or a bounce's copy) naming one of our Message-IDs.
    Thread,
    SenderAddress,
    SenderDomain,
    /// Assigned by a person.
    Manual,
}

/// The outreach attempt a reply answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplyMatch {
    pub email_id: EmailId,
    pub campaign_id: CampaignId,
    pub backlink_id: BacklinkId,
    /// 0 for the first email, n for the n-th follow-up.
    pub sequence: u32,
    pub matched_by: MatchedBy,
}

/// What the language model cost, when it classified (seed 003 AI metadata).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AiUsage {
    pub model: String,
    pub tokens: u64,
    pub cost_usd: f64,
    pub time_ms: u64,
}

/// One inbound message (seed 003 backlinking_responses, seed 001 OutreachReply).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reply {
    pub id: ReplyId,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub from_email: String,
    pub from_name: Option<String>,
    pub subject: String,
    /// The decoded text of the message (HTML turned into text), up to 50,000 characters.
    pub body_text: String,
    /// The new text only: quoted history and signature removed. This is what was read.
    pub reply_text: String,
    pub received_at: Timestamp,
    #[serde(flatten)]
    pub analysis: ReplyAnalysis,
    pub ai: Option<AiUsage>,
    /// The attempt it answers; none while unmatched.
    pub matched: Option<ReplyMatch>,
    pub campaign_id: Option<CampaignId>,
    pub reviewed: bool,
    pub notes: Option<String>,
    /// What the reply changed: follow-ups stopped, backlink moved, address suppressed.
    pub effects: Vec<String>,
    /// The effects have run (a redelivered message finishes them if a crash interrupted).
    pub effects_applied: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}
