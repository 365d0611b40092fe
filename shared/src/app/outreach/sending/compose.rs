//! Compose: the message as it will leave, with our Message-ID, a Reply-To that carries the
//! attempt's token, the thread it continues and the one-click unsubscribe.

use super::SendMessage;
use super::claim::Claimed;
use super::gate::Cleared;
use super::guard::Due;
use crate::app::outreach::follow_up_drafts;
use crate::app::{App, AppError};
use crate::domain::mail::OutgoingMail;

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
        follow_up_drafts::text(app, tenant, email, &due.campaign, settings, m.sequence).await?
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
