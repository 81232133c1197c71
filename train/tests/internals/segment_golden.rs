//! The two seed pages as golden files: each block's line number, kind and
//! boilerplate reason must equal `tests/golden/<seed>.kinds` (which holds
//! only line numbers and kinds, never the seeds' text), and the kept lines
//! must equal the hand labels of `../shared/data/boilerplate/seeds.jsonl`.
//!
//! The seeds are read from `../shared/data/seeds/` at test time (the tests
//! are skipped without `../shared`). After an intended change,
//! `NEWSMARK_BLESS=1 cargo test -p newsmark-train --test internals segment_golden`
//! rewrites the golden files; review their diff before committing.

use newsmark::internals::segment::blocks::blocks;
use newsmark::BlockKind;
use newsmark_train::corpus::{read_pages, shared_for_test};
use std::path::Path;

const SEEDS: [&str; 2] = ["000_d8fda38bfc3c8580.txt", "003_996c0d9dbc18b283.txt"];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {} (shared data): {e}", path.display()))
}

/// `line kind [reason]` for every block, line numbers counted from 1.
fn describe(text: &str) -> String {
    let mut out = String::new();
    for b in blocks(text) {
        let line = text[..b.span.start].matches('\n').count() + 1;
        out.push_str(&format!("{line} {}", b.kind.as_str()));
        if let Some(r) = b.reason {
            out.push(' ');
            out.push_str(r.as_str());
        }
        out.push('\n');
    }
    out
}

#[test]
fn seeds_match_golden_kinds() {
    let Some(shared) = shared_for_test("segment_golden::seeds_match_golden_kinds") else {
        return;
    };
    for seed in SEEDS {
        let text = read(&shared.join("data/seeds").join(seed));
        let got = describe(&text);
        let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/internals/golden")
            .join(seed.replace(".txt", ".kinds"));
        if std::env::var_os("NEWSMARK_BLESS").is_some() {
            std::fs::write(&golden, &got).expect("write golden file");
            continue;
        }
        let want = read(&golden);
        if got != want {
            let diff: Vec<String> = got
                .lines()
                .zip(want.lines())
                .filter(|(g, w)| g != w)
                .take(10)
                .map(|(g, w)| format!("got `{g}`, golden `{w}`"))
                .collect();
            panic!(
                "{seed}: blocks differ from {}:\n{}",
                golden.display(),
                diff.join("\n")
            );
        }
    }
}

#[test]
fn seeds_keep_exactly_the_hand_labelled_lines() {
    let Some(shared) =
        shared_for_test("segment_golden::seeds_keep_exactly_the_hand_labelled_lines")
    else {
        return;
    };
    let pages = read_pages(&shared.join("data/boilerplate/seeds.jsonl")).unwrap();
    for page in pages {
        let id = &page.id;
        let gold = page.labels();
        // The raw seed file: its blocks are its non-blank lines, in the same
        // order as the labelled lines.
        let text = read(&shared.join("data/seeds").join(id));
        let kept: Vec<bool> = blocks(&text)
            .iter()
            .map(|b| b.kind != BlockKind::Boilerplate)
            .collect();
        assert_eq!(kept.len(), gold.len(), "{id}: line count");
        let wrong: Vec<usize> = (0..gold.len()).filter(|&i| kept[i] != gold[i]).collect();
        assert!(
            wrong.is_empty(),
            "{id}: lines judged wrongly (0-based among non-blank lines): {wrong:?}"
        );
    }
}

#[test]
fn seed_003_structure() {
    let Some(shared) = shared_for_test("segment_golden::seed_003_structure") else {
        return;
    };
    let text = read(&shared.join("data/seeds/003_996c0d9dbc18b283.txt"));
    let b = blocks(&text);
    assert_eq!(b[0].reason.map(|r| r.as_str()), Some("template"));
    assert_eq!(b[1].kind, BlockKind::Title);
    assert_eq!(b[2].kind, BlockKind::Byline);
    assert!(b[3..14].iter().all(|x| x.kind == BlockKind::Paragraph));
    assert!(b[15..].iter().all(|x| x.kind == BlockKind::Boilerplate));
    assert_eq!(b[16].reason.map(|r| r.as_str()), Some("comments"));
}
