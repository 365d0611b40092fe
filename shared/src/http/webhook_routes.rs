//! The routes of tenants' webhooks (issue 15): admin only.

use super::handlers::webhooks as h;
use super::route::{Access, ResponseDoc, Route, query_params, schema_of};
use crate::app::webhooks::deliveries::DeliveryFilter;
use crate::app::webhooks::{CreatedWebhook, NewWebhook, WebhookFilter, WebhookPatch};
use crate::domain::identity::Role;
use crate::domain::webhooks::Webhook;
use crate::domain::webhooks::delivery::Delivery;
use crate::handler;
use http::StatusCode;

pub fn routes() -> Vec<Route> {
    let admin = Access::Role(Role::Admin);
    vec![
        Route::post("/v1/webhooks", "createWebhook", handler!(h::create))
            .doc(
                "webhooks",
                "Register a URL that receives the tenant's events, signed (admin); the answer holds the signing secret, shown only this once",
            )
            .access(admin)
            .body(schema_of::<NewWebhook>)
            .status(StatusCode::CREATED)
            .returns(ResponseDoc::Json(schema_of::<CreatedWebhook>)),
        Route::get("/v1/webhooks", "listWebhooks", handler!(h::list))
            .doc("webhooks", "The tenant's webhooks, newest first (admin)")
            .access(admin)
            .query(query_params::<WebhookFilter>)
            .returns(ResponseDoc::List(schema_of::<Webhook>)),
        Route::patch("/v1/webhooks/{id}", "updateWebhook", handler!(h::update))
            .doc(
                "webhooks",
                "Change a webhook's URL or event types, or disable it (admin); the secret stays",
            )
            .access(admin)
            .body(schema_of::<WebhookPatch>)
            .returns(ResponseDoc::Json(schema_of::<Webhook>)),
        Route::delete("/v1/webhooks/{id}", "deleteWebhook", handler!(h::delete))
            .doc("webhooks", "Delete a webhook; attempts still waiting stop (admin)")
            .access(admin),
        Route::get(
            "/v1/webhooks/{id}/deliveries",
            "listWebhookDeliveries",
            handler!(h::list_deliveries),
        )
        .doc(
            "webhooks",
            "Each event's delivery to the webhook, newest event first: attempts with their time and status or error, the next attempt, the final state (admin)",
        )
        .access(admin)
        .query(query_params::<DeliveryFilter>)
        .returns(ResponseDoc::List(schema_of::<Delivery>)),
    ]
}
