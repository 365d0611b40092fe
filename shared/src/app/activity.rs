//! The activity log (seed 004): job lifecycle and settings changes, newest first.

use super::entity::{self, LogEntry, Logged};
use super::paging::{self, ListPage, PageRequest};
use super::store::tenant_partition;
use super::{App, AppError};
use crate::domain::ids::{JobId, TenantId};
use crate::domain::time::Timestamp;
use crate::ports::table::{Index, Query, SortCondition};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// Entries are kept a year.
const KEEP_SECS: i64 = 365 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    pub at: Timestamp,
    /// job_created, job_started, job_paused, job_resumed, job_cancelled, job_completed,
    /// job_failed, job_archived, settings_updated, email_send_settled.
    pub action: String,
    pub job_id: Option<JobId>,
    /// Who did it: a user id, or `system`.
    pub actor: String,
    #[schema(value_type = Object)]
    pub details: Value,
}

impl LogEntry for ActivityEntry {
    const TAG: &'static str = "activity";
    const PREFIX: &'static str = PREFIX;
    const KEEP_SECS: i64 = KEEP_SECS;
    fn at(&self) -> Timestamp {
        self.at
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityFilter {
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

const PREFIX: &str = "ACTIVITY#";

/// Records an entry. Logging never fails the operation it describes.
pub async fn record(
    app: &App,
    tenant: &TenantId,
    action: &str,
    job: Option<&JobId>,
    actor: &str,
    details: Value,
) {
    let at = app.clock.now();
    let entry = ActivityEntry {
        at,
        action: action.into(),
        job_id: job.cloned(),
        actor: actor.into(),
        details,
    };
    let record = Logged {
        id: app.ids.next().simple().to_string(),
        entry,
    };
    let written = match entity::item(&record, tenant) {
        Ok(item) => app.table.put(item, None).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    if let Err(e) = written {
        tracing::warn!(action, error = %e, "activity not recorded");
    }
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    page: PageRequest,
) -> Result<ListPage<ActivityEntry>, AppError> {
    let query = Query::new(Index::Table, tenant_partition(tenant))
        .sort(SortCondition::BeginsWith(PREFIX.into()))
        .descending();
    paging::list(app.table.as_ref(), query, page, |item| {
        entity::read::<Logged<ActivityEntry>>(item).map(|r| Some(r.entry))
    })
    .await
}
