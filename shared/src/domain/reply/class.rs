//! The classes a reply falls in, and the analysis each carries (seed 003: sentiment, intent,
//! urgency, what to do next).

use super::super::bounce::Bounce;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyClass {
    Interested,
    /// The link is placed or will be.
    Agreed,
    Question,
    NotInterested,
    UnsubscribeRequest,
    OutOfOffice,
    AutoReply,
    BounceHard,
    BounceSoft,
    Complaint,
    /// A person wrote, but not in a way the rules can place.
    Other,
}

impl ReplyClass {
    pub const ALL: [ReplyClass; 11] = [
        Self::Interested,
        Self::Agreed,
        Self::Question,
        Self::NotInterested,
        Self::UnsubscribeRequest,
        Self::OutOfOffice,
        Self::AutoReply,
        Self::BounceHard,
        Self::BounceSoft,
        Self::Complaint,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interested => "interested",
            Self::Agreed => "agreed",
            Self::Question => "question",
            Self::NotInterested => "not_interested",
            Self::UnsubscribeRequest => "unsubscribe_request",
            Self::OutOfOffice => "out_of_office",
            Self::AutoReply => "auto_reply",
            Self::BounceHard => "bounce_hard",
            Self::BounceSoft => "bounce_soft",
            Self::Complaint => "complaint",
            Self::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Written by a person (not a machine): it stops follow-ups for good.
    pub fn is_human(self) -> bool {
        matches!(
            self,
            Self::Interested
                | Self::Agreed
                | Self::Question
                | Self::NotInterested
                | Self::UnsubscribeRequest
                | Self::Other
        )
    }

    pub fn is_positive(self) -> bool {
        matches!(self, Self::Interested | Self::Agreed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Complaint {
    /// The addresses the complaint (an ARF report) names.
    pub recipients: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutOfOffice {
    pub return_date: Option<NaiveDate>,
}

/// A class with seed 003's analysis: sentiment, intent, urgency, what to do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplyAnalysis {
    pub classification: ReplyClass,
    pub sentiment: Sentiment,
    pub intent: String,
    pub urgency: Urgency,
    pub recommended_action: String,
    pub suggested_reply: Option<String>,
    /// 0 to 1.
    pub confidence: f32,
    /// What decided: `rules`, `llm`, `ses_feedback` or `user`.
    pub classifier: String,
    pub placement_url: Option<String>,
    pub out_of_office: Option<OutOfOffice>,
    pub bounce: Option<Bounce>,
    pub complaint: Option<Complaint>,
}

/// A class with the analysis the rules give it.
pub fn verdict(class: ReplyClass, confidence: f32) -> ReplyAnalysis {
    let (sentiment, intent, urgency, action, reply) = match class {
        ReplyClass::Interested => (
            Sentiment::Positive,
            "interested",
            Urgency::High,
            "send_pitch_details",
            Some("Thanks for getting back to me! Here are the details of what I had in mind."),
        ),
        ReplyClass::Agreed => (
            Sentiment::Positive,
            "agreed",
            Urgency::High,
            "verify_placement",
            Some("Thank you so much! I will check the link and confirm."),
        ),
        ReplyClass::Question => (
            Sentiment::Neutral,
            "question",
            Urgency::High,
            "answer_question",
            Some("Thanks for the question. Here is what you need to know."),
        ),
        ReplyClass::NotInterested => (
            Sentiment::Negative,
            "decline",
            Urgency::Low,
            "close_prospect",
            None,
        ),
        ReplyClass::UnsubscribeRequest => (
            Sentiment::Negative,
            "unsubscribe",
            Urgency::High,
            "suppress",
            None,
        ),
        ReplyClass::OutOfOffice => (
            Sentiment::Neutral,
            "out_of_office",
            Urgency::Low,
            "wait_for_return",
            None,
        ),
        ReplyClass::AutoReply => (Sentiment::Neutral, "auto_reply", Urgency::Low, "none", None),
        ReplyClass::BounceHard => (
            Sentiment::Neutral,
            "bounce",
            Urgency::Medium,
            "find_new_contact",
            None,
        ),
        ReplyClass::BounceSoft => (
            Sentiment::Neutral,
            "bounce",
            Urgency::Low,
            "retry_later",
            None,
        ),
        ReplyClass::Complaint => (
            Sentiment::Negative,
            "complaint",
            Urgency::High,
            "suppress",
            None,
        ),
        ReplyClass::Other => (
            Sentiment::Neutral,
            "unclear",
            Urgency::Medium,
            "read_and_respond",
            None,
        ),
    };
    ReplyAnalysis {
        classification: class,
        sentiment,
        intent: intent.into(),
        urgency,
        recommended_action: action.into(),
        suggested_reply: reply.map(str::to_string),
        confidence,
        classifier: "rules".into(),
        placement_url: None,
        out_of_office: None,
        bounce: None,
        complaint: None,
    }
}
