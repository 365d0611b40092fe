//! Batch qualification jobs (seed 004): create from a URL list or a campaign's discovery,
//! follow progress, read results, pause, resume, cancel, and archive old ones.

use super::entity::{self, Entity, IndexKey};
use super::paging::{self, ListPage, PageRequest};
use super::store::{from_item, tenant_of, tenant_partition};
use super::sweep::{Budget, Pages};
use super::{App, AppError, activity, backlinks, campaigns};
use crate::domain::FieldErrors;
use crate::domain::campaign::Campaign;
use crate::domain::email::registrable_domain;
use crate::domain::identity::Identity;
use crate::domain::ids::{CampaignId, JobId, ResultId, TenantId};
use crate::domain::job::{Job, JobResult, JobStatus, Layer, ResultState, can_move};
use crate::domain::qualify::{Classification, ConfidenceBand};
use crate::domain::text::single_line;
use crate::domain::time::Timestamp;
use crate::domain::web::{DomainName, WebUrl};
use crate::ports::table::{
    Condition, Index, Key, Query, SortCondition, TableError, TransactOp, Update, WriteOp,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashSet;
use utoipa::{IntoParams, ToSchema};

pub const DISCOVER_QUEUE: &str = "discover";
pub const CRAWL_QUEUE: &str = "crawl";
pub const QUALIFY_QUEUE: &str = "qualify";
/// Most URLs one job takes.
pub const MAX_URLS: usize = 5_000;
const ARCHIVE_SHARDS: u32 = 4;
const ARCHIVE_AFTER_DAYS: i64 = 90;
const DELETE_AFTER_DAYS: i64 = 180;

pub mod keys {
    use super::*;

    pub fn item(tenant: &TenantId, id: &JobId) -> Key {
        Key::new(tenant_partition(tenant), format!("JOB#{id}"))
    }

    pub const PREFIX: &str = "JOB#";

    /// GSI1: a tenant's jobs in one status.
    pub fn by_status(tenant: &TenantId, status: JobStatus) -> String {
        format!(
            "{}#JOB#STATUS#{}",
            tenant_partition(tenant),
            status.as_str()
        )
    }

    pub fn results(tenant: &TenantId, job: &JobId) -> String {
        format!("{}#JOB#{job}", tenant_partition(tenant))
    }

    pub fn result(tenant: &TenantId, job: &JobId, id: &ResultId) -> Key {
        Key::new(results(tenant, job), format!("RESULT#{id}"))
    }

    fn shard(id: &JobId) -> u32 {
        id.as_str()
            .bytes()
            .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
            % ARCHIVE_SHARDS
    }

    /// GSI4: finished jobs by finish time, for archival (sharded).
    pub fn finished(id: &JobId) -> String {
        format!("JOBS#FINISHED#{}", shard(id))
    }

    /// GSI4: archived jobs by archive time, for deletion (sharded).
    pub fn archived(id: &JobId) -> String {
        format!("JOBS#ARCHIVED#{}", shard(id))
    }

    pub fn sweep_position(at: &Timestamp, tenant: &TenantId, id: &JobId) -> String {
        format!("{}#{tenant}#{id}", at.to_key())
    }

    pub fn all_shards(prefix: &str) -> Vec<String> {
        (0..ARCHIVE_SHARDS)
            .map(|s| format!("{prefix}{s}"))
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewJob {
    /// Defaults to "Untitled Job".
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// URLs to qualify (1-5000). Give these (or `csv`), or a campaignId to discover
    /// prospects for it.
    #[serde(default)]
    #[schema(min_items = 1, max_items = 5000)]
    pub urls: Option<Vec<String>>,
    /// An uploaded CSV file's text: the column named url, website, domain or site, else the
    /// first column.
    #[serde(default)]
    pub csv: Option<String>,
    /// The campaign passing prospects join; alone, the campaign's discovery runs.
    #[serde(default)]
    pub campaign_id: Option<String>,
}

/// Discovery for a campaign: by keywords (the campaign's when absent) through the search
/// providers, or from a list of URLs (works with no provider configured).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiscoverRequest {
    #[serde(default)]
    #[schema(max_items = 20)]
    pub keywords: Option<Vec<String>>,
    #[serde(default)]
    #[schema(min_items = 1, max_items = 5000)]
    pub urls: Option<Vec<String>>,
    /// An uploaded CSV file's text, as for `createJob`.
    #[serde(default)]
    pub csv: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
}

/// The URLs of an uploaded CSV: the column headed url, website, domain or site, else the
/// first column (a first row that is not a URL is taken as a header).
pub fn urls_from_csv(text: &str) -> Result<Vec<String>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| AppError::invalid("csv", format!("row {}: {e}", i + 1)))?;
        rows.push(row.iter().map(str::to_string).collect::<Vec<_>>());
    }
    let Some(first) = rows.first() else {
        return Err(AppError::invalid("csv", "has no rows"));
    };
    let named = first.iter().position(|h| {
        matches!(
            h.to_ascii_lowercase().as_str(),
            "url" | "website" | "domain" | "site"
        )
    });
    let header = named.is_some() || first.first().is_some_and(|c| !c.contains('.'));
    let column = named.unwrap_or(0);
    Ok(rows
        .into_iter()
        .skip(usize::from(header))
        .filter_map(|row| row.get(column).cloned())
        .filter(|cell| !cell.is_empty())
        .collect())
}

/// The URL list of a request: `urls`, or the URLs of `csv` (not both).
fn listed(
    urls: Option<Vec<String>>,
    csv: Option<String>,
) -> Result<Option<(Vec<String>, &'static str)>, AppError> {
    match (urls, csv) {
        (Some(_), Some(_)) => Err(AppError::invalid("csv", "give urls or csv, not both")),
        (Some(urls), None) => Ok(Some((urls, "urls"))),
        (None, Some(text)) => Ok(Some((urls_from_csv(&text)?, "csv"))),
        (None, None) => Ok(None),
    }
}

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

/// A message between pipeline stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StageMessage {
    pub tenant_id: TenantId,
    pub job_id: JobId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_id: Option<ResultId>,
}

impl Entity for Job {
    const TAG: &'static str = "job";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        keys::item(tenant, &self.id)
    }

    fn indexes(&self, tenant: &TenantId) -> Vec<IndexKey> {
        let mut index = vec![IndexKey::new(
            Index::Gsi1,
            keys::by_status(tenant, self.status),
            self.id.to_string(),
        )];
        if let Some(done) = self
            .completed_at
            .filter(|_| self.status.is_final() && !self.is_archived)
        {
            index.push(IndexKey::new(
                Index::Gsi4,
                keys::finished(&self.id),
                keys::sweep_position(&done, tenant, &self.id),
            ));
        }
        index
    }
}

impl Entity for JobResult {
    const TAG: &'static str = "job_result";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        keys::result(tenant, &self.job_id, &self.id)
    }
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
    let query = Query::new(Index::Table, keys::results(tenant, job));
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

fn job_name(name: Option<&str>) -> Result<String, AppError> {
    match name {
        None => Ok("Untitled Job".into()),
        Some(n) => single_line(n, 200).map_err(|e| AppError::Invalid(vec![e.within("name")])),
    }
}

/// Parses a list of URLs, naming each bad one.
pub fn parse_urls(urls: &[String], field: &str) -> Result<Vec<WebUrl>, AppError> {
    if urls.is_empty() || urls.len() > MAX_URLS {
        return Err(AppError::invalid(
            field,
            format!("must have 1 to {MAX_URLS} URLs"),
        ));
    }
    let mut errors = FieldErrors::default();
    let mut out = Vec::with_capacity(urls.len());
    for (i, raw) in urls.iter().enumerate() {
        let raw = raw.trim();
        let with_scheme = if raw.contains("://") {
            raw.to_string()
        } else {
            format!("https://{raw}")
        };
        match WebUrl::parse(&with_scheme) {
            Ok(url) if url.domain().is_some() => out.push(url),
            Ok(_) => errors.push(
                &format!("{field}.{i}"),
                "must name a domain, not an IP address",
            ),
            Err(e) => {
                errors.check::<()>(&format!("{field}.{i}"), Err(e));
            }
        }
    }
    errors.into_result().map_err(AppError::Invalid)?;
    Ok(out)
}

/// Keeps one URL per registrable domain, in order, leaving out the tenant's own sites,
/// suppressed domains, domains already in the campaign, and anything past the campaign's
/// room.
pub async fn plan(
    app: &App,
    tenant: &TenantId,
    campaign: Option<&Campaign>,
    urls: Vec<WebUrl>,
) -> Result<Vec<(DomainName, WebUrl)>, AppError> {
    let own = campaigns::own_sites(app, tenant).await?;
    let room = match campaign {
        Some(c) => (c.limits.max_opportunities as usize)
            .saturating_sub(backlinks::campaign_size(app, tenant, &c.id).await?),
        None => MAX_URLS,
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for url in urls {
        if out.len() >= room {
            break;
        }
        let Some(domain) = url.domain() else { continue };
        let site = registrable_domain(domain.as_str()).unwrap_or_else(|| domain.to_string());
        if own.contains(&site) || !seen.insert(site) {
            continue;
        }
        if super::suppression::domain_suppressed(app, tenant, &domain).await? {
            continue;
        }
        if let Some(c) = campaign
            && backlinks::in_campaign(app, tenant, &c.id, &domain).await?
        {
            continue;
        }
        out.push((domain, url));
    }
    Ok(out)
}

fn new_job(app: &App, name: String, campaign: Option<CampaignId>, queries: Vec<String>) -> Job {
    let now = app.clock.now();
    Job {
        id: JobId::from_uuid(app.ids.next()),
        name,
        status: JobStatus::Pending,
        campaign_id: campaign,
        queries,
        total_urls: 0,
        processed_urls: 0,
        passed_urls: 0,
        rejected_urls: 0,
        failed_urls: 0,
        created_at: now,
        started_at: None,
        completed_at: None,
        archived_at: None,
        is_archived: false,
        last_error: None,
        version: 1,
    }
}

fn new_result(app: &App, job: &JobId, domain: &DomainName, url: &WebUrl) -> JobResult {
    JobResult {
        id: ResultId::from_uuid(app.ids.next()),
        job_id: job.clone(),
        url: url.to_string(),
        domain: domain.to_string(),
        state: ResultState::Queued,
        current_layer: None,
        layer1_status: None,
        layer2_status: None,
        layer3_classification: None,
        classification: None,
        confidence_band: None,
        confidence_score: None,
        layer1_factors: None,
        layer2_factors: None,
        layer3_factors: None,
        layer1_processing_time_ms: None,
        layer2_processing_time_ms: None,
        layer3_processing_time_ms: None,
        total_processing_time_ms: None,
        layer3_total_cost: None,
        retry_count: 0,
        last_error: None,
        contact: None,
        backlink_id: None,
        created_at: app.clock.now(),
        processed_at: None,
        version: 1,
    }
}

async fn send(app: &App, queue: &str, messages: Vec<StageMessage>) -> Result<(), AppError> {
    if messages.is_empty() {
        return Ok(());
    }
    let bodies = messages
        .iter()
        .map(|m| serde_json::to_string(m).unwrap_or_default())
        .collect();
    Ok(app.queue.send(queue, bodies).await?)
}

/// Writes a job's results and starts their crawl. The job moves to processing (or straight
/// to completed when nothing is left to do).
pub async fn seed(
    app: &App,
    tenant: &TenantId,
    job: &Job,
    planned: Vec<(DomainName, WebUrl)>,
) -> Result<Job, AppError> {
    let results: Vec<JobResult> = planned
        .iter()
        .map(|(d, u)| new_result(app, &job.id, d, u))
        .collect();
    let writes = results
        .iter()
        .map(|r| entity::item(r, tenant).map(WriteOp::Put))
        .collect::<Result<Vec<_>, _>>()?;
    app.table.batch_write(writes).await?;
    let total = results.len() as u64;
    let now = app.clock.now();
    let update = Update::new()
        .set("totalUrls", total)
        .set("startedAt", now.to_key());
    let started = set_status(
        app,
        tenant,
        &job.id,
        &[JobStatus::Pending],
        JobStatus::Processing,
        update,
    )
    .await?;
    let messages = results
        .iter()
        .map(|r| StageMessage {
            tenant_id: tenant.clone(),
            job_id: job.id.clone(),
            result_id: Some(r.id.clone()),
        })
        .collect();
    send(app, CRAWL_QUEUE, messages).await?;
    activity::record(
        app,
        tenant,
        "job_started",
        Some(&job.id),
        "system",
        json!({"totalUrls": total}),
    )
    .await;
    if total == 0 {
        return complete_if_done(app, tenant, &job.id)
            .await
            .map(|j| j.unwrap_or(started));
    }
    Ok(started)
}

async fn insert(app: &App, who: &Identity, job: &Job, source: Value) -> Result<(), AppError> {
    app.table
        .put(entity::item(job, &who.tenant)?, Some(Condition::NotExists))
        .await?;
    activity::record(
        app,
        &who.tenant,
        "job_created",
        Some(&job.id),
        who.user.as_str(),
        source,
    )
    .await;
    Ok(())
}

async fn campaign_of(
    app: &App,
    tenant: &TenantId,
    raw: Option<&str>,
    field: &str,
) -> Result<Option<Campaign>, AppError> {
    let Some(raw) = raw else { return Ok(None) };
    let id = CampaignId::parse(raw).map_err(|e| AppError::Invalid(vec![e.within(field)]))?;
    match campaigns::get(app, tenant, &id).await {
        Ok(c) => Ok(Some(c)),
        Err(AppError::NotFound(_)) => Err(AppError::invalid(field, "no such campaign")),
        Err(e) => Err(e),
    }
}

/// `createJob`: a URL list (optionally for a campaign), or a campaign's discovery.
pub async fn create(app: &App, who: &Identity, input: NewJob) -> Result<Job, AppError> {
    let campaign =
        campaign_of(app, &who.tenant, input.campaign_id.as_deref(), "campaignId").await?;
    match (listed(input.urls, input.csv)?, campaign) {
        (Some((urls, field)), campaign) => {
            let name = job_name(input.name.as_deref())?;
            let urls = parse_urls(&urls, field)?;
            from_urls(app, who, name, campaign.as_ref(), urls).await
        }
        (None, Some(campaign)) => {
            let request = DiscoverRequest {
                name: input.name,
                ..DiscoverRequest::default()
            };
            discover(app, who, &campaign, request).await
        }
        (None, None) => Err(AppError::invalid(
            "urls",
            "give urls or csv, or a campaignId to discover prospects for",
        )),
    }
}

async fn from_urls(
    app: &App,
    who: &Identity,
    name: String,
    campaign: Option<&Campaign>,
    urls: Vec<WebUrl>,
) -> Result<Job, AppError> {
    let planned = plan(app, &who.tenant, campaign, urls).await?;
    let job = new_job(app, name, campaign.map(|c| c.id.clone()), vec![]);
    insert(
        app,
        who,
        &job,
        json!({"source": "urls", "urls": planned.len()}),
    )
    .await?;
    seed(app, &who.tenant, &job, planned).await
}

/// `discoverProspects`: a job that finds prospects for a campaign. A URL list is used as
/// given; keywords go through the search providers in the discover stage.
pub async fn discover(
    app: &App,
    who: &Identity,
    campaign: &Campaign,
    input: DiscoverRequest,
) -> Result<Job, AppError> {
    let name = match input.name.as_deref() {
        Some(n) => job_name(Some(n))?,
        None => format!("Discovery for {}", campaign.name),
    };
    if let Some((urls, field)) = listed(input.urls, input.csv)? {
        let urls = parse_urls(&urls, field)?;
        return from_urls(app, who, name, Some(campaign), urls).await;
    }
    let keywords = match input.keywords {
        Some(k) => crate::domain::text::label_list(&k, 20, 100)
            .map_err(|e| AppError::Invalid(vec![e.within("keywords")]))?,
        None => campaign.keywords.clone(),
    };
    if keywords.is_empty() {
        return Err(AppError::invalid(
            "keywords",
            "the campaign has no keywords; give keywords or urls",
        ));
    }
    if app.search.is_empty() {
        return Err(AppError::invalid(
            "keywords",
            "no search provider is configured (set EXA_API_KEY or DUCKDUCKGO_ENABLED); give urls instead",
        ));
    }
    let queries = super::discover::footprint_queries(&keywords);
    let job = new_job(app, name, Some(campaign.id.clone()), queries);
    insert(
        app,
        who,
        &job,
        json!({"source": "search", "keywords": keywords}),
    )
    .await?;
    send(
        app,
        DISCOVER_QUEUE,
        vec![StageMessage {
            tenant_id: who.tenant.clone(),
            job_id: job.id.clone(),
            result_id: None,
        }],
    )
    .await?;
    Ok(job)
}

/// Moves a job between statuses, if it is still in one of `from`.
pub async fn set_status(
    app: &App,
    tenant: &TenantId,
    id: &JobId,
    from: &[JobStatus],
    to: JobStatus,
    extra: Update,
) -> Result<Job, AppError> {
    let mut update = extra
        .set("status", to.as_str())
        .set("GSI1PK", keys::by_status(tenant, to))
        .add("version", 1);
    if to.is_final() {
        let now = app.clock.now();
        update = update
            .set("completedAt", now.to_key())
            .set("GSI4PK", keys::finished(id))
            .set("GSI4SK", keys::sweep_position(&now, tenant, id));
    }
    let allowed = Condition::Or(
        from.iter()
            .map(|s| Condition::eq("status", s.as_str()))
            .collect(),
    );
    match app
        .table
        .update(
            &keys::item(tenant, id),
            update,
            Some(Condition::And(vec![Condition::Exists, allowed])),
        )
        .await
    {
        Ok(item) => from_item(item),
        Err(TableError::ConditionFailed) => {
            let current = get(app, tenant, id).await?;
            Err(AppError::Conflict(format!(
                "cannot move a {} job to {}",
                current.status.as_str(),
                to.as_str()
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Marks the job completed once every URL is finished.
pub async fn complete_if_done(
    app: &App,
    tenant: &TenantId,
    id: &JobId,
) -> Result<Option<Job>, AppError> {
    let job = get(app, tenant, id).await?;
    if job.status != JobStatus::Processing || job.processed_urls < job.total_urls {
        return Ok(None);
    }
    match set_status(
        app,
        tenant,
        id,
        &[JobStatus::Processing],
        JobStatus::Completed,
        Update::new(),
    )
    .await
    {
        Ok(done) => {
            let details = json!({"passed": done.passed_urls, "rejected": done.rejected_urls, "failed": done.failed_urls});
            activity::record(app, tenant, "job_completed", Some(id), "system", details).await;
            Ok(Some(done))
        }
        Err(AppError::Conflict(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// How a URL finished.
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
            complete_if_done(app, tenant, &result.job_id).await?;
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

pub async fn pause(app: &App, who: &Identity, id: &JobId) -> Result<Job, AppError> {
    let job = set_status(
        app,
        &who.tenant,
        id,
        &[JobStatus::Pending, JobStatus::Processing],
        JobStatus::Paused,
        Update::new(),
    )
    .await?;
    activity::record(
        app,
        &who.tenant,
        "job_paused",
        Some(id),
        who.user.as_str(),
        json!({}),
    )
    .await;
    Ok(job)
}

/// Resumes a paused job: URLs that were waiting are queued again where they stopped.
pub async fn resume(app: &App, who: &Identity, id: &JobId) -> Result<Job, AppError> {
    let current = get(app, &who.tenant, id).await?;
    if !can_move(current.status, JobStatus::Processing) || current.status == JobStatus::Processing {
        return Err(AppError::Conflict(format!(
            "cannot resume a {} job",
            current.status.as_str()
        )));
    }
    if current.status == JobStatus::Pending && current.total_urls == 0 {
        return Err(AppError::Conflict(
            "the job has not been planned yet; it starts on its own".into(),
        ));
    }
    let job = set_status(
        app,
        &who.tenant,
        id,
        &[JobStatus::Paused, JobStatus::Pending],
        JobStatus::Processing,
        Update::new(),
    )
    .await?;
    let (mut crawl, mut qualify) = (Vec::new(), Vec::new());
    let mut cursor = None;
    loop {
        let page = app
            .table
            .query(
                Query::new(Index::Table, keys::results(&who.tenant, id))
                    .limit(500)
                    .start_after(cursor),
            )
            .await?;
        for item in page.items {
            let r: JobResult = from_item(item)?;
            let message = StageMessage {
                tenant_id: who.tenant.clone(),
                job_id: id.clone(),
                result_id: Some(r.id),
            };
            match r.state {
                ResultState::Queued => crawl.push(message),
                ResultState::Crawled => qualify.push(message),
                _ => {}
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    send(app, CRAWL_QUEUE, crawl).await?;
    send(app, QUALIFY_QUEUE, qualify).await?;
    activity::record(
        app,
        &who.tenant,
        "job_resumed",
        Some(id),
        who.user.as_str(),
        json!({}),
    )
    .await;
    complete_if_done(app, &who.tenant, id)
        .await
        .map(|done| done.unwrap_or(job))
}

pub async fn cancel(app: &App, who: &Identity, id: &JobId) -> Result<Job, AppError> {
    let from = [JobStatus::Pending, JobStatus::Processing, JobStatus::Paused];
    let job = set_status(
        app,
        &who.tenant,
        id,
        &from,
        JobStatus::Cancelled,
        Update::new(),
    )
    .await?;
    activity::record(
        app,
        &who.tenant,
        "job_cancelled",
        Some(id),
        who.user.as_str(),
        json!({}),
    )
    .await;
    Ok(job)
}

/// Marks a job failed with the reason, for everyone to see.
pub async fn fail(app: &App, tenant: &TenantId, id: &JobId, reason: &str) -> Result<(), AppError> {
    let from = [JobStatus::Pending, JobStatus::Processing];
    match set_status(
        app,
        tenant,
        id,
        &from,
        JobStatus::Failed,
        Update::new().set("lastError", reason),
    )
    .await
    {
        Ok(_) | Err(AppError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    activity::record(
        app,
        tenant,
        "job_failed",
        Some(id),
        "system",
        json!({"error": reason}),
    )
    .await;
    Ok(())
}

/// Daily archival (seed 004): finished jobs older than 90 days are archived; archived jobs
/// older than 180 days are deleted with their results. Returns (archived, deleted).
pub async fn archive_sweep(app: &App, budget: &Budget) -> Result<(usize, usize), AppError> {
    let now = app.clock.now();
    let archive_before = now.plus_seconds(-ARCHIVE_AFTER_DAYS * 86_400).to_key();
    let delete_before = now.plus_seconds(-DELETE_AFTER_DAYS * 86_400).to_key();
    let (mut archived, mut deleted) = (0, 0);
    for partition in keys::all_shards("JOBS#FINISHED#") {
        let mut pages = sweep(&partition, &archive_before);
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            for item in items {
                let (tenant, job): (TenantId, Job) = (tenant_of(&item)?, from_item(item)?);
                let update = Update::new()
                    .set("isArchived", true)
                    .set("archivedAt", now.to_key())
                    .set("GSI4PK", keys::archived(&job.id))
                    .set("GSI4SK", keys::sweep_position(&now, &tenant, &job.id));
                app.table
                    .update(
                        &keys::item(&tenant, &job.id),
                        update,
                        Some(Condition::Exists),
                    )
                    .await?;
                activity::record(
                    app,
                    &tenant,
                    "job_archived",
                    Some(&job.id),
                    "system",
                    json!({}),
                )
                .await;
                archived += 1;
            }
        }
    }
    for partition in keys::all_shards("JOBS#ARCHIVED#") {
        let mut pages = sweep(&partition, &delete_before);
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            for item in items {
                let (tenant, job): (TenantId, Job) = (tenant_of(&item)?, from_item(item)?);
                delete_with_results(app, &tenant, &job.id).await?;
                deleted += 1;
            }
        }
    }
    Ok((archived, deleted))
}

/// Items of a sweep partition older than `before`, oldest first (at most 1000 a run).
fn sweep(partition: &str, before: &str) -> Pages {
    Pages::new(Query::new(Index::Gsi4, partition).sort(SortCondition::Lt(before.into())))
}

async fn delete_with_results(app: &App, tenant: &TenantId, id: &JobId) -> Result<(), AppError> {
    loop {
        let page = app
            .table
            .query(Query::new(Index::Table, keys::results(tenant, id)).limit(500))
            .await?;
        if page.items.is_empty() {
            break;
        }
        let deletes = page
            .items
            .iter()
            .filter_map(Key::of)
            .map(WriteOp::Delete)
            .collect();
        app.table.batch_write(deletes).await?;
    }
    app.table.delete(&keys::item(tenant, id), None).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_uploads_use_the_url_column_or_the_first() {
        let named =
            urls_from_csv("name,Website\nGreen,greenmag.org\n\"Blue, Inc\",https://blue.org/\n")
                .unwrap();
        assert_eq!(named, vec!["greenmag.org", "https://blue.org/"]);
        let bare = urls_from_csv("greenmag.org\nblue.org\n").unwrap();
        assert_eq!(bare, vec!["greenmag.org", "blue.org"]);
        let header = urls_from_csv("Sites\ngreen.org\n").unwrap();
        assert_eq!(header, vec!["green.org"]);
        assert!(urls_from_csv("").is_err());
    }
}
