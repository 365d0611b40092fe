//! Outreach end to end in local mode: sender settings, templates, drafts, review, the
//! policy-gated send with its audit log, one-click unsubscribe, exports and analytics.

mod support;

use backlinks_core::domain::identity::Role;
use serde_json::{Value, json};
use support::TestServer;
use support::outreach::{always_open, approve_and_send, audit, draft, prospect, ready};

#[tokio::test]
async fn a_prospect_is_drafted_reviewed_and_emailed_with_every_header() {
    let s = TestServer::start().await;
    let (t, c) = ready(&s).await;
    let cid = c["id"].as_str().unwrap();
    let bad = s
        .call(
            "POST",
            "/v1/templates",
            Some(&t),
            Some(json!({"name": "x", "subject": "Hi {{first_name}}", "body": "b"})),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["errors"][0]["field"], "subject");
    assert!(
        bad.body["detail"]
            .as_str()
            .unwrap()
            .contains("{{first_name}}")
    );
    let template = s
        .call("POST", "/v1/templates", Some(&t), Some(json!({"name": "Guest post", "subject": "An idea for {{site_name}}",
            "body": "Hi {{recipient_first_name}},\n\nI would love to write about {{topic}} for {{site_name}}.\n\n{{sender_name}}"})))
        .await
        .body;
    let backlink = prospect(&s, &t, &c, "greenmag.org", "maya@greenmag.org", json!({})).await;
    let email = draft(&s, &t, &backlink, json!({"templateId": template["id"]})).await;
    assert_eq!(email["status"], "draft");
    assert_eq!(email["subject"], "An idea for greenmag.org");
    assert!(email["body"].as_str().unwrap().starts_with("Hi Maya,"));
    assert_eq!(email["generation"]["generator"], "template");
    let id = email["id"].as_str().unwrap();

    let edited = s
        .call(
            "PATCH",
            &format!("/v1/emails/{id}"),
            Some(&t),
            Some(json!({"subject": "A guest post idea"})),
        )
        .await
        .body;
    assert_eq!(
        (edited["userEdited"].clone(), edited["subject"].clone()),
        (json!(true), json!("A guest post idea"))
    );
    let injected = s
        .call(
            "PATCH",
            &format!("/v1/emails/{id}"),
            Some(&t),
            Some(json!({"subject": "Hi\r\nBcc: all@x.org"})),
        )
        .await;
    assert_eq!(injected.body["errors"][0]["field"], "subject");

    // Review: request, then approve every draft at once.
    assert_eq!(
        s.call(
            "POST",
            &format!("/v1/campaigns/{cid}/review/request"),
            Some(&t),
            None
        )
        .await
        .body["reviewStatus"],
        "dm_review"
    );
    assert_eq!(
        s.call(
            "POST",
            &format!("/v1/campaigns/{cid}/review/approve"),
            Some(&t),
            None
        )
        .await
        .body["reviewStatus"],
        "dm_approved"
    );
    assert_eq!(
        s.call("GET", &format!("/v1/emails/{id}"), Some(&t), None)
            .await
            .body["status"],
        "approved"
    );

    // The scheduler releases it (the window is open), the send stage sends it.
    let ran = s
        .call("POST", "/v1/dev/jobs/send-scheduler/run", Some(&t), None)
        .await;
    assert_eq!(ran.body["summary"], "released 1 emails to the send queue");
    s.drain().await;
    let sent = s
        .call("GET", &format!("/v1/emails/{id}"), Some(&t), None)
        .await
        .body;
    assert_eq!(sent["status"], "sent", "{sent:?}");
    assert!(sent["nextFollowUpAt"].is_string());
    let mail = s.outbox();
    assert_eq!(mail.len(), 1);
    let raw = mail[0].replace("\r\n\t", " ").replace("\r\n ", " ");
    let message_id = sent["messageIds"][0].as_str().unwrap();
    assert!(
        raw.contains(&format!("Message-ID: <{message_id}>")),
        "{raw}"
    );
    assert!(raw.contains("Reply-To: <reply+"));
    assert!(raw.contains("List-Unsubscribe: <mailto:unsubscribe+"));
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(raw.contains("1 Main St, Springfield"));
    assert!(raw.contains("Subject: A guest post idea"));

    let b = s
        .call("GET", &format!("/v1/backlinks/{backlink}"), Some(&t), None)
        .await
        .body;
    assert_eq!(b["outreachStatus"], "outreach_sent");
    assert!(b["outreachSentAt"].is_string());
    assert_eq!(
        s.call("GET", &format!("/v1/campaigns/{cid}"), Some(&t), None)
            .await
            .body["reviewStatus"],
        "sent"
    );
    let entries = audit(&s, &t).await;
    assert_eq!(
        (
            entries[0]["verdict"].clone(),
            entries[0]["legalBasis"].clone()
        ),
        (json!("allowed"), json!("legitimate_interest"))
    );
    let tpl = s
        .call(
            "GET",
            &format!("/v1/templates/{}", template["id"].as_str().unwrap()),
            Some(&t),
            None,
        )
        .await
        .body;
    assert_eq!(
        (tpl["usageCount"].clone(), tpl["sentCount"].clone()),
        (json!(1), json!(1))
    );
    let stats = s
        .call(
            "GET",
            &format!("/v1/campaigns/{cid}/analytics"),
            Some(&t),
            None,
        )
        .await
        .body;
    assert_eq!(
        (
            stats["prospects"].clone(),
            stats["drafted"].clone(),
            stats["sent"].clone()
        ),
        (json!(1), json!(1), json!(1))
    );
    assert_eq!(stats["perDay"][0]["sent"], 1);
    assert_eq!(
        s.call("GET", "/v1/reports/summary", Some(&t), None)
            .await
            .body["sent"],
        1
    );

    // Sending it again does nothing: it is sent.
    assert_eq!(
        s.call("POST", &format!("/v1/emails/{id}/send"), Some(&t), None)
            .await
            .status,
        409
    );
}

#[tokio::test]
async fn every_policy_rule_blocks_with_its_reason_and_allows_otherwise() {
    let s = TestServer::start().await;
    let admin = s.token("acme", "boss", Role::Admin);
    let t = s.member("acme");
    let c = s.campaign(&t, json!({"name": "Rules"})).await;
    s.activate(&t, &c).await;
    s.call(
        "PATCH",
        "/v1/settings/sender",
        Some(&admin),
        Some(json!({"sendWindow": always_open()})),
    )
    .await;

    // Sender identity incomplete.
    let b = prospect(&s, &t, &c, "one.org", "ed@one.org", json!({})).await;
    let first = draft(&s, &t, &b, json!({})).await;
    assert_eq!(first["generation"]["generator"], "fallback");
    let blocked = approve_and_send(&s, &t, &first).await;
    assert_eq!(
        (blocked["status"].clone(), blocked["blockReasons"].clone()),
        (json!("blocked"), json!(["sender_identity_incomplete"]))
    );
    assert_eq!(
        audit(&s, &t).await[0]["reasons"],
        json!(["sender_identity_incomplete"])
    );
    s.call("PATCH", "/v1/settings/sender", Some(&admin), Some(json!({"fromName": "A", "fromEmail": "a@agency.com", "organization": "O", "postalAddress": "P"}))).await;
    assert_eq!(approve_and_send(&s, &t, &first).await["status"], "sent");

    // Suppressed address and domain; another address on a clean domain goes.
    s.call(
        "POST",
        "/v1/suppressions",
        Some(&t),
        Some(json!({"value": "no@two.org"})),
    )
    .await;
    s.call(
        "POST",
        "/v1/suppressions",
        Some(&t),
        Some(json!({"value": "three.org"})),
    )
    .await;
    let two = draft(
        &s,
        &t,
        &prospect(&s, &t, &c, "two.org", "no@two.org", json!({})).await,
        json!({}),
    )
    .await;
    assert_eq!(
        approve_and_send(&s, &t, &two).await["blockReasons"],
        json!(["suppressed_address"])
    );
    let three = draft(
        &s,
        &t,
        &prospect(&s, &t, &c, "three.org", "ed@blog.three.org", json!({})).await,
        json!({}),
    )
    .await;
    assert_eq!(
        approve_and_send(&s, &t, &three).await["blockReasons"],
        json!(["suppressed_domain"])
    );

    // Consent regions need recorded consent; with it, consent is the recorded basis.
    let de = draft(
        &s,
        &t,
        &prospect(&s, &t, &c, "blog.de", "ed@blog.de", json!({})).await,
        json!({}),
    )
    .await;
    assert_eq!(
        approve_and_send(&s, &t, &de).await["blockReasons"],
        json!(["consent_required"])
    );
    let ca = draft(
        &s,
        &t,
        &prospect(
            &s,
            &t,
            &c,
            "maple.com",
            "ed@maple.com",
            json!({"country": "ca"}),
        )
        .await,
        json!({}),
    )
    .await;
    assert_eq!(
        approve_and_send(&s, &t, &ca).await["blockReasons"],
        json!(["consent_required"])
    );
    let consented = prospect(
        &s,
        &t,
        &c,
        "blog.fr",
        "ed@blog.fr",
        json!({"consentEvidence": "opted in via contact form, 2026-10-01"}),
    )
    .await;
    let fr = draft(&s, &t, &consented, json!({})).await;
    assert_eq!(approve_and_send(&s, &t, &fr).await["status"], "sent");
    assert_eq!(audit(&s, &t).await[0]["legalBasis"], "consent");

    // A paused campaign sends nothing.
    s.call(
        "POST",
        &format!("/v1/campaigns/{}/pause", c["id"].as_str().unwrap()),
        Some(&t),
        None,
    )
    .await;
    let late = draft(
        &s,
        &t,
        &prospect(&s, &t, &c, "late.org", "ed@late.org", json!({})).await,
        json!({}),
    )
    .await;
    let lid = late["id"].as_str().unwrap();
    s.call("POST", &format!("/v1/emails/{lid}/approve"), Some(&t), None)
        .await;
    assert_eq!(
        s.call("POST", &format!("/v1/emails/{lid}/send"), Some(&t), None)
            .await
            .status,
        409
    );
    assert_eq!(s.outbox().len(), 2);
    let stats = s
        .call(
            "GET",
            &format!("/v1/campaigns/{}/analytics", c["id"].as_str().unwrap()),
            Some(&t),
            None,
        )
        .await
        .body;
    assert_eq!(stats["blockedByReason"]["consent_required"], 2);
}

#[tokio::test]
async fn daily_caps_defer_sends_to_another_day() {
    let s = TestServer::start_with(|o| o.platform_domain_daily_cap = 3).await;
    let (t, c) = ready(&s).await;
    let admin = s.token("acme", "boss", Role::Admin);
    s.call(
        "PATCH",
        "/v1/settings/sender",
        Some(&admin),
        Some(json!({"caps": {"perTenantDaily": 100, "perRecipientDomainDaily": 2}})),
    )
    .await;
    let mut statuses = Vec::new();
    for (i, domain) in ["a.shared.org", "b.shared.org", "c.shared.org"]
        .iter()
        .enumerate()
    {
        let c2 = s.campaign(&t, json!({"name": format!("c{i}")})).await;
        s.activate(&t, &c2).await;
        let e = draft(
            &s,
            &t,
            &prospect(&s, &t, &c2, domain, &format!("ed@{domain}"), json!({})).await,
            json!({}),
        )
        .await;
        statuses.push(approve_and_send(&s, &t, &e).await);
    }
    // Two to shared.org per tenant per day; the third waits.
    assert_eq!(statuses[1]["status"], "sent");
    assert_eq!(
        (
            statuses[2]["status"].clone(),
            statuses[2]["blockReasons"].clone()
        ),
        (json!("approved"), json!(["cap_recipient_domain_daily"]))
    );
    assert!(statuses[2]["notBefore"].is_string());
    assert_eq!(
        audit(&s, &t).await[0]["reasons"],
        json!(["cap_recipient_domain_daily"])
    );

    // The campaign's own daily limit.
    s.call(
        "PATCH",
        &format!("/v1/campaigns/{}", c["id"].as_str().unwrap()),
        Some(&t),
        Some(json!({"limits": {"maxEmailsPerDay": 1}})),
    )
    .await;
    let one = draft(
        &s,
        &t,
        &prospect(&s, &t, &c, "x1.org", "ed@x1.org", json!({})).await,
        json!({}),
    )
    .await;
    let two = draft(
        &s,
        &t,
        &prospect(&s, &t, &c, "x2.org", "ed@x2.org", json!({})).await,
        json!({}),
    )
    .await;
    assert_eq!(approve_and_send(&s, &t, &one).await["status"], "sent");
    assert_eq!(
        approve_and_send(&s, &t, &two).await["blockReasons"],
        json!(["cap_campaign_daily"])
    );

    // The platform's per-domain cap (3 here) counts every tenant.
    let other = s.token("other", "u", Role::Admin);
    s.call("PATCH", "/v1/settings/sender", Some(&other), Some(json!({"fromName": "B", "fromEmail": "b@other.com", "organization": "O", "postalAddress": "P", "sendWindow": always_open()}))).await;
    let mut last = Value::Null;
    for domain in ["d.shared.org", "e.shared.org"] {
        let oc = s.campaign(&other, json!({"name": domain})).await;
        s.activate(&other, &oc).await;
        let e = draft(
            &s,
            &other,
            &prospect(&s, &other, &oc, domain, &format!("ed@{domain}"), json!({})).await,
            json!({}),
        )
        .await;
        last = approve_and_send(&s, &other, &e).await;
    }
    assert_eq!(last["blockReasons"], json!(["cap_platform_domain_daily"]));
}

#[tokio::test]
async fn unsubscribe_links_suppress_at_once_and_forgeries_are_refused() {
    let s = TestServer::start().await;
    let (t, c) = ready(&s).await;
    let e = draft(
        &s,
        &t,
        &prospect(&s, &t, &c, "greenmag.org", "maya@greenmag.org", json!({})).await,
        json!({}),
    )
    .await;
    approve_and_send(&s, &t, &e).await;
    let raw = s.outbox()[0].replace("\r\n\t", " ").replace("\r\n ", " ");
    let start = raw.find("/v1/unsubscribe/").unwrap();
    let token: String = raw[start + "/v1/unsubscribe/".len()..]
        .chars()
        .take_while(|c| !matches!(c, '>' | ' ' | '\r' | '\n' | '"'))
        .collect();
    let page = s
        .http
        .get(format!("{}/v1/unsubscribe/{token}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("maya@greenmag.org"));
    let forged = format!("{}x", token);
    assert_eq!(
        s.http
            .post(format!("{}/v1/unsubscribe/{forged}", s.base))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // The one-click POST a mail client makes (RFC 8058).
    let done = s
        .http
        .post(format!("{}/v1/unsubscribe/{token}", s.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let list = s.call("GET", "/v1/suppressions", Some(&t), None).await.body;
    assert_eq!(
        (
            list["items"][0]["value"].clone(),
            list["items"][0]["reason"].clone()
        ),
        (json!("maya@greenmag.org"), json!("unsubscribe"))
    );
    assert_eq!(
        s.http
            .post(format!("{}/v1/unsubscribe/{token}", s.base))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "idempotent"
    );
}

#[tokio::test]
async fn sender_secrets_are_write_only_and_settings_validated() {
    let s = TestServer::start().await;
    let admin = s.token("acme", "boss", Role::Admin);
    let member = s.member("acme");
    let smtp = json!({"transport": "smtp", "smtp": {"host": "smtp.agency.com", "port": 587, "security": "starttls", "username": "alice", "password": "hunter2-secret"}});
    assert_eq!(
        s.call(
            "PATCH",
            "/v1/settings/sender",
            Some(&member),
            Some(smtp.clone())
        )
        .await
        .status,
        403
    );
    let saved = s
        .call("PATCH", "/v1/settings/sender", Some(&admin), Some(smtp))
        .await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    let shown = s
        .call("GET", "/v1/settings/sender", Some(&member), None)
        .await
        .body;
    assert_eq!(shown["smtp"]["passwordSet"], true);
    assert!(!shown.to_string().contains("hunter2"), "{shown}");
    assert!(!saved.body.to_string().contains("hunter2"));
    let bad = s
        .call("PATCH", "/v1/settings/sender", Some(&admin), Some(json!({
            "fromEmail": "not-an-address", "sendWindow": {"days": ["mon"], "startHour": 9, "endHour": 8, "timeZone": "Nowhere/City"},
            "smtp": {"host": "smtp.agency.com", "port": 25, "security": "none"}})))
        .await;
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "fromEmail",
            "sendWindow.startHour",
            "sendWindow.timeZone",
            "smtp.security"
        ]
    );
    // Keeping the stored password when it is not sent again.
    let kept = s.call("PATCH", "/v1/settings/sender", Some(&admin), Some(json!({"smtp": {"host": "smtp2.agency.com", "port": 465, "security": "implicit", "username": "alice"}}))).await;
    assert_eq!(kept.body["smtp"]["passwordSet"], true);
}

#[tokio::test]
async fn exports_are_csv_with_formulas_made_inert() {
    let s = TestServer::start().await;
    let (t, c) = ready(&s).await;
    let b = prospect(&s, &t, &c, "greenmag.org", "maya@greenmag.org", json!({})).await;
    s.call(
        "PATCH",
        &format!("/v1/backlinks/{b}"),
        Some(&t),
        Some(json!({"recipientName": "=HYPERLINK(\"http://evil\")"})),
    )
    .await;
    let res = s
        .http
        .get(format!(
            "{}/v1/exports?kind=leads&campaignId={}",
            s.base,
            c["id"].as_str().unwrap()
        ))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with(
            "sourceDomain,sourceUrl,contactUrl,placementUrl,recipientEmail,recipientName,"
        ),
        "{csv}"
    );
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\","),
        "{csv}"
    );
    draft(&s, &t, &b, json!({})).await;
    let attempts = s
        .http
        .get(format!("{}/v1/exports?kind=attempts", s.base))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(attempts.lines().count(), 2);
    assert_eq!(
        s.call("GET", "/v1/exports?kind=everything", Some(&t), None)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn the_llm_writes_drafts_when_configured_and_bad_answers_fall_back() {
    use wiremock::matchers::{body_string_contains, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let llm = MockServer::start().await;
    let answer = |content: String| {
        json!({"model": "writer-1", "choices": [{"message": {"role": "assistant", "content": content}}],
               "usage": {"prompt_tokens": 400, "completion_tokens": 100}})
    };
    let good = json!({"subject": "Your piece on compost", "body": "Hi Maya,\n\nLoved it.\n\nAlice", "confidence": 0.7}).to_string();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_string_contains("greenmag.org"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer(good)))
        .mount(&llm)
        .await;
    let injected =
        json!({"subject": "Hi\nBcc: everyone@x.org", "body": "b", "confidence": 0.9}).to_string();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_string_contains("bluemag.org"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer(injected)))
        .mount(&llm)
        .await;
    let openai = backlinks_core::adapters::openai::OpenAiConfig {
        base_url: format!("{}/v1", llm.uri()),
        api_key: "k".into(),
        default_model: "writer-1".into(),
        input_price_per_million: 1.0,
        output_price_per_million: 4.0,
    };
    let s = TestServer::start_with(move |o| o.providers.openai = Some(openai)).await;
    let (t, c) = ready(&s).await;
    let written = draft(
        &s,
        &t,
        &prospect(&s, &t, &c, "greenmag.org", "maya@greenmag.org", json!({})).await,
        json!({"tone": "friendly"}),
    )
    .await;
    assert_eq!(written["subject"], "Your piece on compost");
    let g = &written["generation"];
    assert_eq!(
        (
            g["generator"].clone(),
            g["model"].clone(),
            g["tokens"].clone(),
            g["temperature"].clone()
        ),
        (json!("llm"), json!("writer-1"), json!(500), json!(0.7))
    );
    assert!((g["costUsd"].as_f64().unwrap() - 0.0008).abs() < 1e-9);
    assert!(g["prompt"].as_str().unwrap().contains("friendly"));
    // A subject with a line break is header injection: the built-in template is used instead.
    let fallback = draft(
        &s,
        &t,
        &prospect(&s, &t, &c, "bluemag.org", "ed@bluemag.org", json!({})).await,
        json!({}),
    )
    .await;
    assert_eq!(fallback["generation"]["generator"], "fallback");
    assert!(!fallback["subject"].as_str().unwrap().contains('\n'));
}
