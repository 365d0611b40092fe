//! Routes that exist only in local mode: run a job now, see the queues, and fetch a large
//! export by its link (in the cloud the link goes to S3).

use crate::adapters::blob_dir::{self, DOWNLOAD_ROUTE, Refused, UPLOAD_ROUTE};
use crate::app::App;
use crate::app::outreach::export::CSV;
use crate::handler;
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::{Access, Answer, ResponseDoc, Route};
use crate::jobs::{self, QUEUES, Run};
use http::StatusCode;
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

/// The token is the credential, as a presigned S3 link's signature is: forged answers 404,
/// expired 410.
async fn download(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let now = app.clock.now().epoch_seconds();
    let key = match blob_dir::open_download(&app.outreach.secrets, call.param("token"), now) {
        Ok(key) => key,
        Err(Refused::Forged) => return Err(Problem::not_found("download")),
        Err(Refused::Expired) => return Err(Problem::gone("the download link has expired")),
    };
    let csv = app.exports.get(&key).await.map_err(|e| match e {
        crate::ports::BlobError::NotFound(_) => Problem::gone("the export is no longer kept"),
        other => crate::app::AppError::from(other).into(),
    })?;
    Answer::raw(StatusCode::OK, CSV, csv)
}

/// Stores an upload sent to a link `upload_link` made: what S3 does with a presigned PUT.
async fn upload(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let now = app.clock.now().epoch_seconds();
    let key = match blob_dir::open_upload(&app.outreach.secrets, call.param("token"), now) {
        Ok(key) => key,
        Err(Refused::Forged) => return Err(Problem::not_found("upload")),
        Err(Refused::Expired) => return Err(Problem::gone("the upload link has expired")),
    };
    app.exports
        .put(&key, "application/octet-stream", call.body.to_vec())
        .await
        .map_err(crate::app::AppError::from)?;
    Answer::no_content()
}

pub fn routes() -> Vec<Route> {
    vec![
        Route::put(UPLOAD_ROUTE, "uploadFile", handler!(upload))
            .doc(
                "dev",
                "Local only: the file for a link an upload answered (S3's presigned PUT in the cloud)",
            )
            .access(Access::Public)
            .body_limit(crate::domain::opportunities::exports::MAX_EXPORT_BYTES as usize)
            .status(StatusCode::NO_CONTENT),
        Route::get(DOWNLOAD_ROUTE, "downloadExport", handler!(download))
            .doc(
                "dev",
                "Local only: a large export, by the link exportCsv answered",
            )
            .access(Access::Public)
            .returns(ResponseDoc::Media("text/csv")),
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
