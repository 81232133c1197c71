//! The `.wasm` at each `wasm-opt` level: sizes (code apart from the model)
//! and speed in Node, to choose the level `cargo xtask wasm` ships (-O3).
//!
//! Each level starts from the same wasm-bindgen output of the release build
//! (names and producers sections removed, as `cargo xtask wasm` does), is
//! written with the JS glue into `target/bench/opt/LEVEL/`, sized by
//! `bench/sizes.mjs` and timed by `bench/wasm_node.mjs` over the slice.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use super::native::Corpus;
use super::peers::node_script;
use super::record::{OptLevel, Sizes};
use super::wasm::{self, Job, EMBEDDED_MODEL};
use crate::util::{root, run, Result};

/// The levels compared; `cargo xtask wasm` ships the one marked in the report.
pub const LEVELS: [&str; 6] = ["-O1", "-O2", "-O3", "-O4", "-Os", "-Oz"];

/// The level `cargo xtask wasm` uses (see `tooling.rs`).
pub const SHIPPED: &str = "-O3";

fn dir() -> PathBuf {
    root().join("target/bench/opt")
}

/// wasm-bindgen on the release `.wasm`, as `cargo xtask wasm` runs it, into
/// `target/bench/opt/bindgen/`.
fn bindgen() -> Result<PathBuf> {
    let out = dir().join("bindgen");
    crate::tooling::bindgen(&crate::tooling::release_wasm()?, &out, true)?;
    Ok(out)
}

/// One level: optimise, size, time (`runs` passes over `slice`).
fn level(
    flag: &str,
    bindgen: &Path,
    slice: &Path,
    corpus: &Corpus,
    runs: usize,
) -> Result<OptLevel> {
    let pkg = dir().join(flag.trim_start_matches('-'));
    let _ = std::fs::remove_dir_all(&pkg);
    std::fs::create_dir_all(&pkg)?;
    std::fs::copy(bindgen.join("newsmark.js"), pkg.join("newsmark.js"))?;
    let module = pkg.join("newsmark_bg.wasm");
    let started = Instant::now();
    run(Command::new(crate::install::wasm_opt())
        .arg(flag)
        .arg(bindgen.join("newsmark_bg.wasm"))
        .arg("-o")
        .arg(&module))?;
    let opt_seconds = started.elapsed().as_secs_f64();
    let model = root().join(EMBEDDED_MODEL).display().to_string();
    let module_arg = module.display().to_string();
    let sizes: Sizes = node_script(
        "sizes.mjs",
        &[
            "--brotli-quality",
            "0",
            "--split-model",
            &model,
            &module_arg,
        ],
    )?;
    let split = sizes
        .split
        .ok_or("sizes.mjs did not split the module into model and code")?;
    let job = Job {
        runs,
        ..Default::default()
    };
    let out = wasm::node_in(&pkg, slice, &job)?;
    if let Some(e) = out.full_error() {
        return Err(format!("{flag}: the full pipeline did not run: {e}").into());
    }
    let run = out.run(corpus);
    Ok(OptLevel {
        flag: flag.to_string(),
        wasm_raw: split.wasm_raw,
        wasm_gzip: split.wasm_gzip,
        code_raw: split.code_raw,
        code_gzip: split.code_gzip,
        model_found: split.found,
        opt_seconds,
        init_ms: run.init_ms,
        full: run
            .stages
            .into_iter()
            .find(|s| s.stage == "full")
            .map(|s| s.speed),
    })
}

/// Every level of [`LEVELS`], in order.
pub fn levels(slice: &Path, corpus: &Corpus, runs: usize) -> Result<Vec<OptLevel>> {
    let bindgen = bindgen()?;
    LEVELS
        .iter()
        .map(|flag| level(flag, &bindgen, slice, corpus, runs))
        .collect()
}
