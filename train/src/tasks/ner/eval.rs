//! NER scores on a corpus file (`eval`) and prediction files in the
//! scorer's format (`predict ner`).

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use newsmark::internals::{Tagger, DEFAULT_MODEL};
use newsmark::Annotator;
use newsmark_train::corpus::{read_corpus, to_eval, CaseChange, Doc};
use newsmark_train::score::{EvalEntity, Scorer};

use super::super::util::{self, cpu_seconds, Result};

/// The flags of `eval ner` and `predict ner`.
#[derive(Args, Debug)]
pub struct NerArgs {
    /// Corpus file; `eval` takes several (default: OntoNotes dev, then the
    /// webnews dev set of today's news, ../shared/data/{ontonotes,webnews}/dev.jsonl).
    #[arg(long, value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Tag the corpus' tokens and sentences instead of the raw text.
    #[arg(long)]
    pub gold_tokens: bool,
    /// The model (default: the embedded one).
    #[arg(long, value_name = "FILE.nmm")]
    pub model: Option<PathBuf>,
    /// Turn document-level label consistency on.
    #[arg(long)]
    pub consistency: bool,
    /// Keep the model's label for a surname alone that the text also gives
    /// in a person's full name (by default it becomes the person's).
    #[arg(long)]
    pub no_person_short_forms: bool,
    /// Change the text's case first, offsets kept (a document whose offsets
    /// would move is left out).
    #[arg(long, value_parser = parse_case)]
    pub case: Option<CaseChange>,
}

/// `--case lower|upper|title`.
pub fn parse_case(name: &str) -> std::result::Result<CaseChange, String> {
    CaseChange::from_name(name).ok_or_else(|| {
        format!(
            "no case change `{name}`; the valid ones are {}",
            CaseChange::NAMES.join(", ")
        )
    })
}

/// The model of `--model FILE.nmm`, or the embedded default; `--consistency`
/// and `--no-person-short-forms` change the tagger's decoding options.
struct Loaded {
    annotator: Annotator,
    tagger: Tagger,
    /// An option differs from the annotator's: tag through `tagger`.
    options: bool,
}

fn load(args: &NerArgs) -> Result<Loaded> {
    let (name, bytes) = match &args.model {
        Some(path) => (
            path.display().to_string(),
            fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        ),
        None => ("the embedded default model".into(), DEFAULT_MODEL.to_vec()),
    };
    let mut tagger = Tagger::from_bytes(&bytes).map_err(|e| format!("{name}: {e}"))?;
    tagger.set_document_consistency(args.consistency);
    tagger.set_person_short_forms(!args.no_person_short_forms);
    Ok(Loaded {
        annotator: Annotator::from_bytes(&bytes).map_err(|e| format!("{name}: {e}"))?,
        tagger,
        options: args.consistency || args.no_person_short_forms,
    })
}

/// Predictions for `docs`: with gold tokens through [`Tagger::tag`], else the
/// full pipeline ([`Annotator::annotate`]).
fn predict_docs(m: &Loaded, docs: &[Doc], gold_tokens: bool) -> Vec<Vec<EvalEntity>> {
    docs.iter()
        .map(|doc| {
            let ents = if gold_tokens {
                m.tagger.tag(&doc.text, &doc.tokens, &doc.sentences)
            } else if !m.options {
                m.annotator.annotate(&doc.text).entities
            } else {
                // The same steps as `Annotator::annotate`, with the option applied.
                let seg = newsmark::segment(&doc.text);
                m.tagger.tag(&doc.text, &seg.tokens, &seg.sentences)
            };
            to_eval(&doc.text, &ents)
        })
        .collect()
}

/// The corpus files `--data` names, or the default dev sets.
fn data_files(args: &NerArgs) -> Vec<PathBuf> {
    if !args.data.is_empty() {
        return args.data.clone();
    }
    ["ontonotes", "webnews"]
        .iter()
        .map(|c| util::shared().join("data").join(c).join("dev.jsonl"))
        .collect()
}

/// The corpus at `data`, with its case changed if `--case` says so.
fn read_eval_corpus(args: &NerArgs, data: &std::path::Path) -> Result<Vec<Doc>> {
    let docs = read_corpus(data, None)?;
    let Some(case) = args.case else {
        return Ok(docs);
    };
    let total = docs.len();
    let changed: Vec<Doc> = docs.iter().filter_map(|d| d.with_case(case)).collect();
    eprintln!(
        "case {}: {} of {total} documents ({} left out: a character would change its length)",
        case.name(),
        changed.len(),
        total - changed.len()
    );
    Ok(changed)
}

/// `cargo xtask eval [ner] [--data FILE]... [--gold-tokens] [--model FILE.nmm] [--consistency] [--no-person-short-forms] [--case lower|upper|title]`.
pub fn eval(args: &NerArgs) -> Result {
    let loaded = load(args)?;
    let files = data_files(args);
    for (i, data) in files.iter().enumerate() {
        if files.len() > 1 {
            println!("{}== {}", if i > 0 { "\n" } else { "" }, data.display());
        }
        eval_file(args, &loaded, data)?;
    }
    Ok(())
}

fn eval_file(args: &NerArgs, loaded: &Loaded, data: &std::path::Path) -> Result {
    let docs = read_eval_corpus(args, data)?;
    let t0 = Instant::now();
    let cpu0 = cpu_seconds();
    let preds = predict_docs(loaded, &docs, args.gold_tokens);
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(a, b)| a - b);
    let mut scorer = Scorer::new();
    for (doc, pred) in docs.iter().zip(&preds) {
        scorer.add(&doc.genre, &doc.gold, pred);
    }
    print!("{}", scorer.report());
    let n: usize = docs.iter().map(|d| d.tokens.len()).sum();
    eprintln!(
        "{} docs, {n} gold tokens, {secs:.2} s wall ({:.0} tokens/s), {} ({})",
        docs.len(),
        n as f64 / secs,
        match cpu {
            Some(c) if c > 0.0 =>
                format!("{c:.2} CPU s ({:.0} tokens per CPU second)", n as f64 / c),
            _ => "CPU time not available".to_string(),
        },
        if args.gold_tokens {
            "tagger only"
        } else {
            "full pipeline"
        }
    );
    Ok(())
}

/// `cargo xtask predict ner --data FILE [...] --out PRED.jsonl`.
pub fn predict(args: &NerArgs, out: &PathBuf) -> Result {
    let [data] = &args.data[..] else {
        return Err("predict ner: give one --data FILE".into());
    };
    let docs = read_eval_corpus(args, data)?;
    let loaded = load(args)?;
    let preds = predict_docs(&loaded, &docs, args.gold_tokens);
    let mut f = std::io::BufWriter::new(
        fs::File::create(out).map_err(|e| format!("cannot write {}: {e}", out.display()))?,
    );
    for (doc, pred) in docs.iter().zip(&preds) {
        let ents: Vec<serde_json::Value> = pred
            .iter()
            .map(|(s, e, l)| serde_json::json!([s, e, l]))
            .collect();
        writeln!(f, "{}", serde_json::json!({"id": doc.id, "entities": ents}))?;
    }
    eprintln!("wrote {} ({} documents)", out.display(), docs.len());
    Ok(())
}
