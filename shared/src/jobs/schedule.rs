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
    /// Day-of-week must be `?` or `*`: EventBridge numbers days 1-7 from Sunday, standard
    /// cron 0-6, and refusing numbers keeps the two from disagreeing.
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
        if *year != "*" || !matches!(*dow, "?" | "*") {
            return Err(bad());
        }
        let dom = if *dom == "?" { "*" } else { dom };
        Ok(Schedule::Cron(format!("{minute} {hour} {dom} {month} *")))
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
        assert!(Schedule::parse("cron(0 5 * * MON *)").is_err());
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
}
