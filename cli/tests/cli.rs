//! The `newsmark` binary, run as a user runs it. Every text here is invented
//! for these tests.

use newsmark::Annotator;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const TEXTS: &[&str] = &[
    "Marta Oyelaran opened a bakery in Tallinn on 3 March 2021.",
    "😀 “Quoted” — Tomasz Wieczorek of Brightwater Logistics flew to Nairobi. Café Zoë paid €4 million.",
    "Storm closes coastal road\n\nThe Harbour Authority of Port Elsby said on Friday that 40 ferries were cancelled. 日本 visitors 🎉 were stranded.",
    "Ms. Ahmadi spoke to the Riverside Council for 20 minutes.",
];

/// Runs the binary with `args`, feeding it `stdin`.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsmark"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the newsmark binary runs");
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        // The binary may stop reading early (a usage error): ignore the pipe's end.
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

/// A fresh directory for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn records(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .expect("the output is UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn jsonl(docs: &[(Value, &str)]) -> String {
    docs.iter()
        .map(|(id, text)| format!("{}\n", serde_json::json!({"id": id, "text": text})))
        .collect()
}

/// `text[start..end]` with offsets in `unit`.
fn slice(text: &str, unit: &str, start: usize, end: usize) -> String {
    match unit {
        "bytes" => text[start..end].to_string(),
        "chars" => text.chars().skip(start).take(end - start).collect(),
        "utf16" => {
            let units: Vec<u16> = text.encode_utf16().collect();
            String::from_utf16(&units[start..end]).expect("on a character boundary")
        }
        _ => unreachable!(),
    }
}

/// A record's entities as (start, end, label).
fn entities(record: &Value) -> Vec<(usize, usize, String)> {
    record["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[0].as_u64().unwrap() as usize,
                e[1].as_u64().unwrap() as usize,
                e[2].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The library's entities for `text`, in code points.
fn library_entities(annotator: &Annotator, text: &str) -> Vec<(usize, usize, String)> {
    let map = newsmark::OffsetMap::new(text, newsmark::Unit::CodePoint);
    annotator
        .annotate(text)
        .entities
        .iter()
        .map(|e| {
            let (s, t) = map.convert_span(e.span);
            (s, t, e.label.to_string())
        })
        .collect()
}

#[test]
fn a_plain_text_file_is_one_document_named_by_its_path() {
    let dir = temp_dir("plain");
    let path = dir.join("article.txt");
    std::fs::write(&path, TEXTS[2]).unwrap();
    let path = path.to_str().unwrap();
    let out = run(&["annotate", "--quiet", path], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], path);
    let blocks = recs[0]["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0][2], "title");
    assert_eq!(blocks[0][3], Value::Null);
    assert_eq!(blocks[1][2], "paragraph");
    // The title is a sentence of its own.
    assert_eq!(recs[0]["sentences"].as_array().unwrap().len(), 3);
    assert_eq!(
        entities(&recs[0]),
        library_entities(&Annotator::new(), TEXTS[2])
    );
    assert!(out.stderr.is_empty(), "--quiet: {}", stderr(&out));
}

#[test]
fn jsonl_files_are_read_line_by_line_with_their_ids() {
    let dir = temp_dir("jsonl");
    let path = dir.join("docs.jsonl");
    let mut input = jsonl(&[
        (Value::from("first"), TEXTS[0]),
        (Value::from(17), TEXTS[1]),
    ]);
    // A blank line is skipped; a line without an id is named by file and line.
    input.push_str("\n{\"text\": \"Ines Varga lives in Graz.\", \"extra\": [1, 2]}\n");
    std::fs::write(&path, input).unwrap();
    let path = path.to_str().unwrap();
    let out = run(&["annotate", path], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let ids: Vec<Value> = records(&out).iter().map(|r| r["id"].clone()).collect();
    assert_eq!(
        ids,
        [
            Value::from("first"),
            Value::from(17),
            Value::from(format!("{path}:4"))
        ]
    );
    // The summary line.
    let err = stderr(&out);
    assert!(
        err.contains("3 documents, 0 failed,") && err.contains("documents/s"),
        "{err}"
    );
}

#[test]
fn standard_input_is_plain_text_or_jsonl() {
    let out = run(&["annotate"], TEXTS[0].as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], "-");
    assert_eq!(
        entities(&recs[0]),
        library_entities(&Annotator::new(), TEXTS[0])
    );

    let input = jsonl(&[(Value::from("a"), TEXTS[0]), (Value::from("b"), TEXTS[3])]);
    let out = run(&["annotate", "--jsonl", "-"], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let recs = records(&out);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1]["id"], "b");
}

#[test]
fn offsets_slice_the_text_in_each_unit() {
    let annotator = Annotator::new();
    let input = jsonl(
        &TEXTS
            .iter()
            .enumerate()
            .map(|(i, t)| (Value::from(i), *t))
            .collect::<Vec<_>>(),
    );
    for unit in ["chars", "utf16", "bytes"] {
        let out = run(
            &["annotate", "--jsonl", "--tokens", "--offsets", unit],
            input.as_bytes(),
        );
        assert!(out.status.success(), "{unit}: {}", stderr(&out));
        let recs = records(&out);
        assert_eq!(recs.len(), TEXTS.len());
        for (text, rec) in TEXTS.iter().zip(&recs) {
            let doc = annotator.annotate(text);
            let want: Vec<(&str, &str)> = doc
                .entities
                .iter()
                .map(|e| (e.span.slice(text), e.label))
                .collect();
            let got: Vec<(String, String)> = entities(rec)
                .into_iter()
                .map(|(s, e, label)| (slice(text, unit, s, e), label))
                .collect();
            let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (&**a, &**b)).collect();
            assert_eq!(got, want, "{unit}: {text}");
            assert!(!want.is_empty(), "{text}: the test needs entities");
            for (field, spans) in [("sentences", &doc.sentences), ("tokens", &doc.tokens)] {
                let got: Vec<String> = rec[field]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        let (s, e) = (p[0].as_u64().unwrap(), p[1].as_u64().unwrap());
                        slice(text, unit, s as usize, e as usize)
                    })
                    .collect();
                let want: Vec<&str> = spans.iter().map(|s| s.slice(text)).collect();
                assert_eq!(got, want, "{unit} {field}: {text}");
            }
            for block in rec["blocks"].as_array().unwrap() {
                let (s, e) = (block[0].as_u64().unwrap(), block[1].as_u64().unwrap());
                assert!(!slice(text, unit, s as usize, e as usize).trim().is_empty());
            }
        }
    }
    // The emoji at the start: 1 code point, 2 UTF-16 units, 4 bytes.
    let first_entity_start = |unit: &str| {
        let out = run(&["annotate", "--offsets", unit], "😀 Lisbon".as_bytes());
        let recs = records(&out);
        recs[0]["entities"][0][0].as_u64()
    };
    assert_eq!(first_entity_start("chars"), Some(2));
    assert_eq!(first_entity_start("utf16"), Some(3));
    assert_eq!(first_entity_start("bytes"), Some(5));
}

#[test]
fn entities_and_scores_are_the_librarys() {
    let annotator = Annotator::new();
    let input = jsonl(
        &TEXTS
            .iter()
            .map(|t| (Value::from("t"), *t))
            .collect::<Vec<_>>(),
    );
    let out = run(&["annotate", "--jsonl"], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    for (text, rec) in TEXTS.iter().zip(records(&out)) {
        assert_eq!(entities(&rec), library_entities(&annotator, text));
        let doc = annotator.annotate(text);
        for (e, got) in doc.entities.iter().zip(rec["entities"].as_array().unwrap()) {
            let score = got[3].as_f64().unwrap();
            assert!((score - f64::from(e.score)).abs() <= 0.0005, "{text}");
        }
    }
}

#[test]
fn a_bad_model_file_is_named() {
    let dir = temp_dir("model");
    let missing = dir.join("missing.nmm");
    let out = run(
        &["annotate", "--model", missing.to_str().unwrap()],
        TEXTS[0].as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.nmm"), "{}", stderr(&out));

    let garbage = dir.join("garbage.nmm");
    std::fs::write(&garbage, b"this is not a model at all").unwrap();
    let out = run(
        &["annotate", "--model", garbage.to_str().unwrap()],
        TEXTS[0].as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("garbage.nmm") && err.contains("not a usable model"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    // The model the binary embeds, loaded from a file, gives the same output.
    let file = dir.join("default.nmm");
    std::fs::write(&file, newsmark::internals::DEFAULT_MODEL).unwrap();
    let with_file = run(
        &["annotate", "--model", file.to_str().unwrap()],
        TEXTS[1].as_bytes(),
    );
    let embedded = run(&["annotate"], TEXTS[1].as_bytes());
    assert!(with_file.status.success(), "{}", stderr(&with_file));
    assert_eq!(with_file.stdout, embedded.stdout);
}

/// The gazetteer in the source tree.
const GAZETTEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/places.nmg");

#[test]
fn places_are_the_librarys_one_per_entity() {
    let text = "LYON (AFP) \u{2014} Flooding closed roads in Lyon and Marseille on Monday, \
                officials in France said. Ms. Okafor flew in from Paris, Texas.";
    let doc = Annotator::new().annotate(text);
    let gazetteer = newsmark::Gazetteer::from_bytes(&std::fs::read(GAZETTEER).unwrap()).unwrap();
    let want = gazetteer.resolve(text, &doc.entities);
    assert!(want.iter().flatten().count() >= 3, "{want:?}");

    let out = run(&["annotate", "--quiet", "--places"], text.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let rec = &records(&out)[0];
    let places = rec["places"].as_array().unwrap();
    assert_eq!(places.len(), rec["entities"].as_array().unwrap().len());
    assert_eq!(places.len(), want.len());
    for (got, want) in places.iter().zip(&want) {
        match want {
            None => assert!(got.is_null(), "{got}"),
            Some(p) => {
                assert_eq!(got["name"], p.name.as_str());
                assert_eq!(got["country"].as_str(), p.country.as_deref());
                assert_eq!(got["id"].as_u64(), p.geonames_id.map(u64::from));
                assert!((got["lat"].as_f64().unwrap() - p.latitude).abs() < 1e-9);
                assert!((got["lon"].as_f64().unwrap() - p.longitude).abs() < 1e-9);
            }
        }
    }
    // --gazetteer FILE implies --places.
    let with_file = run(
        &["annotate", "--quiet", "--gazetteer", GAZETTEER],
        text.as_bytes(),
    );
    assert_eq!(with_file.stdout, out.stdout);
    // Without either, no "places".
    let plain = run(&["annotate", "--quiet"], text.as_bytes());
    assert!(records(&plain)[0].get("places").is_none());
}

#[test]
fn a_bad_gazetteer_is_named() {
    let dir = temp_dir("gazetteer");
    let missing = dir.join("missing.nmg");
    let out = run(
        &["annotate", "--gazetteer", missing.to_str().unwrap()],
        TEXTS[0].as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("missing.nmg") && err.contains("--gazetteer"),
        "{err}"
    );

    let truncated = dir.join("truncated.nmg");
    let bytes = std::fs::read(GAZETTEER).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let out = run(
        &[
            "annotate",
            "--places",
            "--gazetteer",
            truncated.to_str().unwrap(),
        ],
        TEXTS[0].as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("truncated.nmg")
            && err.contains("not a usable gazetteer")
            && err.contains("truncated"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_lines_are_reported_with_their_line_and_the_rest_is_annotated() {
    let dir = temp_dir("bad");
    let path = dir.join("mixed.jsonl");
    let mut input = Vec::new();
    input.extend_from_slice(jsonl(&[(Value::from("ok1"), TEXTS[0])]).as_bytes()); // 1
    input.extend_from_slice(b"{\"id\": \"broken\", \"text\": \n"); // 2: invalid JSON
    input.extend_from_slice(b"{\"id\": \"no-text\"}\n"); // 3: no text
    input.extend_from_slice(b"{\"id\": \"number\", \"text\": 12}\n"); // 4: not a string
    input.extend_from_slice(b"{\"id\": \"latin1\", \"text\": \"Jos\xe9\"}\n"); // 5: not UTF-8
    let long = "Long line. ".repeat(40);
    input.extend_from_slice(jsonl(&[(Value::from("long"), &long)]).as_bytes()); // 6: too long
    input.extend_from_slice(b"\"just a string\"\n"); // 7: not an object
    input.extend_from_slice(jsonl(&[(Value::from("ok2"), TEXTS[3])]).as_bytes()); // 8
    std::fs::write(&path, &input).unwrap();
    let name = path.to_str().unwrap();
    let out = run(
        &[
            "annotate",
            "--max-line-bytes",
            "300",
            "--threads",
            "2",
            name,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let ids: Vec<Value> = records(&out).iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, [Value::from("ok1"), Value::from("ok2")]);
    let err = stderr(&out);
    let faults: Vec<&str> = err.lines().filter(|l| !l.contains("documents/s")).collect();
    let expect = [
        (2, "invalid JSON"),
        (3, "no \"text\" field"),
        (4, "\"text\" must be a string, found a number"),
        (5, "invalid UTF-8"),
        (6, "over the limit of 300 bytes"),
        (7, "expected a JSON object"),
    ];
    assert_eq!(faults.len(), expect.len(), "{err}");
    for (fault, (line, what)) in faults.iter().zip(expect) {
        assert!(
            fault.contains(&format!("{name}:{line}: ")) && fault.contains(what),
            "line {line} ({what}): {fault}"
        );
    }
    assert!(err.contains("2 documents, 6 failed"), "{err}");

    // A plain-text file that is not UTF-8: its line; a missing file: its name.
    let latin1 = dir.join("latin1.txt");
    std::fs::write(&latin1, b"First line.\nSecond line by Jos\xe9.\n").unwrap();
    let missing = dir.join("missing.txt");
    let good = dir.join("good.txt");
    std::fs::write(&good, TEXTS[0]).unwrap();
    let out = run(
        &[
            "annotate",
            latin1.to_str().unwrap(),
            missing.to_str().unwrap(),
            good.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}:2: invalid UTF-8", latin1.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}: cannot open", missing.display())),
        "{err}"
    );
    assert_eq!(records(&out).len(), 1);
}

#[test]
fn unknown_flags_are_usage_errors_that_list_the_valid_ones() {
    let out = run(&["annotate", "--offset", "chars"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--offset") && err.contains("--offsets") && err.contains("--max-line-bytes"),
        "{err}"
    );
    let out = run(&["annotate", "--offsets", "words"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["annotate", "--threads", "0"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(run(&["annotate", "--help"], b"").status.code(), Some(0));
}

#[test]
fn output_keeps_the_input_order_across_threads_and_batches() {
    let texts = [
        "Rain is expected in Bergen.",
        "Lena Okafor won the race in Accra on Sunday.",
        "The Ministry of Roads met for an hour.",
    ];
    let mut input = String::new();
    for i in 0..300 {
        let text = format!("{} Item {i}.", texts[i % texts.len()]);
        input.push_str(&format!("{}\n", serde_json::json!({"id": i, "text": text})));
    }
    let out = run(
        &["annotate", "--jsonl", "--threads", "2", "--batch", "7"],
        input.as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let ids: Vec<u64> = records(&out)
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (0..300).collect::<Vec<u64>>());
}

/// The check: on OntoNotes dev, the CLI's entities are those of
/// `cargo xtask predict ner` (which annotates the raw text with
/// `Annotator::annotate` and writes code points: `newsmark_train::corpus::to_eval`).
#[test]
fn ontonotes_dev_entities_match_predict_ner() {
    use newsmark_train::corpus;
    let Some(shared) = corpus::shared_for_test("ontonotes_dev_entities_match_predict_ner") else {
        return;
    };
    const DOCS: usize = 40;
    let dev = shared.join("data/ontonotes/dev.jsonl");
    let raw = std::fs::read_to_string(&dev).unwrap();
    let first: String = raw.lines().take(DOCS).map(|l| format!("{l}\n")).collect();
    let dir = temp_dir("ontonotes");
    let path = dir.join("dev-head.jsonl");
    std::fs::write(&path, first).unwrap();
    let docs = corpus::read_corpus(&dev, Some(DOCS)).unwrap();

    let out = run(
        &[
            "annotate",
            "--quiet",
            "--threads",
            "2",
            path.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let recs = records(&out);
    assert_eq!(recs.len(), docs.len());
    let annotator = Annotator::new();
    let mut total = 0;
    for (doc, rec) in docs.iter().zip(&recs) {
        assert_eq!(rec["id"], doc.id.as_str());
        let want = corpus::to_eval(&doc.text, &annotator.annotate(&doc.text).entities);
        total += want.len();
        assert_eq!(entities(rec), want, "{}", doc.id);
    }
    assert!(total > 0);
}

#[test]
fn clusters_are_the_librarys_in_code_points() {
    // An emoji first, so that code points, UTF-16 units and bytes differ.
    let text = "😀 Marta Oyelaran opened a bakery in Tallinn. Oyelaran said the \
                bakery would hire ten people, and Ms. Oyelaran thanked Tallinn.";
    let annotator = Annotator::new();
    let doc = annotator.annotate(text);
    let want = doc.clusters(text);
    assert!(
        want.iter().any(|c| c.mentions.len() >= 2),
        "the test needs a cluster of two mentions: {want:?}"
    );
    let out = run(&["annotate", "--quiet"], text.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let rec = &records(&out)[0];
    let clusters = rec["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), want.len());
    let chars: Vec<char> = text.chars().collect();
    for (c, (got, want)) in clusters.iter().zip(&want).enumerate() {
        let (s, e) = (
            got[0].as_u64().unwrap() as usize,
            got[1].as_u64().unwrap() as usize,
        );
        let name: String = chars[s..e].iter().collect();
        assert_eq!(name, want.name.slice(text));
        assert_eq!(got[2], want.label);
        let mentions: Vec<usize> = got[3]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(mentions, want.mentions);
        // Each entity names its cluster.
        for m in mentions {
            assert_eq!(rec["entities"][m][4].as_u64(), Some(c as u64), "{rec}");
        }
    }
    assert_eq!(entities(rec), library_entities(&annotator, text));
}
