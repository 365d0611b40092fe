//! Replies: every inbound message, threaded to the attempt it answers, classified, and
//! acted on (follow-ups stopped, backlink moved, address suppressed). Unmatched messages
//! wait in a list a person can assign; nothing is dropped.

mod bounce_count;
pub mod effects;
pub mod feedback;
pub mod ingest;
pub mod keys;
mod recipients;
pub mod unrouted;

use super::outreach::emails;
use super::paging::{self, ListPage, PageRequest};
use super::store::{Versioned, modify_versioned, tenant_partition};
use super::{App, AppError, entity};
use crate::domain::ids::{EmailId, ReplyId, TenantId};
use crate::domain::reply::{MatchedBy, Reply, ReplyClass, ReplyMatch};
use crate::domain::time::Timestamp;
use crate::ports::table::{Index, Query, SortCondition};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReplyFilter {
    pub class: Option<ReplyClass>,
    pub campaign_id: Option<String>,
    /// Only replies matched to nothing (true) or only matched ones (false).
    pub unmatched: Option<bool>,
    pub reviewed: Option<bool>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplyPatch {
    pub reviewed: Option<bool>,
    /// Overrides the class; the new class's effects are applied.
    pub classification: Option<ReplyClass>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Assignment {
    /// The outreach email the reply answers.
    pub email_id: String,
}

pub async fn get(app: &App, tenant: &TenantId, id: &ReplyId) -> Result<Reply, AppError> {
    match app.table.get(&keys::reply(tenant, id)).await? {
        Some(item) => entity::read(item),
        None => Err(AppError::NotFound("reply")),
    }
}

impl Versioned for Reply {
    fn version(&self) -> u64 {
        self.version
    }
    fn stamp(&mut self, version: u64, now: Timestamp) {
        self.version = version;
        self.updated_at = now;
    }
}

/// Reads, changes and writes a reply under its version, retrying a lost race.
pub(crate) async fn modify(
    app: &App,
    tenant: &TenantId,
    id: &ReplyId,
    change: impl Fn(&mut Reply) -> Result<(), AppError>,
) -> Result<Reply, AppError> {
    let key = keys::reply(tenant, id);
    modify_versioned(app, &key, "reply", |r| entity::item(r, tenant), change).await
}

/// `listReplies`, newest first.
pub async fn list(
    app: &App,
    tenant: &TenantId,
    filter: &ReplyFilter,
    page: PageRequest,
) -> Result<ListPage<Reply>, AppError> {
    let campaign = super::campaigns::filter_id(filter.campaign_id.as_deref())?;
    let query = match (&campaign, filter.class, filter.unmatched) {
        (Some(c), _, _) => Query::new(Index::Gsi2, keys::by_campaign(tenant, c)),
        (None, Some(class), _) => Query::new(Index::Gsi1, keys::by_class(tenant, class)),
        (None, None, Some(true)) => Query::new(Index::Gsi3, keys::unmatched(tenant)),
        _ => Query::new(Index::Table, tenant_partition(tenant))
            .sort(SortCondition::BeginsWith(keys::REPLY_PREFIX.into())),
    };
    paging::list(app.table.as_ref(), query.descending(), page, |item| {
        let r: Reply = entity::read(item)?;
        let keep = filter.class.is_none_or(|c| r.analysis.classification == c)
            && filter.unmatched.is_none_or(|u| r.matched.is_none() == u)
            && filter.reviewed.is_none_or(|v| r.reviewed == v);
        Ok(keep.then_some(r))
    })
    .await
}

/// `updateReply`: mark reviewed, keep notes, or override the class (which applies the
/// new class's effects; what the old class did stays done).
pub async fn update(
    app: &App,
    tenant: &TenantId,
    id: &ReplyId,
    patch: ReplyPatch,
) -> Result<Reply, AppError> {
    let notes = patch
        .notes
        .as_deref()
        .map(|n| crate::domain::text::multi_line(n, 5_000))
        .transpose()
        .map_err(|e| AppError::Invalid(vec![e.within("notes")]))?;
    let before = get(app, tenant, id).await?;
    let overridden = patch
        .classification
        .filter(|c| *c != before.analysis.classification);
    let reply = modify(app, tenant, id, |r| {
        if let Some(v) = patch.reviewed {
            r.reviewed = v;
        }
        if let Some(n) = &notes {
            r.notes = Some(n.clone());
        }
        if let Some(class) = overridden {
            r.analysis = effects::overridden(&r.analysis, class, &r.from_email);
            r.effects_applied = false;
        }
        Ok(())
    })
    .await?;
    if overridden.is_some() {
        // Counts of the old class are taken back only where they were added.
        let counted = (before.matched.is_some() && before.effects_applied)
            .then_some(before.analysis.classification);
        return effects::apply_after(app, tenant, reply, counted).await;
    }
    Ok(reply)
}

/// `assignReply`: a person attaches an unmatched reply to the email it answers; the
/// effects that need an attempt then run.
pub async fn assign(
    app: &App,
    tenant: &TenantId,
    id: &ReplyId,
    assignment: Assignment,
) -> Result<Reply, AppError> {
    let email_id = EmailId::parse(&assignment.email_id)
        .map_err(|e| AppError::Invalid(vec![e.within("emailId")]))?;
    let email = emails::get(app, tenant, &email_id).await?;
    let reply = modify(app, tenant, id, |r| {
        if r.matched.is_some() {
            return Err(AppError::Conflict(
                "the reply is already matched to an email".into(),
            ));
        }
        r.matched = Some(ReplyMatch {
            email_id: email.id.clone(),
            campaign_id: email.campaign_id.clone(),
            backlink_id: email.backlink_id.clone(),
            sequence: email.follow_ups_sent,
            matched_by: MatchedBy::Manual,
        });
        r.campaign_id = Some(email.campaign_id.clone());
        r.effects_applied = false;
        Ok(())
    })
    .await?;
    effects::apply_to(app, tenant, reply, Some(&email), None).await
}
