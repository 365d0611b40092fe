//! Sending and reply ingest: parsing and classifying each kind of inbound mail (pure), the
//! send stage (policy, audit, claim transaction, MIME, outbox, records) for approved emails,
//! then the whole ingest (parse, match by Reply-To token, classify, dedupe, store, effects)
//! of replies to those emails, on the embedded store. Prints messages per second and peak memory;
//! figures go to docs/benchmarks.md by hand.
//! Run: cargo bench -p backlinks-core --features local --bench replies [-- EMAILS (at most 1,000, a campaign's daily cap)]

mod support;

use support::peak_rss_mib;

use backlinks_core::adapters::mail::{MailRouter, Outbox};
use backlinks_core::adapters::web_fetcher::WebFetcher;
use backlinks_core::app::outreach::sending::{self, SendMessage};
use backlinks_core::app::outreach::{OutreachEnv, emails, sender};
use backlinks_core::app::replies::ingest;
use backlinks_core::app::{App, backlinks, campaigns};
use backlinks_core::domain::campaign::CampaignAction;
use backlinks_core::domain::ids::TenantId;
use backlinks_core::domain::{inbound, reply};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

/// One message of each kind the classifier meets.
fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    let attachment: String = (0..65_000).map(|_| "A".repeat(76) + "\n").collect();
    vec![
        (
            "plain reply with quote",
            crlf(
                "From: Ed <ed@site.org>\nTo: reply+t@r.example.com\nSubject: Re: hi\nMessage-ID: <a@site.org>\nIn-Reply-To: <em_1.0@r.example.com>\n\nSounds good, send it over!\n\nOn Mon, 1 Jun 2026 at 10:00, Alice <alice@agency.com> wrote:\n> Hi Ed,\n> would you like a guest post?\n",
            ),
        ),
        (
            "Outlook HTML, quoted-printable",
            crlf(
                "From: Anna <anna@site.org>\nTo: a@agency.com\nSubject: RE: hi\nMessage-ID: <b@site.org>\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n<html><body><div>Thanks, but we don=E2=80=99t accept guest posts.</div><hr><div id=3D\"divRplyFwdMsg\"><b>From:</b> Alice<br><b>Sent:</b> Monday</div><div>pitch</div></body></html>\n",
            ),
        ),
        (
            "out-of-office, German",
            crlf(
                "From: r@site.de\nTo: a@agency.com\nSubject: Abwesenheitsnotiz: hi\nAuto-Submitted: auto-replied\nMessage-ID: <c@site.de>\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nIch bin bis zum 15.12.2026 nicht im B=FCro.\n",
            ),
        ),
        (
            "DSN, multipart/report",
            crlf(
                "From: MAILER-DAEMON@mx.site.org\nTo: a@agency.com\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <d@mx.site.org>\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nFailed.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.site.org\n\nFinal-Recipient: rfc822; gone@site.org\nAction: failed\nStatus: 5.1.1\n\n--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <em_1.0@r.example.com>\n\n--b--\n",
            ),
        ),
        (
            "reply with a 5 MB attachment",
            crlf(&format!(
                "From: Jo <jo@site.org>\nTo: a@agency.com\nSubject: Re: hi\nMessage-ID: <e@site.org>\nContent-Type: multipart/mixed; boundary=\"m\"\n\n--m\nContent-Type: text/plain\n\nHappy to, see the attached brief.\n--m\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n{attachment}--m--\n"
            )),
        ),
    ]
}

/// Prints how many `what` a second the run since `started` handled.
fn rate(label: &str, what: &str, n: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "\n{label}: {n} {what} in {secs:.2} s, {:.0} {what}/s, {:.0} µs each",
        n as f64 / secs,
        secs * 1e6 / n as f64
    );
}

#[tokio::main]
async fn main() {
    let emails_wanted: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000)
        .min(1_000);

    println!("parse and classify (pure, one core):");
    println!("| message | bytes | µs/message |");
    let received = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    for (name, raw) in corpus() {
        let rounds = if raw.len() > 1_000_000 { 20 } else { 2_000 };
        let started = Instant::now();
        for _ in 0..rounds {
            let mail = inbound::parse(&raw).unwrap();
            std::hint::black_box(reply::classify(&mail, &[], &["site.org".into()], received));
        }
        let per = started.elapsed().as_secs_f64() * 1e6 / rounds as f64;
        println!("| {name} | {} | {per:.1} |", raw.len());
    }

    let dir = tempfile::tempdir().unwrap();
    let (table, queue, clock) = support::local_store(dir.path()).await;
    let outbox = dir.path().join("outbox");
    let app = App::new(
        Arc::new(table),
        Arc::new(queue),
        clock,
        Arc::new(WebFetcher::new(Default::default()).unwrap()),
    )
    .with_mail(
        Arc::new(MailRouter::new(Arc::new(Outbox::new(outbox.clone())))),
        OutreachEnv::ephemeral(),
    );
    let tenant = TenantId::parse("bench").unwrap();
    sender::update(&app, &tenant, serde_json::from_value(json!({
        "fromName": "Alice", "fromEmail": "alice@agency.com", "organization": "Agency", "postalAddress": "1 Main St",
        "caps": {"perTenantDaily": 100000, "perRecipientDomainDaily": 100},
        "sendWindow": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "startHour": 0, "endHour": 24, "timeZone": "UTC"}
    })).unwrap())
    .await
    .unwrap();
    let campaign = campaigns::create(
        &app,
        &tenant,
        serde_json::from_value(json!({"name": "Bench", "limits": {"maxEmailsPerDay": 1000}}))
            .unwrap(),
    )
    .await
    .unwrap();
    campaigns::act(&app, &tenant, &campaign.id, CampaignAction::Activate)
        .await
        .unwrap();
    let mut messages = Vec::new();
    for i in 0..emails_wanted {
        let b = backlinks::create(&app, &tenant, serde_json::from_value(json!({
            "sourceDomain": format!("site{i}.org"), "campaignId": campaign.id, "recipientEmail": format!("ed@site{i}.org")
        })).unwrap())
        .await
        .unwrap();
        let e = emails::draft(&app, &tenant, &b.id, Default::default())
            .await
            .unwrap();
        let e = emails::approve(&app, &tenant, &e.id).await.unwrap();
        sending::release(&app, &tenant, &e).await.unwrap();
        messages.push(SendMessage {
            tenant_id: tenant.clone(),
            email_id: e.id,
            sequence: 0,
        });
    }
    let started = Instant::now();
    for m in &messages {
        sending::send_stage(&app, m).await.unwrap();
    }
    rate(
        "send stage on the embedded store, one worker",
        "emails",
        messages.len(),
        started,
    );
    let mut replies = Vec::new();
    for entry in std::fs::read_dir(&outbox).unwrap() {
        let sent = inbound::parse(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
        let (to, reply_to) = (&sent.recipients[0], sent.reply_to.unwrap());
        replies.push(crlf(&format!(
            "From: {to}\nTo: {reply_to}\nSubject: Re: hello\nMessage-ID: <r-{to}>\n\nSounds good, send it over!\n\nOn Mon, Alice wrote:\n> would you like a guest post?\n"
        )));
    }

    let started = Instant::now();
    for raw in &replies {
        match ingest::ingest(&app, raw, &[], None).await.unwrap() {
            ingest::Ingested::Stored(..) => {}
            other => panic!("not stored: {other:?}"),
        }
    }
    rate(
        "ingest on the embedded store",
        "replies",
        replies.len(),
        started,
    );
    let started = Instant::now();
    for raw in &replies {
        ingest::ingest(&app, raw, &[], None).await.unwrap();
    }
    println!(
        "the same replies delivered again (deduplicated): {:.0} µs/reply",
        started.elapsed().as_secs_f64() * 1e6 / replies.len() as f64
    );
    println!("peak RSS {:.1} MiB", peak_rss_mib());
}
