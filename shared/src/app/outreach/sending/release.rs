//! Releasing approved emails to the send queue: one by one when a person sends, and by the
//! scheduler inside each tenant's send window.

use super::settle::orphaned;
use super::{SEND_QUEUE, SendMessage};
use crate::app::enqueue::interleave;
use crate::app::outreach::{emails, keys, sender};
use crate::app::store::tenant_of;
use crate::app::sweep::{Budget, Pages, PerTenant};
use crate::app::{App, AppError, campaigns, enqueue, entity};
use crate::domain::campaign::CampaignStatus;
use crate::domain::ids::{CampaignId, TenantId};
use crate::domain::outreach::{EmailStatus, OutreachEmail};
use crate::ports::table::{Index, Query};
use std::collections::HashMap;

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
    if let Err(e) = enqueue::send(app, SEND_QUEUE, &[message]).await {
        // Not queued after all: back to approved so the scheduler tries again.
        emails::modify(app, tenant, &email.id, |e| {
            e.status = EmailStatus::Approved;
            Ok(())
        })
        .await?;
        return Err(e);
    }
    Ok(queued)
}

/// Emails one run releases of one tenant's at most: every five minutes, 6,000 an hour,
/// beyond any tenant's daily caps, while a tenant with thousands approved at once leaves
/// room in each run for the others.
const RELEASE_PER_TENANT: usize = 500;

/// The send scheduler: releases approved emails of active campaigns whose tenant's send
/// window is open, reading every approved email within the run's budget: those that cannot
/// go now (paused or deleted campaign, closed window, not yet due) are skipped, never in the
/// way of the ones behind them. Returns how many it released.
pub async fn schedule(app: &App, budget: &Budget) -> Result<usize, AppError> {
    let now = app.clock.now();
    let mut windows = sender::OpenWindows::at(now);
    // None: the campaign was deleted.
    let mut statuses: HashMap<(TenantId, CampaignId), Option<CampaignStatus>> = HashMap::new();
    let mut due = Vec::new();
    let mut shares = PerTenant::new(RELEASE_PER_TENANT);
    for shard in 0..keys::SEND_SHARDS {
        let mut pages = Pages::new(Query::new(Index::Gsi4, keys::send_queue_shard(shard)));
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            for item in items {
                let tenant = tenant_of(&item)?;
                let email: OutreachEmail = entity::read(item)?;
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
                    Some(CampaignStatus::Active) if shares.take(&tenant) => {
                        due.push((tenant, email))
                    }
                    None => orphaned(app, &tenant, &email.id, 0).await?,
                    Some(_) => {}
                }
            }
        }
    }
    // Released tenant by tenant in turns; what the budget leaves stays approved for the
    // next run.
    let mut released = 0;
    for (tenant, email) in interleave(due, |(tenant, _)| tenant) {
        if budget.spent() {
            break;
        }
        match release(app, &tenant, &email).await {
            Ok(_) => released += 1,
            Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(released)
}
