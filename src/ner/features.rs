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
}

/// Names of the embedding tables, in table order.
pub const TABLE_NAMES: [&str; 6] = ["norm", "prefix", "suffix", "shape", "cased", "wordpiece"];

impl FeatureSpec {
    /// The default sizes used by the trainer.
    pub const DEFAULT: FeatureSpec = FeatureSpec {
        norm_rows: 1 << 14,
        prefix_rows: 1 << 12,
        suffix_rows: 1 << 13,
        shape_rows: 1 << 11,
        cased_rows: 1 << 13,
        wordpiece_slots: 4,
    };

    /// The spec as stored in the model file.
    pub fn to_u32s(&self) -> Vec<u32> {
        vec![
            self.norm_rows,
            self.prefix_rows,
            self.suffix_rows,
            self.shape_rows,
            self.cased_rows,
            self.wordpiece_slots,
        ]
    }

    /// Reads the spec written by [`FeatureSpec::to_u32s`].
    pub fn from_u32s(v: &[u32]) -> Option<Self> {
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
                })
            }
            _ => None,
        }
    }

    /// Number of ids per token.
    pub fn slots(&self) -> usize {
        6 + self.wordpiece_slots as usize
    }

    /// For each slot, the index of its table in [`TABLE_NAMES`].
    pub fn slot_tables(&self) -> Vec<usize> {
        let mut t = vec![0, 0, 1, 2, 3, 4];
        t.extend(std::iter::repeat_n(5, self.wordpiece_slots as usize));
        t
    }
}

/// Turns tokens into feature ids.
#[derive(Clone, Debug)]
pub struct Featurizer {
    spec: FeatureSpec,
    wordpieces: Option<WordPieces>,
}

impl Featurizer {
    /// A featurizer; `wordpieces` must be given iff `spec.wordpiece_slots > 0`.
    pub fn new(spec: FeatureSpec, wordpieces: Option<WordPieces>) -> Self {
        let wordpieces = if spec.wordpiece_slots > 0 {
            wordpieces
        } else {
            None
        };
        Featurizer { spec, wordpieces }
    }

    /// The table sizes.
    pub fn spec(&self) -> &FeatureSpec {
        &self.spec
    }

    /// Rows of each table in [`TABLE_NAMES`] order (the word-piece table
    /// has one extra row, the padding row, at the end).
    pub fn table_rows(&self) -> [usize; 6] {
        let wp = match &self.wordpieces {
            Some(w) if self.spec.wordpiece_slots > 0 => w.len() + 1,
            _ => 0,
        };
        [
            self.spec.norm_rows as usize,
            self.spec.prefix_rows as usize,
            self.spec.suffix_rows as usize,
            self.spec.shape_rows as usize,
            self.spec.cased_rows as usize,
            wp,
        ]
    }

    /// The word-piece vocabulary, if the model uses one.
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
    }

    /// The ids of every token of `text` (`tokens` are byte spans), row-major
    /// `tokens.len() x slots`.
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
pub fn normalize(word: &str) -> String {
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
pub fn shape(word: &str) -> String {
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
pub fn hash_mod(bytes: &[u8], seed: u64, rows: u32) -> u32 {
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
