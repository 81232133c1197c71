//! Hand-labelled web pages (issue #17): news pages of the project's own
//! writing, each entity marked inline as `⟦LABEL text⟧` by the OntoNotes
//! guidelines (`train/pages/README.md` says how they were written and
//! labelled). [`parse_page`] strips the marks and returns the page as a
//! training [`Doc`]: its tokens and sentences are our own segmenter's, as a
//! user's pasted page would get them, and every entity must start and end
//! on a token boundary.

use std::path::Path;

use crate::corpus::Doc;
use newsmark::internals::segment::sentences_and_tokens;
use newsmark::Span;

const OPEN: char = '⟦';
const CLOSE: char = '⟧';

/// A page whose marks do not parse: the reason, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    /// 1-based line of the marked-up text.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for PageError {}

/// The page `marked` (its id `id`) as a document: the text without the
/// marks, our tokens and sentences, and the marked entities with their
/// labels, each of which must be one of `labels`.
pub fn parse_page(id: &str, marked: &str, labels: &[&str]) -> Result<Doc, PageError> {
    let mut text = String::with_capacity(marked.len());
    let mut entities: Vec<(Span, String)> = Vec::new();
    let mut line = 1;
    let mut rest = marked;
    while let Some(at) = rest.find([OPEN, CLOSE]) {
        let (before, from) = rest.split_at(at);
        text.push_str(before);
        line += before.matches('\n').count();
        let fail = |reason: String| PageError { line, reason };
        if from.starts_with(CLOSE) {
            return Err(fail(format!("`{CLOSE}` without its `{OPEN}`")));
        }
        let inner_start = OPEN.len_utf8();
        let close = from[inner_start..]
            .find([OPEN, CLOSE])
            .map(|i| i + inner_start)
            .filter(|&i| from[i..].starts_with(CLOSE))
            .ok_or_else(|| {
                fail(format!(
                    "`{OPEN}` without its `{CLOSE}` (or a mark inside a mark)"
                ))
            })?;
        let inner = &from[inner_start..close];
        let (label, name) = inner
            .split_once(' ')
            .ok_or_else(|| fail(format!("`{inner}`: a mark is `{OPEN}LABEL text{CLOSE}`")))?;
        if !labels.contains(&label) {
            return Err(fail(format!(
                "unknown label `{label}` (the labels: {})",
                labels.join(", ")
            )));
        }
        if name.trim().len() != name.len() || name.is_empty() || name.contains('\n') {
            return Err(fail(format!(
                "`{inner}`: the entity's text is empty, spans lines or has spaces at its ends"
            )));
        }
        let start = text.len();
        text.push_str(name);
        entities.push((Span::new(start, text.len()), label.to_string()));
        rest = &from[close + CLOSE.len_utf8()..];
    }
    text.push_str(rest);
    let (sentences, tokens) = sentences_and_tokens(&text);
    for (span, label) in &entities {
        let starts = tokens
            .binary_search_by_key(&span.start, |t| t.start)
            .is_ok();
        let ends = tokens.binary_search_by_key(&span.end, |t| t.end).is_ok();
        let one_sentence = sentences
            .iter()
            .any(|s| s.start <= span.start && span.end <= s.end);
        if !(starts && ends && one_sentence) {
            let line = 1 + text[..span.start].matches('\n').count();
            return Err(PageError {
                line,
                reason: format!(
                    "{label} `{}` does not start and end on our tokens' boundaries inside one sentence",
                    span.slice(&text)
                ),
            });
        }
    }
    Ok(Doc {
        id: id.to_string(),
        genre: "web".to_string(),
        text,
        tokens,
        sentences,
        entities,
        gold: Vec::new(),
    })
}

/// Every page (`*.txt`, by name) of the directory `dir`.
pub fn read_dir(dir: &Path, labels: &[&str]) -> Result<Vec<Doc>, String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{}: no pages (*.txt)", dir.display()));
    }
    paths
        .iter()
        .map(|path| {
            let marked =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            parse_page(&path.display().to_string(), &marked, labels)
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsmark::internals::ONTONOTES;

    fn labels() -> Vec<&'static str> {
        ONTONOTES.to_vec()
    }

    #[test]
    fn marks_become_entities_on_our_tokens() {
        let doc = parse_page(
            "t",
            "By ⟦PERSON Ana Ruiz⟧\n\nThe firm told ⟦ORG Open Wire⟧ it paid ⟦MONEY $92B⟧ on ⟦DATE Monday⟧.\n",
            &labels(),
        )
        .unwrap();
        assert_eq!(
            doc.text,
            "By Ana Ruiz\n\nThe firm told Open Wire it paid $92B on Monday.\n"
        );
        let shown: Vec<(&str, &str)> = doc
            .entities
            .iter()
            .map(|(s, l)| (l.as_str(), s.slice(&doc.text)))
            .collect();
        assert_eq!(
            shown,
            [
                ("PERSON", "Ana Ruiz"),
                ("ORG", "Open Wire"),
                ("MONEY", "$92B"),
                ("DATE", "Monday")
            ]
        );
        assert!(!doc.tokens.is_empty() && !doc.sentences.is_empty());
    }

    #[test]
    fn the_committed_pages_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("pages");
        let pages = read_dir(&dir, &labels()).unwrap_or_else(|e| panic!("{e}"));
        assert!(pages.len() >= 40, "{} pages", pages.len());
        for page in &pages {
            assert!(
                page.entities.iter().any(|(_, l)| l == "ORG"),
                "{}: no ORG",
                page.id
            );
        }
    }

    #[test]
    fn bad_marks_are_named_with_their_line() {
        let cases = [
            ("a\n⟦ORG Acme", 2, "without its"),
            ("a ⟧", 1, "without its"),
            ("⟦ORG a ⟦ORG b⟧⟧", 1, "mark inside a mark"),
            ("x\ny ⟦COMPANY Acme⟧", 2, "unknown label `COMPANY`"),
            ("⟦ORG  Acme⟧", 1, "spaces at its ends"),
            ("⟦ORG⟧", 1, "a mark is"),
            ("the ⟦ORG Acm⟧e deal", 1, "boundaries"),
        ];
        for (marked, line, reason) in cases {
            let err = parse_page("t", marked, &labels()).unwrap_err();
            assert_eq!(err.line, line, "{marked:?}: {err}");
            assert!(err.reason.contains(reason), "{marked:?}: {err}");
        }
    }
}
