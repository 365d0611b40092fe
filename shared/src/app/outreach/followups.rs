//! The follow-up sweep: emails sent with no reply whose next follow-up is due get the
//! step's text (held for review unless the campaign sends follow-ups unreviewed) and, once
//! approved, are queued inside their tenant's send window for the send stage, which checks
//! the policy again (no reply, not suppressed, backlink still awaiting a reply) and threads
//! the follow-up on the original.

use super::sending::{SEND_QUEUE, SendMessage};
use super::{emails, follow_up_drafts, keys, sender};
use crate::app::store::{from_item, tenant_of};
use crate::app::sweep::{Budget, Pages};
use crate::app::{App, AppError, campaigns, enqueue};
use crate::domain::campaign::Campaign;
use crate::domain::ids::{CampaignId, TenantId};
use crate::domain::outreach::{EmailStatus, FollowUpDraft, OutreachEmail, SenderSettings};
use crate::ports::table::{Index, Item, Query, SortCondition};
use std::collections::HashMap;

/// Queues every due follow-up within the run's budget. Returns how many.
pub async fn sweep(app: &App, budget: &Budget) -> Result<usize, AppError> {
    let at = app.clock.now();
    let now = at.to_key();
    // Follow-ups keep to the tenant's send window as first emails do; one outside it stays
    // due for a later sweep.
    let mut windows = sender::OpenWindows::at(at);
    let mut facts = Facts::default();
    let mut queued = 0;
    for shard in 0..keys::SEND_SHARDS {
        let query = Query::new(Index::Gsi4, keys::follow_up_shard(shard))
            .sort(SortCondition::Lt(now.clone()));
        let mut pages = Pages::new(query);
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            for item in items {
                let tenant = tenant_of(&item)?;
                if windows.is_open(app, &tenant).await? && queue_one(app, &mut facts, item).await? {
                    queued += 1;
                }
            }
        }
    }
    Ok(queued)
}

/// Makes the due follow-up's text if this step has none yet, then marks it pending and
/// queues it; false if it is no longer due or its text waits for review. A failed queue
/// send puts the email back as it was, so the next sweep finds it again.
async fn queue_one(app: &App, facts: &mut Facts, item: Item) -> Result<bool, AppError> {
    let tenant = tenant_of(&item)?;
    let email: OutreachEmail = from_item(item)?;
    let sequence = email.follow_ups_sent + 1;
    let drafted = match &email.follow_up {
        Some(d) if d.sequence == sequence => None,
        _ => facts.draft(app, &tenant, &email, sequence).await?,
    };
    let marked = emails::modify(app, &tenant, &email.id, |e| {
        if e.status != EmailStatus::Sent
            || e.follow_ups_stopped()
            || e.follow_up_pending.is_some()
            || e.next_follow_up_at.is_none()
        {
            return Err(AppError::Conflict("no longer due".into()));
        }
        if let Some(d) = &drafted {
            e.follow_up = Some(d.clone());
        }
        // Unapproved, it leaves the follow-up index until a person approves it.
        if e.follow_up.as_ref().is_some_and(|d| d.awaits_review()) {
            return Ok(());
        }
        e.follow_up_pending = Some(sequence);
        e.next_follow_up_at = None;
        Ok(())
    })
    .await;
    match marked {
        Ok(e) if e.follow_up_pending == Some(sequence) => {}
        Ok(_) | Err(AppError::Conflict(_)) => return Ok(false),
        Err(e) => return Err(e),
    }
    let due_at = email.next_follow_up_at;
    let message = SendMessage {
        tenant_id: tenant.clone(),
        email_id: email.id.clone(),
        sequence,
    };
    if let Err(e) = enqueue::send(app, SEND_QUEUE, &[message]).await {
        emails::modify(app, &tenant, &email.id, |e| {
            if e.follow_up_pending == Some(sequence) {
                e.follow_up_pending = None;
                e.next_follow_up_at = due_at;
            }
            Ok(())
        })
        .await?;
        return Err(e);
    }
    Ok(true)
}

/// The campaigns and sender settings a run has read, so that many due follow-ups of one
/// campaign cost one read of each.
#[derive(Default)]
struct Facts {
    campaigns: HashMap<(TenantId, CampaignId), Option<Campaign>>,
    senders: HashMap<TenantId, SenderSettings>,
}

impl Facts {
    /// The step's text from its campaign; none when the campaign is gone, which the send
    /// stage settles.
    async fn draft(
        &mut self,
        app: &App,
        tenant: &TenantId,
        email: &OutreachEmail,
        sequence: u32,
    ) -> Result<Option<FollowUpDraft>, AppError> {
        let id = (tenant.clone(), email.campaign_id.clone());
        if !self.campaigns.contains_key(&id) {
            let campaign = match campaigns::get(app, tenant, &email.campaign_id).await {
                Ok(c) => Some(c),
                Err(AppError::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
            self.campaigns.insert(id.clone(), campaign);
        }
        let Some(campaign) = self.campaigns.get(&id).and_then(Option::as_ref) else {
            return Ok(None);
        };
        if !self.senders.contains_key(tenant) {
            let settings = sender::get(app, tenant).await?;
            self.senders.insert(tenant.clone(), settings);
        }
        let settings = &self.senders[tenant];
        follow_up_drafts::draft(app, tenant, email, campaign, settings, sequence)
            .await
            .map(Some)
    }
}
