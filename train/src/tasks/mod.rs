//! The tasks of the `newsmark-train` binary.

pub mod ner;
pub mod segment;
pub mod util;
