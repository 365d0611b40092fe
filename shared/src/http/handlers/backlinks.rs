use crate::app::paging::PageRequest;
use crate::app::{App, backlinks};
use crate::domain::ids::BacklinkId;
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use std::sync::Arc;

fn id(call: &Call) -> Result<BacklinkId, Problem> {
    call.id("id", "backlink", BacklinkId::parse)
}

pub async fn list(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: backlinks::BacklinkFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&backlinks::list(&app, call.tenant()?, &filter, page).await?)
}

pub async fn create(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::created(&backlinks::create(&app, call.tenant()?, call.json()?).await?)
}

pub async fn get(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&backlinks::get(&app, call.tenant()?, &id(&call)?).await?)
}

pub async fn update(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = id(&call)?;
    Answer::ok(&backlinks::update(&app, call.tenant()?, &id, call.json()?).await?)
}

pub async fn delete(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    backlinks::delete(&app, call.tenant()?, &id(&call)?).await?;
    Answer::no_content()
}
