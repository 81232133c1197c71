//! Named-entity recognition over tokens.
//!
//! [`features`] turns tokens into feature ids, [`network`] turns those into
//! tag scores, [`decode`] picks the best valid BILOU sequence per sentence;
//! [`Tagger`] ties them together with the model file.

pub mod decode;
pub mod features;
pub mod labels;
pub mod network;
pub mod score;
pub mod wordpiece;

use crate::document::Entity;
use crate::model::{ModelError, ModelFile};
use crate::span::Span;
use decode::{Decoder, Part, TagSet};
use features::{FeatureSpec, Featurizer, Vocabulary, TABLE_NAMES};
use network::Network;
use std::collections::HashMap;
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
        let file = ModelFile::parse(bytes)?;
        let mut labels = Vec::new();
        for name in file.strings("labels")? {
            let info = labels::lookup(name)
                .ok_or_else(|| ModelError::Invalid(format!("unknown entity label `{name}`")))?;
            if labels.contains(&info.name) {
                return Err(ModelError::Invalid(format!("label `{name}` given twice")));
            }
            labels.push(info.name);
        }
        if labels.is_empty() {
            return Err(ModelError::Invalid("the model has no labels".into()));
        }
        let spec = FeatureSpec::from_u32s(file.u32s("features")?)
            .ok_or_else(|| ModelError::Invalid("bad `features` section".into()))?;
        let wordpieces = if spec.wordpiece_slots > 0 {
            Some(
                WordPieces::new(file.strings("wordpieces")?)
                    .ok_or_else(|| ModelError::Invalid("word pieces without [UNK]".into()))?,
            )
        } else {
            None
        };
        let mut featurizer = Featurizer::new(spec.clone(), wordpieces);
        if spec.vector_words > 0 {
            featurizer = featurizer
                .with_vocabulary(Vocabulary::new(file.strings("vocabulary")?))
                .ok_or_else(|| {
                    ModelError::Invalid("`vocabulary` does not have the spec's length".into())
                })?;
        }
        let tags = TagSet {
            n_labels: labels.len(),
        };
        let network = Network::load(
            &file,
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
    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// True if the model was trained as a CRF and decodes with learned
    /// transition scores.
    pub fn has_transitions(&self) -> bool {
        self.decoder.has_transitions()
    }

    /// The network of this model.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Raw tag logits (`tokens.len() x n_tags`, BILOU order of
    /// [`decode::TagSet`]) for the tokens of one document.
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
        // Raw logits: a per-token shift (the log-softmax's) changes neither
        // the Viterbi path nor any probability of the chain.
        let mut scores = self.logits(text, tokens);
        if scores.len() != tokens.len() * k {
            return Vec::new();
        }
        let tagset = self.decoder.tags();
        // (first token, last token, label, score) of each decoded entity.
        let mut found: Vec<(usize, usize, usize, f32)> = Vec::new();
        let mut path = Vec::new();
        let mut segments = Vec::new();
        let mut labels = Vec::new();
        for run in sentence_runs(tokens, sentences) {
            let run_scores = &scores[run.start * k..run.end * k];
            self.decoder.viterbi(run_scores, &mut path);
            segments.clear();
            labels.clear();
            let mut open: Option<usize> = None;
            for (i, &tag) in path.iter().enumerate() {
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
                        segments.push((first, i));
                        labels.push(label);
                    }
                }
            }
            // An entity's score: the probability of exactly that span and label.
            let probs_of = self
                .decoder
                .segment_probabilities(run_scores, &path, &segments);
            for ((&(first, last), &label), &p) in segments.iter().zip(&labels).zip(&probs_of) {
                found.push((run.start + first, run.start + last, label, p));
            }
        }
        if self.document_consistency {
            // Per-token tag probabilities, only this pass needs them.
            for srow in scores.chunks_exact_mut(k) {
                log_softmax(srow);
            }
            let probs: Vec<f32> = scores.iter().map(|s| s.exp()).collect();
            self.harmonize(text, tokens, &probs, &mut found);
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

    /// Turns document-level label consistency on or off (off by default:
    /// it lowered dev F1, see DESIGN.md):
    /// every mention with the same text gets the label the model favours
    /// over all of them together.
    pub fn set_document_consistency(&mut self, on: bool) {
        self.document_consistency = on;
    }

    /// Relabels entities with the same surface text to the label with the
    /// highest probability mass summed over all their mentions.
    fn harmonize(
        &self,
        text: &str,
        tokens: &[Span],
        probs: &[f32],
        found: &mut [(usize, usize, usize, f32)],
    ) {
        let k = self.network.n_tags();
        let n_labels = self.labels.len();
        let mut mass: HashMap<&str, Vec<f32>> = HashMap::new();
        let mut dists = Vec::with_capacity(found.len());
        for &(first, last, _, _) in found.iter() {
            let mut d = vec![0f32; n_labels];
            for tok in first..=last {
                let row = &probs[tok * k..(tok + 1) * k];
                for (l, v) in d.iter_mut().enumerate() {
                    *v += row[1 + 4 * l..5 + 4 * l].iter().sum::<f32>();
                }
            }
            let key = Span::new(
                tokens[first].start,
                tokens[last].end.max(tokens[first].start),
            )
            .slice(text);
            let entry = mass.entry(key).or_insert_with(|| vec![0f32; n_labels]);
            let count = (last + 1 - first) as f32;
            for (m, v) in entry.iter_mut().zip(&d) {
                *m += v / count;
            }
            dists.push(key);
        }
        for (e, key) in found.iter_mut().zip(dists) {
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

/// Splits token indices into runs, one per sentence (tokens outside every
/// sentence form runs of their own between sentences).
fn sentence_runs(tokens: &[Span], sentences: &[Span]) -> Vec<std::ops::Range<usize>> {
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
