//! Batch qualification jobs (seed 004), one module per phase: `intake` (createJob,
//! discoverProspects), `seed` (the queue stage that writes a job's results and queues their
//! crawl, chunk by chunk), `repair` (the sweep that restarts seeding left stuck),
//! `lifecycle` (statuses, pause, resume, cancel, fail), `results` (reading and finishing
//! results) and `archival`. `keys` holds the stored shapes.

mod archival;
mod intake;
pub mod keys;
mod lifecycle;
mod repair;
mod results;
mod seed;

pub use archival::archive_sweep;
pub use intake::{DiscoverRequest, NewJob, create, discover, parse_urls, urls_from_csv};
pub use lifecycle::{cancel, complete_if_done, fail, pause, resume, set_status};
pub use repair::repair_sweep;
pub use results::{
    JobFilter, ResultFilter, UrlOutcome, finish, get, get_result, list, results, save,
};
pub use seed::{SEED_TIMEOUT_SECS, SeedMessage, seed_stage, start_seeding};

use super::enqueue::{ForTenant, send};
use crate::domain::ids::{JobId, ResultId, TenantId};
use crate::ports::table::Condition;
use serde::{Deserialize, Serialize};

pub const DISCOVER_QUEUE: &str = "discover";
pub const SEED_QUEUE: &str = "seed";
pub const CRAWL_QUEUE: &str = "crawl";
pub const QUALIFY_QUEUE: &str = "qualify";
/// Most URLs one job takes.
pub const MAX_URLS: usize = 5_000;

/// A message between pipeline stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StageMessage {
    pub tenant_id: TenantId,
    pub job_id: JobId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_id: Option<ResultId>,
}

/// The job is not finished: pending, processing or paused.
fn unfinished() -> Condition {
    use crate::domain::job::JobStatus::{Paused, Pending, Processing};
    Condition::Or(
        [Pending, Processing, Paused]
            .iter()
            .map(|s| Condition::eq("status", s.as_str()))
            .collect(),
    )
}

impl ForTenant for StageMessage {
    fn tenant(&self) -> &TenantId {
        &self.tenant_id
    }
}
