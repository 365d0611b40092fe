//! Verification of Clerk-style session tokens, in process, on every authenticated request:
//! RS256 only, key by `kid` from the key source, `iss` checked, `azp` checked against an
//! allow-list when one is configured, `exp` and `nbf` with a small leeway. The tenant is
//! the organisation (`org_id`, or Clerk v2's `o.id`), else the user (`sub`). Tenant roles come
//! from `role`, `org_role` or `o.rol`; the platform operator role only from `platform_role`,
//! a custom session claim the platform's own token template sets.

use crate::config::AuthSettings;
use crate::domain::identity::{Identity, Role};
use crate::domain::ids::{TenantId, UserId};
use crate::ports::keys::KeySource;
use jsonwebtoken::{Algorithm, Validation, decode, decode_header};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("a bearer token is required")]
    Missing,
    #[error("the token is malformed")]
    Malformed,
    #[error("tokens must be signed with RS256")]
    Algorithm,
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    #[error("the token is invalid: {0}")]
    Invalid(String),
    #[error("the token's authorized party is not allowed")]
    Party,
    #[error("signing keys are unavailable")]
    KeysUnavailable,
}

#[derive(Debug, Deserialize)]
struct OrgClaim {
    id: Option<String>,
    rol: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    azp: Option<String>,
    org_id: Option<String>,
    org_role: Option<String>,
    /// Clerk session token v2 organisation claim.
    o: Option<OrgClaim>,
    role: Option<String>,
    platform_role: Option<String>,
}

pub struct Verifier {
    keys: Arc<dyn KeySource>,
    settings: AuthSettings,
}

impl Verifier {
    pub fn new(keys: Arc<dyn KeySource>, settings: AuthSettings) -> Self {
        Self { keys, settings }
    }

    /// Reads the bearer token of an `Authorization` header value.
    pub fn bearer(header: Option<&str>) -> Result<&str, AuthError> {
        let value = header.ok_or(AuthError::Missing)?;
        let (scheme, token) = value.trim().split_once(' ').ok_or(AuthError::Missing)?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(AuthError::Missing);
        }
        Ok(token.trim())
    }

    pub async fn verify(&self, token: &str) -> Result<Identity, AuthError> {
        // `alg: none` and unknown algorithms fail to parse here; HS* parse but are refused.
        let header = decode_header(token).map_err(|_| AuthError::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(AuthError::Algorithm);
        }
        let kid = header.kid.ok_or(AuthError::Malformed)?;
        let key = self
            .keys
            .key(&kid)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cannot load signing keys");
                AuthError::KeysUnavailable
            })?
            .ok_or(AuthError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = self.settings.leeway_secs;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let claims = decode::<Claims>(token, &key, &validation)
            .map_err(|e| AuthError::Invalid(e.to_string()))?
            .claims;
        if !self.settings.authorized_parties.is_empty()
            && !claims
                .azp
                .as_ref()
                .is_some_and(|azp| self.settings.authorized_parties.contains(azp))
        {
            return Err(AuthError::Party);
        }
        let org = claims
            .org_id
            .or(claims.o.as_ref().and_then(|o| o.id.clone()));
        let tenant = TenantId::parse(org.as_deref().unwrap_or(&claims.sub))
            .map_err(|_| AuthError::Invalid("unusable tenant id".into()))?;
        let user =
            UserId::parse(&claims.sub).map_err(|_| AuthError::Invalid("unusable sub".into()))?;
        let tenant_role = [
            claims.role.as_deref(),
            claims.org_role.as_deref(),
            claims.o.as_ref().and_then(|o| o.rol.as_deref()),
        ]
        .into_iter()
        .flatten()
        .filter_map(Role::from_tenant_claim)
        .max();
        let platform_role = claims
            .platform_role
            .as_deref()
            .and_then(Role::from_platform_claim);
        let role = platform_role.or(tenant_role).unwrap_or(Role::Member);
        Ok(Identity { tenant, user, role })
    }
}
