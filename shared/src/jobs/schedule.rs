//! EventBridge schedule expressions, evaluated locally so that the local scheduler fires
//! jobs when the cloud would.

use chrono::Duration;
#[cfg(feature = "local")]
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported schedule expression {0:?}")]
pub struct BadSchedule(pub String);

#[derive(Debug, Clone)]
pub enum Schedule {
    Rate(Duration),
    /// A five-field cron pattern (the expression's year field must be `*`).
    Cron(String),
}

impl Schedule {
    /// Parses `rate(N unit)` or `cron(min hour day-of-month month day-of-week year)`.
    /// Day-of-week is `?`, `*`, or days by name or number, in lists and ranges (`THU`,
    /// `MON-FRI`, `1,7`); EventBridge numbers days 1-7 from Sunday and standard cron 0-6, so
    /// numbers are moved down by one. As in EventBridge, a day-of-week needs day-of-month
    /// `?`. The `L` and `#` forms are refused.
    pub fn parse(expression: &str) -> Result<Self, BadSchedule> {
        let bad = || BadSchedule(expression.to_string());
        if let Some(body) = expression
            .strip_prefix("rate(")
            .and_then(|s| s.strip_suffix(')'))
        {
            let (n, unit) = body.split_once(' ').ok_or_else(bad)?;
            let n: i64 = n.parse().map_err(|_| bad())?;
            let span = match unit.trim_end_matches('s') {
                "minute" => Duration::minutes(n),
                "hour" => Duration::hours(n),
                "day" => Duration::days(n),
                _ => return Err(bad()),
            };
            return (n > 0).then_some(Schedule::Rate(span)).ok_or_else(bad);
        }
        let body = expression
            .strip_prefix("cron(")
            .and_then(|s| s.strip_suffix(')'))
            .ok_or_else(bad)?;
        let fields: Vec<&str> = body.split_whitespace().collect();
        let [minute, hour, dom, month, dow, year] = fields.as_slice() else {
            return Err(bad());
        };
        if *year != "*" {
            return Err(bad());
        }
        let dow = match *dow {
            "?" | "*" => "*".to_string(),
            days if *dom == "?" => weekdays(days).ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        let dom = if *dom == "?" { "*" } else { dom };
        Ok(Schedule::Cron(format!(
            "{minute} {hour} {dom} {month} {dow}"
        )))
    }

    /// The first firing strictly after `after`.
    #[cfg(feature = "local")]
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Rate(span) => Some(after + *span),
            Schedule::Cron(pattern) => {
                let cron: croner::Cron = pattern.parse().ok()?;
                cron.find_next_occurrence(&after, false).ok()
            }
        }
    }
}

const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// An EventBridge day-of-week field in standard cron's terms: names kept, numbers 1-7
/// (Sunday first) as names, lists and ranges kept.
fn weekdays(field: &str) -> Option<String> {
    let day = |d: &str| -> Option<&'static str> {
        match d.parse::<usize>() {
            Ok(n) if (1..=7).contains(&n) => Some(DAYS[n - 1]),
            Ok(_) => None,
            Err(_) => DAYS.iter().copied().find(|x| x.eq_ignore_ascii_case(d)),
        }
    };
    let items: Option<Vec<String>> = field
        .split(',')
        .map(|item| match item.split_once('-') {
            Some((from, to)) => Some(format!("{}-{}", day(from)?, day(to)?)),
            None => day(item).map(str::to_string),
        })
        .collect();
    items.map(|i| i.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(feature = "local")]
    use chrono::{DateTime, Utc};

    #[test]
    fn parses_the_expressions_the_registry_uses() {
        for job in super::super::registry() {
            if let super::super::Trigger::Schedule(expr) = job.trigger {
                Schedule::parse(expr).unwrap();
            }
        }
        // A day-of-week needs day-of-month `?`; `L` and `#` are not read.
        assert!(Schedule::parse("cron(0 5 * * MON *)").is_err());
        assert!(Schedule::parse("cron(0 5 ? * 6#3 *)").is_err());
        assert!(Schedule::parse("cron(0 5 ? * 8 *)").is_err());
        assert!(Schedule::parse("rate(0 minutes)").is_err());
        assert!(matches!(
            Schedule::parse("rate(5 minutes)"),
            Ok(Schedule::Rate(_))
        ));
    }

    #[cfg(feature = "local")]
    #[test]
    fn next_firing_of_a_daily_cron() {
        let s = Schedule::parse("cron(0 5 * * ? *)").unwrap();
        let at = DateTime::parse_from_rfc3339("2026-01-01T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let next = s.next_after(at).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-01-02T05:00:00+00:00");
    }

    #[cfg(feature = "local")]
    #[test]
    fn weekly_on_thursdays_by_name_or_eventbridge_number() {
        // 2026-01-01 is a Thursday.
        let at = DateTime::parse_from_rfc3339("2026-01-01T04:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        for expr in [
            "cron(0 3 ? * THU *)",
            "cron(0 3 ? * 5 *)",
            "cron(0 3 ? * thu *)",
        ] {
            let next = Schedule::parse(expr).unwrap().next_after(at).unwrap();
            assert_eq!(next.to_rfc3339(), "2026-01-08T03:00:00+00:00", "{expr}");
        }
        let weekdays = Schedule::parse("cron(0 9 ? * MON-FRI *)").unwrap();
        let saturday = DateTime::parse_from_rfc3339("2026-01-03T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            weekdays.next_after(saturday).unwrap().to_rfc3339(),
            "2026-01-05T09:00:00+00:00"
        );
    }
}
