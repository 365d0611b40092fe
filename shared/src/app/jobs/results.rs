//! Reading a job and its results, and storing a result's progress once per step.

use super::keys;
use crate::app::entity;
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::{from_item, tenant_partition};
use crate::app::{App, AppError};
use crate::domain::ids::{JobId, ResultId, TenantId};
use crate::domain::job::{Job, JobResult, JobStatus, Layer, ResultState};
use crate::domain::qualify::{Classification, ConfidenceBand};
use crate::ports::table::{Condition, Index, Query, SortCondition, TableError, TransactOp, Update};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobFilter {
    pub status: Option<JobStatus>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResultFilter {
    pub classification: Option<Classification>,
    pub confidence_band: Option<ConfidenceBand>,
    /// The furthest layer reached.
    pub layer: Option<Layer>,
    pub state: Option<ResultState>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

pub async fn get(app: &App, tenant: &TenantId, id: &JobId) -> Result<Job, AppError> {
    match app.table.get(&keys::item(tenant, id)).await? {
        Some(item) => from_item(item),
        None => Err(AppError::NotFound("job")),
    }
}

pub async fn get_result(
    app: &App,
    tenant: &TenantId,
    job: &JobId,
    id: &ResultId,
) -> Result<Option<JobResult>, AppError> {
    app.table
        .get(&keys::result(tenant, job, id))
        .await?
        .map(from_item)
        .transpose()
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    filter: &JobFilter,
    page: PageRequest,
) -> Result<ListPage<Job>, AppError> {
    let query = match filter.status {
        Some(status) => Query::new(Index::Gsi1, keys::by_status(tenant, status)),
        None => Query::new(Index::Table, tenant_partition(tenant))
            .sort(SortCondition::BeginsWith(keys::PREFIX.into())),
    };
    paging::list(app.table.as_ref(), query.descending(), page, |item| {
        from_item(item).map(Some)
    })
    .await
}

pub async fn results(
    app: &App,
    tenant: &TenantId,
    job: &JobId,
    filter: &ResultFilter,
    page: PageRequest,
) -> Result<ListPage<JobResult>, AppError> {
    get(app, tenant, job).await?;
    let query = Query::new(Index::Table, keys::results(tenant, job))
        .sort(SortCondition::BeginsWith(keys::RESULT_PREFIX.into()));
    paging::list(app.table.as_ref(), query, page, |item| {
        let r: JobResult = from_item(item)?;
        let keep = filter
            .classification
            .is_none_or(|c| r.classification == Some(c))
            && filter
                .confidence_band
                .is_none_or(|b| r.confidence_band == Some(b))
            && filter.layer.is_none_or(|l| r.current_layer == Some(l))
            && filter.state.is_none_or(|s| r.state == s);
        Ok(keep.then_some(r))
    })
    .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlOutcome {
    Passed,
    Rejected,
    Failed,
}

/// Stores a finished result and counts it on the job, once: the result's version guards
/// against a redelivered message counting twice.
pub async fn finish(
    app: &App,
    tenant: &TenantId,
    previous_version: u64,
    result: &JobResult,
    outcome: UrlOutcome,
) -> Result<bool, AppError> {
    let counter = match outcome {
        UrlOutcome::Passed => "passedUrls",
        UrlOutcome::Rejected => "rejectedUrls",
        UrlOutcome::Failed => "failedUrls",
    };
    let ops = vec![
        TransactOp::Put {
            item: entity::item(result, tenant)?,
            condition: Some(Condition::eq("version", previous_version)),
        },
        TransactOp::Update {
            key: keys::item(tenant, &result.job_id),
            update: Update::new().add("processedUrls", 1).add(counter, 1),
            condition: Some(Condition::Exists),
        },
    ];
    match app.table.transact(ops).await {
        Ok(()) => {
            super::complete_if_done(app, tenant, &result.job_id).await?;
            Ok(true)
        }
        Err(TableError::TransactionCancelled { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Saves a result that is not finished yet (after the crawl), once.
pub async fn save(
    app: &App,
    tenant: &TenantId,
    previous_version: u64,
    result: &JobResult,
) -> Result<bool, AppError> {
    match app
        .table
        .put(
            entity::item(result, tenant)?,
            Some(Condition::eq("version", previous_version)),
        )
        .await
    {
        Ok(()) => Ok(true),
        Err(TableError::ConditionFailed) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
