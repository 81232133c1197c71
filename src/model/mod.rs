//! The model file: reading, validating and (for the trainer) writing it.

use std::fmt;

/// Why a model file could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelError {
    /// The file does not start with the newsmark model magic bytes.
    BadMagic,
    /// The file's format version is not one this build reads.
    UnsupportedVersion {
        /// Version found in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// The file ends before a section it declares.
    Truncated {
        /// What was being read.
        what: &'static str,
    },
    /// The checksum in the file does not match its contents.
    ChecksumMismatch,
    /// The file is well-formed but its contents are inconsistent.
    Invalid(String),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::BadMagic => write!(f, "not a newsmark model file (bad magic bytes)"),
            ModelError::UnsupportedVersion { found, supported } => write!(
                f,
                "model format version {found} is not supported (this build reads version {supported})"
            ),
            ModelError::Truncated { what } => {
                write!(f, "model file is truncated (ended while reading {what})")
            }
            ModelError::ChecksumMismatch => {
                write!(f, "model file is corrupted (checksum does not match)")
            }
            ModelError::Invalid(why) => write!(f, "model file is invalid: {why}"),
        }
    }
}

impl std::error::Error for ModelError {}
