//! newsmark as WebAssembly: the package `cargo xtask wasm` builds into
//! `www/pkg/`, its sizes, and its timing in Node and in headless Chromium.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::native::Corpus;
use super::peers::node_script;
use super::record::{
    LongText, MemoryRow, ScalingPoint, ScalingSeries, Sizes, StageSpeed, Throughput, WasmRun,
};
use crate::util::{root, Result};

/// The model the library embeds (`include_bytes!` in `src/annotator.rs`).
pub const EMBEDDED_MODEL: &str = "models/ontonotes.nmm";

/// The wasm package folder.
pub fn pkg() -> PathBuf {
    root().join("www/pkg")
}

/// Builds the release package through `cargo xtask wasm` (same code path).
pub fn build() -> Result {
    crate::tooling::wasm(&[])
}

/// Checks the package has the files the drivers load.
pub fn check_pkg() -> Result {
    for f in ["newsmark.js", "newsmark_bg.wasm"] {
        if !pkg().join(f).exists() {
            return Err(format!(
                "{} is missing: run `cargo xtask wasm`",
                pkg().join(f).display()
            )
            .into());
        }
    }
    Ok(())
}

/// Section `sizes`: raw, gzip and brotli sizes of the .wasm, the JS glue (also
/// minified) and every model file in `models/` (brotli at `brotli_quality`,
/// 0..=11), and the .wasm split into the embedded model and the code.
pub fn sizes(brotli_quality: u32) -> Result<Sizes> {
    let mut files: Vec<PathBuf> = vec![
        pkg().join("newsmark_bg.wasm"),
        pkg().join("newsmark_core_bg.wasm"),
        pkg().join("newsmark.js"),
    ];
    let mut models: Vec<PathBuf> = std::fs::read_dir(root().join("models"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nmm"))
        .collect();
    models.sort();
    files.extend(models);
    let embedded = root().join(EMBEDDED_MODEL).display().to_string();
    let args: Vec<String> = [
        "--brotli-quality".to_string(),
        brotli_quality.to_string(),
        "--split-model".to_string(),
        embedded,
    ]
    .into_iter()
    .chain(
        files
            .iter()
            .filter(|p| p.exists())
            .map(|p| p.display().to_string()),
    )
    .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut sizes: Sizes = node_script("sizes.mjs", &args)?;
    // Paths relative to the repository, as the report shows them.
    let prefix = format!("{}/", root().display());
    for f in &mut sizes.files {
        f.file = f.file.trim_start_matches(&prefix).to_string();
    }
    if let Some(s) = &mut sizes.split {
        s.model_file = s.model_file.trim_start_matches(&prefix).to_string();
    }
    Ok(sizes)
}

/// What `bench/wasm_node.mjs` and the Chromium page print.
#[derive(Deserialize, Debug)]
pub struct DriverOut {
    /// Node's version (Node driver).
    node: Option<String>,
    /// Chromium's version (Chromium driver).
    chromium: Option<String>,
    user_agent: Option<String>,
    api: Vec<String>,
    full_error: Option<String>,
    init_ms: f64,
    first_annotation_ms: f64,
    /// The memory input, when one was asked for.
    memory: Option<MemoryRow>,
    /// Passes by stage (`full`, `segment`, ...).
    #[serde(default)]
    stages: BTreeMap<String, DriverPasses>,
    /// The long-text rounds (Node), when asked for.
    #[serde(default)]
    long_text: Option<DriverLongText>,
    /// The scaling curve of the full pipeline, when asked for.
    #[serde(default)]
    scaling: Option<Vec<ScalingPoint>>,
}

#[derive(Deserialize, Debug)]
struct DriverLongText {
    /// How many of the slice's first documents were joined.
    docs: usize,
    bytes: usize,
    one_call: DriverPasses,
    separate: DriverPasses,
}

#[derive(Deserialize, Debug)]
struct DriverPasses {
    wall: Vec<f64>,
    cpu: Option<Vec<f64>>,
}

impl DriverOut {
    /// The section's data, with rates counted on `corpus`.
    pub fn run(&self, corpus: &Corpus) -> WasmRun {
        WasmRun {
            version: self
                .chromium
                .clone()
                .or_else(|| self.node.clone())
                .unwrap_or_default(),
            user_agent: self.user_agent.clone(),
            api: self.api.clone(),
            full_error: self.full_error.clone(),
            init_ms: self.init_ms,
            first_annotation_ms: self.first_annotation_ms,
            stages: self
                .stages
                .iter()
                .map(|(stage, p)| StageSpeed {
                    stage: stage.clone(),
                    speed: Throughput {
                        wall_s: p.wall.clone(),
                        cpu_s: p.cpu.clone().unwrap_or_default(),
                        tokens: corpus.tokens(),
                        chars: corpus.chars(),
                        docs: corpus.docs.len(),
                    },
                })
                .collect(),
        }
    }

    /// The memory row, labelled with the engine.
    pub fn memory(self, env: &str) -> Option<MemoryRow> {
        self.memory.map(|mut m| {
            m.env = env.to_string();
            m
        })
    }

    /// The long-text rounds, counted on the gold tokens of the documents used.
    pub fn long_text(&self, corpus: &Corpus) -> Option<LongText> {
        let l = self.long_text.as_ref()?;
        let docs = &corpus.docs[..l.docs.min(corpus.docs.len())];
        let passes = |p: &DriverPasses| Throughput {
            wall_s: p.wall.clone(),
            cpu_s: p.cpu.clone().unwrap_or_default(),
            tokens: docs.iter().map(|d| d.tokens).sum(),
            chars: docs.iter().map(|d| d.text.chars().count()).sum(),
            docs: docs.len(),
        };
        Some(LongText {
            bytes: l.bytes,
            one_call: passes(&l.one_call),
            separate: passes(&l.separate),
        })
    }

    /// The scaling curve, labelled with the engine.
    pub fn scaling(&self, env: &str) -> Option<ScalingSeries> {
        Some(ScalingSeries {
            stage: "full".into(),
            env: env.into(),
            points: self.scaling.clone()?,
        })
    }

    /// Why the full pipeline could not run, if it could not.
    pub fn full_error(&self) -> Option<&str> {
        self.full_error.as_deref()
    }
}

/// What a driver is asked to measure; the default measures only start-up.
#[derive(Default)]
pub struct Job {
    /// Timed passes over the slice, per stage.
    pub runs: usize,
    /// The long-text rounds (Node only): the first documents up to this many
    /// bytes, `long_runs` rounds.
    pub long_bytes: usize,
    pub long_runs: usize,
    /// Input sizes of the scaling curve (one call each).
    pub scaling: Vec<usize>,
    /// One call on an input of this many bytes, last, for the memory row.
    pub memory_bytes: usize,
}

impl Job {
    fn sizes(&self) -> String {
        self.scaling
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The package timed in Node over the slice (`bench/wasm_node.mjs`).
pub fn node(slice: &Path, job: &Job) -> Result<DriverOut> {
    node_in(&pkg(), slice, job)
}

/// The package in the folder `pkg` timed in Node over the slice.
pub fn node_in(pkg: &Path, slice: &Path, job: &Job) -> Result<DriverOut> {
    node_script(
        "wasm_node.mjs",
        &[
            "--pkg",
            &pkg.display().to_string(),
            "--data",
            &slice.display().to_string(),
            "--runs",
            &job.runs.to_string(),
            "--long-bytes",
            &job.long_bytes.to_string(),
            "--long-runs",
            &job.long_runs.to_string(),
            "--scaling",
            &job.sizes(),
            "--memory-bytes",
            &job.memory_bytes.to_string(),
        ],
    )
}

/// The package timed inside headless Chromium: xtask serves the repository
/// (`serve.rs`, a free port on 127.0.0.1) and `bench/chromium.mjs` drives
/// `bench/page/` from it. `slice` must lie inside the repository.
pub fn chromium(slice: &Path, job: &Job) -> Result<DriverOut> {
    let rel = slice
        .strip_prefix(root())
        .map_err(|_| format!("{} is not inside the repository", slice.display()))?;
    let server = crate::serve::spawn(&root())?;
    let out = node_script(
        "chromium.mjs",
        &[
            "--url",
            &format!("http://{}", server.addr()),
            "--data",
            &format!("/{}", rel.display()),
            "--runs",
            &job.runs.to_string(),
            "--scaling",
            &job.sizes(),
            "--memory-bytes",
            &job.memory_bytes.to_string(),
        ],
    );
    drop(server);
    out
}
