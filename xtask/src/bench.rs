//! Benchmarks: speed, size and accuracy against peers; writes BENCHMARKS.md.
//!
//! `cargo xtask bench [--quick] [--peers] [--slice N] [--pages N] [--runs N]
//! [--peer-runs N] [--memory-mb N] [--no-wasm] [--no-browser] [--no-build] [--out DIR]`
//! and `cargo xtask bench --memory-only` (measure the Chromium memory row again
//! into the existing report) or `--rerun-peer ID` (run one NER peer again into it).
//!
//! Everything is measured in one run on the same text: a slice of OntoNotes
//! dev (the first N documents; all 542 by default) and of the boilerplate dev
//! pages. Results go to `BENCHMARKS.json` and `BENCHMARKS.md` (in the
//! repository root; with `--quick` in `target/bench/quick/` unless `--out` is
//! given), the scaling plot to `docs/bench/scaling.svg`, and the headline table
//! into README.md between its `bench:headline` markers. Working files
//! (slices, prediction files, raw outputs) stay in `target/bench/`.

#[path = "bench_native.rs"]
mod native;
#[path = "bench_peers.rs"]
mod peers;
#[path = "bench_report.rs"]
mod report;
#[path = "bench_wasm.rs"]
mod wasm;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::util::{output, root, shared, Flags, Result};
use native::Corpus;

/// What one run measures, from the command line.
struct Options {
    quick: bool,
    peers: bool,
    slice: Option<usize>,
    pages: Option<usize>,
    runs: usize,
    peer_runs: usize,
    wasm: bool,
    browser: bool,
    build: bool,
    scaling_max: usize,
    memory_bytes: usize,
    out: PathBuf,
    command: String,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let f = Flags::new(args);
        let quick = f.has("--quick");
        let num = |name: &str| -> Result<Option<usize>> {
            f.value(name)
                .map(|v| {
                    v.parse::<usize>()
                        .map_err(|_| format!("{name} wants a number, got `{v}`").into())
                })
                .transpose()
        };
        let slice = num("--slice")?.or(quick.then_some(20));
        let pages = num("--pages")?.or(quick.then_some(20));
        let runs = num("--runs")?.unwrap_or(3);
        // Two passes over all of dev for the slow peers already take minutes.
        let peer_runs = num("--peer-runs")?.unwrap_or(2);
        let out = match f.value("--out") {
            Some(d) => PathBuf::from(d),
            None if quick => root().join("target/bench/quick"),
            None => root(),
        };
        Ok(Options {
            quick,
            peers: f.has("--peers"),
            slice,
            pages,
            runs: runs.max(1),
            peer_runs: peer_runs.max(1),
            wasm: !f.has("--no-wasm"),
            browser: !f.has("--no-browser") && !f.has("--no-wasm"),
            build: !f.has("--no-build"),
            scaling_max: if quick { 300_000 } else { 10_000_000 },
            memory_bytes: num("--memory-mb")?
                .map(|mb| mb * 1_000_000)
                .unwrap_or(if quick { 100_000 } else { 10_000_000 }),
            out,
            command: std::iter::once("cargo xtask bench".to_string())
                .chain(args.iter().cloned())
                .collect::<Vec<_>>()
                .join(" "),
        })
    }
}

/// The results being gathered, and the sections that failed.
struct Run {
    results: Map<String, Value>,
    errors: Vec<String>,
    work: PathBuf,
}

impl Run {
    fn set(&mut self, key: &str, v: Value) {
        self.results.insert(key.to_string(), v);
    }

    fn push(&mut self, key: &str, v: Value) {
        let e = self
            .results
            .entry(key.to_string())
            .or_insert_with(|| json!([]));
        if let Some(a) = e.as_array_mut() {
            a.push(v);
        }
    }

    /// Runs one section; a failure is recorded and the run goes on.
    fn section<T>(&mut self, what: &str, f: impl FnOnce(&mut Run) -> Result<T>) -> Option<T> {
        eprintln!("bench: {what}");
        let t = Instant::now();
        let r = f(self);
        let secs = t.elapsed().as_secs_f64();
        eprintln!("bench: {what}: {secs:.1} s");
        self.push("section_seconds", json!({"section": what, "seconds": secs}));
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                eprintln!("bench: {what} failed: {e}");
                self.errors.push(format!("{what}: {e}"));
                None
            }
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }
}

/// The median of a list (NaN for an empty one).
fn median(xs: &[f64]) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        f64::NAN
    } else if s.len() % 2 == 1 {
        s[s.len() / 2]
    } else {
        (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
    }
}

/// Median, extremes and throughput of a list of seconds per pass.
fn summarize(runs_s: &[f64], chars: usize, tokens: usize) -> Value {
    let median = median(runs_s);
    let min = runs_s.iter().copied().fold(f64::INFINITY, f64::min);
    let max = runs_s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    json!({
        "runs_s": runs_s, "median_s": median, "min_s": min, "max_s": max,
        "spread_pct": 100.0 * (max - min) / median,
        "chars": chars, "tokens": tokens,
        "chars_per_s": chars as f64 / median,
        "tokens_per_s": tokens as f64 / median,
    })
}

/// A throughput row; `cpu_s` (CPU seconds per pass, empty if not measured)
/// adds tokens and characters per CPU-second, which hold up better than
/// wall-clock time on a shared machine.
fn speed_row(
    system: &str,
    env: &str,
    stage: &str,
    runs_s: &[f64],
    cpu_s: &[f64],
    corpus: &Corpus,
) -> Value {
    let mut v = summarize(runs_s, corpus.chars(), corpus.tokens());
    if !cpu_s.is_empty() {
        let c = median(cpu_s);
        v["cpu_s"] = json!(cpu_s);
        v["cpu_median_s"] = c.into();
        v["tokens_per_cpu_s"] = (corpus.tokens() as f64 / c).into();
        v["chars_per_cpu_s"] = (corpus.chars() as f64 / c).into();
    }
    v["system"] = system.into();
    v["env"] = env.into();
    v["stage"] = stage.into();
    v
}

fn runs_of(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// `cargo xtask bench`.
pub fn bench(args: &[String]) -> Result {
    let opts = Options::parse(args)?;
    if Flags::new(args).has("--memory-only") {
        return memory_only(&opts);
    }
    if let Some(id) = Flags::new(args).value("--rerun-peer") {
        return rerun_peer(&opts, &id);
    }
    let started = Instant::now();
    let work = root().join("target/bench");
    std::fs::create_dir_all(work.join("pred"))?;
    std::fs::create_dir_all(&opts.out)?;
    let mut run = Run {
        results: Map::new(),
        errors: Vec::new(),
        work,
    };

    // The slices every system reads.
    let dev_path = shared().join("data/ontonotes/dev.jsonl");
    let pages_path = shared().join("data/boilerplate/dev.jsonl");
    let corpus = Corpus::ontonotes(&dev_path, opts.slice)?;
    let pages = Corpus::pages(&pages_path, opts.pages)?;
    let slice = run.path("ontonotes-dev-slice.jsonl");
    let page_slice = run.path("boilerplate-dev-slice.jsonl");
    std::fs::write(&slice, corpus.lines.join("\n") + "\n")?;
    std::fs::write(&page_slice, pages.lines.join("\n") + "\n")?;
    run.set("command", opts.command.clone().into());
    run.set(
        "generated",
        output(std::process::Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
            .into(),
    );
    run.set("machine", machine());
    run.set("slices", json!({
        "ner": {"file": "../shared/data/ontonotes/dev.jsonl", "docs": corpus.docs.len(),
                "first_n": opts.slice, "chars": corpus.chars(), "bytes": corpus.bytes(), "tokens": corpus.tokens()},
        "boilerplate": {"file": "../shared/data/boilerplate/dev.jsonl", "pages": pages.docs.len(),
                        "first_n": opts.pages, "bytes": pages.bytes()},
    }));
    run.set(
        "runs",
        json!({"newsmark": opts.runs, "peers": opts.peer_runs}),
    );

    // Native.
    let annotator = match native::annotator() {
        Ok(a) => Some(a),
        Err(e) => {
            run.errors.push(format!("model: {e}"));
            None
        }
    };
    run.section("native stages", |r| {
        for (stage, wall, cpu) in native::stages(&corpus, opts.runs, annotator.as_ref()) {
            r.push(
                "throughput",
                speed_row("newsmark", "native", &stage, &wall, &cpu, &corpus),
            );
        }
        Ok(())
    });
    run.section("native blocks on boilerplate pages", |r| {
        let runs_s = native::time_runs(opts.runs, || {
            let n: usize = pages
                .docs
                .iter()
                .map(|d| newsmark::train::segment::blocks::blocks(&d.text).len())
                .sum();
            std::hint::black_box(n);
        });
        let mut v = summarize(&runs_s, pages.chars(), 0);
        v["pages_per_s"] =
            (pages.docs.len() as f64 / v["median_s"].as_f64().unwrap_or(f64::NAN)).into();
        r.set("boilerplate_speed", v);
        Ok(())
    });
    run.section("scaling", |r| {
        let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
        let v = native::scaling(&texts, opts.scaling_max, annotator.as_ref());
        r.set("scaling", v);
        Ok(())
    });

    // newsmark's accuracy, from its own prediction files and the shared scorers.
    newsmark_accuracy(&mut run, &slice, &page_slice);

    // WebAssembly.
    if opts.wasm {
        wasm_sections(&mut run, &opts, &corpus, &slice);
    }

    // Peers.
    if opts.peers {
        peer_sections(&mut run, &opts, &corpus, &slice, &page_slice);
    }

    run.set("elapsed_s", started.elapsed().as_secs_f64().into());
    run.set("load_avg_end", load_avg());
    run.set("errors", json!(run.errors));
    let results = Value::Object(std::mem::take(&mut run.results));
    write_outputs(&results, &opts)?;
    eprintln!(
        "bench: wrote {} and BENCHMARKS.json in {:.0} s",
        opts.out.join("BENCHMARKS.md").display(),
        started.elapsed().as_secs_f64()
    );
    if run.errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} section(s) failed (see the report):\n  {}",
            run.errors.len(),
            run.errors.join("\n  ")
        )
        .into())
    }
}

/// Writes BENCHMARKS.json, BENCHMARKS.md, the scaling plot and (for a full
/// run into the repository root) the README's headline table.
fn write_outputs(results: &Value, opts: &Options) -> Result {
    let json_path = opts.out.join("BENCHMARKS.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(results)? + "\n")?;
    let svg_dir = if opts.quick {
        opts.out.clone()
    } else {
        root().join("docs/bench")
    };
    std::fs::create_dir_all(&svg_dir)?;
    let svg_path = svg_dir.join("scaling.svg");
    std::fs::write(&svg_path, report::scaling_svg(results))?;
    let svg_rel = relative(&svg_path, &opts.out);
    let md = report::markdown(results, &svg_rel);
    std::fs::write(opts.out.join("BENCHMARKS.md"), &md)?;
    if !opts.quick && opts.out == root() {
        update_readme(&md)?;
    }
    Ok(())
}

/// `--memory-only`: measures the Chromium memory row again (on the last run's
/// slice) and rewrites the existing report with it; the report says so.
fn memory_only(opts: &Options) -> Result {
    let json_path = opts.out.join("BENCHMARKS.json");
    let body = std::fs::read_to_string(&json_path).map_err(|e| {
        format!(
            "--memory-only needs an earlier run's {}: {e}",
            json_path.display()
        )
    })?;
    let mut results: Value = serde_json::from_str(&body)?;
    let slice = root().join("target/bench/ontonotes-dev-slice.jsonl");
    if !slice.exists() {
        return Err(format!("{} is missing: run the full bench first", slice.display()).into());
    }
    let v = wasm::chromium(&slice, 0, opts.memory_bytes)?;
    results["wasm_chromium"]["memory"] = v["memory"].clone();
    let mut errors: Vec<Value> = results["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| {
            !e.as_str()
                .is_some_and(|s| s.starts_with("wasm in chromium: the memory input"))
        })
        .collect();
    let failed = v["memory"]["error"].as_str().map(String::from);
    if let Some(e) = &failed {
        errors.push(format!("wasm in chromium: the memory input failed: {e}").into());
    }
    results["errors"] = Value::Array(errors);
    results["memory_rerun"] = json!({
        "command": opts.command,
        "generated": output(std::process::Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
            .map(|s| s.trim().to_string()).unwrap_or_default(),
        "load_avg": load_avg(),
    });
    write_outputs(&results, opts)?;
    match failed {
        Some(e) => Err(format!("the memory input failed: {e}").into()),
        None => Ok(()),
    }
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.display().to_string())
}

/// The 1, 5 and 15 minute load averages (the machine is shared: they say how
/// quiet it was).
fn load_avg() -> Value {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .into()
}

/// Machine, toolchain and commit, for the report's header.
fn machine() -> Value {
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
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().find(|l| l.starts_with("MemTotal")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map(|kb| (kb / 1024.0 / 1024.0).round());
    let cmd = |prog: &str, args: &[&str]| -> String {
        output(std::process::Command::new(prog).args(args))
            .map(|s| s.lines().next().unwrap_or_default().trim().to_string())
            .unwrap_or_default()
    };
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
    let commit = cmd(
        "git",
        &[
            "-C",
            &root().display().to_string(),
            "rev-parse",
            "--short",
            "HEAD",
        ],
    );
    let dirty = !cmd(
        "git",
        &[
            "-C",
            &root().display().to_string(),
            "status",
            "--porcelain",
            "--untracked-files=no",
        ],
    )
    .is_empty();
    json!({
        "cpu": cpu, "cores": cores, "memory_gib": mem_gib, "os": os,
        "load_avg": load_avg(),
        "rustc": cmd("rustc", &["--version"]), "node": cmd("node", &["--version"]),
        "python": cmd("python3", &["--version"]),
        "commit": commit, "dirty": dirty,
    })
}

/// Runs `cargo xtask ARGS` as this same binary in a child process (a task
/// that fails, even by a panic, fails only its own section).
fn xtask(args: &[String]) -> Result {
    let exe = std::env::current_exe()?;
    crate::util::run(std::process::Command::new(exe).args(args))
}

/// newsmark's NER, sentence and boilerplate scores, from the prediction files
/// `cargo xtask predict ...` writes.
fn newsmark_accuracy(run: &mut Run, slice: &Path, page_slice: &Path) {
    let pred_dir = run.path("pred");
    let s = |p: &Path| p.display().to_string();
    let predict = |what: &str, data: &Path, out: &Path, extra: Option<&str>| -> Result {
        let mut args = vec![
            "predict".to_string(),
            what.to_string(),
            "--data".to_string(),
            s(data),
            "--out".to_string(),
            s(out),
        ];
        args.extend(extra.map(String::from));
        xtask(&args)
    };
    run.section("newsmark NER accuracy", |r| {
        let mut row = json!({"system": "newsmark"});
        for (mode, extra) in [("raw", None), ("gold_tokens", Some("--gold-tokens"))] {
            let pred = pred_dir.join(format!("newsmark-ner-{mode}.jsonl"));
            predict("ner", slice, &pred, extra)?;
            let score = peers::score_ner(slice, &pred)?;
            row[mode] = json!({"f1": score["overall"]["f1"], "p": score["overall"]["p"], "r": score["overall"]["r"],
                               "news_f1": score["news"]["f1"]});
            if mode == "raw" {
                row["per_label"] = per_label(&score);
            }
        }
        r.set("newsmark_ner", row);
        Ok(())
    });
    run.section("newsmark sentences accuracy", |r| {
        let pred = pred_dir.join("newsmark-sentences.jsonl");
        let sentences = |data: &Path, out: &Path| predict("sentences", data, out, None);
        sentences(slice, &pred)?;
        let b = peers::score_boundaries(slice, &pred)?;
        let cases = peers::score_all_cases(&pred_dir, "newsmark", &sentences)?;
        r.push(
            "sentences",
            json!({"system": "newsmark", "boundaries": b, "cases": cases}),
        );
        Ok(())
    });
    run.section("newsmark boilerplate accuracy", |r| {
        let pred = pred_dir.join("newsmark-boilerplate.jsonl");
        predict("boilerplate", page_slice, &pred, None)?;
        let score = peers::score_boilerplate(page_slice, &pred)?;
        r.push(
            "boilerplate",
            json!({"system": "newsmark", "input": "plain text", "score": score}),
        );
        Ok(())
    });
    run.section("boilerplate baselines", |r| {
        let v = peers::boilerplate_baselines(page_slice, &pred_dir.join("baselines.score.json"))?;
        r.set("boilerplate_baselines", v);
        Ok(())
    });
}

fn per_label(score: &Value) -> Value {
    let mut m = Map::new();
    if let Some(o) = score.as_object() {
        for (k, v) in o {
            if let Some(l) = k.strip_prefix("label:") {
                m.insert(
                    l.to_string(),
                    json!({"f1": v["f1"], "gold": v["gold"], "pred": v["pred"]}),
                );
            }
        }
    }
    Value::Object(m)
}

fn wasm_sections(run: &mut Run, opts: &Options, corpus: &Corpus, slice: &Path) {
    let built = run.section("wasm package", |_| {
        if opts.build {
            wasm::build()?;
        }
        wasm::check_pkg()?;
        peers::install_npm()
    });
    if built.is_none() {
        return;
    }
    run.section("sizes", |r| {
        let v = wasm::sizes(if opts.quick { 5 } else { 11 })?;
        r.set("sizes", v);
        Ok(())
    });
    let mut envs = vec!["node"];
    if opts.browser {
        envs.push("chromium");
    }
    for env in envs {
        run.section(&format!("wasm in {env}"), |r| {
            let v = if env == "node" {
                // Linear memory grows the same way in any engine, and Node's
                // wasm runs slower than Chromium's here: the big input goes to
                // Chromium, Node cross-checks on 100 KB.
                wasm::node(slice, opts.runs, opts.memory_bytes.min(100_000))?
            } else {
                wasm::chromium(slice, opts.runs, opts.memory_bytes)?
            };
            if let Some(stages) = v["stages"].as_object() {
                for (stage, runs_s) in stages {
                    r.push(
                        "throughput",
                        speed_row(
                            "newsmark",
                            env,
                            stage,
                            &runs_of(&runs_s["wall"]),
                            &runs_of(&runs_s["cpu"]),
                            corpus,
                        ),
                    );
                }
            }
            let mut info = v.clone();
            if let Some(o) = info.as_object_mut() {
                o.remove("stages");
            }
            r.set(&format!("wasm_{env}"), info);
            if let Some(e) = v["full_error"].as_str() {
                return Err(format!("the full pipeline did not run: {e}").into());
            }
            if let Some(e) = v["memory"]["error"].as_str() {
                return Err(format!("the memory input failed: {e}").into());
            }
            Ok(())
        });
    }
}

/// NER peers: (id, display name, runtime).
const NER_PEERS: [(&str, &str, &str); 5] = [
    ("spacy-ner", "spaCy en_core_web_sm, tok2vec+ner", "Python"),
    (
        "spacy-full",
        "spaCy en_core_web_sm, full pipeline",
        "Python",
    ),
    ("compromise", "compromise 14", "Node"),
    (
        "compromise-dates",
        "compromise 14 + compromise-dates",
        "Node",
    ),
    ("wink", "winkNLP 2 + wink-eng-lite-web-model", "Node"),
];

/// One NER peer: its predictions, scores (all labels and its own) and speed.
fn ner_peer(
    run: &mut Run,
    opts: &Options,
    corpus: &Corpus,
    slice: &Path,
    peer: (&str, &str, &str),
) {
    let (id, name, runtime) = peer;
    let pred_dir = run.path("pred");
    let runs = opts.peer_runs.to_string();
    let sl = slice.display().to_string();
    {
        run.section(&format!("peer {id}"), |r| {
            let pred = pred_dir.join(format!("{id}-ner.jsonl"));
            let p = pred.display().to_string();
            let sents = pred_dir.join(format!("{id}-sentences.jsonl"));
            let v = if id.starts_with("spacy") {
                let mut a = vec!["ner", "--system", id, "--data", &sl, "--out", &p, "--runs", &runs];
                let s = sents.display().to_string();
                if id == "spacy-full" {
                    a.extend(["--sentences-out", &s]);
                }
                peers::python_peer(&a.iter().map(|x| &**x).collect::<Vec<_>>())?
            } else {
                peers::node_script("peers.mjs", &["ner", "--system", id, "--data", &sl, "--out", &p, "--runs", &runs])?
            };
            let score = peers::score_ner(slice, &pred)?;
            let labels: Vec<String> = match v["labels"].as_array() {
                Some(a) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
                None => newsmark::train::ONTONOTES
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            };
            let covered = peers::score_ner_on_labels(slice, &pred, &labels)?;
            let mut speed = speed_row(
                id,
                runtime,
                "ner",
                &runs_of(&v["runs_s"]),
                &runs_of(&v["cpu_s"]),
                corpus,
            );
            speed["name"] = name.into();
            r.push("throughput", speed.clone());
            r.push("ner_peers", json!({
                "id": id, "name": name, "runtime": runtime, "versions": v["versions"],
                "f1": score["overall"]["f1"], "news_f1": score["news"]["f1"],
                "labels": labels, "covered_f1": covered["overall"]["f1"],
                "speed": speed, "failed_docs": v["failed_docs"],
            }));
            if id == "spacy-full" {
                let b = peers::score_boundaries(slice, &sents)?;
                let cases = peers::score_all_cases(&pred_dir, "spacy-parser", &|d: &Path, o: &Path| {
                    let ents = o.with_extension("entities.jsonl");
                    let (d, e, o) = (d.display().to_string(), ents.display().to_string(), o.display().to_string());
                    peers::python_peer(&["ner", "--system", "spacy-full", "--data", &d, "--out", &e,
                                         "--sentences-out", &o, "--runs", "1"]).map(|_| ())
                })?;
                r.push("sentences", json!({"system": "spacy-parser", "name": "spaCy sm parser (full pipeline)",
                                           "boundaries": b, "cases": cases, "speed": speed, "versions": v["versions"]}));
            }
            Ok(())
        });
    }
}

/// `--rerun-peer ID`: runs one NER peer again into the existing report (for a
/// peer whose section failed), and rewrites the report; the report says so.
fn rerun_peer(opts: &Options, id: &str) -> Result {
    let Some(peer) = NER_PEERS.iter().find(|p| p.0 == id).copied() else {
        return Err(format!(
            "--rerun-peer takes one of: {}",
            NER_PEERS.map(|p| p.0).join(", ")
        )
        .into());
    };
    let json_path = opts.out.join("BENCHMARKS.json");
    let body = std::fs::read_to_string(&json_path).map_err(|e| {
        format!(
            "--rerun-peer needs an earlier run's {}: {e}",
            json_path.display()
        )
    })?;
    let Value::Object(mut results) = serde_json::from_str(&body)? else {
        return Err(format!("{} is not a JSON object", json_path.display()).into());
    };
    let slice = root().join("target/bench/ontonotes-dev-slice.jsonl");
    let corpus = Corpus::ontonotes(&slice, None)?;
    let prefix = format!("peer {id}:");
    let errors: Vec<String> = results
        .get("errors")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(String::from))
                .filter(|e| !e.starts_with(&prefix))
                .collect()
        })
        .unwrap_or_default();
    for key in ["ner_peers", "throughput"] {
        if let Some(Value::Array(a)) = results.get_mut(key) {
            a.retain(|x| x["id"] != id && x["system"] != id);
        }
    }
    let mut run = Run {
        results,
        errors,
        work: root().join("target/bench"),
    };
    peers::install_npm()?;
    ner_peer(&mut run, opts, &corpus, &slice, peer);
    run.set("errors", json!(run.errors));
    run.push(
        "reruns",
        json!({"command": opts.command, "peer": id,
        "generated": output(std::process::Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
            .map(|s| s.trim().to_string()).unwrap_or_default(),
        "load_avg": load_avg()}),
    );
    let results = Value::Object(std::mem::take(&mut run.results));
    write_outputs(&results, opts)?;
    match run.errors.iter().find(|e| e.starts_with(&prefix)) {
        Some(e) => Err(e.clone().into()),
        None => Ok(()),
    }
}

fn peer_sections(run: &mut Run, opts: &Options, corpus: &Corpus, slice: &Path, page_slice: &Path) {
    let ok = run.section("peer installs", |_| {
        peers::install_python()?;
        peers::install_npm()
    });
    if ok.is_none() {
        return;
    }
    let pred_dir = run.path("pred");
    let runs = opts.peer_runs.to_string();
    run.section("peer bundles", |r| {
        let v = peers::node_script("peers.mjs", &["bundles"])?;
        r.set("peer_bundles", v);
        Ok(())
    });
    for peer in NER_PEERS {
        ner_peer(run, opts, corpus, slice, peer);
    }
    let punkt = run.path("punkt-ontonotes-train.pickle");
    run.section("punkt training", |_| {
        if !punkt.exists() {
            let train = shared().join("data/ontonotes/train.jsonl");
            peers::python_peer(&[
                "punkt-train",
                "--data",
                &train.display().to_string(),
                "--out",
                &punkt.display().to_string(),
            ])?;
        }
        Ok(())
    });
    let punkt_s = punkt.display().to_string();
    for (id, name) in [
        ("pysbd", "pySBD"),
        (
            "punkt",
            "NLTK Punkt (trained by the bench on OntoNotes train text)",
        ),
        ("spacy-sentencizer", "spaCy sentencizer (rules)"),
    ] {
        run.section(&format!("peer {id}"), |r| {
            let predict_args = |data: &Path, out: &Path, runs: &str| -> Result<Value> {
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
            let v = predict_args(slice, &pred, &runs)?;
            let b = peers::score_boundaries(slice, &pred)?;
            let cases =
                peers::score_all_cases(&pred_dir, id, &|d, o| predict_args(d, o, "1").map(|_| ()))?;
            let mut speed = speed_row(
                id,
                "Python",
                "sentences",
                &runs_of(&v["runs_s"]),
                &runs_of(&v["cpu_s"]),
                corpus,
            );
            speed["name"] = name.into();
            r.push(
                "sentences",
                json!({"system": id, "name": name, "boundaries": b, "cases": cases,
                                       "speed": speed, "versions": v["versions"]}),
            );
            Ok(())
        });
    }
    run.section("peer justext", |r| {
        let pred = pred_dir.join("justext-boilerplate.jsonl");
        let v = peers::python_peer(&[
            "boilerplate",
            "--system",
            "justext",
            "--data",
            &page_slice.display().to_string(),
            "--out",
            &pred.display().to_string(),
            "--runs",
            &runs,
        ])?;
        let score = peers::score_boilerplate(page_slice, &pred)?;
        let pages = r.results["slices"]["boilerplate"]["pages"]
            .as_f64()
            .unwrap_or(f64::NAN);
        let mut speed = summarize(&runs_of(&v["runs_s"]), 0, 0);
        speed["pages_per_s"] = (pages / speed["median_s"].as_f64().unwrap_or(f64::NAN)).into();
        r.push(
            "boilerplate",
            json!({"system": "justext", "name": "jusText 3 (each line as a <p>)",
                                     "input": "lines wrapped as HTML paragraphs", "score": score,
                                     "speed": speed, "versions": v["versions"]}),
        );
        Ok(())
    });
}

/// Replaces the README's headline table (between its `bench:headline`
/// markers) with the one in the new BENCHMARKS.md.
fn update_readme(md: &str) -> Result {
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
    let Some(table) = report::headline_block(md) else {
        return Ok(());
    };
    let new = format!("{}{start}\n{table}{}", &readme[..a], &readme[b..]);
    if new != readme {
        std::fs::write(&path, new)?;
    }
    Ok(())
}
