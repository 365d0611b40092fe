//! Qualification in three layers (seed 004): URL and domain rules, homepage signals, and a
//! classification (an LLM's, or a deterministic heuristic's). Each layer records its
//! factors; together they give a confidence score and band.

mod confidence;
#[cfg(test)]
mod fixtures;
mod settings;
mod signals;
mod url_rules;
mod verdict;

pub use confidence::{ConfidenceBand, confidence};
pub use settings::{
    ClassificationSettings, ConfidenceThresholds, DEFAULT_SYSTEM_PROMPT, DEFAULT_USER_PROMPT,
    ExclusionRule, Layer1Rules, Layer2Rules, Layer3Rules, Prompts,
};
pub use signals::{Layer2Factors, layer2};
pub use url_rules::{Layer1Factors, layer1};
pub use verdict::{Classification, Layer3Factors, LlmVerdict, heuristic_layer3};
