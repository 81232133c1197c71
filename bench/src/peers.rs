//! The peers (sections `peer:ID`, `peer-bundles`) and the shared scorers
//! (`../shared/tools/score_*.py`), their JSON read into typed structs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::record::{BoilerplateScore, CaseScore, Score, SentenceScores};
use crate::record::{Boundaries, Throughput};
use crate::{root, run, shared, Ctx, Result};

/// Where a peer runs (its `Debug` name is the report's).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Runtime {
    Python,
    Node,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Task {
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

const fn new(id: &'static str, name: &'static str, runtime: Runtime, task: Task) -> Peer {
    Peer { id, name, runtime, task }
}

use Runtime::{Node, Python};
use Task::{Boilerplate, Ner, Sentences};

/// Every peer, in the order the bench runs them and the report lists them.
pub const PEERS: [Peer; 9] = [
    new("spacy-ner", "spaCy en_core_web_sm, tok2vec+ner", Python, Ner),
    new("spacy-full", "spaCy en_core_web_sm, full pipeline", Python, Ner),
    new("compromise", "compromise 14", Node, Ner),
    new("compromise-dates", "compromise 14 + compromise-dates", Node, Ner),
    new("wink", "winkNLP 2 + wink-eng-lite-web-model", Node, Ner),
    new("pysbd", "pySBD", Python, Sentences),
    new("punkt", "NLTK Punkt (trained by the bench on OntoNotes train text)", Python, Sentences),
    new("spacy-sentencizer", "spaCy sentencizer (rules)", Python, Sentences),
    new("justext", "jusText 3 (each line as a <p>)", Python, Boilerplate),
];

fn venv_python() -> PathBuf {
    root().join("target/bench-venv/bin/python")
}

/// The virtual environment `target/bench-venv` with `bench/requirements.txt`.
pub fn install_python() -> Result {
    if !venv_python().exists() {
        let venv = root().join("target/bench-venv");
        run(Command::new("python3").args(["-m", "venv"]).arg(venv))?;
    }
    let pip = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"];
    let requirements = root().join("bench/requirements.txt");
    run(Command::new(venv_python()).args(pip).arg(requirements))
}

/// The npm folder `bench/` (peers, esbuild, playwright-core).
pub fn install_npm() -> Result {
    let dir = root().join("bench");
    let ci = dir.join("package-lock.json").exists();
    let args = [if ci { "ci" } else { "install" }, "--no-audit", "--no-fund", "--loglevel=error"];
    run(Command::new("npm").args(args).current_dir(dir))
}

/// Runs a command whose standard output ends with one JSON value, read as `T`.
pub fn json_of<T: DeserializeOwned>(cmd: &mut Command) -> Result<T> {
    let shown = format!("{cmd:?}");
    eprintln!("+ {shown}");
    let out = cmd.output().map_err(|e| format!("could not start {shown}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail = err.lines().skip(err.lines().count().saturating_sub(12)).collect::<Vec<_>>().join("\n");
        return Err(format!("{shown} failed ({}):\n{tail}", out.status).into());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = |l: &&str| l.trim_start().starts_with(['{', '[']);
    let last = stdout.lines().rev().find(json).unwrap_or("");
    serde_json::from_str(last).map_err(|e| format!("{shown}: no JSON result of the expected shape ({e})").into())
}

/// What `bench/peers.py` and `bench/peers.mjs ner` print for one system.
#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct PeerRun {
    pub runs_s: Vec<f64>,
    pub cpu_s: Vec<f64>,
    pub versions: Versions,
    pub labels: Option<Vec<String>>,
    pub failed_docs: Option<u64>,
}

pub type Versions = BTreeMap<String, Option<String>>;

/// `python bench/peers.py ARGS` in the virtual environment, one thread.
pub fn python_peer(args: &[&str]) -> Result<PeerRun> {
    let mut cmd = Command::new(venv_python());
    cmd.arg(root().join("bench/peers.py")).args(args);
    json_of(cmd.env("OMP_NUM_THREADS", "1").env("OPENBLAS_NUM_THREADS", "1"))
}

pub fn node_script<T: DeserializeOwned>(script: &str, args: &[&str]) -> Result<T> {
    let mut cmd = Command::new("node");
    json_of(cmd.arg(script).args(args).current_dir(root().join("bench")))
}

fn scorer(name: &str, args: &[&Path]) -> Command {
    let mut cmd = Command::new("python3");
    cmd.arg(shared().join("tools").join(name)).args(args);
    cmd
}

/// `score_ner.py GOLD PRED --json`: overall (with news) and per label.
pub struct NerScore {
    pub overall: Score,
    pub per_label: BTreeMap<String, Score>,
}

pub fn score_ner(gold: &Path, pred: &Path) -> Result<NerScore> {
    // Scores by bucket (`overall`, `news`, `label:X`, ...), other keys ignored.
    let buckets: BTreeMap<String, Value> = json_of(scorer("score_ner.py", &[gold, pred]).arg("--json"))?;
    let get = |k: &str| serde_json::from_value::<Score>(buckets.get(k)?.clone()).ok();
    let all = buckets.get("overall").cloned().ok_or("score_ner.py gave no overall score")?;
    let mut overall: Score = serde_json::from_value(all)?;
    overall.news_f1 = get("news").map(|s| s.f1);
    let labels = buckets.keys().filter_map(|k| Some((k.strip_prefix("label:")?, get(k)?)));
    let per_label = labels.map(|(l, s)| (l.to_string(), s)).collect();
    Ok(NerScore { overall, per_label })
}

/// Entity F1 with gold and predictions restricted to `labels` (copies written beside `pred`).
pub fn covered_f1(gold: &Path, pred: &Path, labels: &[String]) -> Result<f64> {
    let filter = |src: &Path, dst: &Path| -> Result {
        let mut out = String::new();
        for line in std::fs::read_to_string(src)?.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: serde_json::Map<String, Value> = serde_json::from_str(line)?;
            if let Some(Value::Array(es)) = v.get_mut("entities") {
                es.retain(|e| labels.iter().any(|l| e[2] == l.as_str()));
            }
            out += &(serde_json::to_string(&v)? + "\n");
        }
        Ok(std::fs::write(dst, out)?)
    };
    let g = pred.with_extension("covered-gold.jsonl");
    let p = pred.with_extension("covered-pred.jsonl");
    filter(gold, &g)?;
    filter(pred, &p)?;
    Ok(score_ner(&g, &p)?.overall.f1)
}

/// Boundary scores on the slice and pass counts on `../shared/data/sbd/` (`score_sentences.py`).
pub fn sentence_scores(
    ctx: &Ctx,
    pred: &Path,
    system: &str,
    predict: &dyn Fn(&Path, &Path) -> Result,
) -> Result<SentenceScores> {
    let score = |mode: &str, gold: &Path, pred: &Path| {
        let mut cmd = Command::new("python3");
        let tool = shared().join("tools/score_sentences.py");
        json_of::<Value>(cmd.arg(tool).arg(mode).arg(gold).arg(pred).arg("--json"))
    };
    let boundaries: Boundaries = serde_json::from_value(score("boundaries", &ctx.slice, pred)?)?;
    let mut cases = BTreeMap::new();
    for (name, file) in [
        ("golden_rules", "golden_rules_en"),
        ("golden_rules_extra", "golden_rules_en_extra"),
        ("news_cases", "news_cases_en"),
    ] {
        let path = shared().join(format!("data/sbd/{file}.jsonl"));
        let out = ctx.work.join(format!("pred/{system}.{name}.jsonl"));
        predict(&path, &out)?;
        let score: CaseScore = serde_json::from_value(score("cases", &path, &out)?)?;
        cases.insert(name.to_string(), score);
    }
    Ok(SentenceScores { boundaries, cases })
}

/// `score_boilerplate.py MODE ARGS --data PAGES --json OUT`: scores by system.
pub fn score_boilerplate(args: &[&str], pages: &Path, out: &Path) -> Result<BTreeMap<String, BoilerplateScore>> {
    #[derive(Deserialize)]
    struct File {
        all: BTreeMap<String, BoilerplateScore>,
    }
    let mut cmd = scorer("score_boilerplate.py", &[]);
    cmd.args(args).arg("--data").arg(pages);
    cmd.args(["--bootstrap", "200", "--json"]).arg(out);
    run(cmd.stdout(std::process::Stdio::null()))?;
    Ok(serde_json::from_str::<File>(&std::fs::read_to_string(out)?)?.all)
}

pub fn score_boilerplate_file(pages: &Path, pred: &Path) -> Result<BoilerplateScore> {
    let stem = pred.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let (p, out) = (pred.display().to_string(), pred.with_extension("score.json"));
    let mut all = score_boilerplate(&["lines", &p], pages, &out)?;
    all.remove(stem).ok_or_else(|| format!("no boilerplate scores for {stem}").into())
}

/// Section `peer:ID` of an NER peer: F1 on all 18 labels and on those it emits (`covered_f1`).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct NerPeer {
    pub id: String,
    pub name: String,
    pub runtime: String,
    pub versions: Versions,
    pub labels: Vec<String>,
    pub f1: f64,
    pub news_f1: Option<f64>,
    pub covered_f1: f64,
    pub speed: Throughput,
    pub failed_docs: Option<u64>,
    /// Its sentences, where its pipeline splits them (spaCy's parser).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentences: Option<PeerSentences>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct PeerSentences {
    pub name: String,
    pub scores: SentenceScores,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct SentencePeer {
    pub id: String,
    pub name: String,
    pub versions: Versions,
    pub scores: SentenceScores,
    pub speed: Throughput,
}

/// Section `peer:ID` of a boilerplate remover; `input`: what it reads.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct BoilerplatePeer {
    pub id: String,
    pub name: String,
    pub input: String,
    pub versions: Versions,
    pub score: BoilerplateScore,
    pub speed: Throughput,
}

/// Section `peer-bundles`: each JS peer bundled by esbuild for the browser.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct PeerBundles {
    pub bundles: Vec<Bundle>,
    pub esbuild: String,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Bundle {
    pub name: String,
    pub minified: u64,
    pub gzip: u64,
    pub brotli: u64,
}

pub fn bundles(ctx: &Ctx) -> Result<PeerBundles> {
    ctx.peers_ready()?;
    node_script("peers.mjs", &["bundles"])
}

/// Section `peer:ID`: predictions on the slice (or the pages), scored and timed.
pub fn peer(ctx: &Ctx, p: Peer) -> Result<Value> {
    ctx.peers_ready()?;
    let pred = |what: &str| ctx.work.join(format!("pred/{}-{what}.jsonl", p.id));
    let (slice, runs) = (ctx.slice.display().to_string(), ctx.settings.peer_runs.to_string());
    let (id, name) = (p.id.to_string(), p.name.to_string());
    match p.task {
        Task::Ner => {
            let (out, sents) = (pred("ner"), pred("sentences"));
            let (o, s) = (out.display().to_string(), sents.display().to_string());
            let args = ["ner", "--system", p.id, "--data", &slice, "--out", &o, "--runs", &runs];
            let full = p.id == "spacy-full";
            let run = match p.runtime {
                Runtime::Node => node_script("peers.mjs", &args)?,
                _ if full => python_peer(&[&args[..], &["--sentences-out", &s]].concat())?,
                _ => python_peer(&args)?,
            };
            let score = score_ner(&ctx.slice, &out)?.overall;
            let all = || newsmark::internals::ONTONOTES.iter().map(|s| s.to_string()).collect();
            let labels: Vec<String> = run.labels.unwrap_or_else(all);
            let predict = |d: &Path, o: &Path| -> Result {
                let e = o.with_extension("entities.jsonl").display().to_string();
                let (d, o) = (d.display().to_string(), o.display().to_string());
                let a = ["ner", "--system", p.id, "--data", &d, "--out", &e, "--runs", "1"];
                python_peer(&[&a[..], &["--sentences-out", &o]].concat()).map(|_| ())
            };
            let sentences = match full {
                true => Some(sentence_scores(ctx, &sents, "spacy-parser", &predict)?),
                false => None,
            };
            let name_s = "spaCy sm parser (full pipeline)".to_string();
            Ok(serde_json::to_value(NerPeer {
                runtime: format!("{:?}", p.runtime),
                covered_f1: covered_f1(&ctx.slice, &out, &labels)?,
                versions: run.versions,
                labels,
                f1: score.f1,
                news_f1: score.news_f1,
                speed: ctx.corpus.throughput(run.runs_s, run.cpu_s),
                failed_docs: run.failed_docs,
                sentences: sentences.map(|scores| PeerSentences { name: name_s, scores }),
                id,
                name,
            })?)
        }
        Task::Sentences => {
            // Punkt is trained once, unsupervised, on OntoNotes train's raw text.
            let punkt = ctx.work.join("punkt-ontonotes-train.pickle");
            let params = punkt.display().to_string();
            if p.id == "punkt" && !punkt.exists() {
                let train = shared().join("data/ontonotes/train.jsonl").display().to_string();
                python_peer(&["punkt-train", "--data", &train, "--out", &params])?;
            }
            let predict = |d: &Path, o: &Path, runs: &str| {
                let (d, o) = (d.display().to_string(), o.display().to_string());
                let a = ["sentences", "--system", p.id, "--data", &d, "--out", &o, "--runs", runs];
                python_peer(&[&a[..], &["--punkt-params", &params]].concat())
            };
            let out = pred("sentences");
            let run = predict(&ctx.slice, &out, &runs)?;
            let scores = sentence_scores(ctx, &out, p.id, &|d, o| predict(d, o, "1").map(|_| ()))?;
            let speed = ctx.corpus.throughput(run.runs_s, run.cpu_s);
            let versions = run.versions;
            Ok(serde_json::to_value(SentencePeer { id, name, versions, scores, speed })?)
        }
        Task::Boilerplate => {
            let (out, pages) = (pred("boilerplate"), ctx.page_slice.display().to_string());
            let o = out.display().to_string();
            let args = ["boilerplate", "--system", p.id, "--data", &pages, "--out", &o, "--runs", &runs];
            let run = python_peer(&args)?;
            let mut speed = ctx.pages.throughput(run.runs_s, run.cpu_s);
            speed.tokens = 0;
            let score = score_boilerplate_file(&ctx.page_slice, &out)?;
            let input = "lines wrapped as HTML paragraphs".into();
            let versions = run.versions;
            Ok(serde_json::to_value(BoilerplatePeer { id, name, input, versions, score, speed })?)
        }
    }
}
