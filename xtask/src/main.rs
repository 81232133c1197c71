//! `cargo xtask <task>`: every chore of the project in one place.

mod api;
mod bench;
mod fuzz;
mod install;
mod ner_tasks;
mod segment_tasks;
mod serve;
mod tooling;
mod util;

use std::process::ExitCode;
use util::{Flag, Flags};

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  demo [--port N]      build the wasm and serve www/ on 127.0.0.1:8080
  test                 every test: native, wasm (Node, Chromium), end-to-end
  wasm                 build the release wasm into www/pkg/
  dist                 build the npm package into dist/
  api [--bless]        check the public API against api/public-api.txt
  eval [what]          scores on dev: ner (default), sentences, tokens, boilerplate, speed
  predict <what>       write prediction files (ner, sentences, boilerplate)
  bench                benchmarks; writes BENCHMARKS.md
  fuzz [--seconds N] [--target T]  run the cargo-fuzz targets (default 60 s each)
  train [boilerplate]  train the NER model(s), or the boilerplate line model

`cargo xtask <task> --help` lists a task's flags; an unknown flag is an error.
";

/// The flags of `cargo xtask bench` (`bench.rs` reads them; they are
/// checked here first, so a misspelt one is an error, not a silent default).
const BENCH_FLAGS: &[Flag] = &[
    Flag::switch(
        "--quick",
        "a small slice, no peers (what `cargo xtask test` runs)",
    ),
    Flag::value(
        "--slice",
        "N",
        "the first N OntoNotes dev documents (default all)",
    ),
    Flag::value(
        "--pages",
        "N",
        "the first N boilerplate pages (default all)",
    ),
    Flag::value("--runs", "N", "timed passes per measurement (default 3)"),
    Flag::value(
        "--peer-runs",
        "N",
        "timed passes of the peer systems (default 2)",
    ),
    Flag::value(
        "--out",
        "DIR",
        "where to write the report (default the repository)",
    ),
    Flag::switch("--peers", "also run the peer systems"),
    Flag::switch(
        "--no-wasm",
        "leave out the wasm (Node and browser) measurements",
    ),
    Flag::switch("--no-browser", "leave out the browser measurements"),
    Flag::switch("--no-build", "use the www/pkg/ already built"),
    Flag::value("--memory-mb", "N", "size of the memory measurement's text"),
    Flag::switch("--memory-only", "rerun only the memory measurement"),
    Flag::value(
        "--rerun-peer",
        "ID",
        "rerun one peer system into an earlier run",
    ),
];

/// `eval` and `predict` take what to score or predict first, `train`
/// optionally `boilerplate`; anything else that is not a flag is a mistake.
fn subtask<'a>(task: &str, rest: &'a [String], known: &[&str]) -> util::Result<Option<&'a str>> {
    match rest.first().map(String::as_str) {
        Some(w) if known.contains(&w) => Ok(Some(w)),
        Some(w) if !w.starts_with('-') => Err(format!(
            "unknown `{task}` target `{w}` (one of: {})",
            known.join(", ")
        )
        .into()),
        _ => Ok(None),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args.first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match task.as_str() {
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        "demo" => tooling::demo(rest),
        "test" => tooling::test(rest),
        "wasm" => tooling::wasm(rest),
        "dist" => tooling::dist(rest),
        "api" => api::api(rest),
        "train" => match subtask("train", rest, &["boilerplate"]) {
            Ok(Some(_)) => segment_tasks::train_boilerplate(&rest[1..]),
            Ok(None) => ner_tasks::train(rest),
            Err(e) => Err(e),
        },
        "bench" => Flags::parse("bench", rest, BENCH_FLAGS).and_then(|_| bench::bench(rest)),
        "fuzz" => fuzz::fuzz(rest),
        "eval" => {
            const WHAT: &[&str] = &["ner", "sentences", "tokens", "speed", "boilerplate"];
            match subtask("eval", rest, WHAT) {
                Ok(Some("sentences")) => segment_tasks::eval_sentences(&rest[1..]),
                Ok(Some("tokens")) => segment_tasks::eval_tokens(&rest[1..]),
                Ok(Some("speed")) => segment_tasks::eval_speed(&rest[1..]),
                Ok(Some("boilerplate")) => segment_tasks::eval_boilerplate(&rest[1..]),
                Ok(Some(_)) => ner_tasks::eval(&rest[1..]),
                Ok(None) => ner_tasks::eval(rest),
                Err(e) => Err(e),
            }
        }
        "predict" => {
            const WHAT: &[&str] = &["ner", "sentences", "boilerplate"];
            match subtask("predict", rest, WHAT) {
                Ok(Some("ner")) => ner_tasks::predict(&rest[1..]),
                Ok(Some("sentences")) => segment_tasks::predict_sentences(&rest[1..]),
                Ok(Some(_)) => segment_tasks::predict_boilerplate(&rest[1..]),
                Ok(None) => Err("usage: cargo xtask predict <ner|sentences|boilerplate> --data FILE --out PRED.jsonl".into()),
                Err(e) => Err(e),
            }
        }
        other => Err(format!("unknown task `{other}`\n{USAGE}").into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: error: {e}");
            ExitCode::FAILURE
        }
    }
}
