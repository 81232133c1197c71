//! The accurate model against `teacher.py`: its parity reference
//! (`models/<name>.reference.json`, written by `cargo xtask train accurate`)
//! holds the first words of the first OntoNotes dev document, their word
//! pieces and case classes, and the teacher's word scores computed with the
//! int8 weights the model file stores.

use newsmark::internals::Tagger;
use newsmark::Span;
use serde::Deserialize;

/// Largest difference allowed between a Rust and a Python word score: the
/// Rust kernels quantise each row of activations to 16 bits, Python keeps
/// them in `f32`.
pub const PARITY_TOLERANCE: f32 = 0.05;

/// The parity reference (`teacher.py export --reference`): words, their
/// pieces and case classes, and the teacher's word scores.
#[derive(Deserialize)]
pub struct Reference {
    pub words: Vec<String>,
    pub pieces: Vec<Vec<u32>>,
    pub cases: Vec<u8>,
    pub n_tags: usize,
    pub scores: Vec<f32>,
}

/// Checks the Rust inference against a parity reference: the same pieces
/// and case classes, and word scores within [`PARITY_TOLERANCE`]; returns
/// the largest difference.
pub fn check_reference(tagger: &Tagger, reference: &str) -> Result<f32, String> {
    let r: Reference =
        serde_json::from_str(reference).map_err(|e| format!("the reference: {e}"))?;
    if r.pieces.len() != r.words.len() || r.cases.len() != r.words.len() {
        return Err("the reference has not one piece list and case per word".into());
    }
    for (i, w) in r.words.iter().enumerate() {
        let (pieces, case) = tagger
            .transformer_pieces(w)
            .ok_or("the model is not a transformer")?;
        if pieces != r.pieces[i] || case != r.cases[i] {
            return Err(format!(
                "word {i} {w:?}: pieces {pieces:?} case {case}, teacher.py has {:?} case {}",
                r.pieces[i], r.cases[i]
            ));
        }
    }
    // The words joined by spaces, as tokens of that text.
    let mut text = String::new();
    let mut tokens = Vec::new();
    for w in &r.words {
        if !text.is_empty() {
            text.push(' ');
        }
        tokens.push(Span::new(text.len(), text.len() + w.len()));
        text.push_str(w);
    }
    let got = tagger.logits(&text, &tokens);
    if got.len() != r.scores.len() || r.words.len() * r.n_tags != got.len() {
        return Err(format!(
            "{} scores, the reference has {}",
            got.len(),
            r.scores.len()
        ));
    }
    let worst = got
        .iter()
        .zip(&r.scores)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    if worst > PARITY_TOLERANCE {
        return Err(format!(
            "the word scores differ from teacher.py's by {worst} (at most {PARITY_TOLERANCE} allowed)"
        )
        );
    }
    Ok(worst)
}
