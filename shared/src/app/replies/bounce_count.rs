//! Which reply counts one send's bounce. The same bounce may be reported twice (a DSN by
//! mail and SES's notification): both replies are stored and acted on, but only the first
//! counts toward the address's soft-bounce limit and in the campaign's figures.

use super::{Reply, keys};
use crate::app::entity::{self, Entity};
use crate::app::{App, AppError};
use crate::domain::ids::{ReplyId, TenantId};
use crate::domain::reply::ReplyClass;
use crate::ports::table::{Condition, Key, TableError};

pub(super) struct BounceCounter {
    /// Another reply already counts this send's bounce.
    taken: bool,
    /// This reply counts, as its class: not a bounce, or the send's first report of one.
    pub(super) first: bool,
}

fn is_bounce(class: ReplyClass) -> bool {
    matches!(class, ReplyClass::BounceHard | ReplyClass::BounceSoft)
}

/// The reply that holds a send's claim, if any.
async fn holder(app: &App, key: &Key) -> Result<Option<ReplyId>, AppError> {
    let stored: Option<keys::BounceCounted> =
        app.table.get(key).await?.map(entity::read).transpose()?;
    Ok(stored.map(|s| s.reply_id))
}

impl BounceCounter {
    /// Claims the matched send for this reply when it is a bounce; reads the claim only
    /// when a bounce class (now or `previous`) is involved.
    pub(super) async fn claim(
        app: &App,
        tenant: &TenantId,
        reply: &Reply,
        previous: Option<ReplyClass>,
    ) -> Result<Self, AppError> {
        let class = reply.analysis.classification;
        let involved = is_bounce(class) || previous.is_some_and(is_bounce);
        let Some(m) = reply.matched.as_ref().filter(|_| involved) else {
            return Ok(Self {
                taken: false,
                first: true,
            });
        };
        let send = keys::BounceCounted {
            email_id: m.email_id.clone(),
            sequence: m.sequence,
            reply_id: reply.id.clone(),
        };
        let key = send.key(tenant);
        let taken = holder(app, &key).await?.is_some_and(|id| id != reply.id);
        let first = if !is_bounce(class) {
            true
        } else if taken {
            false
        } else {
            let item = entity::item(&send, tenant)?;
            match app.table.put(item, Some(Condition::NotExists)).await {
                Ok(()) => true,
                // Claimed meanwhile: by this reply (effects applied again) or another.
                Err(TableError::ConditionFailed) => {
                    holder(app, &key).await?.as_ref() == Some(&reply.id)
                }
                Err(e) => return Err(e.into()),
            }
        };
        Ok(Self { taken, first })
    }

    /// Whether this reply's counters, as `class`, were added before.
    pub(super) fn counted(&self, class: ReplyClass) -> bool {
        !(is_bounce(class) && self.taken)
    }
}
