//! The directory catalogue, the business profile and the matcher.

use crate::app::App;
use crate::app::opportunities::{competitor_gap, directories, export_imports, matcher, profile};
use crate::app::paging::ListPage;
use crate::app::paging::PageRequest;
use crate::domain::identity::Role;
use crate::domain::ids::DirectoryId;
use crate::domain::ids::{ExportImportId, SiteId};
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use std::sync::Arc;

fn id(call: &Call) -> Result<DirectoryId, Problem> {
    call.id("id", "directory", DirectoryId::parse)
}

/// Platform operators see inactive directories too.
fn operator(call: &Call) -> Result<bool, Problem> {
    Ok(call.identity()?.has(Role::Superadmin))
}

pub async fn list_directories(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: directories::DirectoryFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&directories::list(&app, &filter, page, operator(&call)?).await?)
}

pub async fn get_directory(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = id(&call)?;
    Answer::ok(&directories::get(&app, &id, operator(&call)?).await?)
}

pub async fn create_directory(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::created(&directories::create(&app, call.json()?).await?)
}

pub async fn update_directory(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = id(&call)?;
    Answer::ok(&directories::update(&app, &id, call.json()?).await?)
}

pub async fn delete_directory(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    directories::deactivate(&app, &id(&call)?).await?;
    Answer::no_content()
}

pub async fn import_directories(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&directories::import(&app, call.json()?).await?)
}

pub async fn get_profile(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&profile::get(&app, call.tenant()?).await?)
}

pub async fn update_profile(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&profile::update(&app, call.tenant()?, call.json()?).await?)
}

pub async fn match_opportunities(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&matcher::run(&app, call.tenant()?).await?)
}

fn site(call: &Call) -> Result<SiteId, Problem> {
    call.id("id", "site", SiteId::parse)
}

fn import(call: &Call) -> Result<(SiteId, ExportImportId), Problem> {
    Ok((
        site(call)?,
        call.id("importId", "backlink import", ExportImportId::parse)?,
    ))
}

pub async fn create_import(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let site = site(&call)?;
    Answer::created(&export_imports::create(&app, call.tenant()?, &site, call.json()?).await?)
}

pub async fn list_imports(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let items = export_imports::list(&app, call.tenant()?, &site(&call)?).await?;
    Answer::ok(&ListPage {
        items,
        next_cursor: None,
    })
}

pub async fn get_import(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let (site, id) = import(&call)?;
    Answer::ok(&export_imports::get(&app, call.tenant()?, &site, &id).await?)
}

pub async fn start_import(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let (site, id) = import(&call)?;
    let started = export_imports::start(&app, call.tenant()?, &site, &id).await?;
    Answer::json(http::StatusCode::ACCEPTED, &started)
}

pub async fn competitor_gap(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let site = site(&call)?;
    let params: competitor_gap::GapParams = call.query()?;
    Answer::ok(&competitor_gap::report(&app, call.tenant()?, &site, &params).await?)
}

pub async fn create_gap_opportunities(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let site = site(&call)?;
    Answer::created(&competitor_gap::create(&app, call.tenant()?, &site, call.json()?).await?)
}
