//! Scoring, in one place for `cargo xtask` and the tests:
//!
//! - [`Scorer`]: entities exactly as `../shared/tools/score_ner.py` scores
//!   them: exact (start, end, label) matches, micro P/R/F1 overall, over the
//!   news genres (nw, bn, mz), per label and per genre, rounded to 4 decimals.
//! - [`prf`]: precision, recall and F1 from counts (unrounded).
//! - [`score_tagger`]: a tagger on a corpus' gold tokens.
//! - [`rule_cases`]: sentence-boundary rule cases (the Golden Rules and the
//!   news cases), as `../shared/tools/score_sentences.py` scores them.

use std::collections::{BTreeMap, BTreeSet};

use crate::corpus::{to_eval, Doc, RuleCase};
use newsmark::internals::Tagger;

/// An entity as the evaluation files write it: code-point offsets and label.
pub type EvalEntity = (usize, usize, String);

/// Counts of one bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Entities both predicted and gold.
    pub tp: usize,
    /// Predicted entities.
    pub pred: usize,
    /// Gold entities.
    pub gold: usize,
}

impl Counts {
    /// Precision, recall and F1, each rounded to 4 decimals as the scorer does.
    pub fn prf(&self) -> (f64, f64, f64) {
        let (p, r, f) = prf(self.tp, self.pred, self.gold);
        (round4(p), round4(r), round4(f))
    }
}

/// Precision, recall and F1 (in `[0, 1]`, unrounded) of `tp` right answers
/// among `pred` predicted and `gold` expected ones; 0 where undefined.
pub fn prf(tp: usize, pred: usize, gold: usize) -> (f64, f64, f64) {
    let p = if pred > 0 {
        tp as f64 / pred as f64
    } else {
        0.0
    };
    let r = if gold > 0 {
        tp as f64 / gold as f64
    } else {
        0.0
    };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

/// Python's `round(x, 4)`: correctly rounded decimal, ties to even.
fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

/// Accumulates counts over documents.
#[derive(Clone, Debug, Default)]
pub struct Scorer {
    buckets: BTreeMap<String, Counts>,
}

impl Scorer {
    /// An empty scorer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one document's gold and predicted entities (duplicates count once).
    pub fn add(&mut self, genre: &str, gold: &[EvalEntity], pred: &[EvalEntity]) {
        let g: BTreeSet<&EvalEntity> = gold.iter().collect();
        let p: BTreeSet<&EvalEntity> = pred.iter().collect();
        let news = matches!(genre, "nw" | "bn" | "mz");
        let mut bump = |label: &str, f: &dyn Fn(&mut Counts)| {
            let mut keys = vec![
                "overall".to_string(),
                format!("label:{label}"),
                format!("genre:{genre}"),
            ];
            if news {
                keys.push("news".to_string());
            }
            for k in keys {
                f(self.buckets.entry(k).or_default());
            }
        };
        for e in &g {
            bump(&e.2, &|c| c.gold += 1);
        }
        for e in &p {
            bump(&e.2, &|c| c.pred += 1);
            if g.contains(e) {
                bump(&e.2, &|c| c.tp += 1);
            }
        }
    }

    /// The counts of a bucket (`"overall"`, `"news"`, `"label:ORG"`, `"genre:nw"`).
    pub fn counts(&self, bucket: &str) -> Counts {
        self.buckets.get(bucket).copied().unwrap_or_default()
    }

    /// Overall F1 (rounded to 4 decimals, in `[0, 1]`).
    pub fn f1(&self) -> f64 {
        self.counts("overall").prf().2
    }

    /// The report, line for line as `score_ner.py` prints it.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let mut order: Vec<&str> = vec!["overall", "news"];
        order.extend(
            self.buckets
                .keys()
                .map(String::as_str)
                .filter(|b| *b != "overall" && *b != "news"),
        );
        for b in order {
            let c = if b == "overall" {
                self.counts(b)
            } else if let Some(c) = self.buckets.get(b) {
                *c
            } else {
                continue;
            };
            let (p, r, f) = c.prf();
            out.push_str(&format!(
                "{:22} P {:6.2}  R {:6.2}  F1 {:6.2}  (gold {}, pred {})\n",
                b,
                p * 100.0,
                r * 100.0,
                f * 100.0,
                c.gold,
                c.pred
            ));
        }
        out
    }
}

/// Scores `tagger` on `docs` with their gold tokens and sentences.
pub fn score_tagger(tagger: &Tagger, docs: &[Doc]) -> Scorer {
    let mut scorer = Scorer::new();
    for doc in docs {
        let pred = to_eval(
            &doc.text,
            &tagger.tag(&doc.text, &doc.tokens, &doc.sentences),
        );
        scorer.add(&doc.genre, &doc.gold, &pred);
    }
    scorer
}

/// The outcome of one sentence-boundary rule case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleOutcome {
    /// The case's `id`, as written in the file (a number or a string).
    pub id: String,
    /// The case's `name`.
    pub name: String,
    /// The expected sentences, trimmed, empty ones left out.
    pub expected: Vec<String>,
    /// newsmark's sentences, trimmed, empty ones left out.
    pub got: Vec<String>,
}

impl RuleOutcome {
    /// True if newsmark found exactly the expected sentences.
    pub fn passed(&self) -> bool {
        self.expected == self.got
    }
}

/// Runs newsmark's sentence splitter (as [`newsmark::segment`] runs it) on
/// each rule case and compares the trimmed, non-empty sentences, as
/// `score_sentences.py` does.
pub fn rule_cases(cases: &[RuleCase]) -> Vec<RuleOutcome> {
    let clean = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    cases
        .iter()
        .map(|case| RuleOutcome {
            id: case.id.clone(),
            name: case.name.clone(),
            expected: case.expected.iter().filter_map(|s| clean(s)).collect(),
            got: newsmark::segment(&case.text)
                .sentences
                .iter()
                .filter_map(|s| clean(s.slice(&case.text)))
                .collect(),
        })
        .collect()
}
