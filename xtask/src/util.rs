//! Helpers shared by the tasks: paths, running commands, reading flags.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Errors of a task, printed by `main`.
pub type Error = Box<dyn std::error::Error>;
/// Result of a task.
pub type Result<T = ()> = std::result::Result<T, Error>;

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

/// `../shared` beside the repository (or `$NEWSMARK_SHARED`).
pub fn shared() -> PathBuf {
    newsmark::train::corpus::shared_dir()
}

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

/// Command-line flags: `--name value` pairs, `--switch`es and positionals.
pub struct Flags {
    args: Vec<String>,
}

impl Flags {
    /// Wraps the task's arguments.
    pub fn new(args: &[String]) -> Self {
        Flags {
            args: args.to_vec(),
        }
    }

    /// The value after `--name`, if given.
    pub fn value(&self, name: &str) -> Option<String> {
        let pos = self.args.iter().position(|a| a == name)?;
        self.args.get(pos + 1).cloned()
    }

    /// The value after `--name`, or an error saying it is required.
    pub fn required(&self, name: &str) -> Result<String> {
        self.value(name)
            .ok_or_else(|| format!("missing `{name} VALUE`").into())
    }

    /// True if `--name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.args.iter().any(|a| a == name)
    }
}
