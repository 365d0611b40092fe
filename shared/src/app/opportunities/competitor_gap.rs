//! `getCompetitorGap` and `createGapOpportunities` (issue 16): the site's referring domains,
//! read in one pass in domain order (each domain's sources side by side), scored by
//! `domain::opportunities::gap`, with what the tenant already has left out: domains of its
//! backlinks of every kind (prospects contacted among them) and suppressed domains.

use super::export_imports;
use super::keys::{self, RefDomain};
use crate::app::backlinks::{self, keys as backlink_keys};
use crate::app::plans::sites;
use crate::app::store::query_all;
use crate::app::sweep::{Budget, Pages};
use crate::app::{App, AppError, entity, suppression};
use crate::domain::backlink::{Backlink, SourceType};
use crate::domain::email::registrable_domain;
use crate::domain::ids::{BacklinkId, ExportImportId, SiteId, TenantId};
use crate::domain::opportunities::export_import::{ImportState, OWN};
use crate::domain::opportunities::exports::{AuthorityMetric, DomainStats};
use crate::domain::opportunities::gap::{self, FORMULA, GapDomain, GapQuery};
use crate::domain::web::DomainName;
use crate::ports::table::{Index, Query};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::{IntoParams, ToSchema};

const MAX_COMPETITORS: usize = 10;
/// How long one gap read may take.
const READ_FOR: std::time::Duration = std::time::Duration::from_secs(20);

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GapParams {
    /// The competitors' domains, comma-separated (1-10), each with a finished import.
    pub competitors: Option<String>,
    /// How many of them a domain must link to (default 2).
    pub min_competitors: Option<u32>,
    /// Domains answered, best first (1-500, default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GapReport {
    pub competitors: Vec<String>,
    pub min_competitors: u32,
    /// Whether the site's own links were imported; without them, domains already linking
    /// to it cannot be left out.
    pub own_links_imported: bool,
    pub formula: String,
    /// Gap domains found, before `limit`.
    pub total: u32,
    pub domains: Vec<GapDomain>,
}

/// The gap, every domain of it ranked (the caller has checked the site).
async fn compute(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
    competitors: &[String],
    min_competitors: u32,
) -> Result<(Vec<GapDomain>, bool), AppError> {
    let mut latest: HashMap<String, ExportImportId> = HashMap::new();
    for import in export_imports::of_site(app, tenant, site).await? {
        if import.state == ImportState::Done {
            // Newest first: the first finished import of a source is its latest.
            latest.entry(import.links_of.source()).or_insert(import.id);
        }
    }
    if let Some(missing) = competitors.iter().find(|c| !latest.contains_key(*c)) {
        return Err(AppError::invalid(
            "competitors",
            format!("no finished backlink import of {missing}'s links for this site"),
        ));
    }
    let current: HashSet<&ExportImportId> = latest.values().collect();
    let query = GapQuery {
        competitors: competitors.to_vec(),
        min_competitors: min_competitors as usize,
        today: app.clock.now().datetime().date_naive(),
    };
    let held = held_domains(app, tenant).await?;
    let mut found = Vec::new();
    let mut group: Vec<RefDomain> = Vec::new();
    let mut pages = Pages::new(Query::new(Index::Table, keys::ref_domains(tenant, site)));
    let budget = Budget::of(READ_FOR);
    while let Some(items) = pages.next(app.table.as_ref(), &budget).await? {
        for item in items {
            let row: RefDomain = entity::read(item)?;
            if !current.contains(&row.import_id) {
                continue;
            }
            if group.first().is_some_and(|g| g.domain != row.domain) {
                found.extend(score(app, tenant, &group, &held, &query).await?);
                group.clear();
            }
            group.push(row);
        }
    }
    if budget.spent() {
        return Err(AppError::Unavailable(
            "the site's referring domains are too many to read in one call; filter the exports"
                .into(),
        ));
    }
    found.extend(score(app, tenant, &group, &held, &query).await?);
    Ok((gap::rank(found), latest.contains_key(OWN)))
}

async fn score(
    app: &App,
    tenant: &TenantId,
    group: &[RefDomain],
    held: &HashSet<String>,
    query: &GapQuery,
) -> Result<Option<GapDomain>, AppError> {
    let Some(first) = group.first() else {
        return Ok(None);
    };
    if held.contains(&first.domain) {
        return Ok(None);
    }
    let stats: Vec<(String, DomainStats)> = group
        .iter()
        .map(|r| (r.source.clone(), r.stats.clone()))
        .collect();
    let links: Vec<(&str, &DomainStats)> = stats.iter().map(|(s, d)| (s.as_str(), d)).collect();
    let Some(entry) = gap::entry(&first.domain, &links, OWN, query) else {
        return Ok(None);
    };
    // Suppressed domains are asked only of entries that made the gap.
    let suppressed = match DomainName::parse(&first.domain) {
        Ok(domain) => suppression::domain_suppressed(app, tenant, &domain).await?,
        Err(_) => false,
    };
    Ok((!suppressed).then_some(entry))
}

/// Registrable domains of the tenant's backlinks of every kind.
async fn held_domains(app: &App, tenant: &TenantId) -> Result<HashSet<String>, AppError> {
    let mut held = HashSet::new();
    for source in [
        SourceType::Outreach,
        SourceType::DirectoryOpportunity,
        SourceType::CompetitorGap,
    ] {
        let query = Query::new(Index::Gsi2, backlink_keys::by_source(tenant, source));
        for item in query_all(app, query).await? {
            let b: Backlink = entity::read(item)?;
            let domain = b.source_domain.as_str();
            held.insert(registrable_domain(domain).unwrap_or_else(|| domain.to_string()));
        }
    }
    Ok(held)
}

fn competitors_of(text: &str) -> Result<Vec<String>, AppError> {
    let mut out = Vec::new();
    for (i, part) in text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let domain = export_imports::competitor_domain(part)
            .map_err(|why| AppError::invalid(&format!("competitors.{i}"), why))?;
        out.push(domain.to_string());
    }
    out.sort();
    out.dedup();
    if out.is_empty() || out.len() > MAX_COMPETITORS {
        return Err(AppError::invalid(
            "competitors",
            format!("name 1-{MAX_COMPETITORS} competitors' domains"),
        ));
    }
    Ok(out)
}

fn min_of(min: Option<u32>, competitors: usize) -> Result<u32, AppError> {
    let min = min.unwrap_or(2).min(competitors as u32).max(1);
    match min {
        0 => Err(AppError::invalid("minCompetitors", "must be at least 1")),
        m => Ok(m),
    }
}

pub async fn report(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
    params: &GapParams,
) -> Result<GapReport, AppError> {
    // The site first: another tenant's site is a 404 whatever the parameters.
    sites::get(app, tenant, site).await?;
    let competitors = competitors_of(params.competitors.as_deref().unwrap_or_default())?;
    let min = min_of(params.min_competitors, competitors.len())?;
    let limit = crate::domain::in_range(params.limit.unwrap_or(100), 1..=500)
        .map_err(|e| AppError::Invalid(vec![e.within("limit")]))?;
    let (domains, own) = compute(app, tenant, site, &competitors, min).await?;
    Ok(GapReport {
        total: domains.len() as u32,
        domains: domains.into_iter().take(limit as usize).collect(),
        competitors,
        min_competitors: min,
        own_links_imported: own,
        formula: FORMULA.into(),
    })
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GapSelection {
    /// The competitors' domains (1-10), as for `getCompetitorGap`.
    pub competitors: Vec<String>,
    pub min_competitors: Option<u32>,
    /// The gap domains to make opportunities of; absent: the best `top`.
    pub domains: Option<Vec<String>>,
    /// How many of the best to take when no domains are named (1-200, default 20).
    pub top: Option<u32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GapOpportunities {
    pub created: Vec<Backlink>,
    /// Named domains that are not (or no longer) in the gap.
    pub not_in_gap: Vec<String>,
}

/// `createGapOpportunities`: a `competitor_gap` backlink per chosen gap domain, with the
/// competitors it links to, its DR (when the exports give Ahrefs' DR) and its score / 10
/// as the relevance.
pub async fn create(
    app: &App,
    tenant: &TenantId,
    site: &SiteId,
    input: GapSelection,
) -> Result<GapOpportunities, AppError> {
    sites::get(app, tenant, site).await?;
    let competitors = competitors_of(&input.competitors.join(","))?;
    let min = min_of(input.min_competitors, competitors.len())?;
    let top = crate::domain::in_range(input.top.unwrap_or(20), 1..=200)
        .map_err(|e| AppError::Invalid(vec![e.within("top")]))?;
    let (gap, _) = compute(app, tenant, site, &competitors, min).await?;
    let (chosen, not_in_gap): (Vec<GapDomain>, Vec<String>) = match input.domains {
        None => (gap.into_iter().take(top as usize).collect(), Vec::new()),
        Some(names) => {
            let by_name: HashMap<&str, &GapDomain> =
                gap.iter().map(|g| (g.domain.as_str(), g)).collect();
            let mut chosen = Vec::new();
            let mut missing = Vec::new();
            for name in names {
                let key =
                    registrable_domain(&name.trim().to_ascii_lowercase()).unwrap_or(name.clone());
                match by_name.get(key.as_str()) {
                    Some(g) => chosen.push((*g).clone()),
                    None => missing.push(name),
                }
            }
            (chosen, missing)
        }
    };
    // The site's home page: the page a gap domain would link to, until someone says which.
    let site_url = crate::domain::web::WebUrl::parse(&format!(
        "https://{}/",
        sites::get(app, tenant, site).await?.domain
    ))
    .ok();
    let now = app.clock.now();
    let mut created = Vec::new();
    for g in chosen {
        let Ok(domain) = DomainName::parse(&g.domain) else {
            continue;
        };
        let mut b = Backlink::new(
            BacklinkId::from_uuid(app.ids.next()),
            SourceType::CompetitorGap,
            domain,
            now,
        );
        b.gap_competitors = g
            .competitors
            .iter()
            .filter_map(|c| DomainName::parse(c).ok())
            .collect();
        b.domain_rating = g
            .best_authority
            .filter(|a| a.metric == AuthorityMetric::AhrefsDomainRating)
            .map(|a| a.score);
        b.relevance_score = Some(((g.score / 10.0).round() as u8).clamp(1, 10));
        b.target_url = site_url.clone();
        backlinks::insert(app, tenant, &b).await?;
        created.push(b);
    }
    Ok(GapOpportunities {
        created,
        not_in_gap,
    })
}
