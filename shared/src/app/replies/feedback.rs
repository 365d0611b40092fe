//! SES bounce and complaint notifications (through SNS): the same verdicts and effects as
//! a bounce or complaint that arrives by mail, matched through our Message-ID or the
//! recipient's address.

use super::ingest::{Ingested, receive};
use crate::app::{App, AppError};
use crate::domain::bounce::{BounceFormat, ses};
use crate::domain::inbound::InboundMail;
use crate::domain::reply::{Bounce, Complaint, ReplyClass, verdict};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: String,
    status: Option<String>,
    action: Option<String>,
    diagnostic_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BounceInfo {
    bounce_type: String,
    #[serde(default)]
    bounce_sub_type: String,
    #[serde(default)]
    bounced_recipients: Vec<Recipient>,
    feedback_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ComplaintInfo {
    #[serde(default)]
    complained_recipients: Vec<Recipient>,
    feedback_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommonHeaders {
    message_id: Option<String>,
    subject: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    name: String,
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MailInfo {
    message_id: String,
    #[serde(default)]
    common_headers: CommonHeaders,
    #[serde(default)]
    headers: Vec<Header>,
}

/// An SES notification: `notificationType` from identity notifications, `eventType`
/// from configuration-set event publishing.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    notification_type: Option<String>,
    event_type: Option<String>,
    bounce: Option<BounceInfo>,
    complaint: Option<ComplaintInfo>,
    mail: MailInfo,
}

fn lower(list: &[Recipient]) -> Vec<String> {
    list.iter()
        .map(|r| r.email_address.trim().to_ascii_lowercase())
        .collect()
}

/// Handles one notification (the SNS message body). Deliveries and other kinds are
/// acknowledged and ignored.
pub async fn handle(app: &App, body: &str) -> Result<Option<Ingested>, AppError> {
    let n: Notification = serde_json::from_str(body)
        .map_err(|e| AppError::invalid("message", format!("not an SES notification: {e}")))?;
    let kind = n
        .notification_type
        .or(n.event_type)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let (classification, recipients, feedback_id) = match (kind.as_str(), n.bounce, n.complaint) {
        ("bounce", Some(b), _) => {
            let recipients = lower(&b.bounced_recipients);
            // Each recipient's status and diagnostic first, then the bounce type: the same
            // per-recipient verdict as the same bounce arriving by mail.
            let failures = b
                .bounced_recipients
                .iter()
                .map(|r| {
                    ses::recipient(
                        &r.email_address,
                        &b.bounce_type,
                        &b.bounce_sub_type,
                        r.status.as_deref(),
                        r.diagnostic_code.as_deref(),
                        r.action.as_deref(),
                    )
                })
                .collect();
            let Some(bounce) = Bounce::from_failures(BounceFormat::SesNotification, failures)
            else {
                return Ok(None);
            };
            let class = if bounce.permanent {
                ReplyClass::BounceHard
            } else {
                ReplyClass::BounceSoft
            };
            let mut c = verdict(class, 1.0);
            c.bounce = Some(bounce);
            (c, recipients, b.feedback_id)
        }
        ("complaint", _, Some(k)) => {
            let recipients = lower(&k.complained_recipients);
            let mut c = verdict(ReplyClass::Complaint, 1.0);
            c.complaint = Some(Complaint {
                recipients: recipients.clone(),
            });
            (c, recipients, k.feedback_id)
        }
        _ => return Ok(None),
    };
    let ours = n.mail.common_headers.message_id.clone().or_else(|| {
        n.mail
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("message-id"))
            .map(|h| h.value.clone())
    });
    let feedback_id = feedback_id.unwrap_or_else(|| format!("{kind}-{}", n.mail.message_id));
    let mail = InboundMail {
        message_id: Some(format!("ses-feedback-{feedback_id}")),
        from: Some("ses-feedback@amazonses.com".into()),
        from_name: Some("Amazon SES".into()),
        subject: format!(
            "SES {kind}: {}",
            n.mail.common_headers.subject.unwrap_or_default()
        ),
        text: format!("SES reported a {kind} for {}.", recipients.join(", ")),
        original_message_ids: ours
            .map(|id| id.trim().trim_matches(['<', '>']).to_string())
            .into_iter()
            .collect(),
        original_recipients: recipients,
        ..Default::default()
    };
    let classification = crate::domain::reply::ReplyAnalysis {
        classifier: "ses_feedback".into(),
        ..classification
    };
    receive(app, mail, &[], None, Some(classification), &feedback_id)
        .await
        .map(Some)
}
