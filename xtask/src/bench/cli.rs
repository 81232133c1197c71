//! Sections `cli` and `cli-memory`: the `newsmark` command line (issue #16),
//! run as a user runs it, the release binary as a child process.
//!
//! `cli`: `newsmark annotate --jsonl` over the slice's documents repeated
//! [`REPEAT`] times (one file, `{"id", "text"}` lines), with 1 and with 2
//! worker threads, alternating which goes first, `runs` times each: the wall
//! clock, the CPU time and the peak resident memory of each run (the child's
//! own `rusage`, from `wait4` in a small helper process: [`HELPER`]).
//! Every run's output must be the same bytes, and
//! the entities of the slice's documents are compared with the prediction file
//! of `cargo xtask predict ner` on the same slice.
//!
//! `cli-memory`: about 1 GB of JSONL, the slice's texts over and over with the
//! ids 0, 1, 2, ..., generated here on the fly and piped into `newsmark
//! annotate --jsonl --threads 2` (nothing on disk); the output is read back,
//! counted and checked to come in input order, and the figure is the
//! process's peak resident memory. `--quick` pipes 5 MB;
//! `NEWSMARK_BENCH_CLI_MB=N` pipes N MB instead (to try the section out; the
//! report says when the input was smaller than the target's 1 GB).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::record::{median, Record, Section};
use super::report::{rate, when};
use crate::util::Result;

/// Copies of the slice in the input of section `cli` (all of dev three times:
/// about 6 s on one thread of an idle machine).
pub const REPEAT: usize = 3;

/// Worker threads of section `cli-memory`.
const MEMORY_THREADS: usize = 2;

/// The input of `cli-memory` without `--quick`, and under `--quick`, bytes.
const MEMORY_INPUT_BYTES: u64 = 1_000_000_000;
const QUICK_MEMORY_INPUT_BYTES: u64 = 5_000_000;

/// Sets the size of `cli-memory`'s input in MB (a trial run).
pub const SIZE_VAR: &str = "NEWSMARK_BENCH_CLI_MB";

/// A byte count as the report shows it, with GB for the long stream.
fn bytes(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.2} GB", x / 1e9)
    } else {
        super::report::bytes(x)
    }
}

/// Issue #16's bars.
pub mod bars {
    /// Documents per second of 2 threads over 1 thread.
    pub const TWO_THREADS_SPEEDUP: f64 = 1.8;
    /// Peak resident memory of the 1 GB run, bytes.
    pub const PEAK_RSS_BYTES: u64 = 200_000_000;
    /// The memory bar holds for this much input (1 GB).
    pub const MEMORY_INPUT_BYTES: u64 = super::MEMORY_INPUT_BYTES;
}

// ---------------------------------------------------------------- record

/// Section `cli`.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct CliRun {
    /// The input: the slice's documents `repeat` times, as `{"id", "text"}`
    /// lines (the first copy keeps the slice's ids, copy k adds `~k`).
    pub repeat: usize,
    pub docs: usize,
    pub bytes: u64,
    /// Gold tokens and code points of the input (all copies).
    pub tokens: usize,
    pub chars: usize,
    /// Every timed run, in the order they ran.
    pub passes: Vec<CliPass>,
    /// Every run wrote the same bytes, whatever its threads.
    pub outputs_identical: bool,
    /// Bytes of one run's output.
    pub output_bytes: u64,
    /// The slice's entities against `cargo xtask predict ner`'s.
    pub entities: EntityCheck,
}

/// One run of the binary.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct CliPass {
    pub threads: usize,
    pub wall_s: f64,
    /// User + system CPU seconds of the process.
    pub cpu_s: f64,
    /// Peak resident set size (`ru_maxrss`).
    pub max_rss_bytes: u64,
}

/// The CLI's entities (start, end, label) against the prediction file's, per document.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct EntityCheck {
    pub docs: usize,
    /// Documents whose entity lists are equal.
    pub identical: usize,
    pub different: usize,
    /// Entities in the prediction file.
    pub entities: usize,
    /// The ids of the first documents that differ.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
}

/// Section `cli-memory`.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct CliMemory {
    pub threads: usize,
    /// JSONL bytes and lines piped in.
    pub input_bytes: u64,
    pub lines_in: u64,
    /// Lines and bytes read back.
    pub lines_out: u64,
    pub output_bytes: u64,
    /// Every output line had the id of the input line of its rank.
    pub in_order: bool,
    pub wall_s: f64,
    pub cpu_s: f64,
    pub max_rss_bytes: u64,
}

impl CliRun {
    /// Median wall-clock seconds of the runs with `threads` threads.
    pub fn median_s(&self, threads: usize) -> Option<f64> {
        let xs: Vec<f64> = self
            .passes
            .iter()
            .filter(|p| p.threads == threads)
            .map(|p| p.wall_s)
            .collect();
        median(&xs)
    }

    /// Documents per second with 2 threads over 1 thread (by the medians).
    pub fn speedup(&self) -> Option<f64> {
        Some(self.median_s(1)? / self.median_s(2)?)
    }
}

// ---------------------------------------------------------------- running

/// The release `newsmark` binary, built once per bench run (the profile the
/// bench itself runs in).
fn binary() -> Result<PathBuf> {
    static BUILT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        crate::tooling::build_cli().map_err(|e| format!("the CLI did not build: {e}"))
    });
    built.clone().map_err(Into::into)
}

/// The hidden first argument of `cargo xtask bench` that makes the process
/// the measuring parent of one command: `xtask bench __cli-rusage OUT.json
/// PROGRAM ARGS...` runs PROGRAM with this process's standard streams, reaps
/// it with `wait4` and writes its [`Usage`] to OUT.json.
///
/// Why a process between: on Linux a process's peak resident memory
/// (`ru_maxrss`) starts, at `execve`, from the peak of the memory image it
/// replaces, which for a child spawned by the bench (vfork or fork) is the
/// bench's own, tens of MB; this helper is a fresh xtask of about 3 MB, so the
/// figure is the CLI's own peak, give or take those 3 MB.
pub const HELPER: &str = "__cli-rusage";

/// The helper's body (see [`HELPER`]).
pub fn helper(args: &[String]) -> Result {
    let [out, program, rest @ ..] = args else {
        return Err(format!("usage: xtask bench {HELPER} OUT.json PROGRAM [ARGS...]").into());
    };
    let started = Instant::now();
    let child = Command::new(program)
        .args(rest)
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let usage = wait_usage(child, started)?;
    crate::util::write(out, serde_json::to_string(&usage)?)
}

/// A command that runs `exe ARGS` under the [`HELPER`], which writes its usage to `usage`.
fn under_helper(exe: &Path, args: &[String], usage: &Path) -> Result<Command> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args(["bench", HELPER]).arg(usage).arg(exe).args(args);
    Ok(cmd)
}

/// The usage the helper wrote, once it has exited.
fn read_usage(helper: std::process::ExitStatus, usage: &Path) -> Result<Usage> {
    if !helper.success() {
        return Err(format!("the measuring helper failed ({helper})").into());
    }
    let body = crate::util::read_to_string(usage)?;
    Ok(serde_json::from_str(&body)?)
}

/// What a finished child used.
#[derive(Serialize, Deserialize)]
struct Usage {
    /// The exit code, `None` if a signal ended it.
    code: Option<i32>,
    wall_s: f64,
    cpu_s: f64,
    max_rss_bytes: u64,
}

/// Waits for `child` (reaping it with `wait4`, so its own resource usage comes
/// back) and says what it used since `started`.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn wait_usage(child: Child, started: Instant) -> Result<Usage> {
    #[repr(C)]
    struct Timeval {
        tv_sec: i64,
        tv_usec: i64,
    }
    /// `struct rusage` of 64-bit Linux: two timevals and fourteen longs.
    #[repr(C)]
    struct Rusage {
        utime: Timeval,
        stime: Timeval,
        /// `ru_maxrss` (KiB), then the 13 other counters.
        longs: [i64; 14],
    }
    extern "C" {
        fn wait4(pid: i32, status: *mut i32, options: i32, usage: *mut Rusage) -> i32;
    }
    let pid = child.id() as i32;
    let mut status = 0i32;
    let mut ru = Rusage {
        utime: Timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        stime: Timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        longs: [0; 14],
    };
    loop {
        // SAFETY: `status` and `ru` are valid and writable, `ru` has the
        // layout of glibc's `struct rusage` on 64-bit Linux, and `pid` is our
        // own child, not yet reaped (std's `Child` only reaps in `wait`).
        let r = unsafe { wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4: {e}").into());
        }
    }
    let wall_s = started.elapsed().as_secs_f64();
    // Reaped: dropping the handle closes its pipes and waits for nothing.
    drop(child);
    let seconds = |t: &Timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    // WIFEXITED / WEXITSTATUS.
    let code = (status & 0x7f == 0).then_some((status >> 8) & 0xff);
    Ok(Usage {
        code,
        wall_s,
        cpu_s: seconds(&ru.utime) + seconds(&ru.stime),
        max_rss_bytes: ru.longs[0].max(0) as u64 * 1024,
    })
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn wait_usage(_child: Child, _started: Instant) -> Result<Usage> {
    Err("the CLI sections read the child's rusage with wait4: 64-bit Linux only".into())
}

/// The id and text of each line of the slice file.
fn slice_docs(slice: &Path) -> Result<Vec<(Value, String)>> {
    #[derive(Deserialize)]
    struct Line {
        id: Value,
        text: String,
    }
    let body = crate::util::read_to_string(slice)?;
    body.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<Line>(l)
                .map(|d| (d.id, d.text))
                .map_err(|e| format!("{}: {e}", slice.display()).into())
        })
        .collect()
}

/// Runs `newsmark annotate --jsonl --quiet --threads N INPUT > OUTPUT`.
fn run_file(exe: &Path, threads: usize, input: &Path, output: &Path) -> Result<CliPass> {
    let out = File::create(output).map_err(|e| format!("{}: {e}", output.display()))?;
    let err_path = output.with_extension("stderr");
    let err = File::create(&err_path)?;
    let usage_path = output.with_extension("usage.json");
    let args = [
        "annotate".to_string(),
        "--jsonl".into(),
        "--quiet".into(),
        "--threads".into(),
        threads.to_string(),
        input.display().to_string(),
    ];
    let status = under_helper(exe, &args, &usage_path)?
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .status()
        .map_err(|e| format!("cannot start the measuring helper: {e}"))?;
    let usage = read_usage(status, &usage_path)?;
    if usage.code != Some(0) {
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        return Err(format!(
            "`newsmark annotate --threads {threads}` ended with {:?}: {}",
            usage.code,
            stderr.trim()
        )
        .into());
    }
    Ok(CliPass {
        threads,
        wall_s: usage.wall_s,
        cpu_s: usage.cpu_s,
        max_rss_bytes: usage.max_rss_bytes,
    })
}

/// A record's or a prediction's entities as (start, end, label).
fn spans(entities: &Value) -> Vec<(u64, u64, String)> {
    entities
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e[0].as_u64().unwrap_or(u64::MAX),
                        e[1].as_u64().unwrap_or(u64::MAX),
                        e[2].as_str().unwrap_or("?").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Compares the first lines of the CLI's output with `cargo xtask predict ner`'s file.
fn compare_entities(cli_out: &Path, predicted: &Path, docs: usize) -> Result<EntityCheck> {
    let ours = BufReader::new(File::open(cli_out)?);
    let theirs = crate::util::read_to_string(predicted)?;
    let mut check = EntityCheck::default();
    let mut ours = ours.lines();
    for line in theirs.lines().filter(|l| !l.trim().is_empty()) {
        let want: Value = serde_json::from_str(line)?;
        let got: Value = match ours.next() {
            Some(l) => serde_json::from_str(&l?)?,
            None => Value::Null,
        };
        let want_spans = spans(&want["entities"]);
        check.docs += 1;
        check.entities += want_spans.len();
        if got["id"] == want["id"] && spans(&got["entities"]) == want_spans {
            check.identical += 1;
        } else {
            check.different += 1;
            if check.examples.len() < 5 {
                check.examples.push(want["id"].to_string());
            }
        }
    }
    if check.docs != docs {
        return Err(format!(
            "{} has {} documents, the slice {docs}",
            predicted.display(),
            check.docs
        )
        .into());
    }
    Ok(check)
}

/// Section `cli`.
pub fn cli(
    slice: &Path,
    work: &Path,
    tokens: usize,
    runs: usize,
    errors: &mut Vec<String>,
) -> Result<CliRun> {
    let exe = binary()?;
    let dir = work.join("cli");
    crate::util::create_dir_all(&dir)?;
    let docs = slice_docs(slice)?;
    let input = dir.join("input.jsonl");
    let mut w = BufWriter::new(File::create(&input)?);
    let mut chars = 0;
    for k in 0..REPEAT {
        for (id, text) in &docs {
            let id = match (k, id) {
                (0, id) => id.clone(),
                (k, Value::String(s)) => Value::from(format!("{s}~{k}")),
                (k, other) => Value::from(format!("{other}~{k}")),
            };
            serde_json::to_writer(&mut w, &serde_json::json!({"id": id, "text": text}))?;
            w.write_all(b"\n")?;
            chars += text.chars().count();
        }
    }
    w.flush()?;
    drop(w);
    let input_bytes = std::fs::metadata(&input)?.len();

    // A warm-up on the slice alone (binary and model in the page cache).
    run_file(&exe, 2, slice, &dir.join("warm-up.jsonl"))?;

    let reference = dir.join("out-reference.jsonl");
    let mut passes = Vec::new();
    let mut identical = true;
    for round in 0..runs.max(1) {
        let order = if round % 2 == 0 { [1, 2] } else { [2, 1] };
        for threads in order {
            let out = if passes.is_empty() {
                reference.clone()
            } else {
                dir.join(format!("out-{threads}.jsonl"))
            };
            let pass = run_file(&exe, threads, &input, &out)?;
            eprintln!(
                "bench: cli: {threads} thread(s): {:.2} s, {:.2} CPU-s, {}",
                pass.wall_s,
                pass.cpu_s,
                bytes(pass.max_rss_bytes as f64)
            );
            passes.push(pass);
            if out != reference && std::fs::read(&out)? != std::fs::read(&reference)? {
                identical = false;
                errors.push(format!(
                    "the output of {threads} thread(s) differs from the first run's ({} vs {})",
                    out.display(),
                    reference.display()
                ));
            }
        }
    }
    let output_bytes = std::fs::metadata(&reference)?.len();

    // The entities of the first copy (the slice itself) against `predict ner`'s.
    let predicted = work.join("pred/cli-predict-ner.jsonl");
    crate::util::create_dir_all(work.join("pred"))?;
    super::xtask(&[
        "predict".into(),
        "ner".into(),
        "--data".into(),
        slice.display().to_string(),
        "--out".into(),
        predicted.display().to_string(),
    ])?;
    let entities = compare_entities(&reference, &predicted, docs.len())?;
    if entities.different > 0 {
        errors.push(format!(
            "{} of {} documents have other entities than `cargo xtask predict ner` gives (first: {})",
            entities.different,
            entities.docs,
            entities.examples.join(", ")
        ));
    }
    Ok(CliRun {
        repeat: REPEAT,
        docs: docs.len() * REPEAT,
        bytes: input_bytes,
        tokens: tokens * REPEAT,
        chars,
        passes,
        outputs_identical: identical,
        output_bytes,
        entities,
    })
}

/// The input size of `cli-memory`: `NEWSMARK_BENCH_CLI_MB`, else 1 GB (5 MB with `--quick`).
fn memory_input_bytes(quick: bool) -> Result<u64> {
    match std::env::var(SIZE_VAR) {
        Ok(v) => match v.trim().parse::<f64>() {
            Ok(mb) if mb.is_finite() && mb > 0.0 => Ok((mb * 1e6) as u64),
            _ => Err(format!("{SIZE_VAR} wants a number of MB, got `{v}`").into()),
        },
        Err(_) if quick => Ok(QUICK_MEMORY_INPUT_BYTES),
        Err(_) => Ok(MEMORY_INPUT_BYTES),
    }
}

/// Section `cli-memory`.
pub fn cli_memory(slice: &Path, work: &Path, quick: bool) -> Result<CliMemory> {
    let exe = binary()?;
    let target = memory_input_bytes(quick)?;
    let texts: Vec<String> = slice_docs(slice)?
        .into_iter()
        .map(|(_, text)| serde_json::to_string(&text))
        .collect::<std::result::Result<_, _>>()?;
    if texts.is_empty() {
        return Err("the slice is empty".into());
    }
    let dir = work.join("cli");
    crate::util::create_dir_all(&dir)?;
    let err_path = dir.join("memory.stderr");
    let usage_path = dir.join("memory.usage.json");
    let started = Instant::now();
    let args = [
        "annotate".to_string(),
        "--jsonl".into(),
        "--quiet".into(),
        "--threads".into(),
        MEMORY_THREADS.to_string(),
    ];
    let mut child = under_helper(&exe, &args, &usage_path)?
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(File::create(&err_path)?)
        .spawn()
        .map_err(|e| format!("cannot start the measuring helper: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;

    // The generator: `{"id":N,"text":...}` lines until `target` bytes.
    let generator = std::thread::spawn(move || -> std::io::Result<(u64, u64)> {
        let mut w = BufWriter::with_capacity(1 << 16, stdin);
        let (mut lines, mut written) = (0u64, 0u64);
        let step = (target / 10).max(1);
        let mut next_report = step;
        for text in texts.iter().cycle() {
            if written >= target {
                break;
            }
            let line = format!("{{\"id\":{lines},\"text\":{text}}}\n");
            w.write_all(line.as_bytes())?;
            written += line.len() as u64;
            lines += 1;
            if written >= next_report {
                eprintln!(
                    "bench: cli-memory: {} of {} piped in, {:.0} s",
                    bytes(written as f64),
                    bytes(target as f64),
                    started.elapsed().as_secs_f64()
                );
                next_report += step;
            }
        }
        w.flush()?;
        Ok((lines, written))
    });

    // Read the output back: count it and check each line's id is its rank.
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    let (mut lines_out, mut output_bytes, mut in_order) = (0u64, 0u64, true);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        output_bytes += n as u64;
        let want = format!("{{\"id\":{lines_out},");
        in_order &= line.starts_with(want.as_bytes());
        lines_out += 1;
    }
    drop(reader);
    let usage = read_usage(child.wait()?, &usage_path)?;
    let (lines_in, input_bytes) = generator
        .join()
        .map_err(|_| "the generator panicked")?
        .map_err(|e| format!("piping the input in failed: {e}"))?;
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    if usage.code != Some(0) {
        return Err(format!(
            "`newsmark annotate` ended with {:?}: {}",
            usage.code,
            stderr.trim()
        )
        .into());
    }
    if lines_out != lines_in || !in_order {
        return Err(format!(
            "{lines_in} lines in, {lines_out} out, in order: {in_order}; stderr: {}",
            stderr.trim()
        )
        .into());
    }
    Ok(CliMemory {
        threads: MEMORY_THREADS,
        input_bytes,
        lines_in,
        lines_out,
        output_bytes,
        in_order,
        wall_s: usage.wall_s,
        cpu_s: usage.cpu_s,
        max_rss_bytes: usage.max_rss_bytes,
    })
}

// ---------------------------------------------------------------- report

/// One row of the targets table: what, this run's figure, the bar, met.
fn target_row(s: &mut String, what: &str, value: &str, bar: &str, met: Option<bool>) {
    let met = match met {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "not measured",
    };
    s.push_str(&format!("| {what} | {value} | {bar} | {met} |\n"));
}

/// Where and when a section was measured, for the text under a table.
fn measured<T>(section: &Section<T>) -> String {
    let m = &section.measured;
    format!(
        "measured by `{}` on {}, load average {} at the start",
        m.command,
        when(m),
        m.load_avg_start.as_deref().unwrap_or("?")
    )
}

/// Whether the 1-minute load average at the section's start was 1 or more
/// (on this 2-core machine: another job had a core).
fn busy<T>(section: &Section<T>) -> bool {
    section
        .measured
        .load_avg_start
        .as_deref()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|x| x.parse::<f64>().ok())
        .is_some_and(|x| x >= 1.0)
}

/// "## Command line (issue #16)": the targets, then each section's figures.
pub fn render(s: &mut String, r: &Record) {
    let (run, memory) = (&r.sections.cli, &r.sections.cli_memory);
    if run.is_none() && memory.is_none() {
        return;
    }
    let c = run.as_ref().and_then(|x| x.data());
    let m = memory.as_ref().and_then(|x| x.data());
    s.push_str("## Command line (issue #16)\n\n");
    s.push_str("| target | this run | bar | met |\n|---|---:|---:|---|\n");
    let speedup = c.and_then(CliRun::speedup);
    target_row(
        s,
        &format!(
            "`newsmark annotate --jsonl`, documents per second, 2 threads ÷ 1 thread ({} of OntoNotes dev)",
            c.map_or("–".into(), |c| bytes(c.bytes as f64))
        ),
        &speedup.map_or("–".into(), |x| format!("{x:.2}×")),
        &format!("≥ {}×", bars::TWO_THREADS_SPEEDUP),
        speedup.map(|x| x >= bars::TWO_THREADS_SPEEDUP),
    );
    target_row(
        s,
        "the CLI's entities on OntoNotes dev identical to `cargo xtask predict ner`'s",
        &c.map_or("–".into(), |c| {
            format!(
                "{} of {} documents ({} entities)",
                c.entities.identical, c.entities.docs, c.entities.entities
            )
        }),
        "all",
        c.map(|c| c.entities.docs > 0 && c.entities.different == 0),
    );
    target_row(
        s,
        "output of 1 and 2 threads byte-identical",
        &c.map_or("–".into(), |c| {
            if c.outputs_identical {
                format!("identical ({} runs)", c.passes.len())
            } else {
                "differs".into()
            }
        }),
        "identical",
        c.map(|c| c.outputs_identical),
    );
    let full = m.is_some_and(|m| m.input_bytes >= bars::MEMORY_INPUT_BYTES);
    target_row(
        s,
        &format!(
            "peak resident memory of `newsmark annotate --threads {MEMORY_THREADS}` on {} of JSONL",
            m.map_or(bytes(bars::MEMORY_INPUT_BYTES as f64), |m| bytes(
                m.input_bytes as f64
            ))
        ),
        &m.map_or("–".into(), |m| bytes(m.max_rss_bytes as f64)),
        &format!(
            "≤ {} (for 1 GB{})",
            bytes(bars::PEAK_RSS_BYTES as f64),
            if m.is_some() && !full {
                "; this input is smaller"
            } else {
                ""
            }
        ),
        m.map(|m| m.max_rss_bytes <= bars::PEAK_RSS_BYTES),
    );
    s.push('\n');

    if let (Some(section), Some(c)) = (run, c) {
        s.push_str(
            "| threads | runs | seconds (median) | documents/s | tokens/s | CPU seconds (median) | peak resident memory (max) |\n\
             |---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for threads in [1, 2] {
            let passes: Vec<&CliPass> = c.passes.iter().filter(|p| p.threads == threads).collect();
            let wall = c.median_s(threads);
            let cpu = median(&passes.iter().map(|p| p.cpu_s).collect::<Vec<_>>());
            let rss = passes.iter().map(|p| p.max_rss_bytes).max();
            s.push_str(&format!(
                "| {threads} | {} | {} | {} | {} | {} | {} |\n",
                passes.len(),
                wall.map_or("–".into(), |x| format!("{x:.2}")),
                rate(wall.map(|w| c.docs as f64 / w)),
                rate(wall.map(|w| c.tokens as f64 / w)),
                cpu.map_or("–".into(), |x| format!("{x:.2}")),
                rss.map_or("–".into(), |b| bytes(b as f64)),
            ));
        }
        s.push_str(&format!(
            "\nThe release binary (`cargo build --release -p newsmark-cli`) as a child process: `newsmark annotate --jsonl --quiet --threads N FILE > OUT`, \
             FILE being the bench's slice of OntoNotes dev {} times ({} documents, {}, {} gold tokens; `{{\"id\", \"text\"}}` lines), \
             1 and 2 threads alternately (which goes first alternates too) after a warm-up run on the slice. \
             Seconds are wall-clock, from start to exit, model loading included; CPU seconds and peak memory are the binary's own (`wait4`'s rusage, taken by a small helper process that starts it, so that the bench's own memory does not count). \
             Each run wrote {} of output, compared byte for byte with the first run's. \
             The entities compared are the first copy's, (start, end, label) per document in code points, against the file of `cargo xtask predict ner --data SLICE`. \
             The 2-thread figure needs two idle cores; this section was {}{}.\n\n",
            c.repeat,
            c.docs,
            bytes(c.bytes as f64),
            c.tokens,
            bytes(c.output_bytes as f64),
            measured(section),
            // A busy machine explains a missed bar; a met one needs no excuse.
            if busy(section) && c.speedup().is_some_and(|x| x < bars::TWO_THREADS_SPEEDUP) {
                ": other work kept at least one core busy, so the 2-thread ratio here says little about two free cores"
            } else {
                ""
            },
        ));
    }
    if let (Some(section), Some(m)) = (memory, m) {
        s.push_str(&format!(
            "**Memory on a long stream** (section `cli-memory`): {} of JSONL ({} lines, the slice's texts over and over with the ids 0, 1, 2, …) \
             generated by the bench and piped into `newsmark annotate --jsonl --quiet --threads {}`, its output ({} lines, {}, {}) read back and counted: \
             {:.0} s ({} of input per second), {:.0} CPU seconds, peak resident memory {}; {}.\n\n",
            bytes(m.input_bytes as f64),
            m.lines_in,
            m.threads,
            m.lines_out,
            bytes(m.output_bytes as f64),
            if m.in_order { "in input order" } else { "**not in input order**" },
            m.wall_s,
            bytes(m.input_bytes as f64 / m.wall_s),
            m.cpu_s,
            bytes(m.max_rss_bytes as f64),
            measured(section),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speedup_divides_the_medians() {
        let pass = |threads, wall_s| CliPass {
            threads,
            wall_s,
            cpu_s: 1.0,
            max_rss_bytes: 1,
        };
        let c = CliRun {
            passes: vec![
                pass(1, 4.0),
                pass(2, 2.0),
                pass(2, 2.5),
                pass(1, 5.0),
                pass(1, 3.0),
            ],
            ..Default::default()
        };
        assert_eq!(c.median_s(1), Some(4.0));
        assert_eq!(c.median_s(2), Some(2.25));
        assert!((c.speedup().unwrap() - 4.0 / 2.25).abs() < 1e-12);
        assert_eq!(CliRun::default().speedup(), None);
    }

    #[test]
    fn entities_are_compared_per_document() {
        let dir = std::env::temp_dir().join(format!("xtask-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (ours, theirs) = (dir.join("ours.jsonl"), dir.join("theirs.jsonl"));
        std::fs::write(
            &ours,
            "{\"id\":\"a\",\"blocks\":[],\"entities\":[[0,3,\"GPE\",0.9]]}\n\
             {\"id\":\"b\",\"entities\":[[1,2,\"ORG\",0.5]]}\n\
             {\"id\":\"a~1\",\"entities\":[]}\n",
        )
        .unwrap();
        std::fs::write(
            &theirs,
            "{\"id\":\"a\",\"entities\":[[0,3,\"GPE\"]]}\n{\"id\":\"b\",\"entities\":[[1,2,\"PERSON\"]]}\n",
        )
        .unwrap();
        let c = compare_entities(&ours, &theirs, 2).unwrap();
        assert_eq!((c.docs, c.identical, c.different, c.entities), (2, 1, 1, 2));
        assert_eq!(c.examples, ["\"b\""]);
        assert!(compare_entities(&ours, &theirs, 3).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
