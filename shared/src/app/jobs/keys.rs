//! Keys and stored shapes of jobs, their results, seed plans and discovery query runs. A
//! job's results, seed chunks and query runs share one partition (so deleting a job
//! deletes them all), told apart by their sort-key prefixes.

use crate::app::entity::{Entity, IndexKey};
use crate::app::store::tenant_partition;
use crate::domain::ids::{JobId, ResultId, TenantId};
use crate::domain::job::{Job, JobResult, JobStatus, QueryRun, SeedChunk, SeedPlan};
use crate::domain::time::Timestamp;
use crate::ports::table::{Index, Key};

const SHARDS: u32 = 4;

pub fn item(tenant: &TenantId, id: &JobId) -> Key {
    Key::new(tenant_partition(tenant), format!("JOB#{id}"))
}

pub const PREFIX: &str = "JOB#";
pub const RESULT_PREFIX: &str = "RESULT#";
pub const CHUNK_PREFIX: &str = "SEED#CHUNK#";
pub const QUERY_PREFIX: &str = "QUERY#";

/// GSI1: a tenant's jobs in one status.
pub fn by_status(tenant: &TenantId, status: JobStatus) -> String {
    format!(
        "{}#JOB#STATUS#{}",
        tenant_partition(tenant),
        status.as_str()
    )
}

/// The partition of a job's results, seed plan and query runs.
pub fn results(tenant: &TenantId, job: &JobId) -> String {
    format!("{}#JOB#{job}", tenant_partition(tenant))
}

pub fn result(tenant: &TenantId, job: &JobId, id: &ResultId) -> Key {
    Key::new(results(tenant, job), format!("{RESULT_PREFIX}{id}"))
}

pub fn seed_plan(tenant: &TenantId, job: &JobId) -> Key {
    Key::new(results(tenant, job), "SEED#PLAN")
}

pub fn seed_chunk(tenant: &TenantId, job: &JobId, index: u32) -> Key {
    Key::new(results(tenant, job), format!("{CHUNK_PREFIX}{index:05}"))
}

pub fn query_run(tenant: &TenantId, job: &JobId, query: u32, provider: &str) -> Key {
    Key::new(
        results(tenant, job),
        format!("{QUERY_PREFIX}{query:03}#{provider}"),
    )
}

fn shard(id: &JobId) -> u32 {
    id.as_str()
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        % SHARDS
}

/// GSI4: finished jobs by finish time, for archival (sharded).
pub fn finished(id: &JobId) -> String {
    format!("JOBS#FINISHED#{}", shard(id))
}

/// GSI4: archived jobs by archive time, for deletion (sharded).
pub fn archived(id: &JobId) -> String {
    format!("JOBS#ARCHIVED#{}", shard(id))
}

/// GSI4: jobs still seeding, by when their seeding last moved, for repair (sharded).
pub fn seeding(id: &JobId) -> String {
    format!("JOBS#SEEDING#{}", shard(id))
}

pub fn sweep_position(at: &Timestamp, tenant: &TenantId, id: &JobId) -> String {
    format!("{}#{tenant}#{id}", at.to_key())
}

pub fn all_shards(prefix: &str) -> Vec<String> {
    (0..SHARDS).map(|s| format!("{prefix}{s}")).collect()
}

impl Entity for Job {
    const TAG: &'static str = "job";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        item(tenant, &self.id)
    }

    fn indexes(&self, tenant: &TenantId) -> Vec<IndexKey> {
        let mut index = vec![IndexKey::new(
            Index::Gsi1,
            by_status(tenant, self.status),
            self.id.to_string(),
        )];
        if let Some(done) = self
            .completed_at
            .filter(|_| self.status.is_final() && !self.is_archived)
        {
            index.push(IndexKey::new(
                Index::Gsi4,
                finished(&self.id),
                sweep_position(&done, tenant, &self.id),
            ));
        } else if self.seeding && !self.status.is_final() {
            index.push(IndexKey::new(
                Index::Gsi4,
                seeding(&self.id),
                sweep_position(&self.created_at, tenant, &self.id),
            ));
        }
        index
    }
}

impl Entity for JobResult {
    const TAG: &'static str = "job_result";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        result(tenant, &self.job_id, &self.id)
    }
}

impl Entity for SeedPlan {
    const TAG: &'static str = "seed_plan";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        seed_plan(tenant, &self.job_id)
    }
}

impl Entity for SeedChunk {
    const TAG: &'static str = "seed_chunk";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        seed_chunk(tenant, &self.job_id, self.index)
    }
}

impl Entity for QueryRun {
    const TAG: &'static str = "query_run";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        query_run(tenant, &self.job_id, self.query, &self.provider)
    }
}
