//! Follow-up texts: made from the campaign's template for the step when the follow-up falls
//! due, held for a person's approval unless the campaign sends follow-ups unreviewed, and
//! sent with the original quoted under them.

use super::emails;
use super::templates;
use crate::app::{App, AppError, backlinks, crawl};
use crate::domain::campaign::Campaign;
use crate::domain::ids::{EmailId, TenantId};
use crate::domain::outreach::{
    EmailStatus, FollowUpDraft, FollowUpPurpose, OutreachEmail, SenderSettings, TemplateCategory,
    render, template_values,
};
use crate::domain::text::multi_line;
use serde::Deserialize;
use utoipa::ToSchema;

/// The text of a step without a template of its own.
pub const NUDGE: &str = "Hi {{recipient_first_name}},\n\nJust following up on my note below about \
{{topic}}. Would it be a fit for {{site_name}}?\n\nBest,\n{{sender_name}}";

/// A person's approval of a follow-up, with the text edited or as drafted.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FollowUpApproval {
    /// The text to send instead of the draft (1-10000 characters).
    #[schema(min_length = 1)]
    pub body: Option<String>,
}

/// The `sequence`-th follow-up of `email`, made from its step's template. A template that
/// is gone or no longer a follow-up template gives the nudge with a note, and the draft
/// waits for a person whatever the campaign says.
pub async fn draft(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    campaign: &Campaign,
    settings: &SenderSettings,
    sequence: u32,
) -> Result<FollowUpDraft, AppError> {
    let step = campaign
        .follow_up_template_ids
        .get(sequence.saturating_sub(1) as usize);
    let (body, template_id, note) = match step {
        None => (NUDGE.to_string(), None, None),
        Some(id) => match templates::get(app, tenant, id).await {
            Ok(t) if t.category == TemplateCategory::FollowUp => (t.body, Some(id.clone()), None),
            Ok(_) | Err(AppError::NotFound(_)) => (
                NUDGE.to_string(),
                None,
                Some(format!(
                    "template {id} for follow-up {sequence} is no longer a follow-up template; \
                     the short nudge was drafted instead"
                )),
            ),
            Err(e) => return Err(e),
        },
    };
    let backlink = backlinks::get(app, tenant, &email.backlink_id).await?;
    let site = crawl::cached(app, &backlink.source_domain).await?;
    let topic = campaign.keywords.first().cloned().unwrap_or_default();
    let values = template_values(
        &backlink,
        campaign,
        settings,
        site.as_ref().map(|r| r.signals.title.as_str()),
        &topic,
    );
    let now = app.clock.now();
    let approved = campaign.send_follow_ups_unreviewed && note.is_none();
    Ok(FollowUpDraft {
        sequence,
        body: render(&body, &values),
        template_id,
        user_edited: false,
        note,
        purpose: FollowUpPurpose::Sequence,
        created_at: now,
        approved_at: approved.then_some(now),
    })
}

/// The follow-up as it leaves: the approved draft of this step (or, for an email drafted
/// before drafts were kept, one made now), with the original quoted.
pub async fn text(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    campaign: &Campaign,
    settings: &SenderSettings,
    sequence: u32,
) -> Result<String, AppError> {
    let body = match &email.follow_up {
        Some(d) if d.sequence == sequence && !d.awaits_review() => d.body.clone(),
        _ => {
            draft(app, tenant, email, campaign, settings, sequence)
                .await?
                .body
        }
    };
    let quoted: String = email.body.lines().map(|l| format!("> {l}\n")).collect();
    Ok(format!("{body}\n\n{quoted}"))
}

/// `approveFollowUp`: the draft waiting for review goes, as drafted or as edited, at the
/// next follow-up sweep.
pub async fn approve(
    app: &App,
    tenant: &TenantId,
    id: &EmailId,
    input: FollowUpApproval,
) -> Result<OutreachEmail, AppError> {
    let edited = input
        .body
        .as_deref()
        .map(|b| multi_line(b, 10_000))
        .transpose()
        .map_err(|e| AppError::Invalid(vec![e.within("body")]))?;
    if edited.as_deref() == Some("") {
        return Err(AppError::invalid("body", "must not be empty"));
    }
    let now = app.clock.now();
    emails::modify(app, tenant, id, |e| {
        let waiting = e.status == EmailStatus::Sent && !e.follow_ups_stopped();
        let Some(draft) = e
            .follow_up
            .as_mut()
            .filter(|d| waiting && d.awaits_review())
        else {
            return Err(AppError::Conflict(
                "this email has no follow-up waiting for review".into(),
            ));
        };
        if let Some(body) = &edited {
            draft.user_edited |= *body != draft.body;
            draft.body = body.clone();
        }
        draft.approved_at = Some(now);
        Ok(())
    })
    .await
}
