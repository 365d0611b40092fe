//! `isIndexed` from the index checker (a SERP query per page, which costs money): asked only
//! when a check found the link, at most once a week per link, and never guessed: without a
//! checker, or when it cannot answer, the last answer (or null) stands.

use crate::app::App;
use crate::domain::monitoring::health::LinkHealth;
use crate::domain::time::Timestamp;
use crate::domain::web::WebUrl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long an answer stands before the next found link asks again.
pub const RECHECK_SECS: i64 = 7 * 86_400;

/// What the index checker answered for a check, kept with the check as its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IndexEvidence {
    pub indexed: bool,
    /// The query as a person would type it into the search engine.
    pub checked_query: String,
    pub provider: String,
    /// What the provider charged for this answer, in US dollars.
    pub cost_usd: f64,
}

/// Asks whether `placement` is indexed when it is time to, and records the answer on
/// `health`.
pub async fn refresh(
    app: &App,
    placement: &WebUrl,
    found: bool,
    health: &mut LinkHealth,
    now: Timestamp,
) -> Option<IndexEvidence> {
    let checker = app.index.as_ref()?;
    let fresh = health
        .index_checked_at
        .is_some_and(|at| now.epoch_seconds() - at.epoch_seconds() < RECHECK_SECS);
    if !found || fresh {
        return None;
    }
    match checker.is_indexed(placement.as_url()).await {
        Ok(answer) => {
            health.indexed = Some(answer.indexed);
            health.index_checked_at = Some(now);
            Some(IndexEvidence {
                indexed: answer.indexed,
                checked_query: answer.checked_query,
                provider: answer.provider,
                cost_usd: answer.cost_usd,
            })
        }
        Err(e) => {
            tracing::warn!(%placement, error = %e, "index check failed; isIndexed unchanged");
            None
        }
    }
}
