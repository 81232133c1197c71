//! The committed models must score at least the figure their trainer
//! recorded on a fixed slice of dev (`models/<corpus>.regression.json`).
//! Skipped without `../shared`.

use newsmark::train::corpus::{read_corpus, shared_for_test};
use newsmark::train::score::score_tagger;
use newsmark::train::{Tagger, DEFAULT_MODEL};

fn check(corpus: &str, model: &[u8]) {
    let Some(shared) = shared_for_test(&format!("ner_regression, {corpus}")) else {
        return;
    };
    let path = format!(
        "{}/models/{corpus}.regression.json",
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
        "{corpus}: F1 {f1} on the first {} dev docs is below the recorded {recorded} (tp {}, pred {}, gold {})",
        docs.len(),
        c.tp,
        c.pred,
        c.gold
    );
}

#[test]
fn ontonotes_model_keeps_its_dev_slice_f1() {
    check("ontonotes", DEFAULT_MODEL);
}

#[test]
fn conll2003_model_keeps_its_dev_slice_f1() {
    check("conll2003", include_bytes!("../models/conll2003.nmm"));
}
