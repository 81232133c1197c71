//! Entity scores mean something: on a fixed dev slice, an entity the model
//! is sure of is right far more often than one it doubts, and on plain
//! sentences the obvious names come out whole and confident. The dev slice
//! is read from `../shared` (skipped without it).

use newsmark::internals::{Tagger, DEFAULT_MODEL};
use newsmark::segment;
use newsmark_train::corpus::{read_corpus, shared_for_test, to_eval};
use std::path::Path;

/// (precision of entities with score >= 0.9, share of them, precision of
/// entities with score < 0.5, share of them).
fn buckets(shared: &Path, corpus: &str, model: &[u8]) -> (f64, f64, f64, f64) {
    let docs = read_corpus(&shared.join(format!("data/{corpus}/dev.jsonl")), Some(60)).unwrap();
    let tagger = Tagger::from_bytes(model).unwrap();
    let (mut hi, mut hi_ok, mut lo, mut lo_ok, mut all) = (0usize, 0usize, 0usize, 0usize, 0usize);
    for doc in &docs {
        let ents = tagger.tag(&doc.text, &doc.tokens, &doc.sentences);
        let eval = to_eval(&doc.text, &ents);
        for (e, ev) in ents.iter().zip(&eval) {
            let ok = doc.gold.contains(ev);
            all += 1;
            if e.score >= 0.9 {
                hi += 1;
                hi_ok += usize::from(ok);
            } else if e.score < 0.5 {
                lo += 1;
                lo_ok += usize::from(ok);
            }
        }
    }
    let r = (
        hi_ok as f64 / hi.max(1) as f64,
        hi as f64 / all.max(1) as f64,
        lo_ok as f64 / lo.max(1) as f64,
        lo as f64 / all.max(1) as f64,
    );
    eprintln!("{corpus}: score >= 0.9: precision {:.3} ({:.1}% of entities); score < 0.5: precision {:.3} ({:.1}%)", r.0, r.1 * 100.0, r.2, r.3 * 100.0);
    r
}

#[test]
fn confident_entities_are_right_and_doubtful_ones_often_wrong() {
    let Some(shared) = shared_for_test("ner_confidence::confident_entities_are_right") else {
        return;
    };
    for (corpus, model) in [
        ("ontonotes", DEFAULT_MODEL),
        (
            "conll2003",
            &include_bytes!("../../../models/conll2003.nmm")[..],
        ),
    ] {
        let (hi_p, hi_share, lo_p, _) = buckets(&shared, corpus, model);
        assert!(
            hi_p >= 0.85,
            "{corpus}: only {hi_p} of the confident entities are right"
        );
        assert!(
            hi_share >= 0.5,
            "{corpus}: only {hi_share} of entities are confident"
        );
        assert!(
            lo_p <= 0.5,
            "{corpus}: {lo_p} of the doubtful entities are right"
        );
    }
}

#[test]
fn plain_sentences() {
    let tagger = Tagger::from_bytes(DEFAULT_MODEL).unwrap();
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "Peggy Alvarez flew to Ohio on Monday.",
            &[
                ("Peggy Alvarez", "PERSON"),
                ("Ohio", "GPE"),
                ("Monday", "DATE"),
            ],
        ),
        (
            "John Smith joined Microsoft in 2019 for $2 million.",
            &[
                ("John Smith", "PERSON"),
                ("Microsoft", "ORG"),
                ("2019", "DATE"),
                ("$2 million", "MONEY"),
            ],
        ),
        (
            "Irene Okoye met Daniel Reyes in Dayton.",
            &[
                ("Irene Okoye", "PERSON"),
                ("Daniel Reyes", "PERSON"),
                ("Dayton", "GPE"),
            ],
        ),
    ];
    for (text, want) in cases {
        let seg = segment(text);
        let got: Vec<(&str, &str, f32)> = tagger
            .tag(text, &seg.tokens, &seg.sentences)
            .iter()
            .map(|e| (e.span.slice(text), e.label, e.score))
            .collect();
        for (name, label) in *want {
            assert!(
                got.iter()
                    .any(|(t, l, s)| t == name && l == label && *s >= 0.6),
                "{text}: no confident {label} `{name}` in {got:?}"
            );
        }
    }
}
