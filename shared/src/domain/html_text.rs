//! HTML mail as text, keeping what reply reading needs: block elements on their own
//! lines, quoted parts (`blockquote`, Gmail's quote, Outlook's reply header) marked with
//! `>`, and Outlook's separator rule as the line the quote stripper knows.

use scraper::{ElementRef, Html, Node};

const BLOCKS: &[&str] = &[
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
    "section", "article", "header", "footer",
];

fn quoted(e: &ElementRef<'_>) -> bool {
    let v = e.value();
    v.name() == "blockquote"
        || v.classes()
            .any(|c| c == "gmail_quote" || c == "moz-cite-prefix")
        || v.id().is_some_and(|id| id == "divRplyFwdMsg")
}

fn walk(e: ElementRef<'_>, out: &mut String) {
    for child in e.children() {
        match child.value() {
            Node::Text(t) => {
                let collapsed = t.split_whitespace().collect::<Vec<_>>().join(" ");
                if !collapsed.is_empty() {
                    if t.starts_with(char::is_whitespace) && !out.ends_with(['\n', ' ']) {
                        out.push(' ');
                    }
                    out.push_str(&collapsed);
                    if t.ends_with(char::is_whitespace) {
                        out.push(' ');
                    }
                }
            }
            Node::Element(el) => {
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                match el.name() {
                    "script" | "style" | "head" | "title" => {}
                    "hr" => out.push_str("\n________________________________\n"),
                    _ if quoted(&child) => {
                        let mut inner = String::new();
                        walk(child, &mut inner);
                        out.push('\n');
                        for line in inner.lines().filter(|l| !l.trim().is_empty()) {
                            out.push_str("> ");
                            out.push_str(line.trim());
                            out.push('\n');
                        }
                    }
                    name if BLOCKS.contains(&name) => {
                        out.push('\n');
                        walk(child, out);
                        out.push('\n');
                    }
                    _ => walk(child, out),
                }
            }
            _ => {}
        }
    }
}

/// The text of an HTML body.
pub fn html_to_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut out = String::new();
    walk(doc.root_element(), &mut out);
    let mut text = String::new();
    let mut blank = 0;
    for line in out.lines().map(str::trim_end) {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 || text.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        text.push_str(line.trim_start_matches(' '));
        text.push('\n');
    }
    text.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_break_lines_and_quotes_are_marked() {
        let text = html_to_text(
            "<html><body><div>Thanks, but no.</div><hr><div id=\"divRplyFwdMsg\"><b>From:</b> Sam<br><b>Sent:</b> Monday</div>\
             <div>Interested?</div><div class=\"gmail_quote\">On Mon Sam wrote:<blockquote>pitch</blockquote></div></body></html>",
        );
        assert!(
            text.contains("\n________________________________\n"),
            "{text}"
        );
        assert!(text.contains("\n> From: Sam\n> Sent: Monday\n"), "{text}");
        assert_eq!(
            crate::domain::reply::text::strip_quoted(&text),
            "Thanks, but no."
        );
        assert!(text.contains("> > pitch"), "{text}");
    }
}
