//! A tenant's site inventory: the pages a plan is built from (issue 14). The seed's system
//! had a site blueprint, keyword data and content records; here a tenant describes its site
//! page by page, through the API, a CSV file, its sitemap or a Search Console export, and
//! every way in produces the same `PageInput` and passes the same checks.

use super::tiers::{PageKeyword, PageType, PlanPage};
use crate::domain::email::registrable_domain;
use crate::domain::ids::SiteId;
use crate::domain::text::single_line;
use crate::domain::time::Timestamp;
use crate::domain::web::WebUrl;
use crate::domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Keywords kept per page: enough for a hub's cluster, bounded so a page stays one item.
pub const MAX_KEYWORDS_PER_PAGE: usize = 100;
pub const MAX_TITLE_CHARS: usize = 300;
pub const MAX_KEYWORD_CHARS: usize = 200;

/// A tenant's site: the registrable domain its pages live on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    pub id: SiteId,
    pub name: String,
    /// The registrable domain (`example.co.uk`); pages on any of its hosts belong here.
    pub domain: String,
    /// The brand plans use for branded anchors.
    pub brand_name: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A page's search performance, as Search Console reports it for a period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchPerformance {
    pub clicks: u64,
    pub impressions: u64,
    /// Average position, 1 or more.
    #[schema(minimum = 1)]
    pub position: Option<f64>,
}

/// One page as it comes in, from any source; `upsertPages` takes a list of these.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageInput {
    /// The page's absolute URL, on the site's registrable domain; pages are kept by URL.
    pub url: String,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub title: Option<String>,
    /// What the page is; when absent it is guessed from the URL (and marked so).
    #[serde(default)]
    pub page_type: Option<PageType>,
    /// The URL of the hub whose cluster the page belongs to.
    #[serde(default)]
    pub hub: Option<String>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub keywords: Vec<PageKeyword>,
    #[serde(default)]
    pub word_count: Option<u32>,
    /// A relative value the tenant gives the page (higher is worth more).
    #[serde(default)]
    pub commercial_value: Option<u32>,
    #[serde(default)]
    pub performance: Option<SearchPerformance>,
}

/// A page as stored: every field checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SitePage {
    pub url: WebUrl,
    pub title: Option<String>,
    pub page_type: PageType,
    /// True while the page type is a guess from the URL that nobody has confirmed; giving
    /// the page a type (an upsert with `pageType`) confirms it.
    pub page_type_guessed: bool,
    /// Why the URL suggested the guessed type ("path starts with /blog/").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guess_reason: Option<String>,
    pub hub: Option<WebUrl>,
    pub keywords: Vec<PageKeyword>,
    pub word_count: Option<u32>,
    pub commercial_value: Option<u32>,
    pub performance: Option<SearchPerformance>,
}

impl SitePage {
    /// The page as the tier and anchor rules see it.
    pub fn plan_page(&self) -> PlanPage {
        PlanPage {
            url: self.url.to_string(),
            page_type: self.page_type,
            hub: self.hub.as_ref().map(ToString::to_string),
            keywords: self.keywords.clone(),
            word_count: self.word_count,
            commercial_value: self.commercial_value,
        }
    }
}

/// The registrable domain of a URL's host, lower case (`shop.example.co.uk` →
/// `example.co.uk`); the host itself where the suffix list knows no registrable part
/// (`localhost`), none for an IP address.
pub fn site_domain(url: &WebUrl) -> Option<String> {
    let host = url.domain()?.as_str().to_ascii_lowercase();
    registrable_domain(&host).or(Some(host))
}

fn on_site(text: &str, domain: &str) -> Result<WebUrl, FieldError> {
    let url = WebUrl::parse(text)?;
    match site_domain(&url) {
        Some(d) if d == domain => Ok(url),
        _ => Err(FieldError::new("", format!("must be a page of {domain}"))),
    }
}

/// Checks a page for the site of `domain`. A page without a type takes `guess`'s (a guess
/// from the URL, with its reason) and is marked guessed. Errors name fields relative to the page.
pub fn check_page(
    input: &PageInput,
    domain: &str,
    guess: impl Fn(&WebUrl) -> (PageType, &'static str),
) -> Result<SitePage, Vec<FieldError>> {
    let mut errors = FieldErrors::default();
    let url = errors.check("url", on_site(&input.url, domain));
    let title = input
        .title
        .as_deref()
        .and_then(|t| errors.check("title", single_line(t, MAX_TITLE_CHARS)));
    let hub = input
        .hub
        .as_deref()
        .and_then(|h| errors.check("hub", on_site(h, domain)));
    if input.keywords.len() > MAX_KEYWORDS_PER_PAGE {
        errors.push(
            "keywords",
            format!("must have at most {MAX_KEYWORDS_PER_PAGE} entries"),
        );
    }
    let mut keywords: Vec<PageKeyword> = Vec::with_capacity(input.keywords.len());
    for (i, k) in input.keywords.iter().enumerate() {
        let field = format!("keywords.{i}");
        let text = errors.check(
            &format!("{field}.keyword"),
            single_line(&k.keyword, MAX_KEYWORD_CHARS),
        );
        if k.difficulty.is_some_and(|d| d > 100) {
            errors.push(&format!("{field}.difficulty"), "must be 0 to 100");
        }
        let Some(text) = text else { continue };
        // The same keyword twice keeps its highest volume: exports list a keyword once per
        // position the page held.
        match keywords
            .iter_mut()
            .find(|e| e.keyword.eq_ignore_ascii_case(&text))
        {
            Some(seen) => {
                seen.volume = seen.volume.max(k.volume);
                seen.difficulty = seen.difficulty.or(k.difficulty);
            }
            None => keywords.push(PageKeyword {
                keyword: text,
                volume: k.volume,
                difficulty: k.difficulty,
            }),
        }
    }
    if let Some(p) = &input.performance
        && p.position.is_some_and(|v| !v.is_finite() || v < 1.0)
    {
        errors.push("performance.position", "must be 1 or more");
    }
    errors.into_result()?;
    // Every `check` above passed, so the url is present.
    let url = url.ok_or_else(|| vec![FieldError::new("url", "is required")])?;
    let (page_type, guess_reason) = match input.page_type {
        Some(t) => (t, None),
        None => {
            let (t, why) = guess(&url);
            (t, Some(why.to_string()))
        }
    };
    Ok(SitePage {
        hub: hub.filter(|h| *h != url || page_type == PageType::Hub),
        url,
        title,
        page_type,
        page_type_guessed: guess_reason.is_some(),
        guess_reason,
        keywords,
        word_count: input.word_count,
        commercial_value: input.commercial_value,
        performance: input.performance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blog(_: &WebUrl) -> (PageType, &'static str) {
        (PageType::BlogArticle, "a test's guess")
    }

    fn input(url: &str) -> PageInput {
        PageInput {
            url: url.into(),
            ..PageInput::default()
        }
    }

    #[test]
    fn a_page_must_be_on_the_sites_registrable_domain() {
        let ok = check_page(
            &input("https://shop.example.co.uk/a"),
            "example.co.uk",
            blog,
        );
        assert_eq!(ok.unwrap().url.as_str(), "https://shop.example.co.uk/a");
        let errors = check_page(&input("https://other.com/a"), "example.co.uk", blog).unwrap_err();
        assert_eq!(errors[0].field, "url");
        assert!(errors[0].message.contains("example.co.uk"));
    }

    #[test]
    fn a_missing_type_is_guessed_and_marked_and_a_given_one_is_kept() {
        let guessed = check_page(&input("https://example.com/x"), "example.com", blog).unwrap();
        assert_eq!(guessed.page_type, PageType::BlogArticle);
        assert!(guessed.page_type_guessed);
        let given = PageInput {
            page_type: Some(PageType::Hub),
            ..input("https://example.com/x")
        };
        let given = check_page(&given, "example.com", blog).unwrap();
        assert_eq!(
            (given.page_type, given.page_type_guessed),
            (PageType::Hub, false)
        );
    }

    #[test]
    fn every_bad_field_is_named_and_repeated_keywords_keep_their_highest_volume() {
        let bad = PageInput {
            title: Some("a\nb".into()),
            hub: Some("https://elsewhere.org/".into()),
            keywords: vec![PageKeyword {
                keyword: " ".into(),
                volume: 1,
                difficulty: Some(101),
            }],
            performance: Some(SearchPerformance {
                clicks: 1,
                impressions: 2,
                position: Some(0.5),
            }),
            ..input("nope")
        };
        let fields: Vec<String> = check_page(&bad, "example.com", blog)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "url",
                "title",
                "hub",
                "keywords.0.keyword",
                "keywords.0.difficulty",
                "performance.position"
            ]
        );
        let keyword = |k: &str, volume| PageKeyword {
            keyword: k.into(),
            volume,
            difficulty: None,
        };
        let repeated = PageInput {
            keywords: vec![keyword("Red Shoes", 10), keyword("red shoes", 90)],
            ..input("https://example.com/shoes")
        };
        let page = check_page(&repeated, "example.com", blog).unwrap();
        assert_eq!(page.keywords, [keyword("Red Shoes", 90)]);
    }
}
