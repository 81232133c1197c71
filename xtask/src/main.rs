//! `cargo xtask <task>`: every chore of the project in one place.

mod api;
mod bench;
mod dask;
mod fuzz;
mod install;
mod ner_tasks;
mod segment_tasks;
mod serve;
mod tooling;
mod util;

use std::process::ExitCode;

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
  dask [--docs N]      the newsmark CLI as a filter on a Dask LocalCluster (examples/dask/)
  fuzz [--seconds N] [--target T]  run the cargo-fuzz targets (default 60 s each)
  train [boilerplate]  train the NER model(s), or the boilerplate line model

`cargo xtask <task> --help` lists a task's flags; an unknown flag is an error.
";

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
        // The bench declares its flags in `bench::FLAGS` (checked by `util::Flags`).
        "bench" => bench::bench(rest),
        "fuzz" => fuzz::fuzz(rest),
        "dask" => dask::dask(rest),
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
