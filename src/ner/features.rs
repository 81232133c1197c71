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
//! | 4 | `shape` | hash of the word shape (`Xxxxx`, `dd.dd`, ...) |
//! | 5 | `cased` | hash of the word as written (case kept) |
//! | 6.. | `wordpiece` | word-piece ids of the lower-cased word (greedy longest match), padded |
//! | last | `vector` | the normalised word's row in a fixed vocabulary (0: not in it), whose table the trainer seeds with pretrained word vectors; only if [`FeatureSpec::vector_words`] > 0 |

use rustc_hash::FxHashMap;

use super::wordpiece::WordPieces;

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
    #[cfg(any(test, feature = "train"))]
    pub const DEFAULT: FeatureSpec = FeatureSpec {
        norm_rows: 1 << 14,
        prefix_rows: 1 << 12,
        suffix_rows: 1 << 13,
        shape_rows: 1 << 11,
        cased_rows: 1 << 13,
        wordpiece_slots: 4,
        vector_words: 0,
    };

    /// The spec as stored in the model file (six numbers, a seventh for a
    /// word-vector vocabulary).
    #[cfg(any(test, feature = "train"))]
    pub fn to_u32s(&self) -> Vec<u32> {
        let mut v = vec![
            self.norm_rows,
            self.prefix_rows,
            self.suffix_rows,
            self.shape_rows,
            self.cased_rows,
            self.wordpiece_slots,
        ];
        if self.vector_words > 0 {
            v.push(self.vector_words);
        }
        v
    }

    /// Reads the spec written by [`FeatureSpec::to_u32s`].
    pub fn from_u32s(v: &[u32]) -> Option<Self> {
        let (v, vector_words) = match *v {
            [ref head @ .., words] if v.len() == 7 && (1..=1 << 22).contains(&words) => {
                (head, words)
            }
            _ => (v, 0),
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
                })
            }
            _ => None,
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

/// The fixed word list of the `vector` feature: word `i` has row `i + 1`,
/// row 0 is every other word.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    rows: FxHashMap<Box<str>, u32>,
    len: usize,
}

impl Vocabulary {
    /// The vocabulary of `words` (normalised forms, see `normalize`; a
    /// repeated word keeps its first row).
    pub fn new(words: &[String]) -> Self {
        let mut rows = FxHashMap::with_capacity_and_hasher(words.len(), Default::default());
        for (i, w) in words.iter().enumerate() {
            rows.entry(w.as_str().into()).or_insert(i as u32 + 1);
        }
        Vocabulary {
            rows,
            len: words.len(),
        }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for an empty vocabulary.
    #[cfg(feature = "train")]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The row of a normalised word (0 if it is not in the vocabulary).
    pub fn row(&self, normalized: &str) -> u32 {
        self.rows.get(normalized).copied().unwrap_or(0)
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
    #[cfg(feature = "train")]
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
    #[cfg(feature = "train")]
    pub fn wordpieces(&self) -> Option<&WordPieces> {
        self.wordpieces.as_ref()
    }

    /// Appends the [`FeatureSpec::slots`] ids of `word` to `out`.
    pub fn push_features(&self, word: &str, out: &mut Vec<u32>) {
        let norm = normalize(word);
        let s = &self.spec;
        out.push(hash_mod(norm.as_bytes(), 1, s.norm_rows));
        out.push(hash_mod(norm.as_bytes(), 2, s.norm_rows));
        out.push(hash_mod(prefix(&norm, 3).as_bytes(), 3, s.prefix_rows));
        out.push(hash_mod(suffix(&norm, 3).as_bytes(), 4, s.suffix_rows));
        out.push(hash_mod(shape(word).as_bytes(), 5, s.shape_rows));
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
        for t in tokens {
            self.push_features(t.slice(text), &mut out);
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
        let v = Vocabulary::new(&words);
        assert_eq!((v.row("the"), v.row("paris"), v.row("rome")), (1, 2, 0));
        let spec = FeatureSpec {
            vector_words: 3,
            ..FeatureSpec::DEFAULT
        };
        assert_eq!(FeatureSpec::from_u32s(&spec.to_u32s()), Some(spec.clone()));
        assert!(Featurizer::new(spec.clone(), None)
            .with_vocabulary(Vocabulary::new(&words[..2]))
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
