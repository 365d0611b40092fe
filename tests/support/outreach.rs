//! Outreach steps the tests share: a tenant ready to send, prospects, drafts, sends.

use super::TestServer;
use backlinks_core::domain::identity::Role;
use serde_json::{Value, json};

pub fn always_open() -> Value {
    json!({"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "startHour": 0, "endHour": 24, "timeZone": "UTC"})
}

/// Sender settings complete, and an active campaign; returns (member token, campaign).
pub async fn ready(s: &TestServer) -> (String, Value) {
    let admin = s.token("acme", "boss", Role::Admin);
    let settings = s
        .call("PATCH", "/v1/settings/sender", Some(&admin), Some(json!({
            "fromName": "Alice Agent", "fromEmail": "alice@agency.com", "organization": "Agency Ltd",
            "postalAddress": "1 Main St, Springfield", "sendWindow": always_open(),
        })))
        .await;
    assert_eq!(settings.status, 200, "{:?}", settings.body);
    let t = s.member("acme");
    let c = s.campaign(&t, json!({"name": "Spring", "keywords": ["green living"], "targetUrl": "https://client-shop.com/guide"})).await;
    s.activate(&t, &c).await;
    (t, c)
}

pub async fn prospect(
    s: &TestServer,
    t: &str,
    c: &Value,
    domain: &str,
    email: &str,
    extra: Value,
) -> String {
    let mut body = json!({"sourceDomain": domain, "campaignId": c["id"], "recipientEmail": email, "recipientName": "Maya Chen"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let b = s.call("POST", "/v1/backlinks", Some(t), Some(body)).await;
    assert_eq!(b.status, 201, "{:?}", b.body);
    b.body["id"].as_str().unwrap().to_string()
}

pub async fn draft(s: &TestServer, t: &str, backlink: &str, body: Value) -> Value {
    let a = s
        .call(
            "POST",
            &format!("/v1/backlinks/{backlink}/draft"),
            Some(t),
            Some(body),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    a.body
}

pub async fn approve_and_send(s: &TestServer, t: &str, email: &Value) -> Value {
    let id = email["id"].as_str().unwrap();
    assert_eq!(
        s.call("POST", &format!("/v1/emails/{id}/approve"), Some(t), None)
            .await
            .status,
        200
    );
    let queued = s
        .call("POST", &format!("/v1/emails/{id}/send"), Some(t), None)
        .await;
    assert_eq!(queued.status, 202, "{:?}", queued.body);
    s.drain().await;
    s.call("GET", &format!("/v1/emails/{id}"), Some(t), None)
        .await
        .body
}

pub async fn audit(s: &TestServer, t: &str) -> Vec<Value> {
    s.call("GET", "/v1/audit", Some(t), None).await.body["items"]
        .as_array()
        .unwrap()
        .clone()
}
