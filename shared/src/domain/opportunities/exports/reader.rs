//! The streaming reader: text from `decode`, the header found in the first lines, then one
//! CSV record at a time through `rows`. Memory stays at a few buffers whatever the file's
//! size.

use super::decode::{TextReader, TooLarge};
use super::formats::{self, Layout};
use super::{
    ColumnUse, ExportError, ExportFormat, ExportOptions, ExportRow, ExportSummary, RowError, cells,
    rows,
};
use ::csv::{ErrorKind, Reader, ReaderBuilder, StringRecord, Terminator};
use std::collections::VecDeque;
use std::io::{Chain, Cursor, Read};

/// How much of the start is searched for the header row.
const HEAD_BYTES: usize = 64 * 1024;
/// Bytes of a file that always hold its header's search: `HEAD_BYTES` of text, at two bytes
/// a character in UTF-16, with room over. Enough to tell the format without the rest.
pub const FORMAT_BYTES: usize = 4 * HEAD_BYTES;
const HEAD_LINES: usize = 30;
const DELIMITERS: [u8; 3] = [b'\t', b';', b','];

/// The head already read, the rest of the text, and a final newline so that every record
/// ends in one (see `ExportReader::line`).
type Text<R> = Chain<Chain<Cursor<Vec<u8>>, TextReader<R>>, &'static [u8]>;

/// Rows of one export, in file order. Iterating yields `ExportError::BadRow` for a row that
/// cannot be read and goes on; any other error ends the stream.
pub struct ExportReader<R: Read> {
    records: Reader<Text<R>>,
    layout: Layout,
    record: StringRecord,
    /// Lines before the first data line (preamble and header).
    lines_before: u64,
    /// The rows of a record that stands for several (one per linked target).
    pending: VecDeque<ExportRow>,
    max_bytes: u64,
    ended: bool,
}

impl<R: Read> ExportReader<R> {
    /// Reads up to the header and tells the format; fails with `UnknownFormat` (listing the
    /// formats known), `NotText`, `Empty` or `TooLarge`.
    pub fn new(input: R) -> Result<Self, ExportError> {
        Self::with_options(input, &ExportOptions::default())
    }

    pub fn with_options(input: R, options: &ExportOptions) -> Result<Self, ExportError> {
        let mut text = TextReader::new(input, options.max_bytes)?;
        let head = read_head(&mut text, options.max_bytes)?;
        let Header {
            layout,
            delimiter,
            data_at,
            lines_before,
        } = find_header(&head).ok_or_else(ExportError::unknown_format)?;
        let rest = Cursor::new(head[data_at..].to_vec());
        let records = ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            // '\n' alone ends a record, so that it is counted with the record it ends; the
            // '\r' of a CRLF stays on the last cell and is trimmed with the rest.
            .terminator(Terminator::Any(b'\n'))
            .buffer_capacity(HEAD_BYTES)
            .from_reader(rest.chain(text).chain(&b"\n"[..]));
        Ok(Self {
            records,
            layout,
            record: StringRecord::new(),
            lines_before,
            pending: VecDeque::new(),
            max_bytes: options.max_bytes,
            ended: false,
        })
    }

    pub fn format(&self) -> ExportFormat {
        self.layout.format
    }

    /// The header variant read, e.g. "Ahrefs backlinks, Site Explorer v3 (2022-)".
    pub fn layout(&self) -> &'static str {
        self.layout.name
    }

    /// Which column fed which field.
    pub fn mapping(&self) -> Vec<ColumnUse> {
        self.layout.mapping()
    }

    /// The line the record just read starts on. The CSV reader's own record position is
    /// taken before blank lines are skipped, so it is counted back from where the record
    /// ended: past its final newline, less the newlines quoted inside it.
    fn line(&self) -> u64 {
        let end = self.records.position().line();
        let inside = self
            .record
            .as_slice()
            .bytes()
            .filter(|&b| b == b'\n')
            .count() as u64;
        self.lines_before + end.saturating_sub(1 + inside)
    }

    fn fatal(&mut self, error: ExportError) -> Option<Result<ExportRow, ExportError>> {
        self.ended = true;
        Some(Err(error))
    }
}

impl<R: Read> Iterator for ExportReader<R> {
    type Item = Result<ExportRow, ExportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.pending.pop_front() {
                return Some(Ok(row));
            }
            if self.ended {
                return None;
            }
            match self.records.read_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.ended = true;
                    return None;
                }
                Err(e) => {
                    if let ErrorKind::Io(io) = e.kind() {
                        let error = match io.get_ref() {
                            Some(inner) if inner.is::<TooLarge>() => ExportError::TooLarge {
                                limit: self.max_bytes,
                            },
                            _ => ExportError::Read(io.to_string()),
                        };
                        return self.fatal(error);
                    }
                    // Bytes that are not UTF-8 in a file that began as UTF-8: this row only.
                    return Some(Err(ExportError::BadRow(RowError {
                        line: self.line(),
                        column: None,
                        reason: "is not UTF-8 text; save the file as UTF-8".into(),
                    })));
                }
            }
            if self.record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let line = self.line();
            if let Err(e) = rows::read_record(&self.layout, &self.record, line, &mut self.pending) {
                return Some(Err(ExportError::BadRow(e)));
            }
        }
    }
}

/// Reads every row into `on_row`, keeping the first `max_reported_errors` bad rows and
/// counting the rest. Fails only when the file as a whole cannot be read.
pub fn read_export<R: Read>(
    input: R,
    options: &ExportOptions,
    mut on_row: impl FnMut(ExportRow),
) -> Result<ExportSummary, ExportError> {
    let mut reader = ExportReader::with_options(input, options)?;
    let mut summary = ExportSummary {
        format: reader.format(),
        layout: reader.layout(),
        mapping: reader.mapping(),
        rows: 0,
        bad_rows: 0,
        errors: Vec::new(),
    };
    for item in &mut reader {
        match item {
            Ok(row) => {
                summary.rows += 1;
                on_row(row);
            }
            Err(ExportError::BadRow(e)) => {
                summary.bad_rows += 1;
                if summary.errors.len() < options.max_reported_errors {
                    summary.errors.push(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(summary)
}

/// The first `HEAD_BYTES` of text, or all of it.
fn read_head<R: Read>(text: &mut TextReader<R>, max_bytes: u64) -> Result<Vec<u8>, ExportError> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    text.by_ref()
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| match e.get_ref() {
            Some(inner) if inner.is::<TooLarge>() => ExportError::TooLarge { limit: max_bytes },
            _ => ExportError::Read(e.to_string()),
        })?;
    Ok(head)
}

struct Header {
    layout: Layout,
    delimiter: u8,
    /// Where the data starts in the head.
    data_at: usize,
    lines_before: u64,
}

/// The header row among the first lines (past a preamble such as Moz's): the tools' headers
/// first, then a plain list's header or, failing that, a headerless list.
fn find_header(head: &[u8]) -> Option<Header> {
    let mut lines = Vec::new();
    let mut at = 0;
    while lines.len() < HEAD_LINES && at < head.len() {
        let Some(end) = head[at..].iter().position(|&b| b == b'\n') else {
            // The last line is whole only when the head is the whole file.
            if head.len() < HEAD_BYTES {
                lines.push((at, head.len()));
            }
            break;
        };
        lines.push((at, at + end + 1));
        at += end + 1;
    }
    let text = |(start, end): (usize, usize)| String::from_utf8_lossy(&head[start..end]);
    for (i, &span) in lines.iter().enumerate() {
        let line = text(span);
        for delimiter in DELIMITERS {
            let names = split(&line, delimiter);
            if let Some(layout) = formats::detect(&names, false) {
                return Some(Header {
                    layout,
                    delimiter,
                    data_at: span.1,
                    lines_before: i as u64 + 1,
                });
            }
        }
    }
    let (i, &span) = lines
        .iter()
        .enumerate()
        .find(|(_, span)| !text(**span).trim().is_empty())?;
    let line = text(span);
    // The delimiter the line has most of; ties (one column) go to the comma.
    let delimiter = DELIMITERS
        .into_iter()
        .rev()
        .max_by_key(|&d| line.bytes().filter(|&b| b == d).count())?;
    let names = split(&line, delimiter);
    if let Some(layout) = formats::detect(&names, true) {
        return Some(Header {
            layout,
            delimiter,
            data_at: span.1,
            lines_before: i as u64 + 1,
        });
    }
    let first = names.first()?;
    cells::site(first).ok()?;
    Some(Header {
        layout: Layout::bare_list(),
        delimiter,
        data_at: span.0,
        lines_before: i as u64,
    })
}

/// One line's cells, trimmed (quoted cells unquoted).
fn split(line: &str, delimiter: u8) -> Vec<String> {
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    let mut record = StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(|c| c.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}
