//! Link-building plans over the API (issue 14): the site inventory, plan generation in each
//! market with its snapshot, status moves, adjustments under the anchor bands, and planned
//! links under their lifecycle and the quality threshold.

mod support;

use serde_json::{Value, json};
use support::TestServer;
use support::plans::{fixture_site, plan};

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

#[tokio::test]
async fn pages_upsert_by_url_get_their_tiers_and_bad_pages_are_named() {
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let site = fixture_site(&s, &a).await;
    assert_eq!(site["domain"], "example.com");
    let pages_path = format!("/v1/sites/{}/pages", id(&site));

    let t2 = s
        .call("GET", &format!("{pages_path}?tier=T2"), Some(&a), None)
        .await;
    let urls: Vec<&str> = t2.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "https://www.example.com/coffee-beans",
            "https://www.example.com/espresso-machines"
        ]
    );
    let hubs = s
        .call(
            "GET",
            &format!("{pages_path}?pageType=hub&limit=200"),
            Some(&a),
            None,
        )
        .await;
    assert_eq!(hubs.body["items"].as_array().unwrap().len(), 5);

    // The same batch again updates, creates nothing; a page without a type is guessed.
    let pages: Value = serde_json::from_str(support::plans::SITE).unwrap();
    let again = s
        .call("PUT", &pages_path, Some(&a), Some(json!({"pages": pages})))
        .await;
    assert_eq!(
        again.body,
        json!({"created": 0, "updated": 40, "total": 40})
    );
    let guessed = s
        .call(
            "PUT",
            &pages_path,
            Some(&a),
            Some(json!({"pages": [{"url": "https://www.example.com/blog/new-post"}]})),
        )
        .await;
    assert_eq!(guessed.body["created"], 1);
    let listed = s
        .call(
            "GET",
            &format!("{pages_path}?pageType=blog_article&limit=200"),
            Some(&a),
            None,
        )
        .await;
    let new = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == "https://www.example.com/blog/new-post")
        .unwrap()
        .clone();
    assert_eq!(new["pageTypeGuessed"], true);
    assert!(
        new["guessReason"].as_str().unwrap().contains("blog"),
        "{new}"
    );
    assert_eq!(new["tier"], "T4");

    // One bad page refuses the batch, names every mistake and writes nothing.
    let bad = s
        .call(
            "PUT",
            &pages_path,
            Some(&a),
            Some(json!({"pages": [
                {"url": "https://www.example.com/fine"},
                {"url": "https://elsewhere.org/x"},
                {"url": "https://www.example.com/k", "keywords": [{"keyword": "k", "volume": 1, "difficulty": 101}]}
            ]})),
        )
        .await;
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["pages.1.url", "pages.2.keywords.0.difficulty"]);
    let all = s
        .call("GET", &format!("{pages_path}?limit=200"), Some(&a), None)
        .await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 41);
}

#[tokio::test]
async fn a_plan_in_every_market_stores_its_snapshot_links_and_variants() {
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let site = fixture_site(&s, &a).await;
    let budgets = [
        ("PK", 2000, 5000, 8),
        ("CA", 3000, 7000, 12),
        ("UK", 3000, 9000, 14),
        ("USA", 5000, 13000, 18),
    ];
    for (country, low, high, months) in budgets {
        let made = plan(&s, &a, &site, country).await;
        let got = s
            .call("GET", &format!("/v1/plans/{}", id(&made)), Some(&a), None)
            .await;
        assert_eq!(got.status, 200);
        let p = got.body;
        assert_eq!(p, made, "getPlan answers what generatePlan made");
        assert_eq!(p["status"], "draft");
        assert_eq!(p["countryCode"], country);
        assert_eq!(p["countryProfile"]["country"], country);
        assert_eq!(p["countryProfile"]["timelineMonths"], months);
        assert_eq!(p["timelineMonths"], months);
        let (min, max) = (
            p["budgetEstimateMin"].as_u64().unwrap(),
            p["budgetEstimateMax"].as_u64().unwrap(),
        );
        assert!(low <= min && max <= high, "{country}: {min}-{max}");
        let total = p["totalLinksTarget"].as_u64().unwrap();
        let monthly: u64 = p["monthlyPlan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let pages: u64 = m["pages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x["links"].as_u64().unwrap())
                    .sum();
                assert_eq!(pages, m["linksTarget"].as_u64().unwrap());
                pages
            })
            .sum();
        assert_eq!(monthly, total);
        for page in p["anchorPlan"].as_array().unwrap() {
            for v in page["variants"].as_array().unwrap() {
                assert_eq!(v["texts"].as_array().unwrap().len(), 3, "{v}");
            }
        }
        let explain = p["explain"].as_array().unwrap();
        assert_eq!(explain.len(), 6);
        assert_eq!(p["progress"]["live"], 0);
        let links = s
            .call(
                "GET",
                &format!("/v1/plans/{}/links?limit=200", id(&p)),
                Some(&a),
                None,
            )
            .await;
        let mut count = links.body["items"].as_array().unwrap().len() as u64;
        let mut cursor = links.body["nextCursor"].clone();
        while let Some(c) = cursor.as_str() {
            let more = s
                .call(
                    "GET",
                    &format!("/v1/plans/{}/links?limit=200&cursor={c}", id(&p)),
                    Some(&a),
                    None,
                )
                .await;
            count += more.body["items"].as_array().unwrap().len() as u64;
            cursor = more.body["nextCursor"].clone();
        }
        assert_eq!(count, total, "{country}: one planned link per planned link");
    }
    let listed = s
        .call("GET", "/v1/plans?status=draft", Some(&a), None)
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 4);

    let unknown = s
        .call(
            "POST",
            "/v1/plans",
            Some(&a),
            Some(json!({"siteId": site["id"], "countryCode": "DE"})),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.body["errors"][0]["field"], "countryCode");
    assert!(
        unknown.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("PK, CA, UK, USA")
    );
    let elsewhere = s
        .call(
            "POST",
            "/v1/plans",
            Some(&s.member("tenant-b")),
            Some(json!({"siteId": site["id"], "countryCode": "UK"})),
        )
        .await;
    assert_eq!(
        (
            elsewhere.status,
            elsewhere.body["errors"][0]["field"].as_str()
        ),
        (400, Some("siteId")),
        "another tenant's site is no site of this tenant"
    );
}

#[tokio::test]
async fn plan_status_moves_and_deleting_goes_plan_first_then_site() {
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let site = fixture_site(&s, &a).await;
    let p = plan(&s, &a, &site, "UK").await;
    let path = format!("/v1/plans/{}", id(&p));
    let paused = s
        .call("POST", &format!("{path}/pause"), Some(&a), None)
        .await;
    assert_eq!(paused.status, 409, "{:?}", paused.body);
    let active = s
        .call("POST", &format!("{path}/activate"), Some(&a), None)
        .await;
    assert_eq!(active.body["status"], "active");
    let started = active.body["startedAt"].clone();
    assert!(started.is_string());
    s.call("POST", &format!("{path}/pause"), Some(&a), None)
        .await;
    let again = s
        .call("POST", &format!("{path}/activate"), Some(&a), None)
        .await;
    assert_eq!(again.body["startedAt"], started);
    let done = s
        .call("POST", &format!("{path}/complete"), Some(&a), None)
        .await;
    assert_eq!(done.body["status"], "completed");
    let edit = s
        .call(
            "PATCH",
            &path,
            Some(&a),
            Some(json!({"costPerLinkUsd": {"min": 1, "max": 2}})),
        )
        .await;
    assert_eq!(edit.status, 409);

    let site_path = format!("/v1/sites/{}", id(&site));
    let refused = s.call("DELETE", &site_path, Some(&a), None).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body["detail"].as_str().unwrap().contains(id(&p)));
    assert_eq!(s.call("DELETE", &path, Some(&a), None).await.status, 204);
    assert_eq!(s.call("GET", &path, Some(&a), None).await.status, 404);
    assert_eq!(
        s.call("DELETE", &site_path, Some(&a), None).await.status,
        204
    );
    assert_eq!(s.call("GET", &site_path, Some(&a), None).await.status, 404);
}

#[tokio::test]
async fn adjustments_keep_the_months_and_bands_and_name_what_is_wrong() {
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let site = fixture_site(&s, &a).await;
    let p = plan(&s, &a, &site, "UK").await;
    let path = format!("/v1/plans/{}", id(&p));
    let total = p["totalLinksTarget"].as_u64().unwrap();
    let grinders = "https://www.example.com/grinders";
    let before = p["tierAssignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["url"] == grinders)
        .unwrap()["links"]
        .as_u64()
        .unwrap();

    let more = s
        .call("PATCH", &path, Some(&a), Some(json!({"pages": [{"url": grinders, "links": 10}], "costPerLinkUsd": {"min": 50, "max": 100}})))
        .await;
    assert_eq!(more.status, 200, "{:?}", more.body);
    let q = more.body;
    assert_eq!(q["totalLinksTarget"].as_u64().unwrap(), total + 10 - before);
    let page = q["anchorPlan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == grinders)
        .unwrap();
    assert_eq!(page["links"], 10);
    let sum: u64 = q["monthlyPlan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["linksTarget"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, q["totalLinksTarget"].as_u64().unwrap());
    assert_eq!(q["costPerLinkUsd"], json!({"min": 50, "max": 100}));
    let reserve: u64 = q["monthlyPlan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["replacementReserve"].as_u64().unwrap())
        .sum();
    assert_eq!(
        q["budgetEstimateMin"].as_u64().unwrap(),
        (sum + reserve) * 50
    );
    for anchor in q["progress"]["anchors"].as_array().unwrap() {
        let pct = anchor["planned"].as_f64().unwrap() / sum as f64 * 100.0;
        let band = &anchor["band"];
        assert!(
            band["minPct"].as_f64().unwrap() <= pct && pct <= band["maxPct"].as_f64().unwrap(),
            "{anchor}"
        );
    }

    let wrong = s
        .call("PATCH", &path, Some(&a), Some(json!({"pages": [{"url": "https://www.example.com/tag/espresso", "links": 2}, {"url": grinders, "links": 40}]})))
        .await;
    assert_eq!(wrong.status, 400);
    let fields: Vec<&str> = wrong.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["pages.0.url", "pages.1.links"]);
    let months = s
        .call(
            "PATCH",
            &path,
            Some(&a),
            Some(json!({"months": [{"month": 1, "linksTarget": 999}]})),
        )
        .await;
    assert_eq!(months.status, 400);
    assert_eq!(months.body["errors"][0]["field"], "months");

    // Moving a month's links: month 1 takes two more, taken from the months after it.
    let m1 = q["monthlyPlan"][0]["linksTarget"].as_u64().unwrap();
    let m2 = q["monthlyPlan"][1]["linksTarget"].as_u64().unwrap();
    let moved = s
        .call("PATCH", &path, Some(&a), Some(json!({"months": [{"month": 1, "linksTarget": m1 + 2}, {"month": 2, "linksTarget": m2 - 2}]})))
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    let month1 = &moved.body["monthlyPlan"][0];
    let on_pages: u64 = month1["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["links"].as_u64().unwrap())
        .sum();
    assert_eq!(
        (month1["linksTarget"].as_u64().unwrap(), on_pages),
        (m1 + 2, m1 + 2)
    );

    // Hand-added exact-match links: refused once a band would break (branded, at its
    // minimum, goes first here), and exact match never passes its 7% ceiling.
    let mut added = 0;
    let refusal = loop {
        let answer = s
            .call(
                "POST",
                &format!("{path}/links"),
                Some(&a),
                Some(json!({"targetUrl": grinders, "anchorText": "coffee grinder", "anchorType": "exact_match"})),
            )
            .await;
        if answer.status != 201 {
            break answer;
        }
        added += 1;
        assert!(added < 20, "never refused");
    };
    assert_eq!(refusal.status, 409);
    let detail = refusal.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("outside UK's") && detail.contains("% band"),
        "{detail}"
    );
    let now = s.call("GET", &path, Some(&a), None).await.body;
    let links = now["totalLinksTarget"].as_f64().unwrap() + f64::from(added);
    let exact = now["progress"]["anchors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["anchorType"] == "exact_match")
        .unwrap()["planned"]
        .as_f64()
        .unwrap();
    assert!(exact / links * 100.0 <= 7.0, "{exact} of {links}");
}

#[tokio::test]
async fn planned_links_follow_their_lifecycle_and_the_quality_threshold() {
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let site = fixture_site(&s, &a).await;
    let p = plan(&s, &a, &site, "USA").await;
    let list = s
        .call(
            "GET",
            &format!("/v1/plans/{}/links?tier=T1&month=1", id(&p)),
            Some(&a),
            None,
        )
        .await;
    let link = list.body["items"][0].clone();
    assert_eq!(link["targetTier"], "T1");
    assert_eq!(link["status"], "planned");
    let path = format!("/v1/plans/{}/links/{}", id(&p), id(&link));

    let dead = s
        .call("PATCH", &path, Some(&a), Some(json!({"status": "dead"})))
        .await;
    assert_eq!(dead.status, 409);
    assert!(dead.body["detail"].as_str().unwrap().contains("planned"));
    let unscored = s
        .call("PATCH", &path, Some(&a), Some(json!({"status": "ordered"})))
        .await;
    assert_eq!(unscored.status, 409);
    assert!(
        unscored.body["detail"]
            .as_str()
            .unwrap()
            .contains("scoreOpportunity")
    );

    let ordered = s
        .call(
            "PATCH",
            &path,
            Some(&a),
            Some(json!({"status": "ordered", "overrideThreshold": "client's own trade partner",
                "linkType": "guest_post", "sourceUrl": "https://coffee-news.org/partners", "costUsd": 120.456})),
        )
        .await;
    assert_eq!(ordered.status, 200, "{:?}", ordered.body);
    let o = &ordered.body;
    assert_eq!(o["status"], "ordered");
    assert_eq!(o["sourceDomain"], "coffee-news.org");
    assert_eq!(o["costUsd"], 120.46);
    assert_eq!(
        o["thresholdOverride"]["reason"],
        "client's own trade partner"
    );
    assert_eq!(o["thresholdOverride"]["by"], "user-of-tenant-a");
    assert!(o["dateOrdered"].is_string());

    let live = s
        .call("PATCH", &path, Some(&a), Some(json!({"status": "live"})))
        .await;
    assert_eq!(live.body["status"], "live");
    assert!(live.body["dateLive"].is_string());
    let got = s
        .call("GET", &format!("/v1/plans/{}", id(&p)), Some(&a), None)
        .await
        .body;
    assert_eq!(got["progress"]["live"], 1);
    assert_eq!(got["progress"]["months"][0]["live"], 1);
    assert_eq!(got["progress"]["budget"]["spentUsd"], 120.46);
    let t1 = got["progress"]["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tier"] == "T1")
        .unwrap();
    assert_eq!(t1["live"], 1);
    let rejected = s
        .call(
            "PATCH",
            &path,
            Some(&a),
            Some(json!({"status": "rejected"})),
        )
        .await;
    assert_eq!(rejected.status, 409);
    assert_eq!(s.call("DELETE", &path, Some(&a), None).await.status, 204);
    assert_eq!(s.call("GET", &path, Some(&a), None).await.status, 404);
}

#[tokio::test]
async fn scoring_looks_up_both_blocklists_flags_missing_data_and_gates_ordering() {
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let ops = s.token(
        "platform",
        "ops",
        backlinks_core::domain::identity::Role::Superadmin,
    );
    let site = fixture_site(&s, &a).await;
    let p = plan(&s, &a, &site, "UK").await;
    let link = s
        .call(
            "GET",
            &format!("/v1/plans/{}/links?limit=1", id(&p)),
            Some(&a),
            None,
        )
        .await
        .body["items"][0]
        .clone();
    let strong = json!({"organicTraffic": 12000, "domainRating": 48, "indexed": true,
        "trafficStableOrGrowing": true, "nicheRelevant": true, "dofollow": true});

    let clean = s
        .call(
            "POST",
            "/v1/opportunities/score",
            Some(&a),
            Some(
                json!({"sourceDomain": "coffee-review.org", "countryCode": "UK", "facts": strong}),
            ),
        )
        .await;
    assert_eq!(clean.status, 200, "{:?}", clean.body);
    assert_eq!(clean.body["score"], 7);
    assert_eq!(clean.body["threshold"], 6);
    assert_eq!(clean.body["meetsThreshold"], true);
    let missing: Vec<&Value> = clean.body["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["missing"] == true)
        .collect();
    assert_eq!(missing.len(), 4, "the four manual factors were not given");

    // On the platform's list (a subdomain counts), then on the tenant's own.
    let put = s
        .call(
            "PUT",
            "/v1/admin/blocklist/farm.example.net",
            Some(&ops),
            Some(json!({"reason": "link farm"})),
        )
        .await;
    assert_eq!(
        (put.status, put.body["domain"].as_str()),
        (200, Some("example.net"))
    );
    let farmed = s
        .call(
            "POST",
            "/v1/opportunities/score",
            Some(&a),
            Some(
                json!({"sourceDomain": "blog.example.net", "countryCode": "USA", "facts": strong}),
            ),
        )
        .await;
    assert_eq!(farmed.body["blocklistedOn"], json!(["platform"]));
    assert_eq!(farmed.body["score"], 6);
    assert_eq!(farmed.body["meetsThreshold"], false, "USA asks for 7");
    s.call(
        "PUT",
        "/v1/blocklist/coffee-review.org",
        Some(&a),
        Some(json!({"reason": "sells links"})),
    )
    .await;
    let mine = s
        .call(
            "POST",
            "/v1/opportunities/score",
            Some(&a),
            Some(
                json!({"sourceDomain": "coffee-review.org", "countryCode": "UK", "facts": strong}),
            ),
        )
        .await;
    assert_eq!(mine.body["blocklistedOn"], json!(["tenant"]));
    let other = s.member("tenant-b");
    let theirs = s
        .call(
            "POST",
            "/v1/opportunities/score",
            Some(&other),
            Some(
                json!({"sourceDomain": "coffee-review.org", "countryCode": "UK", "facts": strong}),
            ),
        )
        .await;
    assert_eq!(
        theirs.body["blocklistedOn"],
        json!([]),
        "a tenant's list is its own"
    );

    // Stored on a planned link: below the threshold it cannot be ordered, above it can.
    let weak = s
        .call("POST", "/v1/opportunities/score", Some(&a),
            Some(json!({"sourceDomain": "thin-site.org", "planId": p["id"], "plannedLinkId": link["id"],
                "facts": {"organicTraffic": 40, "indexed": true}})))
        .await;
    assert_eq!(weak.body["plannedLinkId"], link["id"]);
    let path = format!("/v1/plans/{}/links/{}", id(&p), id(&link));
    let stored = s.call("GET", &path, Some(&a), None).await.body;
    assert_eq!(stored["sourceDomain"], "thin-site.org");
    assert_eq!(stored["quality"]["score"], weak.body["score"]);
    let refused = s
        .call("PATCH", &path, Some(&a), Some(json!({"status": "ordered"})))
        .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body["detail"].as_str().unwrap().contains("6/11"),
        "{:?}",
        refused.body
    );
    s.call("POST", "/v1/opportunities/score", Some(&a),
        Some(json!({"sourceDomain": "roasters-guild.org", "planId": p["id"], "plannedLinkId": link["id"], "facts": strong})))
        .await;
    let ordered = s
        .call("PATCH", &path, Some(&a), Some(json!({"status": "ordered"})))
        .await;
    assert_eq!(ordered.status, 200, "{:?}", ordered.body);
    assert_eq!(ordered.body["thresholdOverride"], Value::Null);
    assert_eq!(ordered.body["sourceDr"], 48);

    let no_market = s
        .call(
            "POST",
            "/v1/opportunities/score",
            Some(&a),
            Some(json!({"sourceDomain": "x.org"})),
        )
        .await;
    assert_eq!(
        (
            no_market.status,
            no_market.body["errors"][0]["field"].as_str()
        ),
        (400, Some("countryCode"))
    );
}
