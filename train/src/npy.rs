//! A minimal reader and writer of NumPy `.npy` arrays (little-endian `f4`,
//! `i1`, `i4`, `u4`, C order): how the Python trainer hands weights to the
//! packer and how the feature extractor hands features to the trainer.

use std::fmt;
use std::path::{Path, PathBuf};

/// The values of an `.npy` array.
#[derive(Clone, Debug, PartialEq)]
pub enum NpyData {
    /// `<f4`.
    F32(Vec<f32>),
    /// `|i1`.
    I8(Vec<i8>),
    /// `<i4`.
    I32(Vec<i32>),
    /// `<u4`.
    U32(Vec<u32>),
}

impl NpyData {
    /// The NumPy type string of these values (`"<f4"`, ...).
    pub fn descr(&self) -> &'static str {
        match self {
            NpyData::F32(_) => "<f4",
            NpyData::I8(_) => "|i1",
            NpyData::I32(_) => "<i4",
            NpyData::U32(_) => "<u4",
        }
    }
}

/// An array read from an `.npy` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Npy {
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub data: NpyData,
}

/// What is wrong with an `.npy` file.
#[derive(Debug)]
#[non_exhaustive]
pub enum NpyProblem {
    /// The file could not be read.
    Read(std::io::Error),
    /// The file does not start with `\x93NUMPY`: it is not an `.npy` file.
    BadMagic,
    /// The format version is not 1, 2 or 3.
    UnsupportedVersion(u8),
    /// The file ends inside its header or its data.
    Truncated {
        /// The part that was cut short (`"header"`, `"data"`).
        part: &'static str,
        /// Bytes that part needs.
        needed: usize,
        /// Bytes that are there.
        found: usize,
    },
    /// The header is not the Python dict literal NumPy writes.
    BadHeader(String),
    /// The values are not of a type this reader knows (`<f4`, `|i1`, `<i4`, `<u4`).
    UnsupportedDtype(String),
    /// The array is stored in Fortran (column-major) order.
    FortranOrder,
    /// The array holds another type than the caller needs.
    WrongDtype {
        /// The type the caller needs.
        expected: &'static str,
        /// The type in the file.
        found: &'static str,
    },
}

impl fmt::Display for NpyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NpyProblem::Read(e) => write!(f, "cannot read it: {e}"),
            NpyProblem::BadMagic => {
                write!(f, "not a .npy file (it does not start with \\x93NUMPY)")
            }
            NpyProblem::UnsupportedVersion(v) => {
                write!(
                    f,
                    ".npy format version {v} is not supported (1, 2 or 3 are)"
                )
            }
            NpyProblem::Truncated {
                part,
                needed,
                found,
            } => write!(
                f,
                "the .npy file is truncated: its {part} needs {needed} bytes, {found} are there"
            ),
            NpyProblem::BadHeader(why) => write!(f, "bad .npy header: {why}"),
            NpyProblem::UnsupportedDtype(d) => write!(
                f,
                ".npy dtype `{d}` is not supported (<f4, |i1, <i4 and <u4 are)"
            ),
            NpyProblem::FortranOrder => {
                write!(
                    f,
                    "the .npy array is in Fortran order (only C order is read)"
                )
            }
            NpyProblem::WrongDtype { expected, found } => {
                write!(f, "the .npy array holds {found}, expected {expected}")
            }
        }
    }
}

/// A `.npy` file that could not be read, and which one.
#[derive(Debug)]
pub struct NpyError {
    /// The file (`None` when bytes were parsed without a file name).
    pub path: Option<PathBuf>,
    /// What is wrong with it.
    pub problem: NpyProblem,
}

impl NpyError {
    fn new(problem: NpyProblem) -> Self {
        NpyError {
            path: None,
            problem,
        }
    }
}

impl fmt::Display for NpyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{}: {}", path.display(), self.problem),
            None => write!(f, "{}", self.problem),
        }
    }
}

impl std::error::Error for NpyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.problem {
            NpyProblem::Read(e) => Some(e),
            _ => None,
        }
    }
}

/// Reads and parses the `.npy` file at `path`; an error names the file.
pub fn read_file(path: &Path) -> Result<Npy, NpyError> {
    let with_path = |problem| NpyError {
        path: Some(path.to_path_buf()),
        problem,
    };
    let bytes = std::fs::read(path).map_err(|e| with_path(NpyProblem::Read(e)))?;
    read(&bytes).map_err(|e| with_path(e.problem))
}

/// Reads the `.npy` file at `path`, which must hold `f32` values.
pub fn read_f32(path: &Path) -> Result<(Vec<usize>, Vec<f32>), NpyError> {
    let a = read_file(path)?;
    match a.data {
        NpyData::F32(v) => Ok((a.shape, v)),
        other => Err(wrong_dtype(path, "<f4", &other)),
    }
}

/// Reads the `.npy` file at `path`, which must hold `u32` values.
pub fn read_u32(path: &Path) -> Result<(Vec<usize>, Vec<u32>), NpyError> {
    let a = read_file(path)?;
    match a.data {
        NpyData::U32(v) => Ok((a.shape, v)),
        other => Err(wrong_dtype(path, "<u4", &other)),
    }
}

/// Reads the `.npy` file at `path`, which must hold `i8` values.
pub fn read_i8(path: &Path) -> Result<(Vec<usize>, Vec<i8>), NpyError> {
    let a = read_file(path)?;
    match a.data {
        NpyData::I8(v) => Ok((a.shape, v)),
        other => Err(wrong_dtype(path, "|i1", &other)),
    }
}

fn wrong_dtype(path: &Path, expected: &'static str, found: &NpyData) -> NpyError {
    NpyError {
        path: Some(path.to_path_buf()),
        problem: NpyProblem::WrongDtype {
            expected,
            found: found.descr(),
        },
    }
}

/// Parses the bytes of an `.npy` file.
pub fn read(bytes: &[u8]) -> Result<Npy, NpyError> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(NpyError::new(NpyProblem::BadMagic));
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        2 | 3 => {
            return Err(NpyError::new(NpyProblem::Truncated {
                part: "header",
                needed: 12,
                found: bytes.len(),
            }))
        }
        v => return Err(NpyError::new(NpyProblem::UnsupportedVersion(v))),
    };
    let header = bytes.get(start..start + header_len).ok_or_else(|| {
        NpyError::new(NpyProblem::Truncated {
            part: "header",
            needed: start + header_len,
            found: bytes.len(),
        })
    })?;
    let bad = |why: String| NpyError::new(NpyProblem::BadHeader(why));
    let header = std::str::from_utf8(header).map_err(|_| bad("it is not UTF-8".into()))?;
    let field = |key: &str| -> Result<&str, NpyError> {
        let at = header
            .find(&format!("'{key}':"))
            .ok_or_else(|| bad(format!("it has no '{key}' key")))?;
        Ok(header[at + key.len() + 3..].trim_start())
    };
    let descr = field("descr")?;
    let descr = descr.get(1..4).unwrap_or("");
    if field("fortran_order")?.starts_with("True") {
        return Err(NpyError::new(NpyProblem::FortranOrder));
    }
    let shape_src = field("shape")?;
    let close = shape_src
        .find(')')
        .ok_or_else(|| bad("its 'shape' is not a tuple".into()))?;
    let shape: Vec<usize> = shape_src[1..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| bad(format!("its 'shape' has a dimension `{s}`")))
        })
        .collect::<Result<_, _>>()?;
    let n = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| bad(format!("its shape {shape:?} overflows")))?;
    let body = &bytes[start + header_len..];
    let need = |size: usize| -> Result<&[u8], NpyError> {
        let needed = n.saturating_mul(size);
        body.get(..needed).ok_or_else(|| {
            NpyError::new(NpyProblem::Truncated {
                part: "data",
                needed,
                found: body.len(),
            })
        })
    };
    let data = match descr {
        "<f4" => NpyData::F32(
            need(4)?
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        "<i4" => NpyData::I32(
            need(4)?
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        "<u4" => NpyData::U32(
            need(4)?
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        "|i1" => NpyData::I8(need(1)?.iter().map(|&b| b as i8).collect()),
        other => {
            return Err(NpyError::new(NpyProblem::UnsupportedDtype(
                other.to_string(),
            )))
        }
    };
    Ok(Npy { shape, data })
}

/// The bytes of an `.npy` file (format 1.0) holding `data` with `shape`;
/// `descr` is the NumPy type string (`"<u4"`, `"<i4"`, `"|i1"`, `"<f4"`).
pub fn write(shape: &[usize], descr: &str, raw_le: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_str = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_str}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + raw_le.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(raw_le);
    out
}

/// [`write()`] for `u32` values.
pub fn write_u32(shape: &[usize], values: &[u32]) -> Vec<u8> {
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    write(shape, "<u4", &raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let bytes = write_u32(&[2, 3], &[1, 2, 3, 4, 5, 6]);
        let a = read(&bytes).unwrap();
        assert_eq!(a.shape, [2, 3]);
        assert_eq!(a.data, NpyData::U32(vec![1, 2, 3, 4, 5, 6]));
    }

    #[test]
    fn errors_say_it_is_a_bad_npy_file_and_which_one() {
        let dir = std::env::temp_dir().join(format!("newsmark-npy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("net.npy");
        std::fs::write(&path, b"NEWSMRK\0 not numpy at all").unwrap();
        let message = read_file(&path).unwrap_err().to_string();
        assert!(message.contains("net.npy"), "{message}");
        assert!(message.contains("not a .npy file"), "{message}");
        let mut cut = write_u32(&[4], &[1, 2, 3, 4]);
        cut.truncate(cut.len() - 3);
        std::fs::write(&path, &cut).unwrap();
        let message = read_u32(&path).unwrap_err().to_string();
        assert!(
            message.contains("net.npy") && message.contains("truncated"),
            "{message}"
        );
        std::fs::write(&path, write_u32(&[1], &[7])).unwrap();
        let message = read_f32(&path).unwrap_err().to_string();
        assert!(message.contains("holds <u4, expected <f4"), "{message}");
        let message = read_file(&dir.join("missing.npy")).unwrap_err().to_string();
        assert!(message.contains("missing.npy: cannot read it"), "{message}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
