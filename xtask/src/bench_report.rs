//! BENCHMARKS.md and the scaling plot, written from the results JSON.

use std::fmt::Write as _;

use serde_json::Value;

const HEADLINE_START: &str = "<!-- headline:start -->";
const HEADLINE_END: &str = "<!-- headline:end -->";

/// A rate with a unit suffix: 1234567 -> "1.23M".
fn rate(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
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
fn ratio(ours: f64, theirs: f64) -> String {
    let x = ours / theirs;
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
fn speed_ratio(ours: &Value, theirs: &Value, unit: &str) -> String {
    let cpu = format!("{unit}_per_cpu_s");
    let wall = format!("{unit}_per_s");
    if ours[&cpu].is_f64() && theirs[&cpu].is_f64() {
        ratio(num(&ours[&cpu]), num(&theirs[&cpu]))
    } else {
        format!("{} (wall)", ratio(num(&ours[&wall]), num(&theirs[&wall])))
    }
}

/// A byte count: "1.2 MB", "34.5 KB", "512 B".
fn bytes(x: f64) -> String {
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

/// A 0..1 score as a percentage with one decimal.
fn pct(v: &Value) -> String {
    v.as_f64()
        .map_or("–".into(), |x| format!("{:.1}", x * 100.0))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// "12.3k ±4%": throughput with the runs' spread.
fn speed(row: &Value, key: &str) -> String {
    let x = num(&row[key]);
    if !x.is_finite() {
        return "–".into();
    }
    format!("{} ±{:.0}%", rate(x), num(&row["spread_pct"]) / 2.0)
}

fn throughput<'a>(r: &'a Value, system: &str, env: &str, stage: &str) -> Option<&'a Value> {
    arr(&r["throughput"])
        .iter()
        .find(|t| t["system"] == system && t["env"] == env && t["stage"] == stage)
}

fn size_of<'a>(r: &'a Value, suffix: &str) -> Option<&'a Value> {
    arr(&r["sizes"])
        .iter()
        .find(|s| s["file"].as_str().is_some_and(|f| f.ends_with(suffix)))
}

/// newsmark's browser download: the gzipped .wasm plus the minified, gzipped glue.
fn newsmark_download(r: &Value) -> f64 {
    match (size_of(r, "newsmark_bg.wasm"), size_of(r, "newsmark.js")) {
        (Some(w), Some(j)) => num(&w["gzip"]) + num(&j["minified_gzip"]),
        _ => f64::NAN,
    }
}

/// The headline table, between markers, as it also goes into the README.
fn headline(r: &Value) -> String {
    let mut s = String::new();
    let ner = &r["newsmark_ner"];
    let node_full = throughput(r, "newsmark", "node", "full");
    let _ = writeln!(s, "{HEADLINE_START}");
    let _ = writeln!(
        s,
        "| system | runs in | NER F1, 18 labels | F1 news | labels emitted: F1 on them | tokens/s | tokens per CPU-second | newsmark (wasm, Node) ÷ this, speed | browser download (gzip) |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let download = newsmark_download(r);
    for (env, label) in [
        ("native", "Rust, native"),
        ("node", "wasm in Node"),
        ("chromium", "wasm in Chromium"),
    ] {
        let t = throughput(r, "newsmark", env, "full");
        let _ = writeln!(
            s,
            "| **newsmark** | {label} | {} | {} | 18: {} | {} | {} | {} | {} |",
            pct(&ner["raw"]["f1"]),
            pct(&ner["raw"]["news_f1"]),
            pct(&ner["raw"]["f1"]),
            t.map_or("–".into(), |t| speed(t, "tokens_per_s")),
            t.map_or("–".into(), |t| rate(num(&t["tokens_per_cpu_s"]))),
            if env == "node" { "1×" } else { "" },
            if env == "native" {
                String::new()
            } else {
                bytes(download)
            },
        );
    }
    for p in arr(&r["ner_peers"]) {
        let bundle = arr(&r["peer_bundles"]["bundles"])
            .iter()
            .find(|b| b["name"] == p["id"])
            .map_or(
                if p["runtime"] == "Python" {
                    "not for browsers".to_string()
                } else {
                    "–".to_string()
                },
                |b| bytes(num(&b["gzip"])),
            );
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {}: {} | {} | {} | {} | {} |",
            p["name"].as_str().unwrap_or_default(),
            p["runtime"].as_str().unwrap_or_default(),
            pct(&p["f1"]),
            pct(&p["news_f1"]),
            arr(&p["labels"]).len(),
            pct(&p["covered_f1"]),
            speed(&p["speed"], "tokens_per_s"),
            rate(num(&p["speed"]["tokens_per_cpu_s"])),
            node_full.map_or("–".into(), |t| speed_ratio(t, &p["speed"], "tokens")),
            bundle,
        );
    }
    let _ = writeln!(s, "{HEADLINE_END}");
    s
}

/// The headline block of a BENCHMARKS.md text (for the README).
pub fn headline_block(md: &str) -> Option<String> {
    let a = md.find(HEADLINE_START)?;
    let b = md.find(HEADLINE_END)?;
    let table = md[a + HEADLINE_START.len()..b].trim_start_matches('\n');
    Some(format!(
        "{table}\nFrom [BENCHMARKS.md](BENCHMARKS.md) (`{}`, {}); F1 is exact-match entity F1 on OntoNotes dev, raw text.\n",
        first_line_command(md),
        first_line_date(md)
    ))
}

fn first_line_command(md: &str) -> String {
    md.lines()
        .find_map(|l| {
            l.strip_prefix("Generated by `")
                .and_then(|r| r.split('`').next())
        })
        .unwrap_or("cargo xtask bench --peers")
        .to_string()
}

fn first_line_date(md: &str) -> String {
    md.lines()
        .find_map(|l| {
            l.strip_prefix("Generated by `")
                .and_then(|r| r.split("` on ").nth(1))
        })
        .and_then(|d| d.split(". ").next())
        .map(|d| d.trim_end_matches('.').to_string())
        .unwrap_or_default()
}

/// The whole of BENCHMARKS.md.
pub fn markdown(r: &Value, svg: &str) -> String {
    let mut s = String::new();
    let m = &r["machine"];
    let sl = &r["slices"];
    let _ = writeln!(s, "# Benchmarks\n");
    let _ = writeln!(
        s,
        "Generated by `{}` on {}. Do not edit: run the command again.\n",
        r["command"].as_str().unwrap_or_default(),
        r["generated"].as_str().unwrap_or_default()
    );
    let _ = writeln!(
        s,
        "Machine: {} ({} cores, {} GiB), {}; load average {} at the start, {} at the end. {}; node {}; {}; Chromium {}. Commit `{}`{}. The whole run took {:.0} s.\n",
        m["cpu"].as_str().unwrap_or("?"),
        m["cores"],
        m["memory_gib"],
        m["os"].as_str().unwrap_or("?"),
        m["load_avg"].as_str().unwrap_or("?"),
        r["load_avg_end"].as_str().unwrap_or("?"),
        m["rustc"].as_str().unwrap_or("?"),
        m["node"].as_str().unwrap_or("?"),
        m["python"].as_str().unwrap_or("?"),
        r["wasm_chromium"]["chromium"].as_str().unwrap_or("–"),
        m["commit"].as_str().unwrap_or("?"),
        if m["dirty"] == true { " plus uncommitted changes" } else { "" },
        num(&r["elapsed_s"]),
    );
    let _ = writeln!(
        s,
        "Text: the first {} documents of OntoNotes dev (`{}`: {} characters, {} gold tokens), and the first {} pages of the boilerplate dev set. \
         Every system reads the same slice in the same run. Tokens per second count the corpus' gold tokens (the same number for every system), \
         so the figures compare; each figure is the median of {} timed passes after a warm-up on the first tenth of the texts for newsmark and of {} passes for the peers, \
         with ± half the spread (max − min) of the passes. Everything runs on one thread.\n",
        sl["ner"]["docs"],
        sl["ner"]["file"].as_str().unwrap_or_default(),
        sl["ner"]["chars"],
        sl["ner"]["tokens"],
        sl["boilerplate"]["pages"],
        r["runs"]["newsmark"],
        r["runs"]["peers"],
    );

    let _ = writeln!(s, "## Named entities: accuracy, speed, download\n");
    s.push_str(&headline(r));
    let ner = &r["newsmark_ner"];
    let _ = writeln!(
        s,
        "\nF1: exact-match entity F1 by `../shared/tools/score_ner.py` on raw text (each system tokenizes the text itself); labels a system never emits count as misses. \
         \"Labels emitted: F1 on them\" rescores with gold and predictions both restricted to the labels the system can emit. \
         newsmark's F1 comes from `cargo xtask predict ner` (native; the wasm build runs the same code); with the gold tokens it is {} (news {}). \
         The speed ratio divides newsmark's full-pipeline tokens per CPU-second as wasm in Node by the peer's, measured in this run \
         (CPU time holds up better than wall-clock time when other work shares the cores; wall-clock is used, and marked, where a CPU figure is missing). \
         CPU time: the process's in Node, the thread's in Python (one thread) and natively. \
         Browser download: newsmark's `.wasm` (model inside) gzipped plus its JS glue minified and gzipped; each JS peer bundled with esbuild `--minify` for the browser, gzipped.\n",
        pct(&ner["gold_tokens"]["f1"]),
        pct(&ner["gold_tokens"]["news_f1"]),
    );

    for p in arr(&r["ner_peers"]) {
        let failed = num(&p["failed_docs"]);
        if failed > 0.0 {
            let _ = writeln!(
                s,
                "{} threw an exception on {failed} of the {} documents; those documents count as predicting no entities.\n",
                p["name"].as_str().unwrap_or_default(),
                r["slices"]["ner"]["docs"],
            );
        }
    }
    for x in arr(&r["reruns"]) {
        let _ = writeln!(
            s,
            "The row of `{}` was measured again by `{}` on {} (load average {}), on the same slice and build, after its section failed in the main run.\n",
            x["peer"].as_str().unwrap_or_default(),
            x["command"].as_str().unwrap_or_default(),
            x["generated"].as_str().unwrap_or_default(),
            x["load_avg"].as_str().unwrap_or("?"),
        );
    }
    stages_section(&mut s, r);
    sentences_section(&mut s, r);
    boilerplate_section(&mut s, r);
    scaling_section(&mut s, r, svg);
    sizes_section(&mut s, r);
    startup_section(&mut s, r);
    per_label_section(&mut s, r);
    versions_section(&mut s, r);
    let sections = arr(&r["section_seconds"]);
    if !sections.is_empty() {
        let items: Vec<String> = sections
            .iter()
            .map(|x| {
                format!(
                    "{} {:.0} s",
                    x["section"].as_str().unwrap_or_default(),
                    num(&x["seconds"])
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "## Time taken

{}; {:.0} s in all.
",
            items.join(", "),
            num(&r["elapsed_s"])
        );
    }
    let errors = arr(&r["errors"]);
    if !errors.is_empty() {
        let _ = writeln!(s, "## What did not run\n");
        for e in errors {
            let _ = writeln!(s, "- {}", e.as_str().unwrap_or_default().replace('\n', " "));
        }
        s.push('\n');
    }
    s
}

fn stages_section(s: &mut String, r: &Value) {
    let _ = writeln!(s, "## newsmark by stage\n");
    let _ = writeln!(
        s,
        "| stage | native tokens/s | native chars/s | native tokens per CPU-s | wasm in Node tokens/s | wasm in Node chars/s | wasm in Node tokens per CPU-s | wasm in Chromium tokens/s | wasm in Chromium chars/s |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let stages = [
        ("blocks", "blocks (article vs. boilerplate)"),
        ("tokens", "tokens"),
        ("sentences", "sentences (tokenizes first)"),
        ("segment", "segmentation: blocks + tokens + sentences"),
        ("ner", "NER on given tokens"),
        ("full", "full pipeline (`annotate`)"),
    ];
    for (stage, label) in stages {
        let mut cells = Vec::new();
        let mut any = false;
        for env in ["native", "node", "chromium"] {
            let with_cpu = env != "chromium";
            match throughput(r, "newsmark", env, stage) {
                Some(t) => {
                    any = true;
                    cells.push(speed(t, "tokens_per_s"));
                    cells.push(speed(t, "chars_per_s"));
                    if with_cpu {
                        cells.push(rate(num(&t["tokens_per_cpu_s"])));
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

fn sentences_section(s: &mut String, r: &Value) {
    let rows = arr(&r["sentences"]);
    if rows.is_empty() {
        return;
    }
    let ours = throughput(r, "newsmark", "native", "sentences");
    let _ = writeln!(s, "## Sentences\n");
    let _ = writeln!(
        s,
        "| system | boundary F1 | F1 news | Golden Rules | extra rules | news cases | chars/s | chars per CPU-second | newsmark (native) ÷ this, speed |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let case = |k: &str| {
            let c = &row["cases"][k];
            if c.is_null() {
                "–".to_string()
            } else {
                format!("{}/{}", c["passed"], c["total"])
            }
        };
        let (chars, cpu, ratio) = if row["system"] == "newsmark" {
            (
                ours.map_or("–".into(), |t| speed(t, "chars_per_s")),
                ours.map_or("–".into(), |t| rate(num(&t["chars_per_cpu_s"]))),
                "1×".to_string(),
            )
        } else {
            (
                speed(&row["speed"], "chars_per_s"),
                rate(num(&row["speed"]["chars_per_cpu_s"])),
                ours.map_or("–".into(), |t| speed_ratio(t, &row["speed"], "chars")),
            )
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row["name"].as_str().unwrap_or("**newsmark**"),
            pct(&row["boundaries"]["all"]["f1"]),
            if num(&row["boundaries"]["news"]["gold"]) > 0.0 {
                pct(&row["boundaries"]["news"]["f1"])
            } else {
                "–".into()
            },
            case("golden_rules"),
            case("golden_rules_extra"),
            case("news_cases"),
            chars,
            cpu,
            ratio
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

fn boilerplate_section(s: &mut String, r: &Value) {
    let rows = arr(&r["boilerplate"]);
    if rows.is_empty() && r["boilerplate_baselines"].is_null() {
        return;
    }
    let _ = writeln!(s, "## Article vs. boilerplate\n");
    let _ = writeln!(s, "| system | reads | token F1 | P | R | pages/s |");
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|");
    let f3 = |v: &Value| v.as_f64().map_or("–".into(), |x| format!("{x:.3}"));
    for row in rows {
        let bag = &row["score"]["bag"];
        let pages = if row["system"] == "newsmark" {
            num(&r["boilerplate_speed"]["pages_per_s"])
        } else {
            num(&row["speed"]["pages_per_s"])
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} ± {} | {} | {} | {} |",
            row["name"].as_str().unwrap_or("**newsmark** (blocks)"),
            row["input"].as_str().unwrap_or_default(),
            f3(&bag["f1"]),
            f3(&bag["f1_std"]),
            f3(&bag["precision"]),
            f3(&bag["recall"]),
            rate(pages),
        );
    }
    if let Some(b) = r["boilerplate_baselines"].as_object() {
        for (name, v) in b {
            if name.contains("oracle") || name.contains("gold") {
                continue;
            }
            let bag = &v["bag"];
            let _ = writeln!(
                s,
                "| baseline `{name}` | plain text | {} ± {} | {} | {} | |",
                f3(&bag["f1"]),
                f3(&bag["f1_std"]),
                f3(&bag["precision"]),
                f3(&bag["recall"])
            );
        }
    }
    let _ = writeln!(
        s,
        "\nToken F1 of the kept lines against each page's article text by `../shared/tools/score_boilerplate.py lines` (± is the bootstrap standard deviation over pages). \
         The data are plain-text dumps with no HTML, so trafilatura and Readability (which read HTML) do not apply; jusText is run with each line as one `<p>`, \
         which is what its paragraph classifier sees on such a page. newsmark's pages/s is the native `blocks` stage on the same pages.\n"
    );
}

fn scaling_section(s: &mut String, r: &Value, svg: &str) {
    let series = arr(&r["scaling"]["series"]);
    if series.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Scaling: time against input size (native)\n");
    let _ = writeln!(s, "![time against input size, log-log]({svg})\n");
    let mut head = String::from("| input |");
    let mut rule = String::from("|---:|");
    for se in series {
        let name = se["stage"].as_str().unwrap_or_default();
        let _ = write!(
            head,
            " {name}: seconds | {name}: CPU seconds | {name}: MB/s |"
        );
        rule.push_str("---:|---:|---:|");
    }
    let _ = writeln!(s, "{head}\n{rule}");
    let n = arr(&series[0]["points"]).len();
    for i in 0..n {
        let b = num(&series[0]["points"][i]["bytes"]);
        let mut line = format!("| {} |", bytes(b));
        for se in series {
            let p = &se["points"][i];
            let _ = write!(
                line,
                " {:.5} | {:.5} | {:.1} |",
                num(&p["seconds"]),
                num(&p["cpu_seconds"]),
                num(&p["bytes_per_s"]) / 1e6
            );
        }
        let _ = writeln!(s, "{line}");
    }
    s.push('\n');
    for se in series {
        let slope = num(&se["slope"]);
        let _ = writeln!(
            s,
            "- {}: log-log slope of CPU time {:.3} over 100 KB and up (1.000 is linear): {}.",
            se["stage"].as_str().unwrap_or_default(),
            slope,
            if se["linear"] == true {
                "linear"
            } else {
                "NOT linear (outside 0.9–1.1)"
            }
        );
    }
    let _ = writeln!(
        s,
        "\nEach input is OntoNotes dev text repeated as paragraphs up to the size, annotated as one text; each time is the median of three samples, each repeating the call for at least 0.2 s \
         (a call over 1 s is sampled three times, one over 5 s once). The slope uses the thread's CPU time, which other work on the machine does not inflate.\n"
    );
}

fn sizes_section(s: &mut String, r: &Value) {
    let rows = arr(&r["sizes"]);
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Sizes\n");
    let q = rows
        .iter()
        .find_map(|f| f["brotli_quality"].as_u64())
        .unwrap_or(11);
    let _ = writeln!(
        s,
        "| file | raw | gzip -9 | brotli -q {q} | minified | minified, gzip |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
    for f in rows {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} | {} |",
            f["file"].as_str().unwrap_or_default(),
            bytes(num(&f["raw"])),
            bytes(num(&f["gzip"])),
            bytes(num(&f["brotli"])),
            if f["minified"].is_null() {
                "".into()
            } else {
                bytes(num(&f["minified"]))
            },
            if f["minified_gzip"].is_null() {
                "".into()
            } else {
                bytes(num(&f["minified_gzip"]))
            },
        );
    }
    for b in arr(&r["peer_bundles"]["bundles"]) {
        let _ = writeln!(
            s,
            "| peer bundle: {} | | | {} | {} | {} |",
            b["name"].as_str().unwrap_or_default(),
            bytes(num(&b["brotli"])),
            bytes(num(&b["minified"])),
            bytes(num(&b["gzip"])),
        );
    }
    let _ = writeln!(
        s,
        "\nThe `.wasm` is the release build of `cargo xtask wasm` with the default model embedded; the model files are listed on their own as well. Compression by Node's zlib.\n"
    );
}

fn startup_section(s: &mut String, r: &Value) {
    let envs = [("node", "wasm in Node"), ("chromium", "wasm in Chromium")];
    if envs.iter().all(|(e, _)| r[format!("wasm_{e}")].is_null()) {
        return;
    }
    let _ = writeln!(s, "## Start-up and memory\n");
    let _ = writeln!(
        s,
        "| where | instantiate (ms) | first annotation (ms) | memory input | call | wasm memory before | wasm memory peak | time for that input (s) |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---|---:|---:|---:|");
    for (e, label) in envs {
        let w = &r[format!("wasm_{e}")];
        if w.is_null() {
            continue;
        }
        let mem = &w["memory"];
        let _ = writeln!(
            s,
            "| {label} | {:.1} | {:.1} | {} | {} | {} | {} | {} |",
            num(&w["init_ms"]),
            num(&w["first_annotation_ms"]),
            bytes(num(&mem["input_bytes"])),
            match (mem["call"].as_str(), mem["calls"].as_u64()) {
                (Some(c), Some(n)) if n > 1 => format!("`{c}` × {n}"),
                (Some(c), _) => format!("`{c}`"),
                _ => "–".to_string(),
            },
            bytes(num(&mem["before_bytes"])),
            bytes(num(&mem["peak_bytes"])),
            match mem["error"].as_str() {
                Some(e) => format!("failed after {:.2}: {e}", num(&mem["seconds"])),
                None => format!("{:.2}", num(&mem["seconds"])),
            },
        );
    }
    let _ = writeln!(
        s,
        "\nNode: `initSync` on the bytes of the `.wasm` (compile + instantiate), then the time of the first `annotate` of a two-sentence paragraph. \
         Chromium (headless, `performance.now()` in the page): instantiate is `await init()` (fetch + streaming compile + instantiate from a local server); \
         first annotation is the time from navigation start to the first `annotate` result, page and module loading included. \
         Memory: the wasm linear memory's size before and after annotating one input of that size (linear memory never shrinks, so after = peak); \
         the package takes at most 4 MiB per call, so a larger input is split at blank lines and annotated part by part, as its error message advises.\n"
    );
    if let Some(m) = r["memory_rerun"].as_object() {
        let _ = writeln!(
            s,
            "The Chromium memory row was measured again by `{}` on {} (load average {}), on the same slice and build.\n",
            m.get("command").and_then(Value::as_str).unwrap_or_default(),
            m.get("generated").and_then(Value::as_str).unwrap_or_default(),
            m.get("load_avg").and_then(Value::as_str).unwrap_or("?"),
        );
    }
}

fn per_label_section(s: &mut String, r: &Value) {
    let Some(labels) = r["newsmark_ner"]["per_label"].as_object() else {
        return;
    };
    let _ = writeln!(s, "## newsmark NER per label (raw text)\n");
    let _ = writeln!(s, "| label | F1 | gold | predicted |");
    let _ = writeln!(s, "|---|---:|---:|---:|");
    let mut rows: Vec<_> = labels.iter().collect();
    rows.sort_by(|a, b| num(&b.1["gold"]).total_cmp(&num(&a.1["gold"])));
    for (l, v) in rows {
        let _ = writeln!(
            s,
            "| {l} | {} | {} | {} |",
            pct(&v["f1"]),
            v["gold"],
            v["pred"]
        );
    }
    s.push('\n');
}

fn versions_section(s: &mut String, r: &Value) {
    let mut items = Vec::new();
    for key in ["ner_peers", "sentences", "boilerplate"] {
        for p in arr(&r[key]) {
            if let Some(o) = p["versions"].as_object() {
                for (k, v) in o {
                    let item = format!("{k} {}", v.as_str().unwrap_or("?"));
                    if !items.contains(&item) {
                        items.push(item);
                    }
                }
            }
        }
    }
    if let Some(e) = r["peer_bundles"]["esbuild"].as_str() {
        items.push(format!("esbuild {e}"));
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

/// A scaling point's time for the plot: CPU seconds where measured.
fn plot_seconds(p: &Value) -> f64 {
    let cpu = num(&p["cpu_seconds"]);
    if cpu.is_finite() && cpu > 0.0 {
        cpu
    } else {
        num(&p["seconds"])
    }
}

/// An axis label for 10^d bytes: "1 KB", "10 MB".
fn decade(d: i32) -> String {
    let units = ["B", "KB", "MB", "GB"];
    let d = d.max(0) as usize;
    let unit = units[(d / 3).min(units.len() - 1)];
    format!(
        "{} {unit}",
        10u64.pow((d - 3 * (d / 3).min(units.len() - 1)) as u32)
    )
}

/// A log-log plot of seconds against input bytes for each scaling series,
/// with a dashed line of slope 1 through each series' last point.
pub fn scaling_svg(r: &Value) -> String {
    let (w, h, l, t, rt, b) = (640.0, 400.0, 70.0, 30.0, 150.0, 50.0);
    let series = arr(&r["scaling"]["series"]);
    let pts: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|se| {
            arr(&se["points"])
                .iter()
                .map(|p| (num(&p["bytes"]), plot_seconds(p)))
        })
        .filter(|(x, y)| *x > 0.0 && *y > 0.0)
        .collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    if pts.is_empty() {
        let _ = writeln!(s, r#"<text x="20" y="40">no scaling data</text></svg>"#);
        return s;
    }
    let lx = |x: f64| x.log10();
    let (x0, x1) = (
        pts.iter()
            .map(|p| lx(p.0))
            .fold(f64::INFINITY, f64::min)
            .floor(),
        pts.iter()
            .map(|p| lx(p.0))
            .fold(f64::NEG_INFINITY, f64::max)
            .ceil(),
    );
    let (y0, y1) = (
        pts.iter()
            .map(|p| lx(p.1))
            .fold(f64::INFINITY, f64::min)
            .floor(),
        pts.iter()
            .map(|p| lx(p.1))
            .fold(f64::NEG_INFINITY, f64::max)
            .ceil(),
    );
    let (y0, y1) = if y1 > y0 {
        (y0, y1)
    } else {
        (y0 - 1.0, y0 + 1.0)
    };
    let (x0, x1) = if x1 > x0 {
        (x0, x1)
    } else {
        (x0 - 1.0, x0 + 1.0)
    };
    let px = |x: f64| l + (lx(x) - x0) / (x1 - x0) * (w - l - rt);
    let py = |y: f64| h - b - (lx(y) - y0) / (y1 - y0) * (h - t - b);
    // Axes and decade grid.
    let _ = writeln!(
        s,
        r##"<path d="M{l} {t} V{} H{}" fill="none" stroke="#333"/>"##,
        h - b,
        w - rt
    );
    let mut d = x0 as i32;
    while f64::from(d) <= x1 {
        let x = px(10f64.powi(d));
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{t}" x2="{x:.1}" y2="{}" stroke="#ddd"/><text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"##,
            h - b,
            h - b + 16.0,
            decade(d)
        );
        d += 1;
    }
    let mut d = y0 as i32;
    while f64::from(d) <= y1 {
        let y = py(10f64.powi(d));
        let _ = writeln!(
            s,
            r##"<line x1="{l}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">1e{d} s</text>"##,
            w - rt,
            l - 6.0,
            y + 4.0
        );
        d += 1;
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">input size (bytes, log)</text>"#,
        (l + w - rt) / 2.0,
        h - 12.0
    );
    let _ = writeln!(
        s,
        r#"<text x="16" y="{}" transform="rotate(-90 16 {})" text-anchor="middle">CPU seconds per call (log)</text>"#,
        (t + h - b) / 2.0,
        (t + h - b) / 2.0
    );
    let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    for (i, se) in series.iter().enumerate() {
        let c = colours[i % colours.len()];
        let p: Vec<(f64, f64)> = arr(&se["points"])
            .iter()
            .map(|p| (num(&p["bytes"]), plot_seconds(p)))
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
            .collect();
        let path: Vec<String> = p
            .iter()
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="2"/>"#,
            path.join(" ")
        );
        for (x, y) in &p {
            let _ = writeln!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{c}"/>"#,
                px(*x),
                py(*y)
            );
        }
        if let Some(&(xl, yl)) = p.last() {
            // Slope-1 reference through the largest input.
            let (xa, ya) = (p[0].0, yl * p[0].0 / xl);
            let _ = writeln!(
                s,
                r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{c}" stroke-dasharray="4 4" opacity="0.6"/>"#,
                px(xa),
                py(ya),
                px(xl),
                py(yl)
            );
        }
        let ly = t + 20.0 + 36.0 * i as f64;
        let _ = writeln!(
            s,
            r##"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{c}" stroke-width="2"/><text x="{}" y="{}">{}</text><text x="{}" y="{}" fill="#555">slope {:.3}</text>"##,
            w - rt + 10.0,
            w - rt + 30.0,
            w - rt + 36.0,
            ly + 4.0,
            se["stage"].as_str().unwrap_or_default(),
            w - rt + 36.0,
            ly + 18.0,
            num(&se["slope"])
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" fill="#555">dashed: linear</text>"##,
        w - rt + 10.0,
        t + 20.0 + 36.0 * series.len() as f64
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rates_and_bytes_read_well() {
        assert_eq!(rate(1_234_567.0), "1.23M");
        assert_eq!(rate(45_600.0), "45.6k");
        assert_eq!(bytes(2_500.0), "2.5 KB");
        assert_eq!(decade(3), "1 KB");
        assert_eq!(decade(7), "10 MB");
        assert_eq!(decade(2), "100 B");
    }

    #[test]
    fn headline_is_between_markers_and_extractable() {
        let r = json!({"command": "cargo xtask bench", "generated": "today",
                       "newsmark_ner": {"raw": {"f1": 0.8, "news_f1": 0.85}},
                       "throughput": [{"system": "newsmark", "env": "node", "stage": "full",
                                       "tokens_per_s": 1000.0, "spread_pct": 4.0}]});
        let md = markdown(&r, "x.svg");
        let block = headline_block(&md).unwrap();
        assert!(
            block.contains("| **newsmark** | wasm in Node | 80.0 | 85.0 |"),
            "{block}"
        );
        assert!(block.contains("(`cargo xtask bench`, today)"), "{block}");
    }

    #[test]
    fn svg_without_data_is_still_an_svg() {
        let s = scaling_svg(&json!({}));
        assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
    }
}
