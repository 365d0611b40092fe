//! Link monitoring: checking a backlink or a planned link now, a plan's links through the
//! queue, their kept checks, link events, and standing in for a lost planned link.

use crate::app::App;
use crate::app::monitoring::{backlinks, planned, reclaim, records};
use crate::app::paging::PageRequest;
use crate::app::plans::replacement;
use crate::domain::ids::{BacklinkId, PlanId, PlannedLinkId};
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use std::sync::Arc;
use std::time::Duration;

/// What an on-demand check may take: under API Gateway's 30-second limit, with room to
/// answer.
const CHECK_DEADLINE: Duration = Duration::from_secs(25);

fn backlink_id(call: &Call) -> Result<BacklinkId, Problem> {
    call.id("id", "backlink", BacklinkId::parse)
}

pub async fn check_backlink(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = backlink_id(&call)?;
    Answer::ok(&backlinks::check_now(&app, call.tenant()?, &id, CHECK_DEADLINE).await?)
}

pub async fn list_backlink_checks(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = backlink_id(&call)?;
    let filter: records::CheckFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&backlinks::checks(&app, call.tenant()?, &id, page).await?)
}

pub async fn list_link_events(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: records::EventFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&records::list_events(&app, call.tenant()?, &filter, page).await?)
}

fn plan_ids(call: &Call) -> Result<(PlanId, PlannedLinkId), Problem> {
    Ok((
        call.id("id", "plan", PlanId::parse)?,
        call.id("linkId", "planned link", PlannedLinkId::parse)?,
    ))
}

pub async fn check_planned_link(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let (plan, link) = plan_ids(&call)?;
    let tenant = call.tenant()?;
    Answer::ok(&planned::check_now(&app, tenant, &plan, &link, CHECK_DEADLINE).await?)
}

pub async fn draft_reclaim_email(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = backlink_id(&call)?;
    let input = call.json()?;
    Answer::ok(&reclaim::draft(&app, call.tenant()?, &id, input).await?)
}

pub async fn replace_planned_link(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let (plan, link) = plan_ids(&call)?;
    let input = call.json()?;
    Answer::created(&replacement::replace(&app, call.tenant()?, &plan, &link, input).await?)
}

pub async fn list_planned_link_checks(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let (plan, link) = plan_ids(&call)?;
    let filter: records::CheckFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&planned::checks(&app, call.tenant()?, &plan, &link, page).await?)
}

pub async fn check_plan(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let plan = call.id("id", "plan", PlanId::parse)?;
    let queued = planned::check_plan(&app, call.tenant()?, &plan).await?;
    Answer::json(http::StatusCode::ACCEPTED, &queued)
}
