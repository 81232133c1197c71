//! Transcript copies for training (issue #29, experiment #67): a copy of a
//! conversation's transcript (OntoNotes' `bc` and `tc` documents) with the
//! listener's short noises written in, as transcripts of talk shows and
//! interviews write them (`Mm.`, `Uh-huh.`, `Hmm, ...`).
//!
//! OntoNotes train has few of them, and some common ones never (`Mm`, 84
//! times in the dev set's transcripts, is not in train once): a model that
//! has never seen a short capitalised word standing alone as a sentence
//! reads it as a name. Here such words are inserted, each no entity, in two
//! places:
//! - after a sentence, as a sentence of their own (`Mm.`, `Hmm?`,
//!   `Mm, mm.`), on 12% of sentence ends;
//! - before a sentence, followed by a comma (`Um, we went there.`), on 4%
//!   of sentence starts; the sentence's first word then loses its capital
//!   unless it is part of an entity, `I`, or not a plain word.
//!
//! The words are a list written here, many and varied (not only the ones
//! the dev set holds), so that the shape is learnt rather than one word.
//! The inserted tokens are [`TranscriptCopy::constructed`]: their label (no
//! entity) is known from the construction, as with the synthetic pages.

use crate::corpus::Doc;
use crate::synthetic_pages::Rng;
use newsmark::internals::segment::tokens::tokenize;
use newsmark::Span;

/// Interjections and back-channel noises of spoken English. Not `Oh`: it
/// is also a surname (`Oh Kyeong Taek`, read as a noise by #67's model on
/// webnews), and the corpus' conversations already write it often.
const NOISES: &[&str] = &[
    "Mm", "Mmm", "Mm-hmm", "Hmm", "Hm", "Mhm", "Uh-huh", "Uh", "Um", "Er", "Erm", "Ah", "Aha",
    "Eh", "Huh", "Ooh", "Aw", "Ugh", "Whoa", "Yeah", "Yep", "Nah", "Uh-oh", "Hmph", "Ahh",
];

/// What ends a noise written as a sentence of its own.
const ENDINGS: &[&str] = &[".", ".", ".", "?", "!", "..."];

/// Percent of sentence ends followed by a noise, and of sentence starts
/// opened by one.
const AFTER: u64 = 12;
const BEFORE: u64 = 4;

/// A transcript with noises written in.
#[derive(Clone, Debug)]
pub struct TranscriptCopy {
    /// The copy: the original's tokens, sentences and entities moved, and
    /// the noises' tokens added.
    pub doc: Doc,
    /// For each token: added here (its label, no entity, is known).
    pub constructed: Vec<bool>,
}

/// Whether `doc` is a conversation's transcript (broadcast conversation or
/// telephone conversation).
pub fn is_transcript(doc: &Doc) -> bool {
    matches!(doc.genre.as_str(), "bc" | "tc")
}

/// One insertion into the original text.
struct Insertion {
    /// Byte offset in the original text.
    at: usize,
    text: String,
    /// A sentence of its own (after a sentence), else the opening of the
    /// sentence that starts at `at`.
    own_sentence: bool,
}

/// `doc` with noises written in, drawn from `seed`; `None` if no insertion
/// was drawn or the document's spans are out of order.
pub fn with_noises(doc: &Doc, seed: u64) -> Option<TranscriptCopy> {
    let mut rng = Rng(seed);
    let mut sentences = doc.sentences.clone();
    sentences.sort_by_key(|s| s.start);
    if sentences.windows(2).any(|w| w[0].end > w[1].start) {
        return None;
    }
    let mut inserts: Vec<Insertion> = Vec::new();
    for s in &sentences {
        let after_space = s.start == 0 || doc.text[..s.start].ends_with(char::is_whitespace);
        if after_space && rng.chance(BEFORE) {
            let noise = *rng.pick(NOISES);
            inserts.push(Insertion {
                at: s.start,
                text: format!("{noise}, "),
                own_sentence: false,
            });
        }
        let rest = &doc.text[s.end..];
        if (rest.is_empty() || rest.starts_with(char::is_whitespace)) && rng.chance(AFTER) {
            let noise = *rng.pick(NOISES);
            let text = if rng.chance(15) {
                format!(" {noise}, {}.", noise.to_lowercase())
            } else {
                format!(" {noise}{}", rng.pick(ENDINGS))
            };
            inserts.push(Insertion {
                at: s.end,
                text,
                own_sentence: true,
            });
        }
    }
    if inserts.is_empty() {
        return None;
    }
    // Insertions are in text order: an end's before the next start's.
    let mut text = String::with_capacity(doc.text.len() + 8 * inserts.len());
    let mut added: Vec<(Span, bool)> = Vec::new();
    let mut copied = 0;
    for ins in &inserts {
        text.push_str(&doc.text[copied..ins.at]);
        copied = ins.at;
        let at = text.len();
        text.push_str(&ins.text);
        let tokens = tokenize(&ins.text);
        for t in &tokens {
            added.push((Span::new(at + t.start, at + t.end), false));
        }
        if let (true, Some(a), Some(b)) = (ins.own_sentence, tokens.first(), tokens.last()) {
            added.push((Span::new(at + a.start, at + b.end), true));
        }
    }
    text.push_str(&doc.text[copied..]);
    // An original offset's new place: moved by every insertion before it;
    // one at the offset itself moves it only if `at_too` (a token's start
    // follows an insertion there, a sentence's start takes in an opening).
    let moved = |x: usize, at_too: bool| -> usize {
        x + inserts
            .iter()
            .filter(|i| i.at < x || (at_too && i.at == x))
            .map(|i| i.text.len())
            .sum::<usize>()
    };
    let shift = |s: &Span| Span::new(moved(s.start, true), moved(s.end, false));
    let mut tokens: Vec<(Span, bool)> = doc.tokens.iter().map(|t| (shift(t), false)).collect();
    let mut new_sentences: Vec<Span> = sentences
        .iter()
        .map(|s| Span::new(moved(s.start, false), moved(s.end, false)))
        .collect();
    for (span, is_sentence) in added {
        if is_sentence {
            new_sentences.push(span);
        } else {
            tokens.push((span, true));
        }
    }
    tokens.sort_by_key(|(t, _)| (t.start, t.end));
    new_sentences.sort_by_key(|s| s.start);
    let entities: Vec<(Span, String)> = doc
        .entities
        .iter()
        .map(|(s, l)| (shift(s), l.clone()))
        .collect();
    // After an opening noise, the sentence's first word in lower case.
    let mut bytes = text.into_bytes();
    for ins in inserts.iter().filter(|i| !i.own_sentence) {
        let start = moved(ins.at, true);
        let Some((first, _)) = tokens.iter().find(|(t, c)| !c && t.start == start) else {
            continue;
        };
        let word = &bytes[first.start..first.end];
        let plain = word.len() > 1
            && word[0].is_ascii_uppercase()
            && word[1..].iter().all(u8::is_ascii_lowercase);
        let named = entities
            .iter()
            .any(|(s, _)| s.start <= first.start && first.end <= s.end);
        if plain && !named {
            bytes[first.start] = bytes[first.start].to_ascii_lowercase();
        }
    }
    let text = String::from_utf8(bytes).ok()?;
    let (tokens, constructed) = tokens.into_iter().unzip();
    Some(TranscriptCopy {
        doc: Doc {
            id: format!("{}#talk", doc.id),
            genre: doc.genre.clone(),
            text,
            tokens,
            sentences: new_sentences,
            entities,
            // A training copy is never scored.
            gold: Vec::new(),
        },
        constructed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, entities: &[(&str, &str)]) -> Doc {
        let tokens = tokenize(text);
        let mut sentences = Vec::new();
        let mut first = 0;
        for (i, t) in tokens.iter().enumerate() {
            if matches!(&text[t.start..t.end], "." | "?") {
                sentences.push(Span::new(tokens[first].start, t.end));
                first = i + 1;
            }
        }
        let entities = entities
            .iter()
            .map(|(name, label)| {
                let at = text.find(name).unwrap();
                (Span::new(at, at + name.len()), label.to_string())
            })
            .collect();
        Doc {
            id: "bc/test/00/test_0001#0".into(),
            genre: "bc".into(),
            text: text.into(),
            tokens,
            sentences,
            entities,
            gold: Vec::new(),
        }
    }

    #[test]
    fn the_copy_keeps_every_original_token_sentence_and_entity() {
        let text = "Where did you grow up? In Chengdu, mostly. My father worked for Sichuan \
                    Airlines then. We moved to Beijing in 1998. Really? Yes. Was it hard? \
                    Not at first. Then it was. Fights every day.";
        let original = doc(
            text,
            &[
                ("Chengdu", "GPE"),
                ("Sichuan Airlines", "ORG"),
                ("Beijing", "GPE"),
                ("1998", "DATE"),
            ],
        );
        let mut changed = 0;
        for seed in 0..200 {
            let Some(copy) = with_noises(&original, seed) else {
                continue;
            };
            changed += 1;
            let d = &copy.doc;
            assert_eq!(d.tokens.len(), copy.constructed.len());
            // Every original token is there with its text (one first
            // letter may have lost its capital).
            let kept: Vec<&str> = d
                .tokens
                .iter()
                .zip(&copy.constructed)
                .filter(|(_, &c)| !c)
                .map(|(t, _)| t.slice(&d.text))
                .collect();
            let before: Vec<&str> = original.tokens.iter().map(|t| t.slice(text)).collect();
            assert_eq!(kept.len(), before.len());
            for (a, b) in kept.iter().zip(&before) {
                assert!(a.eq_ignore_ascii_case(b), "{a} {b}");
            }
            // Entities keep their text and label.
            for ((s, l), (o, ol)) in d.entities.iter().zip(&original.entities) {
                assert_eq!((s.slice(&d.text), l), (o.slice(text), ol));
            }
            // Tokens in order, inside the text, each inside one sentence.
            assert!(d.tokens.windows(2).all(|w| w[0].end <= w[1].start));
            for t in &d.tokens {
                assert!(d
                    .sentences
                    .iter()
                    .any(|s| s.start <= t.start && t.end <= s.end));
            }
            // Added tokens are the noises and their punctuation.
            for (t, _) in d.tokens.iter().zip(&copy.constructed).filter(|(_, &c)| c) {
                let w = t.slice(&d.text);
                assert!(
                    NOISES.iter().any(|n| n.eq_ignore_ascii_case(w))
                        || w.chars().all(|c| ".,?!-".contains(c)),
                    "{w:?}"
                );
            }
            assert!(d.sentences.len() >= original.sentences.len());
        }
        assert!(changed > 100, "{changed} of 200 seeds changed the text");
    }

    #[test]
    fn an_opening_noise_lowers_the_first_word_unless_it_is_a_name() {
        let original = doc(
            "So we left. Beijing was cold. So cold.",
            &[("Beijing", "GPE")],
        );
        let mut seen = (false, false);
        for seed in 0..2000 {
            let Some(copy) = with_noises(&original, seed) else {
                continue;
            };
            let t = &copy.doc.text;
            assert!(!t.contains(", Beijing") || t.contains(", Beijing was"));
            assert!(!t.contains(", beijing"));
            seen.0 |= t.contains(", so ");
            seen.1 |= t.contains(", Beijing");
        }
        assert!(seen.0 && seen.1, "{seen:?}");
    }

    #[test]
    fn only_conversations_are_transcripts() {
        let mut d = doc("Hi.", &[]);
        assert!(is_transcript(&d));
        d.genre = "nw".into();
        assert!(!is_transcript(&d));
    }
}
