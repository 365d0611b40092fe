//! Who is calling: established only from a verified token.

use super::ids::{TenantId, UserId};
use serde::{Deserialize, Serialize};

/// Roles in increasing order of power; a route names the least role it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Admin,
    Superadmin,
}

impl Role {
    /// Reads a role claim: our own names, or Clerk's organisation roles (`org:admin`).
    pub fn from_claim(value: &str) -> Option<Role> {
        match value
            .trim()
            .trim_start_matches("org:")
            .to_ascii_lowercase()
            .as_str()
        {
            "member" | "basic_member" => Some(Role::Member),
            "admin" => Some(Role::Admin),
            "superadmin" => Some(Role::Superadmin),
            _ => None,
        }
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
        assert_eq!(Role::from_claim("org:admin"), Some(Role::Admin));
        assert_eq!(Role::from_claim("org:member"), Some(Role::Member));
        assert_eq!(Role::from_claim("superadmin"), Some(Role::Superadmin));
        assert_eq!(Role::from_claim("owner"), None);
        assert!(Role::Superadmin > Role::Admin && Role::Admin > Role::Member);
    }
}
