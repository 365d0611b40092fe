//! Classifying a message. Machine mail (bounces, complaints, auto-replies) is recognised
//! from its structure and headers first; a human reply is classified from its new text
//! only, so the quote of our own pitch never decides.

use super::class::{Complaint, OutOfOffice, ReplyAnalysis, ReplyClass, verdict};
use super::phrases::*;
use super::text::{any_phrase, dates, strip_quoted, urls, words};
use crate::domain::bounce::{self, Bounce, BounceFormat};
use crate::domain::email::registrable_domain;
use crate::domain::inbound::{InboundMail, Report};
use chrono::NaiveDate;

/// A bounce, when the message is one (see [`bounce`]): a delivery report whose
/// recipients were all delivered is not.
fn bounce(mail: &InboundMail, ours: &[String]) -> Option<Bounce> {
    if bounce::dsn::only_successes(mail) {
        return None;
    }
    bounce::parse_bounce(mail, ours)
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

/// Machine mail decided from structure: bounces, complaints, out-of-office and other
/// automatic replies. `ours` are our own mail domains (never a failed recipient);
/// `received` dates an out-of-office message that carries no date of its own.
pub fn classify_machine(
    mail: &InboundMail,
    ours: &[String],
    received: NaiveDate,
) -> Option<ReplyAnalysis> {
    if let Some(recipients) = complaint(mail) {
        return Some(ReplyAnalysis {
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
        return Some(ReplyAnalysis {
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
        let sent = mail.date.map_or(received, |d| d.date_naive());
        return Some(ReplyAnalysis {
            out_of_office: Some(OutOfOffice {
                return_date: return_date(&format!("{}\n{text}", mail.subject), sent),
            }),
            ..verdict(ReplyClass::OutOfOffice, 0.9)
        });
    }
    automatic.then(|| verdict(ReplyClass::AutoReply, 0.8))
}

/// A person's reply, from its new text. `prospect_domains` locate a placement URL.
pub fn classify_human(text: &str, prospect_domains: &[String]) -> ReplyAnalysis {
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
    received: NaiveDate,
) -> ReplyAnalysis {
    classify_machine(mail, ours, received)
        .unwrap_or_else(|| classify_human(&mail.text, prospect_domains))
}

/// The fields of a language model's verdict, checked: only a class people write (machine mail is decided by structure).
pub fn from_llm(
    answer: &serde_json::Value,
    text: &str,
    prospect_domains: &[String],
) -> Option<ReplyAnalysis> {
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

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn an_undated_out_of_office_counts_from_the_day_it_was_received() {
        let m = mail(
            "From: sam@shop.org\nTo: a@agency.com\nSubject: Out of office\nAuto-Submitted: auto-replied\n\n\
I am out of the office until 5 January.\n",
        );
        let received = NaiveDate::from_ymd_opt(2019, 12, 20).unwrap();
        let c = classify(&m, &[], &[], received);
        assert_eq!(c.classification, ReplyClass::OutOfOffice);
        assert_eq!(
            c.out_of_office.unwrap().return_date,
            NaiveDate::from_ymd_opt(2020, 1, 5)
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
        let c = classify(&m, &[], &[], day());
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
        assert_eq!(
            classify(&m, &[], &[], day()).classification,
            ReplyClass::AutoReply
        );
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
            classify(&m, &[], &[], day()).classification,
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
                    classify(&m, &[], &["b.org".into()], day());
                }
                // A flipped byte in the middle of what is there.
                if !raw.is_empty() {
                    let at = raw.len() / 2;
                    raw[at] ^= 0xA5;
                    if let Some(m) = crate::domain::inbound::parse(&raw) {
                        classify(&m, &[], &[], day());
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
