//! `scoreOpportunity` (seed 002 §2.6, §3.5) and the PBN/spam blocklists it consults: the
//! platform's (kept by platform operators) and each tenant's own.

use super::{links, read};
use crate::app::entity::{self, Entity, Owner, read as read_item};
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::tenant_partition;
use crate::app::{App, AppError};
use crate::domain::email::registrable_domain;
use crate::domain::ids::{PlanId, PlannedLinkId, TenantId};
use crate::domain::plans::{CountryCode, QualityInput, QualityScore, score};
use crate::domain::text::single_line;
use crate::domain::time::Timestamp;
use crate::domain::web::DomainName;
use crate::ports::table::{Condition, Index, Key, Query, SortCondition, TableError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A domain on a blocklist: its registrable domain, so a farm's subdomains are covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BlockedDomain {
    pub domain: String,
    pub reason: String,
    pub added_by: String,
    pub added_at: Timestamp,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlockReason {
    /// Why the domain is blocked (a PBN, a link farm, a spam network), 1-500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BlocklistFilter {
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// Whose blocklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum List {
    Tenant(TenantId),
    Platform,
}

impl Owner for List {
    const IS_TENANT: bool = false;
    fn tenant(&self) -> Option<&TenantId> {
        None
    }
}

fn partition(list: &List) -> String {
    match list {
        List::Tenant(t) => format!("{}#BLOCKLIST", tenant_partition(t)),
        List::Platform => "PLATFORM#BLOCKLIST".into(),
    }
}

fn key(list: &List, domain: &str) -> Key {
    Key::new(partition(list), format!("DOMAIN#{domain}"))
}

impl Entity for BlockedDomain {
    const TAG: &'static str = "blocked_domain";
    type Owner = List;
    fn key(&self, list: &List) -> Key {
        key(list, &self.domain)
    }
}

/// The registrable domain a blocklist keys on, from a domain the caller gives.
pub fn listed_form(text: &str) -> Result<String, crate::domain::FieldError> {
    let domain = DomainName::parse(text)?;
    Ok(registrable_domain(domain.as_str()).unwrap_or_else(|| domain.as_str().to_string()))
}

pub async fn block(
    app: &App,
    list: &List,
    domain: &str,
    by: &str,
    input: BlockReason,
) -> Result<BlockedDomain, AppError> {
    // A path id that is not a domain names nothing that could be listed.
    let domain = listed_form(domain).map_err(|e| AppError::Invalid(vec![e.within("domain")]))?;
    let reason =
        single_line(&input.reason, 500).map_err(|e| AppError::Invalid(vec![e.within("reason")]))?;
    let entry = BlockedDomain {
        domain,
        reason,
        added_by: by.into(),
        added_at: app.clock.now(),
    };
    app.table.put(entity::item(&entry, list)?, None).await?;
    Ok(entry)
}

pub async fn unblock(app: &App, list: &List, domain: &str) -> Result<(), AppError> {
    let domain = listed_form(domain).map_err(|_| AppError::NotFound("blocked domain"))?;
    match app
        .table
        .delete(&key(list, &domain), Some(Condition::Exists))
        .await
    {
        Ok(_) => Ok(()),
        Err(TableError::ConditionFailed) => Err(AppError::NotFound("blocked domain")),
        Err(e) => Err(e.into()),
    }
}

pub async fn list(
    app: &App,
    list: &List,
    page: PageRequest,
) -> Result<ListPage<BlockedDomain>, AppError> {
    let query =
        Query::new(Index::Table, partition(list)).sort(SortCondition::BeginsWith("DOMAIN#".into()));
    paging::list(app.table.as_ref(), query, page, |item| {
        read_item(item).map(Some)
    })
    .await
}

/// Which lists hold the domain's registrable domain.
async fn blocked_on(
    app: &App,
    tenant: &TenantId,
    domain: &str,
) -> Result<Vec<&'static str>, AppError> {
    let mut on = Vec::new();
    for (list, name) in [
        (List::Platform, "platform"),
        (List::Tenant(tenant.clone()), "tenant"),
    ] {
        if app.table.get(&key(&list, domain)).await?.is_some() {
            on.push(name);
        }
    }
    Ok(on)
}

/// The facts about an opportunity a caller supplies; whether it is on a blocklist is
/// looked up, never taken from the caller.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Facts {
    pub organic_traffic: Option<u32>,
    #[schema(maximum = 100)]
    pub domain_rating: Option<u8>,
    #[schema(maximum = 100)]
    pub domain_authority: Option<u8>,
    pub indexed: Option<bool>,
    pub traffic_stable_or_growing: Option<bool>,
    pub niche_relevant: Option<bool>,
    pub dofollow: Option<bool>,
    pub outbound_links: Option<u32>,
    pub editorial_niche_relevant: Option<bool>,
    pub editorial_quality: Option<bool>,
    pub dofollow_verified: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScoreRequest {
    /// The linking domain.
    pub source_domain: String,
    /// The market whose threshold applies; taken from the plan when `planId` is given.
    #[serde(default)]
    #[schema(value_type = Option<CountryCode>)]
    pub country_code: Option<String>,
    #[serde(default)]
    pub plan_id: Option<String>,
    /// A planned link of that plan to store the score (and the source domain) on.
    #[serde(default)]
    pub planned_link_id: Option<String>,
    #[serde(default)]
    pub facts: Facts,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScoreResult {
    pub source_domain: String,
    pub country_code: CountryCode,
    /// The blocklists that hold the domain: `platform`, `tenant`, or none.
    pub blocklisted_on: Vec<&'static str>,
    #[serde(flatten)]
    pub score: QualityScore,
    /// The planned link the score was stored on.
    pub planned_link_id: Option<PlannedLinkId>,
}

pub async fn score_opportunity(
    app: &App,
    tenant: &TenantId,
    request: ScoreRequest,
) -> Result<ScoreResult, AppError> {
    let domain = DomainName::parse(&request.source_domain)
        .map_err(|e| AppError::Invalid(vec![e.within("sourceDomain")]))?;
    let f = &request.facts;
    for (field, value) in [
        ("facts.domainRating", f.domain_rating),
        ("facts.domainAuthority", f.domain_authority),
    ] {
        if value.is_some_and(|v| v > 100) {
            return Err(AppError::invalid(field, "must be 0 to 100"));
        }
    }
    let plan = match request.plan_id.as_deref() {
        Some(id) => {
            let no_plan = || AppError::invalid("planId", "no plan of this tenant");
            let id = PlanId::parse(id).map_err(|_| no_plan())?;
            match read::head(app, tenant, &id).await {
                Err(AppError::NotFound(_)) => return Err(no_plan()),
                other => Some(other?),
            }
        }
        None => None,
    };
    let country = match (&plan, request.country_code.as_deref()) {
        (Some(plan), _) => plan.country_code,
        (None, Some(code)) => CountryCode::parse(code)
            .map_err(|e| AppError::Invalid(vec![e.within("countryCode")]))?,
        (None, None) => {
            return Err(AppError::invalid(
                "countryCode",
                "is required without a planId",
            ));
        }
    };
    let listed = registrable_domain(domain.as_str()).unwrap_or_else(|| domain.as_str().into());
    let on = blocked_on(app, tenant, &listed).await?;
    let input = QualityInput {
        organic_traffic: f.organic_traffic,
        domain_rating: f.domain_rating,
        domain_authority: f.domain_authority,
        indexed: f.indexed,
        on_blocklist: Some(!on.is_empty()),
        traffic_stable_or_growing: f.traffic_stable_or_growing,
        niche_relevant: f.niche_relevant,
        dofollow: f.dofollow,
        outbound_links: f.outbound_links,
        editorial_niche_relevant: f.editorial_niche_relevant,
        editorial_quality: f.editorial_quality,
        dofollow_verified: f.dofollow_verified,
    };
    // Scored against the market of the plan's snapshot when there is one.
    let result = score(&input, country);
    let stored_on = match (&plan, request.planned_link_id.as_deref()) {
        (Some(plan), Some(link)) => {
            let no_link = || AppError::invalid("plannedLinkId", "no planned link of that plan");
            let link = PlannedLinkId::parse(link).map_err(|_| no_link())?;
            links::record_score(
                app,
                tenant,
                &plan.id,
                &link,
                &domain,
                &result,
                f.domain_rating,
                f.organic_traffic,
            )
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => no_link(),
                e => e,
            })?;
            Some(link)
        }
        (None, Some(_)) => {
            return Err(AppError::invalid(
                "plannedLinkId",
                "needs the planId of its plan",
            ));
        }
        _ => None,
    };
    Ok(ScoreResult {
        source_domain: domain.to_string(),
        country_code: country,
        blocklisted_on: on,
        score: result,
        planned_link_id: stored_on,
    })
}
