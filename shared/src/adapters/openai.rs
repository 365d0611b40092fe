//! Any OpenAI-compatible chat completions API (OpenAI, Azure OpenAI, OpenRouter, Groq,
//! a local server): `POST {base}/chat/completions` with a bearer key. Token prices are
//! configured so each call's cost can be recorded.

use crate::ports::llm::{Llm, LlmError, LlmRequest, LlmResponse};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

#[derive(Clone)]
pub struct OpenAiConfig {
    pub base_url: String,
    pub api_key: String,
    pub default_model: String,
    /// US dollars per million prompt and completion tokens.
    pub input_price_per_million: f64,
    pub output_price_per_million: f64,
}

/// Everything but the key, so a logged configuration never carries it.
impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("default_model", &self.default_model)
            .field("input_price_per_million", &self.input_price_per_million)
            .field("output_price_per_million", &self.output_price_per_million)
            .finish_non_exhaustive()
    }
}

pub struct OpenAi {
    client: reqwest::Client,
    config: OpenAiConfig,
}

impl std::fmt::Debug for OpenAi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAi")
            .field("base_url", &self.config.base_url)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Completion {
    model: Option<String>,
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    prompt_tokens: u64,
    completion_tokens: u64,
}

impl OpenAi {
    pub fn new(client: reqwest::Client, config: OpenAiConfig) -> Self {
        Self { client, config }
    }
}

#[async_trait]
impl Llm for OpenAi {
    fn provider(&self) -> &str {
        "openai-compatible"
    }

    async fn complete(&self, request: LlmRequest) -> Result<LlmResponse, LlmError> {
        let model = request
            .model
            .unwrap_or_else(|| self.config.default_model.clone());
        let mut body = json!({
            "model": model,
            "messages": [
                {"role": "system", "content": request.system},
                {"role": "user", "content": request.user},
            ],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
        });
        if request.json {
            body["response_format"] = json!({"type": "json_object"});
        }
        let url = format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        );
        let response = self
            .client
            .post(url)
            .bearer_auth(&self.config.api_key)
            .timeout(Duration::from_secs(60))
            .json(&body)
            .send()
            .await
            .map_err(|e| LlmError::Unavailable(e.to_string()))?;
        let status = response.status();
        if matches!(status.as_u16(), 400 | 401 | 403 | 404) {
            let text = response.text().await.unwrap_or_default();
            return Err(LlmError::Refused(format!(
                "HTTP {status}: {}",
                text.chars().take(300).collect::<String>()
            )));
        }
        if !status.is_success() {
            return Err(LlmError::Unavailable(format!("HTTP {status}")));
        }
        let completion: Completion = response
            .json()
            .await
            .map_err(|e| LlmError::Unavailable(format!("unreadable answer: {e}")))?;
        let content = completion
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .ok_or_else(|| LlmError::Unavailable("the answer has no content".into()))?;
        let (prompt_tokens, completion_tokens) = completion
            .usage
            .map(|u| (u.prompt_tokens, u.completion_tokens))
            .unwrap_or((0, 0));
        let cost_usd = (prompt_tokens as f64 * self.config.input_price_per_million
            + completion_tokens as f64 * self.config.output_price_per_million)
            / 1_000_000.0;
        Ok(LlmResponse {
            content,
            model: completion.model.unwrap_or(model),
            prompt_tokens,
            completion_tokens,
            cost_usd,
        })
    }
}
