//! Who is calling: established only from a verified token.

use super::ids::{TenantId, UserId};
use serde::{Deserialize, Serialize};

/// Roles in increasing order of power; a route names the least role it needs. `Member` and
/// `Admin` are roles within a tenant; `Superadmin` is the platform operator's, above every
/// tenant, and never comes from an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Admin,
    Superadmin,
}

/// The value of the `platform_role` claim that makes a platform operator.
pub const PLATFORM_OPERATOR: &str = "superadmin";

impl Role {
    /// Reads a tenant role claim: our own names, or Clerk's organisation roles (`org:admin`).
    /// An organisation's members choose its role names, so none of them can name the
    /// platform role: `org:superadmin` is unknown here.
    pub fn from_tenant_claim(value: &str) -> Option<Role> {
        match value
            .trim()
            .trim_start_matches("org:")
            .to_ascii_lowercase()
            .as_str()
        {
            "member" | "basic_member" => Some(Role::Member),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Reads the platform's own claim (`platform_role`), which only the platform's session
    /// token template sets: `superadmin` is the platform operator.
    pub fn from_platform_claim(value: &str) -> Option<Role> {
        (value.trim() == PLATFORM_OPERATOR).then_some(Role::Superadmin)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub tenant: TenantId,
    pub user: UserId,
    pub role: Role,
}

impl Identity {
    pub fn has(&self, needed: Role) -> bool {
        self.role >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_roles_and_clerk_org_roles() {
        assert_eq!(Role::from_tenant_claim("org:admin"), Some(Role::Admin));
        assert_eq!(Role::from_tenant_claim("org:member"), Some(Role::Member));
        assert_eq!(Role::from_tenant_claim("owner"), None);
        assert_eq!(
            Role::from_platform_claim("superadmin"),
            Some(Role::Superadmin)
        );
        assert_eq!(Role::from_platform_claim("admin"), None);
        assert!(Role::Superadmin > Role::Admin && Role::Admin > Role::Member);
    }

    #[test]
    fn no_tenant_claim_names_the_platform_role() {
        for claim in [
            "superadmin",
            "org:superadmin",
            "ORG:SUPERADMIN",
            " superadmin ",
        ] {
            assert_eq!(Role::from_tenant_claim(claim), None, "{claim}");
        }
    }
}
