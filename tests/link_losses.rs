//! A confirmed loss of a planned link (issue 15, seed 002 §2.8): its impact with the formula,
//! replacement recommendations charged as one dead-link detection, the month's reserve; a
//! replacement drawn from the reserve, and the lost link `replaced` once it is live.

mod support;

use backlinks_core::ports::ManualClock;
use serde_json::{Value, json};
use std::sync::Arc;
use support::TestServer;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(site: &MockServer, route: &str, html: String) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_raw(html.into_bytes(), "text/html"))
        .mount(site)
        .await;
}

fn linking(link: &Value) -> String {
    format!(
        r#"<p>Read <a href="{}">{}</a>.</p>"#,
        link["targetUrl"].as_str().unwrap(),
        link["anchorText"].as_str().unwrap()
    )
}

/// Orders `link` on `placement` and checks it live.
async fn live(s: &TestServer, t: &str, link_path: &str, placement: String) {
    let ordered = s
        .call(
            "PATCH",
            link_path,
            Some(t),
            Some(json!({"status": "ordered",
            "overrideThreshold": "a trusted partner", "placementUrl": placement})),
        )
        .await;
    assert_eq!(ordered.status, 200, "{:?}", ordered.body);
    let check = s
        .call("POST", &format!("{link_path}/check"), Some(t), None)
        .await;
    assert_eq!(check.body["health"], "live", "{:?}", check.body);
}

#[tokio::test]
async fn a_confirmed_loss_is_scored_recommends_replacements_and_is_replaced_from_the_reserve() {
    let site = MockServer::start().await;
    let clock = Arc::new(ManualClock::new(support::start_time()));
    let s = TestServer::start_with(|o| o.clock = clock.clone()).await;
    let t = s.member("acme");
    let plan_site = support::plans::fixture_site(&s, &t).await;
    let plan = support::plans::plan(&s, &t, &plan_site, "UK").await;
    let plan_id = plan["id"].as_str().unwrap();
    let links_path = format!("/v1/plans/{plan_id}/links");
    let first = s
        .call("GET", &format!("{links_path}?limit=1"), Some(&t), None)
        .await
        .body["items"][0]
        .clone();
    let lost_path = format!("{links_path}/{}", first["id"].as_str().unwrap());
    serve(&site, "/article", linking(&first)).await;
    live(&s, &t, &lost_path, format!("{}/article", site.uri())).await;
    // A replacement is only for a dead link.
    let early = s
        .call(
            "POST",
            &format!("{lost_path}/replacement"),
            Some(&t),
            Some(json!({})),
        )
        .await;
    assert_eq!(early.status, 409, "{:?}", early.body);

    // A competitor-gap prospect not yet worked: a way to make up for a loss.
    let prospect = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(&t),
            Some(json!({
                "sourceDomain": "gardenmag.example", "sourceType": "competitor_gap",
                "gapCompetitors": ["rival-a.com", "rival-b.com"], "relevanceScore": 8
            })),
        )
        .await;
    assert_eq!(prospect.status, 201, "{:?}", prospect.body);

    // The link goes, and a second check six hours later confirms it.
    site.reset().await;
    serve(&site, "/article", "<p>No links now.</p>".into()).await;
    s.call("POST", &format!("{lost_path}/check"), Some(&t), None)
        .await;
    clock.advance_seconds(6 * 3_600 + 60);
    let confirmed = s
        .call("POST", &format!("{lost_path}/check"), Some(&t), None)
        .await;
    assert_eq!(confirmed.body["health"], "dead", "{:?}", confirmed.body);
    let events = s
        .call(
            "GET",
            &format!("/v1/link-events?planId={plan_id}"),
            Some(&t),
            None,
        )
        .await
        .body;
    let loss = &events["items"][0]["loss"];
    let impact = &loss["impact"];
    // No DR known: taken as 50 and said; the tier of the target page weighs in.
    assert!(impact["formula"].as_str().unwrap().contains("DR/100"));
    assert_eq!(impact["authority"], 0.5);
    assert!(
        impact["assumptions"][0]
            .as_str()
            .unwrap()
            .contains("DR is unknown")
    );
    assert!(impact["score"].as_f64().unwrap() > 0.0);
    let replacements = loss["replacements"].as_array().unwrap();
    assert!(!replacements.is_empty() && replacements.len() <= 5);
    for r in replacements {
        assert!(r["month"].as_u64().unwrap() >= first["month"].as_u64().unwrap());
        assert!(
            r["why"][0]
                .as_str()
                .unwrap()
                .starts_with("unfilled in month")
        );
        assert_ne!(r["plannedLinkId"], first["id"]);
    }
    assert_eq!(loss["reserve"]["month"], first["month"]);
    assert_eq!(
        loss["opportunities"][0]["sourceDomain"],
        "gardenmag.example"
    );
    assert_eq!(
        loss["opportunities"][0]["why"],
        "links to 2 of your competitors (rival-a.com, rival-b.com) and not yet to you"
    );
    assert_eq!(loss["reserve"]["used"], 0);
    assert_eq!(
        s.usage_of(&t, "dead_link_detection").await,
        (json!(1), json!(1))
    );

    // A replacement from a month with reserve left.
    let months = s
        .call("GET", &format!("/v1/plans/{plan_id}"), Some(&t), None)
        .await
        .body["progress"]["months"]
        .clone();
    let month = months
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["replacementReserve"].as_u64().unwrap() > 0)
        .unwrap()
        .clone();
    let n = month["month"].as_u64().unwrap();
    let reserve = month["replacementReserve"].as_u64().unwrap();
    let bad = s
        .call(
            "POST",
            &format!("{lost_path}/replacement"),
            Some(&t),
            Some(json!({"month": 999})),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["errors"][0]["field"], "month", "{:?}", bad.body);
    let replacement = s
        .call(
            "POST",
            &format!("{lost_path}/replacement"),
            Some(&t),
            Some(json!({"month": n})),
        )
        .await;
    assert_eq!(replacement.status, 201, "{:?}", replacement.body);
    let replacement = replacement.body;
    assert_eq!(replacement["replaces"], first["id"]);
    assert_eq!(
        (
            replacement["targetUrl"].clone(),
            replacement["anchorType"].clone(),
            replacement["status"].clone()
        ),
        (
            first["targetUrl"].clone(),
            first["anchorType"].clone(),
            json!("planned")
        )
    );
    let again = s
        .call(
            "POST",
            &format!("{lost_path}/replacement"),
            Some(&t),
            Some(json!({"month": n})),
        )
        .await;
    assert_eq!(again.status, 409, "one stand-in at a time");
    let view = s
        .call("GET", &format!("/v1/plans/{plan_id}"), Some(&t), None)
        .await
        .body;
    let after = view["progress"]["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == n)
        .unwrap()
        .clone();
    assert_eq!(
        (after["reserveUsed"].clone(), after["reserveLeft"].clone()),
        (json!(1), json!(reserve - 1))
    );

    // The replacement goes live: the lost link is replaced, naming it.
    let replacement_path = format!("{links_path}/{}", replacement["id"].as_str().unwrap());
    serve(&site, "/new-article", linking(&replacement)).await;
    live(
        &s,
        &t,
        &replacement_path,
        format!("{}/new-article", site.uri()),
    )
    .await;
    let lost = s.call("GET", &lost_path, Some(&t), None).await.body;
    assert_eq!(lost["status"], "replaced");
    assert_eq!(lost["replacedBy"], replacement["id"]);
}
