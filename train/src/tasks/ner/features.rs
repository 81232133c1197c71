//! The features step: the training text (the corpus, case-changed copies,
//! synthetic pages, hand-labelled pages, unlabelled text) run through the
//! same feature extraction as inference (`newsmark::internals::Featurizer`),
//! written as `.npy` streams with `meta.json` for `train/train.py`.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use newsmark::internals::{
    FeatureSpec, Featurizer, Part, TagSet, Vocabulary, WordPieces, CONLL2003, ONTONOTES,
    TABLE_NAMES,
};
use newsmark_train::corpus::{read_corpus, CaseChange, Doc};
use newsmark_train::synthetic_pages::SyntheticPages;
use newsmark_train::{labelled_pages, npy, transcripts};

use super::super::util::{self, Result};
use super::python;
use super::recipe::{Recipe, TextSource};

/// What every step reads: the labels, the word lists, the feature
/// extractors and the dev documents.
pub struct Inputs {
    /// The corpus' labels, in the model's order.
    pub labels: Vec<String>,
    /// MiniLM's word-piece vocabulary.
    pub vocab: Vec<String>,
    /// The GloVe words of the `vector` feature (empty without it).
    pub words: Vec<String>,
    /// The model's feature spec.
    pub spec: FeatureSpec,
    /// The model's extractor.
    pub featurizer: Featurizer,
    /// The teachers' extractor: the text as written, without the line's case.
    pub teacher_featurizer: Featurizer,
    /// The corpus' dev documents.
    pub dev_docs: Vec<Doc>,
    /// MiniLM's weights (the trainer seeds the word-piece table from them).
    pub minilm: PathBuf,
}

impl Inputs {
    /// Reads the word lists (writing the GloVe list first unless `pack_only`).
    pub fn load(recipe: &Recipe, pack_only: bool) -> Result<Inputs> {
        let minilm = python::minilm_dir()?;
        let vocab = python::read_lines(&minilm.join("vocab.txt"))?;
        let wordpieces = WordPieces::new(&vocab).ok_or("vocab.txt has no [UNK]")?;
        let words_file = recipe.work().join("vocabulary.txt");
        if recipe.vectors > 0 && !pack_only {
            util::create_dir_all(recipe.work())?;
            util::run(
                Command::new(python::python())
                    .arg(util::root().join("train/vectors.py"))
                    .args(["--words", &recipe.vectors.to_string(), "--out"])
                    .arg(&words_file),
            )?;
        }
        let words = if recipe.vectors > 0 {
            python::read_lines(&words_file)?
        } else {
            Vec::new()
        };
        let spec = FeatureSpec {
            vector_words: recipe.vectors,
            line_case: recipe.line_case,
            ..FeatureSpec::DEFAULT
        };
        let featurizer_of = |spec: &FeatureSpec| -> Result<Featurizer> {
            let featurizer = Featurizer::new(spec.clone(), Some(wordpieces.clone()));
            if recipe.vectors == 0 {
                return Ok(featurizer);
            }
            let vocabulary = Vocabulary::new(&words).ok_or("the GloVe word list passes 4 GiB")?;
            Ok(featurizer
                .with_vocabulary(vocabulary)
                .ok_or("the GloVe word list is shorter than `vectors`")?)
        };
        let labels = match recipe.corpus.as_str() {
            "conll2003" => CONLL2003,
            _ => ONTONOTES,
        };
        Ok(Inputs {
            labels: labels.iter().map(|s| s.to_string()).collect(),
            featurizer: featurizer_of(&spec)?,
            teacher_featurizer: featurizer_of(&spec.without_line_case())?,
            spec,
            vocab,
            words,
            dev_docs: read_corpus(&corpus_dir(recipe).join("dev.jsonl"), None)?,
            minilm: minilm.join("model.safetensors"),
        })
    }

    fn label_refs(&self) -> Vec<&str> {
        self.labels.iter().map(String::as_str).collect()
    }
}

/// `../shared/data/<corpus>/`.
pub fn corpus_dir(recipe: &Recipe) -> PathBuf {
    util::shared().join("data").join(&recipe.corpus)
}

/// Features extracted by an earlier run (reused, or packed again) must be
/// those the recipe describes.
pub fn check_earlier(recipe: &Recipe, inputs: &Inputs) -> Result {
    let Ok(meta) = fs::read_to_string(recipe.work().join("meta.json")) else {
        return Ok(());
    };
    let meta: serde_json::Value = serde_json::from_str(&meta)?;
    let extracted = meta["line_case"].as_bool().unwrap_or(false);
    if extracted != inputs.spec.line_case {
        return Err(format!(
            "the features in {} were extracted {} line_case: the recipe must say the same",
            recipe.work().display(),
            if extracted { "with" } else { "without" }
        )
        .into());
    }
    Ok(())
}

/// With `--reuse-features`: the teachers' feature directory of the last run, if any.
pub fn reused(recipe: &Recipe) -> Result<Option<PathBuf>> {
    let work = recipe.work();
    if !work.join("meta.json").exists() {
        return Err(format!(
            "--reuse-features: no features in {} (run without it first)",
            work.display()
        )
        .into());
    }
    let dir = work.join("teacher-features");
    Ok(dir.join("train.ids.npy").exists().then_some(dir))
}

/// The training stream: the documents, the documents the teachers read in
/// their place, and the tokens only the labels know.
struct Stream {
    docs: Vec<Doc>,
    /// The original of each case-changed copy (empty without copies).
    teacher_view: Vec<Doc>,
    /// 1 for each token whose label only the construction knows (empty: none).
    hard: Vec<u32>,
}

impl Stream {
    fn push(&mut self, doc: Doc, teacher_reads: Doc, hard: impl IntoIterator<Item = u32>) {
        if !self.hard.is_empty() {
            self.hard.extend(hard);
        }
        if !self.teacher_view.is_empty() {
            self.teacher_view.push(teacher_reads);
        }
        self.docs.push(doc);
    }

    /// Starts the marks: none of the documents so far is constructed.
    fn mark(&mut self) {
        if self.hard.is_empty() {
            self.hard = vec![0; self.docs.iter().map(|d| d.tokens.len()).sum()];
        }
    }
}

/// Extracts every stream; returns the teachers' own feature directory when
/// they read other text than the model (case-changed copies).
pub fn extract_all(recipe: &Recipe, inputs: &Inputs) -> Result<Option<PathBuf>> {
    let work = recipe.work();
    util::create_dir_all(&work)?;
    let corpus = read_corpus(&corpus_dir(recipe).join("train.jsonl"), None)?;
    let originals = corpus.len();
    let mut s = Stream {
        docs: corpus,
        teacher_view: Vec::new(),
        hard: Vec::new(),
    };
    if let Some(share) = recipe.data.case_augment {
        let added = case_augmented(&s.docs, share);
        eprintln!(
            "case_augment {share}: {} documents added with their case changed",
            added.len()
        );
        s.teacher_view = s.docs.clone();
        for (source, copy) in added {
            let original = s.docs[source].clone();
            s.push(copy, original, []);
        }
    }
    if let Some(share) = recipe.data.synthetic_pages {
        let maker = SyntheticPages::new(&s.docs[..originals])
            .with_tour_dates(recipe.data.tour_dates.unwrap_or(false))
            .with_person_headlines(recipe.data.person_headlines.unwrap_or(0.5));
        s.mark();
        let (mut quota, mut added) = (Quota::new(share), 0);
        for i in 0..originals {
            if !quota.take() {
                continue;
            }
            if let Some(page) = maker.page(&s.docs[..originals], i, 17) {
                let marks: Vec<u32> = page.constructed.iter().map(|&c| u32::from(c)).collect();
                s.push(page.doc.clone(), page.doc, marks);
                added += 1;
            }
        }
        eprintln!(
            "synthetic_pages {share}: {added} documents added as web pages ({} names; {} constructed tokens)",
            maker.names(),
            s.hard.iter().filter(|&&h| h == 1).count()
        );
    }
    if let Some(dir) = &recipe.data.pages {
        let repeat = recipe.data.pages_repeat.unwrap_or(1);
        let pages = labelled_pages::read_dir(&util::root().join(dir), &inputs.label_refs())?;
        s.mark();
        for _ in 0..repeat {
            for page in &pages {
                s.push(
                    page.clone(),
                    page.clone(),
                    std::iter::repeat_n(1, page.tokens.len()),
                );
            }
        }
        eprintln!(
            "pages {dir}: {} hand-labelled pages ({} tokens, {} entities) added {repeat} times",
            pages.len(),
            pages.iter().map(|p| p.tokens.len()).sum::<usize>(),
            pages.iter().map(|p| p.entities.len()).sum::<usize>()
        );
    }
    if let Some(share) = recipe.data.transcripts {
        s.mark();
        let (mut quota, mut added) = (Quota::new(share), 0);
        for i in 0..originals {
            if !transcripts::is_transcript(&s.docs[i]) || !quota.take() {
                continue;
            }
            if let Some(copy) = transcripts::with_noises(&s.docs[i], 31 + i as u64) {
                let marks: Vec<u32> = copy.constructed.iter().map(|&c| u32::from(c)).collect();
                s.push(copy.doc.clone(), copy.doc, marks);
                added += 1;
            }
        }
        eprintln!(
            "transcripts {share}: {added} conversations added with noises written in ({} constructed tokens in all)",
            s.hard.iter().filter(|&&h| h == 1).count()
        );
    }
    let hard_file = work.join("train.hard.npy");
    if !s.hard.is_empty() {
        util::write(&hard_file, npy::write_u32(&[s.hard.len()], &s.hard))?;
    } else if hard_file.exists() {
        fs::remove_file(&hard_file)?;
    }
    extract(&s.docs, &inputs.featurizer, &inputs.labels, &work, "train")?;
    extract(
        &inputs.dev_docs,
        &inputs.featurizer,
        &inputs.labels,
        &work,
        "dev",
    )?;
    if recipe.data.unlabelled.is_empty() {
        remove_stream(&work, "unlabelled")?;
    } else {
        let mut docs = Vec::new();
        for name in &recipe.data.unlabelled {
            docs.extend(unlabelled_texts(name)?);
        }
        extract(
            &docs,
            &inputs.featurizer,
            &inputs.labels,
            &work,
            "unlabelled",
        )?;
    }
    // With case-changed copies, the teachers read each copy's original (the
    // view's words for the transformer, its features for the CNN teachers):
    // the model learns the changed text from what they make of the cased.
    // The CNN teachers also learn from the documents as written, in a
    // feature directory of their own.
    let teacher_features = if recipe.has_teachers() && !s.teacher_view.is_empty() {
        let tf = &inputs.teacher_featurizer;
        extract(&s.teacher_view, tf, &inputs.labels, &work, "teacher-view")?;
        if recipe.teachers.as_ref().is_some_and(|t| t.count > 0) {
            let dir = work.join("teacher-features");
            util::create_dir_all(&dir)?;
            extract(&s.docs[..originals], tf, &inputs.labels, &dir, "train")?;
            extract(&inputs.dev_docs, tf, &inputs.labels, &dir, "dev")?;
            Some(dir)
        } else {
            None
        }
    } else {
        remove_stream(&work, "teacher-view")?;
        None
    };
    let meta = serde_json::json!({
        "corpus": recipe.corpus,
        "labels": inputs.labels,
        "n_tags": 1 + 4 * inputs.labels.len(),
        "tables": TABLE_NAMES,
        "table_rows": inputs.featurizer.table_rows(),
        "slot_tables": inputs.spec.slot_tables(),
        "minilm": inputs.minilm,
        "vector_words": recipe.vectors,
        "line_case": inputs.spec.line_case,
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
    Ok(teacher_features)
}

/// Removes the stream `name` an earlier run left (the trainer would read it).
fn remove_stream(dir: &Path, name: &str) -> Result {
    for part in ["ids", "tags", "doc"] {
        let stale = dir.join(format!("{name}.{part}.npy"));
        if stale.exists() {
            fs::remove_file(stale)?;
        }
    }
    Ok(())
}

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

/// Writes `<split>.ids.npy`, `<split>.tags.npy`, `<split>.doc.npy` for one
/// stream of documents, and `<split>.words.jsonl` (each document's tokens,
/// one JSON list a line) for the transformer teacher.
pub fn extract(
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
    let mut words = String::new();
    let mut misaligned = 0;
    for (i, doc) in docs.iter().enumerate() {
        ids.extend(featurizer.featurize(&doc.text, &doc.tokens));
        tags.extend(gold_tags(doc, labels, &mut misaligned));
        doc_ids.extend(std::iter::repeat_n(i as u32, doc.tokens.len()));
        let list: Vec<&str> = doc.tokens.iter().map(|t| t.slice(&doc.text)).collect();
        words.push_str(&serde_json::to_string(&list)?);
        words.push('\n');
    }
    let n = tags.len();
    let file = |part: &str| dir.join(format!("{split}.{part}"));
    util::write(file("ids.npy"), npy::write_u32(&[n, slots], &ids))?;
    util::write(file("tags.npy"), npy::write_u32(&[n], &tags))?;
    util::write(file("doc.npy"), npy::write_u32(&[n], &doc_ids))?;
    util::write(file("words.jsonl"), words)?;
    eprintln!(
        "extracted {split}: {} docs, {n} tokens, {misaligned} entities off token boundaries",
        docs.len()
    );
    Ok(())
}

/// Copies of about `share` of `docs` (every document whose index falls in
/// the share, spread evenly) with their case changed: lower, upper and
/// headline case in turn, offsets and labels kept (Mayhew et al., "NER and
/// POS when nothing is capitalized", EMNLP 2019, train on such a mix). A
/// document whose offsets a change would move is not copied. Each copy comes
/// with the index of its original.
pub fn case_augmented(docs: &[Doc], share: f64) -> Vec<(usize, Doc)> {
    const CASES: [CaseChange; 3] = [CaseChange::Lower, CaseChange::Upper, CaseChange::Title];
    let mut out = Vec::new();
    let mut quota = Quota::new(share);
    for (i, doc) in docs.iter().enumerate() {
        if quota.take() {
            if let Some(copy) = doc.with_case(CASES[out.len() % CASES.len()]) {
                out.push((i, copy));
            }
        }
    }
    out
}

/// Takes a share of a run of items, spread evenly: each item adds `share`
/// to what is due, and an item is taken whenever a whole one is due.
struct Quota {
    share: f64,
    due: f64,
}

impl Quota {
    fn new(share: f64) -> Self {
        Quota { share, due: 0.0 }
    }

    /// Whether the next item is taken.
    fn take(&mut self) -> bool {
        self.due += self.share;
        if self.due < 1.0 {
            return false;
        }
        self.due -= 1.0;
        true
    }
}

/// The texts of `unlabelled = [NAME]` as documents without entities, with
/// our own tokens: `conll2003` (the texts of its training file), `bbcnews`
/// (the BBC News articles of [`python::BBC_NEWS`], in the trainer's venv),
/// `nasdaqnews` ([`nasdaq_news_texts`]) or `boilerplate` (the article text
/// of each page of its dev file).
fn unlabelled_texts(name: &str) -> Result<Vec<Doc>> {
    let texts = match TextSource::parse(name)? {
        TextSource::Conll2003 => jsonl_texts("conll2003/train.jsonl", "text")?,
        TextSource::Boilerplate => jsonl_texts("boilerplate/dev.jsonl", "article_text")?,
        TextSource::BbcNews => bbc_news_texts()?,
        TextSource::NasdaqNews => nasdaq_news_texts()?,
    };
    Ok(texts
        .into_iter()
        .map(|(id, text)| {
            let tokens = newsmark::segment(&text).tokens;
            Doc {
                id,
                genre: "?".into(),
                text,
                tokens,
                sentences: Vec::new(),
                entities: Vec::new(),
                gold: Vec::new(),
            }
        })
        .collect())
}

/// (id, `field`) of each line of `../shared/data/FILE`.
fn jsonl_texts(file: &str, field: &str) -> Result<Vec<(String, String)>> {
    let path = util::shared().join("data").join(file);
    let src = util::read_to_string(&path)?;
    let mut out = Vec::new();
    for (n, line) in src.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        out.push((
            v["id"].as_str().unwrap_or_default().to_string(),
            v[field].as_str().unwrap_or_default().to_string(),
        ));
    }
    Ok(out)
}

/// (id, text) of the company news of [`python::NASDAQ_NEWS`] fit to learn
/// from ([`fit_company_news`]: most records are a feed's snippet of a few
/// lines), each text once; tickers in name order, records in file order.
/// The id is `nasdaqnews/TICKER/N`.
fn nasdaq_news_texts() -> Result<Vec<(String, String)>> {
    let dir = python::nasdaq_news_dir()?;
    let mut files: Vec<PathBuf> = util::read_dir(&dir)?
        .map(|f| f.map(|f| f.path()))
        .collect::<std::io::Result<_>>()?;
    files.retain(|f| f.extension().is_some_and(|x| x == "json"));
    files.sort();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for file in &files {
        let records: Vec<serde_json::Value> = serde_json::from_str(&util::read_to_string(file)?)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let ticker = file.file_stem().unwrap_or_default().to_string_lossy();
        for (n, r) in records.iter().enumerate() {
            let (Some(text), Some(date)) = (r["text"].as_str(), r["publishedDate"].as_str()) else {
                continue;
            };
            if fit_company_news(text, date) && seen.insert(text.to_string()) {
                out.push((format!("nasdaqnews/{ticker}/{n}"), text.to_string()));
            }
        }
    }
    if out.is_empty() {
        return Err(format!("{}: no company news", dir.display()).into());
    }
    Ok(out)
}

/// Whether a record of the company news is one to learn from: English (a
/// twelfth of the words or more are `the`, `and`, `of`, `to`, `in` or `a`),
/// 150 words or more, published (`date`, ISO 8601) in 2015-2021.
fn fit_company_news(text: &str, date: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let common = words
        .iter()
        .filter(|w| {
            ["the", "and", "of", "to", "in", "a"]
                .iter()
                .any(|c| w.eq_ignore_ascii_case(c))
        })
        .count();
    let year = date.get(..4).unwrap_or_default();
    words.len() >= 150 && common * 12 >= words.len() && ("2015"..="2021").contains(&year)
}

/// (id, text) of every BBC News article, sections and files in name order;
/// the id is `bbcnews/SECTION/FILE`. A byte that is not UTF-8 (one article
/// has one) becomes U+FFFD.
fn bbc_news_texts() -> Result<Vec<(String, String)>> {
    let dir = python::bbc_news_dir()?;
    let mut files = Vec::new();
    for section in util::read_dir(&dir)? {
        let section = section?.path();
        if section.is_dir() {
            for file in util::read_dir(&section)? {
                let file = file?.path();
                if file.extension().is_some_and(|x| x == "txt") {
                    files.push(file);
                }
            }
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no articles", dir.display()).into());
    }
    files
        .iter()
        .map(|f| {
            let id = f.strip_prefix(&dir).unwrap_or(f).display().to_string();
            let text = String::from_utf8_lossy(&util::read(f)?).into_owned();
            Ok((format!("bbcnews/{id}"), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{fit_company_news, Quota};

    #[test]
    fn company_news_is_long_english_text_of_2015_to_2021() {
        let english =
            "The maker said in a statement that the plan and the rest of the deal go to a vote. "
                .repeat(10);
        assert!(english.split_whitespace().count() >= 150);
        assert!(fit_company_news(&english, "2019-03-04 08:00:00"));
        assert!(fit_company_news(&english, "2015-01-01"));
        assert!(fit_company_news(&english, "2021-12-31"));
        assert!(!fit_company_news(&english, "2014-12-31"));
        assert!(!fit_company_news(&english, "2022-01-01"));
        assert!(!fit_company_news(&english, ""));
        // A snippet, and a text in another language.
        let snippet: String = english
            .split_whitespace()
            .take(60)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(!fit_company_news(&snippet, "2019-03-04"));
        let german = "Das Unternehmen teilte mit, dass der Plan im Herbst umgesetzt werden soll. "
            .repeat(15);
        assert!(!fit_company_news(&german, "2019-03-04"));
    }

    #[test]
    fn a_quota_takes_its_share_evenly() {
        let taken = |share: f64, n: usize| -> Vec<usize> {
            let mut quota = Quota::new(share);
            (0..n).filter(|_| quota.take()).collect()
        };
        assert_eq!(taken(0.25, 10), [3, 7]);
        assert_eq!(taken(0.5, 5), [1, 3]);
        assert_eq!(taken(1.0, 3), [0, 1, 2]);
        assert!(taken(0.0, 100).is_empty());
    }
}
