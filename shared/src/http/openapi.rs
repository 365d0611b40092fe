//! The OpenAPI 3.1 document, generated from the route table and the types' schemas. It is
//! served at `/v1/openapi.json` and committed as `docs/openapi.json`; a test keeps the two
//! equal.

use super::problem::ProblemBody;
use super::route::{Access, ResponseDoc, Route, Schemas, schema_of};
use super::routes::routes;
use bytes::Bytes;
use std::sync::LazyLock;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, Content, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref, RefOr, Required,
    ResponseBuilder, Schema,
};

const BEARER: &str = "bearer";
const HTML: &str = "text/html";

fn text() -> Content {
    Content::new(Some(ObjectBuilder::new().schema_type(Type::String)))
}

fn method(route: &Route) -> HttpMethod {
    match route.method.as_str() {
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

fn list_of(item: RefOr<Schema>) -> Schema {
    ObjectBuilder::new()
        .property("items", ArrayBuilder::new().items(item))
        .required("items")
        .property(
            "nextCursor",
            ObjectBuilder::new()
                .schema_type(
                    [Type::String, Type::Null]
                        .into_iter()
                        .collect::<utoipa::openapi::schema::SchemaType>(),
                )
                .description(Some(
                    "Pass as `cursor` to get the next page; null on the last page.",
                )),
        )
        .required("nextCursor")
        .into()
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            super::problem::CONTENT_TYPE,
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

fn operation(route: &Route, schemas: &mut Schemas) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new()
        .operation_id(Some(route.operation_id))
        .summary(Some(route.summary))
        .tag(route.tag);
    for segment in route.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
            );
        }
    }
    if let Some(params) = route.query {
        op = op.parameters(Some(params()));
    }
    if let Some(body) = route.request {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("application/json", Content::new(Some(body(schemas))))
                .build(),
        ));
    }
    let success = match route.response {
        ResponseDoc::Json(schema) => ResponseBuilder::new()
            .description("Success")
            .content("application/json", Content::new(Some(schema(schemas)))),
        ResponseDoc::List(item) => ResponseBuilder::new()
            .description("One page of results")
            .content(
                "application/json",
                Content::new(Some(list_of(item(schemas)))),
            ),
        ResponseDoc::AnyJson => ResponseBuilder::new()
            .description("Success")
            .content("application/json", Content::new(Some(ObjectBuilder::new()))),
        ResponseDoc::Empty => ResponseBuilder::new().description("Success, no content"),
        ResponseDoc::Media(media) => ResponseBuilder::new()
            .description("Success")
            .content(media, text()),
        ResponseDoc::Page => ResponseBuilder::new()
            .description("The page")
            .content(HTML, text()),
        ResponseDoc::MediaOrJson(media, schema) => ResponseBuilder::new()
            .description("The file, or a link to it when it is too large to answer inline")
            .content(media, text())
            .content("application/json", Content::new(Some(schema(schemas)))),
    };
    op = op.response(route.status.as_u16().to_string(), success.build());
    let mut problems = vec![("400", "Invalid input (see errors)")];
    if matches!(route.response, ResponseDoc::Page) {
        // A person followed a link: an unknown one gets a page, not a problem document.
        op = op.response(
            "404",
            ResponseBuilder::new()
                .description("The link is not valid (an HTML page)")
                .content(HTML, text())
                .build(),
        );
    } else if route.path.contains('{') {
        problems.push(("404", "Not found, or owned by another tenant"));
    }
    if let Access::Role(_) = route.access {
        problems.push(("401", "Missing or invalid token"));
        problems.push(("403", "The token's role is not enough"));
        problems.push((
            "429",
            "The tenant's rate limit for this kind of call is used up; Retry-After says when to call again",
        ));
        op = op.security(SecurityRequirement::new(BEARER, Vec::<String>::new()));
    }
    if matches!(route.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE") {
        problems.push(("409", "Conflicts with the current state"));
    }
    if route.metered {
        problems.push((
            "402",
            "The tenant's monthly credit limit is reached; the problem names it",
        ));
    }
    if route.request.is_some() {
        problems.push(("413", "Body too large"));
        problems.push(("415", "Body is not JSON"));
    }
    for (status, description) in problems {
        op = op.response(status, problem_response(description));
    }
    op.build()
}

pub fn document() -> OpenApi {
    let mut schemas: Schemas = Vec::new();
    schema_of::<ProblemBody>(&mut schemas);
    let mut paths = Paths::new();
    for route in routes() {
        let op = operation(&route, &mut schemas);
        paths.add_path_operation(route.path, vec![method(&route)], op);
    }
    schemas.sort_by(|a, b| a.0.cmp(&b.0));
    schemas.dedup_by(|a, b| a.0 == b.0);
    let mut bearer = Http::new(HttpAuthScheme::Bearer);
    bearer.bearer_format = Some("JWT (RS256, Clerk session token)".into());
    let components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(BEARER, SecurityScheme::Http(bearer))
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Backlinks API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Multi-tenant backlink outreach and link-building engine. Errors are RFC 9457 \
                     problem+json; lists take limit and cursor.",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components))
        .build()
}

static DOCUMENT: LazyLock<Bytes> =
    LazyLock::new(|| Bytes::from(document().to_pretty_json().unwrap_or_default() + "\n"));

/// The document as served and committed (pretty JSON with a final newline).
pub fn document_bytes() -> Bytes {
    DOCUMENT.clone()
}
