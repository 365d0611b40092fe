use crate::app::paging::PageRequest;
use crate::app::{App, campaigns};
use crate::domain::campaign::CampaignAction;
use crate::domain::ids::CampaignId;
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use std::sync::Arc;

fn id(call: &Call) -> Result<CampaignId, Problem> {
    call.id("id", "campaign", CampaignId::parse)
}

pub async fn list(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: campaigns::CampaignFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&campaigns::list(&app, call.tenant()?, &filter, page).await?)
}

pub async fn create(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::created(&campaigns::create(&app, call.tenant()?, call.json()?).await?)
}

pub async fn get(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&campaigns::get(&app, call.tenant()?, &id(&call)?).await?)
}

pub async fn update(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = id(&call)?;
    Answer::ok(&campaigns::update(&app, call.tenant()?, &id, call.json()?).await?)
}

pub async fn delete(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    campaigns::delete(&app, call.tenant()?, &id(&call)?).await?;
    Answer::no_content()
}

async fn act(app: Arc<App>, call: Call, action: CampaignAction) -> Result<Answer, Problem> {
    Answer::ok(&campaigns::act(&app, call.tenant()?, &id(&call)?, action).await?)
}

pub async fn activate(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    act(app, call, CampaignAction::Activate).await
}

pub async fn pause(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    act(app, call, CampaignAction::Pause).await
}

pub async fn complete(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    act(app, call, CampaignAction::Complete).await
}
