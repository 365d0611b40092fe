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
    /// Its URLs are still being written and queued by the seed stage; it cannot complete
    /// before that ends.
    #[serde(default)]
    pub seeding: bool,
    /// Discovery queries a search provider failed, while another provider answered.
    #[serde(default)]
    pub search_failures: Vec<SearchFailure>,
    pub version: u64,
}

/// One discovery query one provider could not answer (after its retries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchFailure {
    pub provider: String,
    pub query: String,
    pub error: String,
}

/// What a discovery query returned from one provider, kept so that a redelivered message
/// does not run it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryRun {
    pub job_id: JobId,
    /// The query's position in the job's `queries`.
    pub query: u32,
    pub provider: String,
    /// The hits' URLs in the provider's order, or why the provider failed.
    pub outcome: Result<Vec<String>, String>,
}

/// How a job's URLs are seeded: `chunks` chunks handled one after another, and how many
/// URLs the job may take in all (a campaign's room when the job was created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedPlan {
    pub job_id: JobId,
    pub chunks: u32,
    pub room: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChunkState {
    /// Not started.
    Waiting,
    /// Its URLs were checked (`accepted`) and a worker claimed it to write and queue them.
    Claimed,
    /// Its results are written and their crawl queued.
    Queued,
}

/// Up to [`SeedChunk::MAX_URLS`] URLs of a job, one site each, that one seed message handles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedChunk {
    pub job_id: JobId,
    pub index: u32,
    /// The job-wide position of its first URL (result ids derive from it).
    pub offset: u32,
    pub urls: Vec<String>,
    pub state: ChunkState,
    /// Positions in `urls` that passed the checks, once claimed.
    #[serde(default)]
    pub accepted: Vec<u32>,
    pub claimed_at: Option<Timestamp>,
    pub version: u64,
}

impl SeedChunk {
    pub const MAX_URLS: usize = 500;
    /// Bytes of URL text a chunk holds at most, well inside an item's 400 KB.
    pub const MAX_BYTES: usize = 128 * 1024;

    fn new(job: &JobId, index: usize, offset: usize) -> SeedChunk {
        SeedChunk {
            job_id: job.clone(),
            index: index as u32,
            offset: offset as u32,
            urls: Vec::new(),
            state: ChunkState::Waiting,
            accepted: Vec::new(),
            claimed_at: None,
            version: 1,
        }
    }

    /// Splits URLs into chunks of at most `MAX_URLS` URLs and `MAX_BYTES` bytes, in order;
    /// at least one, so that an empty list still runs the stage that ends the job.
    pub fn split(job: &JobId, urls: Vec<String>) -> Vec<SeedChunk> {
        let mut chunks = vec![Self::new(job, 0, 0)];
        let mut bytes = 0;
        for (offset, url) in urls.into_iter().enumerate() {
            let last = chunks.len() - 1;
            let chunk = &chunks[last];
            if !chunk.urls.is_empty()
                && (chunk.urls.len() >= Self::MAX_URLS || bytes + url.len() > Self::MAX_BYTES)
            {
                bytes = 0;
                chunks.push(Self::new(job, last + 1, offset));
            }
            bytes += url.len();
            if let Some(chunk) = chunks.last_mut() {
                chunk.urls.push(url);
            }
        }
        chunks
    }
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

    #[test]
    fn urls_split_into_chunks_by_count_and_size() {
        let job = JobId::from_uuid(uuid::Uuid::now_v7());
        let urls: Vec<String> = (0..1_201).map(|i| format!("https://s{i}.org/")).collect();
        let chunks = SeedChunk::split(&job, urls);
        let sizes: Vec<_> = chunks
            .iter()
            .map(|c| (c.index, c.offset, c.urls.len()))
            .collect();
        assert_eq!(sizes, vec![(0, 0, 500), (1, 500, 500), (2, 1_000, 201)]);
        let long = vec!["x".repeat(100_000); 3];
        assert_eq!(SeedChunk::split(&job, long).len(), 3);
        assert_eq!(SeedChunk::split(&job, vec![])[0].urls.len(), 0);
    }
}
