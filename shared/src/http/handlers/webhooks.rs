//! Tenants' webhooks and their deliveries (admin only).

use crate::app::App;
use crate::app::paging::PageRequest;
use crate::app::webhooks::{self, deliveries};
use crate::domain::ids::WebhookId;
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use std::sync::Arc;

fn id(call: &Call) -> Result<WebhookId, Problem> {
    call.id("id", "webhook", WebhookId::parse)
}

pub async fn create(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::created(&webhooks::create(&app, call.tenant()?, call.json()?).await?)
}

pub async fn list(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: webhooks::WebhookFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&webhooks::list(&app, call.tenant()?, page).await?)
}

pub async fn update(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = id(&call)?;
    Answer::ok(&webhooks::update(&app, call.tenant()?, &id, call.json()?).await?)
}

pub async fn delete(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    webhooks::delete(&app, call.tenant()?, &id(&call)?).await?;
    Answer::no_content()
}

pub async fn list_deliveries(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = id(&call)?;
    let filter: deliveries::DeliveryFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&deliveries::list(&app, call.tenant()?, &id, &filter, page).await?)
}
