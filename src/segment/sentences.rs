//! Sentence boundary detection over tokens.

use crate::span::Span;

/// Appends the sentences formed by `tokens` (all from one block) to `out`.
pub fn sentences_into(text: &str, tokens: &[Span], out: &mut Vec<Span>) {
    let mut first: Option<usize> = None;
    for (i, tok) in tokens.iter().enumerate() {
        let start = *first.get_or_insert(tok.start);
        let word = tok.slice(text);
        let next_upper = tokens
            .get(i + 1)
            .and_then(|t| t.slice(text).chars().next())
            .is_some_and(char::is_uppercase);
        if matches!(word, "." | "!" | "?") && (next_upper || i + 1 == tokens.len()) {
            out.push(Span::new(start, tok.end));
            first = None;
        }
    }
    if let (Some(start), Some(last)) = (first, tokens.last()) {
        out.push(Span::new(start, last.end));
    }
}

/// The sentences of the whole text.
pub fn sentences(text: &str) -> Vec<Span> {
    crate::segment::segment(text).sentences
}
