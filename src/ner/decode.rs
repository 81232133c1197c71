//! BILOU tags and constrained Viterbi decoding: every decoded tag sequence
//! spells valid entities (`B I* L` or `U`, one label throughout).

/// The BILOU tag set over `n_labels` labels: tag 0 is `O`; label `i` has
/// `B = 1 + 4i`, `I = 2 + 4i`, `L = 3 + 4i`, `U = 4 + 4i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TagSet {
    /// Number of entity labels.
    pub n_labels: usize,
}

/// The position of a tag inside an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Outside any entity.
    Out,
    /// First token of a multi-token entity.
    Begin,
    /// Inside a multi-token entity.
    Inside,
    /// Last token of a multi-token entity.
    Last,
    /// A one-token entity.
    Unit,
}

impl TagSet {
    /// Number of tags (`1 + 4 * n_labels`).
    pub fn len(&self) -> usize {
        1 + 4 * self.n_labels
    }

    /// Always false: there is always the `O` tag.
    #[cfg(feature = "train")]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The tag for `part` of label `label` (`label` ignored for [`Part::Out`]).
    #[cfg(any(test, feature = "train"))]
    pub fn tag(&self, part: Part, label: usize) -> usize {
        match part {
            Part::Out => 0,
            Part::Begin => 1 + 4 * label,
            Part::Inside => 2 + 4 * label,
            Part::Last => 3 + 4 * label,
            Part::Unit => 4 + 4 * label,
        }
    }

    /// The part and label of `tag`.
    pub fn split(&self, tag: usize) -> (Part, usize) {
        if tag == 0 {
            return (Part::Out, 0);
        }
        let part = match (tag - 1) % 4 {
            0 => Part::Begin,
            1 => Part::Inside,
            2 => Part::Last,
            _ => Part::Unit,
        };
        (part, (tag - 1) / 4)
    }

    /// Whether `next` may follow `prev`.
    pub fn allowed(&self, prev: usize, next: usize) -> bool {
        let (pp, pl) = self.split(prev);
        let (np, nl) = self.split(next);
        match pp {
            Part::Begin | Part::Inside => matches!(np, Part::Inside | Part::Last) && nl == pl,
            _ => matches!(np, Part::Out | Part::Begin | Part::Unit),
        }
    }

    /// Whether a sentence may start with `tag`.
    pub fn may_start(&self, tag: usize) -> bool {
        matches!(self.split(tag).0, Part::Out | Part::Begin | Part::Unit)
    }

    /// Whether a sentence may end with `tag`.
    pub fn may_end(&self, tag: usize) -> bool {
        matches!(self.split(tag).0, Part::Out | Part::Last | Part::Unit)
    }
}

/// A decoder for one tag set: precomputed predecessor lists and, for a
/// model trained as a CRF, learned transition scores.
#[derive(Clone, Debug)]
pub struct Decoder {
    tags: TagSet,
    learned: bool,
    /// `exp` of each transition score, `K x K` (0 where not allowed).
    weights: Vec<f32>,
    /// For each tag, the tags that may follow it, with `exp` of the score.
    succs: Vec<Vec<(u16, f32)>>,
    /// For each tag, the tags that may precede it, with `exp` of the score.
    preds_exp: Vec<Vec<(u16, f32)>>,
    /// For each tag, the tags that may precede it, with the score of that
    /// transition (0 without learned transitions).
    preds: Vec<Vec<(u16, f32)>>,
}

impl Decoder {
    /// A decoder for `tags`, every valid transition scored 0.
    pub fn new(tags: TagSet) -> Self {
        Self::build(tags, |_, _| 0.0)
    }

    /// A decoder for `tags` that adds `transitions[prev * K + next]` (`K x K`,
    /// row-major, `K = tags.len()`) to a path's score for each step from tag
    /// `prev` to tag `next`; `None` if `transitions` has the wrong length or
    /// a valid transition's score is not finite.
    pub fn with_transitions(tags: TagSet, transitions: &[f32]) -> Option<Self> {
        let k = tags.len();
        if transitions.len() != k * k {
            return None;
        }
        let mut d = Self::build(tags, |p, n| transitions[p * k + n]);
        d.learned = true;
        d.preds
            .iter()
            .flatten()
            .all(|(_, s)| s.is_finite())
            .then_some(d)
    }

    fn build(tags: TagSet, score: impl Fn(usize, usize) -> f32) -> Self {
        let k = tags.len();
        let preds: Vec<Vec<(u16, f32)>> = (0..k)
            .map(|next| {
                (0..k)
                    .filter(|&p| tags.allowed(p, next))
                    .map(|p| (p as u16, score(p, next)))
                    .collect()
            })
            .collect();
        let mut weights = vec![0f32; k * k];
        let mut succs = vec![Vec::new(); k];
        let mut preds_exp = vec![Vec::new(); k];
        for (next, list) in preds.iter().enumerate() {
            for &(p, s) in list {
                let w = s.exp();
                weights[p as usize * k + next] = w;
                succs[p as usize].push((next as u16, w));
                preds_exp[next].push((p, w));
            }
        }
        Decoder {
            tags,
            learned: false,
            weights,
            succs,
            preds_exp,
            preds,
        }
    }

    /// For each `(first, last)` run of `path` (token indexes, inclusive),
    /// the probability under the chain (per-token `scores` as for
    /// [`Decoder::viterbi`], read as log-potentials, plus the transition
    /// scores, valid sequences only) that exactly those tokens carry exactly
    /// those tags: for an entity, the model's confidence in that span with
    /// that label. Computed by scaled forward-backward (each step
    /// renormalised, so `f32` does not underflow); nothing is computed
    /// when there are no segments.
    pub fn segment_probabilities(
        &self,
        scores: &[f32],
        path: &[usize],
        segments: &[(usize, usize)],
    ) -> Vec<f32> {
        let k = self.tags.len();
        let n = scores.len() / k;
        if n == 0 || path.len() != n || segments.is_empty() {
            return vec![0.0; segments.len()];
        }
        // Potentials, shifted per token so the largest is 1 (the shift
        // cancels out in every probability).
        let mut pot = vec![0f32; n * k];
        for (prow, srow) in pot.chunks_exact_mut(k).zip(scores.chunks_exact(k)) {
            let top = srow.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            for (p, &s) in prow.iter_mut().zip(srow) {
                *p = (s - top).exp();
            }
        }
        let mut alpha = vec![0f32; n * k];
        let mut scale = vec![1f32; n];
        for t in 0..k {
            if self.tags.may_start(t) {
                alpha[t] = pot[t];
            }
        }
        normalize(&mut alpha[..k], &mut scale[0]);
        for i in 1..n {
            let (done, rest) = alpha.split_at_mut(i * k);
            let prev = &done[(i - 1) * k..];
            let cur = &mut rest[..k];
            for (t, slot) in cur.iter_mut().enumerate() {
                let sum: f32 = self.preds_exp[t]
                    .iter()
                    .map(|&(p, w)| prev[p as usize] * w)
                    .sum();
                *slot = sum * pot[i * k + t];
            }
            normalize(cur, &mut scale[i]);
        }
        let mut beta = vec![0f32; n * k];
        for t in 0..k {
            if self.tags.may_end(t) {
                beta[(n - 1) * k + t] = 1.0;
            }
        }
        for i in (0..n - 1).rev() {
            let (head, tail) = beta.split_at_mut((i + 1) * k);
            let next = &tail[..k];
            let cur = &mut head[i * k..];
            let pot_next = &pot[(i + 1) * k..(i + 2) * k];
            let inv = 1.0 / scale[i + 1];
            for (p, slot) in cur.iter_mut().enumerate() {
                let sum: f32 = self.succs[p]
                    .iter()
                    .map(|&(t, w)| w * pot_next[t as usize] * next[t as usize])
                    .sum();
                *slot = sum * inv;
            }
        }
        let z: f32 = (0..k)
            .map(|t| alpha[(n - 1) * k + t] * beta[(n - 1) * k + t])
            .sum();
        segments
            .iter()
            .map(|&(first, last)| {
                if z <= 0.0 || !z.is_finite() || first > last || last >= n {
                    return 0.0;
                }
                let mut p = alpha[first * k + path[first]];
                for i in first + 1..=last {
                    p *= self.weights[path[i - 1] * k + path[i]] * pot[i * k + path[i]] / scale[i];
                }
                p *= beta[last * k + path[last]];
                (p / z).clamp(0.0, 1.0)
            })
            .collect()
    }

    /// True if the decoder has learned transition scores.
    #[cfg(feature = "train")]
    pub fn has_transitions(&self) -> bool {
        self.learned
    }

    /// The tag set.
    pub fn tags(&self) -> TagSet {
        self.tags
    }

    /// The best valid tag sequence for `scores` (`n x K` per-token tag
    /// scores, row-major) plus the transition scores, written to `out`
    /// (cleared first).
    pub fn viterbi(&self, scores: &[f32], out: &mut Vec<usize>) {
        out.clear();
        let k = self.tags.len();
        let n = scores.len() / k;
        if n == 0 {
            return;
        }
        let neg = f32::NEG_INFINITY;
        let mut best: Vec<f32> = (0..k)
            .map(|t| {
                if self.tags.may_start(t) {
                    scores[t]
                } else {
                    neg
                }
            })
            .collect();
        let mut back = vec![0u16; n * k];
        let mut next = vec![neg; k];
        for i in 1..n {
            let row = &scores[i * k..(i + 1) * k];
            for (t, slot) in next.iter_mut().enumerate() {
                let mut b = neg;
                let mut arg = 0u16;
                for &(p, s) in &self.preds[t] {
                    let v = best[p as usize] + s;
                    if v > b {
                        b = v;
                        arg = p;
                    }
                }
                *slot = b + row[t];
                back[i * k + t] = arg;
            }
            std::mem::swap(&mut best, &mut next);
        }
        let mut last = 0;
        let mut b = neg;
        for (t, &v) in best.iter().enumerate() {
            if self.tags.may_end(t) && v > b {
                b = v;
                last = t;
            }
        }
        out.resize(n, 0);
        out[n - 1] = last;
        for i in (1..n).rev() {
            out[i - 1] = back[i * k + out[i]] as usize;
        }
    }
}

/// Divides `v` by its sum, which goes to `scale` (1 if the sum is 0).
fn normalize(v: &mut [f32], scale: &mut f32) {
    let sum: f32 = v.iter().sum();
    *scale = if sum > 0.0 && sum.is_finite() {
        sum
    } else {
        1.0
    };
    for x in v.iter_mut() {
        *x /= *scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viterbi_repairs_invalid_argmax() {
        let tags = TagSet { n_labels: 2 };
        let d = Decoder::new(tags);
        let k = tags.len();
        // Argmax per token would be I-0, L-1: invalid. The decoder must
        // return a valid sequence.
        let mut s = vec![-10.0f32; 2 * k];
        s[tags.tag(Part::Inside, 0)] = -0.1;
        s[tags.tag(Part::Begin, 0)] = -1.0;
        s[k + tags.tag(Part::Last, 1)] = -0.1;
        s[k + tags.tag(Part::Last, 0)] = -1.5;
        let mut out = Vec::new();
        d.viterbi(&s, &mut out);
        assert_eq!(out, vec![tags.tag(Part::Begin, 0), tags.tag(Part::Last, 0)]);
    }

    #[test]
    fn learned_transitions_change_the_path() {
        let tags = TagSet { n_labels: 1 };
        let k = tags.len();
        // Per token, U-0 is slightly ahead of B-0 / L-0 ...
        let mut s = vec![-10.0f32; 2 * k];
        for row in 0..2 {
            s[row * k + tags.tag(Part::Unit, 0)] = -0.5;
        }
        s[tags.tag(Part::Begin, 0)] = -0.7;
        s[k + tags.tag(Part::Last, 0)] = -0.7;
        let mut out = Vec::new();
        Decoder::new(tags).viterbi(&s, &mut out);
        assert_eq!(out, vec![tags.tag(Part::Unit, 0); 2]);
        // ... but a learned bonus for B -> L makes one two-token entity win.
        let mut trans = vec![0.0f32; k * k];
        trans[tags.tag(Part::Begin, 0) * k + tags.tag(Part::Last, 0)] = 1.0;
        let d = Decoder::with_transitions(tags, &trans).unwrap();
        d.viterbi(&s, &mut out);
        assert_eq!(out, vec![tags.tag(Part::Begin, 0), tags.tag(Part::Last, 0)]);
        assert!(Decoder::with_transitions(tags, &trans[1..]).is_none());
        trans[tags.tag(Part::Begin, 0) * k + tags.tag(Part::Last, 0)] = f32::NAN;
        assert!(Decoder::with_transitions(tags, &trans).is_none());
    }

    /// Every valid tag sequence of `n` tokens with its unnormalised weight.
    fn brute_force(d: &Decoder, scores: &[f32], trans: &[f32]) -> Vec<(Vec<usize>, f64)> {
        let tags = d.tags();
        let k = tags.len();
        let n = scores.len() / k;
        let mut out = Vec::new();
        let mut path = vec![0usize; n];
        loop {
            let valid = tags.may_start(path[0])
                && tags.may_end(path[n - 1])
                && path.windows(2).all(|w| tags.allowed(w[0], w[1]));
            if valid {
                let mut s: f64 = (0..n).map(|i| f64::from(scores[i * k + path[i]])).sum();
                s += path
                    .windows(2)
                    .map(|w| f64::from(trans[w[0] * k + w[1]]))
                    .sum::<f64>();
                out.push((path.clone(), s.exp()));
            }
            let mut i = 0;
            loop {
                if i == n {
                    return out;
                }
                path[i] += 1;
                if path[i] < k {
                    break;
                }
                path[i] = 0;
                i += 1;
            }
        }
    }

    #[test]
    fn segment_probabilities_match_enumeration() {
        let tags = TagSet { n_labels: 2 };
        let k = tags.len();
        let n = 4;
        let scores: Vec<f32> = (0..n * k)
            .map(|i| ((i * 37 % 11) as f32 - 5.0) * 0.4)
            .collect();
        let trans: Vec<f32> = (0..k * k)
            .map(|i| ((i * 13 % 7) as f32 - 3.0) * 0.3)
            .collect();
        let d = Decoder::with_transitions(tags, &trans).unwrap();
        let mut path = Vec::new();
        d.viterbi(&scores, &mut path);
        let all = brute_force(&d, &scores, &trans);
        let z: f64 = all.iter().map(|(_, w)| w).sum();
        let segments: Vec<(usize, usize)> =
            (0..n).flat_map(|a| (a..n).map(move |b| (a, b))).collect();
        let got = d.segment_probabilities(&scores, &path, &segments);
        for (&(a, b), &g) in segments.iter().zip(&got) {
            let want: f64 = all
                .iter()
                .filter(|(p, _)| p[a..=b] == path[a..=b])
                .map(|(_, w)| w)
                .sum::<f64>()
                / z;
            assert!(
                (f64::from(g) - want).abs() < 1e-5,
                "{a}..{b}: {g} vs {want}"
            );
        }
        // The whole best path is the most probable sequence.
        let best = all.iter().map(|(_, w)| w / z).fold(0.0, f64::max);
        assert!(
            (f64::from(got[segments.iter().position(|&s| s == (0, n - 1)).unwrap()]) - best).abs()
                < 1e-5
        );
    }

    #[test]
    fn every_transition_rule() {
        let tags = TagSet { n_labels: 3 };
        for p in 0..tags.len() {
            for n in 0..tags.len() {
                let (pp, pl) = tags.split(p);
                let (np, nl) = tags.split(n);
                let open = matches!(pp, Part::Begin | Part::Inside);
                let cont = matches!(np, Part::Inside | Part::Last);
                assert_eq!(
                    tags.allowed(p, n),
                    if open { cont && pl == nl } else { !cont }
                );
            }
        }
    }
}
