//! What a caller may give to create or edit a backlink, and the checks it goes through.

use crate::app::AppError;
use crate::domain::backlink::{
    Backlink, DirectoryStep, LinkType, OutreachStatus, ProspectType, SourceType,
};
use crate::domain::email::EmailAddress;
use crate::domain::ids::CampaignId;
use crate::domain::text::{multi_line, single_line};
use crate::domain::web::{DomainName, WebUrl};
use crate::domain::{FieldError, FieldErrors, in_range, nullable};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewBacklink {
    /// Defaults to outreach.
    #[serde(default)]
    pub source_type: Option<SourceType>,
    /// The linking site's domain; taken from `sourceUrl` when absent.
    #[serde(default)]
    pub source_domain: Option<String>,
    #[serde(default)]
    pub source_url: Option<String>,
    /// Where the contact was found on the linking site.
    #[serde(default)]
    pub contact_url: Option<String>,
    /// The page that carries (or will carry) the link; the health check fetches it.
    #[serde(default)]
    pub placement_url: Option<String>,
    #[serde(default)]
    pub target_url: Option<String>,
    #[serde(default)]
    pub anchor_text: Option<String>,
    #[serde(default)]
    #[schema(maximum = 100)]
    pub domain_rating: Option<u32>,
    #[serde(default)]
    pub link_type: Option<LinkType>,
    #[serde(default)]
    pub prospect_type: Option<ProspectType>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10)]
    pub relevance_score: Option<u32>,
    #[serde(default)]
    pub pitch_rationale: Option<String>,
    #[serde(default)]
    pub recipient_email: Option<String>,
    #[serde(default)]
    pub recipient_name: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub consent_evidence: Option<String>,
    #[serde(default)]
    pub directory_id: Option<String>,
    #[serde(default)]
    pub steps: Option<Vec<DirectoryStep>>,
    #[serde(default)]
    pub activity_id: Option<String>,
    #[serde(default)]
    pub campaign_id: Option<String>,
    #[serde(default)]
    pub gap_competitors: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// A partial edit: absent fields stay; `null` clears. `outreachStatus` moves the backlink
/// through its lifecycle and stamps the matching time.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BacklinkPatch {
    pub outreach_status: Option<OutreachStatus>,
    pub source_domain: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub source_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub contact_url: Option<Option<String>>,
    /// The page that carries (or will carry) the link; the health check fetches it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub placement_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub target_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub anchor_text: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    #[schema(maximum = 100)]
    pub domain_rating: Option<Option<u32>>,
    pub link_type: Option<LinkType>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ProspectType>)]
    pub prospect_type: Option<Option<ProspectType>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>)]
    #[schema(minimum = 1, maximum = 10)]
    pub relevance_score: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub pitch_rationale: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub recipient_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub recipient_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub country: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub consent_evidence: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<DirectoryStep>>)]
    pub steps: Option<Option<Vec<DirectoryStep>>>,
    /// The `order` of every step done so far (a step of the backlink's `steps`).
    pub steps_completed: Option<Vec<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub activity_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub campaign_id: Option<Option<String>>,
    pub gap_competitors: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BacklinkFilter {
    pub outreach_status: Option<OutreachStatus>,
    pub source_type: Option<SourceType>,
    pub campaign_id: Option<String>,
    /// The health check's verdict; unchecked backlinks match neither value.
    pub is_live: Option<bool>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

fn short_text(value: &str) -> Result<String, FieldError> {
    single_line(value, 500)
}

fn long_text(value: &str) -> Result<String, FieldError> {
    multi_line(value, 5000)
}

fn steps(values: &[DirectoryStep]) -> Result<Vec<DirectoryStep>, FieldError> {
    let mut out = Vec::with_capacity(values.len());
    for (i, step) in values.iter().enumerate() {
        let at = |e: FieldError, field: &str| e.within(field).within(&i.to_string());
        out.push(DirectoryStep {
            order: step.order,
            title: single_line(&step.title, 200).map_err(|e| at(e, "title"))?,
            description: multi_line(&step.description, 2000).map_err(|e| at(e, "description"))?,
            url: step.url.clone(),
        });
    }
    out.sort_by_key(|s| s.order);
    Ok(out)
}

/// An ISO 3166 alpha-2 country code, upper-cased.
fn country_code(value: &str) -> Result<String, FieldError> {
    let code = value.trim().to_ascii_uppercase();
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(FieldError::new(
            "",
            "must be a two-letter country code such as DE",
        ))
    }
}

fn competitors(values: &[String]) -> Result<Vec<DomainName>, FieldError> {
    if values.len() > 100 {
        return Err(FieldError::new("", "must have at most 100 entries"));
    }
    let mut out: Vec<DomainName> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let domain = DomainName::parse(v).map_err(|e| e.within(&i.to_string()))?;
        if !out.contains(&domain) {
            out.push(domain);
        }
    }
    Ok(out)
}

/// Sets `slot` from a nullable patch field, parsing the value and recording any error.
fn patch_field<T, V>(
    errors: &mut FieldErrors,
    field: &str,
    slot: &mut Option<T>,
    value: &Option<Option<V>>,
    parse: impl Fn(&V) -> Result<T, FieldError>,
) {
    match value {
        None => {}
        Some(None) => *slot = None,
        Some(Some(v)) => {
            if let Some(parsed) = errors.check(field, parse(v)) {
                *slot = Some(parsed);
            }
        }
    }
}

impl BacklinkPatch {
    pub(super) fn from_new(input: NewBacklink) -> Self {
        Self {
            outreach_status: None,
            source_domain: input.source_domain,
            source_url: input.source_url.map(Some),
            contact_url: input.contact_url.map(Some),
            placement_url: input.placement_url.map(Some),
            target_url: input.target_url.map(Some),
            anchor_text: input.anchor_text.map(Some),
            domain_rating: input.domain_rating.map(Some),
            link_type: input.link_type,
            prospect_type: input.prospect_type.map(Some),
            relevance_score: input.relevance_score.map(Some),
            pitch_rationale: input.pitch_rationale.map(Some),
            recipient_email: input.recipient_email.map(Some),
            recipient_name: input.recipient_name.map(Some),
            country: input.country.map(Some),
            consent_evidence: input.consent_evidence.map(Some),
            steps: input.steps.map(Some),
            steps_completed: None,
            activity_id: input.activity_id.map(Some),
            campaign_id: input.campaign_id.map(Some),
            gap_competitors: Some(input.gap_competitors),
            notes: input.notes.map(Some),
        }
    }

    /// Applies every field, then the status move, then the per-source-type rules.
    pub(super) fn apply_to(
        &self,
        b: &mut Backlink,
        now: crate::domain::time::Timestamp,
    ) -> Result<(), AppError> {
        let mut errors = FieldErrors::default();
        if let Some(v) = &self.source_domain
            && let Some(d) = errors.check("sourceDomain", DomainName::parse(v))
        {
            b.source_domain = d;
        }
        patch_field(
            &mut errors,
            "sourceUrl",
            &mut b.source_url,
            &self.source_url,
            |v| WebUrl::parse(v),
        );
        patch_field(
            &mut errors,
            "contactUrl",
            &mut b.contact_url,
            &self.contact_url,
            |v| WebUrl::parse(v),
        );
        patch_field(
            &mut errors,
            "placementUrl",
            &mut b.placement_url,
            &self.placement_url,
            |v| WebUrl::parse(v),
        );
        patch_field(
            &mut errors,
            "targetUrl",
            &mut b.target_url,
            &self.target_url,
            |v| WebUrl::parse(v),
        );
        patch_field(
            &mut errors,
            "anchorText",
            &mut b.anchor_text,
            &self.anchor_text,
            |v| single_line(v, 200),
        );
        patch_field(
            &mut errors,
            "domainRating",
            &mut b.domain_rating,
            &self.domain_rating,
            |v| in_range(*v, 0..=100).map(|v| v as u8),
        );
        if let Some(v) = self.link_type {
            b.link_type = v;
        }
        patch_field(
            &mut errors,
            "prospectType",
            &mut b.prospect_type,
            &self.prospect_type,
            |v| Ok(*v),
        );
        patch_field(
            &mut errors,
            "relevanceScore",
            &mut b.relevance_score,
            &self.relevance_score,
            |v| in_range(*v, 1..=10).map(|v| v as u8),
        );
        patch_field(
            &mut errors,
            "pitchRationale",
            &mut b.pitch_rationale,
            &self.pitch_rationale,
            |v| long_text(v),
        );
        patch_field(
            &mut errors,
            "recipientEmail",
            &mut b.recipient_email,
            &self.recipient_email,
            |v| EmailAddress::parse(v),
        );
        patch_field(
            &mut errors,
            "recipientName",
            &mut b.recipient_name,
            &self.recipient_name,
            |v| single_line(v, 200),
        );
        patch_field(&mut errors, "country", &mut b.country, &self.country, |v| {
            country_code(v)
        });
        patch_field(
            &mut errors,
            "consentEvidence",
            &mut b.consent_evidence,
            &self.consent_evidence,
            |v| single_line(v, 500),
        );
        patch_field(&mut errors, "steps", &mut b.steps, &self.steps, |v| {
            steps(v)
        });
        if let Some(done) = &self.steps_completed {
            let known = |o: &u32| b.steps.iter().flatten().any(|s| s.order == *o);
            match done.iter().find(|o| !known(o)) {
                Some(o) => errors.push("stepsCompleted", format!("the backlink has no step {o}")),
                None => {
                    let mut done = done.clone();
                    done.sort_unstable();
                    done.dedup();
                    b.steps_completed = done;
                }
            }
        }
        patch_field(
            &mut errors,
            "activityId",
            &mut b.activity_id,
            &self.activity_id,
            |v| short_text(v),
        );
        patch_field(
            &mut errors,
            "campaignId",
            &mut b.campaign_id,
            &self.campaign_id,
            |v| CampaignId::parse(v),
        );
        if let Some(v) = &self.gap_competitors
            && let Some(list) = errors.check("gapCompetitors", competitors(v))
        {
            b.gap_competitors = list;
        }
        patch_field(&mut errors, "notes", &mut b.notes, &self.notes, |v| {
            long_text(v)
        });
        check_source_rules(b, &mut errors);
        errors.into_result().map_err(AppError::Invalid)?;
        if let Some(to) = self.outreach_status {
            b.transition(to, now)
                .map_err(|e| AppError::Conflict(e.to_string()))?;
        }
        Ok(())
    }
}

/// Fields that belong to one source type must not appear on another (seed 000).
fn check_source_rules(b: &Backlink, errors: &mut FieldErrors) {
    let only = |errors: &mut FieldErrors, field: &str, set: bool, owner: SourceType| {
        if set && b.source_type != owner {
            errors.push(
                field,
                format!("only applies to {} backlinks", owner.as_str()),
            );
        }
    };
    only(
        errors,
        "prospectType",
        b.prospect_type.is_some(),
        SourceType::Outreach,
    );
    only(
        errors,
        "pitchRationale",
        b.pitch_rationale.is_some(),
        SourceType::Outreach,
    );
    only(
        errors,
        "campaignId",
        b.campaign_id.is_some(),
        SourceType::Outreach,
    );
    only(
        errors,
        "directoryId",
        b.directory_id.is_some(),
        SourceType::DirectoryOpportunity,
    );
    only(
        errors,
        "steps",
        b.steps.is_some(),
        SourceType::DirectoryOpportunity,
    );
    only(
        errors,
        "gapCompetitors",
        !b.gap_competitors.is_empty(),
        SourceType::CompetitorGap,
    );
}
