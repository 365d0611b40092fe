//! Anchor refinement by the LLM port (issue 14): without an LLM the API names the setting
//! that enables it; with one (wiremock), checked answers replace the drafted variants, the
//! planned links follow, and the call's metadata is kept on the plan.

mod support;

use serde_json::{Value, json};
use support::TestServer;
use support::plans::fixture_site;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const HOME: &str = "https://www.example.com/";

fn variants_of<'a>(plan: &'a Value, url: &str, anchor: &str) -> &'a Value {
    let page = plan["anchorPlan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == url)
        .unwrap();
    let v = page["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["anchorType"] == anchor)
        .unwrap();
    &v["texts"]
}

#[tokio::test]
async fn without_an_llm_the_answer_names_the_setting() {
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let site = fixture_site(&s, &a).await;
    let answer = s
        .call(
            "POST",
            "/v1/plans",
            Some(&a),
            Some(json!({"siteId": site["id"], "countryCode": "UK", "refineAnchors": true})),
        )
        .await;
    assert_eq!(answer.status, 501, "{:?}", answer.body);
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("OPENAI_API_KEY")
    );
    assert_eq!(
        s.call("GET", "/v1/usage", Some(&a), None).await.body["totalCredits"],
        0,
        "nothing charged"
    );
}

#[tokio::test]
async fn checked_refinements_replace_the_drafts_and_the_links_follow() {
    let llm = MockServer::start().await;
    // Generic anchors are rephrased; branded ones without the brand fail the check.
    let content = json!({"pages": [{"url": HOME, "variants": {
        "generic": ["see the shop", "browse here", "take a look"],
        "branded": ["The roastery", "Our beans", "Coffee people"],
    }}]})
    .to_string();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "model": "anchor-1", "choices": [{"message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 100}})))
        .mount(&llm)
        .await;
    let openai = backlinks_core::adapters::openai::OpenAiConfig {
        base_url: format!("{}/v1", llm.uri()),
        api_key: "k".into(),
        default_model: "anchor-1".into(),
        input_price_per_million: 1.0,
        output_price_per_million: 4.0,
    };
    let s = TestServer::start_with(move |o| o.providers.openai = Some(openai)).await;
    let a = s.member("tenant-a");
    let site = fixture_site(&s, &a).await;
    let made = s
        .call(
            "POST",
            "/v1/plans",
            Some(&a),
            Some(json!({"siteId": site["id"], "countryCode": "UK", "refineAnchors": true})),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let p = made.body;
    assert_eq!(
        *variants_of(&p, HOME, "generic"),
        json!(["see the shop", "browse here", "take a look"])
    );
    let branded = variants_of(&p, HOME, "branded").as_array().unwrap();
    assert!(
        branded
            .iter()
            .all(|t| t.as_str().unwrap().contains("Northwind")),
        "{branded:?}"
    );
    let r = &p["anchorRefinement"];
    assert_eq!(r["pagesRefined"], 1);
    assert_eq!(r["generation"]["model"], "anchor-1");
    assert_eq!(r["generation"]["tokens"].as_u64().unwrap() % 1000, 0);
    assert!(r["typesKept"].as_u64().unwrap() >= 1);

    let links = s
        .call(
            "GET",
            &format!(
                "/v1/plans/{}/links?anchorType=generic&limit=200",
                p["id"].as_str().unwrap()
            ),
            Some(&a),
            None,
        )
        .await
        .body;
    let home_generic: Vec<&str> = links["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["targetUrl"] == HOME)
        .map(|l| l["anchorText"].as_str().unwrap())
        .collect();
    assert!(!home_generic.is_empty());
    assert!(
        home_generic
            .iter()
            .all(|t| ["see the shop", "browse here", "take a look"].contains(t)),
        "{home_generic:?}"
    );
}
