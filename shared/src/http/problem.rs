//! RFC 9457 problem details. Every error the API returns has this shape: a stable `type`,
//! a `title`, the `status`, a `detail` a person can act on, and for invalid input the
//! fields at fault.

use crate::app::AppError;
use crate::domain::FieldError;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;
use utoipa::ToSchema;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// A problem on its way out. Kept small (it is the error type of every handler); the
/// wire form is [`ProblemBody`].
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub slug: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// The value of the header its status carries: `Allow` on a 405, `Retry-After` on a 429.
    header: Option<Box<str>>,
    /// The incident a 500 was logged under.
    instance: Option<Box<str>>,
}

/// RFC 9457 problem details as sent.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody<'a> {
    /// Stable identifier of the kind of problem, `urn:backlinks:problem:<slug>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'a str,
    pub status: u16,
    pub detail: &'a str,
    /// The fields at fault, for validation problems.
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    pub errors: &'a [FieldError],
    /// For internal errors, `urn:backlinks:incident:<id>`: the id the log holds the cause under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<&'a str>,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            slug,
            title,
            status: status.as_u16(),
            detail: detail.into(),
            errors: vec![],
            header: None,
            instance: None,
        }
    }

    pub fn kind(&self) -> String {
        format!("urn:backlinks:problem:{}", self.slug)
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => one.to_string(),
            many => format!("{} fields are invalid; see errors", many.len()),
        };
        let mut p = Self::new(
            StatusCode::BAD_REQUEST,
            "validation",
            "Invalid request",
            detail,
        );
        p.errors = errors;
        p
    }

    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-body",
            "Malformed request body",
            detail,
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("{what} not found"),
        )
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "conflict",
            "Conflict with the current state",
            detail,
        )
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        let mut p = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            format!("this path accepts {}", allowed.join(", ")),
        );
        p.header = Some(allowed.join(", ").into());
        p
    }

    /// 429: the tenant's bucket for this kind of call is empty; `Retry-After` says when
    /// the next call is admitted.
    pub fn rate_limited(limit: &str, retry_after_secs: u64) -> Self {
        let mut p = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            format!("{limit}; retry after {retry_after_secs} s"),
        );
        p.header = Some(retry_after_secs.to_string().into());
        p
    }

    /// 402: the tenant's monthly credit limit has no room for the operation (the detail
    /// names the limit, what is used and what the operation costs).
    pub fn credit_limit(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYMENT_REQUIRED,
            "credit-limit",
            "Credit limit reached",
            detail,
        )
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Request body too large",
            format!("the body must be at most {limit} bytes"),
        )
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send the body as application/json",
        )
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Temporarily unavailable",
            detail,
        )
    }

    /// 410: it existed, and is gone for good (an expired download link).
    pub fn gone(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, "gone", "Gone", detail)
    }

    /// 501: the deployment lacks a part this request needs (the detail names the setting).
    pub fn not_configured(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "not-configured",
            "Not configured",
            detail,
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the request failed unexpectedly; it has been logged",
        )
    }

    /// A 500 whose cause is logged, never shown, under a fresh incident id the answer names.
    pub fn incident(cause: &str) -> Self {
        let incident = uuid::Uuid::now_v7();
        tracing::error!(%incident, cause, "internal error");
        let mut p = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            format!("the request failed unexpectedly; it is logged as incident {incident}"),
        );
        p.instance = Some(format!("urn:backlinks:incident:{incident}").into());
        p
    }

    pub fn into_response(self) -> Response<Bytes> {
        let body = ProblemBody {
            kind: self.kind(),
            title: self.title,
            status: self.status,
            detail: &self.detail,
            errors: &self.errors,
            instance: self.instance.as_deref(),
        };
        let mut response =
            Response::new(Bytes::from(serde_json::to_vec(&body).unwrap_or_default()));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if self.status == 401 {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        let name = match self.status {
            405 => Some(header::ALLOW),
            429 => Some(header::RETRY_AFTER),
            _ => None,
        };
        let value = self.header.as_deref().map(HeaderValue::from_str);
        if let (Some(name), Some(Ok(value))) = (name, value) {
            headers.insert(name, value);
        }
        response
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound(what) => Problem::not_found(what),
            AppError::Conflict(detail) => Problem::conflict(detail),
            AppError::Invalid(errors) => Problem::validation(errors),
            AppError::Unavailable(detail) => {
                tracing::error!(%detail, "dependency unavailable");
                Problem::unavailable("a backing service is unavailable; retry shortly")
            }
            AppError::NotConfigured(detail) => Problem::not_configured(detail),
            AppError::RateLimited {
                limit,
                retry_after_secs,
            } => Problem::rate_limited(&limit, retry_after_secs),
            AppError::PaymentRequired(detail) => Problem::credit_limit(detail),
            AppError::Internal(cause) => Problem::incident(&cause),
        }
    }
}
