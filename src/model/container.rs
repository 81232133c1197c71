//! Reading and writing the section container of a `.nmm` model file.

use super::ModelError;

/// The first eight bytes of every model file.
pub const MAGIC: &[u8; 8] = b"NEWSMRK\0";
/// The container format version this build writes. It also reads versions 1
/// (FNV-1a instead of XXH3 as the checksum) and 2 (no lines sections).
pub const FORMAT_VERSION: u32 = 3;

const HEADER_LEN: usize = 8 + 4 + 8 + 8;

const KIND_F32: u8 = 0;
const KIND_I8_ROWS: u8 = 1;
const KIND_U32S: u8 = 2;
const KIND_STRINGS: u8 = 3;
const KIND_I4_ROWS: u8 = 4;
/// Strings without a line break, stored joined by `\n` (no length per string).
const KIND_LINES: u8 = 5;

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
    /// A `rows x cols` matrix of signed 4-bit values in `-7..=7`, row `r`
    /// scaled by `scales[r]` (build one from its values with
    /// [`Section::i4_rows`]).
    ///
    /// `packed` holds the rows one after another, each in
    /// `cols.div_ceil(2)` bytes: value `2j` of a row in the low nibble of its
    /// byte `j`, value `2j + 1` in the high nibble, each nibble a two's
    /// complement number (`0x8`, which would be -8, is not allowed); a row
    /// of odd length ends with a zero nibble. In the file the scales are
    /// `f16` (rounded to the nearest one on writing).
    I4Rows {
        /// Number of rows.
        rows: usize,
        /// Number of columns.
        cols: usize,
        /// `rows * cols.div_ceil(2)` bytes, two values each.
        packed: Vec<u8>,
        /// One scale per row.
        scales: Vec<f32>,
    },
    /// A list of integers.
    U32s(Vec<u32>),
    /// A list of strings.
    Strings(StringList),
}

/// A list of strings kept in one buffer: a model's word list of tens of
/// thousands of entries costs a few allocations to load, not one per word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StringList {
    text: String,
    /// Where each string lies in `text`.
    bounds: Vec<(u32, u32)>,
}

impl StringList {
    /// Number of strings.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// True for an empty list.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// The strings in order.
    pub fn iter(&self) -> Strings<'_> {
        Strings {
            text: &self.text,
            bounds: self.bounds.iter(),
        }
    }

    /// Appends `s`; `None` (and nothing appended) once the list would pass 4 GiB.
    fn push(&mut self, s: &str) -> Option<()> {
        let start = u32::try_from(self.text.len()).ok()?;
        let end = u32::try_from(self.text.len() + s.len()).ok()?;
        self.text.push_str(s);
        self.bounds.push((start, end));
        Some(())
    }

    /// The lines of `text` (split at each `\n`, which no line then holds).
    fn lines(text: &str) -> Option<StringList> {
        let mut bounds = Vec::new();
        let mut start = 0;
        // A plain scan: the lines are words, too short for `memchr` to pay.
        let breaks = text.bytes().enumerate().filter(|&(_, b)| b == b'\n');
        for (i, _) in breaks.chain(std::iter::once((text.len(), b'\n'))) {
            bounds.push((u32::try_from(start).ok()?, u32::try_from(i).ok()?));
            start = i + 1;
        }
        Some(StringList {
            text: text.to_string(),
            bounds,
        })
    }
}

/// The strings of a [`StringList`], in order.
#[derive(Clone, Debug)]
pub struct Strings<'a> {
    text: &'a str,
    bounds: std::slice::Iter<'a, (u32, u32)>,
}

impl<'a> Iterator for Strings<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let &(start, end) = self.bounds.next()?;
        Some(&self.text[start as usize..end as usize])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.bounds.size_hint()
    }
}

impl ExactSizeIterator for Strings<'_> {}

impl<'a> IntoIterator for &'a StringList {
    type Item = &'a str;
    type IntoIter = Strings<'a>;

    fn into_iter(self) -> Strings<'a> {
        self.iter()
    }
}

/// A list of the strings of `iter` (panics past 4 GiB, which no model holds).
impl<S: AsRef<str>> FromIterator<S> for StringList {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut list = StringList::default();
        for s in iter {
            list.push(s.as_ref())
                .expect("a string list of at most 4 GiB");
        }
        list
    }
}

#[cfg(feature = "internals")]
impl Section {
    /// A [`Section::I4Rows`] of `rows x cols` values in `-7..=7` (row-major)
    /// with one scale per row (stored as `f16`: give scales that are `f16`
    /// numbers, as the trainer does, to keep them exact).
    pub fn i4_rows(
        rows: usize,
        cols: usize,
        values: &[i8],
        scales: Vec<f32>,
    ) -> Result<Section, ModelError> {
        if scales.len() != rows {
            return Err(ModelError::Invalid(format!(
                "{} scales for {rows} rows",
                scales.len()
            )));
        }
        let packed = pack_i4(values, rows, cols).ok_or_else(|| {
            ModelError::Invalid(format!(
                "{} values for a {rows} x {cols} matrix of 4-bit values, or one outside -7..=7",
                values.len()
            ))
        })?;
        Ok(Section::I4Rows {
            rows,
            cols,
            packed,
            scales,
        })
    }

    /// The values of a [`Section::I4Rows`], row-major (`None` for another kind).
    pub fn i4_values(&self) -> Option<Vec<i8>> {
        match self {
            Section::I4Rows { cols, packed, .. } => Some(unpack_i4(packed, *cols)),
            _ => None,
        }
    }
}

/// The checksum of a model file's payload in format `version` (1: 64-bit
/// FNV-1a, one byte at a time; 2: XXH3-64, eight bytes at a time and about
/// ten times faster, which matters at every page load; 3 and later: XXH3-64
/// seeded with the version, so a file whose version field changed no longer
/// matches its checksum).
pub fn checksum(version: u32, payload: &[u8]) -> u64 {
    match version {
        1 => fnv1a64(payload),
        2 => xxhash_rust::xxh3::xxh3_64(payload),
        v => xxhash_rust::xxh3::xxh3_64_with_seed(payload, u64::from(v)),
    }
}

/// 64-bit FNV-1a hash, the checksum of format version 1.
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
        if !(1..=FORMAT_VERSION).contains(&version) {
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
        if self::checksum(version, payload) != checksum {
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
                KIND_I4_ROWS => {
                    let rows = r.u32("i4 tensor")? as usize;
                    let cols = r.u32("i4 tensor")? as usize;
                    let n = rows.checked_mul(cols.div_ceil(2)).ok_or_else(too_big)?;
                    let raw = r.take(rows.checked_mul(2).ok_or_else(too_big)?, "i4 scales")?;
                    let scales: Vec<f32> = raw
                        .chunks_exact(2)
                        .map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])))
                        .collect();
                    if scales.iter().any(|s| !s.is_finite()) {
                        return Err(ModelError::Invalid(format!(
                            "`{name}` has a scale that is not a finite number"
                        )));
                    }
                    let packed = r.take(n, "i4 tensor")?.to_vec();
                    check_i4(&packed, cols).map_err(|why| {
                        ModelError::Invalid(format!("`{name}` is not a valid 4-bit matrix: {why}"))
                    })?;
                    Section::I4Rows {
                        rows,
                        cols,
                        packed,
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
                    let mut out = StringList::default();
                    out.bounds.reserve(n.min(1 << 16));
                    for _ in 0..n {
                        let len = r.u32("string list")? as usize;
                        let s = std::str::from_utf8(r.take(len, "string list")?).map_err(|_| {
                            ModelError::Invalid(format!("a string of `{name}` is not UTF-8"))
                        })?;
                        out.push(s).ok_or_else(too_big)?;
                    }
                    Section::Strings(out)
                }
                KIND_LINES => {
                    let n = r.u32("lines")? as usize;
                    let len = r.u32("lines")? as usize;
                    let text = std::str::from_utf8(r.take(len, "lines")?).map_err(|_| {
                        ModelError::Invalid(format!("the lines of `{name}` are not UTF-8"))
                    })?;
                    let lines = match n {
                        0 if text.is_empty() => StringList::default(),
                        _ => StringList::lines(text).ok_or_else(too_big)?,
                    };
                    if lines.len() != n {
                        return Err(ModelError::Invalid(format!(
                            "`{name}` declares {n} lines and holds {}",
                            lines.len()
                        )));
                    }
                    Section::Strings(lines)
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

    /// Moves the packed values and the scales of the 4-bit matrix `name`
    /// out of the file, as [`ModelFile::take_i8_rows`] does for int8 ones.
    pub(crate) fn take_i4_rows(&mut self, name: &str) -> Option<(Vec<u8>, Vec<f32>)> {
        self.sections.iter_mut().find_map(|(n, s)| match s {
            Section::I4Rows { packed, scales, .. } if n == name => {
                Some((std::mem::take(packed), std::mem::take(scales)))
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
    pub fn strings(&self, name: &str) -> Result<&StringList, ModelError> {
        match self.get(name)? {
            Section::Strings(v) => Ok(v),
            _ => Err(ModelError::Invalid(format!(
                "`{name}` is not a string list"
            ))),
        }
    }

    /// All sections, in file order.
    #[cfg(feature = "internals")]
    pub fn sections(&self) -> &[(String, Section)] {
        &self.sections
    }
}

/// The value of a 4-bit code (the low nibble of `nibble`, two's complement).
#[inline(always)]
pub(crate) fn i4_value(nibble: u8) -> i8 {
    ((nibble << 4) as i8) >> 4
}

/// Checks packed 4-bit rows of `cols` values (see [`Section::I4Rows`]): no
/// nibble is `0x8` (-8), and a row of odd length ends with a zero nibble.
fn check_i4(packed: &[u8], cols: usize) -> Result<(), String> {
    // Blocks folded without a branch per byte, so that the loop vectorises
    // (this check ran over every byte of the tables at each load).
    let minus_eight = |b: u8| u8::from(b & 0x0f == 0x08) | u8::from(b & 0xf0 == 0x80);
    if packed
        .chunks(256)
        .any(|block| block.iter().fold(0, |seen, &b| seen | minus_eight(b)) != 0)
    {
        return Err("a value is -8 (4-bit values are -7..=7)".into());
    }
    let stride = cols.div_ceil(2);
    if cols % 2 == 1
        && packed
            .chunks_exact(stride)
            .any(|row| row[stride - 1] >> 4 != 0)
    {
        return Err("a row of odd length does not end with a zero nibble".into());
    }
    Ok(())
}

/// Packs `rows x cols` values in `-7..=7` (row-major) as [`Section::I4Rows`]
/// stores them; `None` if a value is out of range or `values` is not
/// `rows * cols` long.
#[cfg(any(test, feature = "internals"))]
pub(crate) fn pack_i4(values: &[i8], rows: usize, cols: usize) -> Option<Vec<u8>> {
    if rows.checked_mul(cols)? != values.len() || values.iter().any(|v| !(-7..=7).contains(v)) {
        return None;
    }
    let mut out = Vec::with_capacity(rows * cols.div_ceil(2));
    for row in values.chunks_exact(cols.max(1)).take(rows) {
        for pair in row.chunks(2) {
            let lo = pair[0] as u8 & 0x0f;
            let hi = pair.get(1).map_or(0, |&v| v as u8 & 0x0f);
            out.push(lo | hi << 4);
        }
    }
    Some(out)
}

/// The values of `rows` packed 4-bit rows of `cols` values, row-major.
#[cfg(any(test, feature = "internals"))]
pub(crate) fn unpack_i4(packed: &[u8], cols: usize) -> Vec<i8> {
    let stride = cols.div_ceil(2);
    if stride == 0 {
        return Vec::new();
    }
    packed
        .chunks_exact(stride)
        .flat_map(|row| {
            row.iter()
                .flat_map(|&b| [i4_value(b), i4_value(b >> 4)])
                .take(cols)
        })
        .collect()
}

/// The `f32` value of the IEEE 754 half-precision number with bits `h`
/// (exact: every half-precision number is an `f32`).
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x03ff);
    match exp {
        // Subnormal (or zero): `man` units of 2^-24.
        0 => f32::from_bits((man as f32 * f32::from_bits(0x3380_0000)).to_bits() | sign),
        0x1f if man == 0 => f32::from_bits(sign | 0x7f80_0000),
        0x1f => f32::NAN,
        // Normal: the exponent rebiased from 15 to 127, the mantissa widened.
        _ => f32::from_bits(sign | ((exp + 112) << 23) | (man << 13)),
    }
}

/// The half-precision number nearest to `x` (ties to even; too large a
/// number becomes infinite), as bits.
#[cfg(any(test, feature = "internals"))]
pub(crate) fn f32_to_f16(x: f32) -> u16 {
    let b = x.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let exp = ((b >> 23) & 0xff) as i32;
    let man = b & 0x007f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man != 0 { 0x0200 } else { 0 };
    }
    // The exponent in half precision's bias.
    let e = exp - 127 + 15;
    // The 24-bit significand (an f32 subnormal is far below f16's range).
    let sig = if exp == 0 { man } else { man | 0x0080_0000 };
    // Bits to drop: 13 for a normal result, more for a subnormal one.
    let shift = if e >= 1 { 13 } else { 14 - e };
    if shift > 24 {
        return sign;
    }
    let shift = shift as u32;
    let kept = sig >> shift;
    let rest = sig & ((1 << shift) - 1);
    let half = 1 << (shift - 1);
    let rounded = kept + u32::from(rest > half || (rest == half && kept & 1 == 1));
    // For a normal result `rounded` still has its implicit bit (value
    // 0x400): adding the exponent one lower puts it back, and a carry out
    // of the significand moves on into the exponent, up to infinity.
    let bits = if e >= 1 {
        ((e as u32 - 1) << 10) + rounded
    } else {
        rounded
    };
    sign | bits.min(0x7c00) as u16
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
#[cfg(feature = "internals")]
#[derive(Clone, Debug, Default)]
pub struct ModelWriter {
    sections: Vec<(String, Section)>,
}

#[cfg(feature = "internals")]
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
                Section::I4Rows {
                    rows,
                    cols,
                    packed,
                    scales,
                } => {
                    p.push(KIND_I4_ROWS);
                    p.extend_from_slice(&(*rows as u32).to_le_bytes());
                    p.extend_from_slice(&(*cols as u32).to_le_bytes());
                    for &v in scales {
                        p.extend_from_slice(&f32_to_f16(v).to_le_bytes());
                    }
                    p.extend_from_slice(packed);
                }
                Section::U32s(v) => {
                    p.push(KIND_U32S);
                    p.extend_from_slice(&(v.len() as u32).to_le_bytes());
                    for x in v {
                        p.extend_from_slice(&x.to_le_bytes());
                    }
                }
                // The compact form when no string holds a line break (a
                // list of one empty string would read back as no lines).
                Section::Strings(v)
                    if !v.iter().any(|s| s.contains('\n')) && !v.iter().eq([""]) =>
                {
                    let text = v.iter().collect::<Vec<_>>().join("\n");
                    p.push(KIND_LINES);
                    p.extend_from_slice(&(v.len() as u32).to_le_bytes());
                    p.extend_from_slice(&(text.len() as u32).to_le_bytes());
                    p.extend_from_slice(text.as_bytes());
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
        out.extend_from_slice(&checksum(FORMAT_VERSION, &p).to_le_bytes());
        out.extend_from_slice(&p);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of format `version` with `payload` and the checksum that
    /// version uses.
    fn file_of(version: u32, payload: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&checksum(version, payload).to_le_bytes());
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn every_format_version_reads_and_others_do_not() {
        // One u32 list section named "n".
        let mut payload = 1u32.to_le_bytes().to_vec();
        payload.extend_from_slice(&1u16.to_le_bytes());
        payload.push(b'n');
        payload.push(KIND_U32S);
        payload.extend_from_slice(&2u32.to_le_bytes());
        payload.extend_from_slice(&7u32.to_le_bytes());
        payload.extend_from_slice(&9u32.to_le_bytes());
        for version in [1, 2, 3] {
            let file = ModelFile::parse(&file_of(version, &payload)).unwrap();
            assert_eq!(file.u32s("n").unwrap(), [7, 9], "version {version}");
        }
        // Each version checks its own checksum: a file relabelled as
        // another version does not load.
        for (from, to) in [(1, 2), (2, 3), (3, 2)] {
            let mut relabelled = file_of(from, &payload);
            relabelled[8..12].copy_from_slice(&(to as u32).to_le_bytes());
            assert_eq!(
                ModelFile::parse(&relabelled).unwrap_err(),
                ModelError::ChecksumMismatch,
                "version {from} read as {to}"
            );
        }
        for version in [0, 4] {
            let err = ModelFile::parse(&file_of(version, &payload)).unwrap_err();
            assert_eq!(
                err,
                ModelError::UnsupportedVersion {
                    found: version,
                    supported: 3
                }
            );
            assert!(err.to_string().contains("versions 1 to 3"), "{err}");
        }
    }

    #[cfg(feature = "internals")]
    #[test]
    fn string_lists_round_trip_in_both_forms() {
        let lists: [&[&str]; 6] = [
            &[],
            &[""],
            &["", ""],
            &["a", "", "ünï", "##b"],
            &["one\ntwo", "three"],
            &["x"],
        ];
        for list in lists {
            let strings: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            let mut w = ModelWriter::new();
            w.add("s", Section::Strings(strings.iter().collect()));
            let bytes = w.to_bytes();
            // The compact form unless a string has a line break (or the
            // list is one empty string).
            let compact = !list.iter().any(|s| s.contains('\n')) && list != [""];
            assert_eq!(
                bytes[HEADER_LEN + 4 + 2 + 1],
                if compact { KIND_LINES } else { KIND_STRINGS }
            );
            let file = ModelFile::parse(&bytes).unwrap();
            assert!(
                file.strings("s").unwrap().iter().eq(list.iter().copied()),
                "{list:?}"
            );
        }
    }

    #[test]
    fn lines_whose_count_is_wrong_are_refused() {
        // Declares 3 lines, holds 2.
        let mut payload = 1u32.to_le_bytes().to_vec();
        payload.extend_from_slice(&1u16.to_le_bytes());
        payload.push(b's');
        payload.push(KIND_LINES);
        payload.extend_from_slice(&3u32.to_le_bytes());
        payload.extend_from_slice(&3u32.to_le_bytes());
        payload.extend_from_slice(b"a\nb");
        let err = ModelFile::parse(&file_of(3, &payload)).unwrap_err();
        assert!(
            err.to_string().contains("declares 3 lines and holds 2"),
            "{err}"
        );
    }

    #[test]
    fn four_bit_values_round_trip() {
        for cols in [1, 2, 3, 8, 49, 50] {
            let rows = 5;
            let values: Vec<i8> = (0..rows * cols).map(|i| (i * 11 % 15) as i8 - 7).collect();
            let packed = pack_i4(&values, rows, cols).unwrap();
            assert_eq!(packed.len(), rows * cols.div_ceil(2));
            assert!(check_i4(&packed, cols).is_ok());
            assert_eq!(unpack_i4(&packed, cols), values, "{cols} columns");
        }
        // The documented nibble order: value 2j low, 2j + 1 high.
        assert_eq!(pack_i4(&[1, -2, 7], 1, 3).unwrap(), [0xe1, 0x07]);
        assert_eq!(pack_i4(&[-8], 1, 1), None);
        assert_eq!(pack_i4(&[0, 0], 1, 3), None);
        assert!(check_i4(&[0x80], 2).is_err());
        assert!(check_i4(&[0x08], 2).is_err());
        assert!(check_i4(&[0x17], 1).is_err());
    }

    #[test]
    fn four_bit_section_round_trips_through_a_file() {
        let (rows, cols) = (4, 5);
        let values: Vec<i8> = (0..rows * cols).map(|i| (i % 15) as i8 - 7).collect();
        let scales = vec![0.5, 0.001_953_125, 3.0, 65504.0];
        let packed = pack_i4(&values, rows, cols).unwrap();
        let section = Section::I4Rows {
            rows,
            cols,
            packed,
            scales,
        };
        #[cfg(feature = "internals")]
        {
            let mut w = ModelWriter::new();
            w.add("t", section.clone());
            let file = ModelFile::parse(&w.to_bytes()).unwrap();
            assert_eq!(file.get("t").unwrap(), &section);
            assert_eq!(section.i4_values().unwrap(), values);
            let built =
                Section::i4_rows(rows, cols, &values, vec![0.5, 0.001_953_125, 3.0, 65504.0]);
            assert_eq!(built.unwrap(), section);
        }
        let _ = section;
    }

    #[test]
    fn f16_conversions() {
        // Every finite half-precision number converts to f32 and back, and
        // to the value of its definition (-0.0 keeps its sign).
        for h in 0..=u16::MAX {
            let x = f16_to_f32(h);
            let (exp, man) = (i32::from((h >> 10) & 0x1f), f64::from(h & 0x03ff));
            let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
            let defined = match exp {
                0 => sign * man * 2f64.powi(-24),
                0x1f => sign * if man == 0.0 { f64::INFINITY } else { f64::NAN },
                _ => sign * (1024.0 + man) * 2f64.powi(exp - 25),
            };
            if !defined.is_nan() {
                assert_eq!(x.to_bits(), (defined as f32).to_bits(), "{h:#06x}");
            }
            if x.is_nan() {
                assert!(f32_to_f16(x) & 0x7c00 == 0x7c00 && f32_to_f16(x) & 0x03ff != 0);
            } else {
                assert_eq!(f32_to_f16(x), h, "{h:#06x} = {x}");
            }
        }
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        // Rounding: to nearest, ties to even, overflow to infinity.
        assert_eq!(f32_to_f16(1.0 + 2f32.powi(-11)), 0x3c00);
        assert_eq!(f32_to_f16(1.0 + 3.0 * 2f32.powi(-11)), 0x3c02);
        assert_eq!(f32_to_f16(1.0 + 2f32.powi(-11) + 2f32.powi(-20)), 0x3c01);
        assert_eq!(f32_to_f16(65520.0), 0x7c00);
        assert_eq!(f32_to_f16(65519.0), 0x7bff);
        assert_eq!(f32_to_f16(-1e-9), 0x8000);
        assert_eq!(f32_to_f16(2f32.powi(-25)), 0);
        assert_eq!(f32_to_f16(2f32.powi(-25) * 1.01), 1);
        assert_eq!(f32_to_f16(0.1), 0x2e66);
    }
}
