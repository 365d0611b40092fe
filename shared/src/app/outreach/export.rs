//! CSV exports (RFC 4180), with every cell that a spreadsheet would read as a formula made
//! inert.

use super::emails::{self, EmailFilter};
use crate::app::backlinks::{self, BacklinkFilter};
use crate::app::paging::{ListPage, PageRequest};
use crate::app::replies::{self, ReplyFilter};
use crate::app::{App, AppError};
use crate::domain::ids::TenantId;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// The campaign's prospects (outreach backlinks).
    Leads,
    /// Every outreach email and its state.
    Attempts,
    /// Every inbound reply with its classification.
    Replies,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    #[param(inline)]
    pub kind: ExportKind,
    pub campaign_id: Option<String>,
}

/// Cells starting with `=`, `+`, `-`, `@`, tab, CR or NUL are prefixed with `'` so that no
/// spreadsheet evaluates them.
pub fn inert(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\0') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn write(header: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>, AppError> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::Unavailable(format!("csv: {e}"));
    out.write_record(header).map_err(fail)?;
    for row in rows {
        out.write_record(row.iter().map(|c| inert(c)))
            .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| AppError::Unavailable(format!("csv: {e}")))
}

/// Every page of a list.
async fn all<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, AppError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<ListPage<T>, AppError>>,
{
    let mut out = Vec::new();
    let mut page = PageRequest::first(200);
    loop {
        let list = fetch(page).await?;
        out.extend(list.items);
        match list.next_cursor {
            Some(cursor) => page = PageRequest::parse(Some(200), Some(&cursor))?,
            None => return Ok(out),
        }
    }
}

pub async fn export(
    app: &App,
    tenant: &TenantId,
    query: &ExportQuery,
) -> Result<Vec<u8>, AppError> {
    let opt = |v: Option<String>| v.unwrap_or_default();
    match query.kind {
        ExportKind::Leads => {
            let filter = BacklinkFilter {
                campaign_id: query.campaign_id.clone(),
                source_type: Some(crate::domain::backlink::SourceType::Outreach),
                ..Default::default()
            };
            let rows = all(|page| backlinks::list(app, tenant, &filter, page)).await?;
            let rows = rows
                .into_iter()
                .map(|b| {
                    vec![
                        b.source_domain.to_string(),
                        opt(b.source_url.map(|u| u.to_string())),
                        opt(b.contact_url.map(|u| u.to_string())),
                        opt(b.placement_url.map(|u| u.to_string())),
                        opt(b.recipient_email.map(|e| e.to_string())),
                        opt(b.recipient_name),
                        b.outreach_status.as_str().to_string(),
                        opt(b.relevance_score.map(|r| r.to_string())),
                        opt(b.campaign_id.map(|c| c.to_string())),
                        b.created_at.to_string(),
                    ]
                })
                .collect();
            write(
                &[
                    "sourceDomain",
                    "sourceUrl",
                    "contactUrl",
                    "placementUrl",
                    "recipientEmail",
                    "recipientName",
                    "outreachStatus",
                    "relevanceScore",
                    "campaignId",
                    "createdAt",
                ],
                rows,
            )
        }
        ExportKind::Attempts => {
            let filter = EmailFilter {
                campaign_id: query.campaign_id.clone(),
                ..Default::default()
            };
            let rows = all(|page| emails::list(app, tenant, &filter, page)).await?;
            let rows = rows
                .into_iter()
                .map(|e| {
                    vec![
                        e.id.to_string(),
                        e.campaign_id.to_string(),
                        e.recipient_email.to_string(),
                        e.subject,
                        e.status.as_str().to_string(),
                        opt(e.sent_at.map(|t| t.to_string())),
                        e.follow_ups_sent.to_string(),
                        e.block_reasons
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                        opt(e.last_error),
                    ]
                })
                .collect();
            write(
                &[
                    "emailId",
                    "campaignId",
                    "recipient",
                    "subject",
                    "status",
                    "sentAt",
                    "followUpsSent",
                    "blockReasons",
                    "lastError",
                ],
                rows,
            )
        }
        ExportKind::Replies => {
            let filter = ReplyFilter {
                campaign_id: query.campaign_id.clone(),
                ..Default::default()
            };
            let rows = all(|page| replies::list(app, tenant, &filter, page)).await?;
            let rows = rows
                .into_iter()
                .map(|r| {
                    let a = r.analysis;
                    vec![
                        r.received_at.to_string(),
                        opt(r.campaign_id.map(|c| c.to_string())),
                        opt(r.matched.as_ref().map(|m| m.email_id.to_string())),
                        r.from_email,
                        r.subject,
                        a.classification.as_str().to_string(),
                        a.classifier,
                        a.recommended_action,
                        opt(a.placement_url),
                        opt(a
                            .out_of_office
                            .and_then(|o| o.return_date)
                            .map(|d| d.to_string())),
                        opt(a.bounce.map(|b| b.recipients.join(" "))),
                        r.reviewed.to_string(),
                        r.reply_text,
                    ]
                })
                .collect();
            write(
                &[
                    "receivedAt",
                    "campaignId",
                    "emailId",
                    "from",
                    "subject",
                    "classification",
                    "classifier",
                    "recommendedAction",
                    "placementUrl",
                    "returnDate",
                    "bounceRecipients",
                    "reviewed",
                    "replyText",
                ],
                rows,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_made_inert_and_quoting_follows_rfc_4180() {
        for bad in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "\0x",
        ] {
            assert!(inert(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(inert("plain"), "plain");
        let csv = write(
            &["a", "b"],
            vec![vec!["=1+2".into(), "say \"hi\", ok".into()]],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "a,b\r\n'=1+2,\"say \"\"hi\"\", ok\"\r\n"
        );
    }
}
