//! Section `case` (issue #17): NER accuracy on the slice with the text's case
//! changed (lower, upper, headline case), newsmark beside spaCy sm.
//!
//! For each change the slice is written again as a gold file with the text
//! changed by [`CaseChange::apply`] and every other field (entity offsets
//! included) kept; a document whose length would change is left out and
//! counted. newsmark (`cargo xtask predict ner`, raw text) and spaCy sm
//! (`bench/peers.py ner --system spacy-ner`, tok2vec+ner) read that file, and
//! both are scored by `score_ner.py` against it. The slice as written is
//! measured the same way in the same run, for reference.

use std::fmt::Write as _;
use std::path::Path;

use newsmark_train::corpus::CaseChange;
use serde::{Deserialize, Serialize};

use super::clock;
use super::peers;
use super::record::{EntityScore, Record, Section, Versions};
use crate::util::Result;

/// The lowest newsmark F1 issue #17 accepts on each case change.
pub const F1_MIN: f64 = 0.80;

/// The rows: (record name, report name, change; `None` is the text as written).
const CASES: [(&str, &str, Option<CaseChange>); 4] = [
    ("cased", "as written (for reference)", None),
    ("lower", "lower", Some(CaseChange::Lower)),
    ("upper", "UPPER", Some(CaseChange::Upper)),
    ("title", "Headline Case", Some(CaseChange::Title)),
];

/// Section `case`'s record.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct CaseAccuracy {
    pub rows: Vec<CaseRow>,
    /// spaCy's package versions, as its driver reported them.
    #[serde(default)]
    pub spacy_versions: Versions,
}

/// One case change.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct CaseRow {
    /// `cased`, `lower`, `upper` or `title`.
    pub case: String,
    /// Documents of the slice kept, and left out (their length would change).
    pub docs: usize,
    pub left_out: usize,
    /// Scores on the changed text; `None` where that system did not run.
    pub newsmark: Option<EntityScore>,
    pub spacy: Option<EntityScore>,
    /// newsmark with the lite model (`models/ontonotes-lite.nmm`).
    #[serde(default)]
    pub lite: Option<EntityScore>,
}

/// The slice's JSONL `lines` with each text's case changed and every other
/// field kept, as a file body; and how many documents a change of length
/// left out.
pub fn transform(lines: &[String], case: CaseChange) -> Result<(String, usize)> {
    let mut body = String::new();
    let mut left_out = 0;
    for line in lines.iter().filter(|l| !l.trim().is_empty()) {
        let mut doc: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)?;
        let text = doc
            .get("text")
            .and_then(|t| t.as_str())
            .ok_or("a document without a text")?;
        match case.apply(text) {
            Some(changed) => {
                doc.insert("text".into(), changed.into());
                body.push_str(&serde_json::to_string(&doc)?);
                body.push('\n');
            }
            None => left_out += 1,
        }
    }
    Ok((body, left_out))
}

/// Measures the section: `lines` are the slice's (written at `slice`), `work`
/// the bench's working folder; `spacy_ready` says whether the peers'
/// environment is there (without it newsmark's figures are still taken).
/// A part that fails is noted in `errors` and the others still run.
pub fn measure(
    lines: &[String],
    slice: &Path,
    work: &Path,
    spacy_ready: Result,
    errors: &mut Vec<String>,
) -> Result<CaseAccuracy> {
    let pred_dir = work.join("pred");
    std::fs::create_dir_all(&pred_dir)?;
    if let Err(e) = &spacy_ready {
        errors.push(format!("spaCy: {e}"));
    }
    let mut out = CaseAccuracy::default();
    let total = lines.iter().filter(|l| !l.trim().is_empty()).count();
    for (name, _, case) in CASES {
        let (gold, left_out) = match case {
            None => (slice.to_path_buf(), 0),
            Some(case) => {
                let gold = work.join(format!("ontonotes-dev-slice.{name}.jsonl"));
                let (body, left_out) = transform(lines, case)?;
                std::fs::write(&gold, body)?;
                (gold, left_out)
            }
        };
        eprintln!(
            "bench: case {name}: {} of {total} documents ({left_out} left out)",
            total - left_out
        );
        let mut part = |who: &str, r: Result<EntityScore>| match r {
            Ok(s) => Some(s),
            Err(e) => {
                errors.push(format!("{name}, {who}: {e}"));
                None
            }
        };
        let g = gold.display().to_string();
        let mut newsmark_with = |who: &str, model: Option<&str>| {
            part(
                who,
                (|| {
                    let pred = pred_dir.join(format!("{who}-ner-case-{name}.jsonl"));
                    let p = pred.display().to_string();
                    let mut args = vec!["predict", "ner", "--data", &g, "--out", &p];
                    if let Some(m) = model {
                        args.extend(["--model", m]);
                    }
                    super::xtask(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())?;
                    Ok(peers::score_ner(&gold, &pred)?.overall)
                })(),
            )
        };
        let newsmark = newsmark_with("newsmark", None);
        let lite_model = crate::util::root().join(super::LITE_MODEL_FILE);
        let lite = lite_model
            .exists()
            .then(|| newsmark_with("newsmark-lite", Some(&lite_model.display().to_string())))
            .flatten();
        let spacy = match &spacy_ready {
            Ok(()) => part(
                "spaCy",
                (|| {
                    let pred = pred_dir.join(format!("spacy-ner-case-{name}.jsonl"));
                    let p = pred.display().to_string();
                    let run = peers::python_peer(&[
                        "ner",
                        "--system",
                        "spacy-ner",
                        "--data",
                        &g,
                        "--out",
                        &p,
                        "--runs",
                        "1",
                    ])?;
                    out.spacy_versions = run.versions;
                    Ok(peers::score_ner(&gold, &pred)?.overall)
                })(),
            ),
            Err(_) => None,
        };
        out.rows.push(CaseRow {
            case: name.to_string(),
            docs: total - left_out,
            left_out,
            newsmark,
            spacy,
            lite,
        });
    }
    Ok(out)
}

/// A 0..1 score as a percentage with one decimal.
fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{:.1}", x * 100.0))
}

/// The report's part: the table and issue #17's target line.
pub fn section(s: &mut String, r: &Record) {
    if let Some(section) = r.sections.case.as_ref() {
        render(s, section, r.slices.ner.docs);
    }
}

/// [`section`] for the stored section, on a slice of `slice_docs` documents.
fn render(s: &mut String, section: &Section<CaseAccuracy>, slice_docs: usize) {
    let data = section.data();
    let _ = writeln!(s, "## Accuracy with the case changed\n");
    let _ = writeln!(
        s,
        "| text | newsmark F1 | spaCy sm F1 | newsmark lite F1 | docs |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for (name, label, _) in CASES {
        let row = data.and_then(|d| d.rows.iter().find(|x| x.case == name));
        let _ = writeln!(
            s,
            "| {label} | {} | {} | {} | {} |",
            pct(row.and_then(|x| x.newsmark.as_ref()).map(|x| x.f1)),
            pct(row.and_then(|x| x.spacy.as_ref()).map(|x| x.f1)),
            pct(row.and_then(|x| x.lite.as_ref()).map(|x| x.f1)),
            row.map_or("–".into(), |x| if x.left_out > 0 {
                format!("{} ({} left out)", x.docs, x.left_out)
            } else {
                x.docs.to_string()
            }),
        );
    }
    let m = &section.measured;
    let _ = writeln!(
        s,
        "\nExact-match entity F1 on the slice (the first {} documents of OntoNotes dev) with every text's case changed by `newsmark_train::corpus::CaseChange` \
         (headline case: runs of four or more ASCII letters and each text's first word capitalised, the rest lower case), entity offsets kept; \
         a document whose length a change would alter is left out of that row for both systems. \
         newsmark: `cargo xtask predict ner --data GOLD --out PRED` on the changed file (raw text; the same as `cargo xtask eval --case lower|upper|title`); \
         newsmark lite: the same with `--model models/ontonotes-lite.nmm`; spaCy: `en_core_web_sm` tok2vec+ner (`bench/peers.py ner --system spacy-ner`) on the same file; all scored by `../shared/tools/score_ner.py GOLD PRED --json` against the changed gold. \
         Measured by `{}` on {}.\n",
        slice_docs,
        m.command,
        clock::display(&m.started),
    );
    let _ = writeln!(s, "| target (issue #17) | this run | bar | met |");
    let _ = writeln!(s, "|---|---:|---:|---|");
    let scores: Vec<Option<f64>> = CASES[1..]
        .iter()
        .map(|(name, _, _)| {
            data.and_then(|d| d.rows.iter().find(|x| x.case == *name))
                .and_then(|x| x.newsmark.as_ref())
                .map(|x| x.f1)
        })
        .collect();
    let met = scores
        .iter()
        .copied()
        .collect::<Option<Vec<f64>>>()
        .map(|v| v.iter().all(|&f| f >= F1_MIN));
    let _ = writeln!(
        s,
        "| newsmark NER F1 with the text in lower case / UPPER CASE / Headline Case | {} | ≥ {} on each | {} |\n",
        scores.iter().map(|&f| pct(f)).collect::<Vec<_>>().join(" / "),
        pct(Some(F1_MIN)),
        match met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not measured",
        }
    );
}

#[cfg(test)]
mod tests {
    use super::super::record::Measurement;
    use super::*;

    fn row(case: &str, left_out: usize, newsmark: f64, spacy: Option<f64>) -> CaseRow {
        let score = |f1| EntityScore {
            p: f1,
            r: f1,
            f1,
            news_f1: None,
        };
        CaseRow {
            case: case.into(),
            docs: 10 - left_out,
            left_out,
            newsmark: Some(score(newsmark)),
            spacy: spacy.map(score),
            lite: (case == "lower").then(|| score(newsmark - 0.01)),
        }
    }

    fn rendered(rows: Vec<CaseRow>) -> String {
        let section = Section {
            measured: Measurement {
                command: "cargo xtask bench --only case".into(),
                started: "2026-01-02T03:04:05Z".into(),
                ..Default::default()
            },
            errors: vec![],
            data: Some(CaseAccuracy {
                rows,
                spacy_versions: Default::default(),
            }),
        };
        let mut s = String::new();
        render(&mut s, &section, 10);
        s
    }

    #[test]
    fn table_and_target_line() {
        let md = rendered(vec![
            row("cased", 0, 0.85, Some(0.84)),
            row("lower", 0, 0.6235, Some(0.3)),
            row("upper", 2, 0.7231, None),
            row("title", 0, 0.632, Some(0.5)),
        ]);
        assert!(
            md.contains("| as written (for reference) | 85.0 | 84.0 | – | 10 |"),
            "{md}"
        );
        assert!(md.contains("| lower | 62.4 | 30.0 | 61.4 | 10 |"), "{md}");
        assert!(
            md.contains("| UPPER | 72.3 | – | – | 8 (2 left out) |"),
            "{md}"
        );
        assert!(
            md.contains("| Headline Case | 63.2 | 50.0 | – | 10 |"),
            "{md}"
        );
        assert!(
            md.contains("| 62.4 / 72.3 / 63.2 | ≥ 80.0 on each | **no** |"),
            "{md}"
        );
        assert!(md.contains("the first 10 documents"), "{md}");
        let md = rendered(vec![
            row("lower", 0, 0.8, None),
            row("upper", 0, 0.81, None),
            row("title", 0, 0.9, None),
        ]);
        assert!(
            md.contains("| 80.0 / 81.0 / 90.0 | ≥ 80.0 on each | yes |"),
            "{md}"
        );
        let md = rendered(vec![row("lower", 0, 0.9, None)]);
        assert!(
            md.contains("| 90.0 / – / – | ≥ 80.0 on each | not measured |"),
            "{md}"
        );
    }

    #[test]
    fn transformed_gold_keeps_offsets_and_leaves_out_changed_lengths() {
        let lines = vec![
            r#"{"id":"a","genre":"nw","text":"NASA met Ann in Paris.","tokens":[[0,4]],"entities":[[0,4,"ORG"],[9,12,"PERSON"],[16,21,"GPE"]]}"#.to_string(),
            r#"{"id":"b","genre":"nw","text":"Straße in Köln.","entities":[[10,14,"GPE"]]}"#.to_string(),
            String::new(),
        ];
        let (body, left_out) = transform(&lines, CaseChange::Upper).unwrap();
        // ß has no one-character upper case: that document is left out.
        assert_eq!(left_out, 1);
        let docs: Vec<serde_json::Value> = body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0]["text"], "NASA MET ANN IN PARIS.");
        let original: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        for key in ["id", "genre", "tokens", "entities"] {
            assert_eq!(docs[0][key], original[key], "{key}");
        }
        let (body, left_out) = transform(&lines, CaseChange::Title).unwrap();
        assert_eq!(left_out, 0);
        let second: serde_json::Value = serde_json::from_str(body.lines().nth(1).unwrap()).unwrap();
        // Code-point offsets still point at the same words.
        assert_eq!(second["text"], "Straße in Köln.");
        let (body, _) = transform(&lines, CaseChange::Lower).unwrap();
        let first: serde_json::Value = serde_json::from_str(body.lines().next().unwrap()).unwrap();
        let text: Vec<char> = first["text"].as_str().unwrap().chars().collect();
        let spans: Vec<String> = first["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let (a, b) = (e[0].as_u64().unwrap(), e[1].as_u64().unwrap());
                text[a as usize..b as usize].iter().collect()
            })
            .collect();
        assert_eq!(spans, ["nasa", "ann", "paris"]);
    }
}
