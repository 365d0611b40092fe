//! Link monitoring over the API (issue 15): `checkBacklink` answers with its findings and
//! keeps the check; a loss waits for its confirming check; a confirmed change is a link
//! event, listed and published on the event stream.

mod support;

use backlinks_core::app::monitoring;
use backlinks_core::domain::ids::{BacklinkId, TenantId};
use backlinks_core::domain::monitoring::health::HealthPolicy;
use serde_json::{Value, json};
use std::sync::Arc;
use support::TestServer;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TARGET: &str = "https://client.example/pricing";

async fn serve(site: &MockServer, route: &str, html: String) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_raw(html.into_bytes(), "text/html"))
        .mount(site)
        .await;
}

async fn placed(s: &TestServer, token: &str, placement: String) -> Value {
    let b = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(token),
            Some(json!({
                "sourceDomain": "blog.example", "placementUrl": placement, "targetUrl": TARGET,
                "anchorText": "pricing plans"
            })),
        )
        .await;
    assert_eq!(b.status, 201, "{:?}", b.body);
    b.body
}

#[tokio::test]
async fn a_check_answers_its_findings_and_a_confirmed_loss_is_a_link_event() {
    let site = MockServer::start().await;
    serve(
        &site,
        "/review",
        format!(
            r#"<html><head><title>Review</title></head><body><p>We compared tools.
        See <a href="{TARGET}" rel="nofollow">Pricing Plans</a> for details.</p>
        <a href="https://other.example/">other</a></body></html>"#
        ),
    )
    .await;
    let s = TestServer::start().await;
    let t = s.member("acme");
    let b = placed(&s, &t, format!("{}/review", site.uri())).await;
    let id = b["id"].as_str().unwrap();

    let check = s
        .call("POST", &format!("/v1/backlinks/{id}/check"), Some(&t), None)
        .await;
    assert_eq!(check.status, 200, "{:?}", check.body);
    let c = &check.body;
    assert_eq!(c["findings"], json!(["nofollow"]));
    assert_eq!(c["rel"], json!(["nofollow"]));
    assert_eq!(c["health"], "degraded");
    assert_eq!(c["status"], 200);
    assert_eq!(c["outboundLinks"], 2);
    assert!(
        c["snippet"].as_str().unwrap().contains("Pricing Plans"),
        "{c}"
    );
    assert_eq!(c["change"]["to"], "degraded");
    let now = s
        .call("GET", &format!("/v1/backlinks/{id}"), Some(&t), None)
        .await
        .body;
    assert_eq!(
        (now["isLive"].clone(), now["linkType"].clone()),
        (json!(true), json!("nofollow"))
    );
    assert_eq!(now["linkHealth"]["status"], "degraded");

    // The link goes: the next check only suspects it.
    site.reset().await;
    serve(
        &site,
        "/review",
        "<html><body><p>We compared tools.</p></body></html>".into(),
    )
    .await;
    let second = s
        .call("POST", &format!("/v1/backlinks/{id}/check"), Some(&t), None)
        .await
        .body;
    assert_eq!(second["findings"], json!(["link_removed"]));
    assert_eq!(second["health"], "degraded");
    assert_eq!(second["change"], Value::Null);
    let suspect = s
        .call("GET", &format!("/v1/backlinks/{id}"), Some(&t), None)
        .await
        .body;
    assert_eq!(suspect["isLive"], true, "one check never condemns a link");
    assert_eq!(
        suspect["linkHealth"]["pending"]["reasons"],
        json!(["link_removed"])
    );

    // Six hours on (here: a policy without the wait), the confirming check makes it dead.
    let tenant = TenantId::parse("acme").unwrap();
    let policy = HealthPolicy {
        confirm_after_secs: 0,
        ..HealthPolicy::default()
    };
    let confirmed = monitoring::backlinks::check(
        &s.local.app,
        &tenant,
        &BacklinkId::parse(id).unwrap(),
        &policy,
    )
    .await
    .unwrap();
    assert_eq!(
        confirmed.observed.change.unwrap().to,
        backlinks_core::domain::monitoring::health::HealthStatus::Dead
    );
    let dead = s
        .call("GET", &format!("/v1/backlinks/{id}"), Some(&t), None)
        .await
        .body;
    assert_eq!(dead["isLive"], false);

    let checks = s
        .call("GET", &format!("/v1/backlinks/{id}/checks"), Some(&t), None)
        .await
        .body;
    let health: Vec<&str> = checks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["health"].as_str().unwrap())
        .collect();
    assert_eq!(health, ["dead", "degraded", "degraded"], "newest first");

    let events = s.call("GET", "/v1/link-events", Some(&t), None).await.body;
    let moves: Vec<(String, String)> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["from"].as_str().unwrap().into(),
                e["to"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("degraded".into(), "dead".into()),
            ("unknown".into(), "degraded".into())
        ]
    );
    let removed = s
        .call("GET", "/v1/link-events?reason=link_removed", Some(&t), None)
        .await
        .body;
    assert_eq!(removed["items"].as_array().unwrap().len(), 1);
    let later = s
        .call(
            "GET",
            "/v1/link-events?since=2999-01-01T00:00:00Z",
            Some(&t),
            None,
        )
        .await
        .body;
    assert!(later["items"].as_array().unwrap().is_empty());
    let bad = s
        .call("GET", "/v1/link-events?since=yesterday", Some(&t), None)
        .await;
    assert_eq!(
        (bad.status, bad.body["errors"][0]["field"].as_str()),
        (400, Some("since"))
    );

    // The same changes went out on the event stream.
    let published = s.local.events.list(&tenant, None, 10).await.unwrap();
    assert_eq!(published.len(), 2);
    assert!(
        published
            .iter()
            .all(|e| e.detail_type == "link.status_changed")
    );
    assert_eq!(published[0].detail["to"], "dead");
}

#[tokio::test]
async fn a_backlink_without_a_placement_cannot_be_checked_and_others_see_nothing() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let b = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(&t),
            Some(json!({"sourceDomain": "blog.example"})),
        )
        .await
        .body;
    let id = b["id"].as_str().unwrap();
    let refused = s
        .call("POST", &format!("/v1/backlinks/{id}/check"), Some(&t), None)
        .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("placementUrl")
    );
    let other = s.member("other");
    let hidden = s
        .call(
            "GET",
            &format!("/v1/backlinks/{id}/checks"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(hidden.status, 404);
}

#[tokio::test]
async fn planned_links_are_checked_now_or_by_a_metered_plan_audit() {
    let site = MockServer::start().await;
    let s = TestServer::start().await;
    let t = s.member("acme");
    let plan_site = support::plans::fixture_site(&s, &t).await;
    let plan = support::plans::plan(&s, &t, &plan_site, "UK").await;
    let plan_id = plan["id"].as_str().unwrap();
    let link = s
        .call(
            "GET",
            &format!("/v1/plans/{plan_id}/links?limit=1"),
            Some(&t),
            None,
        )
        .await
        .body["items"][0]
        .clone();
    let link_path = format!("/v1/plans/{plan_id}/links/{}", link["id"].as_str().unwrap());
    let not_yet = s
        .call("POST", &format!("{link_path}/check"), Some(&t), None)
        .await;
    assert_eq!(not_yet.status, 409, "a planned link has no page yet");

    let (target, anchor) = (
        link["targetUrl"].as_str().unwrap(),
        link["anchorText"].as_str().unwrap(),
    );
    serve(
        &site,
        "/article",
        format!(r#"<p>Read <a href="{target}">{anchor}</a>.</p>"#),
    )
    .await;
    let ordered = s
        .call("PATCH", &link_path, Some(&t), Some(json!({"status": "ordered",
            "overrideThreshold": "a trusted partner", "placementUrl": format!("{}/article", site.uri())})))
        .await;
    assert_eq!(ordered.status, 200, "{:?}", ordered.body);
    let check = s
        .call("POST", &format!("{link_path}/check"), Some(&t), None)
        .await;
    assert_eq!(check.status, 200, "{:?}", check.body);
    assert_eq!(
        (check.body["findings"].clone(), check.body["health"].clone()),
        (json!([]), json!("live"))
    );
    let live = s.call("GET", &link_path, Some(&t), None).await.body;
    assert_eq!(live["status"], "live");
    assert!(live["dateLive"].is_string() && live["dateLastChecked"].is_string());

    let audit = s
        .call(
            "POST",
            &format!("/v1/plans/{plan_id}/check"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(audit.status, 202, "{:?}", audit.body);
    assert_eq!(
        (
            audit.body["queued"].clone(),
            audit.body["withoutPlacement"].clone()
        ),
        (json!(1), json!(0))
    );
    let worker = backlinks_core::jobs::by_name("link-check").unwrap();
    let ran = backlinks_core::local::workers::drain_once(s.local.app.clone(), &worker)
        .await
        .unwrap();
    assert_eq!(ran, 1);
    let checks = s
        .call("GET", &format!("{link_path}/checks"), Some(&t), None)
        .await
        .body;
    assert_eq!(checks["items"].as_array().unwrap().len(), 2);
    assert_eq!(s.usage_of(&t, "link_audit").await, (json!(1), json!(1)));
}

/// Runs a scheduled job and then the link-check worker; answers the job's summary and how
/// many checks ran.
async fn sweep_and_check(s: &TestServer, job: &str) -> (String, usize) {
    let sweep = backlinks_core::jobs::by_name(job).unwrap();
    let report = backlinks_core::jobs::run_scheduled(s.local.app.clone(), &sweep)
        .await
        .unwrap();
    let worker = backlinks_core::jobs::by_name("link-check").unwrap();
    let ran = backlinks_core::local::workers::drain_once(s.local.app.clone(), &worker)
        .await
        .unwrap();
    (report.summary, ran)
}

#[tokio::test]
async fn planned_links_are_swept_weekly_and_a_seen_loss_is_confirmed_hours_later() {
    use backlinks_core::ports::ManualClock;
    let site = MockServer::start().await;
    let clock = Arc::new(ManualClock::new(support::start_time()));
    let s = TestServer::start_with(|o| o.clock = clock.clone()).await;
    let t = s.member("acme");
    let plan_site = support::plans::fixture_site(&s, &t).await;
    let plan = support::plans::plan(&s, &t, &plan_site, "UK").await;
    let plan_id = plan["id"].as_str().unwrap();
    let links = s
        .call(
            "GET",
            &format!("/v1/plans/{plan_id}/links?limit=2"),
            Some(&t),
            None,
        )
        .await
        .body["items"]
        .clone();
    let link = &links[0];
    let link_path = format!("/v1/plans/{plan_id}/links/{}", link["id"].as_str().unwrap());
    let (target, anchor) = (
        link["targetUrl"].as_str().unwrap(),
        link["anchorText"].as_str().unwrap(),
    );
    let linking = format!(r#"<p>Read <a href="{target}">{anchor}</a>.</p>"#);
    serve(&site, "/article", linking).await;
    let ordered = s
        .call("PATCH", &link_path, Some(&t), Some(json!({"status": "ordered",
            "overrideThreshold": "a trusted partner", "placementUrl": format!("{}/article", site.uri())})))
        .await;
    assert_eq!(ordered.status, 200, "{:?}", ordered.body);
    // The other planned link has no page: nothing to sweep.
    assert!(links[1]["placementUrl"].is_null());

    let (summary, ran) = sweep_and_check(&s, "planned-link-sweep").await;
    assert_eq!(
        (summary.as_str(), ran),
        ("queued 1 planned links for their weekly check", 1)
    );
    assert_eq!(
        s.call("GET", &link_path, Some(&t), None).await.body["status"],
        "live"
    );
    // Nothing waits for a confirmation: the hourly sweep leaves planned links alone.
    let (summary, ran) = sweep_and_check(&s, "link-health-sweep").await;
    assert!(
        summary.ends_with("and 0 planned links awaiting confirmation for a health check"),
        "{summary}"
    );
    assert_eq!(ran, 0);

    // The link goes; the next weekly check sees it, and only a later one confirms it.
    site.reset().await;
    serve(&site, "/article", "<p>Rewritten without links.</p>".into()).await;
    clock.advance_seconds(7 * 86_400);
    sweep_and_check(&s, "planned-link-sweep").await;
    let seen = s.call("GET", &link_path, Some(&t), None).await.body;
    assert_eq!(seen["status"], "live", "one sighting is not a loss");
    assert_eq!(
        seen["linkHealth"]["pending"]["reasons"],
        json!(["link_removed"])
    );
    clock.advance_seconds(3_600);
    let (summary, ran) = sweep_and_check(&s, "link-health-sweep").await;
    assert!(summary.contains("and 0 planned links"), "{summary}");
    assert_eq!(ran, 0, "not six hours yet");
    clock.advance_seconds(5 * 3_600 + 60);
    let (summary, ran) = sweep_and_check(&s, "link-health-sweep").await;
    assert!(summary.contains("and 1 planned links"), "{summary}");
    assert_eq!(ran, 1);
    let dead = s.call("GET", &link_path, Some(&t), None).await.body;
    assert_eq!(dead["status"], "dead");
    let events = s
        .call(
            "GET",
            &format!("/v1/link-events?planId={plan_id}"),
            Some(&t),
            None,
        )
        .await
        .body;
    assert_eq!(events["items"][0]["reasons"], json!(["link_removed"]));
    assert_eq!(events["items"][0]["to"], "dead");
}

#[tokio::test]
async fn is_indexed_comes_from_the_index_checker_at_most_weekly_with_its_cost_kept() {
    use backlinks_core::adapters::dataforseo::DataForSeoConfig;
    use backlinks_core::ports::ManualClock;
    let site = MockServer::start().await;
    let serp = MockServer::start().await;
    let placement = format!("{}/article", site.uri());
    let answer = json!({"status_code": 20000, "cost": 0.01, "tasks": [{"status_code": 20000,
        "cost": 0.01, "result": [{"items": [{"type": "organic", "url": placement}]}]}]});
    Mock::given(method("POST"))
        .and(path("/v3/serp/google/organic/live/regular"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(2)
        .mount(&serp)
        .await;
    let clock = Arc::new(ManualClock::new(support::start_time()));
    let s = TestServer::start_with(|o| {
        o.clock = clock.clone();
        o.providers.dataforseo = Some(DataForSeoConfig {
            base_url: serp.uri(),
            login: "login".into(),
            password: "secret".into(),
            location_code: 2840,
            language_code: "en".into(),
        });
    })
    .await;
    let t = s.member("acme");
    serve(
        &site,
        "/article",
        format!(r#"<a href="{TARGET}">pricing plans</a>"#),
    )
    .await;
    let b = placed(&s, &t, placement.clone()).await;
    let path = format!("/v1/backlinks/{}", b["id"].as_str().unwrap());
    let first = s
        .call("POST", &format!("{path}/check"), Some(&t), None)
        .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(
        first.body["index"],
        json!({"indexed": true, "checkedQuery": format!("site:{placement}"),
               "provider": "dataforseo", "costUsd": 0.01})
    );
    assert_eq!(
        s.call("GET", &path, Some(&t), None).await.body["isIndexed"],
        true
    );
    // A day later the answer still stands: no second query.
    clock.advance_seconds(86_400);
    let again = s
        .call("POST", &format!("{path}/check"), Some(&t), None)
        .await;
    assert_eq!(again.body["index"], Value::Null);
    // A week on, it is asked again.
    clock.advance_seconds(6 * 86_400);
    let weekly = s
        .call("POST", &format!("{path}/check"), Some(&t), None)
        .await;
    assert_eq!(weekly.body["index"]["indexed"], true);
}

#[tokio::test]
async fn a_hosts_robots_txt_is_read_once_for_all_its_links() {
    let site = MockServer::start().await;
    let s = TestServer::start().await;
    let t = s.member("acme");
    for page in ["/a", "/b", "/c"] {
        serve(
            &site,
            page,
            format!(r#"<a href="{TARGET}">pricing plans</a>"#),
        )
        .await;
        let b = placed(&s, &t, format!("{}{page}", site.uri())).await;
        let path = format!("/v1/backlinks/{}/check", b["id"].as_str().unwrap());
        let check = s.call("POST", &path, Some(&t), None).await;
        assert_eq!(check.body["health"], "live", "{:?}", check.body);
    }
    let robots = site
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/robots.txt")
        .count();
    assert_eq!(robots, 1);
}
