//! The send policy: every reason that holds is found, not just the first (sender identity,
//! suppression, the reply state of a follow-up, legal basis; the send stage adds the
//! campaign's state, and for a permanently blocked send also the caps and the window, so the
//! audit log shows all of them). Idempotency and the daily caps are claimed atomically when
//! the send goes ahead; see `sending`. Every outcome is written to the audit log.

use super::keys;
use crate::app::entity::{self, Logged};
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::tenant_partition;
use crate::app::{App, AppError, suppression};
use crate::domain::backlink::{Backlink, OutreachStatus};
use crate::domain::ids::TenantId;
use crate::domain::monitoring::health::HealthStatus;
use crate::domain::outreach::{
    AuditEntry, BlockReason, LegalBasis, OutreachEmail, Region, SenderSettings, Verdict,
    legal_basis, ordered, region_of,
};
use crate::ports::table::{Index, Query, SortCondition};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Every reason that holds, permanent ones first.
    pub reasons: Vec<BlockReason>,
    pub region: Region,
    pub legal_basis: LegalBasis,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        self.reasons.is_empty()
    }

    /// Whether a reason holds that no later try can get past.
    pub fn is_permanent(&self) -> bool {
        self.reasons.iter().any(|r| r.is_permanent())
    }

    /// The reasons that decided: the permanent ones when there are any, else all of them.
    pub fn causes(&self) -> Vec<BlockReason> {
        let permanent = self.is_permanent();
        self.reasons
            .iter()
            .copied()
            .filter(|r| !permanent || r.is_permanent())
            .collect()
    }

    /// Adds reasons and keeps the order: permanent first.
    pub fn add(&mut self, more: impl IntoIterator<Item = BlockReason>) {
        self.reasons.extend(more);
        self.reasons = ordered(std::mem::take(&mut self.reasons));
    }
}

/// Checks everything that does not consume a cap.
pub async fn evaluate(
    app: &App,
    tenant: &TenantId,
    settings: &SenderSettings,
    email: &OutreachEmail,
    backlink: &Backlink,
    sequence: u32,
) -> Result<Decision, AppError> {
    let mut reasons = Vec::new();
    if !settings.missing_identity().is_empty() {
        reasons.push(BlockReason::SenderIdentityIncomplete);
    }
    if let Some(entry) = suppression::blocking_email(app, tenant, &email.recipient_email).await? {
        reasons.push(match entry.kind {
            suppression::SuppressionKind::Email => BlockReason::SuppressedAddress,
            suppression::SuppressionKind::Domain => BlockReason::SuppressedDomain,
        });
    }
    if sequence > 0 && email.reclaiming() {
        // A reclaim goes to someone who answered, about a link that is confirmed gone.
        let lost = backlink
            .link_health
            .as_ref()
            .is_some_and(|h| h.status == HealthStatus::Dead);
        if !lost {
            reasons.push(BlockReason::LinkNotLost);
        }
    } else if sequence > 0 {
        if email.replied_at.is_some() {
            reasons.push(BlockReason::Replied);
        }
        if backlink.outreach_status != OutreachStatus::OutreachSent {
            reasons.push(BlockReason::NotAwaitingReply);
        }
    }
    let region = region_of(email.recipient_email.domain(), backlink.country.as_deref());
    let basis = legal_basis(region);
    if basis == LegalBasis::Consent
        && backlink
            .consent_evidence
            .as_deref()
            .is_none_or(str::is_empty)
    {
        reasons.push(BlockReason::ConsentRequired);
    }
    Ok(Decision {
        reasons,
        region,
        legal_basis: basis,
    })
}

/// Writes one audit entry.
pub async fn audit(
    app: &App,
    tenant: &TenantId,
    email: &OutreachEmail,
    settings: &SenderSettings,
    sequence: u32,
    subject: &str,
    decision: &Decision,
) -> Result<(), AppError> {
    let at = app.clock.now();
    let entry = AuditEntry {
        at,
        email_id: email.id.clone(),
        campaign_id: email.campaign_id.clone(),
        sequence,
        recipient: email.recipient_email.to_string(),
        sender: settings.from_email.as_ref().map(ToString::to_string),
        subject: subject.to_string(),
        verdict: if decision.allowed() {
            Verdict::Allowed
        } else {
            Verdict::Blocked
        },
        reasons: decision.reasons.clone(),
        region: decision.region,
        legal_basis: decision.legal_basis,
    };
    let record = Logged {
        id: app.ids.next().simple().to_string(),
        entry,
    };
    app.table.put(entity::item(&record, tenant)?, None).await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    pub campaign_id: Option<String>,
    pub verdict: Option<Verdict>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// `listAuditLog`, newest first.
pub async fn list(
    app: &App,
    tenant: &TenantId,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<ListPage<AuditEntry>, AppError> {
    let campaign = crate::app::campaigns::filter_id(filter.campaign_id.as_deref())?;
    let query = Query::new(Index::Table, tenant_partition(tenant))
        .sort(SortCondition::BeginsWith(keys::AUDIT_PREFIX.into()))
        .descending();
    paging::list(app.table.as_ref(), query, page, |item| {
        let entry = entity::read::<Logged<AuditEntry>>(item)?.entry;
        let keep = campaign.as_ref().is_none_or(|c| &entry.campaign_id == c)
            && filter.verdict.is_none_or(|v| entry.verdict == v);
        Ok(keep.then_some(entry))
    })
    .await
}
