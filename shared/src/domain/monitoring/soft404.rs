//! Soft 404s (issue 15): a page that answers 2xx but is an error page or the homepage in
//! disguise. Three signs, checked in this order:
//!
//! 1. its `<title>` or an `<h1>` says the page was not found (English, German, French,
//!    Spanish, Italian, Dutch), in a heading short enough to be an error page rather than an
//!    article about errors;
//! 2. a redirect landed on the site's homepage, which Google also treats as a soft 404;
//! 3. it is (near-)identical to the probe: a fetch of a random path that cannot exist on the
//!    same host, which also answered 2xx. Both pages' visible text (scripts, styles and
//!    `<noscript>` left out, title kept) is cut into lower-case words, less the words of the
//!    page's own path (error pages echo it), and the two word sets match when their Jaccard index |A ∩ B| / |A ∪ B| is at least 0.9: the same error
//!    template echoing a different path still matches, an article beside the site's error
//!    page does not. A placement page that is the site's homepage is never compared, since a
//!    host that answers every unknown path with its homepage would otherwise condemn it.
//!
//! The check reads what a fetch without JavaScript sees: a page rendered only by JavaScript is
//! its shell, and can match a probe that gets the same shell.

use super::page::{FetchedPage, same_page};
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashSet;
use url::Url;

/// Jaccard index of the two word sets from which a page counts as the probe's twin.
const SAME_AS_PROBE: f64 = 0.9;
/// Titles and headings longer than this are about errors, not error pages.
const MAX_HEADING_WORDS: usize = 12;
/// Word sequences that say "not found"; matched on whole words after lower-casing.
const NOT_FOUND: &[&str] = &[
    "not found",
    "can't be found",
    "cannot be found",
    "could not be found",
    "error 404",
    "nicht gefunden",
    "page introuvable",
    "no encontrada",
    "no encontrado",
    "non trovata",
    "non trovato",
    "niet gevonden",
];
/// Elements whose text a reader never sees.
const UNSEEN: &[&str] = &["script", "style", "noscript", "template"];

/// The reason a 2xx `page` is really an error, or `None`. `probe` is a fetch of a random
/// missing path on the same host; `site_home` the site's homepage (the root of the requested
/// URL's host when `None`).
pub fn looks_like_soft_404(
    page: &FetchedPage,
    probe: Option<&FetchedPage>,
    site_home: Option<&str>,
) -> Option<&'static str> {
    soft_404(&Html::parse_document(&page.body), page, probe, site_home)
}

/// [`looks_like_soft_404`] on a page already parsed.
pub(super) fn soft_404(
    doc: &Html,
    page: &FetchedPage,
    probe: Option<&FetchedPage>,
    site_home: Option<&str>,
) -> Option<&'static str> {
    if !(200..300).contains(&page.status) {
        return None;
    }
    if let Some(reason) = says_not_found(doc) {
        return Some(reason);
    }
    let home = home_of(page, site_home)?;
    if same_page(&page.final_url, &home) {
        return (!same_page(&page.requested, &home))
            .then_some("a redirect landed on the site's homepage");
    }
    probe
        .filter(|p| (200..300).contains(&p.status) && like_probe(doc, page, p))
        .map(|_| "the page matches a random missing path on the same host")
}

fn home_of(page: &FetchedPage, site_home: Option<&str>) -> Option<Url> {
    match site_home {
        Some(home) => page.requested.join(home).ok(),
        None => page.requested.join("/").ok(),
    }
}

fn says_not_found(doc: &Html) -> Option<&'static str> {
    let headings = |css: &str| -> Vec<String> {
        Selector::parse(css)
            .map(|s| doc.select(&s).map(visible_text).collect())
            .unwrap_or_default()
    };
    if headings("title").iter().any(|t| is_not_found(t)) {
        return Some("the title says the page was not found");
    }
    headings("h1")
        .iter()
        .any(|h| is_not_found(h))
        .then_some("the h1 says the page was not found")
}

fn is_not_found(heading: &str) -> bool {
    let words = words(heading);
    if words.is_empty() || words.len() > MAX_HEADING_WORDS {
        return false;
    }
    // A bare 404 counts only at either end ("404 | Blog", "Error - 404"), not in "The 404 guide".
    if words.first().is_some_and(|w| w == "404") || words.last().is_some_and(|w| w == "404") {
        return true;
    }
    NOT_FOUND.iter().any(|phrase| {
        let phrase = self::words(phrase);
        words.windows(phrase.len()).any(|w| w == phrase.as_slice())
    })
}

fn like_probe(doc: &Html, page: &FetchedPage, probe: &FetchedPage) -> bool {
    let ours = text_words(doc, page);
    let theirs = text_words(&Html::parse_document(&probe.body), probe);
    if ours.is_empty() || theirs.is_empty() {
        return false;
    }
    let shared = ours.intersection(&theirs).count() as f64;
    let all = ours.union(&theirs).count() as f64;
    shared / all >= SAME_AS_PROBE
}

/// The words of a page's visible text, less the words of its own path, which error pages
/// echo ("Nothing lives at /ten-days-in-lisbon").
fn text_words(doc: &Html, page: &FetchedPage) -> HashSet<String> {
    let mut set: HashSet<String> = words(&visible_text(doc.root_element()))
        .into_iter()
        .collect();
    for url in [&page.requested, &page.final_url] {
        for word in words(url.path()) {
            set.remove(&word);
        }
    }
    set
}

/// Lower-case words: runs of letters and digits in any script.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The text a reader sees in `el`, whitespace collapsed to single spaces. Walks with its own
/// stack: a hostile page nested a million deep must not overflow ours.
pub(super) fn visible_text(el: ElementRef<'_>) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut stack = vec![*el];
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(text) => out.extend(text.split_whitespace()),
            Node::Element(e) if node.id() != el.id() && UNSEEN.contains(&e.name()) => {}
            _ => stack.extend(node.children().rev()),
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, status: u16, body: &str) -> FetchedPage {
        let url = Url::parse(url).unwrap();
        FetchedPage {
            requested: url.clone(),
            final_url: url,
            status,
            redirects: vec![],
            headers: vec![],
            body: body.to_string(),
        }
    }

    fn titled(title: &str) -> String {
        format!("<html><head><title>{title}</title></head><body><p>Hello</p></body></html>")
    }

    #[test]
    fn error_titles_and_headings_in_several_languages() {
        for title in [
            "Page not found – Travel Blog",
            "404 | Travel Blog",
            "Travel Blog - 404",
            "Seite nicht gefunden",
            "Page introuvable",
            "Página no encontrada",
            "Pagina non trovata",
            "Pagina niet gevonden",
            "Oops! That page can’t be found.",
        ] {
            let p = page("https://blog.example/post", 200, &titled(title));
            assert!(looks_like_soft_404(&p, None, None).is_some(), "{title}");
        }
        let h1 = "<title>Travel Blog</title><h1>Error 404</h1><p>Sorry.</p>";
        let p = page("https://blog.example/post", 200, h1);
        assert_eq!(
            looks_like_soft_404(&p, None, None),
            Some("the h1 says the page was not found")
        );
    }

    #[test]
    fn articles_about_errors_are_not_errors() {
        for title in [
            "The 404 page guide",
            "How we fixed 404 errors on 2,000 pages without losing traffic in one week flat",
            "Notfound: a design studio",
        ] {
            let p = page("https://blog.example/post", 200, &titled(title));
            assert_eq!(looks_like_soft_404(&p, None, None), None, "{title}");
        }
        // A real 404 status is page_gone, not a soft 404.
        let p = page("https://blog.example/post", 404, &titled("Not found"));
        assert_eq!(looks_like_soft_404(&p, None, None), None);
    }

    #[test]
    fn a_page_that_is_the_probe_in_disguise() {
        let error = |path: &str| {
            format!(
                "<title>Travel Blog</title><h2>Sorry, nothing lives at {path}.</h2>\
                 <p>Try the search box or go back to the homepage of our travel blog.</p>\
                 <script>var trackingId = 'abc{path}';</script>"
            )
        };
        let p = page("https://blog.example/post", 200, &error("/post"));
        let probe = page("https://blog.example/zq81x7", 200, &error("/zq81x7"));
        assert_eq!(
            looks_like_soft_404(&p, Some(&probe), None),
            Some("the page matches a random missing path on the same host")
        );

        let article = "<title>Travel Blog</title><p>Ten days in Lisbon: where we ate, \
                       what we saw, and the partner who booked it.</p>";
        let p = page("https://blog.example/post", 200, article);
        assert_eq!(looks_like_soft_404(&p, Some(&probe), None), None);

        // A probe that answered 404 proves the host is honest.
        let p = page("https://blog.example/post", 200, &error("/post"));
        let honest = page("https://blog.example/zq81x7", 404, &error("/zq81x7"));
        assert_eq!(looks_like_soft_404(&p, Some(&honest), None), None);
    }

    #[test]
    fn the_homepage_is_never_its_own_soft_404() {
        let home = "<title>Travel Blog</title><p>Latest posts from our travels.</p>";
        let p = page("https://blog.example/", 200, home);
        let probe = page("https://blog.example/zq81x7", 200, home);
        assert_eq!(looks_like_soft_404(&p, Some(&probe), None), None);
    }

    #[test]
    fn a_redirect_to_the_homepage() {
        let mut p = page(
            "https://blog.example/post",
            200,
            "<title>Travel Blog</title>",
        );
        p.final_url = Url::parse("https://www.blog.example/").unwrap();
        p.redirects = vec![p.final_url.clone()];
        assert_eq!(
            looks_like_soft_404(&p, None, None),
            Some("a redirect landed on the site's homepage")
        );
        // With a home elsewhere (a language root), the site root is just another page.
        assert_eq!(looks_like_soft_404(&p, None, Some("/en/")), None);
        p.final_url = Url::parse("https://blog.example/en/").unwrap();
        assert!(looks_like_soft_404(&p, None, Some("/en/")).is_some());
    }

    #[test]
    fn visible_text_skips_what_nobody_sees() {
        let doc = Html::parse_document(
            "<title>T</title><style>p{}</style><p>a <b>b</b></p>\
             <noscript><a href=x>n</a></noscript><script>s()</script><p>\n c </p>",
        );
        assert_eq!(visible_text(doc.root_element()), "T a b c");
    }
}
