//! What every task needs: the repository's paths, a shell at its root, and
//! file helpers whose errors name the file.

use std::path::{Path, PathBuf};

use xshell::Shell;

/// Errors of a task, printed by `main`.
pub type Error = Box<dyn std::error::Error>;
/// Result of a task.
pub type Result<T = ()> = std::result::Result<T, Error>;

/// The repository root (the parent of `xtask/`).
/// The profile of the tools (`cargo xtask` itself, the train crate's tasks,
/// the CLI of the Dask example) and of the tests: optimised, without release's
/// LTO, so one build serves them all (`[profile.ci]` in Cargo.toml).
pub const TOOLS_PROFILE: &str = "ci";

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

/// `../shared` beside the repository (or `$NEWSMARK_SHARED`).
pub fn shared() -> PathBuf {
    std::env::var_os("NEWSMARK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"))
}

/// The cargo target directory (`$CARGO_TARGET_DIR` or `target/`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// A shell in the repository root (so `.cargo/config.toml`, with the wasm
/// test runner, applies to the cargo commands it runs).
pub fn sh() -> Result<Shell> {
    let sh = Shell::new()?;
    sh.change_dir(root());
    Ok(sh)
}

/// `std::fs::write`, with an error that names the file.
pub fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> Result {
    let path = path.as_ref();
    std::fs::write(path, contents)
        .map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

/// `std::fs::read_to_string`, with an error that names the file.
pub fn read_to_string(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()).into())
}

/// `std::fs::create_dir_all`, with an error that names the directory.
pub fn create_dir_all(path: impl AsRef<Path>) -> Result {
    let path = path.as_ref();
    std::fs::create_dir_all(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()).into())
}

/// A file's size in bytes (0 if it cannot be read).
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}
