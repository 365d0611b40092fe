//! One event's delivery to one webhook: its attempts, what each came to, and when the next
//! one is due. A 2xx delivers; a timeout, a network error, 408, 429 or a 5xx is tried again
//! on the schedule; any other answer, or an address the SSRF policy refuses, ends it.

use super::EventType;
use crate::domain::ids::WebhookId;
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The waits after each failed attempt: 1 min, 5 min, 30 min, 2 h, 6 h, 12 h. Seven attempts
/// over about 21 hours, without jitter, so that every time is known in advance (a receiver
/// that is down for a deploy gets the next minutes' events a minute later; one that is down
/// for a night gets them in the morning).
pub const DEFAULT_DELAYS_SECS: [i64; 6] = [60, 300, 1_800, 7_200, 21_600, 43_200];
/// The most of an error or a response body kept with an attempt.
pub const EXCERPT_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    delays_secs: Vec<i64>,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self::new(DEFAULT_DELAYS_SECS.to_vec())
    }
}

impl RetrySchedule {
    /// The waits, in seconds, after the first failed attempt, the second, and so on.
    pub fn new(delays_secs: Vec<i64>) -> Self {
        Self { delays_secs }
    }

    /// Attempts in all: the first, and one after each wait.
    pub fn max_attempts(&self) -> usize {
        self.delays_secs.len() + 1
    }

    /// The wait after the `made`-th attempt failed; None when it was the last.
    pub fn delay_after(&self, made: usize) -> Option<i64> {
        made.checked_sub(1)
            .and_then(|i| self.delays_secs.get(i))
            .copied()
    }
}

/// What one attempt came back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The receiver answered with this HTTP status (redirects are not followed).
    Status(u16),
    /// No answer within the time limit.
    Timeout,
    /// The connection failed: DNS, refused, reset, TLS.
    Network(String),
    /// The address is not one we send to: the SSRF policy refused it.
    Refused(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Worth trying again later.
    Retry,
    /// Trying again cannot help.
    Final,
}

impl Answer {
    pub fn verdict(&self) -> Verdict {
        match self {
            Answer::Status(200..=299) => Verdict::Delivered,
            Answer::Status(408 | 429 | 500..=599) | Answer::Timeout | Answer::Network(_) => {
                Verdict::Retry
            }
            Answer::Status(_) | Answer::Refused(_) => Verdict::Final,
        }
    }

    /// What went wrong, when no status came back.
    fn error(&self) -> Option<String> {
        match self {
            Answer::Status(_) => None,
            Answer::Timeout => Some("timed out".into()),
            Answer::Network(reason) => Some(excerpt(&format!("network error: {reason}"))),
            Answer::Refused(reason) => Some(excerpt(&format!("refused: {reason}"))),
        }
    }
}

/// At most [`EXCERPT_CHARS`] characters of a text.
pub fn excerpt(text: &str) -> String {
    text.chars().take(EXCERPT_CHARS).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WebhookDeliveryState)]
pub enum DeliveryState {
    /// An attempt is due (at `nextAttemptAt`).
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up: a final answer, or no 2xx after every attempt.
    Failed,
    /// Not sent: the webhook was disabled before its turn.
    Cancelled,
}

/// One POST of the event to the webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookAttempt)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    pub at: Timestamp,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// What went wrong when it did not (timeout, network error, refused address).
    pub error: Option<String>,
    pub duration_ms: u64,
    /// The start of the receiver's response body.
    pub response: Option<String>,
}

/// One event's delivery to one webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = WebhookDelivery)]
pub struct Delivery {
    pub webhook_id: WebhookId,
    /// The event's id (`eventId` in the body): receivers drop repeats by it.
    pub event_id: String,
    pub event_type: EventType,
    /// When the event happened.
    pub event_at: Timestamp,
    pub created_at: Timestamp,
    pub state: DeliveryState,
    /// Oldest first.
    pub attempts: Vec<Attempt>,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<Timestamp>,
    /// Why it ended, once failed or cancelled.
    pub reason: Option<String>,
}

impl Delivery {
    /// A delivery whose first attempt is due now.
    pub fn new(
        webhook_id: WebhookId,
        event_id: String,
        event_type: EventType,
        event_at: Timestamp,
        now: Timestamp,
    ) -> Self {
        Self {
            webhook_id,
            event_id,
            event_type,
            event_at,
            created_at: now,
            state: DeliveryState::Pending,
            attempts: Vec::new(),
            next_attempt_at: Some(now),
            reason: None,
        }
    }

    /// Keeps an attempt and decides what follows it: delivered, the next attempt's time, or
    /// failed.
    pub fn record(
        &mut self,
        at: Timestamp,
        duration_ms: u64,
        answer: &Answer,
        response: Option<String>,
        schedule: &RetrySchedule,
    ) {
        let status = match answer {
            Answer::Status(status) => Some(*status),
            _ => None,
        };
        self.attempts.push(Attempt {
            number: self.attempts.len() as u32 + 1,
            at,
            status,
            error: answer.error(),
            duration_ms,
            response: response.map(|r| excerpt(&r)),
        });
        self.next_attempt_at = None;
        match answer.verdict() {
            Verdict::Delivered => self.state = DeliveryState::Delivered,
            Verdict::Final => {
                self.state = DeliveryState::Failed;
                self.reason = Some(match status {
                    Some(status) => format!("the receiver answered {status}, which is final"),
                    None => "the address is refused".into(),
                });
            }
            Verdict::Retry => match schedule.delay_after(self.attempts.len()) {
                Some(wait) => self.next_attempt_at = Some(at.plus_seconds(wait)),
                None => {
                    self.state = DeliveryState::Failed;
                    self.reason = Some(format!("no 2xx after {} attempts", self.attempts.len()));
                }
            },
        }
    }

    /// Ends a pending delivery without sending it.
    pub fn cancel(&mut self, reason: &str) {
        self.state = DeliveryState::Cancelled;
        self.next_attempt_at = None;
        self.reason = Some(reason.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::parse("2026-06-01T12:00:00Z")
            .unwrap()
            .plus_seconds(secs)
    }

    fn delivery() -> Delivery {
        let id = WebhookId::from_uuid(uuid::Uuid::now_v7());
        Delivery::new(id, "ev1".into(), EventType::LinkStatusChanged, at(0), at(0))
    }

    #[test]
    fn answers_are_delivered_retried_or_final() {
        for ok in [200, 201, 204, 299] {
            assert_eq!(Answer::Status(ok).verdict(), Verdict::Delivered, "{ok}");
        }
        for again in [408, 429, 500, 502, 503, 504, 599] {
            assert_eq!(Answer::Status(again).verdict(), Verdict::Retry, "{again}");
        }
        assert_eq!(Answer::Timeout.verdict(), Verdict::Retry);
        assert_eq!(Answer::Network("reset".into()).verdict(), Verdict::Retry);
        for done in [301, 302, 400, 401, 403, 404, 410, 413, 422] {
            assert_eq!(Answer::Status(done).verdict(), Verdict::Final, "{done}");
        }
        assert_eq!(Answer::Refused("private".into()).verdict(), Verdict::Final);
    }

    #[test]
    fn the_default_schedule_is_seven_attempts_at_known_times() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.max_attempts(), 7);
        let waits: Vec<i64> = (1..=7).filter_map(|n| schedule.delay_after(n)).collect();
        assert_eq!(waits, [60, 300, 1_800, 7_200, 21_600, 43_200]);
        assert_eq!(schedule.delay_after(0), None);
    }

    #[test]
    fn failures_follow_the_schedule_until_it_runs_out() {
        let schedule = RetrySchedule::default();
        let mut d = delivery();
        let mut now = 0;
        for (n, wait) in DEFAULT_DELAYS_SECS.iter().enumerate() {
            d.record(at(now), 5, &Answer::Status(503), None, &schedule);
            assert_eq!(d.state, DeliveryState::Pending, "after attempt {}", n + 1);
            assert_eq!(d.next_attempt_at, Some(at(now + wait)));
            now += wait;
        }
        d.record(at(now), 5, &Answer::Timeout, None, &schedule);
        assert_eq!(d.state, DeliveryState::Failed);
        assert_eq!(d.next_attempt_at, None);
        assert_eq!(d.reason.as_deref(), Some("no 2xx after 7 attempts"));
        assert_eq!(d.attempts.len(), 7);
        assert_eq!(d.attempts[6].error.as_deref(), Some("timed out"));
        assert_eq!(d.attempts[6].number, 7);
    }

    #[test]
    fn a_final_answer_ends_it_and_a_2xx_delivers_it() {
        let schedule = RetrySchedule::default();
        let mut gone = delivery();
        gone.record(
            at(0),
            3,
            &Answer::Status(410),
            Some("gone".into()),
            &schedule,
        );
        assert_eq!(gone.state, DeliveryState::Failed);
        assert_eq!(gone.attempts[0].status, Some(410));
        assert_eq!(gone.attempts[0].response.as_deref(), Some("gone"));
        let mut fine = delivery();
        fine.record(at(0), 3, &Answer::Status(500), None, &schedule);
        fine.record(at(60), 3, &Answer::Status(200), None, &schedule);
        assert_eq!(
            (fine.state, fine.next_attempt_at, fine.attempts.len()),
            (DeliveryState::Delivered, None, 2)
        );
    }

    #[test]
    fn errors_and_responses_are_cut_short() {
        let mut d = delivery();
        let long = "x".repeat(5_000);
        let schedule = RetrySchedule::default();
        d.record(
            at(0),
            1,
            &Answer::Network(long.clone()),
            Some(long),
            &schedule,
        );
        let attempt = &d.attempts[0];
        assert_eq!(attempt.response.as_ref().unwrap().len(), EXCERPT_CHARS);
        assert_eq!(
            attempt.error.as_ref().unwrap().chars().count(),
            EXCERPT_CHARS
        );
    }
}
