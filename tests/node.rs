//! The JavaScript binding, run in Node by wasm-bindgen-test:
//! `cargo test --target wasm32-unknown-unknown --features wasm --test node`.
#![cfg(all(target_arch = "wasm32", feature = "wasm"))]

#[macro_use]
mod wasm_support;

wasm_tests!(
    segment_offsets_index_the_js_string,
    annotate_entities_index_the_js_string,
    labels_option_filters_entities,
    errors_are_thrown_as_js_errors,
    bad_options_are_thrown_as_js_errors,
);
