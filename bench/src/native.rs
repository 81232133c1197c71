//! newsmark timed natively (in release): each stage over the slice (section `native`) and one
//! call per input size (`scaling`, with the wasm drivers' curves). The only caller of the library.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use newsmark::internals::segment;
use newsmark::internals::{AnnotatorInternals, DEFAULT_MODEL};
use newsmark::Annotator;
use newsmark_train::corpus;
use serde::Deserialize;
use serde::Serialize;

use crate::record::{StageSpeed, Throughput};
use crate::{wasm, Ctx, Result};

/// A document and its gold tokens (the unit of every tokens-per-second figure).
pub struct Doc {
    pub text: String,
    pub tokens: usize,
}

/// The first documents of a corpus (the train crate's readers), and their lines.
pub struct Corpus {
    pub docs: Vec<Doc>,
    pub lines: Vec<String>,
}

impl Corpus {
    /// The first `limit` documents of an OntoNotes-format file.
    pub fn ontonotes(path: &Path, limit: Option<usize>) -> Result<Corpus> {
        let docs = corpus::read_corpus(path, limit)?.into_iter();
        let docs = docs.map(|d| Doc { tokens: d.tokens.len(), text: d.text }).collect();
        Ok(Corpus { docs, lines: lines(path, limit)? })
    }

    /// The first `limit` boilerplate pages, lines joined with `\n` (as `predict boilerplate` sees them).
    pub fn pages(path: &Path, limit: Option<usize>) -> Result<Corpus> {
        let pages = corpus::read_pages(path)?.into_iter().take(limit.unwrap_or(usize::MAX));
        let docs = pages.map(|p| Doc { text: p.line_texts().join("\n"), tokens: 0 }).collect();
        Ok(Corpus { docs, lines: lines(path, limit)? })
    }

    pub fn chars(&self) -> usize {
        self.docs.iter().map(|d| d.text.chars().count()).sum()
    }

    pub fn tokens(&self) -> usize {
        self.docs.iter().map(|d| d.tokens).sum()
    }

    pub fn throughput(&self, wall_s: Vec<f64>, cpu_s: Vec<f64>) -> Throughput {
        Throughput { wall_s, cpu_s, tokens: self.tokens(), chars: self.chars(), docs: self.docs.len() }
    }
}

fn lines(path: &Path, limit: Option<usize>) -> Result<Vec<String>> {
    let body = std::fs::read_to_string(path)?;
    Ok(body.lines().filter(|l| !l.trim().is_empty()).take(limit.unwrap_or(usize::MAX)).map(String::from).collect())
}

/// CPU seconds the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`): on a
/// shared machine it counts only the time this work had a core. Every
/// in-process CPU figure of the bench comes from here.
pub fn thread_cpu_s() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; clock_gettime only writes it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc == 0 {
        ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
    } else {
        f64::NAN
    }
}

/// `runs` timed calls of `f`: wall-clock and thread CPU seconds per call.
pub fn time_runs(runs: usize, mut f: impl FnMut()) -> (Vec<f64>, Vec<f64>) {
    (0..runs.max(1))
        .map(|_| {
            let (c, t) = (thread_cpu_s(), Instant::now());
            f();
            (t.elapsed().as_secs_f64(), thread_cpu_s() - c)
        })
        .unzip()
}

pub fn annotator() -> std::result::Result<Annotator, String> {
    Annotator::from_bytes(DEFAULT_MODEL).map_err(|e| format!("the default model does not load: {e}"))
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Native {
    pub stages: Vec<StageSpeed>,
    /// The block classifier over the boilerplate pages.
    pub pages: Option<Throughput>,
}

/// Section `native`: each stage over the slice, after a warm-up on a tenth of the texts.
pub fn native(ctx: &Ctx, errors: &mut Vec<String>) -> Result<Native> {
    let a = annotator().map_err(|e| errors.push(format!("no NER or full pipeline: {e}"))).ok();
    let a = a.as_ref();
    let texts: Vec<&str> = ctx.corpus.docs.iter().map(|d| d.text.as_str()).collect();
    let warm = texts.len().div_ceil(10);
    let mut stages = Vec::new();
    let mut stage = |name: &str, f: &dyn Fn(usize, &str) -> usize| {
        eprintln!("  native {name}");
        let n: usize = texts.iter().enumerate().take(warm).map(|(i, t)| f(i, t)).sum();
        let (wall, cpu) = time_runs(ctx.settings.runs, || {
            black_box(n + texts.iter().enumerate().map(|(i, t)| f(i, t)).sum::<usize>());
        });
        stages.push(StageSpeed { stage: name.into(), speed: ctx.corpus.throughput(wall, cpu) });
    };
    stage("blocks", &|_, t| segment::blocks::blocks(t).len());
    stage("tokens", &|_, t| segment::tokens::tokenize(t).len());
    stage("sentences", &|_, t| segment::sentences::sentences(t).len());
    stage("segment", &|_, t| segment::segment(t).tokens.len());
    if let Some(a) = a {
        let segs: Vec<_> = texts.iter().map(|t| segment::segment(t)).collect();
        let tagger = a.tagger();
        stage("ner", &|i, t| tagger.tag(t, &segs[i].tokens, &segs[i].sentences).len());
        stage("full", &|_, t| a.annotate(t).entities.len());
    }
    let blocks = || ctx.pages.docs.iter().map(|d| segment::blocks::blocks(&d.text).len()).sum::<usize>();
    black_box(blocks());
    let (wall, cpu) = time_runs(ctx.settings.runs, || {
        black_box(blocks());
    });
    Ok(Native { stages, pages: Some(ctx.pages.throughput(wall, cpu)) })
}

/// About `bytes` bytes of `texts` repeated as paragraphs, cut at a whitespace.
pub fn text_of_size(texts: &[&str], bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 1024);
    for t in texts.iter().cycle() {
        if s.len() >= bytes {
            break;
        }
        if !s.is_empty() {
            s.push_str("\n\n");
        }
        s.push_str(t);
    }
    let mut cut = bytes.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    match s[..cut].rfind(char::is_whitespace) {
        Some(ws) if ws > cut / 2 => s.truncate(ws),
        _ => s.truncate(cut),
    }
    s
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Scaling {
    pub series: Vec<ScalingSeries>,
}

/// One stage's curve in one place (`native`, `node` or `chromium`).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct ScalingSeries {
    pub stage: String,
    pub env: String,
    pub points: Vec<ScalingPoint>,
}

/// Seconds for one call on a text of `bytes` bytes (CPU: the thread's).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct ScalingPoint {
    pub bytes: usize,
    pub seconds: f64,
    pub cpu_seconds: Option<f64>,
}

/// The largest log-log slope of time on size accepted as linear (issue #14).
pub const SLOPE_MAX: f64 = 1.05;

impl ScalingSeries {
    pub fn label(&self) -> String {
        match self.env.as_str() {
            "node" => format!("{}, wasm in Node", self.stage),
            "chromium" => format!("{}, wasm in Chromium", self.stage),
            _ => self.stage.clone(),
        }
    }

    /// Least-squares slope of log time (CPU where measured) on log size from 100 KB.
    pub fn slope(&self) -> Option<f64> {
        let xy: Vec<(f64, f64)> = self
            .points
            .iter()
            .filter(|p| p.bytes >= 99_000)
            .map(|p| {
                let t = p.cpu_seconds.filter(|c| c.is_finite() && *c > 0.0).unwrap_or(p.seconds);
                ((p.bytes as f64).ln(), t.ln())
            })
            .collect();
        let n = xy.len() as f64;
        let (mx, my) = (xy.iter().map(|p| p.0).sum::<f64>() / n, xy.iter().map(|p| p.1).sum::<f64>() / n);
        let sxx: f64 = xy.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = xy.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        (xy.len() >= 2 && sxx > 0.0).then(|| sxy / sxx)
    }
}

/// The input sizes of the scaling curves, up to `max_bytes`.
pub fn scaling_sizes(max_bytes: usize) -> Vec<usize> {
    let all = [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 10_000_000];
    all.into_iter().filter(|&s| s <= max_bytes).collect()
}

/// One call on a text; returns a count (kept from the optimiser).
type Call<'a> = &'a dyn Fn(&str) -> usize;

/// Seconds for one call of `f`: the median of three samples of 0.2 s (over 1 s: 3 calls; 5 s: 1).
fn seconds_per_call(text: &str, f: Call) -> (f64, f64) {
    let sample = |min_s: f64| {
        let (c, t) = (thread_cpu_s(), Instant::now());
        let mut calls = 0u32;
        while calls == 0 || t.elapsed().as_secs_f64() < min_s {
            black_box(f(text));
            calls += 1;
        }
        (t.elapsed().as_secs_f64() / f64::from(calls), (thread_cpu_s() - c) / f64::from(calls))
    };
    let first = sample(0.0);
    let samples = match first.0 {
        x if x > 5.0 => vec![first],
        x if x > 1.0 => vec![first, sample(0.0), sample(0.0)],
        _ => vec![sample(0.2), sample(0.2), sample(0.2)],
    };
    let mid = |pick: fn(&(f64, f64)) -> f64| {
        let mut v: Vec<f64> = samples.iter().map(pick).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (mid(|x| x.0), mid(|x| x.1))
}

/// Section `scaling`: natively, then the full pipeline as wasm in Node and in Chromium.
pub fn scaling(ctx: &Ctx, errors: &mut Vec<String>) -> Result<Scaling> {
    let sizes = scaling_sizes(ctx.settings.scaling_max_bytes);
    let texts: Vec<&str> = ctx.corpus.docs.iter().map(|d| d.text.as_str()).collect();
    let a = annotator().map_err(|e| errors.push(format!("no full pipeline: {e}"))).ok();
    let a = a.as_ref();
    let seg = |t: &str| segment::segment(t).tokens.len();
    let full = |t: &str| a.map_or(0, |a| a.annotate(t).entities.len());
    let runners: [(&str, Call); 2] = [("segment", &seg), ("full", &full)];
    let mut series = Vec::new();
    for (name, f) in runners.into_iter().take(if a.is_some() { 2 } else { 1 }) {
        let points = sizes
            .iter()
            .map(|&size| {
                let text = text_of_size(&texts, size);
                let (wall, cpu) = seconds_per_call(&text, f);
                eprintln!("  scaling {name} {size} bytes: {wall:.4} s (CPU {cpu:.4} s)");
                ScalingPoint { bytes: text.len(), seconds: wall, cpu_seconds: cpu.is_finite().then_some(cpu) }
            })
            .collect();
        series.push(ScalingSeries { stage: name.to_string(), env: "native".into(), points });
    }
    if ctx.wasm {
        let job = wasm::Job { scaling: sizes, ..Default::default() };
        for browser in [false, true].into_iter().filter(|b| !b || ctx.browser) {
            let env = if browser { "chromium" } else { "node" };
            match ctx.wasm_ready().and_then(|()| wasm::driver(ctx, &job, browser)) {
                Ok(out) if out.scaling.as_ref().is_some_and(|p| !p.is_empty()) => {
                    series.push(ScalingSeries { stage: "full".into(), env: env.into(), points: out.scaling.unwrap() })
                }
                Ok(_) => errors.push(format!("{env}: the driver measured no scaling curve")),
                Err(e) => errors.push(format!("{env}: {e}")),
            }
        }
    }
    Ok(Scaling { series })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_clocks_and_slopes() {
        let t = text_of_size(&["Zoë wrote é. ", "Another paragraph here."], 1000);
        assert!(t.len() <= 1000 && t.len() > 900 && text_of_size(&[], 10).is_empty(), "{}", t.len());
        let (a, t) = (thread_cpu_s(), Instant::now());
        while t.elapsed().as_millis() < 30 {
            black_box(a.sqrt());
        }
        let b = thread_cpu_s();
        assert!(b - a > 0.0 && b - a < 1.0, "{a} {b}");
        let point = |b: usize| ScalingPoint { bytes: b, seconds: (b as f64).powi(2), cpu_seconds: None };
        let points = vec![point(100_000), point(1_000_000), point(10_000_000)];
        let s = ScalingSeries { stage: "full".into(), env: "node".into(), points };
        assert!((s.slope().unwrap() - 2.0).abs() < 1e-9 && s.label() == "full, wasm in Node");
    }
}
