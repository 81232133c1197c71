//! Installing what the build and the tests need, each step idempotent: it
//! checks first and installs only what is missing or at the wrong version.
//!
//! - the `wasm32-unknown-unknown` Rust target (`rustup target add`);
//! - `wasm-bindgen-cli` at exactly the `wasm-bindgen` version in `Cargo.lock`
//!   (`cargo install`, without `--locked`, which fails on this registry);
//! - the npm packages of `package.json` (`binaryen` for `wasm-opt`: Debian's
//!   binaryen breaks modern wasm-bindgen output; `playwright-core`);
//! - Chromium, chromedriver and a colour emoji font (`apt-get`, as root only;
//!   otherwise a message saying what to install).

use crate::util::{root, sh, Result};
use std::path::{Path, PathBuf};
use xshell::cmd;

/// The Rust target the library is built for in the browser.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The Chromium binary the wasm and end-to-end tests drive.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The chromedriver the wasm browser tests use.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The colour emoji font (without it emoji render as boxes in screenshots).
const EMOJI_FONT: &str = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf";
/// The Debian packages that provide the three paths above.
const BROWSER_PACKAGES: &[&str] = &["chromium", "chromium-driver", "fonts-noto-color-emoji"];

/// Adds the wasm target to the active toolchain if it is missing.
pub fn wasm_target() -> Result {
    let sh = sh()?;
    let installed = cmd!(sh, "rustup target list --installed")
        .quiet()
        .read()
        .map_err(|e| {
            format!("`rustup target list --installed` failed: is rustup installed and on PATH? {e}")
        })?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    Ok(cmd!(sh, "rustup target add {WASM_TARGET}").run()?)
}

/// The `wasm-bindgen` version locked in `Cargo.lock`.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock_path = root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""# {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_string());
            }
        }
    }
    Err(format!("no `wasm-bindgen` package in {}", lock_path.display()).into())
}

/// Installs `wasm-bindgen-cli` (wasm-bindgen, wasm-bindgen-test-runner) at
/// the locked version unless exactly that version is on PATH.
pub fn wasm_bindgen_cli() -> Result {
    let want = locked_wasm_bindgen_version()?;
    let sh = sh()?;
    let have = |tool: &str| {
        cmd!(sh, "{tool} --version")
            .quiet()
            .read()
            .ok()
            .and_then(|v| v.split_whitespace().nth(1).map(str::to_string))
    };
    let bindgen = have("wasm-bindgen");
    let runner = have("wasm-bindgen-test-runner");
    if bindgen.as_deref() == Some(want.as_str()) && runner.as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    eprintln!(
        "wasm-bindgen-cli {want} is needed (found {}); installing it (a few minutes)",
        bindgen.as_deref().unwrap_or("none")
    );
    Ok(cmd!(sh, "cargo install wasm-bindgen-cli --version {want}").run()?)
}

/// True when running as root (so `apt-get install` may be used).
fn is_root() -> bool {
    sh().ok()
        .and_then(|sh| cmd!(sh, "id -u").quiet().read().ok())
        .is_some_and(|uid| uid.trim() == "0")
}

/// Installs Debian packages as root, or explains what to install.
fn apt_install(packages: &[&str], why: &str) -> Result {
    let list = packages.join(" ");
    if !is_root() {
        return Err(format!(
            "{why} is missing; install it with: sudo apt-get install -y {list} (then run this again)"
        )
        .into());
    }
    eprintln!("{why} is missing; installing {list} with apt-get");
    let sh = sh()?;
    let _env = sh.push_env("DEBIAN_FRONTEND", "noninteractive");
    cmd!(sh, "apt-get update -q").run()?;
    Ok(cmd!(sh, "apt-get install -y -q {packages...}").run()?)
}

/// Chromium, chromedriver and the emoji font, for the browser tests.
pub fn browser() -> Result {
    let missing = [CHROMIUM, CHROMEDRIVER, EMOJI_FONT]
        .iter()
        .any(|p| !Path::new(p).exists());
    if missing {
        apt_install(BROWSER_PACKAGES, "Chromium, chromedriver or the emoji font")?;
    }
    Ok(())
}

/// Node.js and npm (for wasm-opt, Playwright and `node --test`).
pub fn node() -> Result {
    let sh = sh()?;
    let node = cmd!(sh, "node --version").quiet().read();
    let npm = cmd!(sh, "npm --version").quiet().read();
    if node.is_err() || npm.is_err() {
        apt_install(&["nodejs", "npm"], "Node.js or npm")?;
    }
    Ok(())
}

/// The npm `wasm-opt` (binaryen), installed by [`node_packages`].
pub fn wasm_opt() -> PathBuf {
    root().join("node_modules/.bin/wasm-opt")
}

/// Runs `npm ci` when `node_modules` is missing or older than
/// `package-lock.json`.
pub fn node_packages() -> Result {
    node()?;
    let root = root();
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = match (modified(&installed), modified(&lock)) {
        (Some(i), Some(l)) => i >= l,
        _ => false,
    };
    if fresh
        && wasm_opt().exists()
        && root
            .join("node_modules/playwright-core/package.json")
            .exists()
    {
        return Ok(());
    }
    let how = if lock.exists() { "ci" } else { "install" };
    let sh = sh()?;
    Ok(cmd!(sh, "npm --no-audit --no-fund --loglevel=error {how}").run()?)
}

/// Everything `cargo xtask demo` / `wasm` need.
pub fn for_build() -> Result {
    wasm_target()?;
    wasm_bindgen_cli()?;
    node_packages()
}

/// Everything `cargo xtask test` needs.
pub fn for_tests() -> Result {
    for_build()?;
    browser()
}
