//! Discovery: footprint queries from a campaign's keywords, run through every configured
//! search provider (concurrently, each at its own pace, with retries); each query's answer
//! is recorded as it comes, and the hits become the job's URLs through the seed stage.

use super::jobs::{self, StageMessage};
use super::{App, AppError, campaigns, entity};
use crate::domain::ids::{JobId, TenantId};
use crate::domain::job::{Job, JobStatus, QueryRun, SearchFailure};
use crate::domain::web::WebUrl;
use crate::ports::search::{Search, SearchError, SearchHit};
use crate::ports::table::{Condition, Index, Query, SortCondition, Update};
use futures::{StreamExt, TryStreamExt, stream};
use std::collections::HashSet;
use std::time::Duration;

/// Phrases that sites open to contributions put on their pages.
pub const FOOTPRINTS: &[&str] = &[
    "write for us",
    "guest post",
    "contribute",
    "submit a guest post",
    "resource page",
    "useful links",
    "become a contributor",
    "guest author",
];
/// Most queries one discovery runs.
const MAX_QUERIES: usize = 24;
/// Results asked of each provider per query.
const PER_QUERY: usize = 20;
const ATTEMPTS: u32 = 3;

/// `keyword "footprint"` for each keyword and footprint, keywords first.
pub fn footprint_queries(keywords: &[String]) -> Vec<String> {
    FOOTPRINTS
        .iter()
        .flat_map(|f| keywords.iter().map(move |k| format!("{k} \"{f}\"")))
        .take(MAX_QUERIES)
        .collect()
}

/// One query on one provider, retried with backoff while the failure is transient.
async fn search_with_retry(
    provider: &dyn Search,
    query: &str,
    backoff: Duration,
) -> Result<Vec<SearchHit>, SearchError> {
    let mut attempt = 0;
    loop {
        match provider.search(query, PER_QUERY).await {
            Err(e) if e.retryable() && attempt + 1 < ATTEMPTS => {
                tracing::warn!(provider = provider.name(), query, error = %e, "search failed; retrying");
                tokio::time::sleep(backoff * 2u32.pow(attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Queries one provider has in flight at once; `adapters::paced` holds them to its rate.
const IN_FLIGHT: usize = 4;

/// Runs the job's queries on one provider that have no run recorded yet, concurrently,
/// recording each as it finishes (hits or the failure), so a redelivered message skips them.
async fn run_provider(
    app: &App,
    tenant: &TenantId,
    job: &Job,
    provider: &dyn Search,
    done: &HashSet<(u32, String)>,
    backoff: Duration,
) -> Result<(), AppError> {
    let todo = job
        .queries
        .iter()
        .enumerate()
        .map(|(i, q)| (i as u32, q))
        .filter(|(i, _)| !done.contains(&(*i, provider.name().to_string())));
    let runs: Vec<_> = todo
        .map(|(i, query)| run_query(app, tenant, &job.id, provider, i, query, backoff))
        .collect();
    stream::iter(runs)
        .buffer_unordered(IN_FLIGHT)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

/// One query on one provider, recorded: its hits, or why the provider failed.
async fn run_query(
    app: &App,
    tenant: &TenantId,
    job: &JobId,
    provider: &dyn Search,
    query: u32,
    text: &str,
    backoff: Duration,
) -> Result<(), AppError> {
    let outcome = match search_with_retry(provider, text, backoff).await {
        Ok(hits) => Ok(hits.into_iter().map(|h| h.url.to_string()).collect()),
        Err(e) => Err(e.to_string()),
    };
    let run = QueryRun {
        job_id: job.clone(),
        query,
        provider: provider.name().to_string(),
        outcome,
    };
    app.table.put(entity::item(&run, tenant)?, None).await?;
    Ok(())
}

/// The query runs recorded for a job, by query then provider.
async fn query_runs(app: &App, tenant: &TenantId, job: &JobId) -> Result<Vec<QueryRun>, AppError> {
    let mut runs = Vec::new();
    let mut cursor = None;
    loop {
        let page = app
            .table
            .query(
                Query::new(Index::Table, jobs::keys::results(tenant, job))
                    .sort(SortCondition::BeginsWith(jobs::keys::QUERY_PREFIX.into()))
                    .start_after(cursor),
            )
            .await?;
        for item in page.items {
            runs.push(entity::read::<QueryRun>(item)?);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(runs),
        }
    }
}

/// The discover stage: runs the job's queries on every provider and seeds the hits. A
/// provider that fails is recorded on the job (`searchFailures`) while the other's hits are
/// kept; the job fails only when no query got an answer from any provider.
pub async fn run(app: &App, message: &StageMessage, backoff: Duration) -> Result<(), AppError> {
    let tenant = &message.tenant_id;
    let job = jobs::get(app, tenant, &message.job_id).await?;
    if job.status != JobStatus::Pending {
        return Ok(());
    }
    let Some(campaign_id) = &job.campaign_id else {
        return jobs::fail(app, tenant, &job.id, "a discovery job needs a campaign").await;
    };
    let campaign = match campaigns::get(app, tenant, campaign_id).await {
        Ok(c) => c,
        Err(AppError::NotFound(_)) => {
            return jobs::fail(app, tenant, &job.id, "the campaign was deleted").await;
        }
        Err(e) => return Err(e),
    };
    let done: HashSet<(u32, String)> = query_runs(app, tenant, &job.id)
        .await?
        .into_iter()
        .map(|r| (r.query, r.provider))
        .collect();
    let providers = app
        .search
        .iter()
        .map(|p| run_provider(app, tenant, &job, p.as_ref(), &done, backoff));
    futures::future::try_join_all(providers).await?;
    let mut runs = query_runs(app, tenant, &job.id).await?;
    // The order the hits are seeded in: query by query, providers in their configured order.
    let rank = |name: &str| app.search.iter().position(|p| p.name() == name);
    runs.sort_by_key(|r| (r.query, rank(&r.provider)));
    let mut urls: Vec<WebUrl> = Vec::new();
    let mut failures = Vec::new();
    for run in runs {
        match run.outcome {
            Ok(hits) => urls.extend(hits.iter().filter_map(|u| WebUrl::parse(u).ok())),
            Err(error) => failures.push(SearchFailure {
                provider: run.provider,
                query: job
                    .queries
                    .get(run.query as usize)
                    .cloned()
                    .unwrap_or_default(),
                error,
            }),
        }
    }
    let answered = failures.len() < job.queries.len() * app.search.len();
    if !failures.is_empty() {
        let recorded = serde_json::to_value(&failures)
            .map_err(|e| AppError::internal(format!("search failures: {e}")))?;
        app.table
            .update(
                &jobs::keys::item(tenant, &job.id),
                Update::new().set("searchFailures", recorded),
                Some(Condition::Exists),
            )
            .await?;
    }
    if !answered && !job.queries.is_empty() {
        let reason = format!("discovery stopped: {}", failures[0].error);
        return jobs::fail(app, tenant, &job.id, &reason).await;
    }
    jobs::start_seeding(app, tenant, &job, false, Some(&campaign), urls).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_pair_keywords_with_footprints() {
        let q = footprint_queries(&["vegan recipes".into(), "meal prep".into()]);
        assert_eq!(q[0], "vegan recipes \"write for us\"");
        assert_eq!(q[1], "meal prep \"write for us\"");
        assert_eq!(q.len(), 16);
        let many: Vec<String> = (0..10).map(|i| format!("k{i}")).collect();
        assert_eq!(footprint_queries(&many).len(), MAX_QUERIES);
    }
}
