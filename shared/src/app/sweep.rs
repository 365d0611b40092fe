//! Sweeps read everything that is due: every page of an index partition, in order, until the
//! partition is done or the run's time budget is spent. Items that cannot go now are the
//! caller's to skip; they never stop the sweep from reaching the ones behind them.

use super::enqueue::{self, ForTenant};
use super::{App, AppError};
use crate::domain::ids::TenantId;
use crate::ports::Table;
use crate::ports::table::{Cursor, Item, Query};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Items read per page.
const PAGE: u32 = 200;

/// How long one run of a sweep may work; what it did not reach waits for the next run.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    until: Instant,
}

impl Budget {
    pub fn of(duration: Duration) -> Self {
        Self {
            until: Instant::now() + duration,
        }
    }

    /// A sweep job's budget: three quarters of its time limit, the rest left to finish the
    /// item in hand and report.
    pub fn for_job_secs(timeout_secs: u32) -> Self {
        Self::of(Duration::from_secs(u64::from(timeout_secs)) * 3 / 4)
    }

    pub fn spent(&self) -> bool {
        Instant::now() >= self.until
    }
}

/// How much one run of a sweep takes from each tenant: a tenant past its share waits for
/// the next run, so that one tenant's backlog never fills a run that others wait on.
#[derive(Debug)]
pub struct PerTenant {
    share: usize,
    taken: HashMap<TenantId, usize>,
}

impl PerTenant {
    pub fn new(share: usize) -> Self {
        Self {
            share,
            taken: HashMap::new(),
        }
    }

    /// Counts one item of `tenant`'s; false once the tenant's share of this run is taken.
    pub fn take(&mut self, tenant: &TenantId) -> bool {
        let taken = self.taken.entry(tenant.clone()).or_default();
        if *taken >= self.share {
            return false;
        }
        *taken += 1;
        true
    }
}

/// The shape of every sweep that feeds a queue: each query's pages in turn, one request per
/// item, at most `share` of one tenant's a run, tenants interleaved in each send, until the
/// queries are done or the budget is spent. Returns how many were queued.
pub async fn queue_items<M: ForTenant>(
    app: &App,
    budget: &Budget,
    queries: impl IntoIterator<Item = Query>,
    share: usize,
    queue: &str,
    request: impl Fn(&Item) -> Result<M, AppError>,
) -> Result<usize, AppError> {
    let mut queued = 0;
    let mut shares = PerTenant::new(share);
    for query in queries {
        let mut pages = Pages::new(query);
        while let Some(items) = pages.next(app.table.as_ref(), budget).await? {
            let mut requests = Vec::with_capacity(items.len());
            for item in &items {
                let request = request(item)?;
                if shares.take(request.tenant()) {
                    requests.push(request);
                }
            }
            queued += requests.len();
            let requests = enqueue::interleave(requests, |r| r.tenant());
            enqueue::send(app, queue, &requests).await?;
        }
    }
    Ok(queued)
}

/// The pages of one query, read one at a time.
pub struct Pages {
    query: Query,
    cursor: Option<Cursor>,
    done: bool,
}

impl Pages {
    pub fn new(query: Query) -> Self {
        Self {
            query: query.limit(PAGE),
            cursor: None,
            done: false,
        }
    }

    /// The next page's items; `None` when the partition is done or the budget is spent.
    pub async fn next(
        &mut self,
        table: &dyn Table,
        budget: &Budget,
    ) -> Result<Option<Vec<Item>>, AppError> {
        if self.done || budget.spent() {
            return Ok(None);
        }
        let page = table
            .query(self.query.clone().start_after(self.cursor.take()))
            .await?;
        match page.next {
            Some(next) => self.cursor = Some(next),
            None => self.done = true,
        }
        Ok(Some(page.items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tenant_gets_its_share_of_a_run() {
        let (a, b) = (TenantId::parse("a").unwrap(), TenantId::parse("b").unwrap());
        let mut quota = PerTenant::new(2);
        let taken: Vec<bool> = [&a, &a, &a, &b, &b, &b]
            .iter()
            .map(|t| quota.take(t))
            .collect();
        assert_eq!(taken, [true, true, false, true, true, false]);
    }
}
