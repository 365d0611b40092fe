//! DuckDuckGo's HTML results page. Result links go through DuckDuckGo's `/l/?uddg=`
//! redirect; the real target is unwrapped, and anything still on duckduckgo.com (ads,
//! internal links) is dropped.

use crate::ports::search::{Search, SearchError, SearchHit};
use async_trait::async_trait;
use scraper::{Html, Selector};
use std::time::Duration;
use url::Url;

pub const DEFAULT_BASE_URL: &str = "https://html.duckduckgo.com";
const NAME: &str = "duckduckgo";
/// DuckDuckGo publishes no limit for its HTML page and blocks bursts: one search a second.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

pub struct DuckDuckGo {
    client: reqwest::Client,
    base_url: String,
}

impl DuckDuckGo {
    pub fn new(client: reqwest::Client, base_url: impl Into<String>) -> Self {
        Self {
            client,
            base_url: base_url.into().trim_end_matches('/').to_string(),
        }
    }
}

/// The target of a result link: the `uddg` parameter of a `/l/` redirect, or the link
/// itself. None for links that stay on DuckDuckGo.
pub fn unwrap_result_link(href: &str) -> Option<Url> {
    let absolute = if href.starts_with("//") {
        format!("https:{href}")
    } else {
        href.to_string()
    };
    let url = Url::parse(&absolute).ok()?;
    let on_ddg = |u: &Url| {
        u.host_str()
            .is_some_and(|h| h == "duckduckgo.com" || h.ends_with(".duckduckgo.com"))
    };
    let target = if on_ddg(&url) && url.path().starts_with("/l/") {
        let uddg = url
            .query_pairs()
            .find(|(k, _)| k == "uddg")
            .map(|(_, v)| v.into_owned())?;
        Url::parse(&uddg).ok()?
    } else {
        url
    };
    (matches!(target.scheme(), "http" | "https") && !on_ddg(&target)).then_some(target)
}

pub fn parse_results(html: &str) -> Vec<SearchHit> {
    let doc = Html::parse_document(html);
    let result = Selector::parse("div.result").expect("static selector");
    let link = Selector::parse("a.result__a").expect("static selector");
    let snippet = Selector::parse(".result__snippet").expect("static selector");
    doc.select(&result)
        .filter(|r| !r.value().classes().any(|c| c == "result--ad"))
        .filter_map(|r| {
            let a = r.select(&link).next()?;
            let url = unwrap_result_link(a.value().attr("href")?)?;
            let text = |e: scraper::ElementRef<'_>| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            Some(SearchHit {
                url,
                title: text(a),
                snippet: r.select(&snippet).next().map(text).unwrap_or_default(),
            })
        })
        .collect()
}

#[async_trait]
impl Search for DuckDuckGo {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn search(&self, query: &str, max_results: usize) -> Result<Vec<SearchHit>, SearchError> {
        let unavailable = |reason: String| SearchError::Unavailable {
            provider: NAME,
            reason,
        };
        let response = self
            .client
            .post(format!("{}/html/", self.base_url))
            .form(&[("q", query), ("kl", "wt-wt")])
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("HTTP {}", response.status())));
        }
        let html = response
            .text()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        let mut hits = parse_results(&html);
        hits.truncate(max_results);
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_links_are_unwrapped_and_ddg_links_dropped() {
        let wrapped = "//duckduckgo.com/l/?uddg=https%3A%2F%2Fblog.example.org%2Fwrite-for-us%3Fa%3D1&rut=abc";
        assert_eq!(
            unwrap_result_link(wrapped).unwrap().as_str(),
            "https://blog.example.org/write-for-us?a=1"
        );
        assert_eq!(
            unwrap_result_link("https://site.org/x").unwrap().as_str(),
            "https://site.org/x"
        );
        assert!(unwrap_result_link("//duckduckgo.com/l/?rut=abc").is_none());
        assert!(unwrap_result_link("https://duckduckgo.com/y.js?ad=1").is_none());
        assert!(
            unwrap_result_link("//duckduckgo.com/l/?uddg=https%3A%2F%2Fduckduckgo.com%2Fabout")
                .is_none()
        );
        assert!(unwrap_result_link("javascript:alert(1)").is_none());
    }
}
