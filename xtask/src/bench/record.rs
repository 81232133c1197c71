//! The typed record of the benchmarks: what `BENCHMARKS.json` holds and what
//! the report is rendered from.
//!
//! The record is a set of sections. Each section is measured on its own (a
//! whole run measures them one after another; `--only` measures some again)
//! and keeps its own [`Measurement`]: when, by which command, on which commit,
//! how long it took and what went wrong. Figures are stored as measured (the
//! seconds of every pass, byte counts, the scorers' numbers); rates, medians,
//! ratios and slopes are derived when the report is rendered.
//!
//! Adding a section: a data type here, a field in [`Sections`] (and a line in
//! [`Sections::all`]), an entry in the bench's section list (`bench.rs`) and a
//! renderer in `report.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The version of this layout, stored in the file.
pub const FORMAT: u32 = 2;

/// Everything `BENCHMARKS.json` holds.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Record {
    /// [`FORMAT`] when written.
    pub format: u32,
    /// What the run measured with (slice, passes, sizes).
    pub settings: Settings,
    /// The slices every section reads, as counted when they were cut.
    pub slices: Slices,
    /// The machine and toolchains of the last whole run.
    pub machine: Machine,
    /// The last whole run (not `--only`): the report's header.
    pub run: Measurement,
    /// The sections' results.
    pub sections: Sections,
}

/// The settings of a whole run; `--only` reuses them.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Settings {
    /// `--quick`: a small slice, for CI.
    pub quick: bool,
    /// The first N documents of OntoNotes dev (`None`: all).
    pub slice: Option<usize>,
    /// The first N boilerplate dev pages (`None`: all).
    pub pages: Option<usize>,
    /// Timed passes for newsmark.
    pub runs: usize,
    /// Timed passes for the peers.
    pub peer_runs: usize,
    /// Largest input of the scaling curve, in bytes.
    pub scaling_max_bytes: usize,
    /// The input of the memory rows (one call, Node and Chromium), in bytes.
    pub memory_bytes: usize,
    /// Brotli quality of the size table (0..=11).
    pub brotli_quality: u32,
}

/// The slices, with the counts the rates are computed from.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Slices {
    pub ner: TextSlice,
    pub boilerplate: TextSlice,
}

/// One slice file: the first `docs` documents of `file`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct TextSlice {
    /// The source file, relative to the repository (`../shared/...`).
    pub file: String,
    /// Documents (pages) in the slice.
    pub docs: usize,
    /// Code points.
    pub chars: usize,
    /// UTF-8 bytes.
    pub bytes: usize,
    /// Gold tokens (0 where the data has none).
    pub tokens: usize,
}

/// Machine and toolchains.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: Option<f64>,
    pub os: String,
    pub rustc: String,
    pub node: String,
    pub python: String,
}

/// When and how something was measured.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Measurement {
    /// The command line, e.g. `cargo xtask bench --only memory`.
    pub command: String,
    /// Start, UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub started: String,
    /// Wall-clock seconds it took (unknown for sections measured inside another).
    pub seconds: Option<f64>,
    /// `git rev-parse --short HEAD`.
    pub commit: String,
    /// Uncommitted changes to tracked files.
    pub dirty: bool,
    /// `/proc/loadavg`'s three averages at the start and at the end.
    pub load_avg_start: Option<String>,
    pub load_avg_end: Option<String>,
}

/// One section's result.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Section<T> {
    pub measured: Measurement,
    /// What went wrong; a section with errors may still have (partial) data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    pub data: Option<T>,
}

impl<T> Section<T> {
    /// The data, if the section ran and produced any.
    pub fn data(&self) -> Option<&T> {
        self.data.as_ref()
    }
}

/// Every section's result; a section never measured is absent.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
#[serde(default)]
pub struct Sections {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub native: Option<Section<Native>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling: Option<Section<Scaling>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Section<Accuracy>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<Section<super::case::CaseAccuracy>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sizes: Option<Section<Sizes>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wasm_node: Option<Section<WasmRun>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wasm_chromium: Option<Section<WasmRun>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_text: Option<Section<LongText>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<Section<Profiles>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Section<Memory>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_pool: Option<Section<PagePool>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_bundles: Option<Section<PeerBundles>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cli: Option<Section<super::cli::CliRun>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cli_memory: Option<Section<super::cli::CliMemory>>,
    /// By peer id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ner_peers: BTreeMap<String, Section<NerPeer>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sentence_peers: BTreeMap<String, Section<SentencePeer>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub boilerplate_peers: BTreeMap<String, Section<BoilerplatePeer>>,
}

/// A section's id, measurement and errors, whatever its data type.
pub struct SectionStatus<'a> {
    pub id: String,
    pub measured: &'a Measurement,
    pub errors: &'a [String],
    pub has_data: bool,
}

impl Sections {
    /// Every stored section, in the order the bench runs them.
    pub fn all(&self) -> Vec<SectionStatus<'_>> {
        fn one<'a, T>(id: impl Into<String>, s: &'a Section<T>) -> SectionStatus<'a> {
            SectionStatus {
                id: id.into(),
                measured: &s.measured,
                errors: &s.errors,
                has_data: s.data.is_some(),
            }
        }
        let mut out = Vec::new();
        let singles = [
            self.native.as_ref().map(|s| one("native", s)),
            self.scaling.as_ref().map(|s| one("scaling", s)),
            self.accuracy.as_ref().map(|s| one("accuracy", s)),
            self.case.as_ref().map(|s| one("case", s)),
            self.sizes.as_ref().map(|s| one("sizes", s)),
            self.wasm_node.as_ref().map(|s| one("wasm-node", s)),
            self.wasm_chromium.as_ref().map(|s| one("wasm-chromium", s)),
            self.long_text.as_ref().map(|s| one("long-text", s)),
            self.profile.as_ref().map(|s| one("profile", s)),
            self.memory.as_ref().map(|s| one("memory", s)),
            self.page_pool.as_ref().map(|s| one("page-pool", s)),
            self.peer_bundles.as_ref().map(|s| one("peer-bundles", s)),
            self.cli.as_ref().map(|s| one("cli", s)),
            self.cli_memory.as_ref().map(|s| one("cli-memory", s)),
        ];
        out.extend(singles.into_iter().flatten());
        out.extend(
            self.ner_peers
                .iter()
                .map(|(id, s)| one(format!("peer:{id}"), s)),
        );
        out.extend(
            self.sentence_peers
                .iter()
                .map(|(id, s)| one(format!("peer:{id}"), s)),
        );
        out.extend(
            self.boilerplate_peers
                .iter()
                .map(|(id, s)| one(format!("peer:{id}"), s)),
        );
        out
    }
}

// ---------------------------------------------------------------- timings

/// Timed passes over a slice: wall-clock and CPU seconds per pass, and the
/// units one pass processes.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Throughput {
    /// Wall-clock seconds per pass.
    pub wall_s: Vec<f64>,
    /// CPU seconds per pass (the thread's natively and in Python, the
    /// process's in Node); empty where not measured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpu_s: Vec<f64>,
    /// Gold tokens per pass (0 where not meaningful).
    pub tokens: usize,
    /// Code points per pass.
    pub chars: usize,
    /// Documents (or pages) per pass.
    pub docs: usize,
}

/// The median of a list (`None` for an empty one).
pub fn median(xs: &[f64]) -> Option<f64> {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => None,
        n if n % 2 == 1 => Some(s[n / 2]),
        n => Some((s[n / 2 - 1] + s[n / 2]) / 2.0),
    }
}

impl Throughput {
    /// Median wall-clock seconds per pass.
    pub fn median_s(&self) -> Option<f64> {
        median(&self.wall_s)
    }

    /// Median CPU seconds per pass, where measured.
    pub fn cpu_median_s(&self) -> Option<f64> {
        median(&self.cpu_s)
    }

    /// (max − min) / median of the wall-clock passes, in percent.
    pub fn spread_pct(&self) -> Option<f64> {
        let m = self.median_s()?;
        let max = self
            .wall_s
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let min = self.wall_s.iter().copied().fold(f64::INFINITY, f64::min);
        Some(100.0 * (max - min) / m)
    }

    /// Units per wall-clock second.
    pub fn per_s(&self, unit: Unit) -> Option<f64> {
        Some(self.units(unit) / self.median_s()?)
    }

    /// Units per CPU second, where CPU time was measured.
    pub fn per_cpu_s(&self, unit: Unit) -> Option<f64> {
        Some(self.units(unit) / self.cpu_median_s()?)
    }

    fn units(&self, unit: Unit) -> f64 {
        (match unit {
            Unit::Tokens => self.tokens,
            Unit::Chars => self.chars,
            Unit::Docs => self.docs,
        }) as f64
    }
}

/// What a rate counts.
#[derive(Clone, Copy, Debug)]
pub enum Unit {
    Tokens,
    Chars,
    Docs,
}

/// One stage's passes.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct StageSpeed {
    /// `blocks`, `tokens`, `sentences`, `segment`, `ner` or `full`.
    pub stage: String,
    pub speed: Throughput,
}

/// Section `native`: newsmark's stages over the NER slice, and the block
/// classifier over the boilerplate pages.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Native {
    pub stages: Vec<StageSpeed>,
    pub pages: Option<Throughput>,
}

/// Section `scaling`: one text of each size, one call each, natively and
/// (full pipeline) as wasm in Node and in Chromium.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Scaling {
    pub series: Vec<ScalingSeries>,
}

/// One stage's curve in one place.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct ScalingSeries {
    /// `segment` or `full`.
    pub stage: String,
    /// `native`, `node` or `chromium`.
    #[serde(default = "native_env")]
    pub env: String,
    pub points: Vec<ScalingPoint>,
}

fn native_env() -> String {
    "native".into()
}

impl ScalingSeries {
    /// How the report names the curve: "full", "full, wasm in Node".
    pub fn label(&self) -> String {
        match self.env.as_str() {
            "node" => format!("{}, wasm in Node", self.stage),
            "chromium" => format!("{}, wasm in Chromium", self.stage),
            _ => self.stage.clone(),
        }
    }
}

/// Seconds for one call on a text of `bytes` bytes.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct ScalingPoint {
    pub bytes: usize,
    /// Wall-clock seconds per call.
    pub seconds: f64,
    /// The thread's CPU seconds per call, where measured.
    pub cpu_seconds: Option<f64>,
}

impl ScalingPoint {
    /// CPU seconds where measured (steadier on a shared machine), else wall-clock.
    pub fn best_seconds(&self) -> f64 {
        self.cpu_seconds
            .filter(|c| c.is_finite() && *c > 0.0)
            .unwrap_or(self.seconds)
    }
}

/// The largest log-log slope of time on input size the scaling check accepts
/// as linear (issue #14). A slope under 1 is fine: fixed costs per call still
/// showing at 100 KB.
pub const SLOPE_MAX: f64 = 1.05;

/// Issue #14's bars, which the report checks.
pub mod bars {
    /// wasm in Node, tokens per CPU-second, over spaCy sm tok2vec+ner's.
    pub const NODE_OVER_SPACY: f64 = 5.0;
    /// wasm in Chromium, tokens per second, over spaCy's (wall-clock).
    pub const CHROMIUM_OVER_SPACY: f64 = 5.0;
    /// Native full pipeline, tokens per CPU-second.
    pub const NATIVE_TOKENS_PER_CPU_S: f64 = 100_000.0;
    /// One call on the joined text over the documents one by one, tokens per CPU-second.
    pub const LONG_TEXT_RATIO: f64 = 0.9;
    /// Peak wasm linear memory after one 10 MB `annotate` call, bytes.
    pub const PEAK_MEMORY_BYTES: u64 = 64_000_000;
    /// The memory bar holds for this input size (10 MB).
    pub const MEMORY_INPUT_BYTES: u64 = 10_000_000;
    /// Issue #16: the page, a 5 MB paste with 1 worker over with 2, wall-clock from paste to result shown.
    pub const PAGE_POOL_SPEEDUP: f64 = 1.7;
    /// The paste that bar is for (5 MB).
    pub const PAGE_POOL_INPUT_CHARS: usize = 5_000_000;
    /// Issue #15: the release `.wasm` with the default model, gzipped, bytes.
    pub const WASM_GZIP_BYTES: u64 = 2_500_000;
    /// Issue #15: the lite model file, gzipped, bytes.
    pub const LITE_GZIP_BYTES: u64 = 1_000_000;
    /// Issue #15: the default model's dev F1, gold tokens and raw text.
    pub const DEFAULT_F1: (f64, f64) = (0.854, 0.853);
    /// Issue #15: the lite model's dev F1 (spaCy sm's), gold tokens and raw text.
    pub const LITE_F1: (f64, f64) = (0.842, 0.839);
    /// Issue #15: the demo page's sample first annotated, ms from navigation (Chromium).
    pub const FIRST_ANNOTATION_MS: f64 = 250.0;
}

impl ScalingSeries {
    /// Least-squares slope of log time on log size over the inputs of
    /// 100 KB and up (1.0 is linear); `None` with fewer than two such points.
    pub fn slope(&self) -> Option<f64> {
        let xy: Vec<(f64, f64)> = self
            .points
            .iter()
            .filter(|p| p.bytes >= 99_000)
            .map(|p| ((p.bytes as f64).ln(), p.best_seconds().ln()))
            .collect();
        loglog_slope(&xy)
    }
}

/// Least-squares slope of y on x, if there are two or more distinct x.
pub fn loglog_slope(xy: &[(f64, f64)]) -> Option<f64> {
    if xy.len() < 2 {
        return None;
    }
    let n = xy.len() as f64;
    let mx = xy.iter().map(|p| p.0).sum::<f64>() / n;
    let my = xy.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = xy.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = xy.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

// ---------------------------------------------------------------- wasm

/// Sections `wasm-node` and `wasm-chromium`: the package's start-up and its
/// stages, timed from JavaScript.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct WasmRun {
    /// Node's version, or Chromium's.
    pub version: String,
    /// The browser's user agent (Chromium only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The package calls that were timed.
    pub api: Vec<String>,
    /// Why the full pipeline could not run, if it could not.
    pub full_error: Option<String>,
    /// Instantiating the module, ms.
    pub init_ms: f64,
    /// The first annotation (Node: the call alone; Chromium: from navigation start), ms.
    pub first_annotation_ms: f64,
    pub stages: Vec<StageSpeed>,
}

/// Section `memory`: the wasm linear memory around one large input.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Memory {
    pub rows: Vec<MemoryRow>,
}

/// One engine's memory figure.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct MemoryRow {
    /// `node` or `chromium` (set by the bench: the drivers do not say).
    #[serde(default)]
    pub env: String,
    pub input_bytes: u64,
    pub input_chars: u64,
    /// Linear memory before the input and after it (memory never shrinks,
    /// so after = peak).
    pub before_bytes: u64,
    pub peak_bytes: u64,
    /// Seconds for the call.
    pub seconds: f64,
    /// The process's CPU seconds for the call (Node).
    #[serde(default)]
    pub cpu_seconds: Option<f64>,
    /// The package call (`annotate` or `segment`), made once on the whole input.
    pub call: String,
    pub entities: Option<u64>,
    pub error: Option<String>,
}

/// Section `long-text`: wasm in Node, the first documents of the slice
/// joined as one text (blank lines between them) annotated in one call, and
/// the same documents annotated one by one. Both count the same units: the
/// documents' gold tokens.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct LongText {
    /// UTF-8 bytes of the joined text.
    pub bytes: usize,
    pub one_call: Throughput,
    pub separate: Throughput,
}

impl LongText {
    /// Tokens per CPU-second of the one call over the separate calls.
    pub fn ratio(&self) -> Option<f64> {
        Some(self.one_call.per_cpu_s(Unit::Tokens)? / self.separate.per_cpu_s(Unit::Tokens)?)
    }
}

/// Section `page-pool`: the demo page in headless Chromium, a long paste
/// annotated by 1 and by 2 workers (issue #16), and what cutting a text into
/// the page's pieces costs in accuracy.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct PagePool {
    /// Chromium's version.
    pub chromium: String,
    /// `navigator.hardwareConcurrency`, and the pool size the page picks from it.
    pub hardware_concurrency: u32,
    pub default_workers: u32,
    /// The paste: UTF-16 units, UTF-8 bytes, documents joined (the slice's, repeated).
    pub chars: usize,
    pub bytes: usize,
    pub docs: usize,
    /// Every timed run, in the order run (the orders alternate over the rounds).
    pub runs: Vec<PoolRun>,
    /// The slice annotated per document, in the page's pieces and whole, scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splitting: Option<Splitting>,
}

/// One paste, in a fresh browser context.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct PoolRun {
    /// `?workers=N`.
    pub workers: u32,
    /// From the paste event to the result on the page (the page's performance.now()).
    pub seconds: f64,
    /// From the first piece sent to the last result in (the page's stats line).
    pub annotate_seconds: f64,
    /// Workers the page started, its first one (started on load) included.
    pub workers_started: u32,
    /// Pieces the page cut the paste into.
    pub parts: usize,
    pub tokens: u64,
    pub blocks: u64,
    pub sentences: u64,
    pub entities: u64,
    /// SHA-256 of the exported blocks, sentences and entities.
    pub digest: String,
}

impl PagePool {
    /// The runs with `workers` workers.
    fn with(&self, workers: u32) -> impl Iterator<Item = &PoolRun> {
        self.runs.iter().filter(move |r| r.workers == workers)
    }

    /// Median seconds from paste to result shown with `workers` workers.
    pub fn median_s(&self, workers: u32) -> Option<f64> {
        median(&self.with(workers).map(|r| r.seconds).collect::<Vec<_>>())
    }

    /// Median seconds of annotating (first piece out to last result in).
    pub fn median_annotate_s(&self, workers: u32) -> Option<f64> {
        median(
            &self
                .with(workers)
                .map(|r| r.annotate_seconds)
                .collect::<Vec<_>>(),
        )
    }

    /// 1 worker's median time over 2 workers'.
    pub fn speedup(&self) -> Option<f64> {
        Some(self.median_s(1)? / self.median_s(2)?)
    }

    /// Whether every run gave the same result (the same digest of the
    /// exported blocks, sentences and entities).
    pub fn same_result(&self) -> Option<bool> {
        let first = self.runs.first()?;
        Some(self.runs.iter().all(|r| r.digest == first.digest))
    }

    /// Entities of the first run with `workers` workers.
    pub fn entities(&self, workers: u32) -> Option<u64> {
        self.with(workers).next().map(|r| r.entities)
    }
}

/// What the page's pieces cost: the slice's documents joined with blank
/// lines, annotated one call per document, in the page's pieces, and in one
/// call (`bench/pieces.mjs`), each scored by `score_ner.py`.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Splitting {
    pub docs: usize,
    /// UTF-16 units of the joined text.
    pub chars: usize,
    pub pieces: usize,
    /// Documents a piece boundary falls inside.
    pub docs_cut: Vec<serde_json::Value>,
    /// Entities found by `pieces` and not by the other way, plus the reverse.
    pub pieces_vs_documents: u64,
    pub pieces_vs_whole: u64,
    /// `documents`, `pieces`, `whole`, scored.
    pub modes: Vec<SplitMode>,
}

/// One way of annotating the joined slice, scored.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct SplitMode {
    pub mode: String,
    pub entities: u64,
    pub score: EntityScore,
}

/// Section `profile`: where the time of the wasm pipeline in Node goes,
/// from a sampling profile. `earlier` holds profiles of older builds (kept
/// from the stored record, or added by hand) to show beside the current one.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Profiles {
    pub current: Profile,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<Profile>,
}

/// One profile, summed by stage.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Profile {
    /// What the column is called in the report (e.g. the commit).
    pub label: String,
    /// How the profiled package was built and run.
    pub how: String,
    /// Samples in the window of the timed passes, and their seconds.
    pub samples: u64,
    pub seconds: f64,
    /// Self seconds by stage, in the order of the bench's stage table.
    pub stages: Vec<StageTime>,
    /// The functions with the most self time.
    pub top: Vec<FunctionTime>,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct StageTime {
    pub stage: String,
    pub seconds: f64,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct FunctionTime {
    pub function: String,
    pub stage: String,
    pub seconds: f64,
}

/// Section `sizes`: the package's files and the model files.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Sizes {
    pub files: Vec<FileSize>,
    /// The `.wasm` split into the embedded model and the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<WasmSplit>,
    /// The `.wasm` at each `wasm-opt` level (`bench/opt.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opt_levels: Vec<OptLevel>,
}

/// The `.wasm` optimised by `wasm-opt` at one level: its sizes and its speed
/// in Node over the slice.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct OptLevel {
    /// The flag, e.g. `-O3`.
    pub flag: String,
    pub wasm_raw: u64,
    pub wasm_gzip: u64,
    /// The module without the embedded model.
    pub code_raw: u64,
    pub code_gzip: u64,
    /// Whether the model was found in one piece (else code = module − model).
    pub model_found: bool,
    /// How long `wasm-opt` took.
    pub opt_seconds: f64,
    /// Instantiating the module in Node, ms.
    pub init_ms: f64,
    /// The full pipeline over the slice in Node.
    pub full: Option<Throughput>,
}

/// One file's sizes, in bytes.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct FileSize {
    /// Relative to the repository.
    pub file: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: Option<u64>,
    pub brotli_quality: Option<u32>,
    /// The esbuild-minified form of a `.js` file.
    pub minified: Option<u64>,
    pub minified_gzip: Option<u64>,
    pub minified_brotli: Option<u64>,
}

/// Code vs model in the `.wasm`: the model is embedded byte for byte
/// (`include_bytes!`, less the runs of zeros wasm-opt leaves out), so it is
/// found in the module and cut out to size the rest.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct WasmSplit {
    /// The embedded model file, relative to the repository.
    pub model_file: String,
    pub wasm_raw: u64,
    pub wasm_gzip: u64,
    pub model_raw: u64,
    pub model_gzip: u64,
    /// The `.wasm` without the model's bytes.
    pub code_raw: u64,
    pub code_gzip: u64,
    /// False if the model's bytes were not found in one piece in the module
    /// (then code = wasm − model, for raw and gzip alike: an estimate).
    pub found: bool,
}

// ---------------------------------------------------------------- accuracy

/// Section `accuracy`: newsmark's scores, from `cargo xtask predict` and the
/// shared scorers. Each part is kept even when another fails.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Accuracy {
    pub ner: Option<NerAccuracy>,
    /// The lite model (`models/ontonotes-lite.nmm`) on the same slice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ner_lite: Option<NerAccuracy>,
    pub sentences: Option<SentenceScores>,
    pub boilerplate: Option<BoilerplateScore>,
    /// The scorer's plain-text baselines, by name.
    #[serde(default)]
    pub baselines: BTreeMap<String, BoilerplateScore>,
}

/// Entity scores on raw text and on the corpus' tokens, and per label (raw).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct NerAccuracy {
    pub raw: EntityScore,
    pub gold_tokens: EntityScore,
    pub per_label: BTreeMap<String, LabelScore>,
}

/// Exact-match entity scores (0..1).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct EntityScore {
    pub p: f64,
    pub r: f64,
    pub f1: f64,
    /// F1 on the news genres (nw, bn, mz); `None` if the slice has none.
    pub news_f1: Option<f64>,
}

/// One label's F1 and counts.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct LabelScore {
    pub f1: f64,
    pub gold: u64,
    pub pred: u64,
}

/// Sentence boundary scores and rule-case pass counts.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct SentenceScores {
    pub boundaries: Boundaries,
    /// By case file: `golden_rules`, `golden_rules_extra`, `news_cases`.
    pub cases: BTreeMap<String, CaseScore>,
}

/// `score_sentences.py boundaries`.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Boundaries {
    pub all: BoundaryScore,
    pub news: Option<BoundaryScore>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct BoundaryScore {
    pub p: f64,
    pub r: f64,
    pub f1: f64,
    pub gold: u64,
    pub pred: u64,
}

/// `score_sentences.py cases`.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct CaseScore {
    pub passed: u64,
    pub total: u64,
}

/// `score_boilerplate.py`'s figures for one system.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct BoilerplateScore {
    pub pages: u64,
    pub empty_outputs: u64,
    /// Token bag F1 of the kept text against the article text.
    pub bag: TokenF1,
    pub shingle4: TokenF1,
    /// Per-line article labels (line-decision outputs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<LineScore>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct TokenF1 {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Bootstrap standard deviation over pages.
    pub f1_std: Option<f64>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct LineScore {
    pub line_accuracy: f64,
    pub line_f1: f64,
    pub line_precision: f64,
    pub line_recall: f64,
}

// ---------------------------------------------------------------- peers

/// Package versions, as the peer reported them.
pub type Versions = BTreeMap<String, Option<String>>;

/// Section `peer:ID` for an NER peer.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct NerPeer {
    pub id: String,
    pub name: String,
    /// `Python` or `Node`.
    pub runtime: String,
    pub versions: Versions,
    /// The labels it can emit.
    pub labels: Vec<String>,
    /// Entity F1, all 18 labels and news genres.
    pub f1: f64,
    pub news_f1: Option<f64>,
    /// F1 with gold and predictions restricted to `labels`.
    pub covered_f1: f64,
    pub speed: Throughput,
    /// Documents it threw on (counted as predicting nothing).
    pub failed_docs: Option<u64>,
    /// Its sentences, where its pipeline splits them (spaCy's parser).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentences: Option<PeerSentences>,
}

/// A sentence splitter's scores, under the name the report shows.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct PeerSentences {
    pub name: String,
    pub scores: SentenceScores,
}

/// Section `peer:ID` for a sentence splitter.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct SentencePeer {
    pub id: String,
    pub name: String,
    pub versions: Versions,
    pub scores: SentenceScores,
    pub speed: Throughput,
}

/// Section `peer:ID` for a boilerplate remover.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct BoilerplatePeer {
    pub id: String,
    pub name: String,
    /// What it reads.
    pub input: String,
    pub versions: Versions,
    pub score: BoilerplateScore,
    pub speed: Throughput,
}

/// Section `peer-bundles`: each JS peer bundled for the browser.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct PeerBundles {
    pub bundles: Vec<Bundle>,
    pub esbuild: String,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Bundle {
    pub name: String,
    pub minified: u64,
    pub gzip: u64,
    pub brotli: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_derives_rates() {
        let t = Throughput {
            wall_s: vec![2.0, 1.0, 4.0],
            cpu_s: vec![1.0, 1.0, 1.0],
            tokens: 100,
            chars: 500,
            docs: 10,
        };
        assert_eq!(t.median_s(), Some(2.0));
        assert_eq!(t.spread_pct(), Some(150.0));
        assert_eq!(t.per_s(Unit::Tokens), Some(50.0));
        assert_eq!(t.per_cpu_s(Unit::Chars), Some(500.0));
        assert_eq!(t.per_s(Unit::Docs), Some(5.0));
        let none = Throughput::default();
        assert_eq!(none.per_cpu_s(Unit::Tokens), None);
    }

    #[test]
    fn slope_of_a_line() {
        let pts: Vec<(f64, f64)> = (1..5).map(|i| (i as f64, 2.0 * i as f64 + 1.0)).collect();
        assert!((loglog_slope(&pts).unwrap() - 2.0).abs() < 1e-9);
        assert!(loglog_slope(&pts[..1]).is_none());
    }
}
