//! A minimal reader and writer of NumPy `.npy` arrays (little-endian `f4`,
//! `i1`, `i4`, `u4`, C order): how the Python trainer hands weights to the
//! packer and how the feature extractor hands features to the trainer.

use super::ModelError;

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

/// An array read from an `.npy` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Npy {
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub data: NpyData,
}

/// Parses the bytes of an `.npy` file.
pub fn read(bytes: &[u8]) -> Result<Npy, ModelError> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(ModelError::BadMagic);
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => {
            return Err(ModelError::UnsupportedVersion {
                found: u32::from(v),
                supported: 1,
            })
        }
    };
    let header = bytes
        .get(start..start + header_len)
        .ok_or(ModelError::Truncated { what: "npy header" })?;
    let header =
        std::str::from_utf8(header).map_err(|_| ModelError::Invalid("npy header".into()))?;
    let field = |key: &str| -> Result<&str, ModelError> {
        let at = header
            .find(&format!("'{key}':"))
            .ok_or_else(|| ModelError::Invalid(format!("npy header has no {key}")))?;
        Ok(header[at + key.len() + 3..].trim_start())
    };
    let descr = field("descr")?;
    let descr = descr.get(1..4).unwrap_or("");
    if field("fortran_order")?.starts_with("True") {
        return Err(ModelError::Invalid(
            "Fortran-order npy arrays are not supported".into(),
        ));
    }
    let shape_src = field("shape")?;
    let close = shape_src
        .find(')')
        .ok_or_else(|| ModelError::Invalid("npy shape".into()))?;
    let shape: Vec<usize> = shape_src[1..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| ModelError::Invalid("npy shape".into()))
        })
        .collect::<Result<_, _>>()?;
    let n: usize = shape.iter().product();
    let body = &bytes[start + header_len..];
    let need = |size: usize| -> Result<&[u8], ModelError> {
        body.get(..n * size)
            .ok_or(ModelError::Truncated { what: "npy data" })
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
            return Err(ModelError::Invalid(format!(
                "npy dtype {other} is not supported"
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

/// [`write`] for `u32` values.
pub fn write_u32(shape: &[usize], values: &[u32]) -> Vec<u8> {
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    write(shape, "<u4", &raw)
}
