//! One record of an export, normalised: the cells its layout names, read by `cells`. The
//! first cell that cannot be read fails the row, naming its column.

use super::formats::{Field, Layout};
use super::{Authority, ExportRow, Placement, Rel, RowError, cells};
use ::csv::StringRecord;
use chrono::NaiveDate;
use std::collections::VecDeque;

/// A record with the layout that reads it.
struct Cells<'a> {
    layout: &'a Layout,
    record: &'a StringRecord,
    line: u64,
}

impl<'a> Cells<'a> {
    fn fail(&self, column: usize, reason: String) -> RowError {
        RowError {
            line: self.line,
            column: self.layout.names.get(column).cloned(),
            reason,
        }
    }

    /// The field's column and trimmed cell, when the layout has it (a short row's missing
    /// cells are empty).
    fn cell(&self, field: Field) -> Option<(usize, &'a str)> {
        let column = self.layout.column(field)?;
        Some((column, self.record.get(column).unwrap_or_default().trim()))
    }

    /// The field's value; `None` when the layout lacks it or the cell is empty.
    fn read<T>(
        &self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, RowError> {
        match self.cell(field) {
            Some((column, text)) if !text.is_empty() => {
                parse(text).map(Some).map_err(|e| self.fail(column, e))
            }
            _ => Ok(None),
        }
    }

    fn date(&self, field: Field) -> Result<Option<NaiveDate>, RowError> {
        self.read(field, cells::date)
    }

    fn flag(&self, field: Field) -> Result<bool, RowError> {
        Ok(self.read(field, cells::flag)?.unwrap_or(false))
    }

    /// The referring page and domain: a URL column when the report has one, else a site.
    fn referrer(&self) -> Result<(Option<String>, String), RowError> {
        if let Some(page) = self.read(Field::ReferringUrl, cells::page_url)? {
            return Ok((Some(page.0), page.1));
        }
        if let Some(site) = self.read(Field::ReferringSite, cells::site)? {
            return Ok(site);
        }
        let column = self
            .layout
            .column(Field::ReferringUrl)
            .or(self.layout.column(Field::ReferringSite));
        Err(RowError {
            line: self.line,
            column: column.and_then(|c| self.layout.names.get(c).cloned()),
            reason: "is empty: a row needs its referring page or domain".into(),
        })
    }

    /// Rel attributes, when the report has any of their columns.
    fn rel(&self) -> Result<Option<Rel>, RowError> {
        use Field::{Follow, Nofollow, RelWords, Sponsored, Ugc};
        if [Nofollow, Follow, Ugc, Sponsored, RelWords]
            .iter()
            .all(|f| self.layout.column(*f).is_none())
        {
            return Ok(None);
        }
        let words = self.read(RelWords, |t| Ok(cells::rel_words(t)))?;
        let words = words.unwrap_or_default();
        let unfollowed = self.cell(Follow).is_some() && !self.flag(Follow)?;
        Ok(Some(Rel {
            nofollow: words.nofollow || unfollowed || self.flag(Nofollow)?,
            ugc: words.ugc || self.flag(Ugc)?,
            sponsored: words.sponsored || self.flag(Sponsored)?,
        }))
    }

    fn placement(&self) -> Result<Option<Placement>, RowError> {
        if self.flag(Field::Sitewide)? {
            return Ok(Some(Placement::Sitewide));
        }
        Ok(self.read(Field::Content, cells::flag)?.map(|content| {
            if content {
                Placement::Content
            } else {
                Placement::Other
            }
        }))
    }
}

/// Reads `record` into `out`: one row, or one per linked target of an intersect report.
pub(super) fn read_record(
    layout: &Layout,
    record: &StringRecord,
    line: u64,
    out: &mut VecDeque<ExportRow>,
) -> Result<(), RowError> {
    let cells = Cells {
        layout,
        record,
        line,
    };
    let (referring_url, referring_domain) = cells.referrer()?;
    let target = cells.read(Field::TargetUrl, cells::page_url)?;
    let authority = match layout.metric {
        Some(metric) => cells
            .read(Field::Authority, cells::score)?
            .map(|score| Authority { metric, score }),
        None => None,
    };
    let traffic = match cells.read(Field::Traffic, cells::count)? {
        Some(traffic) => Some(traffic),
        None => cells.read(Field::PageTraffic, cells::count)?,
    };
    let rel = cells.rel()?;
    let lost_on = cells.date(Field::LostOn)?;
    let lost_status = cells
        .cell(Field::LostStatus)
        .is_some_and(|(_, s)| !s.is_empty());
    let counted = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let row = ExportRow {
        line,
        referring_url,
        referring_domain,
        target_domain: target.as_ref().map(|t| t.1.clone()),
        target_url: target.map(|t| t.0),
        anchor: cells
            .cell(Field::Anchor)
            .map(|(_, a)| a)
            .filter(|a| !a.is_empty())
            .map(str::to_string),
        authority,
        traffic,
        links: cells.read(Field::Links, cells::count)?.map_or(1, counted),
        dofollow_links: match cells.read(Field::DofollowLinks, cells::count)? {
            Some(n) => Some(counted(n)),
            None => rel.map(|r| u32::from(r.is_dofollow())),
        },
        rel,
        placement: cells.placement()?,
        first_seen: cells.date(Field::FirstSeen)?,
        last_seen: cells.date(Field::LastSeen)?,
        lost: lost_on.is_some() || lost_status || cells.flag(Field::LostFlag)?,
        lost_on,
    };
    if layout.targets.is_empty() {
        out.push_back(row);
        return Ok(());
    }
    let before = out.len();
    for (column, domain) in &layout.targets {
        let text = record.get(*column).unwrap_or_default().trim();
        // A count of links, or a mark (a URL, a tick) standing for at least one.
        let (links, target_url) = match cells::count(text) {
            Ok(0) => continue,
            Ok(n) => (counted(n), None),
            Err(_) if matches!(text, "" | "-") => continue,
            Err(_) if text.contains("://") => (1, cells::page_url(text).ok().map(|t| t.0)),
            Err(_) => (1, None),
        };
        out.push_back(ExportRow {
            target_domain: Some(domain.clone()),
            target_url,
            links,
            ..row.clone()
        });
    }
    if out.len() == before {
        out.push_back(row);
    }
    Ok(())
}
