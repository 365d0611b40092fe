use crate::app::paging::PageRequest;
use crate::app::{App, suppression};
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use std::sync::Arc;

pub async fn list(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: suppression::SuppressionFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&suppression::list(&app, call.tenant()?, &filter, page).await?)
}

pub async fn add(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::created(&suppression::add_for(&app, call.identity()?, call.json()?).await?)
}

pub async fn remove(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let value = percent_encoding::percent_decode_str(call.param("value"))
        .decode_utf8_lossy()
        .into_owned();
    suppression::remove(&app, call.tenant()?, &value).await?;
    Answer::no_content()
}
