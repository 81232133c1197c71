//! newsmark's accuracy (`accuracy`) and NER with the case changed (`case`, issue #17), from
//! `cargo xtask predict`'s files and the shared scorers. [`ner_systems`] scores newsmark, its
//! lite model and spaCy sm on any OntoNotes-format gold file: a new NER data set is one call.

use std::collections::BTreeMap;
use std::path::Path;

use newsmark_train::corpus::CaseChange;
use serde::Deserialize;
use serde::Serialize;

use crate::peers::{python_peer, score_boilerplate, score_boilerplate_file, score_ner, sentence_scores, Versions};
use crate::record::{BoilerplateScore, Score, SentenceScores};
use crate::{predict, root, Ctx, Result};

pub const LITE_MODEL: &str = "models/ontonotes-lite.nmm";

/// Section `accuracy`; each part is kept when another fails.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Accuracy {
    pub ner: Option<NerAccuracy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ner_lite: Option<NerAccuracy>,
    pub sentences: Option<SentenceScores>,
    pub boilerplate: Option<BoilerplateScore>,
    #[serde(default)]
    pub baselines: BTreeMap<String, BoilerplateScore>,
}

/// Entity scores on raw text and on the corpus' tokens, and per label (raw).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct NerAccuracy {
    pub raw: Score,
    pub gold_tokens: Score,
    pub per_label: BTreeMap<String, Score>,
}

pub fn part<T>(errors: &mut Vec<String>, what: &str, r: Result<T>) -> Option<T> {
    r.map_err(|e| errors.push(format!("{what}: {e}"))).ok()
}

/// newsmark's entities on `gold` scored, with the default model or `model`.
pub fn newsmark_ner(
    ctx: &Ctx,
    gold: &Path,
    tag: &str,
    model: Option<&str>,
    extra: &[&str],
) -> Result<crate::peers::NerScore> {
    let pred = ctx.work.join(format!("pred/{tag}.jsonl"));
    let (g, p) = (gold.display().to_string(), pred.display().to_string());
    let model = model.map(|m| format!("--model={}", root().join(m).display()));
    let args = ["ner", "--data", &g, "--out", &p];
    predict(&[&args[..], model.as_slice().iter().map(String::as_str).collect::<Vec<_>>().as_slice(), extra].concat())?;
    score_ner(gold, &pred)
}

/// `who`'s entities on the slice, on raw text and on the gold tokens, with the default model or `model`.
pub fn ner_accuracy(ctx: &Ctx, who: &str, model: Option<&str>) -> Result<NerAccuracy> {
    let raw = newsmark_ner(ctx, &ctx.slice, &format!("{who}-ner-raw"), model, &[])?;
    let gold = newsmark_ner(ctx, &ctx.slice, &format!("{who}-ner-gold-tokens"), model, &["--gold-tokens"])?;
    Ok(NerAccuracy { raw: raw.overall, gold_tokens: gold.overall, per_label: raw.per_label })
}

pub fn accuracy(ctx: &Ctx, errors: &mut Vec<String>) -> Result<Accuracy> {
    let mut acc = Accuracy::default();
    for (who, model) in [("newsmark", None), ("newsmark-lite", Some(LITE_MODEL))] {
        if model.is_some_and(|m| !root().join(m).exists()) {
            continue;
        }
        let scores = part(errors, &format!("NER ({who})"), ner_accuracy(ctx, who, model));
        *(if model.is_none() { &mut acc.ner } else { &mut acc.ner_lite }) = scores;
    }
    let sentences = |data: &Path, out: &Path| {
        predict(&["sentences", "--data", &data.display().to_string(), "--out", &out.display().to_string()])
    };
    let pred = ctx.work.join("pred/newsmark-sentences.jsonl");
    let scores = sentences(&ctx.slice, &pred).and_then(|()| sentence_scores(ctx, &pred, "newsmark", &sentences));
    acc.sentences = part(errors, "sentences", scores);
    let pred = ctx.work.join("pred/newsmark-boilerplate.jsonl");
    let (pages, p) = (ctx.page_slice.display().to_string(), pred.display().to_string());
    let score = predict(&["boilerplate", "--data", &pages, "--out", &p])
        .and_then(|()| score_boilerplate_file(&ctx.page_slice, &pred));
    acc.boilerplate = part(errors, "boilerplate", score);
    let baselines = score_boilerplate(&["baselines"], &ctx.page_slice, &ctx.work.join("pred/baselines.score.json"));
    acc.baselines = part(errors, "boilerplate baselines", baselines).unwrap_or_default();
    Ok(acc)
}

/// Entity scores of newsmark, its lite model and spaCy sm on one gold file; `None`: did not run.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct NerSystems {
    pub newsmark: Option<Score>,
    pub spacy: Option<Score>,
    #[serde(default)]
    pub lite: Option<Score>,
}

/// [`NerSystems`] on `gold` (spaCy only if the peers are installed; its versions into `versions`).
pub fn ner_systems(ctx: &Ctx, gold: &Path, tag: &str, versions: &mut Versions, errors: &mut Vec<String>) -> NerSystems {
    let mut ours = |who: &str, model| {
        let r = newsmark_ner(ctx, gold, &format!("{who}-ner-{tag}"), model, &[]).map(|s| s.overall);
        part(errors, &format!("{tag}, {who}"), r)
    };
    let newsmark = ours("newsmark", None);
    let lite = root().join(LITE_MODEL).exists().then(|| ours("newsmark-lite", Some(LITE_MODEL))).flatten();
    // Not for --quick, which checks that the bench runs without the peers'
    // install (spaCy's venv is half a minute on a fresh machine).
    let spacy = (!ctx.settings.quick && ctx.peers_ready().is_ok()).then(|| {
        let pred = ctx.work.join(format!("pred/spacy-ner-{tag}.jsonl"));
        let (g, p) = (gold.display().to_string(), pred.display().to_string());
        let r =
            python_peer(&["ner", "--system", "spacy-ner", "--data", &g, "--out", &p, "--runs", "1"]).and_then(|run| {
                *versions = run.versions;
                Ok(score_ner(gold, &pred)?.overall)
            });
        part(errors, &format!("{tag}, spaCy"), r)
    });
    NerSystems { newsmark, spacy: spacy.flatten(), lite }
}

/// The case changes: (record name, report name, change; `None`: as written).
pub const CASES: [(&str, &str, Option<CaseChange>); 4] = [
    ("cased", "as written (for reference)", None),
    ("lower", "lower", Some(CaseChange::Lower)),
    ("upper", "UPPER", Some(CaseChange::Upper)),
    ("title", "Headline Case", Some(CaseChange::Title)),
];

/// The lowest newsmark F1 issue #17 accepts on each case change.
pub const CASE_F1_MIN: f64 = 0.80;

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct CaseAccuracy {
    pub rows: Vec<CaseRow>,
    #[serde(default)]
    pub spacy_versions: Versions,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct CaseRow {
    pub case: String,
    /// Documents kept, and left out (a change would alter their length).
    pub docs: usize,
    pub left_out: usize,
    #[serde(flatten)]
    pub scores: NerSystems,
}

/// The lines with each text's case changed, offsets kept; and how many were left out.
pub fn transform(lines: &[String], case: CaseChange) -> Result<(String, usize)> {
    let (mut body, mut left_out) = (String::new(), 0);
    for line in lines.iter().filter(|l| !l.trim().is_empty()) {
        let mut doc: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)?;
        let text = doc.get("text").and_then(|t| t.as_str()).ok_or("a document without a text")?;
        match case.apply(text) {
            Some(changed) => {
                doc.insert("text".into(), changed.into());
                body += &(serde_json::to_string(&doc)? + "\n");
            }
            None => left_out += 1,
        }
    }
    Ok((body, left_out))
}

pub fn case(ctx: &Ctx, errors: &mut Vec<String>) -> Result<CaseAccuracy> {
    if let Err(e) = ctx.peers_ready() {
        errors.push(format!("spaCy: {e}"));
    }
    let mut out = CaseAccuracy::default();
    let total = ctx.corpus.lines.len();
    for (name, _, change) in CASES {
        let (gold, left_out) = match change {
            None => (ctx.slice.clone(), 0),
            Some(change) => {
                let gold = ctx.work.join(format!("ontonotes-dev-slice.{name}.jsonl"));
                let (body, left_out) = transform(&ctx.corpus.lines, change)?;
                std::fs::write(&gold, body)?;
                (gold, left_out)
            }
        };
        let scores = ner_systems(ctx, &gold, &format!("case-{name}"), &mut out.spacy_versions, errors);
        out.rows.push(CaseRow { case: name.into(), docs: total - left_out, left_out, scores });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_gold_keeps_offsets_and_leaves_out_changed_lengths() {
        let lines = [
            r#"{"id":"a","text":"NASA met Ann.","entities":[[0,4,"ORG"],[9,12,"PERSON"]]}"#.to_string(),
            r#"{"id":"b","text":"Straße in Köln.","entities":[[10,14,"GPE"]]}"#.to_string(),
        ];
        // ß has no one-character upper case: that document is left out.
        let (body, left_out) = transform(&lines, CaseChange::Upper).unwrap();
        let want = r#"{"entities":[[0,4,"ORG"],[9,12,"PERSON"]],"id":"a","text":"NASA MET ANN."}"#;
        assert_eq!((body.trim_end(), left_out), (want, 1));
        let row: CaseRow =
            serde_json::from_str(r#"{"case":"lower","docs":5,"left_out":0,"newsmark":{"f1":0.9},"spacy":null}"#)
                .unwrap();
        assert_eq!((row.scores.newsmark.map(|s| s.f1), row.scores.lite), (Some(0.9), None));
    }
}
