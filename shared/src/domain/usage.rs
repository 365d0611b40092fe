//! Usage credits (issue 14): what each metered operation costs, a tenant's optional monthly
//! limit, and the UTC month usage is counted in.
//!
//! Credits are kept as whole milli-credits (`i64`): costs have halves (a KPI snapshot costs
//! 0.5), a store's atomic ADD works on integers, and a float sum drifts. Thousandths rather
//! than halves, so that a later operation priced at 0.25 or 0.1 needs no change to the stored
//! totals. The API shows credits as a decimal number (`0.5`, `49.5`, `2`).

use super::FieldError;
use super::time::Timestamp;
use chrono::Datelike;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use utoipa::ToSchema;

const MILLI: i64 = 1_000;

/// An amount of credits, exact to a thousandth, never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Credits(i64);

impl Credits {
    pub const ZERO: Credits = Credits(0);
    /// The most a limit may be: far above any tenant's month, and exact in an `f64`.
    pub const MAX: Credits = Credits(1_000_000_000 * MILLI);

    pub const fn from_milli(milli: i64) -> Self {
        Self(milli)
    }

    pub const fn whole(credits: i64) -> Self {
        Self(credits * MILLI)
    }

    pub fn milli(self) -> i64 {
        self.0
    }

    /// Credits from a decimal number: not negative, at most three decimals. (A number too
    /// large for `i64` saturates; limits are bounded by [`CreditLimit::validate`].)
    pub fn from_decimal(value: f64) -> Result<Self, FieldError> {
        let scaled = value * MILLI as f64;
        let milli = scaled.round();
        if !value.is_finite() || value < 0.0 || (scaled - milli).abs() > 1e-6 {
            return Err(FieldError::new(
                "",
                "must be a number of credits, not negative, with at most three decimals",
            ));
        }
        Ok(Self(milli as i64))
    }

    /// What is left of `self` after `used`; none once used up.
    pub fn minus(self, used: Credits) -> Credits {
        Credits((self.0 - used.0).max(0))
    }
}

impl fmt::Display for Credits {
    /// `2`, `0.5`, `49.25`: the decimal a person writes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / MILLI, self.0 % MILLI);
        if frac == 0 {
            return write!(f, "{whole}");
        }
        let decimals = format!("{frac:03}");
        write!(f, "{whole}.{}", decimals.trim_end_matches('0'))
    }
}

impl Serialize for Credits {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % MILLI == 0 {
            serializer.serialize_i64(self.0 / MILLI)
        } else {
            // Exact: a thousandth below 2^53 prints as its shortest decimal.
            serializer.serialize_f64(self.0 as f64 / MILLI as f64)
        }
    }
}

impl<'de> Deserialize<'de> for Credits {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        Credits::from_decimal(value).map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl utoipa::PartialSchema for Credits {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Number)
            .minimum(Some(0))
            .description(Some("Credits, exact to a thousandth (e.g. 0.5)"))
            .into()
    }
}

impl ToSchema for Credits {}

/// An operation that costs credits. Our plans are the seed's campaigns, so the seed's
/// `campaign_generation` is `plan_generation` and its `backlink_audit` is `link_audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeteredOperation {
    /// Generating a link-building plan (seed: `campaign_generation`), 2 credits.
    PlanGeneration,
    /// An on-demand check of a plan's or campaign's placed links (seed: `backlink_audit`), 1.
    LinkAudit,
    /// A KPI snapshot, monthly or by hand, 0.5.
    KpiSnapshot,
    /// A dead link found with its replacement recommendations, 1.
    DeadLinkDetection,
}

impl MeteredOperation {
    pub const ALL: [MeteredOperation; 4] = [
        MeteredOperation::PlanGeneration,
        MeteredOperation::LinkAudit,
        MeteredOperation::KpiSnapshot,
        MeteredOperation::DeadLinkDetection,
    ];

    /// The seed's default costs (002 §4 step 7).
    pub fn cost(self) -> Credits {
        Credits::from_milli(match self {
            MeteredOperation::PlanGeneration => 2_000,
            MeteredOperation::LinkAudit => 1_000,
            MeteredOperation::KpiSnapshot => 500,
            MeteredOperation::DeadLinkDetection => 1_000,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MeteredOperation::PlanGeneration => "plan_generation",
            MeteredOperation::LinkAudit => "link_audit",
            MeteredOperation::KpiSnapshot => "kpi_snapshot",
            MeteredOperation::DeadLinkDetection => "dead_link_detection",
        }
    }

    /// The operation in a sentence: "plan generation".
    pub fn label(self) -> String {
        self.as_str().replace('_', " ")
    }
}

/// A tenant's monthly credit limit, set by a platform operator; none means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditLimit {
    /// Credits a UTC month may use, 0 to 1,000,000,000; null (or left out): no limit.
    #[serde(default)]
    pub monthly_credits: Option<Credits>,
}

impl CreditLimit {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        match self.monthly_credits {
            Some(limit) if limit > Credits::MAX => Err(vec![FieldError::new(
                "monthlyCredits",
                "must be at most 1000000000",
            )]),
            _ => Ok(()),
        }
    }
}

/// A UTC calendar month, `YYYY-MM`: the period usage is counted and limited in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn of(at: Timestamp) -> Self {
        let date = at.datetime();
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new("", "must be a month as YYYY-MM, e.g. 2026-06");
        let (year, month) = text.split_once('-').ok_or_else(bad)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u32 = month.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Month::parse(&text).map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl utoipa::PartialSchema for Month {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^\d{4}-(0[1-9]|1[0-2])$"))
            .description(Some("A UTC month, YYYY-MM"))
            .into()
    }
}

impl ToSchema for Month {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_follow_the_seed_in_exact_thousandths() {
        let costs: Vec<i64> = MeteredOperation::ALL
            .iter()
            .map(|op| op.cost().milli())
            .collect();
        assert_eq!(costs, [2_000, 1_000, 500, 1_000]);
        assert_eq!(MeteredOperation::PlanGeneration.label(), "plan generation");
        let json = serde_json::to_string(&MeteredOperation::DeadLinkDetection).unwrap();
        assert_eq!(json, "\"dead_link_detection\"");
    }

    #[test]
    fn credits_show_as_decimals_and_read_back_exactly() {
        let shown: Vec<String> = [0, 500, 2_000, 49_500, 1_250, 1]
            .iter()
            .map(|m| Credits::from_milli(*m).to_string())
            .collect();
        assert_eq!(shown, ["0", "0.5", "2", "49.5", "1.25", "0.001"]);
        assert_eq!(
            serde_json::to_string(&Credits::from_milli(500)).unwrap(),
            "0.5"
        );
        assert_eq!(serde_json::to_string(&Credits::whole(50)).unwrap(), "50");
        let read: Credits = serde_json::from_str("0.1").unwrap();
        assert_eq!(read.milli(), 100);
        let read: Credits = serde_json::from_str("49.5").unwrap();
        assert_eq!(read, Credits::from_milli(49_500));
    }

    #[test]
    fn credits_refuse_negatives_fractions_of_a_thousandth_and_huge_numbers() {
        for bad in [-1.0, 0.0005, 1.0001, f64::INFINITY, f64::NAN] {
            assert!(Credits::from_decimal(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Credits>("\"5\"").is_err());
        assert_eq!(Credits::whole(3).minus(Credits::whole(5)), Credits::ZERO);
    }

    #[test]
    fn a_limit_is_optional_and_bounded() {
        let none: CreditLimit = serde_json::from_str("{}").unwrap();
        assert_eq!(none.monthly_credits, None);
        let null: CreditLimit = serde_json::from_str(r#"{"monthlyCredits": null}"#).unwrap();
        assert_eq!(null, none);
        let half: CreditLimit = serde_json::from_str(r#"{"monthlyCredits": 49.5}"#).unwrap();
        assert_eq!(half.monthly_credits, Some(Credits::from_milli(49_500)));
        assert!(half.validate().is_ok());
        assert!(serde_json::from_str::<CreditLimit>(r#"{"monthly": 5}"#).is_err());
        let over: CreditLimit = serde_json::from_str(r#"{"monthlyCredits": 1e10}"#).unwrap();
        assert_eq!(over.validate().unwrap_err()[0].field, "monthlyCredits");
        let huge: CreditLimit = serde_json::from_str(r#"{"monthlyCredits": 1e300}"#).unwrap();
        assert!(huge.validate().is_err());
    }

    #[test]
    fn months_come_from_utc_timestamps_and_parse_strictly() {
        let at = Timestamp::parse("2026-07-01T01:30:00+02:00").unwrap();
        assert_eq!(Month::of(at).to_string(), "2026-06");
        assert_eq!(Month::parse("2026-12").unwrap().to_string(), "2026-12");
        for bad in [
            "2026-13",
            "2026-00",
            "2026-6",
            "26-06",
            "2026/06",
            "2026-06-01",
            "",
        ] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
        assert!(Month::parse("2026-01").unwrap() < Month::parse("2026-02").unwrap());
        let json = serde_json::to_string(&Month::parse("2026-06").unwrap()).unwrap();
        assert_eq!(json, "\"2026-06\"");
    }
}
