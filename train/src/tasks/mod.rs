//! The tasks of the `newsmark-train` binary.

pub mod clusters;
pub mod gazetteer;
pub mod ner;
pub mod places;
pub mod segment;
pub mod util;
