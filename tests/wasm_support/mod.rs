//! Checks shared by the wasm test suites in `tests/node.rs` (Node) and
//! `tests/browser.rs` (headless Chromium). They call the exported binding
//! (`newsmark::wasm`) with JS strings and read the plain JS objects it
//! returns, so the UTF-16 offsets are checked the way JavaScript uses them:
//! `text.slice(start, end)`.

use js_sys::{Array, JsString, Reflect};
use newsmark::wasm::{self, AnnotateOptions, WasmAnnotator};
use wasm_bindgen::{JsCast, JsValue};

/// Emoji (two UTF-16 units, four bytes) and curly quotes (one unit, three
/// bytes) before the names, so byte offsets would point past them.
pub const TEXT: &str = "😀 “Quoted” — Angela Merkel met Emmanuel Macron in Paris on Monday.";

/// More kinds of characters whose UTF-8, UTF-16 and code-point lengths
/// differ: CJK, combining marks, a flag (two astral code points), a ZWJ
/// sequence and a non-breaking space.
pub const MIXED: &str = "华为 said Renée Lefe\u{301}vre 🇫🇷 and 👩\u{200d}💻 Zoë met\u{a0}Dr. Chen in 東京 on Friday.\n\nSecond paragraph “here”.";

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key))
        .unwrap_or_else(|_| panic!("no property `{key}` on {obj:?}"))
}

fn array(obj: &JsValue, key: &str) -> Array {
    get(obj, key)
        .dyn_into::<Array>()
        .unwrap_or_else(|v| panic!("`{key}` is not an array: {v:?}"))
}

fn offset(obj: &JsValue, key: &str) -> u32 {
    let n = get(obj, key)
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` is not a number in {obj:?}"));
    assert!(
        n >= 0.0 && n.fract() == 0.0,
        "`{key}` = {n} is not an offset"
    );
    n as u32
}

/// The message of a thrown JS `Error`.
fn message(err: JsValue) -> String {
    err.dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|v| panic!("not thrown as an Error: {v:?}"))
}

/// The value of a call that must succeed; a thrown error fails the test
/// with its message.
fn ok<T>(result: Result<T, wasm_bindgen::JsError>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what} threw: {}", message(e.into())))
}

/// The message of a call that must throw.
fn thrown<T>(result: Result<T, wasm_bindgen::JsError>, what: &str) -> String {
    match result {
        Ok(_) => panic!("{what} did not throw"),
        Err(e) => message(e.into()),
    }
}

fn options(json: &str) -> Option<AnnotateOptions> {
    Some(
        js_sys::JSON::parse(json)
            .expect("valid JSON")
            .unchecked_into(),
    )
}

/// The default annotator; fails the test with the loader's message if the
/// embedded model does not load.
fn annotator() -> WasmAnnotator {
    WasmAnnotator::new().unwrap_or_else(|e| panic!("new Annotator() threw: {}", message(e.into())))
}

/// Checks that every range in `result[key]` lies on the JS string and that
/// `text.slice(start, end)`, brought back into Rust, is the text of the same
/// range as the Rust core computed it (`expected`, byte spans into the text
/// as Rust received it). Returns the slices.
fn check_ranges(
    js_text: &JsString,
    result: &JsValue,
    key: &str,
    expected: &[newsmark::Span],
    rust_text: &str,
) -> Vec<String> {
    let items = array(result, key);
    assert_eq!(items.length() as usize, expected.len(), "number of {key}");
    let mut slices = Vec::new();
    let mut previous_end = 0;
    for (i, (item, want)) in items.iter().zip(expected).enumerate() {
        let (start, end) = (offset(&item, "start"), offset(&item, "end"));
        assert!(
            previous_end <= start && start <= end && end <= js_text.length(),
            "{key}[{i}] = {start}..{end} out of order or past the end"
        );
        previous_end = end;
        let slice = js_text.slice(start, end);
        let got = slice.as_string().expect("a string");
        assert_eq!(got, want.slice(rust_text), "{key}[{i}] = {start}..{end}");
        slices.push(got);
    }
    slices
}

/// `segment` gives blocks, sentences and tokens whose UTF-16 offsets index
/// the JS string, including one with a lone surrogate (which reaches Rust as
/// U+FFFD, also one unit long).
pub fn segment_offsets_index_the_js_string() {
    for text in [TEXT, MIXED] {
        let mut js_text = JsString::from(text);
        for with_lone_surrogate in [false, true] {
            if with_lone_surrogate {
                js_text = js_text
                    .concat(&JsString::from_char_code1(0xD800))
                    .concat(&JsString::from(" Ana Silva wrote."));
            }
            let rust_text = js_text.as_string().expect("a string");
            let seg = newsmark::segment(&rust_text);
            assert!(!seg.tokens.is_empty());
            let result = wasm::segment(js_text.clone().into())
                .unwrap_or_else(|e| panic!("segment threw: {}", message(e.into())));
            let result: JsValue = result.into();
            let spans: Vec<_> = seg.blocks.iter().map(|b| b.span).collect();
            check_ranges(&js_text, &result, "blocks", &spans, &rust_text);
            check_ranges(&js_text, &result, "sentences", &seg.sentences, &rust_text);
            let tokens = check_ranges(&js_text, &result, "tokens", &seg.tokens, &rust_text);
            for name in ["Merkel", "Macron", "Paris", "Lefe\u{301}vre", "東京"] {
                if text.contains(name) {
                    assert!(
                        tokens.iter().any(|t| t.contains(name)),
                        "no token holds {name:?}: {tokens:?}"
                    );
                }
            }
            assert_eq!(
                array(&result, "entities").length(),
                0,
                "segment finds no entities"
            );
        }
    }
}

/// `annotate` gives entities and tokens whose UTF-16 offsets index the JS
/// string: `text.slice(e.start, e.end) === e.text`; at least one entity.
pub fn annotate_entities_index_the_js_string() {
    let annotator = annotator();
    let js_text = JsString::from(TEXT);
    let result: JsValue = annotator
        .annotate(js_text.clone().into(), options(r#"{"tokens": true}"#))
        .unwrap_or_else(|e| panic!("annotate threw: {}", message(e.into())))
        .into();
    let doc = annotator_core().annotate(TEXT);
    check_ranges(&js_text, &result, "tokens", &doc.tokens, TEXT);
    let entities = array(&result, "entities");
    for (i, e) in entities.iter().enumerate() {
        let (start, end) = (offset(&e, "start"), offset(&e, "end"));
        let slice: JsValue = js_text.slice(start, end).into();
        assert_eq!(
            slice,
            get(&e, "text"),
            "entities[{i}]: text.slice({start}, {end}) !== e.text"
        );
        let score = get(&e, "score").as_f64().expect("score is a number");
        assert!(
            (0.0..=1.0).contains(&score),
            "entities[{i}].score = {score}"
        );
        assert!(get(&e, "label").as_string().is_some_and(|l| !l.is_empty()));
    }
    assert!(entities.length() >= 1, "no entity found in {TEXT:?}");
}

fn annotator_core() -> newsmark::Annotator {
    newsmark::Annotator::new()
}

/// `options.labels` keeps only those labels; without `tokens: true` there
/// is no `tokens` key.
pub fn labels_option_filters_entities() {
    let annotator = annotator();
    let all: JsValue = ok(
        annotator.annotate(JsValue::from_str(TEXT), None),
        "annotate",
    )
    .into();
    assert!(
        get(&all, "tokens").is_undefined(),
        "tokens only when asked for"
    );
    let all_labels: Vec<String> = array(&all, "entities")
        .iter()
        .filter_map(|e| get(&e, "label").as_string())
        .collect();
    let Some(first) = all_labels.first() else {
        panic!("no entity found in {TEXT:?}");
    };
    let only = options(&format!(r#"{{"labels": ["{first}"]}}"#));
    let only: JsValue = ok(
        annotator.annotate(JsValue::from_str(TEXT), only),
        "annotate",
    )
    .into();
    let kept: Vec<String> = array(&only, "entities")
        .iter()
        .filter_map(|e| get(&e, "label").as_string())
        .collect();
    let expected: Vec<String> = all_labels.iter().filter(|l| *l == first).cloned().collect();
    assert_eq!(kept, expected);
    let listed: JsValue = ok(annotator.labels(), "labels()").into();
    let listed = listed.dyn_into::<Array>().expect("labels() is an array");
    assert!(listed
        .iter()
        .any(|l| get(&l, "name").as_string().as_deref() == Some(first.as_str())));
    assert!(listed.iter().all(|l| get(&l, "description")
        .as_string()
        .is_some_and(|d| !d.is_empty())));
}

/// Bad input is thrown as a JS `Error` with a message that says what was
/// wrong, never a trap.
pub fn errors_are_thrown_as_js_errors() {
    let bytes = b"definitely not a model";
    let msg = thrown(WasmAnnotator::from_bytes(bytes), "fromBytes(garbage)");
    let Err(core) = newsmark::Annotator::from_bytes(bytes) else {
        panic!("the core accepts garbage as a model");
    };
    assert_eq!(msg, format!("Annotator.fromBytes: {core}"));

    let msg = thrown(wasm::segment(JsValue::from_f64(42.0)), "segment(42)");
    assert_eq!(msg, "segment: text must be a string, got number");
    assert_eq!(wasm::version(), env!("CARGO_PKG_VERSION"));
}

/// Bad options are thrown as JS `Error`s naming the problem.
pub fn bad_options_are_thrown_as_js_errors() {
    let annotator = annotator();
    let text = || JsValue::from_str(TEXT);
    let cases = [
        (r#"{"tokenz": true}"#, "tokenz"),
        (r#"{"labels": "PERSON"}"#, "bad options"),
        (r#"{"labels": ["NOT_A_LABEL"]}"#, "NOT_A_LABEL"),
        (r#"{"tokens": "yes"}"#, "bad options"),
        ("17", "bad options"),
    ];
    for (json, needle) in cases {
        let msg = thrown(annotator.annotate(text(), options(json)), json);
        assert!(
            msg.starts_with("annotate: ") && msg.contains(needle),
            "{json}: {msg}"
        );
    }
    let msg = thrown(annotator.annotate(JsValue::NULL, None), "annotate(null)");
    assert_eq!(msg, "annotate: text must be a string, got object");
    ok(
        annotator.annotate(text(), options("null")),
        "annotate(text, null)",
    );
    ok(
        annotator.annotate(text(), options("{}")),
        "annotate(text, {})",
    );
}

/// The `#[wasm_bindgen_test]` wrappers of the checks above, one per check:
/// each suite (Node, Chromium) invokes `wasm_tests!()` once, after
/// `#[macro_use] mod wasm_support;`.
macro_rules! wasm_tests {
    () => {
        wasm_tests!(
            segment_offsets_index_the_js_string,
            annotate_entities_index_the_js_string,
            labels_option_filters_entities,
            errors_are_thrown_as_js_errors,
            bad_options_are_thrown_as_js_errors,
        );
    };
    ($($check:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test::wasm_bindgen_test]
            fn $check() {
                wasm_support::$check();
            }
        )*
    };
}
