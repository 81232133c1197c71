//! Native timing of newsmark (this binary is built in release mode): each
//! stage over a slice of OntoNotes dev, blocks over boilerplate pages, and the
//! scaling curve from 1 KB to 10 MB.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use newsmark::train::segment;
use newsmark::train::{AnnotatorInternals, DEFAULT_MODEL};
use newsmark::Annotator;
use serde_json::{json, Value};

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

impl Corpus {
    /// Reads the first `limit` documents of an OntoNotes-format JSONL file.
    pub fn ontonotes(path: &Path, limit: Option<usize>) -> Result<Corpus> {
        let (values, lines) = read_jsonl(path, limit)?;
        let mut docs = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            let text = v["text"]
                .as_str()
                .ok_or_else(|| format!("{}: document {i} has no `text`", path.display()))?;
            let tokens = v["tokens"].as_array().map_or(0, Vec::len);
            docs.push(Doc {
                text: text.to_string(),
                tokens,
            });
        }
        Ok(Corpus { docs, lines })
    }

    /// Reads the first `limit` pages of the boilerplate set; a page's text is
    /// its lines joined with `\n`, as `predict boilerplate` sees it.
    pub fn pages(path: &Path, limit: Option<usize>) -> Result<Corpus> {
        let (values, lines) = read_jsonl(path, limit)?;
        let docs = values
            .iter()
            .map(|v| {
                let text = v["lines"]
                    .as_array()
                    .map(|ls| {
                        ls.iter()
                            .filter_map(|l| l["text"].as_str())
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .unwrap_or_default();
                Doc { text, tokens: 0 }
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

fn read_jsonl(path: &Path, limit: Option<usize>) -> Result<(Vec<Value>, Vec<String>)> {
    let body = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut values = Vec::new();
    let mut lines = Vec::new();
    for line in body.lines().filter(|l| !l.trim().is_empty()) {
        if limit.is_some_and(|n| values.len() >= n) {
            break;
        }
        let v: Value = serde_json::from_str(line)
            .map_err(|e| format!("{}: bad JSON line: {e}", path.display()))?;
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

/// Wall-clock and CPU seconds per pass over the corpus for each stage.
/// NER and the full pipeline are left out when there is no model.
pub fn stages(
    corpus: &Corpus,
    runs: usize,
    annotator: Option<&Annotator>,
) -> Vec<(String, Vec<f64>, Vec<f64>)> {
    let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
    let mut out = Vec::new();
    // Warm-up on the first tenth of the texts: enough for caches and branch
    // predictors, and a full extra pass would cost minutes with the model.
    let warm = texts.len().div_ceil(10);
    let mut stage = |name: &str, f: &mut dyn FnMut(usize, &str) -> usize| {
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
        out.push((name.to_string(), wall, cpu));
    };
    stage("blocks", &mut |_, t| segment::blocks::blocks(t).len());
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
        stage("full", &mut |_, t| a.annotate(t).entities.len());
    }
    out
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

/// One timed call on a text (returns a count, kept from the optimiser).
type Runner<'a> = Box<dyn Fn(&str) -> usize + 'a>;

/// The scaling curve: seconds for one text of each size, for segmentation
/// and (with a model) the full pipeline, plus the log-log slope over the
/// sizes from 100 KB up (1.0 is linear).
pub fn scaling(texts: &[&str], max_bytes: usize, annotator: Option<&Annotator>) -> Value {
    let sizes: Vec<usize> = [
        1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 10_000_000,
    ]
    .into_iter()
    .filter(|&s| s <= max_bytes)
    .collect();
    let mut series = Vec::new();
    let seg = |t: &str| segment::segment(t).tokens.len();
    let mut runners: Vec<(&str, Runner)> = vec![("segment", Box::new(seg))];
    if let Some(a) = annotator {
        runners.push((
            "full",
            Box::new(move |t: &str| a.annotate(t).entities.len()),
        ));
    }
    for (name, f) in &runners {
        let mut points = Vec::new();
        for &size in &sizes {
            let text = text_of_size(texts, size);
            let (wall, cpu) = seconds_per_call(&text, f.as_ref());
            eprintln!("  scaling {name} {size} bytes: {wall:.4} s (CPU {cpu:.4} s)");
            points.push(
                json!({"bytes": text.len(), "seconds": wall, "cpu_seconds": cpu,
                               "bytes_per_s": text.len() as f64 / wall}),
            );
        }
        let big: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p["bytes"].as_f64().unwrap_or(0.0) >= 99_000.0)
            .map(|p| {
                (
                    p["bytes"].as_f64().unwrap_or(1.0).ln(),
                    // CPU time when measured: steadier on a shared machine.
                    p["cpu_seconds"]
                        .as_f64()
                        .or(p["seconds"].as_f64())
                        .unwrap_or(1.0)
                        .ln(),
                )
            })
            .collect();
        let slope = loglog_slope(&big);
        series.push(json!({"stage": name, "points": points, "slope": slope,
                           "linear": slope.map(|s| (0.9..=1.1).contains(&s))}));
    }
    json!({ "series": series })
}

/// Least-squares slope of y on x, if there are two or more points.
fn loglog_slope(xy: &[(f64, f64)]) -> Option<f64> {
    if xy.len() < 2 {
        return None;
    }
    let n = xy.len() as f64;
    let mx = xy.iter().map(|p| p.0).sum::<f64>() / n;
    let my = xy.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = xy.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = xy.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
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

    #[test]
    fn slope_of_a_line() {
        let pts: Vec<(f64, f64)> = (1..5).map(|i| (i as f64, 2.0 * i as f64 + 1.0)).collect();
        assert!((loglog_slope(&pts).unwrap() - 2.0).abs() < 1e-9);
        assert!(loglog_slope(&pts[..1]).is_none());
    }
}
