//! The HTTP surface of the local server: campaigns, backlinks, errors, pagination.

mod support;

use serde_json::{Value, json};
use support::TestServer;

async fn campaign(s: &TestServer, token: &str, name: &str) -> Value {
    let a = s
        .call(
            "POST",
            "/v1/campaigns",
            Some(token),
            Some(json!({"name": name})),
        )
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
    a.body
}

fn problem(a: &support::Answer, status: u16, kind: &str) {
    assert_eq!(a.status, status, "{:?}", a.body);
    assert_eq!(a.content_type, "application/problem+json");
    assert_eq!(a.body["type"], format!("urn:backlinks:problem:{kind}"));
    assert_eq!(a.body["status"], status);
    assert!(a.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
}

fn field(a: &support::Answer) -> &str {
    a.body["errors"][0]["field"].as_str().unwrap_or("")
}

#[tokio::test]
async fn health_and_openapi_are_public() {
    let s = TestServer::start().await;
    let h = s.call("GET", "/v1/health", None, None).await;
    assert_eq!((h.status, h.body["status"].as_str()), (200, Some("ok")));
    let doc = s.call("GET", "/v1/openapi.json", None, None).await;
    assert_eq!(doc.body["openapi"], "3.1.0");
}

#[tokio::test]
async fn campaigns_lifecycle() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let created = s
        .call(
            "POST",
            "/v1/campaigns",
            Some(&t),
            Some(json!({
                "name": "Spring push", "keywords": ["seo", "SEO", "links"],
                "targetUrl": "https://client.example/pricing", "tone": "friendly",
                "limits": {"maxEmailsPerDay": 25}
            })),
        )
        .await;
    assert_eq!(created.status, 201);
    let c = created.body;
    assert_eq!(c["status"], "draft");
    assert_eq!(c["keywords"], json!(["seo", "links"]));
    assert_eq!(
        c["limits"],
        json!({"maxOpportunities": 100, "maxEmailsPerDay": 25, "maxFollowUps": 3})
    );
    let id = c["id"].as_str().unwrap();
    let path = format!("/v1/campaigns/{id}");

    let edited = s
        .call(
            "PATCH",
            &path,
            Some(&t),
            Some(json!({"targetUrl": null, "description": "Q2"})),
        )
        .await;
    assert_eq!(edited.status, 200);
    assert_eq!(edited.body["targetUrl"], Value::Null);
    assert_eq!(edited.body["description"], "Q2");
    assert_eq!(edited.body["version"], 2);

    let paused_draft = s
        .call("POST", &format!("{path}/pause"), Some(&t), None)
        .await;
    problem(&paused_draft, 409, "conflict");
    assert_eq!(
        paused_draft.body["detail"],
        "cannot pause a campaign that is draft"
    );

    let active = s
        .call("POST", &format!("{path}/activate"), Some(&t), None)
        .await;
    assert_eq!(active.body["status"], "active");
    assert!(active.body["startedAt"].is_string());
    let paused = s
        .call("POST", &format!("{path}/pause"), Some(&t), None)
        .await;
    assert_eq!(paused.body["status"], "paused");
    let done = s
        .call("POST", &format!("{path}/complete"), Some(&t), None)
        .await;
    assert_eq!(done.body["status"], "completed");
    problem(
        &s.call("POST", &format!("{path}/activate"), Some(&t), None)
            .await,
        409,
        "conflict",
    );

    let listed = s
        .call("GET", "/v1/campaigns?status=completed", Some(&t), None)
        .await;
    assert_eq!(listed.body["items"][0]["id"], id);
    let drafts = s
        .call("GET", "/v1/campaigns?status=draft", Some(&t), None)
        .await;
    assert_eq!(drafts.body["items"], json!([]));

    assert_eq!(s.call("DELETE", &path, Some(&t), None).await.status, 204);
    problem(
        &s.call("GET", &path, Some(&t), None).await,
        404,
        "not-found",
    );
    problem(
        &s.call("DELETE", &path, Some(&t), None).await,
        404,
        "not-found",
    );
}

#[tokio::test]
async fn bad_input_gets_a_problem_naming_the_field() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let post = |body: &'static str| {
        s.raw(
            "POST",
            "/v1/campaigns",
            &t,
            "application/json",
            body.as_bytes().to_vec(),
        )
    };

    problem(&post("{\"name\": ").await, 400, "malformed-body");
    let unknown = post(r#"{"name": "x", "tenantId": "other"}"#).await;
    problem(&unknown, 400, "validation");
    assert_eq!(field(&unknown), "tenantId");
    let missing = post(r#"{"keywords": []}"#).await;
    assert_eq!(field(&missing), "name");
    let bad_enum = post(r#"{"name": "x", "tone": "angry"}"#).await;
    assert_eq!(field(&bad_enum), "tone");
    let nested = post(r#"{"name": "x", "limits": {"maxFollowUps": 11}}"#).await;
    assert_eq!(field(&nested), "limits.maxFollowUps");
    let wrong_type = post(r#"{"name": "x", "limits": {"maxFollowUps": "3"}}"#).await;
    assert_eq!(field(&wrong_type), "limits.maxFollowUps");
    let long = s
        .call(
            "POST",
            "/v1/campaigns",
            Some(&t),
            Some(json!({"name": "n".repeat(101)})),
        )
        .await;
    assert_eq!(field(&long), "name");
    let url = s
        .call(
            "POST",
            "/v1/campaigns",
            Some(&t),
            Some(json!({"name": "x", "targetUrl": "javascript:alert(1)"})),
        )
        .await;
    assert_eq!(field(&url), "targetUrl");
    let injected = s
        .call(
            "POST",
            "/v1/campaigns",
            Some(&t),
            Some(json!({"name": "a\r\nBcc: x@y.z"})),
        )
        .await;
    assert_eq!(field(&injected), "name");

    let huge = format!(
        r#"{{"name": "x", "description": "{}"}}"#,
        "d".repeat(300 * 1024)
    );
    problem(
        &s.raw(
            "POST",
            "/v1/campaigns",
            &t,
            "application/json",
            huge.into_bytes(),
        )
        .await,
        413,
        "payload-too-large",
    );
    problem(
        &s.raw("POST", "/v1/campaigns", &t, "text/plain", b"{}".to_vec())
            .await,
        415,
        "unsupported-media-type",
    );
    let bad_id = s
        .call("GET", "/v1/campaigns/not-an-id", Some(&t), None)
        .await;
    problem(&bad_id, 404, "not-found");
    problem(
        &s.call("PUT", "/v1/campaigns", Some(&t), None).await,
        405,
        "method-not-allowed",
    );
    problem(
        &s.call("GET", "/v1/nothing-here", Some(&t), None).await,
        404,
        "not-found",
    );
    let filter = s
        .call("GET", "/v1/campaigns?status=sleeping", Some(&t), None)
        .await;
    assert_eq!(field(&filter), "status");
    let extra = s
        .call("GET", "/v1/campaigns?sort=name", Some(&t), None)
        .await;
    assert_eq!(field(&extra), "sort");
}

#[tokio::test]
async fn lists_page_through_every_item_once_newest_first() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(
            campaign(&s, &t, &format!("c{i}")).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/v1/campaigns?limit=3".to_string(),
            Some(c) => format!("/v1/campaigns?limit=3&cursor={c}"),
        };
        let page = s.call("GET", &path, Some(&t), None).await;
        assert_eq!(page.status, 200);
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let bad = s
        .call("GET", "/v1/campaigns?cursor=garbage", Some(&t), None)
        .await;
    problem(&bad, 400, "validation");
    assert_eq!(field(&bad), "cursor");
    assert_eq!(
        field(&s.call("GET", "/v1/campaigns?limit=0", Some(&t), None).await),
        "limit"
    );
    assert_eq!(
        field(
            &s.call("GET", "/v1/campaigns?limit=201", Some(&t), None)
                .await
        ),
        "limit"
    );
}

#[tokio::test]
async fn backlinks_follow_their_lifecycle_and_filters() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let c = campaign(&s, &t, "c").await;
    let cid = c["id"].as_str().unwrap();
    let created = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(&t),
            Some(json!({
                "sourceUrl": "https://Blog.Example.org/write-for-us", "targetUrl": "https://client.example/",
                "campaignId": cid, "prospectType": "guest-post", "relevanceScore": 8, "domainRating": 55
            })),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let b = created.body;
    assert_eq!(b["sourceDomain"], "blog.example.org");
    assert_eq!(b["sourceType"], "outreach");
    assert_eq!(b["outreachStatus"], "prospecting");
    assert_eq!(b["linkType"], "dofollow");
    assert_eq!(b["isLive"], Value::Null);
    let path = format!("/v1/backlinks/{}", b["id"].as_str().unwrap());

    let jump = s
        .call(
            "PATCH",
            &path,
            Some(&t),
            Some(json!({"outreachStatus": "published"})),
        )
        .await;
    problem(&jump, 409, "conflict");
    let sent = s
        .call(
            "PATCH",
            &path,
            Some(&t),
            Some(json!({"outreachStatus": "outreach_sent"})),
        )
        .await;
    assert_eq!(sent.body["outreachStatus"], "outreach_sent");
    assert!(sent.body["outreachSentAt"].is_string());
    let agreed = s
        .call(
            "PATCH",
            &path,
            Some(&t),
            Some(json!({"outreachStatus": "agreed", "anchorText": "pricing"})),
        )
        .await;
    assert!(agreed.body["agreedAt"].is_string());

    let dir = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(&t),
            Some(json!({"sourceType": "directory_opportunity", "sourceDomain": "dir.example",
                        "steps": [{"order": 2, "title": "Verify", "description": "Click the link"},
                                  {"order": 1, "title": "Sign up", "description": "Make an account", "url": "https://dir.example/join"}]})),
        )
        .await;
    assert_eq!(dir.status, 201, "{:?}", dir.body);
    assert_eq!(dir.body["outreachStatus"], "opportunity");
    assert_eq!(dir.body["steps"][0]["title"], "Sign up");

    let wrong = s
        .call("POST", "/v1/backlinks", Some(&t), Some(json!({"sourceType": "competitor_gap", "sourceDomain": "x.example", "prospectType": "mention"})))
        .await;
    assert_eq!(field(&wrong), "prospectType");
    let ghost = s
        .call("POST", "/v1/backlinks", Some(&t), Some(json!({"sourceDomain": "x.example", "campaignId": "cmp_0123456789abcdef0123456789abcdef"})))
        .await;
    assert_eq!(field(&ghost), "campaignId");
    assert_eq!(
        field(
            &s.call("POST", "/v1/backlinks", Some(&t), Some(json!({})))
                .await
        ),
        "sourceDomain"
    );
    assert_eq!(
        field(
            &s.call(
                "POST",
                "/v1/backlinks",
                Some(&t),
                Some(json!({"sourceDomain": "x.example", "relevanceScore": 11}))
            )
            .await
        ),
        "relevanceScore"
    );

    let gap = s
        .call("POST", "/v1/backlinks", Some(&t), Some(json!({"sourceType": "competitor_gap", "sourceDomain": "gap.example", "gapCompetitors": ["rival.example", "Rival.example"]})))
        .await;
    assert_eq!(gap.body["gapCompetitors"], json!(["rival.example"]));

    let all = s.call("GET", "/v1/backlinks", Some(&t), None).await;
    let order: Vec<&str> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["sourceDomain"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        vec!["gap.example", "dir.example", "blog.example.org"]
    );
    let ids = |a: &support::Answer| -> Vec<String> {
        a.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["sourceDomain"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&s
            .call("GET", "/v1/backlinks?outreachStatus=agreed", Some(&t), None)
            .await),
        vec!["blog.example.org"]
    );
    assert_eq!(
        ids(&s
            .call(
                "GET",
                "/v1/backlinks?sourceType=directory_opportunity",
                Some(&t),
                None
            )
            .await),
        vec!["dir.example"]
    );
    assert_eq!(
        ids(&s
            .call(
                "GET",
                &format!("/v1/backlinks?campaignId={cid}"),
                Some(&t),
                None
            )
            .await),
        vec!["blog.example.org"]
    );
    assert!(
        ids(&s
            .call(
                "GET",
                &format!("/v1/backlinks?campaignId={cid}&outreachStatus=prospecting"),
                Some(&t),
                None
            )
            .await)
        .is_empty()
    );
    assert!(
        ids(&s
            .call("GET", "/v1/backlinks?isLive=true", Some(&t), None)
            .await)
        .is_empty()
    );
    assert_eq!(
        field(
            &s.call("GET", "/v1/backlinks?campaignId=nope", Some(&t), None)
                .await
        ),
        "campaignId"
    );

    // Deleting the campaign keeps its backlinks and clears their campaignId.
    assert_eq!(
        s.call("DELETE", &format!("/v1/campaigns/{cid}"), Some(&t), None)
            .await
            .status,
        204
    );
    let kept = s.call("GET", &path, Some(&t), None).await;
    assert_eq!(kept.status, 200);
    assert_eq!(kept.body["campaignId"], Value::Null);
    assert!(
        ids(&s
            .call(
                "GET",
                &format!("/v1/backlinks?campaignId={cid}"),
                Some(&t),
                None
            )
            .await)
        .is_empty()
    );

    assert_eq!(s.call("DELETE", &path, Some(&t), None).await.status, 204);
    problem(
        &s.call("GET", &path, Some(&t), None).await,
        404,
        "not-found",
    );
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let s = TestServer::start().await;
    let none = s.call("GET", "/v1/campaigns", None, None).await;
    problem(&none, 401, "unauthorized");
    problem(
        &s.call("GET", "/v1/campaigns", Some("not.a.jwt"), None)
            .await,
        401,
        "unauthorized",
    );
    let expired = s
        .local
        .keys
        .mint(
            "acme",
            "u",
            backlinks_core::domain::identity::Role::Member,
            1_000_000,
            60,
        )
        .unwrap();
    problem(
        &s.call("GET", "/v1/campaigns", Some(&expired), None).await,
        401,
        "unauthorized",
    );
    // A token from another installation's key is not accepted.
    let other = TestServer::start().await;
    problem(
        &s.call("GET", "/v1/campaigns", Some(&other.member("acme")), None)
            .await,
        401,
        "unauthorized",
    );
}

#[tokio::test]
async fn routes_enforce_the_role_they_name() {
    use backlinks_core::adapters::jwks::StaticJwks;
    use backlinks_core::config::AuthSettings;
    use backlinks_core::domain::identity::Role;
    use backlinks_core::handler;
    use backlinks_core::http::Api;
    use backlinks_core::http::auth::Verifier;
    use backlinks_core::http::call::Call;
    use backlinks_core::http::problem::Problem;
    use backlinks_core::http::route::{Access, Answer, Route};
    use backlinks_core::local::dev_keys::LOCAL_ISSUER;
    use std::sync::Arc;

    async fn whoami(_: Arc<backlinks_core::app::App>, call: Call) -> Result<Answer, Problem> {
        Answer::ok(&json!({"tenant": call.tenant()?.as_str()}))
    }
    let s = TestServer::start().await;
    let verifier = Verifier::new(
        Arc::new(StaticJwks::new(&s.local.keys.jwks())),
        AuthSettings::new(LOCAL_ISSUER),
    );
    let route =
        Route::get("/admin-only", "adminOnly", handler!(whoami)).access(Access::Role(Role::Admin));
    let api = Api::new(s.local.app.clone(), Arc::new(verifier), vec![route]);
    let call = |role| {
        let token = s.token("acme", "u", role);
        let req = http::Request::get("/admin-only")
            .header("authorization", format!("Bearer {token}"))
            .body(bytes::Bytes::new())
            .unwrap();
        api.handle(req)
    };
    assert_eq!(call(Role::Member).await.status(), 403);
    assert_eq!(call(Role::Admin).await.status(), 200);
    assert_eq!(call(Role::Superadmin).await.status(), 200);
}

#[tokio::test]
async fn a_domain_appears_once_per_campaign() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let c1 = campaign(&s, &t, "one").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let c2 = campaign(&s, &t, "two").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let add = |domain: &'static str, campaign: String| {
        s.call(
            "POST",
            "/v1/backlinks",
            Some(&t),
            Some(json!({"sourceDomain": domain, "campaignId": campaign,
            "recipientEmail": "Ed@Blog.Example.org", "recipientName": "Ed Stone"})),
        )
    };
    let first = add("blog.example.org", c1.clone()).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.body["recipientEmail"], "Ed@blog.example.org");
    let same_site = add("www.example.org", c1.clone()).await;
    problem(&same_site, 409, "conflict");
    assert!(
        same_site.body["detail"]
            .as_str()
            .unwrap()
            .contains("example.org is already in this campaign")
    );
    assert_eq!(add("www.example.org", c2.clone()).await.status, 201);

    // Moving the first backlink to campaign two collides there; clearing its campaign frees one.
    let path = format!("/v1/backlinks/{}", first.body["id"].as_str().unwrap());
    problem(
        &s.call("PATCH", &path, Some(&t), Some(json!({"campaignId": c2})))
            .await,
        409,
        "conflict",
    );
    assert_eq!(
        s.call("PATCH", &path, Some(&t), Some(json!({"campaignId": null})))
            .await
            .status,
        200
    );
    assert_eq!(add("example.org", c1.clone()).await.status, 201);
    let bad = s
        .call(
            "PATCH",
            &path,
            Some(&t),
            Some(json!({"recipientName": "a\nb", "recipientEmail": "nope"})),
        )
        .await;
    assert_eq!(bad.body["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn suppressions_can_be_listed_added_and_removed() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let email = s
        .call(
            "POST",
            "/v1/suppressions",
            Some(&t),
            Some(json!({"value": "Ed@Blog.Example.org", "note": "asked us to stop"})),
        )
        .await;
    assert_eq!(email.status, 201, "{:?}", email.body);
    assert_eq!(
        (
            email.body["value"].clone(),
            email.body["kind"].clone(),
            email.body["reason"].clone()
        ),
        (
            json!("ed@blog.example.org"),
            json!("email"),
            json!("manual")
        )
    );
    let domain = s
        .call(
            "POST",
            "/v1/suppressions",
            Some(&t),
            Some(json!({"value": "spammy.com", "reason": "complaint"})),
        )
        .await;
    assert_eq!(domain.body["kind"], "domain");
    let again = s
        .call(
            "POST",
            "/v1/suppressions",
            Some(&t),
            Some(json!({"value": "spammy.com"})),
        )
        .await;
    assert_eq!(
        again.body["reason"], "complaint",
        "an existing entry is kept"
    );
    assert_eq!(
        field(
            &s.call(
                "POST",
                "/v1/suppressions",
                Some(&t),
                Some(json!({"value": "not an address"}))
            )
            .await
        ),
        "value"
    );
    let all = s.call("GET", "/v1/suppressions", Some(&t), None).await.body;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let domains = s
        .call("GET", "/v1/suppressions?kind=domain", Some(&t), None)
        .await
        .body;
    assert_eq!(domains["items"][0]["value"], "spammy.com");
    assert_eq!(
        s.call(
            "DELETE",
            "/v1/suppressions/ed%40blog.example.org",
            Some(&t),
            None
        )
        .await
        .status,
        204
    );
    problem(
        &s.call(
            "DELETE",
            "/v1/suppressions/ed%40blog.example.org",
            Some(&t),
            None,
        )
        .await,
        404,
        "not-found",
    );
    problem(
        &s.call("DELETE", "/v1/suppressions/%%%", Some(&t), None)
            .await,
        404,
        "not-found",
    );
}

#[tokio::test]
async fn a_corrupt_stored_item_is_a_500_with_an_incident_not_a_retry() {
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
    let key = backlinks_core::ports::table::Key::new("T#acme", format!("BACKLINK#{id}"));
    let mut item = s.local.app.table.get(&key).await.unwrap().unwrap();
    item.insert("outreachStatus".into(), json!(42));
    s.local.app.table.put(item, None).await.unwrap();
    let answer = s
        .call("GET", &format!("/v1/backlinks/{id}"), Some(&t), None)
        .await;
    assert_eq!(answer.status, 500, "{:?}", answer.body);
    assert_eq!(answer.body["type"], "urn:backlinks:problem:internal");
    let instance = answer.body["instance"].as_str().unwrap();
    assert!(
        instance.starts_with("urn:backlinks:incident:"),
        "{instance}"
    );
    assert!(
        !answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("outreachStatus"),
        "the cause stays in the log"
    );
}
