//! Large language models, reached through an OpenAI-compatible chat API.

use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq)]
pub struct LlmRequest {
    pub model: Option<String>,
    pub system: String,
    pub user: String,
    pub temperature: f32,
    pub max_tokens: u32,
    /// Ask for a single JSON object.
    pub json: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlmResponse {
    pub content: String,
    pub model: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// What the call cost, from the configured prices.
    pub cost_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    #[error("the LLM is unavailable: {0}")]
    Unavailable(String),
    #[error("the LLM refused the request: {0}")]
    Refused(String),
}

#[async_trait]
pub trait Llm: Send + Sync {
    /// The provider's name, recorded with each result.
    fn provider(&self) -> &str;
    async fn complete(&self, request: LlmRequest) -> Result<LlmResponse, LlmError>;
}
