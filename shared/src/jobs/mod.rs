//! The job registry: every background job with its trigger and handler. The same list
//! drives the Lambda functions, the EventBridge rules and SQS mappings in template.yaml
//! (checked by a test), and the local scheduler and queue workers.

pub mod schedule;

use crate::app::{App, AppError, link_health};
use futures::future::BoxFuture;
use serde::Serialize;
use std::sync::Arc;

/// A queue between stages. Each has a dead-letter queue after `max_receives` deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSpec {
    pub name: &'static str,
    pub max_receives: u32,
}

pub const QUEUES: &[QueueSpec] = &[QueueSpec {
    name: link_health::QUEUE,
    max_receives: 5,
}];

pub fn queue_names() -> Vec<&'static str> {
    QUEUES.iter().map(|q| q.name).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// An EventBridge schedule expression: `cron(...)` or `rate(...)`.
    Schedule(&'static str),
    /// Messages of this queue, in batches.
    Queue(&'static str),
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobReport {
    pub job: String,
    /// What the run did, e.g. how many items it queued.
    pub summary: String,
}

pub type ScheduledFn = fn(Arc<App>) -> BoxFuture<'static, Result<String, AppError>>;
pub type MessageFn = fn(Arc<App>, String) -> BoxFuture<'static, Result<(), AppError>>;

#[derive(Clone, Copy)]
pub enum Run {
    Scheduled(ScheduledFn),
    Message(MessageFn),
}

#[derive(Clone)]
pub struct Job {
    pub name: &'static str,
    pub description: &'static str,
    pub trigger: Trigger,
    /// The Lambda timeout; queue visibility timeouts are six times this.
    pub timeout_secs: u32,
    pub run: Run,
}

async fn link_health_sweep(app: Arc<App>) -> Result<String, AppError> {
    let queued = link_health::sweep(&app).await?;
    Ok(format!("queued {queued} links for a health check"))
}

async fn link_check(app: Arc<App>, body: String) -> Result<(), AppError> {
    let request: link_health::CheckRequest = serde_json::from_str(&body)
        .map_err(|e| AppError::invalid("message", format!("not a link check request: {e}")))?;
    let verdict = link_health::check(&app, &request).await?;
    tracing::info!(backlink = %request.backlink_id, ?verdict, "link checked");
    Ok(())
}

pub fn registry() -> Vec<Job> {
    vec![
        Job {
            name: "link-health-sweep",
            description: "Queues placed links not checked for a day (daily, 05:00 UTC)",
            trigger: Trigger::Schedule("cron(0 5 * * ? *)"),
            timeout_secs: 300,
            run: Run::Scheduled(|app| Box::pin(link_health_sweep(app))),
        },
        Job {
            name: "link-check",
            description: "Fetches a source page and records whether the link is live",
            trigger: Trigger::Queue(link_health::QUEUE),
            timeout_secs: 60,
            run: Run::Message(|app, body| Box::pin(link_check(app, body))),
        },
    ]
}

pub fn by_name(name: &str) -> Option<Job> {
    registry().into_iter().find(|j| j.name == name)
}

/// Runs a scheduled job once, with a span naming it.
pub async fn run_scheduled(app: Arc<App>, job: &Job) -> Result<JobReport, AppError> {
    let Run::Scheduled(run) = job.run else {
        return Err(AppError::invalid(
            "name",
            format!("{} is fed by a queue, not run on a schedule", job.name),
        ));
    };
    let span = tracing::info_span!("job", name = job.name);
    let summary = tracing::Instrument::instrument(run(app), span).await?;
    tracing::info!(job = job.name, %summary, "job finished");
    Ok(JobReport {
        job: job.name.to_string(),
        summary,
    })
}

/// Handles one queue message, with a span naming the job and message.
pub async fn run_message(app: Arc<App>, job: &Job, id: &str, body: String) -> Result<(), AppError> {
    let Run::Message(run) = job.run else {
        return Err(AppError::invalid(
            "name",
            format!("{} is not a queue consumer", job.name),
        ));
    };
    let span = tracing::info_span!("message", job = job.name, id);
    let result = tracing::Instrument::instrument(run(app, body), span).await;
    if let Err(e) = &result {
        tracing::warn!(job = job.name, id, error = %e, "message failed; it will be retried");
    }
    result
}

/// Handles a batch of queue messages, one span each; returns the ids of those that failed
/// so the queue redelivers only them (SQS partial batch responses).
pub async fn run_batch(app: Arc<App>, job: &Job, messages: Vec<(String, String)>) -> Vec<String> {
    let mut failed = Vec::new();
    for (id, body) in messages {
        if run_message(app.clone(), job, &id, body).await.is_err() {
            failed.push(id);
        }
    }
    failed
}
