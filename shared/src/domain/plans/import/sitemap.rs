//! Sitemaps as the sitemaps.org protocol defines them (https://www.sitemaps.org/protocol.html):
//! a `<urlset>` of `<url><loc>…</loc><lastmod>…</lastmod></url>`, or a `<sitemapindex>` of
//! `<sitemap><loc>…</loc></sitemap>` naming further sitemaps.

use super::{ErrorLog, ImportError, ImportFormat};
use crate::domain::plans::{PageInput, site_domain};
use crate::domain::web::WebUrl;
use roxmltree::{Document, Node, ParsingOptions};

/// The protocol's bound on the entries of one sitemap or index file.
pub const MAX_SITEMAP_ENTRIES: usize = 50_000;
/// The protocol's bound on one file, uncompressed: 50 MiB.
pub const MAX_SITEMAP_BYTES: usize = 50 * 1024 * 1024;
/// XML nodes (elements and text) parsed from one file. The byte bound alone would let 50 MiB
/// of `<url/>` become millions of nodes in memory; 40 per entry leaves room for every
/// protocol field, the whitespace between them and a few extension elements.
pub const MAX_SITEMAP_NODES: u32 = 40 * MAX_SITEMAP_ENTRIES as u32;

/// One `<url>` entry, its text trimmed; `loc` is empty when the entry has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapUrl {
    pub loc: String,
    pub lastmod: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    /// A `<urlset>`: every `<url>` in order, so an entry's position is its row.
    Urls(Vec<SitemapUrl>),
    /// A `<sitemapindex>`: each child sitemap's `<loc>` as written (trimmed); the caller
    /// checks and fetches them.
    Index(Vec<String>),
}

impl Sitemap {
    pub fn format(&self) -> ImportFormat {
        match self {
            Self::Urls(_) => ImportFormat::Sitemap,
            Self::Index(_) => ImportFormat::SitemapIndex,
        }
    }
}

/// Parses a sitemap or sitemap index (UTF-8, as the protocol requires).
///
/// Elements are matched by local name in the root element's namespace (or none), so the
/// sitemaps.org namespace, a prefixed one, an old Google one and none at all all read the
/// same, while extensions (`<image:loc>`) are ignored. CDATA sections count as text. A
/// DOCTYPE is refused outright: entity declarations are how an "XML bomb" expands a small
/// file into gigabytes, and no sitemap needs one.
pub fn parse_sitemap(bytes: &[u8]) -> Result<Sitemap, ImportError> {
    if bytes.len() > MAX_SITEMAP_BYTES {
        return Err(ImportError::file(format!(
            "the sitemap is {} bytes; the sitemaps.org protocol allows at most 50 MiB \
             (52,428,800 bytes) uncompressed per file: split it with a sitemap index",
            bytes.len()
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ImportError::file(format!("the sitemap is not UTF-8 text ({e})")))?;
    if text
        .as_bytes()
        .windows(9)
        .any(|w| w.eq_ignore_ascii_case(b"<!doctype"))
    {
        return Err(ImportError::file(
            "the sitemap has a DOCTYPE declaration; it is refused because entity \
             declarations can expand a small file without bound (sitemaps need none)",
        ));
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_SITEMAP_NODES,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => ImportError::file(format!(
            "the sitemap has more than {MAX_SITEMAP_NODES} XML nodes, more than 50,000 entries \
             need: split it with a sitemap index"
        )),
        e => ImportError::file(format!("the sitemap is not well-formed XML: {e}")),
    })?;
    let root = doc.root_element();
    let ns = root.tag_name().namespace();
    let (entry, is_index) = match root.tag_name().name() {
        "urlset" => ("url", false),
        "sitemapindex" => ("sitemap", true),
        other => {
            return Err(ImportError::file(format!(
                "not a sitemap: the root element is <{other}>, not <urlset> or <sitemapindex>"
            )));
        }
    };
    let entries: Vec<Node> = children(root, ns, entry).collect();
    if entries.len() > MAX_SITEMAP_ENTRIES {
        return Err(ImportError::file(format!(
            "the sitemap lists {} <{entry}> entries; the sitemaps.org protocol allows at \
             most 50,000 per file: split it with a sitemap index",
            entries.len()
        )));
    }
    let text_of = |node: Node, name: &str| children(node, ns, name).next().map(inner_text);
    Ok(if is_index {
        Sitemap::Index(
            entries
                .into_iter()
                .map(|e| text_of(e, "loc").unwrap_or_default())
                .collect(),
        )
    } else {
        Sitemap::Urls(
            entries
                .into_iter()
                .map(|e| SitemapUrl {
                    loc: text_of(e, "loc").unwrap_or_default(),
                    lastmod: text_of(e, "lastmod").filter(|t| !t.is_empty()),
                })
                .collect(),
        )
    })
}

fn children<'a, 'i, 'n>(
    node: Node<'a, 'i>,
    ns: Option<&'n str>,
    name: &'n str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
        .filter(move |c| c.tag_name().namespace().is_none() || c.tag_name().namespace() == ns)
}

/// All the text inside an element, CDATA included, trimmed.
fn inner_text(node: Node) -> String {
    let text: String = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    text.trim().to_string()
}

/// The entries that are pages of `domain` (a registrable domain, as `site_domain` gives it),
/// as `PageInput`s with no type (the app guesses it). The others are reported with their
/// 1-based position as the row: not a URL, or a page of another site.
pub fn sitemap_pages(urls: &[SitemapUrl], domain: &str) -> (Vec<PageInput>, Vec<ImportError>) {
    let domain = domain.trim().to_ascii_lowercase();
    let mut pages = Vec::new();
    let mut errors = ErrorLog::default();
    for (i, entry) in urls.iter().enumerate() {
        let row = i + 1;
        let url = match WebUrl::parse(&entry.loc) {
            Ok(url) => url,
            Err(e) => {
                errors.push(ImportError::at(
                    row,
                    "loc",
                    format!("{:?} {}", entry.loc, e.message),
                ));
                continue;
            }
        };
        if site_domain(&url).as_deref() != Some(domain.as_str()) {
            errors.push(ImportError::at(
                row,
                "loc",
                format!("{url} is not a page of {domain}"),
            ));
            continue;
        }
        pages.push(PageInput {
            url: url.to_string(),
            ..PageInput::default()
        });
    }
    (pages, errors.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    const URLSET: &[u8] = include_bytes!("../../../../../tests/fixtures/imports/sitemap.xml");
    const INDEX: &[u8] = include_bytes!("../../../../../tests/fixtures/imports/sitemap_index.xml");
    const DOCTYPE: &[u8] =
        include_bytes!("../../../../../tests/fixtures/imports/sitemap_doctype.xml");

    fn urls(sitemap: Sitemap) -> Vec<SitemapUrl> {
        match sitemap {
            Sitemap::Urls(urls) => urls,
            Sitemap::Index(_) => panic!("an index"),
        }
    }

    #[test]
    fn a_urlset_gives_every_entry_with_cdata_and_whitespace_handled() {
        let sitemap = parse_sitemap(URLSET).unwrap();
        assert_eq!(sitemap.format(), ImportFormat::Sitemap);
        let urls = urls(sitemap);
        let locs: Vec<&str> = urls.iter().map(|u| u.loc.as_str()).collect();
        assert_eq!(
            locs,
            [
                "https://www.example.com/",
                "https://www.example.com/products/red-shoes?colour=red&size=42",
                "https://www.example.com/blog/how-to-lace-shoes",
                "",
                "https://elsewhere.org/page",
                "https://shop.example.com/running-shoes/",
            ]
        );
        assert_eq!(urls[0].lastmod.as_deref(), Some("2024-05-01"));
        assert_eq!(urls[1].lastmod, None);
    }

    #[test]
    fn an_index_gives_its_child_sitemaps() {
        let sitemap = parse_sitemap(INDEX).unwrap();
        assert_eq!(sitemap.format(), ImportFormat::SitemapIndex);
        assert_eq!(
            sitemap,
            Sitemap::Index(vec![
                "https://www.example.com/sitemap-pages.xml".into(),
                "https://www.example.com/sitemap-posts.xml.gz".into(),
            ])
        );
    }

    #[test]
    fn prefixed_and_unnamespaced_sitemaps_read_the_same_and_extensions_are_ignored() {
        let prefixed = br#"<?xml version="1.0"?>
            <sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"
                       xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
              <sm:url><sm:loc>https://example.com/a</sm:loc>
                <image:image><image:loc>https://cdn.example.com/a.jpg</image:loc></image:image>
              </sm:url>
            </sm:urlset>"#;
        let bare = b"<urlset><url><loc>https://example.com/a</loc></url></urlset>";
        for xml in [&prefixed[..], &bare[..]] {
            let urls = urls(parse_sitemap(xml).unwrap());
            assert_eq!(urls.len(), 1);
            assert_eq!(urls[0].loc, "https://example.com/a");
        }
    }

    #[test]
    fn a_doctype_is_refused_and_so_is_what_is_not_a_sitemap() {
        let e = parse_sitemap(DOCTYPE).unwrap_err();
        assert!(e.message.contains("DOCTYPE"), "{e}");
        let e = parse_sitemap(b"<rss><channel/></rss>").unwrap_err();
        assert!(e.message.contains("<rss>"), "{e}");
        let e = parse_sitemap(b"<urlset><url>").unwrap_err();
        assert!(e.message.contains("not well-formed"), "{e}");
    }

    #[test]
    fn the_protocol_limits_are_errors_that_say_so() {
        let mut xml = String::from("<urlset>");
        for i in 0..=MAX_SITEMAP_ENTRIES {
            xml.push_str(&format!("<url><loc>https://example.com/{i}</loc></url>"));
        }
        xml.push_str("</urlset>");
        let e = parse_sitemap(xml.as_bytes()).unwrap_err();
        assert!(e.message.contains("at most 50,000"), "{e}");
        let nodes = format!(
            "<urlset>{}</urlset>",
            "<url/>".repeat(MAX_SITEMAP_NODES as usize)
        );
        let e = parse_sitemap(nodes.as_bytes()).unwrap_err();
        assert!(e.message.contains("XML nodes"), "{e}");
        let big = vec![b' '; MAX_SITEMAP_BYTES + 1];
        let e = parse_sitemap(&big).unwrap_err();
        assert!(e.message.contains("50 MiB"), "{e}");
    }

    #[test]
    fn only_pages_of_the_site_are_kept_and_the_rest_are_reported_by_position() {
        let urls = urls(parse_sitemap(URLSET).unwrap());
        let (pages, errors) = sitemap_pages(&urls, "Example.com");
        let kept: Vec<&str> = pages.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            kept,
            [
                "https://www.example.com/",
                "https://www.example.com/products/red-shoes?colour=red&size=42",
                "https://www.example.com/blog/how-to-lace-shoes",
                "https://shop.example.com/running-shoes/",
            ]
        );
        assert!(pages.iter().all(|p| p.page_type.is_none()));
        let rows: Vec<(Option<usize>, Option<&str>)> = errors
            .iter()
            .map(|e| (e.row, e.column.as_deref()))
            .collect();
        assert_eq!(rows, [(Some(4), Some("loc")), (Some(5), Some("loc"))]);
        assert!(errors[1].message.contains("not a page of example.com"));
    }
}
