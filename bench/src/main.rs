//! `newsmark-bench` (`cargo xtask bench`): speed, size and accuracy of newsmark and its peers,
//! every system on the same slice in one run. Each section ([`SECTIONS`], then one per peer)
//! returns a typed record, stored with its own measurement (command, date, commit, load) as
//! `SECTION.json` in a dated run folder (`record.rs`); `BENCHMARKS.md` is rendered from it
//! (`report.rs`). Adding a section: a function returning its record (a serde type) and a
//! line in [`SECTIONS`] and in [`measure`]; the report shows any record as tables.

mod accuracy;
mod accurate;
mod cli;
mod entities;
mod native;
mod package;
mod peers;
mod record;
mod report;
mod wasm;

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use clap::{ArgGroup, CommandFactory, FromArgMatches, Parser};
use serde_json::Value;

use record::{Measurement, Records, Run, Settings, Slices, Stored, TextSlice};

pub type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// `cargo xtask bench`: writes a dated run folder of records and BENCHMARKS.md.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask bench")]
#[command(group(ArgGroup::new("whole").multiple(true).conflicts_with_all(["only", "render"])
    .args(["peers", "slice", "runs", "no_wasm", "keep"])))]
struct Args {
    /// 20 documents and pages, inputs up to 300 KB; writes under target/bench/quick/
    #[arg(long)]
    quick: bool,
    /// Also measure the peers (installed into target/bench-venv, bench/node_modules)
    #[arg(long)]
    peers: bool,
    /// Measure these sections (or groups `wasm`, `peers`) again, on the latest run's settings
    #[arg(long, value_delimiter = ',', value_name = "SECTION")]
    only: Vec<String>,
    /// A whole run that copies these sections' records from the latest run
    #[arg(long, value_delimiter = ',', value_name = "SECTION")]
    keep: Vec<String>,
    /// Measure nothing: render BENCHMARKS.md from the latest run folder
    #[arg(long, conflicts_with = "only")]
    render: bool,
    /// The first N OntoNotes dev documents and boilerplate pages (default: all; --quick: 20)
    #[arg(long, value_name = "N")]
    slice: Option<usize>,
    /// Timed passes for newsmark (default 3)
    #[arg(long, value_name = "N")]
    runs: Option<usize>,
    /// Leave out the sections that need the wasm package
    #[arg(long)]
    no_wasm: bool,
    /// Leave out Chromium (wasm-chromium, page-pool, Chromium rows)
    #[arg(long)]
    no_browser: bool,
    /// Use the wasm package as it is (no `cargo xtask wasm`)
    #[arg(long)]
    no_build: bool,
    /// Where BENCHMARKS.md goes (default: the repository; --quick: target/bench/quick/)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// What a section needs: the wasm package, Chromium, the peers (groups `wasm`, `peers`).
const WASM: u8 = 1;
const BROWSER: u8 = 2;
const PEERS: u8 = 4;

/// The sections other than the peers (`peer:ID`), in run order: name, needs, what.
const SECTIONS: &str = "\
native        -             newsmark's stages natively; blocks over the pages
scaling       -             one call per input size: natively, in Node, in Chromium
accuracy      -             NER, sentence, boilerplate scores (cargo xtask predict)
case          peers         NER F1 with the text's case changed; newsmark, spaCy sm
webnews       -             NER F1 on today's news (webnews dev); newsmark, lite, spaCy sm
accurate      -             the opt-in accurate model: size, F1, native speed vs the default
clusters      -             entity clusters on OntoNotes dev's name chains vs exact strings
places        -             places on GeoWebNews vs population; gazetteer size, resolve time
sizes         wasm          the wasm package's and the models' sizes, code vs model
wasm-node     wasm          the wasm package in Node: start-up and stages
wasm-chromium wasm,browser  the wasm package in headless Chromium
long-text     wasm          Node: ~1 MB in one call vs one call per document
memory        wasm          peak wasm memory of one call on the memory input
page-pool     wasm,browser  the demo page: a 5 MB paste with 1 and 2 workers
peer-bundles  peers         the JS peers bundled for the browser
cli           -             the CLI: 1 vs 2 threads, memory, its entities
cli-memory    -             1 GB of JSONL through the CLI (NEWSMARK_BENCH_CLI_MB=N)
";

/// Every section: (name, needs, what it measures).
pub fn sections() -> Vec<(String, u8, String)> {
    let flag = |w: &str| match w {
        "wasm" => WASM,
        "browser" => BROWSER,
        "peers" => PEERS,
        _ => 0,
    };
    let own = SECTIONS.lines().map(|l| {
        let (name, rest) = l.split_once(' ').unwrap_or_default();
        let (needs, what) = rest.trim().split_once(' ').unwrap_or_default();
        let needs = needs.split(',').map(flag).fold(0, |a, b| a | b);
        (name.to_string(), needs, what.trim().to_string())
    });
    let peers = peers::PEERS.iter().map(|p| {
        let what = format!("{} ({:?})", p.name, p.runtime);
        (format!("peer:{}", p.id), PEERS, what)
    });
    own.chain(peers).collect()
}

/// Measures one section; its record as JSON.
fn measure(name: &str, c: &Ctx, e: &mut Vec<String>) -> Result<Value> {
    fn json<T: serde::Serialize>(r: Result<T>) -> Result<Value> {
        Ok(serde_json::to_value(r?)?)
    }
    match name {
        "native" => json(native::native(c, e)),
        "scaling" => json(native::scaling(c, e)),
        "accuracy" => json(accuracy::accuracy(c, e)),
        "case" => json(accuracy::case(c, e)),
        "webnews" => json(entities::webnews(c, e)),
        "accurate" => json(accurate::accurate(c, e)),
        "clusters" => json(entities::clusters(c)),
        "places" => json(entities::places(c)),
        "sizes" => json(package::sizes(c)),
        "wasm-node" => json(wasm::run(c, e, false)),
        "wasm-chromium" => json(wasm::run(c, e, true)),
        "long-text" => json(wasm::long_text(c)),
        "memory" => json(wasm::memory(c, e)),
        "page-pool" => json(wasm::page_pool(c, e)),
        "peer-bundles" => json(peers::bundles(c)),
        "cli" => json(cli::cli(c, e)),
        "cli-memory" => json(cli::cli_memory(c)),
        peer => {
            let id = peer.trim_start_matches("peer:");
            let p = peers::PEERS.iter().find(|p| p.id == id);
            peers::peer(c, *p.ok_or("no such section")?)
        }
    }
}

/// The sections a list of names and groups selects, in run order.
fn select(names: &[String]) -> Result<Vec<String>> {
    let all = sections();
    let mut out = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let hit = |(n, needs, _): &&(String, u8, String)| match name {
            "wasm" => needs & WASM != 0,
            "peers" => needs & PEERS != 0,
            _ => n == name,
        };
        if !all.iter().any(|s| hit(&s)) {
            return Err(format!("no section `{name}` (`--help` lists them)").into());
        }
        out.extend(all.iter().filter(hit).map(|s| s.0.clone()));
    }
    Ok(all.into_iter().map(|s| s.0).filter(|n| out.contains(n)).collect())
}

/// What the sections share while they run.
pub struct Ctx {
    pub settings: Settings,
    pub corpus: native::Corpus,
    pub pages: native::Corpus,
    pub slice: PathBuf,
    pub page_slice: PathBuf,
    pub work: PathBuf,
    pub wasm: bool,
    pub browser: bool,
    build: bool,
    /// The commit as the profile labels it: "`abc1234` + changes".
    pub commit: String,
    wasm_ready: OnceCell<std::result::Result<(), String>>,
    peers_ready: OnceCell<std::result::Result<(), String>>,
}

/// Runs `f` the first time only; every call gets its outcome.
fn once(cell: &OnceCell<std::result::Result<(), String>>, f: impl FnOnce() -> Result) -> Result {
    let r = cell.get_or_init(|| f().map_err(|e| e.to_string()));
    r.clone().map_err(Into::into)
}

impl Ctx {
    /// The wasm package built (unless `--no-build`), the npm folder installed.
    pub fn wasm_ready(&self) -> Result {
        once(&self.wasm_ready, || {
            if self.build {
                run(&mut cargo(&["xtask", "wasm"]))?;
            }
            wasm::check_pkg()?;
            peers::install_npm()
        })
    }

    /// The peers' Python environment and npm folder installed.
    pub fn peers_ready(&self) -> Result {
        once(&self.peers_ready, || {
            peers::install_python()?;
            peers::install_npm()
        })
    }
}

/// The repository (the parent of this crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ is in the repository").into()
}

/// `../shared` beside the repository (the train crate's finder).
pub fn shared() -> PathBuf {
    newsmark_train::corpus::shared_dir()
}

pub fn target_dir() -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR");
    dir.map_or_else(|| root().join("target"), |d| root().join(d))
}

pub fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.args(args).current_dir(root());
    cmd
}

/// Runs a command with inherited output; an error if it fails.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("+ {cmd:?}");
    let status = cmd.status().map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    match status.success() {
        true => Ok(()),
        false => Err(format!("{cmd:?} failed ({status})").into()),
    }
}

/// `cargo xtask predict ARGS`: the project's prediction files.
pub fn predict(args: &[&str]) -> Result {
    run(cargo(&["xtask", "predict"]).args(args))
}

/// The first line a command prints ("" if it cannot run).
fn first_line(prog: &str, args: &[&str]) -> String {
    let out = Command::new(prog).args(args).current_dir(root()).output();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    text.unwrap_or_default().lines().next().unwrap_or("").trim().into()
}

/// A line of a text file starting with `key`, less the key and separators.
fn field(file: &str, key: &str) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let line = text.lines().find(|l| l.starts_with(key)).unwrap_or(key);
    line[key.len()..].trim_matches([' ', '\t', ':', '=', '"']).into()
}

fn start(command: &str, commit: &(String, bool)) -> Measurement {
    Measurement {
        command: command.into(),
        started: jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        seconds: None,
        commit: commit.0.clone(),
        dirty: commit.1,
        load_avg_start: load_avg(),
        load_avg_end: None,
    }
}

fn load_avg() -> Option<String> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn finish(m: &mut Measurement, t: Instant) {
    m.seconds = Some(t.elapsed().as_secs_f64());
    m.load_avg_end = load_avg();
}

fn machine() -> record::Machine {
    let kb = field("/proc/meminfo", "MemTotal").trim_end_matches(" kB").parse();
    record::Machine {
        cpu: field("/proc/cpuinfo", "model name"),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory_gib: kb.ok().map(|kb: f64| (kb / 1024.0 / 1024.0).round()),
        os: field("/etc/os-release", "PRETTY_NAME"),
        rustc: first_line("rustc", &["--version"]),
        node: first_line("node", &["--version"]),
        python: first_line("python3", &["--version"]),
    }
}

fn settings(a: &Args) -> Settings {
    let (q, slice) = (a.quick, a.slice.or(a.quick.then_some(20)));
    let (scaling_max_bytes, memory_bytes) = if q { (300_000, 100_000) } else { (10_000_000, 10_000_000) };
    let (runs, brotli_quality) = (a.runs.unwrap_or(3).max(1), if q { 5 } else { 11 });
    Settings { quick: q, slice, pages: slice, runs, peer_runs: 2, scaling_max_bytes, memory_bytes, brotli_quality }
}

/// The slices the settings name, written where every runner reads them.
fn cut(s: &Settings, work: &Path) -> Result<(native::Corpus, native::Corpus, Slices)> {
    let (ner, pages) = ("data/ontonotes/dev.jsonl", "data/boilerplate/dev.jsonl");
    let corpus = native::Corpus::ontonotes(&shared().join(ner), s.slice)?;
    let page_corpus = native::Corpus::pages(&shared().join(pages), s.pages)?;
    for (file, c) in [("ontonotes", &corpus), ("boilerplate", &page_corpus)] {
        let path = work.join(format!("{file}-dev-slice.jsonl"));
        std::fs::write(path, c.lines.join("\n") + "\n")?;
    }
    let count = |file: &str, c: &native::Corpus| TextSlice {
        file: format!("../shared/{file}"),
        docs: c.docs.len(),
        chars: c.chars(),
        bytes: c.docs.iter().map(|d| d.text.len()).sum(),
        tokens: c.tokens(),
    };
    let (ner, boilerplate) = (count(ner, &corpus), count(pages, &page_corpus));
    Ok((corpus, page_corpus, Slices { ner, boilerplate }))
}

/// A new folder under `runs` named by the minute (`-2`, `-3`... if taken).
fn new_run_dir(runs: &Path) -> PathBuf {
    let stamp = jiff::Timestamp::now().strftime("%Y-%m-%dT%H%M").to_string();
    let mut dirs = std::iter::once(runs.join(&stamp)).chain((2..).map(|i| runs.join(format!("{stamp}-{i}"))));
    dirs.find(|d| !d.exists()).expect("a free name")
}

fn bench(a: Args, command: &str) -> Result {
    let root = root();
    let quick_dir = root.join("target/bench/quick");
    let out = a.out.clone().unwrap_or(if a.quick { quick_dir } else { root.clone() });
    std::fs::create_dir_all(&out)?;
    let in_repo = out.canonicalize()? == root.canonicalize()?;
    let runs = if in_repo { root.join("bench/runs") } else { out.join("runs") };
    let previous = Records::latest(&runs);
    if a.render {
        return report::write(&previous?, &out);
    }
    let (only, keep) = (select(&a.only)?, select(&a.keep)?);
    let whole = only.is_empty();
    let git = |args: &[&str]| first_line("git", args);
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let commit = (git(&["rev-parse", "--short", "HEAD"]), dirty);
    let (started, mut run_m) = (Instant::now(), start(command, &commit));
    let previous = previous.ok();
    let (settings, mut stored) = match (&previous, whole) {
        (Some(p), false) => (p.run.settings.clone(), p.sections.clone()),
        (None, false) => return Err("--only: there is no earlier run".into()),
        (_, true) => (settings(&a), BTreeMap::new()),
    };
    for name in &keep {
        let p = previous.as_ref().filter(|p| p.run.settings == settings);
        let s = p.and_then(|p| p.sections.get(name));
        let s = s.ok_or(format!("--keep {name}: no record of the same settings"))?;
        stored.insert(name.clone(), s.clone());
    }
    let ids: Vec<String> = sections_to_run(&a, &only, &keep);

    let work = root.join("target/bench");
    std::fs::create_dir_all(work.join("pred"))?;
    let (corpus, pages, slices) = cut(&settings, &work)?;
    if previous.as_ref().is_some_and(|p| !whole && p.run.slices != slices) {
        return Err("the data no longer gives the latest run's slice".into());
    }
    let ctx = Ctx {
        settings: settings.clone(),
        corpus,
        pages,
        slice: work.join("ontonotes-dev-slice.jsonl"),
        page_slice: work.join("boilerplate-dev-slice.jsonl"),
        work,
        wasm: !a.no_wasm,
        browser: !a.no_browser,
        build: !a.no_build,
        commit: format!("`{}`{}", commit.0, if dirty { " + changes" } else { "" }),
        wasm_ready: OnceCell::new(),
        peers_ready: OnceCell::new(),
    };
    // Builds and installs first, so that no section's time includes them.
    let needs = |f: u8| sections().into_iter().any(|s| ids.contains(&s.0) && s.1 & f != 0);
    if needs(WASM) || (ids.iter().any(|s| s == "scaling") && ctx.wasm) {
        let _ = ctx.wasm_ready();
    }
    if needs(PEERS) {
        let _ = ctx.peers_ready();
    }
    let mut failed = Vec::new();
    for name in &ids {
        eprintln!("bench: {name}");
        let (t, mut measured) = (Instant::now(), start(command, &commit));
        let mut errors = Vec::new();
        let data = measure(name, &ctx, &mut errors);
        let data = data.map_err(|e| errors.push(e.to_string())).ok();
        finish(&mut measured, t);
        eprintln!("bench: {name}: {:.1} s", t.elapsed().as_secs_f64());
        failed.extend(errors.iter().map(|e| format!("{name}: {e}")));
        let section = name.clone();
        stored.insert(name.clone(), Stored { section, measured, errors, data });
    }
    let (run, machine) = match (previous, whole) {
        (Some(p), false) => (p.run.run, p.run.machine),
        _ => {
            finish(&mut run_m, started);
            (run_m, machine())
        }
    };
    let run = Run { format: record::FORMAT, settings, slices, machine, run };
    let records = Records { dir: new_run_dir(&runs), run, sections: stored };
    records.save()?;
    report::write(&records, &out)?;
    match failed.len() {
        0 => Ok(()),
        n => Err(format!("{n} error(s) (see the report):\n  {}", failed.join("\n  ")).into()),
    }
}

/// The sections a run measures: `--only`'s, or all that the flags let in.
fn sections_to_run(a: &Args, only: &[String], keep: &[String]) -> Vec<String> {
    let whole = only.is_empty();
    let left_out = |needs: u8| {
        (whole && needs & WASM != 0 && a.no_wasm)
            || (whole && needs & PEERS != 0 && !a.peers)
            || (needs & BROWSER != 0 && a.no_browser)
    };
    let chosen = |n: &String| (whole && !keep.contains(n)) || only.contains(n);
    let all = sections().into_iter().filter(|(n, f, _)| chosen(n) && !left_out(*f));
    all.map(|s| s.0).collect()
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    let result = if argv.get(1).map(String::as_str) == Some(cli::HELPER) {
        cli::helper(&argv[2..])
    } else {
        let list: String = sections().iter().map(|s| format!("  {:<24} {}\n", s.0, s.2)).collect();
        let cmd = Args::command().after_help(format!("Sections:\n{list}"));
        let a = Args::from_arg_matches(&cmd.get_matches()).unwrap_or_else(|e| e.exit());
        let command = format!("cargo xtask bench {}", argv[1..].join(" "));
        bench(a, command.trim_end())
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_section_names_are_checked() {
        let strings = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(select(&strings(&["memory", "native"])).unwrap(), ["native", "memory"]);
        assert_eq!(select(&strings(&["wasm"])).unwrap()[..3], ["sizes", "wasm-node", "wasm-chromium"]);
        assert_eq!(select(&strings(&["peers"])).unwrap().len(), peers::PEERS.len() + 2);
        assert!(select(&strings(&["nothing"])).is_err());
        let parse = |xs: &[&str]| Args::try_parse_from(strings(&[&["bench"], xs].concat()));
        assert!(parse(&["--runs", "2", "--only", "cli"]).is_err() && parse(&["--render", "--only", "cli"]).is_err());
        let a = parse(&["--quick", "--no-browser"]).unwrap();
        assert_eq!((settings(&a).memory_bytes, settings(&a).slice), (100_000, Some(20)));
        let ids = sections_to_run(&a, &[], &strings(&["cli"]));
        assert!(ids.contains(&"native".into()) && !ids.contains(&"cli".into()) && !ids.contains(&"page-pool".into()));
        assert_eq!(parse(&["--only", "cli,memory"]).unwrap().only, ["cli", "memory"]);
    }
}
