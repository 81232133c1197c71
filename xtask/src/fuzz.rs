//! `cargo xtask fuzz [--seconds N] [--target T] [--sanitizer S]`: runs the
//! cargo-fuzz (libFuzzer) targets in `fuzz/` for N seconds each.
//!
//! - Installs `cargo-fuzz` from crates.io when it is missing.
//! - cargo-fuzz needs nightly-only `-Z` compiler flags; only the stable
//!   toolchain exists here, so it runs with `RUSTC_BOOTSTRAP=1`, which lets
//!   stable rustc accept them. Debug assertions (overflow checks) are on;
//!   AddressSanitizer is off by default (`--sanitizer address` turns it on).
//! - Seeds each target's working corpus (`fuzz/corpus/<target>/`,
//!   git-ignored) at run time: for `annotate`, the seed articles of
//!   `../shared/data/seeds/` whole, by paragraph and by runs of lines, the
//!   sentence-boundary cases of `../shared/data/sbd/`, and our own hostile
//!   strings; for `model`, prefixes of the embedded model file.
//! - A crash stops the run; libFuzzer writes the input to
//!   `fuzz/artifacts/<target>/`, and the task fails saying where it is.

use crate::util::{root, sh, shared, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::time::Instant;
use xshell::{cmd, Shell};

/// The fuzz targets, as named in `fuzz/Cargo.toml`.
const TARGETS: &[&str] = &["annotate", "model"];

/// The cargo-fuzz version requirement installed when it is missing.
const CARGO_FUZZ_VERSION: &str = "^0.13";

/// Our own short inputs that have broken text tools before: every kind of
/// line end, control and zero-width characters, joiners, right-to-left
/// marks, lone combining marks, U+FFFD, markup, very long tokens.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "\n",
    "\r",
    "\r\n",
    "\n\r",
    "a\rb\r\nc\nd",
    "\u{0}",
    "\u{0}\u{1}\u{2}\u{1b}[0m\u{7f}\u{85}\u{9f}",
    "\u{feff}Title\r\n\r\nBody.",
    "\u{200d}\u{200c}\u{200b}\u{2060}\u{ad}",
    "\u{1f469}\u{200d}\u{1f4bb} met \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} in Oslo.",
    "\u{1f1f8}\u{1f1ea} Sweden \u{1f3f3}\u{fe0f}\u{200d}\u{1f308}",
    "\u{5e9}\u{5dc}\u{5d5}\u{5dd} Tel Aviv \u{202e}reversed\u{202c} \u{645}\u{631}\u{62d}\u{628}\u{627}.",
    "\u{2067}\u{5d0}\u{2069} \u{200f}x\u{200e}",
    "\u{301}\u{302} e\u{301} A\u{30a}",
    "\u{fffd}\u{fffd} Paris \u{fffd}",
    "<script>alert(1)</script> & &amp; \"quotes\" 'single'",
    "Dr. St. Mr. U.S. Inc. Corp. No. vs. etc. e.g. i.e.",
    "$1.5 million, 40 percent, March 3, 2026, 9:30 a.m.",
    "...!!!???;;;:::",
    "\u{201c}\u{201d}\u{2018}\u{2019}\u{2014}\u{2013}\u{2026}",
    "\u{2028}\u{2029}\u{3000}\u{a0}\t\u{b}\u{c}",
    "\u{10ffff}\u{e000}\u{1d54f}\u{1f600}",
    "https://example.org/path?q=1&r=2#frag user@example.org @handle #tag",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "A. B. C. D. E. F. G. H. I. J. K. L. M. N. O. P. Q. R. S. T. U. V. W. X. Y. Z.",
    "\u{6771}\u{4eac}\u{90fd}\u{3067}\u{4f1a}\u{8b70}\u{3002}\u{5317}\u{4eac}\u{3002}",
    "\u{41c}\u{43e}\u{441}\u{43a}\u{432}\u{430} \u{391}\u{3b8}\u{3ae}\u{3bd}\u{3b1}",
];

/// libFuzzer's longest input per target.
fn max_len(target: &str) -> usize {
    match target {
        "model" => 65_536,
        _ => 32_768,
    }
}

/// The flags of `cargo xtask fuzz`.
#[derive(Args, Debug)]
pub struct FuzzArgs {
    /// How long to run each target, seconds.
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub seconds: u64,
    /// The target to run (`annotate`, `model`), or all.
    #[arg(long, value_name = "T", default_value = "all", value_parser = ["annotate", "model", "all"])]
    pub target: String,
    /// AddressSanitizer: newsmark's only `unsafe` is in its kernels module,
    /// so it finds little there and costs about 6x the executions.
    #[arg(long, value_enum, default_value_t = Sanitizer::None)]
    pub sanitizer: Sanitizer,
}

/// `--sanitizer`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Sanitizer {
    /// AddressSanitizer.
    Address,
    /// None.
    None,
}

/// `cargo xtask fuzz [--seconds N] [--target annotate|model|all] [--sanitizer address|none]`.
pub fn fuzz(args: &FuzzArgs) -> Result {
    let seconds = args.seconds;
    let targets: Vec<&str> = match args.target.as_str() {
        "all" => TARGETS.to_vec(),
        t => TARGETS.iter().copied().filter(|k| *k == t).collect(),
    };
    let sanitizer = match args.sanitizer {
        Sanitizer::Address => "address",
        Sanitizer::None => "none",
    };
    install_cargo_fuzz()?;
    let started = Instant::now();
    let sh = fuzz_shell()?;
    let dir = fuzz_dir();
    cmd!(sh, "cargo fuzz build --fuzz-dir {dir} -s {sanitizer} -a")
        .env_remove("CARGO_TARGET_DIR")
        .run()?;
    eprintln!(
        "fuzz targets built in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    for target in targets {
        let corpus = fuzz_dir().join("corpus").join(target);
        let seeded = seed_corpus(target, &corpus)?;
        eprintln!(
            "fuzz {target}: {seeded} seed inputs written to {}; fuzzing for {seconds} s",
            corpus.display()
        );
        let t = Instant::now();
        let limits = [
            format!("-max_total_time={seconds}"),
            format!("-max_len={}", max_len(target)),
            // An input that takes over 60 s is a hang (time must stay linear).
            "-timeout=60".to_string(),
            "-rss_limit_mb=4096".to_string(),
            "-print_final_stats=1".to_string(),
        ];
        let outcome = cmd!(
            sh,
            "cargo fuzz run --fuzz-dir {dir} {target} -s {sanitizer} -a -- {limits...}"
        )
        .env_remove("CARGO_TARGET_DIR")
        .run();
        if let Err(e) = outcome {
            let artifacts = fuzz_dir().join("artifacts").join(target);
            return Err(format!(
                "fuzz target `{target}` failed: {e}\nthe input is in {}; reproduce it with \
                 `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz {target} -s {sanitizer} -a <file>`, \
                 then turn it into a regression test (tests/api.rs or train/tests/internals/model_file.rs)",
                artifacts.display()
            )
            .into());
        }
        eprintln!(
            "fuzz {target}: no crash in {:.0} s",
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// `fuzz/`.
fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

/// A shell for `cargo fuzz`: the stable compiler may take cargo-fuzz's
/// `-Z` flags (its commands also drop `CARGO_TARGET_DIR`: cargo-fuzz keeps
/// its own build in `fuzz/target`).
fn fuzz_shell() -> Result<Shell> {
    let sh = sh()?;
    sh.set_var("RUSTC_BOOTSTRAP", "1");
    Ok(sh)
}

/// Installs cargo-fuzz unless `cargo fuzz --version` works.
fn install_cargo_fuzz() -> Result {
    let sh = sh()?;
    if let Ok(version) = cmd!(sh, "cargo fuzz --version").quiet().read() {
        eprintln!("using {}", version.trim());
        return Ok(());
    }
    eprintln!("cargo-fuzz is missing; installing it from crates.io (2-4 minutes)");
    let started = Instant::now();
    cmd!(
        sh,
        "cargo install cargo-fuzz --version {CARGO_FUZZ_VERSION}"
    )
    .run()?;
    eprintln!(
        "cargo-fuzz installed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes the seed inputs of `target` into `corpus` (each file named by a
/// hash of its contents, so seeding again adds nothing twice). Returns how
/// many seeds there are.
fn seed_corpus(target: &str, corpus: &Path) -> Result<usize> {
    std::fs::create_dir_all(corpus)
        .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    let seeds = match target {
        "model" => model_seeds()?,
        _ => text_seeds(max_len(target)),
    };
    for seed in &seeds {
        let path = corpus.join(format!("seed-{:016x}", fnv1a64(seed)));
        std::fs::write(&path, seed).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(seeds.len())
}

/// Texts for the `annotate` target, each at most `max` bytes.
fn text_seeds(max: usize) -> Vec<Vec<u8>> {
    let mut texts: Vec<String> = HOSTILE.iter().map(|s| s.to_string()).collect();
    let data = shared().join("data");
    let mut articles: Vec<PathBuf> = std::fs::read_dir(data.join("seeds"))
        .map(|dir| {
            dir.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect()
        })
        .unwrap_or_default();
    articles.sort();
    for path in &articles {
        let Ok(article) = std::fs::read_to_string(path) else {
            continue;
        };
        texts.push(article.clone());
        texts.extend(article.split("\n\n").map(str::to_string));
        let lines: Vec<&str> = article.lines().collect();
        texts.extend(lines.chunks(6).map(|c| c.join("\n")));
        // The same article with other line ends.
        texts.push(article.replace('\n', "\r\n"));
        texts.push(article.replace('\n', "\r"));
    }
    for name in [
        "golden_rules_en.jsonl",
        "golden_rules_en_extra.jsonl",
        "news_cases_en.jsonl",
    ] {
        let Ok(file) = std::fs::read_to_string(data.join("sbd").join(name)) else {
            continue;
        };
        for line in file.lines() {
            if let Ok(case) = serde_json::from_str::<serde_json::Value>(line) {
                if let Some(text) = case.get("text").and_then(|t| t.as_str()) {
                    texts.push(text.to_string());
                }
            }
        }
    }
    if articles.is_empty() {
        eprintln!(
            "note: no seed articles in {} (the corpus has only our own strings)",
            data.join("seeds").display()
        );
    }
    texts
        .into_iter()
        .map(|t| {
            let mut cut = t.len().min(max);
            while !t.is_char_boundary(cut) {
                cut -= 1;
            }
            t.as_bytes()[..cut].to_vec()
        })
        .collect()
}

/// Inputs for the `model` target: prefixes of the model file (the header
/// alone, the header and the start of the payload), prefixes of its
/// payload alone (which the target also loads behind a valid header, so
/// they reach the section parser), and valid files made of its first
/// sections (and of the accurate model's). The model is the embedded default
/// one, or the file named by `NEWSMARK_TEST_MODEL` (which the targets also use).
fn model_seeds() -> Result<Vec<Vec<u8>>> {
    let path = std::env::var_os("NEWSMARK_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("models/ontonotes.nmm"));
    let model = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    const HEADER: usize = 28;
    let mut seeds = vec![Vec::new(), b"NEWSMRK\0".to_vec()];
    for n in [12, HEADER, 64, 512, 4096, 32_768, 65_536] {
        seeds.push(model[..n.min(model.len())].to_vec());
    }
    let payload = model.get(HEADER..).unwrap_or_default();
    for n in [4, 64, 512, 4096, 32_768, 65_536] {
        seeds.push(payload[..n.min(payload.len())].to_vec());
    }
    // Whole, valid files of the model's first k sections (while small):
    // they get past the container and reach the model's own checks; the
    // accurate model's reach the transformer's.
    let accurate_path = root().join("models/ontonotes-accurate.nmm");
    let accurate = std::fs::read(&accurate_path)
        .map_err(|e| format!("cannot read {}: {e}", accurate_path.display()))?;
    for model in [&model, &accurate] {
        let Ok(file) = newsmark::internals::ModelFile::parse(model) else {
            continue;
        };
        let mut writer = newsmark::internals::ModelWriter::new();
        for (name, section) in file.sections() {
            writer.add(name, section.clone());
            let bytes = writer.to_bytes();
            if bytes.len() > max_len("model") {
                break;
            }
            seeds.push(bytes[HEADER..].to_vec());
            seeds.push(bytes);
        }
    }
    // A file with a small 4-bit table (odd rows, so a pad nibble), for the
    // section kind the committed model does not use.
    let values: Vec<i8> = (0..15).map(|i| i as i8 - 7).collect();
    if let Ok(section) = newsmark::internals::Section::i4_rows(5, 3, &values, vec![0.5; 5]) {
        let mut writer = newsmark::internals::ModelWriter::new();
        writer.add("emb.norm", section);
        let bytes = writer.to_bytes();
        seeds.push(bytes[HEADER..].to_vec());
        seeds.push(bytes);
    }
    seeds.dedup();
    Ok(seeds)
}

/// 64-bit FNV-1a, to name corpus files by their contents.
fn fnv1a64(bytes: &[u8]) -> u64 {
    newsmark::internals::fnv1a64(bytes)
}
