//! The [`Annotator`]: segmentation and NER in one call.

use crate::document::Document;
use crate::model::ModelError;
use crate::ner::Tagger;
use crate::segment;

/// The default OntoNotes model, embedded in the library.
pub static DEFAULT_MODEL: &[u8] = include_bytes!("../models/ontonotes.nmm");

/// Segments and annotates texts with one NER model.
#[derive(Clone, Debug)]
pub struct Annotator {
    tagger: Tagger,
}

impl Annotator {
    /// An annotator with the embedded default model (18 OntoNotes labels).
    pub fn new() -> Self {
        Self::from_bytes(DEFAULT_MODEL).expect("the embedded default model is valid (checked by tests)")
    }

    /// An annotator with the model in `bytes` (the contents of a `.nmm` file).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        Ok(Annotator {
            tagger: Tagger::from_bytes(bytes)?,
        })
    }

    /// The labels this annotator's model emits.
    pub fn labels(&self) -> &[&'static str] {
        self.tagger.labels()
    }

    /// The NER model.
    pub fn tagger(&self) -> &Tagger {
        &self.tagger
    }

    /// Segments `text` and finds its entities.
    pub fn annotate(&self, text: &str) -> Document {
        let seg = segment::segment(text);
        let entities = self.tagger.tag(text, &seg.tokens, &seg.sentences);
        Document {
            blocks: seg.blocks,
            sentences: seg.sentences,
            tokens: seg.tokens,
            entities,
        }
    }
}

impl Default for Annotator {
    fn default() -> Self {
        Self::new()
    }
}
