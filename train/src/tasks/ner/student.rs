//! The student step: the model itself, learning from the gold tags and,
//! with teachers, from their averaged tag marginals.

use std::fs;
use std::time::Instant;

use super::super::util::{self, Result};
use super::recipe::Recipe;
use super::teachers;

/// Trains the model into the recipe's run directory and adds this run's
/// wall-clock minutes to the record of earlier (resumed) runs.
pub fn train(
    recipe: &Recipe,
    teacher_ckpts: &[String],
    transformer: Option<&std::path::Path>,
    teachers_read_originals: bool,
    resume: bool,
    started: Instant,
) -> Result {
    let dir = recipe.student_dir();
    util::create_dir_all(&dir)?;
    let mut cmd = teachers::trainer(
        recipe,
        &recipe.work(),
        &dir,
        &recipe.student_args()?,
        resume,
    );
    if let Some(n) = recipe.keep_vectors {
        cmd.args(["--keep-vectors", &n.to_string()]);
    }
    if !teacher_ckpts.is_empty() {
        cmd.args(["--teachers", &teacher_ckpts.join(",")]);
    }
    if let Some(dir) = transformer {
        cmd.arg("--transformer").arg(dir);
        if let Some(w) = recipe.transformer.as_ref().and_then(|t| t.weight) {
            cmd.args(["--transformer-weight", &w.to_string()]);
        }
    }
    if teachers_read_originals && (transformer.is_some() || !teacher_ckpts.is_empty()) {
        cmd.args(["--teacher-view", "teacher-view"]);
    }
    util::run(&mut cmd)?;
    let before = if resume { minutes(recipe) } else { None };
    Ok(util::write(
        dir.join("train_minutes.txt"),
        format!(
            "{:.1}\n",
            before.unwrap_or(0.0) + started.elapsed().as_secs_f64() / 60.0
        ),
    )?)
}

/// The wall-clock minutes the model's runs took, if recorded.
pub fn minutes(recipe: &Recipe) -> Option<f64> {
    fs::read_to_string(recipe.student_dir().join("train_minutes.txt"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
}
