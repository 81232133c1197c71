//! The tagging network, in plain Rust: embeddings -> dense -> residual
//! window-3 convolutions with layer norm -> tag scores.
//!
//! For a document of `n` tokens with feature ids `ids` (`n x slots`):
//!
//! ```text
//! x_t  = concat over tables of (sum over the table's slots of emb[id])
//! h_t  = relu(x_t W_in + b_in)
//! for each layer: c_t = [h_{t-k}, h_t, h_{t+k}] W + b   (k: the layer's
//!                                                    dilation; zeros past the ends)
//!                 h_t = layernorm(h_t + relu(c_t)) * g + beta
//! if the model has a document layer (`pool.*` sections):
//!      p_t = mean of h_u over the other tokens u of the document with the
//!            same normalised word (both `norm` hashes equal; zeros if none)
//!      h_t = layernorm(h_t + relu([h_t, p_t] W_pool + b_pool)) * g + beta
//! s_t  = h_t W_out + b_out                               (tag logits)
//! ```
//!
//! The document layer lets every mention of a name read how the network
//! reads its other mentions, so that one clear context ("Mr. Lomas said")
//! informs the others.
//!
//! The Python trainer (`train/train.py`) computes exactly this.

use crate::kernels::{gemm, relu, PackedWeights};
use crate::model::container::i4_value;
use crate::model::{ModelError, ModelFile, Section};

/// An embedding table: int8 or 4-bit values with one scale per row.
#[derive(Clone, Debug)]
struct Table {
    rows: usize,
    dim: usize,
    codes: Codes,
    scales: Vec<f32>,
}

/// The values of a table, as the model file stores them.
#[derive(Clone, Debug)]
enum Codes {
    /// `rows x dim` values.
    I8(Vec<i8>),
    /// `rows` rows of `dim.div_ceil(2)` bytes, two values each (see
    /// [`Section::I4Rows`]), read in place: unpacking them would double the
    /// memory of the tables, and the gather's cost is the same.
    I4(Vec<u8>),
}

impl Table {
    /// Adds row `id` (in range), dequantised, to `x` (`dim` values).
    #[inline]
    fn add_row(&self, id: usize, x: &mut [f32]) {
        let scale = self.scales[id];
        match &self.codes {
            Codes::I8(data) => {
                let row = &data[id * self.dim..(id + 1) * self.dim];
                for (d, &q) in x.iter_mut().zip(row) {
                    *d += f32::from(q) * scale;
                }
            }
            Codes::I4(packed) => {
                let stride = self.dim.div_ceil(2);
                let row = &packed[id * stride..(id + 1) * stride];
                for (pair, &b) in x.chunks_mut(2).zip(row) {
                    pair[0] += f32::from(i4_value(b)) * scale;
                    if let Some(d) = pair.get_mut(1) {
                        *d += f32::from(i4_value(b >> 4)) * scale;
                    }
                }
            }
        }
    }
}

/// A dense layer `y = x W + b`: the int8 weights packed for the integer
/// kernels (`crate::kernels`), the bias in `f32`.
#[derive(Clone, Debug)]
pub(crate) struct Dense {
    w: PackedWeights,
    b: Vec<f32>,
}

impl Dense {
    pub(crate) fn load(
        file: &ModelFile,
        name: &str,
        inputs: usize,
        outputs: usize,
    ) -> Result<Self, ModelError> {
        let wname = format!("{name}.w");
        let w = match file.get(&wname)? {
            Section::I8Rows {
                rows,
                cols,
                data,
                scales,
            } if *rows == inputs
                && *cols == outputs
                && data.len() == rows * cols
                && scales.len() == *rows =>
            {
                PackedWeights::new(data, scales, inputs, outputs)
            }
            // An f32 matrix (or a wrong shape, which `matrix` reports).
            _ => PackedWeights::from_f32(&file.matrix(&wname, inputs, outputs)?, inputs, outputs),
        };
        Ok(Dense {
            w,
            b: file.f32(&format!("{name}.b"), &[outputs])?.to_vec(),
        })
    }

    pub(crate) fn outputs(&self) -> usize {
        self.w.outputs()
    }

    /// `out[r] = x_r W + b` for the `m` quantised rows in `q` (see
    /// [`Quantized`]).
    pub(crate) fn apply(&self, q: &Quantized, out: &mut [f32]) {
        gemm(
            &q.rows,
            &q.scales,
            q.m,
            &self.w,
            &self.b,
            out,
            self.w.outputs(),
        );
    }
}

/// Rows quantised for one dense layer: `m` rows of `stride` values and one
/// scale each.
#[derive(Default)]
pub(crate) struct Quantized {
    rows: Vec<i16>,
    scales: Vec<f32>,
    m: usize,
    stride: usize,
}

impl Quantized {
    /// Empties the buffer for `m` rows of `dense`'s inputs.
    pub(crate) fn reset(&mut self, dense: &Dense, m: usize) {
        self.stride = dense.w.stride();
        self.m = m;
        self.rows.resize(m * self.stride, 0);
        self.scales.resize(m, 0.0);
    }

    /// Quantises row `r` from the concatenation of `parts`.
    pub(crate) fn set(&mut self, dense: &Dense, r: usize, parts: &[&[f32]]) {
        let row = &mut self.rows[r * self.stride..(r + 1) * self.stride];
        self.scales[r] = dense.w.quantize_row(parts, row);
    }
}

/// Tokens per chunk: the convolutions run over one chunk (plus the
/// context its outputs read) at a time, so their buffers stay in the cache
/// whatever the document's length.
const CHUNK: usize = 256;

/// Zeros, for the neighbours past a document's ends.
static ZEROS: [f32; 4096] = [0.0; 4096];

/// A layer norm's gain and bias (sections `NAME.g`, `NAME.b`).
#[derive(Clone, Debug)]
pub(crate) struct LayerNorm {
    gain: Vec<f32>,
    bias: Vec<f32>,
    eps: f32,
}

impl LayerNorm {
    fn load(file: &ModelFile, name: &str, width: usize) -> Result<Self, ModelError> {
        Self::load_eps(file, name, width, 1e-5)
    }

    /// [`LayerNorm::load`] with the variance's epsilon `eps`.
    pub(crate) fn load_eps(
        file: &ModelFile,
        name: &str,
        width: usize,
        eps: f32,
    ) -> Result<Self, ModelError> {
        Ok(LayerNorm {
            gain: file.f32(&format!("{name}.g"), &[width])?.to_vec(),
            bias: file.f32(&format!("{name}.b"), &[width])?.to_vec(),
            eps,
        })
    }

    /// Normalises `v` to zero mean and unit variance, then scales and shifts it.
    pub(crate) fn apply(&self, v: &mut [f32]) {
        let n = v.len() as f32;
        let mean = sum_lanes(v, |x| x) / n;
        let var = sum_lanes(v, |x| (x - mean) * (x - mean)) / n;
        let inv = 1.0 / (var + self.eps).sqrt();
        for ((x, &g), &b) in v.iter_mut().zip(&self.gain).zip(&self.bias) {
            *x = (*x - mean) * inv * g + b;
        }
    }
}

/// The sum of `f(x)` over `v`, in eight running sums (so the compiler
/// can keep them in vector registers; a single running sum must be added
/// in order, one value at a time).
#[inline(always)]
fn sum_lanes(v: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut lanes = [0f32; 8];
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l += f(x);
        }
    }
    let tail: f32 = chunks.remainder().iter().map(|&x| f(x)).sum();
    lanes.iter().sum::<f32>() + tail
}

#[derive(Clone, Debug)]
struct ConvLayer {
    conv: Dense,
    /// Distance of the two neighbours the window reads (1: adjacent tokens).
    dilation: usize,
    norm: LayerNorm,
}

/// The document layer: each token reads the mean hidden state of the other
/// tokens of its document with the same normalised word.
#[derive(Clone, Debug)]
struct PoolLayer {
    /// `[h_t, p_t]` (2 x width) -> width.
    dense: Dense,
    norm: LayerNorm,
}

/// The network's weights.
#[derive(Clone, Debug)]
pub struct Network {
    tables: Vec<Table>,
    slot_tables: Vec<usize>,
    /// Where each table's part starts in a token's concatenated embeddings.
    offsets: Vec<usize>,
    input: Dense,
    layers: Vec<ConvLayer>,
    pool: Option<PoolLayer>,
    output: Dense,
    width: usize,
}

fn table(file: &mut ModelFile, name: &str, rows: usize) -> Result<Table, ModelError> {
    let section = format!("emb.{name}");
    let wrong_rows = |r: &usize| {
        ModelError::Invalid(format!(
            "`emb.{name}` has {r} rows, the feature spec addresses {rows}"
        ))
    };
    match file.get(&section)? {
        Section::I8Rows {
            rows: r,
            cols,
            data,
            scales,
        } if *r == rows && data.len() == r * cols && scales.len() == *r => {
            let dim = *cols;
            // Checked just above: the section is an int8 matrix.
            let (data, scales) = file.take_i8_rows(&section).unwrap_or_default();
            Ok(Table {
                rows,
                dim,
                codes: Codes::I8(data),
                scales,
            })
        }
        Section::I4Rows {
            rows: r,
            cols,
            packed,
            scales,
        } if *r == rows && packed.len() == r * cols.div_ceil(2) && scales.len() == *r => {
            let dim = *cols;
            // Checked just above: the section is a 4-bit matrix.
            let (packed, scales) = file.take_i4_rows(&section).unwrap_or_default();
            Ok(Table {
                rows,
                dim,
                codes: Codes::I4(packed),
                scales,
            })
        }
        Section::I8Rows { rows: r, .. } | Section::I4Rows { rows: r, .. } => Err(wrong_rows(r)),
        _ => Err(ModelError::Invalid(format!(
            "`emb.{name}` is not an int8 or 4-bit table"
        ))),
    }
}

impl Network {
    /// Loads the network from `file`; `rows[t]` is the number of rows the
    /// featurizer may address in table `t` (0: the table is unused) and
    /// `slot_tables[s]` the table of slot `s`.
    pub fn load(
        file: &mut ModelFile,
        table_names: &[&str],
        rows: &[usize],
        slot_tables: &[usize],
        n_tags: usize,
    ) -> Result<Self, ModelError> {
        let net = file.u32s("net")?;
        // `[width, depth]`, optionally followed by one dilation per layer.
        let (width, depth, dilations) = match *net {
            [w, d, ref dil @ ..]
                if (1..=4096).contains(&w)
                    && d <= 64
                    && (dil.is_empty() || dil.len() == d as usize)
                    && dil.iter().all(|x| (1..=64).contains(x)) =>
            {
                let dilations: Vec<usize> = if dil.is_empty() {
                    vec![1; d as usize]
                } else {
                    dil.iter().map(|&x| x as usize).collect()
                };
                (w as usize, d as usize, dilations)
            }
            _ => {
                return Err(ModelError::Invalid(format!(
                    "`net` must be [width 1-4096, depth 0-64, then one dilation 1-64 per \
                     layer or none], found {:?}{}",
                    &net[..net.len().min(8)],
                    if net.len() > 8 { " ..." } else { "" }
                )))
            }
        };
        let mut tables = Vec::new();
        for (name, &r) in table_names.iter().zip(rows) {
            if r == 0 {
                tables.push(Table {
                    rows: 0,
                    dim: 0,
                    codes: Codes::I8(Vec::new()),
                    scales: Vec::new(),
                });
            } else {
                tables.push(table(file, name, r)?);
            }
        }
        if let Some((slot, &t)) = slot_tables
            .iter()
            .enumerate()
            .find(|&(_, &t)| t >= tables.len() || tables[t].rows == 0)
        {
            return Err(ModelError::Invalid(format!(
                "feature slot {slot} reads the table `emb.{}`, which the feature spec leaves out",
                table_names.get(t).copied().unwrap_or("?")
            )));
        }
        let offsets: Vec<usize> = tables
            .iter()
            .scan(0, |at, t| {
                let here = *at;
                *at += t.dim;
                Some(here)
            })
            .collect();
        let in_dim: usize = tables.iter().map(|t| t.dim).sum();
        let input = Dense::load(file, "in", in_dim, width)?;
        let mut layers = Vec::with_capacity(depth);
        for (l, &dilation) in dilations.iter().enumerate() {
            layers.push(ConvLayer {
                conv: Dense::load(file, &format!("conv{l}"), 3 * width, width)?,
                dilation,
                norm: LayerNorm::load(file, &format!("ln{l}"), width)?,
            });
        }
        let pool = if file.has("pool.w") {
            // The word key reads slots 0 and 1, the two `norm` hashes.
            if slot_tables.len() < 2 || slot_tables[0] != 0 || slot_tables[1] != 0 {
                return Err(ModelError::Invalid(
                    "the document layer needs the two `norm` slots first".into(),
                ));
            }
            Some(PoolLayer {
                dense: Dense::load(file, "pool", 2 * width, width)?,
                norm: LayerNorm::load(file, "lnp", width)?,
            })
        } else {
            None
        };
        let output = Dense::load(file, "out", width, n_tags)?;
        Ok(Network {
            tables,
            slot_tables: slot_tables.to_vec(),
            offsets,
            input,
            layers,
            pool,
            output,
            width,
        })
    }

    /// Number of tag scores per token.
    pub fn n_tags(&self) -> usize {
        self.output.outputs()
    }

    /// How many tokens of context each side a token's logits read through
    /// the convolutions (the sum of the dilations). [`Network::forward_core`]
    /// needs this many tokens around its core, or the document's end.
    pub(crate) fn context(&self) -> usize {
        self.layers.iter().map(|l| l.dilation).sum()
    }

    /// Tag logits for a run of tokens (`ids`: `n x slots` feature ids, ids
    /// out of range count as row 0), row-major `n x n_tags`; the document
    /// layer pools over the whole run (the tools' view: the tagger runs
    /// `Network::forward_core` a segment at a time).
    #[cfg(feature = "internals")]
    pub fn forward(&self, ids: &[u32]) -> Vec<f32> {
        let n = ids.len() / self.slot_tables.len().max(1);
        self.forward_core(ids, 0..n)
    }

    /// Tag logits (`core.len() x n_tags`) of the tokens `core` of `ids`,
    /// whose tokens before and after the core are context only: the ends of
    /// `ids` are taken as the document's ends, so `ids` must reach
    /// [`Network::context`] tokens past the core on each side, or the
    /// document's end. The document layer pools over the core.
    pub(crate) fn forward_core(&self, ids: &[u32], core: std::ops::Range<usize>) -> Vec<f32> {
        self.forward_chunked(ids, core, CHUNK)
    }

    /// [`Network::forward_core`] with `chunk` tokens per chunk (tests
    /// compare chunk sizes).
    fn forward_chunked(&self, ids: &[u32], core: std::ops::Range<usize>, chunk: usize) -> Vec<f32> {
        let slots = self.slot_tables.len();
        if slots == 0 {
            return Vec::new();
        }
        let n = ids.len() / slots;
        let core = core.start.min(n)..core.end.min(n);
        let w = self.width;
        let mut bufs = Buffers::default();
        // The convolutions' output for every core token.
        let mut h = vec![0f32; core.len() * w];
        let reach = self.context();
        for start in core.clone().step_by(chunk) {
            let end = (start + chunk).min(core.end);
            let lo = start.saturating_sub(reach);
            let hi = (end + reach).min(n);
            self.convolutions(&ids[lo * slots..hi * slots], &mut bufs);
            h[(start - core.start) * w..(end - core.start) * w]
                .copy_from_slice(&bufs.h[(start - lo) * w..(end - lo) * w]);
        }
        if let Some(pool) = &self.pool {
            pool.apply(
                &mut h,
                &ids[core.start * slots..core.end * slots],
                slots,
                w,
                &mut bufs,
            );
        }
        let k = self.output.outputs();
        let mut out = vec![0f32; core.len() * k];
        for start in (0..core.len()).step_by(CHUNK) {
            let end = (start + CHUNK).min(core.len());
            bufs.q.reset(&self.output, end - start);
            for t in start..end {
                bufs.q
                    .set(&self.output, t - start, &[&h[t * w..(t + 1) * w]]);
            }
            self.output.apply(&bufs.q, &mut out[start * k..end * k]);
        }
        out
    }

    /// The embeddings, the input layer and the convolutions over all the
    /// tokens of `ids` (its ends are the document's), into `bufs.h`.
    fn convolutions(&self, ids: &[u32], bufs: &mut Buffers) {
        let slots = self.slot_tables.len();
        let m = ids.len() / slots;
        let w = self.width;
        let in_dim = self.input.w.inputs();
        // Embeddings, concatenated per token, quantised for the input layer.
        bufs.x.clear();
        bufs.x.resize(in_dim, 0.0);
        bufs.q.reset(&self.input, m);
        for tok in 0..m {
            let x = &mut bufs.x;
            x.fill(0.0);
            for (s, &ti) in self.slot_tables.iter().enumerate() {
                let t = &self.tables[ti];
                let id = ids[tok * slots + s] as usize;
                let id = if id < t.rows { id } else { 0 };
                let at = self.offsets[ti];
                t.add_row(id, &mut x[at..at + t.dim]);
            }
            bufs.q.set(&self.input, tok, &[x]);
        }
        bufs.h.clear();
        bufs.h.resize(m * w, 0.0);
        self.input.apply(&bufs.q, &mut bufs.h);
        for v in bufs.h.iter_mut() {
            *v = relu(*v);
        }
        // Residual convolutions.
        bufs.c.clear();
        bufs.c.resize(m * w, 0.0);
        let zeros = &ZEROS[..w];
        for layer in &self.layers {
            let d = layer.dilation;
            bufs.q.reset(&layer.conv, m);
            for t in 0..m {
                let h = &bufs.h;
                let before = if t >= d {
                    &h[(t - d) * w..(t - d + 1) * w]
                } else {
                    zeros
                };
                let after = if t + d < m {
                    &h[(t + d) * w..(t + d + 1) * w]
                } else {
                    zeros
                };
                bufs.q
                    .set(&layer.conv, t, &[before, &h[t * w..(t + 1) * w], after]);
            }
            layer.conv.apply(&bufs.q, &mut bufs.c);
            for (hrow, crow) in bufs.h.chunks_exact_mut(w).zip(bufs.c.chunks_exact(w)) {
                for (hv, &cv) in hrow.iter_mut().zip(crow) {
                    *hv += relu(cv);
                }
                layer.norm.apply(hrow);
            }
        }
    }
}

/// Scratch space of one forward pass, reused across chunks.
#[derive(Default)]
struct Buffers {
    /// One token's embeddings.
    x: Vec<f32>,
    /// Quantised inputs of the layer at work.
    q: Quantized,
    /// Hidden states of a chunk.
    h: Vec<f32>,
    /// A layer's outputs for a chunk.
    c: Vec<f32>,
}

impl PoolLayer {
    /// The document layer over `h` (`n x w`, the tokens of `ids`), in place.
    fn apply(&self, h: &mut [f32], ids: &[u32], slots: usize, w: usize, bufs: &mut Buffers) {
        let n = h.len() / w;
        // Positions grouped by word key (the two `norm` hashes).
        let mut order: Vec<(u64, u32)> = (0..n)
            .map(|t| {
                let key = u64::from(ids[t * slots]) << 32 | u64::from(ids[t * slots + 1]);
                (key, t as u32)
            })
            .collect();
        order.sort_unstable();
        // For each token of a word seen more than once: the index of its
        // word's sum of hidden states, and how many other tokens share it.
        let mut group_of = vec![(u32::MAX, 0u32); n];
        let mut sums: Vec<f32> = Vec::new();
        for group in order.chunk_by(|a, b| a.0 == b.0) {
            if group.len() < 2 {
                continue;
            }
            let g = sums.len() / w;
            sums.resize(sums.len() + w, 0.0);
            let sum = &mut sums[g * w..];
            for &(_, t) in group {
                let t = t as usize;
                for (s, &x) in sum.iter_mut().zip(&h[t * w..(t + 1) * w]) {
                    *s += x;
                }
                group_of[t] = (g as u32, group.len() as u32 - 1);
            }
        }
        drop(order);
        // h = LN(h + relu([h, p] W + b)), a chunk of tokens at a time (each
        // token's update reads only its own rows of h and p), where p is the
        // mean of the other mentions (zeros for a word seen once).
        let zeros = &ZEROS[..w];
        let mut p = vec![0f32; w];
        for start in (0..n).step_by(CHUNK) {
            let end = (start + CHUNK).min(n);
            bufs.q.reset(&self.dense, end - start);
            for t in start..end {
                let hrow = &h[t * w..(t + 1) * w];
                let (g, others) = group_of[t];
                let mean: &[f32] = if g == u32::MAX {
                    zeros
                } else {
                    let inv = 1.0 / others as f32;
                    let sum = &sums[g as usize * w..(g as usize + 1) * w];
                    for ((pv, &s), &x) in p.iter_mut().zip(sum).zip(hrow) {
                        *pv = (s - x) * inv;
                    }
                    &p
                };
                bufs.q.set(&self.dense, t - start, &[hrow, mean]);
            }
            bufs.c.clear();
            bufs.c.resize((end - start) * w, 0.0);
            self.dense.apply(&bufs.q, &mut bufs.c);
            for (hrow, rrow) in h[start * w..end * w]
                .chunks_exact_mut(w)
                .zip(bufs.c.chunks_exact(w))
            {
                for (hv, &rv) in hrow.iter_mut().zip(rrow) {
                    *hv += relu(rv);
                }
                self.norm.apply(hrow);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::annotator::DEFAULT_MODEL;
    use crate::ner::Tagger;
    use crate::segment;

    /// Feature ids of a text of about `words` tokens of our own writing,
    /// with names that repeat (so the document layer has work).
    fn ids(tagger: &Tagger, words: usize) -> (Vec<u32>, usize) {
        let base = "Marta Okafor, who chairs Lindqvist Shipping in Rotterdam, said on \
                    Tuesday that the company would hire 300 people. Okafor met the mayor \
                    of Rotterdam in March. ";
        let mut text = String::new();
        while text.split_whitespace().count() < words {
            text.push_str(base);
        }
        let seg = segment::segment(&text);
        let ids = tagger.featurizer().unwrap().featurize(&text, &seg.tokens);
        (ids, seg.tokens.len())
    }

    #[test]
    fn chunk_size_does_not_change_the_logits() {
        let tagger = Tagger::from_bytes(DEFAULT_MODEL).unwrap();
        let net = tagger.network().unwrap();
        let (ids, n) = ids(&tagger, 700);
        let whole = net.forward_chunked(&ids, 0..n, n);
        for chunk in [1, 5, 64, 256] {
            assert!(
                net.forward_chunked(&ids, 0..n, chunk) == whole,
                "chunks of {chunk}"
            );
        }
    }

    #[test]
    fn context_past_the_core_is_enough() {
        let tagger = Tagger::from_bytes(DEFAULT_MODEL).unwrap();
        let net = tagger.network().unwrap();
        let (ids, n) = ids(&tagger, 400);
        let slots = ids.len() / n;
        let reach = net.context();
        assert_eq!(reach, 8);
        for (a, b) in [(0, 40), (100, 180), (n - 50, n), (3, 4)] {
            let (lo, hi) = (a.saturating_sub(reach), (b + reach).min(n));
            let cut = net.forward_core(&ids[lo * slots..hi * slots], a - lo..b - lo);
            let full = net.forward_core(&ids, a..b);
            assert!(cut == full, "core {a}..{b}");
            // One token less of context on a side that has it changes them.
            if a > reach {
                let short =
                    net.forward_core(&ids[(lo + 1) * slots..hi * slots], a - lo - 1..b - lo - 1);
                assert!(short != full, "core {a}..{b}");
            }
        }
    }
}
