//! Large exports in S3, against moto: the adapter puts an object and presigns a GET that
//! fetches it with no credentials, and an export too large for a response goes there
//! through the same use case the export function runs.

mod support;

use backlinks_core::adapters::s3::S3Blobs;
use backlinks_core::app::entity;
use backlinks_core::app::outreach::export::{self, Export, ExportKind, ExportQuery};
use backlinks_core::domain::backlink::{Backlink, SourceType};
use backlinks_core::domain::ids::{BacklinkId, CampaignId, TenantId};
use backlinks_core::domain::web::DomainName;
use backlinks_core::ports::table::WriteOp;
use backlinks_core::ports::{BlobStore, Clock};
use std::sync::Arc;
use std::time::Duration;
use support::{Store, moto_endpoint, unique};

fn s3_client() -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        // The Lambda functions' HTTP client, so the AWS suites exercise it.
        .http_client(backlinks_core::adapters::aws_http::http_client())
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(moto_endpoint())
        .force_path_style(true)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

async fn bucket(s3: &aws_sdk_s3::Client) -> String {
    let name = unique("exports");
    s3.create_bucket().bucket(&name).send().await.unwrap();
    name
}

#[tokio::test]
async fn an_object_put_is_fetched_through_its_presigned_link_alone() {
    let s3 = s3_client();
    let blobs = S3Blobs::new(s3.clone(), bucket(&s3).await);
    let body = b"a,b\r\n'=1+2,x\r\n".repeat(1000);
    blobs
        .put("leads-1.csv", "text/csv; charset=utf-8", body.clone())
        .await
        .unwrap();
    let link = blobs
        .link("leads-1.csv", Duration::from_secs(900))
        .await
        .unwrap();
    assert!(link.contains("X-Amz-Expires=900"), "{link}");
    assert!(link.contains("X-Amz-Signature="), "{link}");

    let fetched = reqwest::get(&link).await.unwrap();
    assert_eq!(fetched.status(), 200);
    let disposition = fetched.headers()["content-disposition"].to_str().unwrap();
    assert_eq!(disposition, "attachment; filename=\"leads-1.csv\"");
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), body.as_slice());

    // The link is for that object only: another key under the same signature is refused.
    let other = link.replace("leads-1.csv", "leads-2.csv");
    assert_eq!(reqwest::get(&other).await.unwrap().status(), 403);
}

#[tokio::test]
async fn an_upload_link_stores_the_bytes_put_to_it() {
    let s3 = s3_client();
    let blobs = S3Blobs::new(s3.clone(), bucket(&s3).await);
    let link = blobs
        .upload_link("backlink-export-1.csv", Duration::from_secs(900))
        .await
        .unwrap();
    assert!(link.contains("X-Amz-Signature="), "{link}");
    let body = "Referring page URL,Target URL\nhttps://a.example/,https://b.example/\n".repeat(100);
    let put = reqwest::Client::new()
        .put(&link)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    assert_eq!(
        blobs.get("backlink-export-1.csv").await.unwrap(),
        body.as_bytes()
    );
    // Its start alone, by a ranged GET (how an import's format is told).
    let head = blobs.head("backlink-export-1.csv", 18).await.unwrap();
    assert_eq!(head, b"Referring page URL");
}

#[tokio::test]
async fn a_large_export_is_written_to_s3_and_answered_with_its_link() {
    let store = Store::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let s3 = s3_client();
    let blobs = Arc::new(S3Blobs::new(s3.clone(), bucket(&s3).await));
    let app = support::app_over(&store, dir.path(), None)
        .await
        .with_exports(blobs);
    let tenant = TenantId::parse("acme").unwrap();
    let campaign = CampaignId::from_uuid(uuid::Uuid::now_v7());
    // 250 rows with 20 KB names: over the inline limit with few rows.
    let ops = (0..250)
        .map(|i| {
            let mut b = Backlink::new(
                BacklinkId::from_uuid(uuid::Uuid::now_v7()),
                SourceType::Outreach,
                DomainName::parse(&format!("site{i}.example.org")).unwrap(),
                store.clock.now(),
            );
            b.campaign_id = Some(campaign.clone());
            b.recipient_name = Some(format!("@{}", "x".repeat(20_000)));
            WriteOp::Put(entity::item(&b, &tenant).unwrap())
        })
        .collect();
    store.table.batch_write(ops).await.unwrap();

    let query = ExportQuery {
        kind: ExportKind::Leads,
        campaign_id: Some(campaign.to_string()),
    };
    let Export::Link(link) = export::export(&app, &tenant, &query).await.unwrap() else {
        panic!("a 5 MB export answered inline");
    };
    assert_eq!(link.rows, 250);
    let fetched = reqwest::get(&link.download_url).await.unwrap();
    assert_eq!(fetched.status(), 200);
    let csv = String::from_utf8(fetched.bytes().await.unwrap().to_vec()).unwrap();
    assert_eq!(csv.len() as u64, link.bytes);
    assert_eq!(csv.lines().count(), 251);
    assert_eq!(csv.matches(",'@xxx").count(), 250);
}
