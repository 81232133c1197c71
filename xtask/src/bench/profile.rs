//! Section `profile`: where the time of the wasm pipeline in Node goes.
//!
//! The release `.wasm` (before wasm-bindgen) keeps its name section; the
//! bench runs wasm-bindgen `--target web` on it into `target/bench/profile-pkg/`
//! without `--remove-name-section` and without wasm-opt, runs the full
//! pipeline over the slice under `node --cpu-prof` (`bench/profile_node.mjs`),
//! and sums the samples' self time by stage with the patterns of [`STAGES`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use super::peers::json_of;
use super::record::{FunctionTime, Profile, StageTime};
use crate::util::{root, Result};

/// The stages of the pipeline and the function names (substrings) that
/// belong to each: the first stage with a matching pattern wins, so the
/// order matters (the probabilities before the rest of `ner::decode`). A
/// function of the JS glue file counts as conversion to JS; anything else
/// is `other`.
pub const STAGES: &[(&str, &[&str])] = &[
    ("segmentation", &["newsmark::segment::"]),
    ("features", &["ner::features", "ner::wordpiece"]),
    ("network", &["ner::network", "kernels::"]),
    ("probabilities", &["segment_probabilities", "expf"]),
    (
        "decoding",
        &[
            "Decoder::viterbi",
            "Tagger::tag",
            "TagStream",
            "Decoding",
            "ner::decode",
        ],
    ),
    (
        "conversion to JS",
        &[
            "wasm::",
            "Output",
            "OffsetMap",
            "serde_wasm_bindgen",
            "js_sys",
            "wasm_bindgen",
            "__wbg",
            "__wbindgen",
            "wasm-to-js",
            "js-to-wasm",
            "(garbage collector)",
        ],
    ),
    (
        "allocation",
        &[
            "dlmalloc",
            "__rdl_",
            "__rust_alloc",
            "__rust_dealloc",
            "__rust_realloc",
            "memcpy",
            "memset",
            "memmove",
        ],
    ),
];

/// The stage a function belongs to; `from_glue`: it lives in the glue file.
pub fn stage_of(function: &str, from_glue: bool) -> &'static str {
    STAGES
        .iter()
        .find(|(_, patterns)| patterns.iter().any(|p| function.contains(p)))
        .map(|(stage, _)| *stage)
        .unwrap_or(if from_glue {
            "conversion to JS"
        } else {
            "other"
        })
}

/// Every stage name in report order, `other` last.
pub fn stage_names() -> Vec<&'static str> {
    STAGES.iter().map(|s| s.0).chain(["other"]).collect()
}

/// The profiled package's folder.
fn pkg() -> PathBuf {
    root().join("target/bench/profile-pkg")
}

/// wasm-bindgen on the release `.wasm`, names kept.
fn build_named() -> Result {
    crate::tooling::bindgen(&crate::tooling::release_wasm()?, &pkg(), false)
}

/// What Node's `.cpuprofile` holds (the parts read here).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CpuProfile {
    nodes: Vec<ProfileNode>,
    start_time: f64,
    samples: Vec<u64>,
    time_deltas: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileNode {
    id: u64,
    call_frame: CallFrame,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallFrame {
    function_name: String,
    #[serde(default)]
    url: String,
}

/// What `bench/profile_node.mjs` prints: the timed window, in microseconds
/// of the profiler's clock.
#[derive(Deserialize)]
struct Window {
    window_start_us: f64,
    window_end_us: f64,
}

/// Builds the named package, profiles `runs` passes over the slice and sums
/// the profile by stage.
pub fn profile(slice: &Path, runs: usize, label: &str) -> Result<Profile> {
    build_named()?;
    profile_package(slice, runs, label, &pkg())
}

/// Profiles `runs` passes of the package in `package` (a wasm-bindgen
/// output that keeps the function names) over the slice.
pub fn profile_package(slice: &Path, runs: usize, label: &str, package: &Path) -> Result<Profile> {
    let dir = root().join("target/bench/profile");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let interval_us = 250;
    let window: Window = json_of(
        Command::new("node")
            .arg("--cpu-prof")
            .arg("--cpu-prof-dir")
            .arg(&dir)
            .arg(format!("--cpu-prof-interval={interval_us}"))
            .arg("profile_node.mjs")
            .arg("--pkg")
            .arg(package)
            .arg("--data")
            .arg(slice)
            .args(["--runs", &runs.to_string()])
            .current_dir(root().join("bench")),
    )?;
    let file = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "cpuprofile"))
        .ok_or("node wrote no .cpuprofile")?;
    let prof: CpuProfile = serde_json::from_str(&std::fs::read_to_string(&file)?)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let mut p = summarise(&prof, Some((window.window_start_us, window.window_end_us)));
    p.label = label.to_string();
    p.how = format!(
        "wasm-bindgen --target web with the name section, no wasm-opt; node --cpu-prof, {interval_us} µs interval; {runs} pass(es) over the slice after a warm-up"
    );
    Ok(p)
}

/// Self time by function and by stage. A sample's time is the gap to the
/// next sample. Only samples inside `window` count, unless fewer than half of
/// them fall in it (then the clocks disagree and the whole profile counts).
fn summarise(prof: &CpuProfile, window: Option<(f64, f64)>) -> Profile {
    let nodes: BTreeMap<u64, &CallFrame> =
        prof.nodes.iter().map(|n| (n.id, &n.call_frame)).collect();
    // Timestamps of the samples.
    let mut t = prof.start_time;
    let times: Vec<f64> = prof
        .time_deltas
        .iter()
        .map(|d| {
            t += d;
            t
        })
        .collect();
    let n = prof.samples.len().min(times.len());
    let inside = |i: usize| window.is_none_or(|(a, b)| times[i] >= a && times[i] <= b);
    let in_window = (0..n).filter(|&i| inside(i)).count();
    let use_window = in_window * 2 >= n;
    let mut by_fn: BTreeMap<(String, &'static str), f64> = BTreeMap::new();
    let mut samples = 0;
    for i in 0..n.saturating_sub(1) {
        if use_window && !inside(i) {
            continue;
        }
        let Some(frame) = nodes.get(&prof.samples[i]) else {
            continue;
        };
        let name = frame.function_name.as_str();
        if matches!(name, "(idle)" | "(root)") {
            continue;
        }
        let name = if name.is_empty() { "(anonymous)" } else { name };
        let glue = frame.url.ends_with("newsmark.js");
        let dt = (times[i + 1] - times[i]) / 1e6;
        *by_fn
            .entry((name.to_string(), stage_of(name, glue)))
            .or_default() += dt;
        samples += 1;
    }
    let mut stages: Vec<StageTime> = stage_names()
        .into_iter()
        .map(|s| StageTime {
            stage: s.to_string(),
            seconds: 0.0,
        })
        .collect();
    for ((_, stage), secs) in &by_fn {
        if let Some(st) = stages.iter_mut().find(|x| x.stage == *stage) {
            st.seconds += secs;
        }
    }
    let mut top: Vec<FunctionTime> = by_fn
        .into_iter()
        .map(|((function, stage), seconds)| FunctionTime {
            function,
            stage: stage.to_string(),
            seconds,
        })
        .collect();
    top.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    top.truncate(10);
    Profile {
        label: String::new(),
        how: String::new(),
        samples,
        seconds: stages.iter().map(|s| s.seconds).sum(),
        stages,
        top,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_fall_into_stages() {
        let cases = [
            (
                "newsmark::segment::tokens::tokenize::h12",
                false,
                "segmentation",
            ),
            (
                "newsmark::ner::features::Featurizer::featurize::h1",
                false,
                "features",
            ),
            ("newsmark::kernels::simd::dot_i8::h2", false, "network"),
            (
                "newsmark::ner::decode::Decoder::viterbi::h3",
                false,
                "decoding",
            ),
            (
                "newsmark::ner::decode::Decoder::segment_probabilities::h4",
                false,
                "probabilities",
            ),
            (
                "newsmark::ner::decode::TagSet::allowed::h6",
                false,
                "decoding",
            ),
            ("expf", false, "probabilities"),
            (
                "dlmalloc::dlmalloc::Dlmalloc<A>::malloc::h5",
                false,
                "allocation",
            ),
            ("memcpy", false, "allocation"),
            ("(garbage collector)", false, "conversion to JS"),
            ("getStringFromWasm0", true, "conversion to JS"),
            ("(program)", false, "other"),
        ];
        for (f, glue, want) in cases {
            assert_eq!(stage_of(f, glue), want, "{f}");
        }
    }

    #[test]
    fn self_time_is_summed_inside_the_window() {
        let json = r#"{"nodes":[
            {"id":1,"callFrame":{"functionName":"(root)","url":""}},
            {"id":2,"callFrame":{"functionName":"newsmark::kernels::gemm::h1","url":""}},
            {"id":3,"callFrame":{"functionName":"passStringToWasm0","url":"file:///x/newsmark.js"}}],
            "startTime":1000,"endTime":2000,
            "samples":[2,2,3,2,1],"timeDeltas":[100,100,100,100,100]}"#;
        let prof: CpuProfile = serde_json::from_str(json).unwrap();
        let p = summarise(&prof, Some((1050.0, 1350.0)));
        let secs = |s: &str| p.stages.iter().find(|x| x.stage == s).unwrap().seconds;
        assert_eq!(p.samples, 3);
        assert!((secs("network") - 200e-6).abs() < 1e-12);
        assert!((secs("conversion to JS") - 100e-6).abs() < 1e-12);
        assert_eq!(p.top[0].stage, "network");
    }
}
