//! Named-entity recognition over tokens.
//!
//! [`features`] turns tokens into feature ids, [`network`] turns those into
//! tag scores, [`decode`] picks the best valid BILOU sequence per sentence;
//! [`Tagger`] ties them together with the model file.

pub(crate) mod decode;
pub(crate) mod features;
pub(crate) mod labels;
pub(crate) mod network;
pub(crate) mod wordpiece;

use crate::document::Entity;
use crate::model::{ModelError, ModelFile};
use crate::span::Span;
use decode::{Decoder, Part, TagSet};
use features::{FeatureSpec, Featurizer, Vocabulary, TABLE_NAMES};
use network::Network;
use std::collections::HashMap;
use std::ops::Range;
use wordpiece::WordPieces;

/// A loaded NER model, ready to tag text.
#[derive(Clone, Debug)]
pub struct Tagger {
    labels: Vec<&'static str>,
    featurizer: Featurizer,
    network: Network,
    decoder: Decoder,
    document_consistency: bool,
}

impl Tagger {
    /// Loads a tagger from the bytes of a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut file = ModelFile::parse(bytes)?;
        let mut labels = Vec::new();
        for name in file.strings("labels")? {
            let info = labels::lookup(name).ok_or_else(|| {
                ModelError::Invalid(format!("`labels` names an unknown entity label `{name}`"))
            })?;
            if labels.contains(&info.name) {
                return Err(ModelError::Invalid(format!(
                    "`labels` names `{name}` twice"
                )));
            }
            labels.push(info.name);
        }
        if labels.is_empty() {
            return Err(ModelError::Invalid("`labels` is empty".into()));
        }
        let spec_values = file.u32s("features")?;
        let spec = FeatureSpec::from_u32s(spec_values).ok_or_else(|| {
            ModelError::Invalid(format!(
                "`features` must be six table sizes (five rows > 0, word-piece slots <= 16) \
                 and optionally a vocabulary size, found {:?}{}",
                &spec_values[..spec_values.len().min(8)],
                if spec_values.len() > 8 { " ..." } else { "" }
            ))
        })?;
        let wordpieces =
            if spec.wordpiece_slots > 0 {
                Some(WordPieces::new(file.strings("wordpieces")?).ok_or_else(|| {
                    ModelError::Invalid("`wordpieces` has no `[UNK]` piece".into())
                })?)
            } else {
                None
            };
        let mut featurizer = Featurizer::new(spec.clone(), wordpieces);
        if spec.vector_words > 0 {
            let words = file.strings("vocabulary")?;
            featurizer = featurizer
                .with_vocabulary(Vocabulary::new(words))
                .ok_or_else(|| {
                    ModelError::Invalid(format!(
                        "`vocabulary` has {} words, `features` says {}",
                        words.len(),
                        spec.vector_words
                    ))
                })?;
        }
        let tags = TagSet {
            n_labels: labels.len(),
        };
        let network = Network::load(
            &mut file,
            &TABLE_NAMES,
            &featurizer.table_rows(),
            &spec.slot_tables(),
            tags.len(),
        )?;
        // A model trained as a CRF carries its learned transition scores.
        let decoder = if file.has("crf.trans") {
            let k = tags.len();
            Decoder::with_transitions(tags, file.f32("crf.trans", &[k, k])?)
                .ok_or_else(|| ModelError::Invalid("`crf.trans` has a non-finite score".into()))?
        } else {
            Decoder::new(tags)
        };
        Ok(Tagger {
            labels,
            featurizer,
            network,
            decoder,
            document_consistency: false,
        })
    }

    /// The labels this model emits.
    pub fn labels(&self) -> &[&'static str] {
        &self.labels
    }

    /// The feature extractor of this model.
    #[cfg(any(test, feature = "train"))]
    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// True if the model was trained as a CRF and decodes with learned
    /// transition scores.
    #[cfg(feature = "train")]
    pub fn has_transitions(&self) -> bool {
        self.decoder.has_transitions()
    }

    /// The network of this model.
    #[cfg(any(test, feature = "train"))]
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Raw tag logits (`tokens.len() x n_tags`, BILOU order of
    /// [`decode::TagSet`]) for the tokens of one document, its document
    /// layer pooling over all of them (the tools' view; [`Tagger::tag`]
    /// runs the network a segment at a time).
    #[cfg(feature = "train")]
    pub fn logits(&self, text: &str, tokens: &[Span]) -> Vec<f32> {
        let ids = self.featurizer.featurize(text, tokens);
        self.network.forward(&ids)
    }

    /// Finds the entities in `text`, given its tokens and sentences (byte
    /// spans, sorted; every token inside one sentence). Entities are sorted,
    /// do not overlap, start and end on token boundaries and never cross a
    /// sentence boundary.
    pub fn tag(&self, text: &str, tokens: &[Span], sentences: &[Span]) -> Vec<Entity> {
        let k = self.network.n_tags();
        let reach = self.network.context();
        let runs = split_long_runs(sentence_runs(tokens, sentences), MAX_RUN);
        // (first token, last token, label, score) of each decoded entity.
        let mut found: Vec<(usize, usize, usize, f32)> = Vec::new();
        // With document consistency: each entity's label mass.
        let mut masses: Vec<Vec<f32>> = Vec::new();
        let mut decoding = Decoding::default();
        let mut next = 0;
        while next < runs.len() {
            // A segment: whole runs, at most SEGMENT tokens. The network
            // reads `reach` tokens of context past its ends, and its document
            // layer pools over the segment.
            let first = next;
            let a = runs[first].start;
            next += 1;
            while next < runs.len() && runs[next].end - a <= SEGMENT {
                next += 1;
            }
            let b = runs[next - 1].end;
            let (lo, hi) = (a.saturating_sub(reach), (b + reach).min(tokens.len()));
            let ids = self.featurizer.featurize(text, &tokens[lo..hi]);
            // Raw logits: a per-token shift (the log-softmax's) changes
            // neither the Viterbi path nor any probability of the chain.
            let mut scores = self.network.forward_core(&ids, a - lo..b - lo);
            if scores.len() != (b - a) * k {
                return Vec::new();
            }
            let before = found.len();
            for run in &runs[first..next] {
                let run_scores = &scores[(run.start - a) * k..(run.end - a) * k];
                decoding.run(&self.decoder, run_scores, run.start, &mut found);
            }
            if self.document_consistency {
                for srow in scores.chunks_exact_mut(k) {
                    log_softmax(srow);
                }
                for &(f, l, _, _) in &found[before..] {
                    masses.push(self.label_mass(&scores[(f - a) * k..(l + 1 - a) * k]));
                }
            }
        }
        if self.document_consistency {
            self.harmonize(text, tokens, &masses, &mut found);
        }
        found
            .into_iter()
            .filter_map(|(first, last, label, score)| {
                Some(Entity {
                    span: Span::new(
                        tokens[first].start,
                        tokens[last].end.max(tokens[first].start),
                    ),
                    label: self.labels.get(label)?,
                    score,
                })
            })
            .collect()
    }

    /// The mean probability of each label over an entity's tokens, from
    /// their log-softmaxed scores.
    fn label_mass(&self, scores: &[f32]) -> Vec<f32> {
        let k = self.network.n_tags();
        let mut d = vec![0f32; self.labels.len()];
        let count = (scores.len() / k).max(1) as f32;
        for row in scores.chunks_exact(k) {
            for (l, v) in d.iter_mut().enumerate() {
                *v += row[1 + 4 * l..5 + 4 * l]
                    .iter()
                    .map(|s| s.exp())
                    .sum::<f32>()
                    / count;
            }
        }
        d
    }

    /// Turns document-level label consistency on or off (off by default:
    /// it lowered dev F1, see DESIGN.md):
    /// every mention with the same text gets the label the model favours
    /// over all of them together.
    #[cfg(feature = "train")]
    pub fn set_document_consistency(&mut self, on: bool) {
        self.document_consistency = on;
    }

    /// Relabels entities with the same surface text to the label with the
    /// highest probability mass summed over all their mentions (`masses`:
    /// each entity's, from [`Tagger::label_mass`]).
    fn harmonize(
        &self,
        text: &str,
        tokens: &[Span],
        masses: &[Vec<f32>],
        found: &mut [(usize, usize, usize, f32)],
    ) {
        let n_labels = self.labels.len();
        let mut mass: HashMap<&str, Vec<f32>> = HashMap::new();
        let mut keys = Vec::with_capacity(found.len());
        for (&(first, last, _, _), d) in found.iter().zip(masses) {
            let key = Span::new(
                tokens[first].start,
                tokens[last].end.max(tokens[first].start),
            )
            .slice(text);
            let entry = mass.entry(key).or_insert_with(|| vec![0f32; n_labels]);
            for (m, v) in entry.iter_mut().zip(d) {
                *m += v;
            }
            keys.push(key);
        }
        for (e, key) in found.iter_mut().zip(keys) {
            if let Some(m) = mass.get(key) {
                let best = m
                    .iter()
                    .enumerate()
                    .fold(
                        (e.2, f32::NEG_INFINITY),
                        |b, (l, &v)| if v > b.1 { (l, v) } else { b },
                    );
                e.2 = best.0;
            }
        }
    }
}

/// Tokens per segment: the network runs over at most this many tokens (of
/// whole sentences) at a time, so memory stays bounded for any text, and its
/// document layer pools over a segment. 8,192 tokens are about 40 KB of
/// text, more than any OntoNotes dev document (the longest has 2,978), so
/// a news article is always one segment.
const SEGMENT: usize = 8192;

/// Longest run of tokens decoded as one sequence: a "sentence" longer than
/// this (a text without stops or line breaks) is decoded in pieces, and no
/// entity crosses a piece's end.
const MAX_RUN: usize = 1024;

/// Cuts runs longer than `max` tokens into pieces of at most `max`.
fn split_long_runs(runs: Vec<Range<usize>>, max: usize) -> Vec<Range<usize>> {
    if runs.iter().all(|r| r.len() <= max) {
        return runs;
    }
    runs.into_iter()
        .flat_map(|r| {
            (r.start..r.end)
                .step_by(max)
                .map(move |s| s..(s + max).min(r.end))
        })
        .collect()
}

/// The decoder's buffers, reused across runs.
#[derive(Default)]
struct Decoding {
    path: Vec<usize>,
    segments: Vec<(usize, usize)>,
    labels: Vec<usize>,
}

impl Decoding {
    /// Decodes one run (its scores, its first token's index `offset`) and
    /// appends its entities to `found`.
    fn run(
        &mut self,
        decoder: &Decoder,
        scores: &[f32],
        offset: usize,
        found: &mut Vec<(usize, usize, usize, f32)>,
    ) {
        let tagset = decoder.tags();
        decoder.viterbi(scores, &mut self.path);
        self.segments.clear();
        self.labels.clear();
        let mut open: Option<usize> = None;
        for (i, &tag) in self.path.iter().enumerate() {
            let (part, label) = tagset.split(tag);
            match part {
                Part::Out => open = None,
                Part::Begin => open = Some(i),
                Part::Inside => {}
                Part::Last | Part::Unit => {
                    let first = match (part, open.take()) {
                        (Part::Last, Some(first)) => first,
                        _ => i,
                    };
                    self.segments.push((first, i));
                    self.labels.push(label);
                }
            }
        }
        // An entity's score: the probability of exactly that span and label.
        let probs = decoder.segment_probabilities(scores, &self.path, &self.segments);
        for ((&(first, last), &label), &p) in self.segments.iter().zip(&self.labels).zip(&probs) {
            found.push((offset + first, offset + last, label, p));
        }
    }
}

/// Splits token indices into runs, one per sentence (tokens outside every
/// sentence form runs of their own between sentences).
fn sentence_runs(tokens: &[Span], sentences: &[Span]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut sent = 0;
    let mut current: Option<usize> = None;
    for (i, t) in tokens.iter().enumerate() {
        while sent < sentences.len() && sentences[sent].end <= t.start {
            sent += 1;
        }
        let here = (sent < sentences.len() && sentences[sent].start <= t.start).then_some(sent);
        if i > start && here != current {
            runs.push(start..i);
            start = i;
        }
        current = here;
    }
    if start < tokens.len() {
        runs.push(start..tokens.len());
    }
    runs
}

fn log_softmax(v: &mut [f32]) {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = v.iter().map(|x| (x - max).exp()).sum();
    let lse = max + sum.ln();
    for x in v.iter_mut() {
        *x -= lse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_follow_sentences() {
        let toks = [
            Span::new(0, 1),
            Span::new(2, 3),
            Span::new(4, 5),
            Span::new(6, 7),
        ];
        let sents = [Span::new(0, 3), Span::new(4, 7)];
        assert_eq!(sentence_runs(&toks, &sents), vec![0..2, 2..4]);
        assert_eq!(sentence_runs(&toks, &[]), vec![0..4]);
        assert_eq!(
            sentence_runs(&toks, &[Span::new(2, 5)]),
            vec![0..1, 1..3, 3..4]
        );
    }
}
