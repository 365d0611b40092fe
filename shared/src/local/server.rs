//! The local HTTP server: axum hands every request to the same [`Api`] the Lambda functions
//! use. It adds permissive CORS so a frontend on another local port can call it.

use crate::http::Api;
use crate::http::problem::Problem;
use axum::body::Body;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Bodies larger than this are refused before any route sees them.
const MAX_BODY: usize = 10 * 1024 * 1024;

fn with_cors(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PATCH, PUT, DELETE, OPTIONS"),
    );
    response
}

async fn handle(api: Arc<Api>, req: Request<Body>) -> Response<Body> {
    if req.method() == Method::OPTIONS {
        let mut preflight = Response::new(Body::empty());
        *preflight.status_mut() = StatusCode::NO_CONTENT;
        return with_cors(preflight);
    }
    let (parts, body) = req.into_parts();
    let response = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => api.handle(Request::from_parts(parts, bytes)).await,
        Err(_) => Problem::too_large(MAX_BODY).into_response(),
    };
    with_cors(response.map(Body::from))
}

pub async fn serve(
    api: Arc<Api>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = axum::Router::new().fallback(move |req: Request<Body>| handle(api.clone(), req));
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
