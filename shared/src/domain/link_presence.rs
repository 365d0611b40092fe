//! Does a page link to a target? Pure HTML inspection for the link health check.

use super::backlink::LinkType;
use scraper::{Html, Selector};
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundLink {
    pub href: String,
    pub anchor_text: String,
    pub link_type: LinkType,
}

/// The parts of a URL that decide whether two links point at the same page: host without
/// `www.`, path without a trailing slash, and the query. Scheme and fragment do not matter.
fn identity(url: &Url) -> Option<(String, String, Option<String>)> {
    let host = url
        .host_str()?
        .trim_start_matches("www.")
        .to_ascii_lowercase();
    let path = url.path().trim_end_matches('/').to_string();
    Some((host, path, url.query().map(str::to_string)))
}

fn link_type(rel: Option<&str>) -> LinkType {
    let tokens: Vec<String> = rel
        .unwrap_or("")
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |t: &str| tokens.iter().any(|x| x == t);
    if has("sponsored") {
        LinkType::Sponsored
    } else if has("ugc") {
        LinkType::Ugc
    } else if has("nofollow") {
        LinkType::Nofollow
    } else {
        LinkType::Dofollow
    }
}

/// The first `<a href>` on the page that resolves to `target`, honouring `<base href>`.
pub fn find_link(html: &str, page_url: &Url, target: &Url) -> Option<FoundLink> {
    let document = Html::parse_document(html);
    let wanted = identity(target)?;
    let base = Selector::parse("base[href]")
        .ok()
        .and_then(|s| document.select(&s).next())
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| page_url.join(href).ok())
        .unwrap_or_else(|| page_url.clone());
    let anchors = Selector::parse("a[href]").ok()?;
    document.select(&anchors).find_map(|a| {
        let href = a.value().attr("href")?;
        let resolved = base.join(href.trim()).ok()?;
        (identity(&resolved)? == wanted).then(|| FoundLink {
            href: resolved.to_string(),
            anchor_text: a
                .text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            link_type: link_type(a.value().attr("rel")),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn finds_relative_and_absolute_links_to_the_target() {
        let page = url("https://blog.example/posts/1");
        let target = url("https://client.example/pricing/");
        let html = r#"<p>See <a href="https://www.client.example/pricing" rel="nofollow ugc"> our
            pricing </a></p>"#;
        let found = find_link(html, &page, &target).unwrap();
        assert_eq!(found.anchor_text, "our pricing");
        assert_eq!(found.link_type, LinkType::Ugc);

        let own = url("https://blog.example/about");
        let html = r#"<base href="https://blog.example/x/"><a href="../about">us</a>"#;
        assert_eq!(
            find_link(html, &page, &own).unwrap().link_type,
            LinkType::Dofollow
        );
    }

    #[test]
    fn other_pages_and_hosts_do_not_count() {
        let page = url("https://blog.example/");
        let target = url("https://client.example/pricing");
        for html in [
            r#"<a href="https://client.example/">home</a>"#,
            r#"<a href="https://client.example.evil/pricing">x</a>"#,
            r#"<a>no href</a> https://client.example/pricing"#,
        ] {
            assert!(find_link(html, &page, &target).is_none(), "{html}");
        }
    }
}
