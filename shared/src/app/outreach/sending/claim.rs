//! The claim: the attempt and a place in every daily cap, all or nothing, with the reply
//! token and Message-ID pointers that let replies find the attempt. A full cap defers the
//! email to tomorrow; a claim already taken ends the message.

use super::SendMessage;
use super::gate::Cleared;
use super::guard::Due;
use crate::app::outreach::keys;
use crate::app::outreach::{emails, policy};
use crate::app::replies::keys::{OutboundMessage, ReplyToken, reply_token};
use crate::app::{App, AppError, entity};
use crate::domain::outreach::{
    Attempt, AttemptStatus, BlockReason, Counter, EmailStatus, ReplyTarget,
};
use crate::ports::table::{Condition, Key, TTL, TableError, TransactOp, Update};

/// Counters outlive their day by this long, then expire.
const CAP_TTL_SECS: i64 = 3 * 24 * 3600;

/// A claimed send: its attempt, the cap counters it holds, and the reply domain it uses.
pub(super) struct Claimed {
    pub attempt: Attempt,
    pub cap_keys: Vec<Key>,
    pub reply_domain: String,
}

pub(super) async fn take(
    app: &App,
    m: &SendMessage,
    due: &Due,
    cleared: &Cleared,
) -> Result<Option<Claimed>, AppError> {
    let tenant = &m.tenant_id;
    let email = &due.email;
    let now = app.clock.now();
    let reply_domain = cleared
        .settings
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
        retries: due.retries,
    };
    let cap_keys: Vec<Key> = cleared
        .caps
        .iter()
        .map(|cap| keys::cap(&cap.scope, cleared.day))
        .collect();
    let mut ops = vec![TransactOp::Put {
        item: entity::item(&attempt, tenant)?,
        condition: Some(Condition::Or(vec![
            Condition::NotExists,
            Condition::eq("status", AttemptStatus::Released.as_str()),
        ])),
    }];
    for (cap, key) in cleared.caps.iter().zip(&cap_keys) {
        ops.push(TransactOp::Update {
            key: key.clone(),
            update: Update::new()
                .add("count", 1)
                .set(TTL, now.epoch_seconds() + CAP_TTL_SECS),
            condition: Some(Condition::Or(vec![
                Condition::AttributeNotExists("count".into()),
                Condition::lt("count", cap.size),
            ])),
        });
    }
    let target = ReplyTarget {
        tenant_id: tenant.clone(),
        email_id: email.id.clone(),
        sequence: m.sequence,
    };
    let reply_token = ReplyToken {
        token: token.clone(),
        target: target.clone(),
        message_id: attempt.message_id.clone(),
    };
    ops.push(TransactOp::Put {
        item: entity::item(&reply_token, &entity::Platform)?,
        condition: Some(Condition::NotExists),
    });
    // Replies and bounces that quote our Message-ID find the attempt through this.
    let outbound = OutboundMessage {
        message_id: attempt.message_id.clone(),
        target,
    };
    ops.push(TransactOp::Put {
        item: entity::item(&outbound, &entity::Platform)?,
        condition: None,
    });
    let attempt_key = keys::attempt(tenant, &email.id, m.sequence);
    match transact(app, ops).await {
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
                    .filter_map(|i| cleared.caps.get(i.checked_sub(1)?))
                    .map(|cap| cap.reason)
                    .collect()
            };
            defer(app, m, due, cleared, reasons).await?;
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    }
    cleared.audit(app, m, email, &cleared.decision).await?;
    Ok(Some(Claimed {
        attempt,
        cap_keys,
        reply_domain,
    }))
}

/// A claim refused: audited; a full cap makes the email wait for tomorrow (in the tenant's
/// zone), a claim already taken leaves everything as it is.
async fn defer(
    app: &App,
    m: &SendMessage,
    due: &Due,
    cleared: &Cleared,
    reasons: Vec<BlockReason>,
) -> Result<(), AppError> {
    let tenant = &m.tenant_id;
    let email = &due.email;
    let blocked = policy::Decision {
        reasons: reasons.clone(),
        ..cleared.decision.clone()
    };
    cleared.audit(app, m, email, &blocked).await?;
    if reasons == [BlockReason::DuplicateAttempt] {
        return Ok(());
    }
    let tomorrow = app.clock.now().plus_seconds(24 * 3600);
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
    Ok(())
}

/// Runs the claim transaction. Concurrent claims on the same cap counters make DynamoDB
/// cancel some transactions outright (TransactionConflict); nothing was written then, so
/// the claim is tried again after a short random wait.
async fn transact(app: &App, ops: Vec<TransactOp>) -> Result<(), TableError> {
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
    let attempt: Option<Attempt> = app.table.get(key).await?.map(entity::read).transpose()?;
    Ok(attempt.is_some_and(|a| a.status == AttemptStatus::Claimed && a.reply_token == token))
}

/// Gives back claimed cap counts when a message did not leave.
pub(super) async fn release_caps(app: &App, claimed: &[Key]) -> Result<(), AppError> {
    for key in claimed {
        app.table
            .update(key, Update::new().add("count", -1), Some(Condition::Exists))
            .await
            .ok();
    }
    Ok(())
}

/// What a reply token points at, for reply matching and mailed unsubscribes.
pub async fn reply_target(app: &App, token: &str) -> Result<Option<ReplyTarget>, AppError> {
    let found: Option<ReplyToken> = app
        .table
        .get(&reply_token(token))
        .await?
        .map(entity::read)
        .transpose()?;
    Ok(found.map(|t| t.target))
}
