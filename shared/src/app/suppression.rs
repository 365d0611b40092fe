//! Suppression: addresses and whole domains that must never be written to. Each tenant has
//! its own list; hard bounces and complaints from any tenant go on the platform list, which
//! every tenant honours.

use super::paging::{self, ListPage, PageRequest};
use super::store::{from_item, tenant_partition, to_item};
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

    fn sort_key(&self) -> String {
        match self {
            Target::Email(e) => format!("EMAIL#{e}"),
            Target::Domain(d) => format!("DOMAIN#{d}"),
        }
    }

    fn value(&self) -> String {
        match self {
            Target::Email(e) => e.to_string(),
            Target::Domain(d) => d.to_string(),
        }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    Tenant(&'a TenantId),
    Platform,
}

fn partition(scope: Scope<'_>) -> String {
    match scope {
        Scope::Tenant(t) => format!("{}#SUPPRESS", tenant_partition(t)),
        Scope::Platform => "PLATFORM#SUPPRESS".into(),
    }
}

/// Adds an entry (an existing one is kept as it was).
pub async fn add(
    app: &App,
    scope: Scope<'_>,
    target: &Target,
    reason: SuppressionReason,
    by: &str,
    note: Option<String>,
) -> Result<Suppression, AppError> {
    let entry = Suppression {
        value: target.value(),
        kind: match target {
            Target::Email(_) => SuppressionKind::Email,
            Target::Domain(_) => SuppressionKind::Domain,
        },
        reason,
        added_by: by.into(),
        note,
        created_at: app.clock.now(),
    };
    let key = Key::new(partition(scope), target.sort_key());
    match app
        .table
        .put(
            to_item("suppression", &key, &entry, [])?,
            Some(Condition::NotExists),
        )
        .await
    {
        Ok(()) => Ok(entry),
        Err(TableError::ConditionFailed) => match app.table.get(&key).await? {
            Some(item) => from_item(item),
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
        Scope::Tenant(&who.tenant),
        &target,
        input.reason.unwrap_or(SuppressionReason::Manual),
        who.user.as_str(),
        note,
    )
    .await
}

pub async fn remove(app: &App, tenant: &TenantId, value: &str) -> Result<(), AppError> {
    let target = Target::parse(value).map_err(|_| AppError::NotFound("suppression"))?;
    let key = Key::new(partition(Scope::Tenant(tenant)), target.sort_key());
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
    let mut query = Query::new(Index::Table, partition(Scope::Tenant(tenant)));
    if let Some(kind) = filter.kind {
        let prefix = match kind {
            SuppressionKind::Email => "EMAIL#",
            SuppressionKind::Domain => "DOMAIN#",
        };
        query = query.sort(SortCondition::BeginsWith(prefix.into()));
    }
    paging::list(app.table.as_ref(), query, page, |item| {
        from_item(item).map(Some)
    })
    .await
}

/// The domains a domain is suppressed through: itself and its registrable domain.
fn domain_keys(domain: &str) -> Vec<String> {
    let mut keys = vec![format!("DOMAIN#{domain}")];
    if let Some(root) = registrable_domain(domain).filter(|r| r != domain) {
        keys.push(format!("DOMAIN#{root}"));
    }
    keys
}

async fn any(
    app: &App,
    tenant: &TenantId,
    sort_keys: &[String],
) -> Result<Option<Suppression>, AppError> {
    for scope in [Scope::Tenant(tenant), Scope::Platform] {
        for sk in sort_keys {
            if let Some(item) = app
                .table
                .get(&Key::new(partition(scope), sk.clone()))
                .await?
            {
                return from_item(item).map(Some);
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
    let mut keys = vec![format!("EMAIL#{}", email.as_str().to_ascii_lowercase())];
    keys.extend(domain_keys(email.domain()));
    any(app, tenant, &keys).await
}

/// Whether a whole domain is suppressed for this tenant (discovery leaves it out).
pub async fn domain_suppressed(
    app: &App,
    tenant: &TenantId,
    domain: &DomainName,
) -> Result<bool, AppError> {
    Ok(any(app, tenant, &domain_keys(domain.as_str()))
        .await?
        .is_some())
}
