//! What a reply changes. Any human reply stops follow-ups for good; the class moves the
//! backlink (responded, agreed, published, rejected); unsubscribe requests suppress at
//! once; hard bounces and complaints go on the platform list; soft bounces count until
//! they too suppress; an out-of-office moves the next follow-up after the return date.

use super::bounce_count::BounceCounter;
use super::recipients::newest;
use super::{MatchedBy, Reply, keys, modify};
use crate::app::outreach::sending;
use crate::app::outreach::settle::{self, Resolution, ReviewOutcome};
use crate::app::outreach::{emails, keys as outreach_keys, templates};
use crate::app::suppression::{self, Scope, SuppressionReason, Target};
use crate::app::{App, AppError, backlinks, campaigns, monitoring};
use crate::domain::backlink::OutreachStatus;
use crate::domain::bounce::{BounceAction, BounceFormat, BounceRule, BouncedRecipient};
use crate::domain::email::EmailAddress;
use crate::domain::ids::TenantId;
use crate::domain::outreach::{AttemptStatus, Counter};
use crate::domain::outreach::{EmailStatus, OutreachEmail};
use crate::domain::reply::{Bounce, Complaint, OutOfOffice, ReplyAnalysis, ReplyClass, verdict};
use crate::domain::web::WebUrl;
use crate::ports::table::{TTL, Update};
use serde_json::Value;

/// The analysis after a person overrides the class: the rules' reading of the new class,
/// keeping the facts the message gave (bounce recipients, return date, placement).
pub(crate) fn overridden(previous: &ReplyAnalysis, class: ReplyClass, from: &str) -> ReplyAnalysis {
    let mut c = verdict(class, 1.0);
    c.classifier = "user".into();
    c.placement_url = previous.placement_url.clone();
    c.out_of_office = (class == ReplyClass::OutOfOffice).then(|| {
        previous
            .out_of_office
            .clone()
            .unwrap_or(OutOfOffice { return_date: None })
    });
    let named = || {
        previous
            .bounce
            .as_ref()
            .map(|b| b.recipients.clone())
            .or(previous.complaint.as_ref().map(|c| c.recipients.clone()))
            .unwrap_or_else(|| vec![from.to_string()])
    };
    if matches!(class, ReplyClass::BounceHard | ReplyClass::BounceSoft) {
        let hard = class == ReplyClass::BounceHard;
        // The parsed facts stay; the person's class decides hard or soft for each.
        let failures = previous
            .bounce
            .as_ref()
            .map(|b| b.failures.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|f| BouncedRecipient {
                hard,
                rule: BounceRule::User,
                ..f
            })
            .collect();
        c.bounce = Some(Bounce {
            recipients: named(),
            permanent: hard,
            status: previous.bounce.as_ref().and_then(|b| b.status.clone()),
            format: Some(BounceFormat::Manual),
            failures,
        });
    }
    if class == ReplyClass::Complaint {
        c.complaint = Some(Complaint {
            recipients: named(),
        });
    }
    c
}

fn addresses(list: &[String]) -> Vec<EmailAddress> {
    list.iter()
        .filter_map(|a| EmailAddress::parse(a).ok())
        .collect()
}

async fn suppress(
    app: &App,
    scope: Scope,
    list: Vec<EmailAddress>,
    reason: SuppressionReason,
    note: String,
    done: &mut Vec<String>,
) -> Result<(), AppError> {
    for address in list {
        suppression::add(
            app,
            &scope,
            &Target::Email(address.clone()),
            reason,
            "system",
            Some(note.clone()),
        )
        .await?;
        done.push(format!("suppressed {address}"));
    }
    Ok(())
}

/// Counts a soft bounce toward the address's limit, unless another report of the same
/// send's bounce already did (`first`: this reply claimed the send, see `bounce_count`);
/// returns whether the address reached the limit.
async fn soft_bounce(
    app: &App,
    address: &EmailAddress,
    first: bool,
    done: &mut Vec<String>,
) -> Result<bool, AppError> {
    if !first {
        done.push(format!(
            "soft bounce of {address} already counted for this send"
        ));
        return Ok(false);
    }
    let expires = app.clock.now().epoch_seconds() + app.bounces.window_secs();
    done.push(format!("soft bounce counted for {address}"));
    let after = app
        .table
        .update(
            &keys::soft_bounces(address.as_str()),
            Update::new().add("count", 1).set(TTL, expires),
            None,
        )
        .await?;
    Ok(app
        .bounces
        .reached(after.get("count").and_then(Value::as_i64).unwrap_or(1)))
}

/// Whether this tenant sent to `address`: the matched email's recipient, or a send in the
/// recipient index.
async fn wrote_to(
    app: &App,
    tenant: &TenantId,
    email: Option<&OutreachEmail>,
    address: &EmailAddress,
) -> Result<bool, AppError> {
    if email.is_some_and(|e| e.recipient_email == *address) {
        return Ok(true);
    }
    let partition = keys::by_recipient(address.as_str());
    Ok(newest(app, partition, Some(tenant)).await?.is_some())
}

/// Each recipient of a parsed bounce: a hard one is suppressed with its reason and code as
/// evidence, a soft one counts toward the limit, a delayed one is only recorded.
async fn per_recipient(
    app: &App,
    tenant: &TenantId,
    email: Option<&OutreachEmail>,
    first: bool,
    failures: &[BouncedRecipient],
    note: &str,
    done: &mut Vec<String>,
) -> Result<(), AppError> {
    for f in failures {
        let Ok(address) = EmailAddress::parse(&f.address) else {
            done.push(format!("bounce for an unreadable address {}", f.address));
            continue;
        };
        if !wrote_to(app, tenant, email, &address).await? {
            // Kept with the reply for a person, never acted on: a bounce may name an
            // address we never wrote to (a forward, an alias), which is nobody's to block.
            done.push(format!(
                "{address} matches no email of this tenant: recorded, not acted on"
            ));
            continue;
        }
        let code = f
            .status
            .clone()
            .or(f.smtp_code.map(|c| c.to_string()))
            .unwrap_or_else(|| "no code".into());
        let evidence = format!("{note}: {} ({code})", f.reason.as_str());
        if f.action == BounceAction::Delayed {
            done.push(format!(
                "delay recorded for {address}: {}",
                f.reason.as_str()
            ));
        } else if f.hard {
            suppress(
                app,
                Scope::Platform,
                vec![address],
                SuppressionReason::BounceHard,
                evidence,
                done,
            )
            .await?;
        } else {
            done.push(format!(
                "soft bounce for {address}: {} ({code})",
                f.reason.as_str()
            ));
            if soft_bounce(app, &address, first, done).await? {
                suppress(
                    app,
                    Scope::Platform,
                    vec![address],
                    SuppressionReason::BounceSoft,
                    evidence,
                    done,
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// Address-level effects: they apply whether or not the reply matched an attempt.
async fn suppressions(
    app: &App,
    tenant: &TenantId,
    reply: &Reply,
    email: Option<&OutreachEmail>,
    first: bool,
    done: &mut Vec<String>,
) -> Result<(), AppError> {
    let note = format!("reply {}", reply.id);
    let named = |list: Option<&Vec<String>>| {
        let mut found = addresses(list.map(Vec::as_slice).unwrap_or_default());
        if found.is_empty() {
            found.extend(email.map(|e| e.recipient_email.clone()));
        }
        found
    };
    match reply.analysis.classification {
        ReplyClass::UnsubscribeRequest => {
            let mut list = addresses(std::slice::from_ref(&reply.from_email));
            list.extend(email.map(|e| e.recipient_email.clone()));
            list.dedup();
            suppress(
                app,
                Scope::Tenant(tenant.clone()),
                list,
                SuppressionReason::Unsubscribe,
                note,
                done,
            )
            .await
        }
        ReplyClass::BounceHard | ReplyClass::BounceSoft
            if reply
                .analysis
                .bounce
                .as_ref()
                .is_some_and(|b| !b.failures.is_empty()) =>
        {
            let failures = reply
                .analysis
                .bounce
                .as_ref()
                .map(|b| b.failures.as_slice())
                .unwrap_or_default();
            per_recipient(app, tenant, email, first, failures, &note, done).await
        }
        ReplyClass::BounceHard => {
            let list = named(reply.analysis.bounce.as_ref().map(|b| &b.recipients));
            suppress(
                app,
                Scope::Platform,
                list,
                SuppressionReason::BounceHard,
                note,
                done,
            )
            .await
        }
        ReplyClass::Complaint => {
            let list = named(reply.analysis.complaint.as_ref().map(|c| &c.recipients));
            suppress(
                app,
                Scope::Platform,
                list,
                SuppressionReason::Complaint,
                note,
                done,
            )
            .await
        }
        ReplyClass::BounceSoft => {
            for address in named(reply.analysis.bounce.as_ref().map(|b| &b.recipients)) {
                if soft_bounce(app, &address, first, done).await? {
                    suppress(
                        app,
                        Scope::Platform,
                        vec![address],
                        SuppressionReason::BounceSoft,
                        note.clone(),
                        done,
                    )
                    .await?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Moves the backlink as the class says; returns what it did.
async fn move_backlink(
    app: &App,
    tenant: &TenantId,
    reply: &Reply,
    email: &OutreachEmail,
) -> Result<Option<String>, AppError> {
    let now = app.clock.now();
    let placement = reply
        .analysis
        .placement_url
        .as_deref()
        .and_then(|u| WebUrl::parse(u).ok());
    let backlink = match backlinks::get(app, tenant, &email.backlink_id).await {
        Ok(b) => b,
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    // The page linked to: the backlink's own target, else its campaign's.
    let target = match &backlink.target_url {
        Some(t) => Some(t.clone()),
        None => match campaigns::get(app, tenant, &email.campaign_id).await {
            Ok(c) => c.target_url,
            Err(AppError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
    };
    let to = match reply.analysis.classification {
        ReplyClass::Interested | ReplyClass::Question => OutreachStatus::Responded,
        ReplyClass::Agreed => OutreachStatus::Agreed,
        ReplyClass::NotInterested => OutreachStatus::Rejected,
        _ => return Ok(None),
    };
    let moved = backlinks::modify(app, tenant, &backlink.id, |b| {
        b.transition(to, now)
            .map_err(|e| AppError::Conflict(e.to_string()))?;
        if let Some(url) = &placement {
            b.placement_url = Some(url.clone());
        }
        if b.target_url.is_none() {
            b.target_url = target.clone();
        }
        Ok(())
    })
    .await;
    let b = match moved {
        Ok(b) => b,
        // A later status (already published, say) is not moved back.
        Err(AppError::Conflict(why)) => {
            tracing::info!(backlink = %backlink.id, %why, "backlink left where it is");
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    if to != OutreachStatus::Agreed || b.placement_url.is_none() || b.target_url.is_none() {
        return Ok(Some(format!("backlink {}", b.outreach_status.as_str())));
    }
    // Agreed with the page named: the link check itself looks, as the health sweep would,
    // and a link it finds publishes the backlink (and wins its planned link). A page that
    // cannot be read now leaves it agreed, for the sweep.
    let policy = app.link_health;
    let status = match monitoring::backlinks::check(app, tenant, &b.id, &policy).await {
        Ok(_) => backlinks::get(app, tenant, &b.id).await?.outreach_status,
        Err(e) => {
            tracing::warn!(backlink = %b.id, error = %e, "the agreed link could not be checked now");
            b.outreach_status
        }
    };
    Ok(Some(format!("backlink {}", status.as_str())))
}

/// Follow-ups, attempt and counters of the matched email.
async fn on_email(
    app: &App,
    tenant: &TenantId,
    reply: &Reply,
    email: &OutreachEmail,
    previous: Option<ReplyClass>,
    counter: &BounceCounter,
    done: &mut Vec<String>,
) -> Result<(), AppError> {
    // An answer to the very message under review (its token, its Message-ID) proves it
    // left: nobody else could know them.
    if email.status == EmailStatus::NeedsReview
        && let Some(m) = &reply.matched
        && matches!(m.matched_by, MatchedBy::ReplyToken | MatchedBy::Thread)
        && m.sequence == settle::sequence_under_review(email)
    {
        let left = Resolution {
            outcome: ReviewOutcome::Sent,
        };
        settle::resolve(app, tenant, "system", email.clone(), &left).await?;
        done.push("send under review confirmed".into());
    }
    let class = reply.analysis.classification;
    let now = app.clock.now();
    let stops = class.is_human() || matches!(class, ReplyClass::BounceHard | ReplyClass::Complaint);
    if stops {
        emails::modify(app, tenant, &email.id, |e| {
            if class.is_human() && e.replied_at.is_none() {
                e.replied_at = Some(now);
            }
            if matches!(class, ReplyClass::BounceHard | ReplyClass::Complaint)
                && e.bounced_at.is_none()
            {
                e.bounced_at = Some(now);
            }
            e.next_follow_up_at = None;
            Ok(())
        })
        .await?;
        done.push("follow-ups stopped".into());
    }
    if class == ReplyClass::OutOfOffice
        && let Some(back) = reply
            .analysis
            .out_of_office
            .as_ref()
            .and_then(|o| o.return_date)
    {
        let after = crate::domain::time::Timestamp::from_datetime(
            back.succ_opt()
                .unwrap_or(back)
                .and_hms_opt(9, 0, 0)
                .unwrap_or_default()
                .and_utc(),
        );
        let moved = emails::modify(app, tenant, &email.id, |e| {
            if let Some(next) = e.next_follow_up_at
                && next < after
            {
                e.next_follow_up_at = Some(after);
            }
            Ok(())
        })
        .await?;
        if moved.next_follow_up_at == Some(after) {
            done.push(format!(
                "next follow-up moved to {}",
                after.datetime().date_naive()
            ));
        }
    }
    if class == ReplyClass::BounceHard {
        sending::mark_attempt(
            app,
            tenant,
            &email.id,
            reply.matched.as_ref().map_or(0, |m| m.sequence),
            AttemptStatus::Bounced,
            reply
                .analysis
                .bounce
                .as_ref()
                .and_then(|b| b.status.clone()),
        )
        .await?;
    }
    if let Some(moved) = move_backlink(app, tenant, reply, email).await? {
        done.push(moved);
    }
    if counter.first {
        count(app, tenant, email, class, 1).await?;
    } else {
        done.push("a bounce of this send already counted in the analytics".into());
    }
    if let Some(p) = previous
        && counter.counted(p)
    {
        count(app, tenant, email, p, -1).await?;
    }
    Ok(())
}

/// The campaign, daily and template counters a reply of this class adds to.
async fn count(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    class: ReplyClass,
    delta: i64,
) -> Result<(), AppError> {
    let mut update = Update::new().add(&Counter::Reply(class).attr(), delta);
    if class.is_human() {
        update = update.add(&Counter::Replies.attr(), delta);
    }
    if matches!(class, ReplyClass::BounceHard | ReplyClass::BounceSoft) {
        update = update.add(&Counter::Bounced.attr(), delta);
    }
    if class.is_positive() {
        update = update.add(&Counter::PositiveReplies.attr(), delta);
    }
    if matches!(
        class,
        ReplyClass::NotInterested | ReplyClass::UnsubscribeRequest | ReplyClass::Complaint
    ) {
        update = update.add(&Counter::NegativeReplies.attr(), delta);
    }
    if matches!(class, ReplyClass::OutOfOffice | ReplyClass::AutoReply) {
        update = update.add(&Counter::AutoReplies.attr(), delta);
    }
    crate::app::totals::add(app, tenant, &email.campaign_id, update.clone()).await?;
    let day = outreach_keys::campaign_day(
        tenant,
        &email.campaign_id,
        app.clock.now().datetime().date_naive(),
    );
    app.table.update(&day, update, None).await?;
    if class.is_positive()
        && delta > 0
        && let Some(t) = &email.template_id
    {
        templates::count(app, tenant, t, "positiveReplyCount").await?;
    }
    Ok(())
}

/// Applies a stored reply's effects once and records what they were. `previous` is the
/// class a person overrode, whose counts are taken back.
pub async fn apply_after(
    app: &App,
    tenant: &TenantId,
    reply: Reply,
    previous: Option<ReplyClass>,
) -> Result<Reply, AppError> {
    let email = match &reply.matched {
        Some(m) => match emails::get(app, tenant, &m.email_id).await {
            Ok(e) => Some(e),
            Err(AppError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    apply_to(app, tenant, reply, email.as_ref(), previous).await
}

pub async fn apply(app: &App, tenant: &TenantId, reply: Reply) -> Result<Reply, AppError> {
    apply_after(app, tenant, reply, None).await
}

/// The effects, with the matched email already at hand.
pub(crate) async fn apply_to(
    app: &App,
    tenant: &TenantId,
    reply: Reply,
    email: Option<&OutreachEmail>,
    previous: Option<ReplyClass>,
) -> Result<Reply, AppError> {
    let mut done = Vec::new();
    // One bounce of a send reported twice (a DSN and SES's notification) counts once,
    // toward the soft-bounce limit and in the campaign's figures alike.
    let counter = BounceCounter::claim(app, tenant, &reply, previous).await?;
    suppressions(app, tenant, &reply, email, counter.first, &mut done).await?;
    if let Some(email) = email {
        on_email(app, tenant, &reply, email, previous, &counter, &mut done).await?;
    }
    tracing::info!(reply = %reply.id, class = reply.analysis.classification.as_str(), effects = ?done, "reply handled");
    modify(app, tenant, &reply.id, |r| {
        r.effects.extend(done.iter().cloned());
        r.effects_applied = true;
        Ok(())
    })
    .await
}
