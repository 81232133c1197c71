//! `cargo xtask dask`: the `newsmark` CLI as a filter step in Dask's
//! distributed scheduler (issue #16, part 4), end to end on this machine.
//!
//! It installs `examples/dask/requirements.txt` (pinned) into
//! `target/dask-venv`, builds the release binary, writes the first N
//! documents of OntoNotes dev to `target/dask/input.jsonl`, runs
//! `examples/dask/annotate_dask.py` on a `distributed.LocalCluster` (which
//! pipes each partition through the binary and checks that every id came back
//! once, in order), then runs the binary directly on the same file and checks
//! that Dask's records are the same, id by id.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;

use crate::util::{self, root, sh, shared, target_dir, Result, TOOLS_PROFILE};
use clap::Args;
use xshell::cmd;

const REQUIREMENTS: &str = "examples/dask/requirements.txt";
const SCRIPT: &str = "examples/dask/annotate_dask.py";

/// The flags of `cargo xtask dask`.
#[derive(Args, Debug)]
pub struct DaskArgs {
    /// The first N documents of OntoNotes dev (default: all 542).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub docs: Option<u64>,
    /// LocalCluster worker processes.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    pub workers: u64,
    /// Input bytes per Dask partition.
    #[arg(long, value_name = "SIZE", default_value = "1MiB")]
    pub blocksize: String,
}

/// Builds the `newsmark` command-line binary in the `ci` profile (the one
/// `cargo xtask` itself runs in, and the CLI's tests use) and returns its path.
fn build_cli() -> Result<PathBuf> {
    let sh = sh()?;
    cmd!(
        sh,
        "cargo build --profile {TOOLS_PROFILE} --package newsmark-cli --bin newsmark"
    )
    .run()?;
    let exe = target_dir().join(TOOLS_PROFILE).join("newsmark");
    if !exe.exists() {
        return Err(format!("the build made no {}", exe.display()).into());
    }
    Ok(exe)
}

fn venv() -> PathBuf {
    target_dir().join("dask-venv")
}

/// Creates `target/dask-venv` and installs the pinned requirements, unless
/// it already holds exactly these.
fn ensure_venv() -> Result {
    let stamp = venv().join(".newsmark-stamp");
    let want = util::read_to_string(root().join(REQUIREMENTS))?;
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    let (sh, venv, requirements) = (sh()?, venv(), root().join(REQUIREMENTS));
    cmd!(sh, "python3 -m venv {venv}").run()?;
    let pip = venv.join("bin/pip");
    cmd!(
        sh,
        "{pip} install --quiet --disable-pip-version-check -r {requirements}"
    )
    .run()?;
    util::write(stamp, want)
}

/// The records of JSONL files by id (the id's JSON text).
fn records(paths: &[PathBuf]) -> Result<Vec<(String, Value)>> {
    let mut out = Vec::new();
    for path in paths {
        for line in util::read_to_string(path)?.lines() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line)
                .map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
            out.push((v["id"].to_string(), v));
        }
    }
    Ok(out)
}

/// A record's entities as (start, end, label), scores left out.
fn entities(v: &Value) -> Vec<(Value, Value, Value)> {
    v["entities"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| (e[0].clone(), e[1].clone(), e[2].clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// `cargo xtask dask [--docs N] [--workers N] [--blocksize SIZE]`.
pub fn dask(args: &DaskArgs) -> Result {
    let docs = args.docs.map(|n| n as usize);
    let (workers, blocksize) = (args.workers.to_string(), &args.blocksize);
    let started = Instant::now();

    let t = Instant::now();
    ensure_venv()?;
    let venv_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let exe = build_cli()?;
    let build_s = t.elapsed().as_secs_f64();

    let dir = target_dir().join("dask");
    util::create_dir_all(&dir)?;
    let dev = shared().join("data/ontonotes/dev.jsonl");
    let lines: Vec<String> = util::read_to_string(&dev)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(docs.unwrap_or(usize::MAX))
        .map(|l| format!("{l}\n"))
        .collect();
    let input = dir.join("input.jsonl");
    util::write(&input, lines.concat())?;

    // The example, as docs/cli.md runs it.
    let out_dir = dir.join("out");
    let t = Instant::now();
    let (sh, python, script) = (sh()?, venv().join("bin/python"), root().join(SCRIPT));
    let stdout = cmd!(
        sh,
        "{python} {script} --binary {exe} --out {out_dir} --workers {workers} --blocksize {blocksize} {input}"
    )
    .read()
    .map_err(|e| format!("{SCRIPT} failed: {e}"))?;
    println!("{stdout}");
    let dask_s = t.elapsed().as_secs_f64();
    let summary: Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or("the example printed no JSON summary")?;

    // The binary run directly on the same file.
    let direct = dir.join("direct.jsonl");
    let records_out = cmd!(sh, "{exe} annotate --jsonl --quiet {input}")
        .quiet()
        .read()?;
    util::write(&direct, records_out + "\n")?;
    let mut parts: Vec<PathBuf> = std::fs::read_dir(&out_dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    parts.sort();
    let ours = records(&parts)?;
    let theirs: HashMap<String, Value> = records(std::slice::from_ref(&direct))?
        .into_iter()
        .collect();
    let (mut same_records, mut same_entities) = (0, 0);
    for (id, rec) in &ours {
        if let Some(want) = theirs.get(id) {
            same_records += usize::from(rec == want);
            same_entities += usize::from(entities(rec) == entities(want));
        }
    }
    let n = lines.len();
    eprintln!(
        "dask: {} documents in, {} out, through {} partitions on {} workers; ids round-trip: {}; \
         the same as `newsmark annotate` run directly: entities {same_entities} of {n}, whole records {same_records} of {n}",
        summary["documents_in"],
        summary["documents_out"],
        summary["partitions"],
        summary["workers"],
        summary["ids_round_trip"],
    );
    eprintln!(
        "dask: {:.1} s in all: venv {venv_s:.1} s, CLI build {build_s:.1} s, the example {dask_s:.1} s \
         (cluster start {} s, annotation {} s)",
        started.elapsed().as_secs_f64(),
        summary["cluster_start_s"],
        summary["annotate_s"],
    );
    if summary["ids_round_trip"] != Value::Bool(true)
        || summary["documents_out"].as_u64() != Some(n as u64)
        || ours.len() != n
        || theirs.len() != n
        || same_entities != n
        || same_records != n
    {
        return Err(format!(
            "Dask's output is not the CLI's: {} records, {same_entities} with the same entities (of {n}); see {} and {}",
            ours.len(),
            out_dir.display(),
            direct.display()
        )
        .into());
    }
    Ok(())
}
