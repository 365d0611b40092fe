//! Suppression: addresses and whole domains that must never be written to. Each tenant has
//! its own list; hard bounces and complaints from any tenant go on the platform list, which
//! every tenant honours.

use super::entity::{self, Entity, Owner};
use super::paging::{self, ListPage, PageRequest};
use super::store::tenant_partition;
use super::{App, AppError};
use crate::domain::FieldError;
use crate::domain::email::{EmailAddress, registrable_domain};
use crate::domain::identity::Identity;
use crate::domain::ids::TenantId;
use crate::domain::time::Timestamp;
use crate::domain::web::DomainName;
use crate::ports::table::{Condition, Index, Key, Query, SortCondition, TableError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    Manual,
    Unsubscribe,
    BounceHard,
    BounceSoft,
    Complaint,
}

/// What is suppressed: one address, or every address of a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Email(EmailAddress),
    Domain(DomainName),
}

impl Target {
    /// An address (has an `@`) or a domain.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        if text.contains('@') {
            EmailAddress::parse(text).map(|e| Target::Email(lowercase(e)))
        } else {
            DomainName::parse(text).map(Target::Domain)
        }
    }

    fn value(&self) -> String {
        match self {
            Target::Email(e) => e.to_string(),
            Target::Domain(d) => d.to_string(),
        }
    }

    fn kind(&self) -> SuppressionKind {
        match self {
            Target::Email(_) => SuppressionKind::Email,
            Target::Domain(_) => SuppressionKind::Domain,
        }
    }

    fn key(&self, scope: &Scope) -> Key {
        key(scope, self.kind(), &self.value())
    }
}

/// Suppression matches addresses whatever their case.
fn lowercase(email: EmailAddress) -> EmailAddress {
    EmailAddress::parse(&email.as_str().to_ascii_lowercase()).unwrap_or(email)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suppression {
    /// The address or domain.
    pub value: String,
    pub kind: SuppressionKind,
    pub reason: SuppressionReason,
    /// Who added it: a user id, or `system` for bounces, complaints and unsubscribes.
    pub added_by: String,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionKind {
    Email,
    Domain,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSuppression {
    /// An email address, or a domain to suppress every address of.
    #[schema(min_length = 1)]
    pub value: String,
    #[serde(default)]
    pub reason: Option<SuppressionReason>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuppressionFilter {
    pub kind: Option<SuppressionKind>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// Whose list an entry is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Tenant(TenantId),
    Platform,
}

impl Owner for Scope {
    // An entry belongs to a list, not to a sweep across tenants.
    const IS_TENANT: bool = false;
    fn tenant(&self) -> Option<&TenantId> {
        None
    }
}

fn partition(scope: &Scope) -> String {
    match scope {
        Scope::Tenant(t) => format!("{}#SUPPRESS", tenant_partition(t)),
        Scope::Platform => "PLATFORM#SUPPRESS".into(),
    }
}

const EMAIL_PREFIX: &str = "EMAIL#";
const DOMAIN_PREFIX: &str = "DOMAIN#";

fn kind_prefix(kind: SuppressionKind) -> &'static str {
    match kind {
        SuppressionKind::Email => EMAIL_PREFIX,
        SuppressionKind::Domain => DOMAIN_PREFIX,
    }
}

fn key(scope: &Scope, kind: SuppressionKind, value: &str) -> Key {
    Key::new(partition(scope), format!("{}{value}", kind_prefix(kind)))
}

impl Entity for Suppression {
    const TAG: &'static str = "suppression";
    type Owner = Scope;

    fn key(&self, scope: &Scope) -> Key {
        key(scope, self.kind, &self.value)
    }
}

/// Adds an entry (an existing one is kept as it was).
pub async fn add(
    app: &App,
    scope: &Scope,
    target: &Target,
    reason: SuppressionReason,
    by: &str,
    note: Option<String>,
) -> Result<Suppression, AppError> {
    let entry = Suppression {
        value: target.value(),
        kind: target.kind(),
        reason,
        added_by: by.into(),
        note,
        created_at: app.clock.now(),
    };
    match app
        .table
        .put(entity::item(&entry, scope)?, Some(Condition::NotExists))
        .await
    {
        Ok(()) => Ok(entry),
        Err(TableError::ConditionFailed) => match app.table.get(&target.key(scope)).await? {
            Some(item) => entity::read(item),
            None => Ok(entry),
        },
        Err(e) => Err(e.into()),
    }
}

/// `addSuppression` on the caller's own list.
pub async fn add_for(
    app: &App,
    who: &Identity,
    input: NewSuppression,
) -> Result<Suppression, AppError> {
    let target =
        Target::parse(&input.value).map_err(|e| AppError::Invalid(vec![e.within("value")]))?;
    let note = input
        .note
        .as_deref()
        .map(|n| crate::domain::text::single_line(n, 500))
        .transpose()
        .map_err(|e| AppError::Invalid(vec![e.within("note")]))?;
    add(
        app,
        &Scope::Tenant(who.tenant.clone()),
        &target,
        input.reason.unwrap_or(SuppressionReason::Manual),
        who.user.as_str(),
        note,
    )
    .await
}

pub async fn remove(app: &App, tenant: &TenantId, value: &str) -> Result<(), AppError> {
    let target = Target::parse(value).map_err(|_| AppError::NotFound("suppression"))?;
    let key = target.key(&Scope::Tenant(tenant.clone()));
    match app.table.delete(&key, Some(Condition::Exists)).await {
        Ok(_) => Ok(()),
        Err(TableError::ConditionFailed) => Err(AppError::NotFound("suppression")),
        Err(e) => Err(e.into()),
    }
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    filter: &SuppressionFilter,
    page: PageRequest,
) -> Result<ListPage<Suppression>, AppError> {
    let mut query = Query::new(Index::Table, partition(&Scope::Tenant(tenant.clone())));
    if let Some(kind) = filter.kind {
        query = query.sort(SortCondition::BeginsWith(kind_prefix(kind).into()));
    }
    paging::list(app.table.as_ref(), query, page, |item| {
        entity::read(item).map(Some)
    })
    .await
}

/// The domains a domain is suppressed through: itself and its registrable domain.
fn domain_entries(domain: &str) -> Vec<(SuppressionKind, String)> {
    let mut entries = vec![(SuppressionKind::Domain, domain.to_string())];
    if let Some(root) = registrable_domain(domain).filter(|r| r != domain) {
        entries.push((SuppressionKind::Domain, root));
    }
    entries
}

async fn any(
    app: &App,
    tenant: &TenantId,
    entries: &[(SuppressionKind, String)],
) -> Result<Option<Suppression>, AppError> {
    for scope in [Scope::Tenant(tenant.clone()), Scope::Platform] {
        for (kind, value) in entries {
            if let Some(item) = app.table.get(&key(&scope, *kind, value)).await? {
                return entity::read(item).map(Some);
            }
        }
    }
    Ok(None)
}

/// The entry that stops mail to this address, on the tenant's list or the platform's.
pub async fn blocking_email(
    app: &App,
    tenant: &TenantId,
    email: &EmailAddress,
) -> Result<Option<Suppression>, AppError> {
    let mut entries = vec![(SuppressionKind::Email, email.as_str().to_ascii_lowercase())];
    entries.extend(domain_entries(email.domain()));
    any(app, tenant, &entries).await
}

/// Whether a whole domain is suppressed for this tenant (discovery leaves it out).
pub async fn domain_suppressed(
    app: &App,
    tenant: &TenantId,
    domain: &DomainName,
) -> Result<bool, AppError> {
    Ok(any(app, tenant, &domain_entries(domain.as_str()))
        .await?
        .is_some())
}
