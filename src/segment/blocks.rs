//! Splitting a text into blocks (lines) and telling article from boilerplate.

use crate::document::Block;
use crate::span::Span;

/// The non-blank lines of `text`, trimmed of surrounding whitespace, as
/// spans. `\n`, `\r\n` and a lone `\r` all end a line.
pub fn line_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive(['\n', '\r']) {
        let end = start + line.len();
        let trimmed_start = start + (line.len() - line.trim_start().len());
        let trimmed_end = start + line.trim_end().len();
        if trimmed_start < trimmed_end {
            out.push(Span::new(trimmed_start, trimmed_end));
        }
        start = end;
    }
    out
}

/// Splits `text` into one block per non-blank line and classifies each as
/// title, byline, paragraph or boilerplate (with a reason), from the line's
/// own text and its neighbours (see `segment::boilerplate`).
pub fn blocks(text: &str) -> Vec<Block> {
    let spans = line_spans(text);
    let lines: Vec<&str> = spans.iter().map(|s| s.slice(text)).collect();
    let kinds = super::boilerplate::classify(&lines);
    spans
        .into_iter()
        .zip(kinds)
        .map(|(span, (kind, reason))| Block { span, kind, reason })
        .collect()
}
