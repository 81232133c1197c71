//! The model file: reading, validating and (with the feature `train`, for
//! the trainer's packer) writing it.
//!
//! A `.nmm` file is a small container of named sections:
//!
//! ```text
//! magic      8 bytes  b"NEWSMRK\0"
//! version    u32 LE   FORMAT_VERSION
//! length     u64 LE   length of the payload in bytes
//! checksum   u64 LE   XXH3-64 of the payload, seeded with the version
//!                     (unseeded in version 2, FNV-1a 64 in version 1)
//! payload    u32 section count, then each section:
//!            name (u16 length + UTF-8), kind (u8), body
//! ```
//!
//! Section kinds: `f32` tensors, `i8` row-quantized tensors (one `f32`
//! scale per row), 4-bit row-quantized tensors (values -7..=7, two per
//! byte, one `f16` scale per row; see [`Section::I4Rows`]), lists of `u32`
//! and lists of strings (each with its length; or, from version 3, joined by
//! line breaks when none contains one: the word lists). [`container`] reads
//! and writes them; `crate::ner` gives the sections their meaning.

pub(crate) mod container;

use std::fmt;

pub(crate) use container::{ModelFile, Section};

/// Why a model file could not be loaded.
///
/// The message says what was wrong and where in the file; it does not name
/// the file, which [`Annotator::from_bytes`](crate::Annotator::from_bytes)
/// never sees (the caller who read it adds its name).
///
/// ```
/// let err = newsmark::Annotator::from_bytes(b"GIF89a...").unwrap_err();
/// assert_eq!(err, newsmark::ModelError::BadMagic);
/// assert!(err.to_string().contains("not a newsmark model file"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelError {
    /// The file does not start with the newsmark model magic bytes.
    BadMagic,
    /// The file's format version is not one this build reads.
    UnsupportedVersion {
        /// Version found in the file.
        found: u32,
        /// The newest version this build reads (it reads every one from 1).
        supported: u32,
    },
    /// The file ends before a section it declares.
    Truncated {
        /// What was being read.
        what: &'static str,
    },
    /// The checksum in the file does not match its contents.
    ChecksumMismatch,
    /// A section the model needs is not in the file.
    MissingSection(String),
    /// The file is well-formed but its contents are inconsistent.
    Invalid(String),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::BadMagic => write!(f, "not a newsmark model file (bad magic bytes)"),
            ModelError::UnsupportedVersion { found, supported } => write!(
                f,
                "model format version {found} is not supported (this build reads versions 1 to {supported})"
            ),
            ModelError::Truncated { what } => {
                write!(f, "model file is truncated (ended while reading {what})")
            }
            ModelError::ChecksumMismatch => {
                write!(f, "model file is corrupted (checksum does not match)")
            }
            ModelError::MissingSection(name) => {
                write!(f, "model file has no section `{name}`")
            }
            ModelError::Invalid(why) => write!(f, "model file is invalid: {why}"),
        }
    }
}

impl std::error::Error for ModelError {}
