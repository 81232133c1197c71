//! The export step: the trainer's exported weights packed into a model
//! file (`newsmark::internals::ModelWriter`), checked against the trainer's
//! reference logits, and the parity reference for `ner_parity`.

use std::path::Path;

use newsmark::internals::{FeatureSpec, ModelFile, ModelWriter, Section, Tagger, TABLE_NAMES};
use newsmark_train::corpus::Doc;
use newsmark_train::npy;

use super::super::util::{self, Result};
use super::features::Inputs;
use super::recipe::Recipe;

/// Packs the model's export into `models/<model>.nmm` (with the shipped
/// part of the word list) and writes its parity reference; returns the bytes.
pub fn export(recipe: &Recipe, inputs: &Inputs) -> Result<Vec<u8>> {
    // The shipped word list: the first `keep_vectors` words (the export cut
    // the table to match).
    let (spec, words) = match recipe.keep_vectors {
        Some(n) => (
            FeatureSpec {
                vector_words: n,
                ..inputs.spec.clone()
            },
            &inputs.words[..n as usize],
        ),
        None => (inputs.spec.clone(), &inputs.words[..]),
    };
    let dir = recipe.student_dir().join("export");
    let bytes = pack(&dir, &inputs.labels, &spec, &inputs.vocab, words)?;
    let path = util::root()
        .join("models")
        .join(format!("{}.nmm", recipe.model));
    util::write(&path, &bytes)?;
    eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    write_reference(&dir, &recipe.model, &inputs.dev_docs)?;
    Ok(bytes)
}

pub fn npy_f32(dir: &Path, name: &str) -> Result<(Vec<usize>, Vec<f32>)> {
    Ok(npy::read_f32(&dir.join(format!("{name}.npy")))?)
}

/// The int8 matrix `NAME.q.npy` with its row scales `NAME.scale.npy`, as the
/// trainer exports quantized weights; `None` if there is no `NAME.q.npy`.
pub fn npy_i8_rows(dir: &Path, name: &str) -> Result<Option<Section>> {
    let q = dir.join(format!("{name}.q.npy"));
    if !q.exists() {
        return Ok(None);
    }
    let (shape, data) = npy::read_i8(&q)?;
    let [rows, cols] = shape[..] else {
        return Err(format!("{}: shape {shape:?}, expected a matrix", q.display()).into());
    };
    let (_, scales) = npy_f32(dir, &format!("{name}.scale"))?;
    Ok(Some(Section::I8Rows {
        rows,
        cols,
        data,
        scales,
    }))
}

/// The 4-bit matrix `NAME.q4.npy` (int8 values in -7..=7, one per entry)
/// with its row scales `NAME.scale.npy` (`f32` values that are `f16`
/// numbers), as the trainer exports a table with `--table-bits 4`; `None`
/// if there is no `NAME.q4.npy`.
fn npy_i4_rows(dir: &Path, name: &str) -> Result<Option<Section>> {
    let q = dir.join(format!("{name}.q4.npy"));
    if !q.exists() {
        return Ok(None);
    }
    let (shape, values) = npy::read_i8(&q)?;
    let [rows, cols] = shape[..] else {
        return Err(format!("{}: shape {shape:?}, expected a matrix", q.display()).into());
    };
    let (_, scales) = npy_f32(dir, &format!("{name}.scale"))?;
    let section = Section::i4_rows(rows, cols, &values, scales)
        .map_err(|e| format!("{}: {e}", q.display()))?;
    // The file stores the scales as f16: they must be f16 numbers already,
    // or the packed model would not be the one the trainer's reference
    // logits were computed with.
    let mut one = ModelWriter::new();
    one.add(name, section.clone());
    if ModelFile::parse(&one.to_bytes())?.get(name)? != &section {
        return Err(format!(
            "{}: the row scales are not all f16 numbers (the trainer rounds them)",
            dir.join(format!("{name}.scale.npy")).display()
        )
        .into());
    }
    Ok(Some(section))
}

/// Packs the trainer's exported weights into a model file.
fn pack(
    dir: &Path,
    labels: &[String],
    spec: &FeatureSpec,
    vocab: &[String],
    words: &[String],
) -> Result<Vec<u8>> {
    let mut w = ModelWriter::new();
    w.add("labels", Section::Strings(labels.iter().collect()));
    w.add("features", Section::U32s(spec.to_u32s()));
    if spec.wordpiece_slots > 0 {
        w.add("wordpieces", Section::Strings(vocab.iter().collect()));
    }
    if spec.vector_words > 0 {
        w.add("vocabulary", Section::Strings(words.iter().collect()));
    }
    let net_file = dir.join("net.npy");
    let (_, net) = npy::read_u32(&net_file)?;
    let depth = *net.get(1).ok_or_else(|| {
        format!(
            "{}: {net:?} has no depth (width, depth, dilations...)",
            net_file.display()
        )
    })? as usize;
    w.add("net", Section::U32s(net));
    for t in TABLE_NAMES {
        // In 4 bits if the trainer exported it so (`--table-bits 4`), else int8.
        let name = format!("emb.{t}");
        if let Some(section) = npy_i4_rows(dir, &name)? {
            w.add(&name, section);
        } else if let Some(section) = npy_i8_rows(dir, &name)? {
            w.add(&name, section);
        }
    }
    let mut dense = vec!["in".to_string(), "out".to_string()];
    for l in 0..depth {
        dense.push(format!("conv{l}"));
    }
    // The document layer, if the model was trained with --pool.
    let pool = dir.join("pool.b.npy").exists();
    if pool {
        dense.push("pool".to_string());
    }
    for name in &dense {
        // Weights quantized by the trainer (int8, one scale per input row) or f32.
        if let Some(section) = npy_i8_rows(dir, &format!("{name}.w"))? {
            w.add(&format!("{name}.w"), section);
        } else {
            let (shape, data) = npy_f32(dir, &format!("{name}.w"))?;
            w.add(&format!("{name}.w"), Section::F32 { shape, data });
        }
        let (shape, data) = npy_f32(dir, &format!("{name}.b"))?;
        w.add(&format!("{name}.b"), Section::F32 { shape, data });
    }
    if dir.join("crf.trans.npy").exists() {
        let (shape, data) = npy_f32(dir, "crf.trans")?;
        w.add("crf.trans", Section::F32 { shape, data });
    }
    let norms = (0..depth)
        .map(|l| format!("ln{l}"))
        .chain(pool.then(|| "lnp".to_string()));
    for ln in norms {
        for part in ["g", "b"] {
            let (shape, data) = npy_f32(dir, &format!("{ln}.{part}"))?;
            w.add(&format!("{ln}.{part}"), Section::F32 { shape, data });
        }
    }
    let bytes = w.to_bytes();
    // The packed file must load and reproduce the trainer's reference logits.
    let tagger = Tagger::from_bytes(&bytes)
        .map_err(|e| format!("the model packed from {} does not load: {e}", dir.display()))?;
    let (_, ids) = npy::read_u32(&dir.join("ref.ids.npy"))?;
    let (_, want) = npy_f32(dir, "ref.logits")?;
    let got = tagger.network().expect("a CNN model").forward(&ids);
    let worst = got
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    if got.len() != want.len() || worst > 1e-3 {
        return Err(format!("Rust logits differ from the trainer's (max abs diff {worst})").into());
    }
    eprintln!("parity with the trainer: max abs logit difference {worst:.2e}");
    Ok(bytes)
}

/// Tokens of the parity reference kept in the repository.
const REFERENCE_TOKENS: usize = 100;

/// Writes `models/<corpus>.reference.json`: the trainer's feature ids and
/// logits for the first tokens of the first dev document (numbers only, no
/// corpus text), checked by `tests/ner_parity.rs`. The logits are those of
/// the whole document run, so the test runs the same tokens.
fn write_reference(export: &Path, corpus: &str, dev_docs: &[Doc]) -> Result {
    let (_, ids) = npy::read_u32(&export.join("ref.ids.npy"))?;
    let (shape, logits) = npy_f32(export, "ref.logits")?;
    let total = shape[0];
    let n_tags = shape[1];
    let slots = ids.len() / total.max(1);
    let json = serde_json::json!({
        "doc_id": dev_docs.first().map(|d| d.id.clone()).unwrap_or_default(),
        "tokens": total,
        "slots": slots,
        "n_tags": n_tags,
        "ids": ids,
        "logits_tokens": REFERENCE_TOKENS.min(total),
        "logits": &logits[..REFERENCE_TOKENS.min(total) * n_tags],
    });
    util::write(
        util::root()
            .join("models")
            .join(format!("{corpus}.reference.json")),
        serde_json::to_string(&json)? + "\n",
    )?;
    Ok(())
}
