//! Sections `cli` and `cli-memory` (issue #16): `newsmark annotate --jsonl --threads N` with the
//! slice's texts piped in and its output read back, checked and hashed ([`stream`]), under a
//! helper ([`HELPER`]) that reaps it with `wait4`. `cli`: the slice [`REPEAT`] times, 1 and 2
//! threads alternately, every output the same; `cli-memory`: about 1 GB, 2 threads.

use std::hash::{DefaultHasher, Hasher};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use serde::Deserialize;
use serde::Serialize;

use crate::record::median;
use crate::{cargo, run, target_dir, Ctx, Result};

/// Copies of the slice in the input of section `cli`.
pub const REPEAT: usize = 3;

/// Section `cli`: its input (the slice `repeat` times) and every run.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct CliRun {
    pub repeat: usize,
    pub docs: usize,
    pub bytes: u64,
    pub tokens: usize,
    pub chars: usize,
    pub passes: Vec<CliPass>,
    /// Every run gave the same output, whatever its threads.
    pub outputs_identical: bool,
    pub output_bytes: u64,
}

/// One run: wall-clock, the process's user + system CPU, its peak resident memory.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct CliPass {
    pub threads: usize,
    pub wall_s: f64,
    pub cpu_s: f64,
    pub max_rss_bytes: u64,
}

/// Section `cli-memory`; `in_order`: every output line had its rank's id.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
pub struct CliMemory {
    pub threads: usize,
    pub input_bytes: u64,
    pub lines_in: u64,
    pub lines_out: u64,
    pub output_bytes: u64,
    pub in_order: bool,
    pub wall_s: f64,
    pub cpu_s: f64,
    pub max_rss_bytes: u64,
}

impl CliRun {
    pub fn median_s(&self, threads: usize) -> Option<f64> {
        median(&self.passes.iter().filter(|p| p.threads == threads).map(|p| p.wall_s).collect::<Vec<_>>())
    }

    /// Documents per second with 2 threads over 1 thread.
    pub fn speedup(&self) -> Option<f64> {
        Some(self.median_s(1)? / self.median_s(2)?)
    }
}

/// `newsmark-bench __cli-rusage OUT.json PROGRAM ARGS...`: this binary as the measuring parent.
/// A process's `ru_maxrss` starts, at `execve`, from the image it replaces: a child of the bench
/// would count the bench's tens of MB; this helper is a fresh process of a few MB.
pub const HELPER: &str = "__cli-rusage";

/// What a finished child used; `code` is `None` if a signal ended it.
#[derive(Serialize, Deserialize)]
struct Usage {
    code: Option<i32>,
    wall_s: f64,
    cpu_s: f64,
    max_rss_bytes: u64,
}

/// The helper's body: runs PROGRAM with this process's streams and writes its [`Usage`].
pub fn helper(args: &[String]) -> Result {
    let [out, program, rest @ ..] = args else {
        return Err(format!("usage: {HELPER} OUT.json PROGRAM [ARGS...]").into());
    };
    let started = Instant::now();
    let child = Command::new(program).args(rest).spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `status` and `ru` are valid and writable; `pid` is our own
    // child, not yet reaped (std's `Child` reaps only in `wait`).
    while unsafe { libc::wait4(pid, &mut status, 0, &mut ru) } != pid {
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4: {e}").into());
        }
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    let usage = Usage {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        wall_s: started.elapsed().as_secs_f64(),
        cpu_s: secs(ru.ru_utime) + secs(ru.ru_stime),
        max_rss_bytes: ru.ru_maxrss.max(0) as u64 * 1024,
    };
    Ok(std::fs::write(out, serde_json::to_string(&usage)?)?)
}

/// The `newsmark` binary, built for this run in the bench's own profile (the
/// folder of `target/` it runs from): `release` for a measuring run, the
/// tests' `ci` for `--quick`.
fn binary() -> Result<PathBuf> {
    static BUILT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    let build = || -> Result<PathBuf> {
        let exe = std::env::current_exe()?;
        let profile = exe.parent().and_then(|d| d.file_name()).and_then(|n| n.to_str());
        let profile = profile.ok_or_else(|| format!("no profile folder above {}", exe.display()))?;
        run(&mut cargo(&["build", "--profile", profile, "-p", "newsmark-cli", "--bin", "newsmark"]))?;
        Ok(target_dir().join(profile).join("newsmark"))
    };
    let built = BUILT.get_or_init(|| build().map_err(|e| e.to_string()));
    built.clone().map_err(Into::into)
}

/// One run of the CLI on the slice's texts, over and over, up to `lines` lines or `bytes` bytes.
struct Stream {
    lines_in: u64,
    input_bytes: u64,
    lines_out: u64,
    output_bytes: u64,
    in_order: bool,
    digest: u64,
    usage: Usage,
}

fn stream(ctx: &Ctx, texts: &[String], threads: usize, lines: u64, bytes: u64) -> Result<Stream> {
    let dir = ctx.work.join("cli");
    std::fs::create_dir_all(&dir)?;
    let (err, usage) = (dir.join(format!("{threads}.stderr")), dir.join(format!("{threads}.usage.json")));
    let mut child = Command::new(std::env::current_exe()?)
        .arg(HELPER)
        .arg(&usage)
        .arg(binary()?)
        .args(["annotate", "--jsonl", "--quiet", "--threads", &threads.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&err)?)
        .spawn()?;
    let (stdin, texts) = (child.stdin.take().ok_or("no stdin")?, texts.to_vec());
    let generator = std::thread::spawn(move || -> std::io::Result<(u64, u64)> {
        let (mut w, mut n, mut written) = (BufWriter::with_capacity(1 << 16, stdin), 0u64, 0u64);
        for text in texts.iter().cycle() {
            if n >= lines || written >= bytes {
                break;
            }
            let line = format!("{{\"id\":{n},\"text\":{text}}}\n");
            w.write_all(line.as_bytes())?;
            (n, written) = (n + 1, written + line.len() as u64);
        }
        w.flush()?;
        Ok((n, written))
    });
    let mut reader = BufReader::with_capacity(1 << 16, child.stdout.take().ok_or("no stdout")?);
    let (mut line, mut hash) = (Vec::new(), DefaultHasher::new());
    let (mut lines_out, mut output_bytes, mut in_order) = (0u64, 0u64, true);
    while reader.read_until(b'\n', &mut line)? > 0 {
        in_order &= line.starts_with(format!("{{\"id\":{lines_out},").as_bytes());
        (lines_out, output_bytes) = (lines_out + 1, output_bytes + line.len() as u64);
        hash.write(&line);
        line.clear();
    }
    if !child.wait()?.success() {
        return Err("the measuring helper failed".into());
    }
    let (lines_in, input_bytes) = generator.join().map_err(|_| "the generator panicked")??;
    let usage: Usage = serde_json::from_str(&std::fs::read_to_string(usage)?)?;
    if usage.code != Some(0) || lines_out != lines_in || !in_order {
        let err = std::fs::read_to_string(err).unwrap_or_default();
        let what = format!("{lines_in} lines in, {lines_out} out, in order: {in_order}, exit {:?}", usage.code);
        return Err(format!("`newsmark annotate --threads {threads}`: {what}: {}", err.trim()).into());
    }
    Ok(Stream { lines_in, input_bytes, lines_out, output_bytes, in_order, digest: hash.finish(), usage })
}

/// The slice's texts as JSON strings.
fn texts(ctx: &Ctx) -> Vec<String> {
    ctx.corpus.docs.iter().map(|d| serde_json::Value::from(d.text.as_str()).to_string()).collect()
}

pub fn cli(ctx: &Ctx, errors: &mut Vec<String>) -> Result<CliRun> {
    let (texts, docs) = (texts(ctx), ctx.corpus.docs.len());
    // A warm-up on the slice alone (binary and model in the page cache).
    stream(ctx, &texts, 2, docs as u64, u64::MAX)?;
    let (mut passes, mut digests, mut last) = (Vec::new(), Vec::new(), None);
    for round in 0..ctx.settings.runs.max(1) {
        for threads in if round % 2 == 0 { [1, 2] } else { [2, 1] } {
            let s = stream(ctx, &texts, threads, (docs * REPEAT) as u64, u64::MAX)?;
            let (wall_s, cpu_s, max_rss_bytes) = (s.usage.wall_s, s.usage.cpu_s, s.usage.max_rss_bytes);
            eprintln!("bench: cli: {threads} thread(s): {wall_s:.2} s, {cpu_s:.2} CPU-s, {max_rss_bytes} B");
            passes.push(CliPass { threads, wall_s, cpu_s, max_rss_bytes });
            digests.push(s.digest);
            last = Some(s);
        }
    }
    let outputs_identical = digests.iter().all(|d| *d == digests[0]);
    if !outputs_identical {
        errors.push("the runs did not all give the same output".into());
    }
    let last = last.ok_or("no run")?;
    Ok(CliRun {
        repeat: REPEAT,
        docs: docs * REPEAT,
        bytes: last.input_bytes,
        tokens: ctx.corpus.tokens() * REPEAT,
        chars: ctx.corpus.chars() * REPEAT,
        passes,
        outputs_identical,
        output_bytes: last.output_bytes,
    })
}

/// 1 GB, `--quick` 5 MB; `NEWSMARK_BENCH_CLI_MB=N` pipes N MB (a trial run).
pub fn cli_memory(ctx: &Ctx) -> Result<CliMemory> {
    let mb = std::env::var("NEWSMARK_BENCH_CLI_MB").ok().map(|v| v.trim().parse::<f64>());
    let mb = mb.transpose().map_err(|e| format!("NEWSMARK_BENCH_CLI_MB: {e}"))?;
    let bytes = (mb.unwrap_or(if ctx.settings.quick { 5.0 } else { 1000.0 }) * 1e6) as u64;
    let s = stream(ctx, &texts(ctx), 2, u64::MAX, bytes)?;
    let (wall_s, cpu_s, max_rss_bytes) = (s.usage.wall_s, s.usage.cpu_s, s.usage.max_rss_bytes);
    let (lines_in, lines_out, input_bytes, output_bytes, in_order) =
        (s.lines_in, s.lines_out, s.input_bytes, s.output_bytes, s.in_order);
    Ok(CliMemory { threads: 2, input_bytes, lines_in, lines_out, output_bytes, in_order, wall_s, cpu_s, max_rss_bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_helper_reports_a_childs_usage() {
        let out = std::env::temp_dir().join(format!("newsmark-bench-usage-{}.json", std::process::id()));
        helper(&[out.display().to_string(), "sh".into(), "-c".into(), "exit 3".into()]).unwrap();
        let u: Usage = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert!(u.code == Some(3) && u.max_rss_bytes > 0 && u.wall_s > 0.0);
        std::fs::remove_file(&out).unwrap();
    }
}
