//! Reclaiming a lost outreach link (issue 15): the site agreed by reply and placed the link,
//! the link went, the loss was confirmed; `draftReclaimEmail` drafts a note threaded on the
//! original conversation, a person approves it, and it leaves under the same send policy,
//! `In-Reply-To` the original; a link that came back refuses it.

mod support;

use backlinks_core::ports::ManualClock;
use serde_json::{Value, json};
use std::sync::Arc;
use support::outreach::{approve_and_send, draft, prospect, ready};
use support::{Site, TestServer};

const TARGET: &str = "https://client-shop.com/guide";

fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// The Message-ID and Reply-To of the first email sent to `to`.
fn sent_to(s: &TestServer, to: &str) -> (String, String) {
    let eml = s
        .outbox()
        .into_iter()
        .find(|m| m.contains(&format!("<{to}>")))
        .unwrap();
    let sent = backlinks_core::domain::inbound::parse(eml.as_bytes()).unwrap();
    (sent.message_id.unwrap(), sent.reply_to.unwrap())
}

async fn run(s: &TestServer, job: &str) {
    let spec = backlinks_core::jobs::by_name(job).unwrap();
    backlinks_core::jobs::run_scheduled(s.local.app.clone(), &spec)
        .await
        .unwrap();
    s.drain().await;
}

#[tokio::test]
async fn a_lost_link_is_reclaimed_in_its_thread_after_review_and_only_while_lost() {
    let site = Site::new("greenmag.org").await;
    site.page(
        "/compost",
        200,
        format!(r#"<p><a href="{TARGET}">guide</a></p>"#),
    )
    .await;
    let clock = Arc::new(ManualClock::new(support::start_time()));
    let s = TestServer::start_with(|o| {
        o.clock = clock.clone();
        o.resolve = vec![site.addr()];
    })
    .await;
    let (t, c) = ready(&s).await;
    let b = prospect(
        &s,
        &t,
        &c,
        "greenmag.org",
        "maya@greenmag.org",
        json!({"targetUrl": TARGET}),
    )
    .await;
    let path = format!("/v1/backlinks/{b}");
    let early = s
        .call(
            "POST",
            &format!("{path}/reclaim-email"),
            Some(&t),
            Some(json!({})),
        )
        .await;
    assert_eq!(early.status, 409, "nothing is lost yet: {:?}", early.body);
    let email = draft(&s, &t, &b, json!({})).await;
    let sent = approve_and_send(&s, &t, &email).await;
    assert_eq!(sent["status"], "sent");

    // Maya agrees by reply with the live placement: the backlink is published.
    let (message_id, reply_to) = sent_to(&s, "maya@greenmag.org");
    let reply = format!(
        "From: Maya Chen <maya@greenmag.org>\nTo: {reply_to}\nSubject: Re: {}\nDate: {}\n\
In-Reply-To: <{message_id}>\nMessage-ID: <agreed-1@greenmag.org>\nContent-Type: text/plain; charset=utf-8\n\n\
Hi Alice,\n\nDone! The article is live: http://greenmag.org/compost\n\nMaya\n",
        sent["subject"].as_str().unwrap(),
        chrono::Utc::now().to_rfc2822()
    );
    let answer = s
        .raw(
            "POST",
            "/v1/dev/inbound",
            &t,
            "message/rfc822",
            crlf(&reply),
        )
        .await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    let check = s
        .call("POST", &format!("{path}/check"), Some(&t), None)
        .await;
    assert_eq!(check.body["health"], "live", "{:?}", check.body);

    // The link goes; six hours later the loss is confirmed.
    site.server.reset().await;
    site.page("/compost", 200, "<p>Rewritten.</p>").await;
    s.call("POST", &format!("{path}/check"), Some(&t), None)
        .await;
    clock.advance_seconds(6 * 3_600 + 60);
    let confirmed = s
        .call("POST", &format!("{path}/check"), Some(&t), None)
        .await;
    assert_eq!(confirmed.body["health"], "dead", "{:?}", confirmed.body);

    let reclaim = s
        .call(
            "POST",
            &format!("{path}/reclaim-email"),
            Some(&t),
            Some(json!({})),
        )
        .await;
    assert_eq!(reclaim.status, 200, "{:?}", reclaim.body);
    let follow_up = &reclaim.body["followUp"];
    assert_eq!(follow_up["purpose"], "reclaim");
    assert_eq!(follow_up["approvedAt"], Value::Null, "a person approves it");
    let text = follow_up["body"].as_str().unwrap();
    assert!(
        text.starts_with("Hi Maya,") && text.contains(TARGET),
        "{text}"
    );
    assert!(
        text.contains("no longer on the page") && text.ends_with("Alice Agent"),
        "{text}"
    );
    // Unapproved, nothing goes.
    run(&s, "follow-up-sweep").await;
    assert_eq!(s.outbox().len(), 1);

    let id = email["id"].as_str().unwrap();
    clock.advance_seconds(60);
    let approved = s
        .call(
            "POST",
            &format!("/v1/emails/{id}/follow-up/approve"),
            Some(&t),
            Some(json!({})),
        )
        .await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    run(&s, "follow-up-sweep").await;
    let outbox = s.outbox();
    assert_eq!(outbox.len(), 2, "the reclaim went");
    let note = outbox.iter().find(|m| m.contains("In-Reply-To:")).unwrap();
    assert!(
        note.contains(&format!("In-Reply-To: <{message_id}>")),
        "{note}"
    );
    assert!(note.contains("Subject: Re: "), "{note}");
    let after = s
        .call("GET", &format!("/v1/emails/{id}"), Some(&t), None)
        .await
        .body;
    assert_eq!(after["followUpsSent"], 1);
    assert_eq!(
        after["nextFollowUpAt"],
        Value::Null,
        "one note, not a new sequence"
    );

    // A second reclaim for a link that came back is refused by the send policy.
    let again = s
        .call(
            "POST",
            &format!("{path}/reclaim-email"),
            Some(&t),
            Some(json!({"body": "Hi again"})),
        )
        .await;
    assert_eq!(again.status, 200);
    site.server.reset().await;
    site.page(
        "/compost",
        200,
        format!(r#"<p><a href="{TARGET}">guide</a></p>"#),
    )
    .await;
    let back = s
        .call("POST", &format!("{path}/check"), Some(&t), None)
        .await;
    assert_eq!(
        back.body["health"], "live",
        "a link found again counts at once"
    );
    clock.advance_seconds(60);
    s.call(
        "POST",
        &format!("/v1/emails/{id}/follow-up/approve"),
        Some(&t),
        Some(json!({})),
    )
    .await;
    run(&s, "follow-up-sweep").await;
    assert_eq!(s.outbox().len(), 2, "the link is back: nothing to reclaim");
    let blocked = s
        .call("GET", &format!("/v1/emails/{id}"), Some(&t), None)
        .await
        .body;
    assert!(
        blocked["blockReasons"]
            .as_array()
            .unwrap()
            .contains(&json!("link_not_lost")),
        "{blocked:?}"
    );
}
