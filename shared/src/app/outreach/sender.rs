//! Sender settings per tenant. The SMTP password is write-only: sealed at rest, never
//! returned, never logged.

use super::keys;
use crate::app::entity::{self, Entity, Platform};
use crate::app::{App, AppError};
use crate::domain::email::EmailAddress;
use crate::domain::ids::TenantId;
use crate::domain::outreach::{SendCaps, SendWindow, SenderSettings, SmtpView, TransportKind};
use crate::domain::text::{multi_line, single_line};
use crate::domain::web::DomainName;
use crate::domain::{FieldErrors, in_range, nullable};
use crate::ports::mailer::{SmtpAccount, SmtpSecurity, Transport};
use crate::ports::table::Key;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The stored form: the settings as shown, plus the sealed password.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    #[serde(flatten)]
    settings: SenderSettings,
    smtp_password_sealed: Option<String>,
}

impl Entity for Stored {
    const TAG: &'static str = "sender_settings";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        keys::sender(tenant)
    }
}

/// The tenant a reply domain of its own belongs to.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReplyDomainOwner {
    domain: String,
    tenant_id: TenantId,
}

impl Entity for ReplyDomainOwner {
    const TAG: &'static str = "reply_domain";
    type Owner = Platform;

    fn key(&self, _: &Platform) -> Key {
        crate::app::replies::keys::reply_domain(&self.domain)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SmtpInput {
    #[schema(min_length = 1, max_length = 253)]
    pub host: String,
    #[schema(minimum = 1)]
    pub port: u16,
    pub security: SmtpSecurity,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub username: String,
    /// Write-only. Absent keeps the stored password; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub password: Option<Option<String>>,
}

/// A partial edit of the sender settings; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SenderPatch {
    #[schema(min_length = 1, max_length = 100)]
    pub from_name: Option<String>,
    pub from_email: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub organization: Option<String>,
    #[schema(max_length = 500)]
    pub postal_address: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub reply_domain: Option<Option<String>>,
    pub caps: Option<SendCaps>,
    pub send_window: Option<SendWindow>,
    pub transport: Option<TransportKind>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<SmtpInput>)]
    pub smtp: Option<Option<SmtpInput>>,
}

async fn load_stored(app: &App, tenant: &TenantId) -> Result<Stored, AppError> {
    match app.table.get(&keys::sender(tenant)).await? {
        Some(item) => entity::read(item),
        None => Ok(Stored {
            settings: SenderSettings::default(),
            smtp_password_sealed: None,
        }),
    }
}

pub async fn get(app: &App, tenant: &TenantId) -> Result<SenderSettings, AppError> {
    Ok(load_stored(app, tenant).await?.settings)
}

/// Whether each tenant's send window is open at one moment, its settings read once per
/// sweep run however many of its emails the sweep meets.
pub struct OpenWindows {
    at: crate::domain::time::Timestamp,
    known: std::collections::HashMap<TenantId, bool>,
}

impl OpenWindows {
    pub fn at(at: crate::domain::time::Timestamp) -> Self {
        Self {
            at,
            known: Default::default(),
        }
    }

    pub async fn is_open(&mut self, app: &App, tenant: &TenantId) -> Result<bool, AppError> {
        if let Some(open) = self.known.get(tenant) {
            return Ok(*open);
        }
        let open = get(app, tenant)
            .await?
            .send_window
            .is_open(self.at.datetime());
        self.known.insert(tenant.clone(), open);
        Ok(open)
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub async fn update(
    app: &App,
    tenant: &TenantId,
    patch: SenderPatch,
) -> Result<SenderSettings, AppError> {
    let mut stored = load_stored(app, tenant).await?;
    let previous_domain = stored.settings.reply_domain.clone();
    let s = &mut stored.settings;
    let mut errors = FieldErrors::default();
    if let Some(v) = &patch.from_name
        && let Some(v) = errors.check("fromName", single_line(v, 100))
    {
        s.from_name = v;
    }
    if let Some(v) = &patch.from_email
        && let Some(v) = errors.check("fromEmail", EmailAddress::parse(v))
    {
        s.from_email = Some(v);
    }
    if let Some(v) = &patch.organization
        && let Some(v) = errors.check("organization", single_line(v, 200))
    {
        s.organization = v;
    }
    if let Some(v) = &patch.postal_address
        && let Some(v) = errors.check("postalAddress", multi_line(v, 500))
    {
        s.postal_address = v;
    }
    match &patch.reply_domain {
        None => {}
        Some(None) => s.reply_domain = None,
        Some(Some(v)) => {
            if let Some(d) = errors.check("replyDomain", DomainName::parse(v)) {
                s.reply_domain = Some(d);
            }
        }
    }
    if let Some(caps) = patch.caps {
        errors.check(
            "caps.perTenantDaily",
            in_range(caps.per_tenant_daily, 1..=100_000),
        );
        errors.check(
            "caps.perRecipientDomainDaily",
            in_range(caps.per_recipient_domain_daily, 1..=10_000),
        );
        s.caps = caps;
    }
    if let Some(window) = &patch.send_window {
        for e in window.validate() {
            errors.push(&e.field, e.message);
        }
        s.send_window = window.clone();
    }
    match &patch.smtp {
        None => {}
        Some(None) => {
            s.smtp = None;
            stored.smtp_password_sealed = None;
        }
        Some(Some(smtp)) => {
            let host = errors.check("smtp.host", single_line(&smtp.host, 253));
            if smtp.security == SmtpSecurity::None && !is_loopback(&smtp.host) {
                errors.push(
                    "smtp.security",
                    "none (no TLS) is only allowed for a loopback host",
                );
            }
            if smtp.port == 0 {
                errors.push("smtp.port", "must be a port number");
            }
            let username = errors.check(
                "smtp.username",
                if smtp.username.is_empty() {
                    Ok(String::new())
                } else {
                    single_line(&smtp.username, 200)
                },
            );
            match &smtp.password {
                None => {}
                Some(None) => stored.smtp_password_sealed = None,
                Some(Some(p)) => {
                    let sealed = app.outreach.secrets.seal(p).map_err(AppError::internal)?;
                    stored.smtp_password_sealed = Some(sealed);
                }
            }
            if let (Some(host), Some(username)) = (host, username) {
                s.smtp = Some(SmtpView {
                    host,
                    port: smtp.port,
                    security: smtp.security,
                    username,
                    password_set: stored.smtp_password_sealed.is_some(),
                });
            }
        }
    }
    if let Some(kind) = patch.transport {
        s.transport = kind;
    }
    if s.transport == TransportKind::Smtp && s.smtp.is_none() {
        errors.push("smtp", "the smtp transport needs an SMTP account");
    }
    errors.into_result().map_err(AppError::Invalid)?;
    if let Some(Some(_)) = &patch.reply_domain {
        claim_reply_domain(
            app,
            tenant,
            previous_domain.as_ref(),
            s.reply_domain.as_ref(),
        )
        .await?;
    } else if let (Some(None), Some(old)) = (&patch.reply_domain, &previous_domain) {
        release_reply_domain(app, tenant, old).await?;
    }
    s.updated_at = Some(app.clock.now());
    app.table.put(entity::item(&stored, tenant)?, None).await?;
    Ok(stored.settings)
}

/// A reply domain belongs to one tenant: mail to it that matches nothing lands in that
/// tenant's unmatched list. The platform's shared reply domain belongs to nobody.
async fn claim_reply_domain(
    app: &App,
    tenant: &TenantId,
    previous: Option<&DomainName>,
    next: Option<&DomainName>,
) -> Result<(), AppError> {
    use crate::ports::table::{Condition, TableError};
    let Some(next) = next.filter(|n| Some(*n) != previous) else {
        return Ok(());
    };
    if next
        .as_str()
        .eq_ignore_ascii_case(&app.outreach.default_reply_domain)
    {
        return Err(AppError::invalid(
            "replyDomain",
            "is the platform's shared reply domain; leave it unset to use it",
        ));
    }
    let owner = entity::item(
        &ReplyDomainOwner {
            domain: next.as_str().to_ascii_lowercase(),
            tenant_id: tenant.clone(),
        },
        &Platform,
    )?;
    let mine = Condition::Or(vec![
        Condition::NotExists,
        Condition::eq("tenantId", tenant.as_str()),
    ]);
    match app.table.put(owner, Some(mine)).await {
        Ok(()) => {}
        Err(TableError::ConditionFailed) => {
            return Err(AppError::Conflict(format!(
                "the reply domain {next} belongs to another account"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(old) = previous {
        release_reply_domain(app, tenant, old).await?;
    }
    Ok(())
}

async fn release_reply_domain(
    app: &App,
    tenant: &TenantId,
    domain: &DomainName,
) -> Result<(), AppError> {
    use crate::ports::table::{Condition, TableError};
    let key = crate::app::replies::keys::reply_domain(domain.as_str());
    match app
        .table
        .delete(&key, Some(Condition::eq("tenantId", tenant.as_str())))
        .await
    {
        Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The tenant that owns a reply domain, if one does.
pub async fn reply_domain_owner(app: &App, domain: &str) -> Result<Option<TenantId>, AppError> {
    let owner: Option<ReplyDomainOwner> = app
        .table
        .get(&crate::app::replies::keys::reply_domain(domain))
        .await?
        .map(entity::read)
        .transpose()?;
    Ok(owner.map(|o| o.tenant_id))
}

/// The settings and the transport to send with (the password unsealed).
pub async fn for_sending(
    app: &App,
    tenant: &TenantId,
) -> Result<(SenderSettings, Transport), AppError> {
    let stored = load_stored(app, tenant).await?;
    let transport = match (&stored.settings.transport, &stored.settings.smtp) {
        (TransportKind::Smtp, Some(smtp)) => {
            let password = match &stored.smtp_password_sealed {
                Some(sealed) => app.outreach.secrets.open(sealed).map_err(|_| {
                    AppError::Unavailable("the stored SMTP password cannot be opened".into())
                })?,
                None => String::new(),
            };
            Transport::Smtp(SmtpAccount {
                host: smtp.host.clone(),
                port: smtp.port,
                security: smtp.security,
                username: smtp.username.clone(),
                password,
            })
        }
        _ => Transport::Platform,
    };
    Ok((stored.settings, transport))
}
