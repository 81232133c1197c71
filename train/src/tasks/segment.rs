//! Segmentation tasks: predictions and dev scores for sentences, tokens and boilerplate.
//!
//! Prediction files follow `../shared/README.md` exactly (code-point offsets,
//! one JSON object per line), so the reference scorers in `../shared/tools/`
//! read them; the `eval` tasks compute the same figures in-process.

use super::ner::eval::parse_case;
use super::util::{shared, Result};
use clap::Args;
use newsmark::internals::segment::{self, blocks, tokens};
use newsmark::{BlockKind, OffsetMap, Unit};
use newsmark_train::corpus::CaseChange;
use newsmark_train::corpus::{read_jsonl, read_pages, read_rule_cases, Page};
use newsmark_train::score::{prf, rule_cases};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

fn write_jsonl(path: &Path, rows: &[Value]) -> Result {
    let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut w = BufWriter::new(file);
    for r in rows {
        serde_json::to_writer(&mut w, r)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}

fn str_field<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Byte offset of every code point of `text` (plus the end), to turn
/// code-point offsets into byte offsets.
fn char_starts(text: &str) -> Vec<usize> {
    let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    v.push(text.len());
    v
}

/// Sentences of `text` as code-point spans.
fn sentence_spans_cp(text: &str) -> Vec<(usize, usize)> {
    let map = OffsetMap::new(text, Unit::CodePoint);
    segment::segment(text)
        .sentences
        .iter()
        .map(|s| map.convert_span(*s))
        .collect()
}

/// The flags of `predict sentences` and `predict boilerplate`.
#[derive(Args, Debug)]
pub struct PredictArgs {
    /// The documents (JSONL).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Where to write the predictions.
    #[arg(long, value_name = "PRED.jsonl")]
    pub out: PathBuf,
}

/// `cargo xtask predict sentences --data FILE --out PRED.jsonl`.
pub fn predict_sentences(args: &PredictArgs) -> Result {
    let (data, out) = (&args.data, &args.out);
    let rows: Vec<Value> = read_jsonl(data)?
        .iter()
        .map(|d| json!({"id": d["id"], "sentences": sentence_spans_cp(str_field(d, "text"))}))
        .collect();
    write_jsonl(out, &rows)?;
    eprintln!("wrote {} documents to {}", rows.len(), out.display());
    Ok(())
}

/// Ends of sentences ignoring trailing whitespace, as the reference scorer
/// computes them (code points).
fn sentence_ends(chars: &[char], spans: &[(usize, usize)]) -> HashSet<usize> {
    let mut out = HashSet::new();
    for &(s, e) in spans {
        let mut e = e.min(chars.len());
        while e > s && chars[e - 1].is_whitespace() {
            e -= 1;
        }
        if chars[s.min(e)..e].iter().any(|c| !c.is_whitespace()) {
            out.insert(e);
        }
    }
    out
}

/// Boundary counts `[tp, pred, gold]` over a corpus, all and news genres.
fn boundary_scores(path: &Path, errors: usize) -> Result<[[usize; 3]; 2]> {
    let mut tot = [[0usize; 3]; 2];
    let mut shown = 0;
    for doc in read_jsonl(path)? {
        let text = str_field(&doc, "text");
        let chars: Vec<char> = text.chars().collect();
        let toks: Vec<(usize, usize)> = doc["tokens"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|t| {
                        (
                            t[0].as_u64().unwrap_or(0) as usize,
                            t[1].as_u64().unwrap_or(0) as usize,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let gold_spans: Vec<(usize, usize)> = doc["sentences"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| {
                        let (f, e) = (s[0].as_u64()? as usize, s[1].as_u64()? as usize);
                        (e > f && e <= toks.len()).then(|| (toks[f].0, toks[e - 1].1))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let doc_end = chars.len() - chars.iter().rev().take_while(|c| c.is_whitespace()).count();
        let mut g = sentence_ends(&chars, &gold_spans);
        let mut p = sentence_ends(&chars, &sentence_spans_cp(text));
        g.remove(&doc_end);
        p.remove(&doc_end);
        let tp = g.intersection(&p).count();
        let news = matches!(str_field(&doc, "genre"), "nw" | "bn" | "mz");
        for (k, t) in tot.iter_mut().enumerate() {
            if k == 0 || news {
                t[0] += tp;
                t[1] += p.len();
                t[2] += g.len();
            }
        }
        if news && shown < errors {
            let mut diff: Vec<(usize, &str)> = g.difference(&p).map(|&e| (e, "missed")).collect();
            diff.extend(p.difference(&g).map(|&e| (e, "extra")));
            diff.sort();
            for (e, what) in diff {
                if shown >= errors {
                    break;
                }
                shown += 1;
                let a = e.saturating_sub(60);
                let b = (e + 40).min(chars.len());
                let ctx: String = chars[a..e]
                    .iter()
                    .chain(['|'].iter())
                    .chain(chars[e..b].iter())
                    .collect();
                println!("  {what:6} {}: {ctx}", str_field(&doc, "id"));
            }
        }
    }
    Ok(tot)
}

/// Passes/total and failed ids on a rule-case file.
fn case_scores(path: &Path, verbose: bool) -> Result<(usize, usize, Vec<String>)> {
    let outcomes = rule_cases(&read_rule_cases(path)?);
    let mut failed = Vec::new();
    for case in outcomes.iter().filter(|c| !c.passed()) {
        failed.push(case.id.clone());
        if verbose {
            println!(
                "  FAIL {} {}\n    want {:?}\n    got  {:?}",
                case.id, case.name, case.expected, case.got
            );
        }
    }
    Ok((outcomes.len() - failed.len(), outcomes.len(), failed))
}

/// `cargo xtask eval sentences [--errors N] [--verbose]`.
#[derive(Args, Debug)]
pub struct EvalSentencesArgs {
    /// Show N boundary errors on news documents.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub errors: usize,
    /// Show each failed rule case.
    #[arg(long)]
    pub verbose: bool,
}

/// `cargo xtask eval sentences [--errors N] [--verbose]`.
pub fn eval_sentences(args: &EvalSentencesArgs) -> Result {
    let errors = args.errors;
    let sbd = shared().join("data/sbd");
    println!(
        "Sentence segmentation, dev figures (computed as shared/tools/score_sentences.py does)"
    );
    for (name, file) in [
        ("Golden Rules", "golden_rules_en.jsonl"),
        ("Golden Rules, extra 4", "golden_rules_en_extra.jsonl"),
        ("news cases", "news_cases_en.jsonl"),
    ] {
        let (passed, total, failed) = case_scores(&sbd.join(file), args.verbose)?;
        println!("{name:24} {passed}/{total}   failed: {}", failed.join(" "));
    }
    for (name, file) in [
        ("OntoNotes dev", "data/ontonotes/dev.jsonl"),
        ("CoNLL-2003 dev", "data/conll2003/dev.jsonl"),
    ] {
        let tot = boundary_scores(&shared().join(file), errors)?;
        for (k, label) in ["all genres", "news (nw+bn+mz)"].iter().enumerate() {
            if tot[k][2] == 0 {
                continue;
            }
            let (p, r, f) = prf(tot[k][0], tot[k][1], tot[k][2]);
            println!(
                "{name:15} {label:16} boundary P {:.2} R {:.2} F1 {:.2}  (gold {}, predicted {})",
                100.0 * p,
                100.0 * r,
                100.0 * f,
                tot[k][2],
                tot[k][1]
            );
        }
    }
    Ok(())
}

/// The flags of `eval tokens`.
#[derive(Args, Debug)]
pub struct EvalTokensArgs {
    /// Show N missed gold tokens, and the most missed.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub errors: usize,
    /// Corpus file (default ../shared/data/ontonotes/dev.jsonl).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Change the text's case first, offsets kept (a document whose length
    /// would change is left out).
    #[arg(long, value_parser = parse_case)]
    pub case: Option<CaseChange>,
}

/// `cargo xtask eval tokens [--errors N] [--data FILE] [--case lower|upper|title]`:
/// exact token-span P/R/F1 against the OntoNotes dev gold tokens, with the
/// text's case changed first if `--case` says so (offsets kept; a document
/// whose length the change would alter is left out).
pub fn eval_tokens(args: &EvalTokensArgs) -> Result {
    let case = args.case;
    let mut left_out = 0;
    let errors = args.errors;
    let path = args
        .data
        .clone()
        .unwrap_or_else(|| shared().join("data/ontonotes/dev.jsonl"));
    let (mut tp, mut np, mut ng) = (0usize, 0usize, 0usize);
    let (mut ntp, mut nnp, mut nng) = (0usize, 0usize, 0usize);
    let (mut btp, mut bnp, mut bng) = (0usize, 0usize, 0usize);
    let mut shown = 0;
    let mut miss_counts: HashMap<String, usize> = HashMap::new();
    for doc in read_jsonl(&path)? {
        let changed;
        let text = match case {
            Some(case) => match case.apply(str_field(&doc, "text")) {
                Some(t) => {
                    changed = t;
                    changed.as_str()
                }
                None => {
                    left_out += 1;
                    continue;
                }
            },
            None => str_field(&doc, "text"),
        };
        let starts = char_starts(text);
        let gold: HashSet<(usize, usize)> = doc["tokens"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| {
                        let (s, e) = (t[0].as_u64()? as usize, t[1].as_u64()? as usize);
                        Some((*starts.get(s)?, *starts.get(e)?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let pred: HashSet<(usize, usize)> = tokens::tokenize(text)
            .iter()
            .map(|s| (s.start, s.end))
            .collect();
        let hit = gold.intersection(&pred).count();
        tp += hit;
        np += pred.len();
        ng += gold.len();
        let bounds = |set: &HashSet<(usize, usize)>| -> HashSet<usize> {
            set.iter().flat_map(|&(s, e)| [s, e]).collect()
        };
        let (gb, pb) = (bounds(&gold), bounds(&pred));
        btp += gb.intersection(&pb).count();
        bnp += pb.len();
        bng += gb.len();
        if matches!(str_field(&doc, "genre"), "nw" | "bn" | "mz") {
            ntp += hit;
            nnp += pred.len();
            nng += gold.len();
        }
        let mut missed: Vec<&(usize, usize)> = gold.difference(&pred).collect();
        missed.sort();
        for &(s, e) in missed {
            *miss_counts.entry(text[s..e].to_string()).or_default() += 1;
            if shown < errors {
                shown += 1;
                let a = text.floor_char_boundary_compat(s.saturating_sub(30));
                let b = text.floor_char_boundary_compat((e + 30).min(text.len()));
                let got: Vec<&str> = pred
                    .iter()
                    .filter(|&&(ps, pe)| ps < e && pe > s)
                    .map(|&(ps, pe)| &text[ps..pe])
                    .collect();
                println!(
                    "  missed {:?} (got {got:?}) in: {}",
                    &text[s..e],
                    &text[a..b]
                );
            }
        }
    }
    let (p, r, f) = prf(tp, np, ng);
    println!(
        "Tokens, OntoNotes dev ({}), exact token spans",
        path.display()
    );
    if let Some(name) = case.map(CaseChange::name) {
        println!(
            "case {name}: {left_out} documents left out (a character would change its length)"
        );
    }
    println!(
        "all genres       P {:.2} R {:.2} F1 {:.2}  (gold {ng}, predicted {np})",
        100.0 * p,
        100.0 * r,
        100.0 * f
    );
    let (p, r, f) = prf(ntp, nnp, nng);
    println!(
        "news (nw+bn+mz)  P {:.2} R {:.2} F1 {:.2}  (gold {nng}, predicted {nnp})",
        100.0 * p,
        100.0 * r,
        100.0 * f
    );
    let (p, r, f) = prf(btp, bnp, bng);
    println!(
        "token boundaries (starts and ends), all genres: P {:.2} R {:.2} F1 {:.2}",
        100.0 * p,
        100.0 * r,
        100.0 * f
    );
    if errors > 0 {
        let mut v: Vec<_> = miss_counts.into_iter().collect();
        v.sort_by_key(|&(_, c)| std::cmp::Reverse(c));
        println!("most missed gold tokens: {:?}", &v[..v.len().min(40)]);
    }
    Ok(())
}

/// A corpus file, if not the default.
#[derive(Args, Debug)]
pub struct DataArgs {
    /// Corpus file (default ../shared/data/ontonotes/dev.jsonl).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
}

/// `cargo xtask eval speed`: sentences plus tokens, and the full
/// segmentation, on all OntoNotes dev texts joined by newlines, in this
/// (release) build on one core; best of five runs.
pub fn eval_speed(args: &DataArgs) -> Result {
    let path = args
        .data
        .clone()
        .unwrap_or_else(|| shared().join("data/ontonotes/dev.jsonl"));
    let mut text = String::new();
    for doc in read_jsonl(&path)? {
        text.push_str(str_field(&doc, "text"));
        text.push('\n');
    }
    let chars = text.chars().count() as f64;
    let best = |f: &dyn Fn() -> usize| {
        (0..5)
            .map(|_| {
                let t = std::time::Instant::now();
                std::hint::black_box(f());
                t.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    };
    let st = best(&|| {
        let (s, t) = segment::sentences_and_tokens(&text);
        s.len() + t.len()
    });
    let full = best(&|| segment::segment(&text).tokens.len());
    println!(
        "{} ({} chars, best of 5, one core)",
        path.display(),
        chars as usize
    );
    println!("sentences + tokens   {:.1}M chars/s", chars / st / 1e6);
    println!("segment (with blocks) {:.1}M chars/s", chars / full / 1e6);
    Ok(())
}

/// Char-boundary rounding for error display.
trait FloorBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// The keep decision for each line of a boilerplate page: the lines are
/// joined with `\n`, segmented, and each block mapped back to its line.
fn keep_lines(lines: &[&str]) -> Vec<bool> {
    let text = lines.join("\n");
    let mut line_of_start = Vec::with_capacity(lines.len());
    let mut at = 0;
    for l in lines {
        line_of_start.push(at);
        at += l.len() + 1;
    }
    let mut keep = vec![false; lines.len()];
    for b in blocks::blocks(&text) {
        let line = line_of_start
            .partition_point(|&s| s <= b.span.start)
            .saturating_sub(1);
        if let Some(k) = keep.get_mut(line) {
            *k = b.kind != BlockKind::Boilerplate;
        }
    }
    keep
}

/// `cargo xtask predict boilerplate --data FILE --out PRED.jsonl`.
pub fn predict_boilerplate(args: &PredictArgs) -> Result {
    let (data, out) = (&args.data, &args.out);
    let rows: Vec<Value> = read_pages(data)?
        .iter()
        .map(|p| json!({"id": p.id, "keep": keep_lines(&p.line_texts())}))
        .collect();
    write_jsonl(out, &rows)?;
    eprintln!("wrote {} pages to {}", rows.len(), out.display());
    Ok(())
}

/// The flags of `train boilerplate`.
#[derive(Args, Debug)]
pub struct TrainBoilerplateArgs {
    /// Pages (default ../shared/data/boilerplate/dev.jsonl).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Train on the pages of these sources only.
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    pub sources: Option<Vec<String>>,
    /// Train on one half of the sites (0 or 1), report the other.
    #[arg(long, value_name = "0|1", num_args = 0..=1, value_parser = clap::value_parser!(u32).range(0..=1))]
    pub holdout: Option<Option<u32>>,
    /// Weights file (default src/segment/boilerplate_weights.rs).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// L2 penalty.
    #[arg(long, value_name = "X", default_value_t = 3e-3)]
    pub l2: f32,
    /// Epochs.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub epochs: usize,
}

/// `cargo xtask train boilerplate [--data FILE] [--sources a,b] [--holdout [0|1]] [--out FILE]`:
/// fits the line model (one hidden layer, Adam on mini-batches, each line
/// weighted by the square root of its word count), picks the thresholds with
/// the best token F1 on the same pages, and writes
/// `src/segment/boilerplate_weights.rs`. With `--holdout`, it trains on half
/// the sites and reports the other half (nothing is written).
pub fn train_boilerplate(args: &TrainBoilerplateArgs) -> Result {
    use newsmark::internals::segment::boilerplate::{
        classify_with, features, sigmoid, Model, Params, HIDDEN, N_FEATURES,
    };
    let data = args
        .data
        .clone()
        .unwrap_or_else(|| shared().join("data/boilerplate/dev.jsonl"));
    let sources = args.sources.clone();
    let holdout = args.holdout.is_some();
    // `--holdout 1` trains on the other half of the sites.
    let train_half: u32 = args.holdout.flatten().unwrap_or(0);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| super::util::root().join("src/segment/boilerplate_weights.rs"));
    let site_half = |p: &Page| {
        p.site
            .bytes()
            .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
            % 2
    };
    let all: Vec<Page> = read_pages(&data)?
        .into_iter()
        .filter(|p| sources.as_ref().is_none_or(|s| s.contains(&p.source)))
        .collect();
    let (pages, test): (Vec<Page>, Vec<Page>) = all
        .into_iter()
        .partition(|p| !holdout || site_half(p) == train_half);
    let mut xs: Vec<[f32; N_FEATURES]> = Vec::new();
    let mut ys: Vec<f32> = Vec::new();
    let mut ws: Vec<f32> = Vec::new();
    for p in &pages {
        let lines = p.line_texts();
        let gold = p.labels();
        for ((f, l), g) in features(&lines).into_iter().zip(&lines).zip(gold) {
            xs.push(f);
            ys.push(if g { 1.0 } else { 0.0 });
            ws.push((1.0 + l.split_whitespace().count() as f32).sqrt());
        }
    }
    eprintln!("training on {} pages, {} lines", pages.len(), xs.len());
    // Deterministic initialisation and shuffling.
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f32 / (1u64 << 53) as f32
    };
    let mut model = Model {
        w1: [[0.0; N_FEATURES]; HIDDEN],
        w2: [0.0; HIDDEN],
        b2: 0.0,
    };
    for row in model.w1.iter_mut() {
        for x in row.iter_mut() {
            *x = (rand() - 0.5) * 0.6;
        }
    }
    for x in model.w2.iter_mut() {
        *x = (rand() - 0.5) * 0.6;
    }
    // Adam state, flattened: w1, w2, b2.
    let np = HIDDEN * N_FEATURES + HIDDEN + 1;
    let (mut m, mut v) = (vec![0f32; np], vec![0f32; np]);
    let l2 = args.l2;
    let (lr, b1, b2) = (0.003f32, 0.9f32, 0.999f32);
    let batch = 256;
    let epochs = args.epochs;
    let mut order: Vec<usize> = (0..xs.len()).collect();
    let mut t = 0i32;
    for epoch in 0..epochs {
        for i in (1..order.len()).rev() {
            let j = (rand() * (i + 1) as f32) as usize;
            order.swap(i, j.min(i));
        }
        let mut loss = 0f64;
        for chunk in order.chunks(batch) {
            let mut g = vec![0f32; np];
            let mut wsum = 0f32;
            for &k in chunk {
                let (x, y, wt) = (&xs[k], ys[k], ws[k]);
                let h = model.hidden(x);
                let z = model.b2 + h.iter().zip(&model.w2).map(|(a, b)| a * b).sum::<f32>();
                let p = sigmoid(z);
                loss -= f64::from(
                    wt * if y > 0.5 {
                        p.max(1e-7).ln()
                    } else {
                        (1.0 - p).max(1e-7).ln()
                    },
                );
                let e = (p - y) * wt;
                wsum += wt;
                for u in 0..HIDDEN {
                    g[HIDDEN * N_FEATURES + u] += e * h[u];
                    let dh = e * model.w2[u] * (1.0 - h[u] * h[u]);
                    let row = &mut g[u * N_FEATURES..(u + 1) * N_FEATURES];
                    for (gi, xi) in row.iter_mut().zip(x) {
                        *gi += dh * xi;
                    }
                }
                g[np - 1] += e;
            }
            t += 1;
            for idx in 0..np {
                let param = if idx < HIDDEN * N_FEATURES {
                    &mut model.w1[idx / N_FEATURES][idx % N_FEATURES]
                } else if idx < np - 1 {
                    &mut model.w2[idx - HIDDEN * N_FEATURES]
                } else {
                    &mut model.b2
                };
                let gi = g[idx] / wsum + l2 * *param;
                m[idx] = b1 * m[idx] + (1.0 - b1) * gi;
                v[idx] = b2 * v[idx] + (1.0 - b2) * gi * gi;
                let mh = m[idx] / (1.0 - b1.powi(t));
                let vh = v[idx] / (1.0 - b2.powi(t));
                *param -= lr * mh / (vh.sqrt() + 1e-8);
            }
        }
        eprintln!(
            "  epoch {epoch}: loss {:.4}",
            loss / ws.iter().map(|&w| f64::from(w)).sum::<f64>()
        );
    }
    let score = |pages: &[Page], params: Params| -> f64 {
        let counts: Vec<(usize, usize, usize)> = pages
            .iter()
            .map(|p| {
                let lines = p.line_texts();
                let kept: Vec<&str> = lines
                    .iter()
                    .zip(classify_with(&lines, &model, params))
                    .filter(|(_, (k, _))| *k != BlockKind::Boilerplate)
                    .map(|(l, _)| *l)
                    .collect();
                bag_counts(&p.article_text, &kept.join("\n"))
            })
            .collect();
        aggregate(&counts).2
    };
    // Coordinate search over the three thresholds.
    let mut best = Params {
        threshold: 0.3,
        inside_margin: 0.0,
        outside_bar: 0.5,
        smoothing: 0.0,
    };
    let mut best_f = score(&pages, best);
    for _round in 0..2 {
        for t in (4..=12).map(|k| k as f32 * 0.05) {
            let cand = Params {
                threshold: t,
                ..best
            };
            let f = score(&pages, cand);
            if f > best_f {
                (best, best_f) = (cand, f);
            }
        }
        for m in (0..=6).map(|k| k as f32 * 0.05) {
            let cand = Params {
                inside_margin: m,
                ..best
            };
            let f = score(&pages, cand);
            if f > best_f {
                (best, best_f) = (cand, f);
            }
        }
        for o in (10..=19).map(|k| k as f32 * 0.05) {
            let cand = Params {
                outside_bar: o,
                ..best
            };
            let f = score(&pages, cand);
            if f > best_f {
                (best, best_f) = (cand, f);
            }
        }
        for w in [0.0f32, 0.05, 0.1, 0.15, 0.2] {
            let cand = Params {
                smoothing: w,
                ..best
            };
            let f = score(&pages, cand);
            if f > best_f {
                (best, best_f) = (cand, f);
            }
        }
        eprintln!("  search: {best:?} token F1 {best_f:.4}");
    }
    if holdout {
        eprintln!(
            "held-out half of the sites ({} pages): token F1 {:.4}",
            test.len(),
            score(&test, best)
        );
        return Ok(());
    }
    let list = |xs: &[f32]| {
        xs.iter()
            .map(|x| format!("{x:.6}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut src = String::from(
        "//! Weights of the boilerplate line model. Written by `cargo xtask train boilerplate`; do not edit.\n\n\
         use super::boilerplate::Model;\n\n\
         /// The trained line model.\n\
         #[rustfmt::skip]\n\
         pub(super) static MODEL: Model = Model {\n    w1: [\n",
    );
    for row in &model.w1 {
        src.push_str(&format!("        [{}],\n", list(row)));
    }
    src.push_str(&format!(
        "    ],\n    w2: [{}],\n    b2: {:.6},\n}};\n",
        list(&model.w2),
        model.b2
    ));
    src.push_str(&format!(
        "\n/// Smoothed article probability that counts towards the main run.\n\
         pub(super) const THRESHOLD: f32 = {:.2};\n\n\
         /// How much lower the keep bar is inside the main run.\n\
         pub(super) const INSIDE_MARGIN: f32 = {:.2};\n\n\
         /// The keep bar outside the main run.\n\
         pub(super) const OUTSIDE_BAR: f32 = {:.2};\n\n\
         /// Weight of each neighbour's score in a line's smoothed score.\n\
         pub(super) const SMOOTHING: f32 = {:.2};\n",
        best.threshold, best.inside_margin, best.outside_bar, best.smoothing
    ));
    super::util::write(&out, src)?;
    eprintln!(
        "chose {best:?} (token F1 {best_f:.4} on the training pages); wrote {}",
        out.display()
    );
    Ok(())
}

/// `\w+` tokens, close to Python's `re` (letters, digits, `_`).
fn word_tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let w = c.is_alphanumeric() || c == '_';
        match (w, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// Token counts of one page: (true positives, false positives, false negatives).
type Counts = (usize, usize, usize);

/// Bag-of-tokens (tp, fp, fn) of `pred` against `truth`.
fn bag_counts(truth: &str, pred: &str) -> (usize, usize, usize) {
    let mut t: HashMap<&str, isize> = HashMap::new();
    for w in word_tokens(truth) {
        *t.entry(w).or_default() += 1;
    }
    let nt: usize = t.values().map(|&v| v as usize).sum();
    let mut tp = 0;
    let mut np = 0;
    for w in word_tokens(pred) {
        np += 1;
        if let Some(c) = t.get_mut(w) {
            if *c > 0 {
                *c -= 1;
                tp += 1;
            }
        }
    }
    (tp, np - tp, nt - tp)
}

/// Token P/R/F1 aggregated as the reference scorer does.
fn aggregate(counts: &[(usize, usize, usize)]) -> (f64, f64, f64) {
    let page_p = |&(tp, fp, fn_): &(usize, usize, usize)| {
        if fp == 0 && fn_ == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        }
    };
    let page_r = |&(tp, fp, fn_): &(usize, usize, usize)| {
        if fp == 0 && fn_ == 0 {
            1.0
        } else {
            tp as f64 / (tp + fn_) as f64
        }
    };
    let ps: Vec<f64> = counts
        .iter()
        .filter(|c| c.0 + c.1 > 0)
        .map(page_p)
        .collect();
    let rs: Vec<f64> = counts
        .iter()
        .filter(|c| c.0 + c.2 > 0)
        .map(page_r)
        .collect();
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let (p, r) = (mean(&ps), mean(&rs));
    (
        p,
        r,
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        },
    )
}

/// The flags of `eval boilerplate`.
#[derive(Args, Debug)]
pub struct EvalBoilerplateArgs {
    /// Pages (default: the dev pages and the seeds).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Show each page's scores.
    #[arg(long)]
    pub verbose: bool,
}

/// `cargo xtask eval boilerplate [--data FILE] [--verbose]`: token F1 of
/// the kept lines on the dev pages (overall and by source) and the seeds.
pub fn eval_boilerplate(args: &EvalBoilerplateArgs) -> Result {
    let dir = shared().join("data/boilerplate");
    let files: Vec<PathBuf> = match &args.data {
        Some(f) => vec![f.clone()],
        None => vec![dir.join("dev.jsonl"), dir.join("seeds.jsonl")],
    };
    for file in files {
        let pages = read_pages(&file)?;
        let mut by_source: Vec<(String, Vec<Counts>)> = vec![("all".into(), Vec::new())];
        let mut line_stats = [0usize; 4];
        for page in &pages {
            let lines = page.line_texts();
            let keep = keep_lines(&lines);
            let kept: Vec<&str> = lines
                .iter()
                .zip(&keep)
                .filter(|(_, &k)| k)
                .map(|(l, _)| *l)
                .collect();
            let c = bag_counts(&page.article_text, &kept.join("\n"));
            let src = page.source.clone();
            by_source[0].1.push(c);
            match by_source.iter_mut().find(|(s, _)| *s == src) {
                Some((_, v)) => v.push(c),
                None => by_source.push((src, vec![c])),
            }
            for (a, &k) in page.labels().into_iter().zip(&keep) {
                line_stats[usize::from(a) * 2 + usize::from(k)] += 1;
            }
            if args.verbose {
                let (p, r, f) = aggregate(&[c]);
                println!("  {:32} P {p:.3} R {r:.3} F1 {f:.3}", page.id);
            }
        }
        println!(
            "Boilerplate, {} ({} pages): token P/R/F1 of kept lines vs article_text",
            file.display(),
            pages.len()
        );
        for (src, counts) in &by_source {
            let (p, r, f) = aggregate(counts);
            println!(
                "  {src:20} P {p:.3} R {r:.3} F1 {f:.3}  ({} pages)",
                counts.len()
            );
        }
        let [tn, fp, fn_, tp] = line_stats;
        let (p, r, f) = prf(tp, tp + fp, tp + fn_);
        println!(
            "  line labels: P {p:.3} R {r:.3} F1 {f:.3} accuracy {:.3}",
            (tp + tn) as f64 / (tp + tn + fp + fn_).max(1) as f64
        );
    }
    Ok(())
}
