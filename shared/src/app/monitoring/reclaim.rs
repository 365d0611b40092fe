//! `draftReclaimEmail`: for an outreach link that was won and is confirmed lost, a short note
//! to the same contact, threaded on the original conversation as its next follow-up (so it
//! leaves with `In-Reply-To` and `References` from the thread's Message-IDs, and the original
//! quoted). It always waits for a person's approval (`approveFollowUp`), and then goes through
//! the same send policy as every follow-up: suppression, caps, legal basis, the send window,
//! at most once; a link that came back meanwhile refuses it (`link_not_lost`).

use crate::app::outreach::keys::BacklinkEmail;
use crate::app::outreach::{emails, keys, sender};
use crate::app::{App, AppError, backlinks, entity};
use crate::domain::backlink::{Backlink, SourceType};
use crate::domain::ids::{BacklinkId, TenantId};
use crate::domain::monitoring::codes::FindingCode;
use crate::domain::monitoring::health::HealthStatus;
use crate::domain::outreach::{EmailStatus, FollowUpDraft, FollowUpPurpose, OutreachEmail};
use crate::domain::text::multi_line;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReclaimRequest {
    /// The note to send instead of the drafted one (1-10000 characters).
    #[schema(min_length = 1)]
    pub body: Option<String>,
}

pub async fn draft(
    app: &App,
    tenant: &TenantId,
    id: &BacklinkId,
    input: ReclaimRequest,
) -> Result<OutreachEmail, AppError> {
    let written = input
        .body
        .as_deref()
        .map(|b| multi_line(b, 10_000))
        .transpose()
        .map_err(|e| AppError::Invalid(vec![e.within("body")]))?;
    if written.as_deref() == Some("") {
        return Err(AppError::invalid("body", "must not be empty"));
    }
    let b = backlinks::get(app, tenant, id).await?;
    if b.source_type != SourceType::Outreach {
        return Err(AppError::Conflict(
            "only an outreach backlink has a conversation to reclaim its link in".into(),
        ));
    }
    let Some(health) = b
        .link_health
        .as_ref()
        .filter(|h| h.status == HealthStatus::Dead)
    else {
        return Err(AppError::Conflict(
            "the link is not confirmed lost; a reclaim is for a link that was placed and is gone"
                .into(),
        ));
    };
    let no_thread = || {
        AppError::Conflict(
            "nothing was sent to this backlink's contact: there is no conversation to thread on"
                .into(),
        )
    };
    let pointer = app
        .table
        .get(&keys::backlink_email(tenant, &b.id))
        .await?
        .ok_or_else(no_thread)?;
    let email = emails::get(
        app,
        tenant,
        &entity::read::<BacklinkEmail>(pointer)?.email_id,
    )
    .await?;
    if email.status != EmailStatus::Sent || email.message_ids.is_empty() {
        return Err(no_thread());
    }
    let body = match written {
        Some(body) => body,
        None => {
            let from = sender::get(app, tenant).await?.from_name;
            note(&b, &email, &health.reasons, &from)
        }
    };
    let edited = input.body.is_some();
    let now = app.clock.now();
    emails::modify(app, tenant, &email.id, |e| {
        if e.follow_up_pending.is_some() {
            return Err(AppError::Conflict(
                "a follow-up of this email is on its way; draft the reclaim once it is sent".into(),
            ));
        }
        e.follow_up = Some(FollowUpDraft {
            sequence: e.follow_ups_sent + 1,
            body: body.clone(),
            template_id: None,
            user_edited: edited,
            note: Some("a reclaim of a lost link: a person approves it before it goes".into()),
            purpose: FollowUpPurpose::Reclaim,
            created_at: now,
            approved_at: None,
        });
        // Due as soon as it is approved.
        e.next_follow_up_at = Some(now);
        Ok(())
    })
    .await
}

/// The drafted note: short, thankful, and saying what the check saw.
fn note(b: &Backlink, email: &OutreachEmail, reasons: &[FindingCode], from: &str) -> String {
    let name = email
        .recipient_name
        .as_deref()
        .and_then(|n| n.split_whitespace().next())
        .unwrap_or("there");
    let (placement, target) = (
        b.placement_url
            .as_ref()
            .map_or(String::new(), ToString::to_string),
        b.target_url
            .as_ref()
            .map_or(String::new(), ToString::to_string),
    );
    format!(
        "Hi {name},\n\nThank you again for linking to {target} from {placement}. {} Was that \
         intended? If it went in an edit, we would be grateful if you could put it back.\n\n\
         Thanks,\n{from}",
        what_happened(reasons)
    )
}

fn what_happened(reasons: &[FindingCode]) -> &'static str {
    use FindingCode::*;
    match reasons.first() {
        Some(PageGone) => "The page no longer seems to be there.",
        Some(RedirectedAway) => "The page now redirects elsewhere, and the link went with it.",
        Some(Soft404) => "The page now shows an error or an empty page.",
        Some(Unreachable) => "The page has not loaded for us for two weeks.",
        _ => "I noticed the link is no longer on the page.",
    }
}
