//! `predict clusters`: entity clusters in the format of
//! `../shared/tools/score_clusters.py`, from the pipeline's own entities on
//! the raw text.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use newsmark::{Document, OffsetMap, Unit};
use newsmark_train::corpus::read_corpus;

use super::util::{self, Result};

/// The flags of `predict clusters`.
#[derive(Args, Debug)]
pub struct ClusterArgs {
    /// Corpus file (default ../shared/data/ontonotes/dev-coref.jsonl).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Where to write the predictions.
    #[arg(long, value_name = "PRED.jsonl")]
    pub out: PathBuf,
    /// The model (default: the embedded one).
    #[arg(long, value_name = "FILE.nmm")]
    pub model: Option<PathBuf>,
    /// Group the entities by a baseline instead of `Document::clusters`.
    #[arg(long, value_enum)]
    pub baseline: Option<Baseline>,
}

/// The baselines of `--baseline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Baseline {
    /// The same lower-cased text and the same label.
    Exact,
}

/// `cargo xtask predict clusters [--data FILE] [--model FILE.nmm]
/// [--baseline exact] --out PRED.jsonl`: annotates each document's raw
/// text and writes `{"id", "clusters": [[[start, end], ...], ...]}`, code
/// points, every cluster (the scorer drops those of one mention).
pub fn predict(args: &ClusterArgs) -> Result {
    let data = args
        .data
        .clone()
        .unwrap_or_else(|| util::shared().join("data/ontonotes/dev-coref.jsonl"));
    let docs = read_corpus(&data, None)?;
    let annotator = util::annotator(args.model.as_deref())?;
    let mut f = std::io::BufWriter::new(
        fs::File::create(&args.out)
            .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?,
    );
    let (mut entities, mut clusters) = (0, 0);
    let mut grouping = Duration::ZERO;
    for doc in &docs {
        let annotated = annotator.annotate(&doc.text);
        let t0 = Instant::now();
        let groups = match args.baseline {
            None => annotated
                .clusters(&doc.text)
                .into_iter()
                .map(|c| c.mentions)
                .collect(),
            Some(Baseline::Exact) => exact(&doc.text, &annotated),
        };
        grouping += t0.elapsed();
        let map = OffsetMap::new(&doc.text, Unit::CodePoint);
        let out: Vec<Vec<(usize, usize)>> = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|&i| map.convert_span(annotated.entities[i].span))
                    .collect()
            })
            .collect();
        entities += annotated.entities.len();
        clusters += out.len();
        writeln!(f, "{}", serde_json::json!({"id": doc.id, "clusters": out}))?;
    }
    f.flush()?;
    eprintln!(
        "wrote {} ({} documents, {entities} entities in {clusters} clusters{}; grouping took {:.1} ms)",
        args.out.display(),
        docs.len(),
        match args.baseline {
            Some(Baseline::Exact) => ", baseline: exact string and label",
            None => "",
        },
        grouping.as_secs_f64() * 1e3
    );
    Ok(())
}

/// The baseline: entities with the same lower-cased text and label, in
/// order of first mention.
fn exact(text: &str, doc: &Document) -> Vec<Vec<usize>> {
    let mut index: HashMap<(String, &str), usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, e) in doc.entities.iter().enumerate() {
        let key = (e.span.slice(text).to_lowercase(), e.label);
        let g = *index.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsmark::{Entity, Span};

    #[test]
    fn the_baseline_groups_the_same_lower_cased_text_and_label() {
        let text = "Tallis hired. TALLIS grew. The Tallis sold. Tallis Motors won.";
        let at = |name: &str, nth: usize, label: &'static str| {
            let start = text.match_indices(name).nth(nth).unwrap().0;
            Entity {
                span: Span::new(start, start + name.len()),
                label,
                score: 1.0,
            }
        };
        let doc = Document {
            entities: vec![
                at("Tallis", 0, "ORG"),
                at("TALLIS", 0, "ORG"),
                at("Tallis", 1, "PRODUCT"),
                at("Tallis Motors", 0, "ORG"),
            ],
            ..Document::default()
        };
        assert_eq!(exact(text, &doc), [vec![0, 1], vec![2], vec![3]]);
    }
}
