//! Every queue message leaves through here, serialised and sent with the tenant it works
//! for, so that the queue can share its throughput fairly between tenants.

use super::{App, AppError};
use crate::domain::ids::TenantId;
use crate::ports::Outgoing;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

/// A queue message that works for one tenant.
pub trait ForTenant: Serialize {
    fn tenant(&self) -> &TenantId;
}

fn outgoing<M: ForTenant>(message: &M) -> Result<Outgoing, AppError> {
    let body = serde_json::to_string(message)
        .map_err(|e| AppError::internal(format!("a queue message: {e}")))?;
    Ok(Outgoing::new(message.tenant(), body))
}

/// Sends the messages in the order given.
pub async fn send<M: ForTenant>(app: &App, queue: &str, messages: &[M]) -> Result<(), AppError> {
    if messages.is_empty() {
        return Ok(());
    }
    let out = messages.iter().map(outgoing).collect::<Result<_, _>>()?;
    Ok(app.queue.send(queue, out).await?)
}

/// Sends one message, delivered once `delay` has passed.
pub async fn send_after<M: ForTenant>(
    app: &App,
    queue: &str,
    message: &M,
    delay: Duration,
) -> Result<(), AppError> {
    Ok(app
        .queue
        .send_after(queue, outgoing(message)?, delay)
        .await?)
}

/// The items in turns, one tenant after another (each tenant's in their order), so that
/// a bulk send puts no tenant's whole share ahead of the others'.
pub fn interleave<M>(items: Vec<M>, tenant: impl Fn(&M) -> &TenantId) -> Vec<M> {
    let mut by_tenant: BTreeMap<TenantId, VecDeque<M>> = BTreeMap::new();
    for m in items {
        by_tenant
            .entry(tenant(&m).clone())
            .or_default()
            .push_back(m);
    }
    let mut lines: Vec<VecDeque<M>> = by_tenant.into_values().collect();
    let mut out = Vec::new();
    while !lines.is_empty() {
        for line in &mut lines {
            out.extend(line.pop_front());
        }
        lines.retain(|line| !line.is_empty());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct M(TenantId, u32);

    #[test]
    fn interleaving_takes_tenants_in_turn_and_keeps_each_ones_order() {
        let t = |s: &str| TenantId::parse(s).unwrap();
        let messages = vec![
            M(t("a"), 1),
            M(t("a"), 2),
            M(t("a"), 3),
            M(t("b"), 1),
            M(t("c"), 1),
            M(t("c"), 2),
        ];
        let order: Vec<(String, u32)> = interleave(messages, |m| &m.0)
            .into_iter()
            .map(|m| (m.0.to_string(), m.1))
            .collect();
        let expected = [("a", 1), ("b", 1), ("c", 1), ("a", 2), ("c", 2), ("a", 3)];
        assert_eq!(order, expected.map(|(t, n)| (t.to_string(), n)).to_vec());
    }
}
