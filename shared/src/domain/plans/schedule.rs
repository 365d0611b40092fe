//! The order a plan's links go out in (seed 002 §2.4 steps 7-8): pages by priority, each
//! page's links spread evenly over the plan, and anchor types spread evenly over the links.

use super::anchors::AnchorType;
use super::tiers::PlanPage;
use std::cmp::Reverse;

/// The order pages are served in (§2.4 step 7, "by priority (keyword difficulty, search
/// volume, commercial value)"): the tenant's commercial value first (unknown counts as
/// none), then the page's search volume (its keywords' total), then its mean keyword
/// difficulty, easier first (a page that can rank soon shows the plan working), unknown
/// last; the URL breaks ties. Returns indexes into `pages`.
pub fn priority_order(pages: &[&PlanPage]) -> Vec<usize> {
    let key = |p: &PlanPage| {
        let volume: u64 = p.keywords.iter().map(|k| u64::from(k.volume)).sum();
        let known: Vec<u64> = p
            .keywords
            .iter()
            .filter_map(|k| k.difficulty.map(u64::from))
            .collect();
        // Mean difficulty in hundredths; no known difficulty sorts after every known one.
        let difficulty = match known.len() as u64 {
            0 => u64::MAX,
            n => known.iter().sum::<u64>() * 100 / n,
        };
        (
            Reverse(p.commercial_value.unwrap_or(0)),
            Reverse(volume),
            difficulty,
        )
    };
    let mut order: Vec<usize> = (0..pages.len()).collect();
    // Each key once: thousands of blog articles sort in one tier.
    order.sort_by_cached_key(|&i| (key(pages[i]), pages[i].url.as_str()));
    order
}

/// The sequence of a plan's links: `counts[i]` links for page `i`, pages given in priority
/// order. Page `i`'s `j`-th link sits at `j / counts[i]` of the way through the plan, so
/// every page's links are evenly spaced; links at the same point go in priority order.
/// Every page's first link therefore comes first, the most important page leading, and a
/// page with many links (the homepage) gets them all the way through, never in one burst.
pub fn spread(counts: &[u32]) -> Vec<usize> {
    let mut slots: Vec<(u64, u64, usize)> = counts
        .iter()
        .enumerate()
        .flat_map(|(page, &n)| (0..n).map(move |j| (u64::from(j), u64::from(n), page)))
        .collect();
    slots.sort_by(|a, b| {
        // j1/n1 against j2/n2 without division.
        (a.0 * b.1)
            .cmp(&(b.0 * a.1))
            .then(a.2.cmp(&b.2))
            .then(a.0.cmp(&b.0))
    });
    slots.into_iter().map(|(_, _, page)| page).collect()
}

/// Anchor types for `n` links in sequence, each type taking exactly its count (the counts
/// add up to `n`) and spread evenly: smooth weighted round robin, which gives each link to
/// the type furthest behind its share so far (ties to the earlier type in `counts`). Spread
/// over a sequence that itself interleaves pages, each page gets a mix near the plan's.
pub fn anchor_sequence(counts: &[(AnchorType, u32)]) -> Vec<AnchorType> {
    let n: i64 = counts.iter().map(|&(_, c)| i64::from(c)).sum();
    let mut credit: Vec<i64> = vec![0; counts.len()];
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        for (c, &(_, count)) in credit.iter_mut().zip(counts) {
            *c += i64::from(count);
        }
        let best = (0..counts.len())
            .max_by(|&a, &b| credit[a].cmp(&credit[b]).then(b.cmp(&a)))
            .unwrap_or(0);
        credit[best] -= n;
        out.push(counts[best].0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plans::{PageKeyword, PageType};

    fn page(url: &str, value: Option<u32>, keywords: &[(u32, Option<u8>)]) -> PlanPage {
        PlanPage {
            url: url.into(),
            page_type: PageType::Hub,
            hub: None,
            keywords: keywords
                .iter()
                .enumerate()
                .map(|(i, &(volume, difficulty))| PageKeyword {
                    keyword: format!("k{i}"),
                    volume,
                    difficulty,
                })
                .collect(),
            word_count: None,
            commercial_value: value,
        }
    }

    #[test]
    fn value_then_volume_then_ease_then_url() {
        let pages = [
            page("https://a.com/e", None, &[(10, None)]),
            page("https://a.com/d", None, &[(10, Some(80))]),
            page("https://a.com/c", None, &[(10, Some(20)), (0, None)]),
            page("https://a.com/b", None, &[(500, Some(90))]),
            page("https://a.com/a", Some(5), &[]),
            page("https://a.com/f", None, &[(10, None)]),
        ];
        let refs: Vec<&PlanPage> = pages.iter().collect();
        assert_eq!(priority_order(&refs), [4, 3, 2, 1, 0, 5]);
    }

    #[test]
    fn each_pages_links_are_evenly_spaced_and_first_links_lead() {
        let order = spread(&[4, 1, 2]);
        assert_eq!(order, [0, 1, 2, 0, 0, 2, 0]);
        let order = spread(&[10, 1]);
        assert_eq!(order.len(), 11);
        assert_eq!(order[..2], [0, 1]);
        assert!(spread(&[0, 0]).is_empty());
    }

    #[test]
    fn anchor_types_take_exact_counts_spread_out() {
        let counts = [
            (AnchorType::Branded, 4),
            (AnchorType::Generic, 2),
            (AnchorType::ExactMatch, 1),
            (AnchorType::Lsi, 0),
        ];
        let seq = anchor_sequence(&counts);
        assert_eq!(seq.len(), 7);
        for (anchor, count) in counts {
            assert_eq!(seq.iter().filter(|&&a| a == anchor).count(), count as usize);
        }
        // Never two exact matches, and no run of branded longer than two.
        assert!(
            seq.windows(3)
                .all(|w| !w.iter().all(|&a| a == AnchorType::Branded))
        );
        assert_eq!(seq[0], AnchorType::Branded);
    }
}
