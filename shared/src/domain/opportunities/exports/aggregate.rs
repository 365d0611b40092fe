//! Rows folded into one entry per referring domain, as the gap computation needs them. The
//! map grows with unique domains only, so a million-row export costs what its few thousand
//! domains do.

use super::{Authority, ExportRow, Placement};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Targets tracked per domain: one bit each. An export names one site, or a handful in an
/// intersect report; targets past this many are not tracked.
const MAX_TARGETS: usize = 64;

/// One referring domain's links. Counts are of live links (not lost), weighted by how many
/// links a row stands for; authority, traffic and dates look at every row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainStats {
    pub links: u64,
    pub lost_links: u64,
    pub dofollow_links: u64,
    pub content_links: u64,
    pub sitewide_links: u64,
    pub best_authority: Option<Authority>,
    pub best_traffic: Option<u64>,
    pub first_seen: Option<NaiveDate>,
    pub last_seen: Option<NaiveDate>,
    #[serde(skip)]
    targets: u64,
}

#[derive(Debug, Default)]
pub struct DomainAggregate {
    domains: HashMap<String, DomainStats>,
    targets: Vec<String>,
}

impl DomainAggregate {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, row: &ExportRow) {
        let target = row
            .target_domain
            .as_deref()
            .and_then(|t| self.target_bit(t));
        let stats = match self.domains.get_mut(&row.referring_domain) {
            Some(stats) => stats,
            None => self
                .domains
                .entry(row.referring_domain.clone())
                .or_default(),
        };
        let links = u64::from(row.links);
        if row.lost {
            stats.lost_links += links;
        } else {
            stats.links += links;
            stats.dofollow_links += u64::from(row.dofollow_links.unwrap_or(0));
            match row.placement {
                Some(Placement::Content) => stats.content_links += links,
                Some(Placement::Sitewide) => stats.sitewide_links += links,
                Some(Placement::Other) | None => {}
            }
            stats.targets |= target.unwrap_or(0);
        }
        if let Some(authority) = row.authority
            && stats
                .best_authority
                .is_none_or(|best| authority.score > best.score)
        {
            stats.best_authority = Some(authority);
        }
        stats.best_traffic = stats.best_traffic.max(row.traffic);
        stats.first_seen = earliest(stats.first_seen, row.first_seen);
        stats.last_seen = stats.last_seen.max(row.last_seen);
    }

    fn target_bit(&mut self, target: &str) -> Option<u64> {
        let i = match self.targets.iter().position(|t| t == target) {
            Some(i) => i,
            None if self.targets.len() < MAX_TARGETS => {
                self.targets.push(target.to_string());
                self.targets.len() - 1
            }
            None => return None,
        };
        Some(1 << i)
    }

    pub fn len(&self) -> usize {
        self.domains.len()
    }

    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
    }

    pub fn get(&self, domain: &str) -> Option<&DomainStats> {
        self.domains.get(domain)
    }

    /// The target domains `stats` has live links to, in the order first seen.
    pub fn targets_of<'a>(&'a self, stats: &DomainStats) -> Vec<&'a str> {
        self.targets
            .iter()
            .enumerate()
            .filter(|(i, _)| stats.targets & (1 << i) != 0)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &DomainStats)> {
        self.domains.iter().map(|(d, s)| (d.as_str(), s))
    }
}

fn earliest(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AuthorityMetric, Rel};
    use super::*;

    fn row(domain: &str, target: &str) -> ExportRow {
        ExportRow {
            target_domain: Some(target.into()),
            ..ExportRow::bare(2, None, domain)
        }
    }

    #[test]
    fn a_domain_keeps_counts_bests_and_its_dates() {
        let date = |d| NaiveDate::from_ymd_opt(2024, 1, d);
        let dr = |score| Authority {
            metric: AuthorityMetric::AhrefsDomainRating,
            score,
        };
        let mut aggregate = DomainAggregate::new();
        let rel = Rel::default();
        aggregate.add(&ExportRow {
            authority: Some(dr(40)),
            traffic: Some(900),
            rel: Some(rel),
            dofollow_links: Some(1),
            placement: Some(Placement::Content),
            first_seen: date(5),
            last_seen: date(20),
            ..row("a.com", "rival.com")
        });
        aggregate.add(&ExportRow {
            authority: Some(dr(55)),
            traffic: Some(100),
            links: 3,
            dofollow_links: Some(0),
            placement: Some(Placement::Sitewide),
            first_seen: date(2),
            ..row("a.com", "other.com")
        });
        aggregate.add(&ExportRow {
            lost: true,
            last_seen: date(25),
            ..row("a.com", "third.com")
        });
        aggregate.add(&row("b.org", "rival.com"));
        assert_eq!(aggregate.len(), 2);
        let a = aggregate.get("a.com").unwrap();
        assert_eq!(
            (a.links, a.lost_links, a.dofollow_links),
            (4, 1, 1),
            "lost links are counted apart"
        );
        assert_eq!((a.content_links, a.sitewide_links), (1, 3));
        assert_eq!(a.best_authority, Some(dr(55)));
        assert_eq!(a.best_traffic, Some(900));
        assert_eq!((a.first_seen, a.last_seen), (date(2), date(25)));
        assert_eq!(aggregate.targets_of(a), ["rival.com", "other.com"]);
        let b = aggregate.get("b.org").unwrap();
        assert_eq!(aggregate.targets_of(b), ["rival.com"]);
    }
}
