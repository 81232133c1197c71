//! The wasm package's sizes (section `sizes`, `bench/sizes.mjs`) and where
//! the time of the pipeline in Node goes (section `profile`: the release
//! module through wasm-bindgen with its names kept, under `node --cpu-prof`).

use std::collections::BTreeMap;
use std::process::Command;

use serde::Deserialize;
use serde::Serialize;

use crate::peers::{json_of, node_script};
use crate::wasm::pkg;
use crate::{root, run, target_dir, Ctx, Result};

/// Section `sizes`: each file's sizes, and the `.wasm` split into its model and the rest.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Sizes {
    pub files: Vec<FileSize>,
    pub split: Option<WasmSplit>,
}

/// One file's sizes in bytes; `minified`: the esbuild-minified `.js`.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct FileSize {
    pub file: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: Option<u64>,
    pub brotli_quality: Option<u32>,
    pub minified: Option<u64>,
    pub minified_gzip: Option<u64>,
}

/// The embedded model found in the module and cut out (`found`: in one piece; else code = wasm − model).
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct WasmSplit {
    pub model_file: String,
    pub wasm_raw: u64,
    pub wasm_gzip: u64,
    pub model_raw: u64,
    pub model_gzip: u64,
    pub code_raw: u64,
    pub code_gzip: u64,
    pub found: bool,
}

impl Sizes {
    pub fn file(&self, suffix: &str) -> Option<&FileSize> {
        self.files.iter().find(|f| f.file.ends_with(suffix))
    }
}

/// The package's modules and glue, and every model file.
pub fn sizes(ctx: &Ctx) -> Result<Sizes> {
    ctx.wasm_ready()?;
    let files = ["newsmark_bg.wasm", "newsmark_core_bg.wasm", "newsmark.js"];
    let mut paths: Vec<_> = files.iter().map(|f| pkg().join(f)).collect();
    let models = std::fs::read_dir(root().join("models"))?.filter_map(|e| Some(e.ok()?.path()));
    let mut models: Vec<_> = models.filter(|p| p.extension().is_some_and(|x| x == "nmm")).collect();
    models.sort();
    paths.extend(models);
    let model = root().join("models/ontonotes.nmm").display().to_string();
    let quality = ctx.settings.brotli_quality.to_string();
    let mut args = vec!["--brotli-quality".to_string(), quality, "--split-model".into(), model];
    args.extend(paths.iter().filter(|p| p.exists()).map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut sizes: Sizes = node_script("sizes.mjs", &args)?;
    // Paths relative to the repository, as the report shows them.
    let prefix = format!("{}/", root().display());
    let files = sizes.files.iter_mut().map(|f| &mut f.file);
    for f in files.chain(sizes.split.as_mut().map(|s| &mut s.model_file)) {
        *f = f.trim_start_matches(&prefix).to_string();
    }
    Ok(sizes)
}

/// Each stage and its function-name substrings: the first match wins; the JS glue's
/// functions count as conversion to JS, anything else as `other`.
const STAGES: &str = "\
segmentation:newsmark::segment::
features:ner::features ner::wordpiece
network:ner::network kernels::
probabilities:segment_probabilities expf
decoding:Decoder::viterbi Tagger::tag TagStream Decoding ner::decode
conversion to JS:wasm:: Output OffsetMap serde_wasm_bindgen js_sys wasm_bindgen __wbg __wbindgen wasm-to-js js-to-wasm (garbage
allocation:dlmalloc __rdl_ __rust_alloc __rust_dealloc __rust_realloc memcpy memset memmove";

fn stages() -> impl Iterator<Item = (&'static str, &'static str)> {
    STAGES.lines().filter_map(|l| l.split_once(':'))
}

pub fn stage_of(function: &str, from_glue: bool) -> &'static str {
    let mut found = stages().filter(|(_, pats)| pats.split(' ').any(|p| function.contains(p)));
    let other = if from_glue { "conversion to JS" } else { "other" };
    found.next().map_or(other, |s| s.0)
}

/// Section `profile`: its label (the commit) and how it was made, self
/// seconds by stage and the functions with the most self time.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Profile {
    pub label: String,
    pub how: String,
    pub samples: u64,
    pub seconds: f64,
    pub stages: Vec<Named>,
    pub top: Vec<FunctionTime>,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct Named {
    pub stage: String,
    pub seconds: f64,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct FunctionTime {
    pub function: String,
    pub stage: String,
    pub seconds: f64,
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

/// One pass over the slice (`bench/profile_node.mjs`); the release module, names kept, no wasm-opt.
pub fn profile(ctx: &Ctx) -> Result<Profile> {
    ctx.wasm_ready()?;
    let (named, dir) = (ctx.work.join("profile-pkg"), ctx.work.join("profile"));
    let raw = target_dir().join("wasm32-unknown-unknown/release/newsmark.wasm");
    let _ = (std::fs::remove_dir_all(&named), std::fs::remove_dir_all(&dir));
    let mut bindgen = Command::new("wasm-bindgen");
    run(bindgen.args(["--target", "web", "--out-dir"]).arg(&named).arg(raw))?;
    let mut node = Command::new("node");
    node.arg("--cpu-prof").arg("--cpu-prof-dir").arg(&dir);
    node.args(["--cpu-prof-interval=250", "profile_node.mjs", "--runs", "1"]);
    node.arg("--pkg").arg(&named).arg("--data").arg(&ctx.slice);
    let window: BTreeMap<String, serde_json::Value> = json_of(node.current_dir(root().join("bench")))?;
    let w = |k: &str| window.get(k).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
    let files = std::fs::read_dir(&dir)?.filter_map(|e| Some(e.ok()?.path()));
    let file = files.into_iter().find(|p| p.extension().is_some_and(|x| x == "cpuprofile"));
    let text = std::fs::read_to_string(file.ok_or("node wrote no .cpuprofile")?)?;
    let mut current = summarise(&serde_json::from_str(&text)?, (w("window_start_us"), w("window_end_us")));
    current.label = ctx.commit.clone();
    current.how = "wasm-bindgen --target web with the name section, no wasm-opt; node --cpu-prof, \
                   250 µs interval; 1 pass(es) over the slice after a warm-up"
        .into();
    Ok(current)
}

/// Self time by function and stage (a sample lasts to the next), inside `window` if half fall in it.
fn summarise(prof: &CpuProfile, window: (f64, f64)) -> Profile {
    let nodes: BTreeMap<u64, &CallFrame> = prof.nodes.iter().map(|n| (n.id, &n.call_frame)).collect();
    let times: Vec<f64> = (prof.time_deltas.iter())
        .scan(prof.start_time, |t, d| {
            *t += d;
            Some(*t)
        })
        .collect();
    let n = prof.samples.len().min(times.len());
    let inside = |i: usize| times[i] >= window.0 && times[i] <= window.1;
    let use_window = (0..n).filter(|&i| inside(i)).count() * 2 >= n;
    let mut by_fn: BTreeMap<(String, &'static str), f64> = BTreeMap::new();
    let mut samples = 0;
    for i in (0..n.saturating_sub(1)).filter(|&i| !use_window || inside(i)) {
        let Some(frame) = nodes.get(&prof.samples[i]) else {
            continue;
        };
        let name = match frame.function_name.as_str() {
            "(idle)" | "(root)" => continue,
            "" => "(anonymous)",
            name => name,
        };
        let stage = stage_of(name, frame.url.ends_with("newsmark.js"));
        *by_fn.entry((name.to_string(), stage)).or_default() += (times[i + 1] - times[i]) / 1e6;
        samples += 1;
    }
    let of = |s: &str| by_fn.iter().filter(|(k, _)| k.1 == s).map(|(_, v)| v).sum();
    let names = stages().map(|s| s.0).chain(["other"]);
    let stages: Vec<Named> = names.map(|s| Named { stage: s.into(), seconds: of(s) }).collect();
    let seconds = stages.iter().map(|s| s.seconds).sum();
    let top = by_fn.into_iter().map(|((function, stage), seconds)| {
        let stage = stage.to_string();
        FunctionTime { function, stage, seconds }
    });
    let mut top: Vec<FunctionTime> = top.collect();
    top.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    top.truncate(10);
    let (label, how) = (String::new(), String::new());
    Profile { label, how, samples, seconds, stages, top }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_time_is_summed_by_stage_inside_the_window() {
        let json = r#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}},
            {"id":2,"callFrame":{"functionName":"newsmark::kernels::gemm::h1"}},
            {"id":3,"callFrame":{"functionName":"passStringToWasm0","url":"file:///x/newsmark.js"}}],
            "startTime":1000,"samples":[2,2,3,2,1],"timeDeltas":[100,100,100,100,100]}"#;
        let p = summarise(&serde_json::from_str(json).unwrap(), (1050.0, 1350.0));
        let secs = |s: &str| p.stages.iter().find(|x| x.stage == s).unwrap().seconds;
        assert_eq!((p.samples, p.top[0].stage.as_str()), (3, "network"));
        assert!((secs("network") - 200e-6).abs() < 1e-12 && (secs("conversion to JS") - 100e-6).abs() < 1e-12);
        assert_eq!(stage_of("newsmark::ner::decode::Decoder::segment_probabilities::h4", false), "probabilities");
        assert_eq!((stage_of("dlmalloc::malloc", false), stage_of("(program)", false)), ("allocation", "other"));
    }
}
