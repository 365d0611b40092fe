//! The table of tests/fixtures/monitoring/README.md run through `analyse` without a server:
//! each fixture page, served as the README says, gives exactly its findings.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../../../tests/fixtures/monitoring/", $name))
    };
}

const PLACEMENT: &str = "http://127.0.0.1:8080/posts/lisbon";

fn served(status: u16, headers: &[(&str, &str)], body: &str) -> FetchedPage {
    let url = Url::parse(PLACEMENT).unwrap();
    FetchedPage {
        requested: url.clone(),
        final_url: url,
        status,
        redirects: vec![],
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect(),
        body: body.to_string(),
    }
}

fn expectation(target_redirects_to: Option<&str>) -> Expectation {
    Expectation {
        target: Url::parse("https://client.example/pricing").unwrap(),
        target_redirects_to: target_redirects_to.map(|u| Url::parse(u).unwrap()),
        anchor: Some("cheap flights to Lisbon".to_string()),
    }
}

/// An honest host: a random path answers 404.
fn honest_host() -> SiteEvidence {
    let mut probe = served(404, &[], "<h1>Not Found</h1>");
    probe.requested = Url::parse("http://127.0.0.1:8080/k3v9q0x2").unwrap();
    probe.final_url = probe.requested.clone();
    SiteEvidence {
        probe: Some(probe),
        ..SiteEvidence::default()
    }
}

#[test]
fn each_fixture_page_gives_its_findings() {
    let cloudflare = [("cf-mitigated", "challenge"), ("Server", "cloudflare")];
    let cases: [(&str, FetchedPage, &[FindingCode]); 14] = [
        (
            "live",
            served(200, &[], fixture!("live-dofollow.html")),
            &[],
        ),
        (
            "nofollow",
            served(200, &[], fixture!("nofollow-rel.html")),
            &[Nofollow],
        ),
        ("ugc", served(200, &[], fixture!("ugc.html")), &[Ugc]),
        (
            "sponsored",
            served(200, &[], fixture!("sponsored.html")),
            &[Sponsored],
        ),
        (
            "noindex",
            served(200, &[], fixture!("meta-noindex.html")),
            &[Noindex],
        ),
        (
            "x-robots",
            served(
                200,
                &[("X-Robots-Tag", "noindex, nofollow")],
                fixture!("x-robots-tag.html"),
            ),
            &[Nofollow, Noindex],
        ),
        (
            "canonical",
            served(200, &[], fixture!("canonical-elsewhere.html")),
            &[CanonicalElsewhere],
        ),
        (
            "hidden",
            served(200, &[], fixture!("hidden-link.html")),
            &[Hidden],
        ),
        (
            "noscript",
            served(200, &[], fixture!("noscript-link.html")),
            &[Hidden],
        ),
        (
            "removed",
            served(200, &[], fixture!("link-removed.html")),
            &[LinkRemoved],
        ),
        (
            "anchor",
            served(200, &[], fixture!("anchor-changed.html")),
            &[AnchorChanged],
        ),
        (
            "soft-404 body",
            served(200, &[], fixture!("soft-404-body.html")),
            &[Soft404, LinkRemoved],
        ),
        (
            "cloudflare",
            served(403, &cloudflare, fixture!("waf-cloudflare.html")),
            &[Unreachable],
        ),
        (
            "akamai",
            served(
                403,
                &[("Server", "AkamaiGHost")],
                fixture!("waf-akamai.html"),
            ),
            &[Unreachable],
        ),
    ];
    for (name, page, expected) in cases {
        let report = analyse(&page, &expectation(None), &honest_host());
        assert_eq!(report.findings, expected, "{name}");
        // Links inside <noscript> are not on the rendered page, so not counted either.
        let outbound = if name == "noscript" { 1 } else { 2 };
        if report.link_href.is_some() {
            assert_eq!(report.outbound_links, Some(outbound), "{name}");
        }
    }
}

#[test]
fn fixture_evidence_fields() {
    let check = |page: &FetchedPage| analyse(page, &expectation(None), &honest_host());
    let x_robots = served(
        200,
        &[("X-Robots-Tag", "noindex, nofollow")],
        fixture!("x-robots-tag.html"),
    );
    assert_eq!(
        check(&x_robots).nofollow_source.as_deref(),
        Some("X-Robots-Tag")
    );
    let live = check(&served(200, &[], fixture!("live-dofollow.html")));
    assert_eq!(live.outbound_links, Some(2));
    assert!(
        live.snippet
            .unwrap()
            .contains("through cheap flights to Lisbon and paid")
    );
    let akamai = check(&served(403, &[], fixture!("waf-akamai.html")));
    assert_eq!(akamai.blocked_by.as_deref(), Some("Akamai block"));
}

#[test]
fn the_target_that_moved() {
    let moved = expectation(Some("https://client.example/plans"));
    let old = served(200, &[], fixture!("wrong-target.html"));
    assert_eq!(
        analyse(&old, &moved, &honest_host()).findings,
        vec![WrongTarget]
    );
    let updated = served(200, &[], fixture!("moved-target-updated.html"));
    let report = analyse(&updated, &moved, &honest_host());
    assert_eq!(report.findings, vec![]);
    assert_eq!(
        report.link_href.as_deref(),
        Some("https://client.example/plans/")
    );
}

#[test]
fn the_robots_and_the_soft_404_hosts() {
    let site = SiteEvidence {
        robots_txt: Some(fixture!("robots.txt").to_string()),
        ..honest_host()
    };
    let page = served(200, &[], fixture!("robots-disallowed.html"));
    let report = analyse(&page, &expectation(None), &site);
    assert_eq!(report.findings, vec![RobotsDisallowed]);

    let body = fixture!("soft-404-host.html");
    let mut probe = served(200, &[], body);
    probe.requested = Url::parse("http://127.0.0.1:8080/k3v9q0x2").unwrap();
    probe.final_url = probe.requested.clone();
    let site = SiteEvidence {
        probe: Some(probe),
        ..SiteEvidence::default()
    };
    let report = analyse(&served(200, &[], body), &expectation(None), &site);
    assert_eq!(report.findings, vec![Soft404, LinkRemoved]);
    // The same page on an honest host is just a page without the link.
    let report = analyse(&served(200, &[], body), &expectation(None), &honest_host());
    assert_eq!(report.findings, vec![LinkRemoved]);
}
