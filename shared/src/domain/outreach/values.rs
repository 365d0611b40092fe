//! The values a template's variables take for one prospect.

use super::sender::SenderSettings;
use crate::domain::backlink::Backlink;
use crate::domain::campaign::Campaign;
use std::collections::BTreeMap;

/// The values of every template variable for one prospect: one builder for first emails
/// and follow-ups, so a template that passed validation never renders a variable empty in
/// one and filled in the other. `site_title` is the crawled site's title (else the domain).
pub fn template_values(
    b: &Backlink,
    c: &Campaign,
    s: &SenderSettings,
    site_title: Option<&str>,
    topic: &str,
) -> BTreeMap<String, String> {
    let name = b.recipient_name.clone().unwrap_or_default();
    let first = name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let target = b
        .target_url
        .as_ref()
        .or(c.target_url.as_ref())
        .map(|u| u.to_string())
        .unwrap_or_default();
    BTreeMap::from([
        ("recipient_name".into(), name),
        ("recipient_first_name".into(), first),
        (
            "site_name".into(),
            site_title
                .filter(|t| !t.is_empty())
                .unwrap_or(b.source_domain.as_str())
                .to_string(),
        ),
        ("site_url".into(), format!("https://{}/", b.source_domain)),
        ("source_domain".into(), b.source_domain.to_string()),
        ("target_url".into(), target),
        (
            "anchor_text".into(),
            b.anchor_text.clone().unwrap_or_default(),
        ),
        ("topic".into(), topic.to_string()),
        ("sender_name".into(), s.from_name.clone()),
        ("sender_organization".into(), s.organization.clone()),
        ("campaign_name".into(), c.name.clone()),
        (
            "pitch_rationale".into(),
            b.pitch_rationale.clone().unwrap_or_default(),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::backlink::SourceType;
    use crate::domain::ids::{BacklinkId, CampaignId};
    use crate::domain::outreach::VARIABLES;
    use crate::domain::time::Timestamp;
    use crate::domain::web::DomainName;

    #[test]
    fn every_template_variable_has_a_value() {
        let now = Timestamp::parse("2026-06-01T12:00:00Z").unwrap();
        let id = uuid::Uuid::now_v7();
        let mut b = Backlink::new(
            BacklinkId::from_uuid(id),
            SourceType::Outreach,
            DomainName::parse("greenmag.org").unwrap(),
            now,
        );
        b.recipient_name = Some("Maya Chen".into());
        let c = Campaign::new(CampaignId::from_uuid(id), "Spring".into(), now);
        let values = template_values(
            &b,
            &c,
            &SenderSettings::default(),
            Some("Green Mag"),
            "compost",
        );
        for name in VARIABLES {
            assert!(values.contains_key(*name), "{name}");
        }
        assert_eq!(values["site_name"], "Green Mag");
        assert_eq!(values["recipient_first_name"], "Maya");
        let untitled = template_values(&b, &c, &SenderSettings::default(), None, "compost");
        assert_eq!(untitled["site_name"], "greenmag.org");
    }
}
