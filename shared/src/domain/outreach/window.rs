//! The tenant's send window and the day its daily caps count in, in its own time zone.

use crate::domain::FieldError;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendWindow {
    /// Days mail may leave: mon, tue, wed, thu, fri, sat, sun.
    #[schema(min_items = 1)]
    pub days: Vec<String>,
    /// First hour (0-23) and the hour after the last (1-24), in `timeZone`.
    #[schema(maximum = 23)]
    pub start_hour: u32,
    #[schema(minimum = 1, maximum = 24)]
    pub end_hour: u32,
    /// An IANA time zone such as Europe/Berlin; caps count days in it too.
    pub time_zone: String,
}

impl Default for SendWindow {
    fn default() -> Self {
        Self {
            days: ["mon", "tue", "wed", "thu", "fri"]
                .map(String::from)
                .to_vec(),
            start_hour: 9,
            end_hour: 17,
            time_zone: "UTC".into(),
        }
    }
}

fn weekday(name: &str) -> Option<Weekday> {
    match name {
        "mon" => Some(Weekday::Mon),
        "tue" => Some(Weekday::Tue),
        "wed" => Some(Weekday::Wed),
        "thu" => Some(Weekday::Thu),
        "fri" => Some(Weekday::Fri),
        "sat" => Some(Weekday::Sat),
        "sun" => Some(Weekday::Sun),
        _ => None,
    }
}

impl SendWindow {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.days.is_empty() || self.days.iter().any(|d| weekday(d).is_none()) {
            errors.push(FieldError::new(
                "sendWindow.days",
                "must list days as mon, tue, wed, thu, fri, sat, sun",
            ));
        }
        if self.start_hour > 23 || self.end_hour > 24 || self.start_hour >= self.end_hour {
            errors.push(FieldError::new(
                "sendWindow.startHour",
                "must be 0-23 and before endHour (1-24)",
            ));
        }
        if self.time_zone.parse::<Tz>().is_err() {
            errors.push(FieldError::new(
                "sendWindow.timeZone",
                "must be an IANA time zone such as Europe/Berlin",
            ));
        }
        errors
    }

    fn zone(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::UTC)
    }

    /// Whether mail may leave at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&self.zone());
        let day_ok = self
            .days
            .iter()
            .filter_map(|d| weekday(d))
            .any(|d| d == local.weekday());
        day_ok && (self.start_hour..self.end_hour).contains(&local.hour())
    }

    /// The calendar day of `now` in the window's zone: daily caps count by it.
    pub fn day(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.zone()).date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn windows_and_days_follow_the_tenant_time_zone() {
        let w = SendWindow {
            time_zone: "America/New_York".into(),
            ..SendWindow::default()
        };
        assert!(w.validate().is_empty());
        // 14:00 UTC on a Monday is 09:00 in New York (EST): open.
        assert!(w.is_open(at("2026-11-23T14:00:00Z")));
        assert!(!w.is_open(at("2026-11-23T13:59:00Z")));
        // Saturday.
        assert!(!w.is_open(at("2026-11-21T15:00:00Z")));
        // 03:00 UTC Tuesday is still Monday in New York.
        assert_eq!(w.day(at("2026-11-24T03:00:00Z")).to_string(), "2026-11-23");
        let bad = SendWindow {
            days: vec!["funday".into()],
            start_hour: 18,
            end_hour: 9,
            time_zone: "Mars/Base".into(),
        };
        assert_eq!(bad.validate().len(), 3);
    }
}
