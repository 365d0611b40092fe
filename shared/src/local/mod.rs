//! Local mode: the whole product on one machine with no AWS account. The embedded store and
//! queues live in a data folder; tokens are minted with a local key and verified by the
//! same code as production.

pub mod cli;
pub mod demo;
pub mod dev_keys;
pub mod dev_routes;
pub mod runtime;
pub mod server;
pub mod workers;
