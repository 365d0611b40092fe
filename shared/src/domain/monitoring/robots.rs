//! What a page lets Googlebot do (issue 15): crawl it, by robots.txt (RFC 9309); index it and
//! follow its links, by meta robots, meta googlebot and `X-Robots-Tag`. A page Googlebot may
//! not crawl or index passes no value through its links, however healthy they look.

use scraper::{Html, Selector};
use texting_robots::Robot;
use url::Url;

/// The product token Google's main crawler matches groups with.
const GOOGLEBOT: &str = "Googlebot";
/// X-Robots-Tag rules that carry a value after a colon, unlike a `botname:` prefix.
const VALUED_RULES: &[&str] = &[
    "max-snippet",
    "max-image-preview",
    "max-video-preview",
    "unavailable_after",
];

/// The page-level rules that bind Googlebot, and where they were read.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Directives {
    pub(super) noindex: bool,
    pub(super) nofollow: bool,
    /// The tags or header values read, as written.
    pub(super) evidence: Vec<String>,
}

impl Directives {
    fn apply(&mut self, rule: &str) {
        match rule.trim().to_ascii_lowercase().as_str() {
            "noindex" => self.noindex = true,
            "nofollow" => self.nofollow = true,
            "none" => (self.noindex, self.nofollow) = (true, true),
            _ => {}
        }
    }
}

/// Whether `robots_txt` (the file served at the origin of `url`) disallows Googlebot on `url`.
///
/// Parsing follows RFC 9309 through `texting_robots`: the `Googlebot` group when there is one
/// (matched case-insensitively), else the `*` group; the longest matching path wins and an
/// `Allow` beats a `Disallow` of the same length. A file that cannot be parsed disallows
/// nothing, as RFC 9309 §2.2 has crawlers ignore what they cannot read.
pub fn disallowed_for_googlebot(robots_txt: &str, url: &Url) -> bool {
    Robot::new(GOOGLEBOT, robots_txt.as_bytes()).is_ok_and(|robot| !robot.allowed(url.as_str()))
}

/// `<meta name="robots">` and `<meta name="googlebot">` (names case-insensitive), wherever
/// they sit; other crawlers' tags (`googlebot-news`, `bingbot`) do not bind Googlebot.
pub(super) fn meta_robots(doc: &Html) -> Directives {
    let mut found = Directives::default();
    let Ok(metas) = Selector::parse("meta[name][content]") else {
        return found;
    };
    for meta in doc.select(&metas) {
        let name = meta
            .attr("name")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let content = meta.attr("content").unwrap_or_default().trim();
        if name == "robots" || name == "googlebot" {
            content.split(',').for_each(|rule| found.apply(rule));
            found.evidence.push(format!("{name}: {content}"));
        }
    }
    found
}

/// The `X-Robots-Tag` values' rules for all bots or for Googlebot. A `botname:` prefix applies
/// to the rules after it in the same value, up to the next prefix (MDN, "X-Robots-Tag":
/// `<rule>, <bot-name>: <rule>`).
pub(super) fn x_robots_tag<'a>(values: impl Iterator<Item = &'a str>) -> Directives {
    let mut found = Directives::default();
    for value in values {
        let mut for_googlebot = true;
        for item in value.split(',') {
            let rule = match item.split_once(':') {
                Some((bot, rule)) if is_bot_name(bot) => {
                    for_googlebot = bot.trim().eq_ignore_ascii_case("googlebot");
                    rule
                }
                _ => item,
            };
            if for_googlebot {
                found.apply(rule);
            }
        }
        found.evidence.push(value.trim().to_string());
    }
    found
}

/// A crawler's name is one token, and not a rule that carries a value (`max-snippet: 20`, or
/// the date of `unavailable_after`, whose commas split it into pieces with spaces).
fn is_bot_name(s: &str) -> bool {
    let s = s.trim().to_ascii_lowercase();
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !VALUED_RULES.contains(&s.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disallowed(robots: &str, url: &str) -> bool {
        disallowed_for_googlebot(robots, &Url::parse(url).unwrap())
    }

    #[test]
    fn the_longest_match_wins_and_allow_wins_a_tie() {
        let robots = "User-agent: *\nDisallow: /blog/\nAllow: /blog/guest-posts/\n\
                      Disallow: /tmp\nAllow: /tmp\n";
        assert!(disallowed(robots, "https://site.example/blog/post-1"));
        assert!(!disallowed(
            robots,
            "https://site.example/blog/guest-posts/ours"
        ));
        assert!(!disallowed(robots, "https://site.example/tmp/page"));
        assert!(!disallowed(robots, "https://site.example/about"));
    }

    #[test]
    fn a_googlebot_group_replaces_the_star_group() {
        let robots = "User-agent: *\nDisallow: /\n\nUser-agent: googlebot\nDisallow: /private/\n";
        assert!(!disallowed(robots, "https://site.example/articles/1"));
        assert!(disallowed(robots, "https://site.example/private/1"));

        // Another crawler's group says nothing about Googlebot.
        let robots = "User-agent: Bingbot\nDisallow: /\n\nUser-agent: *\nAllow: /\n";
        assert!(!disallowed(robots, "https://site.example/articles/1"));
        let robots = "User-agent: Googlebot-News\nDisallow: /\n";
        assert!(!disallowed(robots, "https://site.example/articles/1"));
    }

    #[test]
    fn wildcards_queries_and_empty_files() {
        let robots = "User-agent: *\nDisallow: /*?ref=\nDisallow: /*.pdf$\n";
        assert!(disallowed(robots, "https://site.example/post?ref=feed"));
        assert!(!disallowed(robots, "https://site.example/post"));
        assert!(disallowed(robots, "https://site.example/files/guide.pdf"));
        assert!(!disallowed(
            robots,
            "https://site.example/files/guide.pdf.html"
        ));
        assert!(!disallowed("", "https://site.example/anything"));
        assert!(!disallowed(
            "User-agent: *\nDisallow:\n",
            "https://site.example/x"
        ));
    }

    fn header(values: &[&str]) -> (bool, bool) {
        let found = x_robots_tag(values.iter().copied());
        (found.noindex, found.nofollow)
    }

    #[test]
    fn x_robots_tag_rules_for_all_bots_or_for_googlebot() {
        assert_eq!(header(&["noindex"]), (true, false));
        assert_eq!(header(&["NoFollow"]), (false, true));
        assert_eq!(header(&["googlebot: none"]), (true, true));
        assert_eq!(header(&["noarchive, googlebot: nofollow"]), (false, true));
        assert_eq!(header(&["noindex, bingbot: nofollow"]), (true, false));
        assert_eq!(header(&["otherbot: noindex, nofollow"]), (false, false));
        assert_eq!(
            header(&["googlebot: noarchive, bingbot: nofollow"]),
            (false, false)
        );
        assert_eq!(
            header(&["bingbot: noindex", "googlebot: nofollow"]),
            (false, true)
        );
        // A value after a colon is not a crawler's name.
        assert_eq!(
            header(&["unavailable_after: Friday, 25-Jun-2010 15:00:00 PST"]),
            (false, false)
        );
        assert_eq!(header(&["max-snippet: 20, noindex"]), (true, false));
        let evidence = x_robots_tag([" noindex ", "googlebot: nofollow"].into_iter()).evidence;
        assert_eq!(evidence, vec!["noindex", "googlebot: nofollow"]);
    }

    #[test]
    fn meta_robots_and_googlebot_but_no_other_crawler() {
        let meta = |name: &str, content: &str| {
            let doc = Html::parse_document(&format!(
                r#"<head><meta name="{name}" content="{content}"></head><p>x</p>"#
            ));
            let found = meta_robots(&doc);
            (found.noindex, found.nofollow)
        };
        assert_eq!(meta("robots", "noindex, follow"), (true, false));
        assert_eq!(meta("GoogleBot", "index, NOFOLLOW"), (false, true));
        assert_eq!(meta("robots", "none"), (true, true));
        assert_eq!(meta("googlebot-news", "noindex"), (false, false));
        assert_eq!(meta("bingbot", "nofollow"), (false, false));
        assert_eq!(
            meta("robots", "index, follow, max-snippet:-1"),
            (false, false)
        );
        let doc = Html::parse_document(
            r#"<meta name="robots" content="noindex"><meta name="Googlebot" content=" nofollow ">"#,
        );
        let evidence = meta_robots(&doc).evidence;
        assert_eq!(evidence, vec!["robots: noindex", "googlebot: nofollow"]);
    }
}
