//! A tenant ready to send through the app layer: sender settings, an active campaign,
//! approved emails, and the send job drained as the worker would.

use super::Store;
use backlinks_core::app::outreach::sending::{self, SendMessage};
use backlinks_core::app::outreach::{emails, sender};
use backlinks_core::app::{App, AppError, backlinks, campaigns};
use backlinks_core::domain::ids::TenantId;
use backlinks_core::jobs;
use backlinks_core::local::workers;
use backlinks_core::ports::ManualClock;
use backlinks_core::ports::mailer::Mailer;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

pub struct World {
    pub app: Arc<App>,
    pub clock: Arc<ManualClock>,
    pub outbox: PathBuf,
    pub tenant: TenantId,
    pub _store: Store,
    pub _dir: tempfile::TempDir,
}

pub fn sent_files(dir: &PathBuf) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p: &PathBuf| p.extension().is_some_and(|x| x == "eml"));
    files.sort();
    files
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .replace("\r\n\t", " ")
                .replace("\r\n ", " ")
        })
        .collect()
}

pub async fn world(store: Store, mailer: Option<Arc<dyn Mailer>>) -> World {
    let dir = tempfile::tempdir().unwrap();
    let app = super::app_over(&store, dir.path(), mailer).await;
    World {
        app: Arc::new(app),
        clock: store.clock.clone(),
        outbox: dir.path().join("outbox"),
        tenant: TenantId::parse("acme").unwrap(),
        _store: store,
        _dir: dir,
    }
}

/// Sender settings with a tenant cap, an active campaign, and `n` approved emails to
/// distinct sites; returns the send messages.
pub async fn seed(w: &World, n: usize, tenant_cap: u32) -> Vec<SendMessage> {
    let app = &w.app;
    let patch = serde_json::from_value(json!({
        "fromName": "Alice", "fromEmail": "alice@agency.com", "organization": "Agency", "postalAddress": "1 Main St",
        "caps": {"perTenantDaily": tenant_cap, "perRecipientDomainDaily": 20},
        "sendWindow": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "startHour": 0, "endHour": 24, "timeZone": "UTC"}
    }))
    .unwrap();
    sender::update(app, &w.tenant, patch).await.unwrap();
    let campaign = campaigns::create(app, &w.tenant, serde_json::from_value(json!({
        "name": "Bulk", "limits": {"maxEmailsPerDay": 1000, "maxFollowUps": 2}, "followUpDelayDays": [2, 3], "sendFollowUpsUnreviewed": true
    })).unwrap())
    .await
    .unwrap();
    campaigns::act(
        app,
        &w.tenant,
        &campaign.id,
        backlinks_core::domain::campaign::CampaignAction::Activate,
    )
    .await
    .unwrap();
    let mut messages = Vec::new();
    for i in 0..n {
        let b = backlinks::create(app, &w.tenant, serde_json::from_value(json!({
            "sourceDomain": format!("site{i}.org"), "campaignId": campaign.id, "recipientEmail": format!("ed@site{i}.org")
        })).unwrap())
        .await
        .unwrap();
        let e = emails::draft(app, &w.tenant, &b.id, Default::default())
            .await
            .unwrap();
        let e = emails::approve(app, &w.tenant, &e.id).await.unwrap();
        sending::release(app, &w.tenant, &e).await.unwrap();
        messages.push(SendMessage {
            tenant_id: w.tenant.clone(),
            email_id: e.id,
            sequence: 0,
        });
    }
    messages
}

/// Runs the send job over whatever the send queue delivers now, as the worker would.
pub async fn deliver_due(w: &World) -> usize {
    let job = jobs::by_name("send").unwrap();
    workers::drain_once(w.app.clone(), &job).await.unwrap()
}

/// Handles every message concurrently, as 16 send workers would (Lambda concurrency);
/// returns the messages the queue must deliver again, after failing the test on any
/// other error.
pub async fn race_once(w: &World, messages: &[SendMessage]) -> Vec<SendMessage> {
    let workers = Arc::new(tokio::sync::Semaphore::new(16));
    let tasks: Vec<_> = messages
        .iter()
        .cloned()
        .map(|m| {
            let (app, workers) = (w.app.clone(), workers.clone());
            tokio::spawn(async move {
                let _slot = workers.acquire().await.unwrap();
                let outcome = sending::send_stage(&app, &m).await;
                (m, outcome)
            })
        })
        .collect();
    let mut again = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (_, Ok(())) => {}
            (m, Err(AppError::Unavailable(why))) if why.contains("another worker") => again.push(m),
            (_, Err(e)) => panic!("send failed: {e}"),
        }
    }
    again
}

/// Every message handled without error and without redelivery.
pub async fn race(w: &World, messages: &[SendMessage]) {
    assert!(race_once(w, messages).await.is_empty());
}
