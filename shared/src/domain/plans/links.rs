//! A plan's planned links (the seed's SAGBacklink, §3.1): the kinds of link, and the
//! lifecycle a planned link moves through from planning to placement and monitoring.

use serde::{Deserialize, Serialize};
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

    /// Whether the link still counts toward the plan's targets (it is not dropped or
    /// stood in for).
    pub fn counts(self) -> bool {
        !matches!(self, Self::Rejected | Self::Replaced)
    }
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
