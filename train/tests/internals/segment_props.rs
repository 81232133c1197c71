//! Property tests of the segmentation layers alone: for any `&str`, blocks,
//! sentences and tokens are byte spans on `char` boundaries, in order and
//! non-overlapping; blocks cover every non-blank line; every token lies in
//! one sentence and every sentence in one block; nothing panics. Plus the
//! large inputs: 10 MB of text and a single 1 MB line.

use crate::invariants;

use newsmark::internals::segment::{blocks::line_spans, tokens::tokenize};
use newsmark::{segment, BlockKind, Document, Segmentation, Span};
use proptest::prelude::*;

/// The pipeline-wide invariants of `tests/invariants` on the segmentation
/// alone (no entities).
fn check_shared(text: &str, seg: Segmentation) -> Result<(), String> {
    let doc = Document {
        blocks: seg.blocks,
        sentences: seg.sentences,
        tokens: seg.tokens,
        entities: Vec::new(),
    };
    invariants::check_document(text, &doc, &[])
}

/// Checks every structural invariant of `seg` for `text`.
fn check(text: &str, seg: &Segmentation) -> Result<(), String> {
    let on_boundary = |s: &Span| {
        s.start < s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
    };
    let ordered = |spans: &[Span], what: &str| -> Result<(), String> {
        for s in spans {
            if !on_boundary(s) {
                return Err(format!(
                    "{what} {s:?} is empty, out of bounds or not on a char boundary"
                ));
            }
        }
        for w in spans.windows(2) {
            if w[0].end > w[1].start {
                return Err(format!(
                    "{what}s {:?} and {:?} overlap or are out of order",
                    w[0], w[1]
                ));
            }
        }
        Ok(())
    };
    let block_spans: Vec<Span> = seg.blocks.iter().map(|b| b.span).collect();
    ordered(&block_spans, "block")?;
    ordered(&seg.sentences, "sentence")?;
    ordered(&seg.tokens, "token")?;
    // Blocks are exactly the non-blank lines, trimmed.
    if block_spans != line_spans(text) {
        return Err("blocks do not match the non-blank lines".into());
    }
    for (b, expected) in block_spans
        .iter()
        .zip(text.split(['\n', '\r']).filter(|l| !l.trim().is_empty()))
    {
        if b.slice(text) != expected.trim() {
            return Err(format!("block {b:?} is not its trimmed line"));
        }
    }
    // Non-whitespace text outside every block would be lost.
    let mut at = 0;
    for b in &block_spans {
        if !text[at..b.start].trim().is_empty() {
            return Err(format!("text before {b:?} is in no block"));
        }
        at = b.end;
    }
    if !text[at..].trim().is_empty() {
        return Err("text after the last block is in no block".into());
    }
    for b in &seg.blocks {
        if (b.kind == BlockKind::Boilerplate) != b.reason.is_some() {
            return Err(format!(
                "block {:?}: a reason is given exactly for boilerplate",
                b.span
            ));
        }
    }
    // Nesting: each sentence in one block, each token in one sentence, and
    // every token's text non-blank.
    let mut bi = 0;
    for s in &seg.sentences {
        while bi < block_spans.len() && block_spans[bi].end <= s.start {
            bi += 1;
        }
        if bi == block_spans.len() || !block_spans[bi].contains(s) {
            return Err(format!("sentence {s:?} is in no block"));
        }
    }
    let mut si = 0;
    for t in &seg.tokens {
        while si < seg.sentences.len() && seg.sentences[si].end <= t.start {
            si += 1;
        }
        if si == seg.sentences.len() || !seg.sentences[si].contains(t) {
            return Err(format!("token {t:?} is in no sentence"));
        }
        if t.slice(text).trim().is_empty() || t.slice(text).contains(char::is_whitespace) {
            return Err(format!("token {t:?} holds whitespace"));
        }
    }
    // Every non-whitespace char of a block is in some token.
    let mut ti = 0;
    for b in &block_spans {
        for (i, c) in b.slice(text).char_indices() {
            let at = b.start + i;
            while ti < seg.tokens.len() && seg.tokens[ti].end <= at {
                ti += 1;
            }
            let covered = ti < seg.tokens.len() && seg.tokens[ti].start <= at;
            if !c.is_whitespace() && !covered {
                return Err(format!("char {c:?} at {at} is in no token"));
            }
        }
    }
    Ok(())
}

/// Text built from pieces that exercise the rules: words, abbreviations,
/// quotes, numbers, line ends, control and non-ASCII characters.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Mr.".to_string()),
        Just("U.S.".to_string()),
        Just("Inc.".to_string()),
        Just("e.g.".to_string()),
        Just(". . .".to_string()),
        Just("...".to_string()),
        Just("--".to_string()),
        Just("don't".to_string()),
        Just("it's".to_string()),
        Just("O'Brien".to_string()),
        Just("$5.4".to_string()),
        Just("1,000".to_string()),
        Just("time-consuming".to_string()),
        Just("“".to_string()),
        Just("”".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("1.".to_string()),
        Just("a.".to_string()),
        Just("•".to_string()),
        Just("http://x.y/z".to_string()),
        Just("a@b.cd".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\u{200D}".to_string()),
        Just("\u{FFFD}".to_string()),
        Just("שלום".to_string()),
        Just("\u{0301}".to_string()),
        Just("& x &".to_string()),
        "[A-Za-z]{1,8}",
        "[0-9]{1,4}",
        "[.!?,;:]{1,3}",
        "\\PC{1,6}",
        "[\\x00-\\x1f]{1,3}",
    ];
    prop::collection::vec(
        (
            piece,
            prop_oneof![Just(""), Just(" "), Just("  "), Just("\t")],
        ),
        0..60,
    )
    .prop_map(|v| v.into_iter().map(|(p, sep)| p + sep).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_on_arbitrary_unicode(text in "\\PC*") {
        let seg = segment(&text);
        prop_assert!(check(&text, &seg).is_ok(), "{:?}", check(&text, &seg));
    }

    #[test]
    fn invariants_hold_on_any_chars(text in ".{0,200}") {
        let seg = segment(&text);
        prop_assert!(check(&text, &seg).is_ok(), "{:?}", check(&text, &seg));
    }

    #[test]
    fn invariants_hold_on_tricky_text(text in tricky_text()) {
        let seg = segment(&text);
        prop_assert!(check(&text, &seg).is_ok(), "{:?}", check(&text, &seg));
    }

    #[test]
    fn shared_invariants_hold(text in tricky_text()) {
        let seg = segment(&text);
        let r = check_shared(&text, seg);
        prop_assert!(r.is_ok(), "{:?}", r);
    }

    #[test]
    fn tokenize_matches_segment_tokens(text in tricky_text()) {
        // Tokens do not depend on how the text is cut into blocks, as long as
        // no line break falls inside a chunk; the one difference: `segment`
        // gives the full stop of an abbreviation that ends a sentence its
        // own token, right at that sentence's end.
        let joined = text.replace(['\n', '\r'], " ");
        let seg = segment(&joined);
        let plain = tokenize(&joined);
        let mut k = 0;
        for t in &plain {
            prop_assert!(k < seg.tokens.len());
            if seg.tokens[k] == *t {
                k += 1;
                continue;
            }
            let (head, stop) = (seg.tokens[k], seg.tokens.get(k + 1).copied());
            prop_assert_eq!(Some(Span::new(head.end, t.end)), stop, "{:?}", t);
            prop_assert_eq!(head.start, t.start);
            prop_assert_eq!(head.end + 1, t.end);
            prop_assert_eq!(&joined[head.end..t.end], ".");
            prop_assert!(seg.sentences.iter().any(|s| s.end >= t.end && s.start <= t.start));
            k += 2;
        }
        prop_assert_eq!(k, seg.tokens.len());
    }
}

#[test]
fn ten_megabytes_of_text() {
    let para = "The U.S. economy grew 2.5% in the third quarter, Mr. Smith said. \
                “It's a time-consuming process,” he added -- and shares rose.\n";
    let mut text = String::with_capacity(10 << 20);
    let mut i = 0usize;
    while text.len() < 10 << 20 {
        text.push_str(para);
        if i.is_multiple_of(7) {
            text.push_str("Related Stories\nShare | Print | Comment\n\n");
        }
        i += 1;
    }
    let seg = segment(&text);
    check(&text, &seg).unwrap();
    assert!(seg.sentences.len() > 100_000);
}

#[test]
fn one_megabyte_single_line() {
    let mut text = String::new();
    while text.len() < 1 << 20 {
        text.push_str("abc. Def ghi, 1,000 jkl’s ");
    }
    let seg = segment(&text);
    check(&text, &seg).unwrap();
    assert_eq!(seg.blocks.len(), 1);
    // One word with no break at all.
    let word = "x".repeat(1 << 20);
    let seg = segment(&word);
    check(&word, &seg).unwrap();
    assert_eq!(seg.tokens.len(), 1);
    // One run of punctuation.
    let dots = ".".repeat(1 << 20);
    let seg = segment(&dots);
    check(&dots, &seg).unwrap();
}
