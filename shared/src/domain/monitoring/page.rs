//! One link check judged from what was fetched (issue 15): the placement page as a search
//! engine sees it. Pure: the fetcher follows and records redirects, fetches a probe and
//! robots.txt when it can, and hands the results here.

use super::codes::FindingCode::{self, *};
use super::robots::{disallowed_for_googlebot, meta_robots, x_robots_tag};
use super::soft404::{soft_404, visible_text};
use scraper::{ElementRef, Html, Selector};
use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;

/// Characters of visible text kept around the link.
const SNIPPET_CHARS: usize = 200;
/// Ancestors climbed to gather text for the snippet: enough for any paragraph, and bounded
/// so a hostile page nested a million deep costs nothing.
const SNIPPET_CLIMB: usize = 8;
/// Response headers a firewall sets on a challenge or block page, whatever the status
/// (`""` matches any value). Sources: Cloudflare "Detect a Challenge Page response"
/// (developers.cloudflare.com/cloudflare-challenges/challenge-types/challenge-pages/
/// detect-response); AWS WAF "CAPTCHA and Challenge action behavior" (docs.aws.amazon.com/
/// waf/latest/developerguide/waf-captcha-and-challenge-actions.html: 202 challenge and 405
/// CAPTCHA, both with `x-amzn-waf-action`); Sucuri per wafw00f (EnableSecurity/wafw00f
/// wafw00f/plugins/sucuri.py).
const WAF_HEADERS: &[(&str, &str, &str)] = &[
    ("cf-mitigated", "challenge", "Cloudflare challenge"),
    ("x-amzn-waf-action", "", "AWS WAF challenge"),
    ("x-sucuri-block", "", "Sucuri firewall"),
];
/// Body markers (all of a set, in the raw or the entity-decoded body, lower case), read only
/// on the statuses firewalls answer with. Sources: Cloudflare's challenge and block titles as
/// FlareSolverr matches them (FlareSolverr/FlareSolverr src/flaresolverr_service.py) and its
/// `_cf_chl_opt` / `cf-chl-widget` / `/cdn-cgi/challenge-platform/` challenge script;
/// Akamai's "Access Denied … Reference #18.…" page (community.akamai.com "Why is Akamai
/// blocking me?"); Sucuri's block page title (wafw00f plugins/sucuri.py); the AWS WAF token
/// cookie `aws-waf-token` (docs.aws.amazon.com/waf/latest/developerguide/
/// waf-tokens-details.html) and its `awswaf.com` challenge script.
const WAF_BODIES: &[(&[&str], &str)] = &[
    (&["just a moment..."], "Cloudflare challenge"),
    (&["cf_chl"], "Cloudflare challenge"),
    (&["cf-chl"], "Cloudflare challenge"),
    (&["/cdn-cgi/challenge-platform/"], "Cloudflare challenge"),
    (&["attention required! | cloudflare"], "Cloudflare block"),
    (&["access denied", "reference #"], "Akamai block"),
    (&["sucuri website firewall"], "Sucuri firewall"),
    (&["aws-waf-token"], "AWS WAF challenge"),
    (&["awswaf.com"], "AWS WAF challenge"),
];
const WAF_STATUSES: &[u16] = &[202, 403, 405, 429, 503];

/// One fetch, as the fetcher saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedPage {
    pub requested: Url,
    pub final_url: Url,
    pub status: u16,
    /// Each URL the fetch was sent on to, in order; empty when the first answer was final.
    pub redirects: Vec<Url>,
    /// Names in lower case; a header sent twice appears twice.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl FetchedPage {
    pub(super) fn header<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the link should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The page the link was won for, as recorded.
    pub target: Url,
    /// Where the target itself now redirects, when the checker knows.
    pub target_redirects_to: Option<Url>,
    /// The planned or recorded anchor text.
    pub anchor: Option<String>,
}

/// What else the checker fetched from the placement page's host. Each is optional: without
/// the probe `soft_404` rests on the page alone, without robots.txt `robots_disallowed` is
/// never reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteEvidence {
    /// A fetch of a random path that cannot exist on the same host.
    pub probe: Option<FetchedPage>,
    /// The robots.txt served at the final URL's origin.
    pub robots_txt: Option<String>,
    /// The site's homepage when it is not the host's root (`/en/`); relative or absolute.
    pub home: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageReport {
    /// Sorted, each once.
    pub findings: Vec<FindingCode>,
    pub status: u16,
    pub final_url: String,
    pub redirects: Vec<String>,
    /// The link the report describes, resolved: the target, or where the target now lives.
    pub link_href: Option<String>,
    /// The link's rel tokens, lower case.
    pub rel: Vec<String>,
    pub anchor_text: Option<String>,
    /// Links on the page to other hosts (`www.` aside).
    pub outbound_links: Option<u32>,
    /// The first canonical the page declares (HTML or `Link` header), resolved.
    pub canonical: Option<String>,
    /// The robots and googlebot meta tags, as `robots: noindex; googlebot: nofollow`.
    pub robots_meta: Option<String>,
    pub x_robots_tag: Option<String>,
    /// About 200 characters of visible text around the link, whitespace collapsed.
    pub snippet: Option<String>,
    /// Where `nofollow` came from: `rel`, `meta robots`, `X-Robots-Tag`, comma-separated.
    pub nofollow_source: Option<String>,
    pub soft_404_reason: Option<String>,
    /// The firewall that answered instead of the page.
    pub blocked_by: Option<String>,
}

/// Judges one fetch of a placement page against what the link should be.
///
/// - `redirected_away`: the final URL is another page than the requested one (host without
///   `www.`, path without a trailing slash; scheme, query and fragment aside);
/// - `page_gone` for 404 and 410. `unreachable` for every other status outside 2xx (5xx, 429,
///   a bare 403: firewalls block bots, so a 403 never condemns a page) and for a firewall's
///   challenge or block page whatever its status. Neither reads the body further;
/// - on a 2xx page: `soft_404` (see [`super::soft404`]), `noindex` and page-level `nofollow`
///   from meta robots, meta googlebot or an `X-Robots-Tag` for all bots or for googlebot
///   (`none` counts as both), `canonical_elsewhere` when every canonical the page declares
///   agrees on another page (conflicting canonicals are ignored, as Google does),
///   `robots_disallowed` from robots.txt, and the link rules below.
///
/// Links match the target by host without `www.`, path without a trailing slash and query,
/// resolved against `<base href>`; scheme and fragment do not matter. When the target now
/// redirects elsewhere (`target_redirects_to`, another page), a link to that new address is
/// the link, healthy as it stands (`linkHref` shows it), while a link to the recorded target is
/// `wrong_target`: it still arrives, through the target's redirect. Only when neither is
/// linked is it `link_removed`. Of several matching links the report takes a visible one
/// before a hidden one, a followed one before a nofollow/ugc/sponsored one, the new address
/// before the old; then the first. On that link: `nofollow`, `ugc`, `sponsored` from its rel;
/// `hidden` when it or an ancestor has `hidden`, an inline `display:none`,
/// `visibility:hidden|collapse`, `font-size:0` or `opacity:0`, or sits in `<noscript>`;
/// `anchor_changed` when its text (an image link's alt) differs from the expected anchor once
/// both are lower-cased, spaces collapsed and surrounding punctuation dropped.
pub fn analyse(page: &FetchedPage, expect: &Expectation, site: &SiteEvidence) -> PageReport {
    let doc = Html::parse_document(&page.body);
    let mut report = PageReport {
        status: page.status,
        final_url: page.final_url.to_string(),
        redirects: page.redirects.iter().map(Url::to_string).collect(),
        ..PageReport::default()
    };
    if !same_page(&page.requested, &page.final_url) {
        report.findings.push(RedirectedAway);
    }
    if let Some(firewall) = firewall(page, &doc) {
        report.findings.push(Unreachable);
        report.blocked_by = Some(firewall.to_string());
    } else {
        match page.status {
            200..=299 => judge_content(&doc, page, expect, site, &mut report),
            404 | 410 => report.findings.push(PageGone),
            _ => report.findings.push(Unreachable),
        }
    }
    report.findings.sort();
    report.findings.dedup();
    report
}

fn firewall(page: &FetchedPage, doc: &Html) -> Option<&'static str> {
    let by_header = WAF_HEADERS.iter().find(|(name, value, _)| {
        page.header(name)
            .any(|v| value.is_empty() || v.trim().eq_ignore_ascii_case(value))
    });
    if let Some((_, _, who)) = by_header {
        return Some(who);
    }
    if !WAF_STATUSES.contains(&page.status) {
        return None;
    }
    let raw = page.body.to_lowercase();
    let text = doc.root_element().text().collect::<String>().to_lowercase();
    WAF_BODIES
        .iter()
        .find(|(markers, _)| markers.iter().all(|m| raw.contains(m) || text.contains(m)))
        .map(|(_, who)| *who)
}

fn judge_content(
    doc: &Html,
    page: &FetchedPage,
    expect: &Expectation,
    site: &SiteEvidence,
    report: &mut PageReport,
) {
    let base = base_url(doc, &page.final_url);
    if let Some(reason) = soft_404(doc, page, site.probe.as_ref(), site.home.as_deref()) {
        report.findings.push(Soft404);
        report.soft_404_reason = Some(reason.to_string());
    }
    report.outbound_links = Some(outbound_links(doc, &base, &page.final_url));
    let meta = meta_robots(doc);
    let header = x_robots_tag(page.header("x-robots-tag"));
    report.robots_meta = joined(&meta.evidence, "; ");
    report.x_robots_tag = joined(&header.evidence, ", ");
    if meta.noindex || header.noindex {
        report.findings.push(Noindex);
    }
    let rel_nofollow = describe_link(doc, &base, expect, report);
    let sources: Vec<String> = [
        (rel_nofollow, "rel"),
        (meta.nofollow, "meta robots"),
        (header.nofollow, "X-Robots-Tag"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, source)| source.to_string())
    .collect();
    if let Some(sources) = joined(&sources, ", ") {
        report.findings.push(Nofollow);
        report.nofollow_source = Some(sources);
    }
    if canonical_elsewhere(doc, &base, page, report) {
        report.findings.push(CanonicalElsewhere);
    }
    let disallowed = |txt: &String| disallowed_for_googlebot(txt, &page.final_url);
    if site.robots_txt.as_ref().is_some_and(disallowed) {
        report.findings.push(RobotsDisallowed);
    }
}

fn joined(parts: &[String], separator: &str) -> Option<String> {
    (!parts.is_empty()).then(|| parts.join(separator))
}

/// Host without `www.` and path without a trailing slash: scheme, port, query and fragment
/// aside, what makes two URLs the same page.
fn page_key(url: &Url) -> Option<(String, String)> {
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .map_or(host.clone(), str::to_string);
    Some((host, url.path().trim_end_matches('/').to_string()))
}

/// The page key plus the query, which can select other content: what makes two links equal.
fn link_key(url: &Url) -> Option<(String, String, Option<String>)> {
    let (host, path) = page_key(url)?;
    let query = url.query().filter(|q| !q.is_empty()).map(str::to_string);
    Some((host, path, query))
}

pub(super) fn same_page(a: &Url, b: &Url) -> bool {
    page_key(a).is_some_and(|key| Some(key) == page_key(b))
}

fn base_url(doc: &Html, page_url: &Url) -> Url {
    Selector::parse("base[href]")
        .ok()
        .and_then(|s| doc.select(&s).next())
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .unwrap_or_else(|| page_url.clone())
}

fn outbound_links(doc: &Html, base: &Url, page_url: &Url) -> u32 {
    let own = page_key(page_url).map(|(host, _)| host);
    let Ok(anchors) = Selector::parse("a[href]") else {
        return 0;
    };
    let count = doc
        .select(&anchors)
        .filter_map(|a| base.join(a.value().attr("href")?.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .filter(|u| page_key(u).map(|(host, _)| host) != own)
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Records the canonical and says whether the page hands its value to another page.
fn canonical_elsewhere(
    doc: &Html,
    base: &Url,
    page: &FetchedPage,
    report: &mut PageReport,
) -> bool {
    let in_html = Selector::parse("head link[href]").ok().map(|links| {
        doc.select(&links)
            .filter(|l| has_token(l.attr("rel"), "canonical"))
            .filter_map(|l| base.join(l.attr("href")?.trim()).ok())
            .collect::<Vec<_>>()
    });
    let in_header = page
        .header("link")
        .flat_map(header_canonicals)
        .filter_map(|href| page.final_url.join(href.trim()).ok());
    let all: Vec<Url> = in_html
        .unwrap_or_default()
        .into_iter()
        .chain(in_header)
        .collect();
    let Some(first) = all.first() else {
        return false;
    };
    report.canonical = Some(first.to_string());
    let agreed = all.iter().all(|u| link_key(u) == link_key(first));
    agreed && link_key(first).is_some() && link_key(first) != link_key(&page.final_url)
}

/// The targets of `Link: <url>; rel="canonical"` entries in one header value.
fn header_canonicals(value: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some((target, after)) = rest.split_once('<').and_then(|(_, r)| r.split_once('>')) {
        let params = after.split('<').next().unwrap_or_default();
        let canonical = params
            .split(';')
            .filter_map(|p| p.split_once('='))
            .any(|(k, v)| {
                let v = v.trim().trim_end_matches(',').trim().trim_matches('"');
                k.trim().eq_ignore_ascii_case("rel") && has_token(Some(v), "canonical")
            });
        if canonical {
            found.push(target);
        }
        rest = &after[params.len()..];
    }
    found
}

fn has_token(list: Option<&str>, token: &str) -> bool {
    list.unwrap_or_default()
        .split_ascii_whitespace()
        .any(|t| t.eq_ignore_ascii_case(token))
}

/// A link on the page that points at the target.
struct Candidate<'a> {
    el: ElementRef<'a>,
    href: Url,
    /// It points at the recorded target, which now redirects elsewhere.
    to_old_address: bool,
    hidden: bool,
    rel: Vec<String>,
}

impl Candidate<'_> {
    fn followed(&self) -> bool {
        !self
            .rel
            .iter()
            .any(|r| ["nofollow", "ugc", "sponsored"].contains(&r.as_str()))
    }
}

/// Fills the link's fields and findings; says whether its rel holds `nofollow`.
fn describe_link(doc: &Html, base: &Url, expect: &Expectation, report: &mut PageReport) -> bool {
    let noscripts = noscript_fragments(doc);
    let Some(link) = find_link(doc, &noscripts, base, expect) else {
        report.findings.push(LinkRemoved);
        return false;
    };
    let anchor = anchor_text(link.el);
    let wanted = expect.anchor.as_deref().map(normalised_anchor);
    if wanted.is_some_and(|w| !w.is_empty() && w != normalised_anchor(&anchor)) {
        report.findings.push(AnchorChanged);
    }
    if link.hidden {
        report.findings.push(Hidden);
    }
    if link.to_old_address {
        report.findings.push(WrongTarget);
    }
    for (token, code) in [("ugc", Ugc), ("sponsored", Sponsored)] {
        if link.rel.iter().any(|r| r == token) {
            report.findings.push(code);
        }
    }
    report.snippet = Some(snippet(link.el, &anchor)).filter(|s| !s.is_empty());
    report.link_href = Some(link.href.to_string());
    report.anchor_text = Some(anchor);
    report.rel = link.rel;
    report.rel.iter().any(|r| r == "nofollow")
}

/// `<noscript>` holds raw text to a parser that runs scripts, as Googlebot's renderer does;
/// each is parsed on its own so the links inside are found, and known to be hidden.
fn noscript_fragments(doc: &Html) -> Vec<Html> {
    Selector::parse("noscript")
        .map(|s| {
            doc.select(&s)
                .map(|n| Html::parse_fragment(&n.text().collect::<String>()))
                .collect()
        })
        .unwrap_or_default()
}

fn find_link<'a>(
    doc: &'a Html,
    noscripts: &'a [Html],
    base: &Url,
    expect: &Expectation,
) -> Option<Candidate<'a>> {
    let anchors = Selector::parse("a[href]").ok()?;
    let in_page = doc.select(&anchors).map(|a| (a, false));
    let in_noscript = noscripts
        .iter()
        .flat_map(|f| f.select(&anchors))
        .map(|a| (a, true));
    in_page
        .chain(in_noscript)
        .filter_map(|(a, noscript)| {
            let href = base.join(a.value().attr("href")?.trim()).ok()?;
            Some(Candidate {
                to_old_address: points_at_target(&href, expect)?,
                hidden: noscript || is_hidden(a),
                rel: rel_tokens(a),
                el: a,
                href,
            })
        })
        .min_by_key(|c| (c.hidden, !c.followed(), c.to_old_address))
}

/// `Some(true)` for the recorded target when it now redirects to another page, `Some(false)`
/// for the target as it stands (or where it now redirects), `None` for any other URL.
fn points_at_target(href: &Url, expect: &Expectation) -> Option<bool> {
    let key = link_key(href)?;
    let target = link_key(&expect.target)?;
    let moved = expect.target_redirects_to.as_ref().and_then(link_key);
    let moved = moved.filter(|m| *m != target);
    if moved.as_ref() == Some(&key) {
        return Some(false);
    }
    (key == target).then_some(moved.is_some())
}

fn rel_tokens(a: ElementRef<'_>) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    for token in a.attr("rel").unwrap_or_default().split_ascii_whitespace() {
        let token = token.to_ascii_lowercase();
        if !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    tokens
}

fn is_hidden(a: ElementRef<'_>) -> bool {
    std::iter::once(a)
        .chain(a.ancestors().filter_map(ElementRef::wrap))
        .any(|e| {
            // `hidden="until-found"` content is searchable and indexed; only plain `hidden` hides.
            let hidden_attr = e
                .attr("hidden")
                .is_some_and(|h| !h.eq_ignore_ascii_case("until-found"));
            e.value().name() == "noscript" || hidden_attr || e.attr("style").is_some_and(invisible)
        })
}

/// An inline style that hides its element, however it is spaced, cased or `!important`.
fn invisible(style: &str) -> bool {
    style
        .split(';')
        .filter_map(|d| d.split_once(':'))
        .any(|(property, value)| {
            let value: String = value
                .split_whitespace()
                .collect::<String>()
                .to_ascii_lowercase();
            let value = value.trim_end_matches("!important");
            match property.trim().to_ascii_lowercase().as_str() {
                "display" => value == "none",
                "visibility" => value == "hidden" || value == "collapse",
                "font-size" | "opacity" => is_zero(value),
                _ => false,
            }
        })
}

/// `0`, `0px`, `0.0em`, `0%`: a zero with or without a unit.
fn is_zero(value: &str) -> bool {
    let number = value.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
    number.contains('0') && number.chars().all(|c| c == '0' || c == '.')
}

/// The link's visible text, or for an image link the images' alt text (Google's anchor).
fn anchor_text(a: ElementRef<'_>) -> String {
    let text = visible_text(a);
    if !text.is_empty() {
        return text;
    }
    let Ok(images) = Selector::parse("img[alt]") else {
        return text;
    };
    let alts: Vec<&str> = a
        .select(&images)
        .filter_map(|i| i.attr("alt"))
        .flat_map(str::split_whitespace)
        .collect();
    alts.join(" ")
}

fn normalised_anchor(anchor: &str) -> String {
    let collapsed = anchor
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    collapsed
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

/// About [`SNIPPET_CHARS`] of visible text centred on the anchor, from the nearest ancestor
/// that holds that much.
fn snippet(a: ElementRef<'_>, anchor: &str) -> String {
    let mut text = visible_text(a);
    for ancestor in a
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(SNIPPET_CLIMB)
    {
        if text.chars().count() >= SNIPPET_CHARS {
            break;
        }
        text = visible_text(ancestor);
    }
    let chars: Vec<char> = text.chars().collect();
    let at = text
        .find(anchor)
        .map_or(0, |byte| text[..byte].chars().count());
    let centre = at + anchor.chars().count() / 2;
    let start = centre
        .saturating_sub(SNIPPET_CHARS / 2)
        .min(chars.len().saturating_sub(SNIPPET_CHARS));
    let end = (start + SNIPPET_CHARS).min(chars.len());
    chars[start..end]
        .iter()
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
#[path = "tests/page.rs"]
mod tests;

#[cfg(test)]
#[path = "tests/fixtures.rs"]
mod fixture_tests;
