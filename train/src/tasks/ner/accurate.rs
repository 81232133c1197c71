//! `cargo xtask train accurate`: the accurate model, the transformer teacher
//! fine-tuned on the student's web pages and packed as a newsmark model file.
//!
//! The teacher (`models/teacher-ontonotes.npz`, OntoNotes train alone) first
//! reads, for one epoch at a low rate, the documents the default model's
//! training stream adds to OntoNotes train: the synthetic web pages, the
//! hand-labelled pages and the originals of the case-changed copies (the
//! stream `cargo xtask train --recipe models/ontonotes.toml` extracts, as the
//! teacher sees it). That teaches it the shapes of web text (nicknames,
//! publications, teams, technology terms) without forgetting OntoNotes
//! (experiment #53). `--weights` skips this and packs a teacher as it is.
//!
//! `teacher.py export` writes the packed teacher's arrays (its matrices in
//! int8, as the model file stores them) and a parity reference; this packs
//! them into `models/<name>.nmm` (layout: `src/ner/transformer.rs`), checks
//! that the Rust inference gives the reference's word scores, and keeps the
//! reference beside the model for `ner_parity`.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;
use newsmark::internals::{ModelWriter, Section, Tagger};
use newsmark_train::parity::check_reference;
use serde::Deserialize;

use super::super::util::{self, Result};
use super::export::{npy_f32, npy_i8_rows};
use super::python;

/// Arguments of `train accurate`.
#[derive(Args, Debug)]
pub struct AccurateArgs {
    /// Pack this teacher (`teacher.py pack`) as it is, with no fine-tuning.
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// The model's name: writes models/NAME.nmm and models/NAME.reference.json.
    #[arg(long, default_value = "ontonotes-accurate")]
    pub name: String,
    /// Tokens shared by consecutive windows.
    #[arg(long, default_value_t = 32)]
    pub overlap: u32,
    /// Write no card (its evaluations take about 20 minutes).
    #[arg(long)]
    pub no_card: bool,
}

/// Dev documents of the accurate model's regression slice (fewer than the
/// students' 60: it reads about a thousand tokens per CPU second).
const REGRESSION_DOCS: usize = 20;

/// `transformer.json`, written by `teacher.py export`.
#[derive(Deserialize)]
struct Info {
    labels: Vec<String>,
    layers: u32,
    hidden: u32,
    heads: u32,
    ffn: u32,
    pieces: u32,
    words: u32,
    overlap: u32,
    vocab: Vec<String>,
}

/// The teacher fine-tuning starts from.
const TEACHER: &str = "models/teacher-ontonotes.npz";
/// Where it runs (resumable; never committed).
const FINE_TUNE_DIR: &str = "target/teacher/ontonotes-pages";
/// The default model's training stream as the teacher reads it.
const STREAM: &str = "target/ner-train/ontonotes/teacher-view";

/// The fine-tuning command's arguments after `teacher.py train` (for the
/// card too): one epoch, the encoder at 2e-5 and the head at 5e-4.
fn fine_tune_args(first_doc: usize, dev: &str) -> Vec<String> {
    [
        "--work",
        FINE_TUNE_DIR,
        "--train-stream",
        STREAM,
        "--from-doc",
        &first_doc.to_string(),
        "--init",
        TEACHER,
        "--dev",
        dev,
        "--epochs",
        "1",
        "--lr",
        "2e-5",
        "--head-lr",
        "5e-4",
        "--minutes",
        "120",
        "--resume",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Fine-tunes the teacher on the stream's documents after OntoNotes train's
/// (resuming a run cut short; a finished run is not repeated) and packs it.
fn fine_tune() -> Result<PathBuf> {
    let root = util::root();
    if !root.join(format!("{STREAM}.words.jsonl")).exists() {
        return Err(format!(
            "{STREAM}.words.jsonl not found: run `cargo xtask train --recipe models/ontonotes.toml` \
             first (its feature step writes the stream; the rest may be stopped)"
        )
        .into());
    }
    let originals = util::read_to_string(util::shared().join("data/ontonotes/train.jsonl"))?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    let dir = root.join(FINE_TUNE_DIR);
    util::create_dir_all(&dir)?;
    util::run(
        Command::new(python::python())
            .current_dir(&root)
            .arg("train/teacher.py")
            .arg("train")
            .args(fine_tune_args(
                originals,
                &util::shared()
                    .join("data/ontonotes/dev.jsonl")
                    .display()
                    .to_string(),
            )),
    )?;
    let packed = dir.join("teacher.npz");
    util::run(
        Command::new(python::python())
            .current_dir(&root)
            .args(["train/teacher.py", "pack", "--work", FINE_TUNE_DIR, "--out"])
            .arg(&packed),
    )?;
    Ok(packed)
}

pub fn build(args: &AccurateArgs) -> Result {
    python::ensure_venv()?;
    let root = util::root();
    let dir = root.join("target/accurate").join(&args.name);
    let weights = match &args.weights {
        Some(w) => root.join(w),
        None => fine_tune()?,
    };
    util::run(
        Command::new(python::python())
            .current_dir(root.join("train"))
            .arg("teacher.py")
            .arg("export")
            .arg("--weights")
            .arg(&weights)
            .arg("--out")
            .arg(&dir)
            .arg("--reference")
            .arg(util::shared().join("data/ontonotes/dev.jsonl"))
            .arg("--overlap")
            .arg(args.overlap.to_string()),
    )?;
    let bytes = pack(&dir)?;
    let tagger = Tagger::from_bytes(&bytes)?;
    let reference = util::read_to_string(dir.join("reference.json"))?;
    let worst = check_reference(&tagger, &reference)?;
    eprintln!("parity: the word scores differ from teacher.py's by at most {worst:.4}");
    let models = root.join("models");
    util::write(models.join(format!("{}.nmm", args.name)), &bytes)?;
    util::write(
        models.join(format!("{}.reference.json", args.name)),
        reference,
    )?;
    eprintln!(
        "wrote models/{}.nmm ({} bytes, sha256 {})",
        args.name,
        bytes.len(),
        super::card::sha256_hex(&bytes)
    );
    if !args.no_card {
        write_card(args, &bytes, &weights, worst)?;
    }
    Ok(())
}

/// `models/<name>.md`: what the model is and how it was built, then the
/// scores every card has (`card::scores`).
fn write_card(args: &AccurateArgs, bytes: &[u8], weights: &Path, worst: f32) -> Result {
    use std::io::Write;
    let dev = util::shared().join("data/ontonotes/dev.jsonl");
    let dev_docs = newsmark_train::corpus::read_corpus(&dev, None)?;
    let tagger = Tagger::from_bytes(bytes)?;
    let weights_bytes = util::read(weights)?;
    let path = util::root()
        .join("models")
        .join(format!("{}.md", args.name));
    let mut card = fs_err::File::create(&path)?.into_parts().0;
    writeln!(
        card,
        "# Model card: `models/{}.nmm` (the accurate model, opt-in)\n",
        args.name
    )?;
    let origin = match &args.weights {
        Some(w) => format!("the transformer teacher `{}` as it is", w.display()),
        None => format!("the transformer teacher [`{TEACHER}`](teacher-ontonotes.md) (OntoNotes train) fine-tuned for one epoch on the documents the default model's training stream adds to OntoNotes train: its synthetic web pages, the hand-labelled pages of `train/pages/` and the originals of its case-changed copies (never the webnews, geo or boilerplate sets)"),
    };
    writeln!(card, "- What it is: {origin}, packed for newsmark's own inference: its matrices in int8 with one scale per input row, everything else in `f32`. Inference: `src/ner/transformer.rs` (BERT's uncased word pieces and a case class per token, windows of 96 tokens sharing {}, each token scored where it lies farthest from a window's edge); decoding: `src/ner/decode.rs` with the teacher's CRF transition scores.", args.overlap)?;
    writeln!(card, "- Labels: {}", tagger.labels().join(", "))?;
    writeln!(
        card,
        "- Size: {} bytes; sha256 `{}`",
        bytes.len(),
        super::card::sha256_hex(bytes)
    )?;
    let command = match &args.weights {
        Some(w) => format!("`cargo xtask train accurate --weights {}`", w.display()),
        None => format!(
            "`cargo xtask train accurate`, which runs `teacher.py train {}` (resumable), packs the result (`teacher.py pack`) and exports it (`teacher.py export`; the default model's recipe must have extracted its stream first)",
            fine_tune_args(0, "../shared/data/ontonotes/dev.jsonl")
                .join(" ")
                .replace("--from-doc 0", "--from-doc <OntoNotes train's documents>")
        ),
    };
    writeln!(card, "- Built by: {command}. The teacher packed had sha256 `{}`; the packing is `train/src/tasks/ner/accurate.rs`.", super::card::sha256_hex(&weights_bytes))?;
    writeln!(card, "- Parity: the Rust word scores of the first 160 words of the first OntoNotes dev document are within {worst:.4} of `teacher.py`'s computed with the same int8 numbers (`models/{}.reference.json`, checked by `ner_parity`).", args.name)?;
    writeln!(card, "- Use: `newsmark annotate --model models/{0}.nmm`, `Annotator::from_bytes`, or `model: \"accurate\"` in the JavaScript library. It is far slower than the default model and a far larger download (see the speed below and BENCHMARKS.md, section `accurate`).\n", args.name)?;
    super::card::scores(
        &mut card,
        &args.name,
        bytes,
        &dev_docs,
        "ontonotes",
        REGRESSION_DOCS,
    )?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Packs `teacher.py export`'s arrays in `dir` into a model file.
fn pack(dir: &Path) -> Result<Vec<u8>> {
    let info: Info = serde_json::from_str(&util::read_to_string(dir.join("transformer.json"))?)?;
    let mut w = ModelWriter::new();
    w.add("labels", Section::Strings(info.labels.iter().collect()));
    w.add(
        "transformer",
        Section::U32s(vec![
            info.layers,
            info.hidden,
            info.heads,
            info.ffn,
            info.pieces,
            info.words,
            info.overlap,
        ]),
    );
    w.add("bert.vocab", Section::Strings(info.vocab.iter().collect()));
    w.add("emb.word", i8_rows(dir, "emb.word")?);
    for name in ["emb.position", "emb.case", "emb.ln.g", "emb.ln.b"] {
        w.add(name, f32_section(dir, name)?);
    }
    for i in 0..info.layers {
        for m in ["qkv", "att_out", "ffn_in", "ffn_out"] {
            let name = format!("layer{i}.{m}");
            w.add(&format!("{name}.w"), i8_rows(dir, &name)?);
            w.add(
                &format!("{name}.b"),
                f32_section(dir, &format!("{name}.b"))?,
            );
        }
        for ln in ["ln1", "ln2"] {
            for part in ["g", "b"] {
                let name = format!("layer{i}.{ln}.{part}");
                w.add(&name, f32_section(dir, &name)?);
            }
        }
    }
    for name in ["out.w", "out.b", "crf.trans"] {
        w.add(name, f32_section(dir, name)?);
    }
    Ok(w.to_bytes())
}

fn f32_section(dir: &Path, name: &str) -> Result<Section> {
    let (shape, data) = npy_f32(dir, name)?;
    Ok(Section::F32 { shape, data })
}

/// The int8 matrix `name` (`NAME.q.npy` and its scales), which must be there.
fn i8_rows(dir: &Path, name: &str) -> Result<Section> {
    npy_i8_rows(dir, name)?.ok_or_else(|| format!("{}: no {name}.q.npy", dir.display()).into())
}
