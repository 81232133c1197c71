//! Fuzz target: the whole pipeline, `Annotator::try_annotate`, on arbitrary
//! bytes read as UTF-8 (invalid sequences become U+FFFD, as a browser's
//! decoder would make them). It must not panic, and its output must keep
//! every invariant of `tests/invariants` (shared with the property tests).

#![no_main]

#[path = "../../tests/invariants/mod.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;
use newsmark::Annotator;
use std::sync::OnceLock;

/// The embedded default model, or the file named by `NEWSMARK_TEST_MODEL`.
fn annotator() -> &'static Annotator {
    static ANNOTATOR: OnceLock<Annotator> = OnceLock::new();
    ANNOTATOR.get_or_init(|| match std::env::var_os("NEWSMARK_TEST_MODEL") {
        Some(path) => {
            let bytes = std::fs::read(&path).expect("NEWSMARK_TEST_MODEL is readable");
            Annotator::from_bytes(&bytes).expect("NEWSMARK_TEST_MODEL is a valid model")
        }
        None => Annotator::new(),
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let annotator = annotator();
    match annotator.try_annotate(&text) {
        Ok(doc) => {
            if let Err(why) = invariants::check_document(&text, &doc, annotator.labels()) {
                panic!("invariant broken: {why}\ninput: {text:?}");
            }
        }
        Err(e) => assert!(
            text.len() > newsmark::MAX_INPUT_BYTES,
            "refused a text of {} bytes: {e}",
            text.len()
        ),
    }
});
