//! `importPages` (issue 14): CSV exports and sitemaps taken in as a job with progress, over
//! the local server and the page-import worker; sitemaps come from a fixture site on
//! loopback.

mod support;

use backlinks_core::jobs::by_name;
use backlinks_core::local::workers::drain_once;
use base64::Engine;
use serde_json::{Value, json};
use support::TestServer;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn site(s: &TestServer, token: &str) -> Value {
    let answer = s
        .call(
            "POST",
            "/v1/sites",
            Some(token),
            Some(json!({"name": "Shoes", "url": "https://www.example.com/"})),
        )
        .await;
    assert_eq!(answer.status, 201);
    answer.body
}

/// Starts an import, runs the worker, and answers the import as it ended.
async fn import(s: &TestServer, token: &str, site: &Value, body: Value) -> Value {
    let path = format!("/v1/sites/{}/imports", site["id"].as_str().unwrap());
    let started = s.call("POST", &path, Some(token), Some(body)).await;
    assert_eq!(started.status, 202, "{:?}", started.body);
    drain_once(s.local.app.clone(), &by_name("page-import").unwrap())
        .await
        .unwrap();
    let done = s
        .call(
            "GET",
            &format!("{path}/{}", started.body["id"].as_str().unwrap()),
            Some(token),
            None,
        )
        .await;
    assert_eq!(done.status, 200);
    done.body
}

async fn pages(s: &TestServer, token: &str, site: &Value) -> Vec<Value> {
    let path = format!("/v1/sites/{}/pages?limit=200", site["id"].as_str().unwrap());
    s.call("GET", &path, Some(token), None).await.body["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn page<'a>(pages: &'a [Value], url: &str) -> &'a Value {
    pages
        .iter()
        .find(|p| p["url"] == url)
        .unwrap_or_else(|| panic!("no {url}"))
}

#[tokio::test]
async fn keyword_exports_and_search_console_build_one_page_per_url() {
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let site = site(&s, &a).await;
    let semrush = include_str!("fixtures/imports/semrush_organic_positions.csv");
    let done = import(&s, &a, &site, json!({"source": "csv", "csv": semrush})).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["format"], "semrush_organic_keywords");
    assert_eq!(done["pagesWritten"], done["pagesFound"]);
    assert_eq!(done["created"], done["pagesFound"]);
    let listed = pages(&s, &a, &site).await;
    let shoes = page(&listed, "https://www.example.com/running-shoes/");
    let keywords: Vec<&str> = shoes["keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["keyword"].as_str().unwrap())
        .collect();
    assert!(
        keywords.contains(&"running shoes") && keywords.contains(&"trail running shoes"),
        "{keywords:?}"
    );
    assert_eq!(shoes["pageTypeGuessed"], true);

    // Ahrefs writes UTF-16: it comes as base64. Search Console adds performance to the
    // same pages, and the types guessed stay.
    let ahrefs = include_bytes!("fixtures/imports/ahrefs_organic_keywords.csv");
    let b64 = base64::engine::general_purpose::STANDARD.encode(ahrefs);
    let done = import(&s, &a, &site, json!({"source": "csv", "csvBase64": b64})).await;
    assert_eq!(
        (done["status"].as_str(), done["format"].as_str()),
        (Some("completed"), Some("ahrefs_organic_keywords")),
        "{done}"
    );
    let gsc = include_str!("fixtures/imports/search_console_pages.csv");
    let done = import(&s, &a, &site, json!({"source": "csv", "csv": gsc})).await;
    assert_eq!(done["format"], "search_console_pages");
    assert!(done["updated"].as_u64().unwrap() >= 1, "{done}");
    let listed = pages(&s, &a, &site).await;
    let home = page(&listed, "https://www.example.com/");
    assert_eq!(home["performance"]["clicks"], 438);
    assert_eq!(home["pageType"], "homepage");
    let shoes = page(&listed, "https://www.example.com/running-shoes/");
    assert!(
        !shoes["keywords"].as_array().unwrap().is_empty(),
        "keywords stay when performance arrives"
    );

    let bad = s
        .call(
            "POST",
            &format!("/v1/sites/{}/imports", site["id"].as_str().unwrap()),
            Some(&a),
            Some(json!({"source": "csv", "csv": "colour,size\nred,9\n"})),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["errors"][0]["field"], "csv");
    assert!(
        bad.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Semrush"),
        "{:?}",
        bad.body
    );
}

#[tokio::test]
async fn a_sitemap_index_is_fetched_page_types_are_guessed_and_strangers_reported() {
    let fixture = MockServer::start().await;
    let xml = |body: String| {
        ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/xml")
    };
    let index = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{0}/sitemap-pages.xml</loc></sitemap>
  <sitemap><loc>{0}/sitemap-blog.xml</loc></sitemap>
  <sitemap><loc>{0}/missing.xml</loc></sitemap>
</sitemapindex>"#,
        fixture.uri()
    );
    let urlset = |urls: &[&str]| {
        let entries: String = urls
            .iter()
            .map(|u| format!("<url><loc>{u}</loc></url>"))
            .collect();
        format!(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>"#)
    };
    for (route, body) in [
        ("/sitemap_index.xml", index),
        (
            "/sitemap-pages.xml",
            urlset(&[
                "https://www.example.com/",
                "https://www.example.com/shoes/",
                "https://www.example.com/products/trail-runner-2",
                "https://www.example.com/tag/sale",
            ]),
        ),
        (
            "/sitemap-blog.xml",
            urlset(&[
                "https://www.example.com/blog/lacing-tips",
                "https://cdn.other.net/x",
            ]),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(xml(body))
            .mount(&fixture)
            .await;
    }
    let s = TestServer::start().await;
    let a = s.member("tenant-a");
    let site = site(&s, &a).await;
    let done = import(
        &s,
        &a,
        &site,
        json!({"source": "sitemap", "sitemapUrl": format!("{}/sitemap_index.xml", fixture.uri())}),
    )
    .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["format"], "sitemap_index");
    assert_eq!(done["sitemapsFetched"], 4);
    assert_eq!(done["pagesWritten"], 5);
    let errors = done["errors"].to_string();
    assert!(
        errors.contains("missing.xml") && errors.contains("404"),
        "{errors}"
    );
    assert!(errors.contains("cdn.other.net"), "{errors}");
    assert_eq!(done["errorCount"], 2);

    let listed = pages(&s, &a, &site).await;
    let types: Vec<(&str, &str)> = listed
        .iter()
        .map(|p| (p["url"].as_str().unwrap(), p["pageType"].as_str().unwrap()))
        .collect();
    assert_eq!(
        types,
        [
            ("https://www.example.com/", "homepage"),
            ("https://www.example.com/blog/lacing-tips", "blog_article"),
            ("https://www.example.com/products/trail-runner-2", "product"),
            ("https://www.example.com/shoes/", "hub"),
            ("https://www.example.com/tag/sale", "term"),
        ]
    );
    assert!(
        listed
            .iter()
            .all(|p| p["pageTypeGuessed"] == true && p["guessReason"].is_string())
    );
    // A correction sticks: a later sitemap import does not guess over it.
    let put = s
        .call("PUT", &format!("/v1/sites/{}/pages", site["id"].as_str().unwrap()), Some(&a),
            Some(json!({"pages": [{"url": "https://www.example.com/shoes/", "pageType": "product"}]})))
        .await;
    assert_eq!(put.status, 200);
    import(
        &s,
        &a,
        &site,
        json!({"source": "sitemap", "sitemapUrl": format!("{}/sitemap_index.xml", fixture.uri())}),
    )
    .await;
    let shoes = pages(&s, &a, &site)
        .await
        .into_iter()
        .find(|p| p["url"] == "https://www.example.com/shoes/")
        .unwrap();
    assert_eq!(
        (
            shoes["pageType"].as_str(),
            shoes["pageTypeGuessed"].as_bool()
        ),
        (Some("product"), Some(false))
    );

    let failed = import(
        &s,
        &a,
        &site,
        json!({"source": "sitemap", "sitemapUrl": format!("{}/nothing.xml", fixture.uri())}),
    )
    .await;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("404")
    );
}
