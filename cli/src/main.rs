//! `newsmark`: the command line of the newsmark library.
//!
//! `newsmark annotate [FILE...]` reads plain-text or JSONL inputs and writes
//! one JSON record per document to standard output (docs/cli.md).

mod input;
mod output;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use input::{Batch, Input, Job, Reader};
use newsmark::{Annotator, Gazetteer, MAX_INPUT_BYTES};
use output::Offsets;
use rayon::prelude::*;
use std::io::{self, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "newsmark",
    version,
    about = "Segments news articles and finds their named entities."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Annotate documents and write one JSON record per document to stdout.
    ///
    /// Each record is {"id", "blocks": [[start, end, kind, reason]],
    /// "sentences": [[start, end]], "entities": [[start, end, label, score,
    /// cluster]], "clusters": [[start, end, label, [entity, ...]]]}.
    /// Inputs that fail are reported on stderr with file and line and left
    /// out; the exit status is then 1.
    Annotate(AnnotateArgs),
}

#[derive(Args)]
struct AnnotateArgs {
    /// Input files: plain text (one document each, id = the path) or JSONL
    /// (a name ending in .jsonl; one {"id": ..., "text": ...} per line).
    /// `-` or no file: standard input, plain text unless --jsonl.
    #[arg(value_name = "FILE")]
    files: Vec<String>,

    /// Read every input, standard input included, as JSONL.
    #[arg(long)]
    jsonl: bool,

    /// The unit of the offsets written: code points (Python's indices),
    /// UTF-16 code units (JavaScript's) or bytes of UTF-8 (Rust's).
    #[arg(long, value_enum, default_value_t = Offsets::Chars)]
    offsets: Offsets,

    /// Also write each document's tokens ("tokens": [[start, end]]).
    #[arg(long)]
    tokens: bool,

    /// A model file to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,

    /// Resolve place names (GPE, LOC, FAC entities) to GeoNames places: adds
    /// "places": [place or null per entity], each place {"id", "name",
    /// "country", "lat", "lon"}. Reads the gazetteer of --gazetteer.
    #[arg(long)]
    places: bool,

    /// The gazetteer for --places (implies it); default: models/places.nmg
    /// of the source tree the binary was built from.
    #[arg(long, value_name = "FILE")]
    gazetteer: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<NonZeroUsize>,

    /// The longest JSONL line accepted, in bytes; longer lines are reported
    /// and skipped. At most the library's limit, 268435456 (256 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = MAX_INPUT_BYTES)]
    max_line_bytes: usize,

    /// Documents read and annotated together (a batch also ends at 32 MiB of
    /// text); at most three batches are in memory at once.
    #[arg(long, value_name = "N", default_value = "1024")]
    batch: NonZeroUsize,

    /// No progress bar and no summary line (faults are still reported).
    #[arg(long, short)]
    quiet: bool,
}

/// A batch also ends once it holds this much text.
const BATCH_BYTES: usize = 32 << 20;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match cli.command {
        Command::Annotate(args) => annotate(args),
    }
}

/// Exit statuses: some documents failed / a usage error (clap's too).
const FAILED: u8 = 1;
const USAGE: u8 = 2;

fn annotate(args: AnnotateArgs) -> ExitCode {
    let annotator = match &args.model {
        None => Annotator::new(),
        Some(path) => match load_model(path) {
            Ok(annotator) => annotator,
            Err(message) => {
                eprintln!("newsmark: {message}");
                return ExitCode::from(USAGE);
            }
        },
    };
    let gazetteer = if args.places || args.gazetteer.is_some() {
        let path = args.gazetteer.clone().unwrap_or_else(default_gazetteer);
        match load_gazetteer(&path) {
            Ok(g) => Some(g),
            Err(message) => {
                eprintln!("newsmark: {message}");
                return ExitCode::from(USAGE);
            }
        }
    } else {
        None
    };
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(n.get());
    }
    let pool = match pool.build() {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("newsmark: cannot start the worker threads: {e}");
            return ExitCode::from(FAILED);
        }
    };

    let files = if args.files.is_empty() {
        vec!["-".to_string()]
    } else {
        args.files.clone()
    };
    let inputs: Vec<Input> = files
        .iter()
        .map(|f| Input::from_arg(f, args.jsonl))
        .collect();
    let total: Option<u64> = inputs.iter().map(Input::size).sum();
    let progress = progress_bar(!args.quiet && io::stderr().is_terminal(), total);

    // The reader thread reads the next batch while this one is annotated;
    // the channel holds one batch, so at most three are in memory.
    let mut reader = Reader::new(
        inputs,
        args.max_line_bytes.min(MAX_INPUT_BYTES),
        MAX_INPUT_BYTES,
    );
    let batch_docs = args.batch.get();
    let (send, batches) = mpsc::sync_channel::<Batch>(1);
    let reading = std::thread::spawn(move || {
        while let Some(batch) = reader.next_batch(batch_docs, BATCH_BYTES) {
            if send.send(batch).is_err() {
                break;
            }
        }
    });

    let started = Instant::now();
    let mut totals = Totals::default();
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let settings = Settings {
        offsets: args.offsets,
        tokens: args.tokens,
    };
    let mut write_error = None;
    for batch in batches.iter() {
        let outcomes: Vec<Outcome> = pool.install(|| {
            batch
                .jobs
                .into_par_iter()
                .map(|job| process(job, &annotator, gazetteer.as_ref(), settings))
                .collect()
        });
        for outcome in outcomes {
            match outcome {
                Outcome::Done {
                    json,
                    tokens,
                    entities,
                } => {
                    totals.documents += 1;
                    totals.tokens += tokens;
                    totals.entities += entities;
                    if let Err(e) = writeln!(out, "{json}") {
                        write_error = Some(e);
                        break;
                    }
                }
                Outcome::Failed(message) => {
                    totals.failed += 1;
                    progress.suspend(|| eprintln!("newsmark: {message}"));
                }
            }
        }
        if write_error.is_none() {
            if let Err(e) = out.flush() {
                write_error = Some(e);
            }
        }
        if write_error.is_some() {
            break;
        }
        progress.inc(batch.bytes_read);
        progress.set_message(format!("{} documents", totals.documents));
    }
    drop(batches);
    progress.finish_and_clear();
    let _ = reading.join();

    let mut status = if totals.failed > 0 { FAILED } else { 0 };
    match write_error {
        // The reader of our output has gone (`| head`): stop quietly.
        Some(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Some(e) => {
            eprintln!("newsmark: cannot write the output: {e}");
            status = FAILED;
        }
        None => {}
    }
    if !args.quiet {
        totals.report(started.elapsed());
    }
    ExitCode::from(status)
}

/// Prints clap's message (help and version too, to stdout, with status 0);
/// an unknown flag's message also lists the valid ones.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let kind = e.kind();
    let _ = e.print();
    if kind == ErrorKind::UnknownArgument {
        let command = <Cli as clap::CommandFactory>::command();
        let valid: Vec<String> = command
            .find_subcommand("annotate")
            .into_iter()
            .flat_map(|c| c.get_arguments())
            .filter_map(|a| a.get_long())
            .map(|long| format!("--{long}"))
            .collect();
        eprintln!("The options of `newsmark annotate`: {}", valid.join(", "));
    }
    ExitCode::from(match kind {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => 0,
        _ => USAGE,
    })
}

fn load_model(path: &PathBuf) -> Result<Annotator, String> {
    let name = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the model {name}: {e}"))?;
    Annotator::from_bytes(&bytes).map_err(|e| format!("{name} is not a usable model: {e}"))
}

/// The gazetteer shipped in the source tree this binary was built from.
fn default_gazetteer() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../models/places.nmg"))
}

fn load_gazetteer(path: &PathBuf) -> Result<Gazetteer, String> {
    let name = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        format!("cannot read the gazetteer {name}: {e} (give one with --gazetteer FILE)")
    })?;
    Gazetteer::from_bytes(&bytes).map_err(|e| format!("{name} is not a usable gazetteer: {e}"))
}

fn progress_bar(shown: bool, total: Option<u64>) -> ProgressBar {
    if !shown {
        return ProgressBar::hidden();
    }
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
            "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {msg}",
        ),
        None => (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            "{spinner} {elapsed_precise} {bytes} {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("0 documents");
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

#[derive(Clone, Copy)]
struct Settings {
    offsets: Offsets,
    tokens: bool,
}

/// What became of one job.
enum Outcome {
    /// The document's record, with its token and entity counts.
    Done {
        json: String,
        tokens: usize,
        entities: usize,
    },
    /// Why it failed, naming file (and line).
    Failed(String),
}

/// Parses (for JSONL), annotates and renders one job.
fn process(
    job: Job,
    annotator: &Annotator,
    gazetteer: Option<&Gazetteer>,
    settings: Settings,
) -> Outcome {
    let (id, text) = match job {
        Job::Failed(message) => return Outcome::Failed(message),
        Job::Text { name, bytes } => match String::from_utf8(bytes) {
            Ok(text) => (serde_json::Value::from(&*name), text),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.as_bytes();
                let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
                let col = at
                    - bytes[..at]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |i| i + 1);
                return Outcome::Failed(format!(
                    "{name}:{line}: invalid UTF-8 (byte {} of the line)",
                    col + 1
                ));
            }
        },
        Job::Line { name, line, bytes } => match parse_line(&bytes, &name, line) {
            Ok(parsed) => parsed,
            Err(why) => return Outcome::Failed(format!("{name}:{line}: {why}")),
        },
    };
    match annotator.try_annotate(&text) {
        Ok(doc) => Outcome::Done {
            json: {
                let mut json = output::record(&id, &text, &doc, settings.offsets, settings.tokens);
                if let Some(g) = gazetteer {
                    output::add_places(&mut json, &g.resolve(&text, &doc.entities));
                }
                json
            },
            tokens: doc.tokens.len(),
            entities: doc.entities.len(),
        },
        Err(e) => Outcome::Failed(format!("{id}: {e}")),
    }
}

/// The id and text of one JSONL line. A missing or `null` id becomes
/// `"FILE:LINE"`; other fields are ignored.
fn parse_line(
    bytes: &[u8],
    name: &str,
    line: usize,
) -> Result<(serde_json::Value, String), String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 (byte {} of the line)", e.valid_up_to() + 1))?;
    // A byte-order mark may start a file.
    let text = if line == 1 {
        text.strip_prefix('\u{feff}').unwrap_or(text)
    } else {
        text
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let serde_json::Value::Object(mut object) = value else {
        return Err(format!(
            "expected a JSON object {{\"id\": ..., \"text\": ...}}, found {}",
            kind(&value)
        ));
    };
    let text = match object.remove("text") {
        Some(serde_json::Value::String(text)) => text,
        Some(other) => return Err(format!("\"text\" must be a string, found {}", kind(&other))),
        None => return Err("no \"text\" field".to_string()),
    };
    let id = match object.remove("id") {
        None | Some(serde_json::Value::Null) => serde_json::Value::from(format!("{name}:{line}")),
        Some(id) => id,
    };
    Ok((id, text))
}

fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Counts for the summary line.
#[derive(Default)]
struct Totals {
    documents: usize,
    failed: usize,
    tokens: usize,
    entities: usize,
}

impl Totals {
    fn report(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let rate = if seconds > 0.0 {
            self.documents as f64 / seconds
        } else {
            0.0
        };
        eprintln!(
            "newsmark: {} documents, {} failed, {} tokens, {} entities, {seconds:.2} s, {rate:.1} documents/s",
            self.documents, self.failed, self.tokens, self.entities
        );
    }
}
