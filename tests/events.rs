//! The domain event stream: the EventBridge bus against moto (events routed by a rule to an
//! SQS queue and read back from it), its handling of refused entries against a fake
//! EventBridge (moto never refuses an entry for a moment), and the logs that can be read
//! back: local mode's SQLite log and the in-memory one `App::new` starts with.

mod support;

use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sqs::types::QueueAttributeName;
use backlinks_core::adapters::event_log::SqliteEventLog;
use backlinks_core::adapters::eventbridge::EventBridgeBus;
use backlinks_core::adapters::sqlite::LocalDb;
use backlinks_core::domain::ids::TenantId;
use backlinks_core::domain::time::Timestamp;
use backlinks_core::ports::events::{
    DomainEvent, EventBus, EventError, EventLog, MAX_ENTRY_BYTES, MemoryEventLog, SOURCE,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn eventbridge_client(endpoint: &str) -> aws_sdk_eventbridge::Client {
    let config = aws_sdk_eventbridge::Config::builder()
        // The Lambda functions' HTTP client, so the AWS suites exercise it.
        .http_client(backlinks_core::adapters::aws_http::http_client())
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .build();
    aws_sdk_eventbridge::Client::from_conf(config)
}

fn tenant(name: &str) -> TenantId {
    TenantId::parse(name).unwrap()
}

/// Event `n` of `tenant`, `n` seconds after the suite's start.
fn event(tenant_name: &str, n: i64) -> DomainEvent {
    DomainEvent {
        tenant: tenant(tenant_name),
        detail_type: "link.status_changed".into(),
        detail: json!({"linkId": format!("bl-{n}"), "status": "dead", "reasons": ["page_gone"]}),
        at: support::start_time().plus_seconds(n),
        id: format!("ev-{tenant_name}-{n}"),
    }
}

fn oversize(tenant_name: &str) -> DomainEvent {
    let mut e = event(tenant_name, 99);
    e.detail = json!({"snippet": "x".repeat(MAX_ENTRY_BYTES)});
    e
}

/// A bus whose events all reach a new SQS queue: (bus name, queue URL).
async fn bus_into_queue(events: &aws_sdk_eventbridge::Client) -> (String, String) {
    let sqs = support::sqs_client();
    let bus = support::unique("bus");
    events.create_event_bus().name(&bus).send().await.unwrap();
    let url = sqs
        .create_queue()
        .queue_name(support::unique("events"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&QueueAttributeName::QueueArn]
        .clone();
    events
        .put_rule()
        .name("all-backlinks-events")
        .event_bus_name(&bus)
        .event_pattern(json!({"source": [SOURCE]}).to_string())
        .send()
        .await
        .unwrap();
    events
        .put_targets()
        .rule("all-backlinks-events")
        .event_bus_name(&bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("queue")
                .arn(arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    (bus, url)
}

/// The events that reached the queue, by event id, once `count` have (or after 10 s).
async fn delivered(url: &str, count: usize) -> BTreeMap<String, Value> {
    let sqs = support::sqs_client();
    let mut out = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while out.len() < count && Instant::now() < deadline {
        let messages = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap()
            .messages
            .unwrap_or_default();
        for m in messages {
            let event: Value = serde_json::from_str(m.body().unwrap()).unwrap();
            out.insert(
                event["detail"]["eventId"].as_str().unwrap().to_string(),
                event,
            );
        }
    }
    out
}

#[tokio::test]
async fn eventbridge_publishes_every_event_in_batches_with_the_tenant_in_the_detail() {
    let client = eventbridge_client(&support::moto_endpoint());
    let (bus_name, url) = bus_into_queue(&client).await;
    let bus = EventBridgeBus::new(client, bus_name);
    let events: Vec<DomainEvent> = (0..23)
        .map(|n| event(if n % 2 == 0 { "acme" } else { "globex" }, n))
        .collect();
    bus.publish(events.clone()).await.unwrap();

    let got = delivered(&url, 23).await;
    assert_eq!(got.len(), 23, "events that arrived: {:?}", got.keys());
    for sent in &events {
        let e = &got[&sent.id];
        assert_eq!(e["source"], SOURCE);
        assert_eq!(e["detail-type"], "link.status_changed");
        let detail = &e["detail"];
        assert_eq!(detail["tenantId"], sent.tenant.as_str());
        assert_eq!(detail["at"], sent.at.to_key());
        assert_eq!(detail["linkId"], sent.detail["linkId"]);
        assert_eq!(detail["reasons"], json!(["page_gone"]));
    }
}

#[tokio::test]
async fn eventbridge_refuses_an_oversize_event_and_sends_none_of_its_call() {
    let client = eventbridge_client(&support::moto_endpoint());
    let (bus_name, url) = bus_into_queue(&client).await;
    let bus = EventBridgeBus::new(client, bus_name);
    let err = bus
        .publish(vec![event("acme", 1), oversize("acme")])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, EventError::TooLarge { id, .. } if id == "ev-acme-99"),
        "{err}"
    );
    // moto routes events to the queue within the call, so once this later one is there,
    // anything the refused call sent would be too.
    bus.publish(vec![event("acme", 2)]).await.unwrap();
    let got = delivered(&url, 1).await;
    assert_eq!(got.keys().collect::<Vec<_>>(), ["ev-acme-2"]);
}

#[tokio::test]
async fn eventbridge_names_a_missing_bus() {
    let client = eventbridge_client(&support::moto_endpoint());
    let bus = EventBridgeBus::new(client, support::unique("no-such-bus"));
    let err = bus.publish(vec![event("acme", 1)]).await.unwrap_err();
    assert!(matches!(err, EventError::Unavailable(_)), "{err}");
}

/// A fake EventBridge answering `PutEvents` with `answers` in turn (the last one again).
async fn fake_eventbridge(answers: Vec<Value>) -> MockServer {
    let server = MockServer::start().await;
    let last = answers.len() - 1;
    for (i, answer) in answers.into_iter().enumerate() {
        let mock = Mock::given(method("POST"))
            .and(header("x-amz-target", "AWSEvents.PutEvents"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/x-amz-json-1.1")
                    .set_body_json(answer),
            );
        let mock = if i < last {
            mock.up_to_n_times(1)
        } else {
            mock
        };
        server.register(mock.with_priority(i as u8 + 1)).await;
    }
    server
}

/// The event ids each `PutEvents` call carried, in order.
async fn calls(server: &MockServer) -> Vec<Vec<String>> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            body["Entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let detail: Value =
                        serde_json::from_str(e["Detail"].as_str().unwrap()).unwrap();
                    detail["eventId"].as_str().unwrap().to_string()
                })
                .collect()
        })
        .collect()
}

fn ok() -> Value {
    json!({"EventId": "11111111-1111-1111-1111-111111111111"})
}

fn failed(code: &str) -> Value {
    json!({"ErrorCode": code, "ErrorMessage": "as the fake says"})
}

#[tokio::test]
async fn eventbridge_resends_only_the_entries_refused_for_a_moment() {
    let server = fake_eventbridge(vec![
        json!({"FailedEntryCount": 1, "Entries": [ok(), failed("ThrottlingException"), ok()]}),
        json!({"FailedEntryCount": 0, "Entries": [ok()]}),
    ])
    .await;
    let bus = EventBridgeBus::new(eventbridge_client(&server.uri()), "backlinks".into());
    let events = vec![event("acme", 1), event("acme", 2), event("acme", 3)];
    bus.publish(events).await.unwrap();
    assert_eq!(
        calls(&server).await,
        vec![
            vec!["ev-acme-1", "ev-acme-2", "ev-acme-3"],
            vec!["ev-acme-2"]
        ]
    );
}

#[tokio::test]
async fn eventbridge_gives_up_after_three_sends_naming_the_event() {
    let server = fake_eventbridge(vec![
        json!({"FailedEntryCount": 1, "Entries": [failed("InternalFailure")]}),
    ])
    .await;
    let bus = EventBridgeBus::new(eventbridge_client(&server.uri()), "backlinks".into());
    let err = bus.publish(vec![event("acme", 1)]).await.unwrap_err();
    match &err {
        EventError::Refused(failures) => {
            assert_eq!(failures.len(), 1, "{err}");
            assert!(failures[0].contains("ev-acme-1") && failures[0].contains("InternalFailure"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(calls(&server).await, vec![vec!["ev-acme-1"]; 3]);
}

#[tokio::test]
async fn eventbridge_does_not_resend_an_entry_it_can_never_take() {
    let server = fake_eventbridge(vec![
        json!({"FailedEntryCount": 1, "Entries": [failed("MalformedDetail")]}),
    ])
    .await;
    let bus = EventBridgeBus::new(eventbridge_client(&server.uri()), "backlinks".into());
    let err = bus.publish(vec![event("acme", 1)]).await.unwrap_err();
    assert!(
        err.to_string().contains("ev-acme-1 (MalformedDetail"),
        "{err}"
    );
    assert_eq!(calls(&server).await.len(), 1);
}

/// The logs that can be read back; the temporary folder lives as long as the log.
async fn logs() -> Vec<(&'static str, Arc<dyn EventLog>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let db = LocalDb::open(&dir.path().join("events.sqlite3")).unwrap();
    let sqlite = SqliteEventLog::open(db).await.unwrap();
    vec![
        ("sqlite", Arc::new(sqlite), Some(dir)),
        ("memory", Arc::new(MemoryEventLog::default()), None),
    ]
}

fn ids(events: &[DomainEvent]) -> Vec<&str> {
    events.iter().map(|e| e.id.as_str()).collect()
}

#[tokio::test]
async fn logs_list_newest_first_since_a_time() {
    for (name, log, _dir) in logs().await {
        // Published out of time order: the list follows time, not publishing.
        log.publish(vec![event("acme", 2), event("acme", 0), event("acme", 3)])
            .await
            .unwrap();
        log.publish(vec![event("acme", 1)]).await.unwrap();
        let all = log.list(&tenant("acme"), None, 10).await.unwrap();
        assert_eq!(
            ids(&all),
            ["ev-acme-3", "ev-acme-2", "ev-acme-1", "ev-acme-0"],
            "{name}"
        );
        assert_eq!(all[0], event("acme", 3), "{name}: read back as published");
        let since = support::start_time().plus_seconds(1);
        let recent = log.list(&tenant("acme"), Some(since), 10).await.unwrap();
        assert_eq!(
            ids(&recent),
            ["ev-acme-3", "ev-acme-2", "ev-acme-1"],
            "{name}"
        );
        let first = log.list(&tenant("acme"), Some(since), 2).await.unwrap();
        assert_eq!(ids(&first), ["ev-acme-3", "ev-acme-2"], "{name}");
    }
}

#[tokio::test]
async fn logs_keep_an_event_once_per_id() {
    for (name, log, _dir) in logs().await {
        log.publish(vec![event("acme", 1)]).await.unwrap();
        let mut again = event("acme", 1);
        again.detail = json!({"status": "live"});
        log.publish(vec![again, event("acme", 2)]).await.unwrap();
        let all = log.list(&tenant("acme"), None, 10).await.unwrap();
        assert_eq!(ids(&all), ["ev-acme-2", "ev-acme-1"], "{name}");
        assert_eq!(
            all[1],
            event("acme", 1),
            "{name}: the first publish is kept"
        );
    }
}

#[tokio::test]
async fn logs_keep_tenants_apart() {
    for (name, log, _dir) in logs().await {
        log.publish(vec![event("acme", 1), event("globex", 2)])
            .await
            .unwrap();
        // The same id under another tenant is that tenant's own event.
        let mut same_id = event("globex", 3);
        same_id.id = "ev-acme-1".into();
        log.publish(vec![same_id]).await.unwrap();
        let acme = log.list(&tenant("acme"), None, 10).await.unwrap();
        assert_eq!(ids(&acme), ["ev-acme-1"], "{name}");
        assert_eq!(acme[0].tenant, tenant("acme"), "{name}");
        let globex = log.list(&tenant("globex"), None, 10).await.unwrap();
        assert_eq!(ids(&globex), ["ev-acme-1", "ev-globex-2"], "{name}");
        assert!(
            log.list(&tenant("initech"), None, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn logs_refuse_what_the_bus_would_refuse_and_keep_nothing_of_the_call() {
    for (name, log, _dir) in logs().await {
        let err = log
            .publish(vec![event("acme", 1), oversize("acme")])
            .await
            .unwrap_err();
        assert!(matches!(err, EventError::TooLarge { .. }), "{name}: {err}");
        let mut untyped = event("acme", 2);
        untyped.detail_type = "LinkChanged".into();
        let err = log.publish(vec![untyped]).await.unwrap_err();
        assert!(matches!(err, EventError::Invalid { .. }), "{name}: {err}");
        assert!(
            log.list(&tenant("acme"), None, 10)
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
    }
}

/// Timestamps survive the log to the millisecond.
#[tokio::test]
async fn logs_keep_milliseconds() {
    for (name, log, _dir) in logs().await {
        let mut e = event("acme", 1);
        e.at = Timestamp::parse("2026-06-01T12:00:00.123Z").unwrap();
        log.publish(vec![e.clone()]).await.unwrap();
        assert_eq!(
            log.list(&tenant("acme"), Some(e.at), 1).await.unwrap(),
            [e],
            "{name}"
        );
    }
}
