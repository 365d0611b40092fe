//! Outreach campaigns: create, read, list, edit, delete, and the status actions.

use super::entity::{self, Entity, IndexKey};
use super::outreach::templates;
use super::paging::{self, ListPage, PageRequest};
use super::store::{delete_partition, from_item, tenant_partition};
use super::{App, AppError, backlinks};
use crate::domain::campaign::{
    Campaign, CampaignAction, CampaignLimits, CampaignStatus, Level, Tone,
};
use crate::domain::ids::{CampaignId, PlanId, TemplateId, TenantId};
use crate::domain::outreach::{ReviewStatus, TemplateCategory};
use crate::domain::text::{label_list, multi_line, single_line};
use crate::domain::web::WebUrl;
use crate::domain::{FieldError, FieldErrors, in_range, nullable};
use crate::ports::table::{Condition, Index, Item, Key, Query, SortCondition, TableError, Update};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Set while a delete is detaching the campaign's backlinks; such a campaign is gone.
const DELETING: &str = "deleting";
const MAX_WRITE_ATTEMPTS: usize = 5;

mod keys {
    use super::*;

    pub fn item(tenant: &TenantId, id: &CampaignId) -> Key {
        Key::new(tenant_partition(tenant), format!("CAMPAIGN#{id}"))
    }

    pub const PREFIX: &str = "CAMPAIGN#";

    /// GSI1: a tenant's campaigns in one status, in creation order.
    pub fn by_status(tenant: &TenantId, status: CampaignStatus) -> String {
        format!(
            "{}#CAMPAIGN#STATUS#{}",
            tenant_partition(tenant),
            status.as_str()
        )
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LimitsInput {
    #[schema(minimum = 1, maximum = 10000)]
    pub max_opportunities: Option<u32>,
    #[schema(minimum = 1, maximum = 1000)]
    pub max_emails_per_day: Option<u32>,
    #[schema(maximum = 10)]
    pub max_follow_ups: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCampaign {
    /// 1-100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub target_url: Option<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub target_industries: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub content_pillars: Vec<String>,
    #[serde(default)]
    pub tone: Option<Tone>,
    #[serde(default)]
    pub personalization_level: Option<Level>,
    #[serde(default)]
    pub priority: Option<Level>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub ai_model_preference: Option<String>,
    #[serde(default)]
    pub limits: Option<LimitsInput>,
    /// Days each follow-up waits after the previous email (default 4, 7, 14).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub follow_up_delay_days: Option<Vec<u32>>,
    /// The follow-up template of each step, first follow-up first (at most 10, each a
    /// `follow_up` template); a step without one sends a short nudge.
    #[serde(default)]
    pub follow_up_template_ids: Option<Vec<String>>,
    /// Send follow-ups without review (default false: each waits for `approveFollowUp`).
    #[serde(default)]
    pub send_follow_ups_unreviewed: Option<bool>,
    /// A plan of this tenant the campaign follows: drafts take the target page and anchor
    /// of the plan's links due by its current month.
    #[serde(default)]
    pub plan_id: Option<String>,
}

/// A partial edit: absent fields stay as they are; `null` clears a nullable field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CampaignPatch {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    #[schema(max_items = 50)]
    pub keywords: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub target_url: Option<Option<String>>,
    #[schema(max_items = 50)]
    pub target_industries: Option<Vec<String>>,
    #[schema(max_items = 50)]
    pub content_pillars: Option<Vec<String>>,
    pub tone: Option<Tone>,
    pub personalization_level: Option<Level>,
    pub priority: Option<Level>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(min_length = 1, max_length = 100)]
    pub ai_model_preference: Option<Option<String>>,
    pub limits: Option<LimitsInput>,
    #[schema(max_items = 10)]
    pub follow_up_delay_days: Option<Vec<u32>>,
    pub follow_up_template_ids: Option<Vec<String>>,
    pub send_follow_ups_unreviewed: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub plan_id: Option<Option<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CampaignFilter {
    /// Only campaigns in this status.
    pub status: Option<CampaignStatus>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

fn name(value: &str) -> Result<String, FieldError> {
    single_line(value, 100)
}

fn labels(values: &[String]) -> Result<Vec<String>, FieldError> {
    label_list(values, 50, 100)
}

fn model(value: &str) -> Result<String, FieldError> {
    single_line(value, 100)
}

fn apply_limits(errors: &mut FieldErrors, limits: &mut CampaignLimits, input: &LimitsInput) {
    if let Some(v) = input.max_opportunities {
        let r = in_range(v, CampaignLimits::MAX_OPPORTUNITIES);
        if let Some(v) = errors.check("limits.maxOpportunities", r) {
            limits.max_opportunities = v;
        }
    }
    if let Some(v) = input.max_emails_per_day {
        let r = in_range(v, CampaignLimits::MAX_EMAILS_PER_DAY);
        if let Some(v) = errors.check("limits.maxEmailsPerDay", r) {
            limits.max_emails_per_day = v;
        }
    }
    if let Some(v) = input.max_follow_ups {
        let r = in_range(v, CampaignLimits::MAX_FOLLOW_UPS);
        if let Some(v) = errors.check("limits.maxFollowUps", r) {
            limits.max_follow_ups = v;
        }
    }
}

impl CampaignPatch {
    /// Applies the edit, naming every field that does not parse.
    fn apply_to(&self, c: &mut Campaign) -> Result<(), AppError> {
        let mut errors = FieldErrors::default();
        if let Some(v) = &self.name
            && let Some(v) = errors.check("name", name(v))
        {
            c.name = v;
        }
        if let Some(v) = &self.description
            && let Some(v) = errors.check("description", multi_line(v, 5000))
        {
            c.description = v;
        }
        if let Some(v) = &self.keywords
            && let Some(v) = errors.check("keywords", labels(v))
        {
            c.keywords = v;
        }
        if let Some(v) = &self.target_url {
            match v {
                None => c.target_url = None,
                Some(url) => {
                    if let Some(url) = errors.check("targetUrl", WebUrl::parse(url)) {
                        c.target_url = Some(url);
                    }
                }
            }
        }
        if let Some(v) = &self.target_industries
            && let Some(v) = errors.check("targetIndustries", labels(v))
        {
            c.target_industries = v;
        }
        if let Some(v) = &self.content_pillars
            && let Some(v) = errors.check("contentPillars", labels(v))
        {
            c.content_pillars = v;
        }
        if let Some(v) = self.tone {
            c.tone = v;
        }
        if let Some(v) = self.personalization_level {
            c.personalization_level = v;
        }
        if let Some(v) = self.priority {
            c.priority = v;
        }
        if let Some(v) = &self.ai_model_preference {
            match v {
                None => c.ai_model_preference = None,
                Some(m) => {
                    if let Some(m) = errors.check("aiModelPreference", model(m)) {
                        c.ai_model_preference = Some(m);
                    }
                }
            }
        }
        if let Some(limits) = &self.limits {
            apply_limits(&mut errors, &mut c.limits, limits);
        }
        if let Some(days) = &self.follow_up_delay_days {
            if days.len() > 10 || days.iter().any(|d| !(1..=90).contains(d)) {
                errors.push(
                    "followUpDelayDays",
                    "must be at most 10 delays of 1 to 90 days",
                );
            } else {
                c.follow_up_delay_days = days.clone();
            }
        }
        if let Some(ids) = &self.follow_up_template_ids {
            if ids.len() > 10 {
                errors.push("followUpTemplateIds", "must name at most 10 templates");
            } else if let Some(ids) = errors.check(
                "followUpTemplateIds",
                ids.iter().map(|id| TemplateId::parse(id)).collect(),
            ) {
                c.follow_up_template_ids = ids;
            }
        }
        if let Some(v) = self.send_follow_ups_unreviewed {
            c.send_follow_ups_unreviewed = v;
        }
        if let Some(v) = &self.plan_id {
            c.plan_id = match v {
                None => None,
                Some(raw) => errors.check("planId", PlanId::parse(raw)),
            };
        }
        errors.into_result().map_err(AppError::Invalid)
    }
}

impl Entity for Campaign {
    const TAG: &'static str = "campaign";
    type Owner = TenantId;

    fn key(&self, tenant: &TenantId) -> Key {
        keys::item(tenant, &self.id)
    }

    fn indexes(&self, tenant: &TenantId) -> Vec<IndexKey> {
        vec![IndexKey::new(
            Index::Gsi1,
            keys::by_status(tenant, self.status),
            self.id.to_string(),
        )]
    }
}

fn live(item: Item) -> Result<Option<Campaign>, AppError> {
    if item.contains_key(DELETING) {
        return Ok(None);
    }
    from_item(item).map(Some)
}

pub async fn create(
    app: &App,
    tenant: &TenantId,
    input: NewCampaign,
) -> Result<Campaign, AppError> {
    let now = app.clock.now();
    let mut campaign = Campaign::new(CampaignId::from_uuid(app.ids.next()), String::new(), now);
    let patch = CampaignPatch {
        name: Some(input.name),
        description: input.description,
        keywords: Some(input.keywords),
        target_url: input.target_url.map(Some),
        target_industries: Some(input.target_industries),
        content_pillars: Some(input.content_pillars),
        tone: input.tone,
        personalization_level: input.personalization_level,
        priority: input.priority,
        ai_model_preference: input.ai_model_preference.map(Some),
        limits: input.limits,
        follow_up_delay_days: input.follow_up_delay_days,
        follow_up_template_ids: input.follow_up_template_ids,
        send_follow_ups_unreviewed: input.send_follow_ups_unreviewed,
        plan_id: input.plan_id.map(Some),
    };
    patch.apply_to(&mut campaign)?;
    plan_exists(app, tenant, campaign.plan_id.as_ref()).await?;
    if let Some(ids) = &patch.follow_up_template_ids {
        follow_up_templates_exist(app, tenant, ids).await?;
    }
    app.table
        .put(entity::item(&campaign, tenant)?, Some(Condition::NotExists))
        .await?;
    Ok(campaign)
}

pub async fn get(app: &App, tenant: &TenantId, id: &CampaignId) -> Result<Campaign, AppError> {
    let item = app.table.get(&keys::item(tenant, id)).await?;
    item.map(live)
        .transpose()?
        .flatten()
        .ok_or(AppError::NotFound("campaign"))
}

/// Whether the campaign exists for this tenant: the condition other writes check in the
/// same transaction so that nothing attaches to a deleted campaign.
pub fn exists_check(tenant: &TenantId, id: &CampaignId) -> (Key, Condition) {
    (
        keys::item(tenant, id),
        Condition::And(vec![
            Condition::Exists,
            Condition::AttributeNotExists(DELETING.into()),
        ]),
    )
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    filter: &CampaignFilter,
    page: PageRequest,
) -> Result<ListPage<Campaign>, AppError> {
    let query = match filter.status {
        Some(status) => Query::new(Index::Gsi1, keys::by_status(tenant, status)),
        None => Query::new(Index::Table, tenant_partition(tenant))
            .sort(SortCondition::BeginsWith(keys::PREFIX.into())),
    };
    paging::list(app.table.as_ref(), query.descending(), page, live).await
}

/// Reads, changes and writes back under the version check, retrying when another
/// writer got there first.
async fn modify(
    app: &App,
    tenant: &TenantId,
    id: &CampaignId,
    change: impl Fn(&mut Campaign) -> Result<(), AppError>,
) -> Result<Campaign, AppError> {
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let mut campaign = get(app, tenant, id).await?;
        let seen = campaign.version;
        change(&mut campaign)?;
        campaign.version = seen + 1;
        campaign.updated_at = app.clock.now();
        let unchanged = Condition::And(vec![
            Condition::eq("version", seen),
            Condition::AttributeNotExists(DELETING.into()),
        ]);
        match app
            .table
            .put(entity::item(&campaign, tenant)?, Some(unchanged))
            .await
        {
            Ok(()) => return Ok(campaign),
            Err(TableError::ConditionFailed) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict(
        "the campaign is being changed by someone else; try again".into(),
    ))
}

pub async fn update(
    app: &App,
    tenant: &TenantId,
    id: &CampaignId,
    patch: CampaignPatch,
) -> Result<Campaign, AppError> {
    if let Some(ids) = &patch.follow_up_template_ids {
        follow_up_templates_exist(app, tenant, ids).await?;
    }
    if let Some(Some(raw)) = &patch.plan_id
        && let Ok(plan) = PlanId::parse(raw)
    {
        plan_exists(app, tenant, Some(&plan)).await?;
    }
    modify(app, tenant, id, |c| patch.apply_to(c)).await
}

/// The plan a campaign is to follow is one of this tenant's.
async fn plan_exists(app: &App, tenant: &TenantId, plan: Option<&PlanId>) -> Result<(), AppError> {
    let Some(plan) = plan else {
        return Ok(());
    };
    match super::plans::read::head(app, tenant, plan).await {
        Ok(_) => Ok(()),
        Err(AppError::NotFound(_)) => Err(AppError::invalid("planId", "no plan of this tenant")),
        Err(e) => Err(e),
    }
}

/// Every step's template is one of the tenant's follow-up templates. Ids that do not parse
/// are left to the patch's own check, which names them.
async fn follow_up_templates_exist(
    app: &App,
    tenant: &TenantId,
    ids: &[String],
) -> Result<(), AppError> {
    for (i, raw) in ids.iter().enumerate() {
        let Ok(id) = TemplateId::parse(raw) else {
            continue;
        };
        let ok = match templates::get(app, tenant, &id).await {
            Ok(t) => t.category == TemplateCategory::FollowUp,
            Err(AppError::NotFound(_)) => false,
            Err(e) => return Err(e),
        };
        if !ok {
            return Err(AppError::invalid(
                &format!("followUpTemplateIds.{i}"),
                format!("{id} is not a follow_up template of this tenant"),
            ));
        }
    }
    Ok(())
}

pub async fn act(
    app: &App,
    tenant: &TenantId,
    id: &CampaignId,
    action: CampaignAction,
) -> Result<Campaign, AppError> {
    let now = app.clock.now();
    modify(app, tenant, id, |c| {
        c.apply(action, now)
            .map_err(|e| AppError::Conflict(e.to_string()))
    })
    .await
}

/// Deletes a campaign. Its backlinks stay, with `campaignId` cleared (seed 000: SetNull).
/// The campaign is first marked so nothing new attaches to it; a delete interrupted half
/// way is finished by calling it again.
pub async fn delete(app: &App, tenant: &TenantId, id: &CampaignId) -> Result<(), AppError> {
    let key = keys::item(tenant, id);
    let mark = Update::new().set(DELETING, true).remove_index(Index::Gsi1);
    match app.table.update(&key, mark, Some(Condition::Exists)).await {
        Ok(_) => {}
        Err(TableError::ConditionFailed) => return Err(AppError::NotFound("campaign")),
        Err(e) => return Err(e.into()),
    }
    backlinks::detach_campaign(app, tenant, id).await?;
    // Its counters and daily rollups go with it (the backlinks keep theirs), its counters
    // leaving the tenant's totals; its emails are settled by the scheduler and the send
    // stage when they next meet them.
    crate::app::totals::campaign_removed(app, tenant, id).await?;
    let partition = backlinks::keys::membership_partition(tenant, id);
    delete_partition(app, partition).await?;
    app.table.delete(&key, None).await?;
    Ok(())
}

/// The tenant's own sites: the registrable domains its campaigns promote. Discovery never
/// proposes them as prospects.
pub async fn own_sites(
    app: &App,
    tenant: &TenantId,
) -> Result<std::collections::HashSet<String>, AppError> {
    let mut sites = std::collections::HashSet::new();
    let mut cursor = None;
    loop {
        let query = Query::new(Index::Table, tenant_partition(tenant))
            .sort(SortCondition::BeginsWith(keys::PREFIX.into()))
            .limit(200)
            .start_after(cursor);
        let page = app.table.query(query).await?;
        for item in page.items {
            if let Some(campaign) = live(item)?
                && let Some(domain) = campaign.target_url.as_ref().and_then(WebUrl::domain)
            {
                sites.insert(super::backlinks::campaign_domain(&domain));
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(sites),
        }
    }
}

/// Moves the campaign's email review (seed 000: draft → dm_review → dm_approved → sent).
pub async fn set_review(
    app: &App,
    tenant: &TenantId,
    id: &CampaignId,
    from: &[ReviewStatus],
    to: ReviewStatus,
) -> Result<Campaign, AppError> {
    modify(app, tenant, id, |c| {
        if !from.contains(&c.review_status) {
            let now = serde_json::to_value(c.review_status).unwrap_or_default();
            let want = serde_json::to_value(to).unwrap_or_default();
            return Err(AppError::Conflict(format!(
                "the campaign's review is {now}; it cannot move to {want}"
            )));
        }
        c.review_status = to;
        Ok(())
    })
    .await
}

/// A `campaignId` query parameter, parsed (naming the parameter when it is bad).
pub fn filter_id(raw: Option<&str>) -> Result<Option<CampaignId>, AppError> {
    raw.map(CampaignId::parse)
        .transpose()
        .map_err(|e| AppError::Invalid(vec![e.within("campaignId")]))
}
