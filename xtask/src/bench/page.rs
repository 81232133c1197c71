//! Section `page-pool`: the demo page's worker pool in headless Chromium
//! (`bench/page_pool.mjs`), and what the page's pieces cost in accuracy
//! (`bench/pieces.mjs`, scored by the shared `score_ner.py`).

use std::path::Path;

use serde::Deserialize;

use super::peers::{node_script, score_ner};
use super::record::{PagePool, SplitMode, Splitting};
use super::wasm::pkg;
use crate::util::{root, Result};

/// The page served by xtask's static server (the repository root, a free
/// port of 127.0.0.1), a paste of `chars` UTF-16 units made of the slice's
/// documents, `runs` rounds of 1 and 2 workers.
pub fn pool(slice: &Path, chars: usize, runs: usize) -> Result<PagePool> {
    let server = crate::serve::spawn(&root())?;
    let out = node_script(
        "page_pool.mjs",
        &[
            "--url",
            &format!("http://{}", server.addr()),
            "--data",
            &slice.display().to_string(),
            "--chars",
            &chars.to_string(),
            "--runs",
            &runs.to_string(),
            "--workers",
            "1,2",
        ],
    );
    drop(server);
    out
}

/// What `bench/pieces.mjs` prints.
#[derive(Deserialize)]
struct PiecesOut {
    docs: usize,
    chars: usize,
    pieces: usize,
    docs_cut: Vec<serde_json::Value>,
    entities: std::collections::BTreeMap<String, u64>,
    pieces_vs_documents: u64,
    pieces_vs_whole: u64,
}

/// The slice joined with blank lines, annotated per document, in the page's
/// pieces and whole (wasm in Node); each way's predictions (in `pred_dir`)
/// scored against the slice.
pub fn splitting(slice: &Path, pred_dir: &Path) -> Result<Splitting> {
    let out: PiecesOut = node_script(
        "pieces.mjs",
        &[
            "--pkg",
            &pkg().display().to_string(),
            "--data",
            &slice.display().to_string(),
            "--out-dir",
            &pred_dir.display().to_string(),
        ],
    )?;
    let mut modes = Vec::new();
    for mode in ["documents", "pieces", "whole"] {
        let pred = pred_dir.join(format!("pieces-{mode}.jsonl"));
        modes.push(SplitMode {
            mode: mode.to_string(),
            entities: out.entities.get(mode).copied().unwrap_or(0),
            score: score_ner(slice, &pred)?.overall,
        });
    }
    Ok(Splitting {
        docs: out.docs,
        chars: out.chars,
        pieces: out.pieces,
        docs_cut: out.docs_cut,
        pieces_vs_documents: out.pieces_vs_documents,
        pieces_vs_whole: out.pieces_vs_whole,
        modes,
    })
}
