//! NER tasks: training from a recipe (features, teachers, student, export,
//! card), evaluation and prediction files.

pub mod accurate;
pub mod card;
pub mod eval;
pub mod export;
pub mod features;
pub mod python;
pub mod recipe;
pub mod student;
pub mod teachers;

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::util::Result;
use recipe::Recipe;

/// The flags of `train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// The recipe: `models/<name>.toml`.
    #[arg(long, value_name = "FILE")]
    pub recipe: PathBuf,
    /// Continue from the last checkpoints.
    #[arg(long)]
    pub resume: bool,
    /// No feature extraction: train on the features of the last run (say
    /// for a variant distilled from the same teachers).
    #[arg(long)]
    pub reuse_features: bool,
    /// Pack the last export again: no extraction or training.
    #[arg(long, conflicts_with_all = ["resume", "reuse_features"])]
    pub pack_only: bool,
}

/// `cargo xtask train --recipe FILE [--resume] [--reuse-features] [--pack-only]`.
pub fn train(args: &TrainArgs) -> Result {
    let recipe = Recipe::read(&args.recipe)?;
    let started = Instant::now();
    python::ensure_venv()?;
    let inputs = features::Inputs::load(&recipe, args.pack_only)?;
    if args.reuse_features || args.pack_only {
        features::check_earlier(&recipe, &inputs)?;
    }
    if !args.pack_only {
        let teacher_features = if args.reuse_features {
            features::reused(&recipe)?
        } else {
            features::extract_all(&recipe, &inputs)?
        };
        let ckpts = teachers::train(&recipe, teacher_features.as_deref(), args.resume)?;
        let transformer = teachers::transformer(&recipe)?;
        student::train(
            &recipe,
            &ckpts,
            transformer.as_deref(),
            teacher_features.is_some(),
            args.resume,
            started,
        )?;
    }
    let bytes = export::export(&recipe, &inputs)?;
    card::write(&recipe, &bytes, &inputs.dev_docs)
}
