//! Settling sends whose outcome is unknown (`needs_review`): by a person who checked the
//! provider's records, or by a reply that proves the message left.

use super::emails;
use super::keys;
use super::sending::{sent, set_attempt};
use crate::app::store::from_item;
use crate::app::{App, AppError, activity, campaigns};
use crate::domain::ids::TenantId;
use crate::domain::outreach::{Attempt, AttemptStatus, Counter};
use crate::domain::outreach::{EmailStatus, OutreachEmail};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// How a person settles a send that needs review, having checked the transport's own
/// records (the SES console, the mailbox's sent folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// It left: recorded as sent, follow-ups scheduled.
    Sent,
    /// It did not leave: the email may be sent again.
    NotSent,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resolution {
    pub outcome: ReviewOutcome,
}

/// The send a `needs_review` email is waiting on: the next one it would have made.
pub fn sequence_under_review(email: &OutreachEmail) -> u32 {
    if email.sent_at.is_none() {
        0
    } else {
        email.follow_ups_sent + 1
    }
}

/// `resolveEmail`: settles the send under review, the next one the email would have made.
/// Resolved as not sent, a first email goes back to approved (for the scheduler) and a
/// follow-up becomes due now; the day's caps it took stay taken.
/// `actor` (a user id, or `system` for a reply) goes to the activity log.
pub async fn resolve(
    app: &App,
    tenant: &TenantId,
    actor: &str,
    email: OutreachEmail,
    resolution: &Resolution,
) -> Result<OutreachEmail, AppError> {
    let id = &email.id;
    let not_under_review = || {
        AppError::Conflict(format!(
            "only an email that needs review can be resolved; this one is {}",
            email.status.as_str()
        ))
    };
    if email.status != EmailStatus::NeedsReview {
        return Err(not_under_review());
    }
    let sequence = sequence_under_review(&email);
    let attempt = app
        .table
        .get(&keys::attempt(tenant, id, sequence))
        .await?
        .map(from_item::<Attempt>)
        .transpose()?
        .filter(|a| a.status == AttemptStatus::NeedsReview)
        .ok_or_else(not_under_review)?;
    match resolution.outcome {
        ReviewOutcome::Sent => {
            let campaign = campaigns::get(app, tenant, &email.campaign_id).await?;
            let left = Attempt {
                status: AttemptStatus::Sent,
                sent_at: Some(attempt.claimed_at),
                ..attempt
            };
            sent(app, tenant, &email, &campaign, left).await?;
        }
        ReviewOutcome::NotSent => {
            let now = app.clock.now();
            set_attempt(
                app,
                tenant,
                &Attempt {
                    status: AttemptStatus::Released,
                    error: Some("resolved as not sent".into()),
                    ..attempt
                },
            )
            .await?;
            emails::modify(app, tenant, id, |e| {
                if sequence == 0 {
                    e.status = EmailStatus::Approved;
                } else {
                    e.status = EmailStatus::Sent;
                    e.next_follow_up_at = e.replied_at.is_none().then_some(now);
                }
                e.last_error = None;
                Ok(())
            })
            .await?;
        }
    }
    // `needsReview` counts the sends waiting for a person, so a settled one leaves it.
    emails::stat(app, tenant, &email.campaign_id, Counter::NeedsReview, -1).await?;
    let details = json!({"emailId": id, "sequence": sequence, "outcome": resolution.outcome});
    activity::record(app, tenant, "email_send_settled", None, actor, details).await;
    emails::get(app, tenant, id).await
}
