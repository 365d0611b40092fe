//! Plan generation for a 10,000-page site, in process (issue 14; the goal is under one second):
//! a synthetic but deterministic site (homepage, 40 hubs with their clusters, products and
//! services, blog articles, long and short magnets, term pages) planned in each market,
//! several runs each, plus the tier rule alone. Prints a markdown table; figures go to
//! docs/benchmarks.md by hand.
//! Run: cargo bench -p backlinks-core --bench plans [-- RUNS]

use backlinks_core::domain::plans::{
    CountryCode, DEFAULT_LONG_FORM_WORDS, PageKeyword, PageType, PlanOptions, PlanPage,
    assign_tiers, generate,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

const BASE: &str = "https://www.example.com";
const PAGES: usize = 10_000;
const MONEY_PAGES: usize = 400;
const MAGNETS: usize = 150;
const TERMS: usize = 900;

// Word lists, comma-separated to keep the file short.
const QUALIFIERS: &str = "espresso,filter,cold brew,organic,decaf,single origin,office,travel";
const ITEMS: &str = "machines,beans,grinders,accessories,subscriptions";
const INTENTS: &str =
    "best,how to choose,cheap,review,vs,guide to,buy,how to clean,top rated,problems with";
const TAILS: &str = "2026,for beginners,under 100,at home,uk,for small kitchens,reddit,near me,\
                     ratio,settings,for office,comparison";

/// A 64-bit LCG (Knuth's MMIX constants): the same site on every run without a rand crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick(&mut self, list: &'static str) -> &'static str {
        let n = list.split(',').count() as u64;
        list.split(',')
            .nth(self.below(n) as usize)
            .unwrap_or_default()
    }
    /// Log-uniform between `lo` and `hi`: search volumes are long-tailed.
    fn volume(&mut self, lo: f64, hi: f64) -> u32 {
        let u = self.below(1 << 20) as f64 / f64::from(1 << 20);
        (lo * (hi / lo).powf(u)) as u32
    }
}

/// 1-5 keywords around `topic`; one in ten has no known difficulty (as in real exports).
fn keywords(rng: &mut Lcg, topic: &str, lo: f64, hi: f64) -> Vec<PageKeyword> {
    (0..1 + rng.below(5))
        .map(|_| PageKeyword {
            keyword: format!("{} {topic} {}", rng.pick(INTENTS), rng.pick(TAILS)),
            volume: rng.volume(lo, hi),
            difficulty: (rng.below(10) > 0).then(|| rng.below(101) as u8),
        })
        .collect()
}

fn site() -> Vec<PlanPage> {
    use PageType::*;
    let mut rng = Lcg(14);
    let page = |url: String, page_type, keywords, value: u32| PlanPage {
        url,
        page_type,
        hub: None,
        keywords,
        word_count: None,
        commercial_value: Some(value),
    };
    let brand = PageKeyword {
        keyword: "northwind coffee".into(),
        volume: 2_400,
        difficulty: Some(15),
    };
    let mut pages = vec![page(format!("{BASE}/"), Homepage, vec![brand], 10)];
    let hubs: Vec<(String, String)> = QUALIFIERS
        .split(',')
        .flat_map(|q| ITEMS.split(',').map(move |i| format!("{q} {i}")))
        .map(|topic| (topic.clone(), format!("{BASE}/{}", topic.replace(' ', "-"))))
        .collect();
    // Hubs head their clusters (their own `hub` is none) and carry their topic as a keyword.
    for (topic, url) in &hubs {
        let mut keywords = keywords(&mut rng, topic, 500.0, 40_000.0);
        keywords[0].keyword = topic.clone();
        pages.push(page(url.clone(), Hub, keywords, 8));
    }
    // (pages, directory, keyword volumes, word counts); blog articles fill the site to 10,000.
    // Magnets run from 1,200 to 6,000 words, so about three in five are long-form (T5).
    let sections = [
        (MONEY_PAGES, "shop", (50.0, 8e3), (300, 1_200)),
        (MAGNETS, "guides", (100.0, 2e4), (1_200, 6_000)),
        (TERMS, "tag", (10.0, 500.0), (150, 400)),
        (
            PAGES - 1 - hubs.len() - MONEY_PAGES - MAGNETS - TERMS,
            "blog",
            (10.0, 5e3),
            (600, 2_900),
        ),
    ];
    for (n, dir, (lo, hi), (fewest, most)) in sections {
        for i in 0..n {
            let (topic, hub) = &hubs[rng.below(hubs.len() as u64) as usize];
            let mut keywords = keywords(&mut rng, topic, lo, hi);
            // One in ten money pages is a service; one in five articles has a commercial
            // value and one in twelve belongs to no cluster; a term page has one keyword.
            let (page_type, value) = match dir {
                "shop" if i % 10 == 0 => (Service, Some(5 + rng.below(5))),
                "shop" => (Product, Some(5 + rng.below(5))),
                "guides" => (
                    [Guide, Tool, Comparison, Listicle][i % 4],
                    Some(2 + rng.below(3)),
                ),
                "tag" => (Term, None),
                _ => (BlogArticle, (rng.below(5) == 0).then(|| 1 + rng.below(3))),
            };
            keywords.truncate(if page_type == Term { 1 } else { 5 });
            pages.push(PlanPage {
                url: format!("{BASE}/{dir}/{}-{i}", topic.replace(' ', "-")),
                page_type,
                hub: (page_type != BlogArticle || i % 12 != 0).then(|| hub.clone()),
                keywords,
                word_count: Some((fewest + rng.below(most - fewest)) as u32),
                commercial_value: value.map(|v| v as u32),
            });
        }
    }
    pages
}

/// Counts live heap bytes and their high-water mark: resident memory cannot show what one
/// call needs, as the allocator keeps freed pages and the next plan reuses them.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    // System's own realloc, so growing a Vec costs what it costs without the counter.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let live = LIVE.fetch_add(size, Relaxed) + size;
        PEAK.fetch_max(live, Relaxed);
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: as for `dealloc`; `size` is the caller's, checked by its contract.
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The heap `f` needs at its peak beyond what was live before it, in MiB, and its result.
fn peak_heap_mib<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let out = f();
    (out, (PEAK.load(Relaxed) - before) as f64 / 1_048_576.0)
}

/// The whole process's peak resident set (`VmHWM`), in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Min, median and max of `runs` timings of `f`, in milliseconds.
fn time_ms<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64, f64) {
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            black_box(f());
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[runs / 2], ms[runs - 1])
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(9)
        .max(1);
    let started = Instant::now();
    let (pages, site_mib) = peak_heap_mib(site);
    let keywords: usize = pages.iter().map(|p| p.keywords.len()).sum();
    println!(
        "{} pages, {keywords} keywords, built in {:.1} ms, {site_mib:.1} MiB of heap; {runs} timed runs each",
        pages.len(),
        started.elapsed().as_secs_f64() * 1e3,
    );
    let options = PlanOptions {
        brand: "Northwind Coffee".into(),
        domain: "www.example.com".into(),
        long_form_words: DEFAULT_LONG_FORM_WORDS,
        cost_per_link_usd: None,
    };
    let kib = |json: serde_json::Result<Vec<u8>>| json.map_or(0.0, |j| j.len() as f64 / 1024.0);

    println!(
        "\n| market | min ms | median ms | max ms | pages | tiered | funded | links target | planned links | JSON KiB (tiers + months + anchors) | JSON ms | peak heap MiB |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (min, med, max) = time_ms(runs, || assign_tiers(&pages, DEFAULT_LONG_FORM_WORDS));
    let (tiers, heap) = peak_heap_mib(|| assign_tiers(&pages, DEFAULT_LONG_FORM_WORDS));
    let tiered = tiers.iter().filter(|(_, t)| t.is_some()).count();
    println!(
        "| tiers only | {min:.1} | {med:.1} | {max:.1} | {} | {tiered} | | | | | | {heap:.1} |",
        pages.len()
    );
    for country in CountryCode::ALL {
        let profile = country.profile();
        // One untimed run under the heap counter, then the timed ones.
        let (plan, heap) = peak_heap_mib(|| generate(&pages, profile, &options));
        let plan = plan.expect("the site has money pages");
        let (min, med, max) = time_ms(runs, || generate(&pages, profile, &options));
        let tiered = plan.tier_assignments.iter().filter(|t| t.tier.is_some());
        let funded = tiered.clone().filter(|t| t.links > 0).count();
        // The Serialize parts of a plan, as the API would send them.
        let parts = (
            &plan.tier_assignments,
            &plan.monthly_plan,
            &plan.anchor_plan,
            &plan.explain,
        );
        let (_, json_ms, _) = time_ms(runs, || serde_json::to_vec(&parts));
        println!(
            "| {} | {min:.1} | {med:.1} | {max:.1} | {} | {} | {funded} | {} | {} | {:.0} ({:.0} + {:.0} + {:.0}) | {json_ms:.1} | {heap:.1} |",
            country.as_str(),
            pages.len(),
            tiered.count(),
            plan.total_links_target,
            plan.links.len(),
            kib(serde_json::to_vec(&parts)),
            kib(serde_json::to_vec(&plan.tier_assignments)),
            kib(serde_json::to_vec(&plan.monthly_plan)),
            kib(serde_json::to_vec(&plan.anchor_plan)),
        );
    }
    println!(
        "\nwhole process: peak RSS (VmHWM) {:.1} MiB",
        peak_rss_mib()
    );
}
