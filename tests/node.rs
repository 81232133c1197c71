//! The JavaScript binding, run in Node by wasm-bindgen-test:
//! `cargo test --target wasm32-unknown-unknown --features wasm --test node`.
#![cfg(all(target_arch = "wasm32", feature = "wasm"))]

#[macro_use]
mod wasm_support;

wasm_tests!();
