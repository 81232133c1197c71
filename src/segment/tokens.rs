//! Penn-Treebank / OntoNotes-like tokenization.
//!
//! The NER model is trained on OntoNotes gold tokens, so tokens follow that
//! corpus (checked against its dev set with `cargo xtask eval tokens`):
//!
//! - punctuation, brackets and quotes are tokens of their own; runs of the
//!   same mark (`--`, `...`, `!!`, `?!`) stay together;
//! - clitics split off: `it 's`, `do n't`, `ca n't`, `we 're`;
//! - hyphenated words split (`time - consuming`) except after common
//!   prefixes (`co-author`, `anti-war`, `mid-1990s`) and in `uh-huh`;
//! - numbers stay whole (`1,000`, `5.4`, `3/4`, `10:30`), `$` is its own
//!   token before a number, and currency prefixes stay whole (`US$`, `HK$`);
//! - abbreviations keep their full stop (`U.S.`, `Mr.`, `Inc.`, initials,
//!   `No.` before a number; when it also ends the sentence,
//!   [`crate::segment::segment`] gives it a token of its own); URLs, e-mail
//!   addresses, `#tags` and `@names` stay whole; `#` before a number is
//!   OntoNotes' pound sign, a token like `$`.
//!
//! The scanner works on bytes and decodes a `char` only for non-ASCII text,
//! so it runs in linear time at tens of megabytes per second.

use super::abbrev::{abbrev_kind_in, AbbrevKind};
use super::case::LineCase;
use crate::span::Span;

/// Appends the tokens of `text[within]` to `out`.
///
/// `within` must lie on `char` boundaries of `text`; otherwise nothing is
/// added.
#[cfg(any(test, feature = "internals"))]
pub(crate) fn tokenize_into(text: &str, within: Span, out: &mut Vec<Span>) {
    tokenize_cased(text, within, super::line_case(text, within), out);
}

/// [`tokenize_into`] for a line whose case the caller has read
/// ([`LineCase::of_ascii_letters`] of `text[within]`).
pub(crate) fn tokenize_cased(text: &str, within: Span, case: LineCase, out: &mut Vec<Span>) {
    let Some(part) = text.get(within.start..within.end) else {
        return;
    };
    let base = within.start;
    let bytes = part.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let (c, len) = char_at(part, i);
        if c.is_whitespace() {
            i += len;
            continue;
        }
        let mut j = i + len;
        while j < bytes.len() {
            let (c, len) = char_at(part, j);
            if c.is_whitespace() {
                break;
            }
            j += len;
        }
        chunk(&part[i..j], &part[j..], base + i, case, out);
        i = j;
    }
}

/// The tokens of the whole text.
#[cfg(feature = "internals")]
pub fn tokenize(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    tokenize_into(text, Span::new(0, text.len()), &mut out);
    out
}

/// The char starting at byte `i` of `s` and its length in bytes.
#[inline]
pub(crate) fn char_at(s: &str, i: usize) -> (char, usize) {
    let b = s.as_bytes()[i];
    if b < 0x80 {
        (b as char, 1)
    } else {
        let c = s[i..].chars().next().unwrap_or(' ');
        (c, c.len_utf8())
    }
}

/// The char ending just before byte `i` of `s` (`i > 0`, on a boundary).
#[inline]
fn char_before(s: &str, i: usize) -> char {
    s[..i].chars().next_back().unwrap_or(' ')
}

/// True for characters that make up words: letters, digits and the
/// combining marks that belong to them.
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || is_mark_like(c)
}

/// Combining marks, joiners and variation selectors: parts of a word even
/// though they are neither letters nor digits.
fn is_mark_like(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2
        | 0x05C4..=0x05C5 | 0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670
        | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8 | 0x06EA..=0x06ED
        | 0x0900..=0x0963 | 0x0966..=0x0DFF | 0x0E31..=0x0E3A | 0x0E47..=0x0E4E
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200C..=0x200D | 0x20D0..=0x20FF
        | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F)
}

#[inline]
fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Tokenizes one whitespace-free chunk starting at byte `base` of the text;
/// `follow` is the text after it (to look ahead across whitespace), `case`
/// that of its line.
fn chunk(s: &str, follow: &str, base: usize, case: LineCase, out: &mut Vec<Span>) {
    // Fast path: a plain word.
    if s.bytes().all(|b| b.is_ascii_alphabetic()) {
        out.push(Span::new(base, base + s.len()));
        return;
    }
    if let Some((lead, core_end)) = whole_core(s) {
        scan(&s[..lead], "", base, case, out);
        out.push(Span::new(base + lead, base + core_end));
        scan(&s[core_end..], follow, base + core_end, case, out);
        return;
    }
    scan(s, follow, base, case, out);
}

/// If the chunk, without its leading openers and trailing punctuation, is a
/// URL or an e-mail address, its `(start, end)` in the chunk.
fn whole_core(s: &str) -> Option<(usize, usize)> {
    let lead = s
        .char_indices()
        .find(|&(_, c)| {
            !matches!(
                c,
                '"' | '\'' | '(' | '[' | '{' | '<' | '\u{201C}' | '\u{2018}' | '\u{AB}'
            )
        })
        .map(|(i, _)| i)?;
    let core = &s[lead..];
    let mut end = core.len();
    while let Some(c) = core[..end].chars().next_back() {
        if matches!(
            c,
            '.' | ','
                | ';'
                | ':'
                | '!'
                | '?'
                | '"'
                | '\''
                | ')'
                | ']'
                | '}'
                | '>'
                | '\u{201D}'
                | '\u{2019}'
                | '\u{BB}'
        ) {
            end -= c.len_utf8();
        } else {
            break;
        }
    }
    let core = &core[..end];
    if core.is_empty() {
        return None;
    }
    let lower_starts = |p: &str| {
        core.len() > p.len() && core.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
    };
    let is_url = lower_starts("http://")
        || lower_starts("https://")
        || lower_starts("ftp://")
        || lower_starts("www.");
    (is_url || is_email(core)).then_some((lead, lead + end))
}

/// `name@host.tld` with word characters and `._%+-` only.
fn is_email(s: &str) -> bool {
    let Some(at) = s.find('@') else { return false };
    let (user, host) = (&s[..at], &s[at + 1..]);
    let ok = |p: &str| {
        p.chars()
            .all(|c| is_word_char(c) || matches!(c, '.' | '_' | '%' | '+' | '-'))
    };
    !user.is_empty()
        && ok(user)
        && ok(host)
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
}

/// Scans a chunk (or part of one) into tokens.
fn scan(s: &str, follow: &str, base: usize, case: LineCase, out: &mut Vec<Span>) {
    let b = s.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        let (c, len) = char_at(s, i);
        // `n't` clitic.
        if (c == 'n' || c == 'N') && is_nt_at(s, i) {
            let l = 2 + char_at(s, i + 1).1;
            out.push(Span::new(base + i, base + i + l));
            i += l;
            continue;
        }
        if is_word_char(c) {
            let j = scan_word(s, i, follow, case);
            out.push(Span::new(base + i, base + j));
            i = j;
            continue;
        }
        let j = match c {
            _ if is_apostrophe(c) => {
                if let Some(l) = clitic_len(s, i) {
                    i + l
                } else if i + len + 1 < n
                    && b[i + len].is_ascii_digit()
                    && b[i + len + 1].is_ascii_digit()
                {
                    // '90s, '86
                    scan_word(s, i + len, follow, case)
                } else {
                    i + len
                }
            }
            '-' | '.' | '*' | '=' | '_' | '~' | '#' if !(c == '#' && is_tag_body(s, i + 1)) => {
                run_of(b, i, |x| x == c as u8)
            }
            '!' | '?' => run_of(b, i, |x| x == b'!' || x == b'?'),
            '%' if i == 0 && i + 1 < n && b[i + 1].is_ascii_alphabetic() => {
                run_of(b, i + 1, |x| x.is_ascii_alphabetic())
            }
            '#' if i == 0 && is_tag_body(s, i + 1) => scan_handle(s, i + 1),
            '@' if i == 0 && next_is_word(s, i + 1) => scan_handle(s, i + 1),
            _ => i + len,
        };
        out.push(Span::new(base + i, base + j));
        i = j;
    }
}

fn next_is_word(s: &str, i: usize) -> bool {
    i < s.len() && is_word_char(char_at(s, i).0)
}

/// True if a `#` before byte `i` starts a `#tag`: a word follows that does
/// not start with a digit (`#18.5 million` is OntoNotes' pound sign, and
/// stays a token of its own like `$`).
fn is_tag_body(s: &str, i: usize) -> bool {
    next_is_word(s, i) && !s.as_bytes()[i].is_ascii_digit()
}

/// End of a `#tag` / `@name` body starting at `i`.
fn scan_handle(s: &str, mut i: usize) -> usize {
    while i < s.len() {
        let (c, l) = char_at(s, i);
        if !(is_word_char(c) || c == '_') {
            break;
        }
        i += l;
    }
    i
}

/// End of the run of bytes matching `f` starting at `i` (at least one).
fn run_of(b: &[u8], i: usize, f: impl Fn(u8) -> bool) -> usize {
    let mut j = i + 1;
    while j < b.len() && f(b[j]) {
        j += 1;
    }
    j
}

/// True if `s[i..]` is `n't` (either apostrophe) followed by a non-word char.
fn is_nt_at(s: &str, i: usize) -> bool {
    let b = s.as_bytes();
    if i + 1 >= b.len() {
        return false;
    }
    let (a, al) = char_at(s, i + 1);
    if !is_apostrophe(a) {
        return false;
    }
    let t = i + 1 + al;
    t < b.len() && (b[t] == b't' || b[t] == b'T') && !next_is_word(s, t + 1)
}

/// Length of the clitic (`'s`, `'re`, `'ve`, `'ll`, `'d`, `'m`) at `i`, if
/// there is one there.
fn clitic_len(s: &str, i: usize) -> Option<usize> {
    let al = char_at(s, i).1;
    let rest = &s.as_bytes()[i + al..];
    let mut l = 0;
    while l < rest.len() && l < 3 && rest[l].is_ascii_alphabetic() {
        l += 1;
    }
    if l == 0 || next_is_word(s, i + al + l) {
        return None;
    }
    let w = &rest[..l];
    let ok = [&b"s"[..], b"re", b"ve", b"ll", b"d", b"m"]
        .iter()
        .any(|c| w.eq_ignore_ascii_case(c));
    ok.then_some(al + l)
}

/// End of the word starting at `i` (a word char): letters and digits with
/// the joiners numbers, abbreviations and names use inside them. In a line
/// without case (`case`), `s&p` and `us$` join as `S&P` and `US$` do.
fn scan_word(s: &str, i: usize, follow: &str, case: LineCase) -> usize {
    let b = s.as_bytes();
    let n = b.len();
    let mut j = i;
    let mut seg_start = i;
    loop {
        while j < n {
            let (c, l) = char_at(s, j);
            if !is_word_char(c) {
                break;
            }
            j += l;
        }
        if j >= n || j == i {
            break;
        }
        let (c, cl) = char_at(s, j);
        let prev = char_before(s, j);
        let next = if j + cl < n {
            char_at(s, j + cl).0
        } else {
            ' '
        };
        let go_on = match c {
            '.' => {
                (prev.is_ascii_digit() && next.is_ascii_digit())
                    || (prev.is_alphabetic()
                        && next.is_alphabetic()
                        && (j - seg_start <= 2 || next.is_lowercase()))
            }
            ',' | '/' | ':' => prev.is_ascii_digit() && next.is_ascii_digit(),
            '&' => {
                (prev.is_uppercase() && next.is_uppercase())
                    || (case.caseless()
                        && j - seg_start <= 3
                        && prev.is_ascii_alphabetic()
                        && (1..=3).contains(
                            &s[j + 1..]
                                .bytes()
                                .take_while(u8::is_ascii_alphabetic)
                                .count(),
                        ))
            }
            '-' => is_word_char(next) && keeps_hyphen(&s[seg_start..j], &s[j + 1..]),
            '$' => {
                let w = &s[i..j];
                let lower = case == LineCase::Lower;
                if w.len() <= 3
                    && w.bytes()
                        .all(|x| x.is_ascii_uppercase() || (lower && x.is_ascii_lowercase()))
                {
                    return j + 1;
                }
                false
            }
            _ if is_apostrophe(c) && next.is_alphabetic() => {
                if clitic_len(s, j).is_some() {
                    break;
                }
                if (prev == 'n' || prev == 'N') && j - 1 > i && is_nt_at(s, j - 1) {
                    return j - 1;
                }
                true
            }
            _ => false,
        };
        if !go_on {
            break;
        }
        j += cl;
        seg_start = j;
    }
    // A trailing full stop that belongs to the word.
    if j < n
        && b[j] == b'.'
        && !(j + 1 < n && b[j + 1] == b'.')
        && takes_stop(&s[i..j], if j + 1 < n { &s[j + 1..] } else { follow }, case)
    {
        return j + 1;
    }
    // A cut-off word (`th-`, `Californ-`) keeps its hyphen.
    if j < n && b[j] == b'-' && j + 1 == n && s[i..j].bytes().all(|x| x.is_ascii_lowercase()) {
        return j + 1;
    }
    j
}

/// Prefixes OntoNotes keeps attached to the rest of a hyphenated word.
fn keeps_hyphen(left: &str, right: &str) -> bool {
    let lower = |w: &str| w.to_ascii_lowercase();
    let l = lower(left);
    if matches!(
        l.as_str(),
        "anti"
            | "co"
            | "non"
            | "cross"
            | "mid"
            | "pre"
            | "multi"
            | "post"
            | "re"
            | "vice"
            | "pro"
            | "ex"
            | "neo"
            | "mega"
            | "inter"
            | "sub"
            | "super"
            | "un"
            | "counter"
            | "ultra"
            | "semi"
            | "arch"
            | "e"
            | "uh"
            | "mm"
            | "hm"
    ) {
        let capital_e = l == "e" && left == "E";
        let pro_number = l == "pro" && right.starts_with(|c: char| c.is_ascii_digit());
        return !(capital_e || pro_number);
    }
    false
}

/// True if `word` (followed by a `.`, then `after`, in a line of `case`)
/// keeps the full stop.
fn takes_stop(word: &str, after: &str, case: LineCase) -> bool {
    let wb = word.as_bytes();
    // Initials: one capital letter (any letter in lower case).
    if wb.len() == 1
        && (wb[0].is_ascii_uppercase() || (case == LineCase::Lower && wb[0].is_ascii_lowercase()))
    {
        return true;
    }
    // Dotted abbreviations: U.S, p.m, Ph.D, e.g.
    if word.contains('.') && !word.starts_with(|c: char| c.is_ascii_digit()) {
        return word
            .split('.')
            .all(|seg| (1..=2).contains(&seg.len()) && seg.chars().all(char::is_alphabetic));
    }
    match abbrev_kind_in(word, case) {
        Some(AbbrevKind::BeforeNumber) => {
            after.trim_start().starts_with(|c: char| c.is_ascii_digit())
        }
        Some(_) => true,
        None => false,
    }
}
