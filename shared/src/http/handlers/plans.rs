//! Sites, their pages, plans and planned links.

use crate::app::App;
use crate::app::paging::PageRequest;
use crate::app::plans::{edit, generate, imports, links, pages, read, scoring, sites};
use crate::domain::ids::{ImportId, PlanId, PlannedLinkId, SiteId};
use crate::domain::plans::PlanAction;
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use std::sync::Arc;

fn site_id(call: &Call) -> Result<SiteId, Problem> {
    call.id("id", "site", SiteId::parse)
}

fn plan_id(call: &Call) -> Result<PlanId, Problem> {
    call.id("id", "plan", PlanId::parse)
}

fn link_id(call: &Call) -> Result<PlannedLinkId, Problem> {
    call.id("linkId", "planned link", PlannedLinkId::parse)
}

pub async fn list_sites(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: sites::SiteFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&sites::list(&app, call.tenant()?, page).await?)
}

pub async fn create_site(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::created(&sites::create(&app, call.tenant()?, call.json()?).await?)
}

pub async fn get_site(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&sites::get(&app, call.tenant()?, &site_id(&call)?).await?)
}

pub async fn delete_site(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    sites::delete(&app, call.tenant()?, &site_id(&call)?).await?;
    Answer::no_content()
}

pub async fn upsert_pages(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = site_id(&call)?;
    Answer::ok(&pages::upsert(&app, call.tenant()?, &id, call.json()?).await?)
}

pub async fn list_pages(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = site_id(&call)?;
    let filter: pages::PageFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&pages::list(&app, call.tenant()?, &id, &filter, page).await?)
}

pub async fn list_plans(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let filter: read::PlanFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&read::list(&app, call.tenant()?, &filter, page).await?)
}

pub async fn generate_plan(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::created(&generate::create(&app, call.tenant()?, call.json()?).await?)
}

pub async fn get_plan(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&read::get(&app, call.tenant()?, &plan_id(&call)?).await?)
}

pub async fn update_plan(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = plan_id(&call)?;
    Answer::ok(&edit::update(&app, call.tenant()?, &id, call.json()?).await?)
}

pub async fn delete_plan(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    edit::delete(&app, call.tenant()?, &plan_id(&call)?).await?;
    Answer::no_content()
}

async fn act(app: Arc<App>, call: Call, action: PlanAction) -> Result<Answer, Problem> {
    Answer::ok(&edit::act(&app, call.tenant()?, &plan_id(&call)?, action).await?)
}

pub async fn activate_plan(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    act(app, call, PlanAction::Activate).await
}

pub async fn pause_plan(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    act(app, call, PlanAction::Pause).await
}

pub async fn complete_plan(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    act(app, call, PlanAction::Complete).await
}

pub async fn list_links(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = plan_id(&call)?;
    let filter: links::PlannedLinkFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&links::list(&app, call.tenant()?, &id, &filter, page).await?)
}

pub async fn create_link(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = plan_id(&call)?;
    Answer::created(&links::create(&app, call.tenant()?, &id, call.json()?).await?)
}

pub async fn get_link(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let (plan, link) = (plan_id(&call)?, link_id(&call)?);
    Answer::ok(&links::get(&app, call.tenant()?, &plan, &link).await?)
}

pub async fn update_link(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let (plan, link) = (plan_id(&call)?, link_id(&call)?);
    let who = call.identity()?;
    let patch = call.json()?;
    Answer::ok(&links::update(&app, &who.tenant, &plan, &link, &who.user, patch).await?)
}

pub async fn delete_link(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let (plan, link) = (plan_id(&call)?, link_id(&call)?);
    links::delete(&app, call.tenant()?, &plan, &link).await?;
    Answer::no_content()
}

pub async fn score_opportunity(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    Answer::ok(&scoring::score_opportunity(&app, call.tenant()?, call.json()?).await?)
}

fn tenant_list(call: &Call) -> Result<scoring::List, Problem> {
    Ok(scoring::List::Tenant(call.tenant()?.clone()))
}

async fn block_on(app: Arc<App>, call: Call, list: scoring::List) -> Result<Answer, Problem> {
    let by = call.identity()?.user.to_string();
    let input = call.json()?;
    Answer::ok(&scoring::block(&app, &list, call.param("domain"), &by, input).await?)
}

async fn list_of(app: Arc<App>, call: Call, list: scoring::List) -> Result<Answer, Problem> {
    let filter: scoring::BlocklistFilter = call.query()?;
    let page = PageRequest::parse(filter.limit, filter.cursor.as_deref())?;
    Answer::ok(&scoring::list(&app, &list, page).await?)
}

async fn unblock_on(app: Arc<App>, call: Call, list: scoring::List) -> Result<Answer, Problem> {
    scoring::unblock(&app, &list, call.param("domain")).await?;
    Answer::no_content()
}

pub async fn list_blocklist(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let list = tenant_list(&call)?;
    list_of(app, call, list).await
}

pub async fn block_domain(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let list = tenant_list(&call)?;
    block_on(app, call, list).await
}

pub async fn unblock_domain(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let list = tenant_list(&call)?;
    unblock_on(app, call, list).await
}

pub async fn list_platform_blocklist(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    list_of(app, call, scoring::List::Platform).await
}

pub async fn block_platform_domain(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    block_on(app, call, scoring::List::Platform).await
}

pub async fn unblock_platform_domain(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    unblock_on(app, call, scoring::List::Platform).await
}

fn import_id(call: &Call) -> Result<ImportId, Problem> {
    call.id("importId", "import", ImportId::parse)
}

pub async fn import_pages(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let id = site_id(&call)?;
    let started = imports::start(&app, call.tenant()?, &id, call.json()?).await?;
    Answer::json(http::StatusCode::ACCEPTED, &started)
}

pub async fn get_import(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let (site, import) = (site_id(&call)?, import_id(&call)?);
    Answer::ok(&imports::get(&app, call.tenant()?, &site, &import).await?)
}
