//! Compose: the message as it will leave, with our Message-ID, a Reply-To that carries the
//! attempt's token, the thread it continues and the one-click unsubscribe.

use super::SendMessage;
use super::claim::Claimed;
use super::gate::Cleared;
use super::guard::Due;
use crate::app::outreach::templates;
use crate::app::{App, AppError, backlinks};
use crate::domain::campaign::Campaign;
use crate::domain::ids::TenantId;
use crate::domain::mail::OutgoingMail;
use crate::domain::outreach::{OutreachEmail, SenderSettings, render, template_values};

pub(super) async fn mail(
    app: &App,
    m: &SendMessage,
    due: &Due,
    cleared: &Cleared,
    claimed: &Claimed,
) -> Result<OutgoingMail, AppError> {
    let tenant = &m.tenant_id;
    let (email, settings) = (&due.email, &cleared.settings);
    let text = if m.sequence == 0 {
        email.body.clone()
    } else {
        follow_up_text(app, tenant, email, &due.campaign, settings).await?
    };
    let unsubscribe = app
        .outreach
        .secrets
        .sign(&format!("{tenant}|{}", email.recipient_email));
    let (token, reply_domain) = (&claimed.attempt.reply_token, &claimed.reply_domain);
    Ok(OutgoingMail {
        from_name: settings.from_name.clone(),
        from_email: settings
            .from_email
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        to_name: email.recipient_name.clone(),
        to_email: email.recipient_email.to_string(),
        reply_to: format!("reply+{token}@{reply_domain}"),
        subject: cleared.subject.clone(),
        text,
        message_id: claimed.attempt.message_id.clone(),
        in_reply_to: email.message_ids.last().cloned(),
        references: email.message_ids.clone(),
        unsubscribe_mailto: format!("unsubscribe+{token}@{reply_domain}"),
        unsubscribe_url: format!(
            "{}/v1/unsubscribe/{unsubscribe}",
            app.outreach.public_base_url.trim_end_matches('/')
        ),
        organization: settings.organization.clone(),
        postal_address: settings.postal_address.clone(),
    })
}

/// The text of the n-th follow-up: the tenant's first follow-up template, or a short nudge.
async fn follow_up_text(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    campaign: &Campaign,
    settings: &SenderSettings,
) -> Result<String, AppError> {
    let filter = templates::TemplateFilter {
        category: Some(crate::domain::outreach::TemplateCategory::FollowUp),
        ..Default::default()
    };
    let found = templates::list(
        app,
        tenant,
        &filter,
        crate::app::paging::PageRequest::first(1),
    )
    .await?;
    let body = found.items.first().map(|t| t.body.clone()).unwrap_or_else(|| {
        "Hi {{recipient_first_name}},\n\nJust following up on my note below about {{topic}}. Would it be a fit for \
         {{site_name}}?\n\nBest,\n{{sender_name}}"
            .to_string()
    });
    let backlink = backlinks::get(app, tenant, &email.backlink_id).await?;
    let site = crate::app::crawl::cached(app, &backlink.source_domain).await?;
    let topic = campaign.keywords.first().cloned().unwrap_or_default();
    let values = template_values(
        &backlink,
        campaign,
        settings,
        site.as_ref().map(|r| r.signals.title.as_str()),
        &topic,
    );
    let quoted: String = email.body.lines().map(|l| format!("> {l}\n")).collect();
    Ok(format!("{}\n\n{quoted}", render(&body, &values)))
}
