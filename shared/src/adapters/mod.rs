//! One module per outside system.

pub mod duckduckgo;
#[cfg(feature = "aws")]
pub mod dynamodb;
pub mod exa;
pub mod jwks;
#[cfg(feature = "local")]
pub mod local_queue;
pub mod openai;
pub mod polite;
#[cfg(feature = "local")]
pub mod sqlite;
#[cfg(feature = "aws")]
pub mod sqs;
pub mod web_fetcher;
