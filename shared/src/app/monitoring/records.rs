//! What link monitoring keeps: each check of a link (its last dozen, for a while) and each
//! change of a link's health (a link event, published on the domain event stream too).

use super::indexed::IndexEvidence;
use super::loss::LossReport;
use crate::app::entity::{self, Entity, LogEntry, Logged};
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::tenant_partition;
use crate::app::{App, AppError};
use crate::domain::ids::{BacklinkId, CampaignId, PlanId, PlannedLinkId, TenantId};
use crate::domain::monitoring::codes::FindingCode;
use crate::domain::monitoring::health::{HealthChange, HealthStatus};
use crate::domain::monitoring::page::PageReport;
use crate::domain::time::Timestamp;
use crate::ports::events::DomainEvent;
use crate::ports::table::{Index, Key, Query, SortCondition, WriteOp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Checks kept per link, newest first; older ones are deleted as new ones arrive.
pub const CHECKS_KEPT: usize = 12;
/// And none is kept longer than this.
const CHECK_KEEP_SECS: i64 = 180 * 86_400;
const EVENT_KEEP_SECS: i64 = 2 * 365 * 86_400;
const CHECK_PREFIX: &str = "CHECK#";
const EVENT_PREFIX: &str = "LINKEVENT#";

/// The link a check or an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Subject {
    Backlink {
        backlink_id: BacklinkId,
    },
    PlannedLink {
        plan_id: PlanId,
        planned_link_id: PlannedLinkId,
    },
}

impl Subject {
    /// The id of the link: the backlink's or the planned link's.
    pub fn link_id(&self) -> &str {
        match self {
            Subject::Backlink { backlink_id } => backlink_id.as_str(),
            Subject::PlannedLink {
                planned_link_id, ..
            } => planned_link_id.as_str(),
        }
    }

    fn partition(&self, tenant: &TenantId) -> String {
        match self {
            Subject::Backlink { backlink_id } => {
                format!("{}#LINKCHECKS#BL#{backlink_id}", tenant_partition(tenant))
            }
            Subject::PlannedLink {
                plan_id,
                planned_link_id,
            } => format!(
                "{}#LINKCHECKS#PL#{plan_id}#{planned_link_id}",
                tenant_partition(tenant)
            ),
        }
    }
}

/// One check of one link, as its caller saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Observed {
    pub subject: Subject,
    pub placement_url: String,
    pub target_url: String,
    #[serde(flatten)]
    pub report: PageReport,
    /// The link's health after this check.
    pub health: HealthStatus,
    /// The status change this check confirmed, if any.
    pub change: Option<HealthChange>,
    /// The index checker's answer, when this check asked it.
    pub index: Option<IndexEvidence>,
}

/// One check of one link, as kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkCheck {
    pub id: String,
    pub at: Timestamp,
    #[serde(flatten)]
    pub observed: Observed,
}

impl Entity for LinkCheck {
    const TAG: &'static str = "link_check";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        Key::new(
            self.observed.subject.partition(tenant),
            format!("{CHECK_PREFIX}{}#{}", self.at.to_key(), self.id),
        )
    }
    fn expires_at(&self) -> Option<i64> {
        Some(self.at.epoch_seconds() + CHECK_KEEP_SECS)
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CheckFilter {
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// Keeps a check, and lets the oldest beyond the last dozen go.
pub async fn keep_check(
    app: &App,
    tenant: &TenantId,
    observed: Observed,
) -> Result<LinkCheck, AppError> {
    let partition = observed.subject.partition(tenant);
    let check = LinkCheck {
        id: app.ids.next().simple().to_string(),
        at: app.clock.now(),
        observed,
    };
    app.table.put(entity::item(&check, tenant)?, None).await?;
    let query = Query::new(Index::Table, partition)
        .sort(SortCondition::BeginsWith(CHECK_PREFIX.into()))
        .descending()
        .limit(CHECKS_KEPT as u32 + 10);
    let page = app.table.query(query).await?;
    let old: Vec<WriteOp> = page
        .items
        .iter()
        .skip(CHECKS_KEPT)
        .filter_map(Key::of)
        .map(WriteOp::Delete)
        .collect();
    app.table.batch_write(old).await?;
    Ok(check)
}

pub async fn list_checks(
    app: &App,
    tenant: &TenantId,
    subject: &Subject,
    page: PageRequest,
) -> Result<ListPage<LinkCheck>, AppError> {
    let query = Query::new(Index::Table, subject.partition(tenant))
        .sort(SortCondition::BeginsWith(CHECK_PREFIX.into()))
        .descending();
    paging::list(app.table.as_ref(), query, page, |item| {
        entity::read(item).map(Some)
    })
    .await
}

/// A change of a link's health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkEvent {
    pub at: Timestamp,
    pub subject: Subject,
    pub campaign_id: Option<CampaignId>,
    pub plan_id: Option<PlanId>,
    pub from: HealthStatus,
    pub to: HealthStatus,
    pub reasons: Vec<FindingCode>,
    pub placement_url: String,
    pub target_url: String,
    /// For a confirmed loss: its impact, replacement recommendations and the reserve.
    #[serde(default)]
    pub loss: Option<LossReport>,
}

impl LogEntry for LinkEvent {
    const TAG: &'static str = "link_event";
    const PREFIX: &'static str = EVENT_PREFIX;
    const KEEP_SECS: i64 = EVENT_KEEP_SECS;
    fn at(&self) -> Timestamp {
        self.at
    }
}

/// Keeps the event and publishes it (`link.status_changed`) on the domain event stream.
pub async fn record_event(app: &App, tenant: &TenantId, event: LinkEvent) -> Result<(), AppError> {
    let id = app.ids.next().simple().to_string();
    let mut detail = serde_json::to_value(&event)
        .map_err(|e| AppError::internal(format!("a link event: {e}")))?;
    // The stream's envelope carries the time.
    if let Some(fields) = detail.as_object_mut() {
        fields.remove("at");
    }
    let published = DomainEvent {
        tenant: tenant.clone(),
        detail_type: "link.status_changed".into(),
        detail,
        at: event.at,
        id: id.clone(),
    };
    let logged = Logged { id, entry: event };
    app.table.put(entity::item(&logged, tenant)?, None).await?;
    app.events
        .publish(vec![published])
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventFilter {
    pub plan_id: Option<String>,
    pub campaign_id: Option<String>,
    /// Only changes for this reason.
    pub reason: Option<FindingCode>,
    /// Only changes at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

pub async fn list_events(
    app: &App,
    tenant: &TenantId,
    filter: &EventFilter,
    page: PageRequest,
) -> Result<ListPage<LinkEvent>, AppError> {
    let bad = |field: &str, e: crate::domain::FieldError| AppError::Invalid(vec![e.within(field)]);
    let plan = filter
        .plan_id
        .as_deref()
        .map(PlanId::parse)
        .transpose()
        .map_err(|e| bad("planId", e))?;
    let campaign = filter
        .campaign_id
        .as_deref()
        .map(CampaignId::parse)
        .transpose()
        .map_err(|e| bad("campaignId", e))?;
    let since = match filter.since.as_deref() {
        Some(text) => Some(Timestamp::parse(text).ok_or_else(|| {
            AppError::invalid(
                "since",
                "must be an RFC 3339 time, e.g. 2026-06-01T00:00:00Z",
            )
        })?),
        None => None,
    };
    let mut query = Query::new(Index::Table, tenant_partition(tenant)).descending();
    query = match since {
        Some(t) => query.sort(SortCondition::Between(
            format!("{EVENT_PREFIX}{}", t.to_key()),
            format!("{EVENT_PREFIX}~"),
        )),
        None => query.sort(SortCondition::BeginsWith(EVENT_PREFIX.into())),
    };
    paging::list(app.table.as_ref(), query, page, |item| {
        let event = entity::read::<Logged<LinkEvent>>(item)?.entry;
        let keep = plan
            .as_ref()
            .is_none_or(|p| event.plan_id.as_ref() == Some(p))
            && campaign
                .as_ref()
                .is_none_or(|c| event.campaign_id.as_ref() == Some(c))
            && filter.reason.is_none_or(|r| event.reasons.contains(&r));
        Ok(keep.then_some(event))
    })
    .await
}
