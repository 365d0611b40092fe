use crate::app::App;
use crate::app::outreach::{
    analytics, emails, export, follow_up_drafts, policy, sender, settle, templates, unsubscribe,
};
use crate::app::paging::PageRequest;
use crate::domain::ids::{BacklinkId, CampaignId, EmailId, TemplateId};
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use http::StatusCode;
use std::sync::Arc;

fn template_id(call: &Call) -> Result<TemplateId, Problem> {
    call.id("id", "template", TemplateId::parse)
}

fn email_id(call: &Call) -> Result<EmailId, Problem> {
    call.id("id", "email", EmailId::parse)
}

fn campaign_id(call: &Call) -> Result<CampaignId, Problem> {
    call.id("id", "campaign", CampaignId::parse)
}

pub async fn get_sender(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&sender::get(&app, call.tenant()?).await?)
}

pub async fn update_sender(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&sender::update(&app, call.tenant()?, call.json()?).await?)
}

pub async fn list_templates(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: templates::TemplateFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&templates::list(&app, call.tenant()?, &filter, page).await?)
}

pub async fn create_template(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::created(&templates::create(&app, call.tenant()?, call.json()?).await?)
}

pub async fn get_template(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&templates::get(&app, call.tenant()?, &template_id(&call)?).await?)
}

pub async fn update_template(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = template_id(&call)?;
    Answer::ok(&templates::update(&app, call.tenant()?, &id, call.json()?).await?)
}

pub async fn delete_template(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    templates::delete(&app, call.tenant()?, &template_id(&call)?).await?;
    Answer::no_content()
}

pub async fn draft(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let backlink = call.id("id", "backlink", BacklinkId::parse)?;
    Answer::created(&emails::draft(&app, call.tenant()?, &backlink, call.json()?).await?)
}

pub async fn list_emails(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: emails::EmailFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&emails::list(&app, call.tenant()?, &filter, page).await?)
}

pub async fn get_email(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&emails::get(&app, call.tenant()?, &email_id(&call)?).await?)
}

pub async fn update_email(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = email_id(&call)?;
    Answer::ok(&emails::update(&app, call.tenant()?, &id, call.json()?).await?)
}

pub async fn approve_email(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&emails::approve(&app, call.tenant()?, &email_id(&call)?).await?)
}

pub async fn approve_follow_up(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = email_id(&call)?;
    Answer::ok(&follow_up_drafts::approve(&app, call.tenant()?, &id, call.json()?).await?)
}

pub async fn skip_email(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&emails::skip(&app, call.tenant()?, &email_id(&call)?).await?)
}

pub async fn send_email(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::json(
        StatusCode::ACCEPTED,
        &emails::send_now(&app, call.tenant()?, &email_id(&call)?).await?,
    )
}

pub async fn resolve_email(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let who = call.identity()?;
    // Another tenant's email is absent whatever the body says.
    let email = emails::get(&app, &who.tenant, &email_id(&call)?).await?;
    let resolution = call.json()?;
    Answer::ok(&settle::resolve(&app, &who.tenant, who.user.as_str(), email, &resolution).await?)
}

pub async fn request_review(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&emails::request_review(&app, call.tenant()?, &campaign_id(&call)?).await?)
}

pub async fn approve_review(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&emails::approve_review(&app, call.identity()?, &campaign_id(&call)?).await?)
}

pub async fn audit_log(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: policy::AuditFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&policy::list(&app, call.tenant()?, &filter, page).await?)
}

pub async fn campaign_analytics(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&analytics::campaign(&app, call.tenant()?, &campaign_id(&call)?).await?)
}

pub async fn report_summary(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&analytics::summary(&app, call.tenant()?).await?)
}

pub async fn export_csv(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let query: export::ExportQuery = call.query()?;
    match export::export(&app, call.tenant()?, &query).await? {
        export::Export::File(csv) => Answer::raw(StatusCode::OK, export::CSV, csv),
        export::Export::Link(link) => Answer::ok(&link),
    }
}

const HTML: &str = "text/html; charset=utf-8";

fn token(call: &Call) -> String {
    call.param("token").to_string()
}

pub async fn show_unsubscribe(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    match unsubscribe::open(&app, &token(&call)) {
        Ok((_, email)) => Answer::raw(
            StatusCode::OK,
            HTML,
            unsubscribe::confirmation_page(&email, &token(&call)),
        ),
        Err(_) => Answer::raw(
            StatusCode::NOT_FOUND,
            HTML,
            unsubscribe::page(
                "Link not valid",
                "<p>This unsubscribe link is not valid.</p>",
            ),
        ),
    }
}

pub async fn unsubscribe(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    match unsubscribe::confirm(&app, &token(&call)).await {
        Ok(email) => {
            let body = format!(
                "<p>{} will receive no more emails from us.</p>",
                email.as_str().replace('<', "&lt;")
            );
            Answer::raw(
                StatusCode::OK,
                HTML,
                unsubscribe::page("Unsubscribed", &body),
            )
        }
        Err(crate::app::AppError::NotFound(_)) => Answer::raw(
            StatusCode::NOT_FOUND,
            HTML,
            unsubscribe::page(
                "Link not valid",
                "<p>This unsubscribe link is not valid.</p>",
            ),
        ),
        Err(e) => Err(e.into()),
    }
}
