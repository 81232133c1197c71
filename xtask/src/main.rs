//! `cargo xtask <task>`: every chore of the project in one place.

mod bench;
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
  eval [what]          scores on dev: ner (default), sentences, tokens, boilerplate, speed
  predict <what>       write prediction files (ner, sentences, boilerplate)
  bench                benchmarks; writes BENCHMARKS.md
  fuzz [--seconds N] [--target T]  run the cargo-fuzz targets (default 60 s each)
  train [boilerplate]  train the NER model(s), or the boilerplate line model
";

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
        "train" => match rest.first().map(String::as_str) {
            Some("boilerplate") => segment_tasks::train_boilerplate(&rest[1..]),
            _ => ner_tasks::train(rest),
        },
        "bench" => bench::bench(rest),
        "fuzz" => fuzz::fuzz(rest),
        "eval" => match rest.first().map(String::as_str) {
            Some("sentences") => segment_tasks::eval_sentences(&rest[1..]),
            Some("tokens") => segment_tasks::eval_tokens(&rest[1..]),
            Some("speed") => segment_tasks::eval_speed(&rest[1..]),
            Some("boilerplate") => segment_tasks::eval_boilerplate(&rest[1..]),
            Some("ner") => ner_tasks::eval(&rest[1..]),
            _ => ner_tasks::eval(rest),
        },
        "predict" => match rest.first().map(String::as_str) {
            Some("ner") => ner_tasks::predict(&rest[1..]),
            Some("sentences") => segment_tasks::predict_sentences(&rest[1..]),
            Some("boilerplate") => segment_tasks::predict_boilerplate(&rest[1..]),
            _ => Err("usage: cargo xtask predict <ner|sentences|boilerplate> --data FILE --out PRED.jsonl".into()),
        },
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
