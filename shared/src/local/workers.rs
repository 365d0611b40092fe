//! The local scheduler and queue workers: the same registry and handlers as the Lambda
//! functions, driven by timers and by polling the local queues.

use crate::app::{App, AppError};
use crate::jobs::schedule::Schedule;
use crate::jobs::{self, JobSpec, Trigger};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Receives one batch of a queue job's messages and handles them; a message that fails
/// stays in the queue, reappears after its visibility timeout, and is dead-lettered after
/// too many receives. Returns how many were handled successfully.
pub async fn drain_once(app: Arc<App>, job: &JobSpec) -> Result<usize, AppError> {
    let queue = match job.trigger {
        Trigger::Queue(queue) => queue,
        Trigger::InboundMail => return drain_inbox(app, job).await,
        _ => return Ok(0),
    };
    let visibility = Duration::from_secs(u64::from(job.function_timeout_secs()) * 6);
    let messages = app
        .queue
        .receive(queue, jobs::BATCH_SIZE, visibility)
        .await?;
    let batch = messages
        .iter()
        .map(|m| (m.id.clone(), m.body.clone()))
        .collect();
    let again = jobs::run_batch(app.clone(), job, batch, jobs::batch::deadline_for(job)).await;
    let mut handled = 0;
    for message in messages.iter().filter(|m| !again.contains(&m.id)) {
        app.queue.delete(queue, &message.receipt).await?;
        handled += 1;
    }
    Ok(handled)
}

/// Ingests the `.eml` files waiting in the inbox folder. A file that cannot be read as
/// mail is set aside in `failed/`; one that failed for a passing reason stays to be tried
/// again.
async fn drain_inbox(app: Arc<App>, job: &JobSpec) -> Result<usize, AppError> {
    let keys = app
        .blobs
        .waiting()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    let mut handled = 0;
    for key in keys {
        let body = serde_json::json!({ "key": key }).to_string();
        let outcome = jobs::run_message(app.clone(), job, &key, body).await;
        let settled = match &outcome {
            Ok(()) => Some(true),
            Err(AppError::Invalid(_)) => Some(false),
            Err(_) => None,
        };
        if let Some(ok) = settled {
            app.blobs
                .settle(&key, ok)
                .await
                .map_err(|e| AppError::Unavailable(e.to_string()))?;
            handled += usize::from(ok);
        }
    }
    Ok(handled)
}

/// Runs every queue job and the inbox until nothing is left to do (the demo, tests);
/// returns how many messages were handled.
pub async fn drain_all(app: Arc<App>) -> Result<usize, AppError> {
    let mut total = 0;
    loop {
        let mut handled = 0;
        for job in jobs::registry() {
            handled += drain_once(app.clone(), &job).await?;
        }
        if handled == 0 {
            return Ok(total);
        }
        total += handled;
    }
}

async fn worker(app: Arc<App>, job: JobSpec, mut stop: watch::Receiver<bool>) {
    loop {
        let idle = match drain_once(app.clone(), &job).await {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => {
                tracing::error!(job = job.name, error = %e, "queue worker failed to poll");
                true
            }
        };
        if idle {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = stop.changed() => return,
            }
        }
        if *stop.borrow() {
            return;
        }
    }
}

async fn scheduler(
    app: Arc<App>,
    job: JobSpec,
    schedule: Schedule,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let now = Utc::now();
        let Some(next) = schedule.next_after(now) else {
            tracing::error!(job = job.name, "schedule has no next firing");
            return;
        };
        let wait = (next - now).to_std().unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        if let Err(e) = jobs::run_scheduled(app.clone(), &job).await {
            tracing::error!(job = job.name, error = %e, "scheduled job failed");
        }
    }
}

/// Starts a task per job: a timer for scheduled jobs, a poller for queue jobs.
pub fn spawn(app: Arc<App>, stop: watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
    jobs::registry()
        .into_iter()
        .filter_map(|job| match job.trigger {
            Trigger::Queue(_) | Trigger::InboundMail => {
                Some(tokio::spawn(worker(app.clone(), job, stop.clone())))
            }
            // SES notifications exist only in the cloud.
            Trigger::Topic(_) => None,
            Trigger::Schedule(expr) => match Schedule::parse(expr) {
                Ok(schedule) => Some(tokio::spawn(scheduler(
                    app.clone(),
                    job,
                    schedule,
                    stop.clone(),
                ))),
                Err(e) => {
                    tracing::error!(job = job.name, error = %e, "job not scheduled");
                    None
                }
            },
        })
        .collect()
}
