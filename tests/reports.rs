//! The report summary against the campaigns it adds up: after sends, replies, a won link,
//! a skipped draft and a deleted campaign, `getReportSummary` equals the sum of every
//! remaining campaign's `getCampaignAnalytics`, and it reads one item, never the
//! campaigns or their backlinks.

mod support;

use backlinks_core::app::outreach::analytics;
use backlinks_core::domain::ids::TenantId;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::TestServer;
use support::outreach::{approve_and_send, draft, prospect, ready};
use support::watched::{Read, WatchedTable};

/// Every figure of the analytics that the summary adds up.
const FIGURES: [&str; 10] = [
    "prospects",
    "drafted",
    "approved",
    "sent",
    "followUpsSent",
    "skipped",
    "failed",
    "needsReview",
    "bounced",
    "linksWon",
];
const BREAKDOWNS: [&str; 3] = ["blockedByReason", "deferredByReason", "repliesByClass"];

fn add_up(campaigns: &[Value]) -> Value {
    let mut total = json!({});
    for c in campaigns {
        for f in FIGURES {
            let sum = total[f].as_i64().unwrap_or(0) + c[f].as_i64().unwrap();
            total[f] = sum.into();
        }
        for b in BREAKDOWNS {
            for (k, v) in c[b].as_object().unwrap() {
                let sum = total[b][k].as_i64().unwrap_or(0) + v.as_i64().unwrap();
                total[b][k] = sum.into();
            }
        }
    }
    total
}

/// Only the figures the summary adds up, breakdowns without their zero entries.
fn figures(a: &Value) -> Value {
    let mut out = json!({});
    for f in FIGURES {
        out[f] = a[f].clone();
    }
    for b in BREAKDOWNS {
        let non_zero: serde_json::Map<String, Value> = a[b]
            .as_object()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, v)| v.as_i64() != Some(0))
            .collect();
        out[b] = Value::Object(non_zero);
    }
    out
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// A person's reply to the email sent to `to`, threaded by In-Reply-To.
async fn reply(s: &TestServer, t: &str, to: &str, text: &str) {
    let eml = s
        .outbox()
        .into_iter()
        .find(|m| m.contains(&format!("<{to}>")))
        .unwrap();
    let sent = backlinks_core::domain::inbound::parse(eml.as_bytes()).unwrap();
    let id = sent.message_id.unwrap();
    let raw = format!(
        "From: <{to}>\nTo: Alice Agent <alice@agency.com>\nSubject: Re: hello\nDate: {}\n\
Message-ID: <reply-{to}>\nIn-Reply-To: <{id}>\nContent-Type: text/plain\n\n{text}\n",
        chrono::Utc::now().to_rfc2822()
    );
    let a = s
        .raw("POST", "/v1/dev/inbound", t, "message/rfc822", crlf(&raw))
        .await;
    assert_eq!(a.status, 201, "{:?}", a.body);
}

async fn sent(s: &TestServer, t: &str, c: &Value, domain: &str) -> String {
    let backlink = prospect(s, t, c, domain, &format!("ed@{domain}"), json!({})).await;
    let email = draft(s, t, &backlink, json!({})).await;
    assert_eq!(approve_and_send(s, t, &email).await["status"], "sent");
    backlink
}

async fn get(s: &TestServer, t: &str, path: &str) -> Value {
    let a = s.call("GET", path, Some(t), None).await;
    assert_eq!(a.status, 200, "{path}: {:?}", a.body);
    a.body
}

#[tokio::test]
async fn the_summary_is_the_sum_of_the_campaigns_read_from_one_item() {
    let s = TestServer::start().await;
    let (t, spring) = ready(&s).await;
    let summer = s.campaign(&t, json!({"name": "Summer"})).await;
    s.activate(&t, &summer).await;
    let doomed = s.campaign(&t, json!({"name": "Doomed"})).await;
    s.activate(&t, &doomed).await;

    // Spring: three sent, two replies, one link won, one prospect never written to.
    let won = sent(&s, &t, &spring, "greenmag.org").await;
    sent(&s, &t, &spring, "petsworld.net").await;
    sent(&s, &t, &spring, "travelblog.io").await;
    prospect(&s, &t, &spring, "quiet.org", "jo@quiet.org", json!({})).await;
    reply(&s, &t, "ed@greenmag.org", "Sounds good, send it over!").await;
    reply(
        &s,
        &t,
        "ed@petsworld.net",
        "No thanks, we are not interested.",
    )
    .await;
    let published = s
        .call(
            "PATCH",
            &format!("/v1/backlinks/{won}"),
            Some(&t),
            Some(json!({"outreachStatus": "published", "placementUrl": "https://greenmag.org/blog/compost"})),
        )
        .await;
    assert_eq!(published.status, 200, "{:?}", published.body);

    // Summer: one sent, one draft skipped, one backlink deleted.
    sent(&s, &t, &summer, "homeideas.com").await;
    let skipped = prospect(&s, &t, &summer, "skipme.com", "ed@skipme.com", json!({})).await;
    let email = draft(&s, &t, &skipped, json!({})).await;
    let skip = format!("/v1/emails/{}/skip", email["id"].as_str().unwrap());
    assert_eq!(s.call("POST", &skip, Some(&t), None).await.status, 200);
    let gone = prospect(&s, &t, &summer, "gone.com", "ed@gone.com", json!({})).await;
    let deleted = s
        .call("DELETE", &format!("/v1/backlinks/{gone}"), Some(&t), None)
        .await;
    assert_eq!(deleted.status, 204);

    // Doomed: one sent and a link won, then the campaign is deleted with them.
    let doomed_link = sent(&s, &t, &doomed, "doomed.net").await;
    s.call(
        "PATCH",
        &format!("/v1/backlinks/{doomed_link}"),
        Some(&t),
        Some(json!({"outreachStatus": "published"})),
    )
    .await;
    let before = get(&s, &t, "/v1/reports/summary").await;
    assert_eq!(
        (before["sent"].clone(), before["linksWon"].clone()),
        (json!(5), json!(2))
    );
    let path = format!("/v1/campaigns/{}", doomed["id"].as_str().unwrap());
    assert_eq!(s.call("DELETE", &path, Some(&t), None).await.status, 204);

    let mut campaigns = Vec::new();
    for c in [&spring, &summer] {
        let path = format!("/v1/campaigns/{}/analytics", c["id"].as_str().unwrap());
        campaigns.push(get(&s, &t, &path).await);
    }
    let summary = get(&s, &t, "/v1/reports/summary").await;
    assert_eq!(figures(&summary), figures(&add_up(&campaigns)));
    assert_eq!(
        (
            summary["prospects"].clone(),
            summary["sent"].clone(),
            summary["skipped"].clone(),
            summary["linksWon"].clone()
        ),
        (json!(6), json!(4), json!(1), json!(1)),
        "{summary:?}"
    );
    let replies: i64 = summary["repliesByClass"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(replies, 2, "{summary:?}");
    let expected_rate = (summary["repliesByClass"]["interested"].as_i64().unwrap()
        + summary["repliesByClass"]["agreed"].as_i64().unwrap()) as f64
        / 4.0;
    assert_eq!(summary["positiveRate"].as_f64().unwrap(), expected_rate);

    // One read, whatever the tenant holds.
    let (gets, queries) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (g, q) = (gets.clone(), queries.clone());
    let mut app = (*s.local.app).clone();
    app.table = WatchedTable::new(s.local.app.table.clone(), move |read| {
        match read {
            Read::Get(_) => g.fetch_add(1, Ordering::Relaxed),
            Read::Query(_) => q.fetch_add(1, Ordering::Relaxed),
        };
        Ok(())
    });
    let direct = analytics::summary(&app, &TenantId::parse("acme").unwrap())
        .await
        .unwrap();
    assert_eq!(serde_json::to_value(&direct).unwrap(), summary);
    assert_eq!(
        (
            gets.load(Ordering::Relaxed),
            queries.load(Ordering::Relaxed)
        ),
        (1, 0)
    );
}
