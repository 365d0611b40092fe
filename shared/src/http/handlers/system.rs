use crate::app::App;
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Reply;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

pub async fn health(_: Arc<App>, _: Call) -> Result<Reply, Problem> {
    Reply::ok(&Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

pub async fn openapi(_: Arc<App>, _: Call) -> Result<Reply, Problem> {
    Ok(Reply {
        status: http::StatusCode::OK,
        content_type: "application/json",
        body: crate::http::openapi::document_bytes(),
    })
}
