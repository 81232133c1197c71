//! Splitting a text into blocks (lines) and telling article from boilerplate.

use crate::document::{Block, BlockKind};
use crate::span::Span;

/// Splits `text` into one block per non-blank line, trimmed of surrounding
/// whitespace, and classifies each.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive(['\n', '\r']) {
        let end = start + line.len();
        let trimmed_start = start + (line.len() - line.trim_start().len());
        let trimmed_end = start + line.trim_end().len();
        if trimmed_start < trimmed_end {
            out.push(Block {
                span: Span::new(trimmed_start, trimmed_end),
                kind: BlockKind::Paragraph,
                reason: None,
            });
        }
        start = end;
    }
    out
}
