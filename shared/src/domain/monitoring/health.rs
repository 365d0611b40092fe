//! A link's health over time (issue 15): one check never condemns a link. A worse verdict is
//! confirmed by a second check at least `confirm_after` later before the status moves; a
//! link found well again is live at once; a page that cannot be reached says nothing until it
//! has been unreachable for `unreachable_after`, and then the link is dead for that reason.

use super::codes::{FindingCode, Weight};
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Never judged yet.
    Unknown,
    Live,
    /// The link is there but passes little or no value (nofollowed, noindexed, hidden...).
    Degraded,
    Dead,
}

/// A worse verdict waiting for its confirming check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingVerdict {
    pub status: HealthStatus,
    pub reasons: Vec<FindingCode>,
    pub first_seen: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkHealth {
    pub status: HealthStatus,
    /// What the status rests on: the confirmed findings that made it (for a live link, the
    /// notices worth telling, such as a changed anchor).
    pub reasons: Vec<FindingCode>,
    /// When the status took effect.
    pub since: Option<Timestamp>,
    pub pending: Option<PendingVerdict>,
    /// Since when every check has found the page unreachable.
    pub unreachable_since: Option<Timestamp>,
    pub last_checked_at: Option<Timestamp>,
    /// When the link is next due a check: the confirmation of a pending verdict, else the
    /// regular recheck.
    #[serde(default)]
    pub next_due: Option<Timestamp>,
    /// Whether the search engine has the page, when an index checker said so (null:
    /// unknown, never guessed).
    #[serde(default)]
    pub indexed: Option<bool>,
    /// When the index checker last answered.
    #[serde(default)]
    pub index_checked_at: Option<Timestamp>,
}

impl Default for LinkHealth {
    fn default() -> Self {
        Self {
            status: HealthStatus::Unknown,
            reasons: Vec::new(),
            since: None,
            pending: None,
            unreachable_since: None,
            last_checked_at: None,
            next_due: None,
            indexed: None,
            index_checked_at: None,
        }
    }
}

/// How long a worse verdict and an unreachable page wait before they count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthPolicy {
    pub confirm_after_secs: i64,
    pub unreachable_after_secs: i64,
    /// How long after a check a link is due again.
    pub recheck_after_secs: i64,
}

impl Default for HealthPolicy {
    /// Six hours to confirm (the figure: long enough for a deploy, a cache purge or a
    /// moderator to put a page back), fourteen days of unreachability, and a recheck a little
    /// under a day later, so a daily sweep never skips a link checked slightly later the day
    /// before.
    fn default() -> Self {
        Self {
            confirm_after_secs: 6 * 3_600,
            unreachable_after_secs: 14 * 86_400,
            recheck_after_secs: 20 * 3_600,
        }
    }
}

/// A status change, for the link's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthChange {
    pub from: HealthStatus,
    pub to: HealthStatus,
    pub reasons: Vec<FindingCode>,
    pub at: Timestamp,
}

/// The verdict one check's findings give, and the findings it rests on.
pub fn verdict(findings: &[FindingCode]) -> (HealthStatus, Vec<FindingCode>) {
    let of = |w: Weight| -> Vec<FindingCode> {
        let mut codes: Vec<FindingCode> = findings
            .iter()
            .copied()
            .filter(|f| f.weight() == w)
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    let (fatal, degrading, notices) =
        (of(Weight::Fatal), of(Weight::Degrading), of(Weight::Notice));
    if !fatal.is_empty() {
        (HealthStatus::Dead, fatal)
    } else if !degrading.is_empty() {
        (HealthStatus::Degraded, degrading)
    } else {
        (HealthStatus::Live, notices)
    }
}

impl LinkHealth {
    /// Takes one check's findings at `at`; answers the status change, if the check made one.
    pub fn observe(
        &mut self,
        findings: &[FindingCode],
        at: Timestamp,
        policy: &HealthPolicy,
    ) -> Option<HealthChange> {
        let change = self.judge(findings, at, policy);
        self.next_due = Some(match &self.pending {
            Some(p) => p.first_seen.plus_seconds(policy.confirm_after_secs),
            None => at.plus_seconds(policy.recheck_after_secs),
        });
        change
    }

    fn judge(
        &mut self,
        findings: &[FindingCode],
        at: Timestamp,
        policy: &HealthPolicy,
    ) -> Option<HealthChange> {
        self.last_checked_at = Some(at);
        if findings.contains(&FindingCode::Unreachable) {
            let since = *self.unreachable_since.get_or_insert(at);
            let long = at.epoch_seconds() - since.epoch_seconds() >= policy.unreachable_after_secs;
            if long && self.status != HealthStatus::Dead {
                self.pending = None;
                return Some(self.become_(HealthStatus::Dead, vec![FindingCode::Unreachable], at));
            }
            return None;
        }
        self.unreachable_since = None;
        let (to, reasons) = verdict(findings);
        if to == self.status {
            self.pending = None;
            self.reasons = reasons;
            return None;
        }
        // Better news counts at once, and so does a first look that finds the link (its rel
        // is what it is from the start); only a loss, or a worse turn of a known link,
        // waits for its confirmation.
        let first_sight = self.status == HealthStatus::Unknown && to != HealthStatus::Dead;
        if to < self.status || first_sight {
            self.pending = None;
            return Some(self.become_(to, reasons, at));
        }
        match &self.pending {
            Some(p)
                if p.status == to
                    && at.epoch_seconds() - p.first_seen.epoch_seconds()
                        >= policy.confirm_after_secs =>
            {
                self.pending = None;
                Some(self.become_(to, reasons, at))
            }
            Some(p) if p.status == to => None,
            _ => {
                self.pending = Some(PendingVerdict {
                    status: to,
                    reasons,
                    first_seen: at,
                });
                None
            }
        }
    }

    fn become_(
        &mut self,
        to: HealthStatus,
        reasons: Vec<FindingCode>,
        at: Timestamp,
    ) -> HealthChange {
        let from = self.status;
        self.status = to;
        self.reasons = reasons.clone();
        self.since = Some(at);
        HealthChange {
            from,
            to,
            reasons,
            at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FindingCode::*;
    use super::*;

    fn t(hours: i64) -> Timestamp {
        Timestamp::from_epoch_seconds(1_780_000_000 + hours * 3_600).unwrap()
    }

    fn live() -> LinkHealth {
        let mut h = LinkHealth::default();
        h.observe(&[], t(0), &HealthPolicy::default());
        h
    }

    #[test]
    fn a_first_good_check_is_live_at_once_and_notices_ride_along() {
        let mut h = LinkHealth::default();
        let change = h
            .observe(&[AnchorChanged], t(0), &HealthPolicy::default())
            .unwrap();
        assert_eq!(
            (change.from, change.to),
            (HealthStatus::Unknown, HealthStatus::Live)
        );
        assert_eq!(h.reasons, [AnchorChanged]);
    }

    #[test]
    fn a_loss_is_confirmed_six_hours_later_before_the_link_is_dead() {
        let p = HealthPolicy::default();
        let mut h = live();
        assert_eq!(h.observe(&[LinkRemoved, Nofollow], t(1), &p), None);
        assert_eq!(h.status, HealthStatus::Live);
        assert_eq!(h.pending.as_ref().unwrap().reasons, [LinkRemoved]);
        assert_eq!(h.next_due, Some(t(7)), "due again when it can be confirmed");
        assert_eq!(h.observe(&[LinkRemoved], t(5), &p), None, "too soon");
        let change = h.observe(&[LinkRemoved], t(7), &p).unwrap();
        assert_eq!(
            (change.to, change.reasons.clone(), change.at),
            (HealthStatus::Dead, vec![LinkRemoved], t(7))
        );
        assert_eq!(h.since, Some(t(7)));
        // It comes back: live at once.
        let back = h.observe(&[], t(30), &p).unwrap();
        assert_eq!(
            (back.from, back.to),
            (HealthStatus::Dead, HealthStatus::Live)
        );
    }

    #[test]
    fn a_link_that_flaps_once_is_never_reported_dead() {
        let p = HealthPolicy::default();
        let mut h = live();
        h.observe(&[PageGone], t(1), &p);
        assert_eq!(h.observe(&[], t(8), &p), None);
        assert_eq!((h.status, h.pending.clone()), (HealthStatus::Live, None));
        // A new loss starts its own wait.
        h.observe(&[PageGone], t(9), &p);
        assert_eq!(h.observe(&[PageGone], t(10), &p), None);
    }

    #[test]
    fn degradation_is_confirmed_too_and_death_outranks_it() {
        let p = HealthPolicy::default();
        let mut h = live();
        h.observe(&[Noindex], t(1), &p);
        let change = h.observe(&[Noindex, Nofollow], t(8), &p).unwrap();
        assert_eq!(
            (change.to, change.reasons),
            (HealthStatus::Degraded, vec![Nofollow, Noindex])
        );
        // A different worse verdict restarts the wait.
        h.observe(&[Soft404], t(9), &p);
        assert_eq!(h.pending.as_ref().unwrap().status, HealthStatus::Dead);
        assert!(h.observe(&[Soft404], t(16), &p).is_some());
    }

    #[test]
    fn unreachable_never_counts_until_fourteen_days() {
        let p = HealthPolicy::default();
        let mut h = live();
        for hour in [1, 30, 200] {
            assert_eq!(h.observe(&[Unreachable], t(hour), &p), None);
        }
        assert_eq!(h.status, HealthStatus::Live);
        let change = h.observe(&[Unreachable], t(1 + 14 * 24), &p).unwrap();
        assert_eq!(
            (change.to, change.reasons),
            (HealthStatus::Dead, vec![Unreachable])
        );
        // A reachable page between resets the clock.
        let mut h = live();
        h.observe(&[Unreachable], t(1), &p);
        h.observe(&[], t(100), &p);
        assert_eq!(h.observe(&[Unreachable], t(1 + 14 * 24), &p), None);
    }
}
