//! Property tests of the whole pipeline, `Annotator::annotate`, on hostile
//! and odd input: arbitrary Unicode, control characters, U+FFFD where lone
//! surrogates arrived from JavaScript, `\r\n` and `\r` line ends, zero-width
//! joiners, right-to-left text, long runs of one character, a 1 MB line.
//!
//! Every output must satisfy the invariants of `tests/invariants` (blocks
//! cover the text in order, sentences and tokens lie in their blocks,
//! entities lie on token boundaries without overlap, UTF-16 offsets slice
//! the JavaScript string to exactly the span's text) and be deterministic.
//!
//! The number of generated cases per property is `PROPTEST_CASES` (default:
//! a few dozen, so the file runs in seconds in the `ci` profile). The model
//! is the embedded default one, or the file named by `NEWSMARK_TEST_MODEL`.

mod invariants;

use invariants::{check_document, check_utf16_against};
use newsmark::{AnnotateError, Annotator, Cluster, Document, Entity, MAX_INPUT_BYTES};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The annotator under test (loaded once per test binary).
fn annotator() -> &'static Annotator {
    static ANNOTATOR: OnceLock<Annotator> = OnceLock::new();
    ANNOTATOR.get_or_init(load)
}

/// A second, separately loaded annotator: its output must equal the first's.
fn other_annotator() -> &'static Annotator {
    static ANNOTATOR: OnceLock<Annotator> = OnceLock::new();
    ANNOTATOR.get_or_init(load)
}

fn load() -> Annotator {
    match std::env::var_os("NEWSMARK_TEST_MODEL") {
        Some(path) => {
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("NEWSMARK_TEST_MODEL={path:?}: {e}"));
            Annotator::from_bytes(&bytes)
                .unwrap_or_else(|e| panic!("NEWSMARK_TEST_MODEL={path:?}: {e}"))
        }
        None => Annotator::new(),
    }
}

/// Annotates `text` and checks every invariant and determinism; returns
/// the document.
fn annotate_checked(text: &str) -> Document {
    let a = annotator();
    let doc = a.annotate(text);
    if let Err(why) = check_document(text, &doc, a.labels()) {
        panic!("{why}\nin the annotation of {}", preview(text));
    }
    let clusters = check_clusters(text, &doc);
    assert!(
        doc.clusters(text) == clusters,
        "a second call gave other clusters for {}",
        preview(text)
    );
    assert!(
        a.annotate(text) == doc,
        "a second call gave a different result for {}",
        preview(text)
    );
    assert!(
        other_annotator().annotate(text) == doc,
        "a second annotator gave a different result for {}",
        preview(text)
    );
    doc
}

/// Checks the clusters of `doc`: every entity in exactly one, clusters in
/// order of their first mention with their mentions in order, each named
/// by a piece of one of its mentions and labelled by one of their labels.
/// Returns them.
fn check_clusters(text: &str, doc: &Document) -> Vec<Cluster> {
    let clusters = doc.clusters(text);
    let mut seen = vec![0; doc.entities.len()];
    for (c, cluster) in clusters.iter().enumerate() {
        let why = format!(
            "cluster {c} {cluster:?} in the annotation of {}",
            preview(text)
        );
        assert!(!cluster.mentions.is_empty(), "{why}");
        assert!(cluster.mentions.windows(2).all(|w| w[0] < w[1]), "{why}");
        for &m in &cluster.mentions {
            seen[m] += 1;
        }
        let mentions: Vec<&Entity> = cluster.mentions.iter().map(|&m| &doc.entities[m]).collect();
        assert!(
            mentions.iter().any(|e| e.span.contains(&cluster.name)),
            "the name lies in a mention: {why}"
        );
        assert!(!cluster.name.slice(text).is_empty(), "{why}");
        assert!(mentions.iter().any(|e| e.label == cluster.label), "{why}");
    }
    assert!(
        seen.iter().all(|&n| n == 1),
        "every entity in one cluster: {clusters:?}"
    );
    assert!(clusters
        .windows(2)
        .all(|w| w[0].mentions[0] < w[1].mentions[0]));
    clusters
}

/// The text for a failure message (cut when long).
fn preview(text: &str) -> String {
    if text.len() <= 400 {
        return format!("{text:?}");
    }
    let mut cut = 400;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{:?}... ({} bytes)", &text[..cut], text.len())
}

/// Proptest settings: `cases` cases unless `PROPTEST_CASES` says otherwise.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        ..Config::default()
    }
}

/// Our own news-like sentences, so the model finds entities in generated
/// text (the seed articles are added at run time when `../shared` exists).
const SAMPLE: &str = "\
Harbour Lights Closes After 40 Years\n\
By Mara Lindqvist, Staff Writer\n\
\n\
GOTHENBURG, Sweden (Reuters) - The Harbour Lights restaurant on Kungsgatan will close on \
March 3, its owner Per-Olof Nyberg said on Tuesday. He bought it from the city of Gothenburg \
in 1984 for $250,000.\n\
\"We served the King of Sweden twice,\" Nyberg, 71, told the Göteborgs-Posten. \
About 60 percent of guests came from Norway, Denmark and Germany.\n\
Volvo Cars and Ericsson Inc. held their parties there; Dr. Anna Berg of the University \
of Oslo called it \u{201c}the best fish soup in Scandinavia\u{201d}.\n\
Share this article | Comments (12) | Privacy Policy | © 2026 Coastline Media Group\n";

/// Pieces that generated texts are made of: words, names, numbers,
/// punctuation, every kind of line end and space, control characters,
/// zero-width and joiner characters, right-to-left text, combining marks,
/// astral characters, U+FFFD and arbitrary characters.
fn piece() -> impl Strategy<Value = String> {
    const WORDS: &[&str] = &[
        "the",
        "said",
        "in",
        "on",
        "of",
        "and",
        "a",
        "company",
        "million",
        "percent",
        "Monday",
        "March",
        "2026",
        "3.5",
        "$",
        "40",
        "1,200",
        "U.S.",
        "Inc.",
        "Dr.",
        "Mr.",
        "St.",
        "Corp",
        "Angela",
        "Nyberg",
        "Lindqvist",
        "Gothenburg",
        "Sweden",
        "Reuters",
        "Volvo",
        "Ericsson",
        "New",
        "York",
        "City",
        "Council",
        "European",
        "Union",
        "iPhone",
        "e-mail",
        "COVID-19",
        "https://example.org/a?b=c",
        "@handle",
        "#tag",
        "can't",
        "O'Neill",
        "naïve",
        "Zürich",
        "東京",
        "北京市",
        "Москва",
        "Αθήνα",
    ];
    const SPACES: &[&str] = &[
        " ", " ", " ", "\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\t", "\u{a0}", "\u{2028}",
        "\u{2029}", "\u{85}", "\u{3000}", "\u{b}", "\u{c}", "  \n  ",
    ];
    const PUNCT: &[&str] = &[
        ".", ",", "!", "?", ";", ":", "\"", "'", "\u{201c}", "\u{201d}", "\u{2019}", "(", ")", "[",
        "]", "-", "\u{2014}", "\u{2013}", "\u{2026}", "...", "|", "/", "&", "*", "\u{2022}",
        "\u{b7}", "<", ">", "<script>", "&amp;",
    ];
    const ODD: &[&str] = &[
        "\u{200d}",
        "\u{200c}",
        "\u{200b}",
        "\u{feff}",
        "\u{2060}",
        "\u{ad}",
        "\u{1f469}\u{200d}\u{1f4bb}",
        "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}",
        "\u{1f3f3}\u{fe0f}\u{200d}\u{1f308}",
        "\u{1f1f8}\u{1f1ea}",
        "\u{1f600}",
        "\u{1d54f}",
        "\u{10ffff}",
        "e\u{301}",
        "\u{301}",
        "\u{301}\u{302}\u{303}",
        "\u{fffd}",
        "\u{fffd}\u{fffd}",
        "\u{5e9}\u{5dc}\u{5d5}\u{5dd}",
        "\u{645}\u{631}\u{62d}\u{628}\u{627}",
        "\u{202e}",
        "\u{202b}",
        "\u{200f}",
        "\u{2067}",
        "\u{2069}",
        "\u{0}",
        "\u{7f}",
        "\u{9b}",
        "\u{1b}[31m",
        "\u{e000}",
    ];
    fn one_of(list: &'static [&'static str]) -> impl Strategy<Value = String> {
        proptest::sample::select(list).prop_map(str::to_string)
    }
    prop_oneof![
        6 => one_of(WORDS),
        5 => one_of(SPACES),
        3 => one_of(PUNCT),
        3 => one_of(ODD),
        2 => any::<char>().prop_map(String::from),
        1 => proptest::char::range('\u{0}', '\u{9f}').prop_map(String::from),
        1 => "\\PC{1,6}",
    ]
}

/// A text of up to `max` pieces.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..max).prop_map(|pieces| pieces.concat())
}

/// A JavaScript string: UTF-16 code units, including lone surrogates.
fn js_string() -> impl Strategy<Value = Vec<u16>> {
    let unit = prop_oneof![
        4 => piece().prop_map(|s| s.encode_utf16().collect::<Vec<u16>>()),
        1 => (0xd800u16..=0xdfff).prop_map(|u| vec![u]),
        1 => any::<u16>().prop_map(|u| vec![u]),
    ];
    proptest::collection::vec(unit, 0..120).prop_map(|units| units.concat())
}

/// The base texts for mutation: our own sample and, when present, the seed
/// articles in `../shared/data/seeds/` (read at run time, never copied).
fn base_texts() -> &'static [String] {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let mut texts = vec![SAMPLE.to_string()];
        let seeds = std::env::var_os("NEWSMARK_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
            .join("data/seeds");
        if let Ok(dir) = std::fs::read_dir(seeds) {
            let mut paths: Vec<PathBuf> = dir
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect();
            paths.sort();
            texts.extend(paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
        }
        texts
    })
}

/// The largest char boundary of `text` at or below `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A window of a base text with pieces inserted at random places and its
/// line ends optionally rewritten to `\r\n` or `\r`.
fn mutated_article() -> impl Strategy<Value = String> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        200usize..3000,
        proptest::collection::vec((any::<prop::sample::Index>(), piece()), 0..12),
        0u8..3,
    )
        .prop_map(|(which, start, len, inserts, line_ends)| {
            let base = &base_texts()[which.index(base_texts().len())];
            let from = floor_boundary(base, start.index(base.len().max(1)));
            let to = floor_boundary(base, from + len);
            let mut text = base[from..to].to_string();
            for (at, piece) in inserts {
                let at = floor_boundary(&text, at.index(text.len() + 1));
                text.insert_str(at, &piece);
            }
            match line_ends {
                1 => text.replace('\n', "\r\n"),
                2 => text.replace('\n', "\r"),
                _ => text,
            }
        })
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn arbitrary_pieces_keep_every_invariant(text in text(160)) {
        annotate_checked(&text);
    }

    #[test]
    fn arbitrary_unicode_strings_keep_every_invariant(text in any::<String>()) {
        annotate_checked(&text);
    }

    #[test]
    fn mutated_articles_keep_every_invariant(text in mutated_article()) {
        annotate_checked(&text);
    }

    #[test]
    fn line_ends_do_not_change_what_is_found(text in mutated_article()) {
        // `\n`, `\r\n` and `\r` end lines alike: the same blocks, sentences,
        // tokens and entities, at the same places counted in lines and chars.
        let lf = text.replace("\r\n", "\n").replace('\r', "\n");
        let crlf = lf.replace('\n', "\r\n");
        let cr = lf.replace('\n', "\r");
        let texts_of = |t: &str| {
            let doc = annotate_checked(t);
            let blocks: Vec<String> = doc.blocks.iter().map(|b| format!("{:?} {}", b.kind, b.span.slice(t))).collect();
            let entities: Vec<String> = doc.entities.iter().map(|e| format!("{} {}", e.label, e.span.slice(t))).collect();
            let sentences: Vec<String> = doc.sentences.iter().map(|s| s.slice(t).replace("\r\n", "\n").replace('\r', "\n")).collect();
            (blocks, sentences, doc.tokens.len(), entities)
        };
        let want = texts_of(&lf);
        prop_assert_eq!(&texts_of(&crlf), &want, "\\r\\n line ends");
        prop_assert_eq!(&texts_of(&cr), &want, "\\r line ends");
    }

    #[test]
    fn js_strings_with_lone_surrogates_keep_their_offsets(units in js_string()) {
        // wasm-bindgen hands Rust the string with each lone surrogate
        // replaced by U+FFFD (one UTF-16 unit, like the surrogate): the
        // offsets must still index the caller's original string.
        let text = String::from_utf16_lossy(&units);
        let doc = annotate_checked(&text);
        if let Err(why) = check_utf16_against(&text, &units, &doc) {
            panic!("{why}\nin the annotation of {units:?}");
        }
    }
}

/// `count` repetitions of `unit`.
fn repeated(unit: &str, count: usize) -> String {
    unit.repeat(count)
}

/// Annotates a large `text` once (determinism is covered by the generated
/// cases) and checks every invariant; prints how long it took.
fn annotate_large_checked(text: &str) -> Document {
    let a = annotator();
    let started = std::time::Instant::now();
    let doc = a.annotate(text);
    let took = started.elapsed();
    if let Err(why) = check_document(text, &doc, a.labels()) {
        panic!("{why}\nin the annotation of {}", preview(text));
    }
    check_clusters(text, &doc);
    eprintln!(
        "{:>9} bytes, {:>7} tokens, {:>6} entities: {:>6.2} s for {}",
        text.len(),
        doc.tokens.len(),
        doc.entities.len(),
        took.as_secs_f64(),
        preview(&text[..floor_boundary(text, 12)])
    );
    doc
}

/// Most of these make one long token or none; `\0`, U+FFFD and the emoji
/// make 100,000 one-character tokens for the model.
#[test]
fn a_hundred_thousand_repetitions_of_one_character() {
    for unit in [
        "a",
        "A",
        ".",
        " ",
        "\n",
        "\r",
        "\r\n",
        "-",
        "\u{0}",
        "\u{200d}",
        "\u{fffd}",
        "\u{1f600}",
        "e\u{301}",
        "\u{5d0}",
    ] {
        let text = repeated(unit, 100_000);
        annotate_large_checked(&text);
    }
}

#[test]
fn ten_thousand_repetitions_of_a_short_word() {
    for unit in [
        "Paris ",
        "U.S. ",
        "Dr. ",
        "$1 ",
        "I. ",
        "a.b",
        "\u{201c}A\u{201d} ",
    ] {
        let text = repeated(unit, 10_000);
        annotate_large_checked(&text);
    }
}

#[test]
fn one_line_of_a_megabyte_of_prose() {
    let line = SAMPLE.replace(['\n', '\r'], " ");
    let text = repeated(&line, 1_000_000 / line.len() + 1);
    assert!(!text.contains('\n') && text.len() >= 1_000_000);
    let doc = annotate_large_checked(&text);
    assert_eq!(doc.blocks.len(), 1, "one line is one block");
    assert!(!doc.entities.is_empty(), "the sample has entities");
}

#[test]
fn one_line_of_a_megabyte_without_a_space() {
    for unit in ["abcdefghij", "Ab", "x\u{200d}", "\u{6771}"] {
        let text = repeated(unit, 1_000_000 / unit.len() + 1);
        annotate_large_checked(&text);
    }
}

#[test]
fn empty_and_blank_texts_have_no_blocks() {
    for text in ["", " ", "\n", "\r\n\r\n", "\t \u{a0}\u{3000}\u{2028}"] {
        let doc = annotate_checked(text);
        assert_eq!(doc, Document::default(), "{text:?}");
    }
}

#[test]
fn try_annotate_refuses_texts_over_the_limit_at_once() {
    let text = "a".repeat(MAX_INPUT_BYTES + 1);
    let started = std::time::Instant::now();
    let err = annotator().try_annotate(&text).unwrap_err();
    assert_eq!(
        err,
        AnnotateError::InputTooLarge {
            bytes: MAX_INPUT_BYTES + 1,
            max: MAX_INPUT_BYTES
        }
    );
    assert!(
        started.elapsed().as_millis() < 1000,
        "refusing must not look at the text"
    );
}

#[test]
fn try_annotate_equals_annotate_within_the_limit() {
    let a = annotator();
    assert_eq!(a.try_annotate(SAMPLE), Ok(a.annotate(SAMPLE)));
}

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU time of the calling thread so far, in seconds (Linux: user + system
/// clock ticks of `/proc/thread-self/stat`, at the usual 100 per second).
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The time and memory of 1 MB, 10 MB and 30 MB of
/// news page text (seed article 003 repeated, or our sample), in ascending
/// order so each peak RSS is that of the largest text so far. For
/// docs/robustness.md; not run by default (about two minutes of CPU). Run it with
/// `cargo test --release --test api -- --ignored --nocapture time_and_memory`.
#[test]
#[ignore = "a measurement, about two minutes: run it with --ignored"]
fn time_and_memory_of_large_texts() {
    let base = base_texts().last().cloned().unwrap_or_default();
    let base = if base.len() > SAMPLE.len() {
        base
    } else {
        SAMPLE.to_string()
    };
    let a = annotator();
    for size in [1_000_000, 10_000_000, 30_000_000] {
        let mut text = String::with_capacity(size + base.len());
        while text.len() < size {
            text.push_str(&base);
            text.push_str("\n\n");
        }
        text.truncate(floor_boundary(&text, size));
        let before = peak_rss_mib().unwrap_or(f64::NAN);
        let cpu_before = thread_cpu_seconds().unwrap_or(f64::NAN);
        let started = std::time::Instant::now();
        let doc = a.annotate(&text);
        let took = started.elapsed().as_secs_f64();
        let cpu = thread_cpu_seconds().unwrap_or(f64::NAN) - cpu_before;
        let after = peak_rss_mib().unwrap_or(f64::NAN);
        eprintln!(
            "{} bytes: {} blocks, {} sentences, {} tokens, {} entities in {took:.1} s \
             wall, {cpu:.1} s CPU ({:.2} MB per CPU second); peak RSS {after:.0} MiB \
             (before: {before:.0} MiB)",
            text.len(),
            doc.blocks.len(),
            doc.sentences.len(),
            doc.tokens.len(),
            doc.entities.len(),
            text.len() as f64 / 1e6 / cpu,
        );
        if let Err(why) = check_document(&text, &doc, a.labels()) {
            panic!("{why}");
        }
    }
}

/// Two companies written with a slash between them, and apart: they stay
/// two clusters, and the slashed pair joins neither.
#[test]
fn names_joined_by_a_slash_are_two_clusters() {
    let text = "Shares of Korvex and Danlo fell on Monday after the Baltic Trade Office \
                fined both phone makers. Korvex/Danlo handsets have been banned since May. \
                Korvex said it would appeal, and a Danlo spokeswoman declined to comment. \
                Analysts said Korvex would recover faster than Danlo.";
    let doc = annotate_checked(text);
    let clusters = check_clusters(text, &doc);
    let cluster_of = |name: &str| -> Vec<usize> {
        let mut found: Vec<usize> = clusters
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.mentions
                    .iter()
                    .any(|&m| doc.entities[m].span.slice(text) == name)
            })
            .map(|(i, _)| i)
            .collect();
        found.dedup();
        found
    };
    let shown: Vec<(&str, &str)> = doc
        .entities
        .iter()
        .map(|e| (e.span.slice(text), e.label))
        .collect();
    let (korvex, danlo) = (cluster_of("Korvex"), cluster_of("Danlo"));
    assert_eq!(korvex.len(), 1, "{shown:?} {clusters:?}");
    assert_eq!(danlo.len(), 1, "{shown:?} {clusters:?}");
    assert_ne!(korvex, danlo, "{shown:?} {clusters:?}");
    for c in [korvex[0], danlo[0]] {
        for &m in &clusters[c].mentions {
            let mention = doc.entities[m].span.slice(text);
            assert!(
                mention == "Korvex" || mention == "Danlo",
                "{mention:?} in {clusters:?}"
            );
        }
    }
}
