//! The Rust scorer (`cargo xtask eval`) prints exactly what
//! `../shared/tools/score_ner.py` prints for the same predictions (skipped
//! without `../shared`; `tests/fixture.rs` checks the scorer's counts on our
//! own fixture).

use newsmark_train::corpus::{read_corpus, shared_for_test};
use newsmark_train::score::{EvalEntity, Scorer};
use std::io::Write;
use std::process::Command;

/// Deterministic mistakes: drop, shift, relabel and invent entities.
fn perturb(gold: &[EvalEntity], seed: usize) -> Vec<EvalEntity> {
    let mut out = Vec::new();
    for (i, (s, e, l)) in gold.iter().enumerate() {
        match (i * 7 + seed) % 11 {
            0 => {}
            1 => out.push((*s, e + 1, l.clone())),
            2 => out.push((*s, *e, "ORG".to_string())),
            3 => {
                out.push((*s, *e, l.clone()));
                out.push((e + 1, e + 3, "CARDINAL".to_string()));
            }
            _ => out.push((*s, *e, l.clone())),
        }
    }
    out
}

#[test]
fn rust_report_equals_python_scorer() {
    let Some(shared) = shared_for_test("ner_score::rust_report_equals_python_scorer") else {
        return;
    };
    let docs = read_corpus(&shared.join("data/ontonotes/dev.jsonl"), Some(80)).unwrap();
    let dir = std::env::temp_dir().join(format!("newsmark-score-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gold_path = dir.join("gold.jsonl");
    let pred_path = dir.join("pred.jsonl");
    let mut gold_f = std::fs::File::create(&gold_path).unwrap();
    let mut pred_f = std::fs::File::create(&pred_path).unwrap();
    let mut scorer = Scorer::new();
    for (i, d) in docs.iter().enumerate() {
        let pred = perturb(&d.gold, i);
        scorer.add(&d.genre, &d.gold, &pred);
        // The scorer only reads id, genre and entities from the gold file.
        let g: Vec<_> = d
            .gold
            .iter()
            .map(|(s, e, l)| serde_json::json!([s, e, l]))
            .collect();
        let p: Vec<_> = pred
            .iter()
            .map(|(s, e, l)| serde_json::json!([s, e, l]))
            .collect();
        writeln!(
            gold_f,
            "{}",
            serde_json::json!({"id": d.id, "genre": d.genre, "entities": g})
        )
        .unwrap();
        writeln!(pred_f, "{}", serde_json::json!({"id": d.id, "entities": p})).unwrap();
    }
    drop((gold_f, pred_f));
    let out = Command::new("python3")
        .arg(shared.join("tools/score_ner.py"))
        .arg(&gold_path)
        .arg(&pred_path)
        .output()
        .expect("python3 runs the reference scorer");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python = String::from_utf8(out.stdout).unwrap();
    assert!(python.lines().count() > 10, "{python}");
    assert_eq!(scorer.report(), python);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rounding_ties_follow_python() {
    // 1/32 = 0.03125 is a tie at 4 decimals: Python rounds it to 0.0312.
    let mut s = Scorer::new();
    let gold: Vec<EvalEntity> = (0..32)
        .map(|i| (i * 10, i * 10 + 1, "ORG".to_string()))
        .collect();
    s.add("nw", &gold, &gold[..1]);
    assert_eq!(s.counts("overall").prf().1, 0.0312);
}
