//! newsmark reads a news article as plain text, separates the article from
//! the web page's boilerplate, splits it into paragraphs, sentences and
//! tokens, and finds its named entities (the 18 OntoNotes types).
//!
//! ```
//! let annotator = newsmark::Annotator::new();
//! let text = "Richard Yu spoke in Las Vegas on Tuesday.";
//! let doc = annotator.annotate(text);
//! for e in &doc.entities {
//!     println!("{} {}", e.label, e.span.slice(text));
//! }
//! ```
//!
//! All spans are byte offsets into the input; [`span::OffsetMap`] converts
//! them to UTF-16 code units (JavaScript) or code points (Python).

#![warn(missing_docs)]

pub mod annotator;
pub mod document;
mod kernels;
pub mod model;
pub mod ner;
pub mod segment;
pub mod span;

#[cfg(feature = "wasm")]
pub mod wasm;

pub use annotator::{AnnotateError, Annotator, MAX_INPUT_BYTES};
pub use document::{Block, BlockKind, BoilerplateReason, Document, Entity};
pub use model::ModelError;
pub use span::Span;
