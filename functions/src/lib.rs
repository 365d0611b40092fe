//! The glue every Lambda binary shares: build the adapters once, then serve one route or
//! one job from the core crate's route table and job registry.

use aws_lambda_events::event::ses::SimpleEmailEvent;
use aws_lambda_events::event::sns::SnsEvent;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use backlinks_core::app::App;
use backlinks_core::http::Api;
use backlinks_core::http::routes::by_operation;
use backlinks_core::jobs::{self, JobSpec, Run, Trigger};
use lambda_http::{Body, Request, service_fn};
use lambda_runtime::LambdaEvent;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type Error = lambda_runtime::Error;

fn to_core(req: Request) -> http::Request<bytes::Bytes> {
    let (parts, body) = req.into_parts();
    http::Request::from_parts(parts, bytes::Bytes::copy_from_slice(&body))
}

fn from_core(response: http::Response<bytes::Bytes>) -> lambda_http::Response<Body> {
    response.map(|bytes| match String::from_utf8(bytes.to_vec()) {
        Ok(text) if text.is_empty() => Body::Empty,
        Ok(text) => Body::Text(text),
        Err(e) => Body::Binary(e.into_bytes()),
    })
}

/// Runs a function's async entry point on a runtime built here, so that each binary's
/// `main` is one call into this crate and the async machinery is compiled once, not once
/// per binary.
fn block_on(entry: impl std::future::Future<Output = Result<(), Error>>) -> Result<(), Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(entry)
}

/// Serves the route with this operationId. Never inlined: inlining would instantiate the
/// whole async stack again in every binary.
#[inline(never)]
pub fn http_route(operation_id: &str) -> Result<(), Error> {
    block_on(serve_route(operation_id))
}

/// Runs the job with this name: on its schedule, or for each batch of its queue.
#[inline(never)]
pub fn job(name: &str) -> Result<(), Error> {
    block_on(run_job(name))
}

async fn serve_route(operation_id: &str) -> Result<(), Error> {
    backlinks_core::telemetry::init(true, "info");
    let route = by_operation(operation_id).ok_or_else(|| format!("no route {operation_id}"))?;
    let cloud = backlinks_core::cloud::build()?;
    let api = Arc::new(Api::new(cloud.app, cloud.verifier, vec![route]));
    lambda_http::run(service_fn(move |req: Request| {
        let api = api.clone();
        async move { Ok::<_, Error>(from_core(api.handle(to_core(req)).await)) }
    }))
    .await
}

/// Where the receipt rule's S3 action stores messages: this prefix, then SES's message id.
pub const INBOUND_PREFIX_VAR: &str = "INBOUND_PREFIX";

/// The reply-ingest job's messages for an SES receipt event: each stored object's key and
/// the envelope recipients SES saw.
pub fn inbound_messages(event: SimpleEmailEvent, prefix: &str) -> Vec<(String, String)> {
    event
        .records
        .into_iter()
        .filter_map(|r| {
            let id = r.ses.mail.message_id?;
            let object = serde_json::json!({
                "key": format!("{prefix}{id}"),
                "recipients": r.ses.receipt.recipients,
            });
            Some((id, object.to_string()))
        })
        .collect()
}

/// The messages of an SNS event: each notification's body.
pub fn topic_messages(event: SnsEvent) -> Vec<(String, String)> {
    event
        .records
        .into_iter()
        .map(|r| (r.sns.message_id, r.sns.message))
        .collect()
}

/// Runs a batch for an event source that retries the whole invocation (SES, SNS): any
/// failure fails the invocation, and the handlers are idempotent, so a retry is safe.
pub async fn run_all(
    app: Arc<App>,
    job: &JobSpec,
    messages: Vec<(String, String)>,
    deadline: Instant,
) -> Result<(), Error> {
    let failed = jobs::run_batch(app, job, messages, deadline).await;
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} of the messages failed: {}",
            failed.len(),
            failed.join(", ")
        )
        .into())
    }
}

/// The invocation's end as an `Instant`: Lambda gives it in milliseconds since the epoch.
pub fn deadline_of(context: &lambda_runtime::Context) -> Instant {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let left = Duration::from_millis(context.deadline).saturating_sub(now);
    Instant::now() + left
}

async fn run_job(name: &str) -> Result<(), Error> {
    backlinks_core::telemetry::init(true, "info");
    let job = jobs::by_name(name).ok_or_else(|| format!("no job {name}"))?;
    let app = backlinks_core::cloud::build()?.app;
    match (job.run, job.trigger) {
        (Run::Scheduled(_), _) => {
            lambda_runtime::run(service_fn(move |_: LambdaEvent<serde_json::Value>| {
                let (app, job) = (app.clone(), job.clone());
                async move { Ok::<_, Error>(jobs::run_scheduled(app, &job).await?) }
            }))
            .await
        }
        (Run::Message(_), Trigger::InboundMail) => {
            let prefix = std::env::var(INBOUND_PREFIX_VAR).unwrap_or_default();
            lambda_runtime::run(service_fn(move |event: LambdaEvent<SimpleEmailEvent>| {
                let (app, job, prefix) = (app.clone(), job.clone(), prefix.clone());
                let deadline = deadline_of(&event.context);
                async move {
                    run_all(
                        app,
                        &job,
                        inbound_messages(event.payload, &prefix),
                        deadline,
                    )
                    .await
                }
            }))
            .await
        }
        (Run::Message(_), Trigger::Topic(_)) => {
            lambda_runtime::run(service_fn(move |event: LambdaEvent<SnsEvent>| {
                let (app, job) = (app.clone(), job.clone());
                let deadline = deadline_of(&event.context);
                async move { run_all(app, &job, topic_messages(event.payload), deadline).await }
            }))
            .await
        }
        (Run::Message(_), _) => {
            lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
                let (app, job) = (app.clone(), job.clone());
                let deadline = deadline_of(&event.context);
                async move {
                    let messages = event
                        .payload
                        .records
                        .into_iter()
                        .map(|m| (m.message_id.unwrap_or_default(), m.body.unwrap_or_default()))
                        .collect();
                    let mut response = SqsBatchResponse::default();
                    for id in jobs::run_batch(app, &job, messages, deadline).await {
                        let mut failure = BatchItemFailure::default();
                        failure.item_identifier = id;
                        response.batch_item_failures.push(failure);
                    }
                    Ok::<_, Error>(response)
                }
            }))
            .await
        }
    }
}
