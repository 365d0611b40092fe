//! The HTTP surface: one route table, one dispatcher. The Lambda functions and the local
//! server both hand `http::Request`s to [`Api`], so behaviour cannot drift between them.

pub mod auth;
pub mod call;
pub mod handlers;
pub mod monitoring_routes;
pub mod openapi;
pub mod opportunity_routes;
pub mod plan_routes;
pub mod problem;
pub mod route;
pub mod routes;
pub mod schemas;
pub mod webhook_routes;

use crate::app::App;
use auth::{AuthError, Verifier};
use bytes::Bytes;
use call::Call;
use futures::FutureExt;
use http::{Request, Response, header};
use problem::Problem;
use route::{Access, Route};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tracing::Instrument;

pub struct Api {
    app: Arc<App>,
    verifier: Arc<Verifier>,
    routes: Vec<Route>,
}

enum Found<'a> {
    Route(&'a Route, Vec<(&'static str, String)>),
    WrongMethod(Vec<&'a str>),
    Nothing,
}

impl Api {
    pub fn new(app: Arc<App>, verifier: Arc<Verifier>, routes: Vec<Route>) -> Self {
        Self {
            app,
            verifier,
            routes,
        }
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    fn find(&self, req: &Request<Bytes>) -> Found<'_> {
        let mut allowed = Vec::new();
        for route in &self.routes {
            if let Some(params) = route.matches(req.uri().path()) {
                if route.method == req.method() {
                    return Found::Route(route, params);
                }
                allowed.push(route.method.as_str());
            }
        }
        if allowed.is_empty() {
            Found::Nothing
        } else {
            Found::WrongMethod(allowed)
        }
    }

    pub async fn handle(&self, req: Request<Bytes>) -> Response<Bytes> {
        match self.find(&req) {
            Found::Route(route, params) => self.call(route, params, req).await,
            Found::WrongMethod(allowed) => Problem::method_not_allowed(&allowed).into_response(),
            Found::Nothing => Problem::not_found("route").into_response(),
        }
    }

    async fn authenticate(
        &self,
        route: &Route,
        req: &Request<Bytes>,
    ) -> Result<Option<crate::domain::identity::Identity>, Problem> {
        let Access::Role(needed) = route.access else {
            return Ok(None);
        };
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let verified = match Verifier::bearer(header) {
            Ok(token) => self.verifier.verify(token).await,
            Err(e) => Err(e),
        };
        let identity = verified.map_err(|e| match e {
            AuthError::KeysUnavailable => Problem::unavailable("cannot verify tokens right now"),
            other => Problem::unauthorized(other.to_string()),
        })?;
        if !identity.has(needed) {
            return Err(Problem::forbidden(format!(
                "this operation needs the {needed:?} role"
            )));
        }
        Ok(Some(identity))
    }

    async fn call(
        &self,
        route: &Route,
        params: Vec<(&'static str, String)>,
        req: Request<Bytes>,
    ) -> Response<Bytes> {
        let span = tracing::info_span!(
            "request",
            op = route.operation_id,
            tenant = tracing::field::Empty,
            status = tracing::field::Empty
        );
        async move {
            let result = async {
                let identity = self.authenticate(route, &req).await?;
                if let Some(identity) = &identity {
                    tracing::Span::current().record("tenant", identity.tenant.as_str());
                    crate::app::limits::admit(&self.app, &identity.tenant, route.rate_class)
                        .await?;
                }
                let declared = req
                    .headers()
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if declared.max(req.body().len()) > route.body_limit {
                    return Err(Problem::too_large(route.body_limit));
                }
                let (parts, body) = req.into_parts();
                let call = Call {
                    identity,
                    params,
                    query: parts.uri.query().map(str::to_string),
                    headers: parts.headers,
                    body,
                };
                let outcome = AssertUnwindSafe((route.handler)(self.app.clone(), call))
                    .catch_unwind()
                    .await;
                outcome.unwrap_or_else(|_| {
                    tracing::error!("handler panicked");
                    Err(Problem::internal())
                })
            }
            .await;
            let response = match result {
                Ok(reply) => reply.into_response(),
                Err(problem) => problem.into_response(),
            };
            tracing::Span::current().record("status", response.status().as_u16());
            if response.status().is_server_error() {
                tracing::error!("request failed");
            } else {
                tracing::debug!("request done");
            }
            response
        }
        .instrument(span)
        .await
    }
}
