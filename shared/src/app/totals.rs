//! The tenant's outreach totals: one counter item holding the sum of every campaign's
//! counters, so the report summary is one read rather than a walk over every campaign and
//! its backlinks. Every change to a campaign's counters goes through [`add`] (or [`ops`]
//! inside a transaction), which applies the same change to the campaign's STATS item and
//! to the totals. A deleted campaign's figures leave the totals with it ([`campaign_removed`]).

use crate::app::outreach::keys::campaign_stats;
use crate::app::store::tenant_partition;
use crate::app::{App, AppError};
use crate::domain::backlink::{Backlink, OutreachStatus};
use crate::domain::ids::{CampaignId, TenantId};
use crate::domain::outreach::Counter;
use crate::ports::table::{Condition, Key, TransactOp, Update};

pub fn key(tenant: &TenantId) -> Key {
    Key::new(format!("{}#TOTALS", tenant_partition(tenant)), "STATS")
}

/// Adds `update` (counter additions) to the campaign's counters and the tenant's totals.
pub async fn add(
    app: &App,
    tenant: &TenantId,
    campaign: &CampaignId,
    update: Update,
) -> Result<(), AppError> {
    app.table
        .update(&campaign_stats(tenant, campaign), update.clone(), None)
        .await?;
    app.table.update(&key(tenant), update, None).await?;
    Ok(())
}

/// The same two additions, for a transaction.
pub fn ops(tenant: &TenantId, campaign: &CampaignId, update: Update) -> [TransactOp; 2] {
    [
        TransactOp::Update {
            key: campaign_stats(tenant, campaign),
            update: update.clone(),
            condition: None,
        },
        TransactOp::Update {
            key: key(tenant),
            update,
            condition: None,
        },
    ]
}

/// What a backlink adds to its campaign's prospects and links won.
fn share(b: Option<&Backlink>) -> Option<(&CampaignId, i64, i64)> {
    let b = b?;
    let won = i64::from(b.outreach_status == OutreachStatus::Published);
    Some((b.campaign_id.as_ref()?, 1, won))
}

/// Counts a backlink written or deleted: a prospect of its campaign, and a link won while
/// published. Called after the write, like every other counter.
pub async fn backlink_changed(
    app: &App,
    tenant: &TenantId,
    before: Option<&Backlink>,
    after: Option<&Backlink>,
) -> Result<(), AppError> {
    let mut deltas: Vec<(CampaignId, i64, i64)> = Vec::new();
    if let Some((campaign, prospects, won)) = share(before) {
        deltas.push((campaign.clone(), -prospects, -won));
    }
    if let Some((campaign, prospects, won)) = share(after) {
        match deltas.iter_mut().find(|(c, ..)| c == campaign) {
            Some(same) => (same.1, same.2) = (same.1 + prospects, same.2 + won),
            None => deltas.push((campaign.clone(), prospects, won)),
        }
    }
    for (campaign, prospects, won) in deltas {
        if (prospects, won) != (0, 0) {
            let update = Update::new()
                .add(&Counter::Prospects.attr(), prospects)
                .add(&Counter::LinksWon.attr(), won);
            add(app, tenant, &campaign, update).await?;
        }
    }
    Ok(())
}

/// Takes a campaign being deleted out of the totals: its counters are subtracted and its
/// STATS item deleted in one transaction, so a delete that is run again subtracts nothing
/// twice. (A send settling in the moment between the read and the transaction stays in the
/// totals: the campaign is already marked deleting, so nothing new starts.)
pub async fn campaign_removed(
    app: &App,
    tenant: &TenantId,
    campaign: &CampaignId,
) -> Result<(), AppError> {
    let stats_key = campaign_stats(tenant, campaign);
    let Some(stats) = app.table.get(&stats_key).await? else {
        return Ok(());
    };
    let mut update = Update::new();
    for (attr, value) in &stats {
        if let (Some(_), Some(n)) = (Counter::parse(attr), value.as_i64()) {
            update = update.add(attr, -n);
        }
    }
    app.table
        .transact(vec![
            TransactOp::Update {
                key: key(tenant),
                update,
                condition: None,
            },
            TransactOp::Delete {
                key: stats_key,
                condition: Some(Condition::Exists),
            },
        ])
        .await?;
    Ok(())
}
