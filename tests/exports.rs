//! Exports of any size on the embedded store: 50,000 leads are too many for a response, so
//! the export is written to the data folder and answered with a link the local server
//! serves (forged links 404, expired ones 410); the file holds every row, with every cell
//! a spreadsheet would evaluate made inert. Without an export store a large export says
//! which setting is missing.

mod support;

use backlinks_core::adapters::blob_dir;
use backlinks_core::app::entity;
use backlinks_core::app::outreach::export::{self, ExportKind, ExportQuery, INLINE_LIMIT};
use backlinks_core::domain::backlink::{Backlink, SourceType};
use backlinks_core::domain::email::EmailAddress;
use backlinks_core::domain::ids::{BacklinkId, CampaignId, TenantId};
use backlinks_core::domain::web::{DomainName, WebUrl};
use backlinks_core::http::problem::Problem;
use backlinks_core::ports::Table;
use backlinks_core::ports::table::WriteOp;
use backlinks_core::secrets::Secrets;
use serde_json::json;
use std::collections::HashSet;
use support::{Store, TestServer};

const ROWS: usize = 50_000;
/// Every this many rows the recipient's name is a formula behind blanks.
const EVERY: usize = 1_000;
const FORMULA: &str = "  =HYPERLINK(\"https://evil.example\",\"click\")";

fn domain(i: usize) -> String {
    format!("site-{i:05}.example.org")
}

/// Writes `n` outreach backlinks of a campaign straight to the store, `name` naming row i's
/// recipient (the HTTP route would take minutes for 50,000).
async fn seed(
    table: &dyn Table,
    tenant: &TenantId,
    campaign: &CampaignId,
    n: usize,
    name: impl Fn(usize) -> String,
) {
    let now = backlinks_core::domain::time::Timestamp::parse("2026-06-01T12:00:00Z").unwrap();
    for start in (0..n).step_by(1_000) {
        let ops = (start..n.min(start + 1_000))
            .map(|i| {
                let mut b = Backlink::new(
                    BacklinkId::from_uuid(uuid::Uuid::now_v7()),
                    SourceType::Outreach,
                    DomainName::parse(&domain(i)).unwrap(),
                    now,
                );
                b.campaign_id = Some(campaign.clone());
                b.source_url = Some(
                    WebUrl::parse(&format!("https://{}/blog/green-living-{i}", domain(i))).unwrap(),
                );
                b.recipient_email =
                    Some(EmailAddress::parse(&format!("editor@{}", domain(i))).unwrap());
                b.recipient_name = Some(name(i));
                WriteOp::Put(entity::item(&b, tenant).unwrap())
            })
            .collect();
        table.batch_write(ops).await.unwrap();
    }
}

#[tokio::test]
async fn fifty_thousand_leads_are_answered_with_a_link_to_the_whole_inert_file() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let c = s.campaign(&t, json!({"name": "Big"})).await;
    let cid = c["id"].as_str().unwrap();
    let tenant = TenantId::parse("acme").unwrap();
    let name = |i: usize| {
        if i.is_multiple_of(EVERY) {
            FORMULA.to_string()
        } else {
            format!("Editor {i}")
        }
    };
    seed(
        s.local.app.table.as_ref(),
        &tenant,
        &CampaignId::parse(cid).unwrap(),
        ROWS,
        name,
    )
    .await;

    let a = s
        .call(
            "GET",
            &format!("/v1/exports?kind=leads&campaignId={cid}"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.content_type, "application/json");
    assert_eq!(a.body["rows"], ROWS);
    let bytes = a.body["bytes"].as_u64().unwrap();
    assert!(bytes > INLINE_LIMIT as u64, "{bytes}");
    assert!(a.body["expiresAt"].is_string());
    // The link names the configured public address; the path is the local server's.
    let url = a.body["downloadUrl"].as_str().unwrap();
    let base = &s.local.options.public_base_url;
    let path = url.strip_prefix(base.as_str()).unwrap();
    assert!(path.starts_with("/v1/downloads/"), "{url}");

    // No token needed: the link is the credential.
    let file = s
        .http
        .get(format!("{}{path}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert!(
        file.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = file.bytes().await.unwrap();
    assert_eq!(body.len() as u64, bytes);
    let mut reader = csv::Reader::from_reader(body.as_ref());
    assert_eq!(
        reader.headers().unwrap().iter().take(6).collect::<Vec<_>>(),
        [
            "sourceDomain",
            "sourceUrl",
            "contactUrl",
            "placementUrl",
            "recipientEmail",
            "recipientName"
        ]
    );
    let mut domains = HashSet::new();
    let mut inert = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let domain = record[0].to_string();
        let i: usize = domain[5..10].parse().unwrap();
        assert_eq!(&record[4], format!("editor@{domain}"));
        if i.is_multiple_of(EVERY) {
            assert_eq!(&record[5], format!("'{FORMULA}"));
            inert += 1;
        } else {
            assert_eq!(&record[5], name(i));
        }
        assert_eq!(&record[8], cid);
        assert!(domains.insert(domain), "a row twice");
    }
    assert_eq!((domains.len(), inert), (ROWS, ROWS / EVERY));

    // A token altered, or not one of ours, opens nothing.
    let token = path.trim_start_matches("/v1/downloads/");
    let forged = format!("{}x", token);
    for bad in [forged.as_str(), "nonsense", "a.b"] {
        let a = s
            .call("GET", &format!("/v1/downloads/{bad}"), None, None)
            .await;
        assert_eq!(a.status, 404, "{bad}: {:?}", a.body);
    }
    // A token of ours past its time, or for a file no longer kept, is gone.
    let key = std::fs::read_dir(s.local.options.data_dir.join("exports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with("leads-"))
        .unwrap();
    let secret = std::fs::read_to_string(s.local.options.data_dir.join("secret.key")).unwrap();
    let secrets = Secrets::from_base64(&secret).unwrap();
    let now = chrono::Utc::now().timestamp();
    let expired = blob_dir::download_token(&secrets, &key, now - 1);
    let a = s
        .call("GET", &format!("/v1/downloads/{expired}"), None, None)
        .await;
    assert_eq!(a.status, 410, "{:?}", a.body);
    let missing = blob_dir::download_token(&secrets, "leads-gone.csv", now + 60);
    let a = s
        .call("GET", &format!("/v1/downloads/{missing}"), None, None)
        .await;
    assert_eq!(a.status, 410, "{:?}", a.body);
    // An unsubscribe token is signed by the same key, but is not a download.
    let other = secrets.sign(&format!("acme|ed@example.org|{key}"));
    let a = s
        .call("GET", &format!("/v1/downloads/{other}"), None, None)
        .await;
    assert_eq!(a.status, 404, "{:?}", a.body);
}

#[tokio::test]
async fn a_large_export_without_an_export_store_names_the_setting() {
    let store = Store::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let app = support::app_over(&store, dir.path(), None).await;
    let tenant = TenantId::parse("acme").unwrap();
    let campaign = CampaignId::from_uuid(uuid::Uuid::now_v7());
    // 300 rows of 20 KB names: over the inline limit with few rows.
    seed(store.table.as_ref(), &tenant, &campaign, 300, |_| {
        "x".repeat(20_000)
    })
    .await;
    let query = ExportQuery {
        kind: ExportKind::Leads,
        campaign_id: Some(campaign.to_string()),
    };
    let refused = export::export(&app, &tenant, &query).await.err().unwrap();
    let problem = Problem::from(refused);
    assert_eq!(problem.status, 501);
    assert!(
        problem.detail.contains("EXPORTS_BUCKET"),
        "{}",
        problem.detail
    );

    // A small one is still answered inline.
    let small = ExportQuery {
        kind: ExportKind::Attempts,
        campaign_id: None,
    };
    assert!(matches!(
        export::export(&app, &tenant, &small).await,
        Ok(export::Export::File(_))
    ));
}
