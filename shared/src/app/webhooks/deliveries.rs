//! What delivery made of each event for a webhook: one item per event and webhook, its
//! attempts inside it, kept 30 days. The item's key is made of the event (its time and id),
//! so an event delivered twice to the job finds the delivery it already made.

use super::{App, AppError, stored};
use crate::app::entity::{self, Entity};
use crate::app::paging::{self, ListPage, PageRequest};
use crate::app::store::tenant_partition;
use crate::domain::ids::{TenantId, WebhookId};
use crate::domain::time::Timestamp;
use crate::domain::webhooks::delivery::{Delivery, DeliveryState};
use crate::ports::table::{Index, Key, Query, SortCondition};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// How long a delivery is kept after it was made: as long as the bus's archive keeps the
/// event, so an event replayed from the archive meets its first delivery.
const KEEP_SECS: i64 = 30 * 86_400;
const PREFIX: &str = "DELIVERY#";

/// Who holds the delivery while an attempt is on the wire, and until when. A second copy
/// of the attempt's message leaves it alone until then; a holder that died is replaced
/// after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Claim {
    pub attempt: u32,
    pub until: Timestamp,
}

/// A delivery as kept: what the API shows, the exact body every attempt sends, the claim
/// of an attempt in flight, and the version its writes are conditioned on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredDelivery {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub payload: String,
    pub claim: Option<Claim>,
    pub version: u64,
}

pub(crate) fn key(
    tenant: &TenantId,
    webhook: &WebhookId,
    event_at: Timestamp,
    event_id: &str,
) -> Key {
    Key::new(
        partition(tenant, webhook),
        format!("{PREFIX}{}#{event_id}", event_at.to_key()),
    )
}

fn partition(tenant: &TenantId, webhook: &WebhookId) -> String {
    format!("{}#WEBHOOK#{webhook}", tenant_partition(tenant))
}

impl Entity for StoredDelivery {
    const TAG: &'static str = "webhook_delivery";
    type Owner = TenantId;
    fn key(&self, tenant: &TenantId) -> Key {
        let d = &self.delivery;
        key(tenant, &d.webhook_id, d.event_at, &d.event_id)
    }
    fn expires_at(&self) -> Option<i64> {
        Some(self.delivery.created_at.epoch_seconds() + KEEP_SECS)
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// Only deliveries in this state.
    pub state: Option<DeliveryState>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// A webhook's deliveries, newest event first.
pub async fn list(
    app: &App,
    tenant: &TenantId,
    webhook: &WebhookId,
    filter: &DeliveryFilter,
    page: PageRequest,
) -> Result<ListPage<Delivery>, AppError> {
    if stored(app, tenant, webhook).await?.is_none() {
        return Err(AppError::NotFound("webhook"));
    }
    let query = Query::new(Index::Table, partition(tenant, webhook))
        .sort(SortCondition::BeginsWith(PREFIX.into()))
        .descending();
    paging::list(app.table.as_ref(), query, page, |item| {
        let delivery = entity::read::<StoredDelivery>(item)?.delivery;
        Ok(filter
            .state
            .is_none_or(|s| s == delivery.state)
            .then_some(delivery))
    })
    .await
}
