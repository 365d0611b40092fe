//! Directories as CSV, for `importDirectories`: one row a directory, columns named as the
//! JSON fields (any case). Lists are joined by `|` (`regions`, `sources`), `steps` is a JSON
//! array, booleans are true/false (yes/no, 1/0 too), and an empty cell is no value. A cell
//! that does not convert is passed on as text, so the row's check names its field.

use crate::app::AppError;
use serde_json::{Map, Value};

const COLUMNS: [&str; 15] = [
    "name",
    "url",
    "category",
    "subcategory",
    "domainRating",
    "linkType",
    "isFree",
    "isPaid",
    "paidPriceUsd",
    "regions",
    "difficulty",
    "estimatedMinutes",
    "steps",
    "sources",
    "isActive",
];

/// The CSV's rows as JSON objects, for the same check as JSON rows.
pub fn rows(text: &str) -> Result<Vec<Value>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader
        .headers()
        .map_err(|e| AppError::invalid("csv", format!("no header row: {e}")))?
        .clone();
    let mut columns = Vec::with_capacity(header.len());
    for name in header.iter() {
        let Some(column) = COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(name.trim())) else {
            return Err(AppError::invalid(
                "csv",
                format!(
                    "unknown column {name:?}; the columns are {}",
                    COLUMNS.join(", ")
                ),
            ));
        };
        columns.push(*column);
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| AppError::invalid("csv", format!("line {}: {e}", i + 2)))?;
        let mut row = Map::new();
        for (column, cell) in columns.iter().zip(record.iter()) {
            let cell = cell.trim();
            if !cell.is_empty() {
                row.insert((*column).to_string(), value(column, cell));
            }
        }
        rows.push(Value::Object(row));
    }
    Ok(rows)
}

fn value(column: &str, cell: &str) -> Value {
    let text = || Value::String(cell.to_string());
    match column {
        "regions" | "sources" => cell
            .split('|')
            .map(|p| Value::String(p.trim().to_string()))
            .collect(),
        "steps" => serde_json::from_str(cell).unwrap_or_else(|_| text()),
        "isFree" | "isPaid" | "isActive" => match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Value::Bool(true),
            "false" | "no" | "0" => Value::Bool(false),
            _ => text(),
        },
        "domainRating" | "estimatedMinutes" => {
            cell.parse::<u64>().map_or_else(|_| text(), Value::from)
        }
        "paidPriceUsd" => cell.parse::<f64>().map_or_else(|_| text(), Value::from),
        _ => text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_become_the_json_fields() {
        let csv = "Name,url,category,isFree,regions,difficulty,estimatedMinutes,steps\n\
            Places,https://places.example/,business_directory,yes,US|GLOBAL,easy,15,\"[{\"\"title\"\":\"\"Sign up\"\",\"\"description\"\":\"\"Make an account.\"\"}]\"\n\
            Bad,https://bad.example/,forum,maybe,,hard,ten,\n";
        let rows = rows(csv).unwrap();
        assert_eq!(rows[0]["regions"], json!(["US", "GLOBAL"]));
        assert_eq!(rows[0]["isFree"], true);
        assert_eq!(rows[0]["steps"][0]["title"], "Sign up");
        // Left as text, for the check to name.
        assert_eq!(rows[1]["isFree"], "maybe");
        assert_eq!(rows[1]["estimatedMinutes"], "ten");
        assert!(rows[1].get("regions").is_none());
    }

    #[test]
    fn an_unknown_column_is_named() {
        let err = rows("name,colour\nA,red\n").unwrap_err();
        assert!(format!("{err:?}").contains("colour"), "{err:?}");
    }
}
