//! Build, serve and test tasks: demo, wasm, test, dist.

use crate::util::Result;

/// `cargo xtask demo`.
pub fn demo(args: &[String]) -> Result {
    let _ = args;
    Err("`demo` is not built yet".into())
}

/// `cargo xtask test`.
pub fn test(args: &[String]) -> Result {
    let _ = args;
    Err("`test` is not built yet".into())
}

/// `cargo xtask wasm`.
pub fn wasm(args: &[String]) -> Result {
    let _ = args;
    Err("`wasm` is not built yet".into())
}

/// `cargo xtask dist`.
pub fn dist(args: &[String]) -> Result {
    let _ = args;
    Err("`dist` is not built yet".into())
}
