//! Unit tests of `page::analyse`, one small hand-made page per rule.

use super::*;

const PAGE: &str = "https://blog.example/posts/trip";
const TARGET: &str = "https://client.example/pricing";

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn fetched(status: u16, body: &str) -> FetchedPage {
    FetchedPage {
        requested: url(PAGE),
        final_url: url(PAGE),
        status,
        redirects: vec![],
        headers: vec![],
        body: body.to_string(),
    }
}

fn expect() -> Expectation {
    Expectation {
        target: url(TARGET),
        target_redirects_to: None,
        anchor: Some("cheap flights".to_string()),
    }
}

fn check(page: &FetchedPage) -> PageReport {
    analyse(page, &expect(), &SiteEvidence::default())
}

fn findings(html: &str) -> Vec<FindingCode> {
    check(&fetched(200, html)).findings
}

fn with_header(html: &str, name: &str, value: &str) -> FetchedPage {
    let mut page = fetched(200, html);
    page.headers.push((name.to_string(), value.to_string()));
    page
}

const LINK: &str = r#"<p>Book <a href="https://client.example/pricing">cheap flights</a> now.</p>"#;

#[test]
fn a_live_followed_link_has_nothing_to_say() {
    let html = r#"<html><body><p>We booked <a href="http://www.client.example/pricing/#faq">
        Cheap   Flights</a> for the trip.</p><a href="/about">about</a></body></html>"#;
    let report = check(&fetched(200, html));
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.anchor_text.as_deref(), Some("Cheap Flights"));
    assert_eq!(
        report.link_href.as_deref(),
        Some("http://www.client.example/pricing/#faq")
    );
    assert_eq!(report.rel, Vec::<String>::new());
    assert_eq!(report.outbound_links, Some(1));
    assert_eq!(
        report.snippet.as_deref(),
        Some("We booked Cheap Flights for the trip. about")
    );
    assert_eq!(report.final_url, PAGE);
}

#[test]
fn rel_tokens_nofollow_ugc_sponsored() {
    let link = |rel: &str| format!(r#"<a rel="{rel}" href="{TARGET}">cheap flights</a>"#);
    assert_eq!(findings(&link("nofollow")), vec![Nofollow]);
    assert_eq!(findings(&link("UGC")), vec![Ugc]);
    assert_eq!(findings(&link("sponsored noopener")), vec![Sponsored]);
    assert_eq!(findings(&link(" NoFollow  ugc ")), vec![Nofollow, Ugc]);
    assert_eq!(findings(&link("noopener noreferrer")), vec![]);
    let report = check(&fetched(200, &link("nofollow Nofollow external")));
    assert_eq!(report.rel, vec!["nofollow", "external"]);
    assert_eq!(report.nofollow_source.as_deref(), Some("rel"));
}

#[test]
fn page_level_nofollow_and_noindex_say_where_they_came_from() {
    let meta = |name: &str, content: &str| {
        format!(r#"<head><meta name="{name}" content="{content}"></head>{LINK}"#)
    };
    let report = check(&fetched(200, &meta("googlebot", "nofollow")));
    assert_eq!(report.findings, vec![Nofollow]);
    assert_eq!(report.nofollow_source.as_deref(), Some("meta robots"));
    assert_eq!(report.robots_meta.as_deref(), Some("googlebot: nofollow"));
    assert_eq!(findings(&meta("robots", "noindex")), vec![Noindex]);
    assert_eq!(findings(&meta("robots", "none")), vec![Nofollow, Noindex]);

    let report = check(&with_header(LINK, "x-robots-tag", "googlebot: nofollow"));
    assert_eq!(report.findings, vec![Nofollow]);
    assert_eq!(report.nofollow_source.as_deref(), Some("X-Robots-Tag"));
    assert_eq!(report.x_robots_tag.as_deref(), Some("googlebot: nofollow"));
    let report = check(&with_header(LINK, "X-Robots-Tag", "noindex"));
    assert_eq!(report.findings, vec![Noindex]);

    let all = format!(
        r#"<meta name="robots" content="nofollow"><a rel="nofollow" href="{TARGET}">x</a>"#
    );
    let report = check(&with_header(&all, "x-robots-tag", "nofollow"));
    assert_eq!(
        report.nofollow_source.as_deref(),
        Some("rel, meta robots, X-Robots-Tag")
    );
}

#[test]
fn hidden_links_and_their_ancestors() {
    for html in [
        format!(r#"<div style="display:none"><p><a href="{TARGET}">cheap flights</a></p></div>"#),
        format!(
            r#"<div style=" DISPLAY : None !important ;"><a href="{TARGET}">cheap flights</a></div>"#
        ),
        format!(
            r#"<span style="color:red;visibility: hidden"><a href="{TARGET}">cheap flights</a></span>"#
        ),
        format!(r#"<a style="font-size:0px" href="{TARGET}">cheap flights</a>"#),
        format!(r#"<p style="opacity: 0.0"><a href="{TARGET}">cheap flights</a></p>"#),
        format!(r#"<section hidden><a href="{TARGET}">cheap flights</a></section>"#),
        format!(r#"<noscript><p><a href="{TARGET}">cheap flights</a></p></noscript>"#),
        format!(r#"<head><noscript><a href="{TARGET}">cheap flights</a></noscript></head>"#),
    ] {
        assert_eq!(findings(&html), vec![Hidden], "{html}");
    }
    for html in [
        format!(r#"<div style="display:block"><a href="{TARGET}">cheap flights</a></div>"#),
        format!(
            r#"<p style="opacity:0.5;font-size:0.8em"><a href="{TARGET}">cheap flights</a></p>"#
        ),
        format!(r#"<div hidden="until-found"><a href="{TARGET}">cheap flights</a></div>"#),
        format!(r#"<div style="display:none">x</div><a href="{TARGET}">cheap flights</a>"#),
        format!(r#"<a href="{TARGET}" aria-hidden="true">cheap flights</a>"#),
    ] {
        assert_eq!(findings(&html), vec![], "{html}");
    }
}

#[test]
fn of_several_links_the_visible_followed_one_is_reported() {
    let html = format!(
        r#"<div style="display:none"><a href="{TARGET}">cheap flights</a></div>
        <a rel="nofollow" href="{TARGET}">cheap flights</a>
        <p>See <a href="{TARGET}/">cheap flights</a>.</p>"#
    );
    let report = check(&fetched(200, &html));
    assert_eq!(report.findings, vec![]);
    assert_eq!(
        report.link_href.as_deref(),
        Some("https://client.example/pricing/")
    );

    let html = format!(
        r#"<noscript><a href="{TARGET}">cheap flights</a></noscript>
        <a rel="sponsored" href="{TARGET}">cheap flights</a>"#
    );
    assert_eq!(findings(&html), vec![Sponsored]);
}

#[test]
fn link_removed_unless_an_href_resolves_to_the_target() {
    for html in [
        "<p>No links here.</p>".to_string(),
        r#"<a href="https://client.example/">home</a>"#.to_string(),
        r#"<a href="https://client.example.evil/pricing">x</a>"#.to_string(),
        r#"<a href="https://evil.example/?u=https://client.example/pricing">x</a>"#.to_string(),
        format!("<a>no href</a> {TARGET}"),
        format!(r#"<a href="{TARGET}?plan=pro">x</a>"#),
        r#"<a href="javascript:go('https://client.example/pricing')">x</a>"#.to_string(),
    ] {
        let report = check(&fetched(200, &html));
        assert_eq!(report.findings, vec![LinkRemoved], "{html}");
        assert_eq!((report.anchor_text, report.snippet), (None, None));
    }
    let base = r#"<head><base href="https://client.example/x/"></head><a href="../pricing">cheap flights</a>"#;
    assert_eq!(findings(base), vec![]);
    let relative = r#"<a href="//www.client.example/pricing#plans">cheap flights</a>"#;
    assert_eq!(findings(relative), vec![]);
}

#[test]
fn a_moved_target_is_wrong_target_when_linked_at_its_old_address() {
    let moved = Expectation {
        target_redirects_to: Some(url("https://client.example/plans")),
        ..expect()
    };
    let run = |html: &str| analyse(&fetched(200, html), &moved, &SiteEvidence::default());

    let old = run(&format!(r#"<a href="{TARGET}">cheap flights</a>"#));
    assert_eq!(old.findings, vec![WrongTarget]);
    let new = run(r#"<a href="https://client.example/plans/">cheap flights</a>"#);
    assert_eq!(new.findings, vec![]);
    assert_eq!(
        new.link_href.as_deref(),
        Some("https://client.example/plans/")
    );
    let both = run(&format!(
        r#"<a href="{TARGET}">cheap flights</a><a href="https://client.example/plans">cheap flights</a>"#
    ));
    assert_eq!(both.findings, vec![]);
    assert_eq!(
        run(r#"<a href="https://client.example/">x</a>"#).findings,
        vec![LinkRemoved]
    );

    // A redirect to the same page (https, www., a slash) is no move.
    let same = Expectation {
        target_redirects_to: Some(url("https://www.client.example/pricing/")),
        ..expect()
    };
    let page = fetched(200, &format!(r#"<a href="{TARGET}">cheap flights</a>"#));
    assert_eq!(
        analyse(&page, &same, &SiteEvidence::default()).findings,
        vec![]
    );
}

#[test]
fn anchors_compare_without_case_spacing_or_surrounding_punctuation() {
    let anchor = |text: &str| findings(&format!(r#"<a href="{TARGET}">{text}</a>"#));
    assert_eq!(anchor("  Cheap\n  FLIGHTS!  "), vec![]);
    assert_eq!(anchor("«cheap flights»"), vec![]);
    assert_eq!(anchor("cheap <b>flights</b>"), vec![]);
    assert_eq!(anchor("cheap flights to Lisbon"), vec![AnchorChanged]);
    assert_eq!(anchor("cheap-flights"), vec![AnchorChanged]);
    let image = format!(r#"<a href="{TARGET}"><img src="x.png" alt="Cheap flights"></a>"#);
    let report = check(&fetched(200, &image));
    assert_eq!(
        (report.findings, report.anchor_text.as_deref()),
        (vec![], Some("Cheap flights"))
    );

    let no_anchor = Expectation {
        anchor: None,
        ..expect()
    };
    let page = fetched(200, &format!(r#"<a href="{TARGET}">anything</a>"#));
    assert_eq!(
        analyse(&page, &no_anchor, &SiteEvidence::default()).findings,
        vec![]
    );
}

#[test]
fn statuses_gone_or_unreachable_and_nothing_more() {
    for (status, code) in [
        (404, PageGone),
        (410, PageGone),
        (500, Unreachable),
        (502, Unreachable),
    ] {
        let report = check(&fetched(status, "<title>Error</title>"));
        assert_eq!(report.findings, vec![code], "{status}");
        assert_eq!(report.outbound_links, None);
    }
    // A bare 403, a 429 or a redirect never followed to its end: firewalls, not verdicts.
    for status in [403, 429, 301, 401] {
        let report = check(&fetched(status, LINK));
        assert_eq!(
            (report.findings, report.blocked_by),
            (vec![Unreachable], None),
            "{status}"
        );
    }
}

#[test]
fn firewall_challenges_are_unreachable_and_named() {
    let cases = [
        (
            403,
            "<title>Just a moment...</title><script>window._cf_chl_opt={}</script>",
            "Cloudflare challenge",
        ),
        (
            503,
            r#"<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1"></script>"#,
            "Cloudflare challenge",
        ),
        (
            403,
            "<title>Attention Required! | Cloudflare</title><h1>Sorry, you have been blocked</h1>",
            "Cloudflare block",
        ),
        (
            403,
            "<H1>Access Denied</H1>You don't have permission to access \"http&#58;&#47;&#47;blog&#46;example&#47;\" on this server.<P>Reference&#32;&#35;18&#46;6d2f1602&#46;1700000000&#46;1a2b3c",
            "Akamai block",
        ),
        (
            403,
            "<title>Sucuri WebSite Firewall - Access Denied</title>",
            "Sucuri firewall",
        ),
        (
            405,
            r#"<script src="https://abc.edge.captcha-sdk.awswaf.com/abc/jsapi.js"></script>"#,
            "AWS WAF challenge",
        ),
    ];
    for (status, body, who) in cases {
        let report = check(&fetched(status, body));
        assert_eq!(report.findings, vec![Unreachable], "{body}");
        assert_eq!(report.blocked_by.as_deref(), Some(who), "{body}");
    }
    let mut cf = fetched(200, "<title>Just a moment...</title>");
    cf.headers.push(("cf-mitigated".into(), "challenge".into()));
    assert_eq!(
        check(&cf).blocked_by.as_deref(),
        Some("Cloudflare challenge")
    );
    let mut aws = fetched(202, "");
    aws.headers
        .push(("x-amzn-waf-action".into(), "challenge".into()));
    assert_eq!(check(&aws).findings, vec![Unreachable]);

    // Markers only count where firewalls answer: a live article about Cloudflare is live.
    let article =
        format!("<title>Just a moment...</title><p>Attention Required! | Cloudflare</p>{LINK}");
    assert_eq!(findings(&article), vec![]);
}

#[test]
fn redirected_away_ignores_scheme_www_slash_and_query() {
    let mut page = fetched(200, LINK);
    for same in [
        "https://www.blog.example/posts/trip/",
        "http://blog.example/posts/trip?utm=x",
    ] {
        page.final_url = url(same);
        assert_eq!(check(&page).findings, vec![], "{same}");
    }
    for other in [
        "https://blog.example/posts/other-trip",
        "https://news.example/posts/trip",
    ] {
        page.final_url = url(other);
        page.redirects = vec![page.final_url.clone()];
        let report = check(&page);
        assert_eq!(report.findings, vec![RedirectedAway], "{other}");
        assert_eq!(report.redirects, vec![other.to_string()]);
    }
    let mut gone = fetched(404, "");
    gone.final_url = url("https://blog.example/missing");
    assert_eq!(check(&gone).findings, vec![PageGone, RedirectedAway]);
}

#[test]
fn canonical_elsewhere_when_every_canonical_agrees_on_another_page() {
    let canonical =
        |href: &str| format!(r#"<head><link rel="canonical" href="{href}"></head>{LINK}"#);
    assert_eq!(findings(&canonical("/posts/trip/")), vec![]);
    assert_eq!(
        findings(&canonical("http://www.blog.example/posts/trip")),
        vec![]
    );
    let report = check(&fetched(200, &canonical("/posts/trip-2024")));
    assert_eq!(report.findings, vec![CanonicalElsewhere]);
    assert_eq!(
        report.canonical.as_deref(),
        Some("https://blog.example/posts/trip-2024")
    );
    assert_eq!(
        findings(&canonical("https://partner.example/original")),
        vec![CanonicalElsewhere]
    );

    let header = r#"<https://blog.example/print>; rel="alternate", <https://blog.example/a,b>; rel="Canonical""#;
    assert_eq!(
        check(&with_header(LINK, "link", header)).findings,
        vec![CanonicalElsewhere]
    );
    assert_eq!(header_canonicals(header), vec!["https://blog.example/a,b"]);
    let self_header = with_header(LINK, "link", &format!("<{PAGE}>; rel=canonical"));
    assert_eq!(check(&self_header).findings, vec![]);

    // Conflicting canonicals are ignored, and one in the body does not count.
    let conflict =
        r#"<head><link rel="canonical" href="/a"><link rel="canonical" href="/b"></head>"#;
    assert_eq!(findings(&format!("{conflict}{LINK}")), vec![]);
    let in_body = format!(r#"<body><p>x</p><link rel="canonical" href="/other">{LINK}</body>"#);
    assert_eq!(findings(&in_body), vec![]);
}

#[test]
fn soft_404_and_robots_come_from_the_site_evidence() {
    let error = |path: &str| {
        format!("<title>Blog</title><p>Nothing at {path}, sorry. Search our blog instead.</p>")
    };
    let page = fetched(200, &error("/posts/trip"));
    let site = SiteEvidence {
        probe: Some(FetchedPage {
            requested: url("https://blog.example/x9q2z"),
            final_url: url("https://blog.example/x9q2z"),
            ..fetched(200, &error("/x9q2z"))
        }),
        robots_txt: Some("User-agent: *\nDisallow: /posts/\n".to_string()),
        home: None,
    };
    let report = analyse(&page, &expect(), &site);
    assert_eq!(
        report.findings,
        vec![Soft404, LinkRemoved, RobotsDisallowed]
    );
    assert_eq!(
        report.soft_404_reason.as_deref(),
        Some("the page matches a random missing path on the same host")
    );
    let titled = fetched(200, &format!("<title>Page not found</title>{LINK}"));
    assert_eq!(check(&titled).findings, vec![Soft404]);
}

#[test]
fn outbound_links_count_other_hosts_only() {
    let html = r##"<a href="/a">1</a><a href="https://www.blog.example/b">2</a>
        <a href="https://blog.example/c">3</a><a href="mailto:x@y.example">4</a>
        <a href="https://one.example/">5</a><a href="http://two.example/x">6</a>
        <a href="https://shop.blog.example/">7</a><a href="#top">8</a>"##;
    assert_eq!(check(&fetched(200, html)).outbound_links, Some(3));
}

#[test]
fn the_snippet_is_centred_on_the_link() {
    let before = "word ".repeat(60);
    let after = "more ".repeat(60);
    let html = format!(
        r#"<article><p>{before}<a href="{TARGET}">cheap flights</a> {after}</p><script>var x = "{TARGET}";</script></article>"#
    );
    let snippet = check(&fetched(200, &html)).snippet.unwrap();
    assert!(snippet.contains("word cheap flights more"), "{snippet}");
    assert!((195..=200).contains(&snippet.chars().count()), "{snippet}");
    assert!(!snippet.contains("var x"));
}

#[test]
fn the_report_serialises_in_camel_case_with_snake_case_codes() {
    let report = check(&fetched(
        200,
        &format!(r#"<a rel="ugc" href="{TARGET}">cheap flights</a>"#),
    ));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["findings"], serde_json::json!(["ugc"]));
    assert_eq!(json["finalUrl"], PAGE);
    assert!(json.get("outboundLinks").is_some() && json.get("soft404Reason").is_some());
    let back: PageReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}
