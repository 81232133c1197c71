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
//! Issue #29 added shapes a reader sees at once when the model gets them
//! wrong, each at a modest rate: a name with a nickname inside (`Margaret
//! (Peggy) Alvarez`, one PERSON: the byline's and signature's name on 8% of
//! pages, a sentence of its own on 10%); a sentence about a game on 12%,
//! its teams ORG whether named by nickname (`the Otters`, "the" outside),
//! by a city of the corpus (`Toledo beat Dearborn 3-2`) or by both (`the
//! Wexbury Otters`, "the" inside), the score's first number a CARDINAL and
//! the second none (as the Journal's sports pages in OntoNotes train write
//! every score, `13`-7; one translated report marks both);
//! media brands named by a place, a word or a person (`The Denver Herald`,
//! `Quayside Traveller`: one ORG, "The" inside) as the page's publication
//! on a fifth of pages and now and then as another source; and on 15% a
//! product sentence among technology terms that are no entity (`5G`,
//! `IoT`, `SaaS`), the maker an ORG and the product a PRODUCT. A headline
//! of our own opens with a person and a verb, both capitalised (`Osei
//! Rejects Harlow Merger`: PERSON over the name alone; the verbs are many,
//! so that none is learnt as a word alone) on a fifth of the pages and for
//! half of the other stories. Last, if asked for (`with_tour_dates`, not in
//! the default recipe), on 6% of the pages a tour's dates
//! as lists of events write them, a line each (`Aug. 2 -- Kellerman Music
//! Center, Toledo, OH`: a DATE, a FAC, and the town and its state's postal
//! code each a GPE), now and then after a sentence that names the first
//! venue the same way.
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
//! The names are those of the corpus' own PERSON entities (a nickname is
//! invented or another of its first names), the cities and places its GPEs
//! (a city is written before another place, `Toledo, Ohio`, outside a
//! list, and never after one: 235 of OntoNotes train); the job titles, team
//! nicknames and technology terms are lists written here; a publication
//! is, half the time, an everyday two-word phrase of the corpus
//! capitalised (`Real Estate`), else a media brand (two times in five) or
//! one of a list of invented ones (many real publications are named by
//! everyday words, and a list alone is learnt by heart rather than the
//! slot); the headlines are short sentences of the corpus' newswire and
//! magazine documents that name something.

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
    "The plan was reported earlier by {S}.",
    "{N} was quoted by {S} as saying the talks had stalled.",
    "{M} declined to comment when asked by {S}.",
    "The story was reported by {S} before {M} confirmed it.",
];

/// Nicknames a name may carry inside it (`First (Nick) Last`), invented;
/// as often, a first name of the corpus serves as the nickname.
const NICKNAMES: &[&str] = &[
    "Bo", "Kit", "Dee", "Pip", "Tam", "Bex", "Jojo", "Rafe", "Tilly", "Mags", "Benny", "Ziggy",
    "Chip", "Buzz", "Sunny", "Kiki", "Nell", "Wren", "Scout", "Moe", "Lulu", "Tad", "Cissy",
    "Duke", "Red", "Skip", "Bunny", "Gus", "Fitz", "Lolly", "Dot", "Hank", "Sonny", "Tex",
    "Birdie", "Mo",
];

/// Sentences of our own naming a person (`{N}`, a PERSON: in these, a
/// name with a nickname inside) and now and then a maker (`{M}`, an ORG).
const NICKNAME_SENTENCES: &[&str] = &[
    "{N}, who founded the firm, said the figures were better than expected.",
    "The deal was signed by {N} on behalf of {M}.",
    "{M} named {N} as its new finance chief.",
    "\"We are not done yet,\" said {N}.",
    "{N} declined to say how much the company had paid.",
    "Colleagues of {N} say the decision was made in a hurry.",
    "The letter was signed by {N} and the other directors.",
];

/// Team nicknames, invented: plural nouns (a team so named is an ORG, the
/// article "the" before it outside).
const TEAM_NICKNAMES: &[&str] = &[
    "Herons",
    "Otters",
    "Badgers",
    "Stags",
    "Magpies",
    "Beavers",
    "Millers",
    "Quarrymen",
    "Rovers",
    "Wanderers",
    "Voyagers",
    "Settlers",
    "Drifters",
    "Lowlanders",
    "Coasters",
    "Dalesmen",
    "Stingers",
    "Cyclones",
    "Strikers",
    "Chargers",
    "Ironclads",
    "Foresters",
    "Pilgrims",
    "Tanners",
    "Bridgers",
    "Ferrymen",
    "Hillmen",
    "Red Kites",
    "Sea Dogs",
    "Iron Bulls",
    "River Kings",
    "Storm Riders",
    "Night Owls",
    "Gold Miners",
    "Bay Sharks",
    "Blue Herons",
];

/// Towns of our own invention, besides the corpus' cities, for teams named
/// by a place (`the Wexbury Otters`).
const TOWNS: &[&str] = &[
    "Wexbury",
    "Fallowmere",
    "Ostrey",
    "Calder Bay",
    "Hollins Ford",
    "Marrowgate",
    "Brackwater",
    "Kelloway",
    "Dunmarsh",
    "Pellham Cross",
];

/// Sentences of our own about a game: `{A}` and `{B}` teams (ORG, a
/// nickname's "the" outside), `{X}` and `{Y}` the numbers of a score
/// (`{X}`, the larger, a CARDINAL; `{Y}` none; `{Z}` the same number as
/// `{X}`, none, for a draw), `{W}` a number of games (CARDINAL),
/// `{D}` a day (DATE), `{N}` a player (PERSON).
const SPORTS_SENTENCES: &[&str] = &[
    "{A} beat {B} {X}-{Y} on {D}.",
    "{A} lost {X}-{Y} to {B} in overtime.",
    "{N} scored twice as {A} beat {B} {X}-{Y}.",
    "A late goal gave {A} a {X}-{Y} win over {B}.",
    "{A} and {B} drew {X}-{Z} on {D}.",
    "{A} host {B} on {D}.",
    "Fans of {A} had little to cheer after a {X}-{Y} defeat by {B}.",
    "{A} have now won {W} games in a row.",
    "The coach of {A} said his side had played well against {B}.",
    "{B} led {X}-{Y} at the break, but {A} came back to win.",
    "{A} edged {B} {X}-{Y} to stay top of the table.",
    "{N} signed for {A} after leaving {B}.",
];

/// Days a game is played on (DATE).
const DAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The last word of a publication or media brand (`The Quayside Herald`).
const MEDIA_NOUNS: &[&str] = &[
    "Reporter",
    "Traveller",
    "Traveler",
    "Herald",
    "Courier",
    "Gazette",
    "Chronicle",
    "Dispatch",
    "Observer",
    "Examiner",
    "Record",
    "Standard",
    "Times",
    "Post",
    "Journal",
    "Monitor",
    "Digest",
    "Insider",
    "Review",
    "Weekly",
    "Tribune",
    "Bulletin",
    "Star",
    "Mail",
];

/// What may come between a place and a media noun (`Tulsa Business
/// Journal` without the place: `Business Journal`).
const MEDIA_BEATS: &[&str] = &[
    "Business", "Evening", "Daily", "Sunday", "Morning", "Film", "Food", "Travel", "Tech",
    "Sports", "Property", "Farming",
];

/// Descriptive first words of a media brand that are no place we label
/// (`The Riverside Courier`).
const MEDIA_DESCRIPTORS: &[&str] = &[
    "Riverside",
    "Hillcrest",
    "Northgate",
    "Meadowbank",
    "Seaview",
    "Eastbrook",
    "Oldtown",
    "Quayside",
    "Upland",
    "Harbor",
    "Lakeshore",
    "Westfield",
];

/// Technology terms, no entities by the OntoNotes guidelines (only a named
/// product is a PRODUCT).
const TECH_TERMS: &[&str] = &[
    "IoT",
    "5G",
    "4G",
    "AI",
    "SaaS",
    "blockchain",
    "Wi-Fi",
    "cloud",
    "LTE",
    "VPN",
    "machine learning",
    "edge computing",
    "AR",
    "VR",
    "NFC",
    "eSIM",
    "smart home",
    "GPS",
    "fintech",
    "big data",
    "broadband",
    "generative AI",
    "cloud computing",
    "APIs",
    "PaaS",
    "quantum computing",
];

/// Sentences of our own about a product and technology: `{M}` the maker
/// (ORG), `{P}` the product (PRODUCT), `{T}` and `{U}` technology terms (no
/// entity). A product never ends a sentence: its tier (`S`) would take the
/// full stop.
const TECH_SENTENCES: &[&str] = &[
    "{M} said the {P} supports {T} and {U}.",
    "The {P} uses {T} to sort photos and save battery.",
    "{M} is betting that {T} will make the {P} sell.",
    "{M} wants to lead in {T}, its chief executive said.",
    "Analysts expect {T} and {U} to drive sales of the {P} in cities.",
    "{M} will sell {T} services alongside the {P} to small firms.",
    "Without {T}, the {P} would be just another gadget, {M} conceded.",
    "{M} makes {T} sensors for factories, and the {P} is its newest.",
    "The {P} is one of {M}'s devices built around {T}.",
    "Interest in {T} and {U} has lifted orders at {M}.",
];

/// Headlines of our own in Headline Case that open (mostly) with a person,
/// a surname alone or the full name, and a verb (`Osei Rejects Harlow
/// Merger`): the verb's capital does not make it part of the name. `{P}`
/// is the PERSON, `{V}` a verb of [`HEADLINE_VERBS`] (no entity), `{M}` an
/// organisation, `{G}` a place, `{$}` an abbreviated sum (MONEY).
const PERSON_HEADLINES: &[&str] = &[
    "{P} {V} {M} Plan",
    "{P} {V} {M}'s {$} Offer",
    "{P} {V} {G} Trade Deal",
    "{P} {V} {M} Merger",
    "{P} {V} New {G} Rules",
    "{P} {V} {M} Over {$} Fine",
    "{P} {V} {G}'s Budget",
    "{P} {V} {M} Board's Pay Deal",
    "{P} Says {M} Will Cut Jobs",
    "{P} Quits {M} Board",
    "{P} Joins {M} as Adviser",
    "{P} Leaves {M} After Six Years",
    "{P} Sues {M} for {$}",
    "{P} Eyes Run for Office in {G}",
    "{P} Vows to Fight {M} Ruling",
    "{P} Wins Backing From {M}",
    "{P} Urges {G} to Act on Prices",
    "{P} Denies Talks With {M}",
    "{P} to Step Down at {M}",
    "{P} Signs {$} Deal With {M}",
    "{P} Takes Aim at {M}",
    "Why {P} Wants {M} Broken Up",
];

/// Verbs of [`PERSON_HEADLINES`]' `{V}` slot, in Headline Case.
const HEADLINE_VERBS: &[&str] = &[
    "Slams",
    "Backs",
    "Blasts",
    "Defends",
    "Rejects",
    "Praises",
    "Knocks",
    "Mocks",
    "Dismisses",
    "Questions",
    "Attacks",
    "Welcomes",
    "Criticizes",
    "Endorses",
    "Hails",
    "Derides",
    "Doubts",
    "Fights",
    "Opposes",
    "Supports",
    "Scolds",
    "Rebukes",
    "Chides",
    "Lauds",
    "Applauds",
    "Assails",
    "Lambasts",
    "Skewers",
    "Berates",
    "Snubs",
    "Shuns",
    "Ignores",
    "Ridicules",
    "Scorns",
    "Condemns",
    "Denounces",
    "Decries",
    "Disputes",
    "Contests",
    "Challenges",
    "Targets",
    "Threatens",
    "Warns",
    "Pressures",
    "Presses",
    "Prods",
    "Nudges",
    "Courts",
    "Woos",
    "Embraces",
    "Champions",
    "Cheers",
    "Salutes",
    "Thanks",
    "Blames",
    "Accuses",
    "Faults",
    "Sues",
    "Fires",
    "Hires",
    "Names",
    "Picks",
    "Taps",
    "Appoints",
    "Ousts",
    "Replaces",
    "Recruits",
    "Joins",
    "Quits",
    "Leaves",
    "Exits",
    "Rejoins",
    "Buys",
    "Sells",
    "Acquires",
    "Sheds",
    "Dumps",
    "Ditches",
    "Drops",
    "Scraps",
    "Axes",
    "Cuts",
    "Trims",
    "Slashes",
    "Raises",
    "Lifts",
    "Boosts",
    "Doubles",
    "Halves",
    "Freezes",
    "Delays",
    "Stalls",
    "Blocks",
    "Halts",
    "Stops",
    "Vetoes",
    "Overturns",
    "Reverses",
    "Revives",
    "Restarts",
    "Launches",
    "Unveils",
    "Reveals",
    "Teases",
    "Announces",
    "Confirms",
    "Denies",
    "Admits",
    "Concedes",
    "Explains",
    "Recalls",
    "Remembers",
    "Mourns",
    "Honors",
    "Visits",
    "Tours",
    "Meets",
    "Calls",
    "Phones",
    "Texts",
    "Emails",
    "Signs",
    "Inks",
    "Seals",
    "Clinches",
    "Wins",
    "Loses",
    "Beats",
    "Tops",
    "Trails",
    "Leads",
    "Eyes",
    "Seeks",
    "Wants",
    "Plans",
    "Pitches",
    "Proposes",
    "Pushes",
    "Urges",
    "Asks",
    "Begs",
    "Demands",
    "Orders",
    "Bans",
    "Bars",
    "Grills",
    "Probes",
    "Investigates",
    "Reviews",
    "Rates",
    "Ranks",
    "Predicts",
    "Expects",
    "Fears",
    "Mulls",
    "Weighs",
    "Ponders",
    "Considers",
];

/// The two-letter postal codes of the US states (and DC) and of Canada's
/// provinces, as lists of events and local news write a place's state
/// after its town (`Toledo, OH`): a GPE.
const STATE_CODES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "ON", "QC", "BC", "AB", "MB", "NS",
];

/// The last words of a venue's name (`Kellerman Music Center`: one FAC).
const VENUE_KINDS: &[&str] = &[
    "Amphitheatre",
    "Amphitheater",
    "Arena",
    "Center",
    "Centre",
    "Music Center",
    "Pavilion",
    "Music Pavilion",
    "Theatre",
    "Theater",
    "Coliseum",
    "Hall",
    "Music Hall",
    "Ballroom",
    "Stadium",
    "Field",
    "Event Center",
    "Performing Arts Center",
    "Bowl",
    "Casino Amphitheatre",
];

/// Lines opening a list of a tour's or a season's dates (no entity).
const DATE_LIST_HEADS: &[&str] = &[
    "Tour dates:",
    "The tour dates are:",
    "Full list of dates:",
    "Dates and venues:",
    "Upcoming shows:",
    "Schedule:",
];

/// One date of such a list: `{D}` a date (DATE), `{V}` a venue (FAC),
/// `{T}` a town (GPE), `{S}` its state's postal code (GPE).
const DATE_LIST_LINES: &[&str] = &[
    "{D} -- {V}, {T}, {S}",
    "{D} – {V}, {T}, {S}",
    "{D} - {T}, {S} - {V}",
    "{D}: {T}, {S} @ {V}",
    "{D} | {V} | {T}, {S}",
    "{D}: {V} in {T}, {S}",
];

/// Sentences of our own that name a venue in a town and its state
/// (`{V}`, `{T}`, `{S}`, `{D}` as in [`DATE_LIST_LINES`]).
const VENUE_SENTENCES: &[&str] = &[
    "The tour opens on {D} at {V} in {T}, {S}.",
    "The show moves to {V} in {T}, {S}, on {D}.",
    "The last date is {D} at {V} in {T}, {S}.",
    "Fans in {T}, {S}, can see the band at {V} on {D}.",
    "The festival returns to {T}, {S}, on {D}.",
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
    /// First names of the corpus' people, to serve as nicknames.
    first_names: Vec<String>,
    /// The corpus' places (GPE, one or two words), for media brands named
    /// by a place (`The Denver Herald`).
    places: Vec<String>,
    /// The corpus' cities: places written before another (`Toledo, Ohio`,
    /// not in a list) and never after one, for teams named by their city.
    cities: Vec<String>,
    /// Whether a page may end with a tour's dates ([`Self::with_tour_dates`]).
    tour_dates: bool,
    /// Percent of the other stories' headlines that are person headlines
    /// ([`Self::with_person_headlines`]).
    person_headlines: u64,
}

/// A small deterministic generator (SplitMix64): the same corpus and
/// document number give the same page.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
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

    /// [`Page::line`] of owned parts.
    fn line_of(&mut self, parts: &[(String, Option<&str>)]) {
        let parts: Vec<(&str, Option<&str>)> =
            parts.iter().map(|(t, l)| (t.as_str(), *l)).collect();
        self.line(&parts);
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
        let mut places = Vec::new();
        let (mut before, mut after) = (Vec::new(), std::collections::HashSet::new());
        for (d, doc) in docs.iter().enumerate() {
            // Places, and the pairs `City, Region` (entities in text order).
            let mut gpes: Vec<&Span> = doc
                .entities
                .iter()
                .filter(|(s, l)| l == "GPE" && is_place_name(s.slice(&doc.text)))
                .map(|(s, _)| s)
                .collect();
            gpes.sort_by_key(|s| s.start);
            for g in &gpes {
                places.push(g.slice(&doc.text).to_string());
            }
            for w in gpes.windows(2) {
                if w[0].end <= w[1].start && doc.text[w[0].end..w[1].start].trim() == "," {
                    after.insert(w[1].slice(&doc.text).to_string());
                    // Not a list (`Chile, Peru and Bolivia`).
                    let next = doc.text[w[1].end..].trim_start();
                    let next = next.strip_prefix(',').unwrap_or(next).trim_start();
                    if !next.starts_with("and ") && !next.starts_with("or ") {
                        before.push(w[0].slice(&doc.text).to_string());
                    }
                }
            }
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
        places.sort();
        places.dedup();
        let mut cities: Vec<String> = before.into_iter().filter(|c| !after.contains(c)).collect();
        cities.sort();
        cities.dedup();
        let mut first_names: Vec<String> = names
            .iter()
            .filter_map(|n| n.split(' ').next())
            .filter(|w| (3..=9).contains(&w.len()) && w.chars().all(char::is_alphabetic))
            .map(str::to_string)
            .collect();
        first_names.sort();
        first_names.dedup();
        SyntheticPages {
            names,
            makers,
            headlines,
            phrases: everyday_phrases(docs),
            first_names,
            places,
            cities,
            tour_dates: false,
            person_headlines: 50,
        }
    }

    /// The same, with a tour's dates on 6% of the pages (`tour_dates` in a
    /// recipe's `[data]`). Off by default: experiments #63-#64 of
    /// `docs/experiments/ner.md` read webnews's one article of that shape
    /// right but the other articles worse.
    pub fn with_tour_dates(mut self, on: bool) -> Self {
        self.tour_dates = on;
        self
    }

    /// The same, with this share (0 to 1, to the percent) of the other
    /// stories' headlines drawn from [`PERSON_HEADLINES`] rather than the
    /// corpus; half by default (`person_headlines` in a recipe's `[data]`).
    pub fn with_person_headlines(mut self, share: f64) -> Self {
        self.person_headlines = (share.clamp(0.0, 1.0) * 100.0).round() as u64;
        self
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
        if rng.chance(20) {
            self.person_headline(&mut page, &mut rng);
        } else {
            let &(d, a, b) = if own.is_empty() {
                rng.pick(&self.headlines)
            } else {
                *rng.pick(&own)
            };
            self.headline(&mut page, &docs[d], a, b, &mut rng);
        }
        // Byline; now and then the author's name has a nickname inside
        // (`Margaret (Peggy) Alvarez`, one PERSON), in the signature too.
        let mut name = rng.pick(&self.names).clone();
        if rng.chance(8) {
            name = self.nicknamed(&name, &mut rng);
        }
        let title = *rng.pick(TITLES);
        // The page's publication: half the time an everyday phrase of the
        // corpus, capitalised (`Real Estate`), so that the byline's and the
        // signature's slot are learnt rather than a list of names; else
        // often a media brand named by a place, a word or a person (`The
        // Denver Herald`, `Quayside Traveller`), else one of a list.
        let phrase;
        let publication = if !self.phrases.is_empty() && rng.chance(50) {
            phrase = self.phrase_name(&mut rng);
            phrase.as_str()
        } else if rng.chance(40) {
            phrase = self.media_name(&mut rng);
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
        // Now and then a product among technology terms that are no
        // entity (`5G`, `IoT`), a person with a nickname inside, a game
        // between teams named by nickname or city.
        if rng.chance(15) {
            self.tech_sentence(&mut page, &mut rng);
        }
        if rng.chance(10) {
            self.nickname_sentence(&mut page, &mut rng);
        }
        if rng.chance(12) {
            self.sports_sentence(&mut page, &mut rng);
        }
        let sources = match rng.below(10) {
            0..=1 => 0,
            2..=6 => 1,
            _ => 2,
        };
        for _ in 0..sources {
            // Mostly the page's own publication; else another, often one
            // named by an everyday phrase (`Real Estate`), which only its
            // capitals and its place in the sentence tell from the phrase,
            // or a media brand (`The Denver Herald`).
            let other;
            let source = match rng.below(10) {
                0..=5 => publication,
                6..=7 if !self.phrases.is_empty() => {
                    other = self.phrase_name(&mut rng);
                    other.as_str()
                }
                8 => {
                    other = self.media_name(&mut rng);
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
            if rng.chance(self.person_headlines) {
                self.person_headline(&mut page, &mut rng);
            } else {
                let &(d, a, b) = rng.pick(&self.headlines);
                self.headline(&mut page, &docs[d], a, b, &mut rng);
            }
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
        // Last, so that the pages without it keep every other draw: now
        // and then a tour's dates, venues in towns with their state's
        // postal code (`Aug. 2 -- Kellerman Music Center, Toledo, OH`).
        if self.tour_dates && rng.chance(6) {
            self.date_list(&mut page, &mut rng);
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

    /// A venue's name (FAC): a maker, an everyday phrase, a town or a
    /// surname before a kind of hall (`Kellerman Music Center`).
    fn venue(&self, rng: &mut Rng) -> String {
        let sponsor = match rng.below(10) {
            0..=3 => rng.pick(&self.makers).clone(),
            4..=5 if !self.phrases.is_empty() => self.phrase_name(rng),
            6..=7 => self.town(rng),
            _ => {
                let name = rng.pick(&self.names);
                name.rsplit(' ').next().unwrap_or(name).to_string()
            }
        };
        format!("{sponsor} {}", rng.pick(VENUE_KINDS))
    }

    /// A town: mostly one of the corpus' cities, else one of ours.
    fn town(&self, rng: &mut Rng) -> String {
        if !self.cities.is_empty() && rng.chance(70) {
            rng.pick(&self.cities).clone()
        } else {
            rng.pick(TOWNS).to_string()
        }
    }

    /// Appends a tour's dates as lists of events write them, a line each:
    /// a date (DATE), a venue (FAC), its town and its state's postal code
    /// (each a GPE), mostly after a heading and now and then after a
    /// sentence naming the first venue.
    fn date_list(&self, page: &mut Page, rng: &mut Rng) {
        let slots = |rng: &mut Rng| {
            let (v, t, s, d) = (
                self.venue(rng),
                self.town(rng),
                rng.pick(STATE_CODES).to_string(),
                short_date(rng),
            );
            move |slot: char| -> Vec<(String, Option<&'static str>)> {
                match slot {
                    'V' => vec![(v.clone(), Some("FAC"))],
                    'T' => vec![(t.clone(), Some("GPE"))],
                    'S' => vec![(s.clone(), Some("GPE"))],
                    _ => vec![(d.clone(), Some("DATE"))],
                }
            }
        };
        if rng.chance(40) {
            let fill_slot = slots(rng);
            let sentence = *rng.pick(VENUE_SENTENCES);
            page.line_of(&fill_parts(sentence, fill_slot));
        }
        if rng.chance(70) {
            page.line(&[(*rng.pick(DATE_LIST_HEADS), None)]);
        }
        // One way of writing the lines for the whole list, as a page does.
        let template = *rng.pick(DATE_LIST_LINES);
        for _ in 0..3 + rng.below(6) {
            let fill_slot = slots(rng);
            page.line_of(&fill_parts(template, fill_slot));
        }
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
        let product = product_name(&maker, rng);
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

    /// Appends a sentence about an invented product of a maker of the
    /// corpus among technology terms (`5G`, `IoT`, `SaaS`), which are no
    /// entity, as a line of its own.
    fn tech_sentence(&self, page: &mut Page, rng: &mut Rng) {
        let maker = rng.pick(&self.makers).clone();
        let product = product_name(&maker, rng);
        let term = *rng.pick(TECH_TERMS);
        let mut other = *rng.pick(TECH_TERMS);
        while other == term {
            other = *rng.pick(TECH_TERMS);
        }
        let template = *rng.pick(TECH_SENTENCES);
        page.line_of(&fill_parts(template, |slot| match slot {
            'M' => vec![(maker.clone(), Some("ORG"))],
            'P' => vec![(product.clone(), Some("PRODUCT"))],
            'T' => vec![(term.to_string(), None)],
            _ => vec![(other.to_string(), None)],
        }));
    }

    /// `name` (of two or three words) with a nickname before its last word:
    /// mostly in brackets (`Margaret (Peggy) Alvarez`), else in quotes
    /// (`Alan "Ace" Greenberg`), as OntoNotes writes them inside one
    /// PERSON. The nickname is invented, or a first name of the corpus.
    fn nicknamed(&self, name: &str, rng: &mut Rng) -> String {
        let (first, last) = name.rsplit_once(' ').unwrap_or(("", name));
        let mut nick: &str = if !self.first_names.is_empty() && rng.chance(50) {
            rng.pick::<String>(&self.first_names)
        } else {
            rng.pick::<&str>(NICKNAMES)
        };
        if name.split(' ').any(|w| w == nick) {
            nick = rng.pick::<&str>(NICKNAMES);
        }
        let (open, close) = match rng.below(10) {
            0 => ("\"", "\""),
            1 => ("\u{201c}", "\u{201d}"),
            _ => ("(", ")"),
        };
        format!("{first} {open}{nick}{close} {last}")
            .trim_start()
            .to_string()
    }

    /// Appends a sentence naming a person of the corpus with a nickname
    /// inside the name, as a line of its own.
    fn nickname_sentence(&self, page: &mut Page, rng: &mut Rng) {
        let name = self.nicknamed(rng.pick::<String>(&self.names), rng);
        let maker = rng.pick(&self.makers).clone();
        let template = *rng.pick(NICKNAME_SENTENCES);
        page.line(&fill(template, |slot| match slot {
            'M' => (maker.as_str(), "ORG"),
            _ => (name.as_str(), "PERSON"),
        }));
    }

    /// A publication or media brand named by a place of the corpus, a
    /// descriptive word or a person of the corpus, and a media noun
    /// (`The Denver Herald`, `Quayside Business Journal`, `Ana Ruiz
    /// Traveller`): one ORG, its "The" inside.
    fn media_name(&self, rng: &mut Rng) -> String {
        let (head, person) = match rng.below(10) {
            0..=5 if !self.places.is_empty() => (rng.pick(&self.places).clone(), false),
            6 if !self.names.is_empty() => (rng.pick(&self.names).clone(), true),
            _ => (rng.pick(MEDIA_DESCRIPTORS).to_string(), false),
        };
        let beat = if !person && rng.chance(30) {
            format!(" {}", rng.pick(MEDIA_BEATS))
        } else {
            String::new()
        };
        let the = if !person && rng.chance(50) {
            "The "
        } else {
            ""
        };
        format!("{the}{head}{beat} {}", rng.pick(MEDIA_NOUNS))
    }

    /// A team as a sports sentence names it, in labelled parts: by its
    /// nickname (`the` + `⟦ORG Otters⟧`: "the" outside, as OntoNotes has
    /// it), by its city (`⟦ORG Toledo⟧`, a GPE of the corpus that is a
    /// team here) or by both (`⟦ORG the Wexbury Otters⟧`: "the" inside, as
    /// OntoNotes writes city-named teams).
    fn team(&self, rng: &mut Rng) -> Vec<(String, Option<&'static str>)> {
        let nickname = *rng.pick(TEAM_NICKNAMES);
        match rng.below(20) {
            0..=8 => vec![
                ("the ".to_string(), None),
                (nickname.to_string(), Some("ORG")),
            ],
            9..=14 if !self.cities.is_empty() => {
                vec![(rng.pick(&self.cities).clone(), Some("ORG"))]
            }
            _ => {
                let town = if !self.cities.is_empty() && rng.chance(60) {
                    rng.pick(&self.cities).clone()
                } else {
                    rng.pick(TOWNS).to_string()
                };
                vec![(format!("the {town} {nickname}"), Some("ORG"))]
            }
        }
    }

    /// Appends a sentence about a game between two teams ([`Self::team`]),
    /// with a score whose first number is a CARDINAL (the second is left
    /// unlabelled, as OntoNotes' sports pages label scores), as a line of its own.
    fn sports_sentence(&self, page: &mut Page, rng: &mut Rng) {
        let a = self.team(rng);
        let mut b = self.team(rng);
        for _ in 0..8 {
            if b.iter().map(|p| &p.0).ne(a.iter().map(|p| &p.0)) {
                break;
            }
            b = self.team(rng);
        }
        // Goals and runs mostly, now and then points.
        let (x, y) = if rng.chance(75) {
            let x = 1 + rng.below(6);
            (x, rng.below(x))
        } else {
            let x = 60 + rng.below(61);
            (x, x - 1 - rng.below(25))
        };
        let (x, y, w) = (x.to_string(), y.to_string(), (2 + rng.below(8)).to_string());
        let day = *rng.pick(DAYS);
        let player = rng.pick(&self.names).clone();
        let template = *rng.pick(SPORTS_SENTENCES);
        page.line_of(&fill_parts(template, |slot| match slot {
            'A' => a.clone(),
            'B' => b.clone(),
            'X' => vec![(x.clone(), Some("CARDINAL"))],
            // As OntoNotes' sports pages write a score: the first number alone.
            'Y' => vec![(y.clone(), None)],
            'Z' => vec![(x.clone(), None)],
            'W' => vec![(w.clone(), Some("CARDINAL"))],
            'D' => vec![(day.to_string(), Some("DATE"))],
            _ => vec![(player.clone(), Some("PERSON"))],
        }));
    }

    /// Appends a headline of our own that names a person, mostly by the
    /// surname alone, before a verb ([`PERSON_HEADLINES`]), as a line of its own.
    fn person_headline(&self, page: &mut Page, rng: &mut Rng) {
        let name = rng.pick(&self.names);
        let person = if rng.chance(55) {
            name.rsplit(' ').next().unwrap_or(name).to_string()
        } else {
            name.clone()
        };
        let maker = rng.pick(&self.makers).clone();
        let place = if self.places.is_empty() {
            rng.pick(TOWNS).to_string()
        } else {
            rng.pick(&self.places).clone()
        };
        let verb = *rng.pick(HEADLINE_VERBS);
        let sum = format!(
            "{}{}{}",
            rng.pick(&["$", "€", "£"]),
            1 + rng.below(60),
            rng.pick(&["B", "M", "bn", "m"])
        );
        let template = *rng.pick(PERSON_HEADLINES);
        page.line_of(&fill_parts(template, |slot| match slot {
            'P' => vec![(person.clone(), Some("PERSON"))],
            'V' => vec![(verb.to_string(), None)],
            'M' => vec![(maker.clone(), Some("ORG"))],
            'G' => vec![(place.clone(), Some("GPE"))],
            _ => vec![(sum.clone(), Some("MONEY"))],
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

/// The parts of a line from a template whose `{X}` slots `slot` fills with
/// parts of their own (text, label); a sentence opening with "the" gets
/// its capital (`The Otters won`).
fn fill_parts(
    template: &str,
    mut slot: impl FnMut(char) -> Vec<(String, Option<&'static str>)>,
) -> Vec<(String, Option<&'static str>)> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        parts.push((rest[..at].to_string(), None));
        parts.extend(slot(rest[at + 1..].chars().next().unwrap_or('?')));
        rest = &rest[at + 3..];
    }
    parts.push((rest.to_string(), None));
    if let Some(first) = parts.iter_mut().find(|(t, _)| !t.is_empty()) {
        if let Some(r) = first.0.strip_prefix("the ") {
            first.0 = format!("The {r}");
        }
    }
    parts
}

/// An invented product of `maker` (`Maker Line 10 Pro`).
fn product_name(maker: &str, rng: &mut Rng) -> String {
    format!(
        "{maker} {} {}{}",
        rng.pick(PRODUCT_LINES),
        2 + rng.below(14),
        rng.pick(PRODUCT_TIERS)
    )
}

/// A GPE fit to name a team or a media brand: one or two capitalised words
/// of letters (not all capitals), three letters at least.
fn is_place_name(name: &str) -> bool {
    let words: Vec<&str> = name.split(' ').collect();
    (1..=2).contains(&words.len())
        && name.len() >= 3
        && name.chars().any(char::is_lowercase)
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase) && w.chars().all(char::is_alphabetic)
        })
}

/// A day of a month as lists of events write it (`Aug. 2`, `July 19`).
fn short_date(rng: &mut Rng) -> String {
    const SHORT: &[&str] = &[
        "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
        "Dec.",
    ];
    let (m, d) = (rng.below(12), 1 + rng.below(30));
    if rng.chance(70) {
        format!("{} {d}", SHORT[m])
    } else {
        format!("{} {d}", MONTHS[m])
    }
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
            // The body's money, abbreviated with its sign inside the entity
            // (a product sentence's price is written so from the start).
            let body = d.text.find("Maria Lopez said").unwrap();
            let body = body..body + d.text[body..].find('\n').unwrap_or(d.text.len() - body);
            for (s, l) in &d.entities {
                let t = s.slice(&d.text);
                if l == "MONEY" && !t.contains(' ') && body.contains(&s.start) {
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

    /// Documents with people, a maker and places: `Ashford, Kent` and
    /// `Paris, France` make Ashford and Paris cities; `Chile, Peru and
    /// Bolivia` is a list.
    fn shape_docs() -> Vec<Doc> {
        vec![
            doc(
                "Maria Lopez of Zenith flew from Ashford , Kent to Paris , France on Monday .",
                &[
                    ("Maria Lopez", "PERSON"),
                    ("Zenith", "ORG"),
                    ("Ashford", "GPE"),
                    ("Kent", "GPE"),
                    ("Paris", "GPE"),
                    ("France", "GPE"),
                    ("Monday", "DATE"),
                ],
            ),
            doc(
                "Jon Park of Zenith toured Chile , Peru and Bolivia .",
                &[
                    ("Jon Park", "PERSON"),
                    ("Zenith", "ORG"),
                    ("Chile", "GPE"),
                    ("Peru", "GPE"),
                    ("Bolivia", "GPE"),
                ],
            ),
        ]
    }

    /// The entities of `page` as (text, label).
    fn shown(text: &str, entities: &[(Span, String)]) -> Vec<(String, String)> {
        entities
            .iter()
            .map(|(s, l)| (s.slice(text).to_string(), l.clone()))
            .collect()
    }

    /// Checks what every constructed line must hold: entities on token
    /// boundaries, never overlapping, every token constructed.
    fn well_formed(page: &Page) {
        for (s, l) in &page.entities {
            assert!(
                page.tokens.iter().any(|t| t.start == s.start)
                    && page.tokens.iter().any(|t| t.end == s.end),
                "{l} {:?} in {:?}",
                s.slice(&page.text),
                page.text
            );
        }
        for (i, (a, _)) in page.entities.iter().enumerate() {
            for (b, _) in &page.entities[i + 1..] {
                assert!(a.end <= b.start || b.end <= a.start, "{:?}", page.text);
            }
        }
        assert_eq!(page.constructed.len(), page.tokens.len());
        assert!(page.constructed.iter().all(|&c| c));
    }

    #[test]
    fn a_name_with_a_nickname_inside_is_one_person() {
        let docs = shape_docs();
        let f = SyntheticPages::new(&docs);
        assert_eq!(f.first_names, ["Jon", "Maria"]);
        let mut brackets = 0;
        for seed in 0..300 {
            let mut rng = Rng(seed);
            let name = f.nicknamed("Maria Lopez", &mut rng);
            assert!(
                name.starts_with("Maria ") && name.ends_with(" Lopez"),
                "{name}"
            );
            brackets += usize::from(name.contains(" ("));
            // In a sentence of its own: one PERSON over the whole name, the
            // brackets or quotes tokens of their own inside it.
            let mut page = Page::default();
            f.nickname_sentence(&mut page, &mut rng);
            well_formed(&page);
            let persons: Vec<&Span> = page
                .entities
                .iter()
                .filter(|(_, l)| l == "PERSON")
                .map(|(s, _)| s)
                .collect();
            assert_eq!(persons.len(), 1, "{:?}", page.text);
            let s = persons[0];
            let person = s.slice(&page.text);
            assert!(person.contains(['(', '"', '\u{201c}']), "{person}");
            let inside: Vec<&str> = page
                .tokens
                .iter()
                .filter(|t| t.start >= s.start && t.end <= s.end)
                .map(|t| t.slice(&page.text))
                .collect();
            assert_eq!(inside.len(), 5, "{inside:?}");
            assert!(
                ["(", "\"", "\u{201c}"].contains(&inside[1])
                    && [")", "\"", "\u{201d}"].contains(&inside[3]),
                "{inside:?}"
            );
            for (e, l) in &page.entities {
                if l != "PERSON" {
                    assert_eq!((e.slice(&page.text), l.as_str()), ("Zenith", "ORG"));
                }
            }
        }
        // Mostly in brackets, now and then in quotes.
        assert!((200..=270).contains(&brackets), "{brackets} of 300");
        // On whole pages: the byline's nicknamed name is the signature's,
        // one PERSON each time.
        let mut signed = 0;
        for seed in 0..300 {
            let page = f.page(&docs, 1, seed).unwrap();
            let d = &page.doc;
            let nicknamed: Vec<&str> = d
                .entities
                .iter()
                .filter(|(s, l)| l == "PERSON" && s.slice(&d.text).contains(" ("))
                .map(|(s, _)| s.slice(&d.text))
                .collect();
            if nicknamed.len() >= 2 && nicknamed[0] == nicknamed[nicknamed.len() - 1] {
                let signature = d.text.lines().find(|l| l.starts_with(['—', '-']));
                assert!(
                    signature.is_some_and(|l| l.contains(nicknamed[0])),
                    "{}",
                    d.text
                );
                signed += 1;
            }
        }
        assert!(signed > 5, "{signed} nicknamed authors in 300 pages");
    }

    #[test]
    fn teams_are_organisations_and_scores_cardinals() {
        let docs = shape_docs();
        let f = SyntheticPages::new(&docs);
        assert_eq!(f.cities, ["Ashford", "Paris"]);
        let (mut by_nickname, mut by_city, mut by_both, mut scores) = (0, 0, 0, 0);
        for seed in 0..400 {
            let mut rng = Rng(seed);
            let mut page = Page::default();
            f.sports_sentence(&mut page, &mut rng);
            well_formed(&page);
            let text = page.text.as_str();
            assert!(text.starts_with(|c: char| c.is_uppercase()), "{text}");
            let mut teams = 0;
            for (s, l) in &page.entities {
                let t = s.slice(text);
                let before = text[..s.start].to_lowercase();
                match l.as_str() {
                    "ORG" if TEAM_NICKNAMES.contains(&t) => {
                        // `the Otters`: "the" outside.
                        assert!(before.ends_with("the "), "{t:?} in {text:?}");
                        by_nickname += 1;
                    }
                    "ORG" if f.cities.iter().any(|c| c == t) => {
                        // `Ashford beat Paris`: the city is the team.
                        assert!(!before.ends_with("the "), "{t:?} in {text:?}");
                        by_city += 1;
                    }
                    "ORG" => {
                        // `the Wexbury Otters`: "the" inside.
                        let rest = t
                            .strip_prefix("the ")
                            .or_else(|| t.strip_prefix("The "))
                            .unwrap_or_else(|| panic!("{t:?} in {text:?}"));
                        assert!(
                            TEAM_NICKNAMES.iter().any(|n| {
                                rest.strip_suffix(n).is_some_and(|town| {
                                    let town = town.trim_end();
                                    TOWNS.contains(&town) || f.cities.iter().any(|c| c == town)
                                })
                            }),
                            "{t:?} in {text:?}"
                        );
                        by_both += 1;
                    }
                    "CARDINAL" => assert!(t.bytes().all(|b| b.is_ascii_digit()), "{t:?}"),
                    "DATE" => assert!(DAYS.contains(&t), "{t:?}"),
                    "PERSON" => assert!(f.names.iter().any(|n| n == t), "{t:?}"),
                    _ => panic!("{l} {t:?} in {text:?}"),
                }
                teams += usize::from(l == "ORG");
            }
            // Two teams (the two named differently), never a place.
            assert!(teams == 1 || teams == 2, "{text:?}");
            // A score `3-2`: three tokens, the first number a CARDINAL, the second none.
            let words: Vec<&str> = page.tokens.iter().map(|t| t.slice(text)).collect();
            for (i, w) in words.windows(3).enumerate() {
                let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
                if w[1] == "-" && digits(w[0]) && digits(w[2]) {
                    assert!(
                        page.entities
                            .contains(&(page.tokens[i], "CARDINAL".to_string())),
                        "{text:?}: {:?}",
                        shown(text, &page.entities)
                    );
                    assert!(
                        !page
                            .entities
                            .iter()
                            .any(|(s, _)| s.start <= page.tokens[i + 2].start
                                && page.tokens[i + 2].end <= s.end),
                        "{text:?}: {:?}",
                        shown(text, &page.entities)
                    );
                    scores += 1;
                }
            }
        }
        assert!(
            by_nickname > 100 && by_city > 50 && by_both > 50 && scores > 100,
            "{by_nickname} {by_city} {by_both} {scores}"
        );
        // The cities: written before another place, never after one, nor
        // in a list.
        for place in ["Kent", "France", "Chile", "Peru", "Bolivia"] {
            assert!(f.places.iter().any(|p| p == place), "{place}");
        }
    }

    #[test]
    fn a_publication_is_one_organisation_with_its_the() {
        let docs = shape_docs();
        let f = SyntheticPages::new(&docs);
        let (mut the, mut placed) = (0, 0);
        for seed in 0..300 {
            let name = f.media_name(&mut Rng(seed));
            assert!(
                MEDIA_NOUNS.iter().any(|n| name.ends_with(&format!(" {n}"))),
                "{name}"
            );
            the += usize::from(name.starts_with("The "));
            placed += usize::from(f.places.iter().any(|p| name.contains(p.as_str())));
        }
        assert!(
            the > 60 && placed > 100,
            "{the} with The, {placed} with a place"
        );
        // On pages, in the byline, the signature and the source sentences:
        // the whole name one ORG, "The" and the place inside.
        let (mut brands, mut with_the) = (0, 0);
        for seed in 0..300 {
            let page = f.page(&docs, 0, seed).unwrap();
            let d = &page.doc;
            for (s, l) in &d.entities {
                let t = s.slice(&d.text);
                if !MEDIA_NOUNS.iter().any(|n| t.ends_with(&format!(" {n}")))
                    || PUBLICATIONS.contains(&t)
                {
                    continue;
                }
                assert_eq!(l, "ORG", "{t:?}");
                assert!(!d.text[..s.start].ends_with("The "), "{t:?} in {}", d.text);
                let overlapping = d
                    .entities
                    .iter()
                    .filter(|(e, _)| e.start < s.end && s.start < e.end)
                    .count();
                assert_eq!(overlapping, 1, "{t:?}");
                brands += 1;
                with_the += usize::from(t.starts_with("The "));
            }
        }
        assert!(
            brands > 100 && with_the > 30,
            "{brands} brands, {with_the} with The"
        );
    }

    #[test]
    fn a_headline_opening_with_a_person_labels_the_name_alone() {
        let docs = shape_docs();
        let f = SyntheticPages::new(&docs);
        let (mut surnames, mut verbs) = (0, 0);
        for seed in 0..300 {
            let mut rng = Rng(seed);
            let mut page = Page::default();
            f.person_headline(&mut page, &mut rng);
            well_formed(&page);
            let text = page.text.as_str();
            assert!(!text.contains('{') && !text.ends_with('.'), "{text:?}");
            // One person, by the corpus' full name or its surname alone;
            // the maker an ORG, the place a GPE, the sum a MONEY.
            let mut people = 0;
            for (s, l) in &page.entities {
                let t = s.slice(text);
                match l.as_str() {
                    "PERSON" => {
                        people += 1;
                        surnames += usize::from(["Lopez", "Park"].contains(&t));
                        assert!(
                            ["Maria Lopez", "Jon Park", "Lopez", "Park"].contains(&t),
                            "{t:?}"
                        );
                    }
                    "ORG" => assert_eq!(t, "Zenith"),
                    "GPE" => assert!(f.places.iter().any(|p| p == t), "{t:?}"),
                    "MONEY" => assert!(t.starts_with(['$', '€', '£']), "{t:?}"),
                    _ => panic!("{l} {t:?} in {text:?}"),
                }
            }
            assert_eq!(people, 1, "{text:?}");
            // A capitalised verb is in no entity.
            for verb in HEADLINE_VERBS
                .iter()
                .chain(&["Says", "Quits", "Sues", "Signs"])
            {
                for (at, _) in text.match_indices(&format!(" {verb} ")) {
                    verbs += 1;
                    let at = at + 1;
                    assert!(
                        page.entities
                            .iter()
                            .all(|(e, _)| e.end <= at || at + verb.len() <= e.start),
                        "{verb:?} in {text:?}"
                    );
                }
            }
        }
        // The surname alone about half the time; most headlines have a verb
        // of those lists right after the name.
        assert!((100..200).contains(&surnames), "{surnames}");
        assert!(verbs > 150, "{verbs}");
    }

    #[test]
    fn technology_terms_are_no_entities() {
        let docs = shape_docs();
        let f = SyntheticPages::new(&docs);
        let mut terms = 0;
        for seed in 0..300 {
            let mut rng = Rng(seed);
            let mut page = Page::default();
            f.tech_sentence(&mut page, &mut rng);
            well_formed(&page);
            let text = page.text.as_str();
            // The maker an ORG, its product a PRODUCT, nothing else.
            for (s, l) in &page.entities {
                let t = s.slice(text);
                match l.as_str() {
                    "ORG" => assert_eq!(t, "Zenith"),
                    "PRODUCT" => assert!(t.starts_with("Zenith "), "{t:?}"),
                    _ => panic!("{l} {t:?} in {text:?}"),
                }
            }
            // Every technology term (at a token's start) outside them.
            let mut here = 0;
            for term in TECH_TERMS {
                for (at, _) in text.match_indices(term) {
                    if !page.tokens.iter().any(|t| t.start == at) {
                        continue;
                    }
                    here += 1;
                    assert!(
                        page.entities
                            .iter()
                            .all(|(e, _)| e.end <= at || at + term.len() <= e.start),
                        "{term:?} in {text:?}"
                    );
                }
            }
            assert!(here >= 1, "{text:?}");
            terms += here;
        }
        assert!(terms > 300, "{terms}");
    }

    /// Whether `line` is written from `template`: its words outside the
    /// slots, in order, from the start to the end of the line.
    fn from_template(line: &str, template: &str) -> bool {
        let mut pieces = template.split('{');
        let first = pieces.next().unwrap_or("");
        let Some(mut rest) = line.strip_prefix(first) else {
            return false;
        };
        let mut last = first;
        let mut pieces = pieces.peekable();
        while let Some(piece) = pieces.next() {
            last = piece.split_once('}').map_or(piece, |(_, lit)| lit);
            if pieces.peek().is_none() {
                // The last literal ends the line (`... on Oct. 11.`).
                return rest.len() > last.len() && rest.ends_with(last);
            }
            match rest.find(last) {
                Some(at) if !last.is_empty() => rest = &rest[at + last.len()..],
                _ if last.is_empty() => {}
                _ => return false,
            }
        }
        rest.is_empty() || last.is_empty()
    }

    #[test]
    fn a_tour_date_is_a_date_a_venue_a_town_and_a_state() {
        let docs = shape_docs();
        let f = SyntheticPages::new(&docs);
        let (mut lines, mut sentences) = (0, 0);
        for seed in 0..300 {
            let mut rng = Rng(seed);
            let mut page = Page::default();
            f.date_list(&mut page, &mut rng);
            well_formed(&page);
            let text = page.text.as_str();
            for line in text.lines() {
                let at = line.as_ptr() as usize - text.as_ptr() as usize;
                let mut inside: Vec<(Span, &str)> = page
                    .entities
                    .iter()
                    .filter(|(s, _)| s.start >= at && s.end <= at + line.len())
                    .map(|(s, l)| (*s, l.as_str()))
                    .collect();
                inside.sort_by_key(|(s, _)| s.start);
                let labels: Vec<&str> = inside.iter().map(|(_, l)| *l).collect();
                if DATE_LIST_HEADS.contains(&line) {
                    assert!(labels.is_empty(), "{line}");
                    continue;
                }
                let template = DATE_LIST_LINES
                    .iter()
                    .chain(VENUE_SENTENCES)
                    .find(|t| from_template(line, t))
                    .unwrap_or_else(|| panic!("{line:?} is no template's"));
                if VENUE_SENTENCES.contains(template) {
                    sentences += 1;
                } else {
                    lines += 1;
                }
                // The entities in the template's order and labels...
                let want: Vec<&str> = template
                    .split('{')
                    .skip(1)
                    .map(|p| match p.as_bytes()[0] {
                        b'V' => "FAC",
                        b'D' => "DATE",
                        _ => "GPE",
                    })
                    .collect();
                assert_eq!(labels, want, "{line}");
                for (s, l) in &inside {
                    let t = s.slice(text);
                    match *l {
                        // ...the venue a sponsor and a kind of hall...
                        "FAC" => assert!(
                            VENUE_KINDS.iter().any(|k| t.ends_with(&format!(" {k}"))),
                            "{t:?}"
                        ),
                        // ...the town before its state's postal code.
                        "GPE" => assert!(
                            STATE_CODES.contains(&t)
                                || TOWNS.contains(&t)
                                || f.cities.iter().any(|c| c == t),
                            "{t:?}"
                        ),
                        _ => assert!(t.chars().last().is_some_and(|c| c.is_ascii_digit())),
                    }
                }
                let gpes: Vec<&str> = inside
                    .iter()
                    .filter(|(_, l)| *l == "GPE")
                    .map(|(s, _)| s.slice(text))
                    .collect();
                assert!(STATE_CODES.contains(&gpes[1]) && !STATE_CODES.contains(&gpes[0]));
            }
        }
        assert!(lines >= 300 * 3 && sentences > 60, "{lines} {sentences}");
    }

    #[test]
    fn the_new_shapes_keep_modest_rates() {
        let docs = shape_docs();
        let n = 2000;
        // Pages with each shape, of `n`: nicknames, games, technology,
        // media brands, person headlines, tour dates.
        let counts = |f: &SyntheticPages| {
            let mut k = [0usize; 6];
            for seed in 0..n {
                let page = f.page(&docs, 0, seed).unwrap();
                let d = &page.doc;
                let has = |test: &dyn Fn(&str, &str) -> bool| {
                    d.entities.iter().any(|(s, l)| test(s.slice(&d.text), l))
                };
                let written = |templates: &[&str]| {
                    d.text
                        .lines()
                        .any(|line| templates.iter().any(|t| from_template(line, t)))
                };
                k[0] += usize::from(has(&|t, l| {
                    l == "PERSON" && t.contains(['(', '"', '\u{201c}'])
                }));
                k[1] += usize::from(written(SPORTS_SENTENCES));
                k[2] += usize::from(written(TECH_SENTENCES));
                k[3] += usize::from(has(&|t, l| {
                    l == "ORG"
                        && !PUBLICATIONS.contains(&t)
                        && MEDIA_NOUNS.iter().any(|m| t.ends_with(&format!(" {m}")))
                }));
                k[4] += usize::from(written(PERSON_HEADLINES));
                k[5] += usize::from(written(DATE_LIST_LINES));
            }
            k
        };
        let plain = counts(&SyntheticPages::new(&docs));
        let with_tours = counts(&SyntheticPages::new(&docs).with_tour_dates(true));
        let share = |k: usize| k as f64 / n as f64;
        eprintln!(
            "nicknames {:.3}, games {:.3}, technology {:.3}, media brands {:.3}, person headlines {:.3}, tour dates {:.3} (asked for: {:.3})",
            share(plain[0]),
            share(plain[1]),
            share(plain[2]),
            share(plain[3]),
            share(plain[4]),
            share(plain[5]),
            share(with_tours[5])
        );
        // 8% nicknamed authors and 10% nickname sentences; 12% games; 15%
        // technology sentences; media brands on two fifths of the pages
        // whose publication is no everyday phrase (the test corpus has
        // none), and as another source now and then.
        assert!((0.13..0.22).contains(&share(plain[0])));
        assert!((0.09..0.15).contains(&share(plain[1])));
        assert!((0.12..0.18).contains(&share(plain[2])));
        assert!((0.35..0.55).contains(&share(plain[3])));
        // The main headline on 20% of pages, each of up to three other
        // stories' on half: on about 62% of the pages in all.
        assert!((0.55..0.70).contains(&share(plain[4])));
        // Asked for on 90% or none of the other stories: about 78% of the
        // pages, or the main headline's 20% alone.
        let more = counts(&SyntheticPages::new(&docs).with_person_headlines(0.9));
        let none = counts(&SyntheticPages::new(&docs).with_person_headlines(0.0));
        assert!((0.72..0.84).contains(&share(more[4])), "{}", share(more[4]));
        assert!((0.16..0.24).contains(&share(none[4])), "{}", share(none[4]));
        // A tour's dates only when asked for, then on 6%, drawn last: the
        // other shapes fall on the same pages either way.
        assert_eq!(plain[5], 0);
        assert!((0.04..0.08).contains(&share(with_tours[5])));
        assert_eq!(plain[..5], with_tours[..5]);
        assert!(from_template(
            "Ashford beat the Otters 3-2 on Monday.",
            SPORTS_SENTENCES[0]
        ));
        assert!(!from_template(
            "Ashford beat the Otters 3-2.",
            SPORTS_SENTENCES[0]
        ));
    }
}
