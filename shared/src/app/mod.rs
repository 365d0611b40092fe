//! Use cases, one module per capability. Each takes the tenant from the caller's verified
//! identity and scopes every read and write by it.

pub mod backlinks;
pub mod campaigns;
pub mod crawl;
pub mod error;
pub mod link_health;
pub mod paging;
pub mod store;

pub use error::AppError;

use crate::ports::{Clock, Fetcher, Ids, Queue, Table};
use std::sync::Arc;

/// The ports a use case may reach, built once per process.
#[derive(Clone)]
pub struct App {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
    pub fetcher: Arc<dyn Fetcher>,
}
