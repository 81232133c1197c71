//! The peers' installs and runs (a Python virtual environment and an npm
//! folder of the bench's own), and scoring with the shared reference scorers.
//! What the peers' drivers and the scorers print is read into typed structs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::record::{
    BoilerplateScore, Boundaries, CaseScore, EntityScore, LabelScore, SentenceScores, Versions,
};
use crate::util::{root, run, shared, Result};

/// How a peer runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Runtime {
    Python,
    Node,
}

impl Runtime {
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Python => "Python",
            Runtime::Node => "Node",
        }
    }
}

/// What a peer does, for the bench.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Task {
    /// Named entities (and, for spaCy's full pipeline, sentences too).
    Ner,
    Sentences,
    Boilerplate,
}

/// One peer: its id (the section is `peer:ID`), the name the report shows,
/// where it runs and what it does.
#[derive(Clone, Copy, Debug)]
pub struct Peer {
    pub id: &'static str,
    pub name: &'static str,
    pub runtime: Runtime,
    pub task: Task,
}

/// Every peer, in the order the bench runs them and the report lists them.
pub const PEERS: [Peer; 9] = [
    Peer {
        id: "spacy-ner",
        name: "spaCy en_core_web_sm, tok2vec+ner",
        runtime: Runtime::Python,
        task: Task::Ner,
    },
    Peer {
        id: "spacy-full",
        name: "spaCy en_core_web_sm, full pipeline",
        runtime: Runtime::Python,
        task: Task::Ner,
    },
    Peer {
        id: "compromise",
        name: "compromise 14",
        runtime: Runtime::Node,
        task: Task::Ner,
    },
    Peer {
        id: "compromise-dates",
        name: "compromise 14 + compromise-dates",
        runtime: Runtime::Node,
        task: Task::Ner,
    },
    Peer {
        id: "wink",
        name: "winkNLP 2 + wink-eng-lite-web-model",
        runtime: Runtime::Node,
        task: Task::Ner,
    },
    Peer {
        id: "pysbd",
        name: "pySBD",
        runtime: Runtime::Python,
        task: Task::Sentences,
    },
    Peer {
        id: "punkt",
        name: "NLTK Punkt (trained by the bench on OntoNotes train text)",
        runtime: Runtime::Python,
        task: Task::Sentences,
    },
    Peer {
        id: "spacy-sentencizer",
        name: "spaCy sentencizer (rules)",
        runtime: Runtime::Python,
        task: Task::Sentences,
    },
    Peer {
        id: "justext",
        name: "jusText 3 (each line as a <p>)",
        runtime: Runtime::Python,
        task: Task::Boilerplate,
    },
];

/// The name of the sentence row that spaCy's full pipeline gives.
pub const SPACY_PARSER_SENTENCES: &str = "spaCy sm parser (full pipeline)";

/// What jusText reads.
pub const JUSTEXT_INPUT: &str = "lines wrapped as HTML paragraphs";

/// The bench's Python virtual environment (`target/bench-venv`).
pub fn venv() -> PathBuf {
    root().join("target/bench-venv")
}

fn venv_python() -> PathBuf {
    venv().join("bin/python")
}

/// Creates the virtual environment if needed and installs `bench/requirements.txt` into it.
pub fn install_python() -> Result {
    if !venv_python().exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(venv()))?;
    }
    run(Command::new(venv_python())
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(root().join("bench/requirements.txt")))
}

/// Installs the npm folder `bench/` (peers, esbuild, playwright-core).
pub fn install_npm() -> Result {
    let dir = root().join("bench");
    let sub = if dir.join("package-lock.json").exists() {
        "ci"
    } else {
        "install"
    };
    run(Command::new("npm")
        .arg(sub)
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir))
}

/// Runs a command whose standard output ends with one JSON value, and reads it as `T`.
pub fn json_of<T: DeserializeOwned>(cmd: &mut Command) -> Result<T> {
    let shown = format!("{cmd:?}");
    eprintln!("+ {shown}");
    let out = cmd
        .output()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().collect();
        let tail = lines[lines.len().saturating_sub(12)..].join("\n");
        return Err(format!("{shown} failed ({}):\n{tail}", out.status).into());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with(['{', '[']))
        .unwrap_or("");
    serde_json::from_str(last).map_err(|e| {
        format!("{shown}: no JSON result of the expected shape on stdout ({e})").into()
    })
}

/// What `bench/peers.py` and `bench/peers.mjs ner` print for one system.
#[derive(Deserialize, Debug, Default)]
pub struct PeerRun {
    /// Wall-clock seconds per pass.
    #[serde(default)]
    pub runs_s: Vec<f64>,
    /// CPU seconds per pass.
    #[serde(default)]
    pub cpu_s: Vec<f64>,
    #[serde(default)]
    pub versions: Versions,
    /// The labels an NER peer can emit (all 18 if it does not say).
    pub labels: Option<Vec<String>>,
    /// Documents it threw on.
    pub failed_docs: Option<u64>,
}

/// `python bench/peers.py ARGS` in the virtual environment.
pub fn python_peer(args: &[&str]) -> Result<PeerRun> {
    json_of(
        Command::new(venv_python())
            .arg(root().join("bench/peers.py"))
            .args(args)
            .env("OMP_NUM_THREADS", "1")
            .env("OPENBLAS_NUM_THREADS", "1"),
    )
}

/// `node bench/SCRIPT ARGS` from the `bench/` folder.
pub fn node_script<T: DeserializeOwned>(script: &str, args: &[&str]) -> Result<T> {
    json_of(
        Command::new("node")
            .arg(script)
            .args(args)
            .current_dir(root().join("bench")),
    )
}

fn tools() -> PathBuf {
    shared().join("tools")
}

/// A bucket of `score_ner.py --json`: scores, or something else (the count
/// `unknown_ids`).
#[derive(Deserialize)]
#[serde(untagged)]
enum NerBucket {
    Score(Prf),
    Other(serde::de::IgnoredAny),
}

#[derive(Deserialize, Clone, Copy)]
struct Prf {
    p: f64,
    r: f64,
    f1: f64,
    gold: u64,
    pred: u64,
}

/// Entity scores of a prediction file (`score_ner.py GOLD PRED --json`):
/// overall with the news F1, and per label.
pub struct NerScore {
    pub overall: EntityScore,
    pub per_label: BTreeMap<String, LabelScore>,
}

/// Entity scores of a prediction file: `score_ner.py GOLD PRED --json`.
pub fn score_ner(gold: &Path, pred: &Path) -> Result<NerScore> {
    let buckets: BTreeMap<String, NerBucket> = json_of(
        Command::new("python3")
            .arg(tools().join("score_ner.py"))
            .arg(gold)
            .arg(pred)
            .arg("--json"),
    )?;
    let score = |k: &str| match buckets.get(k) {
        Some(NerBucket::Score(s)) => Some(*s),
        _ => None,
    };
    let overall = score("overall").ok_or("score_ner.py gave no overall score")?;
    let per_label = buckets
        .iter()
        .filter_map(|(k, v)| match (k.strip_prefix("label:"), v) {
            (Some(l), NerBucket::Score(s)) => Some((
                l.to_string(),
                LabelScore {
                    f1: s.f1,
                    gold: s.gold,
                    pred: s.pred,
                },
            )),
            _ => None,
        })
        .collect();
    Ok(NerScore {
        overall: EntityScore {
            p: overall.p,
            r: overall.r,
            f1: overall.f1,
            news_f1: score("news").map(|s| s.f1),
        },
        per_label,
    })
}

/// A prediction or gold line with its entities, other fields kept as they are.
#[derive(Deserialize, Serialize)]
struct EntityLine {
    #[serde(default)]
    entities: Vec<(u64, u64, String)>,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

/// Entity scores restricted to `labels` (gold and predictions both filtered),
/// by the same scorer on filtered copies written beside `pred`.
pub fn score_ner_on_labels(gold: &Path, pred: &Path, labels: &[String]) -> Result<NerScore> {
    let filter = |src: &Path, dst: &Path| -> Result {
        let body = std::fs::read_to_string(src)
            .map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        let mut out = String::new();
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: EntityLine = serde_json::from_str(line)?;
            v.entities.retain(|e| labels.contains(&e.2));
            out.push_str(&serde_json::to_string(&v)?);
            out.push('\n');
        }
        std::fs::write(dst, out).map_err(|e| format!("cannot write {}: {e}", dst.display()).into())
    };
    let g = pred.with_extension("covered-gold.jsonl");
    let p = pred.with_extension("covered-pred.jsonl");
    filter(gold, &g)?;
    filter(pred, &p)?;
    score_ner(&g, &p)
}

/// Sentence boundary scores: `score_sentences.py boundaries GOLD PRED --json`.
pub fn score_boundaries(gold: &Path, pred: &Path) -> Result<Boundaries> {
    json_of(
        Command::new("python3")
            .arg(tools().join("score_sentences.py"))
            .arg("boundaries")
            .arg(gold)
            .arg(pred)
            .arg("--json"),
    )
}

/// Rule-case results: `score_sentences.py cases CASES PRED --json`.
fn score_cases(cases: &Path, pred: &Path) -> Result<CaseScore> {
    json_of(
        Command::new("python3")
            .arg(tools().join("score_sentences.py"))
            .arg("cases")
            .arg(cases)
            .arg(pred)
            .arg("--json"),
    )
}

/// `score_boilerplate.py --json FILE`: scores by group (`all`), then by system.
#[derive(Deserialize)]
struct BoilerplateFile {
    all: BTreeMap<String, BoilerplateScore>,
}

fn run_boilerplate_scorer(args: &[&str], pages: &Path, out: &Path) -> Result<BoilerplateFile> {
    run(Command::new("python3")
        .arg(tools().join("score_boilerplate.py"))
        .args(args)
        .arg("--data")
        .arg(pages)
        .args(["--bootstrap", "200", "--json"])
        .arg(out)
        .stdout(std::process::Stdio::null()))?;
    let body = std::fs::read_to_string(out)?;
    serde_json::from_str(&body).map_err(|e| format!("{}: {e}", out.display()).into())
}

/// Token F1 of kept lines: `score_boilerplate.py lines --data PAGES PRED`,
/// the scorer's figures for this prediction file.
pub fn score_boilerplate(pages: &Path, pred: &Path) -> Result<BoilerplateScore> {
    let out = pred.with_extension("score.json");
    let mut file = run_boilerplate_scorer(&["lines", &pred.display().to_string()], pages, &out)?;
    let stem = pred
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    file.all
        .remove(stem)
        .ok_or_else(|| format!("{}: no scores for {stem}", out.display()).into())
}

/// The scorer's own plain-text baselines (keep all lines, lines of 10+ words, ...).
pub fn boilerplate_baselines(
    pages: &Path,
    out: &Path,
) -> Result<BTreeMap<String, BoilerplateScore>> {
    Ok(run_boilerplate_scorer(&["baselines"], pages, out)?.all)
}

/// The sentence rule-case files of `../shared/data/sbd/`: (name, path).
pub fn case_files() -> Vec<(&'static str, PathBuf)> {
    let sbd = shared().join("data/sbd");
    vec![
        ("golden_rules", sbd.join("golden_rules_en.jsonl")),
        (
            "golden_rules_extra",
            sbd.join("golden_rules_en_extra.jsonl"),
        ),
        ("news_cases", sbd.join("news_cases_en.jsonl")),
    ]
}

/// Pass counts for each case file, given a function that writes the
/// prediction file for one input.
pub fn score_all_cases(
    dir: &Path,
    system: &str,
    predict: &dyn Fn(&Path, &Path) -> Result,
) -> Result<BTreeMap<String, CaseScore>> {
    let mut out = BTreeMap::new();
    for (name, path) in case_files() {
        let pred = dir.join(format!("{system}.{name}.jsonl"));
        predict(&path, &pred)?;
        out.insert(name.to_string(), score_cases(&path, &pred)?);
    }
    Ok(out)
}

/// Boundary scores on the slice plus the rule cases.
pub fn sentence_scores(
    slice: &Path,
    pred: &Path,
    dir: &Path,
    system: &str,
    predict: &dyn Fn(&Path, &Path) -> Result,
) -> Result<SentenceScores> {
    Ok(SentenceScores {
        boundaries: score_boundaries(slice, pred)?,
        cases: score_all_cases(dir, system, predict)?,
    })
}
