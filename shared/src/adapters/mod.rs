//! One module per outside system.

#[cfg(feature = "aws")]
pub mod aws_http;
pub mod blob_dir;
pub mod dataforseo;
pub mod duckduckgo;
#[cfg(feature = "aws")]
pub mod dynamodb;
#[cfg(feature = "local")]
pub mod event_log;
#[cfg(feature = "aws")]
pub mod eventbridge;
pub mod exa;
pub mod jwks;
pub mod lazy;
#[cfg(feature = "local")]
pub mod local_queue;
pub mod mail;
pub mod openai;
pub mod paced;
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
pub mod webhook_poster;
#[cfg(feature = "local")]
pub mod webhook_rule;

use crate::config::ProviderSettings;
use crate::ports::{Llm, Search};
use lazy::Lazy;
use std::sync::Arc;

/// The configured search providers (possibly none) and LLM (if any).
pub type Providers = (Vec<Arc<dyn Search>>, Option<Arc<dyn Llm>>);

/// The search providers and LLM that are configured, each built on first use with a
/// client from `client`.
pub fn providers<C>(client: C, settings: &ProviderSettings) -> Providers
where
    C: Fn() -> reqwest::Client + Clone + Send + 'static,
{
    let mut search: Vec<Arc<dyn Search>> = Vec::new();
    if let Some((base, key)) = settings.exa.clone() {
        let client = client.clone();
        let exa: Arc<dyn Search> = Arc::new(Lazy::new(move || exa::Exa::new(client(), base, key)));
        search.push(Arc::new(paced::Paced::new(exa, exa::MIN_INTERVAL)));
    }
    if let Some(base) = settings.duckduckgo.clone() {
        let client = client.clone();
        let ddg: Arc<dyn Search> = Arc::new(Lazy::new(move || {
            duckduckgo::DuckDuckGo::new(client(), base)
        }));
        search.push(Arc::new(paced::Paced::new(ddg, duckduckgo::MIN_INTERVAL)));
    }
    let llm = settings.openai.clone().map(|config| {
        Arc::new(Lazy::new(move || openai::OpenAi::new(client(), config))) as Arc<dyn Llm>
    });
    (search, llm)
}
