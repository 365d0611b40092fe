//! Crawling fixture websites served on loopback under real-looking domain names.

mod support;

use backlinks_core::app::crawl::{cached, crawl, homepage_of};
use backlinks_core::domain::contacts::Tier;
use backlinks_core::domain::web::DomainName;
use support::{Rig, Site};
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

async fn rig(sites: &[&Site]) -> Rig {
    Rig::new(sites.iter().map(|s| s.addr()).collect()).await
}

fn cloudflare(address: &str) -> String {
    let key = 0x5au8;
    std::iter::once(key)
        .chain(address.bytes().map(|b| b ^ key))
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_blog_with_a_write_for_us_page_yields_its_editor() {
    let site = Site::new("greenblog.org").await;
    site.page(
        "/",
        200,
        r#"<html><head><meta name="author" content="Lena Park"></head><body>
        <h1>Green living</h1><p>Fresh posts every week.</p>
        <a href="/write-for-us">Write for us</a> <a href="/about">About</a>
        <footer>info@greenblog.org</footer></body></html>"#,
    )
    .await;
    site.page(
        "/write-for-us",
        200,
        r#"<p>Pitch <a href="mailto:lena%40greenblog.org?subject=Guest%20post">Lena Park</a>.</p>"#,
    )
    .await;
    site.page("/about", 200, "<p>We are a small team.</p>")
        .await;
    let r = rig(&[&site]).await;
    let record = crawl(&r.app, &site.domain, &homepage_of(&site.domain))
        .await
        .unwrap();
    assert!(record.is_reachable && !record.has_captcha && !record.is_blocked);
    assert_eq!(
        record.recipient_email.as_ref().unwrap().as_str(),
        "lena@greenblog.org"
    );
    assert_eq!(record.recipient_name.as_deref(), Some("Lena Park"));
    assert!(
        record
            .contact_page_url
            .as_deref()
            .unwrap()
            .ends_with("/write-for-us")
    );
    assert_eq!(record.emails[1].email.as_str(), "info@greenblog.org");
    assert_eq!(record.emails[1].tier, Tier::Role);
    assert!(record.raw_extract.starts_with("Green living"));
    assert_eq!(record.pages.len(), 3);
}

#[tokio::test]
async fn hidden_addresses_are_found() {
    let cf = Site::new("cfsite.net").await;
    cf.page("/", 200, r#"<a href="/contact">Contact</a>"#).await;
    cf.page(
        "/contact",
        200,
        format!(
            r#"<p>Email <a href="/cdn-cgi/l/email-protection#{}">[email&#160;protected]</a></p>"#,
            cloudflare("desk@cfsite.net")
        ),
    )
    .await;
    let obf = Site::new("obfuscated.io").await;
    obf.page("/", 200, "<p>Reach me: tom [at] obfuscated [dot] io</p>")
        .await;
    let r = rig(&[&cf, &obf]).await;
    let a = crawl(&r.app, &cf.domain, &homepage_of(&cf.domain))
        .await
        .unwrap();
    assert_eq!(a.recipient_email.unwrap().as_str(), "desk@cfsite.net");
    let b = crawl(&r.app, &obf.domain, &homepage_of(&obf.domain))
        .await
        .unwrap();
    assert_eq!(b.recipient_email.unwrap().as_str(), "tom@obfuscated.io");
}

#[tokio::test]
async fn forms_captchas_firewalls_and_robots_are_recorded() {
    let form = Site::new("formonly.com").await;
    form.page("/", 200, r#"<a href="/contact-us">Get in touch</a>"#)
        .await;
    form.page(
        "/contact-us",
        200,
        r#"<form><input name="email"><div class="g-recaptcha" data-sitekey="k"></div></form>"#,
    )
    .await;
    let waf = Site::new("walled.com").await;
    waf.page("/", 403, "<title>Attention Required! | Cloudflare</title>")
        .await;
    let robots = Site::new("private-site.com").await;
    robots
        .page("/robots.txt", 200, "User-agent: *\nDisallow: /\n")
        .await;
    robots
        .page("/", 200, "<p>hidden@private-site.com</p>")
        .await;
    let assets = Site::new("assets.com").await;
    assets
        .page(
            "/",
            200,
            r#"<img srcset="logo@2x.png 2x"> <p>sprite@3x.webp name@example.com</p>"#,
        )
        .await;
    let r = rig(&[&form, &waf, &robots, &assets]).await;

    let f = crawl(&r.app, &form.domain, &homepage_of(&form.domain))
        .await
        .unwrap();
    assert!(f.recipient_email.is_none());
    assert!(f.contact_page_url.unwrap().ends_with("/contact-us"));
    assert!(f.has_captcha);
    let w = crawl(&r.app, &waf.domain, &homepage_of(&waf.domain))
        .await
        .unwrap();
    assert!(w.is_blocked && w.is_reachable && w.emails.is_empty());
    let rb = crawl(&r.app, &robots.domain, &homepage_of(&robots.domain))
        .await
        .unwrap();
    assert!(rb.robots_disallowed && rb.emails.is_empty() && rb.pages.is_empty());
    let a = crawl(&r.app, &assets.domain, &homepage_of(&assets.domain))
        .await
        .unwrap();
    assert!(a.emails.is_empty(), "{:?}", a.emails);
}

#[tokio::test]
async fn unreachable_huge_and_redirected_sites_are_handled() {
    let huge = Site::new("hugepage.com").await;
    huge.page(
        "/",
        200,
        format!(
            "<p>big@hugepage.com</p>{}",
            "<p>filler text</p>".repeat(40_000)
        ),
    )
    .await;
    let redirect = Site::new("sneaky.com").await;
    Mock::given(path("/"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", "http://169.254.169.254/latest/meta-data/"),
        )
        .mount(&redirect.server)
        .await;
    let r = rig(&[&huge, &redirect]).await;
    let h = crawl(&r.app, &huge.domain, &homepage_of(&huge.domain))
        .await
        .unwrap();
    assert_eq!(h.recipient_email.unwrap().as_str(), "big@hugepage.com");
    assert!(h.raw_extract.chars().count() <= 8_000);
    let s = crawl(&r.app, &redirect.domain, &homepage_of(&redirect.domain))
        .await
        .unwrap();
    assert!(!s.is_reachable && s.pages.is_empty());
    let nowhere = DomainName::parse("nothing-here.invalid").unwrap();
    let n = crawl(&r.app, &nowhere, &homepage_of(&nowhere))
        .await
        .unwrap();
    assert!(!n.is_reachable);
}

#[tokio::test]
async fn the_cache_is_shared_and_expires_after_fourteen_days() {
    let site = Site::new("cached.org").await;
    Mock::given(path("/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(b"<p>ed@cached.org</p>".to_vec(), "text/html"),
        )
        .expect(2)
        .mount(&site.server)
        .await;
    let r = rig(&[&site]).await;
    let home = homepage_of(&site.domain);
    let first = crawl(&r.app, &site.domain, &home).await.unwrap();
    let again = crawl(&r.app, &site.domain, &home).await.unwrap();
    assert_eq!(first, again);
    r.clock.advance_seconds(13 * 24 * 3600);
    assert!(cached(&r.app, &site.domain).await.unwrap().is_some());
    r.clock.advance_seconds(2 * 24 * 3600);
    assert!(cached(&r.app, &site.domain).await.unwrap().is_none());
    let fresh = crawl(&r.app, &site.domain, &home).await.unwrap();
    assert!(fresh.crawled_at > first.crawled_at);
    // wiremock checks on drop that the homepage was fetched exactly twice.
}
