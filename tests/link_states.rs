//! Every state a link check tells apart (issue 15), end to end: the linking pages of
//! tests/fixtures/monitoring/, each on its own loopback host under a real-looking name
//! (the fetcher's local-only overrides), checked through `checkBacklink` on the local server
//! and answered with exactly the README's findings. Then the confirmation rules on an
//! injected clock: a loss waits six hours for its confirming check, a link that flaps once is
//! never dead, and an unreachable page kills nothing before fourteen days.
//!
//! tests/monitoring.rs covers one check's evidence fields, kept checks, event filters and the
//! event stream; tests/link_health.rs the sweep and the queue worker. This file adds the
//! states and the timing.

mod support;

use backlinks_core::domain::limits::{RateLimit, TenantLimits};
use backlinks_core::domain::monitoring::codes::FindingCode;
use backlinks_core::ports::ManualClock;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use support::TestServer;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The recorded target. The fixture pages link `https://client.example/pricing`; links match
/// whatever their scheme, and the loopback fixture speaks plain HTTP, so the target is
/// recorded as `http://` to let the checker fetch it when it looks for where it moved.
const TARGET: &str = "http://client.example/pricing";
/// The same page (links match without `www.`) on a host where it now redirects to `/plans`:
/// the target of the rows whose target moved.
const MOVED_TARGET: &str = "http://www.client.example/pricing";
const ANCHOR: &str = "cheap flights to Lisbon";
const PLACEMENT_PATH: &str = "/posts/lisbon";
/// How long a loss waits for its confirmation, and an unreachable page before it kills.
const CONFIRM_SECS: i64 = 6 * 3_600;
const UNREACHABLE_SECS: i64 = 14 * 86_400;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/monitoring/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn html(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "text/html; charset=utf-8")
}

/// How a row's host answers.
enum Serve {
    /// `/posts/lisbon` answers the fixture page with 200.
    Page(&'static str),
    /// ... with this status and these headers.
    PageWith(u16, &'static [(&'static str, &'static str)], &'static str),
    /// ... and `/robots.txt` is the folder's robots.txt.
    WithRobots(&'static str),
    /// Every path answers the page with 200, the placement's and the random probe's.
    EveryPath(&'static str),
    /// `/posts/lisbon` answers this status with a body and no page.
    Status(u16, &'static str),
    /// `/posts/lisbon` redirects to `/posts/lisbon-2024`, which serves the page.
    MovedTo(&'static str),
    /// 429 with `Retry-After: 1` this many times, then the page.
    TooManyThen(u64, &'static str),
}

struct Row {
    host: &'static str,
    serve: Serve,
    target: &'static str,
    findings: &'static [&'static str],
    /// The link's health after this first check: a loss is only pending.
    health: &'static str,
    /// Evidence fields of the answer that must hold exactly.
    evidence: Value,
}

fn rows() -> Vec<Row> {
    let row = |host, serve, findings, health, evidence| Row {
        host,
        serve,
        target: TARGET,
        findings,
        health,
        evidence,
    };
    let cloudflare: &'static [(&str, &str)] =
        &[("cf-mitigated", "challenge"), ("Server", "cloudflare")];
    vec![
        row(
            "live.notes.example",
            Serve::Page("live-dofollow.html"),
            &[],
            "live",
            json!({"status": 200, "outboundLinks": 2, "rel": [], "anchorText": ANCHOR,
                   "linkHref": "https://client.example/pricing"}),
        ),
        row(
            "nofollow.notes.example",
            Serve::Page("nofollow-rel.html"),
            &["nofollow"],
            "degraded",
            json!({"nofollowSource": "rel", "rel": ["nofollow"]}),
        ),
        row(
            "ugc.notes.example",
            Serve::Page("ugc.html"),
            &["ugc"],
            "degraded",
            json!({"rel": ["ugc"]}),
        ),
        row(
            "sponsored.notes.example",
            Serve::Page("sponsored.html"),
            &["sponsored"],
            "degraded",
            json!({"rel": ["sponsored", "noopener"]}),
        ),
        row(
            "noindex.notes.example",
            Serve::Page("meta-noindex.html"),
            &["noindex"],
            "degraded",
            json!({"robotsMeta": "robots: noindex, follow"}),
        ),
        row(
            "x-robots.notes.example",
            Serve::PageWith(
                200,
                &[("X-Robots-Tag", "noindex, nofollow")],
                "x-robots-tag.html",
            ),
            &["nofollow", "noindex"],
            "degraded",
            json!({"nofollowSource": "X-Robots-Tag", "xRobotsTag": "noindex, nofollow"}),
        ),
        row(
            "canonical.notes.example",
            Serve::Page("canonical-elsewhere.html"),
            &["canonical_elsewhere"],
            "degraded",
            json!({"canonical": "https://travel-digest.example/lisbon-ten-days"}),
        ),
        row(
            "hidden.notes.example",
            Serve::Page("hidden-link.html"),
            &["hidden"],
            "degraded",
            json!({"outboundLinks": 2}),
        ),
        row(
            "noscript.notes.example",
            Serve::Page("noscript-link.html"),
            &["hidden"],
            "degraded",
            json!({"outboundLinks": 1}),
        ),
        row(
            "removed.notes.example",
            Serve::Page("link-removed.html"),
            &["link_removed"],
            "unknown",
            json!({"linkHref": null, "status": 200}),
        ),
        row(
            "anchor.notes.example",
            Serve::Page("anchor-changed.html"),
            &["anchor_changed"],
            "live",
            json!({"anchorText": "this booking site"}),
        ),
        Row {
            target: MOVED_TARGET,
            ..row(
                "moved-target.notes.example",
                Serve::Page("moved-target-updated.html"),
                &[],
                "live",
                json!({"linkHref": "https://client.example/plans/"}),
            )
        },
        row(
            "robots.notes.example",
            Serve::WithRobots("robots-disallowed.html"),
            &["robots_disallowed"],
            "degraded",
            json!({}),
        ),
        row(
            "soft-404-body.notes.example",
            Serve::Page("soft-404-body.html"),
            &["soft_404", "link_removed"],
            "unknown",
            json!({}),
        ),
        row(
            "soft-404-host.notes.example",
            Serve::EveryPath("soft-404-host.html"),
            &["soft_404", "link_removed"],
            "unknown",
            json!({"soft404Reason": "the page matches a random missing path on the same host"}),
        ),
        row(
            "cloudflare.notes.example",
            Serve::PageWith(403, cloudflare, "waf-cloudflare.html"),
            &["unreachable"],
            "unknown",
            json!({"status": 403, "blockedBy": "Cloudflare challenge"}),
        ),
        row(
            "akamai.notes.example",
            Serve::PageWith(403, &[("Server", "AkamaiGHost")], "waf-akamai.html"),
            &["unreachable"],
            "unknown",
            json!({"status": 403, "blockedBy": "Akamai block"}),
        ),
        row(
            "gone-404.notes.example",
            Serve::Status(404, "<h1>Not Found</h1>"),
            &["page_gone"],
            "unknown",
            json!({"status": 404}),
        ),
        row(
            "gone-410.notes.example",
            Serve::Status(410, ""),
            &["page_gone"],
            "unknown",
            json!({"status": 410}),
        ),
        row(
            "redirected.notes.example",
            Serve::MovedTo("live-dofollow.html"),
            &["redirected_away"],
            "unknown",
            // The chain lists the addresses that redirected; the final URL where it ended.
            json!({"finalUrl": "http://redirected.notes.example/posts/lisbon-2024",
                   "redirects": ["http://redirected.notes.example/posts/lisbon"]}),
        ),
        row(
            "slow-down-once.notes.example",
            Serve::TooManyThen(1, "live-dofollow.html"),
            &[],
            "live",
            json!({"status": 200}),
        ),
        row(
            "slow-down.notes.example",
            Serve::TooManyThen(u64::MAX, "live-dofollow.html"),
            &["unreachable"],
            "unknown",
            json!({"status": 429}),
        ),
        row(
            "bare-403.notes.example",
            Serve::Status(403, ""),
            &["unreachable"],
            "unknown",
            json!({"status": 403, "blockedBy": null}),
        ),
        row(
            "down.notes.example",
            Serve::Status(503, "down for maintenance"),
            &["unreachable"],
            "unknown",
            json!({"status": 503, "blockedBy": null}),
        ),
    ]
}

/// Mounts the row's behaviour for its host on the shared fixture server; every other path
/// of the host answers wiremock's plain 404.
async fn mount(site: &MockServer, host: &'static str, serve: &Serve) {
    let on = |route: &str| {
        Mock::given(method("GET"))
            .and(header("host", host))
            .and(path(route.to_string()))
    };
    match *serve {
        Serve::Page(page) => on(PLACEMENT_PATH).respond_with(html(200, &fixture(page))),
        Serve::PageWith(status, headers, page) => {
            let mut answer = html(status, &fixture(page));
            for (name, value) in headers {
                answer = answer.insert_header(*name, *value);
            }
            on(PLACEMENT_PATH).respond_with(answer)
        }
        Serve::WithRobots(page) => {
            on("/robots.txt")
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_raw(fixture("robots.txt").into_bytes(), "text/plain"),
                )
                .mount(site)
                .await;
            on(PLACEMENT_PATH).respond_with(html(200, &fixture(page)))
        }
        Serve::EveryPath(page) => Mock::given(method("GET"))
            .and(header("host", host))
            .respond_with(html(200, &fixture(page))),
        Serve::Status(status, body) => on(PLACEMENT_PATH).respond_with(html(status, body)),
        Serve::MovedTo(page) => {
            on("/posts/lisbon-2024")
                .respond_with(html(200, &fixture(page)))
                .mount(site)
                .await;
            on(PLACEMENT_PATH).respond_with(
                ResponseTemplate::new(301).insert_header("Location", "/posts/lisbon-2024"),
            )
        }
        Serve::TooManyThen(times, page) => {
            on(PLACEMENT_PATH)
                .respond_with(html(429, "slow down").insert_header("Retry-After", "1"))
                .up_to_n_times(times)
                .with_priority(1)
                .mount(site)
                .await;
            on(PLACEMENT_PATH).respond_with(html(200, &fixture(page)))
        }
    }
    .mount(site)
    .await;
}

/// The client's site: `client.example/pricing` is where it always was, while on
/// `www.client.example` (the same page to a link) it now redirects to `/plans`.
async fn mount_client(site: &MockServer) {
    Mock::given(method("GET"))
        .and(header("host", "client.example"))
        .and(path("/pricing"))
        .respond_with(html(200, "<h1>Pricing</h1>"))
        .mount(site)
        .await;
    Mock::given(method("GET"))
        .and(header("host", "www.client.example"))
        .and(path("/pricing"))
        .respond_with(
            ResponseTemplate::new(301).insert_header("Location", "http://www.client.example/plans"),
        )
        .mount(site)
        .await;
    Mock::given(method("GET"))
        .and(header("host", "www.client.example"))
        .and(path("/plans"))
        .respond_with(html(200, "<h1>Plans</h1>"))
        .mount(site)
        .await;
}

/// The local server with every host resolved to the fixture server, on the given clock,
/// with room for as many checks as a test makes (checks are expensive calls).
async fn server(hosts: &[&str], site: SocketAddr, clock: Option<Arc<ManualClock>>) -> TestServer {
    let resolve: Vec<(String, SocketAddr)> = hosts
        .iter()
        .chain(["client.example", "www.client.example"].iter())
        .map(|h| (h.to_string(), site))
        .collect();
    TestServer::start_with(move |o| {
        o.resolve = resolve;
        if let Some(clock) = clock {
            o.clock = clock;
        }
        let plenty = RateLimit {
            per_minute: 6_000,
            burst: 1_000,
        };
        o.rate_limits = TenantLimits {
            standard: plenty,
            expensive: plenty,
        };
    })
    .await
}

async fn backlink(s: &TestServer, token: &str, host: &str, target: &str) -> String {
    let b = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(token),
            Some(json!({
                "sourceDomain": host,
                "placementUrl": format!("http://{host}{PLACEMENT_PATH}"),
                "targetUrl": target,
                "anchorText": ANCHOR,
            })),
        )
        .await;
    assert_eq!(b.status, 201, "{:?}", b.body);
    b.body["id"].as_str().unwrap().to_string()
}

async fn check(s: &TestServer, token: &str, id: &str) -> Value {
    let c = s
        .call(
            "POST",
            &format!("/v1/backlinks/{id}/check"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{:?}", c.body);
    c.body
}

/// Serves every row on its own host, checks each once through `checkBacklink`, and answers
/// what differed from the row (none when all is well), with the server and the fixture.
async fn check_rows(rows: &[Row]) -> (Vec<String>, TestServer, MockServer) {
    let site = MockServer::start().await;
    for row in rows {
        mount(&site, row.host, &row.serve).await;
    }
    mount_client(&site).await;
    let hosts: Vec<&str> = rows.iter().map(|r| r.host).collect();
    let s = server(&hosts, *site.address(), None).await;
    let t = s.member("acme");
    let mut wrong = Vec::new();
    for row in rows {
        let id = backlink(&s, &t, row.host, row.target).await;
        let c = check(&s, &t, &id).await;
        let mut problems = Vec::new();
        // Compared as the codes the issue names (`FindingCode::as_str`); how the API spells
        // them on the wire is `findings_are_answered_as_the_issue_spells_them`.
        let findings: Vec<FindingCode> = serde_json::from_value(c["findings"].clone())
            .unwrap_or_else(|e| panic!("{}: {e}: {}", row.host, c["findings"]));
        let codes: Vec<&str> = findings.iter().map(|f| f.as_str()).collect();
        if codes != row.findings {
            problems.push(format!("findings {codes:?} (expected {:?})", row.findings));
        }
        if c["health"] != row.health {
            problems.push(format!("health {} (expected {})", c["health"], row.health));
        }
        for (field, expected) in row.evidence.as_object().unwrap() {
            let got = c.get(field).cloned().unwrap_or(Value::Null);
            if &got != expected {
                problems.push(format!("{field} {got} (expected {expected})"));
            }
        }
        if !problems.is_empty() {
            wrong.push(format!("{}: {}", row.host, problems.join("; ")));
        }
    }
    (wrong, s, site)
}

#[tokio::test]
async fn every_link_state_gives_exactly_its_findings() {
    let (wrong, _server, site) = check_rows(&rows()).await;
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));

    // The requests behind the findings: the 429 was tried again once; the random-path
    // probe (inspect names it `/<id>-not-a-page`) was sent only where a 200 page lacked the
    // link; the moved target was asked where it went.
    let requests = site.received_requests().await.unwrap();
    let fetched = |host: &str| -> Vec<String> {
        requests
            .iter()
            .filter(|r| r.headers.get("host").is_some_and(|h| h == host))
            .map(|r| r.url.path().to_string())
            .collect()
    };
    let placement_fetches = |host: &str| {
        fetched(host)
            .iter()
            .filter(|p| p.as_str() == PLACEMENT_PATH)
            .count()
    };
    assert_eq!(
        placement_fetches("slow-down-once.notes.example"),
        2,
        "the 429 and its retry"
    );
    let probes = |host: &str| {
        fetched(host)
            .iter()
            .filter(|p| p.ends_with("-not-a-page"))
            .count()
    };
    assert_eq!(probes("soft-404-host.notes.example"), 1);
    assert_eq!(probes("removed.notes.example"), 1);
    assert_eq!(probes("live.notes.example"), 0);
    assert_eq!(probes("gone-404.notes.example"), 0, "no probe for a 404");
    assert!(fetched("www.client.example").contains(&"/pricing".to_string()));
}

/// The wire spelling of every code is the issue's (`FindingCode::as_str`): `soft_404`, not
/// serde's `soft404`.
#[tokio::test]
async fn findings_are_answered_as_the_issue_spells_them() {
    let rows: Vec<Row> = rows()
        .into_iter()
        .filter(|r| r.host.starts_with("soft-404-"))
        .collect();
    let site = MockServer::start().await;
    for row in &rows {
        mount(&site, row.host, &row.serve).await;
    }
    let hosts: Vec<&str> = rows.iter().map(|r| r.host).collect();
    let s = server(&hosts, *site.address(), None).await;
    let t = s.member("acme");
    for row in &rows {
        let id = backlink(&s, &t, row.host, row.target).await;
        assert_eq!(check(&s, &t, &id).await["findings"], json!(row.findings));
    }
    let filtered = s
        .call("GET", "/v1/link-events?reason=soft_404", Some(&t), None)
        .await;
    assert_eq!(filtered.status, 200, "{:?}", filtered.body);
}

/// A page that still links the recorded target, which now redirects to another page: the
/// link arrives through the redirect (`wrong_target`, a notice).
#[tokio::test]
async fn a_link_to_a_target_that_moved_is_wrong_target() {
    let row = Row {
        host: "wrong-target.notes.example",
        serve: Serve::Page("wrong-target.html"),
        target: MOVED_TARGET,
        findings: &["wrong_target"],
        health: "live",
        evidence: json!({"linkHref": "https://client.example/pricing"}),
    };
    let (wrong, _server, _site) = check_rows(&[row]).await;
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// A host whose page the test swaps between checks.
struct Flapping {
    site: MockServer,
    host: &'static str,
}

impl Flapping {
    async fn serve(&self, answer: ResponseTemplate) {
        self.site.reset().await;
        Mock::given(method("GET"))
            .and(header("host", self.host))
            .and(path(PLACEMENT_PATH))
            .respond_with(answer)
            .mount(&self.site)
            .await;
    }

    async fn page(&self, name: &str) {
        self.serve(html(200, &fixture(name))).await;
    }
}

/// One link on `host`, live after its first check, on a server whose clock the test moves.
async fn live_link(host: &'static str) -> (Flapping, TestServer, Arc<ManualClock>, String, String) {
    let flapping = Flapping {
        site: MockServer::start().await,
        host,
    };
    flapping.page("live-dofollow.html").await;
    let clock = Arc::new(ManualClock::new(support::start_time()));
    let s = server(&[host], *flapping.site.address(), Some(clock.clone())).await;
    let t = s.member("acme");
    let id = backlink(&s, &t, host, TARGET).await;
    let first = check(&s, &t, &id).await;
    assert_eq!(
        (first["health"].clone(), first["findings"].clone()),
        (json!("live"), json!([]))
    );
    (flapping, s, clock, t, id)
}

async fn get(s: &TestServer, token: &str, id: &str) -> Value {
    s.call("GET", &format!("/v1/backlinks/{id}"), Some(token), None)
        .await
        .body
}

/// The link events of the backlink on `host`, newest first, as (from, to, reasons).
async fn events(s: &TestServer, token: &str, host: &str) -> Vec<(String, String, Value)> {
    let page = s.call("GET", "/v1/link-events", Some(token), None).await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["placementUrl"] == format!("http://{host}{PLACEMENT_PATH}"))
        .map(|e| {
            (
                e["from"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
                e["reasons"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_loss_waits_six_hours_for_its_confirming_check() {
    let host = "confirm.notes.example";
    let (site, s, clock, t, id) = live_link(host).await;
    assert_eq!(
        events(&s, &t, host).await,
        [("unknown".into(), "live".into(), json!([]))]
    );

    site.page("link-removed.html").await;
    clock.advance_seconds(86_400);
    let seen = check(&s, &t, &id).await;
    assert_eq!(seen["findings"], json!(["link_removed"]));
    assert_eq!(
        (seen["health"].clone(), seen["change"].clone()),
        (json!("live"), Value::Null)
    );
    let b = get(&s, &t, &id).await;
    assert_eq!(b["isLive"], true, "one sighting is not a loss");
    assert_eq!(b["linkHealth"]["status"], "live");
    assert_eq!(
        b["linkHealth"]["pending"],
        json!({"status": "dead", "reasons": ["link_removed"],
               "firstSeen": seen["at"].clone()})
    );

    // Seen again a second short of six hours later: still waiting.
    clock.advance_seconds(CONFIRM_SECS - 1);
    let early = check(&s, &t, &id).await;
    assert_eq!(
        (early["health"].clone(), early["change"].clone()),
        (json!("live"), Value::Null)
    );
    assert_eq!(get(&s, &t, &id).await["isLive"], true);
    assert_eq!(events(&s, &t, host).await.len(), 1, "no event yet");

    // Six hours after it was first seen, the loss is confirmed.
    clock.advance_seconds(1);
    let confirmed = check(&s, &t, &id).await;
    assert_eq!(confirmed["health"], "dead");
    assert_eq!(
        (
            confirmed["change"]["from"].clone(),
            confirmed["change"]["to"].clone()
        ),
        (json!("live"), json!("dead"))
    );
    let b = get(&s, &t, &id).await;
    assert_eq!(b["isLive"], false);
    assert_eq!(
        (
            b["linkHealth"]["status"].clone(),
            b["linkHealth"]["reasons"].clone()
        ),
        (json!("dead"), json!(["link_removed"]))
    );
    assert_eq!(b["linkHealth"]["since"], confirmed["at"]);
    assert_eq!(b["linkHealth"]["pending"], Value::Null);
    assert_eq!(
        events(&s, &t, host).await[0],
        ("live".into(), "dead".into(), json!(["link_removed"]))
    );

    // It comes back: live again at once, with its own event.
    site.page("live-dofollow.html").await;
    clock.advance_seconds(86_400);
    let back = check(&s, &t, &id).await;
    assert_eq!(back["health"], "live");
    assert_eq!(get(&s, &t, &id).await["isLive"], true);
    assert_eq!(
        events(&s, &t, host).await[0],
        ("dead".into(), "live".into(), json!([]))
    );
}

#[tokio::test]
async fn a_link_that_flaps_once_is_never_dead() {
    let host = "flap.notes.example";
    let (site, s, clock, t, id) = live_link(host).await;

    // Gone for one check (a deploy, a cache purge), back by the next.
    site.page("link-removed.html").await;
    clock.advance_seconds(3_600);
    assert_eq!(check(&s, &t, &id).await["health"], "live");
    site.page("live-dofollow.html").await;
    clock.advance_seconds(CONFIRM_SECS);
    let back = check(&s, &t, &id).await;
    assert_eq!(
        (back["findings"].clone(), back["health"].clone()),
        (json!([]), json!("live"))
    );
    let b = get(&s, &t, &id).await;
    assert_eq!(
        b["linkHealth"]["pending"],
        Value::Null,
        "the suspicion is dropped"
    );

    // Lost again later: a new suspicion, not the old one confirmed.
    site.page("link-removed.html").await;
    clock.advance_seconds(CONFIRM_SECS);
    let again = check(&s, &t, &id).await;
    assert_eq!(
        (again["health"].clone(), again["change"].clone()),
        (json!("live"), Value::Null)
    );
    let b = get(&s, &t, &id).await;
    assert_eq!(b["isLive"], true);
    assert_eq!(b["linkHealth"]["pending"]["firstSeen"], again["at"]);

    // And it is back before that one is confirmed.
    site.page("live-dofollow.html").await;
    clock.advance_seconds(CONFIRM_SECS);
    assert_eq!(check(&s, &t, &id).await["health"], "live");
    let b = get(&s, &t, &id).await;
    assert_eq!(
        (b["isLive"].clone(), b["linkHealth"]["status"].clone()),
        (json!(true), json!("live"))
    );
    let moves = events(&s, &t, host).await;
    assert_eq!(
        moves,
        [("unknown".into(), "live".into(), json!([]))],
        "never dead"
    );
    let dead = s
        .call("GET", "/v1/link-events?reason=link_removed", Some(&t), None)
        .await;
    assert_eq!(dead.body["items"], json!([]));
}

#[tokio::test]
async fn an_unreachable_page_kills_nothing_before_fourteen_days() {
    let host = "down-for-weeks.notes.example";
    let (site, s, clock, t, id) = live_link(host).await;
    site.serve(html(503, "down for maintenance")).await;

    // Checked daily for thirteen days after the first failure, then a second short of
    // fourteen: unreachable every time, still live.
    clock.advance_seconds(86_400);
    let first = check(&s, &t, &id).await;
    assert_eq!(first["findings"], json!(["unreachable"]));
    for _ in 0..13 {
        clock.advance_seconds(86_400);
        let c = check(&s, &t, &id).await;
        assert_eq!(
            (c["health"].clone(), c["change"].clone()),
            (json!("live"), Value::Null)
        );
    }
    clock.advance_seconds(86_400 - 1);
    assert_eq!(check(&s, &t, &id).await["health"], "live");
    let b = get(&s, &t, &id).await;
    assert_eq!(b["isLive"], true);
    assert_eq!(b["linkHealth"]["unreachableSince"], first["at"]);
    assert_eq!(events(&s, &t, host).await.len(), 1);

    // Fourteen days unreachable: dead for that reason.
    clock.advance_seconds(1);
    let dead = check(&s, &t, &id).await;
    assert_eq!(
        (dead["health"].clone(), dead["change"]["reasons"].clone()),
        (json!("dead"), json!(["unreachable"]))
    );
    assert_eq!(get(&s, &t, &id).await["isLive"], false);
    assert_eq!(
        events(&s, &t, host).await[0],
        ("live".into(), "dead".into(), json!(["unreachable"]))
    );
    // Fourteen days of unreachable checks: more than a link keeps, with its newest first.
    let checks = s
        .call("GET", &format!("/v1/backlinks/{id}/checks"), Some(&t), None)
        .await
        .body;
    assert_eq!(checks["items"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn an_unreachable_spell_between_good_checks_starts_the_clock_again() {
    let host = "flaky.notes.example";
    let (site, s, clock, t, id) = live_link(host).await;
    site.serve(html(503, "down")).await;
    clock.advance_seconds(86_400);
    check(&s, &t, &id).await;
    // Back for one check after ten days down...
    clock.advance_seconds(10 * 86_400);
    site.page("live-dofollow.html").await;
    assert_eq!(check(&s, &t, &id).await["health"], "live");
    assert_eq!(
        get(&s, &t, &id).await["linkHealth"]["unreachableSince"],
        Value::Null
    );
    // ...so ten more days down are ten days, not twenty.
    site.serve(html(503, "down")).await;
    clock.advance_seconds(86_400);
    check(&s, &t, &id).await;
    clock.advance_seconds(UNREACHABLE_SECS - 86_400);
    assert_eq!(check(&s, &t, &id).await["health"], "live");
    assert_eq!(get(&s, &t, &id).await["isLive"], true);
}
