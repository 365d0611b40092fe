//! Batch qualification jobs (seed 004): a set of URLs, or a campaign's discovery, taken
//! through crawl and the three layers, with progress counters and a lifecycle.

use super::contacts::RankedContact;
use super::ids::{BacklinkId, CampaignId, JobId, ResultId};
use super::qualify::{Classification, ConfidenceBand, Layer1Factors, Layer2Factors, Layer3Factors};
use super::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Pending,
    Processing,
    Paused,
    Completed,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn is_final(&self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

/// Allowed moves: pending → processing (work starts), processing ⇄ paused, processing →
/// completed (every URL done), pending | processing → failed, and any unfinished job →
/// cancelled.
pub fn can_move(from: JobStatus, to: JobStatus) -> bool {
    use JobStatus::*;
    matches!(
        (from, to),
        (Pending, Processing | Failed | Cancelled | Paused)
            | (Processing, Paused | Completed | Failed | Cancelled)
            | (Paused, Processing | Cancelled)
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: JobId,
    pub name: String,
    pub status: JobStatus,
    /// Set for discovery jobs, and for URL jobs whose passing prospects join a campaign.
    pub campaign_id: Option<CampaignId>,
    /// The search queries run, for discovery jobs.
    pub queries: Vec<String>,
    /// Progress: URLs in the job, finished, and how they finished.
    pub total_urls: u64,
    pub processed_urls: u64,
    pub passed_urls: u64,
    pub rejected_urls: u64,
    pub failed_urls: u64,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub archived_at: Option<Timestamp>,
    pub is_archived: bool,
    pub last_error: Option<String>,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Layer1,
    Layer2,
    Layer3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultState {
    /// Waiting for the crawl.
    Queued,
    /// Crawled, waiting for classification.
    Crawled,
    Done,
    Failed,
    /// The job was cancelled before this URL was finished.
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LayerStatus {
    Pass,
    Reject,
}

/// The crawl's findings as a result shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactSummary {
    pub page_url: Option<String>,
    /// Ranked, best first.
    #[schema(value_type = Vec<Object>)]
    pub emails: Vec<RankedContact>,
    pub name: Option<String>,
    pub reachable: bool,
    pub has_captcha: bool,
    pub is_blocked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobResult {
    pub id: ResultId,
    pub job_id: JobId,
    pub url: String,
    pub domain: String,
    pub state: ResultState,
    pub current_layer: Option<Layer>,
    pub layer1_status: Option<LayerStatus>,
    pub layer2_status: Option<LayerStatus>,
    pub layer3_classification: Option<Classification>,
    pub classification: Option<Classification>,
    pub confidence_band: Option<ConfidenceBand>,
    pub confidence_score: Option<f64>,
    pub layer1_factors: Option<Layer1Factors>,
    pub layer2_factors: Option<Layer2Factors>,
    pub layer3_factors: Option<Layer3Factors>,
    pub layer1_processing_time_ms: Option<u64>,
    pub layer2_processing_time_ms: Option<u64>,
    pub layer3_processing_time_ms: Option<u64>,
    pub total_processing_time_ms: Option<u64>,
    pub layer3_total_cost: Option<f64>,
    pub retry_count: u32,
    pub last_error: Option<String>,
    pub contact: Option<ContactSummary>,
    /// The backlink created when the prospect passed and the job belongs to a campaign.
    pub backlink_id: Option<BacklinkId>,
    pub created_at: Timestamp,
    pub processed_at: Option<Timestamp>,
    pub version: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_moves() {
        use JobStatus::*;
        assert!(can_move(Pending, Processing));
        assert!(can_move(Processing, Paused) && can_move(Paused, Processing));
        assert!(can_move(Paused, Cancelled));
        for done in [Completed, Failed, Cancelled] {
            for to in [Pending, Processing, Paused, Completed] {
                assert!(!can_move(done, to), "{done:?} -> {to:?}");
            }
        }
        assert!(!can_move(Paused, Completed));
    }
}
