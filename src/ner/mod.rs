//! Named-entity recognition over tokens.
//!
//! [`features`] turns tokens into feature ids, [`network`] turns those into
//! tag scores (or, in the accurate model, [`transformer`] turns the tokens'
//! word pieces into them), [`decode`] picks the best valid BILOU sequence per
//! sentence; [`Tagger`] ties them together with the model file.

pub(crate) mod decode;
pub(crate) mod features;
pub(crate) mod labels;
pub(crate) mod network;
pub(crate) mod strmap;
pub(crate) mod transformer;
pub(crate) mod wordpiece;

use crate::document::Entity;
use crate::model::{ModelError, ModelFile};
use crate::span::Span;
use decode::{Decoder, Part, TagSet};
use features::{FeatureSpec, Featurizer, Vocabulary, TABLE_NAMES};
use network::Network;
use std::collections::HashMap;
use std::ops::Range;
use transformer::Transformer;
use wordpiece::WordPieces;

/// A loaded NER model, ready to tag text.
#[derive(Clone, Debug)]
pub struct Tagger {
    labels: Vec<&'static str>,
    scorer: Scorer,
    decoder: Decoder,
    document_consistency: bool,
    /// A surname alone takes its full name's label: see
    /// [`crate::cluster::person_short_forms`].
    person_short_forms: bool,
}

/// What turns tokens into tag scores: the CNN over hashed features (the
/// default and lite models) or the transformer (the accurate model).
// A tagger holds one: the size of the larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
enum Scorer {
    Cnn {
        featurizer: Featurizer,
        network: Network,
    },
    Transformer(Box<Transformer>),
}

impl Scorer {
    fn n_tags(&self) -> usize {
        match self {
            Scorer::Cnn { network, .. } => network.n_tags(),
            Scorer::Transformer(t) => t.n_tags(),
        }
    }

    /// Tokens of context each side the scores of a token read.
    fn context(&self) -> usize {
        match self {
            Scorer::Cnn { network, .. } => network.context(),
            Scorer::Transformer(t) => t.context(),
        }
    }

    /// Raw scores (`core.len() x n_tags`) of the tokens `core` of `tokens`,
    /// the others context (see [`Network::forward_core`]).
    fn scores(&self, text: &str, tokens: &[Span], core: Range<usize>) -> Vec<f32> {
        match self {
            Scorer::Cnn {
                featurizer,
                network,
            } => network.forward_core(&featurizer.featurize(text, tokens), core),
            Scorer::Transformer(t) => t.scores(text, tokens, core),
        }
    }
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
        let tags = TagSet {
            n_labels: labels.len(),
        };
        let scorer = if transformer::is_transformer(&file) {
            Scorer::Transformer(Box::new(Transformer::load(&mut file, tags.len())?))
        } else {
            Self::load_cnn(&mut file, tags)?
        };
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
            scorer,
            decoder,
            document_consistency: false,
            person_short_forms: true,
        })
    }

    /// The CNN of a default or lite model file.
    fn load_cnn(file: &mut ModelFile, tags: TagSet) -> Result<Scorer, ModelError> {
        let spec_values = file.u32s("features")?;
        let spec = FeatureSpec::from_u32s(spec_values).ok_or_else(|| {
            ModelError::Invalid(format!(
                "`features` must be six table sizes (five rows > 0, word-piece slots <= 16), \
                 optionally a vocabulary size and then the option bits (1: line case), found {:?}{}",
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
            let vocabulary = Vocabulary::new(words)
                .ok_or_else(|| ModelError::Invalid("`vocabulary` is longer than 4 GiB".into()))?;
            featurizer = featurizer.with_vocabulary(vocabulary).ok_or_else(|| {
                ModelError::Invalid(format!(
                    "`vocabulary` has {} words, `features` says {}",
                    words.len(),
                    spec.vector_words
                ))
            })?;
        }
        let network = Network::load(
            file,
            &TABLE_NAMES,
            &featurizer.table_rows(),
            &spec.slot_tables(),
            tags.len(),
        )?;
        Ok(Scorer::Cnn {
            featurizer,
            network,
        })
    }

    /// The labels this model emits.
    pub fn labels(&self) -> &[&'static str] {
        &self.labels
    }

    /// The feature extractor of this model (`None` for the transformer).
    #[cfg(any(test, feature = "internals"))]
    pub fn featurizer(&self) -> Option<&Featurizer> {
        match &self.scorer {
            Scorer::Cnn { featurizer, .. } => Some(featurizer),
            Scorer::Transformer(_) => None,
        }
    }

    /// True for the accurate model (a transformer), false for a CNN.
    #[cfg(feature = "internals")]
    pub fn is_transformer(&self) -> bool {
        matches!(self.scorer, Scorer::Transformer(_))
    }

    /// The transformer's word pieces of one token (`None` for a CNN): the
    /// tools' parity check.
    #[cfg(feature = "internals")]
    pub fn transformer_pieces(&self, word: &str) -> Option<(Vec<u32>, u8)> {
        match &self.scorer {
            Scorer::Transformer(t) => {
                let mut out = Vec::new();
                t.token_pieces(word, &mut out);
                Some((out, transformer::case_class(word)))
            }
            Scorer::Cnn { .. } => None,
        }
    }

    /// True if the model was trained as a CRF and decodes with learned
    /// transition scores.
    #[cfg(feature = "internals")]
    pub fn has_transitions(&self) -> bool {
        self.decoder.has_transitions()
    }

    /// The network of this model (`None` for the transformer).
    #[cfg(any(test, feature = "internals"))]
    pub fn network(&self) -> Option<&Network> {
        match &self.scorer {
            Scorer::Cnn { network, .. } => Some(network),
            Scorer::Transformer(_) => None,
        }
    }

    /// Raw tag logits (`tokens.len() x n_tags`, BILOU order of
    /// [`decode::TagSet`]) for the tokens of one document, its document
    /// layer pooling over all of them (the tools' view; [`Tagger::tag`]
    /// runs the network a segment at a time).
    #[cfg(feature = "internals")]
    pub fn logits(&self, text: &str, tokens: &[Span]) -> Vec<f32> {
        self.scorer.scores(text, tokens, 0..tokens.len())
    }

    /// Finds the entities in `text`, given its tokens and sentences (byte
    /// spans, sorted; every token inside one sentence). Entities are sorted,
    /// do not overlap, start and end on token boundaries and never cross a
    /// sentence boundary.
    #[cfg(any(test, feature = "internals"))]
    pub fn tag(&self, text: &str, tokens: &[Span], sentences: &[Span]) -> Vec<Entity> {
        let mut stream = self.stream(text);
        stream.push(tokens, sentences);
        stream.finish()
    }

    /// A tagger for `text` whose tokens and sentences arrive a block at a
    /// time ([`TagStream::push`]): it keeps only the tokens it has not tagged
    /// yet (and the few before them that the network reads), so a long text
    /// never has all its tokens in memory. The entities are those of
    /// [`Tagger::tag`] on all the tokens at once.
    pub(crate) fn stream<'a>(&'a self, text: &'a str) -> TagStream<'a> {
        TagStream {
            tagger: self,
            text,
            tokens: Vec::new(),
            sentences: Vec::new(),
            kept: 0,
            next: 0,
            found: Vec::new(),
            masses: Vec::new(),
            decoding: Decoding::default(),
            failed: false,
        }
    }

    /// The mean probability of each label over an entity's tokens, from
    /// their log-softmaxed scores.
    fn label_mass(&self, scores: &[f32]) -> Vec<f32> {
        let k = self.scorer.n_tags();
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
    /// it lowered dev F1, see docs/experiments/ner.md):
    /// every mention with the same text gets the label the model favours
    /// over all of them together.
    #[cfg(feature = "internals")]
    pub fn set_document_consistency(&mut self, on: bool) {
        self.document_consistency = on;
    }

    /// Turns off (or on again) the relabelling of a single-word `ORG` as
    /// the person whose full name the text holds (on by default: see
    /// `cluster::person_short_forms` and [`crate::Entity::label`]), to
    /// measure what it does.
    #[cfg(feature = "internals")]
    pub fn set_person_short_forms(&mut self, on: bool) {
        self.person_short_forms = on;
    }

    /// Relabels entities with the same surface text to the label with the
    /// highest probability mass summed over all their mentions (`masses`:
    /// each entity's, from [`Tagger::label_mass`]).
    fn harmonize(&self, text: &str, masses: &[Vec<f32>], found: &mut [(Span, usize, f32)]) {
        let n_labels = self.labels.len();
        let mut mass: HashMap<&str, Vec<f32>> = HashMap::new();
        for ((span, _, _), d) in found.iter().zip(masses) {
            let entry = mass
                .entry(span.slice(text))
                .or_insert_with(|| vec![0f32; n_labels]);
            for (m, v) in entry.iter_mut().zip(d) {
                *m += v;
            }
        }
        for e in found.iter_mut() {
            if let Some(m) = mass.get(e.0.slice(text)) {
                let best = m
                    .iter()
                    .enumerate()
                    .fold(
                        (e.1, f32::NEG_INFINITY),
                        |b, (l, &v)| if v > b.1 { (l, v) } else { b },
                    );
                e.1 = best.0;
            }
        }
    }
}

/// See [`Tagger::stream`].
pub(crate) struct TagStream<'a> {
    tagger: &'a Tagger,
    text: &'a str,
    /// The window of tokens: `tokens[kept..]` are still needed (`next -
    /// kept` of them, at most the network's reach, as context only).
    tokens: Vec<Span>,
    /// The sentences of the window (and possibly some before it).
    sentences: Vec<Span>,
    kept: usize,
    /// Index in `tokens` of the first token not tagged yet.
    next: usize,
    /// (span, label, score) of each entity found.
    found: Vec<(Span, usize, f32)>,
    /// With document consistency: each entity's label mass.
    masses: Vec<Vec<f32>>,
    decoding: Decoding,
    /// The network gave no logits (an unusable model): no entities.
    failed: bool,
}

impl TagStream<'_> {
    /// Adds the next tokens and sentences of the text (sorted, after those
    /// pushed before; every sentence whole), and tags every segment whose
    /// extent is now known.
    pub(crate) fn push(&mut self, tokens: &[Span], sentences: &[Span]) {
        self.tokens.extend_from_slice(tokens);
        self.sentences.extend_from_slice(sentences);
        // A segment starting at `next` ends before `next + SEGMENT`, or
        // inside a run (at most MAX_RUN long) that starts before it; its
        // context reaches `reach` tokens further.
        let horizon = SEGMENT + MAX_RUN + self.tagger.scorer.context();
        while self.tokens.len() - self.next >= horizon {
            self.tag_segment(horizon);
        }
    }

    /// Tags what is left and returns every entity, sorted.
    pub(crate) fn finish(mut self) -> Vec<Entity> {
        while self.next < self.tokens.len() {
            let rest = self.tokens.len() - self.next;
            self.tag_segment(rest);
        }
        if self.failed {
            return Vec::new();
        }
        let mut found = std::mem::take(&mut self.found);
        if self.tagger.document_consistency {
            self.tagger.harmonize(self.text, &self.masses, &mut found);
        }
        let mut entities: Vec<Entity> = found
            .into_iter()
            .filter_map(|(span, label, score)| {
                Some(Entity {
                    span,
                    label: self.tagger.labels.get(label)?,
                    score,
                })
            })
            .collect();
        let person = self
            .tagger
            .labels
            .iter()
            .find(|&&l| l == "PERSON" || l == "PER");
        if let (true, Some(&person)) = (self.tagger.person_short_forms, person) {
            for i in crate::cluster::person_short_forms(self.text, &entities, person) {
                entities[i].label = person;
            }
        }
        entities
    }

    /// Tags one segment from `next`: whole runs (sentences, or pieces of a
    /// run longer than MAX_RUN), at most SEGMENT tokens, decided from the
    /// runs of the next `horizon` tokens. The network reads `reach` tokens of
    /// context past its ends, and its document layer pools over the segment.
    fn tag_segment(&mut self, horizon: usize) {
        let tagger = self.tagger;
        let k = tagger.scorer.n_tags();
        let reach = tagger.scorer.context();
        let ahead = &self.tokens[self.next..(self.next + horizon).min(self.tokens.len())];
        let runs = split_long_runs(sentence_runs(ahead, &self.sentences), MAX_RUN);
        let mut count = 1;
        while count < runs.len() && runs[count].end <= SEGMENT {
            count += 1;
        }
        let (a, b) = (self.next, self.next + runs[count - 1].end);
        let (lo, hi) = (
            a.saturating_sub(reach).max(self.kept),
            (b + reach).min(self.tokens.len()),
        );
        // Raw logits: a per-token shift (the log-softmax's) changes
        // neither the Viterbi path nor any probability of the chain.
        let mut scores = tagger
            .scorer
            .scores(self.text, &self.tokens[lo..hi], a - lo..b - lo);
        if scores.len() != (b - a) * k {
            self.failed = true;
        } else {
            let mut decoded = Vec::new();
            for run in &runs[..count] {
                let run_scores = &scores[(run.start) * k..(run.end) * k];
                self.decoding
                    .run(&tagger.decoder, run_scores, a + run.start, &mut decoded);
            }
            if tagger.document_consistency {
                for srow in scores.chunks_exact_mut(k) {
                    log_softmax(srow);
                }
                for &(f, l, _, _) in &decoded {
                    self.masses
                        .push(tagger.label_mass(&scores[(f - a) * k..(l + 1 - a) * k]));
                }
            }
            let tokens = &self.tokens;
            self.found
                .extend(decoded.into_iter().map(|(f, l, label, p)| {
                    (
                        Span::new(tokens[f].start, tokens[l].end.max(tokens[f].start)),
                        label,
                        p,
                    )
                }));
        }
        self.next = b;
        // Forget what no later segment reads; compact when that is at least
        // half the window, so dropping costs O(1) per token.
        self.kept = b.saturating_sub(reach).max(self.kept);
        if self.kept * 2 >= self.tokens.len() {
            let first = self.tokens.get(self.kept).map_or(usize::MAX, |t| t.start);
            self.tokens.drain(..self.kept);
            self.next -= self.kept;
            self.kept = 0;
            let gone = self.sentences.partition_point(|s| s.end <= first);
            self.sentences.drain(..gone);
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

    #[test]
    fn a_surname_alone_takes_the_full_names_label_and_nothing_else_moves() {
        // The default model reads this invented surname alone as an
        // organisation; with its full name before it, it is the founder. (A
        // new default model that reads it right needs another surname here:
        // #68 reads `Reyvik`, the surname before it, right alone.)
        let text = "Coach Anders Kvalheim founded the club in 2004. A spokesman for Kvalheim \
                    declined to comment.";
        let seg = crate::segment::segment(text);
        let mut tagger = Tagger::from_bytes(crate::annotator::DEFAULT_MODEL).unwrap();
        let on = tagger.tag(text, &seg.tokens, &seg.sentences);
        tagger.person_short_forms = false;
        let off = tagger.tag(text, &seg.tokens, &seg.sentences);
        let label = |ents: &[Entity], name: &str| {
            let e = ents.iter().rev().find(|e| e.span.slice(text) == name);
            e.map(|e| e.label)
        };
        assert_eq!(label(&off, "Kvalheim"), Some("ORG"), "{off:?}");
        assert_eq!(label(&on, "Kvalheim"), Some("PERSON"), "{on:?}");
        assert_eq!(on.len(), off.len());
        for (a, b) in on.iter().zip(&off) {
            assert_eq!((a.span, a.score), (b.span, b.score));
            assert!(a.label == b.label || (b.label, a.label) == ("ORG", "PERSON"));
        }
    }
}
