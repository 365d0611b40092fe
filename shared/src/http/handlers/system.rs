use crate::app::App;
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

pub async fn health(_: Arc<App>, _: Call) -> Result<Answer, Problem> {
    Answer::ok(&Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

pub async fn openapi(_: Arc<App>, _: Call) -> Result<Answer, Problem> {
    Ok(Answer {
        status: http::StatusCode::OK,
        content_type: "application/json",
        body: crate::http::openapi::document_bytes(),
    })
}

/// `setTenantRateLimits`: a platform operator sets the limits of the tenant in the path.
pub async fn set_rate_limits(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let tenant = call.id("tenantId", "tenant", crate::domain::ids::TenantId::parse)?;
    Answer::ok(&crate::app::limits::set(&app, &tenant, call.json()?).await?)
}
