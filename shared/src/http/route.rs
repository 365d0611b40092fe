//! A route: method, path, operationId, who may call it, the handler, and what the OpenAPI
//! document says about it. One table of these feeds the Lambda functions, the local
//! server, the OpenAPI document and the template check.

use super::call::Call;
use super::problem::Problem;
use crate::app::App;
use crate::app::paging::MAX_LIMIT;
use crate::domain::identity::Role;
use crate::domain::limits::RateClass;
use bytes::Bytes;
use futures::future::BoxFuture;
use http::{HeaderValue, Method, Response, StatusCode, header};
use serde::Serialize;
use std::sync::Arc;
use utoipa::openapi::path::Parameter;
use utoipa::openapi::{RefOr, Schema};

pub type Handler = fn(Arc<App>, Call) -> BoxFuture<'static, Result<Answer, Problem>>;

/// Wraps an `async fn(Arc<App>, Call) -> Result<Answer, Problem>` as a [`Handler`].
#[macro_export]
macro_rules! handler {
    ($f:path) => {
        |app, call| Box::pin($f(app, call))
    };
}

/// Component schemas collected while documenting routes.
pub type Schemas = Vec<(String, RefOr<Schema>)>;
/// Registers a type's schemas and returns a reference to it.
pub type SchemaFn = fn(&mut Schemas) -> RefOr<Schema>;

pub fn schema_of<T: utoipa::ToSchema>(out: &mut Schemas) -> RefOr<Schema> {
    T::schemas(out);
    out.push((T::name().into_owned(), T::schema()));
    RefOr::Ref(utoipa::openapi::Ref::from_schema_name(T::name()))
}

/// A filter's query parameters. Every list's `limit` gets the bounds `PageRequest` enforces,
/// stated once here rather than on each filter type.
pub fn query_params<T: utoipa::IntoParams>() -> Vec<Parameter> {
    let mut params = T::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query));
    for param in params.iter_mut().filter(|p| p.name == "limit") {
        if let Some(RefOr::T(Schema::Object(limit))) = param.schema.as_mut() {
            limit.minimum = Some(1.into());
            limit.maximum = Some(MAX_LIMIT.into());
        }
    }
    params
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed.
    Public,
    /// A verified token with at least this role.
    Role(Role),
}

#[derive(Clone, Copy)]
pub enum ResponseDoc {
    /// A JSON body of this schema.
    Json(SchemaFn),
    /// `{"items": [...], "nextCursor": ...}` of this item schema.
    List(SchemaFn),
    /// No body.
    Empty,
    /// Any JSON document (the OpenAPI document itself).
    AnyJson,
    /// A body of this media type (text/csv).
    Media(&'static str),
    /// A body of this media type, or this JSON schema in its place (a link to a file too
    /// large to answer inline).
    MediaOrJson(&'static str, SchemaFn),
    /// An HTML page for people (text/html); its 404 is an HTML page too.
    Page,
}

#[derive(Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    pub access: Access,
    pub handler: Handler,
    pub request: Option<SchemaFn>,
    pub query: Option<fn() -> Vec<Parameter>>,
    pub status: StatusCode,
    pub response: ResponseDoc,
    pub body_limit: usize,
    /// The tenant's rate-limit bucket an authenticated call draws from.
    pub rate_class: RateClass,
    /// The call spends usage credits (app::usage), so it can answer 402.
    pub metered: bool,
}

/// Default request body limit: generous for JSON documents, small enough to refuse abuse.
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

impl Route {
    pub fn new(
        method: Method,
        path: &'static str,
        operation_id: &'static str,
        handler: Handler,
    ) -> Self {
        Self {
            method,
            path,
            operation_id,
            summary: "",
            tag: "",
            access: Access::Role(Role::Member),
            handler,
            request: None,
            query: None,
            status: StatusCode::OK,
            response: ResponseDoc::Empty,
            body_limit: DEFAULT_BODY_LIMIT,
            rate_class: RateClass::Standard,
            metered: false,
        }
    }

    pub fn get(path: &'static str, operation_id: &'static str, handler: Handler) -> Self {
        Self::new(Method::GET, path, operation_id, handler)
    }

    pub fn post(path: &'static str, operation_id: &'static str, handler: Handler) -> Self {
        Self::new(Method::POST, path, operation_id, handler)
    }

    pub fn put(path: &'static str, operation_id: &'static str, handler: Handler) -> Self {
        Self::new(Method::PUT, path, operation_id, handler)
    }

    pub fn patch(path: &'static str, operation_id: &'static str, handler: Handler) -> Self {
        Self::new(Method::PATCH, path, operation_id, handler)
    }

    pub fn delete(path: &'static str, operation_id: &'static str, handler: Handler) -> Self {
        Self::new(Method::DELETE, path, operation_id, handler).status(StatusCode::NO_CONTENT)
    }

    pub fn doc(mut self, tag: &'static str, summary: &'static str) -> Self {
        self.tag = tag;
        self.summary = summary;
        self
    }

    pub fn access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    pub fn body(mut self, schema: SchemaFn) -> Self {
        self.request = Some(schema);
        self
    }

    pub fn query(mut self, params: fn() -> Vec<Parameter>) -> Self {
        self.query = Some(params);
        self
    }

    /// Draws from the tenant's bucket for calls that start heavy work.
    pub fn expensive(mut self) -> Self {
        self.rate_class = RateClass::Expensive;
        self
    }

    /// Spends usage credits: documented with its 402.
    pub fn metered(mut self) -> Self {
        self.metered = true;
        self
    }

    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn returns(mut self, response: ResponseDoc) -> Self {
        self.response = response;
        self
    }

    /// Matches a request path against this route's template, returning path parameters.
    pub fn matches(&self, path: &str) -> Option<Vec<(&'static str, String)>> {
        let mut params = Vec::new();
        let mut actual = path.trim_end_matches('/').split('/');
        for segment in self.path.split('/') {
            let value = actual.next()?;
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if !value.is_empty() => params.push((name, value.to_string())),
                Some(_) => return None,
                None if segment == value => {}
                None => return None,
            }
        }
        actual.next().is_none().then_some(params)
    }
}

/// What a handler answers.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Bytes,
}

impl Answer {
    pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Answer, Problem> {
        let body = serde_json::to_vec(value).map_err(|e| {
            tracing::error!(error = %e, "response does not serialise");
            Problem::internal()
        })?;
        Ok(Answer {
            status,
            content_type: "application/json",
            body: body.into(),
        })
    }

    pub fn ok<T: Serialize>(value: &T) -> Result<Answer, Problem> {
        Self::json(StatusCode::OK, value)
    }

    pub fn created<T: Serialize>(value: &T) -> Result<Answer, Problem> {
        Self::json(StatusCode::CREATED, value)
    }

    /// A body that is not JSON (an HTML page, a CSV file).
    pub fn raw(
        status: StatusCode,
        content_type: &'static str,
        body: impl Into<Bytes>,
    ) -> Result<Answer, Problem> {
        Ok(Answer {
            status,
            content_type,
            body: body.into(),
        })
    }

    pub fn no_content() -> Result<Answer, Problem> {
        Ok(Answer {
            status: StatusCode::NO_CONTENT,
            content_type: "",
            body: Bytes::new(),
        })
    }

    pub fn into_response(self) -> Response<Bytes> {
        let mut response = Response::new(self.body);
        *response.status_mut() = self.status;
        if !self.content_type.is_empty() {
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn nothing(_: Arc<App>, _: Call) -> Result<Answer, Problem> {
        Answer::no_content()
    }

    #[test]
    fn templates_match_whole_paths_and_capture_parameters() {
        let route = Route::get("/v1/campaigns/{id}", "getCampaign", handler!(nothing));
        assert_eq!(
            route.matches("/v1/campaigns/cmp_1"),
            Some(vec![("id", "cmp_1".to_string())])
        );
        assert_eq!(
            route.matches("/v1/campaigns/cmp_1/"),
            Some(vec![("id", "cmp_1".to_string())])
        );
        assert_eq!(route.matches("/v1/campaigns"), None);
        assert_eq!(route.matches("/v1/campaigns/"), None);
        assert_eq!(route.matches("/v1/campaigns/a/b"), None);
        assert_eq!(route.matches("/v2/campaigns/a"), None);
    }
}
