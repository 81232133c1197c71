//! BENCHMARKS.md and the README's headline table, rendered from the typed
//! record. Each section of the report reads its own section of the record;
//! a section that was never measured (or failed) is left out or shows "–".

use std::fmt::Write as _;

use super::clock;
use super::opt;
use super::peers::{Runtime, PEERS};
use super::profile::stage_names;
use super::record::{
    bars, BoilerplateScore, Measurement, OptLevel, PagePool, Profile, Record, SentenceScores,
    StageSpeed, Throughput, Unit, SLOPE_MAX,
};

const HEADLINE_START: &str = "<!-- headline:start -->";
const HEADLINE_END: &str = "<!-- headline:end -->";

// ---------------------------------------------------------------- numbers

/// A rate with a unit suffix: 1234567 -> "1.23M".
pub(super) fn rate(x: Option<f64>) -> String {
    let Some(x) = x.filter(|x| x.is_finite()) else {
        return "–".into();
    };
    let (v, u) = if x >= 1e9 {
        (x / 1e9, "G")
    } else if x >= 1e6 {
        (x / 1e6, "M")
    } else if x >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    if v >= 100.0 {
        format!("{v:.0}{u}")
    } else if v >= 10.0 {
        format!("{v:.1}{u}")
    } else {
        format!("{v:.2}{u}")
    }
}

/// A speed ratio: "2.35×", "14.2×", "7233×"; "–" when unknown.
fn ratio(ours: Option<f64>, theirs: Option<f64>) -> String {
    let x = match (ours, theirs) {
        (Some(a), Some(b)) => a / b,
        _ => f64::NAN,
    };
    if !x.is_finite() || x <= 0.0 {
        "–".into()
    } else if x >= 100.0 {
        format!("{x:.0}×")
    } else if x >= 10.0 {
        format!("{x:.1}×")
    } else {
        format!("{x:.2}×")
    }
}

/// newsmark's speed over a peer's, per CPU-second when both were measured
/// that way (steadier on a shared machine), else by wall-clock time.
fn speed_ratio(ours: &Throughput, theirs: &Throughput, unit: Unit) -> String {
    match (ours.per_cpu_s(unit), theirs.per_cpu_s(unit)) {
        (Some(a), Some(b)) => ratio(Some(a), Some(b)),
        _ => format!("{} (wall)", ratio(ours.per_s(unit), theirs.per_s(unit))),
    }
}

/// A byte count: "1.2 MB", "34.5 KB", "512 B".
pub(super) fn bytes(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x >= 1e6 {
        format!("{:.2} MB", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1} KB", x / 1e3)
    } else {
        format!("{x:.0} B")
    }
}

fn opt_bytes(x: Option<u64>) -> String {
    x.map_or(String::new(), |b| bytes(b as f64))
}

/// A 0..1 score as a percentage with one decimal.
fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{:.1}", x * 100.0))
}

/// "12.3k ±4%": throughput with half the passes' spread.
fn speed(t: &Throughput, unit: Unit) -> String {
    match (t.per_s(unit), t.spread_pct()) {
        (Some(x), Some(sp)) if x.is_finite() => format!("{} ±{:.0}%", rate(Some(x)), sp / 2.0),
        _ => "–".into(),
    }
}

/// A stored timestamp as the report shows it.
pub(super) fn when(m: &Measurement) -> String {
    clock::display(&m.started)
}

// ---------------------------------------------------------------- lookups

/// Where newsmark ran.
#[derive(Clone, Copy, PartialEq)]
enum Env {
    Native,
    Node,
    Chromium,
}

fn stages(r: &Record, env: Env) -> &[StageSpeed] {
    let s = &r.sections;
    let stages = match env {
        Env::Native => s.native.as_ref().and_then(|x| x.data()).map(|d| &d.stages),
        Env::Node => s
            .wasm_node
            .as_ref()
            .and_then(|x| x.data())
            .map(|d| &d.stages),
        Env::Chromium => s
            .wasm_chromium
            .as_ref()
            .and_then(|x| x.data())
            .map(|d| &d.stages),
    };
    stages.map_or(&[], Vec::as_slice)
}

/// newsmark's passes for one stage in one place.
fn stage<'a>(r: &'a Record, env: Env, name: &str) -> Option<&'a Throughput> {
    stages(r, env)
        .iter()
        .find(|s| s.stage == name)
        .map(|s| &s.speed)
}

/// newsmark's browser download: the gzipped .wasm plus the minified, gzipped glue.
fn newsmark_download(r: &Record) -> Option<u64> {
    let sizes = r.sections.sizes.as_ref()?.data()?;
    let find = |suffix: &str| sizes.files.iter().find(|f| f.file.ends_with(suffix));
    Some(find("newsmark_bg.wasm")?.gzip + find("newsmark.js")?.minified_gzip?)
}

/// Whether a section was measured after the last whole run, by another command.
fn remeasured(r: &Record, m: &Measurement) -> bool {
    m.command != r.run.command || m.started < r.run.started
}

// ---------------------------------------------------------------- the report

/// The stored accuracy section's data, if it was measured.
fn accuracy(r: &Record) -> Option<&super::record::Accuracy> {
    r.sections.accuracy.as_ref().and_then(|a| a.data())
}

/// The headline table, between markers, as it also goes into the README.
fn headline(r: &Record) -> String {
    let mut s = String::new();
    let ner = accuracy(r).and_then(|a| a.ner.as_ref());
    let f1 = ner.map(|n| n.raw.f1);
    let news = ner.and_then(|n| n.raw.news_f1);
    let node_full = stage(r, Env::Node, "full");
    let _ = writeln!(s, "{HEADLINE_START}");
    let _ = writeln!(
        s,
        "| system | runs in | NER F1, 18 labels | F1 news | labels emitted: F1 on them | tokens/s | tokens per CPU-second | newsmark (wasm, Node) ÷ this, speed | browser download (gzip) |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let download = newsmark_download(r).map_or("–".into(), |b| bytes(b as f64));
    for (env, label) in [
        (Env::Native, "Rust, native"),
        (Env::Node, "wasm in Node"),
        (Env::Chromium, "wasm in Chromium"),
    ] {
        let t = stage(r, env, "full");
        let _ = writeln!(
            s,
            "| **newsmark** | {label} | {} | {} | 18: {} | {} | {} | {} | {} |",
            pct(f1),
            pct(news),
            pct(f1),
            t.map_or("–".into(), |t| speed(t, Unit::Tokens)),
            rate(t.and_then(|t| t.per_cpu_s(Unit::Tokens))),
            if env == Env::Node { "1×" } else { "" },
            if env == Env::Native { "" } else { &download },
        );
    }
    let bundles = r
        .sections
        .peer_bundles
        .as_ref()
        .and_then(|b| b.data())
        .map(|b| b.bundles.as_slice())
        .unwrap_or_default();
    for peer in PEERS {
        let Some(p) = r.sections.ner_peers.get(peer.id).and_then(|s| s.data()) else {
            continue;
        };
        let bundle = match bundles.iter().find(|b| b.name == p.id) {
            Some(b) => bytes(b.gzip as f64),
            None if peer.runtime == Runtime::Python => "not for browsers".into(),
            None => "–".into(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {}: {} | {} | {} | {} | {} |",
            p.name,
            p.runtime,
            pct(Some(p.f1)),
            pct(p.news_f1),
            p.labels.len(),
            pct(Some(p.covered_f1)),
            speed(&p.speed, Unit::Tokens),
            rate(p.speed.per_cpu_s(Unit::Tokens)),
            node_full.map_or("–".into(), |t| speed_ratio(t, &p.speed, Unit::Tokens)),
            bundle,
        );
    }
    let _ = writeln!(s, "{HEADLINE_END}");
    s
}

/// The README's copy of the headline table, with where it comes from.
pub fn readme_headline(r: &Record) -> String {
    let mut targets = String::new();
    targets_section(&mut targets, r);
    let targets = targets.replacen("## Targets (issue #14)\n\n", "", 1);
    let table = headline(r);
    let table = table
        .trim_start_matches(HEADLINE_START)
        .trim_start_matches('\n')
        .replace(HEADLINE_END, "");
    format!(
        "{}\nFrom [BENCHMARKS.md](BENCHMARKS.md) (`{}`, {}{}); F1 is exact-match entity F1 on OntoNotes dev, raw text.\n\nIssue #14's targets, from the same record:\n\n{}",
        table.trim_end_matches('\n').to_string() + "\n",
        r.run.command,
        when(&r.run),
        if r.sections.all().iter().any(|s| remeasured(r, s.measured)) {
            "; some sections measured again since, as it says"
        } else {
            ""
        },
        targets.trim_end_matches('\n').to_string() + "\n",
    )
}

/// The whole of BENCHMARKS.md; `svg` is the scaling plot's path relative to
/// it, `order` the section names in run order.
pub fn markdown(r: &Record, svg: &str, order: &[String]) -> String {
    let mut s = String::new();
    header(&mut s, r);
    ner_section(&mut s, r);
    targets_section(&mut s, r);
    super::case::section(&mut s, r);
    stages_section(&mut s, r);
    long_text_section(&mut s, r);
    page_pool_section(&mut s, r);
    time_section(&mut s, r);
    sentences_section(&mut s, r);
    boilerplate_section(&mut s, r);
    scaling_section(&mut s, r, svg);
    sizes_section(&mut s, r);
    download_targets_section(&mut s, r);
    startup_section(&mut s, r);
    super::cli::render(&mut s, r);
    per_label_section(&mut s, r);
    versions_section(&mut s, r);
    measured_section(&mut s, r, order);
    s
}

fn header(s: &mut String, r: &Record) {
    let m = &r.machine;
    let sl = &r.slices;
    let _ = writeln!(s, "# Benchmarks\n");
    let again: Vec<String> = r
        .sections
        .all()
        .iter()
        .filter(|x| remeasured(r, x.measured))
        .map(|x| format!("`{}` ({})", x.id, when(x.measured)))
        .collect();
    let _ = writeln!(
        s,
        "Generated by `{}` on {}{}. Do not edit: run the command again (`cargo xtask bench --only SECTION` measures one section again; \
         [How each section was measured](#how-each-section-was-measured) says when and by which command each one was).\n",
        r.run.command,
        when(&r.run),
        if again.is_empty() {
            String::new()
        } else {
            format!("; measured again since then: {}", again.join(", "))
        }
    );
    let chromium = r
        .sections
        .wasm_chromium
        .as_ref()
        .and_then(|c| c.data())
        .map_or("–", |c| c.version.as_str());
    let _ = writeln!(
        s,
        "Machine: {} ({} cores, {} GiB), {}; load average {} at the start, {} at the end. {}; node {}; {}; Chromium {}. Commit `{}`{}. The whole run took {} s.\n",
        m.cpu,
        m.cores,
        m.memory_gib.map_or("?".into(), |g| format!("{g:.1}")),
        m.os,
        r.run.load_avg_start.as_deref().unwrap_or("?"),
        r.run.load_avg_end.as_deref().unwrap_or("?"),
        m.rustc,
        m.node,
        m.python,
        chromium,
        r.run.commit,
        if r.run.dirty { " plus uncommitted changes" } else { "" },
        r.run.seconds.map_or("?".into(), |x| format!("{x:.0}")),
    );
    let _ = writeln!(
        s,
        "Text: the first {} documents of OntoNotes dev (`{}`: {} characters, {} gold tokens), and the first {} pages of the boilerplate dev set. \
         Every system reads the same slice in the same run. Tokens per second count the corpus' gold tokens (the same number for every system), \
         so the figures compare; each figure is the median of {} timed passes after a warm-up on the first tenth of the texts for newsmark and of {} passes for the peers, \
         with ± half the spread (max − min) of the passes. Everything runs on one thread.\n",
        sl.ner.docs,
        sl.ner.file,
        sl.ner.chars,
        sl.ner.tokens,
        sl.boilerplate.docs,
        r.settings.runs,
        r.settings.peer_runs,
    );
}

fn ner_section(s: &mut String, r: &Record) {
    let _ = writeln!(s, "## Named entities: accuracy, speed, download\n");
    s.push_str(&headline(r));
    let ner = accuracy(r).and_then(|a| a.ner.as_ref());
    let _ = writeln!(
        s,
        "\nF1: exact-match entity F1 by `../shared/tools/score_ner.py` on raw text (each system tokenizes the text itself); labels a system never emits count as misses. \
         \"Labels emitted: F1 on them\" rescores with gold and predictions both restricted to the labels the system can emit. \
         newsmark's F1 comes from `cargo xtask predict ner` (native; the wasm build runs the same code); with the gold tokens it is {} (news {}). \
         The speed ratio divides newsmark's full-pipeline tokens per CPU-second as wasm in Node by the peer's, measured in this run \
         (CPU time holds up better than wall-clock time when other work shares the cores; wall-clock is used, and marked, where a CPU figure is missing). \
         CPU time: the process's in Node, the thread's in Python (one thread) and natively. \
         Browser download: newsmark's `.wasm` (model inside) gzipped plus its JS glue minified and gzipped; each JS peer bundled with esbuild `--minify` for the browser, gzipped.\n",
        pct(ner.map(|n| n.gold_tokens.f1)),
        pct(ner.and_then(|n| n.gold_tokens.news_f1)),
    );
    if let Some(lite) = accuracy(r).and_then(|a| a.ner_lite.as_ref()) {
        let _ = writeln!(
            s,
            "The lite model (`models/ontonotes-lite.nmm`, `cargo xtask predict ner --model models/ontonotes-lite.nmm`, same slice): F1 {} on raw text (news {}), {} with the gold tokens (news {}).\n",
            pct(Some(lite.raw.f1)),
            pct(lite.raw.news_f1),
            pct(Some(lite.gold_tokens.f1)),
            pct(lite.gold_tokens.news_f1),
        );
    }
    for peer in PEERS {
        let Some(section) = r.sections.ner_peers.get(peer.id) else {
            continue;
        };
        if let Some(p) = section.data() {
            if let Some(n) = p.failed_docs.filter(|&n| n > 0) {
                let _ = writeln!(
                    s,
                    "{} threw an exception on {n} of the {} documents; those documents count as predicting no entities.\n",
                    p.name, r.slices.ner.docs,
                );
            }
        }
        if remeasured(r, &section.measured) {
            let _ = writeln!(
                s,
                "The row of `{}` was measured again by `{}` on {} (load average {}), on the same slice and settings.\n",
                peer.id,
                section.measured.command,
                when(&section.measured),
                section.measured.load_avg_start.as_deref().unwrap_or("?"),
            );
        }
    }
}

fn stages_section(s: &mut String, r: &Record) {
    let _ = writeln!(s, "## newsmark by stage\n");
    let _ = writeln!(
        s,
        "| stage | native tokens/s | native chars/s | native tokens per CPU-s | wasm in Node tokens/s | wasm in Node chars/s | wasm in Node tokens per CPU-s | wasm in Chromium tokens/s | wasm in Chromium chars/s |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let rows = [
        ("blocks", "blocks (article vs. boilerplate)"),
        ("tokens", "tokens"),
        ("sentences", "sentences (tokenizes first)"),
        ("segment", "segmentation: blocks + tokens + sentences"),
        ("ner", "NER on given tokens"),
        ("ner-features", "NER features alone"),
        ("ner-network", "NER network alone (on given feature ids)"),
        ("full", "full pipeline (`annotate`)"),
    ];
    for (name, label) in rows {
        let mut cells = Vec::new();
        let mut any = false;
        for env in [Env::Native, Env::Node, Env::Chromium] {
            let with_cpu = env != Env::Chromium;
            match stage(r, env, name) {
                Some(t) => {
                    any = true;
                    cells.push(speed(t, Unit::Tokens));
                    cells.push(speed(t, Unit::Chars));
                    if with_cpu {
                        cells.push(rate(t.per_cpu_s(Unit::Tokens)));
                    }
                }
                None => cells.extend(vec!["–".to_string(); if with_cpu { 3 } else { 2 }]),
            }
        }
        if any {
            let _ = writeln!(s, "| {label} | {} |", cells.join(" | "));
        }
    }
    let _ = writeln!(
        s,
        "\nNative: this Rust code in release mode, one text at a time, through the public API (`segment::blocks::blocks`, `segment::tokens::tokenize`, \
         `segment::sentences::sentences`, `segment::segment`, `Annotator::tagger().tag`, `Annotator::annotate`). \
         wasm: the package `cargo xtask wasm` builds (`www/pkg/`), called from JavaScript per document, so the wasm figures include passing the text in \
         and the result out (UTF-16 offsets); the calls the package exports are timed there: `segment(text)` (blocks, sentences and every token \
         returned as JS objects) and `Annotator.annotate(text)` (blocks, sentences and entities; tokens not requested). \
         The package has no NER-only call, so NER in wasm is measured inside the full pipeline. \
         Per CPU-second: the thread's CPU time natively, the process's in Node (its compiler and GC threads included); \
         the page in Chromium has only wall-clock time.\n"
    );
}

/// The spaCy sm tok2vec+ner row the speed bars compare with.
fn spacy(r: &Record) -> Option<&Throughput> {
    r.sections
        .ner_peers
        .get("spacy-ner")
        .and_then(|p| p.data())
        .map(|p| &p.speed)
}

/// One line of the targets table: what, the figure, the bar, met or not.
struct Target {
    what: String,
    value: String,
    bar: String,
    met: Option<bool>,
}

/// Issue #14's bars, checked on this record (each ratio within one run).
fn targets(r: &Record) -> Vec<Target> {
    let mut out = Vec::new();
    let x = |v: Option<f64>| v.map_or("–".into(), |v| ratio(Some(v), Some(1.0)));
    let node = stage(r, Env::Node, "full");
    let chromium = stage(r, Env::Chromium, "full");
    let native = stage(r, Env::Native, "full");
    let sp = spacy(r);
    // newsmark's rate over spaCy's, against the bar.
    let over_spacy = |what: &str, ours: Option<f64>, theirs: Option<f64>, bar: f64| {
        let v = ours.zip(theirs).map(|(a, b)| a / b);
        Target {
            what: what.into(),
            value: format!("{} ({} ÷ {})", x(v), rate(ours), rate(theirs)),
            bar: format!("≥ {bar}×"),
            met: v.map(|v| v >= bar),
        }
    };
    out.push(over_spacy(
        "full pipeline, wasm in Node ÷ spaCy sm tok2vec+ner, tokens per CPU-second",
        node.and_then(|t| t.per_cpu_s(Unit::Tokens)),
        sp.and_then(|t| t.per_cpu_s(Unit::Tokens)),
        bars::NODE_OVER_SPACY,
    ));
    out.push(over_spacy(
        "full pipeline, wasm in Chromium ÷ spaCy sm tok2vec+ner, tokens per second (wall-clock)",
        chromium.and_then(|t| t.per_s(Unit::Tokens)),
        sp.and_then(|t| t.per_s(Unit::Tokens)),
        bars::CHROMIUM_OVER_SPACY,
    ));
    let v = native.and_then(|t| t.per_cpu_s(Unit::Tokens));
    out.push(Target {
        what: "full pipeline, native, tokens per CPU-second".into(),
        value: rate(v),
        bar: format!("≥ {}", rate(Some(bars::NATIVE_TOKENS_PER_CPU_S))),
        met: v.map(|v| v >= bars::NATIVE_TOKENS_PER_CPU_S),
    });
    let long = r.sections.long_text.as_ref().and_then(|l| l.data());
    let v = long.and_then(|l| l.ratio());
    out.push(Target {
        what: format!(
            "long text, wasm in Node: one call on {} ÷ the same documents one by one, tokens per CPU-second",
            long.map_or("the joined text".into(), |l| bytes(l.bytes as f64))
        ),
        value: v.map_or("–".into(), |v| format!("{:.0}%", v * 100.0)),
        bar: format!("≥ {:.0}%", bars::LONG_TEXT_RATIO * 100.0),
        met: v.map(|v| v >= bars::LONG_TEXT_RATIO),
    });
    let memory = r.sections.memory.as_ref().and_then(|m| m.data());
    for (env, label) in [("node", "Node"), ("chromium", "Chromium")] {
        let row = memory.and_then(|m| m.rows.iter().find(|x| x.env == env));
        let full_size = row.is_some_and(|m| m.input_bytes >= bars::MEMORY_INPUT_BYTES * 99 / 100);
        out.push(Target {
            what: format!(
                "peak wasm linear memory after one `annotate` call on {}, {label}",
                row.map_or(bytes(bars::MEMORY_INPUT_BYTES as f64), |m| bytes(
                    m.input_bytes as f64
                ))
            ),
            value: row.map_or("–".into(), |m| match &m.error {
                Some(_) => "failed".into(),
                None => bytes(m.peak_bytes as f64),
            }),
            bar: format!(
                "≤ {} (for 10 MB{})",
                bytes(bars::PEAK_MEMORY_BYTES as f64),
                if row.is_some() && !full_size {
                    "; this input is smaller"
                } else {
                    ""
                }
            ),
            met: row
                .filter(|m| m.error.is_none())
                .map(|m| m.peak_bytes <= bars::PEAK_MEMORY_BYTES),
        });
    }
    let scaling = r.sections.scaling.as_ref().and_then(|x| x.data());
    for se in scaling.map(|s| s.series.as_slice()).unwrap_or_default() {
        if se.stage != "full" || se.env == "native" {
            continue;
        }
        let top = se.points.iter().map(|p| p.bytes).max().unwrap_or(0);
        let slope = se.slope();
        out.push(Target {
            what: format!(
                "time linear, {}: log-log slope from 100 KB to {}",
                se.label(),
                bytes(top as f64)
            ),
            value: slope.map_or("–".into(), |x| format!("{x:.3}")),
            bar: format!("≤ {SLOPE_MAX:.2}"),
            met: slope.map(|x| x <= SLOPE_MAX),
        });
    }
    out
}

/// Issue #15's bars (download, the two models' accuracy, the first
/// annotation in Chromium), checked on this record.
fn download_targets_section(s: &mut String, r: &Record) {
    let sizes = r.sections.sizes.as_ref().and_then(|x| x.data());
    let gz = |suffix: &str| {
        sizes.and_then(|z| {
            z.files
                .iter()
                .find(|f| f.file.ends_with(suffix))
                .map(|f| f.gzip)
        })
    };
    let size_target = |what: &str, v: Option<u64>, bar: u64| Target {
        what: what.into(),
        value: v.map_or("–".into(), |v| bytes(v as f64)),
        bar: format!("≤ {}", bytes(bar as f64)),
        met: v.map(|v| v <= bar),
    };
    // Two decimals: a bar of one decimal must not look met by rounding.
    let f1_target = |what: &str, v: Option<f64>, bar: f64| Target {
        what: what.into(),
        value: v.map_or("–".into(), |v| format!("{:.2}", v * 100.0)),
        bar: format!("≥ {:.1}", bar * 100.0),
        met: v.map(|v| v >= bar),
    };
    let acc = accuracy(r);
    let ner = acc.and_then(|a| a.ner.as_ref());
    let lite = acc.and_then(|a| a.ner_lite.as_ref());
    let chromium = r.sections.wasm_chromium.as_ref().and_then(|w| w.data());
    let mut out = Vec::new();
    for (name, file, size_bar, scores, f1_bars) in [
        (
            "default",
            "newsmark_bg.wasm",
            bars::WASM_GZIP_BYTES,
            ner,
            bars::DEFAULT_F1,
        ),
        (
            "lite",
            "ontonotes-lite.nmm",
            bars::LITE_GZIP_BYTES,
            lite,
            bars::LITE_F1,
        ),
    ] {
        let what = match name {
            "default" => "`newsmark_bg.wasm` (code and default model), gzipped".to_string(),
            _ => format!("`{file}` (the {name} model), gzipped"),
        };
        out.push(size_target(&what, gz(file), size_bar));
        out.push(f1_target(
            &format!("{name} model, F1 with the gold tokens"),
            scores.map(|n| n.gold_tokens.f1),
            f1_bars.0,
        ));
        out.push(f1_target(
            &format!("{name} model, F1 on raw text"),
            scores.map(|n| n.raw.f1),
            f1_bars.1,
        ));
    }
    let first = chromium.map(|w| w.first_annotation_ms);
    out.push(Target {
        what: "the demo page's sample first annotated in Chromium, from navigation".into(),
        value: first.map_or("–".into(), |v| format!("{v:.1} ms")),
        bar: format!("≤ {:.0} ms", bars::FIRST_ANNOTATION_MS),
        met: first.map(|v| v <= bars::FIRST_ANNOTATION_MS),
    });
    let _ = writeln!(s, "## Targets (issue #15)\n");
    targets_table(s, &out);
    let _ = writeln!(
        s,
        "\nSizes from the table above; F1 from the accuracy section (the slice, `cargo xtask predict ner`, scored by `score_ner.py`); the first annotation from the Chromium run (start-up table below).\n"
    );
}

fn targets_section(s: &mut String, r: &Record) {
    let _ = writeln!(s, "## Targets (issue #14)\n");
    targets_table(s, &targets(r));
    let _ = writeln!(
        s,
        "\nEach ratio divides two figures of this record (measured in the same run unless the last table says otherwise). \
         Node's CPU time is the process's (compiler and GC threads included), spaCy's the thread's; the page in Chromium has only wall-clock time, so that ratio is by wall-clock.\n"
    );
}

/// A table of targets: what, this run's figure, the bar, met or not.
fn targets_table(s: &mut String, targets: &[Target]) {
    let _ = writeln!(s, "| target | this run | bar | met |");
    let _ = writeln!(s, "|---|---:|---:|---|");
    for t in targets {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            t.what,
            t.value,
            t.bar,
            match t.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "not measured",
            }
        );
    }
}

fn long_text_section(s: &mut String, r: &Record) {
    let Some(l) = r.sections.long_text.as_ref().and_then(|l| l.data()) else {
        return;
    };
    let _ = writeln!(s, "## Long text vs separate documents (wasm in Node)\n");
    let _ = writeln!(
        s,
        "| how | calls | tokens/s | tokens per CPU-second |\n|---|---:|---:|---:|"
    );
    let _ = writeln!(
        s,
        "| the {} documents joined as one text of {}, one `annotate` call | 1 | {} | {} |",
        l.one_call.docs,
        bytes(l.bytes as f64),
        speed(&l.one_call, Unit::Tokens),
        rate(l.one_call.per_cpu_s(Unit::Tokens)),
    );
    let _ = writeln!(
        s,
        "| the same documents, one `annotate` call each | {} | {} | {} |",
        l.separate.docs,
        speed(&l.separate, Unit::Tokens),
        rate(l.separate.per_cpu_s(Unit::Tokens)),
    );
    let _ = writeln!(
        s,
        "\nOne call ÷ separate calls, tokens per CPU-second: {} (bar: at least {:.0}%). Both count the same tokens (the documents' {} gold tokens); \
         the joined text puts a blank line between documents. The first documents of the slice up to {} are used; each of the {} rounds times both, alternating which goes first, after a warm-up.\n",
        l.ratio().map_or("–".into(), |v| format!("{:.0}%", v * 100.0)),
        bars::LONG_TEXT_RATIO * 100.0,
        l.one_call.tokens,
        bytes(super::LONG_TEXT_BYTES as f64),
        l.one_call.wall_s.len(),
    );
}

/// Seconds as "12.3 s" ("–" when unknown).
fn seconds(x: Option<f64>) -> String {
    x.filter(|x| x.is_finite())
        .map_or("–".into(), |x| format!("{x:.1} s"))
}

/// Issue #16's bar for the page, and the check that the worker count does not change the result.
fn page_pool_targets(p: &PagePool) -> Vec<Target> {
    let full_size = p.chars >= bars::PAGE_POOL_INPUT_CHARS * 99 / 100;
    let rounds = p.runs.iter().filter(|x| x.workers == 2).count();
    let v = p.speedup();
    let same = p.same_result();
    vec![
        Target {
            what: format!(
                "the page, a {} paste: 1 worker ÷ 2 workers, wall-clock from paste to result shown (median of {rounds} each)",
                bytes(p.bytes as f64)
            ),
            value: v.map_or("–".into(), |v| {
                format!(
                    "{} ({} ÷ {})",
                    ratio(Some(v), Some(1.0)),
                    seconds(p.median_s(1)),
                    seconds(p.median_s(2))
                )
            }),
            bar: format!(
                "≥ {}×{}",
                bars::PAGE_POOL_SPEEDUP,
                if full_size {
                    ""
                } else {
                    " (for 5 MB; this paste is smaller)"
                }
            ),
            met: v.map(|v| v >= bars::PAGE_POOL_SPEEDUP),
        },
        Target {
            what: "the same blocks, sentences and entities with 2 workers as with 1".into(),
            value: match (same, p.entities(1), p.entities(2)) {
                (Some(true), Some(n), _) => format!(
                    "identical in all {} runs ({} entities)",
                    p.runs.len(),
                    thousands(n)
                ),
                (Some(false), a, b) => format!(
                    "different: {} entities with 1 worker, {} with 2",
                    a.map_or("–".into(), thousands),
                    b.map_or("–".into(), thousands)
                ),
                _ => "–".into(),
            },
            bar: "identical".into(),
            met: same,
        },
    ]
}

/// 1234567 -> "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn page_pool_section(s: &mut String, r: &Record) {
    let Some(p) = r.sections.page_pool.as_ref().and_then(|x| x.data()) else {
        return;
    };
    let _ = writeln!(s, "## The page on several workers (issue #16)\n");
    targets_table(s, &page_pool_targets(p));
    let _ = writeln!(
        s,
        "\n| workers | runs | paste → result shown | annotating | workers the page started | parts | tokens | entities |\n|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for w in [1, 2] {
        let runs: Vec<_> = p.runs.iter().filter(|x| x.workers == w).collect();
        let Some(first) = runs.first() else {
            continue;
        };
        let shown: Vec<f64> = runs.iter().map(|x| x.seconds).collect();
        let _ = writeln!(
            s,
            "| {w} | {} | {} (runs: {}) | {} | {} | {} | {} | {} |",
            runs.len(),
            seconds(p.median_s(w)),
            shown
                .iter()
                .map(|x| format!("{x:.1}"))
                .collect::<Vec<_>>()
                .join(", "),
            seconds(p.median_annotate_s(w)),
            first.workers_started,
            first.parts,
            thousands(first.tokens),
            thousands(first.entities),
        );
    }
    let _ = writeln!(
        s,
        "\nThe paste: the slice's documents joined with blank lines and repeated up to {} characters ({} documents, {}). \
         Each run opens the demo page (`/www/index.html?workers=N`, served by xtask's static server under the demo's CSP) in a fresh browser context, \
         waits for its first worker to load, pastes the text (a `paste` event, as a user's) and measures with `performance.now()` from the event to the result on the page \
         (the article, legend, panel and stats, set in one task); \"annotating\" is the page's own figure, from the first piece sent to the last result in. \
         The orders alternate over the rounds (1 then 2, 2 then 1, ...); the first worker starts with the page (before the paste), a second one when the paste arrives. \
         Medians; every run's result is exported with the page's JSON button and hashed. Chromium {} reports {} cores, so the page's default is {} worker(s). \
         Two workers can only be faster where a second core is free: the load average of the section (last table) says how busy the machine was.\n",
        thousands(p.chars as u64),
        thousands(p.docs as u64),
        bytes(p.bytes as f64),
        p.chromium,
        p.hardware_concurrency,
        p.default_workers,
    );
    if let Some(sp) = &p.splitting {
        let _ = writeln!(
            s,
            "What the pieces cost in accuracy: the slice's {} documents joined with blank lines ({} characters) and annotated three ways by the wasm package in Node (`bench/pieces.mjs`), scored by `score_ner.py`:\n",
            sp.docs,
            thousands(sp.chars as u64)
        );
        let _ = writeln!(
            s,
            "| how | entities | P | R | F1 | F1 news |\n|---|---:|---:|---:|---:|---:|"
        );
        for m in &sp.modes {
            let how = match m.mode.as_str() {
                "documents" => "one call per document (as `eval` does)".to_string(),
                "pieces" => format!(
                    "the page's {} pieces, one call each ({} document(s) cut by a piece boundary)",
                    sp.pieces,
                    sp.docs_cut.len()
                ),
                "whole" => "the joined text in one call".to_string(),
                other => other.to_string(),
            };
            // Two decimals: the ways differ by hundredths.
            let pct2 = |v: Option<f64>| v.map_or("–".into(), |x| format!("{:.2}", x * 100.0));
            let _ = writeln!(
                s,
                "| {how} | {} | {} | {} | {} | {} |",
                thousands(m.entities),
                pct2(Some(m.score.p)),
                pct2(Some(m.score.r)),
                pct2(Some(m.score.f1)),
                pct2(m.score.news_f1),
            );
        }
        let _ = writeln!(
            s,
            "\nThe pieces' entities differ from the per-document ones in {} places and from the one-call ones in {} (an entity found by one way only counts once). \
             A piece holds several documents: the document layer pools a word's mentions over the whole piece and the convolutions read a few tokens across a blank line, \
             as in one call on the joined text, so pieces and one call agree more with each other than with the documents taken one by one.\n",
            thousands(sp.pieces_vs_documents),
            thousands(sp.pieces_vs_whole)
        );
    }
}

/// "Where the time goes": the wasm profile by stage (with any earlier
/// profiles beside it), its top functions, and the native stages.
fn time_section(s: &mut String, r: &Record) {
    let profiles = r.sections.profile.as_ref().and_then(|p| p.data());
    let native_parts = native_breakdown(r);
    if profiles.is_none() && native_parts.is_none() {
        return;
    }
    let _ = writeln!(s, "## Where the time goes\n");
    if let Some(p) = profiles {
        let all: Vec<&Profile> = std::iter::once(&p.current).chain(&p.earlier).collect();
        let mut head = String::from("| stage (wasm in Node) |");
        let mut rule = String::from("|---|");
        for q in &all {
            let _ = write!(head, " {}: seconds | {}: share |", q.label, q.label);
            rule.push_str("---:|---:|");
        }
        let _ = writeln!(s, "{head}\n{rule}");
        let mut names: Vec<String> = stage_names().into_iter().map(String::from).collect();
        for q in &all {
            for st in &q.stages {
                if !names.contains(&st.stage) {
                    names.push(st.stage.clone());
                }
            }
        }
        for name in names.iter().map(String::as_str).chain(["total"]) {
            let mut line = format!("| {name} |");
            for q in &all {
                let secs = if name == "total" {
                    Some(q.seconds)
                } else {
                    q.stages.iter().find(|x| x.stage == name).map(|x| x.seconds)
                };
                match secs {
                    Some(x) if q.seconds > 0.0 => {
                        let _ = write!(line, " {x:.2} | {:.1}% |", 100.0 * x / q.seconds);
                    }
                    _ => line.push_str(" – | – |"),
                }
            }
            let _ = writeln!(s, "{line}");
        }
        let c = &p.current;
        let _ = writeln!(
            s,
            "\nSelf time of the functions sampled by the profiler, summed by stage with the name patterns of `STAGES` in `xtask/src/bench/profile.rs` \
             (conversion to JS: the bindings, the wasm-bindgen glue, V8's wasm/JS wrappers and the garbage collector; other: everything unmatched, V8's own work included). \
             {}; {} samples, {:.2} s, only the timed pass (start-up and warm-up left out).\n",
            c.how, c.samples, c.seconds
        );
        let _ = writeln!(s, "Top 10 functions ({}):\n", c.label);
        let _ = writeln!(
            s,
            "| function | stage | self seconds | share |\n|---|---|---:|---:|"
        );
        for f in &c.top {
            let name: String = if f.function.chars().count() > 110 {
                f.function.chars().take(107).collect::<String>() + "..."
            } else {
                f.function.clone()
            };
            let _ = writeln!(
                s,
                "| `{}` | {} | {:.3} | {:.1}% |",
                name.replace('|', "\\|"),
                f.stage,
                f.seconds,
                if c.seconds > 0.0 {
                    100.0 * f.seconds / c.seconds
                } else {
                    0.0
                }
            );
        }
        s.push('\n');
    }
    if let Some(parts) = native_parts {
        let total: f64 = parts.iter().map(|p| p.1).sum();
        let _ = writeln!(
            s,
            "| stage (native) | CPU seconds per pass | share |\n|---|---:|---:|"
        );
        for (name, secs) in &parts {
            let _ = writeln!(
                s,
                "| {name} | {secs:.3} | {:.1}% |",
                if total > 0.0 {
                    100.0 * secs / total
                } else {
                    0.0
                }
            );
        }
        let _ = writeln!(
            s,
            "| total (`full`) | {total:.3} | 100% |\n\nNative: the stages of section `native` timed on their own (CPU time, median pass): segmentation is `segment`, \
             features the featurizer alone (`ner-features`), network the network alone on those ids (`ner-network`); decoding and probabilities are the tagger (`ner`) less those two, \
             the rest is `full` less `segment` and `ner` (building the document). Differences of medians, so a small part can come out near zero.\n"
        );
    }
}

/// Native CPU seconds per pass by part, from the native stages; `None`
/// without them.
fn native_breakdown(r: &Record) -> Option<Vec<(&'static str, f64)>> {
    let cpu = |name: &str| stage(r, Env::Native, name).and_then(|t| t.cpu_median_s());
    let (seg, feats, net, ner, full) = (
        cpu("segment")?,
        cpu("ner-features")?,
        cpu("ner-network")?,
        cpu("ner")?,
        cpu("full")?,
    );
    Some(vec![
        ("segmentation", seg),
        ("features", feats),
        ("network", net),
        ("decoding and probabilities", (ner - feats - net).max(0.0)),
        ("the rest (document, offsets)", (full - seg - ner).max(0.0)),
    ])
}

fn sentences_section(s: &mut String, r: &Record) {
    let ours = accuracy(r).and_then(|a| a.sentences.as_ref());
    // (name, scores, speed): newsmark, then the peers in their order.
    let mut rows: Vec<(&str, &SentenceScores, Option<&Throughput>)> = Vec::new();
    if let Some(o) = ours {
        rows.push(("**newsmark**", o, None));
    }
    for peer in PEERS {
        if let Some(p) = r.sections.ner_peers.get(peer.id).and_then(|x| x.data()) {
            if let Some(ps) = &p.sentences {
                rows.push((&ps.name, &ps.scores, Some(&p.speed)));
            }
        }
        if let Some(p) = r
            .sections
            .sentence_peers
            .get(peer.id)
            .and_then(|x| x.data())
        {
            rows.push((&p.name, &p.scores, Some(&p.speed)));
        }
    }
    if rows.is_empty() {
        return;
    }
    let native = stage(r, Env::Native, "sentences");
    let _ = writeln!(s, "## Sentences\n");
    let _ = writeln!(
        s,
        "| system | boundary F1 | F1 news | Golden Rules | extra rules | news cases | chars/s | chars per CPU-second | newsmark (native) ÷ this, speed |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, scores, peer_speed) in rows {
        let case = |k: &str| {
            scores
                .cases
                .get(k)
                .map_or("–".to_string(), |c| format!("{}/{}", c.passed, c.total))
        };
        let (chars, cpu, versus) = match peer_speed {
            None => (
                native.map_or("–".into(), |t| speed(t, Unit::Chars)),
                rate(native.and_then(|t| t.per_cpu_s(Unit::Chars))),
                "1×".to_string(),
            ),
            Some(t) => (
                speed(t, Unit::Chars),
                rate(t.per_cpu_s(Unit::Chars)),
                native.map_or("–".into(), |n| speed_ratio(n, t, Unit::Chars)),
            ),
        };
        let news = scores
            .boundaries
            .news
            .as_ref()
            .filter(|n| n.gold > 0)
            .map(|n| n.f1);
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {} | {} | {} | {chars} | {cpu} | {versus} |",
            pct(Some(scores.boundaries.all.f1)),
            pct(news),
            case("golden_rules"),
            case("golden_rules_extra"),
            case("news_cases"),
        );
    }
    let _ = writeln!(
        s,
        "\nBoundary F1 on the slice's gold sentences and pass counts on `../shared/data/sbd/`, both by `../shared/tools/score_sentences.py`. \
         newsmark's from `cargo xtask predict sentences`; its speed is the native `sentences` stage (which tokenizes first), the peers' is Python. \
         The spaCy parser figure is the full pipeline's speed (the parser is what splits sentences there). \
         NLTK's pretrained English Punkt data is not distributed on PyPI (the packages that claim to carry it either download it at install time or ship no data), \
         so the bench trains NLTK's own unsupervised `PunktTrainer` on the raw text of OntoNotes train (no sentence labels used) and uses those parameters.\n"
    );
}

fn boilerplate_section(s: &mut String, r: &Record) {
    let acc = accuracy(r);
    let ours = acc.and_then(|a| a.boilerplate.as_ref());
    let baselines = acc.map(|a| &a.baselines);
    let peers: Vec<_> = PEERS
        .iter()
        .filter_map(|p| {
            r.sections
                .boilerplate_peers
                .get(p.id)
                .and_then(|x| x.data())
        })
        .collect();
    if ours.is_none() && peers.is_empty() && baselines.is_none_or(|b| b.is_empty()) {
        return;
    }
    let _ = writeln!(s, "## Article vs. boilerplate\n");
    let _ = writeln!(s, "| system | reads | token F1 | P | R | pages/s |");
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|");
    let row = |s: &mut String, name: &str, reads: &str, b: &BoilerplateScore, pages: String| {
        let f3 = |x: f64| format!("{x:.3}");
        let _ = writeln!(
            s,
            "| {name} | {reads} | {} ± {} | {} | {} | {pages} |",
            f3(b.bag.f1),
            b.bag.f1_std.map_or("–".into(), f3),
            f3(b.bag.precision),
            f3(b.bag.recall),
        );
    };
    if let Some(b) = ours {
        let pages = r
            .sections
            .native
            .as_ref()
            .and_then(|n| n.data())
            .and_then(|n| n.pages.as_ref())
            .and_then(|p| p.per_s(Unit::Docs));
        row(s, "**newsmark** (blocks)", "plain text", b, rate(pages));
    }
    for p in peers {
        row(
            s,
            &p.name,
            &p.input,
            &p.score,
            rate(p.speed.per_s(Unit::Docs)),
        );
    }
    for (name, b) in baselines.into_iter().flatten() {
        if name.contains("oracle") || name.contains("gold") {
            continue;
        }
        row(
            s,
            &format!("baseline `{name}`"),
            "plain text",
            b,
            String::new(),
        );
    }
    let _ = writeln!(
        s,
        "\nToken F1 of the kept lines against each page's article text by `../shared/tools/score_boilerplate.py lines` (± is the bootstrap standard deviation over pages). \
         The data are plain-text dumps with no HTML, so trafilatura and Readability (which read HTML) do not apply; jusText is run with each line as one `<p>`, \
         which is what its paragraph classifier sees on such a page. newsmark's pages/s is the native `blocks` stage on the same pages.\n"
    );
}

fn scaling_section(s: &mut String, r: &Record, svg: &str) {
    let Some(scaling) = r.sections.scaling.as_ref().and_then(|x| x.data()) else {
        return;
    };
    let series = &scaling.series;
    if series.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "## Scaling: time against input size (one call per input)\n"
    );
    let _ = writeln!(s, "![time against input size, log-log]({svg})\n");
    let mut head = String::from("| input |");
    let mut rule = String::from("|---:|");
    for se in series {
        let name = se.label();
        let _ = write!(
            head,
            " {name}: seconds | {name}: CPU seconds | {name}: MB/s |"
        );
        rule.push_str("---:|---:|---:|");
    }
    let _ = writeln!(s, "{head}\n{rule}");
    for (i, first) in series[0].points.iter().enumerate() {
        let mut line = format!("| {} |", bytes(first.bytes as f64));
        for se in series {
            match se.points.get(i) {
                Some(p) => {
                    let _ = write!(
                        line,
                        " {:.5} | {} | {:.1} |",
                        p.seconds,
                        p.cpu_seconds.map_or("–".into(), |c| format!("{c:.5}")),
                        p.bytes as f64 / p.seconds / 1e6
                    );
                }
                None => line.push_str(" – | – | – |"),
            }
        }
        let _ = writeln!(s, "{line}");
    }
    s.push('\n');
    for se in series {
        let slope = se.slope();
        let _ = writeln!(
            s,
            "- {}: log-log slope of {} time {} over 100 KB and up (1.000 is linear): {}.",
            se.label(),
            if se.env == "chromium" {
                "wall-clock"
            } else {
                "CPU"
            },
            slope.map_or("–".into(), |x| format!("{x:.3}")),
            match slope {
                Some(x) if x <= SLOPE_MAX => "linear or better (at most 1.05)",
                Some(_) => "NOT linear (over 1.05)",
                None => "too few inputs of 100 KB and up to tell",
            }
        );
    }
    let _ = writeln!(
        s,
        "\nEach input is OntoNotes dev text repeated as paragraphs up to the size, annotated as one text in ONE call (the wasm package takes up to 256 MiB per call: nothing is split); \
         each time is the median of three samples, each repeating the call for at least 0.2 s (a call over 1 s is sampled three times, one over 5 s once). \
         The wasm curves are `Annotator.annotate` called from JavaScript in one instance (result converted to JS objects included). \
         The slope uses CPU time (the thread's natively, the process's in Node), which other work on the machine does not inflate; Chromium has only wall-clock time.\n"
    );
}

fn sizes_section(s: &mut String, r: &Record) {
    let sizes = r.sections.sizes.as_ref().and_then(|x| x.data());
    let bundles = r.sections.peer_bundles.as_ref().and_then(|x| x.data());
    let Some(sizes) = sizes else {
        return;
    };
    let _ = writeln!(s, "## Sizes\n");
    let q = sizes
        .files
        .iter()
        .find_map(|f| f.brotli_quality)
        .unwrap_or(11);
    let _ = writeln!(
        s,
        "| file | raw | gzip -9 | brotli -q {q} | minified | minified, gzip |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
    for f in &sizes.files {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} | {} |",
            f.file,
            bytes(f.raw as f64),
            bytes(f.gzip as f64),
            f.brotli.map_or("–".into(), |b| bytes(b as f64)),
            opt_bytes(f.minified),
            opt_bytes(f.minified_gzip),
        );
    }
    for b in bundles.map(|b| b.bundles.as_slice()).unwrap_or_default() {
        let _ = writeln!(
            s,
            "| peer bundle: {} | | | {} | {} | {} |",
            b.name,
            bytes(b.brotli as f64),
            bytes(b.minified as f64),
            bytes(b.gzip as f64),
        );
    }
    let _ = writeln!(
        s,
        "\nThe `.wasm` is the release build of `cargo xtask wasm` with the default model embedded; `newsmark_core_bg.wasm` is the same code without a model (the `wasm-core` feature), into which the lite model is loaded; the model files are listed on their own as well. Compression by Node's zlib.\n"
    );
    let gz = |suffix: &str| {
        sizes
            .files
            .iter()
            .find(|f| f.file.ends_with(suffix))
            .map(|f| f.gzip)
    };
    if let (Some(core), Some(lite)) = (gz("newsmark_core_bg.wasm"), gz("ontonotes-lite.nmm")) {
        let _ = writeln!(
            s,
            "With the lite model a page downloads `newsmark_core_bg.wasm` and `ontonotes-lite.nmm`: {} + {} = **{}** gzipped (`highlight(root, {{ model: \"lite\" }})`).\n",
            bytes(core as f64),
            bytes(lite as f64),
            bytes((core + lite) as f64),
        );
    }
    if let Some(x) = &sizes.split {
        let _ = writeln!(
            s,
            "| `newsmark_bg.wasm`, split | raw | gzip -9 (each part on its own) |\n|---|---:|---:|"
        );
        let _ = writeln!(
            s,
            "| model (`{}`, embedded) | {} | {} |",
            x.model_file,
            bytes(x.model_raw as f64),
            bytes(x.model_gzip as f64)
        );
        let _ = writeln!(
            s,
            "| code (everything else in the module) | {} | {} |",
            bytes(x.code_raw as f64),
            bytes(x.code_gzip as f64)
        );
        let _ = writeln!(
            s,
            "| the whole module | {} | {} |\n",
            bytes(x.wasm_raw as f64),
            bytes(x.wasm_gzip as f64)
        );
        let _ = writeln!(
            s,
            "{}\n",
            if x.found {
                "The library embeds the model byte for byte (`include_bytes!`); wasm-opt leaves its long runs of zeros out of the module's data (memory starts zeroed), so the bench finds the model as consecutive pieces of data and sizes the rest of the module, compressed on its own, as the code (with its own data)."
            } else {
                "The model's bytes were not found in one piece in the module, so the code's sizes are estimates: the module's less the model's."
            }
        );
    }
    opt_levels_table(s, &sizes.opt_levels);
}

/// The `.wasm` at each wasm-opt level (sizes and Node speed), the shipped
/// level marked.
fn opt_levels_table(s: &mut String, levels: &[OptLevel]) {
    if levels.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "| `wasm-opt` level | module, gzip -9 | code, raw | code, gzip -9 | full pipeline in Node (tokens per CPU s) | instantiate in Node (ms) | wasm-opt time (s) |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for l in levels {
        let shipped = if l.flag == opt::SHIPPED {
            " (shipped)"
        } else {
            ""
        };
        let speed = rate(l.full.as_ref().and_then(|t| t.per_cpu_s(Unit::Tokens)));
        let _ = writeln!(
            s,
            "| `{}`{shipped} | {} | {} | {}{} | {speed} | {:.1} | {:.1} |",
            l.flag,
            bytes(l.wasm_gzip as f64),
            bytes(l.code_raw as f64),
            bytes(l.code_gzip as f64),
            if l.model_found { "" } else { " (estimate)" },
            l.init_ms,
            l.opt_seconds,
        );
    }
    let _ = writeln!(
        s,
        "\nEach level starts from the same wasm-bindgen output of the release build and is sized and timed by the bench (`xtask/src/bench/opt.rs`: one pass of the full pipeline over the slice per level, `bench/wasm_node.mjs`; code = the module less the embedded model). `cargo xtask wasm` ships `{}`.\n",
        opt::SHIPPED
    );
}

fn startup_section(s: &mut String, r: &Record) {
    let sec = &r.sections;
    let memory = sec.memory.as_ref().and_then(|m| m.data());
    let envs = [
        ("node", "wasm in Node", sec.wasm_node.as_ref()),
        ("chromium", "wasm in Chromium", sec.wasm_chromium.as_ref()),
    ];
    let row_of = |env: &str| memory.and_then(|m| m.rows.iter().find(|x| x.env == env));
    if envs
        .iter()
        .all(|(e, _, w)| w.and_then(|w| w.data()).is_none() && row_of(e).is_none())
    {
        return;
    }
    let _ = writeln!(s, "## Start-up and memory\n");
    let _ = writeln!(
        s,
        "| where | instantiate (ms) | first annotation (ms) | memory input | call | wasm memory before | wasm memory peak | bound | time for that input (s) |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---|---:|---:|---|---:|");
    for (env, label, w) in envs {
        let w = w.and_then(|w| w.data());
        let mem = row_of(env);
        if w.is_none() && mem.is_none() {
            continue;
        }
        let ms = |x: Option<f64>| x.map_or("–".into(), |x| format!("{x:.1}"));
        let _ = writeln!(
            s,
            "| {label} | {} | {} | {} | {} | {} | {} | {} | {} |",
            ms(w.map(|w| w.init_ms)),
            ms(w.map(|w| w.first_annotation_ms)),
            mem.map_or("–".into(), |m| bytes(m.input_bytes as f64)),
            mem.map_or("–".into(), |m| format!("`{}`, one call", m.call)),
            mem.map_or("–".into(), |m| bytes(m.before_bytes as f64)),
            mem.map_or("–".into(), |m| bytes(m.peak_bytes as f64)),
            mem.map_or("–".into(), |m| format!(
                "≤ {}: {}",
                bytes(bars::PEAK_MEMORY_BYTES as f64),
                if m.error.is_some() {
                    "failed"
                } else if m.peak_bytes <= bars::PEAK_MEMORY_BYTES {
                    "met"
                } else {
                    "NOT met"
                }
            )),
            mem.map_or("–".into(), |m| match &m.error {
                Some(e) => format!("failed after {:.2}: {e}", m.seconds),
                None => format!("{:.2}", m.seconds),
            }),
        );
    }
    let _ = writeln!(
        s,
        "\nNode: `initSync` on the bytes of the `.wasm` (compile + instantiate), then the time of the first `annotate` of a two-sentence paragraph. \
         Chromium (headless, `performance.now()` in the page): instantiate is `await init()` (fetch + streaming compile + instantiate from a local server); \
         first annotation is the time from navigation start to the first `annotate` result, page and module loading included. \
         Memory: the wasm linear memory's size (`memory.buffer.byteLength`) before and after ONE `annotate` call on an input of that size \
         (OntoNotes dev text repeated as paragraphs), in a fresh instance that has annotated only the short first paragraph; linear memory never shrinks, so after = peak. \
         The bound is issue #14's, for a 10 MB call (the NER network runs over segments of at most 8,192 tokens, so memory does not grow with the text's length beyond the text and its result).\n"
    );
    if let Some(m) = sec.memory.as_ref().filter(|m| remeasured(r, &m.measured)) {
        let _ = writeln!(
            s,
            "The memory rows were measured again by `{}` on {} (load average {}), on the same slice and settings.\n",
            m.measured.command,
            when(&m.measured),
            m.measured.load_avg_start.as_deref().unwrap_or("?"),
        );
    }
}

fn per_label_section(s: &mut String, r: &Record) {
    let Some(ner) = accuracy(r).and_then(|a| a.ner.as_ref()) else {
        return;
    };
    let _ = writeln!(s, "## newsmark NER per label (raw text)\n");
    let _ = writeln!(s, "| label | F1 | gold | predicted |");
    let _ = writeln!(s, "|---|---:|---:|---:|");
    let mut rows: Vec<_> = ner.per_label.iter().collect();
    rows.sort_by_key(|x| std::cmp::Reverse(x.1.gold));
    for (l, v) in rows {
        let _ = writeln!(s, "| {l} | {} | {} | {} |", pct(Some(v.f1)), v.gold, v.pred);
    }
    s.push('\n');
}

fn versions_section(s: &mut String, r: &Record) {
    let sec = &r.sections;
    let mut sets = Vec::new();
    for group in 0..3 {
        for peer in PEERS {
            let v = match group {
                0 => sec
                    .ner_peers
                    .get(peer.id)
                    .and_then(|x| x.data())
                    .map(|p| &p.versions),
                1 => sec
                    .sentence_peers
                    .get(peer.id)
                    .and_then(|x| x.data())
                    .map(|p| &p.versions),
                _ => sec
                    .boilerplate_peers
                    .get(peer.id)
                    .and_then(|x| x.data())
                    .map(|p| &p.versions),
            };
            sets.extend(v);
        }
    }
    let mut items: Vec<String> = Vec::new();
    for versions in sets {
        for (k, v) in versions {
            let item = format!("{k} {}", v.as_deref().unwrap_or("?"));
            if !items.contains(&item) {
                items.push(item);
            }
        }
    }
    if let Some(b) = sec.peer_bundles.as_ref().and_then(|b| b.data()) {
        items.push(format!("esbuild {}", b.esbuild));
    }
    if items.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "## Peer versions\n\n{}. Python peers run in `target/bench-venv` (from `bench/requirements.txt`), JS peers from `bench/package.json`; both installed by the command.\n",
        items.join(", ")
    );
}

/// When, by which command and how long each section was measured, and what failed.
fn measured_section(s: &mut String, r: &Record, order: &[String]) {
    let mut all = r.sections.all();
    if all.is_empty() {
        return;
    }
    all.sort_by_key(|x| order.iter().position(|o| *o == x.id).unwrap_or(usize::MAX));
    let _ = writeln!(s, "## How each section was measured\n");
    let _ = writeln!(
        s,
        "| section | measured | by | commit | load average at the start | seconds | result |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---:|---|");
    for x in &all {
        let m = x.measured;
        let result = match (x.errors.len(), x.has_data) {
            (0, true) => "ok".to_string(),
            (0, false) => "no data".to_string(),
            (n, true) => format!("partly: {n} error(s) below"),
            (n, false) => format!("failed: {n} error(s) below"),
        };
        let _ = writeln!(
            s,
            "| `{}` | {} | `{}` | `{}`{} | {} | {} | {result} |",
            x.id,
            when(m),
            m.command,
            m.commit,
            if m.dirty { " + changes" } else { "" },
            m.load_avg_start.as_deref().unwrap_or("–"),
            m.seconds.map_or("–".into(), |x| format!("{x:.0}")),
        );
    }
    let _ = writeln!(
        s,
        "\n`cargo xtask bench --only SECTION[,SECTION]` measures sections again on the recorded slice and settings and renders this report again from the stored results of the others (`BENCHMARKS.json` keeps every section's result with its own line above). \
         Sections: {}; `wasm` and `peers` name their groups.\n",
        order
            .iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let errors: Vec<String> = all
        .iter()
        .flat_map(|x| x.errors.iter().map(move |e| format!("{}: {e}", x.id)))
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(s, "## What did not run\n");
        for e in errors {
            let _ = writeln!(s, "- {}", e.replace('\n', " "));
        }
        s.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::super::record::{
        Accuracy, EntityScore, Machine, NerAccuracy, Section, Sections, Settings, Slices,
        TextSlice, WasmRun, FORMAT,
    };
    use super::*;

    #[test]
    fn rates_and_bytes_read_well() {
        assert_eq!(rate(Some(1_234_567.0)), "1.23M");
        assert_eq!(rate(Some(45_600.0)), "45.6k");
        assert_eq!(rate(None), "–");
        assert_eq!(bytes(2_500.0), "2.5 KB");
        assert_eq!(ratio(Some(3.0), Some(2.0)), "1.50×");
    }

    fn measurement(command: &str, started: &str) -> Measurement {
        Measurement {
            command: command.into(),
            started: started.into(),
            seconds: Some(1.0),
            commit: "abc1234".into(),
            dirty: false,
            load_avg_start: Some("0.1 0.2 0.3".into()),
            load_avg_end: None,
        }
    }

    fn tiny() -> Record {
        let slice = TextSlice {
            file: "x.jsonl".into(),
            docs: 1,
            chars: 10,
            bytes: 10,
            tokens: 2,
        };
        let run = measurement("cargo xtask bench", "2026-01-02T03:04:05Z");
        let mut sections = Sections::default();
        let score = EntityScore {
            p: 0.8,
            r: 0.8,
            f1: 0.8,
            news_f1: Some(0.85),
        };
        sections.accuracy = Some(Section {
            measured: run.clone(),
            errors: vec![],
            data: Some(Accuracy {
                ner: Some(NerAccuracy {
                    raw: score.clone(),
                    gold_tokens: score,
                    per_label: Default::default(),
                }),
                ..Default::default()
            }),
        });
        sections.wasm_node = Some(Section {
            measured: measurement("cargo xtask bench --only wasm-node", "2026-01-03T00:00:00Z"),
            errors: vec!["something broke".into()],
            data: Some(WasmRun {
                stages: vec![StageSpeed {
                    stage: "full".into(),
                    speed: Throughput {
                        wall_s: vec![0.002],
                        cpu_s: vec![],
                        tokens: 2,
                        chars: 10,
                        docs: 1,
                    },
                }],
                ..Default::default()
            }),
        });
        Record {
            format: FORMAT,
            settings: Settings {
                quick: true,
                slice: Some(1),
                pages: Some(1),
                runs: 1,
                peer_runs: 1,
                scaling_max_bytes: 1000,
                memory_bytes: 1000,
                brotli_quality: 5,
            },
            slices: Slices {
                ner: slice.clone(),
                boilerplate: slice,
            },
            machine: Machine::default(),
            run,
            sections,
        }
    }

    #[test]
    fn headline_and_provenance() {
        let r = tiny();
        let md = markdown(&r, "x.svg", &["accuracy".into(), "wasm-node".into()]);
        assert!(
            md.contains("| **newsmark** | wasm in Node | 80.0 | 85.0 | 18: 80.0 | 1.00k ±0% |"),
            "{md}"
        );
        assert!(md.contains("Generated by `cargo xtask bench` on 2026-01-02 03:04 UTC; measured again since then: `wasm-node` (2026-01-03 00:00 UTC)"), "{md}");
        assert!(md.contains(
            "| `wasm-node` | 2026-01-03 00:00 UTC | `cargo xtask bench --only wasm-node` |"
        ));
        assert!(md.contains("- wasm-node: something broke"));
        let readme = readme_headline(&r);
        assert!(readme.starts_with("| system |"), "{readme}");
        assert!(!readme.contains("headline:"), "{readme}");
        assert!(
            readme.contains("(`cargo xtask bench`, 2026-01-02 03:04 UTC; some sections"),
            "{readme}"
        );
    }

    #[test]
    fn targets_divide_figures_of_the_same_record() {
        let mut r = tiny();
        let speed = |wall: f64, cpu: f64| Throughput {
            wall_s: vec![wall],
            cpu_s: vec![cpu],
            tokens: 1000,
            chars: 5000,
            docs: 1,
        };
        // wasm in Node: 1000 tokens in 0.1 CPU-s; spaCy: in 0.8 CPU-s (8x).
        if let Some(w) = r.sections.wasm_node.as_mut().and_then(|w| w.data.as_mut()) {
            w.stages[0].speed = speed(0.2, 0.1);
        }
        r.sections.ner_peers.insert(
            "spacy-ner".into(),
            Section {
                measured: r.run.clone(),
                errors: vec![],
                data: Some(super::super::record::NerPeer {
                    id: "spacy-ner".into(),
                    name: "spaCy".into(),
                    runtime: "Python".into(),
                    versions: Default::default(),
                    labels: vec![],
                    f1: 0.8,
                    news_f1: None,
                    covered_f1: 0.8,
                    speed: speed(1.0, 0.8),
                    failed_docs: None,
                    sentences: None,
                }),
            },
        );
        r.sections.long_text = Some(Section {
            measured: r.run.clone(),
            errors: vec![],
            data: Some(super::super::record::LongText {
                bytes: 1_000_000,
                one_call: speed(1.0, 1.0),
                separate: speed(1.0, 1.25),
            }),
        });
        let md = markdown(&r, "x.svg", &[]);
        assert!(
            md.contains("| full pipeline, wasm in Node ÷ spaCy sm tok2vec+ner, tokens per CPU-second | 8.00× (10.0k ÷ 1.25k) | ≥ 5× | yes |"),
            "{md}"
        );
        assert!(md.contains("| 125% | ≥ 90% | yes |"), "{md}");
        assert!(
            md.contains(
                "| full pipeline, native, tokens per CPU-second | – | ≥ 100k | not measured |"
            ),
            "{md}"
        );
        assert!(readme_headline(&r).contains("Issue #14's targets"));
    }

    #[test]
    fn the_page_pool_target_divides_the_medians() {
        use super::super::record::{PagePool, PoolRun};
        let mut r = tiny();
        let run = |workers: u32, seconds: f64, digest: &str| PoolRun {
            workers,
            seconds,
            annotate_seconds: seconds - 1.0,
            workers_started: workers - 1,
            parts: 250,
            tokens: 1_000_000,
            blocks: 2_000,
            sentences: 40_000,
            entities: 82_113,
            digest: digest.into(),
        };
        let mut pool = PagePool {
            chromium: "140".into(),
            hardware_concurrency: 2,
            default_workers: 1,
            chars: 5_000_000,
            bytes: 5_010_000,
            docs: 2_000,
            runs: vec![
                run(1, 12.0, "a"),
                run(2, 6.0, "a"),
                run(2, 6.5, "a"),
                run(1, 11.0, "a"),
                run(1, 10.0, "a"),
                run(2, 5.5, "a"),
            ],
            splitting: None,
        };
        r.sections.page_pool = Some(Section {
            measured: r.run.clone(),
            errors: vec![],
            data: Some(pool.clone()),
        });
        let md = markdown(&r, "x.svg", &[]);
        assert!(
            md.contains("## The page on several workers (issue #16)"),
            "{md}"
        );
        assert!(
            md.contains("| the page, a 5.01 MB paste: 1 worker ÷ 2 workers, wall-clock from paste to result shown (median of 3 each) | 1.83× (11.0 s ÷ 6.0 s) | ≥ 1.7× | yes |"),
            "{md}"
        );
        assert!(
            md.contains("| the same blocks, sentences and entities with 2 workers as with 1 | identical in all 6 runs (82,113 entities) | identical | yes |"),
            "{md}"
        );
        assert!(
            md.contains(
                "| 2 | 3 | 6.0 s (runs: 6.0, 6.5, 5.5) | 5.0 s | 1 | 250 | 1,000,000 | 82,113 |"
            ),
            "{md}"
        );
        pool.chars = 300_000;
        pool.runs[1].digest = "b".into();
        pool.runs[1].entities = 82_000;
        r.sections.page_pool.as_mut().unwrap().data = Some(pool);
        let md = markdown(&r, "x.svg", &[]);
        assert!(
            md.contains("| ≥ 1.7× (for 5 MB; this paste is smaller) | yes |"),
            "{md}"
        );
        assert!(
            md.contains(
                "| different: 82,113 entities with 1 worker, 82,000 with 2 | identical | **no** |"
            ),
            "{md}"
        );
    }

    #[test]
    fn a_record_round_trips_through_json() {
        let r = tiny();
        let json = serde_json::to_string(&r).unwrap();
        let back: Record = serde_json::from_str(&json).unwrap();
        assert_eq!(markdown(&back, "x.svg", &[]), markdown(&r, "x.svg", &[]));
    }
}
