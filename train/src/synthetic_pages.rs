//! Synthetic web pages for training (issue #17): a copy of a corpus
//! document dressed as a news page is, with a headline in Headline Case, a
//! byline (`By Name`; `Name, Job Title, Date`; `Name` over `Job Title,
//! Publication`), a signature (`— Name, Job Title, Publication`), a list of
//! other stories' headlines and bylines after it, and money written the way
//! pages abbreviate it (`$92B`, `€3bn`, `$1.5M`); now and then a sentence
//! of our own about an invented product of a maker the corpus names
//! (`Maker Line 10 Pro`), and on most pages a sentence or two citing a
//! publication as a source (`Maker confirmed to Market Lantern that ...`).
//!
//! The labels come with the construction, by the OntoNotes guidelines: the
//! name is a PERSON, the publication an ORG, the date a DATE, the money a
//! MONEY with its currency sign, the product (maker's name included) a
//! PRODUCT; a job title is no entity, and neither is
//! the dash before a signature. The added lines are tokenized by our own
//! tokenizer (a page's text is), each a sentence of its own; the body keeps
//! the corpus' tokens and sentences. [`SyntheticPage::constructed`] marks the
//! tokens whose labels only the construction knows (the added lines and the
//! rewritten money): a distilled model learns those from the labels alone,
//! not from teachers that never saw such text.
//!
//! The names are those of the corpus' own PERSON entities; the job titles
//! are a list written here; a publication is, half the time, an everyday
//! two-word phrase of the corpus capitalised (`Real Estate`), else one of a
//! list of invented ones (many real publications are named by everyday
//! words, and a list alone is learnt by heart rather than the slot); the
//! headlines are short sentences of the corpus' newswire and magazine
//! documents that name something.

use crate::corpus::{CaseChange, Doc};
use newsmark::internals::segment::tokens::tokenize;
use newsmark::Span;

/// Job titles as bylines give them (none is an entity).
const TITLES: &[&str] = &[
    "Editor",
    "Senior Editor",
    "News Editor",
    "Managing Editor",
    "Executive Editor",
    "Deputy Editor",
    "Assistant Editor",
    "Contributing Editor",
    "Features Editor",
    "Business Editor",
    "Technology Editor",
    "Mobile Editor",
    "Sports Editor",
    "Photo Editor",
    "Digital Editor",
    "Global Group Editor",
    "International Group Editor",
    "Editor-in-Chief",
    "Editor-at-large",
    "Staff Writer",
    "Senior Writer",
    "Contributing Writer",
    "Reporter",
    "Senior Reporter",
    "Correspondent",
    "Chief Correspondent",
    "Senior Correspondent",
    "Columnist",
    "Chief Analyst",
    "Principal Analyst",
    "Research Director",
    "Content Director",
    "Producer",
    "Senior Producer",
];

/// Publications, invented from everyday words (ORG).
const PUBLICATIONS: &[&str] = &[
    "Morning Ledger",
    "Open Circuit",
    "Signal Street",
    "The Daily Compass",
    "Harbor Review",
    "Field Notes",
    "Grid Weekly",
    "Market Lantern",
    "The Evening Courier",
    "Copper Wire",
    "Network Pulse",
    "The Valley Sentinel",
    "Tech Harvest",
    "Bright Signal",
    "The Weekly Anchor",
    "Metro Bulletin",
    "Common Ground",
    "The Northern Star",
    "Data Current",
    "Capital Brief",
    "Frontline Report",
    "The Coastal Times",
    "Fast Lane",
    "Clear Channel News",
    "Plain Dealing",
    "Mobile World Watch",
    "The Tribune Desk",
    "Paper Trail",
    "Clear Thinking",
    "Smart Sourcing",
    "Daily Trading",
    "Quick Charging",
    "Deep Mining",
    "Fair Dealing",
    "Open Banking Today",
    "Sound Investing",
    "Plain Speaking",
    "Fast Shipping",
    "Hard Selling",
    "Good Building",
    "Rural Living",
    "Smart Farming",
    "Early Warning",
    "Cloud Computing Weekly",
    "The Planning Desk",
    "Network Sharing",
    "Bright Lighting",
    "Steady Growing",
];

/// Places a job title may add (`Assistant Editor, Europe`), with labels.
const DESKS: &[(&str, &str)] = &[
    ("Europe", "LOC"),
    ("Asia", "LOC"),
    ("Africa", "LOC"),
    ("US", "GPE"),
    ("Washington", "GPE"),
    ("London", "GPE"),
    ("Beijing", "GPE"),
];

/// Product lines of invented devices (`Maker Line 10 Pro` is a PRODUCT).
const PRODUCT_LINES: &[&str] = &[
    "Nova", "Vista", "Orbit", "Aero", "Edge", "Spark", "Zen", "Atlas", "Comet", "Flex", "Halo",
    "Prime", "Quest", "Pulse", "Arc", "Vertex", "Drift", "Echo", "Summit", "Glide",
];

/// What follows a product's number.
const PRODUCT_TIERS: &[&str] = &[
    "", " Pro", " Plus", " Max", " Lite", " Mini", " Ultra", " S",
];

/// Sentences of our own about a product: `{M}` the maker (ORG), `{P}` the
/// product (PRODUCT), `{D}` a month (DATE), `{$}` a price (MONEY).
const PRODUCT_SENTENCES: &[&str] = &[
    "{M} said the {P} would go on sale in {D}.",
    "Some carriers will not offer the {P}, {M} said.",
    "The {P} costs {$} without a contract.",
    "Reviewers liked the camera of the {P} more than its battery.",
    "{M} has sold fewer of the {P} than it hoped.",
    "Buyers of the {P} can trade in an older phone.",
];

/// Sentences of our own that cite a publication as a source (`{S}`, an
/// ORG), as articles cite the publication they appear in: about a maker of
/// the corpus (`{M}`, an ORG) or a person of the corpus (`{N}`).
const SOURCE_SENTENCES: &[&str] = &[
    "{M} confirmed to {S} that the talks were still going on.",
    "A spokesperson for {M} told {S} that the company had no comment.",
    "{N} told {S} in an interview that the plan was on track.",
    "Speaking to {S}, {N} said the deal was not dead.",
    "{S} has learned that {M} is weighing a sale of the unit.",
    "{M} did not reply when contacted by {S}.",
    "As {S} reported earlier, {M} plans to cut jobs.",
    "In a statement sent to {S}, {M} said it would appeal.",
    "{N} said as much to {S} when the two last spoke.",
    "Readers of {S} will know the story well.",
    "{S} understands that {M} has hired advisers.",
    "According to {S}, {N} will step down next year.",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A training document dressed as a web page.
#[derive(Clone, Debug)]
pub struct SyntheticPage {
    /// The page: headline, byline, body, signature, other stories.
    pub doc: Doc,
    /// For each token: its label is known from the construction alone.
    pub constructed: Vec<bool>,
}

/// What the synthetic pages draw on: the corpus' person names and short sentences.
#[derive(Clone, Debug)]
pub struct SyntheticPages {
    names: Vec<String>,
    /// One-word organisation names (makers of the invented products).
    makers: Vec<String>,
    /// Short sentences as (document, first token, end token).
    headlines: Vec<(usize, usize, usize)>,
    /// Everyday two-word phrases of the corpus (`real estate`), for names
    /// made of a common phrase.
    phrases: Vec<String>,
}

/// A small deterministic generator (SplitMix64): the same corpus and
/// document number give the same page.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The document being built: text, tokens, sentences, entities, and which
/// tokens are constructed.
#[derive(Default)]
struct Page {
    text: String,
    tokens: Vec<Span>,
    sentences: Vec<Span>,
    entities: Vec<(Span, String)>,
    constructed: Vec<bool>,
}

impl Page {
    /// Appends one line of `parts` (text, label), tokenized by our
    /// tokenizer part by part, as a sentence of its own.
    fn line(&mut self, parts: &[(&str, Option<&str>)]) {
        self.break_line();
        let first = self.tokens.len();
        for (text, label) in parts {
            let at = self.text.len();
            self.text.push_str(text);
            let spans = tokenize(text);
            let (Some(a), Some(b)) = (spans.first(), spans.last()) else {
                continue;
            };
            if let Some(label) = label {
                self.entities
                    .push((Span::new(at + a.start, at + b.end), label.to_string()));
            }
            for s in &spans {
                self.tokens.push(Span::new(at + s.start, at + s.end));
                self.constructed.push(true);
            }
        }
        self.close_sentence(first);
    }

    /// Ends the text's current line, if it has one.
    fn break_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// Makes the tokens from `first` on a sentence (if there are any).
    fn close_sentence(&mut self, first: usize) {
        if let (Some(a), Some(b)) = (self.tokens.get(first), self.tokens.last()) {
            self.sentences.push(Span::new(a.start, b.end));
        }
    }

    /// Appends tokens `lo..hi` of `doc` (with the text between them, and its
    /// entities and sentences inside the range), abbreviating money if
    /// `abbreviate`, in Headline Case if `title`, as the current line's
    /// continuation. Returns false (appending nothing) if the range cuts an
    /// entity or a sentence is left without tokens.
    fn copy(
        &mut self,
        doc: &Doc,
        lo: usize,
        hi: usize,
        abbreviate: bool,
        title: bool,
        rng: &mut Rng,
    ) -> bool {
        let toks = &doc.tokens[lo..hi];
        let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
            return false;
        };
        let range = Span::new(first.start, last.end);
        let inside = |s: &Span| s.start >= range.start && s.end <= range.end;
        let cuts = |s: &Span| s.start < range.end && s.end > range.start && !inside(s);
        if doc.entities.iter().any(|(s, _)| cuts(s)) {
            return false;
        }
        // Built apart, then appended (title case changes no offset).
        let mut piece = Page::default();
        // Token index (in `toks`) -> its new span.
        let mut new_spans: Vec<Option<Span>> = vec![None; toks.len()];
        let mut i = 0;
        let mut prev_end = range.start;
        while i < toks.len() {
            if toks[i].start < prev_end {
                // Overlapping corpus tokens: not a text to copy.
                return false;
            }
            piece.text.push_str(&doc.text[prev_end..toks[i].start]);
            if abbreviate {
                if let Some((n, written)) = money_at(doc, toks, i, rng) {
                    let at = piece.text.len();
                    piece.text.push_str(&written);
                    let spans = tokenize(&written);
                    for s in &spans {
                        piece.tokens.push(Span::new(at + s.start, at + s.end));
                        piece.constructed.push(true);
                    }
                    new_spans[i] = Some(Span::new(at, at + written.len()));
                    new_spans[i + n - 1] = Some(Span::new(at, at + written.len()));
                    prev_end = toks[i + n - 1].end;
                    i += n;
                    continue;
                }
            }
            let at = piece.text.len();
            piece.text.push_str(toks[i].slice(&doc.text));
            let span = Span::new(at, piece.text.len());
            piece.tokens.push(span);
            piece.constructed.push(false);
            new_spans[i] = Some(span);
            prev_end = toks[i].end;
            i += 1;
        }
        // Entities and sentences: from the new spans of their first and last tokens.
        let index_of = |pos: usize, start: bool| {
            toks.iter()
                .position(|t| if start { t.start == pos } else { t.end == pos })
        };
        let remap = |s: &Span| -> Option<Span> {
            let a = new_spans[index_of(s.start, true)?]?;
            let b = new_spans[index_of(s.end, false)?]?;
            Some(Span::new(a.start, b.end))
        };
        for (s, label) in doc.entities.iter().filter(|(s, _)| inside(s)) {
            match remap(s) {
                Some(n) => piece.entities.push((n, label.clone())),
                None => return false,
            }
        }
        for s in &doc.sentences {
            // The part of each sentence inside the range.
            let a = toks
                .iter()
                .position(|t| t.start >= s.start && t.end <= s.end);
            let b = toks
                .iter()
                .rposition(|t| t.start >= s.start && t.end <= s.end);
            if let (Some(a), Some(b)) = (a, b) {
                match (new_spans[a], new_spans[b]) {
                    (Some(x), Some(y)) => piece.sentences.push(Span::new(x.start, y.end)),
                    _ => return false,
                }
            }
        }
        if title {
            match CaseChange::Title.apply(&piece.text) {
                Some(t) => piece.text = t,
                None => return false,
            }
        }
        let at = self.text.len();
        let shift = |s: Span| Span::new(s.start + at, s.end + at);
        self.text.push_str(&piece.text);
        self.tokens.extend(piece.tokens.into_iter().map(shift));
        self.constructed.extend(piece.constructed);
        self.sentences
            .extend(piece.sentences.into_iter().map(shift));
        self.entities
            .extend(piece.entities.into_iter().map(|(s, l)| (shift(s), l)));
        true
    }
}

/// If tokens `i..` of `toks` are a MONEY entity of a currency sign, a number
/// and `million`/`billion`/`trillion`, the number of tokens and the amount
/// as pages abbreviate it (`$92B`, `€3bn`).
fn money_at(doc: &Doc, toks: &[Span], i: usize, rng: &mut Rng) -> Option<(usize, String)> {
    let [sign, number, scale] = toks.get(i..i + 3)? else {
        return None;
    };
    let whole = Span::new(sign.start, scale.end);
    if !doc
        .entities
        .iter()
        .any(|(s, l)| l == "MONEY" && s.start <= whole.start && s.end >= whole.end)
    {
        return None;
    }
    let sign = sign.slice(&doc.text);
    let number = number.slice(&doc.text);
    if !matches!(sign, "$" | "US$" | "€" | "£")
        || !number.bytes().next().is_some_and(|b| b.is_ascii_digit())
        || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return None;
    }
    let units: &[&str] = match scale.slice(&doc.text).to_ascii_lowercase().as_str() {
        "million" => &["M", "m", "mn"],
        "billion" => &["B", "bn", "b"],
        "trillion" => &["T", "tn", "trn"],
        _ => return None,
    };
    // The sign is sometimes another currency's: the tagger must read it.
    let sign = if rng.chance(20) {
        *rng.pick(&["€", "£"])
    } else {
        sign
    };
    Some((3, format!("{sign}{number}{}", rng.pick(units))))
}

impl SyntheticPages {
    /// What the synthetic pages made from `docs` draw on.
    pub fn new(docs: &[Doc]) -> Self {
        let mut names = Vec::new();
        let mut makers = Vec::new();
        let mut headlines = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            for (span, label) in &doc.entities {
                let name = span.slice(&doc.text);
                let words: Vec<&str> = name.split(' ').collect();
                if label == "PERSON"
                    && (2..=3).contains(&words.len())
                    && !name.ends_with("'s")
                    && !name.ends_with('.')
                    && words.iter().all(|w| {
                        w.chars().next().is_some_and(char::is_uppercase)
                            && w.chars()
                                .all(|c| c.is_alphabetic() || c == '.' || c == '-' || c == '\'')
                    })
                {
                    names.push(name.to_string());
                }
                if label == "ORG"
                    && name.len() >= 3
                    && name.chars().next().is_some_and(char::is_uppercase)
                    && name.chars().all(char::is_alphabetic)
                {
                    makers.push(name.to_string());
                }
            }
            // Headlines from written news (newswire, magazines) that name something.
            let written = matches!(doc.genre.as_str(), "nw" | "mz");
            for s in doc.sentences.iter().filter(|_| written) {
                if !doc
                    .entities
                    .iter()
                    .any(|(e, _)| e.start >= s.start && e.end <= s.end)
                {
                    continue;
                }
                let a = doc.tokens.iter().position(|t| t.start >= s.start);
                let b = doc.tokens.iter().rposition(|t| t.end <= s.end);
                if let (Some(a), Some(b)) = (a, b) {
                    if (5..=13).contains(&(b + 1 - a)) && doc.text[s.start..s.end].is_ascii() {
                        headlines.push((d, a, b + 1));
                    }
                }
            }
        }
        names.sort();
        names.dedup();
        makers.sort();
        makers.dedup();
        SyntheticPages {
            names,
            makers,
            headlines,
            phrases: everyday_phrases(docs),
        }
    }

    /// Person names found.
    pub fn names(&self) -> usize {
        self.names.len()
    }

    /// `docs[which]` dressed as a web page (`seed` picks the page parts), or
    /// `None` if the corpus gave no names or headlines to draw on.
    pub fn page(&self, docs: &[Doc], which: usize, seed: u64) -> Option<SyntheticPage> {
        if self.names.is_empty() || self.makers.is_empty() || self.headlines.is_empty() {
            return None;
        }
        let doc = &docs[which];
        let mut rng = Rng(seed ^ (which as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
        let mut page = Page::default();
        // Headline: a short sentence of this document if it has one, else another's.
        let own: Vec<&(usize, usize, usize)> =
            self.headlines.iter().filter(|h| h.0 == which).collect();
        let &(d, a, b) = if own.is_empty() {
            rng.pick(&self.headlines)
        } else {
            *rng.pick(&own)
        };
        self.headline(&mut page, &docs[d], a, b, &mut rng);
        // Byline.
        let name = rng.pick(&self.names).clone();
        let title = *rng.pick(TITLES);
        // The page's publication: half the time an everyday phrase of the
        // corpus, capitalised (`Real Estate`), so that the byline's and the
        // signature's slot are learnt rather than a list of names.
        let phrase;
        let publication = if !self.phrases.is_empty() && rng.chance(50) {
            phrase = self.phrase_name(&mut rng);
            phrase.as_str()
        } else {
            *rng.pick(PUBLICATIONS)
        };
        match rng.below(4) {
            0 => page.line(&[("By ", None), (&name, Some("PERSON"))]),
            1 => {
                let date = date(&mut rng);
                page.line(&[
                    (&name, Some("PERSON")),
                    (", ", None),
                    (title, None),
                    (", ", None),
                    (&date, Some("DATE")),
                ]);
            }
            2 => {
                page.line(&[(&name, Some("PERSON"))]);
                page.line(&[(title, None), (", ", None), (publication, Some("ORG"))]);
            }
            _ => page.line(&[
                (&name, Some("PERSON")),
                (" | ", None),
                (publication, Some("ORG")),
            ]),
        }
        // The body, its money abbreviated.
        page.break_line();
        if !page.copy(doc, 0, doc.tokens.len(), true, false, &mut rng) {
            return None;
        }
        // Now and then a word about a product; mostly a sentence or two
        // citing a publication (often this page's own) as a source.
        if rng.chance(40) {
            self.product_sentence(&mut page, &mut rng);
        }
        let sources = match rng.below(10) {
            0..=1 => 0,
            2..=6 => 1,
            _ => 2,
        };
        for _ in 0..sources {
            // Mostly the page's own publication; else another, often one
            // named by an everyday phrase (`Real Estate`), which only its
            // capitals and its place in the sentence tell from the phrase.
            let other;
            let source = match rng.below(10) {
                0..=5 => publication,
                6..=8 if !self.phrases.is_empty() => {
                    other = self.phrase_name(&mut rng);
                    other.as_str()
                }
                _ => *rng.pick(PUBLICATIONS),
            };
            let maker = rng.pick(&self.makers).clone();
            let person = rng.pick(&self.names).clone();
            let template = *rng.pick(SOURCE_SENTENCES);
            page.line(&fill(template, |slot| match slot {
                'S' => (source, "ORG"),
                'M' => (maker.as_str(), "ORG"),
                _ => (person.as_str(), "PERSON"),
            }));
        }
        // The signature, mostly with the job title (and a desk).
        let mut parts: Vec<(&str, Option<&str>)> = vec![
            (*rng.pick(&["— ", "-- ", "- "]), None),
            (&name, Some("PERSON")),
            (", ", None),
        ];
        let desk = *rng.pick(DESKS);
        if rng.chance(75) {
            parts.extend([(title, None), (", ", None)]);
            if rng.chance(20) {
                parts.extend([(desk.0, Some(desk.1)), (", ", None)]);
            }
        }
        parts.push((publication, Some("ORG")));
        page.line(&parts);
        // Other stories: headline, then `Name, Job Title, Date`.
        for _ in 0..rng.below(4) {
            let &(d, a, b) = rng.pick(&self.headlines);
            self.headline(&mut page, &docs[d], a, b, &mut rng);
            let other = rng.pick(&self.names).clone();
            let date = date(&mut rng);
            let mut parts: Vec<(&str, Option<&str>)> = vec![
                (&other, Some("PERSON")),
                (", ", None),
                (*rng.pick(TITLES), None),
                (", ", None),
            ];
            let desk = *rng.pick(DESKS);
            if rng.chance(15) {
                parts.extend([(desk.0, Some(desk.1)), (", ", None)]);
            }
            parts.push((&date, Some("DATE")));
            page.line(&parts);
        }
        let n = page.tokens.len();
        let mut constructed = page.constructed;
        constructed.resize(n, true);
        Some(SyntheticPage {
            doc: Doc {
                id: format!("{}#page", doc.id),
                genre: doc.genre.clone(),
                text: page.text,
                tokens: page.tokens,
                sentences: page.sentences,
                entities: page.entities,
                // Scoring reads `gold`; a training copy is never scored.
                gold: Vec::new(),
            },
            constructed,
        })
    }

    /// A name made of an everyday phrase of the corpus, capitalised (`Real
    /// Estate`); `self.phrases` must not be empty.
    fn phrase_name(&self, rng: &mut Rng) -> String {
        capitalised(rng.pick::<String>(&self.phrases))
    }

    /// Appends a sentence about an invented product of a maker of the
    /// corpus, as a line of its own.
    fn product_sentence(&self, page: &mut Page, rng: &mut Rng) {
        let maker = rng.pick(&self.makers).clone();
        let product = format!(
            "{maker} {} {}{}",
            rng.pick(PRODUCT_LINES),
            2 + rng.below(14),
            rng.pick(PRODUCT_TIERS)
        );
        let month = MONTHS[rng.below(12)];
        let price = format!(
            "{}{}",
            rng.pick(&["$", "€", "£"]),
            199 + 100 * rng.below(10)
        );
        let template = *rng.pick(PRODUCT_SENTENCES);
        page.line(&fill(template, |slot| match slot {
            'M' => (maker.as_str(), "ORG"),
            'P' => (product.as_str(), "PRODUCT"),
            'D' => (month, "DATE"),
            _ => (price.as_str(), "MONEY"),
        }));
    }

    /// Appends a headline: tokens `a..b` of `doc` in Headline Case, money
    /// abbreviated, without a final full stop, as a line of its own.
    fn headline(&self, page: &mut Page, doc: &Doc, a: usize, b: usize, rng: &mut Rng) {
        let b = if b > a + 1 && doc.tokens[b - 1].slice(&doc.text) == "." {
            b - 1
        } else {
            b
        };
        page.break_line();
        let (at, first) = (page.text.len(), page.tokens.len());
        let (sentences, entities) = (page.sentences.len(), page.entities.len());
        if page.copy(doc, a, b, true, true, rng) {
            // One sentence; every token's label is the corpus' (the
            // teachers never read a headline: its labels are learnt as given).
            page.sentences.truncate(sentences);
            page.close_sentence(first);
            for c in &mut page.constructed[first..] {
                *c = true;
            }
        } else {
            page.text.truncate(at);
            page.tokens.truncate(first);
            page.constructed.truncate(first);
            page.sentences.truncate(sentences);
            page.entities.truncate(entities);
        }
    }
}

/// Two-word phrases of lower-case words (3 to 12 letters, outside entities)
/// that the corpus writes at least three times, without those whose first
/// or second word is among the 150 most frequent such words (`said that`,
/// `the company`): the everyday phrases some names are made of.
fn everyday_phrases(docs: &[Doc]) -> Vec<String> {
    use std::collections::HashMap;
    fn plain<'d>(doc: &'d Doc, t: &Span) -> Option<&'d str> {
        let w = t.slice(&doc.text);
        ((3..=12).contains(&w.len())
            && w.bytes().all(|b| b.is_ascii_lowercase())
            && !doc
                .entities
                .iter()
                .any(|(e, _)| e.start < t.end && t.start < e.end))
        .then_some(w)
    }
    let mut words: HashMap<&str, usize> = HashMap::new();
    let mut pairs: HashMap<(&str, &str), usize> = HashMap::new();
    for doc in docs {
        let mut last: Option<&str> = None;
        for t in &doc.tokens {
            let w = plain(doc, t);
            if let Some(w) = w {
                *words.entry(w).or_default() += 1;
                if let Some(a) = last {
                    *pairs.entry((a, w)).or_default() += 1;
                }
            }
            last = w;
        }
    }
    let mut ranked: Vec<(&str, usize)> = words.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let common: std::collections::HashSet<&str> = ranked.iter().take(150).map(|w| w.0).collect();
    let mut phrases: Vec<String> = pairs
        .into_iter()
        .filter(|((a, b), n)| *n >= 3 && !common.contains(a) && !common.contains(b))
        .map(|((a, b), _)| format!("{a} {b}"))
        .collect();
    phrases.sort();
    phrases
}

/// `text` with the first letter of each word upper case.
fn capitalised(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The parts of a line from a template whose `{X}` slots `slot` fills with
/// a labelled text.
fn fill<'a>(
    template: &'a str,
    slot: impl Fn(char) -> (&'a str, &'a str),
) -> Vec<(&'a str, Option<&'a str>)> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        parts.push((&rest[..at], None));
        let (text, label) = slot(rest[at + 1..].chars().next().unwrap_or('?'));
        parts.push((text, Some(label)));
        rest = &rest[at + 3..];
    }
    parts.push((rest, None));
    parts
}

/// A date as bylines write it.
fn date(rng: &mut Rng) -> String {
    let (m, d, y) = (1 + rng.below(12), 1 + rng.below(28), 2008 + rng.below(18));
    match rng.below(3) {
        0 => format!("{m}/{d}/{y}"),
        1 => format!("{} {d}, {y}", MONTHS[m - 1]),
        _ => format!("{d} {} {y}", MONTHS[m - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, entities: &[(&str, &str)]) -> Doc {
        let tokens = tokenize(text);
        let entities = entities
            .iter()
            .map(|(e, l)| {
                let at = text.find(e).unwrap();
                (Span::new(at, at + e.len()), l.to_string())
            })
            .collect();
        Doc {
            id: "t".into(),
            genre: "nw".into(),
            text: text.into(),
            sentences: vec![Span::new(0, text.len())],
            tokens,
            entities,
            gold: Vec::new(),
        }
    }

    #[test]
    fn everyday_phrases_are_repeated_pairs_of_rarer_words() {
        // 150 frequent words (`aaa`, `aab`, ...), each written ten times,
        // then the pairs.
        let frequent: Vec<String> = (0..150u8)
            .map(|i| {
                let l = |n: u8| char::from(b'a' + n % 26);
                [l(i / 26 / 26), l(i / 26), l(i)].iter().collect()
            })
            .collect();
        let mut text = String::new();
        for w in &frequent {
            text.push_str(&format!("{w} ").repeat(10));
        }
        text.push_str(&"real estate . ".repeat(3));
        text.push_str(&"cold fusion . ".repeat(2));
        text.push_str(&"Paris housing . ".repeat(3));
        text.push_str(&"aab market . ".repeat(3));
        text.push_str("tax cuts . tax cuts . tax cuts in the tax cuts report");
        let docs = vec![doc(&text, &[("tax cuts report", "WORK_OF_ART")])];
        let phrases = everyday_phrases(&docs);
        // Three times and more, both words lower case and rarer, outside
        // entities: `tax cuts` counts three times, not in the entity.
        assert!(phrases.contains(&"real estate".to_string()), "{phrases:?}");
        assert!(phrases.contains(&"tax cuts".to_string()), "{phrases:?}");
        for not in ["cold fusion", "paris housing", "aab market", "cuts report"] {
            assert!(
                !phrases.iter().any(|p| p.eq_ignore_ascii_case(not)),
                "{not}: {phrases:?}"
            );
        }
        assert_eq!(capitalised("real estate"), "Real Estate");
    }

    #[test]
    fn a_synthetic_page_is_consistent() {
        let docs = vec![
            doc(
                "Maria Lopez said the deal is worth $ 92 billion to Acme Corp. in 2017 .",
                &[
                    ("Maria Lopez", "PERSON"),
                    ("$ 92 billion", "MONEY"),
                    ("Acme Corp.", "ORG"),
                    ("2017", "DATE"),
                ],
            ),
            doc(
                "Jon Park wrote about Zenith .",
                &[("Jon Park", "PERSON"), ("Zenith", "ORG")],
            ),
        ];
        let f = SyntheticPages::new(&docs);
        assert_eq!(f.names(), 2);
        let (mut money, mut products) = (0, 0);
        for seed in 0..40 {
            let page = f.page(&docs, 0, seed).unwrap();
            let d = &page.doc;
            assert_eq!(page.constructed.len(), d.tokens.len());
            // Tokens sorted, inside the text, never across a line break.
            for w in d.tokens.windows(2) {
                assert!(w[0].end <= w[1].start);
            }
            for t in &d.tokens {
                assert!(!t.slice(&d.text).contains('\n') && !t.slice(&d.text).trim().is_empty());
            }
            // Every entity and sentence starts and ends on token boundaries.
            for (s, l) in &d.entities {
                assert!(
                    d.tokens.iter().any(|t| t.start == s.start),
                    "{l} {:?}",
                    s.slice(&d.text)
                );
                assert!(
                    d.tokens.iter().any(|t| t.end == s.end),
                    "{l} {:?}",
                    s.slice(&d.text)
                );
                assert!(
                    !s.slice(&d.text).starts_with(['—', '-']),
                    "{:?}",
                    s.slice(&d.text)
                );
            }
            for s in &d.sentences {
                assert!(d.tokens.iter().any(|t| t.start == s.start));
                assert!(d.tokens.iter().any(|t| t.end == s.end));
            }
            // The body's names keep their labels; job titles are no entity.
            let labelled = |text: &str| {
                d.entities
                    .iter()
                    .find(|(s, _)| s.slice(&d.text) == text)
                    .map(|(_, l)| l.as_str())
            };
            assert_eq!(labelled("Maria Lopez"), Some("PERSON"));
            assert!(d
                .entities
                .iter()
                .all(|(s, _)| !TITLES.contains(&s.slice(&d.text))));
            // The money, abbreviated with its sign inside the entity.
            for (s, l) in &d.entities {
                let t = s.slice(&d.text);
                if l == "MONEY" && !t.contains(' ') {
                    money += 1;
                    assert!(t.starts_with(['$', '€', '£']) && t.contains("92"), "{t}");
                    let inside: Vec<_> = d
                        .tokens
                        .iter()
                        .zip(&page.constructed)
                        .filter(|(k, _)| k.start >= s.start && k.end <= s.end)
                        .collect();
                    assert!(
                        inside.len() >= 2 && inside.iter().all(|(_, &c)| c),
                        "{t}: {inside:?}"
                    );
                }
            }
            // A product: the maker's name, a line, a number (and a tier).
            for (s, l) in d.entities.iter().filter(|(_, l)| l == "PRODUCT") {
                products += 1;
                assert!(
                    s.slice(&d.text).starts_with("Zenith "),
                    "{l} {:?}",
                    s.slice(&d.text)
                );
            }
            // The body's own tokens are not constructed; the byline's are.
            let body = d.text.find("said").unwrap();
            let k = d.tokens.iter().position(|t| t.start == body).unwrap();
            assert!(!page.constructed[k] && page.constructed[0]);
        }
        assert!(money > 0, "no money was abbreviated in 40 pages");
        assert!(products > 0, "no product in 40 pages");
    }

    /// Pages of the real training corpus: every entity on token boundaries,
    /// every token inside one sentence, and the byline's parts as labelled.
    #[test]
    fn pages_of_the_training_corpus() {
        let Some(shared) = crate::corpus::shared_for_test("pages_of_the_training_corpus") else {
            return;
        };
        let docs =
            crate::corpus::read_corpus(&shared.join("data/ontonotes/train.jsonl"), None).unwrap();
        let f = SyntheticPages::new(&docs);
        assert!(f.names() > 100, "{} names", f.names());
        let mut pages = 0;
        for i in 0..docs.len() {
            let Some(page) = f.page(&docs, i, 17) else {
                continue;
            };
            pages += 1;
            let d = &page.doc;
            if std::env::var("NEWSMARK_SHOW_PAGE").is_ok_and(|v| v == i.to_string()) {
                for line in d.text.lines() {
                    eprintln!("| {}", &line[..line.len().min(150)]);
                }
                for (s, l) in &d.entities {
                    eprintln!("{l}\t{}", s.slice(&d.text));
                }
            }
            for (s, l) in &d.entities {
                let a = d.tokens.iter().position(|t| t.start == s.start);
                let b = d.tokens.iter().position(|t| t.end == s.end);
                assert!(
                    matches!((a, b), (Some(a), Some(b)) if a <= b),
                    "{i}: {l} {:?}",
                    s.slice(&d.text)
                );
            }
            for t in &d.tokens {
                assert_eq!(
                    d.sentences
                        .iter()
                        .filter(|s| s.start <= t.start && t.end <= s.end)
                        .count(),
                    1,
                    "{i}: {:?}",
                    t.slice(&d.text)
                );
            }
        }
        assert!(
            pages * 10 > docs.len() * 9,
            "{pages} pages of {} documents",
            docs.len()
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_page() {
        let docs = vec![doc(
            "Ann Lee met Bo Chan of Zenith in Paris on Monday .",
            &[
                ("Ann Lee", "PERSON"),
                ("Bo Chan", "PERSON"),
                ("Zenith", "ORG"),
                ("Paris", "GPE"),
                ("Monday", "DATE"),
            ],
        )];
        let f = SyntheticPages::new(&docs);
        assert_eq!(
            f.page(&docs, 0, 7).unwrap().doc.text,
            f.page(&docs, 0, 7).unwrap().doc.text
        );
        assert!(SyntheticPages::new(&[]).page(&docs, 0, 7).is_none());
    }
}
