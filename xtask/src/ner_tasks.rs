//! NER tasks: training, evaluation and prediction files.

use crate::util::Result;

/// `cargo xtask train`.
pub fn train(args: &[String]) -> Result {
    let _ = args;
    Err("`train` is not built yet".into())
}

/// `cargo xtask eval`.
pub fn eval(args: &[String]) -> Result {
    let _ = args;
    Err("`eval` is not built yet".into())
}

/// `cargo xtask predict ner`.
pub fn predict(args: &[String]) -> Result {
    let _ = args;
    Err("`predict ner` is not built yet".into())
}
