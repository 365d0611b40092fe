//! The guard: whether a send message is still due. A redelivered or stale message, a send
//! another worker holds, and an email whose campaign is gone all stop here.

use super::SendMessage;
use super::settle::{needs_review, orphaned};
use crate::app::outreach::{emails, keys};
use crate::app::{App, AppError, campaigns, entity};
use crate::domain::campaign::Campaign;
use crate::domain::outreach::{Attempt, AttemptStatus, EmailStatus, OutreachEmail};

/// A send that is due: its email, its campaign, and the transport retries made so far.
pub(super) struct Due {
    pub email: OutreachEmail,
    pub campaign: Campaign,
    pub retries: u32,
}

pub(super) async fn due(app: &App, m: &SendMessage) -> Result<Option<Due>, AppError> {
    let tenant = &m.tenant_id;
    let email = match emails::get(app, tenant, &m.email_id).await {
        Ok(e) => e,
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let previous: Option<Attempt> = app
        .table
        .get(&keys::attempt(tenant, &email.id, m.sequence))
        .await?
        .map(entity::read)
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
            needs_review(app, tenant, &email, a, why).await?;
            return Ok(None);
        }
        Some(a) if a.status == AttemptStatus::Released => a.retries,
        Some(_) => return Ok(None),
        None => 0,
    };
    let expected = if m.sequence == 0 {
        email.status == EmailStatus::Queued
    } else {
        email.status == EmailStatus::Sent && email.follow_up_pending == Some(m.sequence)
    };
    if !expected {
        return Ok(None);
    }
    match campaigns::get(app, tenant, &email.campaign_id).await {
        Ok(campaign) => Ok(Some(Due {
            email,
            campaign,
            retries,
        })),
        Err(AppError::NotFound(_)) => {
            orphaned(app, tenant, &email.id, m.sequence).await?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
