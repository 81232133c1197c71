//! The wasm package's sizes (section `sizes`, `bench/sizes.mjs`). Where the time goes is
//! profiled by hand (`bench/README.md`, "Profiling").

use serde::Deserialize;
use serde::Serialize;

use crate::peers::node_script;
use crate::wasm::pkg;
use crate::{root, Ctx, Result};

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

/// Bytes of `data` gzipped at the best level (flate2, as for the model files
/// the bench reads itself: the gazetteer, the accurate model).
pub fn gzip_len(data: &[u8]) -> Result<u64> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(data)?;
    Ok(gz.finish()?.len() as u64)
}
