//! `cargo xtask test`: every check, as named steps, each timed; the last
//! line is `xtask test: N passed, M failed` (N, M = steps).

use crate::util::{root, sh, shared, Result};
use crate::{api, dask, fuzz, install, web};
use clap::Args;
use std::io::Write;
use std::time::{Duration, Instant};
use xshell::cmd;

/// One step of `cargo xtask test`.
struct Step {
    name: &'static str,
    run: fn() -> Result,
}

const STEPS: &[Step] = &[
    Step {
        name: "install",
        run: install::for_tests,
    },
    Step {
        name: "fmt",
        run: step_fmt,
    },
    Step {
        name: "api",
        run: step_api,
    },
    Step {
        name: "clippy",
        run: step_clippy,
    },
    Step {
        name: "doc",
        run: step_doc,
    },
    Step {
        name: "clippy-wasm",
        run: step_clippy_wasm,
    },
    Step {
        name: "native-tests",
        run: step_native_tests,
    },
    Step {
        name: "wasm-tests",
        run: step_wasm_tests,
    },
    Step {
        name: "wasm-build",
        run: web::build_wasm,
    },
    Step {
        name: "e2e",
        run: step_e2e,
    },
    Step {
        name: "bench-quick",
        run: step_bench_quick,
    },
    Step {
        name: "dask",
        run: step_dask,
    },
    Step {
        name: "fuzz",
        run: step_fuzz,
    },
];

/// The Dask example end to end (`cargo xtask dask`: its venv, the CLI, a
/// LocalCluster over all of OntoNotes dev; about 35 s with a fresh venv once
/// the CLI is built, which `bench-quick` has done).
fn step_dask() -> Result {
    dask::dask(&dask::DaskArgs {
        docs: None,
        workers: 2,
        blocksize: "1MiB".into(),
    })
}

/// The quick benchmark (a small slice, no peers), so `cargo xtask bench`
/// cannot rot; it reuses the wasm the `wasm-build` step made and writes to
/// `target/bench/quick/`, leaving the committed BENCHMARKS.md alone.
fn step_bench_quick() -> Result {
    crate::bench(&["--quick".into(), "--no-build".into()])
}

/// The fuzz smoke run: each cargo-fuzz target for 30 s from its seeds
/// (`cargo xtask fuzz`, which installs cargo-fuzz when it is missing); long
/// runs are `cargo xtask fuzz --seconds N`.
fn step_fuzz() -> Result {
    fuzz::fuzz(&fuzz::FuzzArgs {
        seconds: 30,
        target: "all".into(),
        sanitizer: fuzz::Sanitizer::None,
    })
}

/// The public API is what `api/public-api.txt` lists, and only
/// `src/wasm.rs` names wasm-bindgen (`cargo xtask api`).
fn step_api() -> Result {
    api::api(&api::ApiArgs::default())
}

fn step_fmt() -> Result {
    let sh = sh()?;
    Ok(cmd!(sh, "cargo fmt --all --check").run()?)
}

/// Clippy on every target of the workspace (the tools enable the library's
/// `internals`), then on the library's own targets with no feature, as a
/// user builds it (so code only the tools use cannot hide there unused).
fn step_clippy() -> Result {
    let sh = sh()?;
    cmd!(sh, "cargo clippy --workspace --all-targets -- -D warnings").run()?;
    Ok(cmd!(sh, "cargo clippy --all-targets -- -D warnings").run()?)
}

/// The library's documentation builds without a warning (broken links included).
fn step_doc() -> Result {
    let sh = sh()?;
    let _flags = sh.push_env("RUSTDOCFLAGS", "-D warnings");
    Ok(cmd!(sh, "cargo doc --no-deps --package newsmark").run()?)
}

fn step_clippy_wasm() -> Result {
    let (sh, target) = (sh()?, install::WASM_TARGET);
    Ok(cmd!(
        sh,
        "cargo clippy --package newsmark --lib --test node --test browser --features wasm --target {target} -- -D warnings"
    )
    .run()?)
}

/// Every native test: the library's own (unit, public API, doc tests) as a
/// user runs them, with no feature, then the rest of the workspace (the
/// internals tests in the training crate, the CLI, the tools).
fn step_native_tests() -> Result {
    let sh = sh()?;
    cmd!(sh, "cargo test --profile ci --no-fail-fast").run()?;
    Ok(cmd!(
        sh,
        "cargo test --workspace --exclude newsmark --profile ci --no-fail-fast"
    )
    .run()?)
}

fn step_wasm_tests() -> Result {
    let (sh, target) = (sh()?, install::WASM_TARGET);
    sh.set_var(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    );
    sh.set_var("CHROMEDRIVER", install::CHROMEDRIVER);
    sh.set_var(
        "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
        root().join("webdriver.json"),
    );
    sh.set_var("WASM_BINDGEN_TEST_TIMEOUT", "180");
    Ok(cmd!(
        sh,
        "cargo test --package newsmark --profile ci --target {target} --features wasm --lib --test node --test browser --no-fail-fast"
    )
    .run()?)
}

fn step_e2e() -> Result {
    let sh = sh()?;
    sh.set_var("NEWSMARK_XTASK", std::env::current_exe()?);
    sh.set_var("NEWSMARK_SHARED", shared());
    Ok(cmd!(sh, "node --test tests/e2e/").run()?)
}

/// The flags of `cargo xtask test`.
#[derive(Args, Debug)]
pub struct TestArgs {
    /// Run only these steps.
    #[arg(long, value_name = "STEP,...", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Run every step but these.
    #[arg(long, value_name = "STEP,...", value_delimiter = ',')]
    pub skip: Vec<String>,
}

/// `cargo xtask test [--only a,b] [--skip a,b]`: every check, in order, each
/// timed; the last line is `xtask test: N passed, M failed` (N, M = steps).
pub fn test(args: &TestArgs) -> Result {
    let (only, skip) = (&args.only, &args.skip);
    for name in only.iter().chain(skip) {
        if !STEPS.iter().any(|s| s.name == name) {
            let names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
            return Err(format!("unknown step `{name}` (steps: {})", names.join(", ")).into());
        }
    }
    let chosen: Vec<&Step> = STEPS
        .iter()
        .filter(|s| only.is_empty() || only.iter().any(|o| o == s.name))
        .filter(|s| !skip.iter().any(|o| o == s.name))
        .collect();
    let started = Instant::now();
    let mut results: Vec<(&str, std::result::Result<(), String>, Duration)> = Vec::new();
    let mut install_failed = false;
    for step in chosen {
        if install_failed {
            results.push((
                step.name,
                Err("not run: the install step failed".into()),
                Duration::ZERO,
            ));
            continue;
        }
        eprintln!("\n==> xtask test: {}", step.name);
        let t = Instant::now();
        let outcome = (step.run)().map_err(|e| e.to_string());
        let took = t.elapsed();
        match &outcome {
            Ok(()) => eprintln!("<== {}: ok ({:.1} s)", step.name, took.as_secs_f64()),
            Err(e) => eprintln!(
                "<== {}: FAILED ({:.1} s): {e}",
                step.name,
                took.as_secs_f64()
            ),
        }
        install_failed = step.name == "install" && outcome.is_err();
        results.push((step.name, outcome, took));
    }
    let passed = results.iter().filter(|r| r.1.is_ok()).count();
    let failed = results.len() - passed;
    eprintln!(
        "\nxtask test summary ({:.1} s in all):",
        started.elapsed().as_secs_f64()
    );
    for (name, outcome, took) in &results {
        let status = match outcome {
            Ok(()) => "ok".to_string(),
            Err(e) => format!("FAILED: {e}"),
        };
        eprintln!("  {name:<13} {:>7.1} s  {status}", took.as_secs_f64());
    }
    let _ = std::io::stderr().flush();
    println!("xtask test: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}
