//! The SSRF-safe fetcher against fixture servers on loopback.

use backlinks_core::adapters::web_fetcher::{FetchPolicy, WebFetcher};
use backlinks_core::ports::{FetchError, Fetcher};
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fetcher(allow_private: bool, max_body_bytes: usize) -> WebFetcher {
    WebFetcher::new(FetchPolicy {
        allow_private,
        max_body_bytes,
        ..FetchPolicy::default()
    })
    .unwrap()
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

#[tokio::test]
async fn private_addresses_are_refused_unless_local_mode_opts_in() {
    let site = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(ResponseTemplate::new(200).set_body_string("hi"))
        .mount(&site)
        .await;
    let target = url(&format!("{}/", site.uri()));
    let refused = fetcher(false, 1024).get(&target).await;
    assert!(
        matches!(refused, Err(FetchError::Refused { .. })),
        "{refused:?}"
    );
    let ok = fetcher(true, 1024).get(&target).await.unwrap();
    assert_eq!((ok.status, ok.text().as_str()), (200, "hi"));

    for bad in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://0x7f000001/",
        "ftp://example.com/",
        "file:///etc/passwd",
    ] {
        let r = fetcher(false, 1024).get(&url(bad)).await;
        assert!(matches!(r, Err(FetchError::Refused { .. })), "{bad}: {r:?}");
    }
    // A name that resolves to loopback is refused after resolution.
    let r = fetcher(false, 1024).get(&url("http://localhost/")).await;
    assert!(matches!(r, Err(FetchError::Refused { .. })), "{r:?}");
}

#[tokio::test]
async fn redirects_are_followed_a_few_times_and_each_hop_is_checked() {
    let site = MockServer::start().await;
    let base = site.uri();
    Mock::given(path("/a"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/b"))
        .mount(&site)
        .await;
    Mock::given(path("/b"))
        .respond_with(ResponseTemplate::new(200).set_body_string("landed"))
        .mount(&site)
        .await;
    Mock::given(path("/loop"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/loop"))
        .mount(&site)
        .await;
    Mock::given(path("/metadata"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", "http://169.254.169.254/latest/"),
        )
        .mount(&site)
        .await;
    let f = fetcher(true, 1024);
    let landed = f.get(&url(&format!("{base}/a"))).await.unwrap();
    assert_eq!(
        (landed.final_url.path(), landed.text().as_str()),
        ("/b", "landed")
    );
    assert!(matches!(
        f.get(&url(&format!("{base}/loop"))).await,
        Err(FetchError::TooManyRedirects(_))
    ));
    // Each hop is checked: even with loopback allowed for fixtures, a redirect to the
    // cloud metadata address is refused.
    let r = f.get(&url(&format!("{base}/metadata"))).await;
    assert!(matches!(r, Err(FetchError::Refused { .. })), "{r:?}");
}

#[tokio::test]
async fn bodies_are_capped() {
    let site = MockServer::start().await;
    Mock::given(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(100_000)))
        .mount(&site)
        .await;
    let page = fetcher(true, 4096)
        .get(&url(&format!("{}/big", site.uri())))
        .await
        .unwrap();
    assert_eq!(page.body.len(), 4096);
    assert!(page.truncated);
}
