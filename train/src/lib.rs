//! newsmark's training and evaluation tools: not part of newsmark's API.
//!
//! - [`corpus`]: finding `../shared`, reading its JSONL files (the NER
//!   corpora, the rule cases, the boilerplate pages), and skipping a test
//!   cleanly when the data is not there.
//! - [`score`]: entity P/R/F1 exactly as `score_ner.py` computes it, plain
//!   P/R/F1, rule-case scoring, a tagger scored on a corpus.
//! - [`synthetic_pages`]: training copies of corpus documents dressed as
//!   web pages (headline, byline, signature, other stories, abbreviated money).
//! - [`transcripts`]: training copies of conversations' transcripts with
//!   the listener's noises written in (`Mm.`, `Uh-huh.`).
//! - [`labelled_pages`]: the hand-labelled web pages (`train/pages/`), marks
//!   stripped, on our own tokens.
//! - [`npy`]: the `.npy` reader and writer between the Python trainer and
//!   the packer.
//! - [`parity`]: the accurate model's word scores against `teacher.py`'s.
//!
//! The binary `newsmark-train` (run through `cargo xtask train|eval|predict`)
//! holds the tasks.

pub mod corpus;
pub mod labelled_pages;
pub mod npy;
pub mod parity;
pub mod score;
pub mod synthetic_pages;
pub mod transcripts;
