//! Entity scoring exactly as `../shared/tools/score_ner.py` does it:
//! exact (start, end, label) matches, micro P/R/F1 overall, over the news
//! genres (nw, bn, mz), per label and per genre, rounded to 4 decimals.

use std::collections::{BTreeMap, BTreeSet};

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
        let p = if self.pred > 0 {
            self.tp as f64 / self.pred as f64
        } else {
            0.0
        };
        let r = if self.gold > 0 {
            self.tp as f64 / self.gold as f64
        } else {
            0.0
        };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (round4(p), round4(r), round4(f))
    }
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
