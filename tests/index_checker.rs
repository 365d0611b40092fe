//! The DataForSEO index checker against a fake DataForSEO (wiremock). Answers follow the
//! documented shape of Live Google Organic SERP Regular
//! (<https://docs.dataforseo.com/v3/serp/google/organic/live/regular/>) and its status
//! codes (<https://docs.dataforseo.com/v3/appendix/errors/>,
//! <https://dataforseo.com/help-center/what-does-the-40101-error-mean>,
//! <https://dataforseo.com/help-center/what-does-the-40102-error-mean>).

use backlinks_core::adapters::dataforseo::{
    DEFAULT_LANGUAGE_CODE, DEFAULT_LOCATION_CODE, DataForSeo, DataForSeoConfig,
};
use backlinks_core::ports::{IndexChecker, IndexError};
use serde_json::{Value, json};
use std::time::Duration;
use url::Url;
use wiremock::matchers::{any, body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ENDPOINT: &str = "/v3/serp/google/organic/live/regular";
const PAGE: &str = "https://blog.example.org/guides/composting";
/// `site:` queries cost five times a plain SERP (help center: check-if-a-page-is-indexed).
const COST: f64 = 0.01;

fn checker(server: &MockServer) -> DataForSeo {
    DataForSeo::new(
        reqwest::Client::new,
        DataForSeoConfig {
            base_url: format!("{}/", server.uri()),
            login: "login".into(),
            password: "secret".into(),
            location_code: DEFAULT_LOCATION_CODE,
            language_code: DEFAULT_LANGUAGE_CODE.into(),
        },
    )
}

fn page() -> Url {
    Url::parse(PAGE).unwrap()
}

/// The response envelope with one task of the given status and SERP items.
fn answer(envelope_status: u32, task_status: u32, message: &str, items: Value) -> Value {
    let result = if task_status == 20000 {
        json!([{
            "keyword": format!("site:{PAGE}"),
            "type": "organic",
            "se_domain": "google.com",
            "location_code": 2840,
            "language_code": "en",
            "check_url": "https://www.google.com/search?q=site%3Ahttps%3A%2F%2Fblog.example.org%2Fguides%2Fcomposting&num=10&hl=en&gl=US",
            "datetime": "2025-06-02 09:15:04 +00:00",
            "spell": null,
            "item_types": ["organic", "paid"],
            "se_results_count": 3,
            "items_count": items.as_array().map_or(0, Vec::len),
            "items": items,
        }])
    } else {
        Value::Null
    };
    json!({
        "version": "0.1.20250526",
        "status_code": envelope_status,
        "status_message": if envelope_status == 20000 { "Ok." } else { message },
        "time": "7.4112 sec.",
        "cost": COST,
        "tasks_count": 1,
        "tasks_error": u32::from(task_status != 20000),
        "tasks": [{
            "id": "06021215-1535-0139-0000-3d8c5e3b2a41",
            "status_code": task_status,
            "status_message": if task_status == 20000 { "Ok." } else { message },
            "time": "7.3110 sec.",
            "cost": COST,
            "result_count": u32::from(task_status == 20000),
            "path": ["v3", "serp", "google", "organic", "live", "regular"],
            "data": {"api": "serp", "function": "live", "se": "google", "se_type": "organic",
                "keyword": format!("site:{PAGE}"), "location_code": 2840, "language_code": "en",
                "depth": 10, "device": "desktop", "os": "windows"},
            "result": result,
        }],
    })
}

fn ok(items: Value) -> Value {
    answer(20000, 20000, "Ok.", items)
}

fn organic(url: &str, rank: u32) -> Value {
    json!({
        "type": "organic", "rank_group": rank, "rank_absolute": rank, "domain": "blog.example.org",
        "title": "Composting at home", "description": "A guide to composting.", "url": url,
        "breadcrumb": "https://blog.example.org › guides",
    })
}

async fn serving(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_page_among_organic_results_is_indexed_and_the_request_is_as_documented() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .and(header("authorization", "Basic bG9naW46c2VjcmV0")) // base64 of login:secret
        .and(header("content-type", "application/json"))
        .and(body_json(json!([{
            "keyword": format!("site:{PAGE}"),
            "location_code": 2840,
            "language_code": "en",
            "depth": 10,
        }])))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok(json!([
            organic("https://blog.example.org/guides/composting-bins", 1),
            // The same page as Google shows it: another scheme, `www.`, a trailing slash.
            organic("http://www.blog.example.org/guides/composting/", 2),
        ]))))
        .expect(1)
        .mount(&server)
        .await;

    let answer = checker(&server).is_indexed(&page()).await.unwrap();
    assert!(answer.indexed);
    assert_eq!(answer.checked_query, format!("site:{PAGE}"));
    assert_eq!(answer.provider, "dataforseo");
    assert_eq!(answer.cost_usd, COST);
}

#[tokio::test]
async fn other_pages_ads_and_empty_results_are_not_indexed_and_still_cost() {
    let others = ok(json!([
        organic("https://blog.example.org/guides/composting-bins", 1),
        organic("https://blog.example.org/guides/composting?page=2", 2),
        organic("https://example.org/guides/composting", 3),
        {"type": "paid", "rank_group": 1, "rank_absolute": 4, "domain": "blog.example.org",
         "title": "Composting", "description": "Ad", "url": PAGE, "breadcrumb": "blog.example.org"},
    ]));
    let no_items = ok(Value::Null);
    let no_results = answer(20000, 40102, "No Search Results.", Value::Null);
    for body in [others, no_items, no_results] {
        let server = serving(ResponseTemplate::new(200).set_body_json(&body)).await;
        let answer = checker(&server).is_indexed(&page()).await.unwrap();
        assert!(!answer.indexed, "{body}");
        assert_eq!(answer.cost_usd, COST);
    }
}

#[tokio::test]
async fn percent_and_plus_in_the_url_survive_dataforseo_decoding_the_keyword() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .and(body_json(json!([{
            "keyword": "site:https://blog.example.org/caf%25C3%25A9?q=a%2Bb",
            "location_code": 2840,
            "language_code": "en",
            "depth": 10,
        }])))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok(json!([organic(
            "https://blog.example.org/café?q=a+b",
            1
        )]))))
        .expect(1)
        .mount(&server)
        .await;
    let url = Url::parse("https://blog.example.org/café?q=a+b#top").unwrap();
    let answer = checker(&server).is_indexed(&url).await.unwrap();
    assert!(answer.indexed);
    assert_eq!(
        answer.checked_query,
        "site:https://blog.example.org/caf%C3%A9?q=a+b"
    );
}

fn refused(result: Result<backlinks_core::ports::IndexAnswer, IndexError>) -> String {
    match result {
        Err(e @ IndexError::Refused { .. }) => {
            assert!(!e.retryable());
            let text = e.to_string();
            assert!(!text.contains("secret"), "the password leaked: {text}");
            text
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn credentials_balance_and_base_url_problems_are_refused_naming_what_to_fix() {
    let cases = [
        (ResponseTemplate::new(401), "DATAFORSEO_PASSWORD"),
        (ResponseTemplate::new(402), "balance"),
        (ResponseTemplate::new(403), "DATAFORSEO_LOGIN"),
        (ResponseTemplate::new(404), "DATAFORSEO_BASE_URL"),
        // Status codes by family: 402xx is the account's balance, plan and limits (40202,
        // its rate limit, aside); any other 4xxxx refuses the request itself.
        (
            ResponseTemplate::new(200).set_body_json(answer(
                40200,
                40200,
                "Payment Required.",
                Value::Null,
            )),
            "balance",
        ),
        (
            ResponseTemplate::new(200).set_body_json(answer(
                20000,
                40501,
                "Invalid Field: 'language_code'.",
                Value::Null,
            )),
            "Invalid Field",
        ),
    ];
    for (template, names) in cases {
        let server = serving(template).await;
        let text = refused(checker(&server).is_indexed(&page()).await);
        assert!(text.contains(names), "{text}");
    }
}

#[tokio::test]
async fn addresses_that_are_no_web_pages_are_refused_without_a_paid_request() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let mail = Url::parse("mailto:editor@blog.example.org").unwrap();
    refused(checker(&server).is_indexed(&mail).await);
    let long = Url::parse(&format!("{PAGE}/{}", "a".repeat(700))).unwrap();
    refused(checker(&server).is_indexed(&long).await);
}

#[tokio::test]
async fn server_errors_rate_limits_search_engine_failures_and_timeouts_are_transient() {
    let cases = [
        ResponseTemplate::new(500),
        ResponseTemplate::new(503),
        ResponseTemplate::new(429),
        ResponseTemplate::new(200).set_body_json(answer(
            20000,
            40101,
            "Internal SE Server Error.",
            Value::Null,
        )),
        ResponseTemplate::new(200).set_body_json(answer(
            40202,
            40202,
            "Rate limit exceeded.",
            Value::Null,
        )),
        ResponseTemplate::new(200).set_body_string("<html>Bad gateway</html>"),
        ResponseTemplate::new(200)
            .set_body_json(ok(json!([])))
            .set_delay(Duration::from_secs(5)),
    ];
    for template in cases {
        let server = serving(template).await;
        let result = checker(&server)
            .with_timeout(Duration::from_millis(500))
            .is_indexed(&page())
            .await;
        match result {
            Err(e @ IndexError::Unavailable { .. }) => assert!(e.retryable()),
            other => panic!("expected a transient failure, got {other:?}"),
        }
    }
}
