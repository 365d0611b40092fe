//! A stored plan (the seed's SAGCampaign, §3.1) and its status: draft → active ⇄ paused →
//! completed.

use super::country::{CountryCode, CountryProfile, Span};
use super::generate::{Explanation, PlanMonth};
use crate::domain::ids::{PlanId, SiteId};
use crate::domain::outreach::Generation;
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Active,
    Paused,
    Completed,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Completed => "completed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanAction {
    Activate,
    Pause,
    Complete,
}

impl PlanAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activate => "activate",
            Self::Pause => "pause",
            Self::Complete => "complete",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a plan that is {from}")]
pub struct IllegalPlanTransition {
    pub action: &'static str,
    pub from: &'static str,
}

/// What the LLM's refinement of a plan's anchors did (generatePlan `refineAnchors`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnchorRefinement {
    /// All calls together: tokens, cost and time summed; the first call's prompt.
    pub generation: Generation,
    pub pages_refined: u32,
    /// Anchor types whose answer failed a check and kept the drafted texts.
    pub types_kept: u32,
}

/// A plan's own fields; its months, tiers, anchors and links are stored beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanHead {
    pub id: PlanId,
    pub site_id: SiteId,
    pub country_code: CountryCode,
    pub status: PlanStatus,
    pub brand: String,
    pub total_links_target: u32,
    /// US dollars, links and replacement reserve together.
    pub budget_estimate_min: u32,
    pub budget_estimate_max: u32,
    pub cost_per_link_usd: Span,
    pub timeline_months: u32,
    pub long_form_words: u32,
    /// The market's profile as it was when the plan was made (seed key decision 2).
    pub country_profile: CountryProfile,
    /// The months' targets, reserve and budget; each month's pages are read from its links.
    pub monthly_plan: Vec<PlanMonth>,
    pub explain: Vec<Explanation>,
    /// Set when the LLM refined the anchor variants.
    #[serde(default)]
    pub anchor_refinement: Option<AnchorRefinement>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the plan was first activated: month 1 starts here.
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub version: u64,
}

impl PlanHead {
    pub fn apply(
        &mut self,
        action: PlanAction,
        now: Timestamp,
    ) -> Result<(), IllegalPlanTransition> {
        use PlanStatus::*;
        let to = match (action, self.status) {
            (PlanAction::Activate, Draft | Paused) => Active,
            (PlanAction::Pause, Active) => Paused,
            (PlanAction::Complete, Active | Paused) => Completed,
            (action, from) => {
                return Err(IllegalPlanTransition {
                    action: action.as_str(),
                    from: from.as_str(),
                });
            }
        };
        if to == Active && self.started_at.is_none() {
            self.started_at = Some(now);
        }
        if to == Completed {
            self.completed_at = Some(now);
        }
        self.status = to;
        Ok(())
    }

    /// The plan month a moment falls in (1-based, capped at the last month); month 1 until
    /// the plan starts.
    pub fn month_at(&self, at: Timestamp) -> u32 {
        let Some(start) = self.started_at else {
            return 1;
        };
        let start = start.datetime();
        let at = at.datetime();
        use chrono::Datelike;
        let months = (at.year() - start.year()) * 12 + at.month() as i32
            - start.month() as i32
            - i32::from(at.day() < start.day());
        (months.max(0) as u32 + 1).min(self.timeline_months.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plans::CountryCode;

    fn head() -> PlanHead {
        let now = Timestamp::from_epoch_seconds(1_767_225_600).unwrap(); // 2026-01-01
        PlanHead {
            id: PlanId::parse("plan_0192f0c0c0c07000800000000000000a").unwrap(),
            site_id: SiteId::parse("site_0192f0c0c0c07000800000000000000a").unwrap(),
            country_code: CountryCode::Uk,
            status: PlanStatus::Draft,
            brand: "Acme".into(),
            total_links_target: 10,
            budget_estimate_min: 1,
            budget_estimate_max: 2,
            cost_per_link_usd: Span::new(1, 2),
            timeline_months: 14,
            long_form_words: 3000,
            country_profile: *CountryCode::Uk.profile(),
            monthly_plan: Vec::new(),
            explain: Vec::new(),
            anchor_refinement: None,
            created_at: now,
            updated_at: now,
            started_at: None,
            completed_at: None,
            version: 1,
        }
    }

    #[test]
    fn status_moves_and_start_is_kept_across_pauses() {
        let t0 = Timestamp::from_epoch_seconds(1_767_225_600).unwrap();
        let t1 = t0.plus_seconds(86_400 * 40);
        let mut plan = head();
        assert!(plan.apply(PlanAction::Pause, t0).is_err());
        plan.apply(PlanAction::Activate, t0).unwrap();
        plan.apply(PlanAction::Pause, t1).unwrap();
        plan.apply(PlanAction::Activate, t1).unwrap();
        assert_eq!(plan.started_at, Some(t0));
        plan.apply(PlanAction::Complete, t1).unwrap();
        let err = plan.apply(PlanAction::Activate, t1).unwrap_err();
        assert_eq!(err.to_string(), "cannot activate a plan that is completed");
    }

    #[test]
    fn months_count_from_the_start_and_stop_at_the_last() {
        let t0 = Timestamp::from_epoch_seconds(1_767_225_600).unwrap();
        let mut plan = head();
        assert_eq!(plan.month_at(t0), 1);
        plan.apply(PlanAction::Activate, t0).unwrap();
        assert_eq!(plan.month_at(t0.plus_seconds(86_400 * 30)), 1);
        assert_eq!(plan.month_at(t0.plus_seconds(86_400 * 31)), 2);
        assert_eq!(plan.month_at(t0.plus_seconds(86_400 * 3650)), 14);
    }
}
