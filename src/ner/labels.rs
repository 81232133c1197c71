//! The entity labels newsmark models may use, with their full names.

/// A label a model may emit: its short name and a description for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabelInfo {
    /// Short name as in the corpora (`"PERSON"`).
    pub name: &'static str,
    /// What the label means (`"People, including fictional"`).
    pub description: &'static str,
}

/// Every label any model may emit: the 18 OntoNotes 5.0 types, then the 4
/// CoNLL-2003 types. A model file naming a label outside this list is rejected.
pub const KNOWN_LABELS: &[LabelInfo] = &[
    LabelInfo {
        name: "PERSON",
        description: "People, including fictional",
    },
    LabelInfo {
        name: "NORP",
        description: "Nationalities, religious or political groups",
    },
    LabelInfo {
        name: "FAC",
        description: "Buildings, airports, highways, bridges",
    },
    LabelInfo {
        name: "ORG",
        description: "Companies, agencies, institutions",
    },
    LabelInfo {
        name: "GPE",
        description: "Countries, cities, states",
    },
    LabelInfo {
        name: "LOC",
        description: "Non-GPE locations: mountains, rivers, regions",
    },
    LabelInfo {
        name: "PRODUCT",
        description: "Objects, vehicles, foods, devices (not services)",
    },
    LabelInfo {
        name: "EVENT",
        description: "Named hurricanes, battles, wars, sports events",
    },
    LabelInfo {
        name: "WORK_OF_ART",
        description: "Titles of books, songs, films",
    },
    LabelInfo {
        name: "LAW",
        description: "Named documents made into laws",
    },
    LabelInfo {
        name: "LANGUAGE",
        description: "Any named language",
    },
    LabelInfo {
        name: "DATE",
        description: "Absolute or relative dates or periods",
    },
    LabelInfo {
        name: "TIME",
        description: "Times smaller than a day",
    },
    LabelInfo {
        name: "PERCENT",
        description: "Percentage",
    },
    LabelInfo {
        name: "MONEY",
        description: "Monetary values",
    },
    LabelInfo {
        name: "QUANTITY",
        description: "Measurements of weight or distance",
    },
    LabelInfo {
        name: "ORDINAL",
        description: "first, second, ...",
    },
    LabelInfo {
        name: "CARDINAL",
        description: "Numerals that fall under no other type",
    },
    LabelInfo {
        name: "PER",
        description: "People (CoNLL-2003)",
    },
    LabelInfo {
        name: "MISC",
        description: "Other names: events, nationalities, products, works (CoNLL-2003)",
    },
];

/// The 18 OntoNotes 5.0 labels, as the corpus names them (the first 18 of
/// [`KNOWN_LABELS`]).
#[cfg(any(test, feature = "internals"))]
pub const ONTONOTES: &[&str] = &[
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
    "PERCENT",
    "MONEY",
    "QUANTITY",
    "ORDINAL",
    "CARDINAL",
];

/// The 4 CoNLL-2003 labels.
#[cfg(any(test, feature = "internals"))]
pub const CONLL2003: &[&str] = &["PER", "ORG", "LOC", "MISC"];

/// The static label info for `name` (`"ORG"` and `"LOC"` are shared by both
/// label sets), or `None` for a label newsmark does not know.
pub(crate) fn lookup(name: &str) -> Option<&'static LabelInfo> {
    KNOWN_LABELS.iter().find(|l| l.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_sets_are_known_labels() {
        assert_eq!(ONTONOTES.len(), 18);
        for name in ONTONOTES.iter().chain(CONLL2003) {
            assert!(lookup(name).is_some(), "{name} is not in KNOWN_LABELS");
        }
        let first: Vec<&str> = KNOWN_LABELS[..18].iter().map(|l| l.name).collect();
        assert_eq!(first, ONTONOTES);
    }
}
