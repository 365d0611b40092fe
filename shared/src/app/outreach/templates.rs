//! Email templates with `{{variables}}` checked on save, and usage statistics (seed 003).

use super::keys;
use crate::app::entity;
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::{from_item, tenant_partition};
use crate::app::{App, AppError};
use crate::domain::FieldErrors;
use crate::domain::ids::{TemplateId, TenantId};
use crate::domain::outreach::{Template, TemplateCategory, variables_in};
use crate::domain::text::{multi_line, single_line};
use crate::ports::table::{Condition, Index, Query, SortCondition, TableError, Update};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateInput {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    pub category: Option<TemplateCategory>,
    /// One line; may use {{variables}}.
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    /// May use {{variables}}: recipient_name, recipient_first_name, site_name, site_url,
    /// source_domain, target_url, anchor_text, topic, sender_name, sender_organization,
    /// campaign_name, pitch_rationale.
    #[schema(min_length = 1, max_length = 10000)]
    pub body: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplatePatch {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    pub category: Option<TemplateCategory>,
    #[schema(min_length = 1, max_length = 200)]
    pub subject: Option<String>,
    #[schema(min_length = 1, max_length = 10000)]
    pub body: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TemplateFilter {
    pub category: Option<TemplateCategory>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

fn apply(t: &mut Template, patch: &TemplatePatch) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    if let Some(v) = &patch.name
        && let Some(v) = errors.check("name", single_line(v, 100))
    {
        t.name = v;
    }
    if let Some(c) = patch.category {
        t.category = c;
    }
    if let Some(v) = &patch.subject
        && let Some(v) = errors.check("subject", single_line(v, 200))
        && errors
            .check("subject", variables_in(&v, "").map(|_| ()))
            .is_some()
    {
        t.subject = v;
    }
    if let Some(v) = &patch.body
        && let Some(v) = errors.check("body", multi_line(v, 10_000))
        && errors
            .check("body", variables_in(&v, "").map(|_| ()))
            .is_some()
    {
        if v.is_empty() {
            errors.push("body", "must not be empty");
        }
        t.body = v;
    }
    errors.into_result().map_err(AppError::Invalid)
}

pub async fn create(
    app: &App,
    tenant: &TenantId,
    input: TemplateInput,
) -> Result<Template, AppError> {
    let now = app.clock.now();
    let mut t = Template {
        id: TemplateId::from_uuid(app.ids.next()),
        name: String::new(),
        category: TemplateCategory::Initial,
        subject: String::new(),
        body: String::new(),
        usage_count: 0,
        sent_count: 0,
        positive_reply_count: 0,
        success_rate: 0.0,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let patch = TemplatePatch {
        name: Some(input.name),
        category: input.category,
        subject: Some(input.subject),
        body: Some(input.body),
    };
    apply(&mut t, &patch)?;
    app.table
        .put(entity::item(&t, tenant)?, Some(Condition::NotExists))
        .await?;
    Ok(t)
}

/// The template with its success rate worked out from its counters.
fn read(item: crate::ports::table::Item) -> Result<Template, AppError> {
    let mut t: Template = from_item(item)?;
    t.success_rate = if t.sent_count == 0 {
        0.0
    } else {
        t.positive_reply_count as f64 / t.sent_count as f64
    };
    Ok(t)
}

pub async fn get(app: &App, tenant: &TenantId, id: &TemplateId) -> Result<Template, AppError> {
    match app.table.get(&keys::template(tenant, id)).await? {
        Some(item) => read(item),
        None => Err(AppError::NotFound("template")),
    }
}

pub async fn list(
    app: &App,
    tenant: &TenantId,
    filter: &TemplateFilter,
    page: PageRequest,
) -> Result<ListPage<Template>, AppError> {
    let query = Query::new(Index::Table, tenant_partition(tenant))
        .sort(SortCondition::BeginsWith(keys::TEMPLATE_PREFIX.into()))
        .descending();
    paging::list(app.table.as_ref(), query, page, |item| {
        let t = read(item)?;
        Ok(filter.category.is_none_or(|c| t.category == c).then_some(t))
    })
    .await
}

/// Edits name, category, subject and body; the usage counters are not touched (they are
/// updated by other writers with ADD).
pub async fn update(
    app: &App,
    tenant: &TenantId,
    id: &TemplateId,
    patch: TemplatePatch,
) -> Result<Template, AppError> {
    let mut t = get(app, tenant, id).await?;
    apply(&mut t, &patch)?;
    let update = Update::new()
        .set("name", t.name.clone())
        .set(
            "category",
            serde_json::to_value(t.category).unwrap_or_default(),
        )
        .set("subject", t.subject.clone())
        .set("body", t.body.clone())
        .set("updatedAt", app.clock.now().to_key())
        .add("version", 1);
    match app
        .table
        .update(&keys::template(tenant, id), update, Some(Condition::Exists))
        .await
    {
        Ok(item) => read(item),
        Err(TableError::ConditionFailed) => Err(AppError::NotFound("template")),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(app: &App, tenant: &TenantId, id: &TemplateId) -> Result<(), AppError> {
    match app
        .table
        .delete(&keys::template(tenant, id), Some(Condition::Exists))
        .await
    {
        Ok(_) => Ok(()),
        Err(TableError::ConditionFailed) => Err(AppError::NotFound("template")),
        Err(e) => Err(e.into()),
    }
}

/// Counts a use of the template (a draft, a send, a positive reply); a deleted template is
/// not recreated.
pub async fn count(
    app: &App,
    tenant: &TenantId,
    id: &TemplateId,
    counter: &str,
) -> Result<(), AppError> {
    match app
        .table
        .update(
            &keys::template(tenant, id),
            Update::new().add(counter, 1),
            Some(Condition::Exists),
        )
        .await
    {
        Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
