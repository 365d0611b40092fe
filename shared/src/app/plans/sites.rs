//! A tenant's sites: create, read, list, delete.

use super::keys::{self, StoredPage};
use crate::app::entity::{self, read};
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::{delete_partition, query_all, tenant_partition};
use crate::app::{App, AppError};
use crate::domain::FieldErrors;
use crate::domain::ids::{SiteId, TenantId};
use crate::domain::plans::{PlanHead, Site, site_domain};
use crate::domain::text::single_line;
use crate::domain::web::WebUrl;
use crate::ports::table::{Condition, Index, Query, SortCondition};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSite {
    /// 1-100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// The site's address (`https://www.example.co.uk/`); its registrable domain is the site's.
    pub url: String,
    /// The brand for branded anchors; the name when absent.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub brand_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SiteFilter {
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

pub async fn create(app: &App, tenant: &TenantId, input: NewSite) -> Result<Site, AppError> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", single_line(&input.name, 100));
    let domain = errors
        .check("url", WebUrl::parse(&input.url))
        .and_then(|url| match site_domain(&url) {
            Some(domain) => Some(domain),
            None => {
                errors.push("url", "must have a domain name, not an IP address");
                None
            }
        });
    let brand = input
        .brand_name
        .as_deref()
        .and_then(|b| errors.check("brandName", single_line(b, 100)));
    errors.into_result().map_err(AppError::Invalid)?;
    let (Some(name), Some(domain)) = (name, domain) else {
        return Err(AppError::internal("site fields checked but missing"));
    };
    let now = app.clock.now();
    let site = Site {
        id: SiteId::from_uuid(app.ids.next()),
        brand_name: brand.unwrap_or_else(|| name.clone()),
        name,
        domain,
        created_at: now,
        updated_at: now,
    };
    app.table
        .put(entity::item(&site, tenant)?, Some(Condition::NotExists))
        .await?;
    Ok(site)
}

pub async fn get(app: &App, tenant: &TenantId, id: &SiteId) -> Result<Site, AppError> {
    let item = app.table.get(&keys::site(tenant, id)).await?;
    item.map(read)
        .transpose()?
        .ok_or(AppError::NotFound("site"))
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    page: PageRequest,
) -> Result<ListPage<Site>, AppError> {
    let query = Query::new(Index::Table, tenant_partition(tenant))
        .sort(SortCondition::BeginsWith(keys::SITE_PREFIX.into()))
        .descending();
    paging::list(app.table.as_ref(), query, page, |item| read(item).map(Some)).await
}

/// The tenant's plans for a site.
pub async fn plans_of(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
) -> Result<Vec<PlanHead>, AppError> {
    let query = Query::new(Index::Table, tenant_partition(tenant))
        .sort(SortCondition::BeginsWith(keys::PLAN_PREFIX.into()));
    let plans: Vec<PlanHead> = query_all(app, query)
        .await?
        .into_iter()
        .map(read)
        .collect::<Result<_, _>>()?;
    Ok(plans.into_iter().filter(|p| p.site_id == *site).collect())
}

/// Deletes a site and its pages. A site with plans stays: a plan's tiers and links are
/// built on its pages, so its plans go first.
pub async fn delete(app: &App, tenant: &TenantId, id: &SiteId) -> Result<(), AppError> {
    get(app, tenant, id).await?;
    let plans = plans_of(app, tenant, id).await?;
    if !plans.is_empty() {
        let ids: Vec<String> = plans.iter().map(|p| p.id.to_string()).collect();
        return Err(AppError::Conflict(format!(
            "the site has {} plan(s) ({}); delete them first",
            plans.len(),
            ids.join(", ")
        )));
    }
    delete_partition(app, keys::pages(tenant, id)).await?;
    app.table.delete(&keys::site(tenant, id), None).await?;
    Ok(())
}

/// Every page of a site, in URL order.
pub async fn all_pages(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
) -> Result<Vec<StoredPage>, AppError> {
    let query = Query::new(Index::Table, keys::pages(tenant, site))
        .sort(SortCondition::BeginsWith(keys::PAGE_PREFIX.into()));
    query_all(app, query).await?.into_iter().map(read).collect()
}
