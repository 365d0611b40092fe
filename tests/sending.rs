//! Sending at most once, under concurrency, redelivery and crashes, on both table adapters;
//! the SES and SMTP transports against real servers; the guards on settling.

mod support;

use async_trait::async_trait;
use backlinks_core::adapters::mail::{MailRouter, Outbox};
use backlinks_core::app::outreach::sending::{self, SendMessage};
use backlinks_core::app::outreach::settle::{self, Resolution, ReviewOutcome};
use backlinks_core::app::outreach::{analytics, emails, followups, keys};
use backlinks_core::app::paging::PageRequest;
use backlinks_core::app::replies::ingest::{Ingested, ingest};
use backlinks_core::app::store::from_item;
use backlinks_core::app::{App, AppError, activity, backlinks, campaigns};
use backlinks_core::domain::backlink::OutreachStatus;
use backlinks_core::domain::ids::EmailId;
use backlinks_core::domain::outreach::Attempt;
use backlinks_core::domain::outreach::{EmailStatus, OutreachEmail};
use backlinks_core::jobs;
use backlinks_core::ports::Clock;
use backlinks_core::ports::mailer::{
    Envelope, MailError, Mailer, SmtpAccount, SmtpSecurity, Transport,
};
use backlinks_core::ports::table::TableError;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use support::Store;
use support::send_world::*;
use support::watched::{Read, WatchedTable};

async fn statuses(w: &World, messages: &[SendMessage]) -> Vec<EmailStatus> {
    let mut out = Vec::new();
    for m in messages {
        out.push(
            emails::get(&w.app, &w.tenant, &m.email_id)
                .await
                .unwrap()
                .status,
        );
    }
    out
}

async fn two_hundred_against_a_cap_of_twenty(store: Store) {
    let w = world(store, None).await;
    let messages = seed(&w, 200, 20).await;
    race(&w, &messages).await;
    assert_eq!(sent_files(&w.outbox).len(), 20);
    let s = statuses(&w, &messages).await;
    assert_eq!(s.iter().filter(|x| **x == EmailStatus::Sent).count(), 20);
    assert_eq!(
        s.iter().filter(|x| **x == EmailStatus::Approved).count(),
        180,
        "the rest wait for tomorrow"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sends_respect_the_cap_on_the_embedded_store() {
    two_hundred_against_a_cap_of_twenty(Store::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sends_respect_the_cap_on_dynamodb() {
    two_hundred_against_a_cap_of_twenty(Store::dynamodb().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_message_delivered_twice_sends_each_email_once() {
    let w = world(Store::sqlite().await, None).await;
    let messages = seed(&w, 6, 100).await;
    let twice: Vec<SendMessage> = messages.iter().chain(messages.iter()).cloned().collect();
    // A copy that meets a send in flight goes back to the queue and comes again later.
    let again = race_once(&w, &twice).await;
    race(&w, &again).await;
    race(&w, &messages).await;
    assert_eq!(sent_files(&w.outbox).len(), 6);
    assert!(
        statuses(&w, &messages)
            .await
            .iter()
            .all(|s| *s == EmailStatus::Sent)
    );
}

/// A transport that never answers: the process "crashes" while the message is leaving.
/// It says when the message reached it, so the test cuts the send off exactly there.
struct Hangs(Arc<tokio::sync::Notify>);

#[async_trait]
impl Mailer for Hangs {
    async fn send(&self, _: &Transport, _: &Envelope, _: &[u8]) -> Result<String, MailError> {
        self.0.notify_one();
        std::future::pending().await
    }
}

#[tokio::test]
async fn a_crash_between_claim_and_send_needs_review_and_sends_nothing() {
    let leaving = Arc::new(tokio::sync::Notify::new());
    let crashing = world(
        Store::sqlite().await,
        Some(Arc::new(Hangs(leaving.clone()))),
    )
    .await;
    let messages = seed(&crashing, 1, 100).await;
    tokio::select! {
        outcome = sending::send_stage(&crashing.app, &messages[0]) => {
            panic!("a hanging transport cannot finish a send: {outcome:?}")
        }
        () = leaving.notified() => {}
    }
    // The message is delivered again, to a process with a working transport. While the
    // claim could still belong to a live worker, it goes back to the queue untouched.
    let restarted = world(crashing._store.share(), None).await;
    let early = sending::send_stage(&restarted.app, &messages[0]).await;
    assert!(matches!(early, Err(AppError::Unavailable(_))), "{early:?}");
    assert_eq!(
        statuses(&restarted, &messages).await,
        vec![EmailStatus::Queued]
    );
    // Past the send job's time limit the worker is surely gone: a person decides.
    restarted
        .clock
        .advance_seconds(i64::from(sending::SEND_TIMEOUT_SECS));
    sending::send_stage(&restarted.app, &messages[0])
        .await
        .unwrap();
    let email = emails::get(&restarted.app, &restarted.tenant, &messages[0].email_id)
        .await
        .unwrap();
    assert_eq!(email.status, EmailStatus::NeedsReview);
    assert!(email.last_error.unwrap().contains("never confirmed"));
    assert!(sent_files(&restarted.outbox).is_empty());
}

/// A transport whose next `left` sends fail with `error`; later ones are taken.
struct FailsFirst {
    left: AtomicU32,
    error: MailError,
}

impl FailsFirst {
    fn new(left: u32, error: MailError) -> Arc<FailsFirst> {
        Arc::new(FailsFirst {
            left: AtomicU32::new(left),
            error,
        })
    }
}

#[async_trait]
impl Mailer for FailsFirst {
    async fn send(&self, _: &Transport, _: &Envelope, _: &[u8]) -> Result<String, MailError> {
        match self
            .left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        {
            Ok(_) => Err(self.error.clone()),
            Err(_) => Ok("accepted".into()),
        }
    }
}

/// Refused for now (a 4xx, throttling).
fn refused() -> MailError {
    MailError::Retryable("451 4.7.1 try again later".into())
}

/// Answered, but the outcome is unknown (a timeout mid-transfer).
fn unsure() -> MailError {
    MailError::Unknown("timed out after DATA".into())
}

#[tokio::test]
async fn a_send_is_cut_off_at_the_jobs_time_limit_as_lambda_would() {
    let crashing = world(
        Store::sqlite().await,
        Some(Arc::new(Hangs(Arc::new(tokio::sync::Notify::new())))),
    )
    .await;
    let messages = seed(&crashing, 1, 100).await;
    let send = jobs::by_name("send").unwrap();
    let short = jobs::JobSpec {
        timeout_secs: 1,
        ..send
    };
    let body = serde_json::to_string(&messages[0]).unwrap();
    let cut = jobs::run_message(crashing.app.clone(), &short, "m1", body).await;
    assert!(
        matches!(&cut, Err(AppError::Unavailable(why)) if why.contains("ran out of its 1 s")),
        "{cut:?}"
    );
    // The claim it left is treated as any abandoned claim.
    crashing
        .clock
        .advance_seconds(i64::from(sending::SEND_TIMEOUT_SECS));
    sending::send_stage(&crashing.app, &messages[0])
        .await
        .unwrap();
    assert_eq!(
        statuses(&crashing, &messages).await,
        vec![EmailStatus::NeedsReview]
    );
}

#[tokio::test]
async fn refusals_for_now_are_retried_later_and_later() {
    let w = world(Store::sqlite().await, Some(FailsFirst::new(2, refused()))).await;
    // A tenant cap of one: a refused send must give its place back.
    let messages = seed(&w, 1, 1).await;
    assert_eq!(deliver_due(&w).await, 1);
    let email = emails::get(&w.app, &w.tenant, &messages[0].email_id)
        .await
        .unwrap();
    assert_eq!(email.status, EmailStatus::Queued);
    assert!(email.last_error.unwrap().contains("451 4.7.1"));
    for wait in [30, 120] {
        w.clock.advance_seconds(wait - 1);
        assert_eq!(deliver_due(&w).await, 0, "not before {wait} s");
        w.clock.advance_seconds(1);
        assert_eq!(deliver_due(&w).await, 1, "after {wait} s");
    }
    assert_eq!(statuses(&w, &messages).await, vec![EmailStatus::Sent]);
    w.clock.advance_seconds(3600);
    assert_eq!(deliver_due(&w).await, 0, "nothing left to send");
}

#[tokio::test]
async fn a_transport_that_keeps_refusing_has_refused_for_good() {
    let w = world(
        Store::sqlite().await,
        Some(FailsFirst::new(u32::MAX, refused())),
    )
    .await;
    let messages = seed(&w, 1, 100).await;
    for _ in 0..=sending::MAX_TRANSPORT_RETRIES {
        assert_eq!(deliver_due(&w).await, 1);
        w.clock.advance_seconds(15 * 60);
    }
    assert_eq!(deliver_due(&w).await, 0);
    let email = emails::get(&w.app, &w.tenant, &messages[0].email_id)
        .await
        .unwrap();
    assert_eq!(email.status, EmailStatus::Failed);
    assert!(
        email
            .last_error
            .unwrap()
            .contains("refused it 6 times, last: 451")
    );
}

#[tokio::test]
async fn an_unknown_outcome_is_never_retried() {
    let w = world(
        Store::sqlite().await,
        Some(FailsFirst::new(u32::MAX, unsure())),
    )
    .await;
    let messages = seed(&w, 1, 100).await;
    sending::send_stage(&w.app, &messages[0]).await.unwrap();
    sending::send_stage(&w.app, &messages[0]).await.unwrap();
    assert_eq!(
        statuses(&w, &messages).await,
        vec![EmailStatus::NeedsReview]
    );
    let id = &messages[0].email_id;
    assert_eq!(waiting_for_review(&w, id).await, 1);
    // Skipping is the third way to settle it.
    emails::skip(&w.app, &w.tenant, id).await.unwrap();
    assert_eq!(waiting_for_review(&w, id).await, 0);
}

async fn settle(
    w: &World,
    id: &EmailId,
    outcome: ReviewOutcome,
) -> Result<OutreachEmail, AppError> {
    let email = emails::get(&w.app, &w.tenant, id).await?;
    settle::resolve(&w.app, &w.tenant, "u_alice", email, &Resolution { outcome }).await
}

#[tokio::test]
async fn a_person_settles_first_sends_under_review() {
    let w = world(Store::sqlite().await, Some(FailsFirst::new(2, unsure()))).await;
    let messages = seed(&w, 2, 100).await;
    let (left, stayed) = (&messages[0].email_id, &messages[1].email_id);
    assert!(matches!(
        settle(&w, left, ReviewOutcome::Sent).await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(deliver_due(&w).await, 2);
    assert_eq!(
        statuses(&w, &messages).await,
        vec![EmailStatus::NeedsReview; 2]
    );
    assert_eq!(waiting_for_review(&w, left).await, 2);
    // The provider's records show the first one left: it counts as sent from now on.
    let e = settle(&w, left, ReviewOutcome::Sent).await.unwrap();
    assert_eq!(
        (e.status, e.last_error.as_deref()),
        (EmailStatus::Sent, None)
    );
    assert!(
        e.next_follow_up_at.is_some(),
        "its follow-ups are scheduled"
    );
    let backlink = backlinks::get(&w.app, &w.tenant, &e.backlink_id)
        .await
        .unwrap();
    assert_eq!(backlink.outreach_status, OutreachStatus::OutreachSent);
    assert!(
        matches!(
            settle(&w, left, ReviewOutcome::NotSent).await,
            Err(AppError::Conflict(_))
        ),
        "settled once"
    );
    // The second never left: back to approved, and the scheduler sends it again.
    let e = settle(&w, stayed, ReviewOutcome::NotSent).await.unwrap();
    assert_eq!(e.status, EmailStatus::Approved);
    assert_eq!(
        sending::schedule(&w.app, &support::budget()).await.unwrap(),
        1
    );
    assert_eq!(deliver_due(&w).await, 1);
    assert_eq!(statuses(&w, &messages).await, vec![EmailStatus::Sent; 2]);
    assert_eq!(waiting_for_review(&w, left).await, 0);
    let log = activity::list(&w.app, &w.tenant, PageRequest::parse(None, None).unwrap())
        .await
        .unwrap()
        .items;
    let settled: Vec<_> = log
        .iter()
        .filter(|a| a.action == "email_send_settled")
        .map(|a| (a.actor.as_str(), a.details["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(settled, [("u_alice", "not_sent"), ("u_alice", "sent")]);
}

/// The campaign's count of sends waiting for a person.
async fn waiting_for_review(w: &World, email: &EmailId) -> i64 {
    let e = emails::get(&w.app, &w.tenant, email).await.unwrap();
    analytics::campaign(&w.app, &w.tenant, &e.campaign_id)
        .await
        .unwrap()
        .needs_review
}

#[tokio::test]
async fn a_follow_up_under_review_that_never_left_becomes_due_again() {
    let transport = FailsFirst::new(0, unsure());
    let w = world(Store::sqlite().await, Some(transport.clone())).await;
    let messages = seed(&w, 1, 100).await;
    assert_eq!(deliver_due(&w).await, 1);
    w.clock.advance_seconds(2 * 86_400 + 60);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        1
    );
    transport.left.store(1, Ordering::SeqCst);
    assert_eq!(deliver_due(&w).await, 1);
    assert_eq!(
        statuses(&w, &messages).await,
        vec![EmailStatus::NeedsReview]
    );
    let e = settle(&w, &messages[0].email_id, ReviewOutcome::NotSent)
        .await
        .unwrap();
    assert_eq!((e.status, e.follow_ups_sent), (EmailStatus::Sent, 0));
    w.clock.advance_seconds(1);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        1,
        "due by the next sweep"
    );
    assert_eq!(deliver_due(&w).await, 1);
    let e = emails::get(&w.app, &w.tenant, &messages[0].email_id)
        .await
        .unwrap();
    assert_eq!((e.status, e.follow_ups_sent), (EmailStatus::Sent, 1));
}

/// A reply from the first prospect to the first email's attempt, by its token and Message-ID.
async fn interested_reply(w: &World, id: &EmailId) -> String {
    let attempt: Attempt = w
        .app
        .table
        .get(&keys::attempt(&w.tenant, id, 0))
        .await
        .unwrap()
        .map(|item| from_item(item).unwrap())
        .unwrap();
    let domain = attempt.message_id.split('@').nth(1).unwrap();
    format!(
        "From: ed@site0.org\r\nTo: reply+{}@{domain}\r\nSubject: Re: hello\r\n\
         Message-ID: <r1@site0.org>\r\nIn-Reply-To: <{}>\r\n\r\nSounds good, tell me more.\r\n",
        attempt.reply_token, attempt.message_id
    )
}

#[tokio::test]
async fn a_reply_to_the_message_under_review_proves_it_left() {
    let w = world(Store::sqlite().await, Some(FailsFirst::new(1, unsure()))).await;
    let messages = seed(&w, 1, 100).await;
    let id = &messages[0].email_id;
    assert_eq!(deliver_due(&w).await, 1);
    assert_eq!(
        statuses(&w, &messages).await,
        vec![EmailStatus::NeedsReview]
    );
    let raw = interested_reply(&w, id).await;
    let Ingested::Stored(_, reply) = ingest(&w.app, raw.as_bytes(), &[], Some(&w.tenant))
        .await
        .unwrap()
    else {
        panic!("the reply is stored")
    };
    assert!(
        reply
            .effects
            .iter()
            .any(|e| e == "send under review confirmed"),
        "{:?}",
        reply.effects
    );
    let e = emails::get(&w.app, &w.tenant, id).await.unwrap();
    assert_eq!(e.status, EmailStatus::Sent);
    assert!(e.replied_at.is_some() && e.next_follow_up_at.is_none());
    let backlink = backlinks::get(&w.app, &w.tenant, &e.backlink_id)
        .await
        .unwrap();
    assert_eq!(backlink.outreach_status, OutreachStatus::Responded);
}

/// A small message with a unique marker, and its envelope, for the transport tests.
fn probe() -> (String, String, Envelope) {
    let marker = uuid::Uuid::now_v7().simple().to_string();
    let raw = format!(
        "From: alice@agency.com\r\nTo: ed@blog.org\r\nMessage-ID: <{marker}@agency.com>\r\nSubject: hi\r\n\r\nbody\r\n"
    );
    let envelope = Envelope {
        from: "alice@agency.com".into(),
        to: "ed@blog.org".into(),
    };
    (marker, raw, envelope)
}

#[tokio::test]
async fn ses_sends_the_raw_message_as_built() {
    let config = aws_sdk_ses::Config::builder()
        // The Lambda functions' HTTP client, so the AWS suites exercise it.
        .http_client(backlinks_core::adapters::aws_http::http_client())
        .behavior_version(aws_sdk_ses::config::BehaviorVersion::latest())
        .region(aws_sdk_ses::config::Region::new("us-east-1"))
        .endpoint_url(support::moto_endpoint())
        .credentials_provider(aws_sdk_ses::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .build();
    let client = aws_sdk_ses::Client::from_conf(config);
    client
        .verify_email_identity()
        .email_address("alice@agency.com")
        .send()
        .await
        .unwrap();
    let ses = backlinks_core::adapters::ses::Ses::new(client, None);
    let router = MailRouter::new(Arc::new(ses));
    let (marker, raw, envelope) = probe();
    let id = router
        .send(&Transport::Platform, &envelope, raw.as_bytes())
        .await
        .unwrap();
    let data: serde_json::Value =
        reqwest::get(format!("{}/moto-api/data.json", support::moto_endpoint()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let sent = data["ses"]["RawMessage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id.as_str())
        .unwrap()
        .clone();
    assert!(sent["raw_data"].as_str().unwrap().contains(&marker));
    let unverified = Envelope {
        from: "mallory@nowhere.org".into(),
        to: "ed@blog.org".into(),
    };
    assert!(matches!(
        router
            .send(&Transport::Platform, &unverified, raw.as_bytes())
            .await,
        Err(MailError::Permanent(_))
    ));
}

#[tokio::test]
async fn smtp_delivers_to_a_real_server_and_reports_refusals() {
    let port: u16 = std::env::var("SMTP_SINK_PORT")
        .expect("SMTP_SINK_PORT: run through infra/test.sh")
        .parse()
        .unwrap();
    let dir = PathBuf::from(std::env::var("SMTP_SINK_DIR").unwrap());
    let account = |password: &str| SmtpAccount {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: "alice".into(),
        password: password.into(),
    };
    let (marker, raw, envelope) = probe();
    let router = MailRouter::new(Arc::new(Outbox::new(std::env::temp_dir())));
    router
        .send(
            &Transport::Smtp(account("sink-password")),
            &envelope,
            raw.as_bytes(),
        )
        .await
        .unwrap();
    let stored = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .find(|t| t.contains(&marker));
    let stored = stored.expect("the sink stored the message");
    assert!(stored.contains("X-Envelope-To: ed@blog.org"));
    let to = |addr: &str| Envelope {
        from: "alice@agency.com".into(),
        to: addr.into(),
    };
    let refused = router
        .send(
            &Transport::Smtp(account("sink-password")),
            &to("reject@blog.org"),
            raw.as_bytes(),
        )
        .await;
    assert!(
        matches!(refused, Err(MailError::Permanent(_))),
        "{refused:?}"
    );
    let later = router
        .send(
            &Transport::Smtp(account("sink-password")),
            &to("later@blog.org"),
            raw.as_bytes(),
        )
        .await;
    assert!(matches!(later, Err(MailError::Retryable(_))), "{later:?}");
    let closed = SmtpAccount {
        port: 1,
        ..account("x")
    };
    let unreachable = router
        .send(&Transport::Smtp(closed), &envelope, raw.as_bytes())
        .await;
    assert!(
        matches!(unreachable, Err(MailError::Retryable(_))),
        "nothing left, so retrying is safe: {unreachable:?}"
    );
}

/// An approved (not yet released) email in a new campaign of `w`'s tenant.
async fn approved_in_new_campaign(w: &World, site: &str) -> OutreachEmail {
    let app = &w.app;
    let campaign = campaigns::create(
        app,
        &w.tenant,
        serde_json::from_value(json!({"name": site})).unwrap(),
    )
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
    let b = backlinks::create(
        app,
        &w.tenant,
        serde_json::from_value(json!({
            "sourceDomain": site, "campaignId": campaign.id, "recipientEmail": format!("ed@{site}")
        }))
        .unwrap(),
    )
    .await
    .unwrap();
    let e = emails::draft(app, &w.tenant, &b.id, Default::default())
        .await
        .unwrap();
    emails::approve(app, &w.tenant, &e.id).await.unwrap()
}

#[tokio::test]
async fn the_scheduler_reads_past_emails_that_cannot_go() {
    let w = world(Store::sqlite().await, None).await;
    seed(&w, 0, 100).await;
    let stuck = approved_in_new_campaign(&w, "paused.org").await;
    campaigns::act(
        &w.app,
        &w.tenant,
        &stuck.campaign_id,
        backlinks_core::domain::campaign::CampaignAction::Pause,
    )
    .await
    .unwrap();
    w.clock.advance_seconds(60);
    let ready = approved_in_new_campaign(&w, "ready.org").await;
    // 1,500 approved emails of the paused campaign, all older than the sendable one and all
    // in its shard of the send index.
    let shard = keys::send_queue(&ready.id);
    let mut copies = Vec::new();
    while copies.len() < 1_500 {
        let id = EmailId::from_uuid(uuid::Uuid::now_v7());
        if keys::send_queue(&id) == shard {
            let mut copy = stuck.clone();
            copy.id = id;
            copies.push(backlinks_core::ports::table::WriteOp::Put(
                backlinks_core::app::entity::item(&copy, &w.tenant).unwrap(),
            ));
        }
    }
    w.app.table.batch_write(copies).await.unwrap();
    assert_eq!(
        sending::schedule(&w.app, &support::budget()).await.unwrap(),
        1
    );
    let ready = emails::get(&w.app, &w.tenant, &ready.id).await.unwrap();
    assert_eq!(ready.status, EmailStatus::Queued);
}

/// A store watched by the test: it counts reads of sender settings and, when asked, fails
/// its first read of an email for a moment.
fn watched(w: &World, fail_an_email_read: bool) -> (Arc<WatchedTable>, Arc<AtomicU32>) {
    let sender_reads = Arc::new(AtomicU32::new(0));
    let reads = sender_reads.clone();
    let fail = std::sync::atomic::AtomicBool::new(fail_an_email_read);
    let table = WatchedTable::new(w.app.table.clone(), move |read| {
        if let Read::Get(key) = read {
            if key.sk == "SETTINGS#sender" {
                reads.fetch_add(1, Ordering::SeqCst);
            }
            if key.sk.starts_with("EMAIL#") && fail.swap(false, Ordering::SeqCst) {
                return Err(TableError::Unavailable("throttled".into()));
            }
        }
        Ok(())
    });
    (table, sender_reads)
}

#[tokio::test]
async fn a_reply_read_during_a_store_hiccup_fails_and_is_matched_on_retry() {
    let w = world(Store::sqlite().await, None).await;
    let messages = seed(&w, 1, 100).await;
    assert_eq!(deliver_due(&w).await, 1);
    let id = &messages[0].email_id;
    let raw = interested_reply(&w, id).await;
    let flaky = App {
        table: watched(&w, true).0,
        ..(*w.app).clone()
    };
    let first = ingest(&flaky, raw.as_bytes(), &[], Some(&w.tenant)).await;
    assert!(matches!(first, Err(AppError::Unavailable(_))), "{first:?}");
    let replies = backlinks_core::app::replies::list(
        &w.app,
        &w.tenant,
        &Default::default(),
        PageRequest::first(10),
    )
    .await
    .unwrap();
    assert!(
        replies.items.is_empty(),
        "nothing written by the failed try"
    );
    let Ingested::Stored(_, reply) = ingest(&flaky, raw.as_bytes(), &[], Some(&w.tenant))
        .await
        .unwrap()
    else {
        panic!("the retry stores the reply")
    };
    assert_eq!(reply.matched.as_ref().unwrap().email_id, *id);
    let e = emails::get(&w.app, &w.tenant, id).await.unwrap();
    assert!(e.replied_at.is_some() && e.next_follow_up_at.is_none());
}

#[tokio::test]
async fn writing_again_to_a_site_that_never_answered_moves_it_back_to_outreach_sent() {
    let w = world(Store::sqlite().await, None).await;
    let messages = seed(&w, 1, 100).await;
    let e = emails::get(&w.app, &w.tenant, &messages[0].email_id)
        .await
        .unwrap();
    let now = w.clock.now();
    backlinks::modify(&w.app, &w.tenant, &e.backlink_id, |b| {
        b.transition(OutreachStatus::OutreachSent, now).unwrap();
        b.transition(OutreachStatus::NoResponse, now).unwrap();
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(deliver_due(&w).await, 1);
    let b = backlinks::get(&w.app, &w.tenant, &e.backlink_id)
        .await
        .unwrap();
    assert_eq!(b.outreach_status, OutreachStatus::OutreachSent);
}

#[tokio::test]
async fn the_scheduler_reads_a_tenants_sender_settings_once_per_run() {
    let w = world(Store::sqlite().await, None).await;
    seed(&w, 0, 100).await;
    for site in ["one.org", "two.org", "three.org"] {
        approved_in_new_campaign(&w, site).await;
    }
    let (table, sender_reads) = watched(&w, false);
    let watched = App {
        table,
        ..(*w.app).clone()
    };
    assert_eq!(
        sending::schedule(&watched, &support::budget())
            .await
            .unwrap(),
        3
    );
    assert_eq!(sender_reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_blocked_send_is_audited_with_every_reason_that_held() {
    use backlinks_core::app::outreach::policy;
    use backlinks_core::app::suppression::{self, Scope, SuppressionReason, Target};
    use backlinks_core::domain::outreach::BlockReason;
    let w = world(Store::sqlite().await, None).await;
    // A tenant cap of one: the first send fills it.
    let messages = seed(&w, 2, 1).await;
    let second = emails::get(&w.app, &w.tenant, &messages[1].email_id)
        .await
        .unwrap();
    suppression::add(
        &w.app,
        &Scope::Tenant(w.tenant.clone()),
        &Target::parse(second.recipient_email.as_str()).unwrap(),
        SuppressionReason::Manual,
        "u_alice",
        None,
    )
    .await
    .unwrap();
    let send = jobs::by_name("send").unwrap();
    for m in &messages {
        let body = serde_json::to_string(m).unwrap();
        jobs::run_message(w.app.clone(), &send, "m", body)
            .await
            .unwrap();
    }
    let second = emails::get(&w.app, &w.tenant, &second.id).await.unwrap();
    let both = vec![BlockReason::SuppressedAddress, BlockReason::CapTenantDaily];
    assert_eq!(second.status, EmailStatus::Blocked, "settled for good");
    assert_eq!(second.block_reasons, both);
    let log = policy::list(
        &w.app,
        &w.tenant,
        &Default::default(),
        PageRequest::first(10),
    )
    .await
    .unwrap();
    let blocked: Vec<_> = log
        .items
        .iter()
        .filter(|e| e.email_id == second.id)
        .collect();
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].reasons, both);
    let stats = analytics::campaign(&w.app, &w.tenant, &second.campaign_id)
        .await
        .unwrap();
    assert_eq!(
        stats.blocked_by_reason.get("suppressed_address"),
        Some(&1),
        "counted under the reason that decided"
    );
    assert_eq!(stats.blocked_by_reason.get("cap_tenant_daily"), None);
}

#[tokio::test]
async fn a_deleted_campaign_leaves_nothing_that_can_still_send() {
    let w = world(Store::sqlite().await, None).await;
    let messages = seed(&w, 1, 100).await;
    assert_eq!(deliver_due(&w).await, 1);
    let sent = emails::get(&w.app, &w.tenant, &messages[0].email_id)
        .await
        .unwrap();
    let campaign = sent.campaign_id.clone();
    let b = backlinks::create(&w.app, &w.tenant, serde_json::from_value(json!({
        "sourceDomain": "waiting.org", "campaignId": campaign, "recipientEmail": "ed@waiting.org"
    })).unwrap())
    .await
    .unwrap();
    let draft = emails::draft(&w.app, &w.tenant, &b.id, Default::default())
        .await
        .unwrap();
    let waiting = emails::approve(&w.app, &w.tenant, &draft.id).await.unwrap();
    campaigns::delete(&w.app, &w.tenant, &campaign)
        .await
        .unwrap();

    assert_eq!(
        sending::schedule(&w.app, &support::budget()).await.unwrap(),
        0
    );
    let waiting = emails::get(&w.app, &w.tenant, &waiting.id).await.unwrap();
    assert_eq!(waiting.status, EmailStatus::Skipped);
    // The sent email's follow-up comes due; the send stage stops it instead of sending.
    w.clock.advance_seconds(2 * 86_400 + 60);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        1
    );
    assert_eq!(deliver_due(&w).await, 1);
    let sent = emails::get(&w.app, &w.tenant, &sent.id).await.unwrap();
    assert_eq!(
        (
            sent.follow_ups_sent,
            sent.follow_up_pending,
            sent.next_follow_up_at
        ),
        (0, None, None)
    );
    assert_eq!(
        sent_files(&w.outbox).len(),
        1,
        "only the first email ever left"
    );
    let send = jobs::by_name("send").unwrap().queue().unwrap();
    assert_eq!(w.app.queue.stats(send).await.unwrap().dead_letters, 0);
    // Its counters went with it; its backlinks stay, without a campaign (seed 000).
    assert!(
        w.app
            .table
            .get(&keys::campaign_stats(&w.tenant, &campaign))
            .await
            .unwrap()
            .is_none()
    );
    let b = backlinks::get(&w.app, &w.tenant, &b.id).await.unwrap();
    assert_eq!(b.campaign_id, None);
}

#[tokio::test]
async fn one_scheduler_run_releases_at_most_a_tenants_share() {
    let w = world(Store::sqlite().await, None).await;
    seed(&w, 0, 100).await;
    let first = approved_in_new_campaign(&w, "busy.org").await;
    let mut copies = Vec::new();
    for _ in 0..599 {
        let mut copy = first.clone();
        copy.id = EmailId::from_uuid(uuid::Uuid::now_v7());
        copies.push(backlinks_core::ports::table::WriteOp::Put(
            backlinks_core::app::entity::item(&copy, &w.tenant).unwrap(),
        ));
    }
    w.app.table.batch_write(copies).await.unwrap();
    let mut runs = Vec::new();
    for _ in 0..3 {
        runs.push(sending::schedule(&w.app, &support::budget()).await.unwrap());
    }
    assert_eq!(
        runs,
        [500, 100, 0],
        "one run takes 500 of a tenant's, the next the rest"
    );
}
