//! Which directories fit a tenant's business, and how well (issue 16). A directory fits when
//! it is of a kind the business wants, serves its industry (or any, `General`) and one of
//! its regions (or every one, `GLOBAL`). Its relevance, 1-10:
//!
//! `industry (3 named, 1.5 General) + region (2 named, 1 GLOBAL) + authority (DR/50, unknown 1)
//!  + cost (free 1.5, paid 0.5) + effort (easy 1.5, medium 1, hard 0.5)`, rounded, at least 1.
//!
//! An unknown DR weighs as a middling one (1 of 2), never as a guess of the figure.

use super::directory::{BacklinkDirectory, Difficulty, DirectoryCategory, GENERAL, Region};
use crate::domain::text::single_line;
use crate::domain::time::Timestamp;
use crate::domain::web::WebUrl;
use crate::domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const FORMULA: &str = "industry (3 named, 1.5 General) + region (2 named, 1 GLOBAL) + \
    authority (DR/50, unknown 1) + cost (free 1.5, paid 0.5) + effort (easy 1.5, medium 1, \
    hard 0.5), rounded, 1-10";

/// What a tenant's business is, for the matcher, and the NAP a citation needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BusinessProfile {
    /// Kinds of directory wanted; empty means every kind.
    pub categories: Vec<DirectoryCategory>,
    /// The business's industries, matched (any case) with directories' subcategories.
    pub subcategories: Vec<String>,
    pub regions: Vec<Region>,
    pub business_name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub website: Option<WebUrl>,
    pub updated_at: Option<Timestamp>,
}

impl BusinessProfile {
    pub fn empty() -> Self {
        Self {
            categories: Vec::new(),
            subcategories: Vec::new(),
            regions: Vec::new(),
            business_name: None,
            address: None,
            phone: None,
            website: None,
            updated_at: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileInput {
    pub categories: Option<Vec<DirectoryCategory>>,
    pub subcategories: Option<Vec<String>>,
    pub regions: Option<Vec<Region>>,
    pub business_name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
}

impl ProfileInput {
    /// The profile with these changes applied (absent fields keep their value).
    pub fn apply_to(self, profile: &mut BusinessProfile) -> Result<(), Vec<FieldError>> {
        let mut e = FieldErrors::default();
        if let Some(mut c) = self.categories {
            c.sort();
            c.dedup();
            profile.categories = c;
        }
        if let Some(list) = self.subcategories {
            let mut kept = Vec::new();
            for (i, s) in list.iter().enumerate() {
                if let Some(s) = e.check(&format!("subcategories.{i}"), single_line(s, 100)) {
                    kept.push(s);
                }
            }
            if kept.len() > 20 {
                e.push("subcategories", "at most 20");
            }
            profile.subcategories = kept;
        }
        if let Some(mut r) = self.regions {
            r.sort();
            r.dedup();
            profile.regions = r;
        }
        let text = |e: &mut FieldErrors, field: &str, v: Option<String>, max: usize| match v {
            Some(v) if v.trim().is_empty() => Some(None),
            Some(v) => e.check(field, single_line(&v, max)).map(Some),
            None => None,
        };
        if let Some(v) = text(&mut e, "businessName", self.business_name, 200) {
            profile.business_name = v;
        }
        if let Some(v) = text(&mut e, "address", self.address, 500) {
            profile.address = v;
        }
        if let Some(v) = text(&mut e, "phone", self.phone, 40) {
            profile.phone = v;
        }
        match self.website.as_deref().map(str::trim) {
            Some("") => profile.website = None,
            Some(w) => profile.website = e.check("website", WebUrl::parse(w)),
            None => {}
        }
        e.into_result()
    }
}

/// The directory's relevance to the business, 1-10, or None when it does not fit.
pub fn relevance(profile: &BusinessProfile, d: &BacklinkDirectory) -> Option<u8> {
    let f = &d.fields;
    if !d.is_active || !(profile.categories.is_empty() || profile.categories.contains(&f.category))
    {
        return None;
    }
    let industry = if profile
        .subcategories
        .iter()
        .any(|s| s.eq_ignore_ascii_case(&f.subcategory))
    {
        3.0
    } else if f.subcategory.eq_ignore_ascii_case(GENERAL) {
        1.5
    } else {
        return None;
    };
    let region = if f.regions.iter().any(|r| profile.regions.contains(r)) {
        2.0
    } else if f.regions.contains(&Region::GLOBAL) {
        1.0
    } else {
        return None;
    };
    let authority = f.domain_rating.map_or(1.0, |dr| f64::from(dr) / 50.0);
    let cost = if f.is_free { 1.5 } else { 0.5 };
    let effort = match f.difficulty {
        Difficulty::Easy => 1.5,
        Difficulty::Medium => 1.0,
        Difficulty::Hard => 0.5,
    };
    let score = (industry + region + authority + cost + effort).round();
    Some(score.clamp(1.0, 10.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::DirectoryId;
    use crate::domain::opportunities::directory::DirectoryInput;

    fn directory(
        category: &str,
        sub: &str,
        regions: &[&str],
        dr: Option<u32>,
    ) -> BacklinkDirectory {
        let input: DirectoryInput = serde_json::from_value(serde_json::json!({
            "name": "D", "url": "https://d.example/", "category": category, "subcategory": sub,
            "isFree": true, "regions": regions, "difficulty": "easy", "estimatedMinutes": 10,
            "domainRating": dr, "steps": [{"title": "Sign up", "description": "Make an account."}]
        }))
        .unwrap();
        BacklinkDirectory {
            id: DirectoryId::from_uuid(uuid::Uuid::now_v7()),
            fields: input.check().unwrap(),
            is_active: true,
            created_at: Timestamp::from_epoch_seconds(0).unwrap(),
            updated_at: Timestamp::from_epoch_seconds(0).unwrap(),
            version: 1,
        }
    }

    fn profile() -> BusinessProfile {
        BusinessProfile {
            categories: vec![DirectoryCategory::BusinessDirectory],
            subcategories: vec!["Healthcare".into()],
            regions: vec![Region::UK],
            ..BusinessProfile::empty()
        }
    }

    #[test]
    fn fit_needs_kind_industry_and_region_and_named_fits_score_higher() {
        let p = profile();
        let named = directory("business_directory", "healthcare", &["UK"], Some(80));
        let general = directory("business_directory", "General", &["GLOBAL"], None);
        // 3 + 2 + 1.6 + 1.5 + 1.5 = 9.6 -> 10; 1.5 + 1 + 1 + 1.5 + 1.5 = 6.5 -> 7 (half up).
        assert_eq!(relevance(&p, &named), Some(10));
        assert_eq!(relevance(&p, &general), Some(7));
        for misfit in [
            directory("forum", "General", &["GLOBAL"], None),
            directory("business_directory", "Legal", &["UK"], None),
            directory("business_directory", "General", &["US"], None),
        ] {
            assert_eq!(relevance(&p, &misfit), None);
        }
        let mut inactive = named.clone();
        inactive.is_active = false;
        assert_eq!(relevance(&p, &inactive), None);
        // No kinds named: every kind fits.
        let any = BusinessProfile {
            categories: vec![],
            ..p
        };
        assert!(relevance(&any, &directory("forum", "General", &["GLOBAL"], None)).is_some());
    }
}
