//! The data in `../shared`, read one way for `cargo xtask` and the tests:
//! where it is, its JSONL files (the NER corpora, the sentence rule cases,
//! the boilerplate pages), and what a test does when it is missing.
//!
//! Every error names the file, and the line where one is at fault.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::score::EvalEntity;
use newsmark::internals::{spans_from_offsets, to_byte_offsets};
use newsmark::Entity;
use newsmark::{OffsetMap, Span, Unit};

/// `../shared` beside the repository, or `$NEWSMARK_SHARED` when set.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("NEWSMARK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

/// The environment variable that turns a missing `../shared` from a skipped
/// test into a failed one (CI sets it: there, nothing is skipped).
pub const REQUIRE_SHARED: &str = "NEWSMARK_REQUIRE_SHARED";

/// [`shared_dir`] for the test `test`, if the data is there. If it is not,
/// this prints `skipped: ../shared not found ...` (to the real standard
/// error, which the test harness does not capture) and returns `None`, and
/// the test should return at once; with `NEWSMARK_REQUIRE_SHARED` set it
/// panics instead.
///
/// ```ignore
/// let Some(shared) = shared_for_test("ner_regression") else { return };
/// ```
pub fn shared_for_test(test: &str) -> Option<PathBuf> {
    let dir = shared_dir();
    if dir.join("data").is_dir() {
        return Some(dir);
    }
    let why = format!(
        "../shared not found ({} has no data/; set NEWSMARK_SHARED to its path)",
        dir.display()
    );
    if std::env::var_os(REQUIRE_SHARED).is_some() {
        panic!("{test}: {why}, and {REQUIRE_SHARED} is set");
    }
    let _ = writeln!(std::io::stderr(), "skipped: {why}: {test}");
    None
}

/// A file of `../shared` (or a fixture) that could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum CorpusError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// A line is not JSON.
    Json {
        /// The file.
        path: PathBuf,
        /// The line, counted from 1.
        line: usize,
        /// The parser's complaint.
        error: serde_json::Error,
    },
    /// A line is JSON but not what the file's format says.
    Format {
        /// The file.
        path: PathBuf,
        /// The line, counted from 1.
        line: usize,
        /// What is wrong, e.g. "`tokens` 3 ends past the text (120 code points)".
        what: String,
    },
}

impl fmt::Display for CorpusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CorpusError::Read { path, error } => {
                write!(f, "cannot read {}: {error}", path.display())
            }
            CorpusError::Json { path, line, error } => {
                write!(f, "{}:{line}: not JSON: {error}", path.display())
            }
            CorpusError::Format { path, line, what } => {
                write!(f, "{}:{line}: {what}", path.display())
            }
        }
    }
}

impl std::error::Error for CorpusError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CorpusError::Read { error, .. } => Some(error),
            CorpusError::Json { error, .. } => Some(error),
            CorpusError::Format { .. } => None,
        }
    }
}

/// The non-blank lines of the JSONL file `path`, parsed, each with its line
/// number (from 1).
pub fn read_jsonl_lines(path: &Path) -> Result<Vec<(usize, Value)>, CorpusError> {
    let src = std::fs::read_to_string(path).map_err(|error| CorpusError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    src.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map(|v| (i + 1, v))
                .map_err(|error| CorpusError::Json {
                    path: path.to_path_buf(),
                    line: i + 1,
                    error,
                })
        })
        .collect()
}

/// The non-blank lines of the JSONL file `path`, parsed.
pub fn read_jsonl(path: &Path) -> Result<Vec<Value>, CorpusError> {
    Ok(read_jsonl_lines(path)?
        .into_iter()
        .map(|(_, v)| v)
        .collect())
}

/// Reads the fields of one JSONL line, naming the file and line in errors.
struct Fields<'a> {
    path: &'a Path,
    line: usize,
    value: &'a Value,
}

impl Fields<'_> {
    fn error(&self, what: String) -> CorpusError {
        CorpusError::Format {
            path: self.path.to_path_buf(),
            line: self.line,
            what,
        }
    }

    fn str(&self, key: &str) -> Result<&str, CorpusError> {
        self.value[key]
            .as_str()
            .ok_or_else(|| self.error(format!("`{key}` is missing or not a string")))
    }

    fn array(&self, key: &str) -> Result<&[Value], CorpusError> {
        self.value[key]
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| self.error(format!("`{key}` is missing or not an array")))
    }

    /// `[a, b]` pairs of whole numbers, each with `a <= b <= limit`
    /// (`limit_what` names the limit in errors).
    fn ranges(
        &self,
        key: &str,
        limit: usize,
        limit_what: &str,
    ) -> Result<Vec<(usize, usize)>, CorpusError> {
        self.array(key)?
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let n = |k: usize| p[k].as_u64().map(|v| v as usize);
                match (n(0), n(1)) {
                    (Some(a), Some(b)) if a <= b && b <= limit => Ok((a, b)),
                    (Some(a), Some(b)) => Err(self.error(format!(
                        "`{key}` {i} [{a}, {b}] is not a range within the {limit} {limit_what}"
                    ))),
                    _ => Err(self.error(format!("`{key}` {i} is not a pair of whole numbers"))),
                }
            })
            .collect()
    }
}

/// One document of a NER corpus file (`../shared/data/README.md`: `id`,
/// `genre`, `text`, `tokens`, `sentences`, `entities`).
#[derive(Clone, Debug, Default)]
pub struct Doc {
    /// Document id.
    pub id: String,
    /// Genre (`nw`, `bc`, ...), `"?"` if absent.
    pub genre: String,
    /// Running text.
    pub text: String,
    /// Gold tokens, byte spans.
    pub tokens: Vec<Span>,
    /// Gold sentences, byte spans.
    pub sentences: Vec<Span>,
    /// Gold entities, byte spans with labels, sorted.
    pub entities: Vec<(Span, String)>,
    /// Gold entities as in the file (code points), in file order.
    pub gold: Vec<EvalEntity>,
}

/// A change of case applied to a corpus' text, its offsets kept
/// (`cargo xtask eval --case`), to measure the tagger on text as people
/// paste it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseChange {
    /// Every character lower case.
    Lower,
    /// Every character upper case.
    Upper,
    /// Headline case: every run of four or more ASCII letters, and the
    /// text's first word, with its first letter upper case and the rest
    /// lower case (`Nasa`, `Mcdonald`); shorter words unchanged.
    Title,
}

impl CaseChange {
    /// The names `--case` takes.
    pub const NAMES: [&'static str; 3] = ["lower", "upper", "title"];

    /// The change called `name` (`lower`, `upper`, `title`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "lower" => Some(CaseChange::Lower),
            "upper" => Some(CaseChange::Upper),
            "title" => Some(CaseChange::Title),
            _ => None,
        }
    }

    /// The change's name, as `--case` takes it.
    pub fn name(self) -> &'static str {
        match self {
            CaseChange::Lower => "lower",
            CaseChange::Upper => "upper",
            CaseChange::Title => "title",
        }
    }

    /// `text` with its case changed, or `None` if that would change a
    /// character's length in UTF-8 (every offset must stay valid, so such a
    /// document is left out).
    pub fn apply(self, text: &str) -> Option<String> {
        match self {
            CaseChange::Lower | CaseChange::Upper => {
                let mut out = String::with_capacity(text.len());
                for c in text.chars() {
                    let mut changed = if self == CaseChange::Lower {
                        c.to_lowercase().collect::<String>()
                    } else {
                        c.to_uppercase().collect::<String>()
                    };
                    if changed.chars().count() != 1 || changed.len() != c.len_utf8() {
                        return None;
                    }
                    out.push_str(&std::mem::take(&mut changed));
                }
                Some(out)
            }
            CaseChange::Title => {
                let mut bytes = text.as_bytes().to_vec();
                let mut first_word = true;
                let mut i = 0;
                while i < bytes.len() {
                    if !bytes[i].is_ascii_alphabetic() {
                        i += 1;
                        continue;
                    }
                    let start = i;
                    while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                        i += 1;
                    }
                    // A run of letters inside a longer word (`naïve`, `x2y`)
                    // is still a run of ASCII letters: the definition counts
                    // runs, not words.
                    if i - start >= 4 || first_word {
                        bytes[start] = bytes[start].to_ascii_uppercase();
                        bytes[start + 1..i].make_ascii_lowercase();
                    }
                    first_word = false;
                }
                // Only ASCII letters changed, each to one ASCII letter.
                String::from_utf8(bytes).ok()
            }
        }
    }
}

impl Doc {
    /// This document with its text's case changed and every offset kept, or
    /// `None` if the change would move an offset (see [`CaseChange::apply`]).
    pub fn with_case(&self, case: CaseChange) -> Option<Doc> {
        let text = case.apply(&self.text)?;
        Some(Doc {
            text,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod case_tests {
    use super::CaseChange;

    #[test]
    fn case_changes_keep_every_offset() {
        let t = "NASA's McDonald flew to the U.S. in 2019 with Ann.";
        assert_eq!(
            CaseChange::Lower.apply(t).unwrap(),
            "nasa's mcdonald flew to the u.s. in 2019 with ann."
        );
        assert_eq!(
            CaseChange::Upper.apply(t).unwrap(),
            "NASA'S MCDONALD FLEW TO THE U.S. IN 2019 WITH ANN."
        );
        assert_eq!(
            CaseChange::Title.apply(t).unwrap(),
            "Nasa's Mcdonald Flew to the U.S. in 2019 With Ann."
        );
        // The first word is capitalised whatever its length.
        assert_eq!(
            CaseChange::Title.apply("in the city").unwrap(),
            "In the City"
        );
        // A character whose other case has another length in UTF-8: left out.
        assert_eq!(CaseChange::Upper.apply("Straße"), None);
        assert_eq!(CaseChange::Lower.apply("İstanbul"), None);
        assert_eq!(CaseChange::Lower.apply("Ünal"), Some("ünal".to_string()));
    }
}

/// Reads the first `limit` documents (all with `None`) of the NER corpus
/// file `path`, converting its code-point offsets to byte offsets.
pub fn read_corpus(path: &Path, limit: Option<usize>) -> Result<Vec<Doc>, CorpusError> {
    let mut docs = Vec::new();
    for (line, value) in read_jsonl_lines(path)? {
        if limit.is_some_and(|n| docs.len() >= n) {
            break;
        }
        let f = Fields {
            path,
            line,
            value: &value,
        };
        let text = f.str("text")?.to_string();
        let chars = text.chars().count();
        let tok_cp = f.ranges("tokens", chars, "code points of `text`")?;
        let tokens = spans_from_offsets(&text, Unit::CodePoint, &tok_cp);
        // The webnews set gives no sentences: its `sentences` is one span of
        // code points over the whole text, read as one sentence of all tokens.
        let whole_text = matches!(&f.value["sentences"], serde_json::Value::Array(s)
            if s.len() == 1 && s[0] == serde_json::json!([0, chars]) && chars > tokens.len());
        let sentence_ranges = match whole_text {
            true if !tokens.is_empty() => vec![(0, tokens.len())],
            _ => f.ranges("sentences", tokens.len(), "tokens")?,
        };
        let sentences = sentence_ranges
            .into_iter()
            .enumerate()
            .map(|(i, (a, b))| {
                if a == b {
                    return Err(f.error(format!("`sentences` {i} [{a}, {b}] has no tokens")));
                }
                Ok(Span::new(tokens[a].start, tokens[b - 1].end))
            })
            .collect::<Result<_, _>>()?;
        let mut gold = Vec::new();
        for (i, e) in f.array("entities")?.iter().enumerate() {
            let n = |k: usize| e[k].as_u64().map(|v| v as usize);
            match (n(0), n(1), e[2].as_str()) {
                (Some(s), Some(t), Some(label)) if s <= t && t <= chars => {
                    gold.push((s, t, label.to_string()))
                }
                _ => {
                    return Err(f.error(format!(
                        "`entities` {i} is not [start, end, label] within the {chars} code points of `text`: {e}"
                    )))
                }
            }
        }
        // Byte offsets of every entity boundary, converted in one pass.
        let mut bounds: Vec<usize> = gold.iter().flat_map(|e| [e.0, e.1]).collect();
        bounds.sort_unstable();
        bounds.dedup();
        let bytes = to_byte_offsets(&text, Unit::CodePoint, &bounds);
        let byte = |cp: usize| bytes[bounds.partition_point(|&b| b < cp)];
        let mut sorted = gold.clone();
        sorted.sort();
        let entities = sorted
            .into_iter()
            .map(|(s, t, label)| (Span::new(byte(s), byte(t).max(byte(s))), label))
            .collect();
        docs.push(Doc {
            id: f.str("id")?.to_string(),
            genre: value["genre"].as_str().unwrap_or("?").to_string(),
            text,
            tokens,
            sentences,
            entities,
            gold,
        });
    }
    Ok(docs)
}

/// Entities as the evaluation files write them: code-point offsets and label.
pub fn to_eval(text: &str, entities: &[Entity]) -> Vec<EvalEntity> {
    let map = OffsetMap::new(text, Unit::CodePoint);
    entities
        .iter()
        .map(|e| {
            let (s, t) = map.convert_span(e.span);
            (s, t, e.label.to_string())
        })
        .collect()
}

/// One sentence-boundary rule case (`../shared/data/sbd/*.jsonl`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleCase {
    /// The case's `id` as written (a number or a string).
    pub id: String,
    /// Its `name`.
    pub name: String,
    /// The text to split.
    pub text: String,
    /// The sentences it should be split into.
    pub expected: Vec<String>,
}

/// Reads a rule-case file.
pub fn read_rule_cases(path: &Path) -> Result<Vec<RuleCase>, CorpusError> {
    read_jsonl_lines(path)?
        .into_iter()
        .map(|(line, value)| {
            let f = Fields {
                path,
                line,
                value: &value,
            };
            let expected = f
                .array("expected")?
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    s.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| f.error(format!("`expected` {i} is not a string")))
                })
                .collect::<Result<_, _>>()?;
            Ok(RuleCase {
                id: match &value["id"] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
                name: value["name"].as_str().unwrap_or("").to_string(),
                text: f.str("text")?.to_string(),
                expected,
            })
        })
        .collect()
}

/// One labelled page of the boilerplate data
/// (`../shared/data/boilerplate/*.jsonl`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// Page id (for the seeds, the seed file's name).
    pub id: String,
    /// Where the page comes from (a data set's name), `""` if absent.
    pub source: String,
    /// The page's site, `""` if absent.
    pub site: String,
    /// Its lines, each with its label: true for article text.
    pub lines: Vec<(String, bool)>,
    /// The article's text alone, as the annotators wrote it.
    pub article_text: String,
}

impl Page {
    /// The lines' text.
    pub fn line_texts(&self) -> Vec<&str> {
        self.lines.iter().map(|(t, _)| t.as_str()).collect()
    }

    /// The lines' labels (true: article text).
    pub fn labels(&self) -> Vec<bool> {
        self.lines.iter().map(|&(_, a)| a).collect()
    }
}

/// Reads a boilerplate page file.
pub fn read_pages(path: &Path) -> Result<Vec<Page>, CorpusError> {
    read_jsonl_lines(path)?
        .into_iter()
        .map(|(line, value)| {
            let f = Fields {
                path,
                line,
                value: &value,
            };
            let lines = f
                .array("lines")?
                .iter()
                .enumerate()
                .map(
                    |(i, l)| match (l["text"].as_str(), l["article"].as_bool()) {
                        (Some(t), Some(a)) => Ok((t.to_string(), a)),
                        _ => Err(f.error(format!(
                            "`lines` {i} is not {{\"text\": string, \"article\": bool}}"
                        ))),
                    },
                )
                .collect::<Result<_, _>>()?;
            let opt = |key: &str| value[key].as_str().unwrap_or("").to_string();
            Ok(Page {
                id: f.str("id")?.to_string(),
                source: opt("source"),
                site: opt("site"),
                lines,
                article_text: opt("article_text"),
            })
        })
        .collect()
}
