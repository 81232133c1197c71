//! Section `accurate` (issue #29): the opt-in accurate model (a transformer,
//! `models/ontonotes-accurate.nmm`) beside the default one: its download, its
//! F1 on the OntoNotes slice and on today's news, and its native speed against
//! the default model's on the same documents in the same run.

use serde::{Deserialize, Serialize};

use crate::accuracy::{ner_accuracy, newsmark_ner, part, NerAccuracy};
use crate::native::{annotator, thread_cpu_s, time_runs, Corpus, Doc};
use crate::package::gzip_len;
use crate::record::{Score, Throughput};
use crate::{root, shared, Ctx, Result};

pub const ACCURATE_MODEL: &str = "models/ontonotes-accurate.nmm";

/// Gold tokens of the OntoNotes documents both models are timed on (the
/// first documents of the slice up to this many; the accurate model reads
/// about a thousand tokens per CPU-second).
const SPEED_TOKENS: usize = 20_000;

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Accurate {
    pub bytes: u64,
    pub gzip_bytes: u64,
    /// CPU time to load the model (`Annotator::from_bytes`).
    pub load_ms: f64,
    /// On the OntoNotes slice (raw text and gold tokens).
    pub ner: Option<NerAccuracy>,
    /// webnews dev, raw text.
    pub webnews: Option<Score>,
    /// The full pipeline natively, one thread: the accurate model, then the default one.
    pub speed: Throughput,
    pub default_speed: Throughput,
}

impl Accurate {
    /// The accurate model's tokens per CPU-second ÷ the default model's.
    pub fn speed_ratio(&self) -> Option<f64> {
        use crate::record::Unit::Tokens;
        Some(self.speed.per_cpu_s(Tokens)? / self.default_speed.per_cpu_s(Tokens)?)
    }
}

pub fn accurate(ctx: &Ctx, errors: &mut Vec<String>) -> Result<Accurate> {
    let path = root().join(ACCURATE_MODEL);
    let model = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let t = thread_cpu_s();
    let a = newsmark::Annotator::from_bytes(&model)?;
    let load_ms = (thread_cpu_s() - t) * 1000.0;
    let ner = part(errors, "accurate, OntoNotes", ner_accuracy(ctx, "accurate", Some(ACCURATE_MODEL)));
    let gold = shared().join("data/webnews/dev.jsonl");
    let webnews = newsmark_ner(ctx, &gold, "accurate-ner-webnews", Some(ACCURATE_MODEL), &[]).map(|s| s.overall);
    let webnews = part(errors, "accurate, webnews", webnews);
    // The same documents for both models, one pass each after one document's warm-up.
    let mut docs = Vec::new();
    let mut tokens = 0;
    for d in &ctx.corpus.docs {
        if tokens >= SPEED_TOKENS {
            break;
        }
        tokens += d.tokens;
        docs.push(Doc { text: d.text.clone(), tokens: d.tokens });
    }
    let corpus = Corpus { docs, lines: Vec::new() };
    let default = annotator()?;
    let time = |a: &newsmark::Annotator| {
        eprintln!("  accurate: {} documents, {} tokens", corpus.docs.len(), corpus.tokens());
        std::hint::black_box(corpus.docs.first().map(|d| a.annotate(&d.text).entities.len()));
        let (wall, cpu) = time_runs(1, || {
            std::hint::black_box(corpus.docs.iter().map(|d| a.annotate(&d.text).entities.len()).sum::<usize>());
        });
        corpus.throughput(wall, cpu)
    };
    let speed = time(&a);
    let default_speed = time(&default);
    Ok(Accurate {
        bytes: model.len() as u64,
        gzip_bytes: gzip_len(&model)?,
        load_ms,
        ner,
        webnews,
        speed,
        default_speed,
    })
}
