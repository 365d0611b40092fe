//! The routes of opportunities (issue 16): the platform's directory catalogue (read by every
//! signed-in user, written by platform operators), the tenant's business profile, and the
//! directory matcher.

use super::handlers::opportunities as h;
use super::route::{Access, ResponseDoc, Route, query_params, schema_of};
use crate::app::opportunities::directories::{DirectoryFilter, DirectoryImport, ImportReport};
use crate::app::opportunities::matcher::MatchReport;
use crate::domain::identity::Role;
use crate::domain::opportunities::directory::{BacklinkDirectory, DirectoryInput};
use crate::domain::opportunities::matching::{BusinessProfile, ProfileInput};
use crate::handler;
use http::StatusCode;

pub fn routes() -> Vec<Route> {
    let operators = Access::Role(Role::Superadmin);
    vec![
        Route::get("/v1/directories", "listDirectories", handler!(h::list_directories))
            .doc(
                "directories",
                "The platform's directory catalogue, active directories only (filters: category, subcategory, region, isFree)",
            )
            .query(query_params::<DirectoryFilter>)
            .returns(ResponseDoc::List(schema_of::<BacklinkDirectory>)),
        Route::get("/v1/directories/{id}", "getDirectory", handler!(h::get_directory))
            .doc("directories", "A directory of the catalogue, with its submission steps")
            .returns(ResponseDoc::Json(schema_of::<BacklinkDirectory>)),
        Route::post("/v1/directories", "createDirectory", handler!(h::create_directory))
            .doc("directories", "Add a directory to the catalogue (platform operators)")
            .access(operators)
            .body(schema_of::<DirectoryInput>)
            .status(StatusCode::CREATED)
            .returns(ResponseDoc::Json(schema_of::<BacklinkDirectory>)),
        Route::patch("/v1/directories/{id}", "updateDirectory", handler!(h::update_directory))
            .doc(
                "directories",
                "Change a directory; the fields given replace its own and the whole is checked again (platform operators)",
            )
            .access(operators)
            .body(schema_of::<DirectoryInput>)
            .returns(ResponseDoc::Json(schema_of::<BacklinkDirectory>)),
        Route::delete("/v1/directories/{id}", "deleteDirectory", handler!(h::delete_directory))
            .doc(
                "directories",
                "Take a directory out of the catalogue: inactive, never matched again; opportunities made from it stay (platform operators)",
            )
            .access(operators),
        Route::post(
            "/v1/directories/import",
            "importDirectories",
            handler!(h::import_directories),
        )
        .doc(
            "directories",
            "Import directories as JSON or CSV, idempotent by URL, with a report per row (platform operators)",
        )
        .access(operators)
        .body(schema_of::<DirectoryImport>)
        .returns(ResponseDoc::Json(schema_of::<ImportReport>)),
        Route::get(
            "/v1/settings/business-profile",
            "getBusinessProfile",
            handler!(h::get_profile),
        )
        .doc(
            "opportunities",
            "The tenant's business profile: what directories are matched on, and the NAP a citation needs",
        )
        .returns(ResponseDoc::Json(schema_of::<BusinessProfile>)),
        Route::patch(
            "/v1/settings/business-profile",
            "updateBusinessProfile",
            handler!(h::update_profile),
        )
        .doc("opportunities", "Change the tenant's business profile (admin)")
        .access(Access::Role(Role::Admin))
        .body(schema_of::<ProfileInput>)
        .returns(ResponseDoc::Json(schema_of::<BusinessProfile>)),
        Route::post(
            "/v1/opportunities/match",
            "matchOpportunities",
            handler!(h::match_opportunities),
        )
        .doc(
            "opportunities",
            "Match the catalogue to the business profile now: a directory_opportunity backlink for each fitting directory the tenant does not have yet",
        )
        .returns(ResponseDoc::Json(schema_of::<MatchReport>)),
    ]
}
