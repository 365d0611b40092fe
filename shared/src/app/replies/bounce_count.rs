//! Which reply's bounce of one send the analytics count. The same bounce may be reported
//! twice (a DSN by mail and SES's notification): both replies are stored and acted on, but
//! the campaign's counters take the first one only.

use super::{Reply, keys};
use crate::app::entity::{self, Entity};
use crate::app::{App, AppError};
use crate::domain::ids::TenantId;
use crate::domain::reply::ReplyClass;
use crate::ports::table::{Condition, TableError};

/// Which reply's bounce of a send the analytics count: the first one stored.
pub(super) struct BounceCounter {
    send: Option<keys::BounceCounted>,
    /// Another reply already counts this send's bounce.
    taken: bool,
}

impl BounceCounter {
    /// Reads the send's claim only when a bounce class is involved (`bounces`).
    pub(super) async fn of(
        app: &App,
        tenant: &TenantId,
        reply: &Reply,
        bounces: bool,
    ) -> Result<Self, AppError> {
        let Some(m) = reply.matched.as_ref().filter(|_| bounces) else {
            return Ok(Self {
                send: None,
                taken: false,
            });
        };
        let send = keys::BounceCounted {
            email_id: m.email_id.clone(),
            sequence: m.sequence,
            reply_id: reply.id.clone(),
        };
        let stored: Option<keys::BounceCounted> = app
            .table
            .get(&send.key(tenant))
            .await?
            .map(entity::read)
            .transpose()?;
        let taken = stored.is_some_and(|s| s.reply_id != reply.id);
        Ok(Self {
            send: Some(send),
            taken,
        })
    }

    pub(super) fn is_bounce(class: ReplyClass) -> bool {
        matches!(class, ReplyClass::BounceHard | ReplyClass::BounceSoft)
    }

    /// Whether this reply's counters, as `class`, were added.
    pub(super) fn counted(&self, class: ReplyClass) -> bool {
        !(Self::is_bounce(class) && self.taken)
    }

    /// Whether this reply's counters, as `class`, are to be added: a bounce only when no
    /// other reply counts this send's bounce, and then it claims the send.
    pub(super) async fn counts(
        &self,
        app: &App,
        tenant: &TenantId,
        class: ReplyClass,
    ) -> Result<bool, AppError> {
        if !Self::is_bounce(class) {
            return Ok(true);
        }
        let Some(send) = &self.send else {
            return Ok(true);
        };
        if self.taken {
            return Ok(false);
        }
        let item = entity::item(send, tenant)?;
        match app.table.put(item, Some(Condition::NotExists)).await {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed) => {
                // Claimed meanwhile: by this reply (effects applied again) or another.
                let now: Option<keys::BounceCounted> = app
                    .table
                    .get(&send.key(tenant))
                    .await?
                    .map(entity::read)
                    .transpose()?;
                Ok(now.is_some_and(|s| s.reply_id == send.reply_id))
            }
            Err(e) => Err(e.into()),
        }
    }
}
