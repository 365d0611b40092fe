use crate::app::paging::PageRequest;
use crate::app::replies::{self, ingest, unrouted};
use crate::app::{App, AppError};
use crate::domain::ids::ReplyId;
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use std::sync::Arc;

fn reply_id(call: &Call) -> Result<ReplyId, Problem> {
    call.id("id", "reply", ReplyId::parse)
}

pub async fn list(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: replies::ReplyFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&replies::list(&app, call.tenant()?, &filter, page).await?)
}

pub async fn get(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&replies::get(&app, call.tenant()?, &reply_id(&call)?).await?)
}

pub async fn update(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = reply_id(&call)?;
    Answer::ok(&replies::update(&app, call.tenant()?, &id, call.json()?).await?)
}

pub async fn assign(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = reply_id(&call)?;
    let tenant = call.tenant()?;
    // Another tenant's reply is absent whatever the body says.
    replies::get(&app, tenant, &id).await?;
    Answer::ok(&replies::assign(&app, tenant, &id, call.json()?).await?)
}

/// Local only: a raw message for the caller's tenant, through the same ingest as SES.
pub async fn ingest_inbound(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    if call.body.is_empty() {
        return Err(AppError::invalid("body", "send the raw message (message/rfc822)").into());
    }
    match ingest::ingest(&app, &call.body, &[], Some(call.tenant()?)).await? {
        ingest::Ingested::Stored(_, reply) => Answer::created(&reply),
        ingest::Ingested::Duplicate(_, reply) => Answer::ok(&reply),
        ingest::Ingested::OwnMessage => Err(AppError::Conflict(
            "this is a copy of a message we sent, not a reply".into(),
        )
        .into()),
        ingest::Ingested::Unrouted(_) => {
            Err(AppError::Unavailable("the message found no tenant".into()).into())
        }
    }
}

pub async fn list_unrouted(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: unrouted::UnroutedFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&unrouted::list(&app, page).await?)
}

pub async fn route_unrouted(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = call.id("id", "unrouted reply", ReplyId::parse)?;
    Answer::ok(&unrouted::route(&app, &id, call.json()?).await?)
}
