//! Every list is paginated: `limit` and an opaque `cursor` in, `items` and `nextCursor` out.
//! A `nextCursor` is given only when more items follow.

use super::AppError;
use crate::ports::table::{Cursor, Item, Query, Table};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
/// Most items a filtered list examines per request; past it, the page ends early with a
/// cursor so a sparse filter cannot turn one request into a scan.
const MAX_EXAMINED: usize = 2_000;

#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    pub fn parse(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, AppError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let cursor = cursor.map(decode_cursor).transpose()?;
        Ok(Self { limit, cursor })
    }

    pub fn first(limit: u32) -> Self {
        Self {
            limit,
            cursor: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub fn encode_cursor(cursor: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}

pub fn decode_cursor(text: &str) -> Result<Cursor, AppError> {
    let bad = || AppError::invalid("cursor", "is not a cursor this API issued");
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

/// Runs `query` from the page's cursor, keeping the items `keep` maps to Some, until the
/// page is full. One extra item is read to know whether another page follows.
pub async fn list<T>(
    table: &dyn Table,
    query: Query,
    page: PageRequest,
    mut keep: impl FnMut(Item) -> Result<Option<T>, AppError>,
) -> Result<ListPage<T>, AppError> {
    let index = query.index;
    let want = page.limit as usize;
    let mut kept: Vec<(T, Cursor)> = Vec::with_capacity(want + 1);
    let mut next = page.cursor;
    let mut examined = 0usize;
    loop {
        let need = (want + 1 - kept.len()) as u32;
        let batch = query.clone().limit(need.max(25)).start_after(next.take());
        let result = table.query(batch).await?;
        let mut last_seen = None;
        for item in result.items {
            examined += 1;
            let position = Cursor::after(index, &item);
            last_seen = position.clone();
            if let Some(value) = keep(item)? {
                let position = position
                    .ok_or_else(|| AppError::Unavailable("item without its index keys".into()))?;
                kept.push((value, position));
                if kept.len() > want {
                    break;
                }
            }
        }
        if kept.len() > want {
            kept.truncate(want);
            let next_cursor = kept.last().map(|(_, c)| encode_cursor(c));
            return Ok(ListPage {
                items: kept.into_iter().map(|(v, _)| v).collect(),
                next_cursor,
            });
        }
        match result.next {
            None => break,
            Some(cursor) if examined >= MAX_EXAMINED => {
                // Resume after the last item examined, kept or not.
                let resume = last_seen.unwrap_or(cursor);
                return Ok(ListPage {
                    items: kept.into_iter().map(|(v, _)| v).collect(),
                    next_cursor: Some(encode_cursor(&resume)),
                });
            }
            Some(cursor) => next = Some(cursor),
        }
    }
    Ok(ListPage {
        items: kept.into_iter().map(|(v, _)| v).collect(),
        next_cursor: None,
    })
}
