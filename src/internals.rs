//! **Not part of newsmark's API.** The parts of inference that the
//! project's own tools share with it: the training crate (`train/`, which
//! extracts features with the same code the tagger runs, and packs models),
//! the bench and the fuzz targets. Compiled only with the cargo feature
//! `internals`; never in the WebAssembly build nor for a user of the library.
//!
//! Everything the tools reach inside the crate goes through this module, so
//! the list below *is* the tooling surface:
//!
//! - The model file's writer and container ([`ModelWriter`], [`ModelFile`],
//!   [`Section`]), the NER model's parts ([`Tagger`], [`Network`],
//!   [`Featurizer`], [`FeatureSpec`], [`TagSet`], ...), the label sets, the
//!   embedded default model.
//! - [`segment`]: the segmentation layers one by one, and the boilerplate
//!   line model with its training hooks.
//! - Offsets given in other units ([`spans_from_offsets`], [`to_byte_offsets`]).

pub use crate::annotator::DEFAULT_MODEL;
pub use crate::model::container::{
    checksum, fnv1a64, ModelFile, ModelWriter, Section, StringList, Strings, FORMAT_VERSION, MAGIC,
};
pub use crate::ner::decode::{Part, TagSet};
pub use crate::ner::features::{FeatureSpec, Featurizer, Vocabulary, TABLE_NAMES};
pub use crate::ner::labels::{LabelInfo, CONLL2003, KNOWN_LABELS, ONTONOTES};
pub use crate::ner::network::Network;
pub use crate::ner::wordpiece::WordPieces;
pub use crate::ner::Tagger;
pub use crate::span::{spans_from_offsets, to_byte_offsets};

use crate::Annotator;

/// What the tools need of an [`Annotator`] beyond its public methods.
pub trait AnnotatorInternals {
    /// The annotator's NER model (to tag gold tokens, or time tagging alone).
    fn tagger(&self) -> &Tagger;
}

impl AnnotatorInternals for Annotator {
    fn tagger(&self) -> &Tagger {
        self.ner()
    }
}

/// The segmentation layers one by one (the public [`crate::segment`] runs
/// them all).
pub mod segment {
    pub use crate::segment::{segment, sentences_and_tokens, Segmentation};

    /// Blocks: lines, and their kinds.
    pub mod blocks {
        pub use crate::segment::blocks::{blocks, line_spans};
    }

    /// Tokens alone.
    pub mod tokens {
        pub use crate::segment::tokens::tokenize;
    }

    /// Sentences alone.
    pub mod sentences {
        pub use crate::segment::sentences::sentences;
    }

    /// The boilerplate line model and the hooks its trainer uses.
    pub mod boilerplate {
        pub use crate::segment::boilerplate::{
            classify_with, features, sigmoid, Model, Params, HIDDEN, N_FEATURES,
        };
    }
}
