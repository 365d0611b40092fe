//! Email templates: the variables they may use, checking them, and filling them in.

use crate::domain::FieldError;
use crate::domain::ids::TemplateId;
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The variables a template may use, as `{{name}}`.
pub const VARIABLES: &[&str] = &[
    "recipient_name",
    "recipient_first_name",
    "site_name",
    "site_url",
    "source_domain",
    "target_url",
    "anchor_text",
    "topic",
    "sender_name",
    "sender_organization",
    "campaign_name",
    "pitch_rationale",
];

/// The `{{variable}}` names a text uses, in order; unknown ones are errors naming them.
pub fn variables_in(text: &str, field: &str) -> Result<Vec<String>, FieldError> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(FieldError::new(field, "has a {{ without a closing }}"));
        };
        let name = after[..end].trim();
        if !VARIABLES.contains(&name) {
            return Err(FieldError::new(
                field,
                format!(
                    "uses the unknown variable {{{{{name}}}}}; known: {}",
                    VARIABLES.join(", ")
                ),
            ));
        }
        found.push(name.to_string());
        rest = &after[end + 2..];
    }
    Ok(found)
}

/// Fills a checked template's variables; a variable without a value becomes empty, except
/// names, which fall back to a friendly greeting word.
pub fn render(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                let value = values
                    .get(name)
                    .filter(|v| !v.is_empty())
                    .cloned()
                    .unwrap_or_else(|| match name {
                        "recipient_name" | "recipient_first_name" => "there".into(),
                        _ => String::new(),
                    });
                out.push_str(&value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub id: TemplateId,
    pub name: String,
    /// initial or follow_up.
    pub category: TemplateCategory,
    pub subject: String,
    pub body: String,
    /// Drafts made from it, emails sent from it, and replies those got (seed 003).
    pub usage_count: u64,
    pub sent_count: u64,
    pub positive_reply_count: u64,
    /// positiveReplyCount / sentCount, 0 before anything was sent.
    pub success_rate: f64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateCategory {
    Initial,
    FollowUp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_check_and_fill_variables() {
        let body = "Hi {{ recipient_first_name }}, I loved {{site_name}}. {{anchor_text}}";
        assert_eq!(
            variables_in(body, "body").unwrap(),
            vec!["recipient_first_name", "site_name", "anchor_text"]
        );
        let err = variables_in("Hello {{first_name}}", "subject").unwrap_err();
        assert_eq!(err.field, "subject");
        assert!(err.message.contains("{{first_name}}"));
        assert!(variables_in("open {{ never closed", "body").is_err());
        let values = BTreeMap::from([("site_name".to_string(), "Green Mag".to_string())]);
        assert_eq!(render(body, &values), "Hi there, I loved Green Mag. ");
    }
}
