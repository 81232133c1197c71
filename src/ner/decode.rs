//! BILOU tags and constrained Viterbi decoding: every decoded tag sequence
//! spells valid entities (`B I* L` or `U`, one label throughout).

use crate::kernels::larger;

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
    #[cfg(feature = "internals")]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The tag for `part` of label `label` (`label` ignored for [`Part::Out`]).
    #[cfg(any(test, feature = "internals"))]
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

/// A decoder for one tag set, with the transition scores laid out for the
/// structure of BILOU.
///
/// Of the `K x K` tag pairs only 1,441 (for 18 labels) are allowed, in two
/// kinds:
/// - from a *closed* tag (`O`, `L-x`, `U-x`: no entity open) to a *starting*
///   tag (`O`, `B-y`, `U-y`): a dense `C x S` block (37 x 37), run as
///   vectorisable row operations;
/// - inside an entity, from `B-x` or `I-x` to `I-x` or `L-x`: four scores
///   per label.
#[derive(Clone, Debug)]
pub struct Decoder {
    tags: TagSet,
    learned: bool,
    /// The closed tags, ascending.
    closed: Vec<usize>,
    /// The starting tags, ascending.
    starts: Vec<usize>,
    /// Row length of the dense blocks: `starts.len()` rounded up to 8.
    sp: usize,
    /// Row length of the transposed block: `closed.len()` rounded up to 8.
    cp: usize,
    /// Score from closed tag `closed[j]` to `starts[s]` at `j * sp + s`
    /// (`-inf` in the padding).
    cs_score: Vec<f32>,
    /// `exp` of `cs_score` (0 in the padding).
    cs_weight: Vec<f32>,
    /// The same weights transposed: `starts[s]` <- `closed[j]` at `s * cp + j`.
    sc_weight: Vec<f32>,
    /// Per label, the scores of `B->I`, `I->I`, `B->L`, `I->L`.
    inside_score: Vec<[f32; 4]>,
    /// `exp` of `inside_score`.
    inside_weight: Vec<[f32; 4]>,
}

/// Reusable buffers of [`Decoder::viterbi`].
#[derive(Default)]
struct ViterbiScratch {
    gathered: Vec<f32>,
    top: Vec<f32>,
    arg: Vec<u32>,
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
        let all_finite = (0..k)
            .all(|p| (0..k).all(|n| !tags.allowed(p, n) || transitions[p * k + n].is_finite()));
        if !all_finite {
            return None;
        }
        let mut d = Self::build(tags, |p, n| transitions[p * k + n]);
        d.learned = true;
        Some(d)
    }

    fn build(tags: TagSet, score: impl Fn(usize, usize) -> f32) -> Self {
        let k = tags.len();
        let closed: Vec<usize> = (0..k).filter(|&t| tags.may_end(t)).collect();
        let starts: Vec<usize> = (0..k).filter(|&t| tags.may_start(t)).collect();
        let sp = starts.len().div_ceil(8) * 8;
        let cp = closed.len().div_ceil(8) * 8;
        let mut cs_score = vec![f32::NEG_INFINITY; closed.len() * sp];
        let mut cs_weight = vec![0f32; closed.len() * sp];
        let mut sc_weight = vec![0f32; starts.len() * cp];
        for (j, &c) in closed.iter().enumerate() {
            for (s, &t) in starts.iter().enumerate() {
                debug_assert!(tags.allowed(c, t));
                let v = score(c, t);
                cs_score[j * sp + s] = v;
                cs_weight[j * sp + s] = v.exp();
                sc_weight[s * cp + j] = v.exp();
            }
        }
        let inside_score: Vec<[f32; 4]> = (0..tags.n_labels)
            .map(|l| {
                // B, I and L of label l (see [`TagSet`]).
                let (b, i, last) = (1 + 4 * l, 2 + 4 * l, 3 + 4 * l);
                [score(b, i), score(i, i), score(b, last), score(i, last)]
            })
            .collect();
        let inside_weight = inside_score
            .iter()
            .map(|s| [s[0].exp(), s[1].exp(), s[2].exp(), s[3].exp()])
            .collect();
        Decoder {
            tags,
            learned: false,
            closed,
            starts,
            sp,
            cp,
            cs_score,
            cs_weight,
            sc_weight,
            inside_score,
            inside_weight,
        }
    }

    /// The `exp` of the score of the allowed transition `prev -> next`.
    fn weight(&self, prev: usize, next: usize) -> f32 {
        let (pp, l) = self.tags.split(prev);
        let (np, _) = self.tags.split(next);
        match (pp, np) {
            (Part::Begin, Part::Inside) => self.inside_weight[l][0],
            (Part::Inside, Part::Inside) => self.inside_weight[l][1],
            (Part::Begin, Part::Last) => self.inside_weight[l][2],
            (Part::Inside, Part::Last) => self.inside_weight[l][3],
            _ => {
                let j = self.closed.binary_search(&prev).unwrap_or(0);
                let s = self.starts.binary_search(&next).unwrap_or(0);
                self.cs_weight[j * self.sp + s]
            }
        }
    }

    /// For each `(first, last)` run of `path` (token indexes, inclusive),
    /// the probability under the chain (per-token `scores` as for
    /// [`Decoder::viterbi`], read as log-potentials, plus the transition
    /// scores, valid sequences only) that exactly those tokens carry exactly
    /// those tags: for an entity, the model's confidence in that span with
    /// that label. Computed by scaled forward-backward over the allowed
    /// transitions only (each step renormalised, so `f32` does not
    /// underflow); nothing is computed when there are no segments.
    // Not inlined: a stage of its own in profiles (BENCHMARKS.md,
    // "Where the time goes"); one call per sentence or segment.
    #[inline(never)]
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
        let (ns, sp, cp) = (self.starts.len(), self.sp, self.cp);
        // Potentials, shifted per token so the largest is 1 (the shift
        // cancels out in every probability).
        let mut pot = vec![0f32; n * k];
        for (prow, srow) in pot.chunks_exact_mut(k).zip(scores.chunks_exact(k)) {
            let top = srow.iter().fold(f32::NEG_INFINITY, |m, &v| larger(m, v));
            for (p, &s) in prow.iter_mut().zip(srow) {
                *p = (s - top).exp();
            }
        }
        let mut alpha = vec![0f32; n * k];
        let mut scale = vec![1f32; n];
        for &t in &self.starts {
            alpha[t] = pot[t];
        }
        normalize(&mut alpha[..k], &mut scale[0]);
        let mut acc = vec![0f32; sp];
        for i in 1..n {
            let (done, rest) = alpha.split_at_mut(i * k);
            let prev = &done[(i - 1) * k..];
            let cur = &mut rest[..k];
            let prow = &pot[i * k..(i + 1) * k];
            // Into the starting tags: the dense block.
            acc.fill(0.0);
            for (j, &c) in self.closed.iter().enumerate() {
                let a = prev[c];
                if a == 0.0 {
                    continue;
                }
                for (v, &wt) in acc.iter_mut().zip(&self.cs_weight[j * sp..(j + 1) * sp]) {
                    *v += a * wt;
                }
            }
            for (&t, &v) in self.starts.iter().zip(&acc) {
                cur[t] = v * prow[t];
            }
            // Inside entities.
            for (l, wt) in self.inside_weight.iter().enumerate() {
                let (b, ii, last) = (1 + 4 * l, 2 + 4 * l, 3 + 4 * l);
                cur[ii] = (prev[b] * wt[0] + prev[ii] * wt[1]) * prow[ii];
                cur[last] = (prev[b] * wt[2] + prev[ii] * wt[3]) * prow[last];
            }
            normalize(cur, &mut scale[i]);
        }
        let mut beta = vec![0f32; n * k];
        for &t in &self.closed {
            beta[(n - 1) * k + t] = 1.0;
        }
        // v[t] = pot[t] * beta[t] of the next token, per starting tag.
        let mut v = vec![0f32; ns];
        let mut acc = vec![0f32; cp];
        for i in (0..n - 1).rev() {
            let (head, tail) = beta.split_at_mut((i + 1) * k);
            let next = &tail[..k];
            let cur = &mut head[i * k..];
            let pn = &pot[(i + 1) * k..(i + 2) * k];
            let inv = 1.0 / scale[i + 1];
            for (vs, &t) in v.iter_mut().zip(&self.starts) {
                *vs = pn[t] * next[t];
            }
            // From the closed tags: the transposed dense block.
            acc.fill(0.0);
            for (s, &x) in v.iter().enumerate() {
                if x == 0.0 {
                    continue;
                }
                for (a, &wt) in acc.iter_mut().zip(&self.sc_weight[s * cp..(s + 1) * cp]) {
                    *a += x * wt;
                }
            }
            for (&c, &a) in self.closed.iter().zip(&acc) {
                cur[c] = a * inv;
            }
            for (l, wt) in self.inside_weight.iter().enumerate() {
                let (b, ii, last) = (1 + 4 * l, 2 + 4 * l, 3 + 4 * l);
                let (to_i, to_l) = (pn[ii] * next[ii], pn[last] * next[last]);
                cur[b] = (wt[0] * to_i + wt[2] * to_l) * inv;
                cur[ii] = (wt[1] * to_i + wt[3] * to_l) * inv;
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
                    p *= self.weight(path[i - 1], path[i]) * pot[i * k + path[i]] / scale[i];
                }
                p *= beta[last * k + path[last]];
                (p / z).clamp(0.0, 1.0)
            })
            .collect()
    }

    /// True if the decoder has learned transition scores.
    #[cfg(feature = "internals")]
    pub fn has_transitions(&self) -> bool {
        self.learned
    }

    /// The tag set.
    pub fn tags(&self) -> TagSet {
        self.tags
    }

    /// The best valid tag sequence for `scores` (`n x K` per-token tag
    /// scores, row-major) plus the transition scores, written to `out`
    /// (cleared first). Among equal scores the lower previous tag wins.
    // Not inlined: a stage of its own in profiles (BENCHMARKS.md,
    // "Where the time goes"); one call per sentence or segment.
    #[inline(never)]
    pub fn viterbi(&self, scores: &[f32], out: &mut Vec<usize>) {
        out.clear();
        let k = self.tags.len();
        let n = scores.len() / k;
        if n == 0 {
            return;
        }
        let neg = f32::NEG_INFINITY;
        let sp = self.sp;
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
        let mut sc = ViterbiScratch {
            gathered: vec![neg; self.closed.len()],
            top: vec![neg; sp],
            arg: vec![0; sp],
        };
        for i in 1..n {
            let row = &scores[i * k..(i + 1) * k];
            let backrow = &mut back[i * k..(i + 1) * k];
            for (g, &c) in sc.gathered.iter_mut().zip(&self.closed) {
                *g = best[c];
            }
            // Into the starting tags: for each closed tag, one pass over a
            // row of the dense block (compare and select: vectorised).
            sc.top.fill(neg);
            sc.arg.fill(0);
            for (j, &b) in sc.gathered.iter().enumerate() {
                let srow = &self.cs_score[j * sp..(j + 1) * sp];
                for ((t, a), &s) in sc.top.iter_mut().zip(sc.arg.iter_mut()).zip(srow) {
                    let v = b + s;
                    let better = v > *t;
                    *t = if better { v } else { *t };
                    *a = if better { j as u32 } else { *a };
                }
            }
            for (s, &t) in self.starts.iter().enumerate() {
                next[t] = sc.top[s] + row[t];
                backrow[t] = self.closed[sc.arg[s] as usize] as u16;
            }
            // Inside entities: two candidates each, the lower tag first.
            for (l, ts) in self.inside_score.iter().enumerate() {
                let (b, ii, last) = (1 + 4 * l, 2 + 4 * l, 3 + 4 * l);
                for (to, from_b, from_i) in [(ii, ts[0], ts[1]), (last, ts[2], ts[3])] {
                    let (mut top, mut arg) = (neg, 0usize);
                    for (p, v) in [(b, best[b] + from_b), (ii, best[ii] + from_i)] {
                        if v > top {
                            top = v;
                            arg = p;
                        }
                    }
                    next[to] = top + row[to];
                    backrow[to] = arg as u16;
                }
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

    /// The dense reference: Viterbi and forward-backward over all `K x K`
    /// pairs (the allowed ones), in `f64`, as the decoder worked before it
    /// was laid out by BILOU's structure.
    fn dense_reference(
        tags: TagSet,
        scores: &[f32],
        trans: &[f32],
        segments: &[(usize, usize)],
        path: &[usize],
    ) -> (Vec<usize>, Vec<f64>) {
        let k = tags.len();
        let n = scores.len() / k;
        let s = |i: usize, t: usize| f64::from(scores[i * k + t]);
        let tr = |p: usize, t: usize| f64::from(trans[p * k + t]);
        // Viterbi, the lower previous tag winning ties.
        let mut best: Vec<f64> = (0..k)
            .map(|t| {
                if tags.may_start(t) {
                    s(0, t)
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        let mut back = vec![0usize; n * k];
        for i in 1..n {
            let mut next = vec![f64::NEG_INFINITY; k];
            for t in 0..k {
                let mut b = f64::NEG_INFINITY;
                for p in (0..k).filter(|&p| tags.allowed(p, t)) {
                    if best[p] + tr(p, t) > b {
                        b = best[p] + tr(p, t);
                        back[i * k + t] = p;
                    }
                }
                next[t] = b + s(i, t);
            }
            best = next;
        }
        let mut last = 0;
        for t in (0..k).filter(|&t| tags.may_end(t)) {
            if best[t] > best[last] || !tags.may_end(last) {
                last = t;
            }
        }
        let mut vpath = vec![last; n];
        for i in (1..n).rev() {
            vpath[i - 1] = back[i * k + vpath[i]];
        }
        // Forward-backward in log space.
        let lse = |v: &[f64]| {
            let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if m == f64::NEG_INFINITY {
                m
            } else {
                m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
            }
        };
        let mut alpha = vec![f64::NEG_INFINITY; n * k];
        for t in (0..k).filter(|&t| tags.may_start(t)) {
            alpha[t] = s(0, t);
        }
        for i in 1..n {
            for t in 0..k {
                let terms: Vec<f64> = (0..k)
                    .filter(|&p| tags.allowed(p, t))
                    .map(|p| alpha[(i - 1) * k + p] + tr(p, t))
                    .collect();
                alpha[i * k + t] = lse(&terms) + s(i, t);
            }
        }
        let mut beta = vec![f64::NEG_INFINITY; n * k];
        for t in (0..k).filter(|&t| tags.may_end(t)) {
            beta[(n - 1) * k + t] = 0.0;
        }
        for i in (0..n - 1).rev() {
            for p in 0..k {
                let terms: Vec<f64> = (0..k)
                    .filter(|&t| tags.allowed(p, t))
                    .map(|t| tr(p, t) + s(i + 1, t) + beta[(i + 1) * k + t])
                    .collect();
                beta[i * k + p] = lse(&terms);
            }
        }
        let ends: Vec<f64> = (0..k)
            .map(|t| alpha[(n - 1) * k + t] + beta[(n - 1) * k + t])
            .collect();
        let log_z = lse(&ends);
        let probs = segments
            .iter()
            .map(|&(a, b)| {
                let mut lp = alpha[a * k + path[a]];
                for i in a + 1..=b {
                    lp += tr(path[i - 1], path[i]) + s(i, path[i]);
                }
                (lp + beta[b * k + path[b]] - log_z).exp()
            })
            .collect();
        (vpath, probs)
    }

    #[test]
    fn structured_decoder_matches_the_dense_reference() {
        let tags = TagSet { n_labels: 18 };
        let k = tags.len();
        let mut seed = 11u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 40) as f32 / (1u64 << 24) as f32
        };
        for case in 0..40 {
            let n = 1 + case % 37;
            // Peaked scores, as a trained model gives: a few tags far ahead.
            let scores: Vec<f32> = (0..n * k)
                .map(|_| {
                    let r = rnd();
                    if r > 0.93 {
                        4.0 + 6.0 * rnd()
                    } else {
                        -6.0 * rnd()
                    }
                })
                .collect();
            let trans: Vec<f32> = (0..k * k).map(|_| 2.0 * rnd() - 1.0).collect();
            let d = Decoder::with_transitions(tags, &trans).unwrap();
            let mut path = Vec::new();
            d.viterbi(&scores, &mut path);
            let segments: Vec<(usize, usize)> = (0..n)
                .flat_map(|a| (a..n.min(a + 4)).map(move |b| (a, b)))
                .collect();
            let (want_path, want) = dense_reference(tags, &scores, &trans, &segments, &path);
            assert_eq!(path, want_path, "case {case}");
            let got = d.segment_probabilities(&scores, &path, &segments);
            for ((a, b), (g, w)) in segments.iter().zip(got.iter().zip(&want)) {
                assert!(
                    (f64::from(*g) - w).abs() < 1e-4,
                    "case {case}, {a}..={b}: {g} vs {w}"
                );
            }
        }
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
