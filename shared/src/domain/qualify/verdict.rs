//! Layer 3: the classification, from an LLM answer or the deterministic heuristic.

use super::Layer2Factors;
use crate::domain::crawl::CrawlRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Approved,
    Rejected,
}

/// What an LLM must answer, parsed strictly: every key present, nothing else, scores in
/// range.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmVerdict {
    pub classification: Classification,
    pub content_quality_score: f64,
    pub reasoning: String,
    pub sophistication_signals: Vec<String>,
    pub relevance_indicators: Vec<String>,
    pub red_flags: Vec<String>,
    pub confidence_explanation: String,
}

impl LlmVerdict {
    pub fn parse(text: &str) -> Result<Self, String> {
        // Models sometimes wrap JSON in a code fence; nothing else is tolerated.
        let trimmed = text
            .trim()
            .trim_start_matches("```json")
            .trim_start_matches("```")
            .trim_end_matches("```")
            .trim();
        let verdict: LlmVerdict =
            serde_json::from_str(trimmed).map_err(|e| format!("not the JSON asked for: {e}"))?;
        if !(0.0..=1.0).contains(&verdict.content_quality_score) {
            return Err("content_quality_score outside 0-1".into());
        }
        Ok(verdict)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Layer3Factors {
    pub classification: Classification,
    /// `heuristic` when no LLM is configured.
    pub llm_provider: String,
    pub model_version: String,
    pub classification_reasoning: String,
    pub content_quality_score: f64,
    pub sophistication_signals: Vec<String>,
    pub relevance_indicators: Vec<String>,
    pub red_flags: Vec<String>,
    pub confidence_explanation: String,
    pub cost_usd: f64,
    pub tokens_used: u64,
    pub processing_time_ms: u64,
}

impl Layer3Factors {
    pub fn from_llm(
        verdict: LlmVerdict,
        provider: &str,
        model: &str,
        tokens: u64,
        cost_usd: f64,
        ms: u64,
    ) -> Self {
        Self {
            classification: verdict.classification,
            llm_provider: provider.into(),
            model_version: model.into(),
            classification_reasoning: verdict.reasoning,
            content_quality_score: verdict.content_quality_score,
            sophistication_signals: verdict.sophistication_signals,
            relevance_indicators: verdict.relevance_indicators,
            red_flags: verdict.red_flags,
            confidence_explanation: verdict.confidence_explanation,
            cost_usd,
            tokens_used: tokens,
            processing_time_ms: ms,
        }
    }
}

/// The deterministic classifier used when no LLM is configured. It fills the same fields
/// and says it is a heuristic.
pub fn heuristic_layer3(crawl: &CrawlRecord, l2: &Layer2Factors) -> Layer3Factors {
    let s = &crawl.signals;
    let mut sophistication = Vec::new();
    let mut relevance = Vec::new();
    let mut red_flags = Vec::new();
    if s.detected_cms.is_some() {
        sophistication.push(format!(
            "runs on {}",
            s.detected_cms.clone().unwrap_or_default()
        ));
    }
    if s.has_team_page {
        sophistication.push("named team".into());
    }
    if l2.recent_post_count > 0 {
        sophistication.push(format!(
            "{} posts in the freshness window",
            l2.recent_post_count
        ));
    }
    relevance.extend(
        s.write_for_us_keywords
            .iter()
            .map(|k| format!("mentions \"{k}\"")),
    );
    if crawl.recipient_email.is_some() {
        relevance.push("publishes a contact address".into());
    }
    if s.ad_networks.len() >= 2 {
        red_flags.push("several ad networks".into());
    }
    if crawl.has_captcha {
        red_flags.push("contact behind a captcha".into());
    }
    if s.word_count < 150 {
        red_flags.push("thin homepage content".into());
    }
    let quality = (0.5 * l2.publication_score
        + 0.1 * sophistication.len().min(3) as f64
        + 0.1 * relevance.len().min(2) as f64
        - 0.15 * red_flags.len() as f64)
        .clamp(0.0, 1.0);
    let approved = l2.passed && quality >= 0.4 && red_flags.len() < 2;
    Layer3Factors {
        classification: if approved {
            Classification::Approved
        } else {
            Classification::Rejected
        },
        llm_provider: "heuristic".into(),
        model_version: "heuristic-v1".into(),
        classification_reasoning: format!(
            "Heuristic verdict (no LLM configured): {} positive signals, {} relevance indicators, {} red flags.",
            sophistication.len(),
            relevance.len(),
            red_flags.len()
        ),
        content_quality_score: quality,
        sophistication_signals: sophistication,
        relevance_indicators: relevance,
        red_flags,
        confidence_explanation: "derived from homepage signals by fixed rules".into(),
        cost_usd: 0.0,
        tokens_used: 0,
        processing_time_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llm_answers_are_parsed_strictly() {
        let good = r#"{"classification": "approved", "content_quality_score": 0.8, "reasoning": "r",
            "sophistication_signals": [], "relevance_indicators": ["write for us"], "red_flags": [],
            "confidence_explanation": "c"}"#;
        assert_eq!(
            LlmVerdict::parse(&format!("```json\n{good}\n```"))
                .unwrap()
                .classification,
            Classification::Approved
        );
        assert!(LlmVerdict::parse(r#"{"classification": "approved"}"#).is_err());
        assert!(LlmVerdict::parse(&good.replace("0.8", "1.8")).is_err());
        assert!(LlmVerdict::parse(&good.replace("\"r\",", "\"r\", \"extra\": 1,")).is_err());
        assert!(LlmVerdict::parse("Sure! Here is the JSON").is_err());
    }
}
