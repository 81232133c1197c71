//! Fuzz target: the model loader, `Annotator::from_bytes`, on arbitrary
//! bytes. It must return a model or a `ModelError`, never panic, and never
//! allocate more than the input warrants.
//!
//! Arbitrary bytes almost never get past the header's checksum, so each
//! input is also loaded a second time as the payload of a file with a valid
//! header (magic, version, length, checksum): that reaches the section
//! parser and the checks of every section. A model that does load must
//! annotate a text without breaking an invariant.

#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;
use newsmark::internals::{checksum, FORMAT_VERSION, MAGIC};
use newsmark::Annotator;

/// `payload` behind a valid header.
fn with_valid_header(payload: &[u8]) -> Vec<u8> {
    let mut file = Vec::with_capacity(28 + payload.len());
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    file.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    file.extend_from_slice(&checksum(FORMAT_VERSION, payload).to_le_bytes());
    file.extend_from_slice(payload);
    file
}

/// A loaded model must annotate without breaking an invariant.
fn exercise(annotator: &Annotator) {
    let text = "Mara Lindqvist met the board of Volvo Cars in Gothenburg on 3 March 2026.\n\
                \u{201c}Es ist gut,\u{201d} sagte sie. \u{1F600} 40 percent, $2.5 million.";
    let doc = annotator.annotate(text);
    if let Err(why) = invariants::check_document(text, &doc, annotator.labels()) {
        panic!("a model that loads broke an invariant: {why}");
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(annotator) = Annotator::from_bytes(data) {
        exercise(&annotator);
    }
    if let Ok(annotator) = Annotator::from_bytes(&with_valid_header(data)) {
        exercise(&annotator);
    }
});
