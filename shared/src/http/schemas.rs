//! Request schemas that a type's derive cannot state, registered under the type's own
//! component name so generated clients see the whole rule.

use super::route::Schemas;
use crate::app::backlinks::NewBacklink;
use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// A string property that must be present.
fn present(field: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .property(field, ObjectBuilder::new().schema_type(Type::String))
        .required(field)
}

/// `NewBacklink`: its fields, and a `sourceDomain` or a `sourceUrl` (the domain is taken from
/// the URL when absent).
pub fn new_backlink(out: &mut Schemas) -> RefOr<Schema> {
    NewBacklink::schemas(out);
    let schema = AllOfBuilder::new()
        .item(NewBacklink::schema())
        .item(
            AnyOfBuilder::new()
                .item(present("sourceDomain"))
                .item(present("sourceUrl")),
        )
        .build();
    out.push((
        NewBacklink::name().into_owned(),
        Schema::AllOf(schema).into(),
    ));
    RefOr::Ref(Ref::from_schema_name(NewBacklink::name()))
}
