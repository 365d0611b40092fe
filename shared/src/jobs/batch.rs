//! A batch of queue messages within its function's time limit: each message is started only
//! while a whole message limit is left before the batch's deadline, a message no retry can
//! help goes to the dead-letter queue at once, and everything not done goes back to the queue.

use super::{JobSpec, run_message};
use crate::app::{App, AppError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Messages one invocation carries (the SQS event source's `BatchSize`).
pub const BATCH_SIZE: u32 = 10;
/// Time kept at the end of an invocation to answer before the function's timeout.
pub const ANSWER_MARGIN_SECS: u32 = 5;

/// Handles a batch of messages, one span each, until `deadline` (the invocation's end);
/// returns the ids the queue must deliver again: those that failed for a passing reason and
/// those not started in time. A message whose handler fails for good (corrupt data, a body
/// that is not a message) is moved to the job's dead-letter queue and counts as done.
pub async fn run_batch(
    app: Arc<App>,
    job: &JobSpec,
    messages: Vec<(String, String)>,
    deadline: Instant,
) -> Vec<String> {
    if job.concurrent_batch {
        let runs = messages
            .into_iter()
            .map(|(id, body)| one(app.clone(), job, id, body, deadline));
        return futures::future::join_all(runs)
            .await
            .into_iter()
            .flatten()
            .collect();
    }
    let mut again = Vec::new();
    for (id, body) in messages {
        again.extend(one(app.clone(), job, id, body, deadline).await);
    }
    again
}

/// Handles one message if a whole message limit is left before `deadline`; answers its id
/// when the queue must deliver it again.
async fn one(
    app: Arc<App>,
    job: &JobSpec,
    id: String,
    body: String,
    deadline: Instant,
) -> Option<String> {
    let needed = Duration::from_secs(u64::from(job.timeout_secs + ANSWER_MARGIN_SECS));
    if deadline.saturating_duration_since(Instant::now()) < needed {
        tracing::info!(
            job = job.name,
            id,
            "not started before the batch's deadline"
        );
        return Some(id);
    }
    let error = run_message(app.clone(), job, &id, body.clone())
        .await
        .err()?;
    (error.is_retryable() || !dead_letter(&app, job, &id, body, &error).await).then_some(id)
}

/// Moves a message no retry can help to its dead-letter queue; false if it could not be
/// moved (it is then retried, and dead-lettered by the queue after its receive limit). A
/// job fed by SES or SNS has no queue of its own: its invocation fails, and Lambda's
/// asynchronous retries end in that function's dead-letter queue, so the event is kept.
async fn dead_letter(app: &App, job: &JobSpec, id: &str, body: String, error: &AppError) -> bool {
    let Some(queue) = job.queue() else {
        return false;
    };
    match app.queue.dead_letter(queue, body).await {
        Ok(()) => {
            tracing::error!(job = job.name, id, %error, "message moved to the dead-letter queue");
            true
        }
        Err(e) => {
            tracing::error!(job = job.name, id, %error, queue_error = %e, "cannot dead-letter the message");
            false
        }
    }
}

/// The deadline of a batch that starts now in a function with this job's timeout.
pub fn deadline_for(job: &JobSpec) -> Instant {
    Instant::now() + Duration::from_secs(u64::from(job.function_timeout_secs()))
}
