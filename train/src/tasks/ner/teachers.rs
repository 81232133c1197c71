//! The teachers step: CNN teachers (`train/train.py` runs with seeds
//! 1..=N, the recipe's arguments), each in its own directory.

use std::path::Path;
use std::process::Command;

use super::super::util::{self, Result};
use super::python;
use super::recipe::Recipe;

/// The command of one trainer run: features from `features`, checkpoint
/// and export in `out`, the recipe's time budget and `args`.
pub fn trainer(
    recipe: &Recipe,
    features: &Path,
    out: &Path,
    args: &[String],
    resume: bool,
) -> Command {
    let mut cmd = Command::new(python::python());
    cmd.arg(util::root().join("train/train.py"))
        .arg("--work")
        .arg(out)
        .arg("--features")
        .arg(features)
        .args(["--minutes", &recipe.minutes.to_string()]);
    if resume {
        cmd.arg("--resume");
    }
    cmd.args(args);
    cmd
}

/// Trains the recipe's teachers (reading `features`, or the model's own
/// features without a directory of their own); returns their checkpoints.
pub fn train(recipe: &Recipe, features: Option<&Path>, resume: bool) -> Result<Vec<String>> {
    let Some(teachers) = &recipe.teachers else {
        return Ok(Vec::new());
    };
    let work = recipe.work();
    let (args, stem) = recipe.teacher_args()?;
    let mut ckpts = Vec::new();
    for seed in 1..=teachers.count {
        let dir = work.join(format!("{stem}-{seed}"));
        eprintln!("teacher {seed} of {} in {}", teachers.count, dir.display());
        let mut cmd = trainer(recipe, features.unwrap_or(&work), &dir, &args, resume);
        cmd.args(["--seed", &seed.to_string()]);
        util::run(&mut cmd)?;
        ckpts.push(dir.join("ckpt.pkl").display().to_string());
    }
    Ok(ckpts)
}

/// Trains the transformer teacher (or resumes it; a finished run returns at
/// once), or takes the recipe's packed one, and writes its tag marginals for the streams the model learns from
/// into `<work>/transformer/` (`train.npy` for the training stream, read as
/// the teachers read it, `unlabelled.npy`, `dev.npy`); returns that
/// directory. Marginals already written for the same words and checkpoint
/// are kept.
pub fn transformer(recipe: &Recipe) -> Result<Option<std::path::PathBuf>> {
    let Some(t) = &recipe.transformer else {
        return Ok(None);
    };
    // The teacher's weights: the committed pack, or a run trained (resumed)
    // here; `teacher.py label`'s flag for them, and the file that holds them.
    let (flag, weights, file) = match &t.weights {
        Some(path) => {
            let path = util::root().join(path);
            if !path.exists() {
                return Err(format!(
                    "`transformer.weights`: {} does not exist (`train/teacher.py pack` writes it)",
                    path.display()
                )
                .into());
            }
            ("--weights", path.clone(), path)
        }
        None => {
            let dir = recipe.transformer_dir();
            train_transformer(recipe, t, &dir)?;
            let best = dir.join("best.pkl");
            ("--work", dir, best)
        }
    };
    let work = recipe.work();
    let out = work.join("transformer");
    util::create_dir_all(&out)?;
    let checkpoint = super::card::sha256_hex(&util::read(file)?);
    let view = if work.join("teacher-view.words.jsonl").exists() {
        "teacher-view"
    } else {
        "train"
    };
    for (split, words) in [
        ("train", view),
        ("unlabelled", "unlabelled"),
        ("dev", "dev"),
    ] {
        let words = work.join(format!("{words}.words.jsonl"));
        let target = out.join(format!("{split}.npy"));
        if !words.exists() {
            if target.exists() {
                std::fs::remove_file(&target)?;
            }
            continue;
        }
        // The cache's key: the words' and the teacher's contents, so that
        // features extracted again (say for another model of the corpus)
        // keep the marginals of the same words.
        let teacher_line = format!("teacher sha256 {checkpoint}\n");
        let key = format!(
            "words sha256 {}\n{teacher_line}",
            super::card::sha256_hex(&util::read(&words)?)
        );
        let stamp = out.join(format!("{split}.key"));
        if target.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(key.as_str())
        {
            eprintln!(
                "transformer marginals for {split}: kept ({})",
                target.display()
            );
            continue;
        }
        // The words the marginals were of, kept beside them: documents
        // found there again are not labelled again (when only a part of
        // the text changed), if the teacher is the same.
        let labelled = out.join(format!("{split}.words.jsonl"));
        let mut label = Command::new(python::python());
        label
            .arg(util::root().join("train/teacher.py"))
            .arg("label")
            .arg(flag)
            .arg(&weights)
            .arg("--words")
            .arg(&words)
            .arg("--out")
            .arg(&target);
        let same_teacher =
            std::fs::read_to_string(&stamp).is_ok_and(|old| old.ends_with(&teacher_line));
        if same_teacher && labelled.exists() && target.exists() {
            label
                .arg("--reuse-words")
                .arg(&labelled)
                .arg("--reuse")
                .arg(&target);
        }
        util::run(&mut label)?;
        std::fs::copy(&words, &labelled)?;
        util::write(stamp, key)?;
    }
    Ok(Some(out))
}

/// Trains the transformer teacher in `dir` (or resumes it; a finished run
/// returns at once).
fn train_transformer(recipe: &Recipe, t: &super::recipe::Transformer, dir: &Path) -> Result {
    let corpus = util::shared().join("data").join(&recipe.corpus);
    let mut cmd = Command::new(python::python());
    cmd.arg(util::root().join("train/teacher.py"))
        .arg("train")
        .arg("--work")
        .arg(dir)
        .arg("--train")
        .arg(corpus.join("train.jsonl"))
        .arg("--dev")
        .arg(corpus.join("dev.jsonl"))
        .arg("--resume")
        .args(super::recipe::trainer_args(&t.trainer)?);
    if recipe.corpus == "conll2003" {
        cmd.arg("--conll");
    }
    util::run(&mut cmd)?;
    let log = util::read_to_string(dir.join("log.txt"))?;
    if !log.lines().rev().any(|l| l.ends_with("; finished")) {
        return Err(format!(
            "the transformer teacher in {} has not finished its epochs: run again (it resumes)",
            dir.display()
        )
        .into());
    }
    Ok(())
}
