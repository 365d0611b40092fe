//! The follow-up sweep: emails sent with no reply whose next follow-up is due are queued
//! for the send stage, which checks the policy again (no reply, not suppressed, backlink
//! still awaiting a reply) and threads the follow-up on the original.

use super::sending::{SEND_QUEUE, SendMessage};
use super::{emails, keys};
use crate::app::store::{from_item, tenant_of};
use crate::app::{App, AppError};
use crate::domain::outreach::{EmailStatus, OutreachEmail};
use crate::ports::table::{Index, Query, SortCondition};

/// Queues every due follow-up. Returns how many.
pub async fn sweep(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now().to_key();
    let mut queued = 0;
    for shard in 0..keys::SEND_SHARDS {
        let query = Query::new(Index::Gsi4, format!("FOLLOWUP#{shard}"))
            .sort(SortCondition::Lt(now.clone()))
            .limit(1000);
        for item in app.table.query(query).await?.items {
            let tenant = tenant_of(&item)?;
            let email: OutreachEmail = from_item(item)?;
            let sequence = email.follow_ups_sent + 1;
            let marked = emails::modify(app, &tenant, &email.id, |e| {
                if e.status != EmailStatus::Sent
                    || e.replied_at.is_some()
                    || e.follow_up_pending.is_some()
                    || e.next_follow_up_at.is_none()
                {
                    return Err(AppError::Conflict("no longer due".into()));
                }
                e.follow_up_pending = Some(sequence);
                e.next_follow_up_at = None;
                Ok(())
            })
            .await;
            match marked {
                Ok(_) => {}
                Err(AppError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
            let message = SendMessage {
                tenant_id: tenant,
                email_id: email.id,
                sequence,
            };
            app.queue
                .send(
                    SEND_QUEUE,
                    vec![serde_json::to_string(&message).unwrap_or_default()],
                )
                .await?;
            queued += 1;
        }
    }
    Ok(queued)
}
