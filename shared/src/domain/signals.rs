//! What a site's pages say about it as a publication: company pages, CMS, posting
//! activity, guest-post wording, advertising. Gathered during the crawl, scored by the
//! qualification's second layer.

use chrono::{DateTime, NaiveDate, Utc};
use scraper::{Html, Selector};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteSignals {
    pub title: String,
    pub description: String,
    pub language: Option<String>,
    pub has_about_page: bool,
    pub has_contact_page: bool,
    pub has_team_page: bool,
    pub detected_cms: Option<String>,
    pub write_for_us_keywords: Vec<String>,
    pub ad_networks: Vec<String>,
    /// Publication dates seen in feeds and article markup, newest first (at most 50).
    pub post_dates: Vec<NaiveDate>,
    /// A feed the homepage advertises.
    pub feed_url: Option<String>,
    pub word_count: usize,
}

const CMS: &[(&str, &[&str])] = &[
    ("WordPress", &["wp-content/", "wp-includes/", "wordpress"]),
    ("Ghost", &["ghost.io", "content=\"ghost", "/ghost/"]),
    ("Shopify", &["cdn.shopify.com", "shopify"]),
    ("Wix", &["wixstatic.com", "wix.com"]),
    ("Squarespace", &["squarespace"]),
    ("Webflow", &["webflow"]),
    ("Drupal", &["drupal"]),
    ("Joomla", &["joomla"]),
    ("HubSpot", &["hs-scripts.com", "hubspot"]),
    ("Medium", &["medium.com"]),
    ("Substack", &["substack"]),
    ("Blogger", &["blogger.com", "blogspot"]),
    ("Hugo", &["content=\"hugo"]),
    ("Jekyll", &["content=\"jekyll"]),
    ("Next.js", &["/_next/static"]),
];

const WRITE_FOR_US: &[&str] = &[
    "write for us",
    "guest post",
    "guest author",
    "contribute",
    "submit an article",
    "submit a guest post",
    "become a contributor",
    "guest blogging",
    "submission guidelines",
    "writers wanted",
    "sponsored post",
    "accepting guest posts",
];

const AD_NETWORKS: &[(&str, &str)] = &[
    ("googlesyndication.com", "Google AdSense"),
    ("adsbygoogle", "Google AdSense"),
    ("doubleclick.net", "Google Ad Manager"),
    ("taboola.com", "Taboola"),
    ("outbrain.com", "Outbrain"),
    ("mediavine.com", "Mediavine"),
    ("ezoic", "Ezoic"),
    ("adthrive", "Raptive"),
    ("media.net", "Media.net"),
    ("amazon-adsystem.com", "Amazon Ads"),
    ("propellerads", "PropellerAds"),
];

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc).date_naive())
        .or_else(|_| DateTime::parse_from_rfc2822(text).map(|d| d.with_timezone(&Utc).date_naive()))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok())
}

/// Reads a homepage. `links` are the contact-like pages it links to (from the crawl).
pub fn from_homepage(html: &str, page_text: &str, links: &[url::Url]) -> SiteSignals {
    let doc = Html::parse_document(html);
    let lower = html.to_ascii_lowercase();
    let text_lower = page_text.to_ascii_lowercase();
    let attr = |css: &str, name: &str| {
        doc.select(&sel(css))
            .next()
            .and_then(|e| e.value().attr(name))
            .map(str::to_string)
    };
    let generator = attr(r#"meta[name="generator"]"#, "content")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let detected_cms = CMS
        .iter()
        .find(|(name, markers)| {
            generator.contains(&name.to_ascii_lowercase())
                || markers.iter().any(|m| lower.contains(m))
        })
        .map(|(name, _)| name.to_string());
    let mut ad_networks: Vec<String> = AD_NETWORKS
        .iter()
        .filter(|(m, _)| lower.contains(m))
        .map(|(_, n)| n.to_string())
        .collect();
    ad_networks.dedup();
    let paths: Vec<String> = links
        .iter()
        .map(|u| u.path().to_ascii_lowercase())
        .collect();
    let linked = |words: &[&str]| paths.iter().any(|p| words.iter().any(|w| p.contains(w)));
    let mut post_dates: Vec<NaiveDate> = doc
        .select(&sel(r#"meta[property="article:published_time"], meta[property="article:modified_time"], time[datetime]"#))
        .filter_map(|e| e.value().attr("content").or(e.value().attr("datetime")))
        .filter_map(parse_date)
        .collect();
    post_dates.sort_unstable_by(|a, b| b.cmp(a));
    post_dates.dedup();
    SiteSignals {
        title: doc.select(&sel("title")).next().map(|t| t.text().collect::<String>().trim().to_string()).unwrap_or_default(),
        description: attr(r#"meta[name="description"]"#, "content").unwrap_or_default(),
        language: attr("html", "lang"),
        has_about_page: linked(&["about", "impressum", "imprint"]),
        has_contact_page: linked(&["contact"]),
        has_team_page: linked(&["team", "staff", "masthead", "people", "authors"]),
        detected_cms,
        write_for_us_keywords: WRITE_FOR_US.iter().filter(|k| text_lower.contains(*k)).map(|k| k.to_string()).collect(),
        ad_networks,
        post_dates,
        feed_url: doc
            .select(&sel(r#"link[rel="alternate"][type="application/rss+xml"], link[rel="alternate"][type="application/atom+xml"]"#))
            .next()
            .and_then(|l| l.value().attr("href"))
            .map(str::to_string),
        word_count: page_text.split_whitespace().count(),
    }
}

/// Adds what another page says: guest-post wording found anywhere on the site counts.
pub fn add_page(signals: &mut SiteSignals, page_text: &str) {
    let lower = page_text.to_ascii_lowercase();
    for k in WRITE_FOR_US {
        if lower.contains(k) && !signals.write_for_us_keywords.iter().any(|x| x == k) {
            signals.write_for_us_keywords.push(k.to_string());
        }
    }
}

/// Adds the dates of an RSS or Atom feed.
pub fn add_feed(signals: &mut SiteSignals, xml: &str) {
    let doc = Html::parse_document(xml);
    let dated = sel("item pubdate, item dc\\:date, entry published, entry updated");
    let dates = doc
        .select(&dated)
        .filter_map(|e| parse_date(&e.text().collect::<String>()));
    signals.post_dates.extend(dates);
    signals.post_dates.sort_unstable_by(|a, b| b.cmp(a));
    signals.post_dates.dedup();
    signals.post_dates.truncate(50);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cms_pages_keywords_ads_and_dates() {
        let html = r#"<html lang="en"><head><title> Green Blog </title>
            <meta name="generator" content="WordPress 6.5">
            <meta name="description" content="Living green">
            <link rel="alternate" type="application/rss+xml" href="/feed/">
            <script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"></script>
            <meta property="article:published_time" content="2026-05-01T10:00:00+00:00"></head>
            <body><time datetime="2026-04-20">April</time></body></html>"#;
        let links: Vec<url::Url> = ["https://g.org/about-us", "https://g.org/contact"]
            .iter()
            .map(|u| u.parse().unwrap())
            .collect();
        let s = from_homepage(
            html,
            "Green Blog. We accept guest posts: write for us!",
            &links,
        );
        assert_eq!(s.title, "Green Blog");
        assert_eq!(s.detected_cms.as_deref(), Some("WordPress"));
        assert!(s.has_about_page && s.has_contact_page && !s.has_team_page);
        assert_eq!(
            s.write_for_us_keywords,
            vec!["write for us".to_string(), "guest post".to_string()]
        );
        assert_eq!(s.ad_networks, vec!["Google AdSense".to_string()]);
        assert_eq!(s.feed_url.as_deref(), Some("/feed/"));
        assert_eq!(s.post_dates[0].to_string(), "2026-05-01");
        assert_eq!(s.language.as_deref(), Some("en"));
    }

    #[test]
    fn reads_rss_and_atom_dates() {
        let mut s = SiteSignals::default();
        add_feed(
            &mut s,
            "<rss><channel><item><pubDate>Tue, 10 Nov 2026 08:00:00 GMT</pubDate></item></channel></rss>",
        );
        add_feed(
            &mut s,
            "<feed><entry><updated>2026-11-12T08:00:00Z</updated></entry></feed>",
        );
        assert_eq!(
            s.post_dates
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>(),
            vec!["2026-11-12", "2026-11-10"]
        );
    }
}
