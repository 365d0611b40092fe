//! A first guess at what a page is, from its URL path alone. Imports leave `pageType` empty
//! when the source does not say; the guess fills it and the page stays marked as guessed
//! until the tenant confirms it.

use crate::domain::plans::PageType;
use url::Url;

/// Segments that name a taxonomy or listing: what sits under them reaches authority through
/// internal links only (seed 002 §2.1).
const TERM: &[(&str, &str)] = &[
    ("tag", "path has /tag/"),
    ("tags", "path has /tags/"),
    ("category", "path has /category/"),
    ("categories", "path has /categories/"),
    ("author", "path has /author/"),
    ("authors", "path has /authors/"),
    ("topic", "path has /topic/"),
    ("topics", "path has /topics/"),
    ("glossary", "path has /glossary/"),
    ("archive", "path has /archive/"),
    ("archives", "path has /archives/"),
];
const COMPARISON: &[(&str, &str)] = &[
    ("compare", "path has /compare/"),
    ("comparison", "path has /comparison/"),
    ("comparisons", "path has /comparisons/"),
    ("vs", "path has /vs/"),
    ("alternatives", "path has /alternatives/"),
];
const GUIDE: &[(&str, &str)] = &[
    ("guide", "path has /guide/"),
    ("guides", "path has /guides/"),
    ("learn", "path has /learn/"),
    ("how-to", "path has /how-to/"),
    ("tutorial", "path has /tutorial/"),
    ("tutorials", "path has /tutorials/"),
];
const TOOL: &[(&str, &str)] = &[
    ("tool", "path has /tool/"),
    ("tools", "path has /tools/"),
    ("calculator", "path has /calculator/"),
    ("calculators", "path has /calculators/"),
    ("generator", "path has /generator/"),
    ("checker", "path has /checker/"),
];
/// Words that make a slug a tool wherever they stand in it (`/loan-calculator-uk/`).
const TOOL_WORDS: &[(&str, &str)] = &[
    ("calculator", "slug names a calculator"),
    ("generator", "slug names a generator"),
    ("checker", "slug names a checker"),
    ("converter", "slug names a converter"),
];
/// Sections whose children are products or services; the section page itself is a hub.
const PRODUCT: &[(&str, &str)] = &[
    ("product", "path is under /product/"),
    ("products", "path is under /products/"),
    ("shop", "path is under /shop/"),
    ("store", "path is under /store/"),
    ("p", "path is under /p/"),
    ("item", "path is under /item/"),
    ("items", "path is under /items/"),
];
const SERVICE: &[(&str, &str)] = &[
    ("service", "path is under /service/"),
    ("services", "path is under /services/"),
];
const BLOG: &[(&str, &str)] = &[
    ("blog", "path is under /blog/"),
    ("blogs", "path is under /blogs/"),
    ("news", "path is under /news/"),
    ("article", "path is under /article/"),
    ("articles", "path is under /articles/"),
    ("post", "path is under /post/"),
    ("posts", "path is under /posts/"),
];
/// File names that stand for the folder they are in (`/index.html` is `/`).
const INDEX_FILES: &[&str] = &["index", "default", "home"];

/// Guesses a page's type from its URL path, with a short reason a person can check.
///
/// The path is compared case-insensitively, by whole segments, without a trailing slash or
/// a file extension (`/Blog/Post.HTML` is `blog/post`). The first rule that matches wins:
///
/// 1. `/`, `/index.html`, `/home` or a language root (`/de/`, `/en-gb/`) → homepage;
/// 2. `/tag/`, `/category/`, `/author/`, `/topic/`, `/glossary/`, `/archive/` or a
///    pagination `/page/N` → term;
/// 3. `-vs-` in a slug, `/compare/`, `/alternatives/` or a `-alternatives` slug → comparison;
/// 4. a last slug starting with a count or "best"/"top" (`/10-best-x`, `/top-x`) → listicle;
/// 5. `/guide/`, `/learn/`, `/how-to/`, `/tutorial/` or a `how-to-…`/`…-guide` slug → guide;
/// 6. `/tools/`, `/calculator/` or a slug naming a calculator, generator, checker or
///    converter → tool;
/// 7. a page under `/products/`, `/shop/`, `/store/`, `/p/`, `/item/` → product;
/// 8. a page under `/services/` → service;
/// 9. a page under `/blog/`, `/news/`, `/articles/`, `/posts/` or a date (`/2023/05/`) →
///    blog_article;
/// 10. any other one-segment page (`/shoes/`, also `/products/` itself) → hub.
///
/// Anything else, a deeper page no rule recognises, is a blog_article: the conservative
/// guess. Hubs are the pages a plan builds most links to (T2/T3) and a wrong hub inflates
/// it, while a blog article is the cheapest tier that still gets links (T4). Locale prefixes
/// (`/de/…`) are skipped before rules 4–10 so a German hub is still a hub; a two-letter
/// section that is not a locale (`/it/` for IT services) is the known false match.
pub fn guess_page_type(url: &Url) -> (PageType, &'static str) {
    let mut segments: Vec<String> = url
        .path_segments()
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .map(|s| s.to_ascii_lowercase())
        .collect();
    if let Some(last) = segments.last_mut() {
        strip_extension(last);
    }
    if segments
        .last()
        .is_some_and(|s| INDEX_FILES.contains(&s.as_str()))
    {
        segments.pop();
    }
    match segments.as_slice() {
        [] => return (PageType::Homepage, "path is the site root"),
        [only] if is_locale(only) => return (PageType::Homepage, "path is a language root"),
        _ => {}
    }
    if let Some(reason) = any_segment(&segments, TERM) {
        return (PageType::Term, reason);
    }
    if segments
        .windows(2)
        .any(|w| w[0] == "page" && w[1].bytes().all(|b| b.is_ascii_digit()))
    {
        return (PageType::Term, "path is a listing page (/page/N)");
    }
    if let Some(first) = segments.first()
        && is_locale(first)
    {
        segments.remove(0);
    }
    classify(&segments)
}

fn classify(segments: &[String]) -> (PageType, &'static str) {
    let slug = segments.last().map(String::as_str).unwrap_or_default();
    let words: Vec<&str> = slug.split('-').collect();
    if segments
        .iter()
        .any(|s| s.contains("-vs-") || s.contains("-versus-"))
    {
        return (PageType::Comparison, "slug has -vs-");
    }
    if let Some(reason) = any_segment(segments, COMPARISON) {
        return (PageType::Comparison, reason);
    }
    if slug.ends_with("-alternatives") {
        return (PageType::Comparison, "slug ends with -alternatives");
    }
    if let Some(reason) = listicle(&words) {
        return (PageType::Listicle, reason);
    }
    if let Some(reason) = any_segment(segments, GUIDE) {
        return (PageType::Guide, reason);
    }
    if slug.starts_with("how-to-") {
        return (PageType::Guide, "slug starts with how-to-");
    }
    if slug.ends_with("-guide") {
        return (PageType::Guide, "slug ends with -guide");
    }
    if let Some(reason) = any_segment(segments, TOOL) {
        return (PageType::Tool, reason);
    }
    if let Some(&(_, reason)) = TOOL_WORDS.iter().find(|(w, _)| words.contains(w)) {
        return (PageType::Tool, reason);
    }
    // A section name only makes its children products, services or articles.
    let parents = &segments[..segments.len().saturating_sub(1)];
    if let Some(reason) = any_segment(parents, PRODUCT) {
        return (PageType::Product, reason);
    }
    if let Some(reason) = any_segment(parents, SERVICE) {
        return (PageType::Service, reason);
    }
    if let Some(reason) = any_segment(parents, BLOG) {
        return (PageType::BlogArticle, reason);
    }
    if segments
        .windows(2)
        .any(|w| is_year(&w[0]) && is_month(&w[1]))
    {
        return (PageType::BlogArticle, "path has a date (/YYYY/MM/)");
    }
    if segments.len() == 1 {
        return (PageType::Hub, "a top-level page");
    }
    (
        PageType::BlogArticle,
        "no rule matched; a deeper page is guessed an article",
    )
}

fn any_segment(segments: &[String], table: &[(&str, &'static str)]) -> Option<&'static str> {
    segments.iter().find_map(|s| {
        table
            .iter()
            .find(|(w, _)| w == s)
            .map(|&(_, reason)| reason)
    })
}

/// `10-best-x`, `7-ways-x` (a count of at most three digits, so `2023-05-01-x` is a date),
/// `best-x`, `top-x`.
fn listicle(words: &[&str]) -> Option<&'static str> {
    let first = *words.first()?;
    if words.len() > 1
        && (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
    {
        return Some("slug starts with a count");
    }
    match first {
        "best" if words.len() > 1 => Some("slug starts with best-"),
        "top" if words.len() > 1 => Some("slug starts with top-"),
        _ => None,
    }
}

/// Drops `.html`, `.php`, `.aspx` and the like: a short alphanumeric tail after the last dot.
fn strip_extension(segment: &mut String) {
    if let Some(dot) = segment.rfind('.') {
        let ext = &segment[dot + 1..];
        if dot > 0 && (1..=5).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            segment.truncate(dot);
        }
    }
}

/// `de`, `en-gb`, `pt_br`: the shape of a language (and region) prefix.
fn is_locale(segment: &str) -> bool {
    let b = segment.as_bytes();
    let alpha = |s: &[u8]| s.iter().all(u8::is_ascii_lowercase);
    match b.len() {
        2 => alpha(b),
        5 => alpha(&b[..2]) && matches!(b[2], b'-' | b'_') && alpha(&b[3..]),
        _ => false,
    }
}

fn is_year(segment: &str) -> bool {
    segment.len() == 4
        && segment
            .parse::<u16>()
            .is_ok_and(|y| (1990..=2099).contains(&y))
}

fn is_month(segment: &str) -> bool {
    segment.len() <= 2 && segment.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use PageType::*;

    #[test]
    fn real_looking_urls_get_the_expected_type() {
        let cases = [
            ("https://example.com", Homepage),
            ("https://example.com/", Homepage),
            ("https://example.com/index.html", Homepage),
            ("https://example.com/home/", Homepage),
            ("https://example.com/en-gb/", Homepage),
            ("https://example.com/tag/running/", Term),
            ("https://example.com/blog/category/news/", Term),
            ("https://example.com/author/jane-doe", Term),
            ("https://example.com/glossary/anchor-text", Term),
            ("https://example.com/blog/page/3/", Term),
            ("https://example.com/asana-vs-trello", Comparison),
            ("https://example.com/compare/asana/trello", Comparison),
            ("https://example.com/blog/notion-alternatives/", Comparison),
            ("https://example.com/blog/10-best-running-shoes/", Listicle),
            ("https://example.com/best-crm-software", Listicle),
            ("https://example.com/top-seo-tools", Listicle),
            ("https://example.com/guides/link-building", Guide),
            ("https://example.com/blog/how-to-build-links", Guide),
            ("https://example.com/learn/seo", Guide),
            ("https://example.com/link-building-guide", Guide),
            ("https://example.com/tools/serp-checker", Tool),
            (
                "https://example.com/loan/car-loan-calculator-malaysia/",
                Tool,
            ),
            ("https://example.com/products/red-shoes", Product),
            ("https://example.com/p/12345", Product),
            ("https://example.com/shop/mens/boots.html", Product),
            ("https://example.com/services/seo-audit/", Service),
            ("https://example.com/blog/why-links-matter", BlogArticle),
            (
                "https://example.com/blogs/news/castor-oil-benefits",
                BlogArticle,
            ),
            ("https://example.com/2023/05/spring-sale/", BlogArticle),
            ("https://example.com/de/news/neuer-laden", BlogArticle),
            ("https://example.com/running-shoes/", Hub),
            ("https://example.com/products/", Hub),
            ("https://example.com/blog/", Hub),
            ("https://example.com/de/laufschuhe/", Hub),
            ("https://example.com/women/shoes/red", BlogArticle),
        ];
        for (url, expected) in cases {
            let (got, reason) = guess_page_type(&Url::parse(url).unwrap());
            assert_eq!(got, expected, "{url}: {reason}");
            assert!(!reason.is_empty());
        }
    }

    #[test]
    fn case_trailing_slashes_and_extensions_do_not_matter() {
        for url in [
            "https://example.com/BLOG/My-Post/",
            "https://example.com/blog/my-post.php",
            "https://example.com/Blog/my-post.HTML",
        ] {
            let (t, reason) = guess_page_type(&Url::parse(url).unwrap());
            assert_eq!((t, reason), (BlogArticle, "path is under /blog/"), "{url}");
        }
    }

    #[test]
    fn a_date_slug_is_not_a_count() {
        let url = Url::parse("https://example.com/news/2023-05-01-results").unwrap();
        assert_eq!(guess_page_type(&url).0, BlogArticle);
    }
}
