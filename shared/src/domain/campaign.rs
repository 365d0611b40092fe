//! Outreach campaigns (seed 001 BacklinkCampaign, seed 003 backlinking_campaigns).

use super::ids::{CampaignId, PlanId, TemplateId};
use super::time::Timestamp;
use super::web::WebUrl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Draft,
    Active,
    Paused,
    Completed,
}

impl CampaignStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Completed => "completed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    #[default]
    Professional,
    Friendly,
    Casual,
    Formal,
    Persuasive,
}

/// Used for both personalisation depth and priority (seed 003: low / medium / high).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
}

/// Per-campaign limits with seed 003's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignLimits {
    /// Most prospects discovery may add (1-10000).
    pub max_opportunities: u32,
    /// Most first-touch emails sent per day (1-1000).
    pub max_emails_per_day: u32,
    /// Most follow-ups after the first email (0-10).
    pub max_follow_ups: u32,
}

impl Default for CampaignLimits {
    fn default() -> Self {
        Self {
            max_opportunities: 100,
            max_emails_per_day: 10,
            max_follow_ups: 3,
        }
    }
}

impl CampaignLimits {
    pub const MAX_OPPORTUNITIES: std::ops::RangeInclusive<u32> = 1..=10_000;
    pub const MAX_EMAILS_PER_DAY: std::ops::RangeInclusive<u32> = 1..=1_000;
    pub const MAX_FOLLOW_UPS: std::ops::RangeInclusive<u32> = 0..=10;
}

pub fn default_follow_up_days() -> Vec<u32> {
    vec![4, 7, 14]
}

/// What a person may ask of a campaign's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignAction {
    Activate,
    Pause,
    Complete,
}

impl CampaignAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Activate => "activate",
            Self::Pause => "pause",
            Self::Complete => "complete",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a campaign that is {from}")]
pub struct IllegalCampaignTransition {
    pub action: &'static str,
    pub from: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Campaign {
    pub id: CampaignId,
    pub name: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub target_url: Option<WebUrl>,
    pub target_industries: Vec<String>,
    pub content_pillars: Vec<String>,
    pub tone: Tone,
    pub personalization_level: Level,
    pub priority: Level,
    /// Preferred LLM model name; the platform default when absent.
    pub ai_model_preference: Option<String>,
    pub limits: CampaignLimits,
    /// Days after the previous email that each follow-up waits (at most maxFollowUps used).
    #[serde(default = "default_follow_up_days")]
    pub follow_up_delay_days: Vec<u32>,
    /// The follow-up template of each step: the n-th follow-up uses the n-th id; a step with
    /// none uses the built-in short nudge.
    #[serde(default)]
    pub follow_up_template_ids: Vec<TemplateId>,
    /// Follow-ups go without a person reading them first. Off by default: each follow-up's
    /// text waits for approval when it falls due.
    #[serde(default)]
    pub send_follow_ups_unreviewed: bool,
    /// The link-building plan the campaign follows: each draft takes the target page and
    /// anchor of one of the plan's links due by its current month.
    #[serde(default)]
    pub plan_id: Option<PlanId>,
    pub status: CampaignStatus,
    /// Where the campaign's emails are in review (seed 000).
    #[serde(default)]
    pub review_status: super::outreach::ReviewStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub paused_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    /// Incremented on every write; guards against lost updates.
    pub version: u64,
}

impl Campaign {
    /// A draft campaign with seed 003's defaults.
    pub fn new(id: CampaignId, name: String, now: Timestamp) -> Self {
        Campaign {
            id,
            name,
            description: String::new(),
            keywords: vec![],
            target_url: None,
            target_industries: vec![],
            content_pillars: vec![],
            tone: Tone::default(),
            personalization_level: Level::High,
            priority: Level::Medium,
            ai_model_preference: None,
            limits: CampaignLimits::default(),
            follow_up_delay_days: default_follow_up_days(),
            follow_up_template_ids: vec![],
            send_follow_ups_unreviewed: false,
            plan_id: None,
            status: CampaignStatus::Draft,
            review_status: super::outreach::ReviewStatus::Draft,
            created_at: now,
            updated_at: now,
            started_at: None,
            paused_at: None,
            completed_at: None,
            version: 1,
        }
    }

    /// Applies a status action, stamping the time it happened.
    pub fn apply(
        &mut self,
        action: CampaignAction,
        now: Timestamp,
    ) -> Result<(), IllegalCampaignTransition> {
        use CampaignStatus::*;
        let next = match (action, self.status) {
            (CampaignAction::Activate, Draft | Paused) => Active,
            (CampaignAction::Pause, Active) => Paused,
            (CampaignAction::Complete, Active | Paused) => Completed,
            (_, from) => {
                return Err(IllegalCampaignTransition {
                    action: action.as_str(),
                    from: from.as_str(),
                });
            }
        };
        match next {
            Active => {
                self.started_at.get_or_insert(now);
            }
            Paused => self.paused_at = Some(now),
            Completed => self.completed_at = Some(now),
            Draft => {}
        }
        self.status = next;
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn campaign() -> Campaign {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        Campaign::new(CampaignId::from_uuid(Uuid::now_v7()), "c".into(), now)
    }

    #[test]
    fn lifecycle_stamps_times_and_keeps_first_start() {
        let mut c = campaign();
        let t1 = Timestamp::parse("2026-01-02T00:00:00Z").unwrap();
        let t2 = Timestamp::parse("2026-01-03T00:00:00Z").unwrap();
        c.apply(CampaignAction::Activate, t1).unwrap();
        c.apply(CampaignAction::Pause, t2).unwrap();
        c.apply(CampaignAction::Activate, t2).unwrap();
        assert_eq!(c.started_at, Some(t1));
        assert_eq!(c.paused_at, Some(t2));
        c.apply(CampaignAction::Complete, t2).unwrap();
        assert_eq!(c.status, CampaignStatus::Completed);
    }

    #[test]
    fn illegal_transitions_are_refused() {
        let mut c = campaign();
        let now = Timestamp::parse("2026-01-02T00:00:00Z").unwrap();
        let err = c.apply(CampaignAction::Pause, now).unwrap_err();
        assert_eq!(err.to_string(), "cannot pause a campaign that is draft");
        assert!(c.apply(CampaignAction::Complete, now).is_err());
        c.apply(CampaignAction::Activate, now).unwrap();
        c.apply(CampaignAction::Complete, now).unwrap();
        assert!(c.apply(CampaignAction::Activate, now).is_err());
        assert_eq!(c.status, CampaignStatus::Completed);
    }
}
