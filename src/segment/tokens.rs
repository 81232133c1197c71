//! Penn-Treebank-like tokenization.

use crate::span::Span;

/// Appends the tokens of `text[within]` to `out`.
pub fn tokenize_into(text: &str, within: Span, out: &mut Vec<Span>) {
    let part = within.slice(text);
    let mut token_start: Option<usize> = None;
    for (i, ch) in part.char_indices() {
        let at = within.start + i;
        if ch.is_whitespace() {
            if let Some(s) = token_start.take() {
                out.push(Span::new(s, at));
            }
        } else if ch.is_alphanumeric() {
            token_start.get_or_insert(at);
        } else {
            if let Some(s) = token_start.take() {
                out.push(Span::new(s, at));
            }
            out.push(Span::new(at, at + ch.len_utf8()));
        }
    }
    if let Some(s) = token_start {
        out.push(Span::new(s, within.end));
    }
}

/// The tokens of the whole text.
pub fn tokenize(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    tokenize_into(text, Span::new(0, text.len()), &mut out);
    out
}
