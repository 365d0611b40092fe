//! Campaign analytics and the cross-campaign summary, from counters kept as things happen:
//! one totals item per campaign and one per campaign per day (the daily rollups of seed 003).

use super::keys;
use crate::app::store::tenant_partition;
use crate::app::{App, AppError, backlinks, campaigns, totals};
use crate::domain::backlink::{Backlink, OutreachStatus};
use crate::domain::ids::{CampaignId, TenantId};
use crate::domain::outreach::Counter;
use crate::ports::table::{Index, Item, Query, SortCondition};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayFigures {
    pub date: String,
    pub sent: i64,
    pub follow_ups_sent: i64,
    /// Replies written by people.
    pub replies: i64,
    pub positive_replies: i64,
    /// Not interested, unsubscribe requests and complaints.
    pub negative_replies: i64,
    /// Out-of-office and other automatic answers.
    pub auto_replies: i64,
    pub bounced: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignAnalytics {
    pub campaign_id: Option<CampaignId>,
    pub prospects: i64,
    pub drafted: i64,
    pub approved: i64,
    pub sent: i64,
    pub follow_ups_sent: i64,
    pub skipped: i64,
    pub failed: i64,
    /// Sends whose outcome is unknown, waiting for a person to settle them.
    pub needs_review: i64,
    /// Policy blocks by reason code.
    pub blocked_by_reason: BTreeMap<String, i64>,
    /// Sends put off to another day by a full cap, by cap.
    pub deferred_by_reason: BTreeMap<String, i64>,
    pub bounced: i64,
    pub replies_by_class: BTreeMap<String, i64>,
    /// Interested and agreed replies per email sent.
    pub positive_rate: f64,
    /// Backlinks of the campaign that are published.
    pub links_won: i64,
    pub per_day: Vec<DayFigures>,
}

fn add_counters(a: &mut CampaignAnalytics, stats: &Item) {
    for (key, value) in stats {
        let n = value.as_i64().unwrap_or(0);
        let Some(counter) = Counter::parse(key) else {
            continue;
        };
        match counter {
            Counter::Drafted => a.drafted += n,
            Counter::Approved => a.approved += n,
            Counter::Sent => a.sent += n,
            Counter::FollowUpsSent => a.follow_ups_sent += n,
            Counter::Skipped => a.skipped += n,
            Counter::Failed => a.failed += n,
            Counter::NeedsReview => a.needs_review += n,
            Counter::Bounced => a.bounced += n,
            Counter::Blocked(reason) => {
                *a.blocked_by_reason
                    .entry(reason.as_str().to_string())
                    .or_default() += n
            }
            Counter::Deferred(reason) => {
                *a.deferred_by_reason
                    .entry(reason.as_str().to_string())
                    .or_default() += n
            }
            Counter::Reply(class) => {
                *a.replies_by_class
                    .entry(class.as_str().to_string())
                    .or_default() += n
            }
            Counter::Prospects => a.prospects += n,
            Counter::LinksWon => a.links_won += n,
            Counter::TotalEmails
            | Counter::Replies
            | Counter::PositiveReplies
            | Counter::NegativeReplies
            | Counter::AutoReplies => {}
        }
    }
}

fn finish(a: &mut CampaignAnalytics) {
    // Every class is shown, the ones with no replies at 0.
    for class in crate::domain::reply::ReplyClass::ALL {
        a.replies_by_class
            .entry(class.as_str().to_string())
            .or_default();
    }
    let positive = a.replies_by_class.get("interested").copied().unwrap_or(0)
        + a.replies_by_class.get("agreed").copied().unwrap_or(0);
    a.positive_rate = if a.sent == 0 {
        0.0
    } else {
        positive as f64 / a.sent as f64
    };
}

async fn links_won(app: &App, tenant: &TenantId, campaign: &CampaignId) -> Result<i64, AppError> {
    let mut won = 0;
    let mut cursor = None;
    loop {
        let query = Query::new(Index::Gsi3, backlinks::keys::by_campaign(tenant, campaign))
            .limit(500)
            .start_after(cursor);
        let page = app.table.query(query).await?;
        for item in page.items {
            let b: Backlink = crate::app::store::from_item(item)?;
            if b.outreach_status == OutreachStatus::Published {
                won += 1;
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(won),
        }
    }
}

pub async fn campaign(
    app: &App,
    tenant: &TenantId,
    id: &CampaignId,
) -> Result<CampaignAnalytics, AppError> {
    campaigns::get(app, tenant, id).await?;
    let mut a = CampaignAnalytics {
        campaign_id: Some(id.clone()),
        ..Default::default()
    };
    if let Some(stats) = app.table.get(&keys::campaign_stats(tenant, id)).await? {
        add_counters(&mut a, &stats);
    }
    a.prospects = backlinks::campaign_size(app, tenant, id).await? as i64;
    a.links_won = links_won(app, tenant, id).await?;
    let partition = format!("{}#CAMPAIGN#{id}", tenant_partition(tenant));
    let days = app
        .table
        .query(
            Query::new(Index::Table, partition)
                .sort(SortCondition::BeginsWith("DAY#".into()))
                .descending()
                .limit(90),
        )
        .await?
        .items;
    let n = |item: &Item, k: &str| item.get(k).and_then(Value::as_i64).unwrap_or(0);
    a.per_day = days
        .iter()
        .map(|d| DayFigures {
            date: d
                .get("SK")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim_start_matches("DAY#")
                .to_string(),
            sent: n(d, "sent"),
            follow_ups_sent: n(d, "followUpsSent"),
            replies: n(d, "replies"),
            positive_replies: n(d, "positiveReplies"),
            negative_replies: n(d, "negativeReplies"),
            auto_replies: n(d, "autoReplies"),
            bounced: n(d, "bounced"),
        })
        .collect();
    finish(&mut a);
    Ok(a)
}

/// `getReportSummary`: every campaign's figures added up, as the tenant's totals keep them
/// (one read, however many campaigns and backlinks there are).
pub async fn summary(app: &App, tenant: &TenantId) -> Result<CampaignAnalytics, AppError> {
    let mut total = CampaignAnalytics::default();
    if let Some(totals) = app.table.get(&totals::key(tenant)).await? {
        add_counters(&mut total, &totals);
    }
    finish(&mut total);
    Ok(total)
}
