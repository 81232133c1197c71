//! The peers' installs and runs (a Python virtual environment and an npm
//! folder of the bench's own), and scoring with the shared reference scorers.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::util::{root, run, shared, Result};

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

/// Runs a command whose standard output is one JSON object, and parses it.
pub fn json_of(cmd: &mut Command) -> Result<Value> {
    let shown = format!("{cmd:?}");
    eprintln!("+ {shown}");
    let out = cmd
        .output()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: String = err
            .lines()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        return Err(format!("{shown} failed ({}):\n{tail}", out.status).into());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with(['{', '[']))
        .unwrap_or("");
    serde_json::from_str(last)
        .map_err(|e| format!("{shown}: no JSON result on stdout ({e})").into())
}

/// `python bench/peers.py ARGS` in the virtual environment.
pub fn python_peer(args: &[&str]) -> Result<Value> {
    json_of(
        Command::new(venv_python())
            .arg(root().join("bench/peers.py"))
            .args(args)
            .env("OMP_NUM_THREADS", "1")
            .env("OPENBLAS_NUM_THREADS", "1"),
    )
}

/// `node bench/SCRIPT ARGS` from the `bench/` folder.
pub fn node_script(script: &str, args: &[&str]) -> Result<Value> {
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

/// Entity scores of a prediction file: `score_ner.py GOLD PRED --json`.
pub fn score_ner(gold: &Path, pred: &Path) -> Result<Value> {
    json_of(
        Command::new("python3")
            .arg(tools().join("score_ner.py"))
            .arg(gold)
            .arg(pred)
            .arg("--json"),
    )
}

/// Entity scores restricted to `labels` (gold and predictions both filtered),
/// by the same scorer on filtered copies written beside `pred`.
pub fn score_ner_on_labels(gold: &Path, pred: &Path, labels: &[String]) -> Result<Value> {
    let keep = |v: &mut Value| {
        if let Some(es) = v["entities"].as_array_mut() {
            es.retain(|e| e[2].as_str().is_some_and(|l| labels.iter().any(|x| x == l)));
        }
    };
    let filter = |src: &Path, dst: &Path| -> Result {
        let body = std::fs::read_to_string(src)
            .map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        let mut out = String::new();
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: Value = serde_json::from_str(line)?;
            keep(&mut v);
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
pub fn score_boundaries(gold: &Path, pred: &Path) -> Result<Value> {
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
pub fn score_cases(cases: &Path, pred: &Path) -> Result<Value> {
    json_of(
        Command::new("python3")
            .arg(tools().join("score_sentences.py"))
            .arg("cases")
            .arg(cases)
            .arg(pred)
            .arg("--json"),
    )
}

/// Token F1 of kept lines: `score_boilerplate.py lines --data PAGES PRED --json OUT`,
/// returning the scorer's figures for this prediction file.
pub fn score_boilerplate(pages: &Path, pred: &Path) -> Result<Value> {
    let out = pred.with_extension("score.json");
    run(Command::new("python3")
        .arg(tools().join("score_boilerplate.py"))
        .arg("lines")
        .arg("--data")
        .arg(pages)
        .arg(pred)
        .arg("--bootstrap")
        .arg("200")
        .arg("--json")
        .arg(&out)
        .stdout(std::process::Stdio::null()))?;
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    let stem = pred
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    Ok(v["all"][stem].clone())
}

/// The scorer's own plain-text baselines (keep all lines, lines of 10+ words).
pub fn boilerplate_baselines(pages: &Path, out: &Path) -> Result<Value> {
    run(Command::new("python3")
        .arg(tools().join("score_boilerplate.py"))
        .arg("baselines")
        .arg("--data")
        .arg(pages)
        .arg("--bootstrap")
        .arg("200")
        .arg("--json")
        .arg(out)
        .stdout(std::process::Stdio::null()))?;
    let v: Value = serde_json::from_str(&std::fs::read_to_string(out)?)?;
    Ok(v["all"].clone())
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

/// `{name: {passed, total}}` for each case file, given a function that writes
/// the prediction file for one input.
pub fn score_all_cases(
    dir: &Path,
    system: &str,
    predict: &dyn Fn(&Path, &Path) -> Result,
) -> Result<Value> {
    let mut out = serde_json::Map::new();
    for (name, path) in case_files() {
        let pred = dir.join(format!("{system}.{name}.jsonl"));
        predict(&path, &pred)?;
        let s = score_cases(&path, &pred)?;
        out.insert(
            name.to_string(),
            json!({"passed": s["passed"], "total": s["total"]}),
        );
    }
    Ok(Value::Object(out))
}
