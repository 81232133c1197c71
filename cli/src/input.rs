//! Reading the inputs as a stream of jobs, a bounded batch at a time.
//!
//! A job is one document to annotate: a whole plain-text file, or one line of
//! a JSONL file (still unparsed, so the parsing runs in parallel too), or a
//! fault found while reading (an oversized line, a file that cannot be
//! opened), kept in its place so that messages come out in input order.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::Arc;

/// How an input is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The whole input is one document; its id is its name.
    Text,
    /// One JSON object per line, `{"id": ..., "text": ...}`.
    Jsonl,
}

/// One input: a file, or standard input (`path` is `None`).
#[derive(Debug)]
pub struct Input {
    /// How messages and ids name it: the path as given, or `-`.
    pub name: Arc<str>,
    pub path: Option<PathBuf>,
    pub format: Format,
}

impl Input {
    /// The input for a command-line argument: `-` is standard input; a name
    /// ending in `.jsonl` (any case) is JSONL, and so is every input when
    /// `jsonl` is set.
    pub fn from_arg(arg: &str, jsonl: bool) -> Input {
        let is_jsonl = jsonl || arg.to_ascii_lowercase().ends_with(".jsonl");
        Input {
            name: Arc::from(arg),
            path: (arg != "-").then(|| PathBuf::from(arg)),
            format: if is_jsonl {
                Format::Jsonl
            } else {
                Format::Text
            },
        }
    }

    /// Its size in bytes when it is a regular file (for the progress bar).
    pub fn size(&self) -> Option<u64> {
        let meta = std::fs::metadata(self.path.as_ref()?).ok()?;
        meta.is_file().then_some(meta.len())
    }

    fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        Ok(match &self.path {
            Some(path) => Box::new(File::open(path)?),
            None => Box::new(io::stdin()),
        })
    }
}

/// One unit of work, in input order.
#[derive(Debug)]
pub enum Job {
    /// A whole plain-text input, not yet checked for UTF-8.
    Text { name: Arc<str>, bytes: Vec<u8> },
    /// One non-blank line of a JSONL input (without its line break).
    Line {
        name: Arc<str>,
        line: usize,
        bytes: Vec<u8>,
    },
    /// A fault found while reading; the message names the file (and line).
    Failed(String),
}

impl Job {
    fn weight(&self) -> usize {
        match self {
            Job::Text { bytes, .. } | Job::Line { bytes, .. } => bytes.len(),
            Job::Failed(_) => 0,
        }
    }
}

/// A batch of jobs and how many input bytes reading them consumed.
pub struct Batch {
    pub jobs: Vec<Job>,
    pub bytes_read: u64,
}

/// The JSONL input being read.
struct Lines {
    name: Arc<str>,
    reader: BufReader<Box<dyn Read + Send>>,
    line: usize,
}

/// Turns the inputs into batches of jobs.
pub struct Reader {
    inputs: std::vec::IntoIter<Input>,
    current: Option<Lines>,
    /// The longest JSONL line accepted, in bytes.
    max_line_bytes: usize,
    /// The longest plain-text input accepted, in bytes.
    max_text_bytes: usize,
    bytes_read: u64,
}

impl Reader {
    pub fn new(inputs: Vec<Input>, max_line_bytes: usize, max_text_bytes: usize) -> Reader {
        Reader {
            inputs: inputs.into_iter(),
            current: None,
            max_line_bytes,
            max_text_bytes,
            bytes_read: 0,
        }
    }

    /// The next batch: up to `max_jobs` jobs, ending early once it holds
    /// `max_bytes` bytes of text (a larger document is a batch of its own).
    /// `None` when every input is read.
    pub fn next_batch(&mut self, max_jobs: usize, max_bytes: usize) -> Option<Batch> {
        let mut jobs = Vec::new();
        let mut weight = 0;
        let start = self.bytes_read;
        while jobs.len() < max_jobs && weight < max_bytes {
            let Some(job) = self.next_job() else { break };
            weight += job.weight();
            jobs.push(job);
        }
        (!jobs.is_empty()).then(|| Batch {
            jobs,
            bytes_read: self.bytes_read - start,
        })
    }

    fn next_job(&mut self) -> Option<Job> {
        loop {
            if self.current.is_some() {
                match self.read_jsonl_line() {
                    Some(job) => return Some(job),
                    None => {
                        self.current = None;
                        continue;
                    }
                }
            }
            let input = self.inputs.next()?;
            match input.format {
                Format::Text => return Some(self.read_text(input)),
                Format::Jsonl => match input.open() {
                    Ok(read) => {
                        self.current = Some(Lines {
                            name: input.name,
                            reader: BufReader::with_capacity(1 << 16, read),
                            line: 0,
                        })
                    }
                    Err(e) => {
                        return Some(Job::Failed(format!("{}: cannot open: {e}", input.name)))
                    }
                },
            }
        }
    }

    /// A whole plain-text input, unless it is over the limit or unreadable.
    fn read_text(&mut self, input: Input) -> Job {
        let name = input.name.clone();
        let too_large = |bytes: String| {
            Job::Failed(format!(
                "{name}: the file is {bytes} bytes, over the limit of {} bytes for one document",
                self.max_text_bytes
            ))
        };
        if let Some(size) = input.size() {
            if size > self.max_text_bytes as u64 {
                self.bytes_read += size;
                return too_large(size.to_string());
            }
        }
        let read = match input.open() {
            Ok(read) => read,
            Err(e) => return Job::Failed(format!("{name}: cannot open: {e}")),
        };
        let mut bytes = Vec::new();
        let limit = self.max_text_bytes as u64 + 1;
        if let Err(e) = read.take(limit).read_to_end(&mut bytes) {
            return Job::Failed(format!("{name}: cannot read: {e}"));
        }
        self.bytes_read += bytes.len() as u64;
        if bytes.len() > self.max_text_bytes {
            return too_large("more than that".to_string());
        }
        Job::Text { name, bytes }
    }

    /// The next job of the current JSONL input; `None` at its end. Blank
    /// lines are skipped.
    fn read_jsonl_line(&mut self) -> Option<Job> {
        let lines = self.current.as_mut()?;
        let mut buf = Vec::new();
        loop {
            lines.line += 1;
            let read = read_line_bounded(&mut lines.reader, &mut buf, self.max_line_bytes);
            match read {
                Ok((ReadLine::Eof, _)) => return None,
                Ok((ReadLine::Line, consumed)) => {
                    self.bytes_read += consumed as u64;
                    if buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(Job::Line {
                        name: lines.name.clone(),
                        line: lines.line,
                        bytes: buf,
                    });
                }
                Ok((ReadLine::TooLong(len), consumed)) => {
                    self.bytes_read += consumed as u64;
                    return Some(Job::Failed(format!(
                        "{}:{}: the line is {len} bytes, over the limit of {} bytes \
                         (--max-line-bytes)",
                        lines.name, lines.line, self.max_line_bytes
                    )));
                }
                Err(e) => {
                    let job = Job::Failed(format!(
                        "{}:{}: cannot read: {e}; the rest of the file is skipped",
                        lines.name, lines.line
                    ));
                    self.current = None;
                    return Some(job);
                }
            }
        }
    }
}

/// What [`read_line_bounded`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadLine {
    /// The input had ended: no line.
    Eof,
    /// A line, now in the buffer without its line break (`\n` or `\r\n`).
    Line,
    /// A line longer than the limit, of this many bytes: it was read
    /// through and dropped, and the buffer is empty.
    TooLong(usize),
}

/// Reads one line into `buf`, keeping at most `max` bytes of it in memory
/// (a longer line is skipped to its end). Also returns the bytes consumed.
pub fn read_line_bounded(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<(ReadLine, usize)> {
    buf.clear();
    let mut consumed = 0;
    let mut len = 0;
    let mut too_long = false;
    let mut last = None;
    loop {
        let (used, done) = {
            let chunk = match reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                if consumed == 0 {
                    return Ok((ReadLine::Eof, 0));
                }
                break;
            }
            let (piece, used, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (&chunk[..i], i + 1, true),
                None => (chunk, chunk.len(), false),
            };
            len += piece.len();
            if let Some(&b) = piece.last() {
                last = Some(b);
            }
            if !too_long {
                // `\r` of a `\r\n` ending may still be in `buf`: allow one byte over.
                if len > max.saturating_add(1) {
                    too_long = true;
                    *buf = Vec::new();
                } else {
                    buf.extend_from_slice(piece);
                }
            }
            (used, done)
        };
        reader.consume(used);
        consumed += used;
        if done {
            break;
        }
    }
    if last == Some(b'\r') {
        len -= 1;
        buf.pop();
    }
    if too_long || len > max {
        *buf = Vec::new();
        return Ok((ReadLine::TooLong(len), consumed));
    }
    Ok((ReadLine::Line, consumed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &str, max: usize) -> Vec<(ReadLine, String)> {
        let mut reader = BufReader::with_capacity(4, input.as_bytes());
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            let (read, _) = read_line_bounded(&mut reader, &mut buf, max).unwrap();
            if read == ReadLine::Eof {
                return out;
            }
            out.push((read, String::from_utf8(buf.clone()).unwrap()));
        }
    }

    #[test]
    fn lines_are_cut_at_breaks_and_long_ones_dropped() {
        let got = lines("abc\r\nlong line here\n\nxyz", 5);
        assert_eq!(
            got,
            [
                (ReadLine::Line, "abc".to_string()),
                (ReadLine::TooLong(14), String::new()),
                (ReadLine::Line, String::new()),
                (ReadLine::Line, "xyz".to_string()),
            ]
        );
        // Exactly at the limit, with or without `\r`.
        assert_eq!(
            lines("abcde\r\n", 5),
            [(ReadLine::Line, "abcde".to_string())]
        );
        assert_eq!(
            lines("abcdef\r\n", 5),
            [(ReadLine::TooLong(6), String::new())]
        );
    }
}
