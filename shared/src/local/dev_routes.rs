//! Routes that exist only in local mode: run a job now, and see the queues.

use crate::app::App;
use crate::handler;
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::{Answer, Route};
use crate::jobs::{self, QUEUES, Run};
use serde::Serialize;
use std::sync::Arc;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueueView {
    name: &'static str,
    depth: u64,
    dead_letters: u64,
}

async fn queues(app: Arc<App>, _: Call) -> Result<Answer, Problem> {
    let mut out = Vec::new();
    for spec in QUEUES {
        let stats = app
            .queue
            .stats(spec.name)
            .await
            .map_err(crate::app::AppError::from)?;
        out.push(QueueView {
            name: spec.name,
            depth: stats.depth,
            dead_letters: stats.dead_letters,
        });
    }
    Answer::ok(&serde_json::json!({ "items": out }))
}

async fn run_job(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let name = call.param("name");
    let job = jobs::by_name(name).ok_or_else(|| Problem::not_found("job"))?;
    match job.run {
        Run::Scheduled(_) => Answer::ok(&jobs::run_scheduled(app, &job).await?),
        Run::Message(_) => {
            let handled = super::workers::drain_once(app, &job).await?;
            Answer::ok(&jobs::JobReport {
                job: job.name.to_string(),
                summary: format!("handled {handled} messages"),
            })
        }
    }
}

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/v1/dev/queues", "listQueues", handler!(queues))
            .doc("dev", "Local only: each queue's depth and dead letters"),
        Route::post("/v1/dev/jobs/{name}/run", "runJob", handler!(run_job)).doc(
            "dev",
            "Local only: run a job now (a queue job handles what is waiting)",
        ),
        Route::post(
            "/v1/dev/inbound",
            "ingestInbound",
            handler!(crate::http::handlers::replies::ingest_inbound),
        )
        .doc(
            "dev",
            "Local only: ingest a raw message (message/rfc822) for the caller's tenant",
        )
        .body_limit(10 * 1024 * 1024)
        .status(http::StatusCode::CREATED),
    ]
}
