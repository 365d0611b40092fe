//! The plans fixture over the API: the 40-page coffee site of tests/fixtures/plans/site.json,
//! and a plan generated for it.

use super::TestServer;
use serde_json::{Value, json};

pub const SITE: &str = include_str!("../fixtures/plans/site.json");

/// Creates the fixture site for `token`'s tenant and upserts its 40 pages.
pub async fn fixture_site(s: &TestServer, token: &str) -> Value {
    let site = s
        .call(
            "POST",
            "/v1/sites",
            Some(token),
            Some(json!({"name": "Northwind Coffee", "url": "https://www.example.com/"})),
        )
        .await;
    assert_eq!(site.status, 201, "{:?}", site.body);
    let pages: Value = serde_json::from_str(SITE).unwrap();
    let path = format!("/v1/sites/{}/pages", site.body["id"].as_str().unwrap());
    let put = s
        .call("PUT", &path, Some(token), Some(json!({"pages": pages})))
        .await;
    assert_eq!(put.status, 200, "{:?}", put.body);
    site.body
}

/// Generates a plan for `site` in `country`.
pub async fn plan(s: &TestServer, token: &str, site: &Value, country: &str) -> Value {
    let answer = s
        .call(
            "POST",
            "/v1/plans",
            Some(token),
            Some(json!({"siteId": site["id"], "countryCode": country})),
        )
        .await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    answer.body
}
