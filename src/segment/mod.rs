//! Segmentation: blocks (article vs. boilerplate), sentences and tokens.
//!
//! Every function here is infallible and linear in the input: any `&str`
//! goes in, spans in order come out.

mod abbrev;
pub mod blocks;
pub mod boilerplate;
mod boilerplate_weights;
pub mod sentences;
pub mod tokens;

use crate::document::Block;
use crate::span::Span;

/// The three layers of segmentation of one text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Segmentation {
    /// Blocks covering every non-blank line, in order.
    pub blocks: Vec<Block>,
    /// Sentences, each inside one block, in order.
    pub sentences: Vec<Span>,
    /// Tokens, each inside one sentence, in order.
    pub tokens: Vec<Span>,
}

/// Segments `text` into blocks, sentences and tokens.
pub fn segment(text: &str) -> Segmentation {
    let blocks = blocks::blocks(text);
    let mut tokens = Vec::new();
    let mut sentences = Vec::new();
    for block in &blocks {
        let first = tokens.len();
        tokens::tokenize_into(text, block.span, &mut tokens);
        sentences::sentences_into(text, &tokens[first..], &mut sentences);
    }
    Segmentation {
        blocks,
        sentences,
        tokens,
    }
}

/// Sentences and tokens of `text` without classifying its blocks: the lines
/// are split, tokenized and cut into sentences exactly as [`segment`] does.
/// This is the part the speed benchmark measures.
pub fn sentences_and_tokens(text: &str) -> (Vec<Span>, Vec<Span>) {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut sentences = Vec::with_capacity(text.len() / 100);
    for line in blocks::line_spans(text) {
        let first = tokens.len();
        tokens::tokenize_into(text, line, &mut tokens);
        sentences::sentences_into(text, &tokens[first..], &mut sentences);
    }
    (sentences, tokens)
}
