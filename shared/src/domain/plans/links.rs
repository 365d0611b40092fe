//! A plan's planned links (the seed's SAGBacklink, §3.1): the kinds of link, and the
//! lifecycle a planned link moves through from planning to placement and monitoring.

use super::anchors::AnchorType;
use super::quality::QualityScore;
use super::tiers::Tier;
use crate::domain::ids::{BacklinkId, PlanId, PlannedLinkId};
use crate::domain::time::Timestamp;
use crate::domain::web::{DomainName, WebUrl};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// How a link is won (§3.1 `link_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkType {
    GuestPost,
    NicheEdit,
    PrDistribution,
    Directory,
    ResourcePage,
    BrokenLink,
    Haro,
}

/// Where a planned link is in its life (§3.1 `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlannedLinkStatus {
    /// In the plan; nobody has bought or pitched it yet.
    Planned,
    /// Bought, or agreed with a site, and waiting to go live.
    Ordered,
    /// Found on its source page.
    Live,
    /// Was live and is gone (removed, 404, nofollowed away).
    Dead,
    /// Dead, and another planned link now stands in for it.
    Replaced,
    /// Dropped: the source refused, or the team decided against it.
    Rejected,
}

impl PlannedLinkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Ordered => "ordered",
            Self::Live => "live",
            Self::Dead => "dead",
            Self::Replaced => "replaced",
            Self::Rejected => "rejected",
        }
    }

    /// The moves §3.1's lifecycle allows: planned → ordered → live → dead → replaced, a
    /// dead link found again goes back to live, and any link not yet live can be rejected.
    /// A planned link can go straight to live (an outreach win nobody bought).
    pub fn can_move_to(self, to: Self) -> bool {
        use PlannedLinkStatus::*;
        matches!(
            (self, to),
            (Planned, Ordered | Live | Rejected)
                | (Ordered, Live | Rejected | Planned)
                | (Live, Dead)
                | (Dead, Live | Replaced)
        )
    }

    /// Whether its page is worth fetching: bought or won, or lost and perhaps back.
    pub fn link_checked(self) -> bool {
        matches!(
            self,
            PlannedLinkStatus::Ordered | PlannedLinkStatus::Live | PlannedLinkStatus::Dead
        )
    }

    /// Whether the link still counts toward the plan's targets (it is not dropped or
    /// stood in for).
    pub fn counts(self) -> bool {
        !matches!(self, Self::Rejected | Self::Replaced)
    }
}

/// A move past the quality threshold someone chose to make: who, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdOverride {
    pub by: String,
    pub at: Timestamp,
    pub reason: String,
}

/// One link a plan expects (the seed's SAGBacklink).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlannedLink {
    pub id: PlannedLinkId,
    pub plan_id: PlanId,
    /// The plan month it is scheduled in (1-based).
    pub month: u32,
    pub target_url: WebUrl,
    pub target_tier: Tier,
    pub anchor_text: String,
    pub anchor_type: AnchorType,
    /// Unknown until someone decides how to win it.
    pub link_type: Option<LinkType>,
    pub source_domain: Option<DomainName>,
    pub source_url: Option<WebUrl>,
    /// The page that carries (or will carry) the link: what its checks fetch.
    #[serde(default)]
    pub placement_url: Option<WebUrl>,
    pub source_dr: Option<u8>,
    pub source_traffic: Option<u64>,
    /// Where it is bought: fatgrid, prnews, ein, linking_news, manual, or another name.
    pub marketplace: Option<String>,
    /// US dollars paid or agreed.
    pub cost_usd: Option<f64>,
    /// The source's quality score and its breakdown, against the plan's market.
    pub quality: Option<QualityScore>,
    pub country_relevant: bool,
    pub status: PlannedLinkStatus,
    pub date_ordered: Option<Timestamp>,
    pub date_live: Option<Timestamp>,
    pub date_last_checked: Option<Timestamp>,
    /// Set when the link was ordered below its market's quality threshold.
    pub threshold_override: Option<ThresholdOverride>,
    /// The outreach backlink that won (or is winning) this link.
    pub backlink_id: Option<BacklinkId>,
    /// The link's confirmed health, once checked.
    #[serde(default)]
    pub link_health: Option<crate::domain::monitoring::health::LinkHealth>,
    /// The lost link this one stands in for, drawn from its month's replacement reserve.
    #[serde(default)]
    pub replaces: Option<PlannedLinkId>,
    /// The link that stands in for this lost one, once it went live.
    #[serde(default)]
    pub replaced_by: Option<PlannedLinkId>,
    pub notes: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkMoveError {
    #[error("a planned link that is {from} cannot become {to}")]
    Illegal {
        from: &'static str,
        to: &'static str,
    },
    #[error(
        "its source scores {score}/11, under the {threshold}/11 this market asks for: order \
         it with `overrideThreshold` and a reason to record the decision"
    )]
    BelowThreshold { score: u8, threshold: u8 },
    #[error(
        "its source has no quality score yet: score it (scoreOpportunity) or order it with `overrideThreshold` and a reason"
    )]
    Unscored,
}

/// Where a new planned link points, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkTarget {
    pub month: u32,
    pub url: WebUrl,
    pub tier: Tier,
    pub anchor_text: String,
    pub anchor_type: AnchorType,
}

impl PlannedLink {
    /// Whether the link counts toward the plan's targets: not dropped or stood in for, and
    /// for a replacement, only once it is live (until then the lost link it replaces counts).
    pub fn counts(&self) -> bool {
        self.status.counts()
            && (self.replaces.is_none()
                || matches!(
                    self.status,
                    PlannedLinkStatus::Live | PlannedLinkStatus::Dead
                ))
    }

    /// A link still to be won: planned, with nothing known of its source.
    pub fn planned(id: PlannedLinkId, plan_id: PlanId, to: LinkTarget, now: Timestamp) -> Self {
        Self {
            id,
            plan_id,
            month: to.month,
            target_url: to.url,
            target_tier: to.tier,
            anchor_text: to.anchor_text,
            anchor_type: to.anchor_type,
            link_type: None,
            source_domain: None,
            source_url: None,
            placement_url: None,
            source_dr: None,
            source_traffic: None,
            marketplace: None,
            cost_usd: None,
            quality: None,
            country_relevant: true,
            status: PlannedLinkStatus::Planned,
            date_ordered: None,
            date_live: None,
            date_last_checked: None,
            threshold_override: None,
            backlink_id: None,
            link_health: None,
            replaces: None,
            replaced_by: None,
            notes: String::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// Moves the link to `to` at `now`, stamping the dates the move sets. Ordering needs a
    /// source that meets the market's threshold, unless `allow` records who overrode it.
    pub fn move_to(
        &mut self,
        to: PlannedLinkStatus,
        now: Timestamp,
        allow: Option<ThresholdOverride>,
    ) -> Result<(), LinkMoveError> {
        if !self.status.can_move_to(to) {
            return Err(LinkMoveError::Illegal {
                from: self.status.as_str(),
                to: to.as_str(),
            });
        }
        if to == PlannedLinkStatus::Ordered {
            match (&self.quality, allow) {
                (_, Some(allow)) => self.threshold_override = Some(allow),
                (Some(q), None) if q.meets_threshold => {}
                (Some(q), None) => {
                    return Err(LinkMoveError::BelowThreshold {
                        score: q.score,
                        threshold: q.threshold,
                    });
                }
                (None, None) => return Err(LinkMoveError::Unscored),
            }
            self.date_ordered = Some(now);
        }
        if to == PlannedLinkStatus::Live {
            self.date_live = Some(now);
            self.date_last_checked = Some(now);
        }
        if to == PlannedLinkStatus::Dead {
            self.date_last_checked = Some(now);
        }
        self.status = to;
        Ok(())
    }
}

/// How many of the links that still count take each anchor type: what the bands are
/// checked on.
pub fn anchor_counts(links: &[PlannedLink]) -> BTreeMap<AnchorType, u32> {
    let mut counts = BTreeMap::new();
    for link in links.iter().filter(|l| l.counts()) {
        *counts.entry(link.anchor_type).or_default() += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::PlannedLinkStatus::*;

    #[test]
    fn the_lifecycle_moves_forward_and_rejects_only_before_live() {
        assert!(Planned.can_move_to(Ordered) && Ordered.can_move_to(Live));
        assert!(Live.can_move_to(Dead) && Dead.can_move_to(Replaced) && Dead.can_move_to(Live));
        assert!(Planned.can_move_to(Rejected) && Ordered.can_move_to(Rejected));
        for (from, to) in [
            (Live, Rejected),
            (Live, Planned),
            (Replaced, Live),
            (Rejected, Planned),
            (Planned, Dead),
            (Planned, Planned),
        ] {
            assert!(!from.can_move_to(to), "{from:?} -> {to:?}");
        }
        assert!(!Replaced.counts() && !Rejected.counts() && Dead.counts());
    }
}
