//! The records of a run folder: `run.json` ([`Run`]) and one `SECTION.json` per section
//! ([`Stored`]). Figures are stored as measured (each pass's seconds, bytes, the scorers'
//! numbers); rates and ratios are derived in the report. Section types live with their code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Result;

/// The layout of the records (2 was the single `BENCHMARKS.json`).
pub const FORMAT: u32 = 3;

/// `run.json`.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Run {
    pub format: u32,
    pub settings: Settings,
    pub slices: Slices,
    pub machine: Machine,
    /// The last whole run (an `--only` run keeps the one it started from).
    pub run: Measurement,
}

/// What a whole run measures with; `--only` reuses them.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct Settings {
    pub quick: bool,
    /// The first N OntoNotes dev documents / boilerplate pages (`None`: all).
    pub slice: Option<usize>,
    pub pages: Option<usize>,
    pub runs: usize,
    pub peer_runs: usize,
    /// Largest input of the scaling curve, and the memory input, in bytes.
    pub scaling_max_bytes: usize,
    pub memory_bytes: usize,
    pub brotli_quality: u32,
}

/// The slices every section reads, as counted when they were cut.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct Slices {
    pub ner: TextSlice,
    pub boilerplate: TextSlice,
}

/// The first `docs` documents of `file` (relative to the repository).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct TextSlice {
    pub file: String,
    pub docs: usize,
    /// Code points, UTF-8 bytes, gold tokens (0 where the data has none).
    pub chars: usize,
    pub bytes: usize,
    pub tokens: usize,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: Option<f64>,
    pub os: String,
    pub rustc: String,
    pub node: String,
    pub python: String,
}

/// When, how and on what something was measured.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Measurement {
    /// The command line, e.g. `cargo xtask bench --only memory`.
    pub command: String,
    /// Start, UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub started: String,
    pub seconds: Option<f64>,
    /// `git rev-parse --short HEAD`, and whether tracked files had changes.
    pub commit: String,
    pub dirty: bool,
    /// `/proc/loadavg`'s three averages at the start and at the end.
    pub load_avg_start: Option<String>,
    pub load_avg_end: Option<String>,
}

/// `SECTION.json`: one section's result.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Stored {
    pub section: String,
    pub measured: Measurement,
    /// What went wrong; a section with errors may still have (partial) data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    pub data: Option<Value>,
}

/// A run folder: `run.json` and the sections' records.
#[derive(Debug, Clone)]
pub struct Records {
    pub dir: PathBuf,
    pub run: Run,
    pub sections: BTreeMap<String, Stored>,
}

/// A section's file name (`peer:spacy-ner` -> `peer-spacy-ner.json`).
pub fn file_name(section: &str) -> String {
    format!("{}.json", section.replace(':', "-"))
}

impl Records {
    /// A section's data as its type (`None` if absent, failed or unreadable).
    pub fn data<T: DeserializeOwned>(&self, section: &str) -> Option<T> {
        let v = self.sections.get(section)?.data.clone()?;
        serde_json::from_value(v).map_err(|e| eprintln!("bench: the record of `{section}` does not read: {e}")).ok()
    }

    pub fn load(dir: &Path) -> Result<Records> {
        let read = |p: PathBuf| std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()));
        let run: Run = serde_json::from_str(&read(dir.join("run.json"))?)?;
        if run.format != FORMAT {
            return Err(format!("{} has format {}, not {FORMAT}", dir.display(), run.format).into());
        }
        let mut sections = BTreeMap::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|x| x == "json") && !path.ends_with("run.json") {
                let s: Stored =
                    serde_json::from_str(&read(path.clone())?).map_err(|e| format!("{}: {e}", path.display()))?;
                sections.insert(s.section.clone(), s);
            }
        }
        Ok(Records { dir: dir.to_path_buf(), run, sections })
    }

    /// The newest run folder under `runs` (their names sort by date).
    pub fn latest(runs: &Path) -> Result<Records> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(runs)
            .map_err(|e| format!("{}: {e} (run the whole bench first)", runs.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("run.json").exists())
            .collect();
        dirs.sort();
        Records::load(dirs.last().ok_or_else(|| format!("no run in {}", runs.display()))?)
    }

    pub fn save(&self) -> Result {
        std::fs::create_dir_all(&self.dir)?;
        let write = |name: &str, v: String| std::fs::write(self.dir.join(name), v + "\n");
        write("run.json", serde_json::to_string_pretty(&self.run)?)?;
        for s in self.sections.values() {
            write(&file_name(&s.section), serde_json::to_string_pretty(s)?)?;
        }
        Ok(())
    }
}

/// Timed passes over a slice: seconds per pass, and the units of one pass.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Throughput {
    pub wall_s: Vec<f64>,
    /// CPU seconds per pass (the thread's natively and in Python, the process's in Node).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpu_s: Vec<f64>,
    pub tokens: usize,
    pub chars: usize,
    pub docs: usize,
}

#[derive(Clone, Copy, Debug)]
pub enum Unit {
    Tokens,
    Chars,
    Docs,
}

pub fn median(xs: &[f64]) -> Option<f64> {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    (n > 0).then(|| if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 })
}

impl Throughput {
    fn units(&self, unit: Unit) -> f64 {
        (match unit {
            Unit::Tokens => self.tokens,
            Unit::Chars => self.chars,
            Unit::Docs => self.docs,
        }) as f64
    }

    pub fn per_s(&self, unit: Unit) -> Option<f64> {
        Some(self.units(unit) / median(&self.wall_s)?)
    }

    pub fn per_cpu_s(&self, unit: Unit) -> Option<f64> {
        Some(self.units(unit) / median(&self.cpu_s)?)
    }

    /// (max − min) / median of the wall-clock passes, in percent.
    pub fn spread_pct(&self) -> Option<f64> {
        let max = self.wall_s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min = self.wall_s.iter().copied().fold(f64::INFINITY, f64::min);
        Some(100.0 * (max - min) / median(&self.wall_s)?)
    }
}

/// One stage's passes (`blocks`, `tokens`, `sentences`, `segment`, `ner`, `full`, ...).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct StageSpeed {
    pub stage: String,
    pub speed: Throughput,
}

/// A scorer's precision, recall, F1 (0..1), news genres' F1, and counts where given.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
#[serde(default)]
pub struct Score {
    pub p: f64,
    pub r: f64,
    pub f1: f64,
    pub news_f1: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gold: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pred: Option<u64>,
}

/// Sentence boundary scores, and pass counts by rule-case file.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct SentenceScores {
    pub boundaries: Boundaries,
    pub cases: BTreeMap<String, CaseScore>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Boundaries {
    pub all: Score,
    pub news: Option<Score>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct CaseScore {
    pub passed: u64,
    pub total: u64,
}

/// `score_boilerplate.py`'s figures for one system.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct BoilerplateScore {
    pub pages: u64,
    pub empty_outputs: u64,
    /// Token bag F1 of the kept text against the article's (± bootstrap deviation).
    pub bag: TokenF1,
    pub shingle4: TokenF1,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Value>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct TokenF1 {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub f1_std: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_derives_rates() {
        let t =
            Throughput { wall_s: vec![2.0, 1.0, 4.0], cpu_s: vec![1.0, 1.0, 1.0], tokens: 100, chars: 500, docs: 10 };
        assert_eq!(t.spread_pct(), Some(150.0));
        assert_eq!(t.per_s(Unit::Tokens), Some(50.0));
        assert_eq!(t.per_cpu_s(Unit::Chars), Some(500.0));
        assert_eq!(Throughput::default().per_cpu_s(Unit::Docs), None);
        assert_eq!(median(&[1.0, 3.0]), Some(2.0));
    }

    #[test]
    fn records_round_trip_through_a_folder() {
        let runs = std::env::temp_dir().join(format!("newsmark-bench-{}", std::process::id()));
        let (dir, m) = (runs.join("2026-01-02T0304"), Measurement::default());
        let settings = Settings { quick: true, slice: Some(2), ..Default::default() };
        let run =
            Run { format: FORMAT, settings, slices: Slices::default(), machine: Machine::default(), run: m.clone() };
        let speed = StageSpeed { stage: "full".into(), speed: Throughput::default() };
        let data = Some(serde_json::to_value(&speed).unwrap());
        let stored = Stored { section: "peer:x".into(), measured: m, errors: vec!["oops".into()], data };
        let records = Records { dir: dir.clone(), run, sections: [("peer:x".into(), stored)].into() };
        records.save().unwrap();
        std::fs::create_dir_all(runs.join("2026-01-01T0000")).unwrap();
        let back = Records::latest(&runs).unwrap();
        assert_eq!((back.dir.as_path(), back.run.settings.slice), (dir.as_path(), Some(2)));
        assert!(dir.join("peer-x.json").exists() && back.sections["peer:x"].errors == ["oops"]);
        assert_eq!(back.data::<StageSpeed>("peer:x"), Some(speed));
        assert_eq!((back.data::<CaseScore>("peer:x"), back.data::<StageSpeed>("absent")), (None, None));
        std::fs::remove_dir_all(&runs).unwrap();
    }
}
