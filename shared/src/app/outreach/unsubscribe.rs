//! One-click unsubscribe (RFC 8058): each email links to a signed token. GET shows a small
//! confirmation page; POST (the one-click form, or mail clients' List-Unsubscribe-Post)
//! suppresses the address at once. Forged or altered tokens are refused.

use crate::app::suppression::{self, Scope, SuppressionReason, Target};
use crate::app::{App, AppError};
use crate::domain::email::EmailAddress;
use crate::domain::ids::TenantId;

/// The tenant and address a token names.
pub fn open(app: &App, token: &str) -> Result<(TenantId, EmailAddress), AppError> {
    let payload = app
        .outreach
        .secrets
        .verify(token)
        .map_err(|_| AppError::NotFound("unsubscribe link"))?;
    let (tenant, email) = payload
        .split_once('|')
        .ok_or(AppError::NotFound("unsubscribe link"))?;
    let tenant = TenantId::parse(tenant).map_err(|_| AppError::NotFound("unsubscribe link"))?;
    let email = EmailAddress::parse(email).map_err(|_| AppError::NotFound("unsubscribe link"))?;
    Ok((tenant, email))
}

pub async fn confirm(app: &App, token: &str) -> Result<EmailAddress, AppError> {
    let (tenant, email) = open(app, token)?;
    suppression::add(
        app,
        &Scope::Tenant(tenant.clone()),
        &Target::Email(email.clone()),
        SuppressionReason::Unsubscribe,
        "system",
        None,
    )
    .await?;
    Ok(email)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width\"><title>{0}</title></head><body style=\"font-family:sans-serif;\
         max-width:32rem;margin:4rem auto\"><h1>{0}</h1>{body}</body></html>",
        escape(title)
    )
}

pub fn confirmation_page(email: &EmailAddress, token: &str) -> String {
    page(
        "Unsubscribe",
        &format!(
            "<p>Stop all emails to <strong>{}</strong>?</p><form method=\"post\" action=\"{}\">\
             <button type=\"submit\">Unsubscribe</button></form>",
            escape(email.as_str()),
            escape(token)
        ),
    )
}
