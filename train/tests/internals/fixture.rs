//! The corpus and scoring helpers of `newsmark::internals` on our own small
//! fixture (`tests/fixtures/`: invented news sentences in the formats of
//! `../shared`), so a clone without `../shared` still tests the readers, the
//! scorer, the rule-case runner and the default model end to end.

use newsmark::internals::{AnnotatorInternals, Tagger, DEFAULT_MODEL};
use newsmark::Annotator;
use newsmark_train::corpus::{read_corpus, read_rule_cases, to_eval, CorpusError};
use newsmark_train::score::{prf, rule_cases, score_tagger, Scorer};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/internals/fixtures")
        .join(name)
}

#[test]
fn corpus_offsets_become_byte_spans() {
    let docs = read_corpus(&fixture("ner.jsonl"), None).unwrap();
    assert_eq!(docs.len(), 3);
    let genres: Vec<&str> = docs.iter().map(|d| d.genre.as_str()).collect();
    assert_eq!(genres, ["nw", "bn", "bc"]);
    for doc in &docs {
        let chars: Vec<char> = doc.text.chars().collect();
        let cp_slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
        // Entities: the byte span covers the same text as the code points.
        assert_eq!(doc.entities.len(), doc.gold.len());
        for (s, e, label) in &doc.gold {
            let want = cp_slice(*s, *e);
            assert!(
                doc.entities
                    .iter()
                    .any(|(span, l)| l == label && span.slice(&doc.text) == want),
                "{}: no byte span for {label} `{want}`",
                doc.id
            );
        }
        // Tokens lie in sentences, sentences end on a stop.
        for t in &doc.tokens {
            assert!(!t.slice(&doc.text).is_empty());
            assert!(doc.sentences.iter().any(|s| s.contains(t)));
        }
        for s in &doc.sentences {
            assert!(
                s.slice(&doc.text).ends_with('.'),
                "{:?}",
                s.slice(&doc.text)
            );
        }
    }
    // Non-ASCII before the names: a curly quote (3 bytes), `ë` (2), an
    // emoji (4 bytes, 1 code point).
    let bn = &docs[1];
    let names: Vec<&str> = bn.entities.iter().map(|(s, _)| s.slice(&bn.text)).collect();
    assert!(
        names.contains(&"Zoë Brandt") && names.contains(&"Tuesday"),
        "{names:?}"
    );
    // A limit reads only the first documents.
    assert_eq!(
        read_corpus(&fixture("ner.jsonl"), Some(2)).unwrap().len(),
        2
    );
}

#[test]
fn scorer_counts_exact_matches_per_bucket() {
    let docs = read_corpus(&fixture("ner.jsonl"), None).unwrap();
    let mut scorer = Scorer::new();
    let mut gold_total = 0;
    for doc in &docs {
        // Drop the first entity, relabel the second, keep the rest.
        let mut pred = doc.gold.clone();
        pred.remove(0);
        pred[0].2 = "EVENT".into();
        scorer.add(&doc.genre, &doc.gold, &pred);
        gold_total += doc.gold.len();
    }
    let all = scorer.counts("overall");
    assert_eq!(
        (all.tp, all.pred, all.gold),
        (gold_total - 6, gold_total - 3, gold_total)
    );
    // nw and bn are news, bc is not.
    let news = scorer.counts("news");
    assert_eq!(news.gold, docs[0].gold.len() + docs[1].gold.len());
    assert_eq!(scorer.counts("genre:bc").gold, docs[2].gold.len());
    assert_eq!(scorer.counts("label:EVENT").tp, 0);
    let (p, r, f) = prf(all.tp, all.pred, all.gold);
    assert!((f - 2.0 * p * r / (p + r)).abs() < 1e-12);
    assert_eq!(all.prf().2, scorer.f1());
    assert!(scorer.report().starts_with("overall"));
}

#[test]
fn default_model_finds_the_fixture_entities() {
    let docs = read_corpus(&fixture("ner.jsonl"), None).unwrap();
    let tagger = Tagger::from_bytes(DEFAULT_MODEL).unwrap();
    let gold_tokens = score_tagger(&tagger, &docs);
    eprintln!("fixture, gold tokens:\n{}", gold_tokens.report());
    // The fixture is small and its names are new to the model: a smoke test
    // (the committed model reads 0.68 here), not a measure of accuracy.
    assert!(gold_tokens.f1() >= 0.6, "{}", gold_tokens.report());
    for doc in &docs {
        let found = to_eval(
            &doc.text,
            &tagger.tag(&doc.text, &doc.tokens, &doc.sentences),
        );
        for sure in [
            "Marta Kowalczyk",
            "Friday",
            "About 40 percent",
            "Detroit",
            "Dana Okafor",
        ] {
            if let Some(at) = doc.text.find(sure) {
                let start = doc.text[..at].chars().count();
                let end = start + sure.chars().count();
                assert!(
                    found.iter().any(|e| (e.0, e.1) == (start, end)),
                    "{}: `{sure}` not found: {found:?}",
                    doc.id
                );
            }
        }
    }
    // The full pipeline on the raw text, through the public API.
    let annotator = Annotator::new();
    let mut raw = Scorer::new();
    for doc in &docs {
        let pred = to_eval(&doc.text, &annotator.annotate(&doc.text).entities);
        raw.add(&doc.genre, &doc.gold, &pred);
    }
    eprintln!("fixture, raw text:\n{}", raw.report());
    assert!(raw.f1() >= 0.6, "{}", raw.report());
    assert_eq!(annotator.tagger().labels(), tagger.labels());
}

#[test]
fn rule_cases_all_pass() {
    let cases = read_rule_cases(&fixture("sbd.jsonl")).unwrap();
    assert_eq!(cases.len(), 5);
    for outcome in rule_cases(&cases) {
        assert!(
            outcome.passed(),
            "case {} ({}): want {:?}, got {:?}",
            outcome.id,
            outcome.name,
            outcome.expected,
            outcome.got
        );
    }
}

#[test]
fn errors_name_the_file_the_line_and_the_fault() {
    let dir = std::env::temp_dir().join(format!("newsmark-fixture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.jsonl");
    let good = std::fs::read_to_string(fixture("ner.jsonl")).unwrap();
    let first = good.lines().next().unwrap();
    let cases: [(&str, &str); 4] = [
        ("{not json", "2: not JSON"),
        (
            r#"{"id": "x", "text": "ab", "tokens": [[0, 9]], "sentences": [], "entities": []}"#,
            "`tokens` 0 [0, 9] is not a range within the 2 code points of `text`",
        ),
        (
            r#"{"id": "x", "text": "ab", "tokens": [[0, 2]], "sentences": [[0, 3]], "entities": []}"#,
            "`sentences` 0 [0, 3] is not a range within the 1 tokens",
        ),
        (
            r#"{"id": "x", "text": "ab", "tokens": [[0, 2]], "sentences": [[0, 1]]}"#,
            "2: `entities` is missing or not an array",
        ),
    ];
    for (bad, want) in cases {
        std::fs::write(&path, format!("{first}\n{bad}\n")).unwrap();
        let err = read_corpus(&path, None).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("{}:2:", path.display())),
            "{message}"
        );
        assert!(message.contains(want), "{message}");
    }
    let missing = dir.join("missing.jsonl");
    let err = read_corpus(&missing, None).unwrap_err();
    assert!(matches!(err, CorpusError::Read { .. }));
    assert!(err.to_string().contains("missing.jsonl"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
