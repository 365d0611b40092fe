//! The cloud inbound path against moto: SES's receipt rule stored the message in S3 and
//! invoked the reply-ingest function; the function's handler reads the object through
//! aws-sdk-s3 and ingests it into DynamoDB. SNS notifications go through the same glue.

mod support;

use aws_lambda_events::event::ses::SimpleEmailEvent;
use aws_lambda_events::event::sns::SnsEvent;
use backlinks_core::adapters::s3::S3Blobs;
use backlinks_core::app::outreach::sending::{self, SendMessage};
use backlinks_core::app::outreach::{emails, sender};
use backlinks_core::app::paging::PageRequest;
use backlinks_core::app::{backlinks, campaigns, replies};
use backlinks_core::domain::ids::TenantId;
use backlinks_core::jobs;
use serde_json::json;
use std::sync::Arc;
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

/// An SES receipt event as the Lambda action delivers it (abridged to what it always has).
fn ses_event(ses_id: &str, recipient: &str) -> SimpleEmailEvent {
    let verdict = json!({"status": "PASS"});
    serde_json::from_value(json!({"Records": [{
        "eventSource": "aws:ses", "eventVersion": "1.0",
        "ses": {
            "mail": {
                "timestamp": "2026-06-01T12:00:00.000Z", "source": "ed@site0.org", "messageId": ses_id,
                "destination": [recipient], "headersTruncated": false, "headers": [],
                "commonHeaders": {"from": ["ed@site0.org"], "to": [recipient], "subject": "Re: hi"}
            },
            "receipt": {
                "timestamp": "2026-06-01T12:00:00.000Z", "processingTimeMillis": 250, "recipients": [recipient],
                "spamVerdict": verdict, "virusVerdict": verdict, "spfVerdict": verdict, "dkimVerdict": verdict, "dmarcVerdict": verdict,
                "action": {"type": "Lambda", "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:reply-ingest", "invocationType": "Event"}
            }
        }
    }]}))
    .unwrap()
}

#[tokio::test]
async fn a_reply_stored_in_s3_is_ingested_by_the_function_into_dynamodb() {
    let store = Store::dynamodb().await;
    let dir = tempfile::tempdir().unwrap();
    let s3 = s3_client();
    let bucket = unique("inbound");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let outbox = dir.path().join("outbox");
    let app = Arc::new(
        support::app_over(&store, dir.path(), None)
            .await
            .with_blobs(Arc::new(S3Blobs::new(s3.clone(), bucket.clone()))),
    );

    // One email sent, on DynamoDB.
    let tenant = TenantId::parse("acme").unwrap();
    let patch = serde_json::from_value(json!({
        "fromName": "Alice", "fromEmail": "alice@agency.com", "organization": "Agency", "postalAddress": "1 Main St",
        "sendWindow": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "startHour": 0, "endHour": 24, "timeZone": "UTC"}
    }))
    .unwrap();
    sender::update(&app, &tenant, patch).await.unwrap();
    let campaign = campaigns::create(
        &app,
        &tenant,
        serde_json::from_value(json!({"name": "C"})).unwrap(),
    )
    .await
    .unwrap();
    campaigns::act(
        &app,
        &tenant,
        &campaign.id,
        backlinks_core::domain::campaign::CampaignAction::Activate,
    )
    .await
    .unwrap();
    let b = backlinks::create(
        &app,
        &tenant,
        serde_json::from_value(json!({
            "sourceDomain": "site0.org", "campaignId": campaign.id, "recipientEmail": "ed@site0.org"
        }))
        .unwrap(),
    )
    .await
    .unwrap();
    let e = emails::draft(&app, &tenant, &b.id, Default::default())
        .await
        .unwrap();
    let e = emails::approve(&app, &tenant, &e.id).await.unwrap();
    sending::release(&app, &tenant, &e).await.unwrap();
    sending::send_stage(
        &app,
        &SendMessage {
            tenant_id: tenant.clone(),
            email_id: e.id.clone(),
            sequence: 0,
        },
    )
    .await
    .unwrap();
    let sent = std::fs::read_dir(&outbox)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let sent = std::fs::read(sent).unwrap();
    let reply_to = backlinks_core::domain::inbound::parse(&sent)
        .and_then(|m| m.reply_to)
        .unwrap();

    // SES stored the reply whole under the rule's prefix; a large attachment rides along.
    let ses_id = "0000014a1b2c3d4e-reply-1";
    let padding = "x".repeat(76);
    let attachment: String = (0..20_000).map(|_| format!("{padding}\r\n")).collect();
    let raw = format!(
        "From: Ed <ed@site0.org>\r\nTo: {reply_to}\r\nSubject: Re: hi\r\nMessage-ID: <aws-1@site0.org>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\n\
Sounds good, send it over.\r\n--m\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n{attachment}--m--\r\n"
    );
    assert!(raw.len() > 1_000_000);
    s3.put_object()
        .bucket(&bucket)
        .key(format!("inbound/{ses_id}"))
        .body(raw.into_bytes().into())
        .send()
        .await
        .unwrap();

    let job = jobs::by_name("reply-ingest").unwrap();
    // Lambda retries an event that failed, and SES may deliver twice: both are harmless.
    for _ in 0..2 {
        let messages =
            backlinks_functions::inbound_messages(ses_event(ses_id, &reply_to), "inbound/");
        backlinks_functions::run_all(app.clone(), &job, messages, later())
            .await
            .unwrap();
    }
    let listed = replies::list(&app, &tenant, &Default::default(), PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    let reply = &listed.items[0];
    assert_eq!(reply.analysis.classification.as_str(), "interested");
    assert_eq!(reply.matched.as_ref().unwrap().email_id, e.id);
    assert!(
        emails::get(&app, &tenant, &e.id)
            .await
            .unwrap()
            .replied_at
            .is_some()
    );

    // An event whose object is missing fails the invocation, so Lambda retries it and then
    // hands it to the dead-letter queue.
    let missing =
        backlinks_functions::inbound_messages(ses_event("no-such-object", &reply_to), "inbound/");
    assert!(
        backlinks_functions::run_all(app.clone(), &job, missing, later())
            .await
            .is_err()
    );

    // SES feedback through SNS: a permanent bounce of the address we wrote to.
    let notification = json!({
        "notificationType": "Bounce",
        "bounce": {"bounceType": "Permanent", "feedbackId": "fb-aws-1", "bouncedRecipients": [{"emailAddress": "ed@site0.org", "status": "5.1.1"}]},
        "mail": {"messageId": "ses-out-1", "commonHeaders": {"messageId": format!("<{}>", emails::get(&app, &tenant, &e.id).await.unwrap().message_ids[0])}}
    });
    let sns: SnsEvent = serde_json::from_value(json!({"Records": [{
        "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:feedback:1",
        "Sns": {"Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:us-east-1:123456789012:feedback",
                "Subject": null, "Message": notification.to_string(), "Timestamp": "2026-06-01T12:00:00.000Z",
                "SignatureVersion": "1", "Signature": "x", "SigningCertUrl": "https://x", "UnsubscribeUrl": "https://x",
                "MessageAttributes": {}}
    }]}))
    .unwrap();
    let feedback = jobs::by_name("ses-feedback").unwrap();
    backlinks_functions::run_all(
        app.clone(),
        &feedback,
        backlinks_functions::topic_messages(sns),
        later(),
    )
    .await
    .unwrap();
    let bounced = emails::get(&app, &tenant, &e.id).await.unwrap();
    assert!(bounced.bounced_at.is_some());
    // DynamoDB limits key sizes: hostile, very long ids and addresses must still store.
    let long = "x".repeat(3_000);
    let hostile = format!(
        "From: someone@{long}.com\r\nTo: reply+{long}@r.example.com\r\nSubject: {long}\r\n\
Message-ID: <{long}@{long}.com>\r\nReferences: <{long}>\r\n\r\nHello?\r\n"
    );
    let stored =
        backlinks_core::app::replies::ingest::ingest(&app, hostile.as_bytes(), &[], Some(&tenant))
            .await
            .unwrap();
    assert!(matches!(
        stored,
        backlinks_core::app::replies::ingest::Ingested::Stored(..)
    ));
    let all = replies::list(&app, &tenant, &Default::default(), PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(all.items.len(), 3);
}

/// A batch deadline as far away as a Lambda invocation's.
fn later() -> std::time::Instant {
    std::time::Instant::now() + std::time::Duration::from_secs(900)
}
