//! Contact extraction from a page: every way sites publish (or hide) an address, the noise
//! that looks like one, and a ranking that puts the person to write to first.

use super::email::{EmailAddress, registrable_domain};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use std::sync::LazyLock;
use url::Url;

/// Where an address was found; more deliberate publication ranks higher.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    JsonLd,
    Mailto,
    Cloudflare,
    Text,
    Obfuscated,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub email: EmailAddress,
    pub name: Option<String>,
    pub source: Source,
}

/// How good an address is to pitch to, best first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// A person or an editorial desk on the site's own domain.
    Person,
    /// A role address on the site's own domain (contact@, info@).
    Role,
    /// An address on another domain.
    OffDomain,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RankedContact {
    pub email: EmailAddress,
    pub name: Option<String>,
    pub tier: Tier,
    pub source: Source,
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9](?:[a-z0-9._%+-]{0,63})@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+")
        .expect("email pattern")
});

/// `name [at] domain [dot] com` and its variants. A bare " at " only counts together with
/// bracketed or spelled-out dots, so prose like "available at www.site.com" never matches.
static OBFUSCATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        ([a-z0-9][a-z0-9._%+-]{0,63})
        \s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|<\s*at\s*>|\s+at\s+|\s+@\s+)\s*
        ([a-z0-9-]{1,63}
          (?:\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|<\s*dot\s*>|\s+dot\s+)\s*[a-z0-9-]{1,63})+)",
    )
    .expect("obfuscated pattern")
});

static DOT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|<\s*dot\s*>|\s+dot\s+)\s*")
        .expect("dot pattern")
});

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

const ASSET_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp", "tif", "tiff", "css", "js",
    "mjs", "map", "json", "xml", "woff", "woff2", "ttf", "eot", "mp4", "webm", "mov", "pdf", "zip",
];

/// Domains that appear in pages but never belong to the site: examples, placeholders,
/// error trackers and builders' infrastructure.
const NOISE_DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "domain.com",
    "yourdomain.com",
    "yoursite.com",
    "yourcompany.com",
    "company.com",
    "email.com",
    "test.com",
    "sentry.io",
    "wixpress.com",
    "sentry-next.wixpress.com",
    "w3.org",
    "schema.org",
    "googlegroups.com",
    "mysite.com",
    "website.com",
    "sample.com",
];

const PLACEHOLDER_LOCALS: &[&str] = &[
    "you",
    "your",
    "yourname",
    "name",
    "email",
    "user",
    "username",
    "someone",
    "example",
    "firstname.lastname",
    "first.last",
    "john.doe",
    "jane.doe",
    "test",
];

const NO_REPLY: &[&str] = &[
    "noreply",
    "no-reply",
    "donotreply",
    "do-not-reply",
    "mailer-daemon",
    "bounce",
    "bounces",
];

/// Role addresses: real inboxes, but nobody in particular.
const ROLE_LOCALS: &[&str] = &[
    "contact",
    "info",
    "hello",
    "hi",
    "hey",
    "team",
    "admin",
    "office",
    "support",
    "help",
    "marketing",
    "press",
    "media",
    "sales",
    "enquiries",
    "enquiry",
    "inquiries",
    "inquiry",
    "general",
    "mail",
    "webmaster",
    "hostmaster",
    "postmaster",
    "privacy",
    "legal",
    "billing",
    "careers",
    "jobs",
    "feedback",
    "ads",
    "advertising",
    "partners",
    "partnerships",
    "business",
];

/// Editorial desks count as people: they are who a pitch is for.
const EDITORIAL_LOCALS: &[&str] = &[
    "editor",
    "editors",
    "editorial",
    "submissions",
    "submit",
    "pitch",
    "pitches",
    "contribute",
    "contributors",
    "guestpost",
    "guestposts",
    "guest",
    "writeforus",
    "write",
    "content",
    "news",
    "tips",
    "newsroom",
];

/// Whether an address is noise that only looks like one.
pub fn is_noise(email: &EmailAddress) -> bool {
    let local = email.local_part().to_ascii_lowercase();
    let domain = email.domain();
    let tld = domain.rsplit('.').next().unwrap_or_default();
    let retina = local.len() <= 3
        && local.ends_with('x')
        && local[..local.len() - 1].chars().all(|c| c.is_ascii_digit());
    let hex_id = local.len() >= 24 && local.chars().all(|c| c.is_ascii_hexdigit());
    ASSET_EXTENSIONS.contains(&tld)
        || retina
        || hex_id
        || NOISE_DOMAINS
            .iter()
            .any(|n| domain == *n || domain.ends_with(&format!(".{n}")))
        || PLACEHOLDER_LOCALS.contains(&local.as_str())
        || NO_REPLY
            .iter()
            .any(|n| local == *n || local.starts_with(&format!("{n}+")))
}

fn clean_name(text: &str) -> Option<String> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = name.split(' ').count();
    let plausible = (1..=4).contains(&words)
        && name.len() <= 60
        && !name.contains('@')
        && name
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'))
        && name.chars().next().is_some_and(char::is_uppercase);
    plausible.then_some(name)
}

fn decode_cloudflare(hex: &str) -> Option<String> {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<_>>()?;
    let (key, rest) = bytes.split_first()?;
    String::from_utf8(rest.iter().map(|b| b ^ key).collect()).ok()
}

fn push(out: &mut Vec<Candidate>, raw: &str, name: Option<String>, source: Source) {
    let raw = raw.trim().trim_matches(|c: char| {
        matches!(
            c,
            '.' | ',' | ';' | ':' | '"' | '\'' | '<' | '>' | '(' | ')'
        )
    });
    if let Ok(email) = EmailAddress::parse(raw)
        && !is_noise(&email)
    {
        out.push(Candidate {
            email,
            name,
            source,
        });
    }
}

fn json_ld(value: &Value, inherited_name: Option<&str>, out: &mut Vec<Candidate>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| json_ld(v, inherited_name, out)),
        Value::Object(map) => {
            let is_person = map.get("@type").is_some_and(|t| {
                t.as_str() == Some("Person")
                    || t.as_array()
                        .is_some_and(|a| a.iter().any(|x| x == "Person"))
            });
            let own_name = map
                .get("name")
                .and_then(Value::as_str)
                .filter(|_| is_person);
            let name = own_name.or(inherited_name);
            if let Some(email) = map.get("email").and_then(Value::as_str) {
                let email = email.trim_start_matches("mailto:");
                push(out, email, name.and_then(clean_name), Source::JsonLd);
            }
            for (key, child) in map {
                if key != "email" {
                    json_ld(child, if key == "contactPoint" { name } else { None }, out);
                }
            }
        }
        _ => {}
    }
}

fn visible_text(element: ElementRef<'_>, out: &mut String) {
    for child in element.children() {
        if let Some(text) = child.value().as_text() {
            out.push_str(text);
            out.push(' ');
        } else if let Some(el) = ElementRef::wrap(child)
            && !matches!(
                el.value().name(),
                "script" | "style" | "noscript" | "template"
            )
        {
            visible_text(el, out);
        }
    }
}

/// The text a reader sees, whitespace collapsed (scripts and styles left out).
pub fn page_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut text = String::new();
    visible_text(doc.root_element(), &mut text);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a page offers: its addresses in the order found (noise removed), and the name in
/// its author meta tag.
pub fn extract(html: &str) -> (Vec<Candidate>, Option<String>) {
    let doc = Html::parse_document(html);
    let mut out = Vec::new();

    for script in doc.select(&selector(r#"script[type="application/ld+json"]"#)) {
        if let Ok(value) = serde_json::from_str::<Value>(&script.text().collect::<String>()) {
            json_ld(&value, None, &mut out);
        }
    }
    for a in doc.select(&selector("a[href]")) {
        let href = a.value().attr("href").unwrap_or_default().trim();
        let text = a.text().collect::<String>();
        if href.len() > 7 && href[..7].eq_ignore_ascii_case("mailto:") {
            let target = href[7..].split('?').next().unwrap_or_default();
            let decoded = percent_encoding::percent_decode_str(target).decode_utf8_lossy();
            for address in decoded.split(',') {
                push(&mut out, address, clean_name(&text), Source::Mailto);
            }
        } else if let Some((_, hex)) = href.split_once("/cdn-cgi/l/email-protection#")
            && let Some(address) = decode_cloudflare(hex)
        {
            push(&mut out, &address, clean_name(&text), Source::Cloudflare);
        }
    }
    for el in doc.select(&selector("[data-cfemail]")) {
        if let Some(address) = el.value().attr("data-cfemail").and_then(decode_cloudflare) {
            push(&mut out, &address, None, Source::Cloudflare);
        }
    }
    let mut text = String::new();
    visible_text(doc.root_element(), &mut text);
    for m in EMAIL.find_iter(&text) {
        push(&mut out, m.as_str(), None, Source::Text);
    }
    for caps in OBFUSCATED.captures_iter(&text) {
        let domain = DOT.replace_all(&caps[2], ".");
        push(
            &mut out,
            &format!("{}@{}", &caps[1], domain),
            None,
            Source::Obfuscated,
        );
    }

    let author = doc
        .select(&selector(r#"meta[name="author"]"#))
        .next()
        .and_then(|m| m.value().attr("content"))
        .and_then(clean_name);
    (out, author)
}

/// Ranks a site's candidates best first, one entry per address, keeping any name found
/// for it. `site` is the site's host.
pub fn rank(site: &str, candidates: Vec<Candidate>) -> Vec<RankedContact> {
    let site_root = registrable_domain(site).unwrap_or_else(|| site.to_string());
    let mut ranked: Vec<(RankedContact, usize, usize)> = Vec::new();
    for (position, c) in candidates.into_iter().enumerate() {
        if let Some((existing, seen, _)) = ranked.iter_mut().find(|(r, _, _)| r.email == c.email) {
            *seen += 1;
            existing.source = existing.source.min(c.source);
            if existing.name.is_none() {
                existing.name = c.name;
            }
            continue;
        }
        let local = c.email.local_part().to_ascii_lowercase();
        let local_root = local
            .split(['+', '.', '-', '_'])
            .next()
            .unwrap_or_default()
            .to_string();
        let on_site = registrable_domain(c.email.domain()).as_deref() == Some(site_root.as_str());
        let tier = if !on_site {
            Tier::OffDomain
        } else if EDITORIAL_LOCALS.contains(&local_root.as_str())
            || !ROLE_LOCALS.contains(&local_root.as_str())
        {
            Tier::Person
        } else {
            Tier::Role
        };
        ranked.push((
            RankedContact {
                email: c.email,
                name: c.name,
                tier,
                source: c.source,
            },
            1,
            position,
        ));
    }
    ranked.sort_by(|(a, seen_a, pos_a), (b, seen_b, pos_b)| {
        (a.tier, a.source, std::cmp::Reverse(*seen_a), *pos_a).cmp(&(
            b.tier,
            b.source,
            std::cmp::Reverse(*seen_b),
            *pos_b,
        ))
    });
    ranked.into_iter().map(|(r, _, _)| r).collect()
}

/// Links worth visiting for contacts, by link text and URL: contact, about, team, and
/// write-for-us pages on the same host, at most `limit`, best first.
pub fn contact_pages(html: &str, page: &Url, limit: usize) -> Vec<Url> {
    const HINTS: &[(&str, u8)] = &[
        ("write-for-us", 0),
        ("write for us", 0),
        ("guest-post", 0),
        ("guest post", 0),
        ("contribute", 0),
        ("submission", 0),
        ("contact", 1),
        ("team", 2),
        ("staff", 2),
        ("masthead", 2),
        ("about", 3),
        ("impressum", 3),
        ("imprint", 3),
    ];
    let doc = Html::parse_document(html);
    let mut found: Vec<(u8, Url)> = Vec::new();
    for a in doc.select(&selector("a[href]")) {
        let Some(url) = a
            .value()
            .attr("href")
            .and_then(|h| page.join(h.trim()).ok())
        else {
            continue;
        };
        if url.host_str() != page.host_str() || !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let haystack =
            format!("{} {}", a.text().collect::<String>(), url.path()).to_ascii_lowercase();
        if let Some(priority) = HINTS
            .iter()
            .filter(|(h, _)| haystack.contains(h))
            .map(|(_, p)| *p)
            .min()
        {
            let mut url = url;
            url.set_fragment(None);
            if url != *page && !found.iter().any(|(_, u)| *u == url) {
                found.push((priority, url));
            }
        }
    }
    found.sort_by_key(|(p, _)| *p);
    found.into_iter().take(limit).map(|(_, u)| u).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(html: &str) -> Vec<String> {
        extract(html)
            .0
            .into_iter()
            .map(|c| c.email.to_string())
            .collect()
    }

    #[test]
    fn mailto_links_are_decoded() {
        let html = r#"<a href="MAILTO:maria%2Elopez%40blog.org?subject=Hi%20there">Maria Lopez</a>
                      <a href="mailto:a@blog.org,b@blog.org">both</a>"#;
        let (found, _) = extract(html);
        assert_eq!(found[0].email.as_str(), "maria.lopez@blog.org");
        assert_eq!(found[0].name.as_deref(), Some("Maria Lopez"));
        assert_eq!(
            emails(html)[1..3],
            ["a@blog.org".to_string(), "b@blog.org".to_string()]
        );
    }

    #[test]
    fn text_entities_and_obfuscations_are_read() {
        let html = "<p>Write to ed&#64;blog.org or sam [at] blog [dot] org, kim(at)blog(dot)co(dot)uk, \
                    lee at blog dot org, and {at} nothing.</p>";
        let found = emails(html);
        for want in [
            "ed@blog.org",
            "sam@blog.org",
            "kim@blog.co.uk",
            "lee@blog.org",
        ] {
            assert!(found.contains(&want.to_string()), "{want} in {found:?}");
        }
    }

    #[test]
    fn cloudflare_protection_is_undone() {
        // "hi@blog.org" XORed with key 0x42.
        let key = 0x42u8;
        let hex: String = std::iter::once(key)
            .chain("hi@blog.org".bytes().map(|b| b ^ key))
            .map(|b| format!("{b:02x}"))
            .collect();
        let html = format!(
            r#"<span class="__cf_email__" data-cfemail="{hex}">[email&#160;protected]</span>
               <a href="/cdn-cgi/l/email-protection#{hex}">mail</a>"#
        );
        let (found, _) = extract(&html);
        assert!(
            found
                .iter()
                .all(|c| c.email.as_str() == "hi@blog.org" && c.source == Source::Cloudflare)
        );
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn json_ld_email_contact_point_and_person_name() {
        let html = r#"<script type="application/ld+json">
            {"@context": "https://schema.org", "@graph": [
              {"@type": "Organization", "contactPoint": {"@type": "ContactPoint", "email": "mailto:desk@blog.org"}},
              {"@type": "Person", "name": "Ana Ruiz", "email": "ana@blog.org"}]}
            </script><meta name="author" content="Ana Ruiz">"#;
        let (found, author) = extract(html);
        assert_eq!(found[0].email.as_str(), "desk@blog.org");
        assert_eq!(
            (found[1].email.as_str(), found[1].name.as_deref()),
            ("ana@blog.org", Some("Ana Ruiz"))
        );
        assert_eq!(author.as_deref(), Some("Ana Ruiz"));
    }

    #[test]
    fn noise_that_looks_like_addresses_is_dropped() {
        let html = r#"<img src="logo@2x.png"> icon@3x.webp <p>name@example.com your@email.com
            you@yourdomain.com 5f1c0a9e8d7b6c5a4f3e2d1c0b9a8f7e@sentry.io noreply@blog.org
            user@sentry-next.wixpress.com the site is available at www.blog.org today. a@b.notatld</p>
            <script>var x = "hidden@blog.org";</script>"#;
        assert_eq!(emails(html), Vec::<String>::new());
    }

    #[test]
    fn ranking_puts_people_on_the_site_first() {
        let c = |e: &str, source| Candidate {
            email: EmailAddress::parse(e).unwrap(),
            name: None,
            source,
        };
        let ranked = rank(
            "www.blog.org",
            vec![
                c("someone@gmail.com", Source::Mailto),
                c("info@blog.org", Source::Mailto),
                c("contact@blog.org", Source::Text),
                c("maria.lopez@blog.org", Source::Text),
                c("editor@news.blog.org", Source::Text),
                c("maria.lopez@blog.org", Source::Mailto),
            ],
        );
        let order: Vec<&str> = ranked.iter().map(|r| r.email.as_str()).collect();
        assert_eq!(
            order,
            [
                "maria.lopez@blog.org",
                "editor@news.blog.org",
                "info@blog.org",
                "contact@blog.org",
                "someone@gmail.com"
            ]
        );
        assert_eq!(ranked[0].source, Source::Mailto);
        assert_eq!(ranked[2].tier, Tier::Role);
        assert_eq!(ranked[4].tier, Tier::OffDomain);
    }

    #[test]
    fn contact_pages_are_found_by_text_and_path() {
        let page = Url::parse("https://blog.org/").unwrap();
        let html = r#"<a href="/about-us">Who we are</a> <a href="/p/1">Say hello</a>
            <a href="https://blog.org/contact#form">Contact</a> <a href="/write-for-us/">Guidelines</a>
            <a href="https://other.org/contact">elsewhere</a> <a href="/our-team">Team</a>"#;
        let pages: Vec<String> = contact_pages(html, &page, 3)
            .iter()
            .map(|u| u.path().to_string())
            .collect();
        assert_eq!(pages, ["/write-for-us/", "/contact", "/our-team"]);
    }
}
