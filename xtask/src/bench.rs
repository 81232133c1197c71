//! Benchmarks: speed, size and accuracy against peers; writes BENCHMARKS.md.

use crate::util::Result;

/// `cargo xtask bench`.
pub fn bench(args: &[String]) -> Result {
    let _ = args;
    Err("`bench` is not built yet".into())
}
