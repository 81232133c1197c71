//! How a line is cased. The tokenizer and the sentence splitter read
//! abbreviations and sentence starts apart in a line without case (all lower
//! case or ALL CAPS), and the tagger's `shape` feature can be hashed apart for
//! each case ([`crate::ner::features::FeatureSpec::line_case`]).

/// The case of a stretch of text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineCase {
    /// Mixed case as usual, or too few letters to tell.
    Usual,
    /// Lower case: under 1% of the letters are capitals.
    Lower,
    /// ALL CAPS: under 10% of the letters are small.
    Upper,
    /// Headline Case: at least three words of four or more letters, and at
    /// least 90% of them start with a capital.
    Title,
}

impl LineCase {
    /// The case of `text`.
    pub(crate) fn of(text: &str) -> LineCase {
        let (mut upper, mut lower) = (0usize, 0usize);
        let (mut long_words, mut capitalised) = (0usize, 0usize);
        let (mut run, mut first_upper) = (0usize, false);
        for ch in text.chars().chain(std::iter::once(' ')) {
            if ch.is_alphabetic() {
                let up = ch.is_uppercase();
                if up {
                    upper += 1;
                } else if ch.is_lowercase() {
                    lower += 1;
                }
                if run == 0 {
                    first_upper = up;
                }
                run += 1;
            } else {
                if run >= 4 {
                    long_words += 1;
                    capitalised += usize::from(first_upper);
                }
                run = 0;
            }
        }
        match Self::by_letters(upper, lower) {
            Some(case) => case,
            None if long_words >= 3 && capitalised * 10 >= long_words * 9 => LineCase::Title,
            None => LineCase::Usual,
        }
    }

    /// The case told by the counts of capitals and small letters alone:
    /// `Usual` with under four letters, lower case or ALL CAPS, or `None`
    /// when the letters are mixed (then the words may tell Headline Case).
    fn by_letters(upper: usize, lower: usize) -> Option<LineCase> {
        if upper + lower < 4 {
            Some(LineCase::Usual)
        } else if upper * 100 < lower {
            Some(LineCase::Lower)
        } else if lower * 10 < upper {
            Some(LineCase::Upper)
        } else {
            None
        }
    }

    /// Whether a line is in lower case or ALL CAPS by its ASCII letters
    /// alone (the thresholds of [`LineCase::of`]; never `Title`): what the
    /// tokenizer and the sentence splitter ask, whose word lists are ASCII.
    /// One branch-free pass over the bytes, so segmentation keeps its speed.
    pub(crate) fn of_ascii_letters(text: &str) -> LineCase {
        let (mut upper, mut lower) = (0usize, 0usize);
        // Byte counters over runs of 255 bytes, which the compiler turns
        // into vector code.
        for run in text.as_bytes().chunks(255) {
            let (mut u, mut l) = (0u8, 0u8);
            for &b in run {
                u += u8::from(b.wrapping_sub(b'A') < 26);
                l += u8::from(b.wrapping_sub(b'a') < 26);
            }
            upper += usize::from(u);
            lower += usize::from(l);
        }
        Self::by_letters(upper, lower).unwrap_or(LineCase::Usual)
    }

    /// True for lower case and ALL CAPS, where a capital tells nothing.
    pub(crate) fn caseless(self) -> bool {
        matches!(self, LineCase::Lower | LineCase::Upper)
    }
}

/// `word` (ASCII letters, at most 12) with its first letter in upper case and
/// the rest in lower case, as the word lists spell it: `mr` and `MR` read as
/// `Mr`. `None` for other words.
pub(crate) fn capitalised<'a>(word: &str, buf: &'a mut [u8; 12]) -> Option<&'a str> {
    let b = word.as_bytes();
    if b.is_empty() || b.len() > buf.len() || !b.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    for (i, &c) in b.iter().enumerate() {
        buf[i] = if i == 0 {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        };
    }
    std::str::from_utf8(&buf[..b.len()]).ok()
}
