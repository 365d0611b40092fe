//! The platform's catalogue of backlink directories (seed 000's BacklinkDirectory): sites a
//! business can list itself on, with the steps to do it. Not tenant-scoped; only platform
//! operators write it. Input is checked here, whole, so a create, an update and every row of
//! an import answer the same field errors.

use crate::domain::backlink::{DirectoryStep, LinkType};
use crate::domain::ids::DirectoryId;
use crate::domain::text::{multi_line, single_line};
use crate::domain::time::Timestamp;
use crate::domain::web::WebUrl;
use crate::domain::{FieldError, FieldErrors, in_range};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The seed's six kinds of directory.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryCategory {
    BusinessDirectory,
    SocialBookmarking,
    PressRelease,
    Forum,
    ReviewPlatform,
    ResourceSite,
}

impl DirectoryCategory {
    pub const ALL: [DirectoryCategory; 6] = [
        Self::BusinessDirectory,
        Self::SocialBookmarking,
        Self::PressRelease,
        Self::Forum,
        Self::ReviewPlatform,
        Self::ResourceSite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BusinessDirectory => "business_directory",
            Self::SocialBookmarking => "social_bookmarking",
            Self::PressRelease => "press_release",
            Self::Forum => "forum",
            Self::ReviewPlatform => "review_platform",
            Self::ResourceSite => "resource_site",
        }
    }
}

/// Where a directory's listings count. `GLOBAL` serves every market.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
// Outreach has a legal `Region` of its own: the document names this one apart.
#[schema(as = DirectoryRegion)]
pub enum Region {
    US,
    UK,
    CA,
    AU,
    IN,
    PK,
    GLOBAL,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

/// The subcategory of a directory that suits any business.
pub const GENERAL: &str = "General";
const MAX_STEPS: usize = 30;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BacklinkDirectory {
    pub id: DirectoryId,
    #[serde(flatten)]
    pub fields: DirectoryFields,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

/// A directory's facts, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryFields {
    pub name: String,
    pub url: WebUrl,
    pub category: DirectoryCategory,
    /// The industry it serves (Healthcare, IT & SaaS...), or `General`.
    pub subcategory: String,
    /// Unknown unless a source says; never estimated.
    pub domain_rating: Option<u8>,
    pub link_type: Option<LinkType>,
    pub is_free: bool,
    pub is_paid: bool,
    /// The cheapest published price, when the site publishes one.
    pub paid_price_usd: Option<f64>,
    pub regions: Vec<Region>,
    pub difficulty: Difficulty,
    pub estimated_minutes: u32,
    pub steps: Vec<DirectoryStep>,
    /// Where the facts and steps come from.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A directory as a person or a file gives it; `DirectoryInput::check` makes it
/// `DirectoryFields` or says which fields are wrong.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectoryInput {
    pub name: Option<String>,
    pub url: Option<String>,
    pub category: Option<DirectoryCategory>,
    pub subcategory: Option<String>,
    pub domain_rating: Option<u32>,
    pub link_type: Option<LinkType>,
    pub is_free: Option<bool>,
    pub is_paid: Option<bool>,
    pub paid_price_usd: Option<f64>,
    pub regions: Option<Vec<Region>>,
    pub difficulty: Option<Difficulty>,
    pub estimated_minutes: Option<u32>,
    pub steps: Option<Vec<StepInput>>,
    pub sources: Option<Vec<String>>,
    /// Only on an update: false takes it out of matching (never deleted outright).
    pub is_active: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepInput {
    pub order: Option<u32>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
}

fn required<T>(value: Option<T>) -> Result<T, FieldError> {
    value.ok_or_else(|| FieldError::new("", "is required"))
}

impl DirectoryInput {
    pub fn check(self) -> Result<DirectoryFields, Vec<FieldError>> {
        let mut e = FieldErrors::default();
        let name = e.check(
            "name",
            required(self.name).and_then(|n| single_line(&n, 200)),
        );
        let url = e.check("url", required(self.url).and_then(|u| WebUrl::parse(&u)));
        let category = e.check("category", required(self.category));
        let subcategory = e.check(
            "subcategory",
            single_line(self.subcategory.as_deref().unwrap_or(GENERAL), 100),
        );
        let domain_rating = match self.domain_rating {
            Some(dr) => e
                .check("domainRating", in_range(dr, 0..=100))
                .map(|dr| dr as u8),
            None => None,
        };
        let is_free = self.is_free.unwrap_or(false);
        let is_paid = self.is_paid.unwrap_or(false);
        if !is_free && !is_paid {
            e.push("isFree", "a directory is free, paid or both");
        }
        let price = self.paid_price_usd;
        if let Some(p) = price
            && !(p.is_finite() && p > 0.0 && p < 1_000_000.0)
        {
            e.push("paidPriceUsd", "must be a positive amount");
        }
        if price.is_some() && !is_paid {
            e.push("paidPriceUsd", "is for a directory that is paid");
        }
        let mut regions = self.regions.unwrap_or_default();
        regions.sort();
        regions.dedup();
        if regions.is_empty() {
            e.push("regions", "must name at least one region (or GLOBAL)");
        }
        let difficulty = e.check("difficulty", required(self.difficulty));
        let minutes = e.check(
            "estimatedMinutes",
            required(self.estimated_minutes).and_then(|m| in_range(m, 1..=10_000)),
        );
        let steps = e.check("steps", steps(self.steps.unwrap_or_default()));
        let mut sources = Vec::new();
        for (i, source) in self.sources.unwrap_or_default().iter().enumerate() {
            if let Some(url) = e.check(&format!("sources.{i}"), WebUrl::parse(source)) {
                sources.push(url.to_string());
            }
        }
        e.into_result()?;
        match (name, url, category, subcategory, difficulty, minutes, steps) {
            (
                Some(name),
                Some(url),
                Some(category),
                Some(subcategory),
                Some(difficulty),
                Some(estimated_minutes),
                Some(steps),
            ) => Ok(DirectoryFields {
                name,
                url,
                category,
                subcategory,
                domain_rating,
                link_type: self.link_type,
                is_free,
                is_paid,
                paid_price_usd: price,
                regions,
                difficulty,
                estimated_minutes,
                steps,
                sources,
            }),
            _ => Err(vec![FieldError::new("", "a checked field is missing")]),
        }
    }
}

/// The steps, numbered from 1 in the order given (an `order` given must agree).
fn steps(input: Vec<StepInput>) -> Result<Vec<DirectoryStep>, FieldError> {
    if input.is_empty() || input.len() > MAX_STEPS {
        return Err(FieldError::new(
            "",
            format!("must list 1-{MAX_STEPS} steps, in order"),
        ));
    }
    input
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let order = i as u32 + 1;
            let within = |field: &str, e: FieldError| e.within(&format!("{i}.{field}"));
            if step.order.is_some_and(|o| o != order) {
                return Err(FieldError::new(
                    format!("{i}.order"),
                    format!("must be {order}: steps are numbered from 1 in order"),
                ));
            }
            Ok(DirectoryStep {
                order,
                title: required(step.title)
                    .and_then(|t| single_line(&t, 200))
                    .map_err(|e| within("title", e))?,
                description: required(step.description)
                    .and_then(|d| multi_line(&d, 2_000))
                    .map_err(|e| within("description", e))?,
                url: step
                    .url
                    .as_deref()
                    .map(WebUrl::parse)
                    .transpose()
                    .map_err(|e| within("url", e))?,
            })
        })
        .collect()
}

impl BacklinkDirectory {
    /// The directory as input, so an update is a merge then the same check.
    pub fn to_input(&self) -> DirectoryInput {
        let f = &self.fields;
        DirectoryInput {
            name: Some(f.name.clone()),
            url: Some(f.url.to_string()),
            category: Some(f.category),
            subcategory: Some(f.subcategory.clone()),
            domain_rating: f.domain_rating.map(u32::from),
            link_type: f.link_type,
            is_free: Some(f.is_free),
            is_paid: Some(f.is_paid),
            paid_price_usd: f.paid_price_usd,
            regions: Some(f.regions.clone()),
            difficulty: Some(f.difficulty),
            estimated_minutes: Some(f.estimated_minutes),
            steps: Some(
                f.steps
                    .iter()
                    .map(|s| StepInput {
                        order: Some(s.order),
                        title: Some(s.title.clone()),
                        description: Some(s.description.clone()),
                        url: s.url.as_ref().map(ToString::to_string),
                    })
                    .collect(),
            ),
            sources: Some(f.sources.clone()),
            is_active: Some(self.is_active),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> DirectoryInput {
        serde_json::from_value(serde_json::json!({
            "name": "Example Places", "url": "https://places.example/", "category": "business_directory",
            "isFree": true, "regions": ["US", "GLOBAL", "US"], "difficulty": "easy", "estimatedMinutes": 15,
            "steps": [{"title": "Sign up", "description": "Create an account."},
                      {"order": 2, "title": "Add the business", "description": "Name, address, phone.", "url": "https://places.example/add"}]
        }))
        .unwrap()
    }

    #[test]
    fn a_directory_is_checked_whole_and_its_steps_numbered() {
        let d = input().check().unwrap();
        assert_eq!(d.subcategory, GENERAL);
        assert_eq!(d.regions, vec![Region::US, Region::GLOBAL]);
        assert_eq!(
            d.steps.iter().map(|s| s.order).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert_eq!(d.domain_rating, None, "unknown stays unknown");
    }

    #[test]
    fn every_wrong_field_is_named() {
        let mut bad = input();
        bad.url = Some("not a url".into());
        bad.is_free = Some(false);
        bad.paid_price_usd = Some(-3.0);
        bad.regions = Some(vec![]);
        bad.steps = Some(vec![StepInput {
            order: Some(3),
            ..StepInput::default()
        }]);
        let fields: Vec<String> = bad
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        for field in ["url", "isFree", "paidPriceUsd", "regions", "steps.0.order"] {
            assert!(fields.contains(&field.to_string()), "{field}: {fields:?}");
        }
    }

    #[test]
    fn a_directory_reads_back_as_the_same_input() {
        let fields = input().check().unwrap();
        let d = BacklinkDirectory {
            id: DirectoryId::from_uuid(uuid::Uuid::now_v7()),
            fields: fields.clone(),
            is_active: true,
            created_at: Timestamp::from_epoch_seconds(0).unwrap(),
            updated_at: Timestamp::from_epoch_seconds(0).unwrap(),
            version: 1,
        };
        let mut again = d.to_input();
        again.is_active = None;
        assert_eq!(again.check().unwrap(), fields);
    }
}
