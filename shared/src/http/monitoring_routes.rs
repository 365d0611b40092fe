//! The routes of link monitoring (issue 15).

use super::handlers::monitoring as h;
use super::route::{ResponseDoc, Route, query_params, schema_of};
use crate::app::monitoring::planned::PlanCheck;
use crate::app::monitoring::reclaim::ReclaimRequest;
use crate::app::monitoring::records::{CheckFilter, EventFilter, LinkCheck, LinkEvent};
use crate::app::plans::replacement::ReplacementInput;
use crate::domain::outreach::OutreachEmail;
use crate::domain::plans::PlannedLink;
use crate::handler;
use http::StatusCode;

pub fn routes() -> Vec<Route> {
    vec![
        Route::post("/v1/backlinks/{id}/check", "checkBacklink", handler!(h::check_backlink))
            .doc(
                "monitoring",
                "Check the backlink's link now and answer with this check's findings (a loss still waits for its confirming check)",
            )
            .expensive()
            .returns(ResponseDoc::Json(schema_of::<LinkCheck>)),
        Route::post(
            "/v1/backlinks/{id}/reclaim-email",
            "draftReclaimEmail",
            handler!(h::draft_reclaim_email),
        )
        .doc(
            "monitoring",
            "Draft a short note asking the site to restore a lost outreach link, threaded on the original conversation as its next follow-up; a person approves it (approveFollowUp) and it goes under the same send policy",
        )
        .body(schema_of::<ReclaimRequest>)
        .returns(ResponseDoc::Json(schema_of::<OutreachEmail>)),
        Route::get(
            "/v1/backlinks/{id}/checks",
            "listBacklinkChecks",
            handler!(h::list_backlink_checks),
        )
        .doc("monitoring", "The backlink's last checks with their evidence, newest first")
        .query(query_params::<CheckFilter>)
        .returns(ResponseDoc::List(schema_of::<LinkCheck>)),
        Route::get("/v1/link-events", "listLinkEvents", handler!(h::list_link_events))
            .doc(
                "monitoring",
                "Confirmed changes of links' health, newest first (filters: plan, campaign, reason, since)",
            )
            .query(query_params::<EventFilter>)
            .returns(ResponseDoc::List(schema_of::<LinkEvent>)),
        Route::post(
            "/v1/plans/{id}/links/{linkId}/check",
            "checkPlannedLink",
            handler!(h::check_planned_link),
        )
        .doc(
            "monitoring",
            "Check an ordered, live or dead planned link's placement page now, with this check's findings",
        )
        .expensive()
        .returns(ResponseDoc::Json(schema_of::<LinkCheck>)),
        Route::post(
            "/v1/plans/{id}/links/{linkId}/replacement",
            "replacePlannedLink",
            handler!(h::replace_planned_link),
        )
        .doc(
            "monitoring",
            "Stand in for a dead planned link: a new planned link to the same page and anchor type, drawn from a month's replacement reserve; once live, the dead link is replaced",
        )
        .body(schema_of::<ReplacementInput>)
        .status(StatusCode::CREATED)
        .returns(ResponseDoc::Json(schema_of::<PlannedLink>)),
        Route::get(
            "/v1/plans/{id}/links/{linkId}/checks",
            "listPlannedLinkChecks",
            handler!(h::list_planned_link_checks),
        )
        .doc("monitoring", "A planned link's last checks with their evidence, newest first")
        .query(query_params::<CheckFilter>)
        .returns(ResponseDoc::List(schema_of::<LinkCheck>)),
        Route::post("/v1/plans/{id}/check", "checkPlan", handler!(h::check_plan))
            .doc(
                "monitoring",
                "Queue a check of every ordered, live and dead link of the plan (a link audit, 1 credit)",
            )
            .expensive()
            .metered()
            .status(StatusCode::ACCEPTED)
            .returns(ResponseDoc::Json(schema_of::<PlanCheck>)),
    ]
}
