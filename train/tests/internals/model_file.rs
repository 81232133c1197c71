//! The model file: a small model built here loads, with int8 or 4-bit
//! embedding tables; every truncation and every single-byte corruption is
//! an error, never a panic; inconsistent contents are rejected; tagging any
//! text gives valid entities.

use newsmark::internals::{FeatureSpec, ModelFile, ModelWriter, Section, Tagger, TABLE_NAMES};
use newsmark::segment;
use newsmark::ModelError;
use proptest::prelude::*;

const LABELS: [&str; 2] = ["PER", "ORG"];

fn spec() -> FeatureSpec {
    FeatureSpec {
        norm_rows: 13,
        prefix_rows: 5,
        suffix_rows: 7,
        shape_rows: 3,
        cased_rows: 11,
        wordpiece_slots: 2,
        vector_words: 3,
        line_case: false,
    }
}

/// A deterministic pseudo-random weight.
fn w(i: usize) -> f32 {
    let x = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
    (x as f32 / (1u64 << 24) as f32) - 0.5
}

fn tiny_model(labels: &[&str], width: usize, spec: &FeatureSpec) -> ModelWriter {
    tiny_model_with(labels, width, spec, Tables::Int8)
}

/// How the tiny model stores its embedding tables.
#[derive(Clone, Copy, PartialEq)]
enum Tables {
    Int8,
    /// In 4 bits, but for `emb.prefix`, kept in int8: a model may mix both.
    FourBit,
}

fn tiny_model_with(
    labels: &[&str],
    width: usize,
    spec: &FeatureSpec,
    tables: Tables,
) -> ModelWriter {
    let pieces: Vec<String> = ["[PAD]", "[UNK]", "the", "a", "##s", "new", "york"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows = [
        spec.norm_rows as usize,
        spec.prefix_rows as usize,
        spec.suffix_rows as usize,
        spec.shape_rows as usize,
        spec.cased_rows as usize,
        pieces.len() + 1,
        spec.vector_words as usize + 1,
    ];
    let dim = 3;
    let n_tags = 1 + 4 * labels.len();
    let mut m = ModelWriter::new();
    m.add(
        "labels",
        Section::Strings(labels.iter().map(|s| s.to_string()).collect()),
    );
    m.add("features", Section::U32s(spec.to_u32s()));
    m.add("wordpieces", Section::Strings(pieces.iter().collect()));
    m.add(
        "vocabulary",
        Section::Strings(
            ["the", "new", "york"][..spec.vector_words as usize]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
    );
    // One layer, dilation 2.
    m.add("net", Section::U32s(vec![width as u32, 1, 2]));
    for (t, &r) in TABLE_NAMES.iter().zip(&rows) {
        let section = if tables == Tables::FourBit && *t != "prefix" {
            // Three values per row: each row's last byte holds one value.
            let values: Vec<i8> = (0..r * dim).map(|i| (i * 37 % 15) as i8 - 7).collect();
            let scales = (0..r).map(|i| 0.25 + 0.125 * i as f32).collect();
            Section::i4_rows(r, dim, &values, scales).unwrap()
        } else {
            Section::I8Rows {
                rows: r,
                cols: dim,
                data: (0..r * dim).map(|i| (i * 37 % 255) as i8).collect(),
                scales: vec![0.01; r],
            }
        };
        m.add(&format!("emb.{t}"), section);
    }
    dense(&mut m, "in", dim * 7, width);
    // The convolution's weights int8, one scale per input row.
    m.add(
        "conv0.w",
        Section::I8Rows {
            rows: 3 * width,
            cols: width,
            data: (0..3 * width * width)
                .map(|i| (i * 53 % 251) as i8)
                .collect(),
            scales: vec![0.004; 3 * width],
        },
    );
    m.add(
        "conv0.b",
        Section::F32 {
            shape: vec![width],
            data: vec![0.01; width],
        },
    );
    // Learned CRF transition scores.
    m.add(
        "crf.trans",
        Section::F32 {
            shape: vec![n_tags, n_tags],
            data: (0..n_tags * n_tags).map(|i| w(i + 77)).collect(),
        },
    );
    layer_norm(&mut m, "ln0", width);
    dense(&mut m, "out", width, n_tags);
    m
}

/// A dense layer `name` with pseudo-random f32 weights.
fn dense(m: &mut ModelWriter, name: &str, i: usize, o: usize) {
    m.add(
        &format!("{name}.w"),
        Section::F32 {
            shape: vec![i, o],
            data: (0..i * o).map(w).collect(),
        },
    );
    m.add(
        &format!("{name}.b"),
        Section::F32 {
            shape: vec![o],
            data: (0..o).map(|j| w(j + 999)).collect(),
        },
    );
}

/// A layer norm `name` that leaves normalised values as they are (gain 1, bias 0).
fn layer_norm(m: &mut ModelWriter, name: &str, width: usize) {
    for (part, value) in [("g", 1.0), ("b", 0.0)] {
        m.add(
            &format!("{name}.{part}"),
            Section::F32 {
                shape: vec![width],
                data: vec![value; width],
            },
        );
    }
}

/// Adds the document layer (`pool.*`, `lnp.*`) to a tiny model of `width`.
fn with_document_layer(mut m: ModelWriter, width: usize) -> ModelWriter {
    dense(&mut m, "pool", 2 * width, width);
    layer_norm(&mut m, "lnp", width);
    m
}

fn tiny_bytes() -> Vec<u8> {
    tiny_model(&LABELS, 4, &spec()).to_bytes()
}

/// The tiny model with 4-bit tables (all but `emb.prefix`).
fn tiny_bytes_4bit() -> Vec<u8> {
    tiny_model_with(&LABELS, 4, &spec(), Tables::FourBit).to_bytes()
}

/// A tiny accurate model (a transformer: `src/ner/transformer.rs`): two
/// layers 8 wide, two heads, windows of 6 pieces and 4 words sharing 1.
fn tiny_transformer() -> ModelWriter {
    let (h, f, p) = (8, 12, 6);
    let n_tags = 1 + 4 * LABELS.len();
    let mut m = ModelWriter::new();
    m.add(
        "labels",
        Section::Strings(LABELS.iter().map(|s| s.to_string()).collect()),
    );
    m.add(
        "transformer",
        Section::U32s(vec![2, h as u32, 2, f as u32, p as u32, 4, 1]),
    );
    let vocab: Vec<String> = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "new", "york", "##s", ".",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let v = vocab.len();
    m.add("bert.vocab", Section::Strings(vocab.iter().collect()));
    m.add(
        "emb.word",
        Section::I8Rows {
            rows: v,
            cols: h,
            data: (0..v * h).map(|i| (i * 37 % 255) as i8).collect(),
            scales: vec![0.01; v],
        },
    );
    for (name, rows) in [("emb.position", p), ("emb.case", 7)] {
        m.add(
            name,
            Section::F32 {
                shape: vec![rows, h],
                data: (0..rows * h).map(|i| w(i + 5)).collect(),
            },
        );
    }
    layer_norm(&mut m, "emb.ln", h);
    for l in 0..2 {
        // One matrix in int8, the others f32: a model may mix both.
        m.add(
            &format!("layer{l}.qkv.w"),
            Section::I8Rows {
                rows: h,
                cols: 3 * h,
                data: (0..3 * h * h).map(|i| (i * 53 % 251) as i8).collect(),
                scales: vec![0.004; h],
            },
        );
        m.add(
            &format!("layer{l}.qkv.b"),
            Section::F32 {
                shape: vec![3 * h],
                data: vec![0.01; 3 * h],
            },
        );
        dense(&mut m, &format!("layer{l}.att_out"), h, h);
        layer_norm(&mut m, &format!("layer{l}.ln1"), h);
        dense(&mut m, &format!("layer{l}.ffn_in"), h, f);
        dense(&mut m, &format!("layer{l}.ffn_out"), f, h);
        layer_norm(&mut m, &format!("layer{l}.ln2"), h);
    }
    dense(&mut m, "out", h, n_tags);
    m.add(
        "crf.trans",
        Section::F32 {
            shape: vec![n_tags, n_tags],
            data: (0..n_tags * n_tags).map(|i| w(i + 77)).collect(),
        },
    );
    m
}

fn tiny_transformer_bytes() -> Vec<u8> {
    tiny_transformer().to_bytes()
}

#[test]
fn tiny_transformer_loads_and_windows_agree() {
    let t = Tagger::from_bytes(&tiny_transformer_bytes()).unwrap();
    assert!(t.is_transformer());
    assert_eq!(t.labels(), &["PER", "ORG"]);
    // A token's scores come from its window alone (here the first: 4
    // tokens of one piece each), not from how the text goes on after it.
    let text = "the new york the news . the new york new york the the news .";
    let seg = segment(text);
    let all = t.logits(text, &seg.tokens);
    let k = 1 + 4 * LABELS.len();
    assert_eq!(all.len(), seg.tokens.len() * k);
    let first = t.logits(text, &seg.tokens[..4]);
    assert_eq!(first[..2 * k], all[..2 * k]);
    assert!(all.iter().all(|x| x.is_finite()));
}

/// `bytes` with section `name` replaced by `section`.
fn replaced(bytes: &[u8], name: &str, section: Section) -> Vec<u8> {
    let file = ModelFile::parse(bytes).unwrap();
    let mut m = ModelWriter::new();
    for (n, s) in file.sections() {
        m.add(
            n,
            if n == name {
                section.clone()
            } else {
                s.clone()
            },
        );
    }
    m.to_bytes()
}

#[test]
fn inconsistent_transformers_are_rejected() {
    let good = tiny_transformer_bytes();
    let invalid = |bytes: Vec<u8>, says: &str| {
        let e = Tagger::from_bytes(&bytes).unwrap_err();
        assert!(
            matches!(e, ModelError::Invalid(ref m) if m.contains(says)),
            "{e} does not say {says:?}"
        );
    };
    // Three heads do not divide 8; an overlap as long as the window.
    invalid(
        replaced(
            &good,
            "transformer",
            Section::U32s(vec![2, 8, 3, 12, 6, 4, 1]),
        ),
        "heads dividing hidden",
    );
    invalid(
        replaced(
            &good,
            "transformer",
            Section::U32s(vec![2, 8, 2, 12, 6, 4, 4]),
        ),
        "overlap below words",
    );
    invalid(
        replaced(&good, "transformer", Section::U32s(vec![2, 8, 2])),
        "`transformer` must be",
    );
    // No [CLS] piece.
    let vocab = [
        "[PAD]", "[UNK]", "[SEP]", "the", "new", "york", "##s", ".", "x",
    ];
    invalid(
        replaced(
            &good,
            "bert.vocab",
            Section::Strings(vocab.iter().map(|s| s.to_string()).collect()),
        ),
        "[CLS]",
    );
    // The word table of the wrong width; a position table of the wrong shape.
    invalid(
        replaced(
            &good,
            "emb.word",
            Section::I8Rows {
                rows: 9,
                cols: 4,
                data: vec![1; 36],
                scales: vec![1.0; 9],
            },
        ),
        "emb.word",
    );
    invalid(
        replaced(
            &good,
            "emb.position",
            Section::F32 {
                shape: vec![5, 8],
                data: vec![0.0; 40],
            },
        ),
        "emb.position",
    );
    let mut nan = vec![0.0; 48];
    nan[3] = f32::NAN;
    invalid(
        replaced(
            &good,
            "emb.position",
            Section::F32 {
                shape: vec![6, 8],
                data: nan,
            },
        ),
        "non-finite",
    );
}

#[test]
fn tiny_model_loads() {
    let t = Tagger::from_bytes(&tiny_bytes()).unwrap();
    assert_eq!(t.labels(), &["PER", "ORG"]);
    let t = Tagger::from_bytes(&tiny_bytes_4bit()).unwrap();
    assert_eq!(t.labels(), &["PER", "ORG"]);
}

#[test]
fn four_bit_tables_give_the_logits_of_the_same_values_in_int8() {
    // The 4-bit model's tables written as int8 with the same values and
    // scales: the network must compute the same logits from either.
    let four = ModelFile::parse(&tiny_bytes_4bit()).unwrap();
    let mut as_int8 = ModelWriter::new();
    let mut n4 = 0;
    for (name, section) in four.sections() {
        match section {
            Section::I4Rows {
                rows, cols, scales, ..
            } => {
                n4 += 1;
                as_int8.add(
                    name,
                    Section::I8Rows {
                        rows: *rows,
                        cols: *cols,
                        data: section.i4_values().unwrap(),
                        scales: scales.clone(),
                    },
                );
            }
            other => {
                as_int8.add(name, other.clone());
            }
        }
    }
    assert_eq!(n4, TABLE_NAMES.len() - 1);
    let a = Tagger::from_bytes(&tiny_bytes_4bit()).unwrap();
    let b = Tagger::from_bytes(&as_int8.to_bytes()).unwrap();
    let ids = word_ids(&[0, 1, 2, 1, 0, 2, 2]);
    let logits = a.network().unwrap().forward(&ids);
    assert_eq!(logits, b.network().unwrap().forward(&ids));
    // And the 4-bit values matter (not all read as zeros).
    let plain = Tagger::from_bytes(&tiny_bytes()).unwrap();
    assert_ne!(logits, plain.network().unwrap().forward(&ids));
    // Smaller than int8: half a byte a value, two bytes a scale.
    assert!(tiny_bytes_4bit().len() < tiny_bytes().len());
}

#[test]
fn every_truncation_is_an_error() {
    for bytes in [tiny_bytes(), tiny_bytes_4bit(), tiny_transformer_bytes()] {
        every_truncation_of(&bytes);
    }
    assert_eq!(
        Tagger::from_bytes(&[]).unwrap_err(),
        ModelError::Truncated { what: "header" }
    );
}

fn every_truncation_of(bytes: &[u8]) {
    for len in 0..bytes.len() {
        let r = Tagger::from_bytes(&bytes[..len]);
        assert!(
            r.is_err(),
            "a file cut to {len} of {} bytes loaded",
            bytes.len()
        );
    }
}

#[test]
fn every_byte_flip_is_an_error() {
    for bytes in [tiny_bytes(), tiny_bytes_4bit(), tiny_transformer_bytes()] {
        every_byte_flip_of(&bytes);
    }
}

fn every_byte_flip_of(bytes: &[u8]) {
    for i in 0..bytes.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.to_vec();
            b[i] ^= mask;
            assert!(
                Tagger::from_bytes(&b).is_err(),
                "flipping byte {i} with {mask:#x} went unnoticed"
            );
        }
    }
}

#[test]
fn errors_say_what_is_wrong() {
    let mut b = tiny_bytes();
    b[0] = b'X';
    assert_eq!(Tagger::from_bytes(&b).unwrap_err(), ModelError::BadMagic);
    let mut b = tiny_bytes();
    b[8] = 99;
    assert!(matches!(
        Tagger::from_bytes(&b),
        Err(ModelError::UnsupportedVersion { found: 99, .. })
    ));
    let mut b = tiny_bytes();
    let last = b.len() - 1;
    b[last] ^= 1;
    assert_eq!(
        Tagger::from_bytes(&b).unwrap_err(),
        ModelError::ChecksumMismatch
    );
    let msg = ModelError::ChecksumMismatch.to_string();
    assert!(msg.contains("checksum"), "{msg}");
}

#[test]
fn inconsistent_contents_are_rejected() {
    // A label newsmark does not know.
    let e = Tagger::from_bytes(&tiny_model(&["PER", "WIDGET"], 4, &spec()).to_bytes()).unwrap_err();
    assert!(
        matches!(e, ModelError::Invalid(ref m) if m.contains("WIDGET")),
        "{e}"
    );
    // A table size that does not match the feature spec.
    let mut other = spec();
    other.norm_rows = 14;
    let mut m = tiny_model(&LABELS, 4, &spec());
    m.add("features", Section::U32s(other.to_u32s()));
    let bytes = {
        // Rebuild with the spec section replaced (the first one wins on reading).
        let mut m2 = ModelWriter::new();
        m2.add("features", Section::U32s(other.to_u32s()));
        for (name, s) in ModelFile::parse(&tiny_bytes()).unwrap().sections() {
            m2.add(name, s.clone());
        }
        m2.to_bytes()
    };
    assert!(matches!(
        Tagger::from_bytes(&bytes),
        Err(ModelError::Invalid(_))
    ));
    // A missing section.
    let mut m3 = ModelWriter::new();
    for (name, s) in ModelFile::parse(&tiny_bytes()).unwrap().sections() {
        if name != "out.w" {
            m3.add(name, s.clone());
        }
    }
    assert_eq!(
        Tagger::from_bytes(&m3.to_bytes()).unwrap_err(),
        ModelError::MissingSection("out.w".into())
    );
    // Sections replaced by inconsistent ones (the first of a name wins on reading).
    let replaced = |name: &str, section: Section| {
        let mut m = ModelWriter::new();
        m.add(name, section);
        for (n, s) in ModelFile::parse(&tiny_bytes()).unwrap().sections() {
            m.add(n, s.clone());
        }
        Tagger::from_bytes(&m.to_bytes())
    };
    for (name, section, why) in [
        (
            "vocabulary",
            Section::Strings(["the"].into_iter().collect()),
            "`vocabulary` has 1 words, `features` says 3",
        ),
        ("net", Section::U32s(vec![4, 1, 0]), "found [4, 1, 0]"),
        (
            "net",
            Section::U32s(vec![4, 1, 2, 2]),
            "`net` must be [width",
        ),
        (
            "crf.trans",
            Section::F32 {
                shape: vec![9, 9],
                data: vec![f32::NAN; 81],
            },
            "crf.trans",
        ),
        (
            "conv0.w",
            Section::I8Rows {
                rows: 12,
                cols: 3,
                data: vec![0; 36],
                scales: vec![1.0; 12],
            },
            "conv0.w",
        ),
        // 4-bit tables: a value of -8, a row's padding nibble not zero, an
        // infinite scale, rows the spec does not address.
        (
            "emb.norm",
            Section::I4Rows {
                rows: 13,
                cols: 3,
                packed: [vec![0x80], vec![0; 25]].concat(),
                scales: vec![1.0; 13],
            },
            "is -8",
        ),
        (
            "emb.norm",
            Section::I4Rows {
                rows: 13,
                cols: 3,
                packed: [vec![0, 0x10], vec![0; 24]].concat(),
                scales: vec![1.0; 13],
            },
            "zero nibble",
        ),
        (
            "emb.norm",
            Section::I4Rows {
                rows: 13,
                cols: 3,
                packed: vec![0; 26],
                scales: [vec![f32::INFINITY], vec![1.0; 12]].concat(),
            },
            "not a finite number",
        ),
        (
            "emb.norm",
            Section::i4_rows(14, 3, &[1; 42], vec![1.0; 14]).unwrap(),
            "`emb.norm` has 14 rows",
        ),
        (
            "conv0.w",
            Section::i4_rows(12, 4, &[1; 48], vec![1.0; 12]).unwrap(),
            "conv0.w",
        ),
    ] {
        let e = replaced(name, section).unwrap_err();
        assert!(
            matches!(e, ModelError::Invalid(ref m) if m.contains(why)),
            "{name}: {e}"
        );
    }
    drop(m);
}

fn check_entities(text: &str) {
    check_entities_with(&tiny_bytes(), text);
    check_entities_with(&tiny_bytes_4bit(), text);
    check_entities_with(
        &with_document_layer(tiny_model(&LABELS, 4, &spec()), 4).to_bytes(),
        text,
    );
    check_entities_with(&tiny_transformer_bytes(), text);
}

fn check_entities_with(model: &[u8], text: &str) {
    let t = Tagger::from_bytes(model).unwrap();
    let seg = segment(text);
    let ents = t.tag(text, &seg.tokens, &seg.sentences);
    let mut last_end = 0;
    for e in &ents {
        assert!(
            e.span.start < e.span.end && e.span.start >= last_end,
            "{ents:?}"
        );
        assert!(seg.tokens.iter().any(|tok| tok.start == e.span.start));
        assert!(seg.tokens.iter().any(|tok| tok.end == e.span.end));
        assert!((0.0..=1.0).contains(&e.score));
        assert!(LABELS.contains(&e.label));
        last_end = e.span.end;
    }
}

#[test]
fn tagging_gives_valid_entities() {
    check_entities("The New York Times said so. A second sentence follows here, in New York.");
    check_entities("");
    check_entities("\u{1F600} Ünïcödé — “quotes” ...");
}

/// Network ids for a run of words: word `k` gets ids derived from `k` in
/// every slot (its two `norm` hashes included, so equal words share a key).
fn word_ids(words: &[usize]) -> Vec<u32> {
    let slots = spec().slots();
    words
        .iter()
        .flat_map(|&k| (0..slots).map(move |s| ((k * 7 + s) % 3) as u32))
        .collect()
}

#[test]
fn document_layer_reads_other_mentions_of_the_same_word() {
    let plain = Tagger::from_bytes(&tiny_bytes()).unwrap();
    let pooled =
        Tagger::from_bytes(&with_document_layer(tiny_model(&LABELS, 4, &spec()), 4).to_bytes())
            .unwrap();
    let k = 1 + 4 * LABELS.len();
    // Word 1 at the start, filler (word 0) far past the one layer's reach
    // (two tokens), then word 1 again, or word 2 instead.
    let run = |last: usize| {
        let mut words = vec![1];
        words.extend([0; 9]);
        words.push(last);
        word_ids(&words)
    };
    let first = |t: &Tagger, ids: &[u32]| t.network().unwrap().forward(ids)[..k].to_vec();
    // Without the layer the first token cannot see the last one.
    assert_eq!(first(&plain, &run(1)), first(&plain, &run(2)));
    // With it, a second mention of its word changes its scores ...
    assert_ne!(first(&pooled, &run(1)), first(&pooled, &run(2)));
    // ... and another word does not: the same as no last token at all.
    let shorter = &run(2)[..10 * spec().slots()];
    assert_eq!(first(&pooled, &run(2)), first(&pooled, shorter));
}

#[test]
fn document_layer_needs_its_sections() {
    let mut m = tiny_model(&LABELS, 4, &spec());
    dense(&mut m, "pool", 8, 4);
    assert_eq!(
        Tagger::from_bytes(&m.to_bytes()).unwrap_err(),
        ModelError::MissingSection("lnp.g".into())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn tagging_any_text_gives_valid_entities(text in "\\PC{0,200}") {
        check_entities(&text);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Tagger::from_bytes(&bytes);
        let mut b = tiny_bytes();
        let n = bytes.len().min(b.len());
        b[..n].copy_from_slice(&bytes[..n]);
        let _ = Tagger::from_bytes(&b);
        let mut b = tiny_transformer_bytes();
        let n = bytes.len().min(b.len());
        b[..n].copy_from_slice(&bytes[..n]);
        let _ = Tagger::from_bytes(&b);
    }
}
