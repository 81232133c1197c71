//! The committed models must score at least the figure their trainer
//! recorded on a fixed slice of dev (`models/<corpus>.regression.json`).
//! Skipped without `../shared`.

use newsmark::internals::{Tagger, DEFAULT_MODEL};
use newsmark_train::corpus::{read_corpus, shared_for_test};
use newsmark_train::score::score_tagger;

/// `stem` names the model's files in `models/` (`ontonotes-lite`), `corpus`
/// its data in `../shared/data/`.
fn check(stem: &str, corpus: &str, model: &[u8]) {
    let Some(shared) = shared_for_test(&format!("ner_regression, {stem}")) else {
        return;
    };
    let path = format!(
        "{}/../models/{stem}.regression.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let rec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let docs = read_corpus(
        &shared.join(format!("data/{corpus}/dev.jsonl")),
        Some(rec["docs"].as_u64().unwrap() as usize),
    )
    .unwrap();
    let tagger = Tagger::from_bytes(model).unwrap();
    let scorer = score_tagger(&tagger, &docs);
    let c = scorer.counts("overall");
    let f1 = scorer.f1();
    let recorded = rec["f1"].as_f64().unwrap();
    assert!(
        f1 >= recorded,
        "{stem}: F1 {f1} on the first {} dev docs is below the recorded {recorded} (tp {}, pred {}, gold {})",
        docs.len(),
        c.tp,
        c.pred,
        c.gold
    );
}

#[test]
fn ontonotes_model_keeps_its_dev_slice_f1() {
    check("ontonotes", "ontonotes", DEFAULT_MODEL);
}

#[test]
fn conll2003_model_keeps_its_dev_slice_f1() {
    check(
        "conll2003",
        "conll2003",
        include_bytes!("../../../models/conll2003.nmm"),
    );
}

#[test]
fn ontonotes_lite_model_keeps_its_dev_slice_f1() {
    check(
        "ontonotes-lite",
        "ontonotes",
        include_bytes!("../../../models/ontonotes-lite.nmm"),
    );
}

#[test]
fn ontonotes_accurate_model_keeps_its_dev_slice_f1() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../models/ontonotes-accurate.nmm"
    );
    check(
        "ontonotes-accurate",
        "ontonotes",
        &std::fs::read(path).unwrap(),
    );
}
