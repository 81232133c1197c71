//! Native timing of newsmark (this binary is built in release mode): each
//! stage over a slice of OntoNotes dev, blocks over boilerplate pages, and the
//! scaling curve from 1 KB to 10 MB.
//!
//! This is the only file of the bench that calls into the library (the rest
//! runs `cargo xtask predict` or the wasm package); the calls to its internals
//! are the stage functions in [`stages`] and [`block_count`].

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use newsmark::internals::segment;
use newsmark::internals::{AnnotatorInternals, DEFAULT_MODEL};
use newsmark::Annotator;
use serde::Deserialize;

use super::record::{Native, ScalingPoint, ScalingSeries, StageSpeed, Throughput};
use crate::util::Result;

/// One document of the NER corpus, as the bench needs it.
pub struct Doc {
    /// The running text.
    pub text: String,
    /// Number of gold tokens: the unit of every tokens-per-second figure.
    pub tokens: usize,
}

/// The first documents of a JSONL corpus, with their raw lines (written back
/// out as the slice file every runner reads).
pub struct Corpus {
    /// Parsed documents.
    pub docs: Vec<Doc>,
    /// The JSONL lines of those documents, unchanged.
    pub lines: Vec<String>,
}

/// A line of the OntoNotes-format corpus, as far as the bench reads it.
#[derive(Deserialize)]
struct NerLine {
    text: String,
    #[serde(default)]
    tokens: Vec<serde::de::IgnoredAny>,
}

/// A line of the boilerplate set: the page's lines.
#[derive(Deserialize)]
struct PageLine {
    lines: Vec<PageLineText>,
}

#[derive(Deserialize)]
struct PageLineText {
    text: String,
}

impl Corpus {
    /// Reads the first `limit` documents of an OntoNotes-format JSONL file.
    pub fn ontonotes(path: &Path, limit: Option<usize>) -> Result<Corpus> {
        let (values, lines) = read_jsonl::<NerLine>(path, limit)?;
        let docs = values
            .into_iter()
            .map(|v| Doc {
                text: v.text,
                tokens: v.tokens.len(),
            })
            .collect();
        Ok(Corpus { docs, lines })
    }

    /// Reads the first `limit` pages of the boilerplate set; a page's text is
    /// its lines joined with `\n`, as `predict boilerplate` sees it.
    pub fn pages(path: &Path, limit: Option<usize>) -> Result<Corpus> {
        let (values, lines) = read_jsonl::<PageLine>(path, limit)?;
        let docs = values
            .into_iter()
            .map(|v| Doc {
                text: v
                    .lines
                    .into_iter()
                    .map(|l| l.text)
                    .collect::<Vec<_>>()
                    .join("\n"),
                tokens: 0,
            })
            .collect();
        Ok(Corpus { docs, lines })
    }

    /// Characters (code points) in all documents.
    pub fn chars(&self) -> usize {
        self.docs.iter().map(|d| d.text.chars().count()).sum()
    }

    /// UTF-8 bytes in all documents.
    pub fn bytes(&self) -> usize {
        self.docs.iter().map(|d| d.text.len()).sum()
    }

    /// Gold tokens in all documents.
    pub fn tokens(&self) -> usize {
        self.docs.iter().map(|d| d.tokens).sum()
    }
}

fn read_jsonl<T: serde::de::DeserializeOwned>(
    path: &Path,
    limit: Option<usize>,
) -> Result<(Vec<T>, Vec<String>)> {
    let body = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut values = Vec::new();
    let mut lines = Vec::new();
    for line in body.lines().filter(|l| !l.trim().is_empty()) {
        if limit.is_some_and(|n| values.len() >= n) {
            break;
        }
        let v: T = serde_json::from_str(line)
            .map_err(|e| format!("{}: bad line {}: {e}", path.display(), values.len() + 1))?;
        values.push(v);
        lines.push(line.to_string());
    }
    Ok((values, lines))
}

/// One warm-up call, then `runs` timed calls of `f`; seconds per call.
pub fn time_runs(runs: usize, mut f: impl FnMut()) -> Vec<f64> {
    f();
    time_runs_cpu(runs, f).0
}

/// `runs` timed calls of `f` (no warm-up: the caller does it): wall-clock
/// seconds and this thread's CPU seconds per call (the CPU list is empty
/// where the clock is not available).
pub fn time_runs_cpu(runs: usize, mut f: impl FnMut()) -> (Vec<f64>, Vec<f64>) {
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..runs.max(1) {
        let c = thread_cpu_seconds();
        let t = Instant::now();
        f();
        wall.push(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (c, thread_cpu_seconds()) {
            cpu.push(b - a);
        }
    }
    if cpu.len() != wall.len() {
        cpu.clear();
    }
    (wall, cpu)
}

/// CPU time used so far by the calling thread (`CLOCK_THREAD_CPUTIME_ID`):
/// on a shared machine it counts only the time this work had a core.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub fn thread_cpu_seconds() -> Option<f64> {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec of the layout glibc uses on
    // 64-bit Linux, and clock_gettime only writes into it.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then_some(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9)
}

/// CPU time of the calling thread: not measured on this platform.
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
pub fn thread_cpu_seconds() -> Option<f64> {
    None
}

/// The annotator with the embedded default model, or why it cannot be made.
pub fn annotator() -> std::result::Result<Annotator, String> {
    Annotator::from_bytes(DEFAULT_MODEL)
        .map_err(|e| format!("the default model does not load: {e}"))
}

/// The OntoNotes labels (what a peer that does not say emits is scored on).
pub fn ontonotes_labels() -> Vec<String> {
    newsmark::internals::ONTONOTES
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Blocks of one page (the article-vs-boilerplate classifier alone).
fn block_count(text: &str) -> usize {
    segment::blocks::blocks(text).len()
}

/// Section `native`: wall-clock and CPU seconds per pass over the corpus for
/// each stage (NER and the full pipeline left out when there is no model),
/// and the block classifier over the pages.
pub fn native(
    corpus: &Corpus,
    pages: &Corpus,
    runs: usize,
    annotator: Option<&Annotator>,
) -> Native {
    let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
    let per_pass = |wall_s: Vec<f64>, cpu_s: Vec<f64>, c: &Corpus| Throughput {
        wall_s,
        cpu_s,
        tokens: c.tokens(),
        chars: c.chars(),
        docs: c.docs.len(),
    };
    let mut stages = Vec::new();
    // Warm-up on the first tenth of the texts: enough for caches and branch
    // predictors, and a full extra pass would cost minutes with the model.
    let warm = texts.len().div_ceil(10);
    let mut stage = |name: &str, f: &mut dyn FnMut(usize, &str) -> usize| {
        eprintln!("  native {name}");
        let mut n = 0;
        for (i, t) in texts.iter().enumerate().take(warm) {
            n += f(i, t);
        }
        let (wall, cpu) = time_runs_cpu(runs, || {
            for (i, t) in texts.iter().enumerate() {
                n += f(i, t);
            }
        });
        black_box(n);
        stages.push(StageSpeed {
            stage: name.to_string(),
            speed: per_pass(wall, cpu, corpus),
        });
    };
    stage("blocks", &mut |_, t| block_count(t));
    stage("tokens", &mut |_, t| segment::tokens::tokenize(t).len());
    stage("sentences", &mut |_, t| {
        segment::sentences::sentences(t).len()
    });
    stage("segment", &mut |_, t| segment::segment(t).tokens.len());
    if let Some(a) = annotator {
        let segs: Vec<_> = texts.iter().map(|t| segment::segment(t)).collect();
        stage("ner", &mut |i, t| {
            let s = &segs[i];
            a.tagger().tag(t, &s.tokens, &s.sentences).len()
        });
        // The tagger's parts on their own, for the native "where the time
        // goes" table: the feature ids, then the network on ids made once.
        let tagger = a.tagger();
        stage("ner-features", &mut |i, t| {
            tagger.featurizer().featurize(t, &segs[i].tokens).len()
        });
        let ids: Vec<Vec<u32>> = texts
            .iter()
            .zip(&segs)
            .map(|(t, s)| tagger.featurizer().featurize(t, &s.tokens))
            .collect();
        stage("ner-network", &mut |i, _| {
            tagger.network().forward(&ids[i]).len()
        });
        stage("full", &mut |_, t| a.annotate(t).entities.len());
    }
    let page_runs = time_runs(runs, || {
        let n: usize = pages.docs.iter().map(|d| block_count(&d.text)).sum();
        black_box(n);
    });
    Native {
        stages,
        pages: Some(per_pass(page_runs, Vec::new(), pages)),
    }
}

/// A text of about `bytes` bytes (cut at a whitespace on a character
/// boundary) made by repeating `texts` as paragraphs.
pub fn text_of_size(texts: &[&str], bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 1024);
    let mut i = 0;
    while s.len() < bytes && !texts.is_empty() {
        if !s.is_empty() {
            s.push_str("\n\n");
        }
        s.push_str(texts[i % texts.len()]);
        i += 1;
    }
    let mut cut = bytes.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    if let Some(ws) = s[..cut].rfind(char::is_whitespace) {
        if ws > cut / 2 {
            cut = ws;
        }
    }
    s.truncate(cut);
    s
}

/// Wall-clock and CPU seconds for one call of `f` on `text`: repeated until
/// 0.2 s have passed (at least once), the median of three such samples. A
/// call that takes over a second is its own warm-up and sample: the median of
/// three single calls, or that one call alone when it took over five seconds.
fn seconds_per_call(text: &str, f: &dyn Fn(&str) -> usize) -> (f64, f64) {
    // One sample: `calls` calls, wall and CPU seconds per call.
    let sample = |min_s: f64| {
        let c = thread_cpu_seconds();
        let t = Instant::now();
        let mut calls = 0u32;
        while calls == 0 || t.elapsed().as_secs_f64() < min_s {
            black_box(f(text));
            calls += 1;
        }
        let wall = t.elapsed().as_secs_f64() / f64::from(calls);
        let cpu = match (c, thread_cpu_seconds()) {
            (Some(a), Some(b)) => (b - a) / f64::from(calls),
            _ => f64::NAN,
        };
        (wall, cpu)
    };
    let first = sample(0.0);
    let samples = if first.0 > 5.0 {
        // Long enough that timer and cache noise do not matter: one sample.
        vec![first]
    } else if first.0 > 1.0 {
        vec![first, sample(0.0), sample(0.0)]
    } else {
        vec![sample(0.2), sample(0.2), sample(0.2)]
    };
    let mid = |pick: fn(&(f64, f64)) -> f64| {
        let mut v: Vec<f64> = samples.iter().map(pick).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (mid(|x| x.0), mid(|x| x.1))
}

/// The input sizes of the scaling curves, up to `max_bytes`.
pub fn scaling_sizes(max_bytes: usize) -> Vec<usize> {
    [
        1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 10_000_000,
    ]
    .into_iter()
    .filter(|&s| s <= max_bytes)
    .collect()
}

/// One timed call on a text (returns a count, kept from the optimiser).
type Runner<'a> = Box<dyn Fn(&str) -> usize + 'a>;

/// Section `scaling`: seconds for one text of each size, for segmentation
/// and (with a model) the full pipeline.
pub fn scaling(
    texts: &[&str],
    max_bytes: usize,
    annotator: Option<&Annotator>,
) -> Vec<ScalingSeries> {
    let sizes = scaling_sizes(max_bytes);
    let seg = |t: &str| segment::segment(t).tokens.len();
    let mut runners: Vec<(&str, Runner)> = vec![("segment", Box::new(seg))];
    if let Some(a) = annotator {
        runners.push((
            "full",
            Box::new(move |t: &str| a.annotate(t).entities.len()),
        ));
    }
    let mut series = Vec::new();
    for (name, f) in &runners {
        let mut points = Vec::new();
        for &size in &sizes {
            let text = text_of_size(texts, size);
            let (wall, cpu) = seconds_per_call(&text, f.as_ref());
            eprintln!("  scaling {name} {size} bytes: {wall:.4} s (CPU {cpu:.4} s)");
            points.push(ScalingPoint {
                bytes: text.len(),
                seconds: wall,
                cpu_seconds: cpu.is_finite().then_some(cpu),
            });
        }
        series.push(ScalingSeries {
            stage: name.to_string(),
            env: "native".to_string(),
            points,
        });
    }
    series
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_size_is_close_and_on_a_boundary() {
        let t = text_of_size(&["Zoë wrote é. ", "Another paragraph here."], 1000);
        assert!(t.len() <= 1000 && t.len() > 900, "{}", t.len());
    }

    #[test]
    fn thread_cpu_clock_moves_with_work() {
        let Some(a) = thread_cpu_seconds() else {
            return;
        };
        let mut x = 0u64;
        let t = Instant::now();
        while t.elapsed().as_millis() < 30 {
            x = black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let b = thread_cpu_seconds().unwrap_or(a);
        assert!(b - a > 0.0 && b - a < 1.0, "{a} {b}");
    }
}
