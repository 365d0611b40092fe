//! Link monitoring: checking a backlink now, its kept checks, and link events.

use crate::app::App;
use crate::app::monitoring::{backlinks, records};
use crate::app::paging::PageRequest;
use crate::domain::ids::BacklinkId;
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
