//! Paths, files and processes for the tasks.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Errors of a task, printed by `main`.
pub type Error = Box<dyn std::error::Error>;
/// Result of a task.
pub type Result<T = ()> = std::result::Result<T, Error>;

/// The repository root (the parent of `train/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("train/ lives in the repository")
        .to_path_buf()
}

/// `../shared` beside the repository (or `$NEWSMARK_SHARED`).
pub fn shared() -> PathBuf {
    newsmark_train::corpus::shared_dir()
}

// File operations whose errors name the file.
pub use fs_err::{create_dir_all, read, read_dir, read_to_string, write};

/// Runs `cmd`, echoing it, and fails if it exits non-zero.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("+ {}", show(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", show(cmd)))?;
    if !status.success() {
        return Err(format!("`{}` failed ({status})", show(cmd)).into());
    }
    Ok(())
}

/// Runs `cmd` and returns its standard output, or `None` if it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// CPU seconds (user + system) this process has used so far, from
/// `/proc/self/stat` (Linux; `None` elsewhere). Clock ticks are assumed to
/// be 1/100 s, the Linux default.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The annotator of `model` (a `.nmm` file), or of the embedded default
/// model; errors name the file.
pub fn annotator(model: Option<&Path>) -> Result<newsmark::Annotator> {
    let Some(path) = model else {
        return Ok(newsmark::Annotator::new());
    };
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(newsmark::Annotator::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))?)
}
