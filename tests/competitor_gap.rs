//! The competitor gap over the API (issue 16): exports of the site's own links and three
//! competitors' are uploaded to their links, checked at start (an unknown format is a 400
//! listing the formats known) and read by the job; the gap lists the domains linking to at
//! least two competitors and not to the site, best first, without what the tenant has; gap
//! domains become competitor_gap backlinks.

mod support;

use serde_json::{Value, json};
use support::TestServer;

const AHREFS_HEADER: &str = "Referring page title,Referring page URL,Language,Platform,Referring page HTTP code,Domain rating,UR,Domain traffic,Referring domains,Linked domains,External links,Page traffic,Keywords,Target URL,Left context,Anchor,Right context,Redirect Chain URLs,Redirect Chain status codes,Type,Is spam,Content,Nofollow,UGC,Sponsored,Rendered,Raw,Lost status,Drop reason,Discovered status,First seen,Last seen,Lost,Author,Page type,Page category,Links in group";

/// An Ahrefs backlinks export (v3, UTF-8) of `target`'s links from these pages and DRs.
fn ahrefs(target: &str, pages: &[(&str, u8)]) -> String {
    let mut csv = format!("{AHREFS_HEADER}\n");
    for (page, dr) in pages {
        csv.push_str(&format!(
            "A page,{page},en,,200,{dr},5,1000,10,10,5,100,10,https://{target}/,,Anchor,,,,text,false,true,false,false,false,true,true,,,linkfound,2026-10-01 10:00:00,2026-11-30 10:00:00,,,,,1\n"
        ));
    }
    csv
}

/// Uploads `file` as `competitor`'s export (the site's own without one), starts it and
/// answers the start's answer.
async fn import(
    s: &TestServer,
    t: &str,
    site: &str,
    competitor: Option<&str>,
    file: String,
) -> (u16, Value) {
    let created = s
        .call(
            "POST",
            &format!("/v1/sites/{site}/backlink-imports"),
            Some(t),
            Some(json!({"competitor": competitor})),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let url = created.body["uploadUrl"].as_str().unwrap();
    let path = url.trim_start_matches(&s.local.options.public_base_url);
    assert!(path.starts_with("/v1/uploads/"), "{url}");
    let put = s.raw("PUT", path, "", "text/csv", file.into_bytes()).await;
    assert_eq!(put.status, 204, "{:?}", put.body);
    let id = created.body["import"]["id"].as_str().unwrap();
    let started = s
        .call(
            "POST",
            &format!("/v1/sites/{site}/backlink-imports/{id}/start"),
            Some(t),
            None,
        )
        .await;
    (started.status, started.body)
}

#[tokio::test]
async fn the_gap_lists_domains_linking_to_competitors_not_to_us_and_they_become_opportunities() {
    let s = TestServer::start_with(|o| o.starter_directories = false).await;
    let t = s.member("acme");
    let site = support::plans::fixture_site(&s, &t).await;
    let site = site["id"].as_str().unwrap();
    let gap_path = format!("/v1/sites/{site}/competitor-gap");

    // Before any import: the competitors named have nothing to compare.
    let early = s
        .call(
            "GET",
            &format!("{gap_path}?competitors=rival-a.com,rival-b.com"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(early.status, 400);
    assert_eq!(early.body["errors"][0]["field"], "competitors");

    let news = ("https://news.example/a", 80);
    let blog = ("https://blog.example/b", 40);
    let forum = ("https://forum.example/c", 30);
    let ours = ("https://ours.example/d", 60);
    for (who, pages) in [
        (Some("rival-a.com"), vec![news, blog, ours]),
        (Some("https://www.rival-b.com/"), vec![news, blog, forum]),
        (Some("rival-c.com"), vec![news, ours]),
        (None, vec![ours]),
    ] {
        let target = who.map_or("example.com".to_string(), |w| {
            w.trim_start_matches("https://www.")
                .trim_end_matches('/')
                .to_string()
        });
        let (status, body) = import(&s, &t, site, who, ahrefs(&target, &pages)).await;
        assert_eq!(status, 202, "{body:?}");
        assert_eq!(body["state"], "queued");
    }
    // An unknown format is refused at start, listing those known.
    let (status, body) = import(
        &s,
        &t,
        site,
        Some("rival-d.com"),
        "colour,shape\nred,round\n".into(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "file");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Semrush Backlink Gap"),
        "{body:?}"
    );
    s.drain().await;
    let imports = s
        .call(
            "GET",
            &format!("/v1/sites/{site}/backlink-imports"),
            Some(&t),
            None,
        )
        .await
        .body;
    let done: Vec<&Value> = imports["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["state"] == "done")
        .collect();
    assert_eq!(done.len(), 4, "{imports:?}");
    assert!(
        done.iter()
            .all(|i| i["format"] == "ahrefs_backlinks" && i["badRows"] == 0),
        "{done:?}"
    );

    let gap = s
        .call(
            "GET",
            &format!("{gap_path}?competitors=rival-a.com,rival-b.com,rival-c.com&minCompetitors=2"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(gap.status, 200, "{:?}", gap.body);
    assert_eq!(gap.body["ownLinksImported"], true);
    let domains: Vec<(&str, usize)> = gap.body["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["domain"].as_str().unwrap(),
                d["competitors"].as_array().unwrap().len(),
            )
        })
        .collect();
    // news links to all three, blog to two; forum to one only; ours already links to us.
    assert_eq!(domains, vec![("news.example", 3), ("blog.example", 2)]);
    assert!(gap.body["formula"].as_str().unwrap().contains("intersect"));

    let made = s
        .call("POST", &format!("{gap_path}/opportunities"), Some(&t), Some(json!({
            "competitors": ["rival-a.com", "rival-b.com", "rival-c.com"], "domains": ["news.example", "nowhere.example"]
        })))
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let created = &made.body["created"][0];
    assert_eq!(created["sourceType"], "competitor_gap");
    assert_eq!(created["sourceDomain"], "news.example");
    assert_eq!(
        created["gapCompetitors"],
        json!(["rival-a.com", "rival-b.com", "rival-c.com"])
    );
    assert_eq!(created["domainRating"], 80);
    assert_eq!(made.body["notInGap"], json!(["nowhere.example"]));
    // A domain the tenant now has leaves the gap.
    let after = s
        .call(
            "GET",
            &format!("{gap_path}?competitors=rival-a.com,rival-b.com,rival-c.com"),
            Some(&t),
            None,
        )
        .await;
    let left: Vec<&str> = after.body["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].as_str().unwrap())
        .collect();
    assert_eq!(left, vec!["blog.example"]);

    // Another tenant sees nothing of the site's imports.
    let other = s.member("beta");
    assert_eq!(
        s.call(
            "GET",
            &format!("/v1/sites/{site}/backlink-imports"),
            Some(&other),
            None
        )
        .await
        .status,
        404
    );
}
