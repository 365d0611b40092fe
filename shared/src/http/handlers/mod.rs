//! Thin adapters from [`Call`](super::call::Call) to use cases: parse, call, answer.

pub mod backlinks;
pub mod campaigns;
pub mod jobs;
pub mod monitoring;
pub mod opportunities;
pub mod outreach;
pub mod plans;
pub mod replies;
pub mod suppression;
pub mod system;
pub mod usage;
pub mod webhooks;
