//! Follow-ups: per-step templates, review before they go, threading, the send window.

mod support;

use backlinks_core::app::outreach::emails::EmailFilter;
use backlinks_core::app::outreach::follow_up_drafts;
use backlinks_core::app::outreach::sending::{self, SendMessage};
use backlinks_core::app::outreach::{emails, followups, sender};
use backlinks_core::app::paging::PageRequest;
use backlinks_core::app::{App, AppError, backlinks, campaigns};
use backlinks_core::domain::ids::{CampaignId, TemplateId};
use backlinks_core::ports::Clock;
use serde_json::json;
use support::Store;
use support::send_world::*;

#[tokio::test]
async fn follow_ups_thread_on_the_original_and_stop_on_a_reply() {
    let w = world(Store::sqlite().await, None).await;
    let messages = seed(&w, 2, 100).await;
    race(&w, &messages).await;
    let first = emails::get(&w.app, &w.tenant, &messages[0].email_id)
        .await
        .unwrap();
    // The second prospect replies: its backlink moves on, so its follow-ups must stop.
    let second = emails::get(&w.app, &w.tenant, &messages[1].email_id)
        .await
        .unwrap();
    backlinks::modify(&w.app, &w.tenant, &second.backlink_id, |b| {
        b.transition(
            backlinks_core::domain::backlink::OutreachStatus::Responded,
            w.clock.now(),
        )
        .unwrap();
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        0,
        "not due yet"
    );
    w.clock.advance_seconds(2 * 86_400 + 60);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        2
    );
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        0,
        "queued once"
    );
    for m in &messages {
        sending::send_stage(
            &w.app,
            &SendMessage {
                sequence: 1,
                ..m.clone()
            },
        )
        .await
        .unwrap();
    }
    let files = sent_files(&w.outbox);
    assert_eq!(files.len(), 3, "two first emails and one follow-up");
    let follow_up = files.iter().find(|f| f.contains("In-Reply-To:")).unwrap();
    assert!(
        follow_up.contains(&format!("In-Reply-To: <{}>", first.message_ids[0])),
        "{follow_up}"
    );
    assert!(follow_up.contains(&format!("References: <{}>", first.message_ids[0])));
    assert!(follow_up.contains("Subject: Re: "));
    let stopped = emails::get(&w.app, &w.tenant, &second.id).await.unwrap();
    assert_eq!(
        (stopped.next_follow_up_at, stopped.block_reasons.clone()),
        (
            None,
            vec![backlinks_core::domain::outreach::BlockReason::NotAwaitingReply]
        )
    );
    // The second follow-up after three more days, then no more (two at most).
    w.clock.advance_seconds(3 * 86_400 + 60);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        1
    );
    sending::send_stage(
        &w.app,
        &SendMessage {
            sequence: 2,
            ..messages[0].clone()
        },
    )
    .await
    .unwrap();
    let done = emails::get(&w.app, &w.tenant, &first.id).await.unwrap();
    assert_eq!(
        (
            done.follow_ups_sent,
            done.next_follow_up_at,
            done.message_ids.len()
        ),
        (2, None, 3)
    );
    w.clock.advance_seconds(30 * 86_400);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_follow_up_the_queue_refused_stays_due() {
    let w = world(Store::sqlite().await, None).await;
    let messages = seed(&w, 1, 100).await;
    assert_eq!(deliver_due(&w).await, 1);
    w.clock.advance_seconds(2 * 86_400 + 60);
    let down = App {
        queue: support::refusing::RefusingQueue::new(w.app.queue.clone(), &["*"]),
        ..(*w.app).clone()
    };
    assert!(followups::sweep(&down, &support::budget()).await.is_err());
    let e = emails::get(&w.app, &w.tenant, &messages[0].email_id)
        .await
        .unwrap();
    assert_eq!(e.follow_up_pending, None);
    assert!(e.next_follow_up_at.is_some());
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        1,
        "found again by the next sweep"
    );
}

#[tokio::test]
async fn follow_ups_fill_the_same_variables_as_first_emails() {
    use backlinks_core::app::outreach::templates;
    let w = world(Store::sqlite().await, None).await;
    let messages = seed(&w, 1, 100).await;
    let e = emails::get(&w.app, &w.tenant, &messages[0].email_id)
        .await
        .unwrap();
    backlinks::update(
        &w.app,
        &w.tenant,
        &e.backlink_id,
        serde_json::from_value(json!({
            "targetUrl": "https://client.example/guide", "anchorText": "composting guide"
        }))
        .unwrap(),
    )
    .await
    .unwrap();
    let t = templates::create(
        &w.app,
        &w.tenant,
        serde_json::from_value(json!({
            "name": "nudge", "category": "follow_up", "subject": "x",
            "body": "Still keen, {{site_name}} ({{site_url}})? Our {{anchor_text}}: {{target_url}}"
        }))
        .unwrap(),
    )
    .await
    .unwrap();
    steps(&w, &e.campaign_id, json!({"followUpTemplateIds": [t.id]})).await;
    assert_eq!(deliver_due(&w).await, 1);
    w.clock.advance_seconds(2 * 86_400 + 60);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        1
    );
    assert_eq!(deliver_due(&w).await, 1);
    let files = sent_files(&w.outbox);
    let follow_up = backlinks_core::domain::inbound::parse(files.last().unwrap().as_bytes())
        .unwrap()
        .text;
    assert!(
        follow_up.contains(
            "Still keen, site0.org (https://site0.org/)? Our composting guide: https://client.example/guide"
        ),
        "{follow_up}"
    );
}

async fn steps(w: &World, campaign: &CampaignId, patch: serde_json::Value) {
    campaigns::update(
        &w.app,
        &w.tenant,
        campaign,
        serde_json::from_value(patch).unwrap(),
    )
    .await
    .unwrap();
}

async fn follow_up_template(w: &World, body: &str) -> TemplateId {
    let input = json!({"name": body, "category": "follow_up", "subject": "x", "body": body});
    let t = backlinks_core::app::outreach::templates::create(
        &w.app,
        &w.tenant,
        serde_json::from_value(input).unwrap(),
    )
    .await
    .unwrap();
    t.id
}

#[tokio::test]
async fn each_follow_up_step_uses_its_template_and_waits_for_review() {
    let w = world(Store::sqlite().await, None).await;
    let messages = seed(&w, 1, 100).await;
    let id = messages[0].email_id.clone();
    let campaign = emails::get(&w.app, &w.tenant, &id)
        .await
        .unwrap()
        .campaign_id;
    let first = follow_up_template(&w, "Step one for {{site_name}}").await;
    let second = follow_up_template(&w, "Step two, last note").await;
    steps(
        &w,
        &campaign,
        json!({"followUpTemplateIds": [first, second], "sendFollowUpsUnreviewed": false}),
    )
    .await;
    assert_eq!(deliver_due(&w).await, 1);

    // Due: the first step's text is drafted and held; nothing is queued.
    w.clock.advance_seconds(2 * 86_400 + 60);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        0
    );
    let e = emails::get(&w.app, &w.tenant, &id).await.unwrap();
    let draft = e.follow_up.clone().unwrap();
    assert_eq!(
        (
            draft.sequence,
            draft.body.as_str(),
            draft.template_id,
            draft.approved_at
        ),
        (1, "Step one for site0.org", Some(first), None)
    );
    let waiting = EmailFilter {
        follow_up_review: Some(true),
        ..Default::default()
    };
    let listed = emails::list(&w.app, &w.tenant, &waiting, PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    // Held drafts leave the due index: later sweeps neither queue nor redraft them.
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        0
    );
    assert_eq!(deliver_due(&w).await, 0);

    // Approved as edited: that text goes, the original quoted under it.
    let edit = json!({"body": "Step one, edited by Alice"});
    let approved = follow_up_drafts::approve(
        &w.app,
        &w.tenant,
        &id,
        serde_json::from_value(edit).unwrap(),
    )
    .await
    .unwrap();
    assert!(approved.follow_up.as_ref().unwrap().user_edited);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        1
    );
    assert_eq!(deliver_due(&w).await, 1);
    let sent = sent_files(&w.outbox);
    let text = backlinks_core::domain::inbound::parse(sent.last().unwrap().as_bytes())
        .unwrap()
        .text;
    assert!(text.starts_with("Step one, edited by Alice"), "{text}");
    assert!(text.contains("> "), "{text}");
    let again = follow_up_drafts::approve(&w.app, &w.tenant, &id, Default::default()).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");

    // The second step drafts from the second template; a campaign that sends unreviewed
    // lets it go at once.
    steps(&w, &campaign, json!({"sendFollowUpsUnreviewed": true})).await;
    w.clock.advance_seconds(3 * 86_400 + 60);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        1
    );
    assert_eq!(deliver_due(&w).await, 1);
    let e = emails::get(&w.app, &w.tenant, &id).await.unwrap();
    assert_eq!(e.follow_ups_sent, 2);
    assert_eq!(e.follow_up.unwrap().template_id, Some(second));
    let sent = sent_files(&w.outbox);
    assert!(sent.last().unwrap().contains("Step two, last note"));
}

#[tokio::test]
async fn a_step_whose_template_is_gone_is_held_for_review_even_unreviewed() {
    let w = world(Store::sqlite().await, None).await;
    let messages = seed(&w, 1, 100).await;
    let id = messages[0].email_id.clone();
    let campaign = emails::get(&w.app, &w.tenant, &id)
        .await
        .unwrap()
        .campaign_id;
    let t = follow_up_template(&w, "Soon gone").await;
    steps(&w, &campaign, json!({"followUpTemplateIds": [t]})).await;
    backlinks_core::app::outreach::templates::delete(&w.app, &w.tenant, &t)
        .await
        .unwrap();
    assert_eq!(deliver_due(&w).await, 1);
    w.clock.advance_seconds(2 * 86_400 + 60);
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        0
    );
    let draft = emails::get(&w.app, &w.tenant, &id)
        .await
        .unwrap()
        .follow_up
        .unwrap();
    assert!(draft.awaits_review() && draft.note.is_some(), "{draft:?}");
    assert!(draft.body.contains("Just following up"), "{}", draft.body);
}

#[tokio::test]
async fn a_campaign_names_only_its_tenants_follow_up_templates() {
    let w = world(Store::sqlite().await, None).await;
    let messages = seed(&w, 1, 100).await;
    let e = emails::get(&w.app, &w.tenant, &messages[0].email_id)
        .await
        .unwrap();
    let initial = json!({"name": "first", "subject": "x", "body": "Hello"});
    let initial = backlinks_core::app::outreach::templates::create(
        &w.app,
        &w.tenant,
        serde_json::from_value(initial).unwrap(),
    )
    .await
    .unwrap();
    let unknown = format!("tpl_{}", "0".repeat(32));
    for (ids, field) in [
        (json!([initial.id]), "followUpTemplateIds.0"),
        (
            json!([initial.id.to_string(), "nope"]),
            "followUpTemplateIds.0",
        ),
        (json!([unknown]), "followUpTemplateIds.0"),
    ] {
        let patch = serde_json::from_value(json!({"followUpTemplateIds": ids})).unwrap();
        let err = campaigns::update(&w.app, &w.tenant, &e.campaign_id, patch)
            .await
            .unwrap_err();
        match err {
            AppError::Invalid(errors) => assert_eq!(errors[0].field, field, "{errors:?}"),
            other => panic!("{other:?}"),
        }
    }
    let c = campaigns::get(&w.app, &w.tenant, &e.campaign_id)
        .await
        .unwrap();
    assert!(c.follow_up_template_ids.is_empty());
}

#[tokio::test]
async fn follow_ups_wait_for_the_send_window() {
    let w = world(Store::sqlite().await, None).await;
    seed(&w, 1, 100).await;
    assert_eq!(deliver_due(&w).await, 1);
    // Due on a Wednesday at noon (UTC), in a window open on Saturdays only.
    w.clock.advance_seconds(2 * 86_400 + 60);
    let window = |days: serde_json::Value| {
        serde_json::from_value(json!({
            "sendWindow": {"days": days, "startHour": 0, "endHour": 24, "timeZone": "UTC"}
        }))
        .unwrap()
    };
    sender::update(&w.app, &w.tenant, window(json!(["sat"])))
        .await
        .unwrap();
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        0
    );
    sender::update(&w.app, &w.tenant, window(json!(["wed"])))
        .await
        .unwrap();
    assert_eq!(
        followups::sweep(&w.app, &support::budget()).await.unwrap(),
        1,
        "still due once the window opens"
    );
}
