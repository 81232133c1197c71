//! The shapes of issue #29 (item 3) through the whole pipeline with the
//! default model: a reader sees these mistakes at once, and they are to be
//! fixed in the model and its training data (the synthetic pages'
//! nicknames, teams, media brands and technology terms, and the
//! hand-labelled pages 041-046), never by rules on names. Every sentence
//! here is our own writing, labelled by the OntoNotes conventions the
//! training data follows:
//!
//! - a parenthesised (or quoted) nickname inside a name belongs to the one
//!   PERSON (`Margaret (Peggy) Alvarez`);
//! - a team is an ORG, named by its nickname (`the ⟦Kestrels⟧`, "the"
//!   outside), its city in a sports sentence (`⟦Halifax⟧ beat ⟦Memphis⟧`)
//!   or both (`⟦the Millbrook Comets⟧`, "the" inside as OntoNotes writes
//!   city-named teams); the first number of a score is a CARDINAL, the second none (as OntoNotes' sports pages write it);
//! - a publication or media brand is one ORG, its "The" inside
//!   (`⟦The Lakeside Reporter⟧`), a place or a person's name in it too;
//! - technology terms (IoT, 5G, AI, SaaS, blockchain, Wi-Fi, cloud) are no
//!   entity; a maker is an ORG and its named product a PRODUCT;
//! - a tour's dates (`Aug. 14 -- Brennick Music Pavilion, Clarkston, MI`):
//!   the date a DATE, the venue one FAC, the town and its state's postal
//!   code each a GPE (webnews dev's concert story lists 30 such lines);
//! - a listener's noises in a transcript (`Mm.`, `Uh-huh.`) are no entity.
//!
//! The invented names here are in none of the synthetic pages' lists and
//! on none of the hand-labelled pages, so the cases test what the model
//! learnt of the shapes, not names it remembers; the real ones
//! (`Predators`, `Islanders`, `Buffalo`, `The Hollywood Reporter`, `Condé
//! Nast Traveller`) are those issue #29 reports.
//!
//! Nicknames, publications, tour dates and noises are checked on every run;
//! teams and technology terms are ignored until the default model reads them. Run all
//! with `cargo test -p newsmark-train --profile ci --test internals ner_shapes
//! -- --include-ignored --nocapture`: it prints every case, passed or
//! failed, and fails if any case fails.

use newsmark::{Annotator, Entity};

/// One sentence: the entities it must hold exactly (text, label), each
/// the first occurrence of its text, with nothing else overlapping it; and
/// texts no entity may overlap.
struct Case {
    text: &'static str,
    entities: &'static [(&'static str, &'static str)],
    no_entity: &'static [&'static str],
}

const fn case(
    text: &'static str,
    entities: &'static [(&'static str, &'static str)],
    no_entity: &'static [&'static str],
) -> Case {
    Case {
        text,
        entities,
        no_entity,
    }
}

/// Names with a nickname inside: one PERSON each.
const NICKNAMES: &[Case] = &[
    case(
        "By Margaret (Peggy) Alvarez",
        &[("Margaret (Peggy) Alvarez", "PERSON")],
        &[],
    ),
    case(
        "Margaret (Peggy) Alvarez, who chairs the county water board, said the new pipes would be laid before the winter.",
        &[("Margaret (Peggy) Alvarez", "PERSON")],
        &[],
    ),
    case(
        "Weiming (Oscar) Tsao, the chief executive of Brightfold, said sales had doubled.",
        &[("Weiming (Oscar) Tsao", "PERSON"), ("Brightfold", "ORG")],
        &[],
    ),
    case(
        "— Theodora (Teddy) Marsh, Senior Reporter, The Quarry Gazette",
        &[("Theodora (Teddy) Marsh", "PERSON")],
        &["Senior Reporter"],
    ),
    case(
        "The prize went to Cornelius (Neil) Abernathy, who has taught chemistry at the school for years.",
        &[("Cornelius (Neil) Abernathy", "PERSON")],
        &[],
    ),
    case(
        "Rosalind \"Roz\" Kettering will lead the new team, the company said.",
        &[("Rosalind \"Roz\" Kettering", "PERSON")],
        &[],
    ),
];

/// Teams by nickname, by city in a sports sentence, or both: ORG; a score's
/// first number CARDINAL.
const TEAMS: &[Case] = &[
    case(
        "The Kestrels beat the Harbor Hawks 4-1 on Saturday.",
        &[
            ("Kestrels", "ORG"),
            ("Harbor Hawks", "ORG"),
            ("4", "CARDINAL"),
        ],
        &[],
    ),
    case(
        "Halifax beat Memphis 3-2 in overtime.",
        &[("Halifax", "ORG"), ("Memphis", "ORG"), ("3", "CARDINAL")],
        &[],
    ),
    case(
        "The Millbrook Comets have lost five of their last six games.",
        &[("The Millbrook Comets", "ORG")],
        &[],
    ),
    case(
        "The Predators scored twice in the third period to beat Buffalo.",
        &[("Predators", "ORG"), ("Buffalo", "ORG")],
        &[],
    ),
    case(
        "Tickets for the Islanders' home opener sold out within an hour.",
        &[("Islanders", "ORG")],
        &[],
    ),
    case(
        "A late goal gave the Stonebridge Foxes a 2-1 win over the Lanterns.",
        &[("the Stonebridge Foxes", "ORG"), ("Lanterns", "ORG")],
        &[],
    ),
];

/// Publications and media brands: one ORG, "The" inside.
const PUBLICATIONS: &[Case] = &[
    case(
        "Ridgeway Foods told The Lakeside Reporter that it would close two stores.",
        &[("Ridgeway Foods", "ORG"), ("The Lakeside Reporter", "ORG")],
        &[],
    ),
    case(
        "According to Harbor City Traveller, the hotel will reopen in the spring.",
        &[("Harbor City Traveller", "ORG")],
        &[],
    ),
    case(
        "The casting was first reported by The Hollywood Reporter.",
        &[("The Hollywood Reporter", "ORG")],
        &[],
    ),
    case(
        "Readers of Condé Nast Traveller voted the island their favourite.",
        &[("Condé Nast Traveller", "ORG")],
        &[],
    ),
    case(
        "Nadia Ferreira | The Glenford Courier",
        &[("Nadia Ferreira", "PERSON"), ("The Glenford Courier", "ORG")],
        &[],
    ),
    case(
        "A spokeswoman for the council told Denver Business Weekly that the vote would be held again.",
        &[("Denver Business Weekly", "ORG")],
        &[],
    ),
];

/// Technology terms: no entity; the maker ORG, its named product PRODUCT.
const TECH_TERMS: &[Case] = &[
    case(
        "Orvane said its new router brings 5G and Wi-Fi to rural homes.",
        &[("Orvane", "ORG")],
        &["5G", "Wi-Fi"],
    ),
    case(
        "The startup sells IoT sensors and SaaS tools to dairy farms.",
        &[],
        &["IoT", "SaaS"],
    ),
    case(
        "Kettleby is betting on AI and blockchain to cut the cost of shipping.",
        &[("Kettleby", "ORG")],
        &["AI", "blockchain"],
    ),
    case(
        "Paxmoor said the Paxmoor Relay 5 Pro uses AI to sort photos in the cloud.",
        &[("Paxmoor", "ORG"), ("Paxmoor Relay 5 Pro", "PRODUCT")],
        &["AI", "cloud"],
    ),
    case(
        "IoT devices now outnumber phones on the network, the operator said.",
        &[],
        &["IoT"],
    ),
];

/// A listener's noises in a conversation's transcript, as interviews are
/// written down: no entity (OntoNotes train never writes `Mm`, and the
/// default model #60b read it PERSON 84 times in dev's transcripts). The
/// last two noises are spelt as no training copy spells them.
const NOISES: &[Case] = &[
    case(
        "Were you frightened that night? Mm. Very frightened, yes.",
        &[],
        &["Mm"],
    ),
    case(
        "So you went back to Harbin after the war? Mm, and I stayed with my aunt.",
        &[("Harbin", "GPE")],
        &["Mm"],
    ),
    case(
        "Did your mother agree to it? Mhm. She signed the papers herself.",
        &[],
        &["Mhm"],
    ),
    case(
        "Hmm. I never thought of the old mill that way.",
        &[],
        &["Hmm"],
    ),
    case(
        "Uh-huh. And then Teodor came back from Lisbon?",
        &[("Teodor", "PERSON"), ("Lisbon", "GPE")],
        &["Uh-huh"],
    ),
    case(
        "You sold the boat before the winter. Hmmm. Why was that?",
        &[],
        &["Hmmm"],
    ),
    case(
        "It was the only bakery in the village. Mmhm. Everyone bought bread there.",
        &[],
        &["Mmhm"],
    ),
];

/// A tour's dates as lists of events write them, and towns with their
/// state's postal code in a sentence: the date a DATE, the venue one FAC,
/// the town and the state each a GPE.
const TOUR_DATES: &[Case] = &[
    case(
        "Aug. 14 -- Brennick Music Pavilion, Clarkston, MI",
        &[
            ("Aug. 14", "DATE"),
            ("Brennick Music Pavilion", "FAC"),
            ("Clarkston", "GPE"),
            ("MI", "GPE"),
        ],
        &[],
    ),
    case(
        "Sept. 3 – Harwood Arena, Boise, ID",
        &[
            ("Sept. 3", "DATE"),
            ("Harwood Arena", "FAC"),
            ("Boise", "GPE"),
            ("ID", "GPE"),
        ],
        &[],
    ),
    case(
        "Nov. 9: Lakemont Amphitheatre in Tinley Park, IL",
        &[
            ("Nov. 9", "DATE"),
            ("Lakemont Amphitheatre", "FAC"),
            ("Tinley Park", "GPE"),
            ("IL", "GPE"),
        ],
        &[],
    ),
    case(
        "The band plays Velloran Hall in Asheville, NC, on Oct. 2.",
        &[
            ("Velloran Hall", "FAC"),
            ("Asheville", "GPE"),
            ("NC", "GPE"),
            ("Oct. 2", "DATE"),
        ],
        &[],
    ),
    case(
        "Fans in Tacoma, WA, lined up overnight for tickets.",
        &[("Tacoma", "GPE"), ("WA", "GPE")],
        &[],
    ),
];

/// The entities of `text` overlapping `start..end`, each as `LABEL "text"`.
fn overlapping(text: &str, entities: &[Entity], (start, end): (usize, usize)) -> Vec<String> {
    entities
        .iter()
        .filter(|e| e.span.start < end && e.span.end > start)
        .map(|e| format!("{} {:?}", e.label, e.span.slice(text)))
        .collect()
}

/// The faults of the model's reading of `case` (none if it passes).
fn faults(annotator: &Annotator, case: &Case) -> Vec<String> {
    let text = case.text;
    let entities = annotator.annotate(text).entities;
    let at = |needle: &str| {
        let start = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} is not in {text:?}"));
        (start, start + needle.len())
    };
    let mut faults = Vec::new();
    for &(needle, label) in case.entities {
        let found = overlapping(text, &entities, at(needle));
        let want = format!("{label} {needle:?}");
        if found != [want.clone()] {
            faults.push(format!("want {want}, got {found:?}"));
        }
    }
    for &needle in case.no_entity {
        let found = overlapping(text, &entities, at(needle));
        if !found.is_empty() {
            faults.push(format!("want no entity over {needle:?}, got {found:?}"));
        }
    }
    faults
}

/// Runs `groups` through the default model; prints every case, passed or
/// failed, and fails if any case fails.
fn check_groups(groups: &[(&str, &[Case])]) {
    check_groups_with(&Annotator::new(), groups);
}

/// [`check_groups`] with `annotator`'s model.
fn check_groups_with(annotator: &Annotator, groups: &[(&str, &[Case])]) {
    let (mut failed, mut all) = (Vec::new(), 0);
    for &(group, cases) in groups {
        let mut passed = 0;
        for case in cases {
            all += 1;
            let faults = faults(annotator, case);
            if faults.is_empty() {
                passed += 1;
                eprintln!("pass  {group}: {:?}", case.text);
            } else {
                eprintln!("FAIL  {group}: {:?}", case.text);
                for f in &faults {
                    eprintln!("        {f}");
                }
                failed.push(format!("{group}: {:?}", case.text));
            }
        }
        eprintln!("{group}: {passed} of {} cases pass", cases.len());
    }
    eprintln!("ner_shapes: {} of {all} cases pass", all - failed.len());
    assert!(
        failed.is_empty(),
        "{} of {all} cases fail:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// The shapes the default model (#68, distilled from the transformer
/// teacher) reads: every case must pass.
#[test]
fn the_default_model_reads_nicknames_and_publications() {
    check_groups(&[
        ("nicknames inside names", NICKNAMES),
        ("publications and media brands", PUBLICATIONS),
    ]);
}

/// Not yet: with #70, 1 of the 6 team cases and 4 of the 5 technology
/// cases pass (teams named by a bare nickname or a city are still read as
/// NORP, PRODUCT, LOC or GPE; in the fifth technology case the terms are no
/// entity, as they should be, but the firm "Orvane" reads PERSON). #60b
/// passed 3 and 4, #68 2 and 4.
#[test]
#[ignore = "until the default model reads sports teams and technology terms (issue #29): cargo test -p newsmark-train --profile ci --test internals ner_shapes -- --ignored --nocapture"]
fn the_default_model_reads_teams_and_technology_terms() {
    check_groups(&[("sports teams", TEAMS), ("technology terms", TECH_TERMS)]);
}

/// The noises of [`NOISES`] alone, their places' labels left out: no noise
/// is read as (part of) an entity. #60b failed two (`Mm` read PERSON); the
/// transcript copies of the default recipe (`transcripts = 0.5`, #68 of
/// `docs/experiments/ner.md`) taught them.
#[test]
fn the_default_model_reads_no_noise_as_a_name() {
    let noises: Vec<Case> = NOISES
        .iter()
        .map(|c| case(c.text, &[], c.no_entity))
        .collect();
    check_groups(&[("noises in transcripts (the noises alone)", &noises)]);
}

/// Each case whole, its places' labels too. #60b passed 5 of 7 (`Mm` PERSON
/// twice), #68 6 (`Harbin` before the noise read NORP); #70 reads all 7.
#[test]
fn the_default_model_reads_noises_in_transcripts() {
    check_groups(&[("noises in transcripts", NOISES)]);
}

/// The synthetic pages' tour dates (`tour_dates = true` in the default
/// recipe's `[data]`, #70 of `docs/experiments/ner.md`) teach all five;
/// without them #68 read 1 (the venue ORG or PERSON, the state code ORG or
/// nothing) and #60b none.
#[test]
fn the_default_model_reads_tour_dates() {
    check_groups(&[("tour dates", TOUR_DATES)]);
}

/// The opt-in accurate model (`models/ontonotes-accurate.nmm`, the
/// transformer teacher fine-tuned on the student's pages, #53).
fn accurate() -> Annotator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../models/ontonotes-accurate.nmm"
    );
    Annotator::from_bytes(&std::fs::read(path).unwrap()).unwrap()
}

/// The shapes the accurate model reads: every case must pass.
#[test]
fn the_accurate_model_reads_nicknames_publications_and_technology_terms() {
    check_groups_with(
        &accurate(),
        &[
            ("nicknames inside names", NICKNAMES),
            ("publications and media brands", PUBLICATIONS),
            ("technology terms", TECH_TERMS),
        ],
    );
}

/// Not yet: 5 of the 6 team cases pass ("the Harbor Hawks" takes its "the").
#[test]
#[ignore = "until the accurate model reads every team case (issue #29): cargo test -p newsmark-train --profile ci --test internals ner_shapes -- --ignored --nocapture"]
fn the_accurate_model_reads_teams() {
    check_groups_with(&accurate(), &[("sports teams", TEAMS)]);
}
