//! Mail that reached no tenant (sent to the platform's shared reply domain, matching no
//! attempt): kept for the platform's operators, who hand each message to the tenant it
//! belongs to. There it becomes an unmatched reply like any other.

use super::effects;
use super::keys::{self, UnroutedReply};
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::{App, AppError, entity};
use crate::domain::ids::{ReplyId, TenantId};
use crate::domain::reply::Reply;
use crate::ports::table::{Condition, Index, Query, SortCondition, TableError, TransactOp};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnroutedFilter {
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Routing {
    /// The tenant the message belongs to.
    pub tenant_id: String,
}

/// `listUnroutedReplies`, newest first.
pub async fn list(app: &App, page: PageRequest) -> Result<ListPage<Reply>, AppError> {
    let query = Query::new(Index::Table, keys::UNROUTED)
        .sort(SortCondition::BeginsWith(keys::REPLY_PREFIX.into()))
        .descending();
    paging::list(app.table.as_ref(), query, page, |item| {
        entity::read::<UnroutedReply>(item).map(|u| Some(u.0))
    })
    .await
}

/// `routeUnroutedReply`: moves the message into the tenant's unmatched list (once: the
/// move and the removal are one transaction) and applies its address-level effects.
pub async fn route(app: &App, id: &ReplyId, routing: Routing) -> Result<Reply, AppError> {
    let tenant = TenantId::parse(&routing.tenant_id)
        .map_err(|e| AppError::Invalid(vec![e.within("tenantId")]))?;
    let key = keys::unrouted(id);
    let reply = match app.table.get(&key).await? {
        Some(item) => entity::read::<UnroutedReply>(item)?.0,
        None => return Err(AppError::NotFound("unrouted reply")),
    };
    let moved = app
        .table
        .transact(vec![
            TransactOp::Put {
                item: entity::item(&reply, &tenant)?,
                condition: Some(Condition::NotExists),
            },
            TransactOp::Delete {
                key,
                condition: Some(Condition::Exists),
            },
        ])
        .await;
    match moved {
        Ok(()) => effects::apply(app, &tenant, reply).await,
        Err(TableError::TransactionCancelled { .. }) => Err(AppError::Conflict(
            "the message was routed by someone else".into(),
        )),
        Err(e) => Err(e.into()),
    }
}
