//! Segmentation tasks: predictions and dev scores for sentences, tokens and boilerplate.

use crate::util::Result;

/// `cargo xtask predict sentences`.
pub fn predict_sentences(args: &[String]) -> Result {
    let _ = args;
    Err("`predict sentences` is not built yet".into())
}

/// `cargo xtask predict boilerplate`.
pub fn predict_boilerplate(args: &[String]) -> Result {
    let _ = args;
    Err("`predict boilerplate` is not built yet".into())
}

/// `cargo xtask eval sentences`.
pub fn eval_sentences(args: &[String]) -> Result {
    let _ = args;
    Err("`eval sentences` is not built yet".into())
}

/// `cargo xtask eval tokens`.
pub fn eval_tokens(args: &[String]) -> Result {
    let _ = args;
    Err("`eval tokens` is not built yet".into())
}

/// `cargo xtask eval boilerplate`.
pub fn eval_boilerplate(args: &[String]) -> Result {
    let _ = args;
    Err("`eval boilerplate` is not built yet".into())
}
