//! The [`Annotator`]: segmentation and NER in one call.
//!
//! Two entry points annotate a text:
//!
//! - [`Annotator::try_annotate`] refuses texts longer than
//!   [`MAX_INPUT_BYTES`] with an [`AnnotateError`]. Use it for text you did
//!   not write yourself (the JavaScript binding calls it).
//! - [`Annotator::annotate`] has no size limit. Time and memory grow
//!   linearly with the input, so it is safe for a caller who has already
//!   checked or bounded the size (the evaluation and benchmark tools, which
//!   read whole corpora).
//!
//! Neither panics on any `&str`.

use std::fmt;

use crate::document::Document;
use crate::model::ModelError;
use crate::ner::Tagger;
use crate::segment;

/// The largest text, in bytes of UTF-8, that [`Annotator::try_annotate`]
/// accepts: 256 MiB.
///
/// The text is segmented and tagged a block at a time, the network over at
/// most a few thousand tokens at once, so memory is the text, the result and
/// (from [`Annotator::annotate`], which returns them) its tokens, 8 bytes each
/// in wasm. One 10 MB call from JavaScript, which asks for no tokens, peaks
/// at 46 MB of wasm memory, the model included (BENCHMARKS.md, the memory
/// row). The limit keeps a call well inside a
/// 32-bit WebAssembly module's 4 GiB (and a browser tab's smaller budget);
/// JavaScript strings cannot be much longer anyway (V8: 2^29 - 24 UTF-16
/// units).
///
/// ```
/// let text = "x".repeat(newsmark::MAX_INPUT_BYTES + 1);
/// assert!(newsmark::Annotator::new().try_annotate(&text).is_err());
/// ```
pub const MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;

/// Why [`Annotator::try_annotate`] did not annotate a text.
///
/// ```
/// use newsmark::{AnnotateError, Annotator, MAX_INPUT_BYTES};
///
/// let text = "x".repeat(MAX_INPUT_BYTES + 1);
/// match Annotator::new().try_annotate(&text) {
///     Err(AnnotateError::InputTooLarge { bytes, max }) => assert!(bytes > max),
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnnotateError {
    /// The text is longer than [`MAX_INPUT_BYTES`].
    InputTooLarge {
        /// Length of the text in bytes of UTF-8.
        bytes: usize,
        /// The limit, [`MAX_INPUT_BYTES`].
        max: usize,
    },
}

impl fmt::Display for AnnotateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnnotateError::InputTooLarge { bytes, max } => write!(
                f,
                "the text is too large to annotate: {bytes} bytes of UTF-8, the limit is \
                 {max} bytes ({} MiB); split it into parts (for example at blank lines) \
                 and annotate each",
                max / (1024 * 1024)
            ),
        }
    }
}

impl std::error::Error for AnnotateError {}

/// Checks that `text` is within [`MAX_INPUT_BYTES`].
pub(crate) fn check_input_size(text: &str) -> Result<(), AnnotateError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(AnnotateError::InputTooLarge {
            bytes: text.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    Ok(())
}

/// The default OntoNotes model, embedded in the library.
pub static DEFAULT_MODEL: &[u8] = include_bytes!("../models/ontonotes.nmm");

/// Segments and annotates texts with one NER model.
///
/// Loading the model takes a moment (it is 5 MB); make one annotator and
/// reuse it. It is `Clone`, `Send` and `Sync`.
///
/// ```
/// let annotator = newsmark::Annotator::new();
/// let text = "Ada Lovelace met Charles Babbage in London.";
/// let doc = annotator.annotate(text);
/// let people: Vec<&str> = doc
///     .entities
///     .iter()
///     .filter(|e| e.label == "PERSON")
///     .map(|e| e.span.slice(text))
///     .collect();
/// println!("{people:?}");
/// ```
#[derive(Clone, Debug)]
pub struct Annotator {
    tagger: Tagger,
}

impl Annotator {
    /// An annotator with the embedded default model (18 OntoNotes labels).
    ///
    /// ```
    /// let annotator = newsmark::Annotator::new();
    /// assert_eq!(annotator.labels().len(), 18);
    /// ```
    pub fn new() -> Self {
        Self::from_bytes(DEFAULT_MODEL)
            .expect("the embedded default model is valid (checked by tests)")
    }

    /// An annotator with the model in `bytes` (the contents of a `.nmm` file).
    ///
    /// The error says what is wrong with the bytes; name the file yourself:
    ///
    /// ```no_run
    /// let path = "models/conll2003.nmm";
    /// let bytes = std::fs::read(path)?;
    /// let annotator = newsmark::Annotator::from_bytes(&bytes)
    ///     .map_err(|e| format!("{path}: {e}"))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        Ok(Annotator {
            tagger: Tagger::from_bytes(bytes)?,
        })
    }

    /// The labels this annotator's model emits.
    ///
    /// ```
    /// let annotator = newsmark::Annotator::new();
    /// assert!(annotator.labels().contains(&"GPE"));
    /// ```
    pub fn labels(&self) -> &[&'static str] {
        self.tagger.labels()
    }

    /// The NER model (for the tools, through `train::AnnotatorInternals`).
    #[cfg(feature = "internals")]
    pub(crate) fn ner(&self) -> &Tagger {
        &self.tagger
    }

    /// Segments `text` and finds its entities, unless `text` is longer than
    /// [`MAX_INPUT_BYTES`]: then it returns [`AnnotateError::InputTooLarge`]
    /// at once, without looking at the text.
    ///
    /// This is the entry point for text from outside (the JavaScript
    /// binding's `annotate` calls it).
    ///
    /// ```
    /// let annotator = newsmark::Annotator::new();
    /// let doc = annotator.try_annotate("Rain is expected in Oslo on Sunday.")?;
    /// assert_eq!(doc.sentences.len(), 1);
    /// # Ok::<(), newsmark::AnnotateError>(())
    /// ```
    pub fn try_annotate(&self, text: &str) -> Result<Document, AnnotateError> {
        check_input_size(text)?;
        Ok(self.annotate(text))
    }

    /// Segments `text` and finds its entities, whatever its length.
    ///
    /// There is no size limit here: time and memory are linear in the
    /// input, and the caller is trusted to have bounded it. Use
    /// [`Annotator::try_annotate`] for text from outside.
    ///
    /// ```
    /// let text = "Ms. Diaz flew to Lima. She landed at noon.";
    /// let doc = newsmark::Annotator::new().annotate(text);
    /// assert_eq!(doc.sentences.len(), 2);
    /// assert!(doc.entities.iter().all(|e| !e.span.slice(text).is_empty()));
    /// ```
    pub fn annotate(&self, text: &str) -> Document {
        self.annotate_keeping(text, true)
    }

    /// [`Annotator::annotate`], with the tokens in the result only if
    /// `keep_tokens`: the text is segmented and tagged a block at a time, so
    /// without them memory holds the text, the result and a few thousand
    /// tokens, whatever the length (the JavaScript binding's default).
    pub(crate) fn annotate_keeping(&self, text: &str, keep_tokens: bool) -> Document {
        let blocks = segment::blocks::blocks(text);
        let mut stream = self.tagger.stream(text);
        let mut sentences = Vec::new();
        let mut tokens = Vec::new();
        let (mut block_tokens, mut block_sentences) = (Vec::new(), Vec::new());
        for block in &blocks {
            block_tokens.clear();
            block_sentences.clear();
            segment::segment_block(text, block.span, &mut block_tokens, &mut block_sentences);
            stream.push(&block_tokens, &block_sentences);
            sentences.extend_from_slice(&block_sentences);
            if keep_tokens {
                tokens.extend_from_slice(&block_tokens);
            }
        }
        Document {
            blocks,
            sentences,
            tokens,
            entities: stream.finish(),
        }
    }
}

impl Default for Annotator {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text of our own of about `words` words in lines of `per_line`
    /// sentences (one line when 0), with names that come back.
    fn long_text(words: usize, per_line: usize) -> String {
        let sentences = [
            "Rosa Delgado, who runs Halvorsen Freight in Gdansk, said on Monday that 40 jobs would go.",
            "Delgado met Mayor Ines Okafor of Gdansk in May.",
            "The European Commission fined Halvorsen 3.2 million euros in 2021",
            "and the company appealed;",
            "Okafor told Radio Baltica that the port would grow by 12 percent.",
        ];
        let mut text = String::new();
        let mut n = 0;
        let mut i = 0;
        while text.split_whitespace().count() < words {
            text.push_str(sentences[i % sentences.len()]);
            i += 1;
            n += 1;
            text.push(if per_line > 0 && n % per_line == 0 {
                '\n'
            } else {
                ' '
            });
        }
        text
    }

    #[test]
    fn block_by_block_tagging_equals_tagging_all_tokens_at_once() {
        let a = Annotator::new();
        // Several segments (8,192 tokens each), in many lines or in one.
        for per_line in [7, 0] {
            let text = long_text(24_000, per_line);
            let seg = segment::segment(&text);
            assert!(seg.tokens.len() > 3 * 8192, "{}", seg.tokens.len());
            let all_at_once = a.tagger.tag(&text, &seg.tokens, &seg.sentences);
            assert!(all_at_once.len() > 100);
            let doc = a.annotate_keeping(&text, false);
            assert!(doc.tokens.is_empty());
            assert_eq!(doc.entities, all_at_once, "lines of {per_line}");
            assert_eq!(doc.sentences, seg.sentences);
            assert_eq!(doc.blocks, seg.blocks);
            let full = a.annotate(&text);
            assert_eq!(full.tokens, seg.tokens);
            assert_eq!(full.entities, all_at_once);
        }
    }

    #[test]
    fn input_at_the_limit_is_accepted() {
        let text = "a".repeat(MAX_INPUT_BYTES);
        assert_eq!(check_input_size(&text), Ok(()));
        assert_eq!(check_input_size(""), Ok(()));
    }

    #[test]
    fn input_over_the_limit_is_refused_with_its_size() {
        // 'é' is two bytes: the limit counts bytes of UTF-8, not characters.
        let text = "é".repeat(MAX_INPUT_BYTES / 2 + 1);
        let err = check_input_size(&text).unwrap_err();
        assert_eq!(
            err,
            AnnotateError::InputTooLarge {
                bytes: MAX_INPUT_BYTES + 2,
                max: MAX_INPUT_BYTES
            }
        );
        let message = err.to_string();
        assert!(
            message.contains(&(MAX_INPUT_BYTES + 2).to_string()),
            "{message}"
        );
        assert!(message.contains("256 MiB"), "{message}");
        assert!(message.contains("split"), "{message}");
    }
}
