//! The routes of opportunities (issue 16): the platform's directory catalogue (read by every
//! signed-in user, written by platform operators), the tenant's business profile, and the
//! directory matcher.

use super::handlers::opportunities as h;
use super::route::{Access, ResponseDoc, Route, query_params, schema_of};
use crate::app::opportunities::competitor_gap::{
    GapOpportunities, GapParams, GapReport, GapSelection,
};
use crate::app::opportunities::directories::{DirectoryFilter, DirectoryImport, ImportReport};
use crate::app::opportunities::export_imports::{CreatedImport, NewBacklinkImport};
use crate::app::opportunities::matcher::MatchReport;
use crate::domain::identity::Role;
use crate::domain::opportunities::directory::{BacklinkDirectory, DirectoryInput};
use crate::domain::opportunities::export_import::BacklinkImport;
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
            "/v1/sites/{id}/backlink-imports",
            "createBacklinkImport",
            handler!(h::create_import),
        )
        .doc(
            "opportunities",
            "Start bringing in a backlink export of the site's own links or a competitor's: answers a link to PUT the file to (up to 100 MB), then call startBacklinkImport",
        )
        .body(schema_of::<NewBacklinkImport>)
        .status(StatusCode::CREATED)
        .returns(ResponseDoc::Json(schema_of::<CreatedImport>)),
        Route::get(
            "/v1/sites/{id}/backlink-imports",
            "listBacklinkImports",
            handler!(h::list_imports),
        )
        .doc("opportunities", "The site's backlink imports, newest first")
        .returns(ResponseDoc::List(schema_of::<BacklinkImport>)),
        Route::get(
            "/v1/sites/{id}/backlink-imports/{importId}",
            "getBacklinkImport",
            handler!(h::get_import),
        )
        .doc(
            "opportunities",
            "A backlink import: its state, format, rows and referring domains read, and its bad rows with their lines",
        )
        .returns(ResponseDoc::Json(schema_of::<BacklinkImport>)),
        Route::post(
            "/v1/sites/{id}/backlink-imports/{importId}/start",
            "startBacklinkImport",
            handler!(h::start_import),
        )
        .doc(
            "opportunities",
            "Read the uploaded export: its format is checked now (an unknown one is a 400 listing those known), then it is read as a job",
        )
        .expensive()
        .status(StatusCode::ACCEPTED)
        .returns(ResponseDoc::Json(schema_of::<BacklinkImport>)),
        Route::get(
            "/v1/sites/{id}/competitor-gap",
            "getCompetitorGap",
            handler!(h::competitor_gap),
        )
        .doc(
            "opportunities",
            "Referring domains that link to at least minCompetitors of the competitors and not to the site, scored (formula in the answer), without domains the tenant already has or suppressed",
        )
        .expensive()
        .query(query_params::<GapParams>)
        .returns(ResponseDoc::Json(schema_of::<GapReport>)),
        Route::post(
            "/v1/sites/{id}/competitor-gap/opportunities",
            "createGapOpportunities",
            handler!(h::create_gap_opportunities),
        )
        .doc(
            "opportunities",
            "Make competitor_gap backlinks of chosen gap domains (or the best top N), with the competitors they link to",
        )
        .expensive()
        .body(schema_of::<GapSelection>)
        .status(StatusCode::CREATED)
        .returns(ResponseDoc::Json(schema_of::<GapOpportunities>)),
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
