//! Free text from users: trimmed, bounded, and free of control characters that could end
//! up in headers, CSV files or logs.

use super::FieldError;

fn count_ok(value: &str, max_chars: usize) -> Result<(), FieldError> {
    let chars = value.chars().count();
    if chars > max_chars {
        return Err(FieldError::new(
            "",
            format!("must be at most {max_chars} characters (got {chars})"),
        ));
    }
    Ok(())
}

/// A non-empty single line: no CR, LF or other control characters.
pub fn single_line(value: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new("", "must not be empty"));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            "",
            "must be a single line without control characters",
        ));
    }
    count_ok(value, max_chars)?;
    Ok(value.to_string())
}

/// Text that may span lines (tabs and newlines allowed, other control characters not).
/// Empty text is allowed and means "nothing".
pub fn multi_line(value: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new("", "must not contain control characters"));
    }
    count_ok(value, max_chars)?;
    Ok(value.to_string())
}

/// A list of short labels (keywords, topics): each a single line, duplicates dropped
/// ignoring case, order kept.
pub fn label_list(
    values: &[String],
    max_items: usize,
    max_chars: usize,
) -> Result<Vec<String>, FieldError> {
    if values.len() > max_items {
        return Err(FieldError::new(
            "",
            format!("must have at most {max_items} entries"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let label = single_line(value, max_chars).map_err(|e| e.within(&i.to_string()))?;
        if !out.iter().any(|seen| seen.eq_ignore_ascii_case(&label)) {
            out.push(label);
        }
    }
    Ok(out)
}

/// At most `max` characters of `text`, cut on a character boundary with an ellipsis.
pub fn trim_excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_rejects_header_injection_and_overlong_text() {
        assert_eq!(single_line("  hello ", 10).unwrap(), "hello");
        assert!(single_line("a\r\nBcc: x@y.z", 100).is_err());
        assert!(single_line("", 10).is_err());
        assert!(single_line("ééééé", 4).is_err());
        assert!(single_line("ééééé", 5).is_ok());
    }

    #[test]
    fn excerpts_cut_on_character_boundaries() {
        assert_eq!(trim_excerpt("héllo", 3), "hé…");
        assert_eq!(trim_excerpt("hé", 3), "hé");
    }

    #[test]
    fn multi_line_allows_newlines_but_not_other_controls() {
        assert!(multi_line("a\nb\tc", 10).is_ok());
        assert!(multi_line("a\u{0}b", 10).is_err());
    }

    #[test]
    fn label_lists_drop_duplicates_and_name_the_bad_entry() {
        let list = vec!["SEO".to_string(), "seo".to_string(), "links".to_string()];
        assert_eq!(label_list(&list, 5, 20).unwrap(), vec!["SEO", "links"]);
        let bad = vec!["ok".to_string(), "".to_string()];
        assert_eq!(label_list(&bad, 5, 20).unwrap_err().field, "1");
    }
}
