//! The wasm package in Node (`bench/wasm_node.mjs`) and in headless Chromium (`chromium.mjs`
//! driving `bench/page/`), and the demo page's pool (`page_pool.mjs`), served by [`Server`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::Serialize;

use crate::native::ScalingPoint;
use crate::peers::node_script;
use crate::record::{median, StageSpeed, Throughput, Unit};
use crate::{root, Ctx, Result};

/// The wasm package `cargo xtask wasm` writes (`bench/chromium.mjs` loads `/www/lib/pkg/newsmark.js`).
pub const PKG: &str = "www/lib/pkg";

/// The paste of section `page-pool`, UTF-16 units (`--quick`: 600,000, over the page's 500,000).
pub const PAGE_POOL_CHARS: usize = 5_000_000;

pub fn pkg() -> PathBuf {
    root().join(PKG)
}

pub fn check_pkg() -> Result {
    let missing = ["newsmark.js", "newsmark_bg.wasm"].map(|f| pkg().join(f)).into_iter().find(|f| !f.exists());
    missing.map_or(Ok(()), |f| Err(format!("{} is missing: run `cargo xtask wasm`", f.display()).into()))
}

/// What a driver is asked to measure; the default measures start-up only.
#[derive(Default)]
pub struct Job {
    pub runs: usize,
    pub long_bytes: usize,
    pub long_runs: usize,
    pub scaling: Vec<usize>,
    pub memory_bytes: usize,
}

/// What `bench/wasm_node.mjs` and the Chromium page print.
#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct DriverOut {
    node: Option<String>,
    chromium: Option<String>,
    api: Vec<String>,
    full_error: Option<String>,
    init_ms: f64,
    first_annotation_ms: f64,
    memory: Option<MemoryRow>,
    stages: BTreeMap<String, Passes>,
    long_text: Option<DriverLongText>,
    pub scaling: Option<Vec<ScalingPoint>>,
}

#[derive(Deserialize, Debug)]
struct DriverLongText {
    docs: usize,
    bytes: usize,
    one_call: Passes,
    separate: Passes,
}

#[derive(Deserialize, Debug)]
struct Passes {
    wall: Vec<f64>,
    cpu: Option<Vec<f64>>,
}

/// The package timed in Node, or in headless Chromium (the repository served by [`Server`]).
pub fn driver(ctx: &Ctx, job: &Job, browser: bool) -> Result<DriverOut> {
    let sizes: Vec<String> = job.scaling.iter().map(ToString::to_string).collect();
    let (sizes, runs) = (sizes.join(","), job.runs.to_string());
    let (memory, long) = (job.memory_bytes.to_string(), job.long_bytes.to_string());
    let long_runs = job.long_runs.to_string();
    let common = ["--runs", &runs, "--scaling", &sizes, "--memory-bytes", &memory];
    if !browser {
        let (pkg, data) = (pkg().display().to_string(), ctx.slice.display().to_string());
        let args = ["--pkg", &pkg, "--data", &data, "--long-bytes", &long, "--long-runs", &long_runs];
        return node_script("wasm_node.mjs", &[&args[..], &common].concat());
    }
    let data = format!("/{}", ctx.slice.strip_prefix(root())?.display());
    let server = Server::start(&root())?;
    let args = ["--url", &server.url(), "--data", &data];
    node_script("chromium.mjs", &[&args[..], &common].concat())
}

/// A static file server of one folder on a free port of 127.0.0.1 (the demo's
/// server, with the demo's Content-Security-Policy), the browser allowed to
/// cache: the timed page loads come after an untimed first one.
pub struct Server(newsmark_serve::Server);

impl Server {
    pub fn start(dir: &Path) -> Result<Server> {
        let options = newsmark_serve::Options { cache: true, ..Default::default() };
        let server = newsmark_serve::Server::start(dir, options).map_err(|e| e.to_string())?;
        Ok(Server(server))
    }

    pub fn url(&self) -> String {
        self.0.url()
    }
}

/// Sections `wasm-node` and `wasm-chromium`: the runtime, start-up (ms) and each stage's passes.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct WasmRun {
    pub version: String,
    pub api: Vec<String>,
    pub full_error: Option<String>,
    pub init_ms: f64,
    pub first_annotation_ms: f64,
    pub stages: Vec<StageSpeed>,
}

pub fn run(ctx: &Ctx, errors: &mut Vec<String>, browser: bool) -> Result<WasmRun> {
    ctx.wasm_ready()?;
    let job = Job { runs: ctx.settings.runs, ..Default::default() };
    let out = driver(ctx, &job, browser)?;
    if let Some(e) = &out.full_error {
        errors.push(format!("the full pipeline did not run: {e}"));
    }
    let speed = |p: Passes| ctx.corpus.throughput(p.wall, p.cpu.unwrap_or_default());
    let stages = out.stages.into_iter().map(|(stage, p)| StageSpeed { stage, speed: speed(p) });
    Ok(WasmRun {
        version: out.chromium.or(out.node).unwrap_or_default(),
        api: out.api,
        full_error: out.full_error,
        init_ms: out.init_ms,
        first_annotation_ms: out.first_annotation_ms,
        stages: stages.collect(),
    })
}

/// Section `long-text`: the first documents joined as one text in one call, and one call each.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct LongText {
    pub bytes: usize,
    pub one_call: Throughput,
    pub separate: Throughput,
}

impl LongText {
    /// Tokens per CPU-second of the one call over the separate calls.
    pub fn ratio(&self) -> Option<f64> {
        let t = Unit::Tokens;
        Some(self.one_call.per_cpu_s(t)? / self.separate.per_cpu_s(t)?)
    }
}

pub fn long_text(ctx: &Ctx) -> Result<LongText> {
    ctx.wasm_ready()?;
    let (long_bytes, long_runs) = (1_000_000, ctx.settings.runs);
    let job = Job { long_bytes, long_runs, ..Default::default() };
    let mut out = driver(ctx, &job, false)?;
    let l = out.long_text.take().ok_or("the driver measured no long text")?;
    let docs = &ctx.corpus.docs[..l.docs.min(ctx.corpus.docs.len())];
    let passes = |p: Passes| Throughput {
        wall_s: p.wall,
        cpu_s: p.cpu.unwrap_or_default(),
        tokens: docs.iter().map(|d| d.tokens).sum(),
        chars: docs.iter().map(|d| d.text.chars().count()).sum(),
        docs: docs.len(),
    };
    let (one_call, separate) = (passes(l.one_call), passes(l.separate));
    Ok(LongText { bytes: l.bytes, one_call, separate })
}

/// Section `memory`: one call on the memory input in a fresh instance, per engine.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Memory {
    pub rows: Vec<MemoryRow>,
}

/// Linear memory before the call and after it (it never shrinks: the peak).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct MemoryRow {
    /// `node` or `chromium` (set here: the drivers do not say).
    #[serde(default)]
    pub env: String,
    pub input_bytes: u64,
    pub input_chars: u64,
    pub before_bytes: u64,
    pub peak_bytes: u64,
    pub seconds: f64,
    #[serde(default)]
    pub cpu_seconds: Option<f64>,
    /// The package call made once on the whole input.
    pub call: String,
    pub entities: Option<u64>,
    pub error: Option<String>,
}

pub fn memory(ctx: &Ctx, errors: &mut Vec<String>) -> Result<Memory> {
    ctx.wasm_ready()?;
    let job = Job { memory_bytes: ctx.settings.memory_bytes, ..Default::default() };
    let mut rows = Vec::new();
    for (browser, env) in [(false, "node"), (true, "chromium")] {
        if browser && !ctx.browser {
            continue;
        }
        match driver(ctx, &job, browser).map(|o| o.memory) {
            Ok(Some(mut row)) => {
                let failed = row.error.as_ref().map(|e| format!("{env}: the input failed: {e}"));
                errors.extend(failed);
                row.env = env.into();
                rows.push(row);
            }
            Ok(None) => errors.push(format!("{env}: the driver measured no memory")),
            Err(e) => errors.push(format!("{env}: {e}")),
        }
    }
    Ok(Memory { rows })
}

/// Section `page-pool` (issue #16): the demo page, a long paste annotated by 1 and by 2 workers.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct PagePool {
    pub chromium: String,
    pub hardware_concurrency: u32,
    pub default_workers: u32,
    pub chars: usize,
    pub bytes: usize,
    pub docs: usize,
    pub runs: Vec<PoolRun>,
}

/// One paste: seconds to the result shown and annotating; the counts; the export's SHA-256.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct PoolRun {
    pub workers: u32,
    pub seconds: f64,
    pub annotate_seconds: f64,
    pub workers_started: u32,
    pub parts: usize,
    pub tokens: u64,
    pub blocks: u64,
    pub sentences: u64,
    pub entities: u64,
    pub digest: String,
}

impl PagePool {
    pub fn with(&self, workers: u32) -> impl Iterator<Item = &PoolRun> {
        self.runs.iter().filter(move |r| r.workers == workers)
    }

    pub fn median_s(&self, workers: u32) -> Option<f64> {
        median(&self.with(workers).map(|r| r.seconds).collect::<Vec<_>>())
    }

    /// 1 worker's median time over 2 workers'.
    pub fn speedup(&self) -> Option<f64> {
        Some(self.median_s(1)? / self.median_s(2)?)
    }

    pub fn same_result(&self) -> Option<bool> {
        let first = self.runs.first()?;
        Some(self.runs.iter().all(|r| r.digest == first.digest))
    }
}

pub fn page_pool(ctx: &Ctx, errors: &mut Vec<String>) -> Result<PagePool> {
    ctx.wasm_ready()?;
    let chars = if ctx.settings.quick { 600_000 } else { PAGE_POOL_CHARS };
    let server = Server::start(&root())?;
    let (url, slice) = (server.url(), ctx.slice.display().to_string());
    let (chars, runs) = (chars.to_string(), ctx.settings.runs.to_string());
    let args = ["--url", &url, "--data", &slice, "--chars", &chars, "--runs", &runs, "--workers", "1,2"];
    let pool: PagePool = node_script("page_pool.mjs", &args)?;
    if pool.same_result() == Some(false) {
        errors.push("the runs did not all give the same result (see the digests)".into());
    }
    Ok(pool)
}
