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
    newsmark_train::corpus::shared_dir()
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

/// One flag a task accepts: `--name`, with or without a value.
#[derive(Clone, Copy, Debug)]
pub struct Flag {
    /// `--name`.
    pub name: &'static str,
    /// What follows it.
    pub value: FlagValue,
    /// One line for the task's `--help`.
    pub help: &'static str,
}

/// Whether a [`Flag`] takes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagValue {
    /// A switch: `--verbose`.
    None,
    /// A value is required: `--data FILE` (or `--data=FILE`); the string
    /// names it in messages.
    Required(&'static str),
    /// A value may follow (if the next argument is not a flag): `--holdout [0|1]`.
    Optional(&'static str),
}

impl Flag {
    /// A switch.
    pub const fn switch(name: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            value: FlagValue::None,
            help,
        }
    }

    /// A flag with a value, `what` names it (`FILE`, `N`).
    pub const fn value(name: &'static str, what: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            value: FlagValue::Required(what),
            help,
        }
    }

    /// A flag whose value may be left out.
    pub const fn optional(name: &'static str, what: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            value: FlagValue::Optional(what),
            help,
        }
    }

    fn usage(&self) -> String {
        match self.value {
            FlagValue::None => self.name.to_string(),
            FlagValue::Required(what) => format!("{} {what}", self.name),
            FlagValue::Optional(what) => format!("{} [{what}]", self.name),
        }
    }
}

/// The flags of `task`, one per line, for `--help` and error messages.
pub fn flags_help(task: &str, known: &[Flag]) -> String {
    if known.is_empty() {
        return format!("`cargo xtask {task}` takes no flags");
    }
    let width = known.iter().map(|f| f.usage().len()).max().unwrap_or(0);
    let mut out = format!("flags of `cargo xtask {task}`:");
    for f in known {
        out.push_str(&format!("\n  {:width$}  {}", f.usage(), f.help));
    }
    out
}

/// A task's command-line flags, checked against the flags it declares.
#[derive(Debug)]
pub struct Flags {
    /// `(name, value)` in the order given.
    given: Vec<(String, Option<String>)>,
    /// The declared flags.
    known: &'static [Flag],
}

impl Flags {
    /// Parses `args` for `task` (`"eval sentences"`, ...), which accepts
    /// exactly the flags `known`. An unknown flag, a missing value, a flag
    /// given twice or a stray argument is an error that names it and lists
    /// the valid flags; `--help` prints them and exits.
    pub fn parse(task: &str, args: &[String], known: &'static [Flag]) -> Result<Flags> {
        let mut given: Vec<(String, Option<String>)> = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if arg == "--help" || arg == "-h" {
                println!("{}", flags_help(task, known));
                std::process::exit(0);
            }
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
                _ => (arg.as_str(), None),
            };
            if !name.starts_with('-') {
                return Err(format!(
                    "unexpected argument `{arg}` for `cargo xtask {task}`\n{}",
                    flags_help(task, known)
                )
                .into());
            }
            let Some(flag) = known.iter().find(|f| f.name == name) else {
                return Err(format!(
                    "unknown flag `{name}` for `cargo xtask {task}`\n{}",
                    flags_help(task, known)
                )
                .into());
            };
            if given.iter().any(|(n, _)| n == name) {
                return Err(format!("`{name}` is given twice").into());
            }
            let value = match (flag.value, inline) {
                (FlagValue::None, Some(_)) => {
                    return Err(format!("`{name}` is a switch and takes no value").into())
                }
                (FlagValue::None, None) => None,
                (_, Some(v)) => Some(v),
                (FlagValue::Required(what), None) => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        Some(v.clone())
                    }
                    None => return Err(format!("`{name}` needs a value: `{name} {what}`").into()),
                },
                (FlagValue::Optional(_), None) => match args.get(i) {
                    Some(v) if !v.starts_with("--") => {
                        i += 1;
                        Some(v.clone())
                    }
                    _ => None,
                },
            };
            given.push((name.to_string(), value));
        }
        Ok(Flags { given, known })
    }

    /// Panics if a task reads a flag it did not declare (a bug in xtask).
    fn declared(&self, name: &str) {
        assert!(
            self.known.iter().any(|f| f.name == name),
            "xtask reads the undeclared flag `{name}`"
        );
    }

    /// The value after `--name`, if given.
    pub fn value(&self, name: &str) -> Option<String> {
        self.declared(name);
        self.given
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.clone())
    }

    /// The value after `--name`, or an error saying it is required.
    pub fn required(&self, name: &str) -> Result<String> {
        self.value(name)
            .ok_or_else(|| format!("missing `{name} VALUE`").into())
    }

    /// True if `--name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.declared(name);
        self.given.iter().any(|(n, _)| n == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[Flag] = &[
        Flag::value("--data", "FILE", "the data"),
        Flag::switch("--verbose", "say more"),
        Flag::optional("--holdout", "0|1", "hold half out"),
        Flag::value("--extra", "ARGS", "passed on"),
    ];

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    fn parse(a: &[&str]) -> std::result::Result<Flags, String> {
        Flags::parse("eval", &args(a), KNOWN).map_err(|e| e.to_string())
    }

    #[test]
    fn values_switches_and_optional_values() {
        let f = parse(&["--data", "a.jsonl", "--verbose", "--holdout", "1"]).unwrap();
        assert_eq!(f.value("--data").as_deref(), Some("a.jsonl"));
        assert!(f.has("--verbose"));
        assert_eq!(f.value("--holdout").as_deref(), Some("1"));
        let f = parse(&["--holdout", "--data=b.jsonl"]).unwrap();
        assert!(f.has("--holdout") && f.value("--holdout").is_none());
        assert_eq!(f.value("--data").as_deref(), Some("b.jsonl"));
        assert!(!f.has("--verbose"));
        // A value may itself look like flags.
        let f = parse(&["--extra", "--pool --chunk 256"]).unwrap();
        assert_eq!(f.value("--extra").as_deref(), Some("--pool --chunk 256"));
    }

    #[test]
    fn unknown_flags_are_errors_that_list_the_known_ones() {
        let e = parse(&["--dta", "a.jsonl"]).unwrap_err();
        assert!(
            e.contains("unknown flag `--dta` for `cargo xtask eval`"),
            "{e}"
        );
        for name in ["--data FILE", "--verbose", "--holdout [0|1]"] {
            assert!(e.contains(name), "{e}");
        }
        let e = parse(&["stray"]).unwrap_err();
        assert!(e.contains("unexpected argument `stray`"), "{e}");
        let e = parse(&["--data"]).unwrap_err();
        assert!(e.contains("`--data` needs a value"), "{e}");
        let e = parse(&["--verbose", "--verbose"]).unwrap_err();
        assert!(e.contains("given twice"), "{e}");
        let e = parse(&["--verbose=yes"]).unwrap_err();
        assert!(e.contains("takes no value"), "{e}");
    }

    #[test]
    #[should_panic(expected = "undeclared flag `--out`")]
    fn reading_an_undeclared_flag_is_a_bug() {
        parse(&[]).unwrap().has("--out");
    }
}
