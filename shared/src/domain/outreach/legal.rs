//! Legal basis by region (seed 001): where cold outreach needs recorded consent.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    Eu,
    Uk,
    Ca,
    Au,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    Consent,
    LegitimateInterest,
}

/// EU member states and the EEA (Iceland, Liechtenstein, Norway), and `.eu`.
const EU_EEA: &[&str] = &[
    "at", "be", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "gr", "hu", "ie", "it", "lv",
    "lt", "lu", "mt", "nl", "pl", "pt", "ro", "sk", "si", "es", "se", "is", "li", "no", "eu",
];

fn region_of_code(code: &str) -> Region {
    match code.to_ascii_lowercase().as_str() {
        "uk" | "gb" => Region::Uk,
        "ca" => Region::Ca,
        "au" => Region::Au,
        c if EU_EEA.contains(&c) => Region::Eu,
        _ => Region::Other,
    }
}

/// The recipient's region: the prospect's country when known, else the address's ccTLD.
pub fn region_of(email_domain: &str, country: Option<&str>) -> Region {
    match country {
        Some(c) => region_of_code(c),
        None => region_of_code(email_domain.rsplit('.').next().unwrap_or_default()),
    }
}

/// Regions whose law needs recorded consent for cold outreach (seed 001: EU, UK, CA, AU).
pub fn legal_basis(region: Region) -> LegalBasis {
    match region {
        Region::Other => LegalBasis::LegitimateInterest,
        _ => LegalBasis::Consent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_legal_basis() {
        assert_eq!(region_of("blog.de", None), Region::Eu);
        assert_eq!(region_of("blog.co.uk", None), Region::Uk);
        assert_eq!(region_of("blog.no", None), Region::Eu);
        assert_eq!(region_of("blog.com", None), Region::Other);
        assert_eq!(region_of("blog.com", Some("CA")), Region::Ca);
        assert_eq!(legal_basis(Region::Au), LegalBasis::Consent);
        assert_eq!(legal_basis(Region::Other), LegalBasis::LegitimateInterest);
    }
}
