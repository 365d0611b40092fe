//! The routes of link-building plans (issue 14): sites and pages, plans, planned links.

use super::handlers::plans as h;
use super::route::{Access, ResponseDoc, Route, query_params, schema_of};
use crate::app::plans::edit::PlanPatch;
use crate::app::plans::generate::NewPlan;
use crate::app::plans::imports::{ImportRequest, PageImport};
use crate::app::plans::links::{NewPlannedLink, PlannedLinkFilter, PlannedLinkPatch};
use crate::app::plans::pages::{PageBatch, PageFilter, PageView, UpsertResult};
use crate::app::plans::read::{PlanFilter, PlanView};
use crate::app::plans::scoring::{
    BlockReason, BlockedDomain, BlocklistFilter, ScoreRequest, ScoreResult,
};
use crate::app::plans::sites::{NewSite, SiteFilter};
use crate::domain::identity::Role;
use crate::domain::plans::{PlanHead, PlannedLink, Site};
use crate::handler;
use http::StatusCode;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/v1/sites", "listSites", handler!(h::list_sites))
            .doc("plans", "The tenant's sites, newest first")
            .query(query_params::<SiteFilter>)
            .returns(ResponseDoc::List(schema_of::<Site>)),
        Route::post("/v1/sites", "createSite", handler!(h::create_site))
            .doc("plans", "Add a site: its registrable domain holds its pages")
            .body(schema_of::<NewSite>)
            .status(StatusCode::CREATED)
            .returns(ResponseDoc::Json(schema_of::<Site>)),
        Route::get("/v1/sites/{id}", "getSite", handler!(h::get_site))
            .doc("plans", "Get a site")
            .returns(ResponseDoc::Json(schema_of::<Site>)),
        Route::delete("/v1/sites/{id}", "deleteSite", handler!(h::delete_site))
            .doc("plans", "Delete a site and its pages (its plans first: 409 otherwise)"),
        Route::put("/v1/sites/{id}/pages", "upsertPages", handler!(h::upsert_pages))
            .doc(
                "plans",
                "Add or update up to 1,000 pages by URL; a type left out is guessed from the URL",
            )
            .body(schema_of::<PageBatch>)
            .body_limit(6 * 1024 * 1024)
            .returns(ResponseDoc::Json(schema_of::<UpsertResult>)),
        Route::get("/v1/sites/{id}/pages", "listPages", handler!(h::list_pages))
            .doc("plans", "A site's pages in URL order, with their tiers")
            .query(query_params::<PageFilter>)
            .returns(ResponseDoc::List(schema_of::<PageView>)),
        Route::post("/v1/sites/{id}/imports", "importPages", handler!(h::import_pages))
            .doc(
                "plans",
                "Import pages from a CSV (pages, Ahrefs or Semrush keywords, Search Console pages) or the sitemap, as a job",
            )
            .body(schema_of::<ImportRequest>)
            .body_limit(6 * 1024 * 1024)
            .expensive()
            .status(StatusCode::ACCEPTED)
            .returns(ResponseDoc::Json(schema_of::<PageImport>)),
        Route::get(
            "/v1/sites/{id}/imports/{importId}",
            "getPageImport",
            handler!(h::get_import),
        )
        .doc("plans", "An import's progress, and the rows it could not use")
        .returns(ResponseDoc::Json(schema_of::<PageImport>)),
        Route::get("/v1/plans", "listPlans", handler!(h::list_plans))
            .doc(
                "plans",
                "The tenant's plans, newest first (each month's pages are in getPlan)",
            )
            .query(query_params::<PlanFilter>)
            .returns(ResponseDoc::List(schema_of::<PlanHead>)),
        Route::post("/v1/plans", "generatePlan", handler!(h::generate_plan))
            .doc(
                "plans",
                "Generate a plan for a site in a market (PK, CA, UK, USA): tiers, links, budget, months, anchors",
            )
            .body(schema_of::<NewPlan>)
            .expensive()
            .metered()
            .status(StatusCode::CREATED)
            .returns(ResponseDoc::Json(schema_of::<PlanView>)),
        Route::get("/v1/plans/{id}", "getPlan", handler!(h::get_plan))
            .doc("plans", "A plan whole, with planned against achieved")
            .returns(ResponseDoc::Json(schema_of::<PlanView>)),
        Route::patch("/v1/plans/{id}", "updatePlan", handler!(h::update_plan))
            .doc(
                "plans",
                "Adjust pages' links, months' targets or the price of a link; 409 names a band a change would break",
            )
            .body(schema_of::<PlanPatch>)
            .returns(ResponseDoc::Json(schema_of::<PlanView>)),
        Route::delete("/v1/plans/{id}", "deletePlan", handler!(h::delete_plan))
            .doc("plans", "Delete a plan and its planned links"),
        Route::post("/v1/plans/{id}/activate", "activatePlan", handler!(h::activate_plan))
            .doc("plans", "Start or resume a plan (startedAt is set once)")
            .returns(ResponseDoc::Json(schema_of::<PlanView>)),
        Route::post("/v1/plans/{id}/pause", "pausePlan", handler!(h::pause_plan))
            .doc("plans", "Pause an active plan")
            .returns(ResponseDoc::Json(schema_of::<PlanView>)),
        Route::post("/v1/plans/{id}/complete", "completePlan", handler!(h::complete_plan))
            .doc("plans", "Mark an active or paused plan completed")
            .returns(ResponseDoc::Json(schema_of::<PlanView>)),
        Route::get("/v1/plans/{id}/links", "listPlannedLinks", handler!(h::list_links))
            .doc("plans", "A plan's planned links, in plan order, with filters")
            .query(query_params::<PlannedLinkFilter>)
            .returns(ResponseDoc::List(schema_of::<PlannedLink>)),
        Route::post("/v1/plans/{id}/links", "createPlannedLink", handler!(h::create_link))
            .doc("plans", "Add a link to a plan by hand (its anchor type is checked against the bands)")
            .body(schema_of::<NewPlannedLink>)
            .status(StatusCode::CREATED)
            .returns(ResponseDoc::Json(schema_of::<PlannedLink>)),
        Route::get(
            "/v1/plans/{id}/links/{linkId}",
            "getPlannedLink",
            handler!(h::get_link),
        )
        .doc("plans", "Get a planned link")
        .returns(ResponseDoc::Json(schema_of::<PlannedLink>)),
        Route::patch(
            "/v1/plans/{id}/links/{linkId}",
            "updatePlannedLink",
            handler!(h::update_link),
        )
        .doc(
            "plans",
            "Edit a planned link or move its status (ordered needs the market's quality threshold or a recorded override)",
        )
        .body(schema_of::<PlannedLinkPatch>)
        .returns(ResponseDoc::Json(schema_of::<PlannedLink>)),
        Route::delete(
            "/v1/plans/{id}/links/{linkId}",
            "deletePlannedLink",
            handler!(h::delete_link),
        )
        .doc("plans", "Delete a planned link"),
        Route::post("/v1/opportunities/score", "scoreOpportunity", handler!(h::score_opportunity))
            .doc(
                "plans",
                "Score a linking domain 0-11 for a market (and store it on a planned link); blocklists are looked up",
            )
            .body(schema_of::<ScoreRequest>)
            .returns(ResponseDoc::Json(schema_of::<ScoreResult>)),
        Route::get("/v1/blocklist", "listBlocklist", handler!(h::list_blocklist))
            .doc("plans", "The tenant's own blocklist of PBN and spam domains")
            .query(query_params::<BlocklistFilter>)
            .returns(ResponseDoc::List(schema_of::<BlockedDomain>)),
        Route::put("/v1/blocklist/{domain}", "blockDomain", handler!(h::block_domain))
            .doc("plans", "Put a domain (its registrable domain) on the tenant's blocklist")
            .body(schema_of::<BlockReason>)
            .returns(ResponseDoc::Json(schema_of::<BlockedDomain>)),
        Route::delete("/v1/blocklist/{domain}", "unblockDomain", handler!(h::unblock_domain))
            .doc("plans", "Take a domain off the tenant's blocklist"),
        Route::get(
            "/v1/admin/blocklist",
            "listPlatformBlocklist",
            handler!(h::list_platform_blocklist),
        )
        .doc("platform", "The platform's blocklist of PBN and spam domains (platform operators)")
        .access(Access::Role(Role::Superadmin))
        .query(query_params::<BlocklistFilter>)
        .returns(ResponseDoc::List(schema_of::<BlockedDomain>)),
        Route::put(
            "/v1/admin/blocklist/{domain}",
            "blockPlatformDomain",
            handler!(h::block_platform_domain),
        )
        .doc("platform", "Put a domain on the platform's blocklist, for every tenant (platform operators)")
        .access(Access::Role(Role::Superadmin))
        .body(schema_of::<BlockReason>)
        .returns(ResponseDoc::Json(schema_of::<BlockedDomain>)),
        Route::delete(
            "/v1/admin/blocklist/{domain}",
            "unblockPlatformDomain",
            handler!(h::unblock_platform_domain),
        )
        .doc("platform", "Take a domain off the platform's blocklist (platform operators)")
        .access(Access::Role(Role::Superadmin)),
    ]
}
