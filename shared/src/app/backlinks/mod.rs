//! Backlinks of every source type: create, read, list with filters, edit (including status
//! moves through the lifecycle), delete.

use crate::app::entity;
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::tenant_partition;
use crate::app::{App, AppError, campaigns, totals};
use crate::domain::FieldErrors;
use crate::domain::backlink::Backlink;
use crate::domain::email::registrable_domain;
use crate::domain::ids::{BacklinkId, CampaignId, DirectoryId, TenantId};
use crate::domain::web::{DomainName, WebUrl};
use crate::ports::table::{
    Condition, ENTITY as ENTITY_TAG, Index, Key, PK, Query, SK, SortCondition, TableError,
    TransactOp,
};

mod input;
pub mod keys;

pub use input::{BacklinkFilter, BacklinkPatch, NewBacklink};
pub use keys::LINK_CHECK_SHARDS;

const MAX_WRITE_ATTEMPTS: usize = 5;

/// Why a backlink write did not happen.
enum WriteFailure {
    /// Someone else wrote first (the version or existence condition failed).
    Stale,
    Failed(AppError),
}

impl From<TableError> for WriteFailure {
    fn from(e: TableError) -> Self {
        WriteFailure::Failed(e.into())
    }
}

/// The sentinel that makes a domain appear at most once in a campaign.
fn membership(tenant: &TenantId, b: &Backlink) -> Option<Key> {
    let campaign = b.campaign_id.as_ref()?;
    Some(keys::membership(
        tenant,
        campaign,
        &campaign_domain(&b.source_domain),
    ))
}

/// The domain a campaign dedupes on: the registrable domain (blog.example.co.uk and
/// www.example.co.uk are one site).
pub fn campaign_domain(domain: &DomainName) -> String {
    registrable_domain(domain.as_str()).unwrap_or_else(|| domain.to_string())
}

/// Writes a backlink under `condition`, in one transaction with the checks it needs: the
/// campaign it names exists, and its domain is not already in that campaign.
async fn write(
    app: &App,
    tenant: &TenantId,
    b: &Backlink,
    before: Option<&Backlink>,
    condition: Condition,
) -> Result<(), WriteFailure> {
    let item = entity::item(b, tenant).map_err(WriteFailure::Failed)?;
    let mut ops = vec![TransactOp::Put {
        item,
        condition: Some(condition),
    }];
    let mut campaign_check = None;
    let mut sentinel_put = None;
    if let Some(campaign) = &b.campaign_id {
        let (key, exists) = campaigns::exists_check(tenant, campaign);
        campaign_check = Some(ops.len());
        ops.push(TransactOp::Check {
            key,
            condition: exists,
        });
    }
    let (new, old) = (
        membership(tenant, b),
        before.and_then(|o| membership(tenant, o)),
    );
    if new != old {
        if let Some(key) = new {
            let mut sentinel = crate::ports::table::Item::new();
            sentinel.insert(PK.into(), key.pk.into());
            sentinel.insert(SK.into(), key.sk.into());
            sentinel.insert(ENTITY_TAG.into(), "campaign_domain".into());
            sentinel.insert("backlinkId".into(), b.id.as_str().into());
            sentinel_put = Some(ops.len());
            ops.push(TransactOp::Put {
                item: sentinel,
                condition: Some(Condition::NotExists),
            });
        }
        if let Some(key) = old {
            ops.push(TransactOp::Delete {
                key,
                condition: None,
            });
        }
    }
    let result = if ops.len() == 1 {
        let Some(TransactOp::Put { item, condition }) = ops.pop() else {
            unreachable!("one put")
        };
        app.table.put(item, condition).await.map_err(|e| match e {
            TableError::ConditionFailed => TableError::TransactionCancelled { failed: vec![0] },
            other => other,
        })
    } else {
        app.table.transact(ops).await
    };
    match result {
        Ok(()) => Ok(()),
        Err(TableError::TransactionCancelled { failed }) => {
            if campaign_check.is_some_and(|i| failed.contains(&i)) {
                Err(WriteFailure::Failed(AppError::invalid(
                    "campaignId",
                    "no such campaign",
                )))
            } else if sentinel_put.is_some_and(|i| failed.contains(&i)) {
                Err(WriteFailure::Failed(AppError::Conflict(format!(
                    "{} is already in this campaign",
                    campaign_domain(&b.source_domain)
                ))))
            } else {
                Err(WriteFailure::Stale)
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether a domain is already in a campaign (it has a backlink there).
pub async fn in_campaign(
    app: &App,
    tenant: &TenantId,
    campaign: &CampaignId,
    domain: &DomainName,
) -> Result<bool, AppError> {
    let key = keys::membership(tenant, campaign, &campaign_domain(domain));
    Ok(app.table.get(&key).await?.is_some())
}

/// How many domains a campaign holds.
pub async fn campaign_size(
    app: &App,
    tenant: &TenantId,
    campaign: &CampaignId,
) -> Result<usize, AppError> {
    let mut count = 0;
    let mut cursor = None;
    loop {
        let query = Query::new(Index::Table, keys::membership_partition(tenant, campaign))
            .sort(SortCondition::BeginsWith("DOMAIN#".into()))
            .limit(1000)
            .start_after(cursor);
        let page = app.table.query(query).await?;
        count += page.items.len();
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(count),
        }
    }
}

pub async fn create(
    app: &App,
    tenant: &TenantId,
    input: NewBacklink,
) -> Result<Backlink, AppError> {
    let now = app.clock.now();
    let source_type = input.source_type.unwrap_or_default();
    let mut errors = FieldErrors::default();
    let directory_id = input
        .directory_id
        .as_deref()
        .and_then(|v| errors.check("directoryId", DirectoryId::parse(v)));
    let source_domain = match (&input.source_domain, &input.source_url) {
        (Some(d), _) => errors.check("sourceDomain", DomainName::parse(d)),
        (None, Some(url)) => WebUrl::parse(url).ok().and_then(|u| u.domain()),
        (None, None) => None,
    };
    let Some(source_domain) = source_domain else {
        if errors.into_result().is_ok() {
            return Err(AppError::invalid(
                "sourceDomain",
                "is required (or give a sourceUrl on a domain name)",
            ));
        }
        return Err(AppError::invalid(
            "sourceDomain",
            "must be a domain name such as example.com",
        ));
    };
    errors.into_result().map_err(AppError::Invalid)?;
    let mut backlink = Backlink::new(
        BacklinkId::from_uuid(app.ids.next()),
        source_type,
        source_domain,
        now,
    );
    backlink.directory_id = directory_id;
    let mut patch = BacklinkPatch::from_new(input);
    patch.source_domain = None;
    patch.apply_to(&mut backlink, now)?;
    insert(app, tenant, &backlink).await?;
    Ok(backlink)
}

/// Stores a new, already valid backlink with the same checks as `create` (the campaign
/// exists; the domain is not in it yet).
pub async fn insert(app: &App, tenant: &TenantId, backlink: &Backlink) -> Result<(), AppError> {
    match write(app, tenant, backlink, None, Condition::NotExists).await {
        Ok(()) => totals::backlink_changed(app, tenant, None, Some(backlink)).await,
        Err(WriteFailure::Stale) => Err(AppError::Conflict("the backlink already exists".into())),
        Err(WriteFailure::Failed(e)) => Err(e),
    }
}

pub async fn get(app: &App, tenant: &TenantId, id: &BacklinkId) -> Result<Backlink, AppError> {
    match app.table.get(&keys::item(tenant, id)).await? {
        Some(item) => entity::read(item),
        None => Err(AppError::NotFound("backlink")),
    }
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    filter: &BacklinkFilter,
    page: PageRequest,
) -> Result<ListPage<Backlink>, AppError> {
    let campaign = crate::app::campaigns::filter_id(filter.campaign_id.as_deref())?;
    // The most selective filter picks the index; the others filter what it returns.
    let query = if let Some(c) = &campaign {
        Query::new(Index::Gsi3, keys::by_campaign(tenant, c))
    } else if let Some(s) = filter.outreach_status {
        Query::new(Index::Gsi1, keys::by_status(tenant, s))
    } else if let Some(s) = filter.source_type {
        Query::new(Index::Gsi2, keys::by_source(tenant, s))
    } else if let Some(live) = filter.is_live {
        Query::new(Index::Gsi5, keys::by_liveness(tenant, live))
    } else {
        Query::new(Index::Table, tenant_partition(tenant))
            .sort(SortCondition::BeginsWith(keys::PREFIX.into()))
    };
    paging::list(app.table.as_ref(), query.descending(), page, |item| {
        let b: Backlink = entity::read(item)?;
        let keep = filter
            .outreach_status
            .is_none_or(|s| b.outreach_status == s)
            && filter.source_type.is_none_or(|s| b.source_type == s)
            && campaign
                .as_ref()
                .is_none_or(|c| b.campaign_id.as_ref() == Some(c))
            && filter.is_live.is_none_or(|l| b.is_live == Some(l));
        Ok(keep.then_some(b))
    })
    .await
}

/// Reads, changes and writes back under the version check, retrying on a lost race.
pub async fn modify(
    app: &App,
    tenant: &TenantId,
    id: &BacklinkId,
    change: impl Fn(&mut Backlink) -> Result<(), AppError>,
) -> Result<Backlink, AppError> {
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let before = get(app, tenant, id).await?;
        let mut backlink = before.clone();
        change(&mut backlink)?;
        backlink.version = before.version + 1;
        backlink.updated_at = app.clock.now();
        let unchanged = Condition::eq("version", before.version);
        match write(app, tenant, &backlink, Some(&before), unchanged).await {
            Ok(()) => {
                totals::backlink_changed(app, tenant, Some(&before), Some(&backlink)).await?;
                return Ok(backlink);
            }
            Err(WriteFailure::Stale) => continue,
            Err(WriteFailure::Failed(e)) => return Err(e),
        }
    }
    Err(AppError::Conflict(
        "the backlink is being changed by someone else; try again".into(),
    ))
}

pub async fn update(
    app: &App,
    tenant: &TenantId,
    id: &BacklinkId,
    patch: BacklinkPatch,
) -> Result<Backlink, AppError> {
    let now = app.clock.now();
    modify(app, tenant, id, |b| patch.apply_to(b, now)).await
}

/// Deletes a backlink and frees its domain in its campaign.
pub async fn delete(app: &App, tenant: &TenantId, id: &BacklinkId) -> Result<(), AppError> {
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let backlink = get(app, tenant, id).await?;
        let mut ops = vec![TransactOp::Delete {
            key: keys::item(tenant, id),
            condition: Some(Condition::eq("version", backlink.version)),
        }];
        if let Some(key) = membership(tenant, &backlink) {
            ops.push(TransactOp::Delete {
                key,
                condition: None,
            });
        }
        match app.table.transact(ops).await {
            Ok(()) => return totals::backlink_changed(app, tenant, Some(&backlink), None).await,
            Err(TableError::TransactionCancelled { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict(
        "the backlink is being changed by someone else; try again".into(),
    ))
}

/// Clears `campaignId` on every backlink of a campaign that is being deleted.
pub async fn detach_campaign(
    app: &App,
    tenant: &TenantId,
    campaign: &CampaignId,
) -> Result<(), AppError> {
    let mut cursor = None;
    loop {
        let query = Query::new(Index::Gsi3, keys::by_campaign(tenant, campaign))
            .limit(100)
            .start_after(cursor);
        let page = app.table.query(query).await?;
        for item in page.items {
            let b: Backlink = entity::read(item)?;
            let detached = modify(app, tenant, &b.id, |b| {
                if b.campaign_id.as_ref() == Some(campaign) {
                    b.campaign_id = None;
                }
                Ok(())
            })
            .await;
            match detached {
                Ok(_) | Err(AppError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(()),
        }
    }
}
