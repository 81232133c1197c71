//! Reading and writing the section container of a `.nmm` model file.

use super::ModelError;

/// The first eight bytes of every model file.
pub const MAGIC: &[u8; 8] = b"NEWSMRK\0";
/// The container format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

const HEADER_LEN: usize = 8 + 4 + 8 + 8;

const KIND_F32: u8 = 0;
const KIND_I8_ROWS: u8 = 1;
const KIND_U32S: u8 = 2;
const KIND_STRINGS: u8 = 3;

/// One named section of a model file.
#[derive(Clone, Debug, PartialEq)]
pub enum Section {
    /// A dense `f32` tensor (row-major).
    F32 {
        /// Dimensions.
        shape: Vec<usize>,
        /// `shape.iter().product()` values.
        data: Vec<f32>,
    },
    /// A `rows x cols` matrix of `i8`, row `r` scaled by `scales[r]`.
    I8Rows {
        /// Number of rows.
        rows: usize,
        /// Number of columns.
        cols: usize,
        /// `rows * cols` quantized values.
        data: Vec<i8>,
        /// One scale per row.
        scales: Vec<f32>,
    },
    /// A list of integers.
    U32s(Vec<u32>),
    /// A list of strings.
    Strings(Vec<String>),
}

/// 64-bit FNV-1a hash, the file's checksum.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A parsed model file: its sections by name, in file order.
#[derive(Clone, Debug, Default)]
pub struct ModelFile {
    sections: Vec<(String, Section)>,
}

impl ModelFile {
    /// Parses and verifies (magic, version, length, checksum) a model file.
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        if bytes.len() < MAGIC.len() {
            return Err(if MAGIC.starts_with(bytes) {
                ModelError::Truncated { what: "header" }
            } else {
                ModelError::BadMagic
            });
        }
        if &bytes[..8] != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let mut r = Reader { bytes, at: 8 };
        let version = r.u32("header")?;
        if version != FORMAT_VERSION {
            return Err(ModelError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let length = r.u64("header")?;
        let checksum = r.u64("header")?;
        let payload = &bytes[HEADER_LEN..];
        if (payload.len() as u64) < length {
            return Err(ModelError::Truncated { what: "payload" });
        }
        if payload.len() as u64 != length {
            return Err(ModelError::Invalid(format!(
                "{} bytes after the declared end of the payload",
                payload.len() as u64 - length
            )));
        }
        if fnv1a64(payload) != checksum {
            return Err(ModelError::ChecksumMismatch);
        }
        let mut r = Reader {
            bytes: payload,
            at: 0,
        };
        let count = r.u32("section count")? as usize;
        let mut sections = Vec::new();
        for index in 0..count {
            let name_len = r.u16("section name")? as usize;
            let name = std::str::from_utf8(r.take(name_len, "section name")?)
                .map_err(|_| {
                    ModelError::Invalid(format!("the name of section {index} is not UTF-8"))
                })?
                .to_string();
            let too_big = || ModelError::Invalid(format!("the size of `{name}` overflows"));
            let section = match r.u8("section kind")? {
                KIND_F32 => {
                    let shape = r.shape()?;
                    let n = checked_product(&shape).ok_or_else(too_big)?;
                    let raw = r.take(n.checked_mul(4).ok_or_else(too_big)?, "f32 tensor")?;
                    let data = raw
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect();
                    Section::F32 { shape, data }
                }
                KIND_I8_ROWS => {
                    let rows = r.u32("i8 tensor")? as usize;
                    let cols = r.u32("i8 tensor")? as usize;
                    let n = rows.checked_mul(cols).ok_or_else(too_big)?;
                    let raw = r.take(rows.checked_mul(4).ok_or_else(too_big)?, "i8 scales")?;
                    let scales: Vec<f32> = raw
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect();
                    let data = r.take(n, "i8 tensor")?.iter().map(|&b| b as i8).collect();
                    Section::I8Rows {
                        rows,
                        cols,
                        data,
                        scales,
                    }
                }
                KIND_U32S => {
                    let n = r.u32("u32 list")? as usize;
                    let raw = r.take(n.checked_mul(4).ok_or_else(too_big)?, "u32 list")?;
                    Section::U32s(
                        raw.chunks_exact(4)
                            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                            .collect(),
                    )
                }
                KIND_STRINGS => {
                    let n = r.u32("string list")? as usize;
                    let mut out = Vec::with_capacity(n.min(1 << 16));
                    for _ in 0..n {
                        let len = r.u32("string list")? as usize;
                        let s = std::str::from_utf8(r.take(len, "string list")?).map_err(|_| {
                            ModelError::Invalid(format!("a string of `{name}` is not UTF-8"))
                        })?;
                        out.push(s.to_string());
                    }
                    Section::Strings(out)
                }
                other => {
                    return Err(ModelError::Invalid(format!(
                        "section `{name}` has unknown kind {other}"
                    )))
                }
            };
            sections.push((name, section));
        }
        if r.at != payload.len() {
            return Err(ModelError::Invalid(format!(
                "{} bytes after the last of the {count} sections",
                payload.len() - r.at
            )));
        }
        Ok(ModelFile { sections })
    }

    /// The section called `name`.
    pub fn get(&self, name: &str) -> Result<&Section, ModelError> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
            .ok_or_else(|| ModelError::MissingSection(name.to_string()))
    }

    /// Moves the data of the int8 matrix `name` out of the file (the
    /// section is left empty): the embedding tables are most of a model, and
    /// moving them rather than copying keeps the memory of a load close to
    /// one model's size. `None` if there is no such int8 section.
    pub(crate) fn take_i8_rows(&mut self, name: &str) -> Option<(Vec<i8>, Vec<f32>)> {
        self.sections.iter_mut().find_map(|(n, s)| match s {
            Section::I8Rows { data, scales, .. } if n == name => {
                Some((std::mem::take(data), std::mem::take(scales)))
            }
            _ => None,
        })
    }

    /// True if the file has a section called `name`.
    pub fn has(&self, name: &str) -> bool {
        self.sections.iter().any(|(n, _)| n == name)
    }

    /// The `f32` tensor `name`, checked to have exactly `shape`.
    pub fn f32(&self, name: &str, shape: &[usize]) -> Result<&[f32], ModelError> {
        match self.get(name)? {
            Section::F32 { shape: s, data } if s == shape => Ok(data),
            Section::F32 { shape: s, .. } => Err(ModelError::Invalid(format!(
                "`{name}` has shape {s:?}, expected {shape:?}"
            ))),
            _ => Err(ModelError::Invalid(format!(
                "`{name}` is not an f32 tensor"
            ))),
        }
    }

    /// The `rows x cols` matrix `name` as `f32`, row-major: either an `f32`
    /// tensor of that shape or an int8 matrix with one scale per row
    /// (dequantized here, once, at load time).
    pub fn matrix(&self, name: &str, rows: usize, cols: usize) -> Result<Vec<f32>, ModelError> {
        match self.get(name)? {
            Section::I8Rows {
                rows: r,
                cols: c,
                data,
                scales,
            } if *r == rows && *c == cols && data.len() == rows * cols && scales.len() == rows => {
                Ok(data
                    .chunks_exact(cols.max(1))
                    .zip(scales)
                    .flat_map(|(row, &scale)| row.iter().map(move |&q| f32::from(q) * scale))
                    .collect())
            }
            Section::I8Rows {
                rows: r, cols: c, ..
            } => Err(ModelError::Invalid(format!(
                "`{name}` is {r} x {c}, expected {rows} x {cols}"
            ))),
            _ => self.f32(name, &[rows, cols]).map(<[f32]>::to_vec),
        }
    }

    /// The `u32` list `name`.
    pub fn u32s(&self, name: &str) -> Result<&[u32], ModelError> {
        match self.get(name)? {
            Section::U32s(v) => Ok(v),
            _ => Err(ModelError::Invalid(format!("`{name}` is not a u32 list"))),
        }
    }

    /// The string list `name`.
    pub fn strings(&self, name: &str) -> Result<&[String], ModelError> {
        match self.get(name)? {
            Section::Strings(v) => Ok(v),
            _ => Err(ModelError::Invalid(format!(
                "`{name}` is not a string list"
            ))),
        }
    }

    /// All sections, in file order.
    #[cfg(feature = "train")]
    pub fn sections(&self) -> &[(String, Section)] {
        &self.sections
    }
}

fn checked_product(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d))
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'b [u8], ModelError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or(ModelError::Truncated { what })?;
        let out = self
            .bytes
            .get(self.at..end)
            .ok_or(ModelError::Truncated { what })?;
        self.at = end;
        Ok(out)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, ModelError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, ModelError> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, ModelError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, what: &'static str) -> Result<u64, ModelError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn shape(&mut self) -> Result<Vec<usize>, ModelError> {
        let ndim = self.u8("tensor shape")? as usize;
        (0..ndim)
            .map(|_| Ok(self.u32("tensor shape")? as usize))
            .collect()
    }
}

/// Builds a model file section by section (used by the trainer's packer).
#[cfg(feature = "train")]
#[derive(Clone, Debug, Default)]
pub struct ModelWriter {
    sections: Vec<(String, Section)>,
}

#[cfg(feature = "train")]
impl ModelWriter {
    /// An empty model file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a section (names should be unique; the first one wins on reading).
    pub fn add(&mut self, name: &str, section: Section) -> &mut Self {
        self.sections.push((name.to_string(), section));
        self
    }

    /// The bytes of the finished file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        for (name, section) in &self.sections {
            p.extend_from_slice(&(name.len() as u16).to_le_bytes());
            p.extend_from_slice(name.as_bytes());
            match section {
                Section::F32 { shape, data } => {
                    p.push(KIND_F32);
                    p.push(shape.len() as u8);
                    for &d in shape {
                        p.extend_from_slice(&(d as u32).to_le_bytes());
                    }
                    for v in data {
                        p.extend_from_slice(&v.to_le_bytes());
                    }
                }
                Section::I8Rows {
                    rows,
                    cols,
                    data,
                    scales,
                } => {
                    p.push(KIND_I8_ROWS);
                    p.extend_from_slice(&(*rows as u32).to_le_bytes());
                    p.extend_from_slice(&(*cols as u32).to_le_bytes());
                    for v in scales {
                        p.extend_from_slice(&v.to_le_bytes());
                    }
                    p.extend(data.iter().map(|&v| v as u8));
                }
                Section::U32s(v) => {
                    p.push(KIND_U32S);
                    p.extend_from_slice(&(v.len() as u32).to_le_bytes());
                    for x in v {
                        p.extend_from_slice(&x.to_le_bytes());
                    }
                }
                Section::Strings(v) => {
                    p.push(KIND_STRINGS);
                    p.extend_from_slice(&(v.len() as u32).to_le_bytes());
                    for s in v {
                        p.extend_from_slice(&(s.len() as u32).to_le_bytes());
                        p.extend_from_slice(s.as_bytes());
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(HEADER_LEN + p.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(p.len() as u64).to_le_bytes());
        out.extend_from_slice(&fnv1a64(&p).to_le_bytes());
        out.extend_from_slice(&p);
        out
    }
}
