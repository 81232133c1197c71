//! The JavaScript binding, run in headless Chromium (chromedriver) by
//! wasm-bindgen-test:
//! `cargo test --target wasm32-unknown-unknown --features wasm --test browser`.
#![cfg(all(target_arch = "wasm32", feature = "wasm"))]

#[macro_use]
mod wasm_support;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

wasm_tests!();
