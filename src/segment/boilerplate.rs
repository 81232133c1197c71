//! Telling article lines from boilerplate, on plain text only.
//!
//! Each line gets a feature vector from its own text (length, stop-word
//! density, final punctuation, letter case, digits, timestamps, widget
//! words) and from its neighbourhood (the lines around it, where it sits
//! relative to the page's long prose lines). A small neural network (one
//! hidden layer) scores it; the
//! scores are smoothed over neighbouring lines (jusText-style), a comment
//! section cuts off everything after it, and the title and byline are
//! picked just above the first body paragraph. The model's weights live in
//! `boilerplate_weights.rs`, written by `cargo xtask train boilerplate`.

use super::boilerplate_weights::{INSIDE_MARGIN, MODEL, OUTSIDE_BAR, SMOOTHING, THRESHOLD};
use crate::document::{BlockKind, BoilerplateReason};

/// The lowest score at which a sentence-like line right after a kept one is
/// kept too.
const CONTINUE_BAR: f32 = 0.1;

/// Number of features per line.
pub const N_FEATURES: usize = 43;

/// Per-line facts the features and the rules use.
#[derive(Clone, Copy, Debug, Default)]
struct LineStats {
    words: usize,
    stop: f32,
    end_punct: bool,
    upper: f32,
    digits: f32,
    timestamp: bool,
    separators: bool,
    commas: f32,
    title_case: f32,
    cue: bool,
    chars: usize,
    colon_end: bool,
    mean_word: f32,
    bullet: bool,
    comment_header: bool,
    footer: bool,
    template: bool,
}

const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he",
    "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "more", "most", "no", "not",
    "of", "on", "one", "only", "or", "other", "our", "out", "she", "so", "some", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "to", "up", "was", "we",
    "were", "what", "when", "which", "who", "will", "with", "would", "you", "your", "said", "says",
    "over", "just", "been", "because", "while", "where", "those", "my", "me", "him",
];

/// Words of site widgets around an article.
const CUES: &[&str] = &[
    "share",
    "comment",
    "comments",
    "reply",
    "login",
    "log in",
    "sign in",
    "sign up",
    "subscribe",
    "copyright",
    "all rights reserved",
    "privacy",
    "terms of",
    "cookie",
    "newsletter",
    "follow us",
    "advertisement",
    "related",
    "read more",
    "click here",
    "tweet",
    "facebook",
    "twitter",
    "linkedin",
    "pinterest",
    "whatsapp",
    "email this",
    "print",
    "permalink",
    "posted in",
    "tags:",
    "filed under",
    "trackback",
    "user rank",
    "most popular",
    "recommended",
    "sponsored",
    "more from",
    "you may also like",
    "see also",
    "next article",
    "previous article",
    "menu",
    "home",
    "search",
    "rss",
    "contact us",
    "about us",
    "©",
];

fn is_stop(w: &str) -> bool {
    // Lowercase the ASCII letters (and apostrophes) into a small buffer; a
    // stop word is short and ASCII.
    let mut buf = [0u8; 8];
    let mut n = 0;
    for b in w.bytes() {
        if b.is_ascii_alphanumeric() || b == b'\'' {
            if n == buf.len() {
                return false;
            }
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        } else if b >= 0x80 {
            return false;
        }
    }
    std::str::from_utf8(&buf[..n]).is_ok_and(|lower| STOP_WORDS.contains(&lower))
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.len() <= h.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// `12:34`, `5:55:11 PM`, `1/9/2018` and the like.
fn has_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    for i in 1..b.len().saturating_sub(2) {
        let d = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
        if (b[i] == b':' && d(i - 1) && d(i + 1) && d(i + 2))
            || (b[i] == b'/' && d(i - 1) && d(i + 1))
        {
            return true;
        }
    }
    false
}

fn stats(line: &str) -> LineStats {
    let mut st = LineStats {
        chars: line.chars().count(),
        ..Default::default()
    };
    let (mut letters, mut uppers, mut digits, mut nonspace) = (0usize, 0usize, 0usize, 0usize);
    for c in line.chars() {
        if c.is_alphabetic() {
            letters += 1;
            uppers += usize::from(c.is_uppercase());
        } else if c.is_ascii_digit() {
            digits += 1;
        }
        nonspace += usize::from(!c.is_whitespace());
        st.separators |= matches!(c, '|' | '•' | '»' | '·' | '›' | '«' | '>' | '/');
        st.commas += f32::from(u8::from(c == ','));
    }
    let (mut stops, mut caps, mut alpha_words, mut word_chars) = (0usize, 0usize, 0usize, 0usize);
    for w in line.split_whitespace() {
        st.words += 1;
        word_chars += w.chars().count();
        stops += usize::from(is_stop(w));
        if let Some(c) = w.chars().find(|c| c.is_alphabetic()) {
            alpha_words += 1;
            caps += usize::from(c.is_uppercase());
        }
    }
    let words = st.words.max(1) as f32;
    st.stop = stops as f32 / words;
    st.upper = uppers as f32 / letters.max(1) as f32;
    st.digits = digits as f32 / nonspace.max(1) as f32;
    st.commas /= words;
    st.title_case = caps as f32 / alpha_words.max(1) as f32;
    st.mean_word = word_chars as f32 / words;
    let trimmed = line.trim_end_matches(['"', '\'', '”', '’', ')', ' ']);
    st.end_punct = trimmed.ends_with(['.', '!', '?', '…']);
    st.colon_end = line.trim_end().ends_with(':');
    st.timestamp = has_timestamp(line);
    st.bullet = line
        .trim_start()
        .starts_with(['•', '-', '*', '·', '–', '»', '>']);
    st.cue = st.words <= 12 && CUES.iter().any(|c| contains_ci(line, c));
    st.comment_header = is_comment_header(line, st.words);
    st.footer = contains_ci(line, "©")
        || contains_ci(line, "copyright")
        || contains_ci(line, "all rights reserved");
    st.template = is_template(line);
    st
}

/// Lines that open a reader-comment section.
fn is_comment_header(line: &str, words: usize) -> bool {
    if words > 20 {
        return false;
    }
    let l = line.trim().to_lowercase();
    let first_num = l
        .split_whitespace()
        .next()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()));
    if first_num
        && (l.contains("comment")
            || l.contains("response")
            || l.contains("repl")
            || l.contains("thought"))
    {
        return true;
    }
    if words > 8 {
        return false;
    }
    let l = l.trim_matches(|c: char| !c.is_alphanumeric());
    const HEADERS: &[&str] = &[
        "comments",
        "comment",
        "reader comments",
        "leave a reply",
        "leave a comment",
        "post a comment",
        "add a comment",
        "add comment",
        "join the discussion",
        "join the conversation",
        "discussion",
        "responses",
        "reactions",
        "what do you think",
        "your comments",
        "show comments",
        "view comments",
        "post comment",
        "submit a comment",
        "write a comment",
        "have your say",
    ];
    if HEADERS.contains(&l) {
        return true;
    }
    // "Comments (4)", "ADD A COMMENT", "User Rank:".
    l.starts_with("comments (")
        || l.ends_with("add a comment")
        || l.contains("user rank")
        || l.contains("newest first")
        || l.contains("oldest first")
}

/// The header line of one reader comment: `Jane Says:`, `June 3, 2012 at
/// 4:15 pm`, `2 hours ago`.
fn is_comment_meta(line: &str, s: &LineStats) -> bool {
    if s.words == 0 || s.words > 8 {
        return false;
    }
    let l = line.trim().to_lowercase();
    if l.ends_with("says:") || l.ends_with("said:") || l.ends_with("wrote:") || l.ends_with("says")
    {
        return true;
    }
    let timeish = s.timestamp || l.chars().any(|c| c.is_ascii_digit());
    timeish
        && (l.contains(" at ")
            || l.ends_with(" am")
            || l.ends_with(" pm")
            || l.ends_with(" ago")
            || l.contains("| reply"))
}

/// Unfilled template placeholders: `& siteName &`, `{{ title }}`, `%%NAME%%`, `[[x]]`.
fn is_template(line: &str) -> bool {
    let t = line.trim();
    let wrapped = |open: &str, close: &str| {
        t.starts_with(open) && t.ends_with(close) && t.len() > open.len() + close.len()
    };
    (wrapped("&", "&") && !t.contains(' ') || wrapped("& ", " &"))
        || wrapped("{{", "}}")
        || wrapped("%%", "%%")
        || wrapped("[[", "]]")
        || wrapped("${", "}")
}

/// The feature vectors of a page's lines (used by the model and by its
/// training command, so both see exactly the same numbers).
pub fn features(lines: &[&str]) -> Vec<[f32; N_FEATURES]> {
    let st: Vec<LineStats> = lines.iter().map(|l| stats(l)).collect();
    let n = st.len();
    let prose = |s: &LineStats| s.words >= 20 && s.stop >= 0.2;
    let first_prose = st.iter().position(prose);
    let last_prose = st.iter().rposition(prose);
    let total_words: usize = st.iter().map(|s| s.words).sum::<usize>().max(1);
    // Distance to the nearest prose line before / after each line.
    let mut dist_prev = vec![n; n];
    let mut last = None;
    for i in 0..n {
        if let Some(l) = last {
            dist_prev[i] = i - l;
        }
        if prose(&st[i]) {
            last = Some(i);
            dist_prev[i] = 0;
        }
    }
    let mut dist_next = vec![n; n];
    let mut next = None;
    for i in (0..n).rev() {
        if let Some(l) = next {
            dist_next[i] = l - i;
        }
        if prose(&st[i]) {
            next = Some(i);
            dist_next[i] = 0;
        }
    }
    // The first comment header or comment meta line after the first prose.
    let comment_signal = first_prose.and_then(|p| {
        (p + 1..n).find(|&i| st[i].comment_header || is_comment_meta(lines[i], &st[i]))
    });
    let lw = |s: &LineStats| (1.0 + s.words as f32).ln() / 4.0;
    let mut words_before = 0usize;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let s = &st[i];
        let mut f = [0f32; N_FEATURES];
        f[0] = 1.0;
        f[1] = lw(s);
        f[2] = f32::from(u8::from(s.words >= 10));
        f[3] = f32::from(u8::from(s.words <= 3));
        f[4] = s.stop;
        f[5] = f32::from(u8::from(s.end_punct));
        f[6] = s.upper;
        f[7] = s.digits;
        f[8] = f32::from(u8::from(s.timestamp));
        f[9] = f32::from(u8::from(s.separators));
        f[10] = s.commas.min(1.0);
        f[11] = s.title_case;
        f[12] = f32::from(u8::from(s.cue));
        f[13] = i as f32 / n.max(1) as f32;
        f[14] = (s.chars as f32 / 400.0).min(1.0);
        f[15] = f32::from(u8::from(s.colon_end));
        f[16] = (s.mean_word / 10.0).min(1.5);
        f[17] = f32::from(u8::from(s.bullet));
        // Neighbours: -2, -1, +1, +2.
        for (k, off) in [-2isize, -1, 1, 2].iter().enumerate() {
            let j = i as isize + off;
            if j >= 0 && (j as usize) < n {
                let t = &st[j as usize];
                f[18 + 3 * k] = lw(t);
                f[19 + 3 * k] = t.stop;
                f[20 + 3 * k] = f32::from(u8::from(t.end_punct));
            }
        }
        // Window of +-5 lines: mean length and share of prose lines.
        let (a, b) = (i.saturating_sub(5), (i + 6).min(n));
        let win = &st[a..b];
        f[30] = win.iter().map(lw).sum::<f32>() / win.len() as f32;
        f[31] = win.iter().filter(|t| prose(t)).count() as f32 / win.len() as f32;
        f[32] = words_before as f32 / total_words as f32;
        words_before += s.words;
        let inside = matches!((first_prose, last_prose), (Some(a), Some(b)) if a <= i && i <= b);
        f[33] = f32::from(u8::from(inside));
        f[34] = ((1 + dist_prev[i].min(50)) as f32).ln() / 4.0;
        f[35] = ((1 + dist_next[i].min(50)) as f32).ln() / 4.0;
        f[36] = f32::from(u8::from(prose(s)));
        f[37] = f32::from(u8::from(s.comment_header || s.footer || s.template));
        f[38] = f32::from(u8::from(first_prose.is_some_and(|p| i < p)));
        f[39] = f32::from(u8::from(last_prose.is_some_and(|p| i > p)));
        f[40] = f32::from(u8::from(is_comment_meta(lines[i], s)));
        f[41] = f32::from(u8::from(comment_signal.is_some_and(|c| i >= c)));
        f[42] = f32::from(u8::from(s.comment_header));
        out.push(f);
    }
    out
}

/// Hidden units of the line model.
pub const HIDDEN: usize = 12;

/// The line model: one hidden layer of `tanh` units over the features, and
/// a logistic output (the feature vector's first entry is the constant 1,
/// so the hidden layer needs no separate bias).
#[derive(Clone, Debug)]
pub struct Model {
    /// Input-to-hidden weights.
    pub w1: [[f32; N_FEATURES]; HIDDEN],
    /// Hidden-to-output weights.
    pub w2: [f32; HIDDEN],
    /// Output bias.
    pub b2: f32,
}

impl Model {
    /// The hidden activations for one feature vector.
    pub fn hidden(&self, f: &[f32; N_FEATURES]) -> [f32; HIDDEN] {
        let mut h = [0f32; HIDDEN];
        for (hk, w) in h.iter_mut().zip(&self.w1) {
            *hk = dot(w, f).tanh();
        }
        h
    }

    /// Probability that the line with features `f` is article text.
    pub fn predict(&self, f: &[f32; N_FEATURES]) -> f32 {
        let h = self.hidden(f);
        sigmoid(self.b2 + h.iter().zip(&self.w2).map(|(a, b)| a * b).sum::<f32>())
    }
}

/// Dot product of weights and features.
pub(crate) fn dot(w: &[f32; N_FEATURES], f: &[f32; N_FEATURES]) -> f32 {
    w.iter().zip(f).map(|(a, b)| a * b).sum()
}

/// The logistic function.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Kind (and boilerplate reason) of every line of a page.
pub(crate) fn classify(lines: &[&str]) -> Vec<(BlockKind, Option<BoilerplateReason>)> {
    classify_with(
        lines,
        &MODEL,
        Params {
            threshold: THRESHOLD,
            inside_margin: INSIDE_MARGIN,
            outside_bar: OUTSIDE_BAR,
            smoothing: SMOOTHING,
        },
    )
}

/// The decision thresholds applied to the model's smoothed scores.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// Bar for a line to count towards the article's main run.
    pub threshold: f32,
    /// How much lower the bar is inside the main run.
    pub inside_margin: f32,
    /// The bar for lines outside the main run.
    pub outside_bar: f32,
    /// Weight of each neighbour's score in a line's smoothed score.
    pub smoothing: f32,
}

/// `classify` with the given model and thresholds (the
/// training command uses it to pick the threshold).
pub fn classify_with(
    lines: &[&str],
    model: &Model,
    params: Params,
) -> Vec<(BlockKind, Option<BoilerplateReason>)> {
    let threshold = params.threshold;
    let n = lines.len();
    let st: Vec<LineStats> = lines.iter().map(|l| stats(l)).collect();
    let p: Vec<f32> = features(lines).iter().map(|f| model.predict(f)).collect();
    // Smooth over neighbours: a short line between kept paragraphs is kept.
    let smooth: Vec<f32> = (0..n)
        .map(|i| {
            let prev = if i > 0 { p[i - 1] } else { p[i] };
            let next = if i + 1 < n { p[i + 1] } else { p[i] };
            let w = params.smoothing;
            (1.0 - 2.0 * w) * p[i] + w * (prev + next)
        })
        .collect();
    // The article is one run of lines: the run with the largest sum of
    // (score - threshold), weighted by length. Inside it a lower bar holds
    // (subheads, short paragraphs); outside it only sure lines are kept.
    let weight = |i: usize| (1.0 + st[i].words as f32).sqrt();
    let (mut best, mut best_span, mut run, mut run_start) = (0f32, None, 0f32, 0usize);
    for (i, &score) in smooth.iter().enumerate() {
        if run <= 0.0 {
            run = 0.0;
            run_start = i;
        }
        run += (score - threshold) * weight(i);
        if run > best {
            best = run;
            best_span = Some((run_start, i));
        }
    }
    let mut keep: Vec<bool> = (0..n)
        .map(|i| match best_span {
            Some((a, b)) if a <= i && i <= b => smooth[i] > threshold - params.inside_margin,
            _ => smooth[i] > params.outside_bar,
        })
        .collect();
    // Runs of three or more headline-like lines are teaser lists.
    let headline = |s: &LineStats| {
        (4..=20).contains(&s.words) && !s.end_punct && !s.colon_end && s.title_case >= 0.6
    };
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && headline(&st[j]) {
            j += 1;
        }
        if j - i >= 3 {
            for k in &mut keep[i..j] {
                *k = false;
            }
        }
        i = j.max(i + 1);
    }
    if !keep.iter().any(|&k| k) {
        keep_best_stretch(&smooth, &st, &mut keep);
    }
    // A full sentence right after a kept paragraph continues the article
    // (the closing line of a short text scores low for being last).
    let sentence_like =
        |s: &LineStats| s.words >= 4 && s.end_punct && s.stop >= 0.15 && !s.cue && !s.timestamp;
    for i in 1..n {
        if !keep[i] && keep[i - 1] && sentence_like(&st[i]) && smooth[i] > CONTINUE_BAR {
            keep[i] = true;
        }
    }
    for i in 0..n {
        if st[i].template || st[i].words == 0 {
            keep[i] = false;
        }
    }
    // A comment section after the article ends it.
    let first_kept = keep.iter().position(|&k| k);
    let mut comments_from = n;
    if let Some(fk) = first_kept {
        let header = (fk + 1..n).find(|&i| st[i].comment_header);
        // A thread: three or more comment header lines after the first prose.
        let first_prose = (fk..n).find(|&i| st[i].words >= 20).unwrap_or(fk);
        let metas: Vec<usize> = (first_prose + 1..n)
            .filter(|&i| is_comment_meta(lines[i], &st[i]))
            .take(3)
            .collect();
        let thread = (metas.len() == 3 && metas[2] - metas[0] <= 40).then(|| {
            let m = metas[0];
            // The commenter's name often sits on the line above.
            if m > first_prose + 1 && st[m - 1].words <= 4 && !st[m - 1].end_punct {
                m - 1
            } else {
                m
            }
        });
        if let Some(c) = header.into_iter().chain(thread).min() {
            comments_from = c;
            for k in keep.iter_mut().skip(c) {
                *k = false;
            }
        }
    }
    // The comment thread ends where the next widget starts.
    let comments_end = (comments_from + 1..n)
        .find(|&i| starts_widget(lines[i]))
        .unwrap_or(n);
    let mut out: Vec<(BlockKind, Option<BoilerplateReason>)> = (0..n)
        .map(|i| {
            if keep[i] {
                (BlockKind::Paragraph, None)
            } else {
                (
                    BlockKind::Boilerplate,
                    Some(reason(&st, i, comments_from..comments_end)),
                )
            }
        })
        .collect();
    if let Some(fk) = first_kept {
        mark_title_and_byline(lines, &st, fk, &mut out);
    }
    out
}

/// When no line reaches the bar (a short post on a busy page), keeps the
/// best-scoring line and the lines around it that score at least half as well.
fn keep_best_stretch(smooth: &[f32], st: &[LineStats], keep: &mut [bool]) {
    let Some((m, &best)) = smooth
        .iter()
        .enumerate()
        .filter(|(i, _)| st[*i].words >= 3)
        .max_by(|a, b| a.1.total_cmp(b.1))
    else {
        return;
    };
    let bar = best * 0.5;
    keep[m] = true;
    let mut i = m;
    while i > 0 && smooth[i - 1] >= bar {
        i -= 1;
        keep[i] = true;
    }
    let mut j = m;
    while j + 1 < smooth.len() && smooth[j + 1] >= bar {
        j += 1;
        keep[j] = true;
    }
}

/// Headers of the widgets that follow an article or its comments.
fn starts_widget(line: &str) -> bool {
    const HEADS: &[&str] = &[
        "more ",
        "related",
        "featured",
        "recent",
        "popular",
        "upcoming",
        "hot topics",
        "latest",
        "recommended",
        "you may also",
        "most read",
        "trending",
        "top stories",
        "editor's picks",
    ];
    let t = line.trim_start();
    t.split_whitespace().count() <= 8
        && HEADS
            .iter()
            .any(|h| t.get(..h.len()).is_some_and(|p| p.eq_ignore_ascii_case(h)))
}

/// Why line `i` is boilerplate.
fn reason(st: &[LineStats], i: usize, comments: std::ops::Range<usize>) -> BoilerplateReason {
    let s = &st[i];
    if s.template {
        return BoilerplateReason::Template;
    }
    if comments.contains(&i) && !s.footer {
        return BoilerplateReason::Comments;
    }
    if s.footer || (s.cue && s.words <= 4) {
        return BoilerplateReason::Footer;
    }
    let near = |f: &dyn Fn(&LineStats) -> bool| {
        let (a, b) = (i.saturating_sub(2), (i + 3).min(st.len()));
        st[a..b].iter().filter(|t| f(t)).count() >= 2
    };
    if s.timestamp || near(&|t: &LineStats| t.digits > 0.1 && t.words <= 10) && s.digits > 0.05 {
        return BoilerplateReason::Listing;
    }
    if s.words <= 3 {
        return BoilerplateReason::Navigation;
    }
    if s.words <= 20
        && !s.end_punct
        && near(&|t: &LineStats| t.words >= 4 && t.words <= 20 && !t.end_punct)
    {
        return BoilerplateReason::LinkList;
    }
    BoilerplateReason::Other
}

/// Marks the title and byline lines just above the first body paragraph
/// `fk` (they are kept even if the model dropped them).
fn mark_title_and_byline(
    lines: &[&str],
    st: &[LineStats],
    fk: usize,
    out: &mut [(BlockKind, Option<BoilerplateReason>)],
) {
    let lo = fk.saturating_sub(4);
    let mut title = None;
    for i in (lo..fk).rev() {
        if st[i].template || st[i].comment_header || st[i].cue {
            continue;
        }
        if is_byline(lines[i], &st[i]) {
            out[i] = (BlockKind::Byline, None);
            continue;
        }
        let s = &st[i];
        if (3..=25).contains(&s.words) && !s.end_punct && !s.colon_end && !s.separators {
            title = Some(i);
            break;
        }
        if s.words > 25 {
            break;
        }
    }
    if title.is_none() && out[fk].0 == BlockKind::Paragraph {
        // The first kept line itself may be the headline.
        let s = &st[fk];
        if (3..=25).contains(&s.words)
            && !s.end_punct
            && fk + 1 < st.len()
            && st[fk + 1].words > s.words
        {
            title = Some(fk);
        }
    }
    if let Some(t) = title {
        out[t] = (BlockKind::Title, None);
        // Bylines right under the title.
        for i in t + 1..(t + 4).min(st.len()) {
            if is_byline(lines[i], &st[i]) {
                out[i] = (BlockKind::Byline, None);
            } else if i >= fk {
                break;
            }
        }
    }
}

/// `By Jane Smith`, `Jane Smith`, `Jan. 9, 2018`, `Posted 3:45 PM`.
fn is_byline(line: &str, s: &LineStats) -> bool {
    let t = line.trim();
    if s.words == 0 || s.words > 12 || (s.end_punct && !t.ends_with('.')) {
        return false;
    }
    let lower = t.to_lowercase();
    if lower.starts_with("by ")
        || lower.starts_with("posted ")
        || lower.starts_with("published ")
        || lower.starts_with("updated ")
    {
        return true;
    }
    // A short run of capitalised words: a name.
    if (2..=4).contains(&s.words) && s.title_case == 1.0 && s.digits == 0.0 && !s.end_punct {
        return true;
    }
    // A date line.
    const MONTHS: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    s.words <= 8 && s.digits > 0.0 && MONTHS.iter().any(|m| lower.contains(m))
}
