//! The web build: the wasm package (`wasm`), the demo server (`demo`) and
//! the npm package (`dist`).

use crate::install;
use crate::util::{self, file_size, root, sh, target_dir, Result};
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use xshell::cmd;

/// `www/lib/pkg/`, where the built wasm package goes: beside the library's
/// sources, whose `load.js` imports `./pkg/newsmark.js` (the demo page, in
/// `www/demo/`, imports the library from `../lib/`).
fn pkg_dir() -> PathBuf {
    root().join("www/lib/pkg")
}

/// With `no_build`, checks that `www/lib/pkg/` is built; else installs what
/// is missing and builds it.
fn built_or_build(no_build: bool) -> Result {
    if !no_build {
        install::for_build()?;
        return build_wasm();
    }
    if !pkg_dir().join("newsmark.js").exists() {
        return Err(
            "www/lib/pkg/ is not built: run `cargo xtask wasm` (or drop --no-build)".into(),
        );
    }
    Ok(())
}

/// The flags of `cargo xtask demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, value_name = "N", default_value_t = 8080)]
    pub port: u16,
    /// Serve the www/lib/pkg/ already built.
    #[arg(long)]
    pub no_build: bool,
}

/// `cargo xtask demo [--port N] [--no-build]`: installs what is missing,
/// builds the wasm, and serves `www/` on `127.0.0.1:N` (default 8080; 0 picks
/// a free port), where `/` redirects to the page, `/demo/`.
pub fn demo(args: &DemoArgs) -> Result {
    let port = args.port;
    built_or_build(args.no_build)?;
    // Cheap, and keeps the map's files in step with node_modules/ even with --no-build.
    copy_map_vendor()?;
    let www = root().join("www");
    let options = newsmark_serve::Options {
        home: Some("/demo/"),
        log: true,
        cache: false,
    };
    newsmark_serve::serve(&www, port, options, |addr| {
        println!(
            "newsmark demo: http://{addr}/ (serving www/: / redirects to the page, /demo/; \
             the embedding example is /demo/embed.html; Ctrl-C stops it)"
        );
        let _ = std::io::stdout().flush();
    })
    .map_err(|e| e.to_string().into())
}

/// The flags of `cargo xtask wasm`.
#[derive(Args, Debug, Default)]
pub struct WasmArgs {
    /// Do not check or install the tools first.
    #[arg(long)]
    pub no_install: bool,
}

/// `cargo xtask wasm`: builds the release wasm into `www/lib/pkg/`.
pub fn wasm(args: &WasmArgs) -> Result {
    if !args.no_install {
        install::for_build()?;
    }
    build_wasm()
}

/// The release `.wasm` of the library as cargo leaves it (before
/// wasm-bindgen), or an error saying how to build it.
fn release_wasm() -> Result<PathBuf> {
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
fn bindgen(raw: &Path, out: &Path, strip: bool) -> Result {
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    let strip: &[&str] = if strip {
        &["--remove-name-section", "--remove-producers-section"]
    } else {
        &[]
    };
    let sh = sh()?;
    Ok(cmd!(
        sh,
        "wasm-bindgen --target web {strip...} --out-dir {out} {raw}"
    )
    .run()?)
}

/// Release build for wasm32, wasm-bindgen `--target web` into `www/lib/pkg/`,
/// npm `wasm-opt -O3`, then a check that the result loads in Node.
pub fn build_wasm() -> Result {
    let sh = sh()?;
    let target = install::WASM_TARGET;
    let build = |feature: &str| -> Result {
        Ok(cmd!(
            sh,
            "cargo build --release --package newsmark --lib --features {feature} --target {target}"
        )
        .run()?)
    };
    // The module without a model first (cargo writes both to one path): the
    // lite model's, `newsmark_core_bg.wasm`, with the same glue.
    build("wasm-no-model")?;
    // Named as cargo names it, so wasm-bindgen names its outputs the same.
    let core_raw = target_dir().join("core").join("newsmark.wasm");
    util::create_dir_all(target_dir().join("core"))?;
    std::fs::copy(release_wasm()?, &core_raw)
        .map_err(|e| format!("cannot copy the core wasm: {e}"))?;
    build("wasm")?;
    let pkg = pkg_dir();
    bindgen(&release_wasm()?, &pkg, true)?;
    let core_pkg = target_dir().join("pkg-core");
    bindgen(&core_raw, &core_pkg, true)?;
    let glue = |dir: &Path| std::fs::read(dir.join("newsmark.js")).unwrap_or_default();
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
        let wasm_opt = install::wasm_opt();
        cmd!(sh, "{wasm_opt} -O3 {from} -o {module}").run()?;
        eprintln!(
            "www/lib/pkg/{name}: {before} bytes after wasm-bindgen, {} after wasm-opt -O3",
            file_size(&module)
        );
    }
    // The lite and accurate models beside them, fetched by `highlight(root,
    // { model: "lite" })` and `{ model: "accurate" }` (23.2 MB, 20.8 MB
    // gzipped), and the gazetteer, fetched only when places are asked for (by
    // the demo page's workers, or a page's `loadGazetteer()`; 6.9 MB, 3.8 MB
    // gzipped).
    for name in [LITE_MODEL, ACCURATE_MODEL, GAZETTEER] {
        std::fs::copy(root().join("models").join(name), pkg.join(name))
            .map_err(|e| format!("cannot copy models/{name} to www/lib/pkg: {e}"))?;
    }
    copy_map_vendor()?;
    check_loads_in_node()
}

/// The gazetteer (GeoNames places, CC BY 4.0), in `models/` and copied beside
/// the wasm modules, for the demo page and in the npm package (where
/// `loadGazetteer()` of `highlight.js` finds it).
pub const GAZETTEER: &str = "places.nmg";

/// The demo page's map: its third-party files copied from `node_modules/`
/// (npm `world-atlas`, `d3-geo` with its `d3-array`, `topojson-client`,
/// pinned in `package.json`) into `www/demo/vendor/`, which git ignores, so
/// the page imports them by relative path with no bundler and no import map
/// (the page's CSP forbids inline scripts, and so inline import maps).
/// `d3-geo.js`'s one import of `d3-array` becomes `./d3-array.js`;
/// topojson-client's ES module sources import only one another.
pub fn copy_map_vendor() -> Result {
    let modules = root().join("node_modules");
    let out = root().join("www/demo/vendor");
    if !modules.join("d3-geo/package.json").exists() {
        return Err(
            "node_modules/d3-geo is missing: run `npm ci` (`cargo xtask wasm` does)".into(),
        );
    }
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("cannot clear www/demo/vendor/: {e}"))?;
    }
    util::create_dir_all(out.join("topojson-client"))?;
    let copy = |from: &str, to: &str| -> Result {
        std::fs::copy(modules.join(from), out.join(to))
            .map(|_| ())
            .map_err(|e| format!("cannot copy node_modules/{from} to www/demo/vendor/: {e}").into())
    };
    copy("d3-array/dist/d3-array.mjs", "d3-array.js")?;
    copy("world-atlas/countries-110m.json", "countries-110m.json")?;
    for (package, license) in [
        ("d3-array", "LICENSE"),
        ("d3-geo", "LICENSE"),
        ("topojson-client", "LICENSE"),
        ("world-atlas", "LICENSE"),
    ] {
        copy(
            &format!("{package}/{license}"),
            &format!("LICENSE-{package}"),
        )?;
    }
    let geo = util::read_to_string(modules.join("d3-geo/dist/d3-geo.mjs"))?;
    let import = "from 'd3-array';";
    if geo.matches(import).count() != 1 || geo.matches(" from '").count() != 1 {
        return Err(format!(
            "node_modules/d3-geo/dist/d3-geo.mjs: expected exactly one import, `{import}`"
        )
        .into());
    }
    util::write(
        out.join("d3-geo.js"),
        geo.replace(import, "from './d3-array.js';"),
    )?;
    let src = modules.join("topojson-client/src");
    for entry in
        std::fs::read_dir(&src).map_err(|e| format!("cannot list {}: {e}", src.display()))?
    {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !name.ends_with(".js") {
            continue;
        }
        let source = util::read_to_string(&path)?;
        // Every import and re-export must be relative ("./x.js"): a bare
        // name would not resolve in the browser.
        if source.contains("from '")
            || source
                .lines()
                .any(|l| l.contains("from \"") && !l.contains("from \"./"))
        {
            return Err(format!("{}: an import that is not relative", path.display()).into());
        }
        util::write(out.join("topojson-client").join(name), source)?;
    }
    Ok(())
}

/// The lite model's file, in `models/` and shipped beside the wasm modules.
pub const LITE_MODEL: &str = "ontonotes-lite.nmm";

/// The accurate model's file (the transformer, opt-in: large and far
/// slower), in `models/` and shipped beside the wasm modules.
pub const ACCURATE_MODEL: &str = "ontonotes-accurate.nmm";

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
// The accurate model (a transformer) in the same core module, on one short sentence.
const accurate = core.Annotator.fromBytes(readFileSync(wasm.replace(/newsmark_bg\.wasm$/, "ontonotes-accurate.nmm")));
const got = accurate.annotate("Nadia Okafor moved from Lagos to Toronto last spring.").entities.map((e) => `${e.label}:${e.text}`);
if (!got.includes("PERSON:Nadia Okafor") || !got.includes("GPE:Toronto")) throw new Error(`the accurate model found ${JSON.stringify(got)}`);
console.log(`newsmark_core_bg.wasm loads the accurate model (${accurate.labels().length} labels, ${got.length} entities in a test sentence)`);
"#;
    let pkg = pkg_dir();
    let script = target_dir().join("xtask-check-pkg.mjs");
    util::create_dir_all(target_dir())?;
    util::write(&script, SCRIPT)?;
    let (js, wasm) = (pkg.join("newsmark.js"), pkg.join("newsmark_bg.wasm"));
    let sh = sh()?;
    Ok(cmd!(sh, "node {script} {js} {wasm}").run()?)
}

/// The flags of `cargo xtask dist`.
#[derive(Args, Debug)]
pub struct DistArgs {
    /// Package the www/lib/pkg/ already built.
    #[arg(long)]
    pub no_build: bool,
}

/// `cargo xtask dist [--no-build]`: the npm package in `dist/` (name
/// `newsmark`, version from `Cargo.toml`): the built files of `www/lib/pkg/`
/// (the two wasm modules, their JS glue and types, the lite and accurate
/// models, the gazetteer) and every file of `www/lib/`, the library's sources
/// (`highlight.js` with `annotateMany` and `loadGazetteer`, its hand-written
/// `.d.ts`, default CSS, the modules it imports and the workers it starts,
/// the README), with the glue imported from `./` instead of `./pkg/`; then
/// `npm pack --dry-run` must accept it and list every file.
pub fn dist(args: &DistArgs) -> Result {
    built_or_build(args.no_build)?;
    let (lib, out) = (root().join("www/lib"), root().join("dist"));
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("cannot clear dist/: {e}"))?;
    }
    util::create_dir_all(&out)?;
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
        ACCURATE_MODEL,
        GAZETTEER,
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
        let source = util::read_to_string(lib.join(name))?;
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
        util::write(out.join(name), source.replace("\"./pkg/", "\"./"))?;
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
  "license": "(MIT OR Apache-2.0) AND CC-BY-4.0",
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
    "./{ACCURATE_MODEL}": "./{ACCURATE_MODEL}",
    "./{GAZETTEER}": "./{GAZETTEER}",
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
    util::write(out.join("package.json"), manifest)?;
    // npm must accept the folder and pack exactly these files.
    let sh = sh()?;
    sh.change_dir(&out);
    let listing = cmd!(sh, "npm pack --dry-run --json --loglevel=error")
        .read()
        .map_err(|e| format!("`npm pack --dry-run` failed in dist/: {e}"))?;
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
    let manifest: toml::Table = util::read_to_string(root().join("Cargo.toml"))?.parse()?;
    manifest
        .get("package")
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| "Cargo.toml's [package] has no version".into())
}
