//! Plans through the `Entity` shape on both table adapters (issue 14): a site's pages, a
//! generated plan with its chunks and planned links, an adjustment and a delete, the same
//! on the embedded store and on DynamoDB (moto).

mod support;

use backlinks_core::app::App;
use backlinks_core::app::plans::edit::{self, PageChange, PlanPatch};
use backlinks_core::app::plans::generate::{self, NewPlan};
use backlinks_core::app::plans::pages::{self, PageBatch};
use backlinks_core::app::plans::sites::{self, NewSite};
use backlinks_core::app::plans::{links, read};
use backlinks_core::app::{AppError, paging::PageRequest};
use backlinks_core::domain::ids::TenantId;
use backlinks_core::domain::plans::PageInput;
use support::Store;

async fn round_trip(store: Store) {
    let dir = tempfile::tempdir().unwrap();
    let app: App = support::app_over(&store, dir.path(), None).await;
    let tenant = TenantId::parse("acme").unwrap();
    let site = sites::create(
        &app,
        &tenant,
        NewSite {
            name: "Northwind".into(),
            url: "https://www.example.com/".into(),
            brand_name: None,
        },
    )
    .await
    .unwrap();
    let mut inputs: Vec<PageInput> = serde_json::from_str(support::plans::SITE).unwrap();
    // A URL longer than a sort key holds: the page is still kept once, by its whole URL.
    let long = format!(
        "https://www.example.com/blog/{}",
        "very-long-slug-".repeat(80)
    );
    inputs.push(PageInput {
        url: long.clone(),
        ..PageInput::default()
    });
    let batch = PageBatch { pages: inputs };
    let first = pages::upsert(&app, &tenant, &site.id, batch.clone())
        .await
        .unwrap();
    assert_eq!((first.created, first.total), (41, 41));
    let again = pages::upsert(&app, &tenant, &site.id, batch).await.unwrap();
    assert_eq!((again.created, again.updated, again.total), (0, 41, 41));
    let stored = sites::all_pages(&app, &tenant, &site.id).await.unwrap();
    assert!(stored.iter().any(|p| p.page.url.as_str() == long));

    let plan = generate::create(
        &app,
        &tenant,
        NewPlan {
            site_id: site.id.to_string(),
            country_code: "usa".into(),
            brand_name: Some("Northwind Coffee".into()),
            overrides: None,
            refine_anchors: false,
        },
    )
    .await
    .unwrap();
    let total = plan.plan.total_links_target as usize;
    let read_back = read::get(&app, &tenant, &plan.plan.id).await.unwrap();
    assert_eq!(read_back.tier_assignments, plan.tier_assignments);
    assert_eq!(read_back.anchor_plan, plan.anchor_plan);
    assert_eq!(
        read::links(&app, &tenant, &plan.plan.id)
            .await
            .unwrap()
            .len(),
        total
    );

    let guide = "https://www.example.com/guides/pour-over";
    let changed = edit::update(
        &app,
        &tenant,
        &plan.plan.id,
        PlanPatch {
            pages: Some(vec![PageChange {
                url: guide.into(),
                links: 6,
            }]),
            ..PlanPatch::default()
        },
    )
    .await
    .unwrap();
    let before = plan
        .tier_assignments
        .iter()
        .find(|t| t.url == guide)
        .unwrap()
        .links;
    assert_eq!(
        changed.plan.total_links_target as usize,
        total + 6 - before as usize
    );
    let stored = read::links(&app, &tenant, &plan.plan.id).await.unwrap();
    assert_eq!(stored.len(), changed.plan.total_links_target as usize);
    let first = links::list(
        &app,
        &tenant,
        &plan.plan.id,
        &links::PlannedLinkFilter::default(),
        PageRequest::first(50),
    )
    .await
    .unwrap();
    assert_eq!(first.items[..], stored[..50]);
    assert!(first.next_cursor.is_some());

    edit::delete(&app, &tenant, &plan.plan.id).await.unwrap();
    assert!(matches!(
        read::get(&app, &tenant, &plan.plan.id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(
        read::links(&app, &tenant, &plan.plan.id)
            .await
            .unwrap()
            .is_empty()
    );
    sites::delete(&app, &tenant, &site.id).await.unwrap();
    assert!(
        sites::all_pages(&app, &tenant, &site.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn plans_round_trip_on_the_embedded_store() {
    round_trip(Store::sqlite().await).await;
}

#[tokio::test]
async fn plans_round_trip_on_dynamodb() {
    round_trip(Store::dynamodb().await).await;
}
