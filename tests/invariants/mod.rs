//! The invariants every [`Document`] must satisfy for its text, checked
//! without trusting any of newsmark's own helpers except the one under test
//! (`OffsetMap`). Shared by `tests/properties.rs` and the fuzz targets
//! in `fuzz/` (which include this file by path).

#![allow(dead_code)]

use newsmark::{BlockKind, Document, OffsetMap, Span, Unit};

/// Checks every invariant of `doc` as the annotation of `text` with a model
/// whose labels are `labels`. Returns the first violation found.
pub fn check_document(text: &str, doc: &Document, labels: &[&str]) -> Result<(), String> {
    check_blocks(text, doc)?;
    check_sentences(text, doc)?;
    check_tokens(text, doc)?;
    check_entities(text, doc, labels)?;
    check_utf16(text, doc)
}

/// Spans lie inside the text, on `char` boundaries, are non-empty and
/// sorted without overlap.
fn check_spans(text: &str, what: &str, spans: &[Span]) -> Result<(), String> {
    let mut previous_end = 0usize;
    for (i, s) in spans.iter().enumerate() {
        if s.start >= s.end {
            return Err(format!("{what} {i} {s:?} is empty or reversed"));
        }
        if s.end > text.len() {
            return Err(format!(
                "{what} {i} {s:?} ends past the text ({} bytes)",
                text.len()
            ));
        }
        if !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end) {
            return Err(format!("{what} {i} {s:?} splits a character"));
        }
        if s.start < previous_end {
            return Err(format!(
                "{what} {i} {s:?} starts before the previous one ends ({previous_end})"
            ));
        }
        previous_end = s.end;
    }
    Ok(())
}

/// Blocks are sorted, do not overlap, cover every non-whitespace character,
/// never start or end with a line break, and carry a reason exactly when
/// they are boilerplate.
fn check_blocks(text: &str, doc: &Document) -> Result<(), String> {
    let spans: Vec<Span> = doc.blocks.iter().map(|b| b.span).collect();
    check_spans(text, "block", &spans)?;
    for (i, b) in doc.blocks.iter().enumerate() {
        let t = b.span.slice(text);
        if t.starts_with(['\n', '\r']) || t.ends_with(['\n', '\r']) {
            return Err(format!(
                "block {i} {:?} starts or ends with a line break",
                b.span
            ));
        }
        if (b.kind == BlockKind::Boilerplate) != b.reason.is_some() {
            return Err(format!(
                "block {i} {:?}: kind {:?} with reason {:?}",
                b.span, b.kind, b.reason
            ));
        }
    }
    uncovered(text, &spans).map_or(Ok(()), |at| {
        Err(format!(
            "byte {at} ({:?}) lies in no block",
            char_at(text, at)
        ))
    })
}

/// Sentences are sorted, do not overlap, and each lies inside one block.
fn check_sentences(text: &str, doc: &Document) -> Result<(), String> {
    check_spans(text, "sentence", &doc.sentences)?;
    let blocks: Vec<Span> = doc.blocks.iter().map(|b| b.span).collect();
    for (i, s) in doc.sentences.iter().enumerate() {
        if !inside_one(&blocks, s) {
            return Err(format!("sentence {i} {s:?} is not inside one block"));
        }
    }
    Ok(())
}

/// Tokens are sorted, do not overlap, each lies inside one sentence, and
/// together they cover every non-whitespace character of every sentence.
fn check_tokens(text: &str, doc: &Document) -> Result<(), String> {
    check_spans(text, "token", &doc.tokens)?;
    for (i, t) in doc.tokens.iter().enumerate() {
        if !inside_one(&doc.sentences, t) {
            return Err(format!(
                "token {i} {t:?} {:?} is not inside one sentence",
                t.slice(text)
            ));
        }
    }
    match uncovered(text, &doc.tokens) {
        Some(at) if doc.sentences.iter().any(|s| s.start <= at && at < s.end) => Err(format!(
            "byte {at} ({:?}) of a sentence lies in no token",
            char_at(text, at)
        )),
        _ => Ok(()),
    }
}

/// Entities start on a token start and end on a token end, are sorted, do
/// not overlap, lie inside one sentence, carry one of the model's labels and
/// a finite score in [0, 1].
fn check_entities(text: &str, doc: &Document, labels: &[&str]) -> Result<(), String> {
    let spans: Vec<Span> = doc.entities.iter().map(|e| e.span).collect();
    check_spans(text, "entity", &spans)?;
    for (i, e) in doc.entities.iter().enumerate() {
        let s = e.span;
        if doc
            .tokens
            .binary_search_by_key(&s.start, |t| t.start)
            .is_err()
        {
            return Err(format!("entity {i} {s:?} does not start on a token start"));
        }
        if doc.tokens.binary_search_by_key(&s.end, |t| t.end).is_err() {
            return Err(format!("entity {i} {s:?} does not end on a token end"));
        }
        if !inside_one(&doc.sentences, &s) {
            return Err(format!("entity {i} {s:?} crosses a sentence boundary"));
        }
        if !labels.contains(&e.label) {
            return Err(format!(
                "entity {i} has label {:?}, not the model's",
                e.label
            ));
        }
        if !(e.score.is_finite() && (0.0..=1.0).contains(&e.score)) {
            return Err(format!("entity {i} has score {}", e.score));
        }
    }
    Ok(())
}

/// The UTF-16 offsets `OffsetMap` gives for every span slice the UTF-16
/// encoding of the text to exactly the span's text (what JavaScript's
/// `text.slice(start, end)` does).
fn check_utf16(text: &str, doc: &Document) -> Result<(), String> {
    let units: Vec<u16> = text.encode_utf16().collect();
    check_utf16_against(text, &units, doc)
}

/// Like [`check_utf16`], but against `units`, the caller's original UTF-16
/// string, which may hold lone surrogates that arrived in `text` as U+FFFD.
/// Slicing `units` and decoding lossily must give exactly the span's text.
pub fn check_utf16_against(text: &str, units: &[u16], doc: &Document) -> Result<(), String> {
    let map = OffsetMap::new(text, Unit::Utf16);
    if map.convert(text.len()) != units.len() {
        return Err(format!(
            "the text is {} UTF-16 units long but the caller's string has {}",
            map.convert(text.len()),
            units.len()
        ));
    }
    let spans = doc
        .blocks
        .iter()
        .map(|b| ("block", b.span))
        .chain(doc.sentences.iter().map(|&s| ("sentence", s)))
        .chain(doc.tokens.iter().map(|&s| ("token", s)))
        .chain(doc.entities.iter().map(|e| ("entity", e.span)));
    for (what, span) in spans {
        let (start, end) = map.convert_span(span);
        let sliced = units
            .get(start..end)
            .map(String::from_utf16_lossy)
            .unwrap_or_default();
        if sliced != span.slice(text) {
            return Err(format!(
                "{what} {span:?}: UTF-16 [{start}, {end}) slices {sliced:?}, not {:?}",
                span.slice(text)
            ));
        }
    }
    Ok(())
}

/// True if `inner` lies inside one of `outer` (sorted, non-overlapping).
fn inside_one(outer: &[Span], inner: &Span) -> bool {
    let i = outer.partition_point(|o| o.end <= inner.start);
    outer.get(i).is_some_and(|o| o.contains(inner))
}

/// The first byte offset of a non-whitespace character that no span of
/// `spans` (sorted, non-overlapping) covers.
fn uncovered(text: &str, spans: &[Span]) -> Option<usize> {
    let mut next = spans.iter().peekable();
    for (at, ch) in text.char_indices() {
        while next.peek().is_some_and(|s| s.end <= at) {
            next.next();
        }
        let covered = next.peek().is_some_and(|s| s.start <= at);
        if !covered && !ch.is_whitespace() {
            return Some(at);
        }
    }
    None
}

fn char_at(text: &str, at: usize) -> char {
    text.get(at..)
        .and_then(|t| t.chars().next())
        .unwrap_or('\u{0}')
}
