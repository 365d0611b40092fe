//! Directory opportunities over the API (issue 16): the platform's catalogue, written only by
//! platform operators and read by tenants (active directories only); the business profile;
//! the matcher, on demand and daily, idempotent, with steps copied; steps ticked off.

mod support;

use backlinks_core::domain::identity::Role;
use serde_json::{Value, json};
use support::TestServer;

fn directory(name: &str, category: &str, sub: &str, regions: &[&str], dr: Option<u32>) -> Value {
    json!({
        "name": name, "url": format!("https://{}.example/", name.to_lowercase()),
        "category": category, "subcategory": sub, "regions": regions, "domainRating": dr,
        "isFree": true, "difficulty": "easy", "estimatedMinutes": 20,
        "steps": [
            {"title": "Create an account", "description": "Sign up with the business email."},
            {"title": "Add the listing", "description": "Name, address, phone and website.", "url": format!("https://{}.example/add", name.to_lowercase())}
        ],
        "sources": [format!("https://{}.example/help", name.to_lowercase())]
    })
}

async fn ids_of(s: &TestServer, t: &str, path: &str) -> Vec<String> {
    let page = s.call("GET", path, Some(t), None).await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().or(i["id"].as_str()).unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn operators_keep_the_catalogue_and_the_matcher_offers_each_fitting_directory_once() {
    // A catalogue of this test's own directories only.
    let s = TestServer::start_with(|o| o.starter_directories = false).await;
    let ops = s.token("platform", "ops", Role::Superadmin);
    let admin = s.token("acme", "boss", Role::Admin);
    let t = s.member("acme");
    let care = directory(
        "Careplaces",
        "business_directory",
        "Healthcare",
        &["UK"],
        Some(70),
    );

    // Organisation roles never write the catalogue.
    for token in [&admin, &t] {
        let refused = s
            .call("POST", "/v1/directories", Some(token), Some(care.clone()))
            .await;
        assert_eq!(refused.status, 403);
        let import = s
            .call(
                "POST",
                "/v1/directories/import",
                Some(token),
                Some(json!({"directories": [care]})),
            )
            .await;
        assert_eq!(import.status, 403);
    }
    let bad = s
        .call(
            "POST",
            "/v1/directories",
            Some(&ops),
            Some(json!({"name": "X", "url": "nope", "category": "business_directory"})),
        )
        .await;
    assert_eq!(bad.status, 400);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "url",
        "isFree",
        "regions",
        "difficulty",
        "estimatedMinutes",
        "steps",
    ] {
        assert!(fields.contains(&field), "{field}: {fields:?}");
    }
    let created = s
        .call("POST", "/v1/directories", Some(&ops), Some(care.clone()))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let again = s
        .call("POST", "/v1/directories", Some(&ops), Some(care.clone()))
        .await;
    assert_eq!(again.status, 409, "one directory per url");

    // An import: the known URL updated, new ones created, a bad row reported, the rest go on.
    let mut care_v2 = care.clone();
    care_v2["estimatedMinutes"] = json!(30);
    let report = s
        .call(
            "POST",
            "/v1/directories/import",
            Some(&ops),
            Some(json!({"directories": [
                care_v2,
                directory("Anyplace", "business_directory", "General", &["GLOBAL"], None),
                {"name": "Broken", "url": "https://broken.example/"},
                directory("Askaround", "forum", "General", &["GLOBAL"], None),
                directory("Lawlist", "business_directory", "Legal", &["UK"], None),
                directory("Rateus", "review_platform", "General", &["US"], None),
            ]})),
        )
        .await;
    assert_eq!(report.status, 200, "{:?}", report.body);
    assert_eq!(
        (
            report.body["created"].clone(),
            report.body["updated"].clone(),
            report.body["unchanged"].clone()
        ),
        (json!(4), json!(1), json!(0))
    );
    assert_eq!(report.body["errors"][0]["row"], 3);
    let csv = s
        .call(
            "POST",
            "/v1/directories/import",
            Some(&ops),
            Some(json!({"csv": "name,colour\nA,red\n"})),
        )
        .await;
    assert_eq!(csv.status, 400);

    // Tenants read active directories; a directory taken out is hidden from them.
    let rateus = s
        .call(
            "GET",
            "/v1/directories?category=review_platform",
            Some(&t),
            None,
        )
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let gone = s
        .call(
            "DELETE",
            &format!("/v1/directories/{rateus}"),
            Some(&ops),
            None,
        )
        .await;
    assert_eq!(gone.status, 204);
    assert_eq!(
        s.call("GET", &format!("/v1/directories/{rateus}"), Some(&t), None)
            .await
            .status,
        404
    );
    assert_eq!(
        s.call(
            "GET",
            &format!("/v1/directories/{rateus}"),
            Some(&ops),
            None
        )
        .await
        .status,
        200
    );
    let listed = ids_of(&s, &t, "/v1/directories?region=UK").await;
    assert_eq!(listed.len(), 4, "UK and GLOBAL, active: {listed:?}");
    assert_eq!(
        s.call(
            "GET",
            "/v1/directories?includeInactive=true",
            Some(&t),
            None
        )
        .await
        .status,
        400
    );

    // The matcher needs a profile.
    let early = s
        .call("POST", "/v1/opportunities/match", Some(&t), Some(json!({})))
        .await;
    assert_eq!(early.status, 409, "{:?}", early.body);
    let member_edit = s
        .call(
            "PATCH",
            "/v1/settings/business-profile",
            Some(&t),
            Some(json!({"regions": ["UK"]})),
        )
        .await;
    assert_eq!(member_edit.status, 403);
    let profile = s
        .call("PATCH", "/v1/settings/business-profile", Some(&admin), Some(json!({
            "categories": ["business_directory", "forum"], "subcategories": ["healthcare"],
            "regions": ["UK"], "businessName": "Acme Care", "website": "https://acme-care.example/"
        })))
        .await;
    assert_eq!(profile.status, 200, "{:?}", profile.body);
    let matched = s
        .call("POST", "/v1/opportunities/match", Some(&t), Some(json!({})))
        .await;
    assert_eq!(matched.status, 200, "{:?}", matched.body);
    // Careplaces (Healthcare, UK), Anyplace and Askaround (General, GLOBAL); not Lawlist
    // (Legal) nor Rateus (a review platform, and inactive).
    assert_eq!(
        matched.body,
        json!({"matched": 3, "created": 3, "already": 0})
    );
    let opportunities = s
        .call(
            "GET",
            "/v1/backlinks?sourceType=directory_opportunity",
            Some(&t),
            None,
        )
        .await
        .body["items"]
        .clone();
    let opportunities = opportunities.as_array().unwrap();
    assert_eq!(opportunities.len(), 3);
    let careplaces = opportunities
        .iter()
        .find(|o| o["sourceDomain"] == "careplaces.example")
        .unwrap();
    assert_eq!(careplaces["outreachStatus"], "opportunity");
    assert_eq!(careplaces["steps"].as_array().unwrap().len(), 2);
    assert_eq!(careplaces["domainRating"], 70);
    // 3 (its industry) + 2 (UK) + 1.4 (DR 70) + 1.5 (free) + 1.5 (easy) = 9.4.
    assert_eq!(careplaces["relevanceScore"], 9);
    assert_eq!(careplaces["targetUrl"], "https://acme-care.example/");

    // Reruns make nothing new, and a deleted opportunity is not offered again.
    let path = format!("/v1/backlinks/{}", careplaces["id"].as_str().unwrap());
    let anyplace = opportunities
        .iter()
        .find(|o| o["sourceDomain"] == "anyplace.example")
        .unwrap();
    let deleted = s
        .call(
            "DELETE",
            &format!("/v1/backlinks/{}", anyplace["id"].as_str().unwrap()),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    let rerun = s
        .call("POST", "/v1/opportunities/match", Some(&t), Some(json!({})))
        .await;
    assert_eq!(
        rerun.body,
        json!({"matched": 3, "created": 0, "already": 3})
    );

    // Working an opportunity: steps ticked off, then completed with its listing.
    let tick = s
        .call(
            "PATCH",
            &path,
            Some(&t),
            Some(json!({"stepsCompleted": [2, 1, 1], "outreachStatus": "in_progress"})),
        )
        .await;
    assert_eq!(tick.status, 200, "{:?}", tick.body);
    assert_eq!(tick.body["stepsCompleted"], json!([1, 2]));
    let unknown = s
        .call(
            "PATCH",
            &path,
            Some(&t),
            Some(json!({"stepsCompleted": [9]})),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.body["errors"][0]["field"], "stepsCompleted");

    // The daily run covers every tenant with a profile; another tenant sees only its own.
    let beta_admin = s.token("beta", "boss", Role::Admin);
    let beta = s
        .call(
            "PATCH",
            "/v1/settings/business-profile",
            Some(&beta_admin),
            Some(json!({"regions": ["US"]})),
        )
        .await;
    assert_eq!(beta.status, 200);
    let job = backlinks_core::jobs::by_name("opportunity-matcher").unwrap();
    let report = backlinks_core::jobs::run_scheduled(s.local.app.clone(), &job)
        .await
        .unwrap();
    // beta: Anyplace and Askaround (GLOBAL); acme: nothing new.
    assert_eq!(report.summary, "made 2 directory opportunities");
    let beta_member = s.member("beta");
    let beta_profile = s
        .call(
            "GET",
            "/v1/settings/business-profile",
            Some(&beta_member),
            None,
        )
        .await
        .body;
    assert_eq!(beta_profile["regions"], json!(["US"]));
    assert_eq!(beta_profile["businessName"], Value::Null);
}

#[tokio::test]
async fn local_mode_starts_with_the_shipped_catalogue_once() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let all = s
        .call("GET", "/v1/directories?limit=200", Some(&t), None)
        .await
        .body;
    let items = all["items"].as_array().unwrap();
    assert!(items.len() >= 60, "{}", items.len());
    assert!(
        items.iter().all(|d| d["domainRating"].is_null()),
        "no DR is invented"
    );
    let pk = s
        .call("GET", "/v1/directories?region=PK&limit=200", Some(&t), None)
        .await
        .body;
    assert!(
        pk["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["regions"] == json!(["PK"]))
    );
    // Loaded into an empty catalogue only: a second start over the same data adds nothing.
    let again = backlinks_core::app::opportunities::starter::load_if_empty(&s.local.app)
        .await
        .unwrap();
    assert!(again.is_none());
}
