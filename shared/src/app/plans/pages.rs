//! A site's pages: bulk upsert (by URL), listing with filters, and the tiers the pages give
//! each other, kept on every page after each change.

use super::keys::{self, StoredPage};
use super::sites;
use crate::app::entity::{self, read};
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::{App, AppError};
use crate::domain::FieldError;
use crate::domain::ids::{SiteId, TenantId};
use crate::domain::plans::import::guess_page_type;
use crate::domain::plans::{
    DEFAULT_LONG_FORM_WORDS, PageInput, PageType, SitePage, Tier, assign_tiers, check_page,
};
use crate::ports::table::{Index, Query, SortCondition, WriteOp};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::{IntoParams, ToSchema};

/// Pages one `upsertPages` call takes.
pub const MAX_PAGES_PER_CALL: usize = 1_000;
/// Pages a site holds: plans read them all at once.
pub const MAX_PAGES_PER_SITE: usize = 10_000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageBatch {
    /// 1 to 1,000 pages; a URL already on the site is updated, a new one added.
    #[schema(min_items = 1, max_items = 1000)]
    pub pages: Vec<PageInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpsertResult {
    pub created: u32,
    pub updated: u32,
    /// Pages on the site now.
    pub total: u32,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageFilter {
    pub page_type: Option<PageType>,
    pub tier: Option<Tier>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page as `listPages` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageView {
    #[serde(flatten)]
    pub page: SitePage,
    /// The tier the site's pages give it now; none for term pages.
    pub tier: Option<Tier>,
}

/// Merges a checked page into the stored one: fields the input gives replace, fields it
/// leaves out stay (a sitemap import then a keyword export build one page). A type given
/// replaces a guess; a stored type is kept over a new guess.
fn merge(stored: Option<&SitePage>, input: &PageInput, checked: SitePage) -> SitePage {
    let Some(old) = stored else {
        return checked;
    };
    let given = input.page_type.is_some();
    SitePage {
        url: checked.url,
        title: checked.title.or_else(|| old.title.clone()),
        page_type: if given {
            checked.page_type
        } else {
            old.page_type
        },
        page_type_guessed: if given { false } else { old.page_type_guessed },
        guess_reason: if given {
            None
        } else {
            old.guess_reason.clone()
        },
        hub: checked.hub.or_else(|| old.hub.clone()),
        keywords: if input.keywords.is_empty() {
            old.keywords.clone()
        } else {
            checked.keywords
        },
        word_count: checked.word_count.or(old.word_count),
        commercial_value: checked.commercial_value.or(old.commercial_value),
        performance: checked.performance.or(old.performance),
    }
}

/// Checks every page before writing any: a batch with a bad page is refused whole, each
/// mistake named (`pages.3.url`), and nothing is lost or half-written.
pub fn check_batch(domain: &str, pages: &[PageInput]) -> Result<Vec<SitePage>, AppError> {
    if pages.is_empty() || pages.len() > MAX_PAGES_PER_CALL {
        return Err(AppError::invalid(
            "pages",
            format!("must hold 1 to {MAX_PAGES_PER_CALL} pages"),
        ));
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let mut checked = Vec::with_capacity(pages.len());
    for (i, input) in pages.iter().enumerate() {
        match check_page(input, domain, |url| guess_page_type(url.as_url())) {
            Ok(page) => checked.push(page),
            Err(e) => errors.extend(e.into_iter().map(|e| e.within(&format!("pages.{i}")))),
        }
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(AppError::Invalid(errors))
    }
}

pub async fn upsert(
    app: &App,
    tenant: &TenantId,
    site_id: &SiteId,
    batch: PageBatch,
) -> Result<UpsertResult, AppError> {
    let site = sites::get(app, tenant, site_id).await?;
    let checked = check_batch(&site.domain, &batch.pages)?;
    write_pages(app, tenant, site_id, &batch.pages, checked).await
}

/// Writes checked pages (with the inputs they came from) and refreshes the site's tiers.
pub async fn write_pages(
    app: &App,
    tenant: &TenantId,
    site_id: &SiteId,
    inputs: &[PageInput],
    checked: Vec<SitePage>,
) -> Result<UpsertResult, AppError> {
    let existing = sites::all_pages(app, tenant, site_id).await?;
    let mut by_url: HashMap<String, StoredPage> = existing
        .into_iter()
        .map(|p| (p.page.url.to_string(), p))
        .collect();
    let before: HashMap<String, Option<Tier>> =
        by_url.iter().map(|(u, p)| (u.clone(), p.tier)).collect();
    let (mut created, mut updated) = (0u32, 0u32);
    let mut touched: HashSet<String> = HashSet::new();
    for (input, page) in inputs.iter().zip(checked) {
        let url = page.url.to_string();
        let merged = merge(by_url.get(&url).map(|p| &p.page), input, page);
        match by_url.get_mut(&url) {
            Some(stored) => {
                if !touched.contains(&url) {
                    updated += 1;
                }
                stored.page = merged;
            }
            None => {
                created += 1;
                by_url.insert(
                    url.clone(),
                    StoredPage {
                        site_id: site_id.clone(),
                        page: merged,
                        tier: None,
                    },
                );
            }
        }
        touched.insert(url);
    }
    if by_url.len() > MAX_PAGES_PER_SITE {
        return Err(AppError::invalid(
            "pages",
            format!(
                "a site holds at most {MAX_PAGES_PER_SITE} pages; this would make {}",
                by_url.len()
            ),
        ));
    }
    let mut pages: Vec<StoredPage> = by_url.into_values().collect();
    pages.sort_by(|a, b| a.page.url.as_str().cmp(b.page.url.as_str()));
    let plan_pages: Vec<_> = pages.iter().map(|p| p.page.plan_page()).collect();
    let tiers = assign_tiers(&plan_pages, DEFAULT_LONG_FORM_WORDS);
    let mut writes = Vec::new();
    for (page, (_, tier)) in pages.iter_mut().zip(tiers) {
        page.tier = tier;
        let url = page.page.url.to_string();
        let changed_tier = before.get(&url).is_none_or(|t| *t != tier);
        if changed_tier || touched.contains(&url) {
            writes.push(WriteOp::Put(entity::item(page, tenant)?));
        }
    }
    app.table.batch_write(writes).await?;
    Ok(UpsertResult {
        created,
        updated,
        total: pages.len() as u32,
    })
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    site_id: &SiteId,
    filter: &PageFilter,
    page: PageRequest,
) -> Result<ListPage<PageView>, AppError> {
    sites::get(app, tenant, site_id).await?;
    let query = Query::new(Index::Table, keys::pages(tenant, site_id))
        .sort(SortCondition::BeginsWith(keys::PAGE_PREFIX.into()));
    paging::list(app.table.as_ref(), query, page, |item| {
        let stored: StoredPage = read(item)?;
        let keep = filter.page_type.is_none_or(|t| t == stored.page.page_type)
            && filter.tier.is_none_or(|t| Some(t) == stored.tier);
        Ok(keep.then_some(PageView {
            page: stored.page,
            tier: stored.tier,
        }))
    })
    .await
}
