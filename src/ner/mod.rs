//! Named-entity recognition over tokens.

pub mod labels;

use crate::document::Entity;
use crate::model::ModelError;
use crate::span::Span;

/// A loaded NER model, ready to tag text.
#[derive(Clone, Debug)]
pub struct Tagger {
    labels: Vec<&'static str>,
}

impl Tagger {
    /// Loads a tagger from the bytes of a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        if bytes.is_empty() {
            return Err(ModelError::Truncated { what: "header" });
        }
        Err(ModelError::BadMagic)
    }

    /// The labels this model emits.
    pub fn labels(&self) -> &[&'static str] {
        &self.labels
    }

    /// Finds the entities in `text`, given its tokens and sentences (byte
    /// spans, sorted; every token inside one sentence).
    pub fn tag(&self, _text: &str, _tokens: &[Span], _sentences: &[Span]) -> Vec<Entity> {
        Vec::new()
    }
}
