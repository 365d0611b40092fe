//! Deliver: the claimed message goes to the transport, and what the transport answers decides
//! how the send settles: sent, retried later, failed for good, or left for a person.

use super::claim::{Claimed, release_caps};
use super::gate::Cleared;
use super::guard::Due;
use super::settle::{failed, needs_review, sent, set_attempt};
use super::{SEND_QUEUE, SendMessage};
use crate::app::outreach::emails;
use crate::app::{App, AppError, enqueue};
use crate::domain::mail::OutgoingMail;
use crate::domain::outreach::{Attempt, AttemptStatus};
use crate::ports::mailer::{Envelope, MailError};
use crate::ports::queue::MAX_DELAY;
use std::time::Duration;

/// A transport that refuses for now this many times in a row has refused for good.
pub const MAX_TRANSPORT_RETRIES: u32 = 5;
/// The wait before the first retry; each later wait is four times longer.
const RETRY_DELAY: Duration = Duration::from_secs(30);

pub(super) async fn deliver(
    app: &App,
    m: &SendMessage,
    due: &Due,
    cleared: &Cleared,
    claimed: Claimed,
    mail: OutgoingMail,
) -> Result<(), AppError> {
    let tenant = &m.tenant_id;
    let email = &due.email;
    let Claimed {
        attempt, cap_keys, ..
    } = claimed;
    let envelope = Envelope {
        from: mail.from_email.clone(),
        to: mail.to_email.clone(),
    };
    match app
        .mailer
        .send(&cleared.transport, &envelope, &mail.to_bytes())
        .await
    {
        Ok(provider_id) => {
            sent(
                app,
                tenant,
                email,
                &due.campaign,
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
            enqueue::send_after(app, SEND_QUEUE, m, retry_delay(retries)).await?;
            Ok(())
        }
        Err(MailError::Retryable(reason)) => {
            let reason = format!(
                "the transport refused it {} times, last: {reason}",
                attempt.retries + 1
            );
            release_caps(app, &cap_keys).await?;
            failed(app, tenant, email, m.sequence, attempt, reason).await
        }
        Err(MailError::Permanent(reason)) => {
            release_caps(app, &cap_keys).await?;
            failed(app, tenant, email, m.sequence, attempt, reason).await
        }
        Err(MailError::Unknown(reason)) => needs_review(app, tenant, email, attempt, &reason).await,
    }
}

/// The wait before the n-th retry after a refusal for now: 30 s, 2, 8, then 15 minutes.
fn retry_delay(retries: u32) -> Duration {
    (RETRY_DELAY * 4u32.saturating_pow(retries.saturating_sub(1))).min(MAX_DELAY)
}
