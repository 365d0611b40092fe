//! The counters a campaign keeps (its STATS item and one item per day), named once so that
//! the writers and the analytics that read them back agree.

use super::audit::BlockReason;
use crate::domain::reply::ReplyClass;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    TotalEmails,
    Drafted,
    Approved,
    Sent,
    FollowUpsSent,
    Skipped,
    Failed,
    NeedsReview,
    Bounced,
    /// Sends refused for good, by the reason that decided.
    Blocked(BlockReason),
    /// Sends put off to another day, by the cap that was full.
    Deferred(BlockReason),
    Replies,
    PositiveReplies,
    NegativeReplies,
    /// Out-of-office and other automatic answers.
    AutoReplies,
    Reply(ReplyClass),
    /// Backlinks in the campaign.
    Prospects,
    /// Backlinks of the campaign that are published.
    LinksWon,
}

const BLOCKED: &str = "blocked_";
const DEFERRED: &str = "deferred_";
const REPLY: &str = "reply_";

impl Counter {
    const PLAIN: [(Counter, &'static str); 15] = [
        (Counter::TotalEmails, "totalEmails"),
        (Counter::Drafted, "drafted"),
        (Counter::Approved, "approved"),
        (Counter::Sent, "sent"),
        (Counter::FollowUpsSent, "followUpsSent"),
        (Counter::Skipped, "skipped"),
        (Counter::Failed, "failed"),
        (Counter::NeedsReview, "needsReview"),
        (Counter::Bounced, "bounced"),
        (Counter::Replies, "replies"),
        (Counter::PositiveReplies, "positiveReplies"),
        (Counter::NegativeReplies, "negativeReplies"),
        (Counter::AutoReplies, "autoReplies"),
        (Counter::Prospects, "prospects"),
        (Counter::LinksWon, "linksWon"),
    ];

    /// The attribute the counter is stored under.
    pub fn attr(self) -> String {
        match self {
            Counter::Blocked(r) => format!("{BLOCKED}{}", r.as_str()),
            Counter::Deferred(r) => format!("{DEFERRED}{}", r.as_str()),
            Counter::Reply(c) => format!("{REPLY}{}", c.as_str()),
            plain => Self::PLAIN
                .iter()
                .find(|(c, _)| *c == plain)
                .map(|(_, name)| (*name).to_string())
                .unwrap_or_default(),
        }
    }

    /// The counter stored under an attribute; `None` for any other attribute.
    pub fn parse(attr: &str) -> Option<Counter> {
        if let Some(reason) = attr.strip_prefix(BLOCKED) {
            return BlockReason::parse(reason).map(Counter::Blocked);
        }
        if let Some(reason) = attr.strip_prefix(DEFERRED) {
            return BlockReason::parse(reason).map(Counter::Deferred);
        }
        if let Some(class) = attr.strip_prefix(REPLY) {
            return ReplyClass::parse(class).map(Counter::Reply);
        }
        Self::PLAIN
            .iter()
            .find(|(_, name)| *name == attr)
            .map(|(c, _)| *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counter_reads_back_from_its_attribute() {
        let mut all: Vec<Counter> = Counter::PLAIN.iter().map(|(c, _)| *c).collect();
        all.extend(BlockReason::ALL.map(Counter::Blocked));
        all.extend(BlockReason::ALL.map(Counter::Deferred));
        all.extend(ReplyClass::ALL.map(Counter::Reply));
        for c in all {
            assert_eq!(Counter::parse(&c.attr()), Some(c), "{}", c.attr());
        }
        assert_eq!(Counter::parse("version"), None);
        assert_eq!(Counter::parse("blocked_nonsense"), None);
    }
}
