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
//! All spans are byte offsets into the input; [`OffsetMap`] converts them
//! to UTF-16 code units (JavaScript) or code points (Python).
//!
//! # The API
//!
//! - [`Annotator`]: segmentation and entities in one call; [`segment`]:
//!   segmentation alone, without a model.
//! - [`Document`] and its parts ([`Block`], [`BlockKind`],
//!   [`BoilerplateReason`], [`Entity`]), with the entities' clusters
//!   ([`Document::clusters`], [`Cluster`]); [`Segmentation`].
//! - [`Gazetteer`]: the [`Place`] each place name of a document names, from
//!   a GeoNames gazetteer file (`models/places.nmg`, loaded only when asked
//!   for; [`GazetteerError`] when it does not load).
//! - [`Span`] and [`OffsetMap`] (with its [`Unit`]).
//! - The errors: [`AnnotateError`] (input too large, see
//!   [`MAX_INPUT_BYTES`]) and [`ModelError`] (a model file that does not load).
//!
//! Nothing else is public. The cargo feature `wasm` adds the JavaScript
//! binding (module `wasm`); the feature `internals` adds the module
//! `internals`: the parts inference shares with the project's own tools
//! (the training crate `newsmark-train`, the bench, the fuzz targets), such
//! as the feature extraction and the model container. `internals` is not
//! part of the API and may change at any time.

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod annotator;
mod cluster;
mod document;
mod kernels;
mod model;
mod ner;
mod places;
mod segment;
mod span;

#[cfg(feature = "internals")]
pub mod internals;
#[cfg(feature = "wasm-no-model")]
pub mod wasm;

/// **Not part of newsmark's API** (feature `internals`, like
/// [`internals`]): the gazetteer's writer, its name keys and the resolution
/// settings, for the training crate's `train gazetteer` and `predict places`.
#[cfg(feature = "internals")]
pub mod places_internals {
    pub use crate::places::write::{write_gazetteer, NameKind, PlaceRecord};
    pub use crate::places::{name_key, resolve_with, PlaceKind, Settings};
}

pub use annotator::{AnnotateError, Annotator, MAX_INPUT_BYTES};
pub use document::{Block, BlockKind, BoilerplateReason, Cluster, Document, Entity};
pub use model::ModelError;
pub use places::{Gazetteer, GazetteerError, Place};
pub use segment::{segment, Segmentation};
pub use span::{OffsetMap, Span, Unit};
