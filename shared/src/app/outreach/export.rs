//! CSV exports (RFC 4180), with every cell that a spreadsheet would read as a formula made
//! inert.

use super::emails::{self, EmailFilter};
use crate::app::backlinks::{self, BacklinkFilter};
use crate::app::paging::{ListPage, MAX_LIMIT, PageRequest};
use crate::app::replies::{self, ReplyFilter};
use crate::app::{App, AppError};
use crate::domain::backlink::{Backlink, SourceType};
use crate::domain::ids::TenantId;
use crate::domain::outreach::OutreachEmail;
use crate::domain::reply::Reply;
use crate::domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};

/// The media type of every export.
pub const CSV: &str = "text/csv; charset=utf-8";

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

impl ExportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Leads => "leads",
            ExportKind::Attempts => "attempts",
            ExportKind::Replies => "replies",
        }
    }
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    #[param(inline)]
    pub kind: ExportKind,
    pub campaign_id: Option<String>,
}

/// A cell whose first non-blank character is `=`, `+`, `-`, `@`, tab, CR or NUL is
/// prefixed with `'` so that no spreadsheet evaluates it: spreadsheets skip leading blanks
/// (spaces, line feeds), so `  =1+1` is as live as `=1+1`. Tab and CR count as triggers,
/// not blanks.
pub fn inert(cell: &str) -> String {
    let first = cell
        .chars()
        .find(|c| !c.is_whitespace() || matches!(c, '\t' | '\r'));
    match first {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\0') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The largest CSV answered in the response itself. Lambda refuses a response over 6 MB,
/// and API Gateway carries a CSV body base64-encoded in a JSON envelope (4/3 larger), so
/// about 4 MiB of CSV is what fits.
pub const INLINE_LIMIT: usize = 4 * 1024 * 1024;
/// How long a download link works.
pub const LINK_VALID_FOR: Duration = Duration::from_secs(15 * 60);

/// What an export answers: the file, or a link to it in the export store when it is too
/// large for a response.
pub enum Export {
    File(Vec<u8>),
    Link(ExportLink),
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportLink {
    /// Fetches the CSV without credentials until `expiresAt`.
    pub download_url: String,
    pub expires_at: Timestamp,
    /// The CSV's size in bytes.
    pub bytes: u64,
    /// Data rows, the header not counted.
    pub rows: u64,
}

/// The CSV being written: each page's rows are encoded as they arrive, so an export holds
/// its rows once, as CSV.
struct Sheet {
    out: csv::Writer<Vec<u8>>,
    rows: u64,
}

fn csv_failed(e: csv::Error) -> AppError {
    AppError::Internal(format!("csv: {e}"))
}

impl Sheet {
    fn new(header: &[&str]) -> Result<Self, AppError> {
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        out.write_record(header).map_err(csv_failed)?;
        Ok(Self { out, rows: 0 })
    }

    fn row<const N: usize>(&mut self, cells: [String; N]) -> Result<(), AppError> {
        self.rows += 1;
        self.out
            .write_record(cells.iter().map(|c| inert(c)))
            .map_err(csv_failed)
    }

    fn finish(self) -> Result<(Vec<u8>, u64), AppError> {
        let bytes = self
            .out
            .into_inner()
            .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
        Ok((bytes, self.rows))
    }
}

/// Every page of a list, each item handed to `each` as its page arrives.
async fn each_item<T, F, Fut>(
    mut fetch: F,
    mut each: impl FnMut(T) -> Result<(), AppError>,
) -> Result<(), AppError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<ListPage<T>, AppError>>,
{
    let mut page = PageRequest::first(MAX_LIMIT);
    loop {
        let list = fetch(page).await?;
        list.items.into_iter().try_for_each(&mut each)?;
        match list.next_cursor {
            Some(cursor) => page = PageRequest::parse(Some(MAX_LIMIT), Some(&cursor))?,
            None => return Ok(()),
        }
    }
}

fn opt(v: Option<impl ToString>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

const LEADS: [&str; 10] = [
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
];

fn lead(b: Backlink) -> [String; 10] {
    [
        b.source_domain.to_string(),
        opt(b.source_url),
        opt(b.contact_url),
        opt(b.placement_url),
        opt(b.recipient_email),
        opt(b.recipient_name),
        b.outreach_status.as_str().to_string(),
        opt(b.relevance_score),
        opt(b.campaign_id),
        b.created_at.to_string(),
    ]
}

const ATTEMPTS: [&str; 9] = [
    "emailId",
    "campaignId",
    "recipient",
    "subject",
    "status",
    "sentAt",
    "followUpsSent",
    "blockReasons",
    "lastError",
];

fn attempt(e: OutreachEmail) -> [String; 9] {
    let reasons: Vec<&str> = e.block_reasons.iter().map(|r| r.as_str()).collect();
    [
        e.id.to_string(),
        e.campaign_id.to_string(),
        e.recipient_email.to_string(),
        e.subject,
        e.status.as_str().to_string(),
        opt(e.sent_at),
        e.follow_ups_sent.to_string(),
        reasons.join(" "),
        opt(e.last_error),
    ]
}

const REPLIES: [&str; 13] = [
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
];

fn reply(r: Reply) -> [String; 13] {
    let a = r.analysis;
    [
        r.received_at.to_string(),
        opt(r.campaign_id),
        opt(r.matched.as_ref().map(|m| &m.email_id)),
        r.from_email,
        r.subject,
        a.classification.as_str().to_string(),
        a.classifier,
        a.recommended_action,
        opt(a.placement_url),
        opt(a.out_of_office.and_then(|o| o.return_date)),
        opt(a.bounce.map(|b| b.recipients.join(" "))),
        r.reviewed.to_string(),
        r.reply_text,
    ]
}

/// `exportCsv`: pages through the list, writing rows as they come; a file over
/// [`INLINE_LIMIT`] goes to the export store and is answered with a link.
pub async fn export(app: &App, tenant: &TenantId, query: &ExportQuery) -> Result<Export, AppError> {
    let campaign_id = query.campaign_id.clone();
    let sheet = match query.kind {
        ExportKind::Leads => {
            let filter = BacklinkFilter {
                campaign_id,
                source_type: Some(SourceType::Outreach),
                ..Default::default()
            };
            let mut sheet = Sheet::new(&LEADS)?;
            let list = |page| backlinks::list(app, tenant, &filter, page);
            each_item(list, |b| sheet.row(lead(b))).await?;
            sheet
        }
        ExportKind::Attempts => {
            let filter = EmailFilter {
                campaign_id,
                ..Default::default()
            };
            let mut sheet = Sheet::new(&ATTEMPTS)?;
            let list = |page| emails::list(app, tenant, &filter, page);
            each_item(list, |e| sheet.row(attempt(e))).await?;
            sheet
        }
        ExportKind::Replies => {
            let filter = ReplyFilter {
                campaign_id,
                ..Default::default()
            };
            let mut sheet = Sheet::new(&REPLIES)?;
            let list = |page| replies::list(app, tenant, &filter, page);
            each_item(list, |r| sheet.row(reply(r))).await?;
            sheet
        }
    };
    let (csv, rows) = sheet.finish()?;
    if csv.len() <= INLINE_LIMIT {
        return Ok(Export::File(csv));
    }
    let key = format!("{}-{}.csv", query.kind.as_str(), app.ids.next());
    let bytes = csv.len() as u64;
    app.exports.put(&key, CSV, csv).await?;
    let download_url = app.exports.link(&key, LINK_VALID_FOR).await?;
    Ok(Export::Link(ExportLink {
        download_url,
        expires_at: app
            .clock
            .now()
            .plus_seconds(LINK_VALID_FOR.as_secs() as i64),
        bytes,
        rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_made_inert_even_after_blanks() {
        for bad in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "\0x",
            "  =1+1",
            " \n@SUM(A1)",
            "\u{a0}-2",
            " \t",
        ] {
            assert!(inert(bad).starts_with('\''), "{bad:?}");
        }
        for fine in ["plain", "  plain = yes", "", "   ", "a-b", "x@y.org"] {
            assert_eq!(inert(fine), fine);
        }
    }

    #[test]
    fn rows_follow_rfc_4180() {
        let mut sheet = Sheet::new(&["a", "b"]).unwrap();
        sheet
            .row(["=1+2".to_string(), "say \"hi\", ok".to_string()])
            .unwrap();
        let (csv, rows) = sheet.finish().unwrap();
        assert_eq!(rows, 1);
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "a,b\r\n'=1+2,\"say \"\"hi\"\", ok\"\r\n"
        );
    }
}
