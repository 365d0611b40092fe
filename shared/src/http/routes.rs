//! The route table of the product API. Local-only routes are added by the local server and
//! never exist in the Lambda build.

use super::handlers::{backlinks, campaigns, jobs, outreach, replies, suppression, system, usage};
use super::route::{Access, ResponseDoc, Route, query_params, schema_of};
use super::schemas;
use crate::app::activity::{ActivityEntry, ActivityFilter};
use crate::app::backlinks::{BacklinkFilter, BacklinkPatch};
use crate::app::campaigns::{CampaignFilter, CampaignPatch, NewCampaign};
use crate::app::jobs::{DiscoverRequest, JobFilter, NewJob, ResultFilter};
use crate::app::outreach::analytics::CampaignAnalytics;
use crate::app::outreach::emails::{DraftRequest, EmailFilter, EmailPatch};
use crate::app::outreach::export::{ExportLink, ExportQuery};
use crate::app::outreach::follow_up_drafts::FollowUpApproval;
use crate::app::outreach::policy::AuditFilter;
use crate::app::outreach::sender::SenderPatch;
use crate::app::outreach::settle::Resolution;
use crate::app::outreach::templates::{TemplateFilter, TemplateInput, TemplatePatch};
use crate::app::replies::unrouted::{Routing, UnroutedFilter};
use crate::app::replies::{Assignment, ReplyFilter, ReplyPatch};
use crate::app::suppression::{NewSuppression, Suppression, SuppressionFilter};
use crate::app::usage::{UsageQuery, UsageReport};
use crate::domain::backlink::Backlink;
use crate::domain::campaign::Campaign;
use crate::domain::identity::Role;
use crate::domain::job::{Job, JobResult};
use crate::domain::limits::TenantLimits;
use crate::domain::outreach::{AuditEntry, OutreachEmail, SenderSettings, Template};
use crate::domain::qualify::ClassificationSettings;
use crate::domain::reply::Reply;
use crate::domain::usage::CreditLimit;
use crate::handler;
use http::StatusCode;

pub fn routes() -> Vec<Route> {
    let mut routes = product_routes();
    routes.extend(super::plan_routes::routes());
    routes.extend(super::monitoring_routes::routes());
    routes.extend(super::webhook_routes::routes());
    routes.extend(super::opportunity_routes::routes());
    routes
}

fn product_routes() -> Vec<Route> {
    vec![
        Route::get("/v1/health", "health", handler!(system::health))
            .doc("system", "Liveness check")
            .access(Access::Public)
            .returns(ResponseDoc::Json(schema_of::<system::Health>)),
        Route::get("/v1/openapi.json", "getOpenApi", handler!(system::openapi))
            .doc("system", "This API's OpenAPI 3.1 document")
            .access(Access::Public)
            .returns(ResponseDoc::AnyJson),
        // Campaigns
        Route::get("/v1/campaigns", "listCampaigns", handler!(campaigns::list))
            .doc("campaigns", "List campaigns, newest first")
            .query(query_params::<CampaignFilter>)
            .returns(ResponseDoc::List(schema_of::<Campaign>)),
        Route::post(
            "/v1/campaigns",
            "createCampaign",
            handler!(campaigns::create),
        )
        .doc("campaigns", "Create a campaign (status draft)")
        .body(schema_of::<NewCampaign>)
        .status(StatusCode::CREATED)
        .returns(ResponseDoc::Json(schema_of::<Campaign>)),
        Route::get(
            "/v1/campaigns/{id}",
            "getCampaign",
            handler!(campaigns::get),
        )
        .doc("campaigns", "Get a campaign")
        .returns(ResponseDoc::Json(schema_of::<Campaign>)),
        Route::patch(
            "/v1/campaigns/{id}",
            "updateCampaign",
            handler!(campaigns::update),
        )
        .doc(
            "campaigns",
            "Edit a campaign; absent fields stay, null clears",
        )
        .body(schema_of::<CampaignPatch>)
        .returns(ResponseDoc::Json(schema_of::<Campaign>)),
        Route::delete(
            "/v1/campaigns/{id}",
            "deleteCampaign",
            handler!(campaigns::delete),
        )
        .doc(
            "campaigns",
            "Delete a campaign; its backlinks stay with campaignId cleared",
        ),
        Route::post(
            "/v1/campaigns/{id}/activate",
            "activateCampaign",
            handler!(campaigns::activate),
        )
        .doc("campaigns", "Start or resume a draft or paused campaign")
        .returns(ResponseDoc::Json(schema_of::<Campaign>)),
        Route::post(
            "/v1/campaigns/{id}/pause",
            "pauseCampaign",
            handler!(campaigns::pause),
        )
        .doc("campaigns", "Pause an active campaign")
        .returns(ResponseDoc::Json(schema_of::<Campaign>)),
        Route::post(
            "/v1/campaigns/{id}/complete",
            "completeCampaign",
            handler!(campaigns::complete),
        )
        .doc("campaigns", "Mark an active or paused campaign completed")
        .returns(ResponseDoc::Json(schema_of::<Campaign>)),
        // Backlinks
        Route::get("/v1/backlinks", "listBacklinks", handler!(backlinks::list))
            .doc("backlinks", "List backlinks, newest first, with filters")
            .query(query_params::<BacklinkFilter>)
            .returns(ResponseDoc::List(schema_of::<Backlink>)),
        Route::post(
            "/v1/backlinks",
            "createBacklink",
            handler!(backlinks::create),
        )
        .doc("backlinks", "Create a backlink of any source type")
        .body(schemas::new_backlink)
        .status(StatusCode::CREATED)
        .returns(ResponseDoc::Json(schema_of::<Backlink>)),
        Route::get(
            "/v1/backlinks/{id}",
            "getBacklink",
            handler!(backlinks::get),
        )
        .doc("backlinks", "Get a backlink")
        .returns(ResponseDoc::Json(schema_of::<Backlink>)),
        Route::patch(
            "/v1/backlinks/{id}",
            "updateBacklink",
            handler!(backlinks::update),
        )
        .doc(
            "backlinks",
            "Edit a backlink or move it through its lifecycle",
        )
        .body(schema_of::<BacklinkPatch>)
        .returns(ResponseDoc::Json(schema_of::<Backlink>)),
        Route::delete(
            "/v1/backlinks/{id}",
            "deleteBacklink",
            handler!(backlinks::delete),
        )
        .doc("backlinks", "Delete a backlink"),
        // Prospects: discovery and qualification jobs
        Route::post(
            "/v1/campaigns/{id}/discover",
            "discoverProspects",
            handler!(jobs::discover),
        )
        .doc(
            "prospects",
            "Start discovery for a campaign, by keywords or from a URL list",
        )
        .body(schema_of::<DiscoverRequest>)
        .body_limit(1024 * 1024)
        .status(StatusCode::ACCEPTED)
        .expensive()
        .returns(ResponseDoc::Json(schema_of::<Job>)),
        Route::post("/v1/jobs", "createJob", handler!(jobs::create))
            .doc(
                "prospects",
                "Qualify a list of URLs, or run a campaign's discovery",
            )
            .body(schema_of::<NewJob>)
            .body_limit(1024 * 1024)
            .status(StatusCode::ACCEPTED)
            .expensive()
            .returns(ResponseDoc::Json(schema_of::<Job>)),
        Route::get("/v1/jobs", "listJobs", handler!(jobs::list))
            .doc("prospects", "List jobs, newest first")
            .query(query_params::<JobFilter>)
            .returns(ResponseDoc::List(schema_of::<Job>)),
        Route::get("/v1/jobs/{id}", "getJob", handler!(jobs::get))
            .doc("prospects", "A job's status and progress")
            .returns(ResponseDoc::Json(schema_of::<Job>)),
        Route::get(
            "/v1/jobs/{id}/results",
            "listJobResults",
            handler!(jobs::results),
        )
        .doc(
            "prospects",
            "A job's results, with the three layers' factors and the contact found",
        )
        .query(query_params::<ResultFilter>)
        .returns(ResponseDoc::List(schema_of::<JobResult>)),
        Route::post("/v1/jobs/{id}/pause", "pauseJob", handler!(jobs::pause))
            .doc("prospects", "Pause a job; waiting URLs wait")
            .returns(ResponseDoc::Json(schema_of::<Job>)),
        Route::post("/v1/jobs/{id}/resume", "resumeJob", handler!(jobs::resume))
            .doc("prospects", "Resume a paused job where it stopped")
            .returns(ResponseDoc::Json(schema_of::<Job>)),
        Route::post("/v1/jobs/{id}/cancel", "cancelJob", handler!(jobs::cancel))
            .doc("prospects", "Cancel a job; unfinished URLs are left")
            .returns(ResponseDoc::Json(schema_of::<Job>)),
        Route::get(
            "/v1/settings/classification",
            "getClassificationSettings",
            handler!(jobs::get_settings),
        )
        .doc(
            "prospects",
            "The tenant's qualification rules and thresholds",
        )
        .returns(ResponseDoc::Json(schema_of::<ClassificationSettings>)),
        Route::put(
            "/v1/settings/classification",
            "updateClassificationSettings",
            handler!(jobs::update_settings),
        )
        .doc("prospects", "Replace the qualification rules (admin)")
        .access(Access::Role(Role::Admin))
        .body(schema_of::<ClassificationSettings>)
        .returns(ResponseDoc::Json(schema_of::<ClassificationSettings>)),
        Route::get("/v1/activity", "listActivity", handler!(jobs::activity))
            .doc("prospects", "Job and settings events, newest first")
            .query(query_params::<ActivityFilter>)
            .returns(ResponseDoc::List(schema_of::<ActivityEntry>)),
        // Suppression
        Route::get(
            "/v1/suppressions",
            "listSuppressions",
            handler!(suppression::list),
        )
        .doc(
            "suppression",
            "The tenant's suppressed addresses and domains",
        )
        .query(query_params::<SuppressionFilter>)
        .returns(ResponseDoc::List(schema_of::<Suppression>)),
        Route::post(
            "/v1/suppressions",
            "addSuppression",
            handler!(suppression::add),
        )
        .doc("suppression", "Suppress an address or a whole domain")
        .body(schema_of::<NewSuppression>)
        .status(StatusCode::CREATED)
        .returns(ResponseDoc::Json(schema_of::<Suppression>)),
        Route::delete(
            "/v1/suppressions/{value}",
            "removeSuppression",
            handler!(suppression::remove),
        )
        .doc(
            "suppression",
            "Remove an address or domain from the tenant's list",
        ),
        // Outreach: sender, templates, drafts and review, sending, unsubscribe, reports
        Route::get(
            "/v1/settings/sender",
            "getSenderSettings",
            handler!(outreach::get_sender),
        )
        .doc(
            "outreach",
            "Sender identity, caps, send window and transport (secrets never shown)",
        )
        .returns(ResponseDoc::Json(schema_of::<SenderSettings>)),
        Route::patch(
            "/v1/settings/sender",
            "updateSenderSettings",
            handler!(outreach::update_sender),
        )
        .doc(
            "outreach",
            "Edit the sender settings; the SMTP password is write-only",
        )
        .access(Access::Role(Role::Admin))
        .body(schema_of::<SenderPatch>)
        .returns(ResponseDoc::Json(schema_of::<SenderSettings>)),
        Route::get(
            "/v1/templates",
            "listTemplates",
            handler!(outreach::list_templates),
        )
        .doc("outreach", "Email templates with usage statistics")
        .query(query_params::<TemplateFilter>)
        .returns(ResponseDoc::List(schema_of::<Template>)),
        Route::post(
            "/v1/templates",
            "createTemplate",
            handler!(outreach::create_template),
        )
        .doc(
            "outreach",
            "Create a template; unknown {{variables}} are refused",
        )
        .body(schema_of::<TemplateInput>)
        .status(StatusCode::CREATED)
        .returns(ResponseDoc::Json(schema_of::<Template>)),
        Route::get(
            "/v1/templates/{id}",
            "getTemplate",
            handler!(outreach::get_template),
        )
        .doc("outreach", "Get a template")
        .returns(ResponseDoc::Json(schema_of::<Template>)),
        Route::patch(
            "/v1/templates/{id}",
            "updateTemplate",
            handler!(outreach::update_template),
        )
        .doc("outreach", "Edit a template")
        .body(schema_of::<TemplatePatch>)
        .returns(ResponseDoc::Json(schema_of::<Template>)),
        Route::delete(
            "/v1/templates/{id}",
            "deleteTemplate",
            handler!(outreach::delete_template),
        )
        .doc("outreach", "Delete a template"),
        Route::post(
            "/v1/backlinks/{id}/draft",
            "draftEmail",
            handler!(outreach::draft),
        )
        .doc(
            "outreach",
            "Draft the outreach email for a backlink: from a template, by the LLM, or built in",
        )
        .body(schema_of::<DraftRequest>)
        .status(StatusCode::CREATED)
        .returns(ResponseDoc::Json(schema_of::<OutreachEmail>)),
        Route::get("/v1/emails", "listEmails", handler!(outreach::list_emails))
            .doc("outreach", "Outreach emails, newest first")
            .query(query_params::<EmailFilter>)
            .returns(ResponseDoc::List(schema_of::<OutreachEmail>)),
        Route::get("/v1/emails/{id}", "getEmail", handler!(outreach::get_email))
            .doc("outreach", "Get an outreach email")
            .returns(ResponseDoc::Json(schema_of::<OutreachEmail>)),
        Route::patch(
            "/v1/emails/{id}",
            "updateEmail",
            handler!(outreach::update_email),
        )
        .doc(
            "outreach",
            "Edit an email (marks it user-edited; an approved email returns to draft)",
        )
        .body(schema_of::<EmailPatch>)
        .returns(ResponseDoc::Json(schema_of::<OutreachEmail>)),
        Route::post(
            "/v1/emails/{id}/approve",
            "approveEmail",
            handler!(outreach::approve_email),
        )
        .doc("outreach", "Approve an email for sending")
        .returns(ResponseDoc::Json(schema_of::<OutreachEmail>)),
        Route::post(
            "/v1/emails/{id}/follow-up/approve",
            "approveFollowUp",
            handler!(outreach::approve_follow_up),
        )
        .doc(
            "outreach",
            "Approve the follow-up waiting for review (its text as drafted, or as edited here); \
             it goes at the next follow-up sweep inside the send window",
        )
        .body(schema_of::<FollowUpApproval>)
        .returns(ResponseDoc::Json(schema_of::<OutreachEmail>)),
        Route::post(
            "/v1/emails/{id}/skip",
            "skipEmail",
            handler!(outreach::skip_email),
        )
        .doc("outreach", "Skip a prospect's email")
        .returns(ResponseDoc::Json(schema_of::<OutreachEmail>)),
        Route::post(
            "/v1/emails/{id}/send",
            "sendEmail",
            handler!(outreach::send_email),
        )
        .doc(
            "outreach",
            "Queue an approved email now (policy still applies)",
        )
        .status(StatusCode::ACCEPTED)
        .returns(ResponseDoc::Json(schema_of::<OutreachEmail>)),
        Route::post(
            "/v1/emails/{id}/resolve",
            "resolveEmail",
            handler!(outreach::resolve_email),
        )
        .doc(
            "outreach",
            "Settle a send that needs review: it left (sent) or it did not (not_sent)",
        )
        .body(schema_of::<Resolution>)
        .returns(ResponseDoc::Json(schema_of::<OutreachEmail>)),
        Route::post(
            "/v1/campaigns/{id}/review/request",
            "requestCampaignReview",
            handler!(outreach::request_review),
        )
        .doc(
            "outreach",
            "Send the campaign's drafts for review (dm_review)",
        )
        .returns(ResponseDoc::Json(schema_of::<Campaign>)),
        Route::post(
            "/v1/campaigns/{id}/review/approve",
            "approveCampaignReview",
            handler!(outreach::approve_review),
        )
        .doc(
            "outreach",
            "Approve the review and every draft in it (dm_approved)",
        )
        .returns(ResponseDoc::Json(schema_of::<Campaign>)),
        Route::get("/v1/audit", "listAuditLog", handler!(outreach::audit_log))
            .doc(
                "outreach",
                "Every send decision with its reasons and legal basis, newest first",
            )
            .query(query_params::<AuditFilter>)
            .returns(ResponseDoc::List(schema_of::<AuditEntry>)),
        Route::get(
            "/v1/campaigns/{id}/analytics",
            "getCampaignAnalytics",
            handler!(outreach::campaign_analytics),
        )
        .doc(
            "outreach",
            "A campaign's outreach figures, with the daily rollups",
        )
        .returns(ResponseDoc::Json(schema_of::<CampaignAnalytics>)),
        Route::get(
            "/v1/reports/summary",
            "getReportSummary",
            handler!(outreach::report_summary),
        )
        .doc("outreach", "Outreach figures across every campaign")
        .returns(ResponseDoc::Json(schema_of::<CampaignAnalytics>)),
        Route::get("/v1/exports", "exportCsv", handler!(outreach::export_csv))
            .doc(
                "outreach",
                "CSV export of leads, attempts or replies (formula-safe); a file over 4 MiB is answered with a 15-minute download link instead",
            )
            .query(query_params::<ExportQuery>)
            .expensive()
            .returns(ResponseDoc::MediaOrJson("text/csv", schema_of::<ExportLink>)),
        Route::get(
            "/v1/unsubscribe/{token}",
            "showUnsubscribe",
            handler!(outreach::show_unsubscribe),
        )
        .doc(
            "outreach",
            "The unsubscribe confirmation page of an email's link (no login)",
        )
        .access(Access::Public)
        .returns(ResponseDoc::Page),
        Route::post(
            "/v1/unsubscribe/{token}",
            "unsubscribe",
            handler!(outreach::unsubscribe),
        )
        .doc(
            "outreach",
            "One-click unsubscribe (RFC 8058): suppresses the address at once (no login)",
        )
        .access(Access::Public)
        .returns(ResponseDoc::Page),
        // Replies
        Route::get("/v1/replies", "listReplies", handler!(replies::list))
            .doc("replies", "Inbound replies, newest first (filter by class, campaign, unmatched, reviewed)")
            .query(query_params::<ReplyFilter>)
            .returns(ResponseDoc::List(schema_of::<Reply>)),
        Route::get("/v1/replies/{id}", "getReply", handler!(replies::get))
            .doc("replies", "Get a reply with its classification and effects")
            .returns(ResponseDoc::Json(schema_of::<Reply>)),
        Route::patch("/v1/replies/{id}", "updateReply", handler!(replies::update))
            .doc(
                "replies",
                "Mark a reply reviewed, keep notes, or override its class (the new class's effects apply)",
            )
            .body(schema_of::<ReplyPatch>)
            .returns(ResponseDoc::Json(schema_of::<Reply>)),
        Route::post("/v1/replies/{id}/assign", "assignReply", handler!(replies::assign))
            .doc("replies", "Attach an unmatched reply to the email it answers")
            .body(schema_of::<Assignment>)
            .returns(ResponseDoc::Json(schema_of::<Reply>)),
        Route::get(
            "/v1/admin/unrouted-replies",
            "listUnroutedReplies",
            handler!(replies::list_unrouted),
        )
        .doc(
            "platform",
            "Inbound mail that reached no tenant, newest first (platform operators)",
        )
        .access(Access::Role(Role::Superadmin))
        .query(query_params::<UnroutedFilter>)
        .returns(ResponseDoc::List(schema_of::<Reply>)),
        Route::post(
            "/v1/admin/unrouted-replies/{id}/route",
            "routeUnroutedReply",
            handler!(replies::route_unrouted),
        )
        .doc(
            "platform",
            "Hand an unrouted message to its tenant, where it waits as an unmatched reply",
        )
        .access(Access::Role(Role::Superadmin))
        .body(schema_of::<Routing>)
        .returns(ResponseDoc::Json(schema_of::<Reply>)),
        Route::put(
            "/v1/admin/tenants/{tenantId}/rate-limits",
            "setTenantRateLimits",
            handler!(system::set_rate_limits),
        )
        .doc(
            "platform",
            "Set a tenant's API rate limits (platform operators)",
        )
        .access(Access::Role(Role::Superadmin))
        .body(schema_of::<TenantLimits>)
        .returns(ResponseDoc::Json(schema_of::<TenantLimits>)),
        Route::get("/v1/usage", "getUsage", handler!(usage::get_usage))
            .doc(
                "usage",
                "A month's credits by operation, the limit and what is left, and the month's charges (newest first, at most 1,000)",
            )
            .query(query_params::<UsageQuery>)
            .returns(ResponseDoc::Json(schema_of::<UsageReport>)),
        Route::put(
            "/v1/admin/tenants/{tenantId}/credit-limit",
            "setTenantCreditLimit",
            handler!(usage::set_credit_limit),
        )
        .doc(
            "platform",
            "Set a tenant's monthly credit limit, null for none (platform operators)",
        )
        .access(Access::Role(Role::Superadmin))
        .body(schema_of::<CreditLimit>)
        .returns(ResponseDoc::Json(schema_of::<CreditLimit>)),
    ]
}

/// The route with this operationId, for a Lambda function that serves only it.
pub fn by_operation(operation_id: &str) -> Option<Route> {
    routes()
        .into_iter()
        .find(|r| r.operation_id == operation_id)
}
