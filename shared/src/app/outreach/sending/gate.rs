//! The policy phase: whether the send may go now, with every reason that holds. A blocked
//! send is audited and settled here; a cleared one carries what the claim needs.

use super::SendMessage;
use super::guard::Due;
use super::settle::stop;
use crate::app::outreach::policy::{self, Decision};
use crate::app::outreach::{emails, keys, sender};
use crate::app::{App, AppError, backlinks};
use crate::domain::campaign::{Campaign, CampaignStatus};
use crate::domain::email::registrable_domain;
use crate::domain::ids::TenantId;
use crate::domain::outreach::{BlockReason, Counter, EmailStatus, OutreachEmail, SenderSettings};
use crate::ports::mailer::Transport;
use chrono::NaiveDate;
use serde_json::Value;

/// A daily cap a send takes a place in: its counter's scope, its size, and the reason a
/// full one gives.
pub(super) struct Cap {
    pub scope: String,
    pub size: u32,
    pub reason: BlockReason,
}

/// A send the policy allows.
pub(super) struct Cleared {
    pub settings: SenderSettings,
    pub transport: Transport,
    pub decision: Decision,
    pub subject: String,
    /// The tenant's day (in its send window's zone) the caps count on.
    pub day: NaiveDate,
    pub caps: Vec<Cap>,
}

impl Cleared {
    /// Audits `decision` for this send: the claim's own verdict or a refusal of it.
    pub(super) async fn audit(
        &self,
        app: &App,
        m: &SendMessage,
        email: &OutreachEmail,
        decision: &Decision,
    ) -> Result<(), AppError> {
        let (settings, subject) = (&self.settings, &self.subject);
        policy::audit(
            app,
            &m.tenant_id,
            email,
            settings,
            m.sequence,
            subject,
            decision,
        )
        .await
    }
}

pub(super) async fn clear(
    app: &App,
    m: &SendMessage,
    due: &Due,
) -> Result<Option<Cleared>, AppError> {
    let tenant = &m.tenant_id;
    let email = &due.email;
    let (settings, transport) = sender::for_sending(app, tenant).await?;
    let backlink = backlinks::get(app, tenant, &email.backlink_id).await?;
    let subject = if m.sequence == 0 {
        email.subject.clone()
    } else {
        format!("Re: {}", email.subject)
    };
    let mut decision =
        policy::evaluate(app, tenant, &settings, email, &backlink, m.sequence).await?;
    // A reclaim may also go for a campaign that has finished: the link it won is still owed.
    let reclaim_after_end = email.reclaiming() && due.campaign.status == CampaignStatus::Completed;
    if due.campaign.status != CampaignStatus::Active && !reclaim_after_end {
        decision.add([BlockReason::CampaignNotActive]);
    }
    let now = app.clock.now();
    let day = settings.send_window.day(now.datetime());
    let domain = registrable_domain(email.recipient_email.domain())
        .unwrap_or_else(|| email.recipient_email.domain().to_string());
    let caps = caps(
        tenant,
        &settings,
        &due.campaign,
        &domain,
        app.outreach.platform_domain_daily_cap,
    );
    if decision.is_permanent() {
        // Settled for good; the audit log still shows what else held at the time.
        decision.add(full_caps(app, &caps, day).await?);
        if !settings.send_window.is_open(now.datetime()) {
            decision.add([BlockReason::SendWindowClosed]);
        }
    }
    if decision.allowed() {
        return Ok(Some(Cleared {
            settings,
            transport,
            decision,
            subject,
            day,
            caps,
        }));
    }
    policy::audit(
        app, tenant, email, &settings, m.sequence, &subject, &decision,
    )
    .await?;
    if decision.reasons == [BlockReason::CampaignNotActive] && m.sequence == 0 {
        // Not refused, just not now: back to approved for when the campaign resumes.
        emails::modify(app, tenant, &email.id, |e| {
            e.status = EmailStatus::Approved;
            Ok(())
        })
        .await?;
    } else {
        block(app, tenant, email, m.sequence, &decision).await?;
    }
    Ok(None)
}

/// The cap counters a send claims.
fn caps(
    tenant: &TenantId,
    settings: &SenderSettings,
    campaign: &Campaign,
    domain: &str,
    platform_cap: u32,
) -> Vec<Cap> {
    let cap = |scope, size, reason| Cap {
        scope,
        size,
        reason,
    };
    vec![
        cap(
            keys::campaign_cap_scope(tenant, &campaign.id),
            campaign.limits.max_emails_per_day,
            BlockReason::CapCampaignDaily,
        ),
        cap(
            keys::tenant_cap_scope(tenant),
            settings.caps.per_tenant_daily,
            BlockReason::CapTenantDaily,
        ),
        cap(
            keys::domain_cap_scope(tenant, domain),
            settings.caps.per_recipient_domain_daily,
            BlockReason::CapRecipientDomainDaily,
        ),
        cap(
            keys::platform_domain_cap_scope(domain),
            platform_cap,
            BlockReason::CapPlatformDomainDaily,
        ),
    ]
}

/// Marks the email blocked (first email) or stops its follow-ups, with every reason that
/// held; the campaign counts it under the reasons that decided.
async fn block(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    sequence: u32,
    decision: &Decision,
) -> Result<(), AppError> {
    emails::modify(app, tenant, &email.id, |e| {
        stop(e, sequence, EmailStatus::Blocked);
        e.block_reasons = decision.reasons.clone();
        Ok(())
    })
    .await?;
    for reason in decision.causes() {
        emails::stat(app, tenant, &email.campaign_id, Counter::Blocked(reason), 1).await?;
    }
    Ok(())
}

/// The caps already full today, read without taking a place.
async fn full_caps(app: &App, caps: &[Cap], day: NaiveDate) -> Result<Vec<BlockReason>, AppError> {
    let mut full = Vec::new();
    for cap in caps {
        let count = app
            .table
            .get(&keys::cap(&cap.scope, day))
            .await?
            .and_then(|item| item.get("count").and_then(Value::as_i64))
            .unwrap_or(0);
        if count >= i64::from(cap.size) {
            full.push(cap.reason);
        }
    }
    Ok(full)
}
