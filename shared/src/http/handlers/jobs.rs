use crate::app::paging::PageRequest;
use crate::app::{App, activity, campaigns, jobs, settings};
use crate::domain::ids::{CampaignId, JobId};
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use http::StatusCode;
use std::sync::Arc;

fn id(call: &Call) -> Result<JobId, Problem> {
    call.id("id", "job", JobId::parse)
}

pub async fn create(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let job = jobs::create(&app, call.identity()?, call.json()?).await?;
    Answer::json(StatusCode::ACCEPTED, &job)
}

pub async fn list(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: jobs::JobFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&jobs::list(&app, call.tenant()?, &filter, page).await?)
}

pub async fn get(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&jobs::get(&app, call.tenant()?, &id(&call)?).await?)
}

pub async fn results(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = id(&call)?;
    let filter: jobs::ResultFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&jobs::results(&app, call.tenant()?, &id, &filter, page).await?)
}

pub async fn pause(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&jobs::pause(&app, call.identity()?, &id(&call)?).await?)
}

pub async fn resume(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&jobs::resume(&app, call.identity()?, &id(&call)?).await?)
}

pub async fn cancel(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&jobs::cancel(&app, call.identity()?, &id(&call)?).await?)
}

pub async fn discover(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let campaign_id = call.id("id", "campaign", CampaignId::parse)?;
    let who = call.identity()?;
    let campaign = campaigns::get(&app, &who.tenant, &campaign_id).await?;
    let job = jobs::discover(&app, who, &campaign, call.json()?).await?;
    Answer::json(StatusCode::ACCEPTED, &job)
}

pub async fn get_settings(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&settings::load(&app, call.tenant()?).await?)
}

pub async fn update_settings(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&settings::replace(&app, call.identity()?, call.json()?).await?)
}

pub async fn activity(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: activity::ActivityFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&activity::list(&app, call.tenant()?, page).await?)
}
