//! The daily link health check, end to end in local mode: a fixture site on loopback, the
//! sweep job, the queue, and the worker that records the verdict.

mod support;

use backlinks_core::app::monitoring;
use backlinks_core::domain::ids::{BacklinkId, TenantId};
use backlinks_core::domain::monitoring::health::HealthPolicy;
use backlinks_core::jobs::{self, by_name};
use backlinks_core::local::workers::drain_once;
use serde_json::json;
use support::TestServer;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn page(site: &MockServer, route: &str, status: u16, html: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(html.as_bytes().to_vec(), "text/html"),
        )
        .mount(site)
        .await;
}

async fn published(s: &TestServer, token: &str, source: String) -> String {
    let b = s
        .call("POST", "/v1/backlinks", Some(token), Some(json!({
            "sourceDomain": "blog.example", "placementUrl": source, "targetUrl": "https://client.example/pricing"
        })))
        .await
        .body;
    let path = format!("/v1/backlinks/{}", b["id"].as_str().unwrap());
    for status in ["outreach_sent", "agreed", "published"] {
        let a = s
            .call(
                "PATCH",
                &path,
                Some(token),
                Some(json!({"outreachStatus": status})),
            )
            .await;
        assert_eq!(a.status, 200, "{:?}", a.body);
    }
    path
}

#[tokio::test]
async fn the_sweep_queues_placed_links_and_the_worker_records_liveness() {
    let site = MockServer::start().await;
    page(
        &site,
        "/live",
        200,
        r#"<p><a href="https://www.client.example/pricing/" rel="sponsored">pricing</a></p>"#,
    )
    .await;
    page(&site, "/removed", 200, "<p>nothing here any more</p>").await;
    page(&site, "/gone", 404, "not found").await;

    let s = TestServer::start().await;
    let t = s.member("acme");
    let live = published(&s, &t, format!("{}/live", site.uri())).await;
    let removed = published(&s, &t, format!("{}/removed", site.uri())).await;
    let gone = published(&s, &t, format!("{}/gone", site.uri())).await;
    // Not placed yet: the sweep leaves it alone.
    s.call(
        "POST",
        "/v1/backlinks",
        Some(&t),
        Some(json!({"sourceDomain": "other.example"})),
    )
    .await;

    let ran = s
        .call("POST", "/v1/dev/jobs/link-health-sweep/run", Some(&t), None)
        .await;
    assert_eq!(
        ran.body["summary"],
        "queued 3 backlinks and 0 planned links awaiting confirmation for a health check"
    );
    let queues = s.call("GET", "/v1/dev/queues", Some(&t), None).await;
    let link_check = queues.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "link-check")
        .unwrap();
    assert_eq!(link_check["depth"], 3);

    let worker = by_name("link-check").unwrap();
    assert_eq!(drain_once(s.local.app.clone(), &worker).await.unwrap(), 3);

    let l = s.call("GET", &live, Some(&t), None).await.body;
    assert_eq!(
        (l["isLive"].clone(), l["linkType"].clone()),
        (json!(true), json!("sponsored"))
    );
    assert!(l["lastCheckedAt"].is_string());
    assert_eq!(l["linkHealth"]["status"], "degraded");
    assert_eq!(l["linkHealth"]["reasons"], json!(["sponsored"]));
    // One check never condemns a link: the losses wait for their confirmation.
    for (path, reason) in [(&removed, "link_removed"), (&gone, "page_gone")] {
        let b = s.call("GET", path, Some(&t), None).await.body;
        assert_eq!(b["isLive"], serde_json::Value::Null, "{b}");
        assert_eq!(b["linkHealth"]["pending"]["status"], "dead");
        assert_eq!(b["linkHealth"]["pending"]["reasons"], json!([reason]));
    }
    // The confirming check (here with no wait) makes them dead.
    let tenant = TenantId::parse("acme").unwrap();
    let now = HealthPolicy {
        confirm_after_secs: 0,
        ..HealthPolicy::default()
    };
    for path in [&removed, &gone] {
        let id = BacklinkId::parse(path.rsplit('/').next().unwrap()).unwrap();
        let check = monitoring::backlinks::check(&s.local.app, &tenant, &id, &now)
            .await
            .unwrap();
        assert!(check.observed.change.is_some());
        assert_eq!(
            s.call("GET", path, Some(&t), None).await.body["isLive"],
            false
        );
    }
    let live_list = s
        .call("GET", "/v1/backlinks?isLive=true", Some(&t), None)
        .await;
    assert_eq!(live_list.body["items"].as_array().unwrap().len(), 1);
    let dead_list = s
        .call(
            "GET",
            "/v1/backlinks?isLive=false&outreachStatus=published",
            Some(&t),
            None,
        )
        .await;
    assert_eq!(dead_list.body["items"].as_array().unwrap().len(), 2);

    // Checked today: the next sweep has nothing to do.
    let again = s
        .call("POST", "/v1/dev/jobs/link-health-sweep/run", Some(&t), None)
        .await;
    assert_eq!(
        again.body["summary"],
        "queued 0 backlinks and 0 planned links awaiting confirmation for a health check"
    );
}

#[tokio::test]
async fn unreachable_pages_are_recorded_and_bad_messages_fail_only_themselves() {
    let site = MockServer::start().await;
    page(&site, "/flaky", 503, "try later").await;
    let s = TestServer::start().await;
    let t = s.member("acme");
    let flaky = published(&s, &t, format!("{}/flaky", site.uri())).await;
    let id = flaky.rsplit('/').next().unwrap().to_string();

    let worker = jobs::by_name("link-check").unwrap();
    let good = json!({"tenantId": "acme", "backlinkId": id}).to_string();
    let unknown = json!({"tenantId": "acme", "backlinkId": "bl_0123456789abcdef0123456789abcdef"})
        .to_string();
    let failed = jobs::run_batch(
        s.local.app.clone(),
        &worker,
        vec![
            ("m1".into(), good),
            ("m2".into(), "{not json".into()),
            ("m3".into(), unknown),
        ],
        jobs::batch::deadline_for(&worker),
    )
    .await;
    // The 503 page is recorded as unreachable, which never counts against a link by itself;
    // the malformed message goes to the dead-letter queue at once; a deleted backlink is
    // simply skipped.
    assert!(failed.is_empty(), "{failed:?}");
    let queue = worker.queue().unwrap();
    assert_eq!(
        s.local.app.queue.stats(queue).await.unwrap().dead_letters,
        1
    );
    assert_eq!(
        s.call("GET", &flaky, Some(&t), None).await.body["isLive"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn a_batch_starts_no_message_it_cannot_finish_before_its_deadline() {
    let site = MockServer::start().await;
    page(
        &site,
        "/ok",
        200,
        "<a href=\"https://client.example/pricing\">us</a>",
    )
    .await;
    let s = TestServer::start().await;
    let t = s.member("acme");
    let link = published(&s, &t, format!("{}/ok", site.uri())).await;
    let id = link.rsplit('/').next().unwrap().to_string();
    let worker = jobs::by_name("link-check").unwrap();
    let body = json!({"tenantId": "acme", "backlinkId": id}).to_string();
    let batch = vec![("m1".to_string(), body.clone()), ("m2".to_string(), body)];
    // Less than one message limit (and the margin to answer) is left: nothing starts.
    let close =
        std::time::Instant::now() + std::time::Duration::from_secs(u64::from(worker.timeout_secs));
    let again = jobs::run_batch(s.local.app.clone(), &worker, batch.clone(), close).await;
    assert_eq!(again, vec!["m1".to_string(), "m2".to_string()]);
    assert!(site.received_requests().await.unwrap().is_empty());
    // A whole function timeout ahead, both run.
    let again = jobs::run_batch(
        s.local.app.clone(),
        &worker,
        batch,
        jobs::batch::deadline_for(&worker),
    )
    .await;
    assert!(again.is_empty());
    assert_eq!(
        s.call("GET", &link, Some(&t), None).await.body["isLive"],
        true
    );
}

#[tokio::test]
async fn an_agreed_link_that_goes_live_publishes_its_backlink() {
    let site = MockServer::start().await;
    page(&site, "/soon", 200, "<p>not yet</p>").await;
    let s = TestServer::start().await;
    let t = s.member("acme");
    let b = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(&t),
            Some(json!({
                "sourceDomain": "blog.example",
                "contactUrl": format!("{}/contact", site.uri()),
                "placementUrl": format!("{}/soon", site.uri()),
                "targetUrl": "https://client.example/pricing"
            })),
        )
        .await
        .body;
    let path = format!("/v1/backlinks/{}", b["id"].as_str().unwrap());
    for status in ["outreach_sent", "agreed"] {
        let moved = s
            .call(
                "PATCH",
                &path,
                Some(&t),
                Some(json!({"outreachStatus": status})),
            )
            .await;
        assert_eq!(moved.status, 200, "{:?}", moved.body);
    }
    let sweep = jobs::by_name("link-health-sweep").unwrap();
    jobs::run_scheduled(s.local.app.clone(), &sweep)
        .await
        .unwrap();
    s.drain().await;
    let not_yet = s.call("GET", &path, Some(&t), None).await.body;
    assert_eq!(not_yet["outreachStatus"], "agreed");
    assert_eq!(
        not_yet["isLive"],
        serde_json::Value::Null,
        "not placed yet is not dead"
    );
    assert!(not_yet["lastCheckedAt"].is_string());
    // The site places the link; the next day's check publishes the backlink.
    site.reset().await;
    page(
        &site,
        "/soon",
        200,
        r#"<a href="https://client.example/pricing">us</a>"#,
    )
    .await;
    let requests_before = site.received_requests().await.unwrap().len();
    // A day later the sweep queues it again; the worker's check is the same either way.
    let check = jobs::by_name("link-check").unwrap();
    let request = json!({"tenantId": "acme", "backlinkId": b["id"]}).to_string();
    jobs::run_message(s.local.app.clone(), &check, "m", request)
        .await
        .unwrap();
    let won = s.call("GET", &path, Some(&t), None).await.body;
    assert_eq!(won["outreachStatus"], "published");
    assert_eq!(won["isLive"], true);
    assert!(won["publishedAt"].is_string());
    // The contact page was never fetched: only the placement page is.
    let fetched: Vec<String> = site
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert!(fetched.len() > requests_before);
    // The placement page and its host's robots.txt (which decides whether the link passes
    // anything): never the contact page.
    assert!(
        fetched.iter().all(|p| p == "/soon" || p == "/robots.txt"),
        "{fetched:?}"
    );
    assert!(fetched.iter().any(|p| p == "/soon"));
}

#[tokio::test]
async fn a_slow_host_holds_up_only_its_own_check_in_a_batch() {
    let slow = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(
                    b"<a href=\"https://client.example/pricing\">us</a>".to_vec(),
                    "text/html",
                )
                .set_delay(std::time::Duration::from_secs(3)),
        )
        .mount(&slow)
        .await;
    let fast = MockServer::start().await;
    page(
        &fast,
        "/fast",
        200,
        "<a href=\"https://client.example/pricing\">us</a>",
    )
    .await;
    let s = TestServer::start().await;
    let t = s.member("acme");
    let (slow_link, fast_link) = (
        published(&s, &t, format!("{}/slow", slow.uri())).await,
        published(&s, &t, format!("{}/fast", fast.uri())).await,
    );
    let message = |link: &str| {
        let id = link.rsplit('/').next().unwrap();
        json!({"tenantId": "acme", "backlinkId": id}).to_string()
    };
    let worker = jobs::by_name("link-check").unwrap();
    // The slow host's message comes first in the batch.
    let batch = vec![
        ("m1".to_string(), message(&slow_link)),
        ("m2".to_string(), message(&fast_link)),
    ];
    let app = s.local.app.clone();
    let running = tokio::spawn(async move {
        jobs::run_batch(app, &worker, batch, jobs::batch::deadline_for(&worker)).await
    });
    let mut fast_checked = false;
    for _ in 0..100 {
        let b = s.call("GET", &fast_link, Some(&t), None).await.body;
        if b["isLive"] == true {
            fast_checked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        fast_checked,
        "the fast host's link was checked while the slow one waited"
    );
    assert!(
        !running.is_finished(),
        "the slow host's check is still running"
    );
    assert!(running.await.unwrap().is_empty());
    assert_eq!(
        s.call("GET", &slow_link, Some(&t), None).await.body["isLive"],
        true
    );
}

#[tokio::test]
async fn completed_directory_and_competitor_gap_listings_are_checked_like_won_links() {
    let site = MockServer::start().await;
    page(
        &site,
        "/listing/acme",
        200,
        "<a href=\"https://client.example/pricing\">Acme</a>",
    )
    .await;
    page(&site, "/resources", 200, "<p>No link to us here.</p>").await;
    let s = TestServer::start().await;
    let t = s.member("acme");
    let mut paths = Vec::new();
    for (source, listing) in [
        ("directory_opportunity", "/listing/acme"),
        ("competitor_gap", "/resources"),
    ] {
        let b = s
            .call(
                "POST",
                "/v1/backlinks",
                Some(&t),
                Some(json!({
                    "sourceDomain": "dir.example", "sourceType": source,
                    "placementUrl": format!("{}{listing}", site.uri()),
                    "targetUrl": "https://client.example/pricing"
                })),
            )
            .await;
        assert_eq!(b.status, 201, "{:?}", b.body);
        let path = format!("/v1/backlinks/{}", b.body["id"].as_str().unwrap());
        for status in ["in_progress", "completed"] {
            let moved = s
                .call(
                    "PATCH",
                    &path,
                    Some(&t),
                    Some(json!({"outreachStatus": status})),
                )
                .await;
            assert_eq!(moved.status, 200, "{:?}", moved.body);
        }
        paths.push(path);
    }
    let sweep = jobs::by_name("link-health-sweep").unwrap();
    let report = jobs::run_scheduled(s.local.app.clone(), &sweep)
        .await
        .unwrap();
    assert!(
        report.summary.starts_with("queued 2 backlinks"),
        "{}",
        report.summary
    );
    s.drain().await;
    let listed = s.call("GET", &paths[0], Some(&t), None).await.body;
    assert_eq!(
        (
            listed["isLive"].clone(),
            listed["linkHealth"]["status"].clone()
        ),
        (json!(true), json!("live"))
    );
    // No link on the competitor-gap page: a loss seen once, waiting for its confirmation.
    let missing = s.call("GET", &paths[1], Some(&t), None).await.body;
    assert_eq!(
        missing["linkHealth"]["pending"]["reasons"],
        json!(["link_removed"])
    );
}
