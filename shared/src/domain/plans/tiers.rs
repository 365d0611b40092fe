//! Page tiers (seed 002 §2.2): which of a site's pages a plan builds links to, and how many.
//! Backlinks go to the homepage, the hubs and the money pages; internal links carry their
//! authority on to the rest, so term pages get no tier at all (§2.1).

use super::country::Span;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Words from which a guide, comparison, listicle or tool counts as long-form (T5). The seed
/// says only "high word count"; 3,000 is where Backlinko and BuzzSumo's study of 912 million
/// posts starts its long-form band, which earned 77.2% more referring domains than posts under
/// 1,000 words (Ahrefs found the opposite past 1,000 words: it is a default, see docs/decisions.md).
pub const DEFAULT_LONG_FORM_WORDS: u32 = 3_000;

/// What a page is, as the site's plan knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PageType {
    Homepage,
    Hub,
    Product,
    Service,
    BlogArticle,
    Guide,
    Tool,
    Comparison,
    Listicle,
    /// A term or taxonomy page: authority reaches it through internal links only.
    Term,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Tier {
    /// The homepage: brand authority anchor.
    T1,
    /// The top 40% of hubs by cluster search volume: primary money pages.
    T2,
    /// The other hubs, products and services: supporting money pages.
    T3,
    /// Supporting blog articles (and short authority magnets).
    T4,
    /// Long-form authority magnets: link bait.
    T5,
}

impl Tier {
    pub const ALL: [Tier; 5] = [Self::T1, Self::T2, Self::T3, Self::T4, Self::T5];

    /// §2.2's "Links/Page Target".
    pub fn links_per_page(self) -> Span {
        match self {
            Self::T1 => Span::new(10, 30),
            Self::T2 => Span::new(5, 15),
            Self::T3 => Span::new(3, 10),
            Self::T4 => Span::new(1, 4),
            Self::T5 => Span::new(2, 6),
        }
    }
}

/// A keyword a page targets, with its monthly search volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageKeyword {
    pub keyword: String,
    pub volume: u32,
    /// Keyword difficulty, 0-100.
    #[schema(maximum = 100)]
    pub difficulty: Option<u8>,
}

/// One page of the site a plan is built for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanPage {
    pub url: String,
    pub page_type: PageType,
    /// The hub whose cluster the page belongs to; its keywords count toward that hub's volume.
    pub hub: Option<String>,
    #[serde(default)]
    pub keywords: Vec<PageKeyword>,
    pub word_count: Option<u32>,
    /// A relative value the user gives the page (higher is worth more); it orders pages into
    /// months (§2.4 step 7) and plays no part in tiers.
    pub commercial_value: Option<u32>,
}

/// Each page's tier, in the order given; `None` for pages no backlink targets (terms).
///
/// Hubs rank by the total volume of their cluster: the distinct keywords (trimmed, lower
/// case, the highest volume where a keyword repeats) of the hub and of every page whose `hub`
/// is its URL. The top 40%, rounded up, are T2 (a site with any hub has a primary money
/// page); ties go to the smaller URL. A hub's own `hub` is ignored: it heads its cluster.
pub fn assign_tiers(pages: &[PlanPage], long_form_words: u32) -> Vec<(String, Option<Tier>)> {
    let hubs = hub_tiers(pages);
    pages
        .iter()
        .map(|page| {
            let tier = match page.page_type {
                PageType::Homepage => Some(Tier::T1),
                PageType::Hub => hubs.get(page.url.as_str()).copied(),
                PageType::Product | PageType::Service => Some(Tier::T3),
                PageType::BlogArticle => Some(Tier::T4),
                PageType::Guide | PageType::Tool | PageType::Comparison | PageType::Listicle => {
                    // An unknown word count is not assumed to be high.
                    let long = page.word_count.is_some_and(|w| w >= long_form_words);
                    Some(if long { Tier::T5 } else { Tier::T4 })
                }
                PageType::Term => None,
            };
            (page.url.clone(), tier)
        })
        .collect()
}

fn hub_tiers(pages: &[PlanPage]) -> BTreeMap<&str, Tier> {
    let mut clusters: BTreeMap<&str, BTreeMap<String, u32>> = pages
        .iter()
        .filter(|p| p.page_type == PageType::Hub)
        .map(|p| (p.url.as_str(), BTreeMap::new()))
        .collect();
    for page in pages {
        let cluster = match page.page_type {
            PageType::Hub => Some(page.url.as_str()),
            _ => page.hub.as_deref(),
        };
        let Some(keywords) = cluster.and_then(|hub| clusters.get_mut(hub)) else {
            continue;
        };
        for k in &page.keywords {
            let key = k.keyword.split_whitespace().collect::<Vec<_>>().join(" ");
            let volume = keywords.entry(key.to_lowercase()).or_default();
            *volume = (*volume).max(k.volume);
        }
    }
    let mut ranked: Vec<(&str, u64)> = clusters
        .into_iter()
        .map(|(hub, keywords)| (hub, keywords.values().map(|&v| u64::from(v)).sum()))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let top = (ranked.len() * 2).div_ceil(5);
    ranked
        .into_iter()
        .enumerate()
        .map(|(i, (hub, _))| (hub, if i < top { Tier::T2 } else { Tier::T3 }))
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn page(url: &str, page_type: PageType) -> PlanPage {
        PlanPage {
            url: url.into(),
            page_type,
            hub: None,
            keywords: Vec::new(),
            word_count: None,
            commercial_value: None,
        }
    }

    fn in_cluster(url: &str, page_type: PageType, hub: &str, keywords: &[(&str, u32)]) -> PlanPage {
        PlanPage {
            hub: Some(hub.into()),
            ..with_keywords(url, page_type, keywords)
        }
    }

    /// A page of this type with these keywords (and volumes): the plans tests' fixture.
    pub(in crate::domain::plans) fn with_keywords(
        url: &str,
        page_type: PageType,
        keywords: &[(&str, u32)],
    ) -> PlanPage {
        PlanPage {
            keywords: keywords
                .iter()
                .map(|&(keyword, volume)| PageKeyword {
                    keyword: keyword.into(),
                    volume,
                    difficulty: None,
                })
                .collect(),
            ..page(url, page_type)
        }
    }

    fn tiers(pages: &[PlanPage]) -> BTreeMap<String, Option<Tier>> {
        assign_tiers(pages, DEFAULT_LONG_FORM_WORDS)
            .into_iter()
            .collect()
    }

    /// Ten hubs whose own keywords would rank them one way and whose clusters rank them
    /// the other: hub `h{i}` has 100·i of its own and 2,000·(10 − i) in one article.
    fn ten_hubs() -> Vec<PlanPage> {
        let mut pages = Vec::new();
        for i in 0..10u32 {
            let hub = format!("https://site.test/h{i}");
            pages.push(with_keywords(&hub, PageType::Hub, &[("own", 100 * i)]));
            let article = format!("{hub}/article");
            let volume = 2_000 * (10 - i);
            pages.push(in_cluster(
                &article,
                PageType::BlogArticle,
                &hub,
                &[("kw", volume)],
            ));
        }
        pages
    }

    #[test]
    fn the_top_forty_percent_of_hubs_by_cluster_volume_are_t2() {
        let tiers = tiers(&ten_hubs());
        for i in 0..10 {
            let expected = if i < 4 { Tier::T2 } else { Tier::T3 };
            assert_eq!(
                tiers[&format!("https://site.test/h{i}")],
                Some(expected),
                "h{i}"
            );
            let article = format!("https://site.test/h{i}/article");
            assert_eq!(tiers[&article], Some(Tier::T4));
        }
    }

    #[test]
    fn ties_go_to_the_smaller_url_and_forty_percent_rounds_up() {
        let hubs = |n: usize| -> Vec<PlanPage> {
            (0..n)
                .rev()
                .map(|i| page(&format!("https://site.test/h{i}"), PageType::Hub))
                .collect()
        };
        for (n, t2) in [(1, 1), (2, 1), (3, 2), (5, 2), (6, 3), (10, 4)] {
            let tiers = tiers(&hubs(n));
            let got: Vec<usize> = (0..n)
                .filter(|i| tiers[&format!("https://site.test/h{i}")] == Some(Tier::T2))
                .collect();
            assert_eq!(got, (0..t2).collect::<Vec<_>>(), "{n} hubs");
        }
    }

    #[test]
    fn a_keyword_repeated_in_a_cluster_counts_once() {
        let pages = [
            with_keywords("https://s.test/a", PageType::Hub, &[("Red Shoes", 500)]),
            in_cluster(
                "https://s.test/a/1",
                PageType::BlogArticle,
                "https://s.test/a",
                &[("red  shoes ", 900)],
            ),
            with_keywords("https://s.test/b", PageType::Hub, &[("boots", 1_000)]),
        ];
        // a: 900 (not 1,400), so b ranks first; ceil(0.4 · 2) = 1 hub is T2.
        let tiers = tiers(&pages);
        assert_eq!(tiers["https://s.test/b"], Some(Tier::T2));
        assert_eq!(tiers["https://s.test/a"], Some(Tier::T3));
    }

    #[test]
    fn only_pages_of_a_hub_add_to_its_volume() {
        let pages = [
            with_keywords("https://s.test/a", PageType::Hub, &[("a", 10)]),
            with_keywords("https://s.test/b", PageType::Hub, &[("b", 20)]),
            page("https://s.test/p", PageType::Product),
            in_cluster(
                "https://s.test/x",
                PageType::Guide,
                "https://s.test/p",
                &[("x", 999)],
            ),
            in_cluster(
                "https://s.test/y",
                PageType::Guide,
                "https://s.test/none",
                &[("y", 999)],
            ),
            in_cluster(
                "https://s.test/z",
                PageType::Term,
                "https://s.test/a",
                &[("z", 15)],
            ),
        ];
        // a: 10 + 15 from its term page; b: 20; x and y belong to no hub.
        let tiers = tiers(&pages);
        assert_eq!(tiers["https://s.test/a"], Some(Tier::T2));
        assert_eq!(tiers["https://s.test/b"], Some(Tier::T3));
        assert_eq!(tiers["https://s.test/z"], None);
    }

    #[test]
    fn fixed_tiers_by_page_type() {
        let pages = [
            page("https://s.test/", PageType::Homepage),
            page("https://s.test/p", PageType::Product),
            page("https://s.test/s", PageType::Service),
            page("https://s.test/blog/1", PageType::BlogArticle),
            page("https://s.test/tag/red", PageType::Term),
        ];
        let got: Vec<Option<Tier>> = assign_tiers(&pages, DEFAULT_LONG_FORM_WORDS)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let expected = [
            Some(Tier::T1),
            Some(Tier::T3),
            Some(Tier::T3),
            Some(Tier::T4),
            None,
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn authority_magnets_are_t5_from_the_long_form_threshold() {
        for page_type in [
            PageType::Guide,
            PageType::Comparison,
            PageType::Listicle,
            PageType::Tool,
        ] {
            let with_words = |words: Option<u32>| PlanPage {
                word_count: words,
                ..page("https://s.test/m", page_type)
            };
            let tier = |words, threshold| assign_tiers(&[with_words(words)], threshold)[0].1;
            assert_eq!(tier(Some(3_000), DEFAULT_LONG_FORM_WORDS), Some(Tier::T5));
            assert_eq!(tier(Some(2_999), DEFAULT_LONG_FORM_WORDS), Some(Tier::T4));
            assert_eq!(tier(None, DEFAULT_LONG_FORM_WORDS), Some(Tier::T4));
            assert_eq!(tier(Some(1_500), 1_500), Some(Tier::T5), "{page_type:?}");
        }
    }

    #[test]
    fn links_per_page_follow_the_seed() {
        let got: Vec<(u32, u32)> = Tier::ALL
            .into_iter()
            .map(|t| (t.links_per_page().min, t.links_per_page().max))
            .collect();
        assert_eq!(got, [(10, 30), (5, 15), (3, 10), (1, 4), (2, 6)]);
    }

    #[test]
    fn types_and_tiers_serialize_as_the_seed_names_them() {
        let json = serde_json::to_string(&[PageType::BlogArticle, PageType::Term]).unwrap();
        assert_eq!(json, r#"["blog_article","term"]"#);
        assert_eq!(
            serde_json::to_string(&Tier::ALL).unwrap(),
            r#"["T1","T2","T3","T4","T5"]"#
        );
        let input = r#"{"url":"https://s.test/","pageType":"homepage","hub":null,
            "keywords":[{"keyword":"k","volume":10,"difficulty":40}],
            "wordCount":null,"commercialValue":3}"#;
        let page: PlanPage = serde_json::from_str(input).unwrap();
        assert_eq!(page.keywords[0].difficulty, Some(40));
    }
}
