//! Taking a job in: `createJob` (a URL list or CSV, optionally for a campaign) and
//! `discoverProspects` (keywords through the search providers, or a list). The request
//! only parses and stores; the seed and discover stages do the work.

use super::{DISCOVER_QUEUE, MAX_URLS, StageMessage, send, start_seeding};
use crate::app::{App, AppError, activity, campaigns};
use crate::domain::FieldErrors;
use crate::domain::campaign::Campaign;
use crate::domain::identity::Identity;
use crate::domain::ids::{CampaignId, JobId, TenantId};
use crate::domain::job::{Job, JobStatus};
use crate::domain::text::single_line;
use crate::domain::web::WebUrl;
use crate::ports::table::Condition;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

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
        seeding: false,
        search_failures: Vec::new(),
        version: 1,
    }
}

async fn insert(app: &App, who: &Identity, job: &Job, source: Value) -> Result<(), AppError> {
    app.table
        .put(
            crate::app::entity::item(job, &who.tenant)?,
            Some(Condition::NotExists),
        )
        .await?;
    created(app, who, job, source).await;
    Ok(())
}

async fn created(app: &App, who: &Identity, job: &Job, source: Value) {
    activity::record(
        app,
        &who.tenant,
        "job_created",
        Some(&job.id),
        who.user.as_str(),
        source,
    )
    .await;
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
    let mut job = new_job(app, name, campaign.map(|c| c.id.clone()), vec![]);
    let source = json!({"source": "urls", "urls": urls.len()});
    start_seeding(app, &who.tenant, &job, true, campaign, urls).await?;
    job.seeding = true;
    created(app, who, &job, source).await;
    Ok(job)
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
    let queries = crate::app::discover::footprint_queries(&keywords);
    let job = new_job(app, name, Some(campaign.id.clone()), queries);
    insert(
        app,
        who,
        &job,
        json!({"source": "search", "keywords": keywords}),
    )
    .await?;
    let message = StageMessage {
        tenant_id: who.tenant.clone(),
        job_id: job.id.clone(),
        result_id: None,
    };
    send(app, DISCOVER_QUEUE, &[message]).await?;
    Ok(job)
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
