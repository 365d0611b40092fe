//! The job registry: every background job with its trigger and handler. The same list
//! drives the Lambda functions, the EventBridge rules and SQS mappings in template.yaml
//! (checked by a test), and the local scheduler and queue workers.

pub mod batch;
pub mod schedule;

pub use batch::{BATCH_SIZE, run_batch};

use crate::app::jobs::{
    CRAWL_QUEUE, DISCOVER_QUEUE, QUALIFY_QUEUE, SEED_QUEUE, SeedMessage, StageMessage,
};
use crate::app::monitoring::{self, planned::PlannedCheckRequest, sweep::Reach};
use crate::app::outreach::followups;
use crate::app::outreach::sending::{self, SEND_QUEUE, SendMessage};
use crate::app::plans::imports;
use crate::app::sweep::Budget;
use crate::app::{
    App, AppError, discover, jobs as job_use_cases, link_health, opportunities, pipeline, replies,
    webhooks,
};
use futures::future::BoxFuture;
use serde::Serialize;
use std::sync::Arc;

/// A queue between stages. Each has a dead-letter queue after `max_receives` deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSpec {
    pub name: &'static str,
    pub max_receives: u32,
}

pub const QUEUES: &[QueueSpec] = &[
    QueueSpec {
        name: DISCOVER_QUEUE,
        max_receives: 3,
    },
    QueueSpec {
        name: SEED_QUEUE,
        max_receives: 5,
    },
    QueueSpec {
        name: CRAWL_QUEUE,
        max_receives: 5,
    },
    QueueSpec {
        name: QUALIFY_QUEUE,
        max_receives: 5,
    },
    QueueSpec {
        name: link_health::QUEUE,
        max_receives: 5,
    },
    QueueSpec {
        name: SEND_QUEUE,
        max_receives: 5,
    },
    QueueSpec {
        name: imports::QUEUE,
        max_receives: 5,
    },
    QueueSpec {
        name: opportunities::export_imports::QUEUE,
        max_receives: 3,
    },
    QueueSpec {
        name: webhooks::QUEUE,
        max_receives: 5,
    },
];

pub fn queue_names() -> Vec<&'static str> {
    QUEUES.iter().map(|q| q.name).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// An EventBridge schedule expression: `cron(...)` or `rate(...)`.
    Schedule(&'static str),
    /// Messages of this queue, in batches.
    Queue(&'static str),
    /// Inbound mail: the SES receipt rule stores each message in S3 and invokes the job
    /// with its key (local mode: `.eml` files in the inbox folder).
    InboundMail,
    /// Notifications published to this SNS topic.
    Topic(&'static str),
}

/// The SNS topic of SES bounce and complaint notifications.
pub const FEEDBACK_TOPIC: &str = "ses-feedback";

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobReport {
    pub job: String,
    /// What the run did, e.g. how many items it queued.
    pub summary: String,
}

/// A scheduled job, given the share of its time limit it may spend working.
pub type ScheduledFn = fn(Arc<App>, Budget) -> BoxFuture<'static, Result<String, AppError>>;
pub type MessageFn = fn(Arc<App>, String) -> BoxFuture<'static, Result<(), AppError>>;

#[derive(Clone, Copy)]
pub enum Run {
    Scheduled(ScheduledFn),
    Message(MessageFn),
}

#[derive(Clone)]
pub struct JobSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub trigger: Trigger,
    /// How long one run or one message may take. A scheduled job's Lambda timeout is this;
    /// a queue job's is [`JobSpec::function_timeout_secs`].
    pub timeout_secs: u32,
    /// A queue job's concurrency: its function's reserved concurrency and its event
    /// source's maximum concurrency, equal (docs/decisions.md, "Fairness between tenants").
    pub concurrency: Option<u32>,
    /// Whether an invocation handles its batch's messages at once rather than in turn: for
    /// jobs whose messages each wait on another host, so one slow host holds up only itself.
    pub concurrent_batch: bool,
    pub run: Run,
}

/// The longest a Lambda function may run.
const LAMBDA_MAX_TIMEOUT_SECS: u32 = 900;

impl JobSpec {
    /// The Lambda function's timeout. A queue job's batch has room for three whole messages
    /// and the margin to answer; a message is started only while a whole message limit is
    /// left (see `batch`), so a slow batch hands its rest back to the queue instead of being
    /// killed part way. Queue visibility timeouts are six times this.
    pub fn function_timeout_secs(&self) -> u32 {
        match self.trigger {
            Trigger::Queue(_) => {
                (3 * self.timeout_secs + batch::ANSWER_MARGIN_SECS).min(LAMBDA_MAX_TIMEOUT_SECS)
            }
            _ => self.timeout_secs,
        }
    }

    /// The queue a queue job consumes.
    pub fn queue(&self) -> Option<&'static str> {
        match self.trigger {
            Trigger::Queue(queue) => Some(queue),
            _ => None,
        }
    }
}

async fn link_health_sweep(app: Arc<App>, budget: Budget) -> Result<String, AppError> {
    let queued = link_health::sweep(&app, &budget).await?;
    let confirming = monitoring::sweep::sweep(&app, &budget, Reach::Due).await?;
    Ok(format!(
        "queued {queued} backlinks and {confirming} planned links awaiting confirmation for a health check"
    ))
}

async fn backlink_import(app: Arc<App>, body: String) -> Result<(), AppError> {
    let message: opportunities::export_imports::ImportMessage = serde_json::from_str(&body)
        .map_err(|e| AppError::invalid("message", format!("not a backlink import: {e}")))?;
    opportunities::export_imports::run(&app, &message).await
}

async fn opportunity_matcher(app: Arc<App>, budget: Budget) -> Result<String, AppError> {
    let created = opportunities::matcher::sweep(&app, &budget).await?;
    Ok(format!("made {created} directory opportunities"))
}

async fn planned_link_sweep(app: Arc<App>, budget: Budget) -> Result<String, AppError> {
    let queued = monitoring::sweep::sweep(&app, &budget, Reach::All).await?;
    Ok(format!(
        "queued {queued} planned links for their weekly check"
    ))
}

async fn link_check(app: Arc<App>, body: String) -> Result<(), AppError> {
    if let Ok(planned) = serde_json::from_str::<PlannedCheckRequest>(&body) {
        let policy = app.link_health;
        let (tenant, plan, link) = (
            &planned.tenant_id,
            &planned.plan_id,
            &planned.planned_link_id,
        );
        return match monitoring::planned::check(&app, tenant, plan, link, &policy).await {
            Ok(check) => {
                tracing::info!(planned_link = %link, health = ?check.observed.health, "planned link checked");
                Ok(())
            }
            // Deleted, or no longer checkable, since it was queued.
            Err(AppError::NotFound(_) | AppError::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        };
    }
    let request: link_health::CheckRequest = serde_json::from_str(&body)
        .map_err(|e| AppError::invalid("message", format!("not a link check request: {e}")))?;
    let health = link_health::check(&app, &request).await?;
    tracing::info!(backlink = %request.backlink_id, ?health, "link checked");
    Ok(())
}

fn stage_message(body: &str) -> Result<StageMessage, AppError> {
    serde_json::from_str(body)
        .map_err(|e| AppError::invalid("message", format!("not a stage message: {e}")))
}

/// First wait between attempts at a failing search provider (doubled each time).
const SEARCH_BACKOFF: std::time::Duration = std::time::Duration::from_secs(1);

async fn discover_stage(app: Arc<App>, body: String) -> Result<(), AppError> {
    discover::run(&app, &stage_message(&body)?, SEARCH_BACKOFF).await
}

async fn seed_stage(app: Arc<App>, body: String) -> Result<(), AppError> {
    let message: SeedMessage = serde_json::from_str(&body)
        .map_err(|e| AppError::invalid("message", format!("not a seed message: {e}")))?;
    job_use_cases::seed_stage(&app, &message).await
}

async fn job_repair(app: Arc<App>, budget: Budget) -> Result<String, AppError> {
    let repaired = job_use_cases::repair_sweep(&app, &budget).await?;
    Ok(format!("restarted the seeding of {repaired} jobs"))
}

async fn crawl_stage(app: Arc<App>, body: String) -> Result<(), AppError> {
    pipeline::crawl_stage(&app, &stage_message(&body)?).await
}

async fn qualify_stage(app: Arc<App>, body: String) -> Result<(), AppError> {
    pipeline::qualify_stage(&app, &stage_message(&body)?).await
}

async fn job_archival(app: Arc<App>, budget: Budget) -> Result<String, AppError> {
    let (archived, deleted) = job_use_cases::archive_sweep(&app, &budget).await?;
    Ok(format!("archived {archived} jobs, deleted {deleted}"))
}

async fn send_scheduler(app: Arc<App>, budget: Budget) -> Result<String, AppError> {
    let released = sending::schedule(&app, &budget).await?;
    Ok(format!("released {released} emails to the send queue"))
}

async fn send_stage(app: Arc<App>, body: String) -> Result<(), AppError> {
    let message: SendMessage = serde_json::from_str(&body)
        .map_err(|e| AppError::invalid("message", format!("not a send message: {e}")))?;
    sending::send_stage(&app, &message).await
}

async fn follow_up_sweep(app: Arc<App>, budget: Budget) -> Result<String, AppError> {
    let queued = followups::sweep(&app, &budget).await?;
    Ok(format!("queued {queued} follow-ups"))
}

async fn reply_ingest(app: Arc<App>, body: String) -> Result<(), AppError> {
    let object: replies::ingest::InboundObject = serde_json::from_str(&body)
        .map_err(|e| AppError::invalid("message", format!("not an inbound object: {e}")))?;
    let outcome = replies::ingest::ingest_object(&app, &object).await?;
    tracing::info!(key = %object.key, %outcome, "inbound mail ingested");
    Ok(())
}

async fn ses_feedback(app: Arc<App>, body: String) -> Result<(), AppError> {
    match replies::feedback::handle(&app, &body).await? {
        Some(outcome) => tracing::info!(%outcome, "SES notification handled"),
        None => tracing::info!("SES notification ignored"),
    }
    Ok(())
}

async fn page_import(app: Arc<App>, body: String) -> Result<(), AppError> {
    let message: imports::ImportMessage = serde_json::from_str(&body)
        .map_err(|e| AppError::invalid("message", format!("not a page import: {e}")))?;
    imports::run(&app, &message).await
}

async fn webhook_delivery(app: Arc<App>, body: String) -> Result<(), AppError> {
    webhooks::job::run(&app, &body).await
}

pub fn registry() -> Vec<JobSpec> {
    vec![
        JobSpec {
            name: "reply-ingest",
            description: "Reads an inbound message, threads it to its attempt, classifies it and applies its effects",
            trigger: Trigger::InboundMail,
            timeout_secs: 60,
            concurrency: None,
            concurrent_batch: false,
            run: Run::Message(|app, body| Box::pin(reply_ingest(app, body))),
        },
        JobSpec {
            name: "ses-feedback",
            description: "Applies SES bounce and complaint notifications (suppression, attempt marked)",
            trigger: Trigger::Topic(FEEDBACK_TOPIC),
            timeout_secs: 30,
            concurrency: None,
            concurrent_batch: false,
            run: Run::Message(|app, body| Box::pin(ses_feedback(app, body))),
        },
        JobSpec {
            name: "send-scheduler",
            description: "Releases approved emails inside each tenant's send window (every 5 minutes)",
            trigger: Trigger::Schedule("rate(5 minutes)"),
            timeout_secs: 120,
            concurrency: None,
            concurrent_batch: false,
            run: Run::Scheduled(|app, budget| Box::pin(send_scheduler(app, budget))),
        },
        JobSpec {
            name: "send",
            description: "Checks the policy, claims the send and its caps, and sends one email",
            trigger: Trigger::Queue(SEND_QUEUE),
            timeout_secs: sending::SEND_TIMEOUT_SECS,
            // The template's SendConcurrency default: SES's send rate sets it per account.
            concurrency: Some(5),
            concurrent_batch: false,
            run: Run::Message(|app, body| Box::pin(send_stage(app, body))),
        },
        JobSpec {
            name: "follow-up-sweep",
            description: "Queues follow-ups that are due (every 15 minutes)",
            trigger: Trigger::Schedule("rate(15 minutes)"),
            timeout_secs: 120,
            concurrency: None,
            concurrent_batch: false,
            run: Run::Scheduled(|app, budget| Box::pin(follow_up_sweep(app, budget))),
        },
        JobSpec {
            name: "discover",
            description: "Runs a discovery job's search queries and hands their hits to the seed stage",
            trigger: Trigger::Queue(DISCOVER_QUEUE),
            timeout_secs: 300,
            concurrency: Some(4),
            concurrent_batch: false,
            run: Run::Message(|app, body| Box::pin(discover_stage(app, body))),
        },
        JobSpec {
            name: "seed",
            description: "Checks one chunk of a job's URLs, writes their results and queues their crawl",
            trigger: Trigger::Queue(SEED_QUEUE),
            timeout_secs: job_use_cases::SEED_TIMEOUT_SECS,
            concurrency: Some(4),
            concurrent_batch: false,
            run: Run::Message(|app, body| Box::pin(seed_stage(app, body))),
        },
        JobSpec {
            name: "job-repair",
            description: "Queues again the seeding of jobs whose seeding stopped moving (every 15 minutes)",
            trigger: Trigger::Schedule("rate(15 minutes)"),
            timeout_secs: 120,
            concurrency: None,
            concurrent_batch: false,
            run: Run::Scheduled(|app, budget| Box::pin(job_repair(app, budget))),
        },
        JobSpec {
            name: "crawl",
            description: "Layer 1, then crawls the site for contacts and signals (cached 14 days)",
            trigger: Trigger::Queue(CRAWL_QUEUE),
            timeout_secs: 120,
            concurrency: Some(20),
            concurrent_batch: false,
            run: Run::Message(|app, body| Box::pin(crawl_stage(app, body))),
        },
        JobSpec {
            name: "qualify",
            description: "Layers 2 and 3, confidence, and the backlink for a passing prospect",
            trigger: Trigger::Queue(QUALIFY_QUEUE),
            timeout_secs: 120,
            concurrency: Some(10),
            concurrent_batch: false,
            run: Run::Message(|app, body| Box::pin(qualify_stage(app, body))),
        },
        JobSpec {
            name: "job-archival",
            description: "Archives finished jobs after 90 days, deletes them after 180 (daily, 02:00 UTC)",
            trigger: Trigger::Schedule("cron(0 2 * * ? *)"),
            timeout_secs: 300,
            concurrency: None,
            concurrent_batch: false,
            run: Run::Scheduled(|app, budget| Box::pin(job_archival(app, budget))),
        },
        JobSpec {
            name: "link-health-sweep",
            description: "Queues placed links that are due: a day after their last check, or a finding's confirmation, planned links' too (hourly)",
            trigger: Trigger::Schedule("rate(1 hour)"),
            timeout_secs: 300,
            concurrency: None,
            concurrent_batch: false,
            run: Run::Scheduled(|app, budget| Box::pin(link_health_sweep(app, budget))),
        },
        JobSpec {
            name: "backlink-import",
            description: "Reads an uploaded backlink export as a stream and keeps its referring domains for the competitor gap",
            trigger: Trigger::Queue(opportunities::export_imports::QUEUE),
            timeout_secs: 240,
            concurrency: Some(2),
            concurrent_batch: false,
            run: Run::Message(|app, body| Box::pin(backlink_import(app, body))),
        },
        JobSpec {
            name: "opportunity-matcher",
            description: "Matches the directory catalogue to every tenant's business profile: a directory_opportunity backlink for each fitting directory a tenant does not have (daily)",
            trigger: Trigger::Schedule("cron(0 4 * * ? *)"),
            timeout_secs: 300,
            concurrency: None,
            concurrent_batch: false,
            run: Run::Scheduled(|app, budget| Box::pin(opportunity_matcher(app, budget))),
        },
        JobSpec {
            name: "planned-link-sweep",
            description: "Queues every ordered, live or lost planned link with a placement URL for its weekly check (seed 002: Thursdays 03:00 UTC)",
            trigger: Trigger::Schedule("cron(0 3 ? * THU *)"),
            timeout_secs: 300,
            concurrency: None,
            concurrent_batch: false,
            run: Run::Scheduled(|app, budget| Box::pin(planned_link_sweep(app, budget))),
        },
        JobSpec {
            name: "link-check",
            description: "Checks one backlink's or planned link's placement page and applies the findings to its health",
            trigger: Trigger::Queue(link_health::QUEUE),
            timeout_secs: 60,
            concurrency: Some(10),
            // Each message fetches its own host (politeness holds each host to its pace).
            concurrent_batch: true,
            run: Run::Message(|app, body| Box::pin(link_check(app, body))),
        },
        JobSpec {
            name: "page-import",
            description: "Fetches a site's sitemap when asked, and writes an import's pages a batch at a time",
            trigger: Trigger::Queue(imports::QUEUE),
            timeout_secs: 300,
            concurrency: Some(2),
            concurrent_batch: false,
            run: Run::Message(|app, body| Box::pin(page_import(app, body))),
        },
        JobSpec {
            name: "webhook-delivery",
            description: "Fans each domain event out to the tenant's webhooks, and makes one signed attempt at a delivery (retries wait in the queue)",
            trigger: Trigger::Queue(webhooks::QUEUE),
            timeout_secs: webhooks::job::TIMEOUT_SECS,
            concurrency: Some(5),
            concurrent_batch: false,
            run: Run::Message(|app, body| Box::pin(webhook_delivery(app, body))),
        },
    ]
}

pub fn by_name(name: &str) -> Option<JobSpec> {
    registry().into_iter().find(|j| j.name == name)
}

/// Runs a scheduled job once, with a span naming it.
pub async fn run_scheduled(app: Arc<App>, job: &JobSpec) -> Result<JobReport, AppError> {
    let Run::Scheduled(run) = job.run else {
        return Err(AppError::invalid(
            "name",
            format!("{} is fed by a queue, not run on a schedule", job.name),
        ));
    };
    let span = tracing::info_span!("job", name = job.name);
    let budget = Budget::for_job_secs(job.timeout_secs);
    let summary = tracing::Instrument::instrument(run(app, budget), span).await?;
    tracing::info!(job = job.name, %summary, "job finished");
    Ok(JobReport {
        job: job.name.to_string(),
        summary,
    })
}

/// Handles one queue message, with a span naming the job and message, within the job's
/// time limit: locally as in Lambda, a handler never outlives it (the send stage counts on
/// that to tell a live claim from an abandoned one).
pub async fn run_message(
    app: Arc<App>,
    job: &JobSpec,
    id: &str,
    body: String,
) -> Result<(), AppError> {
    let Run::Message(run) = job.run else {
        return Err(AppError::invalid(
            "name",
            format!("{} is not a queue consumer", job.name),
        ));
    };
    let span = tracing::info_span!("message", job = job.name, id);
    let limit = std::time::Duration::from_secs(u64::from(job.timeout_secs));
    let result = tokio::time::timeout(limit, tracing::Instrument::instrument(run(app, body), span))
        .await
        .unwrap_or_else(|_| {
            Err(AppError::Unavailable(format!(
                "{} ran out of its {} s",
                job.name, job.timeout_secs
            )))
        });
    if let Err(e) = &result {
        tracing::warn!(job = job.name, id, error = %e, "message failed; it will be retried");
    }
    result
}
