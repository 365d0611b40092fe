//! One module per outside system.

pub mod blob_dir;
pub mod duckduckgo;
#[cfg(feature = "aws")]
pub mod dynamodb;
pub mod exa;
pub mod jwks;
#[cfg(feature = "local")]
pub mod local_queue;
pub mod mail;
pub mod openai;
pub mod polite;
#[cfg(feature = "aws")]
pub mod s3;
#[cfg(feature = "aws")]
pub mod ses;
#[cfg(feature = "local")]
pub mod sqlite;
#[cfg(feature = "aws")]
pub mod sqs;
pub mod web_fetcher;

use crate::config::ProviderSettings;
use crate::ports::{Llm, Search};
use std::sync::Arc;

/// The configured search providers (possibly none) and LLM (if any).
pub type Providers = (Vec<Arc<dyn Search>>, Option<Arc<dyn Llm>>);

/// The search providers and LLM that are configured.
pub fn providers(client: &reqwest::Client, settings: &ProviderSettings) -> Providers {
    let mut search: Vec<Arc<dyn Search>> = Vec::new();
    if let Some((base, key)) = &settings.exa {
        search.push(Arc::new(exa::Exa::new(
            client.clone(),
            base.clone(),
            key.clone(),
        )));
    }
    if let Some(base) = &settings.duckduckgo {
        search.push(Arc::new(duckduckgo::DuckDuckGo::new(
            client.clone(),
            base.clone(),
        )));
    }
    let llm = settings
        .openai
        .clone()
        .map(|config| Arc::new(openai::OpenAi::new(client.clone(), config)) as Arc<dyn Llm>);
    (search, llm)
}
