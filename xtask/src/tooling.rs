//! Build, serve and test tasks: demo, wasm, test, dist.

use crate::install;
use crate::serve;
use crate::util::{root, run, shared, Flag, Flags, Result};
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The cargo target directory (`$CARGO_TARGET_DIR` or `target/`).
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// `www/lib/pkg/`, where the built wasm package goes: beside the library's
/// sources, whose `load.js` imports `./pkg/newsmark.js` (the demo page, in
/// `www/demo/`, imports the library from `../lib/`).
fn pkg_dir() -> PathBuf {
    root().join("www/lib/pkg")
}

/// A `cargo` command run from the repository root (so `.cargo/config.toml`,
/// with the wasm test runner, applies).
fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root()).args(args);
    cmd
}

/// Builds the `newsmark` command-line binary in release (the profile
/// `cargo xtask` itself runs in) and returns its path.
pub(crate) fn build_cli() -> Result<PathBuf> {
    run(&mut cargo(&[
        "build",
        "--release",
        "--package",
        "newsmark-cli",
        "--bin",
        "newsmark",
    ]))?;
    let exe = target_dir().join("release/newsmark");
    if !exe.exists() {
        return Err(format!("the build made no {}", exe.display()).into());
    }
    Ok(exe)
}

/// `cargo xtask demo [--port N] [--no-build]`: installs what is missing,
/// builds the wasm, and serves `www/` on `127.0.0.1:N` (default 8080; 0 picks
/// a free port), where `/` redirects to the page, `/demo/`.
pub fn demo(args: &[String]) -> Result {
    const FLAGS: &[Flag] = &[
        Flag::value(
            "--port",
            "N",
            "the port on 127.0.0.1 (default 8080; 0 picks a free one)",
        ),
        Flag::switch("--no-build", "serve the www/lib/pkg/ already built"),
    ];
    let flags = Flags::parse("demo", args, FLAGS)?;
    let port: u16 = match flags.value("--port") {
        Some(p) => p
            .parse()
            .map_err(|_| format!("--port {p}: not a port number"))?,
        None => 8080,
    };
    if flags.has("--no-build") {
        if !pkg_dir().join("newsmark.js").exists() {
            return Err(
                "www/lib/pkg/ is not built: run `cargo xtask wasm` (or drop --no-build)".into(),
            );
        }
    } else {
        install::for_build()?;
        build_wasm()?;
    }
    let www = root().join("www");
    serve::serve(&www, port, Some("/demo/"), |addr| {
        println!(
            "newsmark demo: http://{addr}/ (serving www/: / redirects to the page, /demo/; \
             the embedding example is /demo/embed.html; Ctrl-C stops it)"
        );
        let _ = std::io::stdout().flush();
    })
}

/// `cargo xtask wasm`: builds the release wasm into `www/lib/pkg/`.
pub fn wasm(args: &[String]) -> Result {
    const FLAGS: &[Flag] = &[Flag::switch(
        "--no-install",
        "do not check or install the tools first",
    )];
    let flags = Flags::parse("wasm", args, FLAGS)?;
    if !flags.has("--no-install") {
        install::for_build()?;
    }
    build_wasm()
}

/// The release `.wasm` of the library as cargo leaves it (before
/// wasm-bindgen), or an error saying how to build it.
pub fn release_wasm() -> Result<PathBuf> {
    let raw = target_dir().join(format!("{}/release/newsmark.wasm", install::WASM_TARGET));
    if !raw.exists() {
        return Err(format!(
            "{} is missing: run `cargo xtask wasm` (or the bench without --no-build)",
            raw.display()
        )
        .into());
    }
    Ok(raw)
}

/// wasm-bindgen `--target web` on `raw` into `out` (emptied first); with
/// `strip`, without the name and producers sections, as the package ships.
pub fn bindgen(raw: &std::path::Path, out: &std::path::Path, strip: bool) -> Result {
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    let mut cmd = Command::new("wasm-bindgen");
    cmd.args(["--target", "web"]);
    if strip {
        cmd.args(["--remove-name-section", "--remove-producers-section"]);
    }
    run(cmd.arg("--out-dir").arg(out).arg(raw))
}

/// Release build for wasm32, wasm-bindgen `--target web` into `www/lib/pkg/`,
/// npm `wasm-opt -O3`, then a check that the result loads in Node.
fn build_wasm() -> Result {
    let build = |feature: &str| {
        run(&mut cargo(&[
            "build",
            "--release",
            "--package",
            "newsmark",
            "--lib",
            "--features",
            feature,
            "--target",
            install::WASM_TARGET,
        ]))
    };
    // The module without a model first (cargo writes both to one path): the
    // lite model's, `newsmark_core_bg.wasm`, with the same glue.
    build("wasm-no-model")?;
    // Named as cargo names it, so wasm-bindgen names its outputs the same.
    let core_raw = target_dir().join("core").join("newsmark.wasm");
    crate::util::create_dir_all(target_dir().join("core"))?;
    std::fs::copy(release_wasm()?, &core_raw)
        .map_err(|e| format!("cannot copy the core wasm: {e}"))?;
    build("wasm")?;
    let pkg = pkg_dir();
    bindgen(&release_wasm()?, &pkg, true)?;
    let core_pkg = target_dir().join("pkg-core");
    bindgen(&core_raw, &core_pkg, true)?;
    let glue = |dir: &std::path::Path| std::fs::read(dir.join("newsmark.js")).unwrap_or_default();
    if glue(&pkg) != glue(&core_pkg) {
        return Err(
            "the core module's wasm-bindgen glue differs from the default module's: \
                    newsmark.js could not load newsmark_core_bg.wasm"
                .into(),
        );
    }
    for (from, name) in [
        (pkg.join("newsmark_bg.wasm"), "newsmark_bg.wasm"),
        (core_pkg.join("newsmark_bg.wasm"), "newsmark_core_bg.wasm"),
    ] {
        let module = pkg.join(name);
        let before = file_size(&from);
        run(Command::new(install::wasm_opt())
            .arg("-O3")
            .arg(&from)
            .arg("-o")
            .arg(&module))?;
        eprintln!(
            "www/lib/pkg/{name}: {before} bytes after wasm-bindgen, {} after wasm-opt -O3",
            file_size(&module)
        );
    }
    // The lite model beside them, fetched by `highlight(root, { model: "lite" })`.
    std::fs::copy(
        crate::util::root().join("models").join(LITE_MODEL),
        pkg.join(LITE_MODEL),
    )
    .map_err(|e| format!("cannot copy models/{LITE_MODEL} to www/lib/pkg: {e}"))?;
    check_loads_in_node()
}

/// The lite model's file, in `models/` and shipped beside the wasm modules.
pub const LITE_MODEL: &str = "ontonotes-lite.nmm";

fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Loads `www/lib/pkg/` in Node with `initSync` and segments a string, so a
/// broken optimiser or glue fails the build here, not in the browser.
fn check_loads_in_node() -> Result {
    const SCRIPT: &str = r#"
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [js, wasm] = process.argv.slice(-2);
const pkg = await import(pathToFileURL(js).href);
pkg.initSync({ module: readFileSync(wasm) });
const text = "Check: \u{1F600} \u201cit\u201d loads.";
const r = pkg.segment(text);
if (!Array.isArray(r.tokens) || r.tokens.length === 0) throw new Error("segment gave no tokens");
let model;
try { const a = new pkg.Annotator(); model = `default model loads (${a.labels().length} labels)`; a.free(); }
catch (e) { model = `WARNING: the default model does not load: ${e.message}`; }
console.log(`www/lib/pkg loads in Node: newsmark ${pkg.version()}, ${r.tokens.length} tokens; ${model}`);
// The core module with the lite model, through the same glue.
const core = await import(pathToFileURL(js).href + "?core");
core.initSync({ module: readFileSync(wasm.replace(/newsmark_bg\.wasm$/, "newsmark_core_bg.wasm")) });
let refused = false;
try { new core.Annotator(); } catch (e) { refused = /no embedded model/.test(e.message); }
if (!refused) throw new Error("the core module's new Annotator() did not refuse");
const lite = core.Annotator.fromBytes(readFileSync(wasm.replace(/newsmark_bg\.wasm$/, "ontonotes-lite.nmm")));
const found = lite.annotate("Angela Merkel visited Paris on Monday.").entities.length;
console.log(`newsmark_core_bg.wasm loads the lite model (${lite.labels().length} labels, ${found} entities in a test sentence)`);
"#;
    let pkg = pkg_dir();
    let script = target_dir().join("xtask-check-pkg.mjs");
    crate::util::create_dir_all(target_dir())?;
    std::fs::write(&script, SCRIPT)
        .map_err(|e| format!("cannot write {}: {e}", script.display()))?;
    run(Command::new("node")
        .arg(&script)
        .arg(pkg.join("newsmark.js"))
        .arg(pkg.join("newsmark_bg.wasm")))
}

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
        run: build_wasm,
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
    crate::dask::dask(&[])
}

/// The quick benchmark (a small slice, no peers), so `cargo xtask bench`
/// cannot rot; it reuses the wasm the `wasm-build` step made and writes to
/// `target/bench/quick/`, leaving the committed BENCHMARKS.md alone.
fn step_bench_quick() -> Result {
    crate::bench::bench(&["--quick".to_string(), "--no-build".to_string()])
}

/// The fuzz smoke run: each cargo-fuzz target for 60 s (`cargo xtask fuzz`,
/// which installs cargo-fuzz when it is missing).
fn step_fuzz() -> Result {
    crate::fuzz::fuzz(&["--seconds".to_string(), "60".to_string()])
}

/// The public API is what `api/public-api.txt` lists, and only
/// `src/wasm.rs` names wasm-bindgen (`cargo xtask api`).
fn step_api() -> Result {
    crate::api::api(&[])
}

fn step_fmt() -> Result {
    run(&mut cargo(&["fmt", "--all", "--check"]))
}

/// Clippy on every target of the workspace (the tools enable the library's
/// `internals`), then on the library's own targets with no feature, as a
/// user builds it (so code only the tools use cannot hide there unused).
fn step_clippy() -> Result {
    run(&mut cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(&mut cargo(&[
        "clippy",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

/// The library's documentation builds without a warning (broken links included).
fn step_doc() -> Result {
    run(cargo(&["doc", "--no-deps", "--package", "newsmark"]).env("RUSTDOCFLAGS", "-D warnings"))
}

fn step_clippy_wasm() -> Result {
    run(&mut cargo(&[
        "clippy",
        "--package",
        "newsmark",
        "--lib",
        "--test",
        "node",
        "--test",
        "browser",
        "--features",
        "wasm",
        "--target",
        install::WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ]))
}

/// Every native test: the library's own (unit, public API, doc tests) as a
/// user runs them, with no feature, then the rest of the workspace (the
/// internals tests in the training crate, the CLI, the tools).
fn step_native_tests() -> Result {
    run(&mut cargo(&["test", "--profile", "ci", "--no-fail-fast"]))?;
    run(&mut cargo(&[
        "test",
        "--workspace",
        "--exclude",
        "newsmark",
        "--profile",
        "ci",
        "--no-fail-fast",
    ]))
}

fn step_wasm_tests() -> Result {
    let mut cmd = cargo(&[
        "test",
        "--package",
        "newsmark",
        "--profile",
        "ci",
        "--target",
        install::WASM_TARGET,
        "--features",
        "wasm",
        "--lib",
        "--test",
        "node",
        "--test",
        "browser",
        "--no-fail-fast",
    ]);
    cmd.env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    )
    .env("CHROMEDRIVER", install::CHROMEDRIVER)
    .env(
        "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
        root().join("webdriver.json"),
    )
    .env("WASM_BINDGEN_TEST_TIMEOUT", "180");
    run(&mut cmd)
}

fn step_e2e() -> Result {
    let xtask = std::env::current_exe()?;
    run(Command::new("node")
        .current_dir(root())
        .args(["--test", "tests/e2e/"])
        .env("NEWSMARK_XTASK", xtask)
        .env("NEWSMARK_SHARED", shared()))
}

/// `cargo xtask test [--only a,b] [--skip a,b]`: every check, in order, each
/// timed; the last line is `xtask test: N passed, M failed` (N, M = steps).
pub fn test(args: &[String]) -> Result {
    const FLAGS: &[Flag] = &[
        Flag::value("--only", "STEP,...", "run only these steps"),
        Flag::value("--skip", "STEP,...", "run every step but these"),
    ];
    let flags = Flags::parse("test", args, FLAGS)?;
    let list = |name: &str| -> Vec<String> {
        flags
            .value(name)
            .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default()
    };
    let (only, skip) = (list("--only"), list("--skip"));
    for name in only.iter().chain(&skip) {
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

/// `cargo xtask dist [--no-build]`: the npm package in `dist/` (name
/// `newsmark`, version from `Cargo.toml`): the built files of `www/lib/pkg/`
/// (the two wasm modules, their JS glue and types, the lite model) and every
/// file of `www/lib/`, the library's sources (`highlight.js` with
/// `annotateMany`, its hand-written `.d.ts`, default CSS, the modules it
/// imports and the workers it starts, the README), with the glue imported
/// from `./` instead of `./pkg/`; then `npm pack --dry-run` must accept it and
/// list every file.
pub fn dist(args: &[String]) -> Result {
    const FLAGS: &[Flag] = &[Flag::switch(
        "--no-build",
        "package the www/lib/pkg/ already built",
    )];
    let flags = Flags::parse("dist", args, FLAGS)?;
    if flags.has("--no-build") {
        if !pkg_dir().join("newsmark.js").exists() {
            return Err(
                "www/lib/pkg/ is not built: run `cargo xtask wasm` (or drop --no-build)".into(),
            );
        }
    } else {
        install::for_build()?;
        build_wasm()?;
    }
    let (lib, out) = (root().join("www/lib"), root().join("dist"));
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("cannot clear dist/: {e}"))?;
    }
    crate::util::create_dir_all(&out)?;
    let copy = |from: PathBuf, name: &str| -> Result {
        std::fs::copy(&from, out.join(name))
            .map(|_| ())
            .map_err(|e| format!("cannot copy {}: {e}", from.display()).into())
    };
    // The build's outputs, from www/lib/pkg/.
    const BUILT: &[&str] = &[
        "newsmark.js",
        "newsmark.d.ts",
        "newsmark_bg.wasm",
        "newsmark_bg.wasm.d.ts",
        "newsmark_core_bg.wasm",
        LITE_MODEL,
    ];
    for name in BUILT {
        copy(pkg_dir().join(name), name)?;
    }
    // The library's sources: every file of www/lib/ (its only folder is pkg/).
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(&lib).map_err(|e| format!("cannot list www/lib/: {e}"))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| format!("{}: not a UTF-8 name", path.display()))?
            .to_string();
        if !path.is_dir() {
            sources.push(name);
        } else if name != "pkg" {
            return Err(
                format!("www/lib/{name}/: dist copies the files of www/lib/, not folders").into(),
            );
        }
    }
    sources.sort();
    for needed in [
        "highlight.js",
        "highlight.d.ts",
        "highlight.css",
        "load.js",
        "worker.js",
        "README.md",
    ] {
        if !sources.iter().any(|s| s == needed) {
            return Err(format!("www/lib/{needed} is missing").into());
        }
    }
    // load.js alone imports the glue from ./pkg/ and finds the models' files
    // there, for highlight.js and worker.js; in the package all sit beside it.
    let glue_import = "from \"./pkg/newsmark.js\"";
    for name in &sources {
        if !name.ends_with(".js") {
            copy(lib.join(name), name)?;
            continue;
        }
        let source = crate::util::read_to_string(lib.join(name))?;
        let loader = name == "load.js";
        if source.matches(glue_import).count() != usize::from(loader) {
            return Err(format!(
                "www/lib/{name} must import the glue {} (`{glue_import}`)",
                if loader {
                    "exactly once"
                } else {
                    "only through load.js"
                }
            )
            .into());
        }
        crate::util::write(out.join(name), source.replace("\"./pkg/", "\"./"))?;
    }
    let files: Vec<&str> = BUILT
        .iter()
        .copied()
        .chain(sources.iter().map(String::as_str))
        .collect();
    let version = package_version()?;
    // Written as text, not with serde_json (which sorts keys): in `exports`,
    // the `types` condition must come before `default`.
    let listed: Vec<String> = files.iter().map(|f| format!("\"{f}\"")).collect();
    let manifest = format!(
        r#"{{
  "name": "newsmark",
  "version": "{version}",
  "description": "Named entities and boilerplate detection for news text, in WebAssembly, in the browser",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "./newsmark.js",
  "types": "./newsmark.d.ts",
  "exports": {{
    ".": {{ "types": "./newsmark.d.ts", "default": "./newsmark.js" }},
    "./highlight": {{ "types": "./highlight.d.ts", "default": "./highlight.js" }},
    "./highlight.js": {{ "types": "./highlight.d.ts", "default": "./highlight.js" }},
    "./highlight.css": "./highlight.css",
    "./newsmark_bg.wasm": "./newsmark_bg.wasm",
    "./newsmark_core_bg.wasm": "./newsmark_core_bg.wasm",
    "./{LITE_MODEL}": "./{LITE_MODEL}",
    "./package.json": "./package.json"
  }},
  "files": [{files}],
  "sideEffects": ["./highlight.css"],
  "keywords": ["ner", "named-entity-recognition", "news", "boilerplate", "wasm"]
}}
"#,
        files = listed.join(", ")
    );
    serde_json::from_str::<serde_json::Value>(&manifest)
        .map_err(|e| format!("dist/package.json is not valid JSON: {e}"))?;
    crate::util::write(out.join("package.json"), manifest)?;
    // npm must accept the folder and pack exactly these files.
    let listing = crate::util::output(Command::new("npm").current_dir(&out).args([
        "pack",
        "--dry-run",
        "--json",
        "--loglevel=error",
    ]))
    .ok_or("`npm pack --dry-run` failed in dist/")?;
    let packed: serde_json::Value = serde_json::from_str(&listing)
        .map_err(|e| format!("npm pack --dry-run gave no JSON ({e}): {listing}"))?;
    let paths: Vec<&str> = packed[0]["files"]
        .as_array()
        .map(|files| files.iter().filter_map(|f| f["path"].as_str()).collect())
        .unwrap_or_default();
    for name in files.iter().chain(&["package.json"]) {
        if !paths.contains(name) {
            return Err(format!("npm pack would leave out {name} (packs {paths:?})").into());
        }
    }
    eprintln!(
        "dist/: newsmark {version}, {} files, npm pack accepts it ({} bytes packed)",
        paths.len(),
        packed[0]["size"]
    );
    Ok(())
}

/// The `version` of the root `Cargo.toml`'s `[package]`.
fn package_version() -> Result<String> {
    let manifest = crate::util::read_to_string(root().join("Cargo.toml"))?;
    let package = manifest
        .split("\n[")
        .find(|section| section.trim_start_matches('[').starts_with("package]"))
        .ok_or("Cargo.toml has no [package] section")?;
    package
        .lines()
        .find_map(|line| {
            let value = line
                .trim()
                .strip_prefix("version")?
                .trim_start()
                .strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_string())
        })
        .ok_or_else(|| "Cargo.toml's [package] has no version".into())
}
