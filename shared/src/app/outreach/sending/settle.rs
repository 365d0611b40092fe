//! Settle: what a send's end writes. A sent message is recorded everywhere it counts; one
//! that will not happen stops its email (or its follow-ups); one whose fate is unknown is
//! left for a person.

use crate::app::entity::{self, Platform};
use crate::app::outreach::{emails, keys, templates};
use crate::app::replies::keys::{RecipientIndex, RecipientMatch};
use crate::app::{App, AppError, backlinks, campaigns};
use crate::domain::backlink::OutreachStatus;
use crate::domain::campaign::Campaign;
use crate::domain::email::registrable_domain;
use crate::domain::ids::{CampaignId, EmailId, TenantId};
use crate::domain::outreach::{
    Attempt, AttemptStatus, Counter, EmailStatus, OutreachEmail, ReplyTarget, ReviewStatus,
};
use crate::domain::time::Timestamp;
use crate::ports::table::Update;
use serde_json::Value;

pub(in crate::app::outreach) async fn set_attempt(
    app: &App,
    tenant: &TenantId,
    attempt: &Attempt,
) -> Result<(), AppError> {
    app.table.put(entity::item(attempt, tenant)?, None).await?;
    Ok(())
}

/// Ends a send that will not happen: the first email takes `status`; a follow-up stops the
/// follow-ups instead, leaving the sent email as it was.
pub(super) fn stop(e: &mut OutreachEmail, sequence: u32, status: EmailStatus) {
    if sequence == 0 {
        e.status = status;
    } else {
        e.follow_up_pending = None;
        e.next_follow_up_at = None;
    }
}

/// An email whose campaign was deleted never goes: a first email is skipped, a sent one's
/// follow-ups stop. No counter moves (the campaign's went with it).
pub(super) async fn orphaned(
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

/// Refused for good: the email (or its follow-ups) stops.
pub(super) async fn failed(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    sequence: u32,
    attempt: Attempt,
    reason: String,
) -> Result<(), AppError> {
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

/// Unknown whether it left: a person decides.
pub(super) async fn needs_review(
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
pub(in crate::app::outreach) async fn sent(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    campaign: &Campaign,
    attempt: Attempt,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let sequence = attempt.sequence;
    let reclaim = sequence > 0 && email.reclaiming();
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
        // A reclaim is one note, not the start of another sequence.
        e.next_follow_up_at = if e.replied_at.is_some() || reclaim {
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
    crate::app::totals::add(
        app,
        tenant,
        &email.campaign_id,
        Update::new().add(&counter, 1),
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

/// Indexes a sent email by its recipient's address and domain, newest first, for replies
/// that carry neither our token nor our Message-ID.
async fn index_recipient(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    now: Timestamp,
) -> Result<(), AppError> {
    let target = ReplyTarget {
        tenant_id: tenant.clone(),
        email_id: email.id.clone(),
        sequence: 0,
    };
    let address = email.recipient_email.as_str().to_ascii_lowercase();
    let domain = registrable_domain(email.recipient_email.domain())
        .unwrap_or_else(|| email.recipient_email.domain().to_string());
    for (by, recipient) in [
        (RecipientMatch::Address, address),
        (RecipientMatch::Domain, domain),
    ] {
        let index = RecipientIndex {
            by,
            recipient,
            sent_at: now,
            target: target.clone(),
        };
        app.table
            .put(entity::item(&index, &Platform)?, None)
            .await?;
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
    let mut attempt: Attempt = entity::read(item)?;
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
