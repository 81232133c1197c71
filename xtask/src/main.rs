//! `cargo xtask <task>`: every chore of the project in one place.

mod api;
mod bench;
mod dask;
mod fuzz;
mod install;
mod serve;
mod tooling;
mod util;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  demo [--port N]      build the wasm and serve www/ on 127.0.0.1:8080
  test                 every test: native, wasm (Node, Chromium), end-to-end
  wasm                 build the release wasm into www/lib/pkg/
  dist                 build the npm package into dist/
  api [--bless]        check the public API against api/public-api.txt
  eval [what]          scores on dev: ner (default), sentences, tokens, boilerplate, speed
  predict <what>       write prediction files (ner, sentences, boilerplate)
  bench                benchmarks; writes BENCHMARKS.md
  dask [--docs N]      the newsmark CLI as a filter on a Dask LocalCluster (examples/dask/)
  fuzz [--seconds N] [--target T]  run the cargo-fuzz targets (default 60 s each)
  train --recipe FILE  train the NER model of a recipe (models/<name>.toml)
  train boilerplate    train the boilerplate line model

`cargo xtask <task> --help` lists a task's flags; an unknown flag is an error.
";

/// `train`, `eval` and `predict` are the tasks of the training crate's
/// binary (`train/`, `newsmark-train`): their arguments pass through.
fn train_tool(task: &str, rest: &[String]) -> util::Result {
    util::run(
        std::process::Command::new(env!("CARGO"))
            .current_dir(util::root())
            .args([
                "run",
                "--quiet",
                "--release",
                "--package",
                "newsmark-train",
                "--",
                task,
            ])
            .args(rest),
    )
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
        "train" | "eval" | "predict" => train_tool(task, rest),
        // The bench declares its flags in `bench::FLAGS` (checked by `util::Flags`).
        "bench" => bench::bench(rest),
        "fuzz" => fuzz::fuzz(rest),
        "dask" => dask::dask(rest),
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
