//! The competitor gap (issue 16): referring domains that link to at least `min_competitors`
//! of the competitors and not to the tenant's own site, best first. The score, 0-100:
//!
//! `40 x intersect (competitors linked / competitors asked) + 25 x authority (best/100,
//!  unknown 0) + 15 x recency (first seen within 90 days) + 10 x editorial (content links /
//!  content and sitewide links, unknown 0.5) + 10 x dofollow share (unknown 0.5)`.
//!
//! An export that gives no dofollow counts leaves the share unknown.
//!
//! An unknown authority counts nothing rather than a guess; unknown placement and rel count
//! half, as a coin toss would.

use super::exports::{Authority, DomainStats};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

pub const FORMULA: &str = "40 x intersect (competitors linked / competitors asked) + 25 x \
    authority (best/100, unknown 0) + 15 x recency (first seen within 90 days) + 10 x editorial \
    (content / content and sitewide links, unknown 0.5) + 10 x dofollow share (unknown 0.5)";
/// How recent a first sighting counts as recent.
pub const RECENT_DAYS: i64 = 90;

/// What the gap is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapQuery {
    /// The competitors' domains (at most 10).
    pub competitors: Vec<String>,
    pub min_competitors: usize,
    /// The day recency counts back from.
    pub today: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GapDomain {
    pub domain: String,
    /// The competitors it links to.
    pub competitors: Vec<String>,
    /// The best authority any export gives it, with its metric.
    #[schema(value_type = Option<Object>)]
    pub best_authority: Option<Authority>,
    pub best_traffic: Option<u64>,
    pub first_seen: Option<NaiveDate>,
    /// 0-100, `FORMULA`.
    pub score: f64,
}

/// One referring domain's gap entry from what each export says of it (`own` for the
/// tenant's site, else the competitor's domain); None when it is no gap.
pub fn entry(
    domain: &str,
    links: &[(&str, &DomainStats)],
    own: &str,
    query: &GapQuery,
) -> Option<GapDomain> {
    let live = |s: &DomainStats| s.links > 0;
    if links.iter().any(|(source, s)| *source == own && live(s)) {
        return None;
    }
    let mut competitors: Vec<String> = links
        .iter()
        .filter(|(source, s)| live(s) && query.competitors.iter().any(|c| c == source))
        .map(|(source, _)| source.to_string())
        .collect();
    competitors.sort();
    competitors.dedup();
    if competitors.len() < query.min_competitors.max(1) {
        return None;
    }
    let stats: Vec<&DomainStats> = links.iter().map(|(_, s)| *s).collect();
    let best_authority = stats
        .iter()
        .filter_map(|s| s.best_authority)
        .max_by_key(|a| a.score);
    let best_traffic = stats.iter().filter_map(|s| s.best_traffic).max();
    let first_seen = stats.iter().filter_map(|s| s.first_seen).min();
    let sum = |f: fn(&DomainStats) -> u64| stats.iter().map(|s| f(s)).sum::<u64>();
    let (links_total, dofollow) = (sum(|s| s.links), sum(|s| s.dofollow_links));
    let (content, sitewide) = (sum(|s| s.content_links), sum(|s| s.sitewide_links));
    let share = |part: u64, whole: u64| {
        if whole == 0 {
            0.5
        } else {
            part as f64 / whole as f64
        }
    };
    let intersect = competitors.len() as f64 / query.competitors.len().max(1) as f64;
    let authority = best_authority.map_or(0.0, |a| f64::from(a.score) / 100.0);
    let recent = if first_seen.is_some_and(|d| (query.today - d).num_days() <= RECENT_DAYS) {
        1.0
    } else {
        0.0
    };
    let editorial = share(content, content + sitewide);
    // Exports that give no dofollow count leave it unknown (half), as for placement.
    let dofollow_share = if dofollow == 0 {
        0.5
    } else {
        share(dofollow, links_total)
    };
    let score = 40.0 * intersect
        + 25.0 * authority
        + 15.0 * recent
        + 10.0 * editorial
        + 10.0 * dofollow_share;
    Some(GapDomain {
        domain: domain.to_string(),
        competitors,
        best_authority,
        best_traffic,
        first_seen,
        score: (score * 10.0).round() / 10.0,
    })
}

/// Orders gap entries best first (ties by domain, so the order is stable).
pub fn rank(mut entries: Vec<GapDomain>) -> Vec<GapDomain> {
    entries.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.domain.cmp(&b.domain))
    });
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::opportunities::exports::AuthorityMetric;

    fn stats(
        links: u64,
        dr: Option<u8>,
        first_seen: &str,
        content: u64,
        dofollow: u64,
    ) -> DomainStats {
        let mut s = DomainStats::default();
        s.links = links;
        s.best_authority = dr.map(|score| Authority {
            metric: AuthorityMetric::AhrefsDomainRating,
            score,
        });
        s.first_seen = NaiveDate::parse_from_str(first_seen, "%Y-%m-%d").ok();
        s.content_links = content;
        s.dofollow_links = dofollow;
        s
    }

    #[test]
    fn domains_linking_to_enough_competitors_and_not_to_us_rank_by_score() {
        let query = GapQuery {
            competitors: vec!["a.com".into(), "b.com".into(), "c.com".into()],
            min_competitors: 2,
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        };
        let (x, y, z) = (
            stats(3, Some(80), "2026-11-01", 3, 3),
            stats(1, Some(40), "2025-01-01", 0, 0),
            stats(1, None, "2026-11-20", 1, 1),
        );
        let all_three = entry(
            "news.example",
            &[("a.com", &x), ("b.com", &x), ("c.com", &x)],
            "us.com",
            &query,
        )
        .unwrap();
        // 40 + 25 x 0.8 + 15 + 10 x 1 + 10 x 1 = 95.
        assert_eq!(all_three.score, 95.0);
        assert_eq!(all_three.competitors, vec!["a.com", "b.com", "c.com"]);
        let two = entry(
            "blog.example",
            &[("a.com", &y), ("c.com", &z)],
            "us.com",
            &query,
        )
        .unwrap();
        // 40 x 2/3 + 25 x 0.4 + 0 (its first link, to a.com, is old) + 10 x (1/1) + 10 x (1/2).
        assert_eq!(two.score, 51.7);
        assert!(
            entry("one.example", &[("a.com", &x)], "us.com", &query).is_none(),
            "one competitor"
        );
        assert!(
            entry(
                "ours.example",
                &[("a.com", &x), ("b.com", &x), ("us.com", &y)],
                "us.com",
                &query
            )
            .is_none(),
            "it links to us already"
        );
        let lost = DomainStats::default();
        assert!(
            entry(
                "gone.example",
                &[("a.com", &x), ("b.com", &lost)],
                "us.com",
                &query
            )
            .is_none(),
            "a lost link is no link"
        );
        let ranked = rank(vec![two.clone(), all_three.clone()]);
        assert_eq!(ranked[0].domain, "news.example");
    }
}
