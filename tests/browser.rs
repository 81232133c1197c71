//! The JavaScript binding, run in headless Chromium (chromedriver) by
//! wasm-bindgen-test:
//! `cargo test --target wasm32-unknown-unknown --features wasm --test browser`.
#![cfg(all(target_arch = "wasm32", feature = "wasm"))]

mod wasm_support;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn segment_offsets_index_the_js_string() {
    wasm_support::segment_offsets_index_the_js_string();
}

#[wasm_bindgen_test]
fn annotate_entities_index_the_js_string() {
    wasm_support::annotate_entities_index_the_js_string();
}

#[wasm_bindgen_test]
fn labels_option_filters_entities() {
    wasm_support::labels_option_filters_entities();
}

#[wasm_bindgen_test]
fn errors_are_thrown_as_js_errors() {
    wasm_support::errors_are_thrown_as_js_errors();
}

#[wasm_bindgen_test]
fn bad_options_are_thrown_as_js_errors() {
    wasm_support::bad_options_are_thrown_as_js_errors();
}
