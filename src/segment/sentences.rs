//! Sentence boundary detection over the tokens of one block.
//!
//! A sentence ends at a stop token (`.`, `!`, `?`, runs of them, or an
//! abbreviation with its stop) when the next token opens a new sentence.
//! Closing quotes and brackets right after the stop stay with the sentence
//! they close. The next token decides:
//!
//! - a lowercase word, a comma or a closing mark never starts a sentence
//!   (`"Great." she said`, `Yahoo! in`);
//! - after a plain stop, a capital, a digit or an opening quote or bracket
//!   does;
//! - after a title (`Mr.`, `Sen.`, `Mt.`), an initial (`E.`, `J.R.R.` before
//!   a name) or `No.`/`p.` before a number, nothing does;
//! - after another abbreviation (`U.S.`, `Inc.`, `p.m.`, `Calif.`), only a
//!   word that usually opens a sentence does (`However`, `The`, `Officials`),
//!   so `U.S. Treasury` and `5 p.m. Tuesday` stay whole.
//!
//! Spaced ellipses (`. . .`) continue the sentence, four dots end it;
//! numbered and lettered lists (`1.) ... 2.) ...`, `a. ... b. ...`) and
//! bulleted runs split before each item.

use super::abbrev::{
    abbrev_kind_in, continues_name, is_sentence_opener, opens_caseless_sentence, AbbrevKind,
};
use super::case::{capitalised, LineCase};
use crate::span::Span;

/// Appends the sentences formed by `tokens` (all from one block of `text`)
/// to `out`. Every token lies in exactly one sentence; each sentence runs
/// from its first token's start to its last token's end.
/// `case` is that of the block ([`LineCase::of_ascii_letters`]).
pub(crate) fn sentences_into(text: &str, tokens: &[Span], case: LineCase, out: &mut Vec<Span>) {
    if tokens.is_empty() {
        return;
    }
    let s = Splitter { text, tokens, case };
    s.split(out);
}

/// The sentences of the whole text (lines, then tokens, then sentences).
#[cfg(feature = "internals")]
pub fn sentences(text: &str) -> Vec<Span> {
    // The same lines, tokens and rules as `segment`, without classifying the
    // blocks (which does not change where sentences end).
    crate::segment::sentences_and_tokens(text).0
}

/// A closing bracket or typographic closing quote: after a sentence's stop it
/// always belongs to that sentence (straight quotes depend on their spacing).
pub(crate) fn is_closing_mark(word: &str) -> bool {
    matches!(word, ")" | "]" | "}" | "”" | "’" | "»")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum MarkerKind {
    Number,
    Letter,
}

struct Splitter<'a> {
    text: &'a str,
    tokens: &'a [Span],
    /// The case of the block: in lower case a full stop ends a sentence
    /// before a small letter too, and in lower case and ALL CAPS the word
    /// lists are read capitalised.
    case: LineCase,
}

impl Splitter<'_> {
    fn word(&self, i: usize) -> &str {
        self.tokens.get(i).map_or("", |t| t.slice(self.text))
    }

    fn first_char(&self, i: usize) -> char {
        self.word(i).chars().next().unwrap_or(' ')
    }

    /// Whether token `i` is a word that usually opens a sentence; in a line
    /// without case, one of the fewer words that seldom go on with one
    /// (`the`, `he`, `however`, not `on` or `and`), read capitalised.
    fn is_opener(&self, i: usize) -> bool {
        let w = self.word(i);
        let mut buf = [0; 12];
        match self.case.caseless().then(|| capitalised(w, &mut buf)) {
            Some(c) => c.is_some_and(opens_caseless_sentence),
            None => is_sentence_opener(w),
        }
    }

    /// True if whitespace (or nothing) separates token `i - 1` from token `i`.
    fn gap_before(&self, i: usize) -> bool {
        i == 0 || self.tokens[i - 1].end < self.tokens[i].start
    }

    fn split(&self, out: &mut Vec<Span>) {
        let n = self.tokens.len();
        let bullet = self.bullet_at(0);
        let mut list: Option<(MarkerKind, u32)> = None;
        let mut start = 0;
        let mut skip_to = self.enter(0, bullet, &mut list, true);
        let mut i = 0;
        while i < n {
            if i > start && self.gap_before(i) {
                let item_start = match bullet {
                    Some(b) => self.word(i) == b,
                    None => list.is_some_and(|(kind, next)| {
                        self.marker_at(i)
                            .is_some_and(|(k, v, _)| k == kind && v == next)
                    }),
                };
                if item_start {
                    self.push(start, i - 1, out);
                    start = i;
                    skip_to = self.enter(i, bullet, &mut list, false);
                    i += 1;
                    continue;
                }
            }
            if i >= skip_to
                && self.word(i) == "."
                && self.word(i + 1) == "."
                && self.gap_before(i + 1)
            {
                match self.spaced_dots(i) {
                    Ok(last) => {
                        self.push(start, last, out);
                        start = last + 1;
                        skip_to = self.enter(start, bullet, &mut list, false);
                        i = last + 1;
                    }
                    Err(resume) => i = resume,
                }
                continue;
            }
            if i >= skip_to {
                if let Some(last) = self.boundary_after(start, i) {
                    self.push(start, last, out);
                    start = last + 1;
                    skip_to = self.enter(start, bullet, &mut list, false);
                    i = last + 1;
                    continue;
                }
            }
            i += 1;
        }
        if start < n {
            self.push(start, n - 1, out);
        }
    }

    fn push(&self, first: usize, last: usize, out: &mut Vec<Span>) {
        out.push(Span::new(self.tokens[first].start, self.tokens[last].end));
    }

    /// Called where a sentence starts: if a list marker (after an optional
    /// bullet) opens it, returns the index after the marker's punctuation so
    /// its stop is not taken for a sentence end.
    fn enter(
        &self,
        at: usize,
        bullet: Option<&str>,
        list: &mut Option<(MarkerKind, u32)>,
        first: bool,
    ) -> usize {
        let p = if bullet.is_some() && self.word(at) == bullet.unwrap_or("") {
            at + 1
        } else {
            at
        };
        if let Some((kind, value, punct_end)) = self.marker_at(p) {
            let fits = match *list {
                Some((k, next)) => k == kind && next == value,
                None => first || bullet.is_some() || (kind == MarkerKind::Number && value <= 20),
            };
            if fits {
                *list = Some((kind, value + 1));
                return punct_end + 1;
            }
        }
        at
    }

    /// A bullet character opening the block (`•`, `⁃`, `▪`, ...).
    fn bullet_at(&self, i: usize) -> Option<&str> {
        let w = self.word(i);
        matches!(w, "•" | "⁃" | "▪" | "‣" | "◦" | "·" | "*" | "●" | "■").then_some(w)
    }

    /// A list marker at token `i`: `12.`, `12.)`, `12)`, `b.`, `b)`; returns
    /// its kind, value and the index of its last punctuation token.
    fn marker_at(&self, i: usize) -> Option<(MarkerKind, u32, usize)> {
        let w = self.word(i);
        let (kind, value) =
            if !w.is_empty() && w.len() <= 3 && w.bytes().all(|b| b.is_ascii_digit()) {
                (MarkerKind::Number, w.parse().ok()?)
            } else if w.len() == 1 && w.as_bytes()[0].is_ascii_lowercase() {
                (MarkerKind::Letter, u32::from(w.as_bytes()[0] - b'a') + 1)
            } else {
                return None;
            };
        let mut p = i + 1;
        if p >= self.tokens.len() || self.gap_before(p) {
            return None;
        }
        match self.word(p) {
            "." => {
                if p + 1 < self.tokens.len() && !self.gap_before(p + 1) && self.word(p + 1) == ")" {
                    p += 1;
                }
            }
            ")" => {}
            _ => return None,
        }
        // The item needs some text after its marker.
        (p + 1 < self.tokens.len() && self.gap_before(p + 1)).then_some((kind, value, p))
    }

    /// If token `i` ends a sentence, the index of the sentence's last token
    /// (the stop plus any closing quotes and brackets).
    fn boundary_after(&self, start: usize, i: usize) -> Option<usize> {
        let n = self.tokens.len();
        let w = self.word(i);
        if w == ":" {
            return self.heading_colon(start, i).then_some(i);
        }
        let plain = !w.is_empty() && w.bytes().all(|b| matches!(b, b'.' | b'!' | b'?'));
        let abbrev = !plain && w.len() > 1 && w.ends_with('.');
        if !plain && !abbrev {
            return None;
        }
        if w == "." && i + 1 < n && self.word(i + 1) == "." && self.gap_before(i + 1) {
            return None;
        }
        let last = self.closers_after(i);
        let next = last + 1;
        if next >= n || !self.gap_before(next) {
            return None;
        }
        let nc = self.first_char(next);
        let dash_item = plain && self.word(next) == "--";
        let lower = self.case == LineCase::Lower;
        // In lower case only a full stop (perhaps an abbreviation's) ends a
        // sentence before a small letter (`"great!" she said` stays whole).
        let stop = abbrev || w.bytes().all(|b| b == b'.');
        if (nc.is_lowercase() && !(lower && stop))
            || (!dash_item
                && matches!(
                    nc,
                    ',' | ';' | ':' | '%' | ')' | ']' | '}' | '”' | '’' | '-' | '–' | '—' | '.'
                ))
        {
            return None;
        }
        if plain {
            if w == "..." || w == "…" {
                return self.is_opener(next).then_some(last);
            }
            if nc.is_ascii_digit()
                && i > 0
                && !self.gap_before(i)
                && !is_word_token(self.word(i - 1))
            {
                // `N°. 1026` and the like.
                return None;
            }
            return Some(last);
        }
        let base = &w[..w.len() - 1];
        let kind = if base.contains('.') {
            AbbrevKind::Other
        } else if base.len() == 1
            && (base.as_bytes()[0].is_ascii_uppercase()
                || (lower && base.as_bytes()[0].is_ascii_lowercase()))
        {
            let after_lower = i > 0 && self.first_char(i - 1).is_lowercase();
            if base.eq_ignore_ascii_case("I") && after_lower {
                AbbrevKind::Other
            } else {
                AbbrevKind::Title
            }
        } else {
            abbrev_kind_in(base, self.case).unwrap_or(AbbrevKind::Other)
        };
        match kind {
            AbbrevKind::Title | AbbrevKind::BeforeNumber => None,
            AbbrevKind::Other => self.opens_sentence(next).then_some(last),
            AbbrevKind::Final if self.case.caseless() => self.opens_sentence(next).then_some(last),
            AbbrevKind::Final => {
                let c = self.first_char(next);
                let capital = c.is_uppercase() || matches!(c, '“' | '"');
                (capital && !continues_name(self.word(next))).then_some(last)
            }
        }
    }

    /// `NEW ACCOUNT: CoreStates Financial Corp. said ...`: a colon after an
    /// all-capitals heading at the start of a sentence ends that heading.
    fn heading_colon(&self, start: usize, i: usize) -> bool {
        if i == start || i - start > 6 || i + 1 >= self.tokens.len() || !self.gap_before(i + 1) {
            return false;
        }
        let c = self.first_char(i + 1);
        if !(c.is_uppercase() || c.is_ascii_digit() || matches!(c, '“' | '"' | '('))
            && self.word(i + 1) != "--"
        {
            return false;
        }
        // A speaker label in a transcript: `Reporter: ...`, `ANCHOR: ...`.
        if i == start + 1 {
            let w = self.word(start).to_ascii_lowercase();
            if matches!(
                w.as_str(),
                "reporter"
                    | "anchor"
                    | "correspondent"
                    | "host"
                    | "announcer"
                    | "interviewer"
                    | "narrator"
                    | "q"
                    | "a"
            ) {
                return true;
            }
        }
        let mut letters = 0;
        for k in start..i {
            for ch in self.word(k).chars() {
                if ch.is_lowercase() {
                    return false;
                }
                letters += usize::from(ch.is_alphabetic());
            }
        }
        letters >= 2
    }

    /// After an abbreviation that may end a sentence: does token `i` start one?
    fn opens_sentence(&self, i: usize) -> bool {
        let w = self.word(i);
        let c = self.first_char(i);
        if !(c.is_uppercase() || (self.case == LineCase::Lower && c.is_lowercase())) {
            return false;
        }
        if self.is_opener(i) {
            return true;
        }
        // A capitalised plural before a lowercase word: `Officials said`.
        let plural = c.is_uppercase()
            && w.len() > 3
            && w != "News"
            && w.ends_with('s')
            && !w.ends_with("ss")
            && w.chars().skip(1).all(char::is_lowercase);
        plural && self.first_char(i + 1).is_lowercase()
    }

    /// Index of the last closing quote or bracket right after token `i`.
    fn closers_after(&self, i: usize) -> usize {
        let mut last = i;
        while last + 1 < self.tokens.len() {
            let w = self.word(last + 1);
            let attached = !self.gap_before(last + 1);
            let closer = match w {
                _ if is_closing_mark(w) => true,
                "\"" | "'" => attached || self.floating(last + 1),
                // An opening quote standing alone after the stop closes it.
                "“" => self.floating(last + 1),
                _ => false,
            };
            if !closer {
                break;
            }
            last += 1;
        }
        last
    }

    /// True if token `i` has whitespace (or the block's edge) on both sides.
    fn floating(&self, i: usize) -> bool {
        self.gap_before(i) && (i + 1 >= self.tokens.len() || self.gap_before(i + 1))
    }

    /// A run of spaced single dots starting at `i` (`. . .`): three continue
    /// the sentence; four end it (the first dot, when it sits on a word, is
    /// the sentence's stop and the other three open the next sentence).
    /// Returns `Ok(last token of the sentence)` at a boundary, otherwise
    /// `Err(index to resume at)`.
    fn spaced_dots(&self, i: usize) -> Result<usize, usize> {
        let n = self.tokens.len();
        let mut k = i;
        while k + 1 < n && self.word(k + 1) == "." && self.gap_before(k + 1) {
            k += 1;
        }
        let run = k - i + 1;
        let attached = i > 0 && !self.gap_before(i) && is_word_token(self.word(i - 1));
        let last = self.closers_after(k);
        let next = last + 1;
        if next >= n {
            return Err(next);
        }
        let starts = {
            let c = self.first_char(next);
            c.is_uppercase() || matches!(c, '“' | '"' | '(')
        };
        if attached && run == 4 && starts {
            return Ok(i);
        }
        if !attached && run >= 4 && starts {
            return Ok(last);
        }
        Err(last + 1)
    }
}

fn is_word_token(w: &str) -> bool {
    w.chars().next().is_some_and(super::tokens::is_word_char)
}
