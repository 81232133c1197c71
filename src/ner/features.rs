//! Per-token features: the ONE code path that turns a token into the ids
//! the network embeds, used by the trainer (through `cargo xtask train`,
//! which writes them to files for the Python trainer) and by inference.
//!
//! Each token gets [`FeatureSpec::slots`] ids, each an index into one
//! embedding table:
//!
//! | slot | table | what |
//! |---|---|---|
//! | 0, 1 | `norm` | two hashes of the normalised (lower-cased) word, summed ("Bloom" embedding) |
//! | 2 | `prefix` | hash of the first 3 characters of the normalised word |
//! | 3 | `suffix` | hash of the last 3 characters of the normalised word |
//! | 4 | `shape` | hash of the word shape (`Xxxxx`, `dd.dd`, ...); with [`FeatureSpec::line_case`], hashed apart for each case of the line around the token ([`LineCase`]) |
//! | 5 | `cased` | hash of the word as written (case kept) |
//! | 6.. | `wordpiece` | word-piece ids of the lower-cased word (greedy longest match), padded |
//! | last | `vector` | the normalised word's row in a fixed vocabulary (0: not in it), whose table the trainer seeds with pretrained word vectors; only if [`FeatureSpec::vector_words`] > 0 |

use super::strmap::StrMap;

use super::wordpiece::WordPieces;
pub(crate) use crate::segment::case::LineCase;

/// Sizes of the feature tables; stored in the model file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureSpec {
    /// Rows of the `norm` table.
    pub norm_rows: u32,
    /// Rows of the `prefix` table.
    pub prefix_rows: u32,
    /// Rows of the `suffix` table.
    pub suffix_rows: u32,
    /// Rows of the `shape` table.
    pub shape_rows: u32,
    /// Rows of the `cased` table.
    pub cased_rows: u32,
    /// Word-piece slots per token (0: no word-piece features).
    pub wordpiece_slots: u32,
    /// Words in the word-vector vocabulary (0: no `vector` feature).
    pub vector_words: u32,
    /// The `shape` id also says how the line around the token is cased
    /// (lower case, ALL CAPS, Headline Case or as usual: `LineCase`), so
    /// the network knows that a word's case was lost, not chosen.
    pub line_case: bool,
}

/// Names of the embedding tables, in table order.
pub const TABLE_NAMES: [&str; 7] = [
    "norm",
    "prefix",
    "suffix",
    "shape",
    "cased",
    "wordpiece",
    "vector",
];

impl FeatureSpec {
    /// The default sizes used by the trainer.
    #[cfg(any(test, feature = "internals"))]
    pub const DEFAULT: FeatureSpec = FeatureSpec {
        norm_rows: 1 << 14,
        prefix_rows: 1 << 12,
        suffix_rows: 1 << 13,
        shape_rows: 1 << 11,
        cased_rows: 1 << 13,
        wordpiece_slots: 4,
        vector_words: 0,
        line_case: false,
    };

    /// The spec as stored in the model file: six numbers, a seventh for a
    /// word-vector vocabulary, and with [`FeatureSpec::line_case`] an eighth,
    /// the option bits (the seventh then 0 if there is no vocabulary).
    #[cfg(any(test, feature = "internals"))]
    pub fn to_u32s(&self) -> Vec<u32> {
        let mut v = vec![
            self.norm_rows,
            self.prefix_rows,
            self.suffix_rows,
            self.shape_rows,
            self.cased_rows,
            self.wordpiece_slots,
        ];
        if self.vector_words > 0 || self.line_case {
            v.push(self.vector_words);
        }
        if self.line_case {
            v.push(OPTION_LINE_CASE);
        }
        v
    }

    /// Reads the spec written by [`FeatureSpec::to_u32s`].
    pub fn from_u32s(v: &[u32]) -> Option<Self> {
        let (v, vector_words, line_case) = match *v {
            [ref head @ .., words] if v.len() == 7 && (1..=1 << 22).contains(&words) => {
                (head, words, false)
            }
            [ref head @ .., words, OPTION_LINE_CASE] if v.len() == 8 && words <= 1 << 22 => {
                (head, words, true)
            }
            _ if v.len() > 6 => return None,
            _ => (v, 0, false),
        };
        match *v {
            [norm_rows, prefix_rows, suffix_rows, shape_rows, cased_rows, wordpiece_slots]
                if norm_rows > 0
                    && prefix_rows > 0
                    && suffix_rows > 0
                    && shape_rows > 0
                    && cased_rows > 0
                    && wordpiece_slots <= 16 =>
            {
                Some(FeatureSpec {
                    norm_rows,
                    prefix_rows,
                    suffix_rows,
                    shape_rows,
                    cased_rows,
                    wordpiece_slots,
                    vector_words,
                    line_case,
                })
            }
            _ => None,
        }
    }

    /// This spec without the [`FeatureSpec::line_case`] option: the
    /// features of the same tables for a model that does not read it (the
    /// teachers of a distillation, which read the text as written).
    #[cfg(feature = "internals")]
    pub fn without_line_case(&self) -> Self {
        FeatureSpec {
            line_case: false,
            ..self.clone()
        }
    }

    /// Number of ids per token.
    pub fn slots(&self) -> usize {
        6 + self.wordpiece_slots as usize + usize::from(self.vector_words > 0)
    }

    /// For each slot, the index of its table in [`TABLE_NAMES`].
    pub fn slot_tables(&self) -> Vec<usize> {
        let mut t = vec![0, 0, 1, 2, 3, 4];
        t.extend(std::iter::repeat_n(5, self.wordpiece_slots as usize));
        if self.vector_words > 0 {
            t.push(6);
        }
        t
    }
}

/// The option bit of [`FeatureSpec::line_case`] in the stored spec.
const OPTION_LINE_CASE: u32 = 1;

/// The window (bytes) of [`LineCase`] in a long line.
const LINE_WINDOW: usize = 4096;

/// For [`FeatureSpec::line_case`], a token's case is that of its line, or in
/// a long line that of the aligned window of [`LINE_WINDOW`] bytes holding
/// it ([`LineCase::stretch`]), so it never depends on how the text was cut
/// into segments.
impl LineCase {
    /// The stretch of `text` whose case decides that of a token starting at
    /// byte `pos`: its line (between line breaks, `\n` or `\r`) if that is at
    /// most [`LINE_WINDOW`] bytes long, so that how lines end changes nothing;
    /// in a longer line, the aligned window of [`LINE_WINDOW`] bytes holding
    /// `pos`, cut at the line breaks around it. Every token starting inside a
    /// stretch has that stretch. Its case is that of the characters starting
    /// in it ([`LineCase::read`]).
    fn stretch(text: &str, pos: usize) -> (usize, usize) {
        let bytes = text.as_bytes();
        let pos = pos.min(bytes.len());
        let is_break = |b: &u8| *b == b'\n' || *b == b'\r';
        // The line's ends, if they are within a window of `pos`.
        let back = pos.saturating_sub(LINE_WINDOW);
        let ahead = (pos + LINE_WINDOW).min(bytes.len());
        let start = match bytes[back..pos].iter().rposition(is_break) {
            Some(i) => Some(back + i + 1),
            None => (back == 0).then_some(0),
        };
        let end = match bytes[pos..ahead].iter().position(is_break) {
            Some(i) => Some(pos + i),
            None => (ahead == bytes.len()).then_some(ahead),
        };
        if let (Some(s), Some(e)) = (start, end) {
            if e - s <= LINE_WINDOW {
                return (s, e);
            }
        }
        let w0 = pos / LINE_WINDOW * LINE_WINDOW;
        let w1 = (w0 + LINE_WINDOW).min(bytes.len());
        let start = bytes[w0..pos]
            .iter()
            .rposition(is_break)
            .map_or(w0, |i| w0 + i + 1);
        let end = bytes[pos..w1]
            .iter()
            .position(is_break)
            .map_or(w1, |i| pos + i);
        (start, end)
    }

    /// The case of the characters of `text` starting in `start..end`.
    fn read(text: &str, start: usize, end: usize) -> LineCase {
        let boundary = |mut i: usize| {
            while !text.is_char_boundary(i) {
                i += 1;
            }
            i
        };
        LineCase::of(&text[boundary(start)..boundary(end)])
    }

    /// The seed of the `shape` hash: the usual case keeps the features of
    /// models without the option.
    fn shape_seed(self) -> u64 {
        match self {
            LineCase::Usual => 5,
            LineCase::Lower => 21,
            LineCase::Upper => 37,
            LineCase::Title => 53,
        }
    }
}

/// The fixed word list of the `vector` feature: word `i` has row `i + 1`,
/// row 0 is every other word.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    rows: StrMap,
    len: usize,
}

impl Vocabulary {
    /// The vocabulary of `words` (normalised forms, see `normalize`; a
    /// repeated word keeps its first row), or `None` if there are more than
    /// `u32::MAX` words or they pass 4 GiB together.
    pub fn new<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> Option<Self> {
        let words: Vec<S> = words.into_iter().collect();
        let len = words.len();
        let rows = 1..=u32::try_from(len).ok()?;
        Some(Vocabulary {
            rows: StrMap::new(len, words.iter().map(AsRef::as_ref).zip(rows))?,
            len,
        })
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for an empty vocabulary.
    #[cfg(feature = "internals")]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The row of a normalised word (0 if it is not in the vocabulary).
    pub fn row(&self, normalized: &str) -> u32 {
        self.rows.get(normalized).unwrap_or(0)
    }
}

/// Turns tokens into feature ids.
#[derive(Clone, Debug)]
pub struct Featurizer {
    spec: FeatureSpec,
    wordpieces: Option<WordPieces>,
    vocabulary: Option<Vocabulary>,
}

impl Featurizer {
    /// A featurizer; `wordpieces` must be given iff `spec.wordpiece_slots > 0`
    /// (and a [`Featurizer::with_vocabulary`] iff `spec.vector_words > 0`).
    pub fn new(spec: FeatureSpec, wordpieces: Option<WordPieces>) -> Self {
        let wordpieces = if spec.wordpiece_slots > 0 {
            wordpieces
        } else {
            None
        };
        Featurizer {
            spec,
            wordpieces,
            vocabulary: None,
        }
    }

    /// This featurizer with the word list of the `vector` feature, or
    /// `None` if the spec expects another number of words.
    pub fn with_vocabulary(mut self, vocabulary: Vocabulary) -> Option<Self> {
        if vocabulary.len() != self.spec.vector_words as usize {
            return None;
        }
        self.vocabulary = Some(vocabulary);
        Some(self)
    }

    /// The table sizes.
    #[cfg(feature = "internals")]
    pub fn spec(&self) -> &FeatureSpec {
        &self.spec
    }

    /// Rows of each table in [`TABLE_NAMES`] order (the word-piece table
    /// has one extra row, the padding row, at the end).
    pub fn table_rows(&self) -> [usize; 7] {
        let wp = match &self.wordpieces {
            Some(w) if self.spec.wordpiece_slots > 0 => w.len() + 1,
            _ => 0,
        };
        let vector = match &self.vocabulary {
            Some(v) if self.spec.vector_words > 0 => v.len() + 1,
            _ => 0,
        };
        [
            self.spec.norm_rows as usize,
            self.spec.prefix_rows as usize,
            self.spec.suffix_rows as usize,
            self.spec.shape_rows as usize,
            self.spec.cased_rows as usize,
            wp,
            vector,
        ]
    }

    /// The word-piece vocabulary, if the model uses one.
    #[cfg(feature = "internals")]
    pub fn wordpieces(&self) -> Option<&WordPieces> {
        self.wordpieces.as_ref()
    }

    /// Appends the [`FeatureSpec::slots`] ids of `word` to `out`, as in a
    /// line of the usual mixed case.
    #[cfg(any(test, feature = "internals"))]
    pub fn push_features(&self, word: &str, out: &mut Vec<u32>) {
        self.push_features_in(word, LineCase::Usual, out);
    }

    /// Appends the ids of `word` in a line cased as `case`.
    fn push_features_in(&self, word: &str, case: LineCase, out: &mut Vec<u32>) {
        let norm = normalize(word);
        let s = &self.spec;
        out.push(hash_mod(norm.as_bytes(), 1, s.norm_rows));
        out.push(hash_mod(norm.as_bytes(), 2, s.norm_rows));
        out.push(hash_mod(prefix(&norm, 3).as_bytes(), 3, s.prefix_rows));
        out.push(hash_mod(suffix(&norm, 3).as_bytes(), 4, s.suffix_rows));
        out.push(hash_mod(
            shape(word).as_bytes(),
            case.shape_seed(),
            s.shape_rows,
        ));
        out.push(hash_mod(word.as_bytes(), 6, s.cased_rows));
        if s.wordpiece_slots > 0 {
            let slots = s.wordpiece_slots as usize;
            match &self.wordpieces {
                Some(wp) => {
                    let pad = wp.len() as u32;
                    let start = out.len();
                    wp.split_into(&norm, slots, out);
                    while out.len() < start + slots {
                        out.push(pad);
                    }
                }
                None => out.extend(std::iter::repeat_n(0, slots)),
            }
        }
        if s.vector_words > 0 {
            out.push(self.vocabulary.as_ref().map_or(0, |v| v.row(&norm)));
        }
    }

    /// The ids of every token of `text` (`tokens` are byte spans), row-major
    /// `tokens.len() x slots`.
    // Not inlined: a stage of its own in profiles (BENCHMARKS.md,
    // "Where the time goes"); one call per sentence or segment.
    #[inline(never)]
    pub fn featurize(&self, text: &str, tokens: &[crate::span::Span]) -> Vec<u32> {
        let mut out = Vec::with_capacity(tokens.len() * self.spec.slots());
        // The stretch of text last read for the line case, and its case.
        let mut known: Option<(usize, usize, LineCase)> = None;
        for t in tokens {
            let case = if self.spec.line_case {
                match known {
                    Some((s, e, c)) if s <= t.start && t.start < e => c,
                    _ => {
                        let (s, e) = LineCase::stretch(text, t.start);
                        let c = LineCase::read(text, s, e);
                        known = Some((s, e, c));
                        c
                    }
                }
            } else {
                LineCase::Usual
            };
            self.push_features_in(t.slice(text), case, &mut out);
        }
        out
    }
}

/// The normalised form of a word: lower-cased, typographic quotes and
/// dashes replaced by their ASCII forms (so raw web text and the corpus'
/// curly quotes look alike). An em dash becomes `--`, the corpus' own
/// spelling of a dash between clauses, so a dateline such as
/// `COLUMBUS, Ohio — Tallis Motors` reads like the corpus' `... Ohio -- ...`
/// rather than like a hyphen inside a name.
pub(crate) fn normalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for ch in word.chars() {
        match ch {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '`' | '\u{00B4}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => out.push('"'),
            '\u{2014}' => out.push_str("--"),
            '\u{2013}' | '\u{2212}' => out.push('-'),
            c if c.is_uppercase() => out.extend(c.to_lowercase()),
            c => out.push(c),
        }
    }
    out
}

/// The word's shape: `X` upper-case, `x` lower-case, `d` digit, other
/// characters kept; a run of the same class is cut after 4.
pub(crate) fn shape(word: &str) -> String {
    let mut out = String::with_capacity(word.len().min(16));
    let mut last = '\0';
    let mut run = 0;
    // An em dash has the shape of the corpus' `--` (see `normalize`).
    let chars = word.chars().flat_map(|ch| {
        let twice = if ch == '\u{2014}' { Some('-') } else { None };
        std::iter::once(if twice.is_some() { '-' } else { ch }).chain(twice)
    });
    for ch in chars {
        let c = if ch.is_uppercase() {
            'X'
        } else if ch.is_lowercase() {
            'x'
        } else if ch.is_numeric() {
            'd'
        } else if ch.is_alphabetic() {
            'a'
        } else {
            match ch {
                '\u{2018}' | '\u{2019}' | '`' => '\'',
                '\u{201C}' | '\u{201D}' => '"',
                '\u{2013}' => '-',
                c => c,
            }
        };
        if c == last {
            run += 1;
        } else {
            run = 1;
            last = c;
        }
        if run <= 4 {
            out.push(c);
        }
    }
    out
}

fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn suffix(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    if count <= n {
        return s;
    }
    match s.char_indices().nth(count - n) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

/// FNV-1a over `seed` and `bytes`, finished with a 64-bit mixer, modulo `rows`.
pub(crate) fn hash_mod(bytes: &[u8], seed: u64, rows: u32) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h % u64::from(rows.max(1))) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_dash_reads_as_the_corpus_double_hyphen() {
        assert_eq!(normalize("\u{2014}"), "--");
        assert_eq!(shape("\u{2014}"), "--");
        assert_eq!(normalize("\u{2013}"), "-");
        assert_eq!(shape("1990\u{2013}95"), "dddd-dd");
    }

    #[test]
    fn shapes() {
        assert_eq!(shape("Apple"), "Xxxxx");
        assert_eq!(shape("Washington"), "Xxxxx");
        assert_eq!(shape("1990s"), "ddddx");
        assert_eq!(shape("U.S."), "X.X.");
        assert_eq!(shape("$"), "$");
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("\u{201C}Apple\u{2019}s"), "\"apple's");
        assert_eq!(prefix("ab", 3), "ab");
        assert_eq!(suffix("élan", 3), "lan");
        assert_eq!(suffix("éla", 3), "éla");
    }

    #[test]
    fn vocabulary_rows() {
        let words: Vec<String> = ["the", "paris", "the"].map(String::from).to_vec();
        let v = Vocabulary::new(&words).unwrap();
        assert_eq!((v.row("the"), v.row("paris"), v.row("rome")), (1, 2, 0));
        let spec = FeatureSpec {
            vector_words: 3,
            ..FeatureSpec::DEFAULT
        };
        assert_eq!(FeatureSpec::from_u32s(&spec.to_u32s()), Some(spec.clone()));
        for vector_words in [0, 3] {
            let with = FeatureSpec {
                vector_words,
                line_case: true,
                ..FeatureSpec::DEFAULT
            };
            assert_eq!(with.to_u32s().len(), 8);
            assert_eq!(FeatureSpec::from_u32s(&with.to_u32s()), Some(with.clone()));
            // An unknown option bit, or a ninth number, is not a spec.
            let mut v = with.to_u32s();
            v[7] = 2;
            assert_eq!(FeatureSpec::from_u32s(&v), None);
            v[7] = 1;
            v.push(1);
            assert_eq!(FeatureSpec::from_u32s(&v), None);
        }
        assert!(Featurizer::new(spec.clone(), None)
            .with_vocabulary(Vocabulary::new(&words[..2]).unwrap())
            .is_none());
        let f = Featurizer::new(spec.clone(), None)
            .with_vocabulary(v)
            .unwrap();
        assert_eq!(f.table_rows()[6], 4);
        let mut out = Vec::new();
        f.push_features("Paris", &mut out);
        assert_eq!(out.len(), spec.slots());
        assert_eq!(*out.last().unwrap(), 2);
        assert_eq!(*spec.slot_tables().last().unwrap(), 6);
    }

    /// The tokens of `text` (the tokenizer alone).
    fn words(text: &str) -> Vec<crate::span::Span> {
        let mut out = Vec::new();
        crate::segment::tokens::tokenize_into(
            text,
            crate::span::Span::new(0, text.len()),
            &mut out,
        );
        out
    }

    #[test]
    fn line_cases() {
        use LineCase::*;
        let cases = [
            (
                "The Senate passed the bill on Tuesday, officials said.",
                Usual,
            ),
            (
                "the senate passed the bill on tuesday, officials said.",
                Lower,
            ),
            (
                "i think the senate passed it, i guess, on tuesday or so",
                Lower,
            ),
            ("THE SENATE PASSED THE BILL ON TUESDAY", Upper),
            ("McDONALD'S SALES RISE", Upper),
            ("Senate Passes The Bill On Tuesday", Title),
            ("Trump Trashes Huawei Deal as Talks Stall", Title),
            // A sentence full of names is not a headline.
            ("Peggy Alvarez flew to Ohio on Monday.", Usual),
            ("Two Cats", Usual),
            ("42 - 7", Usual),
            ("", Usual),
        ];
        for (text, want) in cases {
            assert_eq!(LineCase::of(text), want, "{text:?}");
        }
    }

    #[test]
    fn line_case_reads_the_token_line() {
        use LineCase::*;
        let spec = FeatureSpec {
            line_case: true,
            ..FeatureSpec::DEFAULT
        };
        let on = Featurizer::new(spec, None);
        let off = Featurizer::new(FeatureSpec::DEFAULT, None);
        let text = "Senate Passes Sweeping Bill\nthe senate voted on tuesday.\nThe Senate voted.";
        let tokens = words(text);
        let (a, b) = (on.featurize(text, &tokens), off.featurize(text, &tokens));
        let slots = FeatureSpec::DEFAULT.slots();
        let shape_of = |ids: &[u32], i: usize| ids[i * slots + 4];
        let line_of = |i: usize| text[..tokens[i].start].matches('\n').count();
        for i in 0..tokens.len() {
            let word = tokens[i].slice(text);
            let want = |case: LineCase| {
                hash_mod(
                    shape(word).as_bytes(),
                    case.shape_seed(),
                    FeatureSpec::DEFAULT.shape_rows,
                )
            };
            let case = [Title, Lower, Usual][line_of(i)];
            assert_eq!(shape_of(&a, i), want(case), "{word}");
            assert_eq!(shape_of(&b, i), want(Usual), "{word}");
            // Every other slot is the same with the option.
            for s in (0..slots).filter(|&s| s != 4) {
                assert_eq!(a[i * slots + s], b[i * slots + s]);
            }
        }
    }

    #[test]
    fn line_case_does_not_depend_on_the_cut() {
        // A long line of two halves, with multi-byte letters at the window
        // edges: any run of tokens gets the ids it has in the whole text.
        let mut text = "Élan Vital Group Names New Chief ".repeat(200);
        text.push_str(&"the board met in paris on monday. ".repeat(200));
        let tokens = words(&text);
        let f = Featurizer::new(
            FeatureSpec {
                line_case: true,
                ..FeatureSpec::DEFAULT
            },
            None,
        );
        let whole = f.featurize(&text, &tokens);
        let slots = FeatureSpec::DEFAULT.slots();
        for (lo, hi) in [(0, 7), (5, 900), (899, 1500), (1200, tokens.len())] {
            assert_eq!(
                f.featurize(&text, &tokens[lo..hi]),
                whole[lo * slots..hi * slots]
            );
        }
        let first = LineCase::read(&text, 0, LINE_WINDOW);
        let last = LineCase::read(&text, text.len() - LINE_WINDOW, text.len());
        assert_eq!((first, last), (LineCase::Title, LineCase::Lower));
    }

    #[test]
    fn ids_in_range() {
        let f = Featurizer::new(FeatureSpec::DEFAULT, None);
        let mut out = Vec::new();
        for w in ["", "a", "Über", "1,000", "\u{1F600}"] {
            out.clear();
            f.push_features(w, &mut out);
            assert_eq!(out.len(), FeatureSpec::DEFAULT.slots());
            assert!(out[0] < FeatureSpec::DEFAULT.norm_rows);
            assert!(out[4] < FeatureSpec::DEFAULT.shape_rows);
        }
    }
}
