//! Rust inference reproduces the Python trainer: the committed reference
//! (`models/<corpus>.reference.json`, written at training time) holds the
//! trainer's feature ids and logits for the start of the first dev document.
//! The network's part needs only that file; the features' part reads the
//! document from `../shared` (skipped without it).

use newsmark::internals::{Tagger, DEFAULT_MODEL};
use newsmark_train::corpus::{read_corpus, shared_for_test};

/// `stem` names the model's files in `models/` (`ontonotes-lite`), `corpus`
/// its data in `../shared/data/`.
fn check(stem: &str, corpus: &str, model: &[u8]) {
    let path = format!(
        "{}/../models/{stem}.reference.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let tagger = Tagger::from_bytes(model).unwrap();
    let n = r["tokens"].as_u64().unwrap() as usize;
    let k = r["n_tags"].as_u64().unwrap() as usize;
    let ids: Vec<u32> = r["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect();
    let want: Vec<f32> = r["logits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    assert_eq!(ids.len(), n * tagger.featurizer().unwrap().spec().slots());

    // Network parity: same ids in, same logits out.
    let got = tagger.network().unwrap().forward(&ids);
    assert_eq!(got.len(), n * k);
    let worst = got[..want.len()]
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(
        worst < 1e-3,
        "{stem}: logits differ from the trainer's by {worst}"
    );

    // Feature parity: today's extractor gives the ids the model was trained with.
    let Some(shared) = shared_for_test(&format!("ner_parity, {stem} features")) else {
        return;
    };
    let docs = read_corpus(&shared.join(format!("data/{corpus}/dev.jsonl")), Some(1)).unwrap();
    let doc = &docs[0];
    assert_eq!(doc.id, r["doc_id"].as_str().unwrap());
    let ours = tagger
        .featurizer()
        .unwrap()
        .featurize(&doc.text, &doc.tokens[..n]);
    assert_eq!(ours, ids, "{stem}: feature ids changed since training");
}

#[test]
fn ontonotes_matches_trainer() {
    check("ontonotes", "ontonotes", DEFAULT_MODEL);
}

#[test]
fn conll2003_matches_trainer() {
    check(
        "conll2003",
        "conll2003",
        include_bytes!("../../../models/conll2003.nmm"),
    );
}

#[test]
fn ontonotes_lite_matches_trainer() {
    check(
        "ontonotes-lite",
        "ontonotes",
        include_bytes!("../../../models/ontonotes-lite.nmm"),
    );
}

/// The accurate model (a transformer): the same word pieces, case classes
/// and word scores as `teacher.py` on the reference's words.
#[test]
fn ontonotes_accurate_matches_teacher() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../models");
    let model = std::fs::read(format!("{dir}/ontonotes-accurate.nmm")).unwrap();
    let reference =
        std::fs::read_to_string(format!("{dir}/ontonotes-accurate.reference.json")).unwrap();
    let tagger = Tagger::from_bytes(&model).unwrap();
    let worst = newsmark_train::parity::check_reference(&tagger, &reference).unwrap();
    assert!(worst < newsmark_train::parity::PARITY_TOLERANCE);
}
