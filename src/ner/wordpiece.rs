//! Word-piece splitting (greedy longest match first, as BERT's tokenizer
//! does) over a word-piece vocabulary stored in the model file.

use super::strmap::StrMap;

/// A word-piece vocabulary: pieces that start a word and `##` pieces that
/// continue one.
#[derive(Clone, Debug, Default)]
pub struct WordPieces {
    starts: StrMap,
    continuations: StrMap,
    unknown: u32,
    len: usize,
}

/// Words longer than this (in bytes) are one unknown piece.
const MAX_WORD_BYTES: usize = 64;

impl WordPieces {
    /// Builds the vocabulary from its pieces in id order (`##x` continues a
    /// word); `None` without an `[UNK]` piece (or with more pieces than
    /// `u32` ids).
    pub fn new<S: AsRef<str>>(pieces: impl IntoIterator<Item = S>) -> Option<Self> {
        let pieces: Vec<S> = pieces.into_iter().collect();
        let ids = 0..u32::try_from(pieces.len()).ok()?;
        let pieces_with_ids = || pieces.iter().map(AsRef::as_ref).zip(ids.clone());
        let (_, unknown) = pieces_with_ids().find(|&(p, _)| p == "[UNK]")?;
        let continuing = pieces_with_ids()
            .filter(|&(p, _)| continuation(p).is_some())
            .count();
        Some(WordPieces {
            starts: StrMap::new(
                pieces.len() - continuing,
                pieces_with_ids().filter(|&(p, _)| continuation(p).is_none()),
            )?,
            continuations: StrMap::new(
                continuing,
                pieces_with_ids().filter_map(|(p, id)| Some((continuation(p)?, id))),
            )?,
            unknown,
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
            let map = if start == 0 {
                &self.starts
            } else {
                &self.continuations
            };
            let rest = &word[start..];
            let mut found = None;
            let mut end = rest.len().min(map.longest());
            while end > 0 {
                if rest.is_char_boundary(end) {
                    if let Some(id) = map.get(&rest[..end]) {
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

/// The rest of a piece that continues a word (`##able`: `able`).
fn continuation(piece: &str) -> Option<&str> {
    piece.strip_prefix("##").filter(|rest| !rest.is_empty())
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
