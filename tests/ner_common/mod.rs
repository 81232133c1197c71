//! Helpers shared by the NER tests: reading the corpus files of
//! `../shared/data` and scoring a tagger on them.

#![allow(dead_code)]

use newsmark::ner::score::{EvalEntity, Scorer};
use newsmark::ner::Tagger;
use newsmark::span::{spans_from_offsets, OffsetMap, Span, Unit};
use std::path::PathBuf;

/// `../shared` beside the repository (or `$NEWSMARK_SHARED`).
pub fn shared() -> PathBuf {
    std::env::var_os("NEWSMARK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// One corpus document with byte-offset tokens and sentences.
pub struct Doc {
    pub id: String,
    pub genre: String,
    pub text: String,
    pub tokens: Vec<Span>,
    pub sentences: Vec<Span>,
    pub gold: Vec<EvalEntity>,
}

fn pairs(v: &serde_json::Value) -> Vec<(usize, usize)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p[0].as_u64().unwrap() as usize,
                        p[1].as_u64().unwrap() as usize,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The first `limit` documents of `../shared/data/<rel>`.
pub fn read_docs(rel: &str, limit: usize) -> Vec<Doc> {
    let path = shared().join("data").join(rel);
    let src = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the corpus {} is needed: {e}", path.display()));
    src.lines()
        .filter(|l| !l.trim().is_empty())
        .take(limit)
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = v["text"].as_str().unwrap().to_string();
            let tok = pairs(&v["tokens"]);
            let tokens = spans_from_offsets(&text, Unit::CodePoint, &tok);
            let sentences = pairs(&v["sentences"])
                .into_iter()
                .map(|(a, b)| Span::new(tokens[a].start, tokens[b - 1].end))
                .collect();
            let gold = v["entities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e[0].as_u64().unwrap() as usize,
                        e[1].as_u64().unwrap() as usize,
                        e[2].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            Doc {
                id: v["id"].as_str().unwrap().to_string(),
                genre: v["genre"].as_str().unwrap_or("?").to_string(),
                text,
                tokens,
                sentences,
                gold,
            }
        })
        .collect()
}

/// Code-point entities of a tagger's output.
pub fn to_eval(text: &str, ents: &[newsmark::Entity]) -> Vec<EvalEntity> {
    let map = OffsetMap::new(text, Unit::CodePoint);
    ents.iter()
        .map(|e| {
            let (s, t) = map.convert_span(e.span);
            (s, t, e.label.to_string())
        })
        .collect()
}

/// Scores `tagger` on `docs` with gold tokens and sentences.
pub fn score(tagger: &Tagger, docs: &[Doc]) -> Scorer {
    let mut scorer = Scorer::new();
    for d in docs {
        let pred = to_eval(&d.text, &tagger.tag(&d.text, &d.tokens, &d.sentences));
        scorer.add(&d.genre, &d.gold, &pred);
    }
    scorer
}
