//! Backlinks of every source type: create, read, list with filters, edit (including status
//! moves through the lifecycle), delete.

use super::paging::{self, ListPage, PageRequest};
use super::store::{from_item, tenant_partition, to_item};
use super::{App, AppError, campaigns};
use crate::domain::backlink::{
    Backlink, DirectoryStep, LinkType, OutreachStatus, ProspectType, SourceType,
};
use crate::domain::email::{EmailAddress, registrable_domain};
use crate::domain::ids::{BacklinkId, CampaignId, DirectoryId, TenantId};
use crate::domain::text::{multi_line, single_line};
use crate::domain::web::{DomainName, WebUrl};
use crate::domain::{FieldError, FieldErrors, in_range, nullable};
use crate::ports::table::{
    Condition, ENTITY as ENTITY_TAG, Index, Item, Key, PK, Query, SK, SortCondition, TableError,
    TransactOp,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

const ENTITY: &str = "backlink";
const MAX_WRITE_ATTEMPTS: usize = 5;
/// Partitions of the link-check sweep index, so no one partition holds every live link.
pub const LINK_CHECK_SHARDS: u32 = 8;

pub mod keys {
    use super::*;

    pub const PREFIX: &str = "BACKLINK#";

    pub fn item(tenant: &TenantId, id: &BacklinkId) -> Key {
        Key::new(tenant_partition(tenant), format!("{PREFIX}{id}"))
    }

    /// GSI1: by status (seed index [tenantId, outreachStatus]).
    pub fn by_status(tenant: &TenantId, status: OutreachStatus) -> String {
        format!(
            "{}#BACKLINK#STATUS#{}",
            tenant_partition(tenant),
            status.as_str()
        )
    }

    /// GSI2: by source type (seed index [tenantId, sourceType]).
    pub fn by_source(tenant: &TenantId, source: SourceType) -> String {
        format!(
            "{}#BACKLINK#SOURCE#{}",
            tenant_partition(tenant),
            source.as_str()
        )
    }

    /// GSI3: a campaign's backlinks.
    pub fn by_campaign(tenant: &TenantId, campaign: &CampaignId) -> String {
        format!("{}#BACKLINK#CAMPAIGN#{campaign}", tenant_partition(tenant))
    }

    /// GSI5: by health-check verdict (seed index [tenantId, isLive, lastCheckedAt]).
    pub fn by_liveness(tenant: &TenantId, live: bool) -> String {
        format!("{}#BACKLINK#LIVE#{live}", tenant_partition(tenant))
    }

    /// GSI4: the cross-tenant health-check sweep, sharded; sorted by last check so the
    /// stalest (and never checked, "0") come first.
    pub fn link_check_shard(shard: u32) -> String {
        format!("LINKCHECK#{shard}")
    }

    pub fn link_check_position(
        last_checked: Option<&str>,
        tenant: &TenantId,
        id: &BacklinkId,
    ) -> String {
        format!("{}#{tenant}#{id}", last_checked.unwrap_or("0"))
    }

    /// The partition of a campaign's domain sentinels.
    pub fn membership_partition(tenant: &TenantId, campaign: &CampaignId) -> String {
        format!("{}#CAMPAIGN#{campaign}", tenant_partition(tenant))
    }

    /// One domain's sentinel in a campaign: at most one backlink per domain per campaign.
    pub fn membership(tenant: &TenantId, campaign: &CampaignId, domain: &str) -> Key {
        Key::new(
            membership_partition(tenant, campaign),
            format!("DOMAIN#{domain}"),
        )
    }

    /// FNV-1a over the id: stable across processes and releases.
    pub fn shard_of(id: &BacklinkId) -> u32 {
        let hash = id.as_str().bytes().fold(0x811c_9dc5u32, |h, b| {
            (h ^ b as u32).wrapping_mul(0x0100_0193)
        });
        hash % LINK_CHECK_SHARDS
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewBacklink {
    /// Defaults to outreach.
    #[serde(default)]
    pub source_type: Option<SourceType>,
    /// The linking site's domain; taken from `sourceUrl` when absent.
    #[serde(default)]
    pub source_domain: Option<String>,
    #[serde(default)]
    pub source_url: Option<String>,
    /// Where the contact was found on the linking site.
    #[serde(default)]
    pub contact_url: Option<String>,
    /// The page that carries (or will carry) the link; the health check fetches it.
    #[serde(default)]
    pub placement_url: Option<String>,
    #[serde(default)]
    pub target_url: Option<String>,
    #[serde(default)]
    pub anchor_text: Option<String>,
    #[serde(default)]
    pub domain_rating: Option<u32>,
    #[serde(default)]
    pub link_type: Option<LinkType>,
    #[serde(default)]
    pub prospect_type: Option<ProspectType>,
    #[serde(default)]
    pub relevance_score: Option<u32>,
    #[serde(default)]
    pub pitch_rationale: Option<String>,
    #[serde(default)]
    pub recipient_email: Option<String>,
    #[serde(default)]
    pub recipient_name: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub consent_evidence: Option<String>,
    #[serde(default)]
    pub directory_id: Option<String>,
    #[serde(default)]
    pub steps: Option<Vec<DirectoryStep>>,
    #[serde(default)]
    pub activity_id: Option<String>,
    #[serde(default)]
    pub campaign_id: Option<String>,
    #[serde(default)]
    pub gap_competitors: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// A partial edit: absent fields stay; `null` clears. `outreachStatus` moves the backlink
/// through its lifecycle and stamps the matching time.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BacklinkPatch {
    pub outreach_status: Option<OutreachStatus>,
    pub source_domain: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub source_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub contact_url: Option<Option<String>>,
    /// The page that carries (or will carry) the link; the health check fetches it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub placement_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub target_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub anchor_text: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    pub domain_rating: Option<Option<u32>>,
    pub link_type: Option<LinkType>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ProspectType>)]
    pub prospect_type: Option<Option<ProspectType>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    pub relevance_score: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub pitch_rationale: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub recipient_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub recipient_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub country: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub consent_evidence: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<DirectoryStep>>)]
    pub steps: Option<Option<Vec<DirectoryStep>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub activity_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub campaign_id: Option<Option<String>>,
    pub gap_competitors: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BacklinkFilter {
    pub outreach_status: Option<OutreachStatus>,
    pub source_type: Option<SourceType>,
    pub campaign_id: Option<String>,
    /// The health check's verdict; unchecked backlinks match neither value.
    pub is_live: Option<bool>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

fn short_text(value: &str) -> Result<String, FieldError> {
    single_line(value, 500)
}

fn long_text(value: &str) -> Result<String, FieldError> {
    multi_line(value, 5000)
}

fn steps(values: &[DirectoryStep]) -> Result<Vec<DirectoryStep>, FieldError> {
    let mut out = Vec::with_capacity(values.len());
    for (i, step) in values.iter().enumerate() {
        let at = |e: FieldError, field: &str| e.within(field).within(&i.to_string());
        out.push(DirectoryStep {
            order: step.order,
            title: single_line(&step.title, 200).map_err(|e| at(e, "title"))?,
            description: multi_line(&step.description, 2000).map_err(|e| at(e, "description"))?,
            url: step.url.clone(),
        });
    }
    out.sort_by_key(|s| s.order);
    Ok(out)
}

/// An ISO 3166 alpha-2 country code, upper-cased.
fn country_code(value: &str) -> Result<String, FieldError> {
    let code = value.trim().to_ascii_uppercase();
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(FieldError::new(
            "",
            "must be a two-letter country code such as DE",
        ))
    }
}

fn competitors(values: &[String]) -> Result<Vec<DomainName>, FieldError> {
    if values.len() > 100 {
        return Err(FieldError::new("", "must have at most 100 entries"));
    }
    let mut out: Vec<DomainName> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let domain = DomainName::parse(v).map_err(|e| e.within(&i.to_string()))?;
        if !out.contains(&domain) {
            out.push(domain);
        }
    }
    Ok(out)
}

/// Sets `slot` from a nullable patch field, parsing the value and recording any error.
fn patch_field<T, V>(
    errors: &mut FieldErrors,
    field: &str,
    slot: &mut Option<T>,
    value: &Option<Option<V>>,
    parse: impl Fn(&V) -> Result<T, FieldError>,
) {
    match value {
        None => {}
        Some(None) => *slot = None,
        Some(Some(v)) => {
            if let Some(parsed) = errors.check(field, parse(v)) {
                *slot = Some(parsed);
            }
        }
    }
}

impl BacklinkPatch {
    fn from_new(input: NewBacklink) -> Self {
        Self {
            outreach_status: None,
            source_domain: input.source_domain,
            source_url: input.source_url.map(Some),
            contact_url: input.contact_url.map(Some),
            placement_url: input.placement_url.map(Some),
            target_url: input.target_url.map(Some),
            anchor_text: input.anchor_text.map(Some),
            domain_rating: input.domain_rating.map(Some),
            link_type: input.link_type,
            prospect_type: input.prospect_type.map(Some),
            relevance_score: input.relevance_score.map(Some),
            pitch_rationale: input.pitch_rationale.map(Some),
            recipient_email: input.recipient_email.map(Some),
            recipient_name: input.recipient_name.map(Some),
            country: input.country.map(Some),
            consent_evidence: input.consent_evidence.map(Some),
            steps: input.steps.map(Some),
            activity_id: input.activity_id.map(Some),
            campaign_id: input.campaign_id.map(Some),
            gap_competitors: Some(input.gap_competitors),
            notes: input.notes.map(Some),
        }
    }

    /// Applies every field, then the status move, then the per-source-type rules.
    fn apply_to(
        &self,
        b: &mut Backlink,
        now: crate::domain::time::Timestamp,
    ) -> Result<(), AppError> {
        let mut errors = FieldErrors::default();
        if let Some(v) = &self.source_domain
            && let Some(d) = errors.check("sourceDomain", DomainName::parse(v))
        {
            b.source_domain = d;
        }
        patch_field(
            &mut errors,
            "sourceUrl",
            &mut b.source_url,
            &self.source_url,
            |v| WebUrl::parse(v),
        );
        patch_field(
            &mut errors,
            "contactUrl",
            &mut b.contact_url,
            &self.contact_url,
            |v| WebUrl::parse(v),
        );
        patch_field(
            &mut errors,
            "placementUrl",
            &mut b.placement_url,
            &self.placement_url,
            |v| WebUrl::parse(v),
        );
        patch_field(
            &mut errors,
            "targetUrl",
            &mut b.target_url,
            &self.target_url,
            |v| WebUrl::parse(v),
        );
        patch_field(
            &mut errors,
            "anchorText",
            &mut b.anchor_text,
            &self.anchor_text,
            |v| single_line(v, 200),
        );
        patch_field(
            &mut errors,
            "domainRating",
            &mut b.domain_rating,
            &self.domain_rating,
            |v| in_range(*v, 0..=100).map(|v| v as u8),
        );
        if let Some(v) = self.link_type {
            b.link_type = v;
        }
        patch_field(
            &mut errors,
            "prospectType",
            &mut b.prospect_type,
            &self.prospect_type,
            |v| Ok(*v),
        );
        patch_field(
            &mut errors,
            "relevanceScore",
            &mut b.relevance_score,
            &self.relevance_score,
            |v| in_range(*v, 1..=10).map(|v| v as u8),
        );
        patch_field(
            &mut errors,
            "pitchRationale",
            &mut b.pitch_rationale,
            &self.pitch_rationale,
            |v| long_text(v),
        );
        patch_field(
            &mut errors,
            "recipientEmail",
            &mut b.recipient_email,
            &self.recipient_email,
            |v| EmailAddress::parse(v),
        );
        patch_field(
            &mut errors,
            "recipientName",
            &mut b.recipient_name,
            &self.recipient_name,
            |v| single_line(v, 200),
        );
        patch_field(&mut errors, "country", &mut b.country, &self.country, |v| {
            country_code(v)
        });
        patch_field(
            &mut errors,
            "consentEvidence",
            &mut b.consent_evidence,
            &self.consent_evidence,
            |v| single_line(v, 500),
        );
        patch_field(&mut errors, "steps", &mut b.steps, &self.steps, |v| {
            steps(v)
        });
        patch_field(
            &mut errors,
            "activityId",
            &mut b.activity_id,
            &self.activity_id,
            |v| short_text(v),
        );
        patch_field(
            &mut errors,
            "campaignId",
            &mut b.campaign_id,
            &self.campaign_id,
            |v| CampaignId::parse(v),
        );
        if let Some(v) = &self.gap_competitors
            && let Some(list) = errors.check("gapCompetitors", competitors(v))
        {
            b.gap_competitors = list;
        }
        patch_field(&mut errors, "notes", &mut b.notes, &self.notes, |v| {
            long_text(v)
        });
        check_source_rules(b, &mut errors);
        errors.into_result().map_err(AppError::Invalid)?;
        if let Some(to) = self.outreach_status {
            b.transition(to, now)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
        }
        Ok(())
    }
}

/// Fields that belong to one source type must not appear on another (seed 000).
fn check_source_rules(b: &Backlink, errors: &mut FieldErrors) {
    let only = |errors: &mut FieldErrors, field: &str, set: bool, owner: SourceType| {
        if set && b.source_type != owner {
            errors.push(
                field,
                format!("only applies to {} backlinks", owner.as_str()),
            );
        }
    };
    only(
        errors,
        "prospectType",
        b.prospect_type.is_some(),
        SourceType::Outreach,
    );
    only(
        errors,
        "pitchRationale",
        b.pitch_rationale.is_some(),
        SourceType::Outreach,
    );
    only(
        errors,
        "campaignId",
        b.campaign_id.is_some(),
        SourceType::Outreach,
    );
    only(
        errors,
        "directoryId",
        b.directory_id.is_some(),
        SourceType::DirectoryOpportunity,
    );
    only(
        errors,
        "steps",
        b.steps.is_some(),
        SourceType::DirectoryOpportunity,
    );
    only(
        errors,
        "gapCompetitors",
        !b.gap_competitors.is_empty(),
        SourceType::CompetitorGap,
    );
}

fn item_of(tenant: &TenantId, b: &Backlink) -> Result<Item, AppError> {
    let mut extra = vec![
        ("GSI1PK", keys::by_status(tenant, b.outreach_status)),
        ("GSI1SK", b.id.to_string()),
        ("GSI2PK", keys::by_source(tenant, b.source_type)),
        ("GSI2SK", b.id.to_string()),
    ];
    if let Some(campaign) = &b.campaign_id {
        extra.push(("GSI3PK", keys::by_campaign(tenant, campaign)));
        extra.push(("GSI3SK", b.id.to_string()));
    }
    if b.outreach_status.link_checked() && b.placement_url.is_some() && b.target_url.is_some() {
        let last = b.last_checked_at.map(|t| t.to_key());
        extra.push(("GSI4PK", keys::link_check_shard(keys::shard_of(&b.id))));
        extra.push((
            "GSI4SK",
            keys::link_check_position(last.as_deref(), tenant, &b.id),
        ));
    }
    if let Some(live) = b.is_live {
        extra.push(("GSI5PK", keys::by_liveness(tenant, live)));
        extra.push(("GSI5SK", b.id.to_string()));
    }
    let mut item = to_item(ENTITY, &keys::item(tenant, &b.id), b, extra)?;
    item.insert("tenantId".into(), tenant.as_str().into());
    Ok(item)
}

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
    let item = item_of(tenant, b).map_err(WriteFailure::Failed)?;
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
        Ok(()) => Ok(()),
        Err(WriteFailure::Stale) => Err(AppError::Conflict("the backlink already exists".into())),
        Err(WriteFailure::Failed(e)) => Err(e),
    }
}

pub async fn get(app: &App, tenant: &TenantId, id: &BacklinkId) -> Result<Backlink, AppError> {
    match app.table.get(&keys::item(tenant, id)).await? {
        Some(item) => from_item(item),
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
        let b: Backlink = from_item(item)?;
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
            Ok(()) => return Ok(backlink),
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
            Ok(()) => return Ok(()),
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
            let b: Backlink = from_item(item)?;
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
