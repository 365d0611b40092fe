//! The usage ledger: a tenant's month of credits, and the limit operators set.

use crate::app::App;
use crate::app::usage::{self, UsageQuery};
use crate::domain::ids::TenantId;
use crate::http::call::Call;
use crate::http::problem::Problem;
use crate::http::route::Answer;
use std::sync::Arc;

/// `getUsage`: the caller's tenant's totals by operation and entries for `?month=YYYY-MM`.
pub async fn get_usage(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let query: UsageQuery = call.query()?;
    Answer::ok(&usage::month(&app, call.tenant()?, query.month).await?)
}

/// `setTenantCreditLimit`: a platform operator sets the monthly credit limit of the tenant
/// in the path.
pub async fn set_credit_limit(app: Arc<App>, call: Call) -> Result<Answer, Problem> {
    let tenant = call.id("tenantId", "tenant", TenantId::parse)?;
    Answer::ok(&usage::set_limit(&app, &tenant, call.json()?).await?)
}
