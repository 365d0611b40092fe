//! The emails sent to an address, newest first (the platform's recipient index): how a
//! reply or bounce finds the send it answers, and how a bounce tells the addresses this
//! tenant wrote to from those it never did.

use super::keys::RecipientIndex;
use crate::app::{App, AppError, entity};
use crate::domain::ids::TenantId;
use crate::domain::outreach::ReplyTarget;
use crate::ports::table::{Index, Query};

pub(super) fn allowed(target: &ReplyTarget, tenant: Option<&TenantId>) -> bool {
    tenant.is_none_or(|t| *t == target.tenant_id)
}

/// The newest sent email under an index partition that the tenant (if given) may see.
pub(super) async fn newest(
    app: &App,
    partition: String,
    tenant: Option<&TenantId>,
) -> Result<Option<ReplyTarget>, AppError> {
    let query = Query::new(Index::Table, partition).descending().limit(25);
    for item in app.table.query(query).await?.items {
        let target = entity::read::<RecipientIndex>(item)?.target;
        if allowed(&target, tenant) {
            return Ok(Some(target));
        }
    }
    Ok(None)
}
