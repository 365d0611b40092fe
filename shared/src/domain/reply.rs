//! What a reply says and what to do about it. Machine mail (bounces, complaints,
//! auto-replies) is recognised from its structure and headers first; a human reply is
//! classified from its new text only, so the quote of our own pitch never decides.

use super::bounce::BounceFormat;
use super::email::registrable_domain;
use super::inbound::{InboundMail, Report};
use super::reply_text::{any_phrase, dates, strip_quoted, urls, words};
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

pub use super::bounce::Bounce;

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
pub struct Classification {
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

const UNSUBSCRIBE: &[&str] = &[
    "unsubscribe",
    "remove me",
    "remove us",
    "take me off",
    "take us off",
    "stop emailing",
    "stop sending",
    "stop contacting",
    "stop writing",
    "do not contact",
    "don't contact",
    "do not email",
    "don't email",
    "opt out",
    "opt-out",
    "no more emails",
    "abmelden",
    "austragen",
    "désabonner",
    "désinscrire",
    "dar de baja",
    "darme de baja",
    "cancellami",
];
const NOT_INTERESTED: &[&str] = &[
    "not interested",
    "no longer interested",
    "no thanks",
    "no thank you",
    "not a fit",
    "not a good fit",
    "not the right fit",
    "don't accept",
    "do not accept",
    "not accepting",
    "don't do guest",
    "do not do guest",
    "don't publish",
    "do not publish",
    "we'll pass",
    "i'll pass",
    "we will pass",
    "pass on this",
    "have to decline",
    "must decline",
    "not for us",
    "kein interesse",
    "nicht interessiert",
    "pas intéressé",
    "pas intéressés",
    "no estamos interesados",
    "no me interesa",
    "non interessato",
    "niet geïnteresseerd",
];
const AGREED: &[&str] = &[
    "published",
    "is live",
    "now live",
    "went live",
    "it's live",
    "it is live",
    "added the link",
    "added your link",
    "link has been added",
    "link is added",
    "link is up",
    "have added",
    "i've added",
    "we've added",
    "placed the link",
    "here is the link",
    "here's the link",
    "happy to add",
    "will add",
    "we'll add",
    "i'll add",
    "will publish",
    "we'll publish",
    "can publish",
    "agreed",
    "deal",
    "we accept",
    "veröffentlicht",
    "publié",
    "publicado",
    "pubblicato",
];
const QUESTION: &[&str] = &[
    "how much",
    "what is your",
    "what's your",
    "what are your",
    "could you tell",
    "can you tell",
    "do you have",
    "would you",
    "price",
    "pricing",
    "rate",
    "rates",
    "fee",
    "cost",
    "budget",
    "which topic",
    "what topic",
    "wie viel",
    "combien",
    "cuánto",
];
const INTERESTED: &[&str] = &[
    "interested",
    "sounds good",
    "sounds great",
    "sounds interesting",
    "sure",
    "yes",
    "happy to",
    "glad to",
    "would love",
    "love to",
    "let's do",
    "go ahead",
    "send it over",
    "send over",
    "send me",
    "please send",
    "looks good",
    "great idea",
    "open to",
    "interessiert",
    "gerne",
    "intéressé",
    "avec plaisir",
    "interesado",
    "interesada",
    "me interesa",
    "interessato",
    "volentieri",
];
const OUT_OF_OFFICE: &[&str] = &[
    "out of office",
    "out of the office",
    "ooo",
    "away from",
    "on vacation",
    "on holiday",
    "on leave",
    "annual leave",
    "parental leave",
    "maternity leave",
    "limited access",
    "abwesend",
    "abwesenheit",
    "abwesenheitsnotiz",
    "nicht im büro",
    "außer haus",
    "urlaub",
    "absent",
    "absente",
    "en congé",
    "en vacances",
    "absence",
    "fuera de la oficina",
    "de vacaciones",
    "ausente",
    "fuori ufficio",
    "in ferie",
    "assente",
    "afwezig",
    "met vakantie",
    "niet op kantoor",
    "fora do escritório",
    "de férias",
];
const AUTO_SUBJECT: &[&str] = &[
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "automatische antwort",
    "réponse automatique",
    "respuesta automática",
    "risposta automatica",
    "automatisch antwoord",
    "resposta automática",
    "thank you for your email",
    "thanks for contacting",
    "we received your",
    "ticket",
    "request received",
];
/// Sentences automatic answers open with, when their headers do not say so.
const AUTO_BODY: &[&str] = &[
    "this is an automatic reply",
    "this is an automated reply",
    "this is an automated message",
    "this is an automatic message",
    "this is an auto-reply",
    "do not reply to this email",
    "dies ist eine automatische antwort",
    "dies ist eine automatisch generierte",
    "ceci est une réponse automatique",
    "ceci est un message automatique",
    "esta es una respuesta automática",
    "este es un mensaje automático",
    "questa è una risposta automatica",
    "dit is een automatisch antwoord",
    "esta é uma resposta automática",
];

/// A bounce, when the message is one (see [`super::bounce`]): a delivery report whose
/// recipients were all delivered is not.
fn bounce(mail: &InboundMail, ours: &[String]) -> Option<Bounce> {
    if super::bounce::dsn::only_successes(mail) {
        return None;
    }
    super::bounce::parse_bounce(mail, ours)
}

fn complaint(mail: &InboundMail) -> Option<Vec<String>> {
    match &mail.report {
        Some(Report::Feedback {
            feedback_type,
            recipients,
        }) if feedback_type != "not-spam" => Some(if recipients.is_empty() {
            mail.original_recipients.clone()
        } else {
            recipients.clone()
        }),
        _ => None,
    }
}

fn auto_submitted(mail: &InboundMail) -> bool {
    mail.machine_header("auto-submitted")
        .is_some_and(|v| !v.starts_with("no"))
        || mail.machine_header("x-autoreply").is_some()
        || mail.machine_header("x-autorespond").is_some()
        || mail
            .machine_header("precedence")
            .is_some_and(|v| matches!(v, "auto_reply" | "bulk" | "junk"))
}

/// The return date of an out-of-office message: the latest date it names that is not
/// before the message itself, nor more than a year after it.
pub fn return_date(text: &str, sent: NaiveDate) -> Option<NaiveDate> {
    let limit = sent.checked_add_signed(chrono::Duration::days(366))?;
    dates(text, sent)
        .into_iter()
        .filter(|d| *d >= sent && *d <= limit)
        .max()
}

/// URLs on the prospect's site: the likely placement of an agreed link.
fn placement(text: &str, prospect_domains: &[String]) -> Option<String> {
    urls(text).into_iter().find(|u| {
        url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .and_then(|h| registrable_domain(&h))
            .is_some_and(|d| {
                prospect_domains
                    .iter()
                    .any(|p| registrable_domain(p).as_deref() == Some(&d))
            })
    })
}

/// A class with the analysis the rules give it.
pub fn verdict(class: ReplyClass, confidence: f32) -> Classification {
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
    Classification {
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

/// Machine mail decided from structure: bounces, complaints, out-of-office and other
/// automatic replies. `ours` are our own mail domains (never a failed recipient).
pub fn classify_machine(mail: &InboundMail, ours: &[String]) -> Option<Classification> {
    if let Some(recipients) = complaint(mail) {
        return Some(Classification {
            complaint: Some(Complaint { recipients }),
            ..verdict(ReplyClass::Complaint, 0.99)
        });
    }
    if let Some(b) = bounce(mail, ours) {
        let class = if b.permanent {
            ReplyClass::BounceHard
        } else {
            ReplyClass::BounceSoft
        };
        let confidence = match b.format {
            Some(BounceFormat::Rfc3464) => 0.99,
            _ => 0.85,
        };
        return Some(Classification {
            bounce: Some(b),
            ..verdict(class, confidence)
        });
    }
    let subject = words(&mail.subject);
    let text = strip_quoted(&mail.text);
    let body = words(&text);
    let automatic = auto_submitted(mail)
        || any_phrase(&subject, AUTO_SUBJECT, false)
        || any_phrase(&body, AUTO_BODY, false);
    let away =
        any_phrase(&subject, OUT_OF_OFFICE, false) || any_phrase(&body, OUT_OF_OFFICE, false);
    if away && (automatic || any_phrase(&subject, OUT_OF_OFFICE, false)) {
        let sent = mail
            .date
            .map(|d| d.date_naive())
            .unwrap_or_else(|| chrono::Utc::now().date_naive());
        return Some(Classification {
            out_of_office: Some(OutOfOffice {
                return_date: return_date(&format!("{}\n{text}", mail.subject), sent),
            }),
            ..verdict(ReplyClass::OutOfOffice, 0.9)
        });
    }
    automatic.then(|| verdict(ReplyClass::AutoReply, 0.8))
}

/// A person's reply, from its new text. `prospect_domains` locate a placement URL.
pub fn classify_human(text: &str, prospect_domains: &[String]) -> Classification {
    let new_text = strip_quoted(text);
    let w = words(&new_text);
    let (class, confidence) = if any_phrase(&w, UNSUBSCRIBE, false) || w == ["stop"] {
        (ReplyClass::UnsubscribeRequest, 0.9)
    } else if any_phrase(&w, NOT_INTERESTED, false) {
        (ReplyClass::NotInterested, 0.85)
    } else if any_phrase(&w, AGREED, true) {
        (ReplyClass::Agreed, 0.8)
    } else if new_text.contains('?') || any_phrase(&w, QUESTION, true) {
        (ReplyClass::Question, 0.7)
    } else if any_phrase(&w, INTERESTED, true) {
        (ReplyClass::Interested, 0.75)
    } else {
        (ReplyClass::Other, 0.4)
    };
    let mut c = verdict(class, confidence);
    if class == ReplyClass::Agreed {
        c.placement_url = placement(&new_text, prospect_domains);
    }
    c
}

/// The whole deterministic classifier.
pub fn classify(
    mail: &InboundMail,
    ours: &[String],
    prospect_domains: &[String],
) -> Classification {
    classify_machine(mail, ours).unwrap_or_else(|| classify_human(&mail.text, prospect_domains))
}

/// The fields of a language model's verdict, checked: only a class people write (machine mail is decided by structure).
pub fn from_llm(
    answer: &serde_json::Value,
    text: &str,
    prospect_domains: &[String],
) -> Option<Classification> {
    let class =
        ReplyClass::parse(answer.get("classification")?.as_str()?).filter(|c| c.is_human())?;
    let pick = |name: &str| {
        answer
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let mut c = verdict(class, 0.0);
    c.classifier = "llm".into();
    c.confidence = answer
        .get("confidence")
        .and_then(|v| v.as_f64())
        .map_or(0.7, |v| v.clamp(0.0, 1.0) as f32);
    if let Some(s) = pick("sentiment").and_then(|s| serde_json::from_value(s.into()).ok()) {
        c.sentiment = s;
    }
    if let Some(u) = pick("urgency").and_then(|s| serde_json::from_value(s.into()).ok()) {
        c.urgency = u;
    }
    if let Some(i) = pick("intent") {
        c.intent = i.chars().take(100).collect();
    }
    if let Some(a) = pick("recommendedAction") {
        c.recommended_action = a.chars().take(100).collect();
    }
    c.suggested_reply = pick("suggestedReply").map(|r| r.chars().take(4000).collect());
    if class == ReplyClass::Agreed {
        c.placement_url = placement(&strip_quoted(text), prospect_domains);
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn human(text: &str) -> ReplyClass {
        classify_human(text, &["greenmag.org".into()]).classification
    }

    #[test]
    fn human_replies_by_their_new_text() {
        assert_eq!(human("Sounds good, send it over!"), ReplyClass::Interested);
        assert_eq!(human("Not interested, sorry."), ReplyClass::NotInterested);
        assert_eq!(human("How much do you charge?"), ReplyClass::Question);
        assert_eq!(
            human("Please unsubscribe me."),
            ReplyClass::UnsubscribeRequest
        );
        assert_eq!(human("STOP"), ReplyClass::UnsubscribeRequest);
        assert_eq!(
            human("We publish non-stop, all good here."),
            ReplyClass::Other
        );
        assert_eq!(human("Yesterday was busy."), ReplyClass::Other);
        assert_eq!(human("I'm not sure."), ReplyClass::Other);
        // The quoted pitch says "interested" and "unsubscribe"; only the new text counts.
        assert_eq!(
            human("No thanks.\n\nOn Mon, Jun 1, 2026, Sam wrote:\n> Interested? Unsubscribe here"),
            ReplyClass::NotInterested
        );
    }

    #[test]
    fn an_agreement_finds_the_placement_on_the_prospects_site() {
        let c = classify_human(
            "It's live: https://www.greenmag.org/blog/compost-guide. Also see https://other.com/x",
            &["greenmag.org".into()],
        );
        assert_eq!(c.classification, ReplyClass::Agreed);
        assert_eq!(
            c.placement_url.as_deref(),
            Some("https://www.greenmag.org/blog/compost-guide")
        );
    }

    fn mail(raw: &str) -> InboundMail {
        crate::domain::inbound::parse(raw.replace('\n', "\r\n").as_bytes()).unwrap()
    }

    #[test]
    fn exim_bounces_name_their_failures_in_a_header() {
        let m = mail(
            "From: Mail Delivery System <Mailer-Daemon@mx.host.org>\nTo: a@agency.com\n\
Subject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: gone@host.org\n\n\
This message was created automatically by mail delivery software.\n\n\
A message that you sent could not be delivered to one or more of its recipients. This is a permanent error.\n\n\
  gone@host.org\n    SMTP error from remote mail server after RCPT TO:<gone@host.org>:\n    550 5.1.1 <gone@host.org>: Recipient address rejected\n\n\
------ This is a copy of the message, including all the headers. ------\nFrom: a@agency.com\nTo: gone@host.org\n",
        );
        let c = classify(&m, &[], &[]);
        assert_eq!(c.classification, ReplyClass::BounceHard);
        let b = c.bounce.unwrap();
        assert_eq!(
            (b.recipients, b.status),
            (vec!["gone@host.org".to_string()], Some("5.1.1".to_string()))
        );
    }

    #[test]
    fn automatic_answers_are_known_by_their_body_too() {
        let m = mail(
            "From: info@shop.org\nTo: a@agency.com\nSubject: Re: hello\n\n\
Dies ist eine automatische Antwort. Wir melden uns innerhalb von 48 Stunden.\n",
        );
        assert_eq!(classify(&m, &[], &[]).classification, ReplyClass::AutoReply);
    }

    #[test]
    fn return_dates_far_away_or_at_the_end_of_time_are_ignored() {
        let sent = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(return_date("back 2030-01-01", sent), None);
        let end = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        assert_eq!(return_date("back on 31 December", end), Some(end));
    }

    #[test]
    fn any_charset_and_nested_multiparts() {
        let m = mail(
            "From: ivan@site.ru\nTo: a@agency.com\nSubject: Re\nMIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"outer\"\n\n--outer\nContent-Type: multipart/related; boundary=\"rel\"\n\n\
--rel\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\n\
Content-Type: text/plain; charset=windows-1251\nContent-Transfer-Encoding: base64\n\nzvfl7fwg6O3y5fDl8e3uLCBzb3VuZHMgZ29vZCE=\n\
--alt\nContent-Type: text/html; charset=utf-8\n\n<p>x</p>\n--alt--\n--rel--\n\
--outer\nContent-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--outer--\n",
        );
        assert_eq!(m.text.trim(), "Очень интересно, sounds good!");
        assert_eq!(
            classify(&m, &[], &[]).classification,
            ReplyClass::Interested
        );
    }

    #[test]
    fn truncated_and_corrupted_mail_never_panics() {
        let samples = [
            "From: a@b.org\r\nSubject: Re: x\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"q\"\r\n\r\n--q\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; g@b.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--q\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: <m@x>\r\n\r\nhi\r\n--q--\r\n",
            "From: =?utf-8?b?w6k=?= <a@b.org>\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<div>Yes =E2=80=99 until 12/13/2026<blockquote>On x wrote: <b>hi</b></blockquote></div>\r\n",
        ];
        for sample in samples {
            let bytes = sample.as_bytes();
            for cut in 0..bytes.len() {
                let mut raw = bytes[..cut].to_vec();
                if let Some(m) = crate::domain::inbound::parse(&raw) {
                    classify(&m, &[], &["b.org".into()]);
                }
                // A flipped byte in the middle of what is there.
                if !raw.is_empty() {
                    let at = raw.len() / 2;
                    raw[at] ^= 0xA5;
                    if let Some(m) = crate::domain::inbound::parse(&raw) {
                        classify(&m, &[], &[]);
                    }
                }
            }
        }
    }

    #[test]
    fn an_llm_answer_cannot_pick_a_machine_class() {
        let ok = serde_json::json!({"classification": "interested", "sentiment": "positive", "urgency": "high", "confidence": 0.9, "suggestedReply": "Great"});
        let c = from_llm(&ok, "", &[]).unwrap();
        assert_eq!(c.classification, ReplyClass::Interested);
        assert_eq!(c.classifier, "llm");
        let bad = serde_json::json!({"classification": "bounce_hard"});
        assert!(from_llm(&bad, "", &[]).is_none());
    }
}
