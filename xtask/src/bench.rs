//! Benchmarks: speed, size and accuracy against peers; writes BENCHMARKS.md.
//!
//! Everything is measured on the same text: a slice of OntoNotes dev (the
//! first N documents; all 542 by default) and of the boilerplate dev pages.
//! The work is split into sections (see [`SECTIONS`] and `cargo xtask bench
//! --help`), each with a typed result (`record.rs`) that carries when and by
//! which command it was measured. `BENCHMARKS.json` keeps the whole record;
//! `BENCHMARKS.md`, the scaling plot (`docs/bench/scaling.svg`) and the
//! README's headline table are rendered from it (`report.rs`, `svg.rs`).
//!
//! A whole run measures the sections it is asked for and replaces the
//! record. `--only SECTION[,SECTION]` measures those sections again on the
//! recorded slice and settings, keeps the stored results of the others, and
//! renders the report again; `--render` only renders. With `--quick`
//! everything goes to `target/bench/quick/` unless `--out` says otherwise.
//! Working files (slices, prediction files) stay in `target/bench/`.

mod case;
mod cli;
mod clock;
mod native;
mod opt;
mod page;
mod peers;
mod profile;
mod record;
mod report;
mod svg;
mod wasm;

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use native::Corpus;
use peers::{Peer, Task, PEERS};
use record::{
    Accuracy, BoilerplatePeer, Machine, Measurement, Memory, NerAccuracy, NerPeer, PeerSentences,
    Record, Section, Sections, SentencePeer, Settings, Slices, TextSlice, Throughput, FORMAT,
};

use crate::util::{flags_help, output, root, shared, Flag, Flags, Result};

// ------------------------------------------------------------------ flags

/// Every flag of `cargo xtask bench`; `util::Flags` refuses anything else.
const FLAGS: &[Flag] = &[
    Flag::switch(
        "--quick",
        "20 documents, 20 pages, 3 passes, inputs up to 300 KB, no peers; writes to target/bench/quick/",
    ),
    Flag::switch(
        "--peers",
        "also measure the peers (installed into target/bench-venv and bench/node_modules)",
    ),
    Flag::value(
        "--only",
        "SECTION[,SECTION]",
        "measure these sections again on the recorded slice and settings; keep the others' stored results",
    ),
    Flag::value(
        "--keep",
        "SECTION[,SECTION]",
        "a whole run that does not measure these sections but carries their stored results over from BENCHMARKS.json (each keeps its own measurement line; the settings must be the same)",
    ),
    Flag::switch(
        "--render",
        "measure nothing: render the report again from the stored results",
    ),
    Flag::value(
        "--slice",
        "N",
        "the first N OntoNotes dev documents (default: all 542; --quick: 20)",
    ),
    Flag::value(
        "--pages",
        "N",
        "the first N boilerplate dev pages (default: all 649; --quick: 20)",
    ),
    Flag::value("--runs", "N", "timed passes for newsmark (default 3)"),
    Flag::value("--peer-runs", "N", "timed passes for the peers (default 2)"),
    Flag::value(
        "--memory-mb",
        "N",
        "the memory input (one call, Node and Chromium), MB (default 10; --quick: 0.1)",
    ),
    Flag::switch(
        "--no-wasm",
        "leave out the wasm sections (sizes, wasm-node, wasm-chromium, long-text, profile, memory, page-pool)",
    ),
    Flag::switch(
        "--no-browser",
        "leave out Chromium (wasm-chromium, page-pool, and its scaling and memory rows)",
    ),
    Flag::switch("--no-build", "use the wasm package in www/pkg/ as it is"),
    Flag::value(
        "--profile-earlier",
        "DIR=LABEL",
        "with section profile: also profile the package in DIR (wasm-bindgen output of an older build, names kept) and keep it as an earlier column called LABEL",
    ),
    Flag::value(
        "--out",
        "DIR",
        "where BENCHMARKS.md and BENCHMARKS.json go (default: the repository; --quick: target/bench/quick/)",
    ),
    Flag::switch("--help", "this text"),
];

/// `--NAME N` as a non-negative number, if given.
fn number(a: &Flags, name: &str) -> Result<Option<f64>> {
    a.value(name)
        .map(|v| match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
            _ => Err(format!("{name} wants a number, got `{v}`").into()),
        })
        .transpose()
}

/// `--NAME N` as a whole number, if given.
fn count(a: &Flags, name: &str) -> Result<Option<usize>> {
    a.value(name)
        .map(|v| {
            v.parse::<usize>()
                .map_err(|_| format!("{name} wants a whole number, got `{v}`").into())
        })
        .transpose()
}

fn usage() -> String {
    let mut s = String::from(
        "usage: cargo xtask bench [--quick] [--peers] [options]\n       \
         cargo xtask bench --only SECTION[,SECTION] [--quick] [--no-build] [--no-browser] [--out DIR]\n       \
         cargo xtask bench --render [--quick] [--out DIR]\n\n",
    );
    s.push_str(&flags_help("bench", FLAGS));
    s.push_str("\n\nsections (for --only; `wasm` and `peers` name their groups):\n");
    for id in all_ids() {
        s.push_str(&format!("  {:<30} {}\n", id.name(), id.what()));
    }
    s
}

// ------------------------------------------------------------------ sections

/// Size of the joined text of section `long-text` (the slice's first
/// documents up to this many bytes).
const LONG_TEXT_BYTES: usize = 1_000_000;

/// The lite model, beside the default one (its figures are reported too).
pub(crate) const LITE_MODEL_FILE: &str = "models/ontonotes-lite.nmm";

/// The paste of section `page-pool` with `--quick` (UTF-16 units; about 30
/// pieces). The page takes a paste itself only above its `EDITOR_LIMIT`
/// (500,000 units, `www/state.js`).
const PAGE_POOL_QUICK_CHARS: usize = 600_000;

/// A section of the bench.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Id {
    Native,
    Scaling,
    Accuracy,
    Case,
    Sizes,
    WasmNode,
    WasmChromium,
    LongText,
    Profile,
    Memory,
    PagePool,
    PeerBundles,
    Cli,
    CliMemory,
    /// An index into [`PEERS`].
    Peer(usize),
}

/// The sections other than the peers, in the order a run measures them:
/// (id, name, what it measures).
const SECTIONS: [(Id, &str, &str); 14] = [
    (
        Id::Native,
        "native",
        "newsmark's stages natively over the slice, and blocks over the pages",
    ),
    (
        Id::Scaling,
        "scaling",
        "time against input size, 1 KB to 10 MB, one call per size: natively, and the wasm in Node and Chromium",
    ),
    (
        Id::Accuracy,
        "accuracy",
        "newsmark's NER, sentence and boilerplate scores (cargo xtask predict + shared scorers)",
    ),
    (
        Id::Case,
        "case",
        "NER F1 with the text's case changed (lower, upper, title), newsmark and spaCy sm (needs the peers)",
    ),
    (
        Id::Sizes,
        "sizes",
        "the wasm package's and the models' sizes; code vs model in the .wasm; each wasm-opt level's sizes and speed in Node",
    ),
    (
        Id::WasmNode,
        "wasm-node",
        "the wasm package in Node: start-up and stages",
    ),
    (
        Id::WasmChromium,
        "wasm-chromium",
        "the wasm package in headless Chromium: start-up and stages",
    ),
    (
        Id::LongText,
        "long-text",
        "wasm in Node: the slice's documents joined as one ~1 MB text in one call vs one call per document",
    ),
    (
        Id::Profile,
        "profile",
        "wasm in Node under node --cpu-prof: where the time goes, by stage",
    ),
    (
        Id::Memory,
        "memory",
        "peak wasm linear memory of one annotate call on the large input (10 MB), Node and Chromium, fresh instances",
    ),
    (
        Id::PagePool,
        "page-pool",
        "the demo page in headless Chromium: a 5 MB paste with 1 and 2 workers (issue #16), and the accuracy cost of its pieces",
    ),
    (
        Id::PeerBundles,
        "peer-bundles",
        "the JS peers bundled for the browser",
    ),
    (
        Id::Cli,
        "cli",
        "the newsmark CLI on the slice repeated: 1 vs 2 threads, peak memory, its entities vs cargo xtask predict ner",
    ),
    (
        Id::CliMemory,
        "cli-memory",
        "1 GB of JSONL piped through the newsmark CLI (2 threads): peak resident memory (--quick: 5 MB; NEWSMARK_BENCH_CLI_MB=N sets N MB)",
    ),
];

impl Id {
    fn name(self) -> String {
        match self {
            Id::Peer(i) => format!("peer:{}", PEERS[i].id),
            id => SECTIONS
                .iter()
                .find(|s| s.0 == id)
                .map(|s| s.1.to_string())
                .unwrap_or_default(),
        }
    }

    fn what(self) -> String {
        match self {
            Id::Peer(i) => format!("{} ({})", PEERS[i].name, PEERS[i].runtime.name()),
            id => SECTIONS
                .iter()
                .find(|s| s.0 == id)
                .map(|s| s.2.to_string())
                .unwrap_or_default(),
        }
    }

    fn is_wasm(self) -> bool {
        matches!(
            self,
            Id::Sizes
                | Id::WasmNode
                | Id::WasmChromium
                | Id::LongText
                | Id::Profile
                | Id::Memory
                | Id::PagePool
        )
    }

    fn is_peer(self) -> bool {
        matches!(self, Id::Case | Id::PeerBundles | Id::Peer(_))
    }
}

/// Every section, in run order.
fn all_ids() -> Vec<Id> {
    SECTIONS
        .iter()
        .map(|s| s.0)
        .chain((0..PEERS.len()).map(Id::Peer))
        .collect()
}

/// Copies section `id`'s stored result from `from` into `to` (`--keep`).
fn carry(id: Id, from: &Sections, to: &mut Sections) -> Result {
    fn one<T: Clone>(name: &str, from: &Option<Section<T>>, to: &mut Option<Section<T>>) -> Result {
        let s = from
            .clone()
            .ok_or_else(|| format!("--keep {name}: BENCHMARKS.json holds no result of it"))?;
        *to = Some(s);
        Ok(())
    }
    fn one_in<T: Clone>(
        name: &str,
        key: &str,
        from: &BTreeMap<String, Section<T>>,
        to: &mut BTreeMap<String, Section<T>>,
    ) -> Result {
        let s = from
            .get(key)
            .ok_or_else(|| format!("--keep {name}: BENCHMARKS.json holds no result of it"))?;
        to.insert(key.to_string(), s.clone());
        Ok(())
    }
    let name = id.name();
    let n = name.as_str();
    match id {
        Id::Native => one(n, &from.native, &mut to.native),
        Id::Scaling => one(n, &from.scaling, &mut to.scaling),
        Id::Accuracy => one(n, &from.accuracy, &mut to.accuracy),
        Id::Case => one(n, &from.case, &mut to.case),
        Id::Sizes => one(n, &from.sizes, &mut to.sizes),
        Id::WasmNode => one(n, &from.wasm_node, &mut to.wasm_node),
        Id::WasmChromium => one(n, &from.wasm_chromium, &mut to.wasm_chromium),
        Id::LongText => one(n, &from.long_text, &mut to.long_text),
        Id::Profile => one(n, &from.profile, &mut to.profile),
        Id::Memory => one(n, &from.memory, &mut to.memory),
        Id::PagePool => one(n, &from.page_pool, &mut to.page_pool),
        Id::PeerBundles => one(n, &from.peer_bundles, &mut to.peer_bundles),
        Id::Cli => one(n, &from.cli, &mut to.cli),
        Id::CliMemory => one(n, &from.cli_memory, &mut to.cli_memory),
        Id::Peer(i) => {
            let peer = PEERS[i];
            match peer.task {
                Task::Ner => one_in(n, peer.id, &from.ner_peers, &mut to.ner_peers),
                Task::Sentences => one_in(n, peer.id, &from.sentence_peers, &mut to.sentence_peers),
                Task::Boilerplate => one_in(
                    n,
                    peer.id,
                    &from.boilerplate_peers,
                    &mut to.boilerplate_peers,
                ),
            }
        }
    }
}

/// The sections of `--only a,b,c` (names, `peer:ID`, or the groups `wasm`
/// and `peers`), in run order.
fn parse_only(list: &str) -> Result<Vec<Id>> {
    let all = all_ids();
    let mut wanted = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let matched: Vec<Id> = match name {
            "wasm" => all.iter().copied().filter(|id| id.is_wasm()).collect(),
            "peers" => all.iter().copied().filter(|id| id.is_peer()).collect(),
            _ => all.iter().copied().filter(|id| id.name() == name).collect(),
        };
        if matched.is_empty() {
            return Err(format!(
                "--only: no section `{name}`; the sections are: {}",
                all.iter()
                    .map(|id| id.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
            .into());
        }
        wanted.extend(matched);
    }
    if wanted.is_empty() {
        return Err("--only wants at least one section".into());
    }
    Ok(all.into_iter().filter(|id| wanted.contains(id)).collect())
}

// ------------------------------------------------------------------ the command

/// `cargo xtask bench`.
pub fn bench(args: &[String]) -> Result {
    // The CLI sections' measuring helper (a hidden first argument).
    if args.first().map(String::as_str) == Some(cli::HELPER) {
        return cli::helper(&args[1..]);
    }
    // `--help` shows the sections too, so it is answered before `Flags`
    // (which would list the flags alone).
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{}", usage());
        return Ok(());
    }
    let a = Flags::parse("bench", args, FLAGS)?;
    let quick = a.has("--quick");
    let out = match a.value("--out") {
        Some(d) => PathBuf::from(d),
        None if quick => root().join("target/bench/quick"),
        None => root(),
    };
    let json_path = out.join("BENCHMARKS.json");
    let command = std::iter::once("cargo xtask bench".to_string())
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let only = a.value("--only").as_deref().map(parse_only).transpose()?;
    if a.has("--render") || only.is_some() {
        for f in [
            "--peers",
            "--slice",
            "--pages",
            "--runs",
            "--peer-runs",
            "--memory-mb",
            "--no-wasm",
        ] {
            if a.has(f) {
                return Err(format!(
                    "{f} does not go with --only or --render: they use the settings and slice the record was measured with"
                )
                .into());
            }
        }
    }
    if a.has("--render") {
        if only.is_some() {
            return Err("--render and --only do not go together".into());
        }
        let record = load(&json_path)?;
        write_outputs(&record, &out)?;
        eprintln!("bench: rendered {}", out.join("BENCHMARKS.md").display());
        return Ok(());
    }

    let started = Instant::now();
    let (commit, dirty) = commit();
    let run_start = Measurement {
        command: command.clone(),
        started: clock::now(),
        seconds: None,
        commit,
        dirty,
        load_avg_start: load_avg(),
        load_avg_end: None,
    };
    let kept = a.value("--keep").as_deref().map(parse_only).transpose()?;
    if kept.is_some() && (only.is_some() || a.has("--render")) {
        return Err("--keep is for a whole run: not with --only or --render".into());
    }
    let kept = kept.unwrap_or_default();
    let (mut record, ids) = match only {
        Some(ids) => (load(&json_path)?, ids),
        None => {
            let settings = settings(&a, quick)?;
            let ids = all_ids()
                .into_iter()
                .filter(|id| !id.is_wasm() || !a.has("--no-wasm"))
                .filter(|id| {
                    !matches!(id, Id::WasmChromium | Id::PagePool) || !a.has("--no-browser")
                })
                .filter(|id| !id.is_peer() || a.has("--peers"))
                .filter(|id| !kept.contains(id))
                .collect();
            let mut carried = Sections::default();
            if !kept.is_empty() {
                let previous = load(&json_path)?;
                if previous.settings != settings {
                    return Err(format!(
                        "--keep: {} was measured with other settings ({:?}; now {:?}): measure those sections again",
                        json_path.display(),
                        previous.settings,
                        settings
                    )
                    .into());
                }
                for id in &kept {
                    carry(*id, &previous.sections, &mut carried)?;
                }
            }
            let record = Record {
                format: FORMAT,
                settings,
                slices: Slices {
                    ner: empty_slice(),
                    boilerplate: empty_slice(),
                },
                machine: machine(),
                run: run_start.clone(),
                sections: carried,
            };
            (record, ids)
        }
    };
    let whole = !a.has("--only");

    // The slices every system reads, cut again from the shared data.
    let work = root().join("target/bench");
    std::fs::create_dir_all(work.join("pred"))?;
    std::fs::create_dir_all(&out)?;
    let (corpus, pages, slices) = cut_slices(&record.settings, &work)?;
    if whole {
        record.slices = slices;
    } else if slices != record.slices {
        return Err(format!(
            "the slice recorded in {} is not what the data gives now (recorded {:?}, now {:?}): run the whole bench again",
            json_path.display(),
            record.slices,
            slices
        )
        .into());
    }

    // Profiles of older builds stored beside the current one are kept.
    let earlier_profiles = load(&json_path)
        .ok()
        .and_then(|r| r.sections.profile)
        .and_then(|p| p.data)
        .map(|p| p.earlier)
        .unwrap_or_default();
    let wasm = !a.has("--no-wasm");
    let ctx = Ctx {
        settings: record.settings.clone(),
        corpus,
        pages,
        slice: work.join("ontonotes-dev-slice.jsonl"),
        page_slice: work.join("boilerplate-dev-slice.jsonl"),
        work,
        command,
        commit: (run_start.commit.clone(), run_start.dirty),
        build: !a.has("--no-build"),
        browser: !a.has("--no-browser"),
        wasm,
        earlier_profiles,
        profile_earlier: a
            .value("--profile-earlier")
            .map(|v| match v.split_once('=') {
                Some((dir, label)) => Ok((PathBuf::from(dir), label.to_string())),
                None => Err(format!("--profile-earlier wants DIR=LABEL, not `{v}`")),
            })
            .transpose()?,
        annotator: OnceCell::new(),
        wasm_ready: OnceCell::new(),
        peers_ready: OnceCell::new(),
    };
    // Builds and installs first, so that no section's time includes them
    // (a failure here is reported by each section that needed it).
    if ids
        .iter()
        .any(|id| id.is_wasm() || (*id == Id::Scaling && ctx.wasm))
    {
        eprintln!("bench: preparing the wasm package");
        let _ = ctx.wasm_ready();
    }
    if ids.iter().any(|id| id.is_peer()) {
        eprintln!("bench: installing the peers");
        let _ = ctx.peers_ready();
    }
    let mut failed = Vec::new();
    for id in &ids {
        let errors = ctx.run(*id, &mut record);
        failed.extend(errors.into_iter().map(|e| format!("{}: {e}", id.name())));
    }

    if whole {
        record.run = Measurement {
            seconds: Some(started.elapsed().as_secs_f64()),
            load_avg_end: load_avg(),
            ..run_start
        };
    }
    write_outputs(&record, &out)?;
    eprintln!(
        "bench: wrote {} and BENCHMARKS.json in {:.0} s",
        out.join("BENCHMARKS.md").display(),
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} error(s) (see the report):\n  {}",
            failed.len(),
            failed.join("\n  ")
        )
        .into())
    }
}

/// The settings of a whole run, from the flags.
fn settings(a: &Flags, quick: bool) -> Result<Settings> {
    Ok(Settings {
        quick,
        slice: count(a, "--slice")?.or(quick.then_some(20)),
        pages: count(a, "--pages")?.or(quick.then_some(20)),
        runs: count(a, "--runs")?.unwrap_or(3).max(1),
        // Two passes over all of dev for the slow peers already take minutes.
        peer_runs: count(a, "--peer-runs")?.unwrap_or(2).max(1),
        scaling_max_bytes: if quick { 300_000 } else { 10_000_000 },
        memory_bytes: number(a, "--memory-mb")?
            .map(|mb| (mb * 1e6) as usize)
            .unwrap_or(if quick { 100_000 } else { 10_000_000 }),
        brotli_quality: if quick { 5 } else { 11 },
    })
}

fn empty_slice() -> TextSlice {
    TextSlice {
        file: String::new(),
        docs: 0,
        chars: 0,
        bytes: 0,
        tokens: 0,
    }
}

/// Reads the slices of the shared data the settings name, writes them to the
/// files every runner reads, and counts them.
fn cut_slices(settings: &Settings, work: &Path) -> Result<(Corpus, Corpus, Slices)> {
    let ner_file = "data/ontonotes/dev.jsonl";
    let pages_file = "data/boilerplate/dev.jsonl";
    let corpus = Corpus::ontonotes(&shared().join(ner_file), settings.slice)?;
    let pages = Corpus::pages(&shared().join(pages_file), settings.pages)?;
    std::fs::write(
        work.join("ontonotes-dev-slice.jsonl"),
        corpus.lines.join("\n") + "\n",
    )?;
    std::fs::write(
        work.join("boilerplate-dev-slice.jsonl"),
        pages.lines.join("\n") + "\n",
    )?;
    let count = |file: &str, c: &Corpus| TextSlice {
        file: format!("../shared/{file}"),
        docs: c.docs.len(),
        chars: c.chars(),
        bytes: c.bytes(),
        tokens: c.tokens(),
    };
    let slices = Slices {
        ner: count(ner_file, &corpus),
        boilerplate: count(pages_file, &pages),
    };
    Ok((corpus, pages, slices))
}

/// Reads a stored record.
fn load(path: &Path) -> Result<Record> {
    let body = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: {e} (run the whole bench first: `cargo xtask bench [--quick]`)",
            path.display()
        )
    })?;
    let record: Record = serde_json::from_str(&body).map_err(|e| {
        format!(
            "{} is not a benchmark record of format {FORMAT}: {e}",
            path.display()
        )
    })?;
    if record.format != FORMAT {
        return Err(format!(
            "{} has format {}, this bench writes {FORMAT}: run the whole bench again",
            path.display(),
            record.format
        )
        .into());
    }
    Ok(record)
}

/// Writes BENCHMARKS.json, BENCHMARKS.md, the scaling plot and (for the
/// repository's own report) the README's headline table.
fn write_outputs(record: &Record, out: &Path) -> Result {
    let json = serde_json::to_string_pretty(record)? + "\n";
    std::fs::write(out.join("BENCHMARKS.json"), json)?;
    let in_repo = same_dir(out, &root()) && !record.settings.quick;
    let (svg_path, svg_rel) = if in_repo {
        (
            root().join("docs/bench/scaling.svg"),
            "docs/bench/scaling.svg",
        )
    } else {
        (out.join("scaling.svg"), "scaling.svg")
    };
    if let Some(dir) = svg_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&svg_path, svg::scaling(record))?;
    let order: Vec<String> = all_ids().into_iter().map(Id::name).collect();
    std::fs::write(
        out.join("BENCHMARKS.md"),
        report::markdown(record, svg_rel, &order),
    )?;
    if in_repo {
        update_readme(record)?;
    }
    Ok(())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Replaces the README's headline table (between its `bench:headline`
/// markers) with the record's.
fn update_readme(record: &Record) -> Result {
    let path = root().join("README.md");
    let Ok(readme) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let (start, end) = (
        "<!-- bench:headline:start -->",
        "<!-- bench:headline:end -->",
    );
    let (Some(a), Some(b)) = (readme.find(start), readme.find(end)) else {
        return Ok(());
    };
    let new = format!(
        "{}{start}\n{}{}",
        &readme[..a],
        report::readme_headline(record),
        &readme[b..]
    );
    if new != readme {
        std::fs::write(&path, new)?;
    }
    Ok(())
}

// ------------------------------------------------------------------ running sections

/// What the sections share while they run.
struct Ctx {
    settings: Settings,
    corpus: Corpus,
    pages: Corpus,
    slice: PathBuf,
    page_slice: PathBuf,
    work: PathBuf,
    command: String,
    /// The commit (and whether tracked files differ from it) when the command started.
    commit: (String, bool),
    build: bool,
    browser: bool,
    /// The wasm package takes part (not `--no-wasm`): scaling measures it too.
    wasm: bool,
    /// Profiles of older builds, carried into the `profile` section.
    earlier_profiles: Vec<record::Profile>,
    /// `--profile-earlier`: an older build's package to profile, and its label.
    profile_earlier: Option<(PathBuf, String)>,
    annotator: OnceCell<std::result::Result<newsmark::Annotator, String>>,
    wasm_ready: OnceCell<std::result::Result<(), String>>,
    peers_ready: OnceCell<std::result::Result<(), String>>,
}

impl Ctx {
    /// Measures one section into the record; returns its errors.
    fn run(&self, id: Id, record: &mut Record) -> Vec<String> {
        fn keep<T>(slot: &mut Option<Section<T>>, section: Section<T>) -> Vec<String> {
            let errors = section.errors.clone();
            *slot = Some(section);
            errors
        }
        fn keep_in<T>(
            map: &mut BTreeMap<String, Section<T>>,
            key: &str,
            section: Section<T>,
        ) -> Vec<String> {
            let errors = section.errors.clone();
            map.insert(key.to_string(), section);
            errors
        }
        let s = &mut record.sections;
        let name = id.name();
        match id {
            Id::Native => keep(&mut s.native, self.measure(&name, |e| self.native(e))),
            Id::Scaling => keep(&mut s.scaling, self.measure(&name, |e| self.scaling(e))),
            Id::Accuracy => keep(
                &mut s.accuracy,
                self.measure(&name, |e| Ok(self.accuracy(e))),
            ),
            Id::Case => keep(
                &mut s.case,
                self.measure(&name, |e| {
                    let ready = self.peers_ready();
                    case::measure(&self.corpus.lines, &self.slice, &self.work, ready, e)
                }),
            ),
            Id::Sizes => keep(
                &mut s.sizes,
                self.measure(&name, |_| {
                    self.wasm_ready()?;
                    let mut sizes = wasm::sizes(self.settings.brotli_quality)?;
                    sizes.opt_levels = opt::levels(&self.slice, &self.corpus, 1)?;
                    Ok(sizes)
                }),
            ),
            Id::WasmNode => keep(
                &mut s.wasm_node,
                self.measure(&name, |e| self.wasm_run(e, false)),
            ),
            Id::WasmChromium => keep(
                &mut s.wasm_chromium,
                self.measure(&name, |e| self.wasm_run(e, true)),
            ),
            Id::LongText => keep(&mut s.long_text, self.measure(&name, |e| self.long_text(e))),
            Id::Profile => keep(&mut s.profile, self.measure(&name, |_| self.profile())),
            Id::Memory => keep(&mut s.memory, self.measure(&name, |e| self.memory(e))),
            Id::PagePool => keep(&mut s.page_pool, self.measure(&name, |e| self.page_pool(e))),
            Id::PeerBundles => keep(
                &mut s.peer_bundles,
                self.measure(&name, |_| {
                    self.peers_ready()?;
                    peers::node_script("peers.mjs", &["bundles"])
                }),
            ),
            Id::Cli => keep(
                &mut s.cli,
                self.measure(&name, |e| {
                    let tokens = self.corpus.tokens();
                    cli::cli(&self.slice, &self.work, tokens, self.settings.runs, e)
                }),
            ),
            Id::CliMemory => keep(
                &mut s.cli_memory,
                self.measure(&name, |_| {
                    cli::cli_memory(&self.slice, &self.work, self.settings.quick)
                }),
            ),
            Id::Peer(i) => {
                let peer = PEERS[i];
                match peer.task {
                    Task::Ner => keep_in(
                        &mut s.ner_peers,
                        peer.id,
                        self.measure(&name, |_| self.ner_peer(peer)),
                    ),
                    Task::Sentences => keep_in(
                        &mut s.sentence_peers,
                        peer.id,
                        self.measure(&name, |_| self.sentence_peer(peer)),
                    ),
                    Task::Boilerplate => keep_in(
                        &mut s.boilerplate_peers,
                        peer.id,
                        self.measure(&name, |_| self.boilerplate_peer(peer)),
                    ),
                }
            }
        }
    }

    /// Runs a section's body, timing it and noting when, how and what failed.
    /// The body pushes what went wrong without stopping it, and returns its
    /// data or the error that did stop it.
    fn measure<T>(
        &self,
        name: &str,
        body: impl FnOnce(&mut Vec<String>) -> Result<T>,
    ) -> Section<T> {
        eprintln!("bench: {name}");
        let started = clock::now();
        let load_avg_start = load_avg();
        let t = Instant::now();
        let mut errors = Vec::new();
        let data = match body(&mut errors) {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(e.to_string());
                None
            }
        };
        let seconds = t.elapsed().as_secs_f64();
        eprintln!("bench: {name}: {seconds:.1} s");
        for e in &errors {
            eprintln!("bench: {name} failed: {e}");
        }
        Section {
            measured: Measurement {
                command: self.command.clone(),
                started,
                seconds: Some(seconds),
                commit: self.commit.0.clone(),
                dirty: self.commit.1,
                load_avg_start,
                load_avg_end: load_avg(),
            },
            errors,
            data,
        }
    }

    fn annotator(&self) -> std::result::Result<&newsmark::Annotator, String> {
        self.annotator
            .get_or_init(native::annotator)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The wasm package built (unless `--no-build`) and the bench's npm folder installed.
    fn wasm_ready(&self) -> Result {
        let r = self.wasm_ready.get_or_init(|| {
            (|| -> Result {
                if self.build {
                    wasm::build()?;
                }
                wasm::check_pkg()?;
                peers::install_npm()
            })()
            .map_err(|e| format!("the wasm package is not ready: {e}"))
        });
        r.clone().map_err(Into::into)
    }

    /// The peers' Python environment and npm folder installed.
    fn peers_ready(&self) -> Result {
        let r = self.peers_ready.get_or_init(|| {
            (|| -> Result {
                peers::install_python()?;
                peers::install_npm()
            })()
            .map_err(|e| format!("the peers could not be installed: {e}"))
        });
        r.clone().map_err(Into::into)
    }

    fn native(&self, errors: &mut Vec<String>) -> Result<record::Native> {
        let a = self.annotator();
        if let Err(e) = &a {
            errors.push(format!("no NER or full pipeline: {e}"));
        }
        Ok(native::native(
            &self.corpus,
            &self.pages,
            self.settings.runs,
            a.ok(),
        ))
    }

    fn scaling(&self, errors: &mut Vec<String>) -> Result<record::Scaling> {
        let a = self.annotator();
        if let Err(e) = &a {
            errors.push(format!("no full pipeline: {e}"));
        }
        let texts: Vec<&str> = self.corpus.docs.iter().map(|d| d.text.as_str()).collect();
        let mut series = native::scaling(&texts, self.settings.scaling_max_bytes, a.ok());
        if self.wasm {
            let job = wasm::Job {
                scaling: native::scaling_sizes(self.settings.scaling_max_bytes),
                ..Default::default()
            };
            let mut engines = vec!["node"];
            if self.browser {
                engines.push("chromium");
            }
            for env in engines {
                let out = self.wasm_ready().and_then(|()| {
                    if env == "node" {
                        wasm::node(&self.slice, &job)
                    } else {
                        wasm::chromium(&self.slice, &job)
                    }
                });
                match out.map(|o| o.scaling(env)) {
                    Ok(Some(se)) if !se.points.is_empty() => series.push(se),
                    Ok(_) => errors.push(format!("{env}: the driver measured no scaling curve")),
                    Err(e) => errors.push(format!("{env}: {e}")),
                }
            }
        }
        Ok(record::Scaling { series })
    }

    /// newsmark's NER, sentence and boilerplate scores, from the prediction
    /// files `cargo xtask predict ...` writes; a part that fails is noted and
    /// the others still run.
    fn accuracy(&self, errors: &mut Vec<String>) -> Accuracy {
        let pred_dir = self.work.join("pred");
        let predict = |what: &str, data: &Path, out: &Path, extra: Option<&str>| -> Result {
            let mut args = vec![
                "predict".to_string(),
                what.to_string(),
                "--data".to_string(),
                data.display().to_string(),
                "--out".to_string(),
                out.display().to_string(),
            ];
            args.extend(extra.map(String::from));
            xtask(&args)
        };
        let mut part = |what: &str, r: Result<()>| {
            if let Err(e) = r {
                errors.push(format!("{what}: {e}"));
            }
        };
        let mut acc = Accuracy::default();
        part(
            "NER",
            (|| {
                // One model's scores on the slice, on raw text and on the gold tokens.
                let scores_of = |who: &str, model: Option<String>| -> Result<NerAccuracy> {
                    let mut scores = Vec::new();
                    for (mode, gold_tokens) in [("raw", false), ("gold-tokens", true)] {
                        let pred = pred_dir.join(format!("{who}-ner-{mode}.jsonl"));
                        let mut args: Vec<String> =
                            ["predict", "ner", "--data"].map(String::from).to_vec();
                        args.push(self.slice.display().to_string());
                        args.push("--out".into());
                        args.push(pred.display().to_string());
                        args.extend(model.clone());
                        if gold_tokens {
                            args.push("--gold-tokens".into());
                        }
                        xtask(&args)?;
                        scores.push(peers::score_ner(&self.slice, &pred)?);
                    }
                    let gold = scores.pop().ok_or("no score")?;
                    let raw = scores.pop().ok_or("no score")?;
                    Ok(NerAccuracy {
                        raw: raw.overall,
                        gold_tokens: gold.overall,
                        per_label: raw.per_label,
                    })
                };
                acc.ner = Some(scores_of("newsmark", None)?);
                // The lite model on the same slice, both ways.
                let lite = root().join(LITE_MODEL_FILE);
                if lite.exists() {
                    let model = format!("--model={}", lite.display());
                    acc.ner_lite = Some(scores_of("newsmark-lite", Some(model))?);
                }
                Ok(())
            })(),
        );
        part(
            "sentences",
            (|| {
                let pred = pred_dir.join("newsmark-sentences.jsonl");
                let sentences = |data: &Path, out: &Path| predict("sentences", data, out, None);
                sentences(&self.slice, &pred)?;
                acc.sentences = Some(peers::sentence_scores(
                    &self.slice,
                    &pred,
                    &pred_dir,
                    "newsmark",
                    &sentences,
                )?);
                Ok(())
            })(),
        );
        part(
            "boilerplate",
            (|| {
                let pred = pred_dir.join("newsmark-boilerplate.jsonl");
                predict("boilerplate", &self.page_slice, &pred, None)?;
                acc.boilerplate = Some(peers::score_boilerplate(&self.page_slice, &pred)?);
                Ok(())
            })(),
        );
        part(
            "boilerplate baselines",
            (|| {
                acc.baselines = peers::boilerplate_baselines(
                    &self.page_slice,
                    &pred_dir.join("baselines.score.json"),
                )?;
                Ok(())
            })(),
        );
        acc
    }

    /// Start-up and stages of the package in Node or Chromium.
    fn wasm_run(&self, errors: &mut Vec<String>, browser: bool) -> Result<record::WasmRun> {
        self.wasm_ready()?;
        let runs = self.settings.runs;
        let job = wasm::Job {
            runs,
            ..Default::default()
        };
        let out = if browser {
            wasm::chromium(&self.slice, &job)?
        } else {
            wasm::node(&self.slice, &job)?
        };
        if let Some(e) = out.full_error() {
            errors.push(format!("the full pipeline did not run: {e}"));
        }
        Ok(out.run(&self.corpus))
    }

    /// The slice's documents joined as one text (up to [`LONG_TEXT_BYTES`])
    /// in one call vs one call per document, wasm in Node.
    fn long_text(&self, errors: &mut Vec<String>) -> Result<record::LongText> {
        self.wasm_ready()?;
        let job = wasm::Job {
            long_bytes: LONG_TEXT_BYTES,
            long_runs: self.settings.runs,
            ..Default::default()
        };
        let out = wasm::node(&self.slice, &job)?;
        if let Some(e) = out.full_error() {
            errors.push(format!("the full pipeline did not run: {e}"));
        }
        out.long_text(&self.corpus)
            .ok_or_else(|| "the driver measured no long text".into())
    }

    /// Where the time of the wasm pipeline in Node goes (one pass over the slice).
    fn profile(&self) -> Result<record::Profiles> {
        self.wasm_ready()?;
        let label = format!(
            "`{}`{}",
            self.commit.0,
            if self.commit.1 { " + changes" } else { "" }
        );
        let mut earlier = self.earlier_profiles.clone();
        if let Some((dir, old)) = &self.profile_earlier {
            earlier.retain(|p| p.label != *old);
            earlier.push(profile::profile_package(&self.slice, 1, old, dir)?);
        }
        Ok(record::Profiles {
            current: profile::profile(&self.slice, 1, &label)?,
            earlier,
        })
    }

    /// One `annotate` call on the memory input, in Node and in Chromium, each
    /// in a fresh instance (the driver makes only its first small call before).
    fn memory(&self, errors: &mut Vec<String>) -> Result<Memory> {
        self.wasm_ready()?;
        let job = wasm::Job {
            memory_bytes: self.settings.memory_bytes,
            ..Default::default()
        };
        let mut rows = Vec::new();
        let mut engines = vec!["node"];
        if self.browser {
            engines.push("chromium");
        }
        for env in engines {
            let out = if env == "node" {
                wasm::node(&self.slice, &job)
            } else {
                wasm::chromium(&self.slice, &job)
            };
            match out {
                Ok(out) => match out.memory(env) {
                    Some(row) => {
                        if let Some(e) = &row.error {
                            errors.push(format!("the memory input failed in {env}: {e}"));
                        }
                        rows.push(row);
                    }
                    None => errors.push(format!("{env}: the driver measured no memory")),
                },
                Err(e) => errors.push(format!("{env}: {e}")),
            }
        }
        Ok(Memory { rows })
    }

    /// The demo page in Chromium with 1 and 2 workers on a long paste, and
    /// the accuracy of the page's pieces against whole documents.
    fn page_pool(&self, errors: &mut Vec<String>) -> Result<record::PagePool> {
        self.wasm_ready()?;
        if !self.browser {
            return Err("--no-browser: the page needs Chromium".into());
        }
        let chars = if self.settings.quick {
            PAGE_POOL_QUICK_CHARS
        } else {
            record::bars::PAGE_POOL_INPUT_CHARS
        };
        let mut data = page::pool(&self.slice, chars, self.settings.runs)?;
        match page::splitting(&self.slice, &self.work.join("pred")) {
            Ok(s) => data.splitting = Some(s),
            Err(e) => errors.push(format!("the accuracy of the pieces: {e}")),
        }
        if data.same_result() == Some(false) {
            errors.push("the runs did not all give the same result (see the digests)".into());
        }
        Ok(data)
    }

    fn peer_throughput(&self, run: &peers::PeerRun) -> Throughput {
        Throughput {
            wall_s: run.runs_s.clone(),
            cpu_s: run.cpu_s.clone(),
            tokens: self.corpus.tokens(),
            chars: self.corpus.chars(),
            docs: self.corpus.docs.len(),
        }
    }

    /// One NER peer: its predictions, scores (all labels and its own) and
    /// speed; spaCy's full pipeline also gives its sentences.
    fn ner_peer(&self, peer: Peer) -> Result<NerPeer> {
        self.peers_ready()?;
        let pred_dir = self.work.join("pred");
        let id = peer.id;
        let runs = self.settings.peer_runs.to_string();
        let sl = self.slice.display().to_string();
        let pred = pred_dir.join(format!("{id}-ner.jsonl"));
        let p = pred.display().to_string();
        let sents = pred_dir.join(format!("{id}-sentences.jsonl"));
        let s = sents.display().to_string();
        let with_sentences = id == "spacy-full";
        let run = match peer.runtime {
            peers::Runtime::Python => {
                let mut a = vec![
                    "ner", "--system", id, "--data", &sl, "--out", &p, "--runs", &runs,
                ];
                if with_sentences {
                    a.extend(["--sentences-out", &s]);
                }
                peers::python_peer(&a)?
            }
            peers::Runtime::Node => peers::node_script(
                "peers.mjs",
                &[
                    "ner", "--system", id, "--data", &sl, "--out", &p, "--runs", &runs,
                ],
            )?,
        };
        let score = peers::score_ner(&self.slice, &pred)?;
        let labels = run.labels.clone().unwrap_or_else(native::ontonotes_labels);
        let covered = peers::score_ner_on_labels(&self.slice, &pred, &labels)?;
        let sentences = if with_sentences {
            let predict = |d: &Path, o: &Path| -> Result {
                let ents = o.with_extension("entities.jsonl");
                let (d, e, o) = (
                    d.display().to_string(),
                    ents.display().to_string(),
                    o.display().to_string(),
                );
                peers::python_peer(&[
                    "ner",
                    "--system",
                    id,
                    "--data",
                    &d,
                    "--out",
                    &e,
                    "--sentences-out",
                    &o,
                    "--runs",
                    "1",
                ])
                .map(|_| ())
            };
            Some(PeerSentences {
                name: peers::SPACY_PARSER_SENTENCES.to_string(),
                scores: peers::sentence_scores(
                    &self.slice,
                    &sents,
                    &pred_dir,
                    "spacy-parser",
                    &predict,
                )?,
            })
        } else {
            None
        };
        Ok(NerPeer {
            id: id.to_string(),
            name: peer.name.to_string(),
            runtime: peer.runtime.name().to_string(),
            versions: run.versions.clone(),
            labels,
            f1: score.overall.f1,
            news_f1: score.overall.news_f1,
            covered_f1: covered.overall.f1,
            speed: self.peer_throughput(&run),
            failed_docs: run.failed_docs,
            sentences,
        })
    }

    /// One sentence splitter (Punkt is trained first, once, and cached).
    fn sentence_peer(&self, peer: Peer) -> Result<SentencePeer> {
        self.peers_ready()?;
        let pred_dir = self.work.join("pred");
        let id = peer.id;
        let punkt = self.work.join("punkt-ontonotes-train.pickle");
        if id == "punkt" && !punkt.exists() {
            let train = shared().join("data/ontonotes/train.jsonl");
            peers::python_peer(&[
                "punkt-train",
                "--data",
                &train.display().to_string(),
                "--out",
                &punkt.display().to_string(),
            ])?;
        }
        let punkt_s = punkt.display().to_string();
        let predict = |data: &Path, out: &Path, runs: &str| -> Result<peers::PeerRun> {
            let d = data.display().to_string();
            let o = out.display().to_string();
            peers::python_peer(&[
                "sentences",
                "--system",
                id,
                "--data",
                &d,
                "--out",
                &o,
                "--runs",
                runs,
                "--punkt-params",
                &punkt_s,
            ])
        };
        let pred = pred_dir.join(format!("{id}-sentences.jsonl"));
        let run = predict(&self.slice, &pred, &self.settings.peer_runs.to_string())?;
        let scores = peers::sentence_scores(&self.slice, &pred, &pred_dir, id, &|d, o| {
            predict(d, o, "1").map(|_| ())
        })?;
        Ok(SentencePeer {
            id: id.to_string(),
            name: peer.name.to_string(),
            versions: run.versions.clone(),
            scores,
            speed: self.peer_throughput(&run),
        })
    }

    /// jusText on the pages.
    fn boilerplate_peer(&self, peer: Peer) -> Result<BoilerplatePeer> {
        self.peers_ready()?;
        let pred = self
            .work
            .join(format!("pred/{}-boilerplate.jsonl", peer.id));
        let run = peers::python_peer(&[
            "boilerplate",
            "--system",
            peer.id,
            "--data",
            &self.page_slice.display().to_string(),
            "--out",
            &pred.display().to_string(),
            "--runs",
            &self.settings.peer_runs.to_string(),
        ])?;
        let score = peers::score_boilerplate(&self.page_slice, &pred)?;
        Ok(BoilerplatePeer {
            id: peer.id.to_string(),
            name: peer.name.to_string(),
            input: peers::JUSTEXT_INPUT.to_string(),
            versions: run.versions.clone(),
            score,
            speed: Throughput {
                wall_s: run.runs_s.clone(),
                cpu_s: run.cpu_s.clone(),
                tokens: 0,
                chars: self.pages.chars(),
                docs: self.pages.docs.len(),
            },
        })
    }
}

/// Runs `cargo xtask ARGS` as this same binary in a child process (a task
/// that fails, even by a panic, fails only its own section).
fn xtask(args: &[String]) -> Result {
    let exe = std::env::current_exe()?;
    crate::util::run(std::process::Command::new(exe).args(args))
}

// ------------------------------------------------------------------ machine

/// The 1, 5 and 15 minute load averages (the machine is shared: they say how
/// quiet it was).
fn load_avg() -> Option<String> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// The first line a command prints, or "" if it cannot run.
fn first_line(prog: &str, args: &[&str]) -> String {
    output(std::process::Command::new(prog).args(args))
        .map(|s| s.lines().next().unwrap_or_default().trim().to_string())
        .unwrap_or_default()
}

/// The short commit and whether tracked files have uncommitted changes.
fn commit() -> (String, bool) {
    let dir = root().display().to_string();
    let commit = first_line("git", &["-C", &dir, "rev-parse", "--short", "HEAD"]);
    let dirty = !first_line(
        "git",
        &["-C", &dir, "status", "--porcelain", "--untracked-files=no"],
    )
    .is_empty();
    (commit, dirty)
}

/// Machine and toolchains, for the report's header.
fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().find(|l| l.starts_with("MemTotal")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map(|kb| (kb / 1024.0 / 1024.0).round());
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("PRETTY_NAME=")).map(|l| {
                l.trim_start_matches("PRETTY_NAME=")
                    .trim_matches('"')
                    .to_string()
            })
        })
        .unwrap_or_default();
    Machine {
        cpu,
        cores,
        memory_gib,
        os,
        rustc: first_line("rustc", &["--version"]),
        node: first_line("node", &["--version"]),
        python: first_line("python3", &["--version"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_carries_a_stored_section_and_refuses_a_missing_one() {
        let from = Sections {
            page_pool: Some(Section {
                measured: Measurement {
                    command: "cargo xtask bench --only page-pool".into(),
                    ..Default::default()
                },
                errors: Vec::new(),
                data: None,
            }),
            ..Default::default()
        };
        let mut to = Sections::default();
        carry(Id::PagePool, &from, &mut to).unwrap();
        assert_eq!(
            to.page_pool.as_ref().unwrap().measured.command,
            "cargo xtask bench --only page-pool"
        );
        let err = carry(Id::CliMemory, &from, &mut to).unwrap_err();
        assert!(err.to_string().contains("--keep cli-memory"), "{err}");
        assert!(to.cli_memory.is_none());
    }

    fn strings(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    fn parse(xs: &[&str]) -> Result<Flags> {
        Flags::parse("bench", &strings(xs), FLAGS)
    }

    #[test]
    fn flags_are_checked() {
        let a = parse(&["--quick", "--runs", "2", "--memory-mb", "0.5"]).unwrap();
        assert_eq!(count(&a, "--runs").unwrap(), Some(2));
        assert_eq!(number(&a, "--memory-mb").unwrap(), Some(0.5));
        let e = parse(&["--quick", "--bogus"]).err().unwrap().to_string();
        assert!(e.contains("`--bogus`"), "{e}");
        // The refusal lists every flag with its value.
        for f in FLAGS {
            assert!(e.contains(f.name), "{e}");
        }
        assert!(e.contains("--only SECTION[,SECTION]"), "{e}");
        assert!(parse(&["--runs"]).is_err());
        assert!(parse(&["stray"]).is_err());
        let a = parse(&["--runs", "x"]).unwrap();
        assert!(count(&a, "--runs").is_err());
        let a = parse(&["--memory-mb", "-1"]).unwrap();
        assert!(number(&a, "--memory-mb").is_err());
    }

    #[test]
    fn only_takes_names_and_groups() {
        let ids = parse_only("memory,native").unwrap();
        assert_eq!(ids, vec![Id::Native, Id::Memory]);
        let wasm = parse_only("wasm").unwrap();
        assert_eq!(
            wasm,
            vec![
                Id::Sizes,
                Id::WasmNode,
                Id::WasmChromium,
                Id::LongText,
                Id::Profile,
                Id::Memory,
                Id::PagePool
            ]
        );
        let peer = parse_only("peer:spacy-ner").unwrap();
        assert_eq!(peer, vec![Id::Peer(0)]);
        assert_eq!(parse_only("peers").unwrap().len(), PEERS.len() + 2);
        assert!(parse_only("nothing").is_err());
        assert!(parse_only(",").is_err());
    }

    #[test]
    fn every_section_has_a_distinct_name() {
        let names: Vec<String> = all_ids().iter().map(|id| id.name()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert!(usage().contains("peer:justext"));
    }
}
