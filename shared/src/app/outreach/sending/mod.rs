//! Sending, at most once. A scheduler releases approved emails inside each tenant's send
//! window; the send stage then runs its phases in order: the guard (is this message still
//! due?), the policy (may it go?), the claim (the attempt and every daily cap in one
//! transaction), compose, deliver, and settle. A claim that never completed (a crash
//! mid-send) is surfaced as `needs_review`, never resent; `review` takes it from there.

mod claim;
mod compose;
mod deliver;
mod gate;
mod guard;
mod release;
mod settle;

use crate::app::enqueue::ForTenant;
use crate::app::{App, AppError};
use crate::domain::ids::{EmailId, TenantId};
use serde::{Deserialize, Serialize};

pub use crate::domain::outreach::SEND_TIMEOUT_SECS;
pub use claim::reply_target;
pub use deliver::MAX_TRANSPORT_RETRIES;
pub use release::{release, schedule};
pub use settle::{finish_review_if_done, mark_attempt};
pub(super) use settle::{sent, set_attempt};

pub const SEND_QUEUE: &str = "send";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendMessage {
    pub tenant_id: TenantId,
    pub email_id: EmailId,
    /// 0 for the first email, n for the n-th follow-up.
    pub sequence: u32,
}

impl ForTenant for SendMessage {
    fn tenant(&self) -> &TenantId {
        &self.tenant_id
    }
}

/// The send stage for one message.
pub async fn send_stage(app: &App, m: &SendMessage) -> Result<(), AppError> {
    let Some(due) = guard::due(app, m).await? else {
        return Ok(());
    };
    let Some(cleared) = gate::clear(app, m, &due).await? else {
        return Ok(());
    };
    let Some(claimed) = claim::take(app, m, &due, &cleared).await? else {
        return Ok(());
    };
    let mail = compose::mail(app, m, &due, &cleared, &claimed).await?;
    deliver::deliver(app, m, &due, &cleared, claimed, mail).await
}
