//! The tests of newsmark's internals, in one binary: the segmentation layers
//! one by one, the model file, the NER model against the trainer's reference
//! logits and the dev corpora, the reference scorer, the seed pages. They
//! reach the library through `newsmark::internals` and the corpora through
//! this crate; the public API has its own tests in the root's `tests/`.
//!
//! Tests that need `../shared` skip themselves loudly when it is not there
//! (and fail instead with `NEWSMARK_REQUIRE_SHARED=1`, as in CI).

#[path = "../../../tests/invariants/mod.rs"]
mod invariants;

mod fixture;
mod model_file;
mod ner_confidence;
mod ner_parity;
mod ner_regression;
mod ner_score;
mod ner_seed_page;
mod ner_shapes;
mod segment_cases;
mod segment_golden;
mod segment_props;
