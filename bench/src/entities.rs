//! Beyond strings (issues #28, #29): NER on today's news (`webnews`), entity clusters
//! (`clusters`) and places (`places`), from the pipeline's own entities on raw text, each
//! scored by the shared scorer beside its baseline in the same run.

use std::path::Path;

use newsmark::{Annotator, Gazetteer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::accuracy::{ner_systems, NerSystems};
use crate::native::thread_cpu_s;
use crate::package::gzip_len;
use crate::peers::{json_of, Versions};
use crate::{predict, root, shared, Ctx, Result};

/// Section `webnews`: newsmark, its lite model and spaCy sm on the 22 articles of 2019.
pub fn webnews(ctx: &Ctx, errors: &mut Vec<String>) -> Result<NerSystems> {
    let gold = shared().join("data/webnews/dev.jsonl");
    Ok(ner_systems(ctx, &gold, "webnews", &mut Versions::default(), errors))
}

/// A shared scorer's JSON for newsmark and for the baseline (`--baseline NAME`).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Scored {
    pub newsmark: Value,
    pub baseline: Value,
    pub baseline_is: String,
}

/// `cargo xtask predict WHAT --data GOLD` with and without `--baseline B`, scored by `scorer`.
fn scored(ctx: &Ctx, what: &str, gold: &Path, baseline: &str, scorer: &str) -> Result<Scored> {
    let score = |tag: &str, extra: &[&str]| -> Result<Value> {
        let pred = ctx.work.join(format!("pred/{what}-{tag}.jsonl"));
        let (g, p) = (gold.display().to_string(), pred.display().to_string());
        predict(&[&[what, "--data", &g, "--out", &p][..], extra].concat())?;
        let tool = shared().join("tools").join(scorer);
        json_of(std::process::Command::new("python3").arg(tool).arg(gold).arg(&pred).arg("--json"))
    };
    Ok(Scored {
        newsmark: score("newsmark", &[])?,
        baseline: score(baseline, &["--baseline", baseline])?,
        baseline_is: baseline.to_string(),
    })
}

/// Section `clusters`: CoNLL F1 (MUC, B-cubed, CEAF-e) on OntoNotes dev's name chains.
pub fn clusters(ctx: &Ctx) -> Result<Scored> {
    let gold = shared().join("data/ontonotes/dev-coref.jsonl");
    scored(ctx, "clusters", &gold, "exact", "score_clusters.py")
}

/// Section `places`: GeoWebNews scores, the gazetteer's size and load time, and the time to
/// resolve places as a share of annotating the same texts (native, one thread).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Places {
    pub scores: Scored,
    pub gazetteer_bytes: u64,
    pub gazetteer_gzip_bytes: u64,
    pub load_ms: f64,
    pub annotate_cpu_s: f64,
    pub resolve_cpu_s: f64,
    pub resolve_share: f64,
}

pub fn places(ctx: &Ctx) -> Result<Places> {
    let gold = shared().join("data/geo/geowebnews.jsonl");
    let scores = scored(ctx, "places", &gold, "population", "score_places.py")?;
    let bytes = std::fs::read(root().join("models/places.nmg"))?;
    let t = thread_cpu_s();
    let gazetteer = Gazetteer::from_bytes(&bytes)?;
    let load_ms = (thread_cpu_s() - t) * 1000.0;
    let annotator = Annotator::new();
    let (mut annotate, mut resolve) = (0.0, 0.0);
    for line in std::fs::read_to_string(&gold)?.lines().filter(|l| !l.trim().is_empty()) {
        let doc: Value = serde_json::from_str(line)?;
        let text = doc["text"].as_str().unwrap_or_default();
        let t = thread_cpu_s();
        let annotated = annotator.annotate(text);
        let u = thread_cpu_s();
        std::hint::black_box(gazetteer.resolve(text, &annotated.entities));
        (annotate, resolve) = (annotate + u - t, resolve + thread_cpu_s() - u);
    }
    Ok(Places {
        scores,
        gazetteer_bytes: bytes.len() as u64,
        gazetteer_gzip_bytes: gzip_len(&bytes)?,
        load_ms,
        annotate_cpu_s: annotate,
        resolve_cpu_s: resolve,
        resolve_share: resolve / annotate.max(f64::MIN_POSITIVE),
    })
}
