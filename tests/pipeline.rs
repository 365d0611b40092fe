//! The prospect pipeline end to end in local mode: jobs from URL lists and from
//! discovery, crawled from fixture sites on loopback, qualified in three layers, with
//! fake search providers and a fake LLM (wiremock).

mod support;

use backlinks_core::config::ProviderSettings;
use backlinks_core::domain::identity::Role;
use serde_json::{Value, json};
use support::{Site, TestServer};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn recent(days_ago: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339()
}

/// A lively publication that invites guest posts.
async fn good_site(domain: &str, editor: &str) -> Site {
    let site = Site::new(domain).await;
    site.page("/", 200, format!(r#"<html lang="en"><head><title>{domain} magazine</title>
        <meta name="generator" content="WordPress 6.5">
        <link rel="alternate" type="application/rss+xml" href="/feed/"></head>
        <body><h1>Sustainable living</h1><p>{}</p>
        <a href="/about">About us</a> <a href="/contact">Contact</a> <a href="/write-for-us">Write for us</a>
        </body></html>"#, "Practical guides for greener homes and gardens. ".repeat(40))).await;
    site.page("/about", 200, "<p>We are a team of gardeners.</p>")
        .await;
    site.page(
        "/contact",
        200,
        "<p>General enquiries: hello@".to_string() + domain + "</p>",
    )
    .await;
    site.page("/write-for-us", 200, format!(r#"<p>We accept guest posts. Pitch <a href="mailto:{editor}@{domain}">Maya Chen</a>.</p>"#)).await;
    let items: String = (0..6)
        .map(|i| {
            format!(
                "<item><pubDate>{}</pubDate></item>",
                chrono::DateTime::parse_from_rfc3339(&recent(i * 10))
                    .unwrap()
                    .to_rfc2822()
            )
        })
        .collect();
    site.page(
        "/feed/",
        200,
        format!("<rss><channel>{items}</channel></rss>"),
    )
    .await;
    site
}

/// A parked page: nothing to publish, nobody to write to.
async fn thin_site(domain: &str) -> Site {
    let site = Site::new(domain).await;
    site.page("/", 200, "<p>This domain is for sale.</p>").await;
    site
}

async fn server(sites: &[&Site], providers: ProviderSettings) -> TestServer {
    let resolve: Vec<_> = sites.iter().map(|s| s.addr()).collect();
    TestServer::start_with(move |o| {
        o.resolve = resolve;
        o.providers = providers;
    })
    .await
}

/// Pauses, resumes or cancels the job at `path`.
async fn job_action(s: &TestServer, t: &str, path: &str, action: &str) -> support::Answer {
    s.call("POST", &format!("{path}/{action}"), Some(t), None)
        .await
}

/// Runs the seed stage until no chunk is left, and answers the job as it then is.
async fn seeded(s: &TestServer, t: &str, job: &Value) -> Value {
    let seed = backlinks_core::jobs::by_name("seed").unwrap();
    while backlinks_core::local::workers::drain_once(s.local.app.clone(), &seed)
        .await
        .unwrap()
        > 0
    {}
    let id = job["id"].as_str().unwrap();
    s.call("GET", &format!("/v1/jobs/{id}"), Some(t), None)
        .await
        .body
}

/// Creates a job (202), seeds it and returns it.
async fn create_job(s: &TestServer, t: &str, body: Value) -> Value {
    let a = s.call("POST", "/v1/jobs", Some(t), Some(body)).await;
    assert_eq!(a.status, 202, "{:?}", a.body);
    assert_eq!(a.body["status"], "pending");
    seeded(s, t, &a.body).await
}

async fn results(s: &TestServer, token: &str, job: &str, query: &str) -> Vec<Value> {
    let a = s
        .call(
            "GET",
            &format!("/v1/jobs/{job}/results{query}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    a.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_url_job_for_a_campaign_qualifies_sites_and_adds_the_good_ones() {
    let good = good_site("greenmag.org", "maya").await;
    let thin = thin_site("parked-domain.com").await;
    let s = server(&[&good, &thin], ProviderSettings::default()).await;
    let t = s.member("acme");
    let campaign = s
        .campaign(
            &t,
            json!({"name": "Green", "targetUrl": "https://client-shop.com/"}),
        )
        .await;
    s.campaign(
        &t,
        json!({"name": "Other product", "targetUrl": "https://blog.second-shop.com/"}),
    )
    .await;
    let sup = s
        .call(
            "POST",
            "/v1/suppressions",
            Some(&t),
            Some(json!({"value": "do-not-contact.org"})),
        )
        .await;
    assert_eq!(sup.status, 201);
    let job = s
        .call("POST", "/v1/jobs", Some(&t), Some(json!({
            "name": "Batch 1", "campaignId": campaign["id"],
            "urls": ["https://greenmag.org/blog/post-1", "greenmag.org/other", "https://parked-domain.com",
                     "https://client-shop.com/x", "https://someone.blogspot.com/", "https://www.do-not-contact.org/", "https://second-shop.com/"]
        })))
        .await;
    assert_eq!(job.status, 202, "{:?}", job.body);
    let seeded_job = seeded(&s, &t, &job.body).await;
    // One URL per site; the tenant's own sites and suppressed domains are left out.
    assert_eq!(seeded_job["totalUrls"], 3);
    assert_eq!(seeded_job["status"], "processing");
    let id = job.body["id"].as_str().unwrap().to_string();

    s.drain().await;
    let done = s
        .call("GET", &format!("/v1/jobs/{id}"), Some(&t), None)
        .await
        .body;
    assert_eq!(done["status"], "completed", "{done:?}");
    assert_eq!(
        (
            done["processedUrls"].clone(),
            done["passedUrls"].clone(),
            done["rejectedUrls"].clone()
        ),
        (json!(3), json!(1), json!(2))
    );

    let all = results(&s, &t, &id, "").await;
    let by_domain = |d: &str| all.iter().find(|r| r["domain"] == d).unwrap().clone();
    let g = by_domain("greenmag.org");
    assert_eq!(g["classification"], "approved");
    assert_eq!(g["currentLayer"], "layer3");
    assert!(
        g["confidenceBand"]
            .as_str()
            .is_some_and(|b| ["very-high", "high", "medium", "low"].contains(&b)),
        "{g:?}"
    );
    assert_eq!(g["layer3Factors"]["llmProvider"], "heuristic");
    assert_eq!(g["layer2Factors"]["detectedCms"], "WordPress");
    assert_eq!(g["layer2Factors"]["recentPostCount"], 6);
    assert_eq!(g["contact"]["emails"][0]["email"], "maya@greenmag.org");
    assert_eq!(g["contact"]["name"], "Maya Chen");
    assert!(
        g["contact"]["pageUrl"]
            .as_str()
            .unwrap()
            .ends_with("/write-for-us")
    );
    let blog = by_domain("someone.blogspot.com");
    assert_eq!(
        (blog["currentLayer"].clone(), blog["layer1Status"].clone()),
        (json!("layer1"), json!("reject"))
    );
    assert_eq!(blog["confidenceBand"], "auto_reject");
    let parked = by_domain("parked-domain.com");
    assert_eq!(parked["layer2Status"], "reject");

    // The good site became an outreach backlink in the campaign, recipient from the crawl.
    let links = s
        .call(
            "GET",
            &format!(
                "/v1/backlinks?campaignId={}",
                campaign["id"].as_str().unwrap()
            ),
            Some(&t),
            None,
        )
        .await
        .body;
    let b = &links["items"][0];
    assert_eq!(links["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        (b["sourceDomain"].clone(), b["outreachStatus"].clone()),
        (json!("greenmag.org"), json!("prospecting"))
    );
    assert_eq!(b["recipientEmail"], "maya@greenmag.org");
    assert_eq!(b["recipientName"], "Maya Chen");
    assert_eq!(b["prospectType"], "guest-post");
    assert!(
        b["relevanceScore"]
            .as_u64()
            .is_some_and(|r| (1..=10).contains(&r))
    );
    // The contact page is where the address was found; it does not carry the link.
    assert!(b["contactUrl"].as_str().unwrap().ends_with("/write-for-us"));
    assert!(b["sourceUrl"].as_str().unwrap().starts_with("http"));
    assert!(b["placementUrl"].is_null());
    assert_eq!(g["backlinkId"], b["id"]);

    // Filters on results.
    assert_eq!(
        results(&s, &t, &id, "?classification=approved").await.len(),
        1
    );
    let l1 = results(&s, &t, &id, "?layer=layer1").await;
    assert_eq!(l1.len(), 1);
    assert_eq!(
        results(&s, &t, &id, "?confidenceBand=auto_reject")
            .await
            .len(),
        2
    );

    // The same site in a later job is not added to the campaign twice.
    let again = s
        .call(
            "POST",
            "/v1/jobs",
            Some(&t),
            Some(json!({"campaignId": campaign["id"], "urls": ["https://greenmag.org/"]})),
        )
        .await;
    let again = seeded(&s, &t, &again.body).await;
    assert_eq!(again["totalUrls"], 0);
    assert_eq!(again["status"], "completed");

    let activity = s.call("GET", "/v1/activity", Some(&t), None).await.body;
    let actions: Vec<&str> = activity["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"job_created") && actions.contains(&"job_completed"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn redelivered_messages_change_nothing_twice() {
    let good = good_site("twicemag.org", "ana").await;
    let s = server(&[&good], ProviderSettings::default()).await;
    let t = s.member("acme");
    let job = create_job(&s, &t, json!({"urls": ["https://twicemag.org/"]})).await;
    let id = job["id"].as_str().unwrap();
    let result = results(&s, &t, id, "").await[0].clone();
    let message = json!({"tenantId": "acme", "jobId": id, "resultId": result["id"]}).to_string();
    let app = s.local.app.clone();
    for name in ["crawl", "crawl", "qualify", "qualify", "crawl"] {
        let job = backlinks_core::jobs::by_name(name).unwrap();
        backlinks_core::jobs::run_message(app.clone(), &job, "m", message.clone())
            .await
            .unwrap();
    }
    let done = s
        .call("GET", &format!("/v1/jobs/{id}"), Some(&t), None)
        .await
        .body;
    assert_eq!(
        (done["processedUrls"].clone(), done["status"].clone()),
        (json!(1), json!("completed"))
    );
}

#[tokio::test]
async fn jobs_pause_resume_and_cancel() {
    let good = good_site("pausemag.org", "kim").await;
    let other = good_site("othermag.org", "lee").await;
    let s = server(&[&good, &other], ProviderSettings::default()).await;
    let t = s.member("acme");
    let job = create_job(&s, &t, json!({"urls": ["pausemag.org", "othermag.org"]})).await;
    let path = format!("/v1/jobs/{}", job["id"].as_str().unwrap());
    assert_eq!(
        job_action(&s, &t, &path, "pause").await.body["status"],
        "paused"
    );
    s.drain().await;
    let paused = s.call("GET", &path, Some(&t), None).await.body;
    assert_eq!(
        (paused["status"].clone(), paused["processedUrls"].clone()),
        (json!("paused"), json!(0))
    );
    assert_eq!(job_action(&s, &t, &path, "pause").await.status, 409);
    assert_eq!(
        job_action(&s, &t, &path, "resume").await.body["status"],
        "processing"
    );
    s.drain().await;
    assert_eq!(
        s.call("GET", &path, Some(&t), None).await.body["status"],
        "completed"
    );
    assert_eq!(job_action(&s, &t, &path, "cancel").await.status, 409);

    let second = create_job(&s, &t, json!({"urls": ["othermag.org"]})).await;
    let path = format!("/v1/jobs/{}", second["id"].as_str().unwrap());
    assert_eq!(
        job_action(&s, &t, &path, "cancel").await.body["status"],
        "cancelled"
    );
    s.drain().await;
    let r = results(&s, &t, second["id"].as_str().unwrap(), "").await;
    assert_eq!(r[0]["state"], "cancelled");
    let listed = s
        .call("GET", "/v1/jobs?status=cancelled", Some(&t), None)
        .await
        .body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_job_requests_name_the_field() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let field = |a: &support::Answer| {
        a.body["errors"][0]["field"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let a = s
        .call(
            "POST",
            "/v1/jobs",
            Some(&t),
            Some(json!({"urls": ["https://ok.org", "ftp://bad.org", "http://10.0.0.1/"]})),
        )
        .await;
    assert_eq!(
        a.body["errors"].as_array().unwrap().len(),
        2,
        "{:?}",
        a.body
    );
    assert_eq!(field(&a), "urls.1");
    assert_eq!(
        field(
            &s.call("POST", "/v1/jobs", Some(&t), Some(json!({"urls": []})))
                .await
        ),
        "urls"
    );
    assert_eq!(
        field(&s.call("POST", "/v1/jobs", Some(&t), Some(json!({}))).await),
        "urls"
    );
    let c = s
        .campaign(&t, json!({"name": "c", "keywords": ["seo"]}))
        .await;
    let no_provider = s.discover(&t, &c, json!({})).await;
    assert_eq!(no_provider.status, 400);
    assert!(
        no_provider.body["detail"]
            .as_str()
            .unwrap()
            .contains("no search provider is configured")
    );
}

async fn exa_and_ddg(hits: &[&str]) -> (MockServer, MockServer) {
    let exa = MockServer::start().await;
    let results: Vec<Value> = hits
        .iter()
        .map(|u| json!({"url": u, "title": "t", "text": "x"}))
        .collect();
    Mock::given(method("POST"))
        .and(path("/search"))
        .and(wiremock::matchers::header("x-api-key", "exa-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": results})))
        .mount(&exa)
        .await;
    let ddg = MockServer::start().await;
    let html = r#"<div class="result results_links"><a class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fddgmag.org%2Fwrite-for-us&rut=x">DDG mag</a>
        <a class="result__snippet">Write for us</a></div>
        <div class="result result--ad"><a class="result__a" href="https://duckduckgo.com/y.js?ad_domain=ads.org">Ad</a></div>
        <div class="result"><a class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fduckduckgo.com%2Fsettings">internal</a></div>"#;
    Mock::given(method("POST"))
        .and(path("/html/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(html.as_bytes().to_vec(), "text/html"),
        )
        .mount(&ddg)
        .await;
    (exa, ddg)
}

#[tokio::test]
async fn discovery_searches_every_provider_and_seeds_the_job() {
    let (exa, ddg) = exa_and_ddg(&[
        "https://exasite.org/resources",
        "https://www.exasite.org/other",
        "https://client-shop.com/",
    ])
    .await;
    let exasite = good_site("exasite.org", "ed").await;
    let ddgmag = good_site("ddgmag.org", "jo").await;
    let providers = ProviderSettings {
        exa: Some((exa.uri(), "exa-key".into())),
        duckduckgo: Some(ddg.uri()),
        ..ProviderSettings::default()
    };
    let s = server(&[&exasite, &ddgmag], providers).await;
    let t = s.member("acme");
    let c = s
        .campaign(&t, json!({"name": "c", "keywords": ["green living"], "targetUrl": "https://client-shop.com/", "limits": {"maxOpportunities": 5}}))
        .await;
    let job = s.discover(&t, &c, json!({})).await;
    assert_eq!(job.status, 202, "{:?}", job.body);
    assert_eq!(job.body["status"], "pending");
    assert_eq!(job.body["queries"][0], "green living \"write for us\"");
    s.drain().await;
    let id = job.body["id"].as_str().unwrap();
    let done = s
        .call("GET", &format!("/v1/jobs/{id}"), Some(&t), None)
        .await
        .body;
    assert_eq!(
        (done["status"].clone(), done["totalUrls"].clone()),
        (json!("completed"), json!(2)),
        "{done:?}"
    );
    let mut domains: Vec<String> = results(&s, &t, id, "")
        .await
        .iter()
        .map(|r| r["domain"].as_str().unwrap().to_string())
        .collect();
    domains.sort();
    assert_eq!(domains, vec!["ddgmag.org", "exasite.org"]);
    assert_eq!(done["passedUrls"], 2);
}

#[tokio::test]
async fn a_provider_that_stays_down_fails_the_job_visibly() {
    let exa = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        // Three attempts at each query: every query is tried, since another might answer.
        .expect(3..)
        .mount(&exa)
        .await;
    let providers = ProviderSettings {
        exa: Some((exa.uri(), "k".into())),
        ..ProviderSettings::default()
    };
    let s = server(&[], providers).await;
    let t = s.member("acme");
    let c = s
        .campaign(&t, json!({"name": "c", "keywords": ["x"]}))
        .await;
    let job = s.discover(&t, &c, json!({})).await.body;
    let message = json!({"tenantId": "acme", "jobId": job["id"]});
    let app = s.local.app.clone();
    backlinks_core::app::discover::run(
        &app,
        &serde_json::from_value(message).unwrap(),
        std::time::Duration::from_millis(5),
    )
    .await
    .unwrap();
    let failed = s
        .call(
            "GET",
            &format!("/v1/jobs/{}", job["id"].as_str().unwrap()),
            Some(&t),
            None,
        )
        .await
        .body;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["lastError"]
            .as_str()
            .unwrap()
            .contains("exa is unavailable"),
        "{failed:?}"
    );
}

fn llm_answer(content: &str) -> Value {
    json!({"model": "test-model", "choices": [{"message": {"role": "assistant", "content": content}}],
           "usage": {"prompt_tokens": 1000, "completion_tokens": 200}})
}

#[tokio::test]
async fn an_llm_classifies_when_configured_and_bad_answers_are_retried() {
    let llm = MockServer::start().await;
    let verdict = json!({"classification": "approved", "content_quality_score": 0.9, "reasoning": "Active guest-post friendly magazine.",
        "sophistication_signals": ["editorial team"], "relevance_indicators": ["write for us"], "red_flags": [],
        "confidence_explanation": "clear signals"});
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(wiremock::matchers::header(
            "authorization",
            "Bearer llm-key",
        ))
        .and(wiremock::matchers::body_string_contains("llmmag.org"))
        .respond_with(ResponseTemplate::new(200).set_body_json(llm_answer(&verdict.to_string())))
        .mount(&llm)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(wiremock::matchers::body_string_contains("chatty.org"))
        .respond_with(ResponseTemplate::new(200).set_body_json(llm_answer("Sure! It looks great.")))
        .mount(&llm)
        .await;
    let good = good_site("llmmag.org", "max").await;
    let chatty = good_site("chatty.org", "sam").await;
    let openai = backlinks_core::adapters::openai::OpenAiConfig {
        base_url: format!("{}/v1", llm.uri()),
        api_key: "llm-key".into(),
        default_model: "test-model".into(),
        input_price_per_million: 1.0,
        output_price_per_million: 2.0,
    };
    let s = server(
        &[&good, &chatty],
        ProviderSettings {
            openai: Some(openai),
            ..ProviderSettings::default()
        },
    )
    .await;
    let t = s.member("acme");
    let job = create_job(&s, &t, json!({"urls": ["llmmag.org", "chatty.org"]})).await;
    let id = job["id"].as_str().unwrap().to_string();
    s.drain().await;
    let all = results(&s, &t, &id, "").await;
    let good = all.iter().find(|r| r["domain"] == "llmmag.org").unwrap();
    let l3 = &good["layer3Factors"];
    assert_eq!(
        (
            l3["llmProvider"].clone(),
            l3["modelVersion"].clone(),
            l3["tokensUsed"].clone()
        ),
        (json!("openai-compatible"), json!("test-model"), json!(1200))
    );
    assert!((l3["costUsd"].as_f64().unwrap() - 0.0014).abs() < 1e-9);
    assert_eq!(good["classification"], "approved");

    // The unusable answer is retried (the queue redelivers) and then recorded as failed.
    let chatty = all
        .iter()
        .find(|r| r["domain"] == "chatty.org")
        .unwrap()
        .clone();
    assert_eq!(
        (chatty["state"].clone(), chatty["retryCount"].clone()),
        (json!("crawled"), json!(1))
    );
    assert!(
        chatty["lastError"]
            .as_str()
            .unwrap()
            .contains("not the JSON asked for")
    );
    let message = json!({"tenantId": "acme", "jobId": id, "resultId": chatty["id"]}).to_string();
    let qualify = backlinks_core::jobs::by_name("qualify").unwrap();
    for _ in 0..2 {
        let _ =
            backlinks_core::jobs::run_message(s.local.app.clone(), &qualify, "m", message.clone())
                .await;
    }
    let failed = results(&s, &t, &id, "?state=failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["retryCount"], 3);
    let done = s
        .call("GET", &format!("/v1/jobs/{id}"), Some(&t), None)
        .await
        .body;
    assert_eq!(
        (done["status"].clone(), done["failedUrls"].clone()),
        (json!("completed"), json!(1))
    );
}

#[tokio::test]
async fn classification_settings_are_validated_and_admin_only() {
    let s = TestServer::start().await;
    let member = s.member("acme");
    let admin = s.token("acme", "boss", Role::Admin);
    let mut settings = s
        .call("GET", "/v1/settings/classification", Some(&member), None)
        .await
        .body;
    assert_eq!(
        settings["layer3Rules"]["confidenceThresholds"]["high"],
        0.85
    );
    assert_eq!(
        s.call(
            "PUT",
            "/v1/settings/classification",
            Some(&member),
            Some(settings.clone())
        )
        .await
        .status,
        403
    );
    settings["layer1Rules"]["urlPatternExclusions"][0]["pattern"] = json!("(oops");
    let bad = s
        .call(
            "PUT",
            "/v1/settings/classification",
            Some(&admin),
            Some(settings.clone()),
        )
        .await;
    assert_eq!(
        bad.body["errors"][0]["field"],
        "layer1Rules.urlPatternExclusions.0.pattern"
    );
    settings["layer1Rules"]["urlPatternExclusions"][0]["pattern"] = json!("greenmag");
    settings["layer2Rules"]["blogFreshnessThresholdDays"] = json!(30);
    let ok = s
        .call(
            "PUT",
            "/v1/settings/classification",
            Some(&admin),
            Some(settings.clone()),
        )
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let read = s
        .call("GET", "/v1/settings/classification", Some(&member), None)
        .await
        .body;
    assert_eq!(read["layer2Rules"]["blogFreshnessThresholdDays"], 30);
    let other = s
        .call(
            "GET",
            "/v1/settings/classification",
            Some(&s.member("other")),
            None,
        )
        .await
        .body;
    assert_eq!(other["layer2Rules"]["blogFreshnessThresholdDays"], 90);
}

#[tokio::test]
async fn a_csv_upload_for_a_campaign_qualifies_its_urls_instead_of_discovering() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let campaign = s
        .campaign(&t, json!({"name": "CSV", "keywords": ["compost"]}))
        .await;
    let job = create_job(
        &s,
        &t,
        json!({
            "campaignId": campaign["id"],
            "csv": "name,Website\nGreen,greenmag.org\nBlue,https://blue-garden.org/\n"
        }),
    )
    .await;
    assert_eq!(job["totalUrls"], 2, "{job:?}");
    let id = job["id"].as_str().unwrap();
    let urls: Vec<String> = results(&s, &t, id, "")
        .await
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert!(urls.iter().any(|u| u.contains("greenmag.org")));
    assert!(urls.iter().any(|u| u.contains("blue-garden.org")));
    let activity = s.call("GET", "/v1/activity", Some(&t), None).await.body;
    assert!(
        !activity.to_string().contains("\"search\""),
        "no discovery ran: {activity}"
    );
}

/// Runs a discovery job's discover message once, as a redelivery would.
async fn run_discover(s: &TestServer, job: &Value) {
    let message = json!({"tenantId": "acme", "jobId": job["id"]});
    backlinks_core::app::discover::run(
        &s.local.app,
        &serde_json::from_value(message).unwrap(),
        std::time::Duration::from_millis(5),
    )
    .await
    .unwrap();
}

/// A server searching with both fakes, a member's token, and a pending discovery job of a
/// campaign with one keyword (eight footprint queries).
async fn discovery_job(
    exa: &MockServer,
    ddg: &MockServer,
    sites: &[&Site],
) -> (TestServer, String, Value) {
    let providers = ProviderSettings {
        exa: Some((exa.uri(), "exa-key".into())),
        duckduckgo: Some(ddg.uri()),
        ..ProviderSettings::default()
    };
    let s = server(sites, providers).await;
    let t = s.member("acme");
    let c = s
        .campaign(&t, json!({"name": "c", "keywords": ["green living"]}))
        .await;
    let job = s.discover(&t, &c, json!({})).await.body;
    (s, t, job)
}

#[tokio::test]
async fn discovery_keeps_one_providers_hits_when_the_other_is_down() {
    let (_, ddg) = exa_and_ddg(&[]).await;
    let exa = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&exa)
        .await;
    let ddgmag = good_site("ddgmag.org", "jo").await;
    let (s, t, job) = discovery_job(&exa, &ddg, &[&ddgmag]).await;
    run_discover(&s, &job).await;
    let id = job["id"].as_str().unwrap();
    let seeded = seeded(&s, &t, &job).await;
    assert_eq!(
        (seeded["status"].clone(), seeded["totalUrls"].clone()),
        (json!("processing"), json!(1)),
        "{seeded:?}"
    );
    let failures = seeded["searchFailures"].as_array().unwrap();
    assert_eq!(failures.len(), 8, "every query failed on exa: {failures:?}");
    assert!(
        failures.iter().all(|f| f["provider"] == "exa"
            && f["error"].as_str().unwrap().contains("exa is unavailable"))
    );
    assert_eq!(results(&s, &t, id, "").await[0]["domain"], "ddgmag.org");
}

async fn calls(provider: &MockServer) -> usize {
    provider.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn a_redelivered_discover_message_does_not_search_again() {
    let (exa, ddg) = exa_and_ddg(&["https://exasite.org/"]).await;
    let (s, t, job) = discovery_job(&exa, &ddg, &[]).await;
    run_discover(&s, &job).await;
    assert_eq!((calls(&exa).await, calls(&ddg).await), (8, 8));
    // Delivered again before the seed stage ran: the stored runs are used as they are.
    run_discover(&s, &job).await;
    assert_eq!((calls(&exa).await, calls(&ddg).await), (8, 8));
    let seeded = seeded(&s, &t, &job).await;
    assert_eq!(seeded["totalUrls"], 2, "{seeded:?}");
}
