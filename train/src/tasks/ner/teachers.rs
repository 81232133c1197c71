//! The teachers step: CNN teachers (`train/train.py` runs with seeds
//! 1..=N, the recipe's arguments), each in its own directory.

use std::path::Path;
use std::process::Command;

use super::python;
use super::recipe::Recipe;
use super::super::util::{self, Result};

/// The command of one trainer run: features from `features`, checkpoint
/// and export in `out`, the recipe's time budget and `args`.
pub fn trainer(recipe: &Recipe, features: &Path, out: &Path, args: &[String], resume: bool) -> Command {
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
