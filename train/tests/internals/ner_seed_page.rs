//! The web-page seed (`../shared/data/seeds/003_996c0d9dbc18b283.txt`, read
//! at test time, never copied here) through the whole pipeline with the
//! default model: the six mistakes issue #17 lists are gone. Nothing in the
//! library names the page's people, titles or publications; the model
//! learnt these page conventions from its training data (ARCHITECTURE.md,
//! "NER model", and docs/experiments/ner.md, #32-#46).

use newsmark::{Annotator, Entity};
use newsmark_train::corpus::shared_for_test;

const SEED: &str = "003_996c0d9dbc18b283.txt";

/// The page's text and its entities.
fn annotated() -> Option<(String, Vec<Entity>)> {
    let shared = shared_for_test("ner_seed_page")?;
    let path = shared.join("data/seeds").join(SEED);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {} (shared data): {e}", path.display()));
    let entities = Annotator::new().annotate(&text).entities;
    Some((text, entities))
}

/// The byte spans of every occurrence of `needle` in `text`.
fn occurrences(text: &str, needle: &str) -> Vec<(usize, usize)> {
    let spans: Vec<(usize, usize)> = text
        .match_indices(needle)
        .map(|(at, s)| (at, at + s.len()))
        .collect();
    assert!(!spans.is_empty(), "the seed no longer holds {needle:?}");
    spans
}

fn show(text: &str, e: &Entity) -> String {
    format!("{} {:?}", e.label, e.span.slice(text))
}

/// The entities overlapping `start..end`.
fn overlapping(entities: &[Entity], (start, end): (usize, usize)) -> Vec<&Entity> {
    entities
        .iter()
        .filter(|e| e.span.start < end && e.span.end > start)
        .collect()
}

/// The entities overlapping `at`, each as `LABEL "text"`.
fn shown_overlapping(text: &str, entities: &[Entity], at: (usize, usize)) -> Vec<String> {
    overlapping(entities, at)
        .iter()
        .map(|e| show(text, e))
        .collect()
}

/// Checks that each occurrence of `needle` is exactly one entity, `label`,
/// spanning it, and that nothing else overlaps it.
fn each_is_one_entity(text: &str, entities: &[Entity], needle: &str, label: &str) {
    for at in occurrences(text, needle) {
        let found = shown_overlapping(text, entities, at);
        assert_eq!(found, [format!("{label} {needle:?}")], "at byte {}", at.0);
    }
}

#[test]
fn the_signature_dash_belongs_to_no_entity() {
    let Some((text, entities)) = annotated() else {
        return;
    };
    for e in &entities {
        let s = e.span.slice(&text);
        assert!(!s.starts_with(['—', '–', '-']), "{}", show(&text, e));
    }
    each_is_one_entity(&text, &entities, "Ray Le Maistre", "PERSON");
}

#[test]
fn job_titles_are_not_organisations() {
    let Some((text, entities)) = annotated() else {
        return;
    };
    for title in ["International Group Editor", "News Editor"] {
        for at in occurrences(&text, title) {
            let found = shown_overlapping(&text, &entities, at);
            assert!(found.is_empty(), "{title:?} at byte {}: {found:?}", at.0);
        }
    }
}

#[test]
fn money_keeps_its_currency_sign() {
    let Some((text, entities)) = annotated() else {
        return;
    };
    each_is_one_entity(&text, &entities, "$92B", "MONEY");
}

#[test]
fn a_headline_verb_is_not_part_of_a_name() {
    let Some((text, entities)) = annotated() else {
        return;
    };
    for (start, end) in occurrences(&text, "Trump Trashes") {
        let verb = (end - "Trashes".len(), end);
        let found = shown_overlapping(&text, &entities, verb);
        assert!(found.is_empty(), "at byte {start}: {found:?}");
    }
}

#[test]
fn a_phone_is_not_an_organisation() {
    let Some((text, entities)) = annotated() else {
        return;
    };
    // The model name after the maker's: a PRODUCT if anything, never an ORG
    // or a number of its own.
    for (start, end) in occurrences(&text, "Huawei Mate 10 Pro") {
        let model = (start + "Huawei ".len(), end);
        for e in overlapping(&entities, model) {
            assert_eq!(e.label, "PRODUCT", "{}", show(&text, e));
        }
    }
}

#[test]
fn the_publisher_is_an_organisation() {
    let Some((text, entities)) = annotated() else {
        return;
    };
    // Two everyday words, in the signature and in the text ("confirmed to
    // ... that"): an ORG each time, and nothing more.
    each_is_one_entity(&text, &entities, "Light Reading", "ORG");
}
