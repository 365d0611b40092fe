//! Sending, at most once. A scheduler releases approved emails inside each tenant's send
//! window; the send stage checks the policy, then claims the send and its daily caps in
//! one transaction, and only then hands the message to the transport. A claim that never
//! completed (a crash mid-send) is surfaced as `needs_review`, never resent; `settle`
//! takes it from there.

use super::policy::{self, Decision};
use super::{emails, keys, sender, templates};
use crate::app::entity;
use crate::app::store::{from_item, tenant_of, to_item};
use crate::app::sweep::{Budget, Pages};
use crate::app::{App, AppError, backlinks, campaigns};
use crate::domain::backlink::OutreachStatus;
use crate::domain::campaign::{Campaign, CampaignStatus};
use crate::domain::email::registrable_domain;
use crate::domain::ids::{CampaignId, EmailId, TenantId};
use crate::domain::mail::OutgoingMail;
pub use crate::domain::outreach::SEND_TIMEOUT_SECS;
use crate::domain::outreach::{
    Attempt, AttemptStatus, BlockReason, Counter, EmailStatus, OutreachEmail, ReviewStatus,
    SenderSettings, render, template_values,
};
use crate::domain::time::Timestamp;
use crate::ports::mailer::{Envelope, MailError};
use crate::ports::queue::MAX_DELAY;
use crate::ports::table::{Condition, Index, Key, Query, TTL, TableError, TransactOp, Update};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

pub const SEND_QUEUE: &str = "send";
/// Counters outlive their day by this long, then expire.
const CAP_TTL_SECS: i64 = 3 * 24 * 3600;
/// A transport that refuses for now this many times in a row has refused for good.
pub const MAX_TRANSPORT_RETRIES: u32 = 5;
/// The wait before the first retry; each later wait is four times longer.
const RETRY_DELAY: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendMessage {
    pub tenant_id: TenantId,
    pub email_id: EmailId,
    /// 0 for the first email, n for the n-th follow-up.
    pub sequence: u32,
}

/// What a reply address or unsubscribe address token points at (issue: reply matching).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyTarget {
    pub tenant_id: TenantId,
    pub email_id: EmailId,
    pub sequence: u32,
}

pub fn reply_token_key(token: &str) -> Key {
    Key::new(format!("REPLYTOKEN#{token}"), "TARGET")
}

/// Marks an approved email queued and hands it to the send queue.
pub async fn release(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
) -> Result<OutreachEmail, AppError> {
    let queued = emails::modify(app, tenant, &email.id, |e| {
        if e.status != EmailStatus::Approved {
            return Err(AppError::Conflict(format!(
                "only an approved email can be sent; this one is {}",
                e.status.as_str()
            )));
        }
        e.status = EmailStatus::Queued;
        Ok(())
    })
    .await?;
    let message = SendMessage {
        tenant_id: tenant.clone(),
        email_id: email.id.clone(),
        sequence: 0,
    };
    if let Err(e) = app
        .queue
        .send(
            SEND_QUEUE,
            vec![serde_json::to_string(&message).unwrap_or_default()],
        )
        .await
    {
        // Not queued after all: back to approved so the scheduler tries again.
        emails::modify(app, tenant, &email.id, |e| {
            e.status = EmailStatus::Approved;
            Ok(())
        })
        .await?;
        return Err(e.into());
    }
    Ok(queued)
}

/// The send scheduler: releases approved emails of active campaigns whose tenant's send
/// window is open, reading every approved email within the run's budget: those that cannot
/// go now (paused or deleted campaign, closed window, not yet due) are skipped, never in the
/// way of the ones behind them. Returns how many it released.
pub async fn schedule(app: &App, budget: &Budget) -> Result<usize, AppError> {
    let now = app.clock.now();
    let mut windows = sender::OpenWindows::at(now);
    // None: the campaign was deleted.
    let mut statuses: HashMap<(TenantId, CampaignId), Option<CampaignStatus>> = HashMap::new();
    let mut released = 0;
    for shard in 0..keys::SEND_SHARDS {
        let mut pages = Pages::new(Query::new(Index::Gsi4, keys::send_queue_shard(shard)));
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            for item in items {
                let tenant = tenant_of(&item)?;
                let email: OutreachEmail = from_item(item)?;
                if email.not_before.is_some_and(|t| t > now) {
                    continue;
                }
                if !windows.is_open(app, &tenant).await? {
                    continue;
                }
                let key = (tenant.clone(), email.campaign_id.clone());
                let status = match statuses.get(&key) {
                    Some(status) => *status,
                    None => {
                        let status = match campaigns::get(app, &tenant, &email.campaign_id).await {
                            Ok(c) => Some(c.status),
                            Err(AppError::NotFound(_)) => None,
                            Err(e) => return Err(e),
                        };
                        statuses.insert(key, status);
                        status
                    }
                };
                match status {
                    Some(CampaignStatus::Active) => match release(app, &tenant, &email).await {
                        Ok(_) => released += 1,
                        Err(AppError::Conflict(_)) => {}
                        Err(e) => return Err(e),
                    },
                    None => orphaned(app, &tenant, &email.id, 0).await?,
                    Some(_) => {}
                }
            }
        }
    }
    Ok(released)
}

/// The cap counters a send claims: (scope, cap, the reason a full one gives).
fn caps(
    tenant: &TenantId,
    settings: &SenderSettings,
    campaign: &Campaign,
    domain: &str,
    platform_cap: u32,
) -> Vec<(String, u32, BlockReason)> {
    vec![
        (
            format!("T#{tenant}#CAMPAIGN#{}", campaign.id),
            campaign.limits.max_emails_per_day,
            BlockReason::CapCampaignDaily,
        ),
        (
            format!("T#{tenant}"),
            settings.caps.per_tenant_daily,
            BlockReason::CapTenantDaily,
        ),
        (
            format!("T#{tenant}#DOMAIN#{domain}"),
            settings.caps.per_recipient_domain_daily,
            BlockReason::CapRecipientDomainDaily,
        ),
        (
            format!("PLATFORM#DOMAIN#{domain}"),
            platform_cap,
            BlockReason::CapPlatformDomainDaily,
        ),
    ]
}

/// Gives back claimed cap counts when a message did not leave.
async fn release_caps(app: &App, claimed: &[Key]) -> Result<(), AppError> {
    for key in claimed {
        app.table
            .update(key, Update::new().add("count", -1), Some(Condition::Exists))
            .await
            .ok();
    }
    Ok(())
}

pub(super) async fn set_attempt(
    app: &App,
    tenant: &TenantId,
    attempt: &Attempt,
) -> Result<(), AppError> {
    app.table.put(entity::item(attempt, tenant)?, None).await?;
    Ok(())
}

/// The text of the n-th follow-up: the tenant's first follow-up template, or a short nudge.
async fn follow_up_text(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    campaign: &Campaign,
    settings: &SenderSettings,
) -> Result<String, AppError> {
    let filter = templates::TemplateFilter {
        category: Some(crate::domain::outreach::TemplateCategory::FollowUp),
        ..Default::default()
    };
    let found = templates::list(
        app,
        tenant,
        &filter,
        crate::app::paging::PageRequest::first(1),
    )
    .await?;
    let body = found.items.first().map(|t| t.body.clone()).unwrap_or_else(|| {
        "Hi {{recipient_first_name}},\n\nJust following up on my note below about {{topic}}. Would it be a fit for \
         {{site_name}}?\n\nBest,\n{{sender_name}}"
            .to_string()
    });
    let backlink = backlinks::get(app, tenant, &email.backlink_id).await?;
    let site = crate::app::crawl::cached(app, &backlink.source_domain).await?;
    let topic = campaign.keywords.first().cloned().unwrap_or_default();
    let values = template_values(
        &backlink,
        campaign,
        settings,
        site.as_ref().map(|r| r.signals.title.as_str()),
        &topic,
    );
    let quoted: String = email.body.lines().map(|l| format!("> {l}\n")).collect();
    Ok(format!("{}\n\n{quoted}", render(&body, &values)))
}

/// Runs the claim transaction. Concurrent claims on the same cap counters make DynamoDB
/// cancel some transactions outright (TransactionConflict); nothing was written then, so
/// the claim is tried again after a short random wait.
async fn claim(app: &App, ops: Vec<TransactOp>) -> Result<(), TableError> {
    let mut attempt = 0u32;
    loop {
        match app.table.transact(ops.clone()).await {
            Err(TableError::Unavailable(reason)) if attempt < 8 => {
                let jitter = app.ids.next().as_u128() as u64 % 50;
                tracing::debug!(%reason, attempt, "claim conflicted; trying again");
                tokio::time::sleep(std::time::Duration::from_millis(
                    20 * 2u64.pow(attempt.min(4)) + jitter,
                ))
                .await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Whether the claimed attempt under `key` is the one with our token.
async fn own_claim(app: &App, key: &Key, token: &str) -> Result<bool, AppError> {
    let attempt: Option<Attempt> = app.table.get(key).await?.map(from_item).transpose()?;
    Ok(attempt.is_some_and(|a| a.status == AttemptStatus::Claimed && a.reply_token == token))
}

/// Ends a send that will not happen: the first email takes `status`; a follow-up stops the
/// follow-ups instead, leaving the sent email as it was.
fn stop(e: &mut OutreachEmail, sequence: u32, status: EmailStatus) {
    if sequence == 0 {
        e.status = status;
    } else {
        e.follow_up_pending = None;
        e.next_follow_up_at = None;
    }
}

/// An email whose campaign was deleted never goes: a first email is skipped, a sent one's
/// follow-ups stop. No counter moves (the campaign's went with it).
async fn orphaned(
    app: &App,
    tenant: &TenantId,
    id: &EmailId,
    sequence: u32,
) -> Result<(), AppError> {
    let settled = emails::modify(app, tenant, id, |e| {
        stop(e, sequence, EmailStatus::Skipped);
        e.last_error = Some("its campaign was deleted".into());
        Ok(())
    })
    .await;
    match settled {
        Ok(_) | Err(AppError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Marks the email blocked (first email) or stops its follow-ups, with every reason that
/// held; the campaign counts it under the reasons that decided.
async fn block(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    sequence: u32,
    decision: &Decision,
) -> Result<(), AppError> {
    emails::modify(app, tenant, &email.id, |e| {
        stop(e, sequence, EmailStatus::Blocked);
        e.block_reasons = decision.reasons.clone();
        Ok(())
    })
    .await?;
    for reason in decision.causes() {
        emails::stat(app, tenant, &email.campaign_id, Counter::Blocked(reason), 1).await?;
    }
    Ok(())
}

/// The caps of `cap_list` already full today, read without taking a place.
async fn full_caps(
    app: &App,
    cap_list: &[(String, u32, BlockReason)],
    day: chrono::NaiveDate,
) -> Result<Vec<BlockReason>, AppError> {
    let mut full = Vec::new();
    for (scope, cap, reason) in cap_list {
        let count = app
            .table
            .get(&keys::cap(scope, day))
            .await?
            .and_then(|item| item.get("count").and_then(Value::as_i64))
            .unwrap_or(0);
        if count >= i64::from(*cap) {
            full.push(*reason);
        }
    }
    Ok(full)
}

/// The send stage for one message.
pub async fn send_stage(app: &App, m: &SendMessage) -> Result<(), AppError> {
    let tenant = &m.tenant_id;
    let email = match emails::get(app, tenant, &m.email_id).await {
        Ok(e) => e,
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let attempt_key = keys::attempt(tenant, &email.id, m.sequence);
    let previous: Option<Attempt> = app
        .table
        .get(&attempt_key)
        .await?
        .map(from_item)
        .transpose()?;
    let retries = match previous {
        // Another worker holds the claim and may be sending right now: the queue brings
        // this message back later, when that worker has finished or has surely died.
        Some(a) if a.status == AttemptStatus::Claimed && a.in_flight(app.clock.now()) => {
            return Err(AppError::Unavailable(
                "another worker is sending this email".into(),
            ));
        }
        // Claimed longer ago than a send may take and never finished: it may have left.
        // A person decides.
        Some(a) if a.status == AttemptStatus::Claimed => {
            let why = "a previous send was claimed and never confirmed";
            return needs_review(app, tenant, &email, a, why).await;
        }
        Some(a) if a.status == AttemptStatus::Released => a.retries,
        Some(_) => return Ok(()),
        None => 0,
    };
    let expected = if m.sequence == 0 {
        email.status == EmailStatus::Queued
    } else {
        email.status == EmailStatus::Sent && email.follow_up_pending == Some(m.sequence)
    };
    if !expected {
        return Ok(());
    }
    let campaign = match campaigns::get(app, tenant, &email.campaign_id).await {
        Ok(c) => c,
        Err(AppError::NotFound(_)) => return orphaned(app, tenant, &email.id, m.sequence).await,
        Err(e) => return Err(e),
    };
    let (settings, transport) = sender::for_sending(app, tenant).await?;
    let backlink = backlinks::get(app, tenant, &email.backlink_id).await?;
    let subject = if m.sequence == 0 {
        email.subject.clone()
    } else {
        format!("Re: {}", email.subject)
    };
    let mut decision =
        policy::evaluate(app, tenant, &settings, &email, &backlink, m.sequence).await?;
    if campaign.status != CampaignStatus::Active {
        decision.add([BlockReason::CampaignNotActive]);
    }
    let now = app.clock.now();
    let day = settings.send_window.day(now.datetime());
    let domain = registrable_domain(email.recipient_email.domain())
        .unwrap_or_else(|| email.recipient_email.domain().to_string());
    let cap_list = caps(
        tenant,
        &settings,
        &campaign,
        &domain,
        app.outreach.platform_domain_daily_cap,
    );
    if decision.is_permanent() {
        // Settled for good; the audit log still shows what else held at the time.
        decision.add(full_caps(app, &cap_list, day).await?);
        if !settings.send_window.is_open(now.datetime()) {
            decision.add([BlockReason::SendWindowClosed]);
        }
    }
    if !decision.allowed() {
        policy::audit(
            app, tenant, &email, &settings, m.sequence, &subject, &decision,
        )
        .await?;
        if decision.reasons == [BlockReason::CampaignNotActive] && m.sequence == 0 {
            // Not refused, just not now: back to approved for when the campaign resumes.
            emails::modify(app, tenant, &email.id, |e| {
                e.status = EmailStatus::Approved;
                Ok(())
            })
            .await?;
            return Ok(());
        }
        return block(app, tenant, &email, m.sequence, &decision).await;
    }

    // Claim: the attempt and every daily cap, all or nothing.
    let reply_domain = settings
        .reply_domain
        .as_ref()
        .map(|d| d.to_string())
        .unwrap_or_else(|| app.outreach.default_reply_domain.clone());
    let token = app.ids.next().simple().to_string();
    let attempt = Attempt {
        email_id: email.id.clone(),
        sequence: m.sequence,
        status: AttemptStatus::Claimed,
        message_id: format!("{}.{}@{reply_domain}", email.id, m.sequence),
        reply_token: token.clone(),
        claimed_at: now,
        sent_at: None,
        provider_id: None,
        error: None,
        retries,
    };
    let cap_keys: Vec<Key> = cap_list
        .iter()
        .map(|(scope, _, _)| keys::cap(scope, day))
        .collect();
    let mut ops = vec![TransactOp::Put {
        item: entity::item(&attempt, tenant)?,
        condition: Some(Condition::Or(vec![
            Condition::NotExists,
            Condition::eq("status", AttemptStatus::Released.as_str()),
        ])),
    }];
    for ((_, cap, _), key) in cap_list.iter().zip(&cap_keys) {
        ops.push(TransactOp::Update {
            key: key.clone(),
            update: Update::new()
                .add("count", 1)
                .set(TTL, now.epoch_seconds() + CAP_TTL_SECS),
            condition: Some(Condition::Or(vec![
                Condition::AttributeNotExists("count".into()),
                Condition::lt("count", *cap),
            ])),
        });
    }
    let target = ReplyTarget {
        tenant_id: tenant.clone(),
        email_id: email.id.clone(),
        sequence: m.sequence,
    };
    let mut token_item = to_item("reply_token", &reply_token_key(&token), &target, [])?;
    token_item.insert("messageId".into(), Value::from(attempt.message_id.clone()));
    ops.push(TransactOp::Put {
        item: token_item,
        condition: Some(Condition::NotExists),
    });
    // Replies and bounces that quote our Message-ID find the attempt through this.
    ops.push(TransactOp::Put {
        item: to_item(
            "outbound_message",
            &crate::app::replies::keys::outbound(&attempt.message_id),
            &target,
            [],
        )?,
        condition: None,
    });
    match claim(app, ops).await {
        Ok(()) => {}
        // A retried claim may find its own first try committed (an error that came after the
        // commit): the attempt then carries our token, and the send goes on.
        Err(TableError::TransactionCancelled { failed })
            if failed == [0] && own_claim(app, &attempt_key, &token).await? => {}
        Err(TableError::TransactionCancelled { failed }) => {
            let reasons: Vec<BlockReason> = if failed.contains(&0) {
                vec![BlockReason::DuplicateAttempt]
            } else {
                failed
                    .iter()
                    .filter_map(|i| cap_list.get(i.checked_sub(1)?))
                    .map(|(_, _, r)| *r)
                    .collect()
            };
            let blocked = Decision {
                reasons: reasons.clone(),
                ..decision
            };
            policy::audit(
                app, tenant, &email, &settings, m.sequence, &subject, &blocked,
            )
            .await?;
            if reasons == [BlockReason::DuplicateAttempt] {
                return Ok(());
            }
            // A cap is full for today: the email waits for tomorrow (in the tenant's zone).
            let tomorrow = now.plus_seconds(24 * 3600);
            emails::modify(app, tenant, &email.id, |e| {
                if m.sequence == 0 {
                    e.status = EmailStatus::Approved;
                } else {
                    e.follow_up_pending = None;
                    e.next_follow_up_at = Some(tomorrow);
                }
                e.not_before = Some(tomorrow);
                e.block_reasons = reasons.clone();
                Ok(())
            })
            .await?;
            for reason in &reasons {
                emails::stat(
                    app,
                    tenant,
                    &email.campaign_id,
                    Counter::Deferred(*reason),
                    1,
                )
                .await?;
            }
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    policy::audit(
        app, tenant, &email, &settings, m.sequence, &subject, &decision,
    )
    .await?;

    let text = if m.sequence == 0 {
        email.body.clone()
    } else {
        follow_up_text(app, tenant, &email, &campaign, &settings).await?
    };
    let unsubscribe = app
        .outreach
        .secrets
        .sign(&format!("{tenant}|{}", email.recipient_email));
    let mail = OutgoingMail {
        from_name: settings.from_name.clone(),
        from_email: settings
            .from_email
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        to_name: email.recipient_name.clone(),
        to_email: email.recipient_email.to_string(),
        reply_to: format!("reply+{token}@{reply_domain}"),
        subject: subject.clone(),
        text,
        message_id: attempt.message_id.clone(),
        in_reply_to: email.message_ids.last().cloned(),
        references: email.message_ids.clone(),
        unsubscribe_mailto: format!("unsubscribe+{token}@{reply_domain}"),
        unsubscribe_url: format!(
            "{}/v1/unsubscribe/{unsubscribe}",
            app.outreach.public_base_url.trim_end_matches('/')
        ),
        organization: settings.organization.clone(),
        postal_address: settings.postal_address.clone(),
    };
    let envelope = Envelope {
        from: mail.from_email.clone(),
        to: mail.to_email.clone(),
    };
    match app
        .mailer
        .send(&transport, &envelope, &mail.to_bytes())
        .await
    {
        Ok(provider_id) => {
            sent(
                app,
                tenant,
                &email,
                &campaign,
                Attempt {
                    status: AttemptStatus::Sent,
                    sent_at: Some(app.clock.now()),
                    provider_id: Some(provider_id),
                    ..attempt
                },
            )
            .await
        }
        Err(MailError::Retryable(reason)) if attempt.retries < MAX_TRANSPORT_RETRIES => {
            release_caps(app, &cap_keys).await?;
            let retries = attempt.retries + 1;
            set_attempt(
                app,
                tenant,
                &Attempt {
                    status: AttemptStatus::Released,
                    error: Some(reason.clone()),
                    retries,
                    ..attempt
                },
            )
            .await?;
            emails::modify(app, tenant, &email.id, |e| {
                e.last_error = Some(format!(
                    "the transport did not take it for now ({reason}); retry {retries} of {MAX_TRANSPORT_RETRIES} is queued"
                ));
                Ok(())
            })
            .await?;
            let body = serde_json::to_string(m).unwrap_or_default();
            app.queue
                .send_after(SEND_QUEUE, body, retry_delay(retries))
                .await?;
            Ok(())
        }
        Err(MailError::Retryable(reason)) => {
            let reason = format!(
                "the transport refused it {} times, last: {reason}",
                attempt.retries + 1
            );
            failed(app, tenant, &email, m.sequence, attempt, &cap_keys, reason).await
        }
        Err(MailError::Permanent(reason)) => {
            failed(app, tenant, &email, m.sequence, attempt, &cap_keys, reason).await
        }
        Err(MailError::Unknown(reason)) => {
            needs_review(app, tenant, &email, attempt, &reason).await
        }
    }
}

/// The wait before the n-th retry after a refusal for now: 30 s, 2, 8, then 15 minutes.
fn retry_delay(retries: u32) -> Duration {
    (RETRY_DELAY * 4u32.saturating_pow(retries.saturating_sub(1))).min(MAX_DELAY)
}

/// Refused for good: the caps are given back and the email (or its follow-ups) stops.
async fn failed(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    sequence: u32,
    attempt: Attempt,
    cap_keys: &[Key],
    reason: String,
) -> Result<(), AppError> {
    release_caps(app, cap_keys).await?;
    set_attempt(
        app,
        tenant,
        &Attempt {
            status: AttemptStatus::Failed,
            error: Some(reason.clone()),
            ..attempt
        },
    )
    .await?;
    emails::modify(app, tenant, &email.id, |e| {
        stop(e, sequence, EmailStatus::Failed);
        e.last_error = Some(reason.clone());
        Ok(())
    })
    .await?;
    emails::stat(app, tenant, &email.campaign_id, Counter::Failed, 1).await
}

async fn needs_review(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    attempt: Attempt,
    why: &str,
) -> Result<(), AppError> {
    set_attempt(
        app,
        tenant,
        &Attempt {
            status: AttemptStatus::NeedsReview,
            error: Some(why.into()),
            ..attempt.clone()
        },
    )
    .await?;
    emails::modify(app, tenant, &email.id, |e| {
        e.status = EmailStatus::NeedsReview;
        e.follow_up_pending = None;
        e.last_error = Some(format!("{why} (sequence {})", attempt.sequence));
        Ok(())
    })
    .await?;
    tracing::warn!(email = %email.id, sequence = attempt.sequence, why, "send needs review");
    emails::stat(app, tenant, &email.campaign_id, Counter::NeedsReview, 1).await
}

/// Records a sent message everywhere it counts.
pub(super) async fn sent(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    campaign: &Campaign,
    attempt: Attempt,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let sequence = attempt.sequence;
    set_attempt(app, tenant, &attempt).await?;
    let delays = &campaign.follow_up_delay_days;
    let max = campaign.limits.max_follow_ups as usize;
    let next = |sent_follow_ups: usize| -> Option<Timestamp> {
        (sent_follow_ups < max.min(delays.len()))
            .then(|| now.plus_seconds(i64::from(delays[sent_follow_ups]) * 86_400))
    };
    emails::modify(app, tenant, &email.id, |e| {
        e.message_ids.push(attempt.message_id.clone());
        e.block_reasons.clear();
        e.not_before = None;
        e.last_error = None;
        // A follow-up settled after review comes back from needs_review too.
        e.status = EmailStatus::Sent;
        if sequence == 0 {
            e.sent_at = Some(now);
        } else {
            e.follow_ups_sent = sequence;
            e.follow_up_pending = None;
        }
        e.next_follow_up_at = if e.replied_at.is_some() {
            None
        } else {
            next(sequence as usize)
        };
        Ok(())
    })
    .await?;
    if sequence == 0 {
        index_recipient(app, tenant, email, now).await?;
    }
    let day = keys::campaign_day(tenant, &email.campaign_id, now.datetime().date_naive());
    let counter = if sequence == 0 {
        Counter::Sent
    } else {
        Counter::FollowUpsSent
    }
    .attr();
    app.table
        .update(
            &keys::campaign_stats(tenant, &email.campaign_id),
            Update::new().add(&counter, 1),
            None,
        )
        .await?;
    app.table
        .update(&day, Update::new().add(&counter, 1), None)
        .await?;
    if sequence == 0 {
        // A site that never answered is written to again; a backlink a person already moved
        // on (responded, agreed, ...) keeps its status.
        match backlinks::modify(app, tenant, &email.backlink_id, |b| {
            if matches!(
                b.outreach_status,
                OutreachStatus::Prospecting | OutreachStatus::NoResponse
            ) {
                b.transition(OutreachStatus::OutreachSent, now)
                    .map_err(|e| AppError::Conflict(e.to_string()))?;
            }
            Ok(())
        })
        .await
        {
            Ok(_) | Err(AppError::NotFound(_)) => {}
            Err(e) => tracing::warn!(error = %e, "backlink not moved to outreach_sent"),
        }
        if let Some(t) = &email.template_id {
            templates::count(app, tenant, t, "sentCount").await?;
        }
        finish_review_if_done(app, tenant, &email.campaign_id).await?;
    }
    Ok(())
}

/// How long a sent email can be matched by its recipient's address or domain.
const RECIPIENT_MATCH_SECS: i64 = 180 * 86_400;

/// Indexes a sent email by its recipient's address and domain, newest first, for replies
/// that carry neither our token nor our Message-ID.
async fn index_recipient(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    now: Timestamp,
) -> Result<(), AppError> {
    use crate::app::replies::keys as reply_keys;
    let target = ReplyTarget {
        tenant_id: tenant.clone(),
        email_id: email.id.clone(),
        sequence: 0,
    };
    let sort = format!("{}#{tenant}#{}", now.to_key(), email.id);
    let address = email.recipient_email.as_str();
    let domain = registrable_domain(email.recipient_email.domain())
        .unwrap_or_else(|| email.recipient_email.domain().to_string());
    for pk in [
        reply_keys::by_recipient(address),
        reply_keys::by_recipient_domain(&domain),
    ] {
        let mut item = to_item("recipient_index", &Key::new(pk, sort.clone()), &target, [])?;
        item.insert(
            TTL.into(),
            Value::from(now.epoch_seconds() + RECIPIENT_MATCH_SECS),
        );
        app.table.put(item, None).await?;
    }
    Ok(())
}

/// Marks one attempt (a bounce, say); an attempt never claimed is left alone.
pub async fn mark_attempt(
    app: &App,
    tenant: &TenantId,
    email: &EmailId,
    sequence: u32,
    status: AttemptStatus,
    note: Option<String>,
) -> Result<(), AppError> {
    let key = keys::attempt(tenant, email, sequence);
    let Some(item) = app.table.get(&key).await? else {
        return Ok(());
    };
    let mut attempt: Attempt = from_item(item)?;
    attempt.status = status;
    if note.is_some() {
        attempt.error = note;
    }
    set_attempt(app, tenant, &attempt).await
}

/// The campaign's review becomes `sent` when every email is sent or skipped.
pub async fn finish_review_if_done(
    app: &App,
    tenant: &TenantId,
    campaign: &CampaignId,
) -> Result<(), AppError> {
    let stats = app
        .table
        .get(&keys::campaign_stats(tenant, campaign))
        .await?
        .unwrap_or_default();
    let n = |k: &str| stats.get(k).and_then(Value::as_i64).unwrap_or(0);
    // totalEmails already leaves skipped emails out (seed 000).
    if n("totalEmails") > 0 && n("sent") >= n("totalEmails") {
        match campaigns::set_review(
            app,
            tenant,
            campaign,
            &[ReviewStatus::DmApproved, ReviewStatus::DmReview],
            ReviewStatus::Sent,
        )
        .await
        {
            Ok(_) | Err(AppError::Conflict(_)) | Err(AppError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// What a reply token points at, for reply matching and mailed unsubscribes.
pub async fn reply_target(app: &App, token: &str) -> Result<Option<ReplyTarget>, AppError> {
    app.table
        .get(&reply_token_key(token))
        .await?
        .map(from_item)
        .transpose()
}
