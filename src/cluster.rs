//! Entity clusters: which entities of one document name the same thing.
//!
//! [`clusters`] groups a document's entities by rules (no model). It is a
//! sieve over *names*, in the spirit of the deterministic coreference
//! systems: the surest links first, each later step only adding links that
//! the earlier ones left open, and a few constraints that no step may break.
//!
//! 1. **Mentions.** Each entity's text is normalised: case folded, spacing,
//!    hyphens, dots and quotes ignored (`U.S.` = `US`, `Coca Cola` =
//!    `Coca-Cola`), a leading `the` and possessives dropped (`the
//!    Alvarez's` = `Alvarez`); for people, titles and suffixes dropped
//!    (`Dr. Alvarez`, `Ms Alvarez` = `Alvarez`; `Mrs`, `Ms`, `Mr` ... also
//!    give a gender), and a nickname in parentheses kept aside (`Margaret
//!    (Peggy) Alvarez` is also `Peggy Alvarez`); for organisations, company
//!    forms dropped (`Tallis Motors Inc.` = `Tallis Motors`).
//! 2. **Groups.** Mentions with the same normalised text are one group if
//!    their labels are both among PERSON, ORG, GPE, NORP, LOC and FAC (the
//!    tagger often labels the same name twice differently: a surname once
//!    ORG, a place once ORG), or are the same label otherwise. A person's
//!    title gender splits a group (`Mr. Alvarez`, `Ms. Alvarez`).
//! 3. **Sure links** between groups: an acronym in parentheses right after
//!    a name (`the Associated Press (AP)`, or in one entity); two full
//!    names of a person with the same surname and the same first name or
//!    nickname (`George W. Bush` = `George Bush`, `Margaret (Peggy)
//!    Alvarez` = `Peggy Alvarez`); the names of the United States and of
//!    the United Kingdom (`America` = `U.S.`).
//! 4. **Short forms**, longest first: a group whose words begin or end a
//!    longer name (people: the surname or first name, `Alvarez`, `Peggy`,
//!    and a single word tagged ORG or GPE; other names: `Tallis` of `Tallis
//!    Motors`, `Postal Service` of `the U.S. Postal Service`, same label), or
//!    an acronym of a longer name anywhere in the text (`AP` and `Associated
//!    Press`, same label), or a person's name without a title beside the same
//!    name with one. If every candidate is in one cluster, the group joins
//!    it. If the candidates are in several clusters (`Alvarez` after both
//!    `Margaret Alvarez` and `Luis Alvarez`), the group joins the candidate
//!    mentioned last before the group's first mention that comes after a
//!    candidate (there, `Luis Alvarez`), all its mentions with it; with no
//!    candidate before any of its mentions, it stays a cluster of its own.
//!    (Deciding each mention on its own, by the candidate mentioned last
//!    before it, scored lower on dev: writers keep a bare surname for the
//!    person the story is about.)
//! 5. **Names.** A cluster's label is its mentions' most frequent label
//!    (ties: the label of its name), and its name is its fullest mention:
//!    the most words, then the first, without a leading `the` or a
//!    possessive; a compound (below) only if the cluster has nothing else.
//!
//! Constraints, checked at every link: a cluster never holds two full
//! names of different people (`Margaret Alvarez`, `Luis Alvarez`: a
//! different first name, or a different middle initial) nor people of two
//! genders; and a *compound* mention, two names joined by a slash or `and`
//! (`Huawei/ZTE`, `Huawei and ZTE`; also `or`, `vs`), never takes part in a
//! short form, so it links only to the same compound written again (or a
//! longer one with the same slash, `MGM/UA` of `MGM/UA Communications`)
//! and can never pull `Huawei` and `ZTE` into one cluster. A name with
//! `and` inside may still stand for an acronym (`Securities and Exchange
//! Commission` and `SEC`).
//!
//! Values (DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL) are
//! grouped only with the same text and label. Every entity is in exactly
//! one cluster.
//!
//! On OntoNotes dev, with the tagger's own entities on raw text, this scores
//! a CoNLL F1 of 94.1 where grouping by exact string scores 85.6 and a
//! perfect grouping of the same entities 95.8 (ARCHITECTURE.md, "Entity
//! clusters"; docs/experiments/clusters.md).
//!
//! Time is about linear in the number of entities: candidates are found
//! through hash maps of names' first and last words, never by comparing
//! every pair.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::document::{Cluster, Entity};
use crate::span::Span;

/// Labels whose entities are values, grouped only by identical text.
const VALUE_LABELS: &[&str] = &[
    "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
];

/// Labels the tagger confuses with one another on the same name: a name
/// written the same way with any two of them is one group.
const MIXABLE_LABELS: &[&str] = &["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"];

/// Titles dropped before a person's name (compared lower case, without a
/// final dot). Gendered ones are also in [`FEMININE`] or [`MASCULINE`].
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mister",
    "madam",
    "madame",
    "dr",
    "doctor",
    "prof",
    "professor",
    "president",
    "vice",
    "sen",
    "senator",
    "gov",
    "governor",
    "rep",
    "representative",
    "gen",
    "general",
    "judge",
    "justice",
    "mayor",
    "minister",
    "premier",
    "prime",
    "chairman",
    "chairwoman",
    "secretary",
    "sir",
    "dame",
    "lady",
    "lord",
    "prince",
    "princess",
    "king",
    "queen",
    "pope",
    "rev",
    "reverend",
    "father",
    "sister",
    "brother",
    "capt",
    "captain",
    "col",
    "colonel",
    "lt",
    "lieutenant",
    "sgt",
    "sergeant",
    "adm",
    "admiral",
    "cmdr",
    "commander",
    "chancellor",
    "ambassador",
    "chief",
    "deputy",
    "coach",
    "detective",
    "officer",
    "inspector",
    "st",
    "saint",
];
const FEMININE: &[&str] = &[
    "mrs",
    "ms",
    "miss",
    "madam",
    "madame",
    "dame",
    "lady",
    "princess",
    "queen",
    "sister",
    "chairwoman",
];
const MASCULINE: &[&str] = &[
    "mr", "mister", "sir", "lord", "prince", "king", "father", "brother", "chairman",
];

/// Suffixes dropped after a person's name.
const NAME_SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv"];

/// Company forms dropped at the end of an organisation's name.
const COMPANY_FORMS: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "plc",
    "group",
    "holdings",
    "ag",
    "sa",
    "nv",
    "gmbh",
    "bv",
    "spa",
    "lp",
];

/// Words an acronym usually skips.
const STOP_WORDS: &[&str] = &[
    "of", "the", "and", "for", "&", "de", "du", "des", "la", "le", "in", "on", "at", "to",
];

/// Words that join two names into a compound (`Orvane or Keltrix`); `&`
/// is not one, since it is inside many firms' names (`Procter & Gamble`).
const JOINING_WORDS: &[&str] = &["and", "or", "vs", "vs.", "versus"];

/// Countries that news names several ways; a GPE group with one of these
/// keys links to the others of its set.
const COUNTRY_ALIASES: &[&[&str]] = &[
    &[
        "us",
        "usa",
        "unitedstates",
        "unitedstatesofamerica",
        "america",
    ],
    &["uk", "britain", "greatbritain", "unitedkingdom"],
];

/// A person's gender as a title gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Gender {
    Unknown,
    Feminine,
    Masculine,
}

impl Gender {
    /// The bit of a cluster's set of genders.
    fn bit(self) -> u8 {
        match self {
            Gender::Unknown => 0,
            Gender::Feminine => 1,
            Gender::Masculine => 2,
        }
    }
}

/// One named entity, normalised.
#[derive(Debug)]
struct Mention {
    /// Index of the entity.
    entity: usize,
    label: &'static str,
    /// Normalised words: lower case, only letters, digits, inner
    /// apostrophes and hyphens, `&`; `/` stands alone.
    words: Vec<String>,
    /// The words' letters and digits run together: equal keys are the same
    /// name (`U.S.` and `US`, `Coca-Cola` and `Coca Cola`).
    key: String,
    /// Words in parentheses inside the entity: a person's nickname, or
    /// another name's acronym.
    alias: Vec<String>,
    gender: Gender,
    /// The entity as an acronym (`U.S.`, `AP`): its letters, lower case.
    acronym: Option<String>,
    /// Two names joined by `/` or a [`JOINING_WORDS`] word.
    compound: bool,
    /// Joined by `/` (an `and` may be inside one name, as in acronyms).
    slash: bool,
    /// The entity's span.
    span: Span,
    /// The entity's span without a leading `the` or a final possessive.
    name: Span,
}

impl Mention {
    fn is_person(&self) -> bool {
        self.label == "PERSON"
    }
}

/// Mentions with the same normalised name (see the module's step 2).
#[derive(Debug)]
struct Group {
    /// The mentions, in text order.
    mentions: Vec<usize>,
    /// The most frequent label of the mentions (ties: the first's).
    label: &'static str,
}

/// Groups entities into clusters; see the module documentation.
///
/// `entities` must be sorted by position and lie in `text` (as a
/// [`crate::Document`]'s do). Returns the clusters in the order of their
/// first mention, each with its mentions in text order; every entity is in
/// exactly one.
pub(crate) fn clusters(text: &str, entities: &[Entity]) -> Vec<Cluster> {
    let mut cluster_of = vec![usize::MAX; entities.len()];
    let mut out: Vec<Cluster> = Vec::new();

    // Values: the same text and label.
    let mut values: FxHashMap<(&'static str, String), usize> = FxHashMap::default();
    let mut mentions = Vec::new();
    for (i, e) in entities.iter().enumerate() {
        if VALUE_LABELS.contains(&e.label) {
            let key = e
                .span
                .slice(text)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let id = *values
                .entry((e.label, key.to_lowercase()))
                .or_insert_with(|| {
                    out.push(Cluster {
                        name: e.span,
                        label: e.label,
                        mentions: Vec::new(),
                    });
                    out.len() - 1
                });
            cluster_of[i] = id;
        } else {
            mentions.push(mention(text, i, e));
        }
    }

    let mut sieve = Sieve::new(text, mentions);
    sieve.sure_links();
    sieve.short_forms();
    let (of_mention, named) = sieve.finish();
    for (m, c) in of_mention.into_iter().enumerate() {
        cluster_of[sieve.mentions[m].entity] = out.len() + c;
    }
    out.extend(named);

    for (i, &c) in cluster_of.iter().enumerate() {
        out[c].mentions.push(i);
    }
    // Ordered by first mention; mentions are already in order.
    out.sort_by_key(|c| c.mentions.first().copied());
    out
}

/// The entities labelled `ORG` that name a person: indices into
/// `entities` of each single-word one whose word is also a word of a
/// person's full name in the same text (`Noem` with `Kristi Noem` anywhere
/// in it), and of no organisation's name of two or more words (`Hearst`
/// stays `ORG` beside `Hearst Corp.` and `William Randolph Hearst`); and of
/// each name of two or more words read `ORG` where the text reads the same
/// words as a person more often (`Julian Assange`, ORG once after
/// `co-founder`, PERSON three times), which then is no such organisation.
///
/// The tagger reads an unfamiliar surname alone as an organisation, though
/// the same text names the person in full; the two are one cluster (see
/// the module's step 4), and a thing has one type. `person` is the model's
/// label for people (`PERSON`, or `PER` in a CoNLL-2003 model); words
/// are compared as in [`Mention::words`], a person's titles and suffixes
/// dropped. `entities` must lie in `text`.
pub(crate) fn person_short_forms(
    text: &str,
    entities: &[Entity],
    person: &'static str,
) -> Vec<usize> {
    if !worth_reading(text, entities, person) {
        return Vec::new();
    }
    let single_word_org = |e: &Entity| e.label == "ORG" && raw_words(e.span.slice(text)).len() == 1;
    // The names of two or more words read PERSON or ORG: (index, as a
    // person, words).
    let mut names = Vec::new();
    for (i, e) in entities.iter().enumerate() {
        let as_person = e.label == person;
        if !as_person && e.label != "ORG" {
            continue;
        }
        if raw_words(e.span.slice(text)).len() < 2 {
            continue;
        }
        // `mention` knows people by the label PERSON.
        let normalised = Entity {
            label: if as_person { "PERSON" } else { "ORG" },
            ..e.clone()
        };
        let m = mention(text, i, &normalised);
        if as_person && (m.words.len() < 2 || m.compound) {
            continue;
        }
        names.push((i, as_person, m.words));
    }
    // How often each list of words reads as a person and as an organisation.
    let mut readings: FxHashMap<&[String], (usize, usize)> = FxHashMap::default();
    for (_, as_person, words) in &names {
        let count = readings.entry(words).or_default();
        if *as_person {
            count.0 += 1;
        } else {
            count.1 += 1;
        }
    }
    let mut person_words = FxHashSet::default();
    let mut org_words = FxHashSet::default();
    let mut out = Vec::new();
    for (i, as_person, words) in &names {
        let (as_people, as_orgs) = readings[words.as_slice()];
        if *as_person {
            person_words.extend(words.iter().map(String::as_str));
        } else if as_people > as_orgs {
            out.push(*i);
        } else {
            org_words.extend(words.iter().map(String::as_str));
        }
    }
    if person_words.is_empty() {
        return Vec::new();
    }
    out.extend(
        entities
            .iter()
            .enumerate()
            .filter(|&(_, e)| single_word_org(e))
            .filter_map(|(i, e)| {
                let m = mention(text, i, e);
                let [word] = m.words.as_slice() else {
                    return None;
                };
                (person_words.contains(word.as_str()) && !org_words.contains(word.as_str()))
                    .then_some(i)
            }),
    );
    out.sort_unstable();
    out
}

/// Whether [`person_short_forms`] can change anything in `entities`: there
/// must be a person's name of two or more words, and an ORG of one word or
/// an ORG that shares a word with a person's name. The check is cheap and
/// most texts fail it, so most texts skip the mention analysis.
fn worth_reading(text: &str, entities: &[Entity], person: &str) -> bool {
    let words = |e: &Entity| -> Vec<String> {
        raw_words(e.span.slice(text))
            .iter()
            .map(|w| name_word(w.text))
            .collect()
    };
    let mut single_word_org = false;
    let mut longer_orgs = Vec::new();
    for e in entities.iter().filter(|e| e.label == "ORG") {
        match raw_words(e.span.slice(text)).len() {
            1 => single_word_org = true,
            0 => {}
            _ => longer_orgs.push(e),
        }
    }
    if !single_word_org && longer_orgs.is_empty() {
        return false;
    }
    let mut person_words = FxHashSet::default();
    for e in entities.iter().filter(|e| e.label == person) {
        let w = words(e);
        if w.len() >= 2 {
            person_words.extend(w);
        }
    }
    if person_words.is_empty() {
        return false;
    }
    single_word_org
        || longer_orgs
            .iter()
            .any(|e| words(e).iter().any(|w| person_words.contains(w)))
}

/// A raw word of a name as [`Mention::words`] holds it: quotes and a final
/// possessive dropped, then [`normal_word`].
fn name_word(raw: &str) -> String {
    normal_word(without_possessive(raw.trim_matches(is_quote)))
}

/// Lower case, spacing ignored: the words of a name as [`Mention::words`] holds them.
fn normal_word(raw: &str) -> String {
    let kept: String = raw
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '\'' | '’' | '-' | '&'))
        .flat_map(char::to_lowercase)
        .map(|c| if c == '’' { '\'' } else { c })
        .collect();
    kept.trim_matches(|c| c == '\'' || c == '-').to_string()
}

/// Quotation marks trimmed from the ends of a word.
fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '“' | '”' | '„' | '«' | '»' | '‘' | '’' | '\'' | '`'
    )
}

/// `word` without a final possessive (`Alvarez's`, `Reyes'`).
fn without_possessive(word: &str) -> &str {
    for end in ["'s", "’s", "'S", "’S"] {
        if let Some(stem) = word.strip_suffix(end) {
            if !stem.is_empty() {
                return stem;
            }
        }
    }
    for end in ["s'", "s’"] {
        if word.ends_with(end) && word.len() > end.len() {
            return &word[..word.len() - end.len() + 1];
        }
    }
    word
}

/// The letters of `word` if it is an acronym: 2 to 6 capital letters,
/// dots allowed between them (`AP`, `U.S.`).
fn as_acronym(word: &str) -> Option<String> {
    let letters: String = word.chars().filter(|&c| c != '.').collect();
    let n = letters.chars().count();
    ((2..=6).contains(&n) && letters.chars().all(|c| c.is_uppercase()))
        .then(|| letters.to_lowercase())
}

/// A raw word of an entity, with its byte range.
struct RawWord<'t> {
    text: &'t str,
    start: usize,
    end: usize,
}

/// Splits an entity's text at whitespace, with `/` as a word of its own.
fn raw_words(s: &str) -> Vec<RawWord<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        let cut = c.is_whitespace() || c == '/';
        if cut {
            if let Some(b) = start.take() {
                out.push(RawWord {
                    text: &s[b..i],
                    start: b,
                    end: i,
                });
            }
            if c == '/' {
                out.push(RawWord {
                    text: "/",
                    start: i,
                    end: i + 1,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    out
}

/// Normalises entity `entity` (index `i`).
fn mention(text: &str, i: usize, entity: &Entity) -> Mention {
    let s = entity.span.slice(text);
    let mut raw = raw_words(s);
    // A leading "the".
    if raw.len() > 1 && raw[0].text.eq_ignore_ascii_case("the") {
        raw.remove(0);
    }
    // The span of the name: from the first word kept to the end, without
    // a possessive.
    let (mut name_start, mut name_end) = (0, s.len());
    if let Some(first) = raw.first() {
        name_start = first.start;
    }
    if let Some(last) = raw.last_mut() {
        let stem = without_possessive(last.text);
        name_end = last.start + stem.len();
        last.text = stem;
        last.end = name_end;
    }
    let compound = raw
        .iter()
        .any(|w| w.text == "/" || JOINING_WORDS.iter().any(|j| w.text.eq_ignore_ascii_case(j)));
    let slash = raw.iter().any(|w| w.text == "/");
    let acronym = match raw.as_slice() {
        [only] => as_acronym(only.text.trim_matches(is_quote)),
        _ => None,
    };

    let person = entity.label == "PERSON";
    let mut words = Vec::with_capacity(raw.len());
    let mut alias = Vec::new();
    let mut in_parens = false;
    let mut gender = Gender::Unknown;
    for w in &raw {
        let opens = w.text.starts_with('(');
        let closes = w.text.ends_with(')');
        let word = name_word(w.text);
        if opens || in_parens {
            in_parens = !closes;
            // A person's nickname, or an organisation's acronym (not a
            // place, as in `Tallis Motors (Sweden)`).
            let inner = w.text.trim_matches(|c| c == '(' || c == ')' || is_quote(c));
            if !word.is_empty() && (person || as_acronym(inner).is_some()) {
                alias.push(word);
            }
            continue;
        }
        if word.is_empty() {
            if w.text == "/" {
                words.push("/".to_string());
            }
            continue;
        }
        words.push(word);
    }
    if person {
        // Titles before, suffixes after: never the last word left.
        while words.len() > 1 && TITLES.contains(&words[0].as_str()) {
            if FEMININE.contains(&words[0].as_str()) {
                gender = Gender::Feminine;
            } else if MASCULINE.contains(&words[0].as_str()) {
                gender = Gender::Masculine;
            }
            words.remove(0);
        }
        while words.len() > 1 && NAME_SUFFIXES.contains(&words[words.len() - 1].as_str()) {
            words.pop();
        }
    } else if entity.label == "ORG" {
        while words.len() > 1 && COMPANY_FORMS.contains(&words[words.len() - 1].as_str()) {
            words.pop();
            if words.len() > 1 && words[words.len() - 1] == "&" {
                words.pop();
            }
        }
    }
    let key = key_of(&words);
    Mention {
        entity: i,
        label: entity.label,
        words,
        key,
        alias,
        gender,
        acronym,
        compound,
        slash,
        span: entity.span,
        name: Span::new(entity.span.start + name_start, entity.span.start + name_end),
    }
}

/// The letters and digits of `words`, run together, and the slash of a
/// compound (so that `Korvex/Danlo` is never the name `Korvex Danlo`).
fn key_of(words: &[String]) -> String {
    words
        .iter()
        .flat_map(|w| w.chars())
        .filter(|&c| c.is_alphanumeric() || c == '/')
        .collect()
}

/// The initials a name's acronym may have: of every word, of the words
/// that are not [`STOP_WORDS`], and the same with hyphenated words split.
fn initials(words: &[String]) -> Vec<String> {
    let first = |w: &str| w.chars().find(|c| c.is_alphanumeric());
    let all: String = words.iter().filter_map(|w| first(w)).collect();
    let content: String = words
        .iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .filter_map(|w| first(w))
        .collect();
    let parts: String = words
        .iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .flat_map(|w| w.split('-'))
        .filter_map(first)
        .collect();
    let mut out = vec![all, content, parts];
    out.sort();
    out.dedup();
    out.retain(|a| (2..=8).contains(&a.chars().count()));
    out
}

/// The class within which equal keys are one group.
fn label_class(label: &'static str) -> &'static str {
    if MIXABLE_LABELS.contains(&label) {
        "NAME"
    } else {
        label
    }
}

/// The state of the sieve: mentions, their groups, and a union-find over
/// groups whose sets are the clusters.
struct Sieve<'t> {
    text: &'t str,
    mentions: Vec<Mention>,
    groups: Vec<Group>,
    /// The group of each mention.
    group_of: Vec<usize>,
    /// Union-find parent of each group.
    parent: Vec<usize>,
    /// For each root: the mentions in its cluster.
    members: Vec<Vec<usize>>,
    /// For each root: the groups of people's full names in its cluster.
    full_names: Vec<Vec<usize>>,
    /// For each root: the genders in its cluster, as bits.
    genders: Vec<u8>,
}

impl<'t> Sieve<'t> {
    /// Step 2: groups of mentions with the same key, class and gender.
    fn new(text: &'t str, mentions: Vec<Mention>) -> Self {
        let mut index: FxHashMap<(&str, &'static str, Gender), usize> = FxHashMap::default();
        let mut groups: Vec<Group> = Vec::new();
        let mut group_of = Vec::with_capacity(mentions.len());
        for (i, m) in mentions.iter().enumerate() {
            // An entity of punctuation alone keeps a group of its own.
            let key = if m.key.is_empty() { "" } else { m.key.as_str() };
            let g = if key.is_empty() {
                None
            } else {
                index.get(&(key, label_class(m.label), m.gender)).copied()
            };
            let g = g.unwrap_or_else(|| {
                groups.push(Group {
                    mentions: Vec::new(),
                    label: m.label,
                });
                if !key.is_empty() {
                    index.insert((key, label_class(m.label), m.gender), groups.len() - 1);
                }
                groups.len() - 1
            });
            groups[g].mentions.push(i);
            group_of.push(g);
        }
        for g in &mut groups {
            let mut counts: Vec<(&'static str, usize)> = Vec::new();
            for &m in &g.mentions {
                match counts.iter_mut().find(|(l, _)| *l == mentions[m].label) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((mentions[m].label, 1)),
                }
            }
            // The first most frequent label (counts are in order of first use).
            let mut best = counts[0];
            for &c in &counts[1..] {
                if c.1 > best.1 {
                    best = c;
                }
            }
            g.label = best.0;
        }
        let n = groups.len();
        let members = groups.iter().map(|g| g.mentions.clone()).collect();
        let mut sieve = Sieve {
            text,
            group_of,
            parent: (0..n).collect(),
            members,
            full_names: vec![Vec::new(); n],
            genders: vec![0; n],
            groups,
            mentions,
        };
        for g in 0..n {
            if sieve.is_full_name(g) {
                sieve.full_names[g].push(g);
            }
            sieve.genders[g] = sieve.first(g).gender.bit();
        }
        sieve
    }

    /// The first mention of group `g` (all of a group's mentions have the
    /// same key and gender).
    fn first(&self, g: usize) -> &Mention {
        &self.mentions[self.groups[g].mentions[0]]
    }

    /// A person's name of two words or more, not a compound.
    fn is_full_name(&self, g: usize) -> bool {
        let m = self.first(g);
        self.groups[g].label == "PERSON" && m.words.len() >= 2 && !m.compound
    }

    fn find(&mut self, mut g: usize) -> usize {
        while self.parent[g] != g {
            self.parent[g] = self.parent[self.parent[g]];
            g = self.parent[g];
        }
        g
    }

    /// Whether the clusters with roots `a` and `b` may be one: no two full
    /// names of different people, no two genders.
    fn may_join(&self, a: usize, b: usize) -> bool {
        if (self.genders[a] | self.genders[b]).count_ones() > 1 {
            return false;
        }
        self.full_names[a].iter().all(|&x| {
            self.full_names[b]
                .iter()
                .all(|&y| same_person(self.first(x), self.first(y)))
        })
    }

    /// Joins the clusters of groups `a` and `b` unless a constraint forbids
    /// it; returns whether they are now one.
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return true;
        }
        if !self.may_join(a, b) {
            return false;
        }
        // The larger set's root stays the root (its lists are moved less).
        let (keep, gone) = if self.members[a].len() >= self.members[b].len() {
            (a, b)
        } else {
            (b, a)
        };
        self.parent[gone] = keep;
        let moved = std::mem::take(&mut self.members[gone]);
        self.members[keep].extend(moved);
        let moved = std::mem::take(&mut self.full_names[gone]);
        for g in moved {
            if !self.full_names[keep].contains(&g) {
                self.full_names[keep].push(g);
            }
        }
        self.genders[keep] |= self.genders[gone];
        true
    }

    /// Step 3: acronyms in parentheses, full names of one person, country
    /// aliases.
    fn sure_links(&mut self) {
        // Keys to groups, for aliases.
        let mut by_key: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (g, group) in self.groups.iter().enumerate() {
            let m = &self.mentions[group.mentions[0]];
            if !m.key.is_empty() {
                by_key.entry(m.key.as_str()).or_default().push(g);
            }
        }
        let mut links: Vec<(usize, usize)> = Vec::new();
        // "Name (ACR)": consecutive entities with only a bracket between.
        for i in 1..self.mentions.len() {
            let (name, acr) = (&self.mentions[i - 1], &self.mentions[i]);
            let between = self.text.get(name.span.end..acr.span.start).unwrap_or("");
            let after = self.text.get(acr.span.end..).unwrap_or("");
            if between.trim() == "("
                && after.trim_start().starts_with(')')
                && acr.acronym.as_ref().is_some_and(|a| stands_for(a, name))
            {
                links.push((self.group_of[i - 1], self.group_of[i]));
            }
        }
        // "Name (ACR)" in one entity: the alias names another group.
        for (i, m) in self.mentions.iter().enumerate() {
            let alias = key_of(&m.alias);
            if m.alias.len() == 1 && !m.is_person() && !alias.is_empty() {
                for &g in by_key.get(alias.as_str()).into_iter().flatten() {
                    links.push((self.group_of[i], g));
                }
            }
        }
        // Two full names of one person: the same surname and a first name
        // (or nickname) in common.
        let mut by_names: FxHashMap<(String, &str), Vec<usize>> = FxHashMap::default();
        for g in 0..self.groups.len() {
            if !self.is_full_name(g) {
                continue;
            }
            let m = self.first(g);
            let last = m.words[m.words.len() - 1].as_str();
            for given in std::iter::once(&m.words[0]).chain(m.alias.first()) {
                by_names.entry((given.clone(), last)).or_default().push(g);
            }
        }
        let mut buckets: Vec<Vec<usize>> = by_names.into_values().collect();
        buckets.sort();
        for bucket in buckets {
            for (k, &a) in bucket.iter().enumerate() {
                // Every pair of a bucket, up to a bound that only a text
                // written to be slow reaches.
                for &b in bucket[k + 1..].iter().take(MAX_BUCKET_PAIRS) {
                    if same_person(self.first(a), self.first(b)) {
                        links.push((a, b));
                    }
                }
            }
        }
        // Countries named several ways.
        for set in COUNTRY_ALIASES {
            let found: Vec<usize> = set
                .iter()
                .flat_map(|k| by_key.get(k).into_iter().flatten().copied())
                .filter(|&g| self.groups[g].label == "GPE")
                .collect();
            for pair in found.windows(2) {
                links.push((pair[0], pair[1]));
            }
        }
        for (a, b) in links {
            self.union(a, b);
        }
    }

    /// Step 4: short forms, longest first.
    fn short_forms(&mut self) {
        let index = ShortFormIndex::new(self);
        let mut order: Vec<usize> = (0..self.groups.len()).collect();
        order.sort_by_key(|&g| {
            let m = self.first(g);
            (
                std::cmp::Reverse(m.words.len()),
                m.gender == Gender::Unknown,
                self.groups[g].mentions[0],
            )
        });
        for s in order {
            let candidates = index.candidates(self, s);
            let own = self.find(s);
            let mut roots: Vec<usize> = candidates.into_iter().map(|l| self.find(l)).collect();
            roots.sort_unstable();
            roots.dedup();
            roots.retain(|&r| r != own && self.may_join(own, r));
            match roots.len() {
                0 => {}
                1 => {
                    self.union(own, roots[0]);
                }
                _ => self.join_nearest(s, &roots),
            }
        }
    }

    /// An ambiguous short form: group `s` joins the cluster among `roots`
    /// mentioned last before the first of its mentions that follows a
    /// mention of any of them; if none does, it stays on its own.
    fn join_nearest(&mut self, s: usize, roots: &[usize]) {
        let first_seen = roots
            .iter()
            .filter_map(|&r| self.members[r].iter().min())
            .min()
            .copied();
        let Some(first_seen) = first_seen else {
            return;
        };
        let mentions = &self.groups[s].mentions;
        let Some(&at) = mentions.iter().find(|&&m| m > first_seen) else {
            return;
        };
        // The candidate with the latest mention before `at`.
        let nearest = roots
            .iter()
            .filter_map(|&r| {
                let last = self.members[r].iter().filter(|&&m| m < at).max()?;
                Some((*last, r))
            })
            .max();
        if let Some((_, r)) = nearest {
            self.union(s, r);
        }
    }

    /// Each mention's cluster (numbered from 0 in order of first
    /// mention), and the clusters with their name and label but no
    /// mentions yet.
    fn finish(&mut self) -> (Vec<usize>, Vec<Cluster>) {
        let mut number: FxHashMap<usize, usize> = FxHashMap::default();
        let mut of_mention = Vec::with_capacity(self.mentions.len());
        // Per cluster: its fullest mention and its labels with their counts.
        let mut best: Vec<usize> = Vec::new();
        let mut labels: Vec<Vec<(&'static str, usize)>> = Vec::new();
        for m in 0..self.mentions.len() {
            let root = self.find(self.group_of[m]);
            let next = number.len();
            let c = *number.entry(root).or_insert(next);
            if c == best.len() {
                best.push(m);
                labels.push(Vec::new());
            } else if fuller(&self.mentions[m], &self.mentions[best[c]]) {
                best[c] = m;
            }
            let label = self.mentions[m].label;
            match labels[c].iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => labels[c].push((label, 1)),
            }
            of_mention.push(c);
        }
        let named = best
            .iter()
            .zip(&labels)
            .map(|(&m, counts)| {
                let name = &self.mentions[m];
                let most = counts.iter().map(|&(_, n)| n).max().unwrap_or(0);
                let label = if counts.iter().any(|&(l, n)| l == name.label && n == most) {
                    name.label
                } else {
                    counts
                        .iter()
                        .find(|&&(_, n)| n == most)
                        .map_or(name.label, |&(l, _)| l)
                };
                Cluster {
                    name: name.name,
                    label,
                    mentions: Vec::new(),
                }
            })
            .collect();
        (of_mention, named)
    }
}

/// Whether mention `a` names its cluster better than `b`, which comes
/// first: not a compound, then more words.
fn fuller(a: &Mention, b: &Mention) -> bool {
    (!a.compound, a.words.len()) > (!b.compound, b.words.len())
}

/// Whether two full names (see [`Sieve::is_full_name`]) may be one person:
/// one is the beginning or end of the other, or they have the same surname,
/// a first name or nickname in common, and no two different middle names.
fn same_person(a: &Mention, b: &Mention) -> bool {
    let (short, long) = if a.words.len() <= b.words.len() {
        (&a.words, &b.words)
    } else {
        (&b.words, &a.words)
    };
    if long.starts_with(short) || long.ends_with(short) {
        return true;
    }
    let (la, lb) = (&a.words[a.words.len() - 1], &b.words[b.words.len() - 1]);
    if la != lb {
        return false;
    }
    let given = |m: &'_ Mention| -> Vec<String> {
        std::iter::once(m.words[0].clone())
            .chain(m.alias.first().cloned())
            .collect()
    };
    let (ga, gb) = (given(a), given(b));
    if !ga.iter().any(|x| gb.contains(x)) {
        return false;
    }
    let middle = |m: &Mention| -> String {
        m.words[1..m.words.len() - 1]
            .iter()
            .flat_map(|w| {
                // A short word is initials ("W", "HW"); a longer one a name.
                let n = if w.chars().count() <= 2 { 2 } else { 1 };
                w.chars().take(n)
            })
            .collect()
    };
    let (ma, mb) = (middle(a), middle(b));
    ma.is_empty() || mb.is_empty() || ma == mb
}

/// Whether acronym `acr` may stand for mention `name`: its first letter is
/// the name's first (a stop word skipped), and the name is not a person.
fn stands_for(acr: &str, name: &Mention) -> bool {
    if name.is_person() {
        return false;
    }
    let first_content = name
        .words
        .iter()
        .find(|w| !STOP_WORDS.contains(&w.as_str()))
        .and_then(|w| w.chars().next());
    first_content.is_some() && acr.chars().next() == first_content
}

/// Where the short forms of step 4 look their candidates up.
struct ShortFormIndex {
    /// `first words` / `last words` of people's full names (and a
    /// nickname) to the groups of those names.
    person: FxHashMap<String, Vec<usize>>,
    /// `(label, first or last words)` of other names of two words or more.
    other: FxHashMap<(&'static str, String), Vec<usize>>,
    /// `(label, initials)` of names of two words or more.
    initials: FxHashMap<(&'static str, String), Vec<usize>>,
    /// `(key, class)` of people's names with a gendered title.
    titled: FxHashMap<(String, &'static str), Vec<usize>>,
}

/// The most names of one bucket of step 3 that one name is compared with.
const MAX_BUCKET_PAIRS: usize = 64;

/// Names longer than this many words are indexed by their first and last
/// few words only, so that time stays linear in the text.
const MAX_SHORT_WORDS: usize = 6;

impl ShortFormIndex {
    fn new(sieve: &Sieve) -> Self {
        let mut index = ShortFormIndex {
            person: FxHashMap::default(),
            other: FxHashMap::default(),
            initials: FxHashMap::default(),
            titled: FxHashMap::default(),
        };
        for (g, group) in sieve.groups.iter().enumerate() {
            let m = sieve.first(g);
            let n = m.words.len();
            if m.gender != Gender::Unknown {
                index
                    .titled
                    .entry((m.key.clone(), label_class(group.label)))
                    .or_default()
                    .push(g);
            }
            if n >= 2 && !m.slash {
                for a in initials(&m.words) {
                    index.initials.entry((group.label, a)).or_default().push(g);
                }
            }
            // A compound is only the long form of a shorter compound with
            // the same slash ("MGM/UA" of "MGM/UA Communications").
            if n < 2 || (m.compound && !m.slash) {
                continue;
            }
            let full = sieve.is_full_name(g);
            for k in 1..n.min(MAX_SHORT_WORDS + 1) {
                for key in [m.words[..k].join(" "), m.words[n - k..].join(" ")] {
                    if full {
                        push_once(index.person.entry(key).or_default(), g);
                    } else if !m.slash || key.contains('/') {
                        push_once(index.other.entry((group.label, key)).or_default(), g);
                    }
                }
            }
            if full {
                if let Some(nick) = m.alias.first() {
                    push_once(index.person.entry(nick.clone()).or_default(), g);
                }
            }
        }
        index
    }

    /// The groups that group `s` may be a short form of.
    fn candidates(&self, sieve: &Sieve, s: usize) -> Vec<usize> {
        let m = sieve.first(s);
        let label = sieve.groups[s].label;
        let n = m.words.len();
        let mut out = Vec::new();
        if n == 0 || (m.compound && !m.slash) {
            return out;
        }
        let words = m.words.join(" ");
        let longer = |g: &usize| sieve.first(*g).words.len() > n;
        if !m.compound && (label == "PERSON" || (n == 1 && matches!(label, "ORG" | "GPE"))) {
            if let Some(list) = self.person.get(&words) {
                out.extend(list.iter().copied().filter(longer));
            }
        }
        if label != "PERSON" && (!m.slash || words.contains('/')) {
            if let Some(list) = self.other.get(&(label, words.clone())) {
                out.extend(list.iter().copied().filter(longer));
            }
        }
        if let Some(acr) = &m.acronym {
            if let Some(list) = self.initials.get(&(label, acr.clone())) {
                out.extend(list.iter().copied().filter(|&g| g != s));
            }
        }
        if m.gender == Gender::Unknown && label == "PERSON" {
            if let Some(list) = self.titled.get(&(m.key.clone(), label_class(label))) {
                out.extend(list.iter().copied());
            }
        }
        out
    }
}

/// Pushes `g` unless it is already the last of `list`.
fn push_once(list: &mut Vec<usize>, g: usize) {
    if list.last() != Some(&g) {
        list.push(g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entities for `text`: each `(name, label)` is the next occurrence of
    /// `name` after the previous entity. All names are invented.
    fn entities(text: &str, names: &[(&str, &'static str)]) -> Vec<Entity> {
        let mut at = 0;
        names
            .iter()
            .map(|&(name, label)| {
                let start = at + text[at..].find(name).unwrap_or_else(|| panic!("{name}"));
                at = start + name.len();
                Entity {
                    span: Span::new(start, at),
                    label,
                    score: 1.0,
                }
            })
            .collect()
    }

    /// The clusters of `names` in `text`, each as its mentions' texts.
    fn groups(text: &str, names: &[(&str, &'static str)]) -> Vec<Vec<String>> {
        let ents = entities(text, names);
        let clusters = clusters(text, &ents);
        check(&ents, &clusters);
        clusters
            .iter()
            .map(|c| {
                c.mentions
                    .iter()
                    .map(|&i| ents[i].span.slice(text).to_string())
                    .collect()
            })
            .collect()
    }

    /// Every entity in exactly one cluster, clusters in order of first
    /// mention, mentions in order.
    fn check(ents: &[Entity], clusters: &[Cluster]) {
        let mut seen = vec![0; ents.len()];
        for c in clusters {
            assert!(!c.mentions.is_empty());
            assert!(c.mentions.windows(2).all(|w| w[0] < w[1]), "{clusters:?}");
            for &m in &c.mentions {
                seen[m] += 1;
            }
        }
        assert!(seen.iter().all(|&n| n == 1), "{clusters:?}");
        assert!(clusters
            .windows(2)
            .all(|w| w[0].mentions[0] < w[1].mentions[0]));
    }

    /// The cluster holding `mention` (its text), as its mentions' texts.
    fn cluster_of<'g>(groups: &'g [Vec<String>], mention: &str) -> &'g [String] {
        groups
            .iter()
            .find(|g| g.iter().any(|m| m == mention))
            .unwrap_or_else(|| panic!("no cluster holds {mention}: {groups:?}"))
    }

    #[test]
    fn case_and_spacing_variants_are_one_name() {
        let text = "Tallis Motors grew. TALLIS MOTORS said so. Tallis  Motors hired. \
                    Tallis-Motors agreed. The U.S. office and the US office.";
        let g = groups(
            text,
            &[
                ("Tallis Motors", "ORG"),
                ("TALLIS MOTORS", "ORG"),
                ("Tallis  Motors", "ORG"),
                ("Tallis-Motors", "ORG"),
                ("U.S.", "GPE"),
                ("US", "GPE"),
            ],
        );
        assert_eq!(g.len(), 2, "{g:?}");
        assert_eq!(g[0].len(), 4);
        assert_eq!(g[1], ["U.S.", "US"]);
    }

    #[test]
    fn a_person_by_surname_first_name_and_title() {
        let text = "Margaret Alvarez opened the mill. Alvarez said it would hire. \
                    Ms Alvarez smiled. Dr. Alvarez left. Margaret waved.";
        let g = groups(
            text,
            &[
                ("Margaret Alvarez", "PERSON"),
                ("Alvarez", "PERSON"),
                ("Ms Alvarez", "PERSON"),
                ("Dr. Alvarez", "PERSON"),
                ("Margaret", "PERSON"),
            ],
        );
        assert_eq!(g.len(), 1, "{g:?}");
    }

    #[test]
    fn a_surname_may_come_before_the_full_name() {
        let text = "Quiroga spoke first. Then Ana Quiroga, the mayor, spoke again.";
        let g = groups(text, &[("Quiroga", "PERSON"), ("Ana Quiroga", "PERSON")]);
        assert_eq!(g.len(), 1, "{g:?}");
    }

    #[test]
    fn a_nickname_in_parentheses() {
        let text = "Margaret (Peggy) Alvarez won. Peggy Alvarez thanked Tomas Reyes. \
                    Alvarez left early and Peggy came back.";
        let ents = entities(
            text,
            &[
                ("Margaret (Peggy) Alvarez", "PERSON"),
                ("Peggy Alvarez", "PERSON"),
                ("Tomas Reyes", "PERSON"),
                ("Alvarez", "PERSON"),
                ("Peggy", "PERSON"),
            ],
        );
        let clusters = clusters(text, &ents);
        check(&ents, &clusters);
        assert_eq!(clusters.len(), 2, "{clusters:?}");
        assert_eq!(clusters[0].mentions, [0, 1, 3, 4]);
        assert_eq!(clusters[0].name.slice(text), "Margaret (Peggy) Alvarez");
        assert_eq!(clusters[0].label, "PERSON");
    }

    #[test]
    fn an_acronym_in_parentheses_and_apart() {
        let text = "the Baltic Freight Council (BFC) met. Later the BFC voted. \
                    The Baltic Freight Council's chair left.";
        let g = groups(
            text,
            &[
                ("the Baltic Freight Council", "ORG"),
                ("BFC", "ORG"),
                ("BFC", "ORG"),
                ("The Baltic Freight Council's", "ORG"),
            ],
        );
        assert_eq!(g.len(), 1, "{g:?}");
        // Apart only: the acronym before its expansion, no parentheses.
        let text = "The NMFU struck. The Northern Mill Fitters Union asked for more.";
        let g = groups(
            text,
            &[("NMFU", "ORG"), ("The Northern Mill Fitters Union", "ORG")],
        );
        assert_eq!(g.len(), 1, "{g:?}");
        // An acronym in the entity itself.
        let text = "Kestrel Data Group (KDG) grew. KDG hired.";
        let g = groups(text, &[("Kestrel Data Group (KDG)", "ORG"), ("KDG", "ORG")]);
        assert_eq!(g.len(), 1, "{g:?}");
    }

    #[test]
    fn a_place_in_parentheses_is_no_acronym() {
        let text = "Tallis Motors (Sweden) grew. Sweden cheered.";
        let g = groups(
            text,
            &[("Tallis Motors (Sweden)", "ORG"), ("Sweden", "GPE")],
        );
        assert_eq!(g.len(), 2, "{g:?}");
    }

    #[test]
    fn an_acronym_needs_its_initials() {
        let text = "The Baltic Freight Council met the NMFU.";
        let g = groups(
            text,
            &[("The Baltic Freight Council", "ORG"), ("NMFU", "ORG")],
        );
        assert_eq!(g.len(), 2, "{g:?}");
    }

    #[test]
    fn an_acronym_of_a_name_with_and() {
        let text = "The Office of Ports and Fisheries (OPF) ruled. The OPF appealed.";
        let g = groups(
            text,
            &[
                ("The Office of Ports and Fisheries", "ORG"),
                ("OPF", "ORG"),
                ("OPF", "ORG"),
            ],
        );
        assert_eq!(g.len(), 1, "{g:?}");
    }

    #[test]
    fn possessives_and_a_leading_the() {
        let text = "Alvarez's plan won. Alvarez’ critics left. The Corvin Trust's board and \
                    the Corvin Trust agreed with Corvin Trust.";
        let ents = entities(
            text,
            &[
                ("Alvarez's", "PERSON"),
                ("Alvarez’", "PERSON"),
                ("The Corvin Trust's", "ORG"),
                ("the Corvin Trust", "ORG"),
                ("Corvin Trust", "ORG"),
            ],
        );
        let clusters = clusters(text, &ents);
        check(&ents, &clusters);
        assert_eq!(clusters.len(), 2, "{clusters:?}");
        // The name drops the possessive and the leading "the".
        assert_eq!(clusters[0].name.slice(text), "Alvarez");
        assert_eq!(clusters[1].name.slice(text), "Corvin Trust");
    }

    #[test]
    fn company_forms_and_short_forms_of_organisations() {
        let text = "Tallis Motors Inc. said Tallis Motors and Tallis would merge with \
                    the Lund Port Authority; the Port Authority agreed.";
        let g = groups(
            text,
            &[
                ("Tallis Motors Inc.", "ORG"),
                ("Tallis Motors", "ORG"),
                ("Tallis", "ORG"),
                ("the Lund Port Authority", "ORG"),
                ("the Port Authority", "ORG"),
            ],
        );
        assert_eq!(g.len(), 2, "{g:?}");
        assert_eq!(g[0].len(), 3);
    }

    #[test]
    fn two_full_names_never_merge_and_a_bare_surname_joins_the_nearest_before() {
        let text = "Margaret Alvarez and her cousin Luis Alvarez opened a shop. \
                    Alvarez said the shop would open on Monday. Later Alvarez left.";
        let g = groups(
            text,
            &[
                ("Margaret Alvarez", "PERSON"),
                ("Luis Alvarez", "PERSON"),
                ("Alvarez", "PERSON"),
                ("Alvarez", "PERSON"),
            ],
        );
        assert_eq!(g.len(), 2, "{g:?}");
        assert_eq!(g[0], ["Margaret Alvarez"]);
        assert_eq!(g[1], ["Luis Alvarez", "Alvarez", "Alvarez"]);
        // Before either full name, a bare surname is ambiguous: it stays alone.
        let text = "Alvarez spoke. Margaret Alvarez and Luis Alvarez listened.";
        let g = groups(
            text,
            &[
                ("Alvarez", "PERSON"),
                ("Margaret Alvarez", "PERSON"),
                ("Luis Alvarez", "PERSON"),
            ],
        );
        assert_eq!(g.len(), 3, "{g:?}");
    }

    #[test]
    fn different_full_names_never_merge_even_through_a_shared_short_form() {
        // "Alvarez" may link to one of them, never both.
        let text = "Margaret Alvarez, Alvarez, Luis Alvarez, Alvarez, Margaret Alvarez.";
        let g = groups(
            text,
            &[
                ("Margaret Alvarez", "PERSON"),
                ("Alvarez", "PERSON"),
                ("Luis Alvarez", "PERSON"),
                ("Alvarez", "PERSON"),
                ("Margaret Alvarez", "PERSON"),
            ],
        );
        assert!(!cluster_of(&g, "Margaret Alvarez").contains(&"Luis Alvarez".to_string()));
        // Middle initials: the same person with or without one, not with
        // another.
        let text = "Ana R. Quiroga met Ana Quiroga's aide and Ana T. Quiroga.";
        let g = groups(
            text,
            &[
                ("Ana R. Quiroga", "PERSON"),
                ("Ana Quiroga's", "PERSON"),
                ("Ana T. Quiroga", "PERSON"),
            ],
        );
        assert!(!cluster_of(&g, "Ana R. Quiroga").contains(&"Ana T. Quiroga".to_string()));
        assert_eq!(g.len(), 2, "{g:?}");
    }

    #[test]
    fn names_joined_by_a_slash_or_and_never_merge() {
        let text = "Korvex/Danlo shares fell. Korvex said Danlo would sue. \
                    Korvex and Danlo declined. Korvex/Danlo Media closed.";
        let ents = entities(
            text,
            &[
                ("Korvex/Danlo", "ORG"),
                ("Korvex", "ORG"),
                ("Danlo", "ORG"),
                ("Korvex and Danlo", "ORG"),
                ("Korvex/Danlo Media", "ORG"),
            ],
        );
        let clusters = clusters(text, &ents);
        check(&ents, &clusters);
        let of = |i: usize| clusters.iter().position(|c| c.mentions.contains(&i));
        assert_ne!(of(1), of(2), "{clusters:?}");
        for compound in [0, 3, 4] {
            assert_ne!(of(compound), of(1), "{clusters:?}");
            assert_ne!(of(compound), of(2), "{clusters:?}");
        }
        // A longer compound is the same compound (as "MGM/UA" in "MGM/UA
        // Communications").
        assert_eq!(of(0), of(4));
        // The same words without the slash are another name (as `Merrill
        // Lynch`, whose parts are short forms of it): not the compound's.
        let text = "Korvex/Danlo fell. Korvex Danlo rose. Korvex and Danlo.";
        let g = groups(
            text,
            &[
                ("Korvex/Danlo", "ORG"),
                ("Korvex Danlo", "ORG"),
                ("Korvex", "ORG"),
                ("Danlo", "ORG"),
            ],
        );
        assert_eq!(cluster_of(&g, "Korvex/Danlo"), ["Korvex/Danlo"], "{g:?}");
        // "or" joins two names too.
        let text = "Korvex or Danlo, said Korvex; Danlo did not.";
        let g = groups(
            text,
            &[
                ("Korvex or Danlo", "ORG"),
                ("Korvex", "ORG"),
                ("Danlo", "ORG"),
            ],
        );
        assert_eq!(g.len(), 3, "{g:?}");
        // With a space around the slash, and people.
        let text = "Korvex / Danlo and Korvex. Ines and Rui Okafor met Rui Okafor.";
        let g = groups(
            text,
            &[
                ("Korvex / Danlo", "ORG"),
                ("Korvex", "ORG"),
                ("Ines and Rui Okafor", "PERSON"),
                ("Rui Okafor", "PERSON"),
            ],
        );
        assert_eq!(g.len(), 4, "{g:?}");
    }

    #[test]
    fn a_surname_tagged_org_once_joins_the_person() {
        let text = "Ines Okafor runs the port. Okafor said it would grow. Okafor left.";
        let ents = entities(
            text,
            &[
                ("Ines Okafor", "PERSON"),
                ("Okafor", "ORG"),
                ("Okafor", "PERSON"),
            ],
        );
        let clusters = clusters(text, &ents);
        check(&ents, &clusters);
        assert_eq!(clusters.len(), 1, "{clusters:?}");
        assert_eq!(clusters[0].label, "PERSON");
    }

    /// The texts of the entities [`person_short_forms`] relabels.
    fn short_forms(
        text: &str,
        names: &[(&str, &'static str)],
        person: &'static str,
    ) -> Vec<String> {
        let ents = entities(text, names);
        person_short_forms(text, &ents, person)
            .into_iter()
            .map(|i| ents[i].span.slice(text).to_string())
            .collect()
    }

    #[test]
    fn a_surname_read_as_an_organisation_is_the_person() {
        // Before or after the full name, with a possessive.
        let text = "Vorenko's plan was new. Dalia Vorenko spoke. Vorenko said no.";
        let names = [
            ("Vorenko's", "ORG"),
            ("Dalia Vorenko", "PERSON"),
            ("Vorenko", "ORG"),
        ];
        assert_eq!(
            short_forms(text, &names, "PERSON"),
            ["Vorenko's", "Vorenko"]
        );
        // A first name too; a CoNLL-2003 model's label for people.
        let text = "Dalia Vorenko spoke. Dalia said no.";
        let names = [("Dalia Vorenko", "PER"), ("Dalia", "ORG")];
        assert_eq!(short_forms(text, &names, "PER"), ["Dalia"]);
        assert!(short_forms(text, &names, "PERSON").is_empty());
    }

    #[test]
    fn a_full_name_read_as_an_organisation_once_is_the_person() {
        // Read ORG once after a title, PERSON twice: the ORG reading is the
        // person's, and no firm keeps the surname alone an organisation.
        let text = "Its co-founder Tobias Marrant spoke. Tobias Marrant left. \
                    Marrant said no. Tobias Marrant's lawyer agreed.";
        let names = [
            ("Tobias Marrant", "ORG"),
            ("Tobias Marrant", "PERSON"),
            ("Marrant", "ORG"),
            ("Tobias Marrant's", "PERSON"),
        ];
        assert_eq!(
            short_forms(text, &names, "PERSON"),
            ["Tobias Marrant", "Marrant"]
        );
        // As often an organisation as a person, or more often: it stays
        // one, and so does the word alone.
        let text = "Tobias Marrant rose. Tobias Marrant fell. Tobias Marrant won. Marrant paid.";
        let tie = [
            ("Tobias Marrant", "PERSON"),
            ("Tobias Marrant", "ORG"),
            ("Marrant", "ORG"),
        ];
        assert!(short_forms(text, &tie, "PERSON").is_empty());
        let more = [
            ("Tobias Marrant", "PERSON"),
            ("Tobias Marrant", "ORG"),
            ("Tobias Marrant", "ORG"),
            ("Marrant", "ORG"),
        ];
        assert!(short_forms(text, &more, "PERSON").is_empty());
    }

    #[test]
    fn only_texts_the_surname_step_can_change_are_read() {
        // A full name read ORG, shared with a person: worth reading.
        let text = "Tobias Marrant spoke. Tobias Marrant's lawyer agreed.";
        let names = [("Tobias Marrant", "ORG"), ("Tobias Marrant's", "PERSON")];
        assert!(worth_reading(text, &entities(text, &names), "PERSON"));
        // A firm of two words beside a person who shares none of them,
        // no ORG at all, or no full name of a person: nothing to change.
        let text = "Dalia Vorenko left Korvex Holdings for Danlo.";
        let names = [("Dalia Vorenko", "PERSON"), ("Korvex Holdings", "ORG")];
        assert!(!worth_reading(text, &entities(text, &names), "PERSON"));
        let names = [("Dalia Vorenko", "PERSON"), ("Danlo", "GPE")];
        assert!(!worth_reading(text, &entities(text, &names), "PERSON"));
        let names = [("Vorenko", "PERSON"), ("Danlo", "ORG")];
        assert!(!worth_reading(text, &entities(text, &names), "PERSON"));
        // Any ORG of one word beside a full name: worth reading.
        let names = [("Dalia Vorenko", "PERSON"), ("Danlo", "ORG")];
        assert!(worth_reading(text, &entities(text, &names), "PERSON"));
    }

    #[test]
    fn a_surname_stays_an_organisation_without_a_full_name_or_beside_a_firm() {
        // The firm named after its founder keeps its label.
        let text = "Harlan Pruett founded Pruett Holdings Inc. Pruett grew.";
        let names = [
            ("Harlan Pruett", "PERSON"),
            ("Pruett Holdings Inc.", "ORG"),
            ("Pruett", "ORG"),
        ];
        assert!(short_forms(text, &names, "PERSON").is_empty());
        // A title is not a first name; a place is not read as a firm; a
        // name of two words is not a short form.
        let text = "Mr. Vorenko spoke. Vorenko said no. Ines Marbury left Marbury \
                    for Marbury Vale.";
        let names = [
            ("Mr. Vorenko", "PERSON"),
            ("Vorenko", "ORG"),
            ("Ines Marbury", "PERSON"),
            ("Marbury", "GPE"),
            ("Marbury Vale", "ORG"),
        ];
        assert!(short_forms(text, &names, "PERSON").is_empty());
        // Two people joined by "and" are no full name.
        let text = "Okafor and Reyes met. Reyes left.";
        let names = [("Okafor and Reyes", "PERSON"), ("Reyes", "ORG")];
        assert!(short_forms(text, &names, "PERSON").is_empty());
    }

    #[test]
    fn labels_that_are_not_confused_stay_apart() {
        // A product named after its maker, a law after its place: not one.
        let text = "Tallis sold the Tallis in Lund under the Lund Accord.";
        let g = groups(
            text,
            &[
                ("Tallis", "ORG"),
                ("Tallis", "PRODUCT"),
                ("Lund", "GPE"),
                ("Lund Accord", "LAW"),
            ],
        );
        assert_eq!(g.len(), 4, "{g:?}");
        // A prefix of another label's name is not a short form of it.
        let text = "Lund voted. Lund Harbour Bank lent.";
        let g = groups(text, &[("Lund", "GPE"), ("Lund Harbour Bank", "ORG")]);
        assert_eq!(g.len(), 2, "{g:?}");
    }

    #[test]
    fn titles_of_two_genders_are_two_people() {
        let text = "Mr. Alvarez met Ms. Alvarez. Mr. Alvarez left.";
        let g = groups(
            text,
            &[
                ("Mr. Alvarez", "PERSON"),
                ("Ms. Alvarez", "PERSON"),
                ("Mr. Alvarez", "PERSON"),
            ],
        );
        assert_eq!(g, [vec!["Mr. Alvarez", "Mr. Alvarez"], vec!["Ms. Alvarez"]]);
    }

    #[test]
    fn country_aliases() {
        let text = "The United States and America, the U.S., the USA; Britain and the UK.";
        let g = groups(
            text,
            &[
                ("United States", "GPE"),
                ("America", "GPE"),
                ("U.S.", "GPE"),
                ("USA", "GPE"),
                ("Britain", "GPE"),
                ("UK", "GPE"),
            ],
        );
        assert_eq!(g.len(), 2, "{g:?}");
        assert_eq!(g[0].len(), 4);
    }

    #[test]
    fn values_group_only_when_written_the_same() {
        let text = "On Monday, 40 jobs; on monday, 40 jobs and 12 more.";
        let g = groups(
            text,
            &[
                ("Monday", "DATE"),
                ("40", "CARDINAL"),
                ("monday", "DATE"),
                ("40", "CARDINAL"),
                ("12", "CARDINAL"),
            ],
        );
        assert_eq!(g, [vec!["Monday", "monday"], vec!["40", "40"], vec!["12"]]);
    }

    #[test]
    fn the_name_is_the_fullest_mention_and_the_label_the_most_frequent() {
        let text = "Tallis Marine grew. Tallis Marine Engines Ltd hired. Tallis Marine \
                    said so, and Tallis agreed.";
        let ents = entities(
            text,
            &[
                ("Tallis Marine", "ORG"),
                ("Tallis Marine Engines Ltd", "ORG"),
                ("Tallis Marine", "GPE"),
                ("Tallis", "ORG"),
            ],
        );
        let clusters = clusters(text, &ents);
        assert_eq!(clusters.len(), 1, "{clusters:?}");
        assert_eq!(clusters[0].name.slice(text), "Tallis Marine Engines Ltd");
        assert_eq!(clusters[0].label, "ORG");
    }

    #[test]
    fn odd_entities_do_not_panic() {
        let text = "“ ” ( ) / and the 's";
        let spans = [
            (0, 3),
            (4, 7),
            (8, 9),
            (12, 13),
            (14, 17),
            (18, 21),
            (22, 24),
        ];
        let mut ents: Vec<Entity> = spans
            .iter()
            .map(|&(s, e)| Entity {
                span: Span::new(s, e),
                label: "ORG",
                score: 0.5,
            })
            .collect();
        // Out of the text, or not on a character boundary.
        ents.push(Entity {
            span: Span::new(1, 2),
            label: "PERSON",
            score: 0.5,
        });
        ents.push(Entity {
            span: Span::new(90, 99),
            label: "PERSON",
            score: 0.5,
        });
        let clusters = clusters(text, &ents);
        check(&ents, &clusters);
        assert!(super::clusters("", &[]).is_empty());
    }

    #[test]
    fn many_names_take_about_linear_time() {
        // 60,000 entities: people sharing surnames, organisations sharing
        // first words, acronyms, all in one text.
        let mut text = String::new();
        let mut names: Vec<(usize, usize, &'static str)> = Vec::new();
        let mut push = |text: &mut String, s: &str, label: &'static str| {
            let start = text.len();
            text.push_str(s);
            names.push((start, text.len(), label));
            text.push_str(", ");
        };
        for i in 0..10_000 {
            push(
                &mut text,
                &format!("Given{} Surname{}", i, i % 50),
                "PERSON",
            );
            push(&mut text, &format!("Surname{}", i % 50), "PERSON");
            push(&mut text, &format!("Harbour{} Bank{}", i % 30, i), "ORG");
            push(&mut text, &format!("Harbour{}", i % 30), "ORG");
            push(&mut text, "HB", "ORG");
            push(&mut text, &format!("{} May", i % 28 + 1), "DATE");
        }
        let ents: Vec<Entity> = names
            .iter()
            .map(|&(s, e, label)| Entity {
                span: Span::new(s, e),
                label,
                score: 1.0,
            })
            .collect();
        let t0 = std::time::Instant::now();
        let clusters = clusters(&text, &ents);
        check(&ents, &clusters);
        let secs = t0.elapsed().as_secs_f64();
        assert!(secs < 5.0, "{secs:.2} s");
    }
}
