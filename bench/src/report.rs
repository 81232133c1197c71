//! BENCHMARKS.md from a run folder: the parts that compare systems, then every section's
//! record as tables ([`walk`]), each part ending with the records it read (date, command),
//! then every section's measurement. How figures are measured: `bench/README.md`.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::accuracy::{Accuracy, CaseAccuracy, NerAccuracy, CASES, CASE_F1_MIN};
use crate::cli::{CliMemory, CliRun};
use crate::native::{Native, Scaling, SLOPE_MAX};
use crate::package::Sizes;
use crate::peers::{NerPeer, PeerBundles, Task, PEERS};
use crate::record::{file_name, Measurement, Records, Throughput, Unit};
use crate::wasm::{LongText, Memory, PagePool, WasmRun};
use crate::Result;

/// A Markdown table: the first column left-aligned, the others right-aligned.
#[derive(Debug, Default)]
pub struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with the columns of `head`, written `a | b | c`.
    pub fn new(head: &str) -> Table {
        let head = head.split(" | ").map(String::from).collect();
        Table { head, rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let rule = (1..self.head.len()).map(|_| "---:|").collect::<String>();
        let mut s = line(&self.head) + "|---|" + &rule + "\n";
        for r in &self.rows {
            let mut cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
            cells.resize(self.head.len(), String::new());
            s += &line(&cells);
        }
        s
    }
}

/// One `##` part: its tables, and the sections they were read from.
struct Part<'a> {
    r: &'a Records,
    sources: Vec<String>,
    body: String,
}

impl Part<'_> {
    /// A section's data, noting the section as a source.
    fn get<T: DeserializeOwned>(&mut self, section: &str) -> Option<T> {
        if !self.sources.iter().any(|s| s == section) {
            self.sources.push(section.into());
        }
        self.r.data(section)
    }

    fn table(&mut self, t: Table) {
        if !t.rows.is_empty() {
            self.body += &(t.markdown() + "\n");
        }
    }

    fn render(&self, title: &str, link: &str) -> String {
        let run = &self.r.run.run.command;
        let from = self.sources.iter().filter_map(|name| {
            let m = &self.r.sections.get(name)?.measured;
            let by = (m.command != *run).then(|| format!(" by `{}`", m.command));
            let file = file_name(name);
            let by = by.unwrap_or_default();
            Some(format!("[`{name}`]({link}{file}) {}{by}", when(m)))
        });
        let from: Vec<String> = from.collect();
        match self.body.is_empty() {
            true => String::new(),
            false => format!("## {title}\n\n{}From {}.\n\n", self.body, from.join(", ")),
        }
    }
}

/// A rate with a unit suffix: 1234567 -> "1.23M".
pub fn rate(x: Option<f64>) -> String {
    let units = [(1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, "")];
    or(x.filter(|x| x.is_finite()), |x| {
        let (d, u) = units.into_iter().find(|(d, _)| x >= *d).unwrap_or((1.0, ""));
        let decimals = [2, 1, 0][(x / d >= 10.0) as usize + (x / d >= 100.0) as usize];
        format!("{:.decimals$}{u}", x / d)
    })
}

/// A ratio: "2.35×", "14.2×"; "–" when unknown.
fn times(x: Option<f64>) -> String {
    let x = x.filter(|x| x.is_finite() && *x > 0.0);
    x.map_or("–".into(), |x| rate(Some(x)) + "×")
}

/// Our rate over theirs, per CPU-second where both have it, else wall-clock.
fn versus(ours: Option<&Throughput>, theirs: Option<&Throughput>, unit: Unit) -> String {
    let (a, b) = (ours.map(|t| t.per_cpu_s(unit)), theirs.map(|t| t.per_cpu_s(unit)));
    if let (Some(Some(a)), Some(Some(b))) = (a, b) {
        return times(Some(a / b));
    }
    let (a, b) = (ours.and_then(|t| t.per_s(unit)), theirs.and_then(|t| t.per_s(unit)));
    times(a.zip(b).map(|(a, b)| a / b)) + " (wall)"
}

/// A byte count: "1.20 GB", "1.23 MB", "34.5 KB", "512 B".
pub fn bytes(x: u64) -> String {
    let x = x as f64;
    match x {
        x if x >= 1e9 => format!("{:.2} GB", x / 1e9),
        x if x >= 1e6 => format!("{:.2} MB", x / 1e6),
        x if x >= 1e3 => format!("{:.1} KB", x / 1e3),
        x => format!("{x:.0} B"),
    }
}

fn or<T>(x: Option<T>, f: impl FnOnce(T) -> String) -> String {
    x.map_or("–".into(), f)
}

/// A 0..1 score as a percentage with one decimal.
fn pct(v: Option<f64>) -> String {
    or(v, |x| format!("{:.1}", x * 100.0))
}

/// "12.3k ±4%": a rate with half the passes' spread.
fn speed(t: Option<&Throughput>, unit: Unit) -> String {
    let x = t.and_then(|t| t.per_s(unit).zip(t.spread_pct()));
    or(x, |(x, sp)| format!("{} ±{:.0}%", rate(Some(x)), sp / 2.0))
}

fn cpu_rate(t: Option<&Throughput>, unit: Unit) -> String {
    rate(t.and_then(|t| t.per_cpu_s(unit)))
}

fn fixed(x: Option<f64>, decimals: usize) -> String {
    or(x.filter(|x| x.is_finite()), |x| format!("{x:.decimals$}"))
}

/// A stored timestamp as shown: `YYYY-MM-DD HH:MM UTC` (else as stored).
pub fn when(m: &Measurement) -> String {
    let t = m.started.parse::<jiff::Timestamp>();
    t.map_or(m.started.clone(), |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
}

/// Writes `out/BENCHMARKS.md` from the records, linking their folder.
pub fn write(r: &Records, out: &Path) -> Result {
    let dir = r.dir.strip_prefix(out).unwrap_or(&r.dir);
    let md = markdown(r, &format!("{}/", dir.display()));
    std::fs::write(out.join("BENCHMARKS.md"), md)?;
    eprintln!("bench: wrote {} and BENCHMARKS.md", r.dir.display());
    Ok(())
}

type Render = fn(&mut Part) -> Option<()>;

/// The parts that compare systems, in order: title and what fills it.
const PARTS: [(&str, Render); 2] = [("Named entities: accuracy, speed, download", ner), ("Targets", targets)];

/// The whole report; `link` is the run folder relative to it.
pub fn markdown(r: &Records, link: &str) -> String {
    let mut s = header(r, link);
    for (title, fill) in PARTS {
        let mut p = Part { r, sources: Vec::new(), body: String::new() };
        fill(&mut p);
        s += &p.render(title, link);
    }
    let order: Vec<String> = crate::sections().into_iter().map(|x| x.0).collect();
    for name in &order {
        let Some(data) = r.sections.get(name).and_then(|x| x.data.as_ref()) else {
            continue;
        };
        let mut p = Part { r, sources: vec![name.clone()], body: String::new() };
        let (mut scalars, mut tables) = (Table::new("figure | value"), Vec::new());
        walk(name, data, &mut scalars, &mut tables);
        p.table(scalars);
        tables.into_iter().for_each(|t| p.table(t));
        s += &p.render(&format!("Section `{name}`"), link);
    }
    s + &measured(r, link)
}

/// A record as tables: scalars as `figure | value` rows (`a.b` when nested, a [`Throughput`]
/// as its rates), each list (or map) of objects as a table with their fields as columns.
fn walk(path: &str, v: &Value, scalars: &mut Table, tables: &mut Vec<Table>) {
    let label = |p: &str| p.split_once('.').map_or("", |x| x.1).to_string();
    if let Ok(t) = serde_json::from_value::<Throughput>(v.clone()) {
        return scalars.row(vec![label(path), rates(&t)]);
    }
    match v {
        // A map of objects of one shape (per label, per case file): a list of them, keyed.
        Value::Object(m)
            if shape(m).is_some() && m.values().all(|x| x.as_object().map(|o| o.keys().collect()) == shape(m)) =>
        {
            let key = |(k, x): (&String, &Value)| {
                let mut x = x.as_object().cloned().unwrap_or_default();
                x.insert(" ".into(), k.as_str().into());
                Value::Object(x)
            };
            walk(path, &Value::Array(m.iter().map(key).collect()), scalars, tables);
        }
        Value::Object(m) => {
            m.iter().for_each(|(k, x)| walk(&format!("{path}.{k}"), x, scalars, tables));
        }
        Value::Array(xs) if xs.iter().any(Value::is_object) => {
            let mut t = Table { head: vec![label(path)], rows: Vec::new() };
            for (n, x) in xs.iter().enumerate() {
                let (mut cells, mut inner) = (Table::new("figure | value"), Vec::new());
                walk(path, x, &mut cells, &mut inner);
                let mut row = vec![(n + 1).to_string()];
                for c in cells.rows {
                    let i = t.head.iter().position(|h| *h == c[0]);
                    let i = i.unwrap_or_else(|| {
                        t.head.push(c[0].clone());
                        t.head.len() - 1
                    });
                    row.resize(t.head.len(), String::new());
                    row[i] = c[1].clone();
                }
                // A list inside an item: a table named after the item.
                let name: Vec<&str> = row[1..].iter().filter(|c| !c.is_empty()).map(String::as_str).take(2).collect();
                for mut x in inner {
                    x.head[0] = format!("{} ({})", x.head[0], name.join(", "));
                    tables.push(x);
                }
                t.row(row);
            }
            let prefix = format!("{}.", t.head[0]);
            t.head.iter_mut().skip(1).for_each(|h| *h = h.trim_start_matches(&prefix).to_string());
            tables.push(t);
        }
        _ => scalars.row(vec![label(path), scalar(v)]),
    }
}

/// The keys of a map's first value, if it is an object (the shape the others must have).
fn shape(m: &serde_json::Map<String, Value>) -> Option<Vec<&String>> {
    Some(m.values().next()?.as_object()?.keys().collect())
}

/// A JSON scalar as the report shows it (lists of scalars joined).
fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "–".into(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        // Four significant digits.
        Value::Number(n) if n.is_f64() => n.as_f64().map_or(String::new(), |x| {
            let digits = (3.0 - x.abs().log10().floor()).clamp(0.0, 9.0) as usize;
            if x == 0.0 {
                "0".into()
            } else {
                format!("{x:.digits$}")
            }
        }),
        Value::Array(xs) => xs.iter().map(scalar).collect::<Vec<_>>().join(", "),
        Value::String(s) if s.len() >= 40 && s.chars().all(|c| c.is_ascii_hexdigit()) => format!("`{}…`", &s[..12]),
        Value::String(s) => s.clone(),
        _ => v.to_string(),
    }
}

/// Passes as rates: tokens (or characters, or documents) per second and per CPU-second.
fn rates(t: &Throughput) -> String {
    let (unit, name) = match (t.tokens, t.chars) {
        (0, 0) => (Unit::Docs, "documents"),
        (0, _) => (Unit::Chars, "chars"),
        _ => (Unit::Tokens, "tokens"),
    };
    let cpu = t.per_cpu_s(unit).map_or(String::new(), |x| format!(", {} per CPU-second", rate(Some(x))));
    format!("{} {name}/s{cpu} ({} passes)", speed(Some(t), unit), t.wall_s.len())
}

fn header(r: &Records, link: &str) -> String {
    let (run, m, sl, s) = (&r.run.run, &r.run.machine, &r.run.slices.ner, &r.run.settings);
    let chromium = r.data::<WasmRun>("wasm-chromium").map_or("–".into(), |c| c.version);
    let load = |l: &Option<String>| l.clone().unwrap_or("?".into());
    let (cmd, date, commit, took) = (&run.command, when(run), &run.commit, fixed(run.seconds, 0));
    let (load0, load1, changes) =
        (load(&run.load_avg_start), load(&run.load_avg_end), ["", " plus changes"][run.dirty as usize]);
    let (cpu, cores, gib, os, rustc, node, python) =
        (&m.cpu, m.cores, fixed(m.memory_gib, 1), &m.os, &m.rustc, &m.node, &m.python);
    let (docs, file, chars, tokens, pages) = (sl.docs, &sl.file, sl.chars, sl.tokens, r.run.slices.boilerplate.docs);
    let (runs, peer_runs) = (s.runs, s.peer_runs);
    format!(
        "# Benchmarks\n\nGenerated by `{cmd}` on {date} from the records in [`{link}`]({link}); \
         [bench/README.md](bench/README.md) says how each figure is measured. Do not edit: run the command again \
         (`--only SECTION` measures a section again; the last table says when and by which command each was).\n\n\
         Machine: {cpu} ({cores} cores, {gib} GiB), {os}; load average {load0} at the start, {load1} at the end. \
         {rustc}; node {node}; {python}; Chromium {chromium}. Commit `{commit}`{changes}. The run took {took} s.\n\n\
         Text: the first {docs} documents of OntoNotes dev (`{file}`: {chars} characters, {tokens} gold tokens) and \
         the first {pages} boilerplate dev pages, the same for every system. Rates are medians of {runs} timed passes \
         for newsmark and {peer_runs} for the peers, ± half their spread; tokens are the corpus' gold tokens.\n\n"
    )
}

fn ner(p: &mut Part) -> Option<()> {
    let acc = p.get::<Accuracy>("accuracy").unwrap_or_default();
    let sizes = p.get::<Sizes>("sizes").unwrap_or_default();
    let bundles = p.get::<PeerBundles>("peer-bundles").unwrap_or_default();
    let glue = sizes.file("newsmark.js").and_then(|f| f.minified_gzip);
    let wasm = sizes.file("newsmark_bg.wasm").map(|f| f.gzip);
    let download = or(wasm.zip(glue), |(a, b)| bytes(a + b));
    let mut t = Table::new(
        "system | runs in | NER F1, 18 labels | F1 news | labels emitted: F1 on them | tokens/s \
         | tokens per CPU-second | newsmark (wasm, Node) ÷ this, speed | browser download (gzip)",
    );
    let node = stage(p, "wasm-node", "full");
    let raw = acc.ner.as_ref().map(|n| &n.raw);
    let (f1, news) = (pct(raw.map(|s| s.f1)), pct(raw.and_then(|s| s.news_f1)));
    for (section, runs_in) in
        [("native", "Rust, native"), ("wasm-node", "wasm in Node"), ("wasm-chromium", "wasm in Chromium")]
    {
        let x = stage(p, section, "full");
        let dl = if section == "native" { "" } else { &download };
        let ratio = versus(node.as_ref(), x.as_ref(), Unit::Tokens);
        let (sp, cpu) = (speed(x.as_ref(), Unit::Tokens), cpu_rate(x.as_ref(), Unit::Tokens));
        let (name, all) = ("**newsmark**".into(), format!("18: {f1}"));
        t.row(vec![name, runs_in.into(), f1.clone(), news.clone(), all, sp, cpu, ratio, dl.into()]);
    }
    for x in peers::<NerPeer>(p, Task::Ner) {
        let bundle = bundles.bundles.iter().find(|b| b.name == x.id).map(|b| bytes(b.gzip));
        let python = (x.runtime == "Python").then(|| "not for browsers".to_string());
        let ratio = versus(node.as_ref(), Some(&x.speed), Unit::Tokens);
        let (f1, news) = (pct(Some(x.f1)), pct(x.news_f1));
        let covered = format!("{}: {}", x.labels.len(), pct(Some(x.covered_f1)));
        let (sp, cpu) = (speed(Some(&x.speed), Unit::Tokens), cpu_rate(Some(&x.speed), Unit::Tokens));
        let dl = bundle.or(python).unwrap_or("–".into());
        t.row(vec![x.name, x.runtime, f1, news, covered, sp, cpu, ratio, dl]);
    }
    p.table(t);
    accurate(p, &acc);
    Some(())
}

/// The opt-in accurate model beside the default one (issue #29).
fn accurate(p: &mut Part, acc: &Accuracy) {
    let Some(a) = p.get::<crate::accurate::Accurate>("accurate") else {
        return;
    };
    let webnews = p.get::<crate::accuracy::NerSystems>("webnews").and_then(|w| w.newsmark);
    let sizes = p.get::<Sizes>("sizes").unwrap_or_default();
    let mut t = Table::new(
        "model | file (gzip) | NER F1, raw text | F1, gold tokens | webnews dev F1 | native tokens per CPU-second",
    );
    let f1 = |n: Option<&NerAccuracy>| (pct(n.map(|n| n.raw.f1)), pct(n.map(|n| n.gold_tokens.f1)));
    let (raw, gold) = f1(acc.ner.as_ref());
    let wasm = or(sizes.file("newsmark_bg.wasm").map(|f| f.gzip), |b| format!("in the wasm ({})", bytes(b)));
    let speed = cpu_rate(Some(&a.default_speed), Unit::Tokens);
    t.row(vec!["default".into(), wasm, raw, gold, pct(webnews.map(|s| s.f1)), speed]);
    let (raw, gold) = f1(a.ner.as_ref());
    let file = format!("ontonotes-accurate.nmm, {} ({})", bytes(a.bytes), bytes(a.gzip_bytes));
    let slower = or(a.speed_ratio().filter(|r| *r > 0.0), |r| format!("{:.0} times slower", 1.0 / r));
    let speed = format!("{} ({slower})", cpu_rate(Some(&a.speed), Unit::Tokens));
    t.row(vec!["accurate (opt-in)".into(), file, raw, gold, pct(a.webnews.as_ref().map(|s| s.f1)), speed]);
    p.body +=
        "The opt-in accurate model (a transformer, `model: \"accurate\"`, `--model models/ontonotes-accurate.nmm`) \
               beside the default one: F1 on the same slice and on webnews dev; speed natively on the first \
               OntoNotes documents of the slice, both models in this run.\n\n";
    p.table(t);
}

/// newsmark's passes of one stage in a section (`native`, `wasm-node`, `wasm-chromium`).
fn stage(p: &mut Part, section: &str, name: &str) -> Option<Throughput> {
    let stages = match section {
        "native" => p.get::<Native>(section)?.stages,
        _ => p.get::<WasmRun>(section)?.stages,
    };
    stages.into_iter().find(|s| s.stage == name).map(|s| s.speed)
}

fn peers<T: DeserializeOwned>(p: &mut Part, task: Task) -> Vec<T> {
    let ids = PEERS.iter().filter(|q| q.task == task);
    ids.filter_map(|q| p.get(&format!("peer:{}", q.id))).collect()
}

/// Issue #14's to #17's and #28's to #29's bars, each checked on this record.
fn targets(p: &mut Part) -> Option<()> {
    let mut t = Table::new("issue | target | this run | bar | met");
    let mut add = |issue: u8, what: String, x: Option<f64>, show: &dyn Fn(f64) -> String, bar: f64, least: bool| {
        let met = match x.map(|x| if least { x >= bar } else { x <= bar }) {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not measured",
        };
        let bar = show(bar);
        let bar = if bar.starts_with(char::is_alphabetic) {
            bar
        } else {
            format!("{} {bar}", ["≤", "≥"][least as usize])
        };
        t.row(vec![format!("#{issue}"), what, or(x, show), bar, met.into()]);
    };
    let (ratio, size, pct0) = (|x| times(Some(x)), |x| bytes(x as u64), |x| format!("{:.0}%", x * 100.0));
    let (pct2, slope, same) = (
        |x| format!("{:.2}", x * 100.0),
        |x| fixed(Some(x), 3),
        |x| ["differs", "the same"][(x > 0.0) as usize].into(),
    );
    let spacy = p.get::<NerPeer>("peer:spacy-ner").map(|x| x.speed);
    let cpu = |t: &Option<Throughput>| t.as_ref().and_then(|t| t.per_cpu_s(Unit::Tokens));
    let wall = |t: &Option<Throughput>| t.as_ref().and_then(|t| t.per_s(Unit::Tokens));
    let (node, chromium) = (stage(p, "wasm-node", "full"), stage(p, "wasm-chromium", "full"));
    let over = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a / b);
    let what = "full pipeline, wasm in Node ÷ spaCy sm tok2vec+ner, tokens per CPU-second".into();
    add(14, what, over(cpu(&node), cpu(&spacy)), &ratio, 5.0, true);
    let what = "full pipeline, wasm in Chromium ÷ spaCy sm tok2vec+ner, tokens/s (wall-clock)".into();
    add(14, what, over(wall(&chromium), wall(&spacy)), &ratio, 5.0, true);
    let native = cpu(&stage(p, "native", "full"));
    add(14, "full pipeline, native, tokens per CPU-second".into(), native, &|x| rate(Some(x)), 1e5, true);
    let long = p.get::<LongText>("long-text").and_then(|l| l.ratio());
    let what = "long text in Node, tokens per CPU-second: one 1 MB call ÷ one call per document".into();
    add(14, what, long, &pct0, 0.9, true);
    for m in p.get::<Memory>("memory").map(|m| m.rows).unwrap_or_default() {
        let what = format!(
            "peak wasm memory, one `{}` call on {} (bar for 10 MB), {}",
            m.call,
            size(m.input_bytes as f64),
            m.env
        );
        add(14, what, m.error.is_none().then_some(m.peak_bytes as f64), &size, 64e6, false);
    }
    for se in p.get::<Scaling>("scaling").map(|s| s.series).unwrap_or_default() {
        let top = se.points.iter().map(|p| p.bytes as f64).fold(0.0, f64::max);
        let what = format!("time linear, {}: log-log slope from 100 KB to {}", se.label(), size(top));
        add(14, what, se.slope(), &slope, SLOPE_MAX, false);
    }
    let (acc, sizes) = (p.get::<Accuracy>("accuracy").unwrap_or_default(), p.get::<Sizes>("sizes").unwrap_or_default());
    for (model, file, bar, ner, f1) in [
        ("default", "newsmark_bg.wasm", 2.5e6, &acc.ner, (0.854, 0.853)),
        ("lite", "ontonotes-lite.nmm", 1e6, &acc.ner_lite, (0.842, 0.839)),
    ] {
        let gz = sizes.file(file).map(|f| f.gzip as f64);
        add(15, format!("`{file}` ({model} model), gzipped"), gz, &size, bar, false);
        // Two decimals: a bar of one decimal must not look met by rounding.
        let (gold, raw) = (ner.as_ref().map(|n| n.gold_tokens.f1), ner.as_ref().map(|n| n.raw.f1));
        add(15, format!("{model} model, F1 with the gold tokens"), gold, &pct2, f1.0, true);
        add(15, format!("{model} model, F1 on raw text"), raw, &pct2, f1.1, true);
    }
    let first = p.get::<WasmRun>("wasm-chromium").map(|c| c.first_annotation_ms);
    let what = "the demo page's sample first annotated in Chromium, from navigation (ms)".into();
    add(15, what, first, &|x| format!("{x:.1}"), 250.0, false);
    if let Some(c) = p.get::<CliRun>("cli") {
        let what = format!("the CLI on {}, documents/s: 2 threads ÷ 1 thread", bytes(c.bytes));
        add(16, what, c.speedup(), &ratio, 1.8, true);
        let what = "the CLI's output with 1 and with 2 threads, byte for byte".into();
        add(16, what, Some(c.outputs_identical as u8 as f64), &same, 1.0, true);
    }
    if let Some(m) = p.get::<CliMemory>("cli-memory") {
        let what = format!("the CLI's peak resident memory on {} of JSONL (bar for 1 GB)", bytes(m.input_bytes));
        add(16, what, Some(m.max_rss_bytes as f64), &size, 200e6, false);
    }
    if let Some(pool) = p.get::<PagePool>("page-pool") {
        let what =
            format!("the page, a {} paste to the result shown: 1 worker ÷ 2 (bar for 5 MB)", bytes(pool.bytes as u64));
        add(16, what, pool.speedup(), &ratio, 1.7, true);
        let what = format!("the page's result with 1 and with 2 workers, in all {} runs", pool.runs.len());
        add(16, what, pool.same_result().map(|x| x as u8 as f64), &same, 1.0, true);
    }
    if let Some(c) = p.get::<CaseAccuracy>("case") {
        let f1 = |name: &str| Some(c.rows.iter().find(|r| r.case == name)?.scores.newsmark.as_ref()?.f1);
        let lowest = CASES[1..].iter().map(|c| f1(c.0)).collect::<Option<Vec<f64>>>();
        let lowest = lowest.map(|v| v.into_iter().fold(1.0, f64::min));
        let what = "newsmark NER F1, the lowest of lower case, UPPER CASE and Headline Case".into();
        add(17, what, lowest, &pct2, CASE_F1_MIN, true);
        add(29, "the same, issue #29's bar".into(), lowest, &pct2, 0.815, true);
    }
    if let Some(w) = p.get::<crate::accuracy::NerSystems>("webnews") {
        add(29, "webnews dev F1, raw text, default model".into(), w.newsmark.as_ref().map(|s| s.f1), &pct2, 0.76, true);
        add(29, "webnews dev F1, raw text, lite model".into(), w.lite.map(|s| s.f1), &pct2, 0.72, true);
        let a = p.get::<crate::accurate::Accurate>("accurate").and_then(|a| a.webnews).map(|s| s.f1);
        let what = "webnews dev F1, the opt-in accurate model − the default model (shipped at 2 points or more)".into();
        add(29, what, a.zip(w.newsmark).map(|(a, d)| a - d.f1), &pct2, 0.02, true);
    }
    let (gold, raw) = (acc.ner.as_ref().map(|n| n.gold_tokens.f1), acc.ner.as_ref().map(|n| n.raw.f1));
    add(29, "default model, F1 with the gold tokens".into(), gold, &pct2, 0.870, true);
    add(29, "default model, F1 on raw text".into(), raw, &pct2, 0.869, true);
    let num = |v: &Value, path: &[&str]| path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_f64);
    if let Some(c) = p.get::<Value>("clusters") {
        add(
            28,
            "clusters, OntoNotes dev CoNLL F1 (own entities, raw text)".into(),
            num(&c, &["newsmark", "conll"]),
            &pct2,
            0.91,
            true,
        );
    }
    if let Some(g) = p.get::<Value>("places") {
        let f = |k: &[&str]| num(&g, &[&["scores", "newsmark"][..], k].concat());
        add(28, "places, GeoWebNews: found F1".into(), f(&["found", "f1"]), &pct2, 0.70, true);
        add(28, "places, GeoWebNews: share of the found within 161 km".into(), f(&["acc161_found"]), &pct2, 0.85, true);
        add(28, "places, GeoWebNews: AUC of the error".into(), f(&["auc"]), &|x| fixed(Some(x), 3), 0.20, false);
    }
    p.table(t);
    Some(())
}

/// Every section's measurement, then what failed.
fn measured(r: &Records, link: &str) -> String {
    let mut s = String::new();
    let order: Vec<String> = crate::sections().into_iter().map(|x| x.0).collect();
    let mut all: Vec<_> = r.sections.values().collect();
    all.sort_by_key(|x| order.iter().position(|o| *o == x.section));
    let mut t = Table::new("section | measured | by | commit | load average at the start | seconds | result");
    let mut errors = String::new();
    for x in &all {
        let (m, n) = (&x.measured, x.errors.len());
        let result = match (n, x.data.is_some()) {
            (0, true) => "ok".to_string(),
            (0, false) => "no data".to_string(),
            (n, true) => format!("partly: {n} error(s) below"),
            (n, false) => format!("failed: {n} error(s) below"),
        };
        let section = format!("[`{}`]({link}{})", x.section, file_name(&x.section));
        let commit = format!("`{}`{}", m.commit, if m.dirty { " + changes" } else { "" });
        let load = m.load_avg_start.clone().unwrap_or("–".into());
        let (by, secs) = (format!("`{}`", m.command), fixed(m.seconds, 0));
        t.row(vec![section, when(m), by, commit, load, secs, result]);
        for e in &x.errors {
            errors += &format!("- {}: {}\n", x.section, e.replace('\n', " "));
        }
    }
    s += &format!("## How each section was measured\n\n{}\n", t.markdown());
    if !errors.is_empty() {
        s += &format!("## What did not run\n\n{errors}\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Run, Stored, FORMAT};

    #[test]
    fn numbers_read_well() {
        assert_eq!(rate(Some(1_234_567.0)), "1.23M");
        assert_eq!(rate(Some(45_600.0)), "45.6k");
        assert_eq!((rate(None), times(Some(1.5))), ("–".into(), "1.50×".into()));
        assert_eq!((bytes(2_500), bytes(1_200_000_000)), ("2.5 KB".into(), "1.20 GB".into()));
        let m = Measurement { started: "2026-01-02T03:04:05Z".into(), ..Default::default() };
        assert_eq!(when(&m), "2026-01-02 03:04 UTC");
    }

    #[test]
    fn a_table_renders_its_rows_under_its_head() {
        let mut t = Table::new("a | b | c");
        t.row(vec!["x|y".into(), "1".into()]);
        assert_eq!(t.markdown(), "| a | b | c |\n|---|---:|---:|\n| x\\|y | 1 |  |\n");
    }

    fn stored(name: &str, command: &str, date: &str, data: impl serde::Serialize) -> (String, Stored) {
        let (command, started, commit) = (command.into(), date.into(), "abc1234".into());
        let measured = Measurement { command, started, commit, ..Default::default() };
        let data = Some(serde_json::to_value(data).unwrap());
        (name.into(), Stored { section: name.into(), measured, errors: vec![], data })
    }

    fn tiny() -> Records {
        use serde_json::json;
        let speed = |w: f64, c: f64| json!({"wall_s": [w], "cpu_s": [c], "tokens": 1000, "chars": 5000, "docs": 1});
        let (cmd, t0, score) =
            ("cargo xtask bench", "2026-01-02T03:04:05Z", json!({"p": 0.8, "f1": 0.8, "news_f1": 0.85}));
        let acc = json!({"ner": {"raw": score, "gold_tokens": score, "per_label": {}}});
        let node = json!({"version": "", "api": [], "full_error": null, "init_ms": 0.0, "first_annotation_ms": 0.0,
            "stages": [{"stage": "full", "speed": speed(0.2, 0.1)}]});
        let spacy = json!({"id": "spacy-ner", "name": "spaCy", "runtime": "Python", "versions": {},
            "labels": [], "f1": 0.8, "news_f1": null, "covered_f1": 0.8, "speed": speed(1.0, 0.8), "failed_docs": null});
        let mut sections = vec![
            stored("accuracy", cmd, t0, acc),
            stored("wasm-node", "cargo xtask bench --only wasm-node", "2026-01-03T00:00:00Z", node),
            stored("peer:spacy-ner", cmd, "2026-01-02T03:05:00Z", spacy),
        ];
        sections[1].1.errors.push("something broke".into());
        let run = Measurement { command: cmd.into(), started: t0.into(), ..Default::default() };
        let run = Run {
            format: FORMAT,
            settings: Default::default(),
            slices: Default::default(),
            machine: Default::default(),
            run,
        };
        Records { dir: "runs/x".into(), run, sections: sections.into_iter().collect() }
    }

    #[test]
    fn the_report_reads_the_records() {
        let md = markdown(&tiny(), "bench/runs/x/");
        let has = |s: &str| assert!(md.contains(s), "{s}\n{md}");
        has("from the records in [`bench/runs/x/`](bench/runs/x/)");
        has("| **newsmark** | wasm in Node | 80.0 | 85.0 | 18: 80.0 | 5.00k ±0% | 10.0k | 1.00× |");
        has("| spaCy | Python | 80.0 | – | 0: 80.0 | 1.00k ±0% | 1.25k | 8.00× | not for browsers |");
        has("| #14 | full pipeline, wasm in Node ÷ spaCy sm tok2vec+ner, tokens per CPU-second | 8.00× | ≥ 5.00× | yes |");
        has("| #14 | full pipeline, native, tokens per CPU-second | – | ≥ 100k | not measured |");
        has("[`wasm-node`](bench/runs/x/wasm-node.json) 2026-01-03 00:00 UTC by `cargo xtask bench --only wasm-node`");
        has("| [`peer:spacy-ner`](bench/runs/x/peer-spacy-ner.json) | 2026-01-02 03:05 UTC | `cargo xtask bench` |");
        has("- wasm-node: something broke");
        has("| stages | speed | stage |\n|---|---:|---:|\n| 1 | 5.00k ±0% tokens/s, 10.0k per CPU-second (1 passes) | full |");
        has("| figure | value |\n|---|---:|\n| api |  |\n| first_annotation_ms | 0 |");
        assert!(!md.contains("## Sizes"), "{md}");
    }

    #[test]
    fn the_page_pool_target_divides_the_medians() {
        let mut r = tiny();
        let runs = [(1, 12.0, "a"), (2, 6.0, "a"), (2, 6.5, "a"), (1, 11.0, "a"), (1, 10.0, "a"), (2, 5.5, "b")];
        let run = |(workers, seconds, d): (u32, f64, &str)| crate::wasm::PoolRun {
            workers,
            seconds,
            digest: d.into(),
            entities: 82_113,
            ..Default::default()
        };
        let runs = runs.map(run).to_vec();
        let pool = PagePool { chars: 5_000_000, bytes: 5_010_000, runs, ..Default::default() };
        r.sections.extend([stored("page-pool", "cargo xtask bench", "2026-01-02T03:04:05Z", pool)]);
        let md = markdown(&r, "");
        assert!(md.contains("1 worker ÷ 2 (bar for 5 MB) | 1.83× | ≥ 1.70× | yes |"), "{md}");
        assert!(md.contains("with 1 and with 2 workers, in all 6 runs | differs | the same | **no** |"), "{md}");
    }
}
