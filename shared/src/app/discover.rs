//! Discovery: footprint queries from a campaign's keywords, run through every configured
//! search provider with retries; the hits become the job's URLs.

use super::jobs::{self, StageMessage};
use super::{App, AppError, campaigns};
use crate::domain::job::JobStatus;
use crate::domain::web::WebUrl;
use crate::ports::search::{Search, SearchError, SearchHit};
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

/// The discover stage: runs the job's queries and seeds its results. A provider that
/// stays down fails the job with the reason, rather than finding nothing quietly.
pub async fn run(app: &App, message: &StageMessage, backoff: Duration) -> Result<(), AppError> {
    let tenant = &message.tenant_id;
    let job = jobs::get(app, tenant, &message.job_id).await?;
    if job.status != JobStatus::Pending || job.total_urls > 0 {
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
    let mut urls: Vec<WebUrl> = Vec::new();
    for query in &job.queries {
        for provider in &app.search {
            match search_with_retry(provider.as_ref(), query, backoff).await {
                Ok(hits) => urls.extend(
                    hits.into_iter()
                        .filter_map(|h| WebUrl::parse(h.url.as_str()).ok()),
                ),
                Err(e) => {
                    let reason = format!("discovery stopped: {e}");
                    return jobs::fail(app, tenant, &job.id, &reason).await;
                }
            }
        }
    }
    let planned = jobs::plan(app, tenant, Some(&campaign), urls).await?;
    jobs::seed(app, tenant, &job, planned).await?;
    Ok(())
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
