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

use crate::model::{ModelError, ModelFile, Section};

/// An embedding table, int8 with one scale per row.
#[derive(Clone, Debug)]
struct Table {
    rows: usize,
    dim: usize,
    data: Vec<i8>,
    scales: Vec<f32>,
}

/// A dense layer `y = x W + b`, `W` stored `[inputs][outputs]`.
#[derive(Clone, Debug)]
struct Dense {
    inputs: usize,
    outputs: usize,
    w: Vec<f32>,
    b: Vec<f32>,
}

impl Dense {
    fn load(
        file: &ModelFile,
        name: &str,
        inputs: usize,
        outputs: usize,
    ) -> Result<Self, ModelError> {
        Ok(Dense {
            inputs,
            outputs,
            w: file.matrix(&format!("{name}.w"), inputs, outputs)?,
            b: file.f32(&format!("{name}.b"), &[outputs])?.to_vec(),
        })
    }

    /// `y[r] += x W` for each `(x, r)` of `inputs` (`x`: a row of
    /// `x.len()` inputs, multiplied with rows `[offset, offset + x.len())`
    /// of `W`; `y`: rows of `outputs`). Each weight row is loaded once for
    /// the whole block of tokens, which keeps it in the L1 cache.
    #[inline]
    fn accumulate_block(&self, inputs: &[(&[f32], usize)], offset: usize, y: &mut [f32]) {
        let o = self.outputs;
        let Some(len) = inputs.first().map(|(x, _)| x.len()) else {
            return;
        };
        for i in 0..len {
            let row = &self.w[(offset + i) * o..(offset + i + 1) * o];
            for &(x, r) in inputs {
                let xi = x[i];
                if xi == 0.0 {
                    continue;
                }
                for (yo, &w) in y[r * o..(r + 1) * o].iter_mut().zip(row) {
                    *yo += xi * w;
                }
            }
        }
    }
}

/// Tokens per block in the matrix products.
const BLOCK: usize = 16;

/// A layer norm's gain and bias (sections `NAME.g`, `NAME.b`).
#[derive(Clone, Debug)]
struct LayerNorm {
    gain: Vec<f32>,
    bias: Vec<f32>,
}

impl LayerNorm {
    fn load(file: &ModelFile, name: &str, width: usize) -> Result<Self, ModelError> {
        Ok(LayerNorm {
            gain: file.f32(&format!("{name}.g"), &[width])?.to_vec(),
            bias: file.f32(&format!("{name}.b"), &[width])?.to_vec(),
        })
    }

    /// Normalises `v` to zero mean and unit variance, then scales and shifts it.
    fn apply(&self, v: &mut [f32]) {
        let n = v.len() as f32;
        let mean = v.iter().sum::<f32>() / n;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / n;
        let inv = 1.0 / (var + 1e-5).sqrt();
        for ((x, &g), &b) in v.iter_mut().zip(&self.gain).zip(&self.bias) {
            *x = (*x - mean) * inv * g + b;
        }
    }
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
    input: Dense,
    layers: Vec<ConvLayer>,
    pool: Option<PoolLayer>,
    output: Dense,
    width: usize,
}

fn table(file: &ModelFile, name: &str, rows: usize) -> Result<Table, ModelError> {
    match file.get(&format!("emb.{name}"))? {
        Section::I8Rows {
            rows: r,
            cols,
            data,
            scales,
        } if *r == rows && data.len() == r * cols && scales.len() == *r => Ok(Table {
            rows,
            dim: *cols,
            data: data.clone(),
            scales: scales.clone(),
        }),
        Section::I8Rows { rows: r, .. } => Err(ModelError::Invalid(format!(
            "`emb.{name}` has {r} rows, the feature spec addresses {rows}"
        ))),
        _ => Err(ModelError::Invalid(format!(
            "`emb.{name}` is not an int8 table"
        ))),
    }
}

impl Network {
    /// Loads the network from `file`; `rows[t]` is the number of rows the
    /// featurizer may address in table `t` (0: the table is unused) and
    /// `slot_tables[s]` the table of slot `s`.
    pub fn load(
        file: &ModelFile,
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
                    data: Vec::new(),
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
            input,
            layers,
            pool,
            output,
            width,
        })
    }

    /// Number of tag scores per token.
    pub fn n_tags(&self) -> usize {
        self.output.outputs
    }

    /// Tag logits for a run of tokens (`ids`: `n x slots` feature ids, ids
    /// out of range count as row 0), row-major `n x n_tags`.
    pub fn forward(&self, ids: &[u32]) -> Vec<f32> {
        let slots = self.slot_tables.len();
        if slots == 0 {
            return Vec::new();
        }
        let n = ids.len() / slots;
        let w = self.width;
        let in_dim = self.input.inputs;
        // Embeddings, concatenated per token.
        let mut h = vec![0f32; n * w];
        let mut offsets = Vec::with_capacity(self.tables.len());
        let mut acc = 0;
        for t in &self.tables {
            offsets.push(acc);
            acc += t.dim;
        }
        let mut xs = vec![0f32; BLOCK * in_dim];
        for start in (0..n).step_by(BLOCK) {
            let end = (start + BLOCK).min(n);
            xs.iter_mut().for_each(|v| *v = 0.0);
            for tok in start..end {
                let x = &mut xs[(tok - start) * in_dim..(tok - start + 1) * in_dim];
                for (s, &ti) in self.slot_tables.iter().enumerate() {
                    let t = &self.tables[ti];
                    let id = ids[tok * slots + s] as usize;
                    let id = if id < t.rows { id } else { 0 };
                    let scale = t.scales[id];
                    let row = &t.data[id * t.dim..(id + 1) * t.dim];
                    let dst = &mut x[offsets[ti]..offsets[ti] + t.dim];
                    for (d, &q) in dst.iter_mut().zip(row) {
                        *d += f32::from(q) * scale;
                    }
                }
            }
            let hb = &mut h[start * w..end * w];
            for hrow in hb.chunks_exact_mut(w) {
                hrow.copy_from_slice(&self.input.b);
            }
            let inputs: Vec<(&[f32], usize)> = (0..end - start)
                .map(|r| (&xs[r * in_dim..(r + 1) * in_dim], r))
                .collect();
            self.input.accumulate_block(&inputs, 0, hb);
            for v in hb.iter_mut() {
                *v = v.max(0.0);
            }
        }
        // Residual convolutions.
        let mut c = vec![0f32; n * w];
        for layer in &self.layers {
            for crow in c.chunks_exact_mut(w) {
                crow.copy_from_slice(&layer.conv.b);
            }
            for start in (0..n).step_by(BLOCK) {
                let end = (start + BLOCK).min(n);
                let cb = &mut c[start * w..end * w];
                let d = layer.dilation as isize;
                for (shift, part) in [(-d, 0usize), (0, 1), (d, 2)] {
                    let inputs: Vec<(&[f32], usize)> = (start..end)
                        .filter_map(|tok| {
                            let src = tok as isize + shift;
                            (src >= 0 && (src as usize) < n).then(|| {
                                let src = src as usize;
                                (&h[src * w..(src + 1) * w], tok - start)
                            })
                        })
                        .collect();
                    layer.conv.accumulate_block(&inputs, part * w, cb);
                }
            }
            for (hrow, crow) in h.chunks_exact_mut(w).zip(c.chunks_exact(w)) {
                for (hv, &cv) in hrow.iter_mut().zip(crow) {
                    *hv += cv.max(0.0);
                }
                layer.norm.apply(hrow);
            }
        }
        if let Some(pool) = &self.pool {
            // The convolutions' buffer serves as the layer's scratch space.
            pool.apply(&mut h, &mut c, ids, slots, w);
        }
        let k = self.output.outputs;
        let mut out = vec![0f32; n * k];
        for orow in out.chunks_exact_mut(k) {
            orow.copy_from_slice(&self.output.b);
        }
        for start in (0..n).step_by(BLOCK) {
            let end = (start + BLOCK).min(n);
            let inputs: Vec<(&[f32], usize)> = (start..end)
                .map(|tok| (&h[tok * w..(tok + 1) * w], tok - start))
                .collect();
            self.output
                .accumulate_block(&inputs, 0, &mut out[start * k..end * k]);
        }
        out
    }
}

impl PoolLayer {
    /// The document layer over `h` (`n x w`), in place; `p` (`n x w`) is
    /// scratch space, overwritten.
    fn apply(&self, h: &mut [f32], p: &mut [f32], ids: &[u32], slots: usize, w: usize) {
        let n = h.len() / w;
        // Positions grouped by word key (the two `norm` hashes).
        let mut order: Vec<(u64, u32)> = (0..n)
            .map(|t| {
                let key = u64::from(ids[t * slots]) << 32 | u64::from(ids[t * slots + 1]);
                (key, t as u32)
            })
            .collect();
        order.sort_unstable();
        // p: mean of h over the other tokens of the group (zeros for a token alone).
        p.iter_mut().for_each(|v| *v = 0.0);
        let mut sum = vec![0f32; w];
        for group in order.chunk_by(|a, b| a.0 == b.0) {
            if group.len() < 2 {
                continue;
            }
            sum.iter_mut().for_each(|v| *v = 0.0);
            for &(_, t) in group {
                let t = t as usize;
                for (s, &x) in sum.iter_mut().zip(&h[t * w..(t + 1) * w]) {
                    *s += x;
                }
            }
            let inv = 1.0 / (group.len() - 1) as f32;
            for &(_, t) in group {
                let t = t as usize;
                let (prow, hrow) = (&mut p[t * w..(t + 1) * w], &h[t * w..(t + 1) * w]);
                for ((pv, &s), &x) in prow.iter_mut().zip(&sum).zip(hrow) {
                    *pv = (s - x) * inv;
                }
            }
        }
        // h = LN(h + relu([h, p] W + b)), a block of tokens at a time (each
        // token's update reads only its own rows of h and p).
        let mut r = vec![0f32; BLOCK * w];
        for start in (0..n).step_by(BLOCK) {
            let end = (start + BLOCK).min(n);
            let rb = &mut r[..(end - start) * w];
            for rrow in rb.chunks_exact_mut(w) {
                rrow.copy_from_slice(&self.dense.b);
            }
            for (src, part) in [(&*h, 0usize), (&*p, 1)] {
                let inputs: Vec<(&[f32], usize)> = (start..end)
                    .map(|tok| (&src[tok * w..(tok + 1) * w], tok - start))
                    .collect();
                self.dense.accumulate_block(&inputs, part * w, rb);
            }
            for (hrow, rrow) in h[start * w..end * w]
                .chunks_exact_mut(w)
                .zip(rb.chunks_exact(w))
            {
                for (hv, &rv) in hrow.iter_mut().zip(rrow) {
                    *hv += rv.max(0.0);
                }
                self.norm.apply(hrow);
            }
        }
    }
}
