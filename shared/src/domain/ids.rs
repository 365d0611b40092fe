//! Identifiers. Tenants and users come from the identity provider; entity ids are ours:
//! a short type prefix and a UUIDv7, so that ids sort in creation order.

use super::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Characters allowed in identifiers that come from the identity provider. `#` is excluded
/// because it separates the parts of storage keys.
fn is_external_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '|' | '@')
}

/// Conversions every string-backed id shares; `parse` is the only way in.
macro_rules! string_id_impls {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

macro_rules! external_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(text: &str) -> Result<Self, FieldError> {
                if text.is_empty() || text.len() > 128 || !text.chars().all(is_external_id_char) {
                    return Err(FieldError::new(
                        "",
                        "must be 1 to 128 characters of letters, digits and _-.:|@",
                    ));
                }
                Ok(Self(text.to_string()))
            }
        }

        string_id_impls!($name);
    };
}

external_id!(
    /// The tenant (an organisation, or a user without one). Taken only from a verified token.
    TenantId
);
external_id!(
    /// The person acting, from the token's `sub`.
    UserId
);

macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            pub fn from_uuid(id: Uuid) -> Self {
                Self(format!("{}_{}", $prefix, id.simple()))
            }

            pub fn parse(text: &str) -> Result<Self, FieldError> {
                text.strip_prefix(concat!($prefix, "_"))
                    .filter(|rest| {
                        rest.len() == 32
                            && rest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                    })
                    .map(|_| Self(text.to_string()))
                    .ok_or_else(|| {
                        FieldError::new("", concat!("must be an id of the form ", $prefix, "_<32 hex digits>"))
                    })
            }
        }

        string_id_impls!($name);

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some(concat!("^", $prefix, "_[0-9a-f]{32}$")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

entity_id!(
    /// An outreach campaign.
    CampaignId,
    "cmp"
);
entity_id!(
    /// A backlink of any source type.
    BacklinkId,
    "bl"
);
entity_id!(
    /// A platform-wide directory a tenant can submit to.
    DirectoryId,
    "dir"
);
entity_id!(
    /// A batch qualification job.
    JobId,
    "job"
);
entity_id!(
    /// One URL's result within a job.
    ResultId,
    "res"
);
entity_id!(
    /// An email template.
    TemplateId,
    "tpl"
);
entity_id!(
    /// One outreach email (and its follow-ups) to one prospect.
    EmailId,
    "em"
);
entity_id!(
    /// One inbound message: a reply, an automatic answer, a bounce or a complaint.
    ReplyId,
    "rp"
);
entity_id!(
    /// A tenant's site: the pages a link-building plan is made from.
    SiteId,
    "site"
);
entity_id!(
    /// A link-building plan for one site and market.
    PlanId,
    "plan"
);
entity_id!(
    /// One link a plan expects.
    PlannedLinkId,
    "pl"
);
entity_id!(
    /// One import of pages into a site.
    ImportId,
    "imp"
);
entity_id!(
    /// One backlink export read into a site's referring domains (its own or a competitor's).
    ExportImportId,
    "bx"
);
entity_id!(
    /// A tenant's webhook: a URL that receives the tenant's domain events.
    WebhookId,
    "wh"
);

impl BacklinkId {
    /// The backlink a job result's prospect becomes: the result's own UUID under this
    /// prefix, so that a redelivered message finds the backlink it made, and two results
    /// never share one. Total: a `ResultId` always holds 32 hex digits after its prefix.
    pub fn of_result(result: &ResultId) -> Self {
        let hex = result.0.split_once('_').map_or("", |(_, hex)| hex);
        Self(format!("{}_{hex}", Self::PREFIX))
    }
}

impl ResultId {
    /// The result of the job's URL at `position`: the job's own UUID with its last 32 bits
    /// replaced, so a redelivered seed message writes the same results (and they list in
    /// the job's order). Total: a `JobId` always holds 32 hex digits after its prefix.
    pub fn of_job(job: &JobId, position: u32) -> Self {
        let hex = job.0.split_once('_').map_or("", |(_, hex)| hex);
        let head = hex.get(..24).unwrap_or(hex);
        Self(format!("{}_{head}{position:08x}", Self::PREFIX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_results_backlink_id_is_its_own() {
        let (a, b) = (
            ResultId::from_uuid(Uuid::now_v7()),
            ResultId::from_uuid(Uuid::now_v7()),
        );
        let of_a = BacklinkId::of_result(&a);
        assert_eq!(BacklinkId::parse(of_a.as_str()).unwrap(), of_a);
        assert_eq!(of_a, BacklinkId::of_result(&a));
        assert_ne!(of_a, BacklinkId::of_result(&b));
        assert_eq!(&of_a.as_str()[3..], &a.as_str()[4..]);
    }

    #[test]
    fn a_jobs_result_ids_are_its_own_and_in_order() {
        let job = JobId::from_uuid(Uuid::now_v7());
        let (a, b) = (ResultId::of_job(&job, 0), ResultId::of_job(&job, 4_999));
        assert_eq!(ResultId::parse(a.as_str()).unwrap(), a);
        assert!(a < b && a == ResultId::of_job(&job, 0));
        assert_ne!(a, ResultId::of_job(&JobId::from_uuid(Uuid::now_v7()), 0));
    }

    #[test]
    fn entity_ids_parse_only_their_own_shape() {
        let id = CampaignId::from_uuid(Uuid::now_v7());
        assert_eq!(CampaignId::parse(id.as_str()).unwrap(), id);
        assert!(BacklinkId::parse(id.as_str()).is_err());
        assert!(CampaignId::parse("cmp_XYZ").is_err());
        assert!(CampaignId::parse("").is_err());
    }

    #[test]
    fn external_ids_reject_key_separators() {
        assert!(TenantId::parse("org_2abc").is_ok());
        assert!(TenantId::parse("org#2").is_err());
        assert!(TenantId::parse("").is_err());
        assert!(UserId::parse(&"u".repeat(129)).is_err());
    }
}
