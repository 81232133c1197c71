//! The accurate model's network: a small BERT encoder (all-MiniLM-L6-v2,
//! fine-tuned by `train/teacher.py`) that scores each token's tags from the
//! first word piece of the token.
//!
//! The encoder is uncased, so every piece also reads its word's case class
//! (a learned embedding added to its input, see [`case_class`]). A token's
//! pieces come from BERT's own text rules ([`bert_pieces`]): accents
//! stripped, lower-cased, split at punctuation, then greedy longest-match
//! word pieces.
//!
//! A text runs in windows of at most `words` tokens and `pieces` pieces
//! (`[CLS]` and `[SEP]` included), consecutive windows sharing `overlap`
//! tokens; each token's scores come from the window in which it lies
//! farthest from an edge, as in the trainer's `best_window`. The dense
//! layers run on the int8 kernels of the CNN ([`crate::kernels`]); the
//! attention, the layer norms and GELU in `f32`.
//!
//! Sections of the model file (`H` hidden, `F` feed-forward width, `P`
//! pieces per window, `V` pieces in the vocabulary, `K` tags):
//!
//! - `transformer`: `[layers, H, heads, F, P, words, overlap]`;
//! - `bert.vocab`: the `V` pieces in id order (`[CLS]`, `[SEP]`, `[UNK]`
//!   among them);
//! - `emb.word` (int8, `V x H`), `emb.position` (`P x H`, the token-type
//!   embedding folded in), `emb.case` (`7 x H`), `emb.ln.g` / `.b`;
//! - for each layer `i`: `layer{i}.qkv` (`H x 3H`: queries, keys, values),
//!   `layer{i}.att_out` (`H x H`), `layer{i}.ffn_in` (`H x F`),
//!   `layer{i}.ffn_out` (`F x H`), each `.w` (int8 rows, or `f32`) and
//!   `.b`; `layer{i}.ln1` and `layer{i}.ln2`, each `.g` and `.b`;
//! - `out.w` (`H x K`), `out.b`.

use super::network::{Dense, LayerNorm, Quantized};
use super::wordpiece::WordPieces;
use crate::kernels::{sgemm_acc, Product};
use crate::model::{ModelError, ModelFile, Section};
use crate::span::Span;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// Case classes of a word, as the trainer's `case_of`: 0 is padding and
/// `[CLS]`, 1 a word without letters (and `[SEP]`), 2 lower, 3 Title,
/// 4 UPPER, 5 one capital letter alone, 6 mixed.
const CASES: usize = 7;

/// BERT's layer-norm epsilon.
const LN_EPS: f32 = 1e-12;

/// Longest word BERT's word-piece step splits, in characters; a longer
/// one is `[UNK]`.
const MAX_WORD_CHARS: usize = 100;

/// One encoder layer.
#[derive(Clone, Debug)]
struct Layer {
    qkv: Dense,
    att_out: Dense,
    ln1: LayerNorm,
    ffn_in: Dense,
    ffn_out: Dense,
    ln2: LayerNorm,
}

/// The encoder, its embeddings and its output layer (see the module doc).
#[derive(Clone, Debug)]
pub(crate) struct Transformer {
    hidden: usize,
    heads: usize,
    /// Pieces per window, `[CLS]` and `[SEP]` included.
    pieces: usize,
    /// Tokens per window at most.
    words: usize,
    /// Tokens shared by consecutive windows.
    overlap: usize,
    vocab: WordPieces,
    cls: u32,
    sep: u32,
    word_q: Vec<i8>,
    word_scale: Vec<f32>,
    position: Vec<f32>,
    case: Vec<f32>,
    emb_ln: LayerNorm,
    layers: Vec<Layer>,
    out_w: Vec<f32>,
    out_b: Vec<f32>,
    n_tags: usize,
}

/// Whether `file` holds a transformer (rather than the CNN).
pub(crate) fn is_transformer(file: &ModelFile) -> bool {
    file.has("transformer")
}

impl Transformer {
    /// Loads the network from `file`, for `n_tags` tags.
    pub(crate) fn load(file: &mut ModelFile, n_tags: usize) -> Result<Self, ModelError> {
        let dims = file.u32s("transformer")?;
        let bad = || {
            ModelError::Invalid(format!(
                "`transformer` must be [layers 1-48, hidden 1-4096, heads dividing hidden, \
                 feed-forward 1-16384, pieces 3-4096, words 1-pieces, overlap below words], \
                 found {:?}{}",
                &dims[..dims.len().min(8)],
                if dims.len() > 8 { " ..." } else { "" }
            ))
        };
        let &[layers, hidden, heads, ffn, pieces, words, overlap] = dims else {
            return Err(bad());
        };
        let [layers, hidden, heads, ffn, pieces, words, overlap] =
            [layers, hidden, heads, ffn, pieces, words, overlap].map(|v| v as usize);
        if !((1..=48).contains(&layers)
            && (1..=4096).contains(&hidden)
            && heads > 0
            && hidden % heads == 0
            && (1..=16384).contains(&ffn)
            && (3..=4096).contains(&pieces)
            && (1..=pieces).contains(&words)
            && overlap < words)
        {
            return Err(bad());
        }
        let names = file.strings("bert.vocab")?;
        let find = |piece: &str| {
            names
                .iter()
                .position(|p| p == piece)
                .map(|i| i as u32)
                .ok_or_else(|| ModelError::Invalid(format!("`bert.vocab` has no `{piece}`")))
        };
        let (cls, sep) = (find("[CLS]")?, find("[SEP]")?);
        let vocab = WordPieces::new(names)
            .ok_or_else(|| ModelError::Invalid("`bert.vocab` has no `[UNK]` piece".into()))?;
        let v = names.len();
        let (word_q, word_scale) = match file.get("emb.word")? {
            Section::I8Rows {
                rows,
                cols,
                data,
                scales,
            } if *rows == v && *cols == hidden && data.len() == v * hidden && scales.len() == v => {
                file.take_i8_rows("emb.word").unwrap_or_default()
            }
            _ => {
                return Err(ModelError::Invalid(format!(
                    "`emb.word` must be an int8 table of {v} x {hidden}"
                )))
            }
        };
        let mut stack = Vec::with_capacity(layers);
        for i in 0..layers {
            let name = |part: &str| format!("layer{i}.{part}");
            stack.push(Layer {
                qkv: Dense::load(file, &name("qkv"), hidden, 3 * hidden)?,
                att_out: Dense::load(file, &name("att_out"), hidden, hidden)?,
                ln1: LayerNorm::load_eps(file, &name("ln1"), hidden, LN_EPS)?,
                ffn_in: Dense::load(file, &name("ffn_in"), hidden, ffn)?,
                ffn_out: Dense::load(file, &name("ffn_out"), ffn, hidden)?,
                ln2: LayerNorm::load_eps(file, &name("ln2"), hidden, LN_EPS)?,
            });
        }
        let finite = |name: &str, v: &[f32]| {
            if v.iter().all(|x| x.is_finite()) {
                Ok(v.to_vec())
            } else {
                Err(ModelError::Invalid(format!(
                    "`{name}` has a non-finite value"
                )))
            }
        };
        Ok(Transformer {
            hidden,
            heads,
            pieces,
            words,
            overlap,
            vocab,
            cls,
            sep,
            word_q,
            word_scale,
            position: finite("emb.position", file.f32("emb.position", &[pieces, hidden])?)?,
            case: finite("emb.case", file.f32("emb.case", &[CASES, hidden])?)?,
            emb_ln: LayerNorm::load_eps(file, "emb.ln", hidden, LN_EPS)?,
            layers: stack,
            out_w: finite("out.w", file.f32("out.w", &[hidden, n_tags])?)?,
            out_b: finite("out.b", file.f32("out.b", &[n_tags])?)?,
            n_tags,
        })
    }

    /// Number of tag scores per token.
    pub(crate) fn n_tags(&self) -> usize {
        self.n_tags
    }

    /// Tokens of context each side that [`Transformer::scores`] needs
    /// around its core to score it as it would inside a whole document.
    pub(crate) fn context(&self) -> usize {
        self.words
    }

    /// The word pieces of one token, as the trainer's tokenizer gives them
    /// (at most `pieces - 2`; a token without any is `[UNK]`).
    pub(crate) fn token_pieces(&self, word: &str, out: &mut Vec<u32>) {
        let start = out.len();
        bert_pieces(&self.vocab, word, out);
        if out.len() == start {
            self.vocab.push_unknown(out);
        }
        out.truncate(start + (self.pieces - 2));
    }

    /// Tag scores (`core.len() x n_tags`, row-major) of the tokens `core`
    /// of `tokens` (byte spans of `text`); the tokens outside the core are
    /// context, and the ends of `tokens` are taken as the text's ends.
    pub(crate) fn scores(
        &self,
        text: &str,
        tokens: &[Span],
        core: std::ops::Range<usize>,
    ) -> Vec<f32> {
        let n = tokens.len();
        let mut pieces = Vec::new();
        let mut bounds = Vec::with_capacity(n + 1);
        let mut cases = Vec::with_capacity(n);
        bounds.push(0);
        for t in tokens {
            let word = t.slice(text);
            self.token_pieces(word, &mut pieces);
            bounds.push(pieces.len());
            cases.push(case_class(word));
        }
        let counts: Vec<usize> = bounds.windows(2).map(|w| w[1] - w[0]).collect();
        let windows = windows(&counts, self.words, self.pieces - 2, self.overlap);
        // For each core token: (its best window, its margin there).
        let mut best: Vec<(usize, usize)> = vec![(usize::MAX, 0); core.len()];
        for (wi, &(s, e)) in windows.iter().enumerate() {
            for w in s.max(core.start)..e.min(core.end) {
                let left = if s > 0 { w - s } else { n };
                let right = if e < n { e - 1 - w } else { n };
                let margin = left.min(right);
                let b = &mut best[w - core.start];
                if b.0 == usize::MAX || margin > b.1 {
                    *b = (wi, margin);
                }
            }
        }
        let k = self.n_tags;
        let mut out = vec![0f32; core.len() * k];
        let mut work = Work::default();
        let mut ids = Vec::with_capacity(self.pieces);
        let mut piece_case = Vec::with_capacity(self.pieces);
        let mut firsts = Vec::with_capacity(self.words);
        for (wi, &(s, e)) in windows.iter().enumerate() {
            if !best.iter().any(|b| b.0 == wi) {
                continue;
            }
            ids.clear();
            piece_case.clear();
            firsts.clear();
            ids.push(self.cls);
            piece_case.push(0u8);
            for w in s..e {
                firsts.push(ids.len());
                ids.extend_from_slice(&pieces[bounds[w]..bounds[w + 1]]);
                piece_case.extend(std::iter::repeat_n(cases[w], counts[w]));
            }
            ids.push(self.sep);
            piece_case.push(1);
            let scores = self.window(&ids, &piece_case, &firsts, &mut work);
            for w in s.max(core.start)..e.min(core.end) {
                if best[w - core.start].0 == wi {
                    let j = w - s;
                    out[(w - core.start) * k..(w - core.start + 1) * k]
                        .copy_from_slice(&scores[j * k..(j + 1) * k]);
                }
            }
        }
        out
    }

    /// The scores (`firsts.len() x n_tags`) of one window's words: `ids`
    /// and `cases` per piece, `firsts` each word's first piece.
    fn window(&self, ids: &[u32], cases: &[u8], firsts: &[usize], work: &mut Work) -> Vec<f32> {
        let (t, h) = (ids.len(), self.hidden);
        let x = &mut work.x;
        x.clear();
        x.resize(t * h, 0.0);
        for (p, (&id, &c)) in ids.iter().zip(cases).enumerate() {
            let row = &mut x[p * h..(p + 1) * h];
            let id = (id as usize).min(self.word_scale.len() - 1);
            let scale = self.word_scale[id];
            let q = &self.word_q[id * h..(id + 1) * h];
            let pos = &self.position[p * h..(p + 1) * h];
            let case = &self.case[c as usize * h..(c as usize + 1) * h];
            for i in 0..h {
                row[i] = f32::from(q[i]) * scale + pos[i] + case[i];
            }
            self.emb_ln.apply(row);
        }
        for layer in &self.layers {
            self.layer(layer, t, work);
        }
        let k = self.n_tags;
        let mut out = vec![0f32; firsts.len() * k];
        for (row, &f) in out.chunks_exact_mut(k).zip(firsts) {
            row.copy_from_slice(&self.out_b);
            for (i, &v) in work.x[f * h..(f + 1) * h].iter().enumerate() {
                for (o, &w) in row.iter_mut().zip(&self.out_w[i * k..(i + 1) * k]) {
                    *o += v * w;
                }
            }
        }
        out
    }

    /// One encoder layer over the `t` pieces in `work.x`, in place.
    fn layer(&self, layer: &Layer, t: usize, work: &mut Work) {
        let h = self.hidden;
        let Work {
            x,
            q,
            qkv,
            ctx,
            tmp,
            ffn,
            att,
            keys,
        } = work;
        apply(&layer.qkv, x, h, t, q, qkv);
        self.attention(t, qkv, ctx, att, keys);
        apply(&layer.att_out, ctx, h, t, q, tmp);
        for (xr, ar) in x.chunks_exact_mut(h).zip(tmp.chunks_exact(h)) {
            for (a, &b) in xr.iter_mut().zip(ar) {
                *a += b;
            }
            layer.ln1.apply(xr);
        }
        let f = layer.ffn_in.outputs();
        apply(&layer.ffn_in, x, h, t, q, ffn);
        for v in ffn.iter_mut() {
            *v = gelu(*v);
        }
        apply(&layer.ffn_out, ffn, f, t, q, tmp);
        for (xr, ar) in x.chunks_exact_mut(h).zip(tmp.chunks_exact(h)) {
            for (a, &b) in xr.iter_mut().zip(ar) {
                *a += b;
            }
            layer.ln2.apply(xr);
        }
    }

    /// Self-attention over the `t` pieces' queries, keys and values
    /// (`qkv`, `t x 3H`) into `ctx` (`t x H`).
    #[inline(never)]
    fn attention(
        &self,
        t: usize,
        qkv: &[f32],
        ctx: &mut Vec<f32>,
        att: &mut Vec<f32>,
        keys: &mut Vec<f32>,
    ) {
        let h = self.hidden;
        // Head by head: the scores of every query with every key (its keys
        // transposed first), a softmax over each row, then those weights
        // times the values.
        let d = h / self.heads;
        let norm = 1.0 / (d as f32).sqrt();
        ctx.clear();
        ctx.resize(t * h, 0.0);
        keys.resize(d * t, 0.0);
        for head in 0..self.heads {
            let (qo, ko, vo) = (head * d, h + head * d, 2 * h + head * d);
            for j in 0..t {
                for c in 0..d {
                    keys[c * t + j] = qkv[j * 3 * h + ko + c];
                }
            }
            att.clear();
            att.resize(t * t, 0.0);
            let scores = Product {
                m: t,
                k: d,
                n: t,
                a: &qkv[qo..],
                lda: 3 * h,
                b: keys,
                ldb: t,
            };
            sgemm_acc(scores, att, t);
            for row in att.chunks_exact_mut(t) {
                let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut sum = 0.0;
                for a in row.iter_mut() {
                    *a = ((*a - top) * norm).exp();
                    sum += *a;
                }
                let inv = 1.0 / sum;
                for a in row.iter_mut() {
                    *a *= inv;
                }
            }
            let weighted = Product {
                m: t,
                k: t,
                n: d,
                a: att,
                lda: t,
                b: &qkv[vo..],
                ldb: 3 * h,
            };
            sgemm_acc(weighted, &mut ctx[head * d..], h);
        }
    }
}

/// Buffers reused across the layers and windows of one call.
#[derive(Default)]
struct Work {
    /// The pieces' hidden states, `t x H`.
    x: Vec<f32>,
    q: Quantized,
    qkv: Vec<f32>,
    ctx: Vec<f32>,
    tmp: Vec<f32>,
    ffn: Vec<f32>,
    /// One head's attention weights, `t x t`.
    att: Vec<f32>,
    /// One head's keys, transposed (`d x t`).
    keys: Vec<f32>,
}

/// `out = input W + b` for the `t` rows of `input` (each `width` wide).
fn apply(
    dense: &Dense,
    input: &[f32],
    width: usize,
    t: usize,
    q: &mut Quantized,
    out: &mut Vec<f32>,
) {
    q.reset(dense, t);
    for r in 0..t {
        q.set(dense, r, &[&input[r * width..(r + 1) * width]]);
    }
    out.clear();
    out.resize(t * dense.outputs(), 0.0);
    dense.apply(q, out);
}

/// GELU with the error function (the exact form the encoder was trained
/// with), the error function as Abramowitz and Stegun's 7.1.26: within
/// 1.5e-7 of it (1e-6 in `f32` arithmetic), and one `exp` instead of
/// `libm::erff`'s several steps (which took a fifth of the time).
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// The error function (Abramowitz and Stegun 7.1.26; see [`gelu`]).
fn erf(x: f32) -> f32 {
    const P: f32 = 0.327_591_1;
    const A: [f32; 5] = [
        0.254_829_6,
        -0.284_496_74,
        1.421_413_7,
        -1.453_152_1,
        1.061_405_4,
    ];
    let z = x.abs();
    let t = 1.0 / (1.0 + P * z);
    let poly = t * (A[0] + t * (A[1] + t * (A[2] + t * (A[3] + t * A[4]))));
    let y = 1.0 - poly * (-z * z).exp();
    if x < 0.0 {
        -y
    } else {
        y
    }
}

/// `[start, end)` token ranges covering `counts.len()` tokens (`counts`:
/// each token's pieces), each at most `words` tokens and `pieces` pieces
/// (a single longer token alone), consecutive ones sharing about
/// `overlap` tokens: the trainer's `windows`.
fn windows(counts: &[usize], words: usize, pieces: usize, overlap: usize) -> Vec<(usize, usize)> {
    let n = counts.len();
    let mut out = Vec::new();
    let mut s = 0;
    while s < n {
        let (mut e, mut total) = (s, 0);
        while e < n && e - s < words && total + counts[e] <= pieces {
            total += counts[e];
            e += 1;
        }
        let e = e.max(s + 1);
        out.push((s, e));
        if e >= n {
            break;
        }
        s = (s + 1).max(e.saturating_sub(overlap));
    }
    out
}

/// The case class of a word (see [`CASES`]), as the trainer's `case_of`.
pub(crate) fn case_class(word: &str) -> u8 {
    let letters = || {
        word.chars()
            .filter(|c| c.general_category_group() == GeneralCategoryGroup::Letter)
    };
    let mut it = letters();
    let Some(first) = it.next() else {
        return 1;
    };
    if letters().all(char::is_lowercase) {
        2
    } else if letters().all(char::is_uppercase) {
        if letters().count() == 1 {
            5
        } else {
            4
        }
    } else if first.is_uppercase() && it.all(char::is_lowercase) {
        3
    } else {
        6
    }
}

/// Appends the word-piece ids of `word` as BERT's uncased tokenizer gives
/// them: control characters dropped, Chinese characters apart, accents
/// stripped, lower-cased, split at white space and punctuation, then each
/// part split into pieces (a part that cannot be split, or of more than
/// 100 characters, is `[UNK]`).
pub(crate) fn bert_pieces(vocab: &WordPieces, word: &str, out: &mut Vec<u32>) {
    let mut clean = String::with_capacity(word.len());
    for c in word.chars() {
        if c == '\0' || c == '\u{FFFD}' || is_control(c) {
            continue;
        }
        if is_chinese(c) {
            clean.push(' ');
            clean.push(c);
            clean.push(' ');
        } else if c.is_whitespace() {
            clean.push(' ');
        } else {
            clean.push(c);
        }
    }
    let mut norm = String::with_capacity(clean.len());
    for c in clean.nfd() {
        if c.general_category() != GeneralCategory::NonspacingMark {
            norm.extend(c.to_lowercase());
        }
    }
    let mut part = String::new();
    let flush = |part: &mut String, out: &mut Vec<u32>| {
        if !part.is_empty() {
            if part.chars().count() > MAX_WORD_CHARS {
                vocab.push_unknown(out);
            } else {
                vocab.split_into_unbounded(part, out);
            }
            part.clear();
        }
    };
    for c in norm.chars() {
        if c.is_whitespace() {
            flush(&mut part, out);
        } else if c.is_ascii_punctuation()
            || c.general_category_group() == GeneralCategoryGroup::Punctuation
        {
            flush(&mut part, out);
            part.push(c);
            flush(&mut part, out);
        } else {
            part.push(c);
        }
    }
    flush(&mut part, out);
}

/// A control or format character other than tab and line breaks.
fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.general_category_group() == GeneralCategoryGroup::Other
}

/// The CJK ideographs BERT's tokenizer splits apart.
fn is_chinese(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B920..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_is_close_to_libm() {
        let mut worst = 0f32;
        for i in -6000..=6000 {
            let x = i as f32 / 1000.0;
            worst = worst.max((erf(x) - libm::erff(x)).abs());
        }
        assert!(worst < 1e-6, "{worst}");
    }

    #[test]
    fn case_classes() {
        for (w, c) in [
            ("", 1),
            ("1999", 1),
            ("--", 1),
            ("apple", 2),
            ("Apple", 3),
            ("APPLE", 4),
            ("I", 5),
            ("U.S.", 4),
            ("iPhone", 6),
            ("McDonald", 6),
            ("É", 5),
            ("école", 2),
        ] {
            assert_eq!(case_class(w), c, "{w:?}");
        }
    }

    #[test]
    fn windows_cover_and_overlap() {
        let counts = vec![1; 10];
        assert_eq!(windows(&counts, 4, 100, 1), vec![(0, 4), (3, 7), (6, 10)]);
        // Pieces bound a window too; a token too long alone is a window.
        assert_eq!(
            windows(&[2, 2, 5, 1], 10, 4, 0),
            vec![(0, 2), (2, 3), (3, 4)]
        );
        assert_eq!(windows(&[], 4, 4, 1), vec![]);
    }

    #[test]
    fn bert_rules() {
        let v: Vec<String> = [
            "[UNK]", "cafe", "u", ".", "s", "new", "##s", "'", "\u{4E2D}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let vocab = WordPieces::new(&v).unwrap();
        let pieces = |w: &str| {
            let mut out = Vec::new();
            bert_pieces(&vocab, w, &mut out);
            out
        };
        assert_eq!(pieces("Café"), vec![1]);
        assert_eq!(pieces("U.S."), vec![2, 3, 4, 3]);
        assert_eq!(pieces("News\u{AD}"), vec![5, 6]);
        assert_eq!(pieces("new\u{4E2D}'"), vec![5, 8, 7]);
        assert_eq!(pieces("zebra"), vec![0]);
        assert_eq!(pieces(&"u".repeat(101)), vec![0]);
    }
}
