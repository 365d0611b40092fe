//! The loop from a plan into outreach and back (issue 14): a campaign that follows a plan
//! drafts with a planned link's target and anchor, and when that backlink's link is found
//! live the planned link is live and the plan's achieved figures move.

mod support;

use backlinks_core::jobs::by_name;
use backlinks_core::local::workers::drain_once;
use serde_json::{Value, json};
use support::TestServer;
use support::plans::{fixture_site, plan};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

#[tokio::test]
async fn a_plan_driven_draft_carries_the_planned_anchor_and_its_live_link_moves_the_plan() {
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let site = fixture_site(&s, &a).await;
    let p = plan(&s, &a, &site, "UK").await;
    let plan_path = format!("/v1/plans/{}", id(&p));

    // A campaign cannot follow another tenant's plan, nor a plan that does not exist.
    let stranger = s
        .call(
            "POST",
            "/v1/campaigns",
            Some(&s.member("tenant-b")),
            Some(json!({"name": "b", "planId": p["id"]})),
        )
        .await;
    assert_eq!(
        (
            stranger.status,
            stranger.body["errors"][0]["field"].as_str()
        ),
        (400, Some("planId"))
    );

    let campaign = s
        .campaign(&a, json!({"name": "Coffee links", "planId": p["id"]}))
        .await;
    assert_eq!(campaign["planId"], p["id"]);
    let template = s
        .call(
            "POST",
            "/v1/templates",
            Some(&a),
            Some(
                json!({"name": "plan", "subject": "A link for {{site_name}}",
            "body": "Would you link to {{target_url}} with the words \"{{anchor_text}}\"?"}),
            ),
        )
        .await
        .body;
    let backlink = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(&a),
            Some(json!({"sourceDomain": "coffee-blog.org",
            "campaignId": campaign["id"], "recipientEmail": "ed@coffee-blog.org"})),
        )
        .await
        .body;
    let draft_path = format!("/v1/backlinks/{}/draft", id(&backlink));

    // A draft plan drives nothing yet: the draft falls back to the campaign's own fields.
    let early = s
        .call(
            "POST",
            &draft_path,
            Some(&a),
            Some(json!({"templateId": template["id"]})),
        )
        .await;
    assert_eq!(early.status, 201, "{:?}", early.body);
    let b_path = format!("/v1/backlinks/{}", id(&backlink));
    assert_eq!(
        s.call("GET", &b_path, Some(&a), None).await.body["plannedLinkId"],
        Value::Null
    );

    s.call("POST", &format!("{plan_path}/activate"), Some(&a), None)
        .await;
    let email = s
        .call(
            "POST",
            &draft_path,
            Some(&a),
            Some(json!({"templateId": template["id"]})),
        )
        .await;
    assert_eq!(email.status, 201, "{:?}", email.body);
    let b = s.call("GET", &b_path, Some(&a), None).await.body;
    let link_id = b["plannedLinkId"]
        .as_str()
        .expect("the backlink took a planned link");
    let link_path = format!("{plan_path}/links/{link_id}");
    let link = s.call("GET", &link_path, Some(&a), None).await.body;
    assert_eq!(link["backlinkId"], backlink["id"]);
    assert_eq!(link["month"], 1, "the plan's first month is due");
    assert_eq!(link["sourceDomain"], "coffee-blog.org");
    assert_eq!(b["targetUrl"], link["targetUrl"]);
    assert_eq!(b["anchorText"], link["anchorText"]);
    let body = email.body["body"].as_str().unwrap();
    let target = link["targetUrl"].as_str().unwrap();
    let anchor = link["anchorText"].as_str().unwrap();
    assert!(body.contains(target) && body.contains(anchor), "{body}");

    // A redraft keeps the same planned link; a second backlink takes another.
    s.call(
        "POST",
        &draft_path,
        Some(&a),
        Some(json!({"templateId": template["id"]})),
    )
    .await;
    assert_eq!(
        s.call("GET", &b_path, Some(&a), None).await.body["plannedLinkId"],
        link_id
    );
    let second = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(&a),
            Some(json!({"sourceDomain": "brew-notes.net",
            "campaignId": campaign["id"], "recipientEmail": "jo@brew-notes.net"})),
        )
        .await
        .body;
    s.call(
        "POST",
        &format!("/v1/backlinks/{}/draft", id(&second)),
        Some(&a),
        Some(json!({})),
    )
    .await;
    let other = s
        .call(
            "GET",
            &format!("/v1/backlinks/{}", id(&second)),
            Some(&a),
            None,
        )
        .await
        .body;
    assert!(other["plannedLinkId"].is_string());
    assert_ne!(other["plannedLinkId"], link_id);

    // The site agrees and places the link; the health check finds it.
    let blog = MockServer::start().await;
    let html = format!(r#"<article><p>See <a href="{target}">{anchor}</a>.</p></article>"#);
    Mock::given(method("GET"))
        .and(path("/coffee-post"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(html.into_bytes(), "text/html"))
        .mount(&blog)
        .await;
    for change in [
        json!({"outreachStatus": "outreach_sent"}),
        json!({"outreachStatus": "agreed", "placementUrl": format!("{}/coffee-post", blog.uri())}),
    ] {
        let a2 = s.call("PATCH", &b_path, Some(&a), Some(change)).await;
        assert_eq!(a2.status, 200, "{:?}", a2.body);
    }
    s.call("POST", "/v1/dev/jobs/link-health-sweep/run", Some(&a), None)
        .await;
    drain_once(s.local.app.clone(), &by_name("link-check").unwrap())
        .await
        .unwrap();
    assert_eq!(
        s.call("GET", &b_path, Some(&a), None).await.body["outreachStatus"],
        "published"
    );

    let won = s.call("GET", &link_path, Some(&a), None).await.body;
    assert_eq!(won["status"], "live");
    assert!(won["dateLive"].is_string());
    let plan_now = s.call("GET", &plan_path, Some(&a), None).await.body;
    let progress = &plan_now["progress"];
    assert_eq!(progress["live"], 1);
    assert_eq!(progress["months"][0]["live"], 1);
    let tier = progress["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tier"] == link["targetTier"])
        .unwrap();
    assert_eq!(tier["live"], 1);
    let anchor_row = progress["anchors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["anchorType"] == link["anchorType"])
        .unwrap();
    assert_eq!(
        (anchor_row["live"].clone(), anchor_row["livePct"].clone()),
        (json!(1), json!(100.0))
    );
}
