//! Reply ingest end to end in local mode, against a corpus of realistic inbound mail the
//! test writes: replies from the major clients with their quoting styles, out-of-office
//! messages in several languages, DSNs from several MTAs, an ARF complaint, a reply with
//! no threading headers, SES notifications, and the inbox folder.

mod support;

use backlinks_core::domain::identity::Role;
use serde_json::{Value, json};
use support::outreach::{approve_and_send, draft, prospect, ready};
use support::{Site, TestServer};

/// The Message-ID and the Reply-To address of the email sent to `to`.
fn sent_to(s: &TestServer, to: &str) -> (String, String, String) {
    let eml = s
        .outbox()
        .into_iter()
        .find(|m| m.contains(&format!("<{to}>")))
        .unwrap_or_else(|| panic!("nothing sent to {to}"));
    let sent = backlinks_core::domain::inbound::parse(eml.as_bytes()).unwrap();
    let (message_id, reply_to) = (sent.message_id.unwrap(), sent.reply_to.unwrap());
    (message_id, reply_to, eml)
}

fn now_rfc2822() -> String {
    chrono::Utc::now().to_rfc2822()
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

async fn inbound(s: &TestServer, t: &str, raw: &str) -> (u16, Value) {
    let a = s
        .raw("POST", "/v1/dev/inbound", t, "message/rfc822", crlf(raw))
        .await;
    (a.status, a.body)
}

async fn get(s: &TestServer, t: &str, path: &str) -> Value {
    let a = s.call("GET", path, Some(t), None).await;
    assert_eq!(a.status, 200, "{path}: {:?}", a.body);
    a.body
}

/// A sent email to `address` at `domain`; returns (email, backlink id).
async fn sent(s: &TestServer, t: &str, c: &Value, domain: &str, address: &str) -> (Value, String) {
    let backlink = prospect(s, t, c, domain, address, json!({})).await;
    let email = draft(s, t, &backlink, json!({})).await;
    let email = approve_and_send(s, t, &email).await;
    assert_eq!(email["status"], "sent", "{email:?}");
    (email, backlink)
}

#[tokio::test]
async fn replies_from_every_client_are_threaded_classified_and_acted_on() {
    let site = Site::new("greenmag.org").await;
    site.page(
        "/blog/compost",
        200,
        r#"<html><body><p>Our favourite <a href="https://client-shop.com/guide">composting guide</a>.</p></body></html>"#,
    )
    .await;
    let addr = site.addr();
    let s = TestServer::start_with(move |o| o.resolve = vec![addr]).await;
    let (t, c) = ready(&s).await;
    let cid = c["id"].as_str().unwrap();
    let (ed, ed_link) = sent(&s, &t, &c, "cooking-daily.com", "ed@cooking-daily.com").await;
    let (anna, anna_link) = sent(&s, &t, &c, "petsworld.net", "anna@petsworld.net").await;
    let (maya, maya_link) = sent(&s, &t, &c, "greenmag.org", "maya@greenmag.org").await;
    let (tom, tom_link) = sent(&s, &t, &c, "travelblog.io", "tom@travelblog.io").await;
    let (jo, _) = sent(&s, &t, &c, "homeideas.com", "jo@homeideas.com").await;
    let (red, _) = sent(
        &s,
        &t,
        &c,
        "garden-weekly.com",
        "redaktion@garden-weekly.com",
    )
    .await;
    let (desk, desk_link) =
        sent(&s, &t, &c, "helpdesk-site.com", "support@helpdesk-site.com").await;
    assert!(ed["nextFollowUpAt"].is_string());

    // Gmail: multipart/alternative, "On ... wrote:" quoting that repeats our pitch (with
    // its "unsubscribe" link), sent to our From address and threaded by In-Reply-To.
    let (ed_id, _, _) = sent_to(&s, "ed@cooking-daily.com");
    let gmail = format!(
        "From: Ed Baker <ed@cooking-daily.com>\nTo: Alice Agent <alice@agency.com>\nSubject: Re: {subject}\n\
Date: {date}\nMessage-ID: <CAF=Yx1gmail@mail.gmail.com>\nIn-Reply-To: <{ed_id}>\nReferences: <{ed_id}>\n\
MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"000000000000a1b2c3\"\n\n\
--000000000000a1b2c3\nContent-Type: text/plain; charset=\"UTF-8\"\n\nSounds good, send it over!\n\n\
On Mon, Nov 23, 2026 at 9:00 AM Alice Agent <alice@agency.com> wrote:\n> Hi Ed,\n> Not interested? Unsubscribe: https://x.example/u\n\n\
--000000000000a1b2c3\nContent-Type: text/html; charset=\"UTF-8\"\n\n<div dir=\"ltr\">Sounds good, send it over!</div><br>\
<div class=\"gmail_quote\">On Mon, Nov 23, 2026 Alice wrote:<blockquote>Not interested? Unsubscribe</blockquote></div>\n\
--000000000000a1b2c3--\n",
        subject = ed["subject"].as_str().unwrap(),
        date = now_rfc2822()
    );
    let (status, r) = inbound(&s, &t, &gmail).await;
    assert_eq!(status, 201, "{r:?}");
    assert_eq!(r["classification"], "interested");
    assert_eq!(r["matched"]["matchedBy"], "thread");
    assert_eq!(r["matched"]["emailId"], ed["id"]);
    assert_eq!(r["replyText"], "Sounds good, send it over!");
    assert_eq!(r["classifier"], "rules");
    assert!(r["suggestedReply"].is_string() && r["recommendedAction"].is_string());
    let link = get(&s, &t, &format!("/v1/backlinks/{ed_link}")).await;
    assert_eq!(link["outreachStatus"], "responded");
    assert!(link["respondedAt"].is_string());
    let email = get(
        &s,
        &t,
        &format!("/v1/emails/{}", ed["id"].as_str().unwrap()),
    )
    .await;
    assert!(email["repliedAt"].is_string());
    assert!(
        email["nextFollowUpAt"].is_null(),
        "follow-ups stop on a reply"
    );

    // Delivered twice: stored once.
    let (status, again) = inbound(&s, &t, &gmail).await;
    assert_eq!((status, again["id"].clone()), (200, r["id"].clone()));

    // Outlook: HTML only, quoted-printable, the reply header block instead of quote marks,
    // sent to the Reply-To token address.
    let (_, anna_reply_to, _) = sent_to(&s, "anna@petsworld.net");
    let outlook = format!(
        "From: Anna Novak <anna@petsworld.net>\nTo: Alice Agent <{anna_reply_to}>\nSubject: RE: {}\nDate: {}\n\
Message-ID: <AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.outlook.com>\nThread-Topic: guest post\n\
MIME-Version: 1.0\nContent-Type: text/html; charset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n\n\
<html><body><div>Thanks, but we don=E2=80=99t accept guest posts.</div><div id=3D\"appendonsend\"></div>\
<hr style=3D\"display:inline-block;width:98%\"><div id=3D\"divRplyFwdMsg\"><b>From:</b> Alice Agent &lt;alice@agency.com&gt;<br>\
<b>Sent:</b> Monday, November 23, 2026<br><b>Subject:</b> Guest post</div><div>Sounds great? I'm interested.</div></body></html>\n",
        anna["subject"].as_str().unwrap(),
        now_rfc2822()
    );
    let (status, r) = inbound(&s, &t, &outlook).await;
    assert_eq!(status, 201, "{r:?}");
    assert_eq!(r["classification"], "not_interested", "{}", r["replyText"]);
    assert_eq!(
        r["replyText"],
        "Thanks, but we don\u{2019}t accept guest posts."
    );
    assert_eq!(r["matched"]["matchedBy"], "reply_token");
    assert_eq!(
        get(&s, &t, &format!("/v1/backlinks/{anna_link}")).await["outreachStatus"],
        "rejected"
    );

    // Apple Mail from a phone: base64, a sign-off, and the live placement on the prospect's
    // site; the link is there, so the backlink is published.
    let (_, maya_reply_to, _) = sent_to(&s, "maya@greenmag.org");
    let body = "Hi Alice,\n\nDone! The article is live: http://greenmag.org/blog/compost\n\nMaya\n\nSent from my iPhone\n\n> On 23 Nov 2026, at 09:00, Alice Agent <alice@agency.com> wrote:\n> Interested?\n";
    let apple = format!(
        "From: Maya Chen <maya@greenmag.org>\nTo: {maya_reply_to}\nSubject: Re: {}\nDate: {}\n\
Message-ID: <5E1A2B3C-APPLE@greenmag.org>\nMime-Version: 1.0 (1.0)\nContent-Type: text/plain; charset=utf-8\n\
Content-Transfer-Encoding: base64\n\n{}\n",
        maya["subject"].as_str().unwrap(),
        now_rfc2822(),
        base64_lines(body)
    );
    let (status, r) = inbound(&s, &t, &apple).await;
    assert_eq!(status, 201, "{r:?}");
    assert_eq!(r["classification"], "agreed");
    assert_eq!(r["placementUrl"], "http://greenmag.org/blog/compost");
    let link = get(&s, &t, &format!("/v1/backlinks/{maya_link}")).await;
    assert_eq!(link["outreachStatus"], "published", "{link:?}");
    assert_eq!(link["placementUrl"], "http://greenmag.org/blog/compost");
    assert_eq!(link["isLive"], true);
    assert!(link["agreedAt"].is_string() && link["publishedAt"].is_string());

    // Thunderbird, no threading headers at all, to our From address: the sender's address.
    let thunderbird = format!(
        "From: Tom Fields <tom@travelblog.io>\nTo: alice@agency.com\nSubject: Your email\nDate: {}\n\
Message-ID: <a1b2c3d4-tb@travelblog.io>\nUser-Agent: Mozilla Thunderbird\nContent-Type: text/plain; charset=UTF-8; format=flowed\n\n\
Hi Alice, what would the article be about? Do you pay for placements?\n\n\
On 23/11/2026 09:00, Alice Agent wrote:\n> Would you consider linking to it?\n",
        now_rfc2822()
    );
    let (_, r) = inbound(&s, &t, &thunderbird).await;
    assert_eq!(r["classification"], "question");
    assert_eq!(r["matched"]["matchedBy"], "sender_address");
    assert_eq!(r["matched"]["emailId"], tom["id"]);
    assert_eq!(
        get(&s, &t, &format!("/v1/backlinks/{tom_link}")).await["outreachStatus"],
        "responded"
    );

    // A colleague at the same company asks to be left alone: the sender's domain, and both
    // addresses suppressed at once.
    let colleague = format!(
        "From: Office <office@homeideas.com>\nTo: alice@agency.com\nSubject: guest post\nDate: {}\n\
Message-ID: <office-1@homeideas.com>\n\nPlease remove us from your list.\n",
        now_rfc2822()
    );
    let (_, r) = inbound(&s, &t, &colleague).await;
    assert_eq!(r["classification"], "unsubscribe_request");
    assert_eq!(r["matched"]["matchedBy"], "sender_domain");
    assert_eq!(r["matched"]["emailId"], jo["id"]);
    let suppressed = get(&s, &t, "/v1/suppressions").await;
    let values: Vec<&str> = suppressed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].as_str().unwrap())
        .collect();
    assert!(
        values.contains(&"office@homeideas.com") && values.contains(&"jo@homeideas.com"),
        "{values:?}"
    );

    // A German out-of-office: the next follow-up moves after the return date.
    let (red_id, _, _) = sent_to(&s, "redaktion@garden-weekly.com");
    let back = chrono::Utc::now().date_naive() + chrono::Duration::days(20);
    let ooo = format!(
        "From: Redaktion <redaktion@garden-weekly.com>\nTo: alice@agency.com\nSubject: Abwesenheitsnotiz: {}\nDate: {}\n\
Message-ID: <ooo-1@garden-weekly.com>\nIn-Reply-To: <{red_id}>\nAuto-Submitted: auto-replied\n\
Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n\
Vielen Dank f=FCr Ihre Nachricht. Ich bin bis zum {} nicht im B=FCro.\n",
        red["subject"].as_str().unwrap(),
        now_rfc2822(),
        back.format("%d.%m.%Y")
    );
    let (_, r) = inbound(&s, &t, &ooo).await;
    assert_eq!(r["classification"], "out_of_office");
    assert_eq!(r["outOfOffice"]["returnDate"], back.to_string());
    let email = get(
        &s,
        &t,
        &format!("/v1/emails/{}", red["id"].as_str().unwrap()),
    )
    .await;
    assert!(email["repliedAt"].is_null(), "an out-of-office is no reply");
    let next = back + chrono::Duration::days(1);
    assert!(
        email["nextFollowUpAt"]
            .as_str()
            .unwrap()
            .starts_with(&next.to_string()),
        "{}",
        email["nextFollowUpAt"]
    );

    // A helpdesk's automatic acknowledgement: classified, and nothing stops.
    let (desk_id, _, _) = sent_to(&s, "support@helpdesk-site.com");
    let ticket = format!(
        "From: Support <support@helpdesk-site.com>\nTo: alice@agency.com\nSubject: [Ticket #4411] Request received\nDate: {}\n\
Message-ID: <ticket-4411@helpdesk-site.com>\nIn-Reply-To: <{desk_id}>\nAuto-Submitted: auto-generated\nPrecedence: bulk\n\n\
Thank you for contacting us. Your request has been received and will be reviewed by our staff.\n",
        now_rfc2822()
    );
    let (_, r) = inbound(&s, &t, &ticket).await;
    assert_eq!(r["classification"], "auto_reply");
    let ticket_id = r["id"].as_str().unwrap().to_string();
    let email = get(
        &s,
        &t,
        &format!("/v1/emails/{}", desk["id"].as_str().unwrap()),
    )
    .await;
    assert!(
        email["nextFollowUpAt"].is_string(),
        "an auto-reply stops nothing"
    );

    // A person overrides the class: the new class's effects apply.
    let fixed = s
        .call("PATCH", &format!("/v1/replies/{ticket_id}"), Some(&t), Some(json!({"classification": "not_interested", "reviewed": true, "notes": "They said no by phone"})))
        .await;
    assert_eq!(fixed.status, 200, "{:?}", fixed.body);
    assert_eq!(fixed.body["classifier"], "user");
    assert_eq!(fixed.body["reviewed"], true);
    assert_eq!(
        get(&s, &t, &format!("/v1/backlinks/{desk_link}")).await["outreachStatus"],
        "rejected"
    );
    let bad = s
        .call(
            "PATCH",
            &format!("/v1/replies/{ticket_id}"),
            Some(&t),
            Some(json!({"classification": "maybe"})),
        )
        .await;
    assert_eq!(bad.status, 400);

    // A message matched to nothing is kept for a person, who assigns it.
    let stranger = format!(
        "From: someone@unknown-blog.net\nTo: alice@agency.com\nSubject: hello\nDate: {}\nMessage-ID: <x1@unknown-blog.net>\n\n\
Hi, is the offer still open?\n",
        now_rfc2822()
    );
    let (status, r) = inbound(&s, &t, &stranger).await;
    assert_eq!(status, 201);
    assert!(r["matched"].is_null());
    assert_eq!(r["classification"], "question");
    let unmatched = get(&s, &t, "/v1/replies?unmatched=true").await;
    assert_eq!(unmatched["items"].as_array().unwrap().len(), 1);
    let assign_path = format!("/v1/replies/{}/assign", r["id"].as_str().unwrap());
    let assign = || {
        s.call(
            "POST",
            &assign_path,
            Some(&t),
            Some(json!({"emailId": tom["id"]})),
        )
    };
    let assigned = assign().await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    assert_eq!(assigned.body["matched"]["matchedBy"], "manual");
    assert_eq!(assigned.body["campaignId"], c["id"]);
    assert_eq!(assign().await.status, 409, "assigned once only");
    assert!(
        get(&s, &t, "/v1/replies?unmatched=true").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Our own outbound copy is never taken for a reply.
    let (_, _, own) = sent_to(&s, "ed@cooking-daily.com");
    let (status, _) = inbound(&s, &t, &own).await;
    assert_eq!(status, 409);

    // Lists by class and campaign, and the analytics count replies by class.
    let interested = get(&s, &t, "/v1/replies?class=interested").await;
    assert_eq!(interested["items"].as_array().unwrap().len(), 1);
    let by_campaign = get(&s, &t, &format!("/v1/replies?campaignId={cid}")).await;
    assert_eq!(by_campaign["items"].as_array().unwrap().len(), 8);
    let reviewed = get(&s, &t, "/v1/replies?reviewed=true").await;
    assert_eq!(reviewed["items"].as_array().unwrap().len(), 1);
    let analytics = get(&s, &t, &format!("/v1/campaigns/{cid}/analytics")).await;
    let by_class = &analytics["repliesByClass"];
    assert_eq!(by_class["interested"], 1);
    assert_eq!(by_class["question"], 2, "{analytics:?}");
    assert_eq!(by_class["not_interested"], 2);
    assert_eq!(by_class["auto_reply"], 0, "overridden away");
    assert_eq!(analytics["linksWon"], 1);
    let today = &analytics["perDay"][0];
    assert_eq!(
        (
            today["replies"].clone(),
            today["positiveReplies"].clone(),
            today["negativeReplies"].clone(),
            today["autoReplies"].clone()
        ),
        (json!(7), json!(2), json!(3), json!(1)),
        "{today:?}"
    );
    let csv = s
        .call("GET", "/v1/exports?kind=replies", Some(&t), None)
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with("receivedAt,"), "{text}");
    // One record per reply (reply texts may span lines inside their quotes).
    assert_eq!(
        text.lines().filter(|l| l.starts_with("2026-")).count(),
        8,
        "{text}"
    );
}

fn base64_lines(text: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    encoded
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn out_of_office_in_several_languages_finds_the_return_date() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let date = "Mon, 23 Nov 2026 09:00:00 +0000";
    let corpus = [
        (
            "Automatic reply: Guest post",
            "X-Autoreply: yes",
            "I am out of the office until December 7th, 2026 with limited access to email.",
            "2026-12-07",
        ),
        (
            "Réponse automatique : Absent",
            "Auto-Submitted: auto-replied",
            "Bonjour, je suis absente jusqu'au 4 décembre inclus. Cordialement",
            "2026-12-04",
        ),
        (
            "Respuesta automática: Fuera de la oficina",
            "Auto-Submitted: auto-replied",
            "Estaré de vacaciones hasta el 2 de diciembre de 2026.",
            "2026-12-02",
        ),
        (
            "Risposta automatica: fuori ufficio",
            "Precedence: auto_reply",
            "Sono fuori ufficio fino al 30/11/2026.",
            "2026-11-30",
        ),
        (
            "Automatisch antwoord: afwezig",
            "Auto-Submitted: auto-replied",
            "Ik ben afwezig tot 1 december.",
            "2026-12-01",
        ),
        (
            "Out of Office",
            "X-Autoreply: yes",
            "I'm on parental leave and will reply when I return.",
            "",
        ),
    ];
    for (i, (subject, header, body, back)) in corpus.iter().enumerate() {
        let raw = format!(
            "From: ed{i}@site{i}.org\nTo: alice@agency.com\nSubject: {subject}\nDate: {date}\nMessage-ID: <ooo{i}@site{i}.org>\n{header}\n\
Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}\n"
        );
        let (status, r) = inbound(&s, &t, &raw).await;
        assert_eq!(status, 201, "{r:?}");
        assert_eq!(r["classification"], "out_of_office", "{subject}");
        let expected = if back.is_empty() {
            Value::Null
        } else {
            json!(back)
        };
        assert_eq!(r["outOfOffice"]["returnDate"], expected, "{subject}");
    }
}

/// A DSN (RFC 3464) as Postfix writes it, returning our headers.
fn postfix_dsn(to: &str, message_id: &str, status: &str, action: &str, n: usize) -> String {
    format!(
        "From: MAILER-DAEMON@mx.bounce-host.net (Mail Delivery System)\nTo: alice@agency.com\n\
Subject: Undelivered Mail Returned to Sender\nDate: {}\nMessage-ID: <dsn-{n}@mx.bounce-host.net>\nAuto-Submitted: auto-replied\n\
MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B{n}\"\n\n\
--B{n}\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n\
This is the mail system at host mx.bounce-host.net.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n\
<{to}>: host mx said: 550 5.1.1 <{to}>: Recipient address rejected\n\n\
--B{n}\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n\
Reporting-MTA: dns; mx.bounce-host.net\nArrival-Date: {}\n\n\
Final-Recipient: rfc822; {to}\nOriginal-Recipient: rfc822;{to}\nAction: {action}\nStatus: {status}\n\
Diagnostic-Code: smtp; 550 {status} <{to}>: Recipient address rejected\n\n\
--B{n}\nContent-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n\
From: Alice Agent <alice@agency.com>\nTo: <{to}>\nSubject: A resource\nMessage-ID: <{message_id}>\n\n\
--B{n}--\n",
        now_rfc2822(),
        now_rfc2822()
    )
}

/// What a reply's effects say, line by line.
fn effects_of(reply: &Value) -> Vec<&str> {
    reply["effects"]
        .as_array()
        .map(|lines| lines.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A server with this soft-bounce limit, an email sent to `full@{site}`, and the reply a
/// Postfix DSN reporting that mailbox full became: (server, token, campaign, the sent
/// message's id, the reply).
async fn full_mailbox(limit: u32, site: &str) -> (TestServer, String, Value, String, Value) {
    let s = TestServer::start_with(|o| o.bounces.soft_limit = limit).await;
    let (t, c) = ready(&s).await;
    let address = format!("full@{site}");
    sent(&s, &t, &c, site, &address).await;
    let (id, _, _) = sent_to(&s, &address);
    let (_, reply) = inbound(&s, &t, &postfix_dsn(&address, &id, "4.2.2", "failed", 1)).await;
    (s, t, c, id, reply)
}

/// The soft-bounce limit is the deployment's setting: with `SOFT_BOUNCE_LIMIT=1` the
/// first full-mailbox bounce suppresses the address.
#[tokio::test]
async fn the_soft_bounce_limit_is_configurable() {
    let (_, _, _, _, r) = full_mailbox(1, "full-once.org").await;
    assert_eq!(r["classification"], "bounce_soft", "{r:?}");
    assert!(
        r["effects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "suppressed full@full-once.org"),
        "{:?}",
        r["effects"]
    );
}

/// One soft bounce reported twice, by mail and by an SES notification, counts once: with
/// a limit of two it does not suppress the address.
#[tokio::test]
async fn a_soft_bounce_reported_by_mail_and_by_ses_counts_once() {
    let (s, t, c, id, by_mail) = full_mailbox(2, "full-twice.org").await;
    assert_eq!(by_mail["classification"], "bounce_soft", "{by_mail:?}");
    let notification = json!({
        "notificationType": "Bounce",
        "bounce": {"bounceType": "Transient", "bounceSubType": "MailboxFull", "feedbackId": "fb-soft",
                   "bouncedRecipients": [{"emailAddress": "full@full-twice.org", "action": "failed", "status": "4.2.2"}]},
        "mail": {"messageId": "ses-soft", "commonHeaders": {"messageId": format!("<{id}>")}}
    });
    let job = backlinks_core::jobs::by_name("ses-feedback").unwrap();
    backlinks_core::jobs::run_message(s.local.app.clone(), &job, "m1", notification.to_string())
        .await
        .unwrap();
    let replies = get(&s, &t, "/v1/replies").await;
    let by_ses = replies["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["classifier"] == "ses_feedback")
        .unwrap()
        .clone();
    let effects = effects_of(&by_ses);
    assert!(
        effects.contains(&"soft bounce of full@full-twice.org already counted for this send"),
        "{effects:?}"
    );
    assert!(
        effects.contains(&"a bounce of this send already counted in the analytics"),
        "{effects:?}"
    );
    assert!(
        !effects.iter().any(|e| e.starts_with("suppressed")),
        "{effects:?}"
    );
    // One bounce in the campaign's figures, though two reports of it are stored.
    let cid = c["id"].as_str().unwrap();
    let analytics = get(&s, &t, &format!("/v1/campaigns/{cid}/analytics")).await;
    assert_eq!(analytics["bounced"], 1, "{analytics:?}");
    assert_eq!(
        analytics["repliesByClass"]["bounce_soft"], 1,
        "{analytics:?}"
    );
}

/// A bounce threaded to our email that also names an address this tenant never wrote to
/// (an alias the mail was forwarded to): the recipient is suppressed, the other address is
/// recorded with the reply and left alone.
#[tokio::test]
async fn a_bounced_address_we_never_wrote_to_is_recorded_not_suppressed() {
    let s = TestServer::start().await;
    let (t, c) = ready(&s).await;
    sent(&s, &t, &c, "alias-site.org", "ed@alias-site.org").await;
    let (id, _, _) = sent_to(&s, "ed@alias-site.org");
    let dsn = postfix_dsn("ed@alias-site.org", &id, "5.1.1", "failed", 1).replace(
        "\n\n--B1\nContent-Description: Undelivered Message Headers",
        "\n\nFinal-Recipient: rfc822; forward@elsewhere-mail.org\nAction: failed\nStatus: 5.1.1\n\
Diagnostic-Code: smtp; 550 5.1.1 <forward@elsewhere-mail.org>: Recipient address rejected\n\n\
--B1\nContent-Description: Undelivered Message Headers",
    );
    let (_, r) = inbound(&s, &t, &dsn).await;
    assert_eq!(r["classification"], "bounce_hard", "{r:?}");
    let effects = effects_of(&r);
    assert!(
        effects.contains(&"suppressed ed@alias-site.org"),
        "{effects:?}"
    );
    assert!(
        effects.contains(
            &"forward@elsewhere-mail.org matches no email of this tenant: recorded, not acted on"
        ),
        "{effects:?}"
    );
    let recipients: Vec<&str> = r["bounce"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["address"].as_str())
        .collect();
    assert_eq!(
        recipients,
        ["ed@alias-site.org", "forward@elsewhere-mail.org"]
    );
}

#[tokio::test]
async fn bounces_and_complaints_suppress_across_the_platform() {
    let s = TestServer::start().await;
    let (t, c) = ready(&s).await;
    let (gone, _) = sent(&s, &t, &c, "bounce-site.org", "gone@bounce-site.org").await;
    let (exch, _) = sent(&s, &t, &c, "corp-mail.com", "left@corp-mail.com").await;
    sent(
        &s,
        &t,
        &c,
        "yahoo-user-site.com",
        "nobody@yahoo-user-site.com",
    )
    .await;
    sent(&s, &t, &c, "qmail-site.org", "q@qmail-site.org").await;
    // One address written to from three sites: three sends that can each bounce.
    for site in ["full-box.org", "full-box-2.org", "full-box-3.org"] {
        sent(&s, &t, &c, site, "full@full-box.org").await;
    }
    let (angry, _) = sent(&s, &t, &c, "angry-site.org", "angry@angry-site.org").await;

    // Postfix, with our headers returned: threaded, hard, its status code kept.
    let (gone_id, _, _) = sent_to(&s, "gone@bounce-site.org");
    let (_, r) = inbound(
        &s,
        &t,
        &postfix_dsn("gone@bounce-site.org", &gone_id, "5.1.1", "failed", 1),
    )
    .await;
    assert_eq!(r["classification"], "bounce_hard", "{r:?}");
    assert_eq!(
        (
            &r["bounce"]["recipients"],
            &r["bounce"]["permanent"],
            &r["bounce"]["status"]
        ),
        (
            &json!(["gone@bounce-site.org"]),
            &json!(true),
            &json!("5.1.1")
        )
    );
    assert_eq!(r["bounce"]["format"], "rfc3464");
    assert_eq!(r["bounce"]["failures"][0]["reason"], "user_unknown");
    assert_eq!(r["bounce"]["failures"][0]["rule"], "status");
    assert_eq!(r["matched"]["emailId"], gone["id"]);
    assert_eq!(r["matched"]["matchedBy"], "thread");
    let email = get(
        &s,
        &t,
        &format!("/v1/emails/{}", gone["id"].as_str().unwrap()),
    )
    .await;
    assert!(email["bouncedAt"].is_string() && email["nextFollowUpAt"].is_null());

    // Exchange / Microsoft 365: multipart/report with the whole original attached.
    let (exch_id, _, _) = sent_to(&s, "left@corp-mail.com");
    let ndr = format!(
        "From: Microsoft Outlook <postmaster@corp-mail.com>\nTo: alice@agency.com\nSubject: Undeliverable: A resource\nDate: {}\n\
Message-ID: <ndr-1@corp-mail.com>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"ndr\"\n\n\
--ndr\nContent-Type: text/html; charset=utf-8\n\n<p>Your message to left@corp-mail.com couldn't be delivered.</p><p>Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'</p>\n\
--ndr\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;AM0PR01.eurprd01.prod.outlook.com\n\n\
Final-recipient: RFC822; left@corp-mail.com\nAction: failed\nStatus: 5.1.10\nDiagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound\n\n\
--ndr\nContent-Type: message/rfc822\n\nFrom: Alice Agent <alice@agency.com>\nTo: <left@corp-mail.com>\nSubject: A resource\nMessage-ID: <{exch_id}>\n\nHello\n\
--ndr--\n",
        now_rfc2822()
    );
    let (_, r) = inbound(&s, &t, &ndr).await;
    assert_eq!(r["classification"], "bounce_hard");
    assert_eq!(r["bounce"]["status"], "5.1.10");
    assert_eq!(r["matched"]["emailId"], exch["id"]);

    // Yahoo's plain-text failure notice: no report, no headers of ours; the failed
    // recipient's address finds the attempt.
    let yahoo = format!(
        "From: MAILER-DAEMON@yahoo.com\nTo: alice@agency.com\nSubject: Failure Notice\nDate: {}\nMessage-ID: <yahoo-fail-1@yahoo.com>\n\n\
Sorry, we were unable to deliver your message to the following address.\n\n<nobody@yahoo-user-site.com>:\n\
554: delivery error: dd This user doesn't have a yahoo-user-site.com account (nobody@yahoo-user-site.com) [0] - mta1.mail.yahoo.com\n",
        now_rfc2822()
    );
    let (_, r) = inbound(&s, &t, &yahoo).await;
    assert_eq!(r["classification"], "bounce_hard");
    assert_eq!(
        r["bounce"]["recipients"],
        json!(["nobody@yahoo-user-site.com"])
    );
    assert_eq!(r["matched"]["matchedBy"], "sender_address");

    // qmail: the status code only in the prose.
    let qmail = format!(
        "From: MAILER-DAEMON@qmail-site.org\nTo: alice@agency.com\nSubject: failure notice\nDate: {}\nMessage-ID: <qmail-1@qmail-site.org>\n\n\
Hi. This is the qmail-send program at qmail-site.org.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n\
<q@qmail-site.org>:\nSorry, no mailbox here by that name. (#5.1.1)\n",
        now_rfc2822()
    );
    let (_, r) = inbound(&s, &t, &qmail).await;
    assert_eq!(r["classification"], "bounce_hard");
    assert_eq!(r["bounce"]["status"], "5.1.1");

    // A full mailbox for three sends: counted, then suppressed. (A delayed notice would
    // only be recorded; a second report of one send's bounce is not counted again.)
    let full_ids: Vec<String> = s
        .outbox()
        .iter()
        .filter(|m| m.contains("<full@full-box.org>"))
        .map(|m| {
            backlinks_core::domain::inbound::parse(m.as_bytes())
                .unwrap()
                .message_id
                .unwrap()
        })
        .collect();
    assert_eq!(full_ids.len(), 3);
    for (n, full_id) in full_ids.iter().enumerate() {
        let (_, r) = inbound(
            &s,
            &t,
            &postfix_dsn("full@full-box.org", full_id, "4.2.2", "failed", 10 + n),
        )
        .await;
        assert_eq!(r["classification"], "bounce_soft");
        assert_eq!(r["bounce"]["permanent"], false);
        let suppressed = r["effects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "suppressed full@full-box.org");
        assert_eq!(suppressed, n == 2, "{:?}", r["effects"]);
    }

    // An ARF complaint from a feedback loop.
    let (angry_id, _, _) = sent_to(&s, "angry@angry-site.org");
    let arf = format!(
        "From: feedbackloop@fbl.mailprovider.com\nTo: alice@agency.com\nSubject: FW: A resource\nDate: {}\nMessage-ID: <arf-1@fbl.mailprovider.com>\n\
MIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"arf\"\n\n\
--arf\nContent-Type: text/plain\n\nThis is an email abuse report for an email message received from IP 10.0.0.1.\n\n\
--arf\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: FBL/1.0\nVersion: 1\nOriginal-Mail-From: <alice@agency.com>\n\
Original-Rcpt-To: <angry@angry-site.org>\nArrival-Date: {}\n\n\
--arf\nContent-Type: message/rfc822\n\nFrom: Alice Agent <alice@agency.com>\nTo: angry@angry-site.org\nSubject: A resource\nMessage-ID: <{angry_id}>\n\nHello\n\
--arf--\n",
        now_rfc2822(),
        now_rfc2822()
    );
    let (_, r) = inbound(&s, &t, &arf).await;
    assert_eq!(r["classification"], "complaint", "{r:?}");
    assert_eq!(r["matched"]["emailId"], angry["id"]);
    assert_eq!(
        r["complaint"]["recipients"],
        json!(["angry@angry-site.org"])
    );

    // Hard bounces and complaints are on the platform list: another tenant cannot write to
    // those addresses either.
    let admin = s.token("globex", "boss", Role::Admin);
    s.call(
        "PATCH",
        "/v1/settings/sender",
        Some(&admin),
        Some(json!({
            "fromName": "Gina", "fromEmail": "gina@globex.com", "organization": "Globex",
            "postalAddress": "2 High St", "sendWindow": support::outreach::always_open(),
        })),
    )
    .await;
    let other = s.member("globex");
    let c2 = s
        .campaign(
            &other,
            json!({"name": "G", "targetUrl": "https://globex.com/"}),
        )
        .await;
    s.activate(&other, &c2).await;
    for address in [
        "gone@bounce-site.org",
        "angry@angry-site.org",
        "full@full-box.org",
    ] {
        let domain = address.split('@').nth(1).unwrap();
        let b = prospect(&s, &other, &c2, domain, address, json!({})).await;
        let e = draft(&s, &other, &b, json!({})).await;
        let e = approve_and_send(&s, &other, &e).await;
        assert_eq!(e["status"], "blocked", "{address}");
        assert_eq!(
            e["blockReasons"],
            json!(["suppressed_address"]),
            "{address}"
        );
    }
    let analytics = get(
        &s,
        &t,
        &format!("/v1/campaigns/{}/analytics", c["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(analytics["bounced"], 4 + 3, "{analytics:?}");
}

#[tokio::test]
async fn ses_notifications_and_the_inbox_folder_use_the_same_path() {
    let s = TestServer::start().await;
    let (t, c) = ready(&s).await;
    let (bounced, _) = sent(&s, &t, &c, "ses-bounce.org", "gone@ses-bounce.org").await;
    let (complained, _) = sent(&s, &t, &c, "ses-complaint.org", "angry@ses-complaint.org").await;
    let (replied, link) = sent(&s, &t, &c, "inbox-site.org", "ed@inbox-site.org").await;
    let app = s.local.app.clone();
    let job = backlinks_core::jobs::by_name("ses-feedback").unwrap();

    let (gone_id, _, _) = sent_to(&s, "gone@ses-bounce.org");
    let bounce = json!({
        "notificationType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bounceSubType": "General", "feedbackId": "fb-1",
                   "bouncedRecipients": [{"emailAddress": "gone@ses-bounce.org", "action": "failed", "status": "5.1.1"}]},
        "mail": {"messageId": "ses-1", "source": "alice@agency.com", "destination": ["gone@ses-bounce.org"],
                 "commonHeaders": {"messageId": format!("<{gone_id}>"), "subject": "A resource"}}
    });
    backlinks_core::jobs::run_message(app.clone(), &job, "m1", bounce.to_string())
        .await
        .unwrap();
    // Event publishing through a configuration set says eventType; and SNS may deliver twice.
    let complaint = json!({
        "eventType": "Complaint",
        "complaint": {"feedbackId": "fb-2", "complainedRecipients": [{"emailAddress": "angry@ses-complaint.org"}]},
        "mail": {"messageId": "ses-2", "headers": [{"name": "Message-ID", "value": format!("<{}>", sent_to(&s, "angry@ses-complaint.org").0)}]}
    });
    for _ in 0..2 {
        backlinks_core::jobs::run_message(app.clone(), &job, "m2", complaint.to_string())
            .await
            .unwrap();
    }
    let delivery = json!({"notificationType": "Delivery", "mail": {"messageId": "ses-3"}});
    backlinks_core::jobs::run_message(app.clone(), &job, "m3", delivery.to_string())
        .await
        .unwrap();
    assert!(
        backlinks_core::jobs::run_message(app.clone(), &job, "m4", "not json".into())
            .await
            .is_err()
    );

    let replies = get(&s, &t, "/v1/replies").await;
    let items = replies["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{replies:?}");
    let by = |id: &Value| {
        items
            .iter()
            .find(|r| r["matched"]["emailId"] == *id)
            .unwrap()
            .clone()
    };
    assert_eq!(by(&bounced["id"])["classification"], "bounce_hard");
    assert_eq!(by(&bounced["id"])["classifier"], "ses_feedback");
    assert_eq!(by(&complained["id"])["classification"], "complaint");
    let email = get(
        &s,
        &t,
        &format!("/v1/emails/{}", bounced["id"].as_str().unwrap()),
    )
    .await;
    assert!(email["bouncedAt"].is_string());

    // The inbox folder: a reply dropped in it is ingested by the reply-ingest job, with no
    // tenant given (the token decides); a file that is no mail is set aside.
    let (_, reply_to, _) = sent_to(&s, "ed@inbox-site.org");
    let inbox = s.local.options.data_dir.join("inbox");
    std::fs::write(
        inbox.join("0001.eml"),
        crlf(&format!("From: ed@inbox-site.org\nTo: {reply_to}\nSubject: Re: hi\nMessage-ID: <inbox-1@inbox-site.org>\n\nYes, I'm interested.\n")),
    )
    .unwrap();
    std::fs::write(inbox.join("0002.eml"), b"\x00\x01 not mail").unwrap();
    let ran = s
        .call("POST", "/v1/dev/jobs/reply-ingest/run", Some(&t), None)
        .await;
    assert_eq!(ran.status, 200, "{:?}", ran.body);
    assert!(inbox.join("processed/0001.eml").exists());
    assert!(inbox.join("failed/0002.eml").exists());
    let got = get(&s, &t, "/v1/replies?class=interested").await;
    assert_eq!(got["items"][0]["matched"]["emailId"], replied["id"]);

    // Mail that matches nothing, sent to a reply domain a tenant owns, waits in that
    // tenant's unmatched list. A domain belongs to one tenant; the shared one to nobody.
    let reply_domain = |token: String, domain: &'static str| {
        let s = &s;
        async move {
            s.call(
                "PATCH",
                "/v1/settings/sender",
                Some(&token),
                Some(json!({"replyDomain": domain})),
            )
            .await
            .status
        }
    };
    let (acme, globex) = (
        s.token("acme", "boss", Role::Admin),
        s.token("globex", "boss", Role::Admin),
    );
    assert_eq!(reply_domain(acme, "replies.agency.com").await, 200);
    assert_eq!(
        reply_domain(globex.clone(), "replies.agency.com").await,
        409
    );
    assert_eq!(
        reply_domain(globex, "replies.localhost.localdomain").await,
        400
    );
    let deliver = |name: &str, raw: &str| {
        std::fs::write(inbox.join(name), crlf(raw)).unwrap();
        s.call("POST", "/v1/dev/jobs/reply-ingest/run", Some(&t), None)
    };
    deliver(
        "0003.eml",
        "From: stranger@new-blog.org\nTo: hello@replies.agency.com\nSubject: collab?\nMessage-ID: <nb-1@new-blog.org>\n\nDo you do link exchanges?\n",
    )
    .await;
    let waiting = get(&s, &t, "/v1/replies?unmatched=true").await;
    assert_eq!(
        waiting["items"][0]["fromEmail"], "stranger@new-blog.org",
        "{waiting:?}"
    );

    // Mail to the shared reply domain that matches nothing is kept for the platform's
    // operators, who hand it to its tenant.
    deliver(
        "0004.eml",
        "From: lost@far-away.org\nTo: reply+nosuchtoken@replies.localhost.localdomain\nSubject: hi\nMessage-ID: <lost-1@far-away.org>\n\nAre you still looking for partners?\n",
    )
    .await;
    assert!(inbox.join("processed/0004.eml").exists());
    let operator = s.token("platform", "ops", Role::Superadmin);
    let unrouted = get(&s, &operator, "/v1/admin/unrouted-replies").await;
    assert_eq!(
        unrouted["items"].as_array().unwrap().len(),
        1,
        "{unrouted:?}"
    );
    let id = unrouted["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        s.call("GET", "/v1/admin/unrouted-replies", Some(&t), None)
            .await
            .status,
        403
    );
    let route = format!("/v1/admin/unrouted-replies/{id}/route");
    let hand_over = || {
        s.call(
            "POST",
            &route,
            Some(&operator),
            Some(json!({"tenantId": "acme"})),
        )
    };
    let routed = hand_over().await;
    assert_eq!(routed.status, 200, "{:?}", routed.body);
    assert_eq!(hand_over().await.status, 404, "handed over once only");
    let waiting = get(&s, &t, "/v1/replies?unmatched=true").await;
    assert!(
        waiting["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id.as_str())
    );
    assert!(
        get(&s, &operator, "/v1/admin/unrouted-replies").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        get(&s, &t, &format!("/v1/backlinks/{link}")).await["outreachStatus"],
        "responded"
    );
}

#[tokio::test]
async fn the_llm_reads_human_replies_when_configured_and_machine_mail_stays_with_the_rules() {
    use wiremock::matchers::{body_string_contains, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let llm = MockServer::start().await;
    let answer = |content: Value| {
        json!({"model": "reader-1", "choices": [{"message": {"role": "assistant", "content": content.to_string()}}],
               "usage": {"prompt_tokens": 300, "completion_tokens": 200}})
    };
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_string_contains("editor decides"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer(json!({
            "classification": "interested", "sentiment": "positive", "intent": "wants to pitch it to the editor",
            "urgency": "medium", "recommendedAction": "send_pitch_details", "suggestedReply": "Happy to send a summary for your editor.",
            "confidence": 0.83
        }))))
        .mount(&llm)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_string_contains("weird one"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(answer(json!({"classification": "bounce_hard"}))),
        )
        .mount(&llm)
        .await;
    let openai = backlinks_core::adapters::openai::OpenAiConfig {
        base_url: format!("{}/v1", llm.uri()),
        api_key: "k".into(),
        default_model: "reader-1".into(),
        input_price_per_million: 1.0,
        output_price_per_million: 4.0,
    };
    let s = TestServer::start_with(move |o| o.providers.openai = Some(openai)).await;
    let (t, c) = ready(&s).await;
    let template = s
        .call("POST", "/v1/templates", Some(&t), Some(json!({"name": "Pitch", "subject": "For {{site_name}}", "body": "Hi {{recipient_first_name}}, a guide on {{topic}}: {{target_url}}"})))
        .await
        .body;
    let backlink = prospect(
        &s,
        &t,
        &c,
        "editors-mag.com",
        "ann@editors-mag.com",
        json!({}),
    )
    .await;
    let email = draft(&s, &t, &backlink, json!({"templateId": template["id"]})).await;
    approve_and_send(&s, &t, &email).await;
    let (_, reply_to, _) = sent_to(&s, "ann@editors-mag.com");

    let raw = format!(
        "From: ann@editors-mag.com\nTo: {reply_to}\nSubject: Re: For editors-mag.com\nMessage-ID: <llm-1@editors-mag.com>\n\nPossibly. My editor decides on these matters.\n"
    );
    let (_, r) = inbound(&s, &t, &raw).await;
    assert_eq!(r["classification"], "interested");
    assert_eq!(r["classifier"], "llm");
    assert_eq!(
        r["suggestedReply"],
        "Happy to send a summary for your editor."
    );
    assert_eq!(r["ai"]["model"], "reader-1");
    assert_eq!(r["ai"]["tokens"], 500);
    assert!((r["confidence"].as_f64().unwrap() - 0.83).abs() < 1e-6);
    let template = get(
        &s,
        &t,
        &format!("/v1/templates/{}", template["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(template["successRate"], 1.0, "{template:?}");

    // An answer that names a machine class is not taken; the rules decide.
    let raw = "From: ann@editors-mag.com\nTo: alice@agency.com\nSubject: hm\nMessage-ID: <llm-2@editors-mag.com>\n\nA weird one.\n";
    let (_, r) = inbound(&s, &t, raw).await;
    assert_eq!(
        (r["classification"].clone(), r["classifier"].clone()),
        (json!("other"), json!("rules"))
    );
    // Machine mail never reaches the LLM.
    let raw = "From: ann@editors-mag.com\nTo: alice@agency.com\nSubject: Out of office\nAuto-Submitted: auto-replied\nMessage-ID: <llm-3@editors-mag.com>\n\nI am on holiday, editor decides.\n";
    let (_, r) = inbound(&s, &t, raw).await;
    assert_eq!(
        (r["classification"].clone(), r["classifier"].clone()),
        (json!("out_of_office"), json!("rules"))
    );
}

#[tokio::test]
async fn hostile_addresses_and_ids_are_stored_not_failed() {
    let s = TestServer::start().await;
    let t = s.member("acme");
    let long = "x".repeat(3_000);
    let raw = format!(
        "From: someone@{long}.com\nTo: reply+{long}@replies.localhost.localdomain, unsubscribe+../../etc@{long}.org\n\
Subject: {long}\nMessage-ID: <{long}@{long}.com>\nIn-Reply-To: <{long}>\nReferences: <{long}> <{long}2>\n\nHello?\n"
    );
    let (status, r) = inbound(&s, &t, &raw).await;
    assert_eq!(status, 201, "{r:?}");
    assert!(r["matched"].is_null());
    let (status, again) = inbound(&s, &t, &raw).await;
    assert_eq!((status, again["id"].clone()), (200, r["id"].clone()));
}
