//! Tenants' webhooks (issue 15): a link event reaches a registered URL, signed as a
//! receiver can check; failures are retried on the schedule with every attempt visible; a
//! final answer ends a delivery; another tenant sees nothing. Also the SSRF-safe client
//! against wiremock, the schedule's waits with a clock the test moves, and the bus's rule
//! against moto, whose envelope the delivery job reads.

mod support;

use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sqs::types::QueueAttributeName;
use backlinks_core::adapters::eventbridge::EventBridgeBus;
use backlinks_core::adapters::webhook_poster::WebhookClient;
use backlinks_core::adapters::webhook_rule::LocalDeliveryRule;
use backlinks_core::app::App;
use backlinks_core::app::paging::PageRequest;
use backlinks_core::app::webhooks::{self, NewWebhook, WebhookEnv, deliveries};
use backlinks_core::domain::identity::Role;
use backlinks_core::domain::ids::{TenantId, WebhookId};
use backlinks_core::domain::webhooks::delivery::{Delivery, DeliveryState, RetrySchedule};
use backlinks_core::local::workers::drain_all;
use backlinks_core::ports::events::{DomainEvent, EventBus, MemoryEventLog};
use backlinks_core::ports::webhook::{PostError, WebhookPoster, WebhookRequest};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::Arc;
use support::{Rig, TestServer};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What a receiver does with `Backlinks-Signature: t=…,v1=…`: recompute the HMAC of
/// `<t>.<raw body>` with the secret, and compare. Returns `t`.
fn verify(secret: &str, header: &str, body: &[u8]) -> i64 {
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("malformed signature header {header}"));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected, "the signature does not verify");
    t.parse().unwrap()
}

async fn receiver(route: &str, status: u16, times: Option<u64>, server: &MockServer) {
    let mock = Mock::given(method("POST"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(status).set_body_string(format!("answer {status}")));
    match times {
        Some(n) => mock.up_to_n_times(n).mount(server).await,
        None => mock.mount(server).await,
    }
}

fn admin(s: &TestServer, tenant: &str) -> String {
    s.token(tenant, &format!("admin-of-{tenant}"), Role::Admin)
}

async fn register(s: &TestServer, token: &str, url: String) -> Value {
    let created = s
        .call(
            "POST",
            "/v1/webhooks",
            Some(token),
            Some(json!({ "url": url })),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body
}

/// A backlink on a fixture page with a nofollow link, checked once: its health moves from
/// unknown to degraded, a link event.
async fn link_event(s: &TestServer, site: &MockServer) {
    let target = "https://client.example/pricing";
    let html =
        format!(r#"<html><body><a href="{target}" rel="nofollow">Pricing</a></body></html>"#);
    Mock::given(method("GET"))
        .and(path("/review"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(html.into_bytes(), "text/html"))
        .mount(site)
        .await;
    let t = s.member("acme");
    let placement = format!("{}/review", site.uri());
    let b = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(&t),
            Some(
                json!({"sourceDomain": "blog.example", "placementUrl": placement,
                "targetUrl": target, "anchorText": "Pricing"}),
            ),
        )
        .await;
    assert_eq!(b.status, 201, "{:?}", b.body);
    let path = format!("/v1/backlinks/{}/check", b.body["id"].as_str().unwrap());
    let check = s.call("POST", &path, Some(&t), None).await;
    assert_eq!(check.body["change"]["to"], "degraded", "{:?}", check.body);
}

async fn deliveries_of(s: &TestServer, token: &str, hook: &Value) -> Vec<Value> {
    let path = format!("/v1/webhooks/{}/deliveries", hook["id"].as_str().unwrap());
    let listed = s.call("GET", &path, Some(token), None).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    listed.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_link_event_reaches_the_webhook_signed_once_and_only_its_tenant_sees_it() {
    let (site, hooks) = (MockServer::start().await, MockServer::start().await);
    receiver("/in", 204, None, &hooks).await;
    let s = TestServer::start().await;
    let a = admin(&s, "acme");
    let refused = s
        .call(
            "POST",
            "/v1/webhooks",
            Some(&s.member("acme")),
            Some(json!({"url": "https://hooks.example/in"})),
        )
        .await;
    assert_eq!(refused.status, 403, "members cannot register webhooks");
    let hook = register(&s, &a, format!("{}/in", hooks.uri())).await;
    let secret = hook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{hook}");
    assert_eq!(hook["eventTypes"], json!(["link.status_changed"]));
    assert_eq!(hook["enabled"], true);
    let listed = s.call("GET", "/v1/webhooks", Some(&a), None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert!(
        !listed.body.to_string().contains(&secret),
        "the secret is shown once"
    );

    link_event(&s, &site).await;
    s.drain().await;

    let received = hooks.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    let header = |name: &str| request.headers.get(name).unwrap().to_str().unwrap();
    let t = verify(&secret, header("backlinks-signature"), &request.body);
    assert!((chrono::Utc::now().timestamp() - t).abs() < 300, "t is now");
    assert_eq!(header("content-type"), "application/json");
    let body: Value = request.body_json().unwrap();
    assert_eq!(body["type"], "link.status_changed");
    assert_eq!(body["detail"]["tenantId"], "acme");
    assert_eq!(body["detail"]["to"], "degraded");
    assert_eq!(header("backlinks-event-id"), body["detail"]["eventId"]);

    let delivered = deliveries_of(&s, &a, &hook).await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["state"], "delivered");
    assert_eq!(delivered[0]["eventId"], body["detail"]["eventId"]);
    assert_eq!(delivered[0]["attempts"][0]["status"], 204);
    assert!(delivered[0].get("payload").is_none(), "{}", delivered[0]);

    // The bus delivers the same event again: the delivery made is found, nothing is sent.
    let tenant = TenantId::parse("acme").unwrap();
    let events = s.local.events.list(&tenant, None, 10).await.unwrap();
    LocalDeliveryRule::new(s.local.events.clone(), s.local.app.queue.clone())
        .publish(events)
        .await
        .unwrap();
    s.drain().await;
    assert_eq!(hooks.received_requests().await.unwrap().len(), 1);
    assert_eq!(deliveries_of(&s, &a, &hook).await.len(), 1);

    // Another tenant's admin: every route answers 404 or an empty list.
    let b = admin(&s, "other");
    let id = hook["id"].as_str().unwrap();
    for (verb, route, body) in [
        ("GET", format!("/v1/webhooks/{id}/deliveries"), None),
        (
            "PATCH",
            format!("/v1/webhooks/{id}"),
            Some(json!({"enabled": false})),
        ),
        ("DELETE", format!("/v1/webhooks/{id}"), None),
    ] {
        let answer = s.call(verb, &route, Some(&b), body).await;
        assert_eq!(answer.status, 404, "{verb} {route}: {:?}", answer.body);
    }
    let theirs = s.call("GET", "/v1/webhooks", Some(&b), None).await;
    assert_eq!(theirs.body["items"], json!([]));
    assert_eq!(deliveries_of(&s, &a, &hook).await[0]["state"], "delivered");
}

#[tokio::test]
async fn failures_are_retried_until_a_2xx_or_a_final_answer_with_every_attempt_visible() {
    let (site, hooks) = (MockServer::start().await, MockServer::start().await);
    receiver("/flaky", 500, Some(1), &hooks).await;
    receiver("/flaky", 200, None, &hooks).await;
    receiver("/gone", 410, None, &hooks).await;
    receiver("/bad", 400, None, &hooks).await;
    receiver("/down", 503, None, &hooks).await;
    let s = TestServer::start().await;
    let a = admin(&s, "acme");
    let mut registered = Vec::new();
    for route in ["/flaky", "/gone", "/bad", "/down"] {
        registered.push(register(&s, &a, format!("{}{route}", hooks.uri())).await);
    }
    link_event(&s, &site).await;
    // The queue's delays made instant: three attempts in all, no wait between them.
    let mut fast = (*s.local.app).clone();
    fast.webhooks.retries = RetrySchedule::new(vec![0, 0]);
    drain_all(Arc::new(fast)).await.unwrap();

    let statuses = |d: &Value| -> Vec<Value> {
        let attempts = d["attempts"].as_array().unwrap();
        attempts.iter().map(|a| a["status"].clone()).collect()
    };
    let flaky = &deliveries_of(&s, &a, &registered[0]).await[0];
    assert_eq!(flaky["state"], "delivered", "{flaky}");
    assert_eq!(statuses(flaky), [json!(500), json!(200)]);
    assert_eq!(flaky["attempts"][0]["response"], "answer 500");
    assert_eq!(flaky["attempts"][1]["number"], 2);
    assert_eq!(flaky["nextAttemptAt"], Value::Null);
    for (hook, status) in [(&registered[1], 410), (&registered[2], 400)] {
        let given_up = &deliveries_of(&s, &a, hook).await[0];
        assert_eq!(given_up["state"], "failed", "{given_up}");
        assert_eq!(
            statuses(given_up),
            [json!(status)],
            "a final answer is not retried"
        );
        assert!(
            given_up["reason"]
                .as_str()
                .unwrap()
                .contains(&status.to_string()),
            "{given_up}"
        );
    }
    let down = &deliveries_of(&s, &a, &registered[3]).await[0];
    assert_eq!(down["state"], "failed");
    assert_eq!(statuses(down), [json!(503), json!(503), json!(503)]);
    assert_eq!(down["reason"], "no 2xx after 3 attempts");
    let failed = s
        .call(
            "GET",
            &format!(
                "/v1/webhooks/{}/deliveries?state=failed",
                registered[0]["id"].as_str().unwrap()
            ),
            Some(&a),
            None,
        )
        .await;
    assert_eq!(failed.body["items"], json!([]));
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field_and_a_disabled_webhook_gets_nothing() {
    let (site, hooks) = (MockServer::start().await, MockServer::start().await);
    receiver("/in", 200, None, &hooks).await;
    let s = TestServer::start().await;
    let a = admin(&s, "acme");
    for (body, field) in [
        (json!({"url": "not a url"}), "url"),
        (json!({"url": "ftp://hooks.example/in"}), "url"),
        (json!({"url": "https://169.254.169.254/latest"}), "url"),
        (
            json!({"url": "https://hooks.example/in", "eventTypes": []}),
            "eventTypes",
        ),
        (
            json!({"url": "https://hooks.example/in", "eventTypes": ["link.gone"]}),
            "eventTypes.0",
        ),
        (
            json!({"url": "https://hooks.example/in", "secret": "mine"}),
            "secret",
        ),
        (json!({}), "url"),
    ] {
        let answer = s
            .call("POST", "/v1/webhooks", Some(&a), Some(body.clone()))
            .await;
        assert_eq!(answer.status, 400, "{body}: {:?}", answer.body);
        assert_eq!(
            answer.body["errors"][0]["field"], field,
            "{body}: {:?}",
            answer.body
        );
    }
    let hook = register(&s, &a, format!("{}/in", hooks.uri())).await;
    let path = format!("/v1/webhooks/{}", hook["id"].as_str().unwrap());
    let off = s
        .call("PATCH", &path, Some(&a), Some(json!({"enabled": false})))
        .await;
    assert_eq!(
        (off.status, off.body["enabled"].clone()),
        (200, json!(false))
    );
    assert_eq!(off.body["version"], 2);
    link_event(&s, &site).await;
    s.drain().await;
    assert!(hooks.received_requests().await.unwrap().is_empty());
    assert!(deliveries_of(&s, &a, &hook).await.is_empty());

    let deleted = s.call("DELETE", &path, Some(&a), None).await;
    assert_eq!(deleted.status, 204);
    let listed = s
        .call("GET", &format!("{path}/deliveries"), Some(&a), None)
        .await;
    assert_eq!(listed.status, 404);
}

/// An application on a clock the test moves, delivering to loopback receivers.
fn delivering(rig: &Rig) -> App {
    let client = WebhookClient::new(true, vec![]);
    rig.app
        .clone()
        .with_webhooks(WebhookEnv::new(Arc::new(client)))
}

async fn hook_at(app: &App, tenant: &TenantId, url: String) -> webhooks::CreatedWebhook {
    let new = NewWebhook {
        url,
        event_types: None,
        enabled: None,
    };
    webhooks::create(app, tenant, new).await.unwrap()
}

fn link_changed(tenant: &TenantId, id: &str, rig: &Rig) -> DomainEvent {
    DomainEvent {
        tenant: tenant.clone(),
        detail_type: "link.status_changed".into(),
        detail: json!({"linkId": "bl-1", "to": "dead"}),
        at: backlinks_core::ports::Clock::now(rig.clock.as_ref()),
        id: id.into(),
    }
}

async fn only_delivery(app: &App, tenant: &TenantId, hook: &WebhookId) -> Delivery {
    let filter = deliveries::DeliveryFilter::default();
    let page = deliveries::list(app, tenant, hook, &filter, PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    page.items[0].clone()
}

#[tokio::test]
async fn retries_wait_their_time_on_the_schedule_in_hops_of_at_most_fifteen_minutes() {
    let hooks = MockServer::start().await;
    receiver("/down", 503, None, &hooks).await;
    let rig = Rig::new(vec![]).await;
    let app = Arc::new(delivering(&rig));
    let tenant = TenantId::parse("acme").unwrap();
    let hook = hook_at(&app, &tenant, format!("{}/down", hooks.uri()))
        .await
        .webhook;
    let rule = LocalDeliveryRule::new(Arc::new(MemoryEventLog::default()), app.queue.clone());
    rule.publish(vec![link_changed(&tenant, "ev-1", &rig)])
        .await
        .unwrap();
    drain_all(app.clone()).await.unwrap();
    let first = only_delivery(&app, &tenant, &hook.id).await;
    assert_eq!(first.attempts.len(), 1);
    let mut due = first.next_attempt_at.unwrap();
    assert_eq!(due, first.attempts[0].at.plus_seconds(60));

    // Each wait of the schedule, in steps (a minute, or fifteen for the long waits):
    // nothing is sent a step early, and the attempt is made at its time, however long the
    // wait (the queue holds a message fifteen minutes at most, so the long ones are hops).
    for (n, wait) in [
        (2, 60),
        (3, 300),
        (4, 1_800),
        (5, 7_200),
        (6, 21_600),
        (7, 43_200),
    ] {
        let step = if wait <= 1_800 { 60 } else { 900 };
        let mut waited = 0;
        while waited < wait {
            assert_eq!(
                only_delivery(&app, &tenant, &hook.id).await.attempts.len(),
                n - 1
            );
            rig.clock.advance_seconds(step);
            waited += step;
            drain_all(app.clone()).await.unwrap();
        }
        let now = only_delivery(&app, &tenant, &hook.id).await;
        assert_eq!(now.attempts.len(), n, "attempt {n} after {wait} s");
        assert_eq!(now.attempts[n - 1].at, due);
        if let Some(next) = now.next_attempt_at {
            due = next;
        }
    }
    let last = only_delivery(&app, &tenant, &hook.id).await;
    assert_eq!(last.state, DeliveryState::Failed);
    assert_eq!(last.reason.as_deref(), Some("no 2xx after 7 attempts"));
    assert_eq!(hooks.received_requests().await.unwrap().len(), 7);
    rig.clock.advance_seconds(86_400);
    drain_all(app.clone()).await.unwrap();
    assert_eq!(hooks.received_requests().await.unwrap().len(), 7);
}

#[tokio::test]
async fn an_event_delivered_twice_is_attempted_once_and_disabling_cancels_the_retries() {
    let hooks = MockServer::start().await;
    receiver("/down", 503, None, &hooks).await;
    let rig = Rig::new(vec![]).await;
    let app = Arc::new(delivering(&rig));
    let tenant = TenantId::parse("acme").unwrap();
    let hook = hook_at(&app, &tenant, format!("{}/down", hooks.uri()))
        .await
        .webhook;
    let rule = LocalDeliveryRule::new(Arc::new(MemoryEventLog::default()), app.queue.clone());
    // At least once: the same event reaches the queue twice before either is handled, so
    // its first attempt is queued twice, and each later attempt's message comes twice.
    let event = link_changed(&tenant, "ev-1", &rig);
    rule.publish(vec![event.clone()]).await.unwrap();
    rule.publish(vec![event]).await.unwrap();
    drain_all(app.clone()).await.unwrap();
    assert_eq!(hooks.received_requests().await.unwrap().len(), 1);
    rig.clock.advance_seconds(60);
    drain_all(app.clone()).await.unwrap();
    assert_eq!(hooks.received_requests().await.unwrap().len(), 2);
    let twice = only_delivery(&app, &tenant, &hook.id).await;
    assert_eq!(twice.attempts.len(), 2, "each attempt is made once");

    let off = webhooks::WebhookPatch {
        enabled: Some(false),
        ..Default::default()
    };
    webhooks::update(&app, &tenant, &hook.id, off)
        .await
        .unwrap();
    rig.clock.advance_seconds(300);
    drain_all(app.clone()).await.unwrap();
    let cancelled = only_delivery(&app, &tenant, &hook.id).await;
    assert_eq!(cancelled.state, DeliveryState::Cancelled);
    assert_eq!(
        cancelled.reason.as_deref(),
        Some("the webhook was disabled")
    );
    assert_eq!(
        (cancelled.attempts.len(), cancelled.next_attempt_at),
        (2, None)
    );
    assert_eq!(hooks.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_client_posts_without_following_redirects_and_reads_a_bounded_answer() {
    let hooks = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/moved"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/elsewhere"))
        .mount(&hooks)
        .await;
    Mock::given(method("POST"))
        .and(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_string("y".repeat(100_000)))
        .mount(&hooks)
        .await;
    let client = WebhookClient::new(true, vec![]);
    let request = |route: &str| WebhookRequest {
        url: format!("{}{route}", hooks.uri()).parse().unwrap(),
        headers: vec![("Backlinks-Event-Id", "e1".into())],
        body: r#"{"type":"x"}"#.into(),
    };
    let moved = client.post(&request("/moved")).await.unwrap();
    assert_eq!(moved.status, 302, "a redirect is the receiver's answer");
    let big = client.post(&request("/big")).await.unwrap();
    assert_eq!((big.status, big.body.len()), (200, 4 * 1024));
    let received = hooks.received_requests().await.unwrap();
    assert_eq!(received.len(), 2, "nothing followed the redirect");
    assert_eq!(received[0].body, br#"{"type":"x"}"#);
    assert_eq!(received[0].headers["backlinks-event-id"], "e1");
}

#[tokio::test]
async fn without_local_mode_only_public_https_addresses_are_sent_to() {
    let hooks = MockServer::start().await;
    receiver("/in", 200, None, &hooks).await;
    let client = WebhookClient::new(false, vec![]);
    for url in [
        format!("{}/in", hooks.uri()),
        "https://127.0.0.1/in".to_string(),
        "https://169.254.169.254/latest/meta-data".to_string(),
        "https://[::1]/in".to_string(),
        "https://hooks.example:22/in".to_string(),
    ] {
        let parsed = url.parse().unwrap();
        assert!(client.admits(&parsed).is_err(), "{url} admitted");
    }
    assert!(
        client
            .admits(&"https://hooks.example/in".parse().unwrap())
            .is_ok()
    );
    // A name that resolves to loopback passes the URL checks and is refused on connecting.
    let request = WebhookRequest {
        url: "https://localhost/in".parse().unwrap(),
        headers: vec![],
        body: "{}".into(),
    };
    match client.post(&request).await {
        Err(PostError::Refused(reason)) => assert!(reason.contains("non-public"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(hooks.received_requests().await.unwrap().is_empty());
}

fn eventbridge_client() -> aws_sdk_eventbridge::Client {
    let config = aws_sdk_eventbridge::Config::builder()
        .http_client(backlinks_core::adapters::aws_http::http_client())
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(support::moto_endpoint())
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .build();
    aws_sdk_eventbridge::Client::from_conf(config)
}

/// template.yaml's WebhookDeliveryRule on a bus of its own in moto: (bus, queue URL).
async fn bus_with_delivery_rule() -> (String, String) {
    let (events, sqs) = (eventbridge_client(), support::sqs_client());
    let bus = support::unique("bus");
    events.create_event_bus().name(&bus).send().await.unwrap();
    let url = sqs
        .create_queue()
        .queue_name(support::unique("webhook-delivery"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    let arn = attributes[&QueueAttributeName::QueueArn].clone();
    let rule = support::unique("webhook-delivery");
    events
        .put_rule()
        .name(&rule)
        .event_bus_name(&bus)
        .event_pattern(json!({"source": ["backlinks"]}).to_string())
        .send()
        .await
        .unwrap();
    let target = aws_sdk_eventbridge::types::Target::builder()
        .id("webhook-delivery")
        .arn(arn)
        .build()
        .unwrap();
    events
        .put_targets()
        .rule(&rule)
        .event_bus_name(&bus)
        .targets(target)
        .send()
        .await
        .unwrap();
    (bus, url)
}

#[tokio::test]
async fn the_job_reads_the_envelope_the_bus_rule_puts_in_the_queue() {
    let hooks = MockServer::start().await;
    receiver("/in", 200, None, &hooks).await;
    let (bus, url) = bus_with_delivery_rule().await;
    let rig = Rig::new(vec![]).await;
    let app = Arc::new(delivering(&rig));
    let tenant = TenantId::parse("acme").unwrap();
    let created = hook_at(&app, &tenant, format!("{}/in", hooks.uri())).await;
    EventBridgeBus::new(eventbridge_client(), bus)
        .publish(vec![link_changed(&tenant, "ev-moto", &rig)])
        .await
        .unwrap();
    let sqs = support::sqs_client();
    let received = sqs
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(5)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(received.len(), 1, "the rule put the event in the queue");
    let body = received[0].body().unwrap();
    webhooks::job::run(&app, body).await.unwrap();
    drain_all(app.clone()).await.unwrap();

    let delivered = only_delivery(&app, &tenant, &created.webhook.id).await;
    assert_eq!(delivered.state, DeliveryState::Delivered);
    assert_eq!(delivered.event_id, "ev-moto");
    let request = &hooks.received_requests().await.unwrap()[0];
    let header = request.headers["backlinks-signature"].to_str().unwrap();
    verify(&created.secret, header, &request.body);
    let sent: Value = request.body_json().unwrap();
    assert_eq!(sent["detail"]["linkId"], "bl-1");
    assert_eq!(sent["detail"]["eventId"], "ev-moto");
}
