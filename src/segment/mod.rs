//! Segmentation: blocks (article vs. boilerplate), sentences and tokens.
//!
//! Every function here is infallible and linear in the input: any `&str`
//! goes in, spans in order come out.

mod abbrev;
pub(crate) mod blocks;
pub(crate) mod boilerplate;
mod boilerplate_weights;
pub(crate) mod case;
pub(crate) mod sentences;
pub(crate) mod tokens;

use crate::document::Block;
use crate::span::Span;
use case::LineCase;

/// The three layers of segmentation of one text.
///
/// ```
/// let seg = newsmark::segment("One line. Two sentences.\nAnother line.");
/// assert_eq!(seg.blocks.len(), 2);
/// assert_eq!(seg.sentences.len(), 3);
/// ```
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
///
/// No model is needed: this is fast (tens of megabytes per second) and
/// never fails.
///
/// ```
/// let text = "The U.S. economy grew 2.5% in the third quarter. Analysts were surprised.";
/// let seg = newsmark::segment(text);
/// let sentences: Vec<&str> = seg.sentences.iter().map(|s| s.slice(text)).collect();
/// assert_eq!(sentences.len(), 2);
/// let tokens: Vec<&str> = seg.tokens.iter().map(|t| t.slice(text)).collect();
/// assert_eq!(&tokens[..5], ["The", "U.S.", "economy", "grew", "2.5"]);
/// ```
pub fn segment(text: &str) -> Segmentation {
    let blocks = blocks::blocks(text);
    // News text has about one token per 5 bytes: reserving that much at once
    // saves the copies of a growing vector, and its doubling's peak memory on
    // long texts.
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut sentences = Vec::new();
    for block in &blocks {
        segment_block(text, block.span, &mut tokens, &mut sentences);
    }
    Segmentation {
        blocks,
        sentences,
        tokens,
    }
}

/// Appends the tokens and sentences of one block (`span`, a line of `text`)
/// to `tokens` and `sentences`: the step [`segment`] takes for each block.
pub(crate) fn segment_block(
    text: &str,
    span: Span,
    tokens: &mut Vec<Span>,
    sentences: &mut Vec<Span>,
) {
    let first = tokens.len();
    let first_sentence = sentences.len();
    let case = line_case(text, span);
    tokens::tokenize_cased(text, span, case, tokens);
    sentences::sentences_into(text, &tokens[first..], case, sentences);
    split_final_stops(text, tokens, first, &sentences[first_sentence..]);
}

/// Sentences and tokens of `text` without classifying its blocks: the lines
/// are split, tokenized and cut into sentences exactly as [`segment`] does.
/// This is the part the speed benchmark measures.
#[cfg(feature = "internals")]
pub fn sentences_and_tokens(text: &str) -> (Vec<Span>, Vec<Span>) {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut sentences = Vec::with_capacity(text.len() / 100);
    for line in blocks::line_spans(text) {
        let first = tokens.len();
        let first_sentence = sentences.len();
        let case = line_case(text, line);
        tokens::tokenize_cased(text, line, case, &mut tokens);
        sentences::sentences_into(text, &tokens[first..], case, &mut sentences);
        split_final_stops(text, &mut tokens, first, &sentences[first_sentence..]);
    }
    (sentences, tokens)
}

/// The case of the line `text[span]`, read once for its tokens and sentences.
fn line_case(text: &str, span: Span) -> LineCase {
    text.get(span.start..span.end)
        .map_or(LineCase::Usual, LineCase::of_ascii_letters)
}

/// When a sentence ends on an abbreviation (`Inc.`, `Calif.`, `N.J.`, maybe
/// followed by closing quotes or brackets), its full stop also ends the
/// sentence: as in the Penn Treebank and OntoNotes, the stop then becomes a
/// token of its own (`Inc` `.`), which is what the NER model was trained on.
/// `tokens[first..]` are the tokens of one block, `sentences` its sentences.
fn split_final_stops(text: &str, tokens: &mut Vec<Span>, first: usize, sentences: &[Span]) {
    let is_closer = |t: &Span| {
        let w = t.slice(text);
        sentences::is_closing_mark(w) || w == "\"" || w == "'"
    };
    let mut splits = Vec::new();
    let mut next = first;
    for sentence in sentences {
        // The sentence's last token, then back over its closing marks.
        while next < tokens.len() && tokens[next].end <= sentence.end {
            next += 1;
        }
        let mut last = next;
        while last > first + 1 && is_closer(&tokens[last - 1]) {
            last -= 1;
        }
        if last == first {
            continue;
        }
        let word = tokens[last - 1].slice(text);
        let stem = word.strip_suffix('.').unwrap_or("");
        // `U.S.` is the exception: OntoNotes keeps it whole there (and
        // drops the sentence's own stop).
        if !word.eq_ignore_ascii_case("U.S.")
            && stem.chars().next_back().is_some_and(char::is_alphabetic)
        {
            splits.push(last - 1);
        }
    }
    if splits.is_empty() {
        return;
    }
    let tail = tokens.split_off(first);
    let mut splits = splits.into_iter().peekable();
    for (i, t) in tail.into_iter().enumerate() {
        if splits.next_if_eq(&(first + i)).is_some() {
            tokens.push(Span::new(t.start, t.end - 1));
            tokens.push(Span::new(t.end - 1, t.end));
        } else {
            tokens.push(t);
        }
    }
}
