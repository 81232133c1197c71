//! Word-piece splitting (greedy longest match first, as BERT's tokenizer
//! does) over a word-piece vocabulary stored in the model file.

use rustc_hash::FxHashMap;

/// A word-piece vocabulary: pieces that start a word and `##` pieces that
/// continue one.
#[derive(Clone, Debug, Default)]
pub struct WordPieces {
    starts: FxHashMap<Box<str>, u32>,
    continuations: FxHashMap<Box<str>, u32>,
    /// The longest piece of each map, in bytes: no longer match is tried.
    longest_start: usize,
    longest_continuation: usize,
    unknown: u32,
    len: usize,
}

/// Words longer than this (in bytes) are one unknown piece.
const MAX_WORD_BYTES: usize = 64;

impl WordPieces {
    /// Builds the vocabulary from its pieces in id order (`##x` continues a
    /// word); `[UNK]` must be among them.
    pub fn new(pieces: &[String]) -> Option<Self> {
        // Fx hashing: the keys come from the model file, and a look-up
        // (several per word) costs a fraction of SipHash's.
        let mut starts = FxHashMap::with_capacity_and_hasher(pieces.len(), Default::default());
        let mut continuations = FxHashMap::default();
        let mut unknown = None;
        for (id, p) in pieces.iter().enumerate() {
            let id = id as u32;
            if p == "[UNK]" {
                unknown = Some(id);
            }
            match p.strip_prefix("##") {
                Some(rest) if !rest.is_empty() => {
                    continuations.entry(rest.into()).or_insert(id);
                }
                _ => {
                    starts.entry(p.as_str().into()).or_insert(id);
                }
            }
        }
        let longest = |map: &FxHashMap<Box<str>, u32>| map.keys().map(|k| k.len()).max();
        Some(WordPieces {
            longest_start: longest(&starts).unwrap_or(0),
            longest_continuation: longest(&continuations).unwrap_or(0),
            starts,
            continuations,
            unknown: unknown?,
            len: pieces.len(),
        })
    }

    /// Number of pieces.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for an empty vocabulary.
    #[cfg(feature = "internals")]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends the `[UNK]` piece.
    pub(crate) fn push_unknown(&self, out: &mut Vec<u32>) {
        out.push(self.unknown);
    }

    /// Appends every piece id of `word` however long it is (the caller
    /// bounds its length); a word that cannot be split is one `[UNK]`.
    pub(crate) fn split_into_unbounded(&self, word: &str, out: &mut Vec<u32>) {
        self.split_bounded(word, usize::MAX, usize::MAX, out);
    }

    /// Appends at most `max` piece ids of `word` (already lower-cased) to
    /// `out`; a word that cannot be split is one `[UNK]`.
    pub fn split_into(&self, word: &str, max: usize, out: &mut Vec<u32>) {
        self.split_bounded(word, max, MAX_WORD_BYTES, out);
    }

    fn split_bounded(&self, word: &str, max: usize, max_bytes: usize, out: &mut Vec<u32>) {
        if max == 0 || word.is_empty() {
            return;
        }
        if word.len() > max_bytes {
            out.push(self.unknown);
            return;
        }
        let first = out.len();
        let mut start = 0;
        while start < word.len() {
            let (map, longest) = if start == 0 {
                (&self.starts, self.longest_start)
            } else {
                (&self.continuations, self.longest_continuation)
            };
            let rest = &word[start..];
            let mut found = None;
            let mut end = rest.len().min(longest);
            while end > 0 {
                if rest.is_char_boundary(end) {
                    if let Some(&id) = map.get(&rest[..end]) {
                        found = Some((id, end));
                        break;
                    }
                }
                end -= 1;
            }
            match found {
                Some((id, len)) => {
                    if out.len() - first < max {
                        out.push(id);
                    }
                    start += len;
                }
                None => {
                    out.truncate(first);
                    out.push(self.unknown);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_longest_match() {
        let v: Vec<String> = ["[PAD]", "[UNK]", "un", "##aff", "##able", "aff", "##a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let wp = WordPieces::new(&v).unwrap();
        let mut out = Vec::new();
        wp.split_into("unaffable", 4, &mut out);
        assert_eq!(out, vec![2, 3, 4]);
        out.clear();
        wp.split_into("unx", 4, &mut out);
        assert_eq!(out, vec![1]);
        out.clear();
        wp.split_into("unaffable", 2, &mut out);
        assert_eq!(out, vec![2, 3]);
    }
}
