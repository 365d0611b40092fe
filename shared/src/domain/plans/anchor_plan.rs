//! A page's anchor plan (seed 002 §2.4 step 8, §2.3): three anchor texts per anchor type the
//! market uses, and how many of a number of links each type takes within the market's bands.

use super::anchors::{AnchorMix, AnchorType, Band};
use super::tiers::PlanPage;
use crate::domain::FieldError;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use utoipa::ToSchema;

/// §2.4 step 8: "3 anchor text variants per page per anchor type".
pub const VARIANTS_PER_TYPE: usize = 3;

/// Generic anchors name no keyword, brand or URL, so they are the same for every page.
pub const GENERIC_ANCHORS: [&str; VARIANTS_PER_TYPE] =
    ["click here", "learn more", "this resource"];

/// The anchor types from the least to the most risky: spare links go to the front, and links
/// a band cannot hold come off the back first.
const SAFEST_FIRST: [AnchorType; 7] = [
    AnchorType::Branded,
    AnchorType::NakedUrl,
    AnchorType::Generic,
    AnchorType::Lsi,
    AnchorType::BrandKeyword,
    AnchorType::PartialMatch,
    AnchorType::ExactMatch,
];

/// How risky an anchor type is: its place from the safest (branded, 0) to exact match (6).
pub fn risk(anchor: AnchorType) -> usize {
    SAFEST_FIRST
        .iter()
        .position(|&a| a == anchor)
        .unwrap_or(SAFEST_FIRST.len())
}

/// A page's anchor texts of one type, as a plan stores them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnchorVariants {
    pub anchor_type: AnchorType,
    /// `VARIANTS_PER_TYPE` texts, none empty and no two the same ignoring case.
    pub texts: Vec<String>,
}

/// The variants of every type `mix` uses (brand+keyword only where the market has a band),
/// in `AnchorType::ALL` order. `domain` is the site's host (a scheme, path and leading
/// `www.` are dropped).
///
/// The page's topics are its keywords, highest volume first (ties in the order given), then
/// the words of its URL path, last segment first; a page with neither (a bare homepage) has
/// the brand as its only topic. Exact match takes the first three topics as they are and LSI
/// the ones after, so no text counts as both. Where a type runs short, fixed patterns on the
/// top topic fill in: "{topic} | {domain}" and "{topic} - {domain}" for exact match,
/// "{topic} explained", "{topic} overview", "all about {topic}" for LSI, and for brand+keyword
/// without topics "{brand} official site", "{brand} online", "visit {brand}". Every type's
/// last candidates are three distinct patterns, so three distinct texts always remain.
pub fn anchor_variants(
    brand: &str,
    domain: &str,
    page: &PlanPage,
    mix: &AnchorMix,
) -> Result<Vec<AnchorVariants>, FieldError> {
    let brand = brand.split_whitespace().collect::<Vec<_>>().join(" ");
    if brand.is_empty() {
        return Err(FieldError::new("brand", "must not be empty"));
    }
    let d = host(domain);
    if d.is_empty() {
        return Err(FieldError::new(
            "domain",
            "must be a host name, e.g. example.com",
        ));
    }
    let b = brand.as_str();
    let topics = topics(page);
    let t0 = topics.first().map_or(b, String::as_str);
    let texts = |anchor| -> Vec<String> {
        let candidates: Vec<String> = match anchor {
            AnchorType::Branded => vec![b.into(), format!("{b} website"), format!("{b} ({d})")],
            AnchorType::NakedUrl => vec![
                d.clone(),
                format!("https://{d}/"),
                page.url.clone(),
                format!("www.{d}"),
                format!("https://{d}"),
            ],
            AnchorType::Generic => GENERIC_ANCHORS.map(String::from).to_vec(),
            AnchorType::ExactMatch => {
                let fill = [t0.into(), format!("{t0} | {d}"), format!("{t0} - {d}")];
                topics.iter().take(3).cloned().chain(fill).collect()
            }
            AnchorType::PartialMatch => {
                vec![
                    format!("best {t0}"),
                    format!("{t0} guide"),
                    format!("more about {t0}"),
                ]
            }
            AnchorType::Lsi => {
                let fill = ["explained", "overview"].map(|s| format!("{t0} {s}"));
                let fill = fill.into_iter().chain([format!("all about {t0}")]);
                topics.iter().skip(3).cloned().chain(fill).collect()
            }
            AnchorType::BrandKeyword if topics.is_empty() => {
                vec![
                    format!("{b} official site"),
                    format!("{b} online"),
                    format!("visit {b}"),
                ]
            }
            AnchorType::BrandKeyword => {
                let second = topics.get(1).map(|t1| format!("{b} {t1}"));
                let first = [format!("{b} {t0}"), format!("{t0} by {b}")];
                let last = format!("{t0} from {b}");
                first.into_iter().chain(second).chain([last]).collect()
            }
        };
        distinct(candidates, VARIANTS_PER_TYPE)
    };
    Ok(AnchorType::ALL
        .into_iter()
        .filter(|&anchor| mix.band(anchor).is_some())
        .map(|anchor_type| AnchorVariants {
            anchor_type,
            texts: texts(anchor_type),
        })
        .collect())
}

/// Splits `total_links` over the types `mix` uses, in `AnchorType::ALL` order; a type the
/// market lacks is left out, a type it uses is listed even with no links. The counts add up
/// to `total_links`.
///
/// Each type first gets its band's midpoint, scaled so the midpoints add up to 100%, rounded
/// by largest remainder (ties to the safer type). Then every count is moved into the whole
/// numbers its band allows at this total, and the links that adds or removes are made up from
/// the other types' room in their bands, the safest type first when adding and the riskiest
/// first when removing. A band holding no whole number (3-5% of 37 links is 1.11 to 1.85)
/// allows the two around it, except exact match, which only gets the one below.
///
/// When even that cannot add up (the bands' whole minimums exceed the total, as with ten
/// links in every market), the midpoint counts stand, except that exact match is cut to its
/// maximum share rounded down and what it loses goes to branded.
pub fn allocate(total_links: u32, mix: &AnchorMix) -> Vec<(AnchorType, u32)> {
    let total = u64::from(total_links);
    let bands: Vec<(AnchorType, Band)> = SAFEST_FIRST
        .into_iter()
        .filter_map(|anchor| mix.band(anchor).map(|band| (anchor, band)))
        .collect();
    let mids: Vec<u64> = bands
        .iter()
        .map(|(_, b)| u64::from(b.min_pct) + u64::from(b.max_pct))
        .collect();
    let mid_sum = mids.iter().sum::<u64>().max(1);
    let mut counts: Vec<u64> = mids.iter().map(|m| total * m / mid_sum).collect();
    let left = total - counts.iter().sum::<u64>();
    let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
    by_remainder.sort_by_key(|&i| Reverse(total * mids[i] % mid_sum));
    for &i in by_remainder.iter().take(left as usize) {
        counts[i] += 1;
    }

    let bounds: Vec<(u64, u64)> = bands
        .iter()
        .map(|&(anchor, band)| {
            let low = (total * u64::from(band.min_pct)).div_ceil(100);
            let high = total * u64::from(band.max_pct) / 100;
            match (low <= high, anchor) {
                (true, _) => (low, high),
                (false, AnchorType::ExactMatch) => (high, high),
                (false, _) => (high, low),
            }
        })
        .collect();
    let low_sum: u64 = bounds.iter().map(|b| b.0).sum();
    let high_sum: u64 = bounds.iter().map(|b| b.1).sum();
    if (low_sum..=high_sum).contains(&total) {
        for (count, &(low, high)) in counts.iter_mut().zip(&bounds) {
            *count = (*count).clamp(low, high);
        }
        let sum: u64 = counts.iter().sum();
        let (mut short, mut over) = (total.saturating_sub(sum), sum.saturating_sub(total));
        for (count, &(_, high)) in counts.iter_mut().zip(&bounds) {
            let add = short.min(high - *count);
            *count += add;
            short -= add;
        }
        for (count, &(low, _)) in counts.iter_mut().zip(&bounds).rev() {
            let cut = over.min(*count - low);
            *count -= cut;
            over -= cut;
        }
    } else if let Some(exact) = bands.iter().position(|b| b.0 == AnchorType::ExactMatch) {
        let cap = total * u64::from(bands[exact].1.max_pct) / 100;
        let surplus = counts[exact].saturating_sub(cap);
        counts[exact] -= surplus;
        // Branded is in every mix and first in SAFEST_FIRST.
        counts[0] += surplus;
    }

    AnchorType::ALL
        .into_iter()
        .filter_map(|anchor| {
            let i = bands.iter().position(|b| b.0 == anchor)?;
            // Every count is at most the total, which is a u32.
            Some((anchor, counts[i] as u32))
        })
        .collect()
}

/// The first `n` texts, whitespace collapsed, skipping empty ones and repeats (ignoring case).
fn distinct(candidates: impl IntoIterator<Item = String>, n: usize) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for text in candidates {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let seen = kept.iter().any(|k| k.to_lowercase() == text.to_lowercase());
        if !text.is_empty() && !seen && kept.len() < n {
            kept.push(text);
        }
    }
    kept
}

/// Keywords by volume, then the words of the URL path's segments that have letters, last
/// first ("/services/seo-audit.html" gives "seo audit", "services").
fn topics(page: &PlanPage) -> Vec<String> {
    let mut keywords: Vec<_> = page.keywords.iter().collect();
    keywords.sort_by_key(|k| Reverse(k.volume));
    let url = page.url.trim();
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let words = segments.into_iter().rev().filter_map(|segment| {
        let stem = segment.rsplit_once('.').map_or(segment, |(stem, _)| stem);
        let words = stem.replace(['-', '_', '+'], " ");
        words.chars().any(char::is_alphabetic).then_some(words)
    });
    let keywords = keywords.into_iter().map(|k| k.keyword.clone());
    distinct(keywords.chain(words), usize::MAX)
}

/// "https://www.Example.com/path" gives "example.com".
fn host(domain: &str) -> String {
    let domain = domain.trim();
    let rest = domain.split_once("://").map_or(domain, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.to_lowercase();
    host.strip_prefix("www.").map_or(host.clone(), String::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plans::{CA, CountryCode, PK, PageType, USA};

    fn page(url: &str, keywords: &[(&str, u32)]) -> PlanPage {
        crate::domain::plans::tiers::tests::with_keywords(url, PageType::Hub, keywords)
    }

    fn texts(variants: &[AnchorVariants], anchor: AnchorType) -> Vec<&str> {
        let found = variants.iter().find(|v| v.anchor_type == anchor).unwrap();
        found.texts.iter().map(String::as_str).collect()
    }

    fn assert_three_distinct(variants: &[AnchorVariants]) {
        for v in variants {
            assert_eq!(v.texts.len(), VARIANTS_PER_TYPE, "{v:?}");
            let mut lower: Vec<String> = v.texts.iter().map(|t| t.to_lowercase()).collect();
            assert!(lower.iter().all(|t| !t.trim().is_empty()), "{v:?}");
            lower.sort();
            lower.dedup();
            assert_eq!(lower.len(), VARIANTS_PER_TYPE, "{v:?}");
        }
    }

    #[test]
    fn variants_come_from_the_brand_domain_url_and_keywords() {
        let keywords = [
            ("running shoes", 900),
            ("trail shoes", 5_000),
            ("  Running   Shoes ", 100),
            ("shoe sizes", 300),
            ("marathon gear", 200),
            ("", 10_000),
        ];
        let hub = page("https://acme.com/shoes/running", &keywords);
        let got = anchor_variants("Acme", "https://www.Acme.com/", &hub, &USA.anchor_mix).unwrap();
        assert_eq!(got.len(), 7);
        assert_three_distinct(&got);
        // Keywords by volume (the empty one and the repeat dropped), then the URL's words.
        #[rustfmt::skip]
        let expected = [
            ["Acme", "Acme website", "Acme (acme.com)"],
            ["acme.com", "https://acme.com/", "https://acme.com/shoes/running"],
            GENERIC_ANCHORS,
            ["best trail shoes", "trail shoes guide", "more about trail shoes"],
            ["trail shoes", "running shoes", "shoe sizes"],
            ["marathon gear", "running", "shoes"],
            ["Acme trail shoes", "trail shoes by Acme", "Acme running shoes"],
        ];
        for (anchor, expected) in AnchorType::ALL.into_iter().zip(expected) {
            assert_eq!(texts(&got, anchor), expected, "{anchor:?}");
        }
    }

    #[test]
    fn a_page_without_keywords_still_gets_three_variants_per_type() {
        let bare = page("https://acme.com/", &[]);
        for code in CountryCode::ALL {
            let got = anchor_variants("Acme", "acme.com", &bare, &code.profile().anchor_mix);
            assert_three_distinct(&got.unwrap());
        }
        let got = anchor_variants("Acme", "acme.com", &bare, &USA.anchor_mix).unwrap();
        let of = |anchor| texts(&got, anchor);
        assert_eq!(
            of(AnchorType::NakedUrl),
            ["acme.com", "https://acme.com/", "www.acme.com"]
        );
        assert_eq!(
            of(AnchorType::ExactMatch),
            ["Acme", "Acme | acme.com", "Acme - acme.com"]
        );
        assert_eq!(
            of(AnchorType::BrandKeyword),
            ["Acme official site", "Acme online", "visit Acme"]
        );

        // One keyword and a path: the path's words are topics after it.
        let one = page(
            "https://acme.com/services/seo-audit.html?x=1",
            &[("SEO audit", 50)],
        );
        let got = anchor_variants("Acme", "acme.com", &one, &PK.anchor_mix).unwrap();
        assert_three_distinct(&got);
        assert_eq!(
            texts(&got, AnchorType::ExactMatch),
            ["SEO audit", "services", "SEO audit | acme.com"]
        );
        let lsi = [
            "SEO audit explained",
            "SEO audit overview",
            "all about SEO audit",
        ];
        assert_eq!(texts(&got, AnchorType::Lsi), lsi);
    }

    #[test]
    fn brand_keyword_variants_are_absent_in_pakistan() {
        let hub = page("https://acme.pk/shoes", &[("shoes", 10)]);
        let got = anchor_variants("Acme", "acme.pk", &hub, &PK.anchor_mix).unwrap();
        let types: Vec<AnchorType> = got.iter().map(|v| v.anchor_type).collect();
        assert_eq!(types, AnchorType::ALL[..6]);
        let counts = allocate(100, &PK.anchor_mix);
        assert!(counts.iter().all(|&(a, _)| a != AnchorType::BrandKeyword));
    }

    #[test]
    fn a_brand_and_a_domain_are_required() {
        let hub = page("https://acme.com/", &[]);
        let e = anchor_variants("  ", "acme.com", &hub, &PK.anchor_mix).unwrap_err();
        assert_eq!(e.field, "brand");
        let e = anchor_variants("Acme", "https:///", &hub, &PK.anchor_mix).unwrap_err();
        assert_eq!(e.field, "domain");
    }

    /// Whether some whole count of `band` lies in its band at `total` links.
    fn band_holds_a_whole_count(total: u32, band: Band) -> bool {
        (total * u32::from(band.min_pct)).div_ceil(100) <= total * u32::from(band.max_pct) / 100
    }

    #[test]
    fn allocation_adds_up_and_keeps_to_the_bands() {
        for code in CountryCode::ALL {
            let mix = code.profile().anchor_mix;
            for total in [0, 1, 5, 10, 20, 37, 100, 1_000] {
                let counts = allocate(total, &mix);
                let sum: u32 = counts.iter().map(|&(_, n)| n).sum();
                assert_eq!(sum, total, "{code:?} {total}");
                let types: Vec<AnchorType> = counts.iter().map(|&(a, _)| a).collect();
                let expected: Vec<AnchorType> = AnchorType::ALL
                    .into_iter()
                    .filter(|&a| mix.band(a).is_some())
                    .collect();
                assert_eq!(types, expected, "{code:?} {total}");
                for (anchor, n) in counts {
                    let band = mix.band(anchor).unwrap();
                    let pct = f64::from(n) * 100.0 / f64::from(total.max(1));
                    if anchor == AnchorType::ExactMatch {
                        assert!(
                            n * 100 <= total * u32::from(band.max_pct),
                            "{code:?} {total}"
                        );
                    }
                    if total < 20 {
                        continue;
                    }
                    if band_holds_a_whole_count(total, band) {
                        assert!(band.contains(pct), "{code:?} {total} {anchor:?}: {n}");
                    } else {
                        // The band lies between two whole counts: one of them.
                        let exact = f64::from(total) * f64::from(band.min_pct) / 100.0;
                        assert!((f64::from(n) - exact).abs() < 1.0, "{code:?} {total}");
                    }
                }
            }
        }
    }

    #[test]
    fn only_brand_keyword_at_37_links_has_no_whole_count_in_its_band() {
        for code in CountryCode::ALL {
            let mix = code.profile().anchor_mix;
            for total in [20, 100, 1_000] {
                let all = AnchorType::ALL.into_iter().filter_map(|a| mix.band(a));
                assert!(all.clone().all(|b| band_holds_a_whole_count(total, b)));
            }
            let empty: Vec<AnchorType> = AnchorType::ALL
                .into_iter()
                .filter(|&a| {
                    mix.band(a)
                        .is_some_and(|b| !band_holds_a_whole_count(37, b))
                })
                .collect();
            let expected: &[AnchorType] = match code {
                CountryCode::Pk => &[],
                _ => &[AnchorType::BrandKeyword],
            };
            assert_eq!(empty, expected, "{code:?}");
        }
    }

    #[test]
    fn tiny_totals_keep_exact_match_down_and_give_the_rest_to_branded() {
        let counts = |total, mix: &AnchorMix| -> Vec<u32> {
            allocate(total, mix).into_iter().map(|(_, n)| n).collect()
        };
        // Ten links: no band split adds up, so the midpoints stand (in PK exact match's
        // midpoint rounds to none, below its cap of one).
        assert_eq!(counts(10, &PK.anchor_mix), [3, 2, 2, 2, 0, 1]);
        assert_eq!(counts(10, &USA.anchor_mix), [4, 2, 2, 1, 0, 1, 0]);
        // 19 links in the USA: exact match's midpoint share (0.66) rounds up to one link, over
        // its 5% cap of 0.95; the link goes to branded.
        assert_eq!(counts(19, &USA.anchor_mix), [9, 3, 3, 2, 0, 1, 1]);
        assert_eq!(counts(1, &USA.anchor_mix), [1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(counts(0, &PK.anchor_mix), [0; 6]);
        // Where the bands can hold the total, every count lies in its band.
        assert_eq!(counts(20, &CA.anchor_mix), [7, 3, 3, 3, 1, 2, 1]);
        assert_eq!(counts(37, &PK.anchor_mix), [12, 7, 6, 6, 3, 3]);
        assert_eq!(
            counts(1_000, &USA.anchor_mix),
            [394, 173, 172, 123, 35, 64, 39]
        );
    }

    #[test]
    fn variants_serialize_in_camel_case() {
        let hub = page("https://acme.com/", &[]);
        let got = anchor_variants("Acme", "acme.com", &hub, &PK.anchor_mix).unwrap();
        let json = serde_json::to_value(&got[1]).unwrap();
        assert_eq!(json["anchorType"], "naked_url");
        assert_eq!(json["texts"][0], "acme.com");
    }
}
