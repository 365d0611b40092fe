//! Plan generation spends usage credits (issue 14): each plan is charged once, `getUsage`
//! shows the month, and over the tenant's credit limit generation is a 402 naming it.

mod support;

use backlinks_core::domain::identity::Role;
use serde_json::json;
use support::TestServer;
use support::plans::{fixture_site, plan};

#[tokio::test]
async fn plans_are_charged_once_each_and_the_limit_stops_the_next() {
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let ops = s.token("platform", "ops", Role::Superadmin);
    let site = fixture_site(&s, &a).await;
    plan(&s, &a, &site, "PK").await;
    let usage = s.call("GET", "/v1/usage", Some(&a), None).await;
    assert_eq!(usage.status, 200, "{:?}", usage.body);
    assert_eq!(usage.body["totalCredits"], 2);
    assert_eq!(
        s.usage_of(&a, "plan_generation").await,
        (json!(1), json!(2))
    );

    let set = s
        .call(
            "PUT",
            "/v1/admin/tenants/tenant-a/credit-limit",
            Some(&ops),
            Some(json!({"monthlyCredits": 3})),
        )
        .await;
    assert_eq!(set.status, 200, "{:?}", set.body);
    let refused = s
        .call(
            "POST",
            "/v1/plans",
            Some(&a),
            Some(json!({"siteId": site["id"], "countryCode": "UK"})),
        )
        .await;
    assert_eq!(refused.status, 402, "{:?}", refused.body);
    assert_eq!(refused.body["type"], "urn:backlinks:problem:credit-limit");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("credit limit of 3")
    );
    let plans = s.call("GET", "/v1/plans", Some(&a), None).await.body;
    assert_eq!(
        plans["items"].as_array().unwrap().len(),
        1,
        "nothing kept of the refused plan"
    );
    // Another tenant is not held to tenant-a's limit.
    let b = s.member("tenant-b");
    let theirs = fixture_site(&s, &b).await;
    plan(&s, &b, &theirs, "UK").await;
}
