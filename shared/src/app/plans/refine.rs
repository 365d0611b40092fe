//! Optional refinement of a plan's anchor variants by the LLM port (issue 14, §2.4 step 8):
//! the deterministic variants are the draft, the LLM may phrase them better, and every text
//! it returns is checked before it replaces one. The call's model, prompt, tokens, cost and
//! time are recorded on the plan, as drafts record theirs.

use crate::app::{App, AppError};
use crate::domain::outreach::{Generation, Generator};
use crate::domain::plans::{
    AnchorRefinement, AnchorType, AnchorVariants, GeneratedPlan, VARIANTS_PER_TYPE,
};
use crate::domain::text::single_line;
use crate::ports::LlmRequest;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// Pages sent in one request: enough context per call, small enough to answer reliably.
const PAGES_PER_CALL: usize = 20;
/// Pages refined per plan, highest priority first; the rest keep their drafted variants.
const MAX_PAGES: usize = 100;
const MAX_ANCHOR_CHARS: usize = 100;

#[derive(Deserialize)]
struct Answer {
    pages: Vec<AnsweredPage>,
}

#[derive(Deserialize)]
struct AnsweredPage {
    url: String,
    variants: BTreeMap<AnchorType, Vec<String>>,
}

/// Whether `texts` may replace a type's drafted variants: three distinct single lines, the
/// brand kept in branded anchors and the domain in naked URLs.
fn acceptable(
    anchor: AnchorType,
    texts: &[String],
    brand: &str,
    domain: &str,
) -> Option<Vec<String>> {
    if texts.len() != VARIANTS_PER_TYPE {
        return None;
    }
    let mut kept: Vec<String> = Vec::new();
    for text in texts {
        let text = single_line(text, MAX_ANCHOR_CHARS).ok()?;
        let lower = text.to_lowercase();
        if kept.iter().any(|k| k.to_lowercase() == lower) {
            return None;
        }
        let ok = match anchor {
            AnchorType::Branded | AnchorType::BrandKeyword => lower.contains(&brand.to_lowercase()),
            AnchorType::NakedUrl => lower.contains(&domain.to_lowercase()),
            _ => true,
        };
        if !ok {
            return None;
        }
        kept.push(text);
    }
    Some(kept)
}

/// Refines the funded pages' variants in place and rewrites every planned link's text to
/// the refined variant at the same position. Fails only when no LLM is configured.
pub async fn refine(
    app: &App,
    plan: &mut GeneratedPlan,
    brand: &str,
    domain: &str,
) -> Result<AnchorRefinement, AppError> {
    let Some(llm) = app.llm.as_ref() else {
        return Err(AppError::NotConfigured(
            "refining anchors needs an LLM: set OPENAI_API_KEY (and OPENAI_BASE_URL for another \
             OpenAI-compatible provider), or generate without refineAnchors"
                .into(),
        ));
    };
    let started = Instant::now();
    let system = "You refine anchor texts for a link-building plan. For each page you get its URL, \
        keywords and drafted anchors by type. Return better, natural anchors: exactly three distinct \
        texts per type, each under 100 characters; branded and brand_keyword anchors keep the brand, \
        naked_url anchors keep the domain, exact_match anchors are the keyword itself. Answer with one \
        JSON object: {\"pages\": [{\"url\": ..., \"variants\": {\"<type>\": [three texts]}}]}.";
    let mut generation = Generation {
        generator: Generator::Llm,
        model: None,
        prompt: None,
        temperature: Some(0.4),
        confidence: 0.0,
        tokens: 0,
        cost_usd: 0.0,
        generation_time_ms: 0,
    };
    let (mut refined, mut kept) = (0u32, 0u32);
    let originals: Vec<Vec<AnchorVariants>> = plan
        .anchor_plan
        .iter()
        .map(|p| p.variants.clone())
        .collect();
    let count = plan.anchor_plan.len().min(MAX_PAGES);
    for chunk in (0..count).collect::<Vec<_>>().chunks(PAGES_PER_CALL) {
        let pages: Vec<serde_json::Value> = chunk
            .iter()
            .map(|&i| {
                let p = &plan.anchor_plan[i];
                serde_json::json!({"url": p.url, "tier": p.tier, "variants": p.variants})
            })
            .collect();
        let user =
            serde_json::json!({"brand": brand, "domain": domain, "pages": pages}).to_string();
        let request = LlmRequest {
            model: None,
            system: system.into(),
            user: user.clone(),
            temperature: 0.4,
            max_tokens: 4_000,
            json: true,
        };
        let response = llm
            .complete(request)
            .await
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        generation.model.get_or_insert(response.model.clone());
        generation
            .prompt
            .get_or_insert(format!("{system}\n\n{user}"));
        generation.tokens += response.prompt_tokens + response.completion_tokens;
        generation.cost_usd += response.cost_usd;
        let text = response
            .content
            .trim()
            .trim_start_matches("```json")
            .trim_matches('`');
        let Ok(answer) = serde_json::from_str::<Answer>(text) else {
            kept += chunk
                .iter()
                .map(|&i| plan.anchor_plan[i].variants.len() as u32)
                .sum::<u32>();
            continue;
        };
        for &i in chunk {
            let page = &mut plan.anchor_plan[i];
            let Some(answered) = answer.pages.iter().find(|a| a.url == page.url) else {
                kept += page.variants.len() as u32;
                continue;
            };
            let mut changed = false;
            for v in &mut page.variants {
                let new = answered.variants.get(&v.anchor_type);
                match new.and_then(|t| acceptable(v.anchor_type, t, brand, domain)) {
                    Some(texts) => {
                        changed |= texts != v.texts;
                        v.texts = texts;
                    }
                    None => kept += 1,
                }
            }
            refined += u32::from(changed);
        }
    }
    // Each link keeps its variant's position; only the words change.
    for link in &mut plan.links {
        let Some(i) = plan.anchor_plan.iter().position(|p| p.url == link.url) else {
            continue;
        };
        let find = |variants: &[AnchorVariants]| {
            variants
                .iter()
                .find(|v| v.anchor_type == link.anchor_type)
                .map(|v| v.texts.clone())
        };
        let (Some(before), Some(after)) =
            (find(&originals[i]), find(&plan.anchor_plan[i].variants))
        else {
            continue;
        };
        if let Some(pos) = before.iter().position(|t| *t == link.anchor_text) {
            link.anchor_text = after[pos].clone();
        }
    }
    generation.generation_time_ms = started.elapsed().as_millis() as u64;
    generation.confidence = if count == 0 {
        0.0
    } else {
        f64::from(refined) / count as f64
    };
    Ok(AnchorRefinement {
        generation,
        pages_refined: refined,
        types_kept: kept,
    })
}
