//! Byte spans into the input text, and conversion of byte offsets to the
//! UTF-16 code units JavaScript strings are indexed by (and to Unicode code
//! points, which the evaluation files use).

use serde::Serialize;

/// A half-open range `[start, end)` of byte offsets into a `&str`.
///
/// Every span newsmark produces starts and ends on a `char` boundary of the
/// text it was made from, so `&text[span.start..span.end]` never panics.
///
/// ```
/// use newsmark::Span;
///
/// let text = "Zoë Brandt";
/// let name = Span::new(0, 4);
/// assert_eq!(name.slice(text), "Zoë"); // `ë` is two bytes
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// Makes a span; `start` must not be greater than `end`.
    ///
    /// ```
    /// let span = newsmark::Span::new(3, 7);
    /// assert_eq!((span.start, span.end), (3, 7));
    /// ```
    pub const fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }

    /// Length in bytes.
    ///
    /// ```
    /// assert_eq!(newsmark::Span::new(3, 7).len(), 4);
    /// ```
    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no bytes.
    ///
    /// ```
    /// assert!(newsmark::Span::new(5, 5).is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The text this span covers.
    ///
    /// Returns `""` rather than panicking if the span does not fit `text`
    /// or does not lie on `char` boundaries.
    ///
    /// ```
    /// use newsmark::Span;
    ///
    /// assert_eq!(Span::new(4, 8).slice("New York"), "York");
    /// assert_eq!(Span::new(4, 99).slice("New York"), "");
    /// ```
    pub fn slice<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// True if `other` lies entirely inside `self`.
    ///
    /// ```
    /// use newsmark::Span;
    ///
    /// assert!(Span::new(0, 10).contains(&Span::new(2, 5)));
    /// assert!(!Span::new(0, 4).contains(&Span::new(2, 5)));
    /// ```
    pub const fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Which unit an [`OffsetMap`] converts byte offsets into.
///
/// ```
/// use newsmark::{OffsetMap, Unit};
///
/// let text = "😀 ok";
/// assert_eq!(OffsetMap::new(text, Unit::Utf16).convert(5), 3);
/// assert_eq!(OffsetMap::new(text, Unit::CodePoint).convert(5), 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// UTF-16 code units, as JavaScript's `String.prototype.slice` counts.
    Utf16,
    /// Unicode scalar values (code points), as Python's `str` counts.
    CodePoint,
}

/// Converts byte offsets of one text into UTF-16 or code-point offsets.
///
/// It keeps one checkpoint every 64 bytes, so memory is a small fraction of
/// the text and each lookup scans at most 64 bytes.
/// Queries may come in any order.
///
/// ```
/// use newsmark::{OffsetMap, Unit};
///
/// let text = "“Hi,” said Zoë.";
/// let doc = newsmark::segment(text);
/// let map = OffsetMap::new(text, Unit::Utf16);
/// // JavaScript's `text.slice(start, end)` takes these.
/// let js: Vec<(usize, usize)> = doc.tokens.iter().map(|t| map.convert_span(*t)).collect();
/// assert_eq!(js[0], (0, 1)); // “ is 3 bytes, 1 UTF-16 unit
/// ```
#[derive(Clone, Debug)]
pub struct OffsetMap<'t> {
    text: &'t str,
    unit: Unit,
    /// `checkpoints[i]` = (byte offset, converted offset) of the first char
    /// boundary at or after `i * STRIDE`.
    checkpoints: Vec<(usize, usize)>,
}

impl<'t> OffsetMap<'t> {
    /// Distance in bytes between checkpoints.
    const STRIDE: usize = 64;

    /// Builds the map for `text` in one pass.
    ///
    /// ```
    /// let map = newsmark::OffsetMap::new("abc", newsmark::Unit::CodePoint);
    /// assert_eq!(map.convert(2), 2);
    /// ```
    pub fn new(text: &'t str, unit: Unit) -> Self {
        let mut checkpoints = Vec::with_capacity(text.len() / Self::STRIDE + 2);
        let mut converted = 0usize;
        let mut next = 0usize;
        for (byte, ch) in text.char_indices() {
            while byte >= next {
                checkpoints.push((byte, converted));
                next += Self::STRIDE;
            }
            converted += match unit {
                Unit::Utf16 => ch.len_utf16(),
                Unit::CodePoint => 1,
            };
        }
        while text.len() >= next {
            checkpoints.push((text.len(), converted));
            next += Self::STRIDE;
        }
        OffsetMap {
            text,
            unit,
            checkpoints,
        }
    }

    /// The converted offset of byte offset `byte`.
    ///
    /// A byte offset inside a multi-byte character is rounded down to the
    /// start of that character; offsets past the end give the text's length.
    ///
    /// ```
    /// use newsmark::{OffsetMap, Unit};
    ///
    /// let map = OffsetMap::new("é!", Unit::Utf16);
    /// assert_eq!(map.convert(2), 1); // after `é` (2 bytes)
    /// assert_eq!(map.convert(1), 0); // inside `é`: rounded down
    /// assert_eq!(map.convert(99), 2); // past the end: the length
    /// ```
    pub fn convert(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        let (mut at, mut converted) = self.checkpoints[byte / Self::STRIDE];
        if at > byte {
            // The checkpoint's char starts after `byte`: `byte` is inside the
            // char that straddles the stride boundary; step back to it.
            let (prev_at, prev_conv) = self.checkpoints[byte / Self::STRIDE - 1];
            at = prev_at;
            converted = prev_conv;
        }
        for ch in self.text[at..].chars() {
            if at + ch.len_utf8() > byte {
                break;
            }
            at += ch.len_utf8();
            converted += match self.unit {
                Unit::Utf16 => ch.len_utf16(),
                Unit::CodePoint => 1,
            };
        }
        converted
    }

    /// Converts both ends of a span.
    ///
    /// ```
    /// use newsmark::{OffsetMap, Span, Unit};
    ///
    /// let map = OffsetMap::new("Café Ro", Unit::CodePoint);
    /// assert_eq!(map.convert_span(Span::new(6, 8)), (5, 7));
    /// ```
    pub fn convert_span(&self, span: Span) -> (usize, usize) {
        (self.convert(span.start), self.convert(span.end))
    }
}

/// Converts offsets in `unit` (UTF-16 units or code points) back to byte
/// offsets of `text`. `offsets` must be sorted ascending; an offset inside a
/// surrogate pair or past the end is rounded down / clamped.
#[cfg(any(test, feature = "internals"))]
pub fn to_byte_offsets(text: &str, unit: Unit, offsets: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut iter = text.char_indices().peekable();
    let mut converted = 0usize;
    let mut byte = 0usize;
    for &want in offsets {
        while let Some(&(b, ch)) = iter.peek() {
            let step = match unit {
                Unit::Utf16 => ch.len_utf16(),
                Unit::CodePoint => 1,
            };
            if converted + step > want {
                byte = b;
                break;
            }
            converted += step;
            iter.next();
            byte = b + ch.len_utf8();
        }
        if iter.peek().is_none() {
            byte = text.len();
        }
        out.push(byte);
    }
    out
}

/// Converts `[start, end)` pairs counted in `unit` (sorted, as a corpus'
/// tokens are) into byte spans of `text`; an end before its start becomes an
/// empty span at the start.
#[cfg(any(test, feature = "internals"))]
pub fn spans_from_offsets(text: &str, unit: Unit, pairs: &[(usize, usize)]) -> Vec<Span> {
    let starts: Vec<usize> = pairs.iter().map(|p| p.0).collect();
    let ends: Vec<usize> = pairs.iter().map(|p| p.1).collect();
    let starts = to_byte_offsets(text, unit, &starts);
    let ends = to_byte_offsets(text, unit, &ends);
    starts
        .iter()
        .zip(&ends)
        .map(|(&s, &e)| Span::new(s, e.max(s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_all(text: &str) {
        for unit in [Unit::Utf16, Unit::CodePoint] {
            let map = OffsetMap::new(text, unit);
            let mut expected = 0usize;
            for (byte, ch) in text.char_indices() {
                assert_eq!(
                    map.convert(byte),
                    expected,
                    "{unit:?} at byte {byte} of {text:?}"
                );
                // Inside a multi-byte char: rounded down.
                for inner in byte + 1..byte + ch.len_utf8() {
                    assert_eq!(map.convert(inner), expected);
                }
                expected += match unit {
                    Unit::Utf16 => ch.len_utf16(),
                    Unit::CodePoint => 1,
                };
            }
            assert_eq!(map.convert(text.len()), expected);
            assert_eq!(map.convert(text.len() + 10), expected);
            let bytes: Vec<usize> = text
                .char_indices()
                .map(|(b, _)| b)
                .chain([text.len()])
                .collect();
            let conv: Vec<usize> = bytes.iter().map(|&b| map.convert(b)).collect();
            assert_eq!(
                to_byte_offsets(text, unit, &conv),
                bytes,
                "round trip {unit:?}"
            );
        }
    }

    #[test]
    fn ascii_is_identity() {
        let text = "Huawei and AT&T met in Las Vegas.";
        let map = OffsetMap::new(text, Unit::Utf16);
        for b in 0..=text.len() {
            assert_eq!(map.convert(b), b);
        }
        check_all(text);
    }

    #[test]
    fn emoji_counts_two_utf16_units_one_code_point() {
        let text = "😀 Yu";
        assert_eq!(OffsetMap::new(text, Unit::Utf16).convert(5), 3);
        assert_eq!(OffsetMap::new(text, Unit::CodePoint).convert(5), 2);
        check_all(text);
    }

    #[test]
    fn curly_quotes_cjk_and_combining_marks() {
        check_all("\u{201c}Richard\u{201d} said: 华为 e\u{301}te\u{301} \u{1F1FA}\u{1F1F8} ok");
        let text = "华为 Huawei";
        // Each CJK char is 3 bytes, 1 UTF-16 unit.
        assert_eq!(OffsetMap::new(text, Unit::Utf16).convert(7), 3);
    }

    #[test]
    fn long_text_crosses_many_checkpoints() {
        let text: String = "a😀bé华 ".repeat(200);
        check_all(&text);
    }

    #[test]
    fn code_point_pairs_become_byte_spans() {
        let text = "é😀 Yu U.S.";
        // The last token is the corpus' repeated full stop: it overlaps the
        // abbreviation's own dot.
        let pairs = [(0, 2), (3, 5), (6, 10), (9, 10)];
        let spans = spans_from_offsets(text, Unit::CodePoint, &pairs);
        let words: Vec<&str> = spans.iter().map(|s| s.slice(text)).collect();
        assert_eq!(words, ["é😀", "Yu", "U.S.", "."]);
        assert_eq!(spans[0], Span::new(0, 6));
    }

    #[test]
    fn empty_text() {
        check_all("");
        assert_eq!(OffsetMap::new("", Unit::Utf16).convert(3), 0);
    }

    #[test]
    fn span_slice_never_panics() {
        let text = "é";
        assert_eq!(Span::new(0, 1).slice(text), "");
        assert_eq!(Span::new(0, 2).slice(text), "é");
        assert_eq!(Span::new(0, 9).slice(text), "");
    }
}
