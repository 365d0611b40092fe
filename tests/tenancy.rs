//! Tenancy is absolute: every route, called with a second tenant's token against the first
//! tenant's data, answers 404 (or, for lists, shows none of it) and changes nothing.

mod support;

use backlinks_core::domain::identity::Role;
use backlinks_core::http::route::Access;
use backlinks_core::http::routes::routes;
use backlinks_core::local::dev_routes;
use serde_json::{Value, json};
use support::TestServer;

#[tokio::test]
async fn another_tenants_token_sees_nothing_on_any_route() {
    let s = TestServer::start().await;
    let (a, b) = (s.member("tenant-a"), s.member("tenant-b"));
    let campaign = s
        .call(
            "POST",
            "/v1/campaigns",
            Some(&a),
            Some(json!({"name": "A's"})),
        )
        .await
        .body;
    let backlink = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(&a),
            Some(json!({"sourceDomain": "a.example", "campaignId": campaign["id"], "recipientEmail": "ed@a-site.org"})),
        )
        .await
        .body;
    let job = s
        .call(
            "POST",
            "/v1/jobs",
            Some(&a),
            Some(json!({"urls": ["https://a-prospect.org/"]})),
        )
        .await
        .body;
    let suppressed = s
        .call(
            "POST",
            "/v1/suppressions",
            Some(&a),
            Some(json!({"value": "secret@a-private.org"})),
        )
        .await
        .body;
    let template = s
        .call(
            "POST",
            "/v1/templates",
            Some(&a),
            Some(json!({"name": "t", "subject": "Hi {{site_name}}", "body": "Hello"})),
        )
        .await
        .body;
    let email = s
        .call(
            "POST",
            &format!("/v1/backlinks/{}/draft", backlink["id"].as_str().unwrap()),
            Some(&a),
            Some(json!({})),
        )
        .await
        .body;
    let reply = s
        .raw(
            "POST",
            "/v1/dev/inbound",
            &a,
            "message/rfc822",
            b"From: ed@a-site.org\r\nTo: a@agency.com\r\nSubject: Re: hi\r\nMessage-ID: <t1@a-site.org>\r\n\r\nSounds good.\r\n".to_vec(),
        )
        .await
        .body;
    let site = support::plans::fixture_site(&s, &a).await;
    let plan = support::plans::plan(&s, &a, &site, "UK").await;
    let links = s
        .call(
            "GET",
            &format!("/v1/plans/{}/links", plan["id"].as_str().unwrap()),
            Some(&a),
            None,
        )
        .await
        .body;
    let link_id = links["items"][0]["id"].as_str().unwrap().to_string();
    let export_import = s
        .call(
            "POST",
            &format!(
                "/v1/sites/{}/backlink-imports",
                site["id"].as_str().unwrap()
            ),
            Some(&a),
            Some(json!({"competitor": "rival.example"})),
        )
        .await
        .body;
    let import_id = export_import["import"]["id"].as_str().unwrap().to_string();
    // Admin routes are walked with tenant b's admin, so the answer is about the tenant.
    let a_admin = s.token("tenant-a", "admin-of-tenant-a", Role::Admin);
    let b_admin = s.token("tenant-b", "admin-of-tenant-b", Role::Admin);
    let webhook = s
        .call(
            "POST",
            "/v1/webhooks",
            Some(&a_admin),
            Some(json!({"url": "https://hooks.tenant-a.example/in"})),
        )
        .await
        .body;
    let ids = [
        (
            "/v1/campaigns/",
            campaign["id"].as_str().unwrap().to_string(),
        ),
        (
            "/v1/backlinks/",
            backlink["id"].as_str().unwrap().to_string(),
        ),
        ("/v1/jobs/", job["id"].as_str().unwrap().to_string()),
        (
            "/v1/suppressions/",
            suppressed["value"].as_str().unwrap().to_string(),
        ),
        (
            "/v1/templates/",
            template["id"].as_str().unwrap().to_string(),
        ),
        ("/v1/emails/", email["id"].as_str().unwrap().to_string()),
        ("/v1/replies/", reply["id"].as_str().unwrap().to_string()),
        ("/v1/sites/", site["id"].as_str().unwrap().to_string()),
        ("/v1/plans/", plan["id"].as_str().unwrap().to_string()),
        ("/v1/webhooks/", webhook["id"].as_str().unwrap().to_string()),
    ];
    let mut a_ids: Vec<&str> = ids.iter().map(|(_, id)| id.as_str()).collect();
    a_ids.push(&link_id);
    a_ids.push(&import_id);

    let mut walked = 0;
    for route in routes().into_iter().chain(dev_routes::routes()) {
        if route.access == Access::Public {
            continue;
        }
        walked += 1;
        if route.access == Access::Role(Role::Superadmin) {
            // Platform operators' routes: a tenant's member is refused outright.
            let path = route.path.replace("{id}", a_ids[0]);
            let body = (route.method.as_str() == "POST").then(|| json!({}));
            let answer = s.call(route.method.as_str(), &path, Some(&b), body).await;
            assert_eq!(answer.status, 403, "{} {path}", route.method);
            continue;
        }
        let method = route.method.as_str();
        let b = if route.access == Access::Role(Role::Admin) {
            &b_admin
        } else {
            &b
        };
        // Routes whose body has required fields get a well-formed one, so the answer is
        // about the id, not the body.
        let body = match route.operation_id {
            "upsertPages" => Some(json!({"pages": [{"url": "https://www.example.com/x"}]})),
            "importPages" => Some(json!({"source": "sitemap"})),
            "createPlannedLink" => Some(json!({"targetUrl": "https://www.example.com/",
                "anchorText": "x", "anchorType": "branded"})),
            "createGapOpportunities" => Some(json!({"competitors": ["rival.example"]})),
            _ => matches!(method, "POST" | "PATCH").then(|| json!({})),
        };
        // The directory catalogue is the platform's, shared by every tenant by design: it
        // holds nothing of tenant a's (its writes are the operators', walked above).
        if route.path.starts_with("/v1/directories/") {
            continue;
        }
        if route.path.contains("{id}") {
            let (_, id) = ids
                .iter()
                .find(|(prefix, _)| route.path.starts_with(prefix))
                .unwrap_or_else(|| panic!("no fixture for {}: add one to this test", route.path));
            let path = route
                .path
                .replace("{id}", id)
                .replace("{linkId}", &link_id)
                .replace("{importId}", &import_id);
            let answer = s.call(method, &path, Some(b), body).await;
            assert_eq!(
                answer.status, 404,
                "{} {path} as tenant b: {:?}",
                method, answer.body
            );
        } else {
            let answer = s.call(method, route.path, Some(b), body).await;
            let text = answer.body.to_string();
            for id in &a_ids {
                assert!(!text.contains(id), "{} {} leaked {id}", method, route.path);
            }
        }
    }
    assert!(walked >= 13, "walked {walked} routes");

    // Tenant a's data is untouched by everything tenant b did.
    let still = s
        .call(
            "GET",
            &format!("/v1/campaigns/{}", a_ids[0]),
            Some(&a),
            None,
        )
        .await;
    assert_eq!(
        (still.status, still.body["version"].clone()),
        (200, Value::from(1))
    );
    let link = s
        .call(
            "GET",
            &format!("/v1/backlinks/{}", a_ids[1]),
            Some(&a),
            None,
        )
        .await;
    assert_eq!(link.body["campaignId"], campaign["id"]);
    let listed = s.call("GET", "/v1/backlinks", Some(&a), None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let still = s.call("GET", "/v1/suppressions", Some(&a), None).await.body;
    assert_eq!(still["items"].as_array().unwrap().len(), 1);
    let still_job = s
        .call("GET", &format!("/v1/jobs/{}", a_ids[2]), Some(&a), None)
        .await;
    // Nothing ran the seed stage: the job waits, untouched by the other tenant.
    assert_eq!(still_job.body["status"], "pending");
}

#[tokio::test]
async fn a_body_cannot_name_a_tenant_or_borrow_another_tenants_campaign() {
    let s = TestServer::start().await;
    let (a, b) = (s.member("tenant-a"), s.member("tenant-b"));
    let campaign = s
        .call(
            "POST",
            "/v1/campaigns",
            Some(&a),
            Some(json!({"name": "A's"})),
        )
        .await
        .body;
    let borrowed = s
        .call(
            "POST",
            "/v1/backlinks",
            Some(&b),
            Some(json!({"sourceDomain": "b.example", "campaignId": campaign["id"]})),
        )
        .await;
    assert_eq!(borrowed.status, 400);
    assert_eq!(borrowed.body["errors"][0]["field"], "campaignId");
    let named = s
        .call(
            "POST",
            "/v1/campaigns",
            Some(&b),
            Some(json!({"name": "x", "tenantId": "tenant-a"})),
        )
        .await;
    assert_eq!(named.status, 400);
}

#[tokio::test]
async fn platform_routes_take_the_platform_claim_never_an_organisation_role() {
    let s = TestServer::start().await;
    let now = chrono::Utc::now().timestamp();
    let org_claims = |role_claims: Value| {
        let mut claims = json!({
            "iss": backlinks_core::local::dev_keys::LOCAL_ISSUER,
            "sub": "user_1", "org_id": "org_1", "azp": "http://localhost",
            "iat": now, "nbf": now, "exp": now + 300,
        });
        claims
            .as_object_mut()
            .unwrap()
            .extend(role_claims.as_object().unwrap().clone());
        s.local.keys.sign(&claims).unwrap()
    };
    let pretenders = [
        org_claims(json!({"org_role": "org:superadmin"})),
        org_claims(json!({"o": {"id": "org_1", "rol": "superadmin"}})),
        org_claims(json!({"role": "superadmin"})),
        org_claims(json!({"platform_role": "admin"})),
    ];
    let operator = org_claims(json!({"platform_role": "superadmin"}));
    let minted = s.token("platform", "ops", Role::Superadmin);
    let mut platform_routes = 0;
    for route in routes() {
        if route.access != Access::Role(Role::Superadmin) {
            continue;
        }
        platform_routes += 1;
        let path = route.path.replace("{id}", "rpl_00000000000000000000000000");
        let body = (route.method.as_str() == "POST").then(|| json!({"tenantId": "org_1"}));
        for token in &pretenders {
            let answer = s
                .call(route.method.as_str(), &path, Some(token), body.clone())
                .await;
            assert_eq!(answer.status, 403, "{} {path}", route.method);
        }
        for token in [&operator, &minted] {
            let answer = s
                .call(route.method.as_str(), &path, Some(token), body.clone())
                .await;
            assert_ne!(
                answer.status, 403,
                "{} {path}: {:?}",
                route.method, answer.body
            );
        }
    }
    assert!(platform_routes >= 2);
}

/// One tenant's burst is refused with 429 and `Retry-After` once its bucket is empty;
/// another tenant's calls in the same second go through; the bucket refills.
#[tokio::test]
async fn a_tenants_burst_over_its_rate_limit_leaves_other_tenants_alone() {
    let s = TestServer::start().await;
    let (a, b) = (s.member("burst-a"), s.member("quiet-b"));
    let operator = s.token("platform", "op", Role::Superadmin);
    let limits = json!({"standard": {"perMinute": 120, "burst": 5},
                        "expensive": {"perMinute": 6, "burst": 1}});
    let path = "/v1/admin/tenants/burst-a/rate-limits";
    let refused = s.call("PUT", path, Some(&a), Some(limits.clone())).await;
    assert_eq!(refused.status, 403, "only platform operators set limits");
    let bad = json!({"standard": {"perMinute": 0, "burst": 5}, "expensive": {"perMinute": 6, "burst": 1}});
    let bad = s.call("PUT", path, Some(&operator), Some(bad)).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["errors"][0]["field"], "standard.perMinute");
    let set = s.call("PUT", path, Some(&operator), Some(limits)).await;
    assert_eq!(
        (set.status, set.body["standard"]["burst"].clone()),
        (200, json!(5))
    );

    let get = |token: String| {
        s.http
            .get(format!("{}/v1/campaigns", s.base))
            .bearer_auth(token)
            .send()
    };
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..8 {
        let res = get(a.clone()).await.unwrap();
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            retry_after = res.headers().get("retry-after").cloned();
            let problem: Value = res.json().await.unwrap();
            assert_eq!(problem["type"], "urn:backlinks:problem:rate-limited");
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("120 calls a minute")
            );
        }
    }
    assert_eq!(statuses[..5], [200; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(retry_after.unwrap().to_str().unwrap(), "1");
    // Another tenant in the same second: its own bucket.
    assert_eq!(get(b.clone()).await.unwrap().status(), 200);
    // Expensive calls draw from their own bucket, here of one.
    let job = json!({"urls": ["https://example-one.org/"]});
    let first = s
        .call("POST", "/v1/jobs", Some(&a), Some(job.clone()))
        .await;
    assert_eq!(first.status, 202, "{:?}", first.body);
    let second = s.call("POST", "/v1/jobs", Some(&a), Some(job)).await;
    assert_eq!(second.status, 429);
    assert!(
        second.body["detail"]
            .as_str()
            .unwrap()
            .contains("expensive")
    );
    // Half a second refills one call at 120 a minute.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(get(a.clone()).await.unwrap().status(), 200);
}
