//! `cargo xtask <task>`: every chore of the project, as a thin runner.
//!
//! The tasks by domain: the web build (`web`: wasm, demo, dist, with the
//! static server `serve`), the checks (`checks`: `test` and its steps), the
//! public-API list (`api`), fuzzing (`fuzz`), the Dask example (`dask`), and
//! what the build needs installed (`install`). Training, evaluation and
//! prediction files are the training crate's binary (`train/`,
//! `newsmark-train`) and the benchmarks the bench crate's (`bench/`,
//! `newsmark-bench`): `cargo xtask` passes their arguments through.

mod api;
mod checks;
mod dask;
mod fuzz;
mod install;
mod util;
mod web;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xshell::cmd;

/// newsmark's chores.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand, Debug)]
enum Task {
    /// Build the wasm and serve www/ on 127.0.0.1 (the page at /demo/).
    Demo(web::DemoArgs),
    /// Every check: format, API, clippy, docs, native, wasm (Node,
    /// Chromium) and end-to-end tests, the quick bench, Dask, fuzzing.
    Test(checks::TestArgs),
    /// Build the release wasm into www/lib/pkg/.
    Wasm(web::WasmArgs),
    /// Build the npm package into dist/.
    Dist(web::DistArgs),
    /// Check the public API against api/public-api.txt.
    Api(api::ApiArgs),
    /// Run the cargo-fuzz targets.
    Fuzz(fuzz::FuzzArgs),
    /// The newsmark CLI as a filter on a Dask LocalCluster (examples/dask/).
    Dask(dask::DaskArgs),
    /// Train a model from a recipe (`--recipe models/<name>.toml`), the
    /// boilerplate line model or the gazetteer (`cargo xtask train --help`).
    #[command(disable_help_flag = true)]
    Train(PassThrough),
    /// Scores on dev: ner (default), sentences, tokens, boilerplate, speed.
    #[command(disable_help_flag = true)]
    Eval(PassThrough),
    /// Write prediction files in the reference scorers' formats.
    #[command(disable_help_flag = true)]
    Predict(PassThrough),
    /// Benchmarks; write a dated record folder and BENCHMARKS.md.
    #[command(disable_help_flag = true)]
    Bench(PassThrough),
}

/// The arguments of a task another crate's binary runs, passed as they are.
#[derive(clap::Args, Debug)]
struct PassThrough {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

/// Runs `package`'s binary in `profile` with `args`.
fn run_binary(package: &str, profile: &str, args: &[String]) -> util::Result {
    let sh = util::sh()?;
    Ok(cmd!(
        sh,
        "cargo run --quiet --profile {profile} --package {package} -- {args...}"
    )
    .run()?)
}

/// `cargo xtask bench ARGS`: the bench crate's binary, in release (what it
/// measures is the release build), or for `--quick` (a check that the bench
/// runs, whose figures nobody reads) in the tools' profile, which the tests
/// have already built.
pub fn bench(args: &[String]) -> util::Result {
    let quick = args.iter().any(|a| a == "--quick");
    let profile = if quick {
        util::TOOLS_PROFILE
    } else {
        "release"
    };
    run_binary("newsmark-bench", profile, args)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let with_task = |task: &str, rest: &[String]| {
        let mut args = vec![task.to_string()];
        args.extend_from_slice(rest);
        run_binary("newsmark-train", util::TOOLS_PROFILE, &args)
    };
    let result = match &cli.task {
        Task::Demo(a) => web::demo(a),
        Task::Test(a) => checks::test(a),
        Task::Wasm(a) => web::wasm(a),
        Task::Dist(a) => web::dist(a),
        Task::Api(a) => api::api(a),
        Task::Fuzz(a) => fuzz::fuzz(a),
        Task::Dask(a) => dask::dask(a),
        Task::Train(p) => with_task("train", &p.args),
        Task::Eval(p) => with_task("eval", &p.args),
        Task::Predict(p) => with_task("predict", &p.args),
        Task::Bench(p) => bench(&p.args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
