//! The card step: `models/<model>.md`, what the model is, how it was built,
//! and how it scores on dev.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use newsmark::internals::{Tagger, CONLL2003, ONTONOTES};
use newsmark::Annotator;
use newsmark_train::corpus::{to_eval, CaseChange, Doc};
use newsmark_train::score::{score_tagger, Scorer};

use super::super::util::{self, cpu_seconds, Result};
use super::python::{GLOVE, MINILM};
use super::recipe::{Recipe, TextSource};
use super::student;

/// Dev documents of the regression slice (`ner_regression` in the internals tests).
pub const REGRESSION_DOCS: usize = 60;

/// The file's sha256, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `models/<model>.md` and `models/<model>.regression.json` for the
/// packed model `bytes`: data, recipe, size and sha256, features, the
/// trainer's settings, dev scores (gold tokens, raw text, case changed),
/// speed, the regression slice and the training log.
pub fn write(recipe: &Recipe, bytes: &[u8], dev_docs: &[Doc]) -> Result {
    let stem = recipe.model.as_str();
    let work = recipe.student_dir();
    let work = work.as_path();
    let train_minutes = student::minutes(recipe).unwrap_or(f64::NAN);
    let labels = match recipe.corpus.as_str() {
        "conll2003" => CONLL2003,
        _ => ONTONOTES,
    };
    let tagger = Tagger::from_bytes(bytes)?;
    let log = fs::read_to_string(work.join("export/train_log.txt")).unwrap_or_default();
    let settings = fs::read_to_string(work.join("export/settings.json")).unwrap_or_default();
    let card_path = util::root().join("models").join(format!("{stem}.md"));
    let mut card = fs::File::create(&card_path)
        .map_err(|e| format!("cannot write {}: {e}", card_path.display()))?;
    writeln!(card, "# Model card: `models/{stem}.nmm`\n")?;
    writeln!(card, "- Data: `../shared/data/{0}/train.jsonl` (training), `../shared/data/{0}/dev.jsonl` (model selection and the scores below).", recipe.corpus)?;
    if !recipe.data.unlabelled.is_empty() {
        let sources = recipe
            .data
            .unlabelled
            .iter()
            .map(|name| Ok(TextSource::parse(name)?.describe()))
            .collect::<Result<Vec<String>>>()?;
        writeln!(
            card,
            "- Text without labels, learnt from the teacher alone (`data.unlabelled`): {}.",
            sources.join("; ")
        )?;
    }
    writeln!(card, "- Labels: {}", labels.join(", "))?;
    writeln!(
        card,
        "- Size: {} bytes; sha256 `{}`",
        bytes.len(),
        sha256_hex(bytes)
    )?;
    writeln!(card, "- Recipe: [`{0}`]({1}), built by `cargo xtask train --recipe {0}` ({train_minutes:.1} min wall clock on the shared 2-core machine, incl. venv check and feature extraction; `--resume` continues from `{2}/ckpt.pkl`)", recipe.shown_path(), recipe.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), work.strip_prefix(util::root()).unwrap_or(work).display())?;
    let vectors = match tagger.featurizer().expect("a CNN model").spec().vector_words {
        0 => String::new(),
        n => format!(", and the `vector` feature over the {n} most frequent words of GloVe 6B (Stanford; PDDL-1.0; PyPI `{GLOVE}`), its table seeded with their 50-d vectors"),
    };
    writeln!(card, "- Features: `src/ner/features.rs` (norm x2 hashes, prefix, suffix, shape{}, cased word, word pieces of all-MiniLM-L6-v2's vocabulary with their table seeded from its input embeddings (Apache-2.0; PyPI `{MINILM}`){vectors}); network: `src/ner/network.rs`; decoding: `src/ner/decode.rs`{}.", if tagger.featurizer().expect("a CNN model").spec().line_case { " (hashed apart for each case of the token's line: lower, upper, headline, usual)" } else { "" }, if tagger.has_transitions() { " with the learned CRF transition scores" } else { "" })?;
    writeln!(
        card,
        "- Trainer settings (`train/train.py`):\n\n```json\n{}\n```\n",
        settings.trim()
    )?;
    scores(
        &mut card,
        stem,
        bytes,
        dev_docs,
        &recipe.corpus,
        REGRESSION_DOCS,
    )?;
    writeln!(
        card,
        "## Training log (per epoch: dev F1 of the trainer's own decoding of 256-token chunks, greedy or, for a CRF, Viterbi; with `--ema` of the averaged weights, the raw weights' figure beside it)\n\n```\n{}```",
        log
    )?;
    Ok(())
}

/// The scores part of a card, shared by the students' cards and the
/// accurate model's: dev with gold tokens and on raw text, webnews (for
/// OntoNotes), the case changes, the tagging speed, and the regression
/// slice of the first `regression_docs` dev documents, whose figure goes to
/// `models/<stem>.regression.json` for `ner_regression`.
pub fn scores(
    card: &mut impl Write,
    stem: &str,
    bytes: &[u8],
    dev_docs: &[Doc],
    corpus: &str,
    regression_docs: usize,
) -> Result {
    let tagger = Tagger::from_bytes(bytes)?;
    let cpu0 = cpu_seconds();
    let gold = score_tagger(&tagger, dev_docs);
    let secs = cpu_seconds()
        .zip(cpu0)
        .map(|(a, b)| a - b)
        .unwrap_or(f64::NAN);
    let n_tokens: usize = dev_docs.iter().map(|d| d.tokens.len()).sum();
    let slice = score_tagger(&tagger, &dev_docs[..regression_docs.min(dev_docs.len())]);
    let slice_counts = slice.counts("overall");
    let regression = serde_json::json!({
        "docs": regression_docs.min(dev_docs.len()),
        "f1": slice.f1(),
        "tp": slice_counts.tp, "pred": slice_counts.pred, "gold": slice_counts.gold,
    });
    util::write(
        util::root()
            .join("models")
            .join(format!("{stem}.regression.json")),
        serde_json::to_string_pretty(&regression)? + "\n",
    )?;
    writeln!(card, "## Dev scores, gold tokens (Rust inference, `cargo xtask eval --data ../shared/data/{}/dev.jsonl --gold-tokens`)\n", corpus)?;
    writeln!(card, "```\n{}```\n", gold.report())?;
    let annotator = Annotator::from_bytes(bytes)?;
    let mut raw = Scorer::new();
    for doc in dev_docs {
        raw.add(
            &doc.genre,
            &doc.gold,
            &to_eval(&doc.text, &annotator.annotate(&doc.text).entities),
        );
    }
    writeln!(card, "## Dev scores, raw text (the full pipeline on `text`, `cargo xtask eval --data ../shared/data/{}/dev.jsonl`)\n", corpus)?;
    writeln!(card, "With the segmentation of the commit the model was packed at; it moves as segmentation improves.\n")?;
    writeln!(card, "```\n{}```\n", raw.report())?;
    // Today's news (OntoNotes labels only): the webnews dev set, raw text.
    let webnews = util::shared().join("data/webnews/dev.jsonl");
    if corpus == "ontonotes" && webnews.exists() {
        let mut scorer = Scorer::new();
        for doc in newsmark_train::corpus::read_corpus(&webnews, None)? {
            scorer.add(
                &doc.genre,
                &doc.gold,
                &to_eval(&doc.text, &annotator.annotate(&doc.text).entities),
            );
        }
        writeln!(card, "## Webnews dev, raw text (22 news articles from 2019, `cargo xtask eval --data ../shared/data/webnews/dev.jsonl`)\n")?;
        writeln!(card, "```\n{}```\n", scorer.report())?;
    }
    writeln!(card, "## Dev scores with the case changed (raw text, `cargo xtask eval --data ../shared/data/{}/dev.jsonl --case CASE`: the text changed, the gold spans kept)\n", corpus)?;
    writeln!(card, "| case | documents | F1 |\n|---|---|---|")?;
    for (name, case) in [
        ("lower", CaseChange::Lower),
        ("upper", CaseChange::Upper),
        ("title", CaseChange::Title),
    ] {
        let changed: Vec<Doc> = dev_docs.iter().filter_map(|d| d.with_case(case)).collect();
        let mut scorer = Scorer::new();
        for doc in &changed {
            scorer.add(
                &doc.genre,
                &doc.gold,
                &to_eval(&doc.text, &annotator.annotate(&doc.text).entities),
            );
        }
        writeln!(
            card,
            "| {name} | {} of {} | {:.2} |",
            changed.len(),
            dev_docs.len(),
            scorer.f1() * 100.0
        )?;
    }
    writeln!(card)?;
    writeln!(card, "Tagging speed in that run: {:.0} tokens per CPU second (native, one thread, gold tokens, {} tokens in {secs:.2} CPU s; the machine was shared with other jobs).\n", n_tokens as f64 / secs, n_tokens)?;
    writeln!(
        card,
        "Regression slice (first {} dev docs, gold tokens, `ner_regression` of the internals tests): F1 {:.4}\n",
        regression_docs.min(dev_docs.len()),
        slice.f1()
    )?;
    Ok(())
}

/// Arguments of `train card`.
#[derive(Args, Debug)]
pub struct CardArgs {
    /// The committed model whose card to measure again.
    #[arg(long, value_name = "models/NAME.nmm")]
    pub model: PathBuf,
}

/// `cargo xtask train card --model models/NAME.nmm`: measures the scores
/// part of a committed model's card again (dev with gold tokens and on raw
/// text, webnews, the case changes, the speed, the regression slice and
/// `models/NAME.regression.json`), for a change of inference that leaves
/// the model file alone. The rest of the card, written when the model was
/// trained, is kept; the slice keeps its number of documents.
pub fn measure_again(args: &CardArgs) -> Result {
    let bytes = util::read(&args.model)?;
    let stem = args
        .model
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| format!("{}: not a model file name", args.model.display()))?;
    let models = args.model.parent().unwrap_or(std::path::Path::new("."));
    let card_path = models.join(format!("{stem}.md"));
    let card = util::read_to_string(&card_path)?;
    const FIRST: &str = "## Dev scores, gold tokens";
    const LAST: &str = "Regression slice (";
    let (start, end) = card
        .find(FIRST)
        .and_then(|start| {
            let last = start + card[start..].find(LAST)?;
            let end = card[last..]
                .find("\n\n")
                .map_or(card.len(), |i| last + i + 2);
            Some((start, end))
        })
        .ok_or_else(|| {
            format!(
                "{}: no scores part (from {FIRST:?} to the {LAST:?} line) to measure again",
                card_path.display()
            )
        })?;
    let regression_path = models.join(format!("{stem}.regression.json"));
    let regression_docs =
        serde_json::from_str::<serde_json::Value>(&util::read_to_string(&regression_path)?)
            .ok()
            .and_then(|v| v["docs"].as_u64())
            .ok_or_else(|| format!("{}: no number of docs", regression_path.display()))?
            as usize;
    let tagger = Tagger::from_bytes(&bytes)?;
    let corpus = if tagger.labels() == CONLL2003 {
        "conll2003"
    } else {
        "ontonotes"
    };
    let dev = util::shared().join(format!("data/{corpus}/dev.jsonl"));
    let dev_docs = newsmark_train::corpus::read_corpus(&dev, None)?;
    let mut block = Vec::new();
    // A card measured again before: its note goes, the new one comes.
    const NOTE: &str = "The scores below were measured again";
    writeln!(
        block,
        "{NOTE}, by `cargo xtask train card --model {}`, after a change of inference; the model file is the one trained above.\n",
        args.model.display()
    )?;
    scores(&mut block, stem, &bytes, &dev_docs, corpus, regression_docs)?;
    let block = String::from_utf8(block).map_err(|e| e.to_string())?;
    let head = match card[..start].rfind(NOTE) {
        Some(i) => &card[..i],
        None => &card[..start],
    };
    util::write(&card_path, format!("{head}{block}{}", &card[end..]))?;
    println!(
        "wrote {} and {}",
        card_path.display(),
        regression_path.display()
    );
    Ok(())
}
