//! Places: a document's place names resolved to GeoNames entries.
//!
//! A [`Gazetteer`] is loaded from the bytes of a `.nmg` file (the project
//! ships `models/places.nmg`, built from GeoNames data by `cargo xtask train
//! gazetteer`); [`Gazetteer::resolve`] takes a text and its entities and
//! returns, index for index, the [`Place`] each `GPE`, `LOC` or `FAC`
//! entity names, or `None`.
//!
//! # How a name is resolved
//!
//! The entity's text is reduced to a key (lower case, accents and dots
//! dropped, `the` and a final `'s` removed: `U.S.` and `US` are one key), and
//! every gazetteer entry with that name or alternate name is a candidate.
//! Each candidate gets a prior from its population (log-scaled) and its
//! kind (country, first-level division, capital, seat, town ...); then the
//! document votes: the countries and first-level divisions that its *other*
//! place names resolve to raise the candidates inside them, a name followed
//! by `, Texas` or `, France` strongly prefers the candidates inside that
//! place, and a dateline (`LONDON (Reuters) -` at the start of a line near
//! the top) weighs more than any other name. Every mention of one key in a
//! document resolves to the same place.
//!
//! # The file format (version 1)
//!
//! A 28-byte header: the magic `NMPLACE\0`, the format version (u32 LE), the
//! payload's length (u64 LE) and the XXH3-64 of the payload (u64 LE). The
//! payload is thirteen sections, each a LEB128 length and its bytes, in this
//! order: counts (entries, countries, first-level divisions, keys, as
//! LEB128), countries (two ASCII capitals each), divisions (a country index
//! byte, a length byte and the GeoNames admin1 code), GeoNames ids (sorted,
//! LEB128 deltas; 0 for the few entries that have none), latitudes and
//! longitudes (three bytes LE each: `(lat + 90) * 1e4` and `(lon + 180) *
//! 1e4`, so 1e-4 degree, about 11 m), populations (one byte: `round(8 *
//! log2(pop + 1))`), kinds (one byte), entry countries (one byte, 255 for
//! none), entry divisions (u16 LE, 65535 for none), names (the entries'
//! display names, each ended by `\n`), keys (sorted, front-coded: the LEB128
//! length shared with the previous key, the LEB128 length of the rest, the
//! rest), postings (for each key a LEB128 count and LEB128 deltas of
//! `entry * 4 + flags`, flags 1 = alternate name, 2 = demonym). Columns
//! compress well with gzip, and every length, index, range and order is
//! checked on load: a truncated or altered file is a [`GazetteerError`],
//! never a panic.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::document::Entity;

/// The first bytes of a gazetteer file.
const MAGIC: &[u8; 8] = b"NMPLACE\0";
/// The format this build writes and reads.
const FORMAT_VERSION: u32 = 1;
/// Magic, version, payload length, checksum.
const HEADER_LEN: usize = 8 + 4 + 8 + 8;
/// Coordinates are stored in units of 1e-4 degree.
const COORD_SCALE: f64 = 1e4;
/// "No country" and "no division" in the entry columns.
const NO_COUNTRY: u8 = u8::MAX;
const NO_ADMIN1: u16 = u16::MAX;
/// Posting flags.
const ALTERNATE: u32 = 1;
const DEMONYM: u32 = 2;

/// A place an entity was resolved to.
///
/// ```no_run
/// let gazetteer = newsmark::Gazetteer::from_bytes(&std::fs::read("models/places.nmg")?)?;
/// let text = "Flooding closed roads in Lyon on Sunday.";
/// let doc = newsmark::Annotator::new().annotate(text);
/// for (entity, place) in doc.entities.iter().zip(gazetteer.resolve(text, &doc.entities)) {
///     if let Some(p) = place {
///         println!("{} -> {} ({:?}) {:.3},{:.3}", entity.span.slice(text), p.name, p.country, p.latitude, p.longitude);
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Place {
    /// The GeoNames id (`https://www.geonames.org/<id>`); `None` for the few
    /// regions of the gazetteer's own list that GeoNames has no entry for
    /// (such as "Middle East", placed at its countries' centre).
    pub geonames_id: Option<u32>,
    /// The place's name in the gazetteer (e.g. `"Paris"`, `"United States"`).
    pub name: String,
    /// Its country, as an ISO 3166-1 alpha-2 code (`"FR"`); `None` for
    /// continents, oceans and regions.
    pub country: Option<String>,
    /// Latitude in degrees (WGS84), to 1e-4 degree.
    pub latitude: f64,
    /// Longitude in degrees (WGS84), to 1e-4 degree.
    pub longitude: f64,
}

/// Why [`Gazetteer::from_bytes`] did not load a file.
///
/// ```
/// use newsmark::{Gazetteer, GazetteerError};
///
/// match Gazetteer::from_bytes(b"not a gazetteer at all, just some text") {
///     Err(GazetteerError::NotAGazetteer) => {}
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GazetteerError {
    /// The bytes do not start with the gazetteer's magic number.
    NotAGazetteer,
    /// The file's format is newer (or older) than this build reads.
    UnsupportedVersion {
        /// The file's format version.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The file is shorter than its header says.
    Truncated {
        /// Bytes the header promises.
        expected: u64,
        /// Bytes there are.
        found: u64,
    },
    /// The payload's checksum does not match: the file was altered.
    ChecksumMismatch,
    /// The payload is inconsistent (a section's length, an index out of
    /// range, keys out of order, ...).
    Corrupt {
        /// The section where it was found.
        section: &'static str,
        /// What is wrong.
        why: String,
    },
}

impl fmt::Display for GazetteerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GazetteerError::NotAGazetteer => write!(
                f,
                "not a newsmark gazetteer (a .nmg file starts with \"NMPLACE\"); \
                 the one shipped is models/places.nmg"
            ),
            GazetteerError::UnsupportedVersion { found, supported } => write!(
                f,
                "gazetteer format version {found}, but this build reads version {supported}; \
                 rebuild the file with `cargo xtask train gazetteer` or update newsmark"
            ),
            GazetteerError::Truncated { expected, found } => write!(
                f,
                "the gazetteer is truncated: {expected} bytes expected, {found} found"
            ),
            GazetteerError::ChecksumMismatch => {
                write!(f, "the gazetteer is corrupt: its checksum does not match")
            }
            GazetteerError::Corrupt { section, why } => {
                write!(f, "the gazetteer is corrupt: section {section}: {why}")
            }
        }
    }
}

impl std::error::Error for GazetteerError {}

/// What kind of place an entry is (stored as one byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PlaceKind {
    /// A continent.
    Continent = 0,
    /// A large region (a group of countries).
    Region = 1,
    /// An ocean or sea.
    Water = 2,
    /// An independent country or dependency.
    Country = 3,
    /// A first-level division (a state, province, region).
    Admin1 = 4,
    /// A second-level division (a county, district).
    Admin2 = 5,
    /// A national capital.
    Capital = 6,
    /// The seat of a first-level division.
    Seat1 = 7,
    /// The seat of a lower division.
    Seat2 = 8,
    /// Another populated place.
    Town = 9,
    /// A section of a town, or an abandoned or historical place.
    Section = 10,
}

impl PlaceKind {
    const ALL: [PlaceKind; 11] = [
        PlaceKind::Continent,
        PlaceKind::Region,
        PlaceKind::Water,
        PlaceKind::Country,
        PlaceKind::Admin1,
        PlaceKind::Admin2,
        PlaceKind::Capital,
        PlaceKind::Seat1,
        PlaceKind::Seat2,
        PlaceKind::Town,
        PlaceKind::Section,
    ];

    fn from_byte(b: u8) -> Option<PlaceKind> {
        PlaceKind::ALL.get(usize::from(b)).copied()
    }
}

/// One gazetteer entry, as loaded.
#[derive(Clone, Copy, Debug)]
struct Entry {
    id: u32,
    lat: i32,
    lon: i32,
    admin1: u16,
    pop: u8,
    kind: PlaceKind,
    country: u8,
}

/// A gazetteer: GeoNames places with their names, alternate names and
/// demonyms, loaded from a `.nmg` file, to resolve a document's place names.
///
/// Load it once and reuse it: the shipped file takes about 60 ms to load
/// natively and some 10 MB of memory, and resolving a document's entities
/// takes microseconds per name. It is `Clone`, `Send` and `Sync`.
///
/// ```no_run
/// let bytes = std::fs::read("models/places.nmg")?;
/// let gazetteer = newsmark::Gazetteer::from_bytes(&bytes)?;
/// let text = "PARIS (AP) - The mayor of Lyon met farmers from Texas.";
/// let doc = newsmark::Annotator::new().annotate(text);
/// let places = gazetteer.resolve(text, &doc.entities);
/// assert_eq!(places.len(), doc.entities.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Gazetteer {
    entries: Vec<Entry>,
    /// The entries' display names, concatenated; `name_ends[i]` ends entry `i`'s.
    names: String,
    name_ends: Vec<u32>,
    countries: Vec<[u8; 2]>,
    /// The sorted keys, concatenated; `key_ends[k]` ends key `k`.
    keys: String,
    key_ends: Vec<u32>,
    /// `entry * 4 + flags`; `post_ends[k]` ends key `k`'s postings.
    postings: Vec<u32>,
    post_ends: Vec<u32>,
}

/// The entity labels whose names are looked up as place names.
const PLACE_LABELS: [&str; 3] = ["GPE", "LOC", "FAC"];

/// Settings of a resolution (the tools compare them; [`Gazetteer::resolve`]
/// uses the defaults).
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Resolve `NORP` entities that are demonyms ("French" -> France).
    pub demonyms: bool,
    /// The population-only baseline: the most populous entry with the name.
    pub population_only: bool,
    /// Use the document's other places, adjacency and the dateline.
    pub context: bool,
    /// `FAC` entities resolve only to places of at least this many people
    /// (facilities named like a village are mostly not in it).
    pub facility_min_population: u64,
    /// The most the other places' votes for a candidate's country add.
    pub country_context: f32,
    /// The most the other places' votes for its first-level division add.
    pub admin1_context: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            demonyms: false,
            population_only: false,
            context: true,
            facility_min_population: 100_000,
            country_context: 3.0,
            admin1_context: 2.5,
        }
    }
}

impl Gazetteer {
    /// Loads a gazetteer from the bytes of a `.nmg` file.
    ///
    /// Every truncation, a changed byte (the checksum) and any inconsistency
    /// is an error naming what is wrong; name the file yourself:
    ///
    /// ```no_run
    /// let path = "models/places.nmg";
    /// let bytes = std::fs::read(path)?;
    /// let gazetteer = newsmark::Gazetteer::from_bytes(&bytes)
    ///     .map_err(|e| format!("{path}: {e}"))?;
    /// println!("{} places", gazetteer.len());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Gazetteer, GazetteerError> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(GazetteerError::NotAGazetteer);
        }
        if bytes.len() < HEADER_LEN {
            return Err(GazetteerError::Truncated {
                expected: HEADER_LEN as u64,
                found: bytes.len() as u64,
            });
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
        if version != FORMAT_VERSION {
            return Err(GazetteerError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let len = u64::from_le_bytes(bytes[12..20].try_into().unwrap_or_default());
        let sum = u64::from_le_bytes(bytes[20..28].try_into().unwrap_or_default());
        let expected = (HEADER_LEN as u64).saturating_add(len);
        if (bytes.len() as u64) < expected {
            return Err(GazetteerError::Truncated {
                expected,
                found: bytes.len() as u64,
            });
        }
        if (bytes.len() as u64) > expected {
            return Err(GazetteerError::Corrupt {
                section: "header",
                why: format!(
                    "{} bytes follow the payload's end",
                    bytes.len() as u64 - expected
                ),
            });
        }
        let payload = &bytes[HEADER_LEN..];
        if xxhash_rust::xxh3::xxh3_64(payload) != sum {
            return Err(GazetteerError::ChecksumMismatch);
        }
        decode(payload)
    }

    /// The number of places (entries) in the gazetteer.
    ///
    /// ```no_run
    /// let g = newsmark::Gazetteer::from_bytes(&std::fs::read("models/places.nmg")?)?;
    /// assert!(g.len() > 100_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the gazetteer has no places.
    ///
    /// ```no_run
    /// let g = newsmark::Gazetteer::from_bytes(&std::fs::read("models/places.nmg")?)?;
    /// assert!(!g.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The place each of `entities` names in `text`, index for index:
    /// `GPE`, `LOC` and `FAC` entities by their names (a `FAC` only when it
    /// is named like a place of 100,000 people or more: a facility named like
    /// a village is rarely that village); `None` for other labels (`NORP`
    /// demonyms such as "French" included: news names peoples far more
    /// often than places with them) and for names the gazetteer does not hold.
    ///
    /// `entities` are those of [`crate::Annotator::annotate`] on the same
    /// `text` (any subset works; the more places the document names, the
    /// better the context). An empty text or list gives an empty result.
    ///
    /// ```no_run
    /// let g = newsmark::Gazetteer::from_bytes(&std::fs::read("models/places.nmg")?)?;
    /// let text = "Paris, Texas, is 3,000 km from Paris.";
    /// let doc = newsmark::Annotator::new().annotate(text);
    /// for (e, p) in doc.entities.iter().zip(g.resolve(text, &doc.entities)) {
    ///     println!("{:?} {:?}", e.span.slice(text), p.map(|p| p.country));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve(&self, text: &str, entities: &[Entity]) -> Vec<Option<Place>> {
        self.resolve_with(text, entities, Settings::default())
    }

    /// [`Gazetteer::resolve`] with explicit settings.
    pub(crate) fn resolve_with(
        &self,
        text: &str,
        entities: &[Entity],
        settings: Settings,
    ) -> Vec<Option<Place>> {
        let picks = resolve::pick(self, text, entities, settings);
        picks
            .into_iter()
            .map(|p| p.map(|entry| self.place(entry)))
            .collect()
    }

    /// The entry `i` as a [`Place`].
    fn place(&self, i: u32) -> Place {
        let e = &self.entries[i as usize];
        let start = if i == 0 {
            0
        } else {
            self.name_ends[i as usize - 1] as usize
        };
        let end = self.name_ends[i as usize] as usize;
        Place {
            geonames_id: (e.id != 0).then_some(e.id),
            name: self.names[start..end].to_string(),
            country: self
                .countries
                .get(usize::from(e.country))
                .map(|c| String::from_utf8_lossy(c).into_owned()),
            latitude: f64::from(e.lat) / COORD_SCALE,
            longitude: f64::from(e.lon) / COORD_SCALE,
        }
    }

    /// The postings of `key` (`entry * 4 + flags`), empty if the key is unknown.
    fn postings(&self, key: &str) -> &[u32] {
        let n = self.key_ends.len();
        let key_at = |k: usize| {
            let start = if k == 0 {
                0
            } else {
                self.key_ends[k - 1] as usize
            };
            &self.keys[start..self.key_ends[k] as usize]
        };
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match key_at(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let start = if mid == 0 {
                        0
                    } else {
                        self.post_ends[mid - 1] as usize
                    };
                    return &self.postings[start..self.post_ends[mid] as usize];
                }
            }
        }
        &[]
    }
}

/// The key a name is looked up by: lower case, Latin accents folded
/// (`é` -> `e`, `ß` -> `ss`), dots and apostrophes dropped, other
/// punctuation and runs of spaces made one space, a leading `the ` and a
/// final `'s` dropped, `St.`, `Mt.` and `Ft.` spelt out, and single
/// letters joined (`U. S.` -> `us`).
pub fn name_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut space = false;
    let trimmed = name.trim();
    let trimmed = trimmed
        .strip_suffix("'s")
        .or_else(|| trimmed.strip_suffix("\u{2019}s"))
        .unwrap_or(trimmed);
    for c in trimmed.chars() {
        match c {
            '.' | '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{b4}' => continue,
            c if c.is_alphanumeric() => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                fold(c, &mut out);
            }
            _ => space = true,
        }
    }
    // "St. Louis" and "Saint Louis" are one key (so are Mt. and Ft.).
    let out = if out.split(' ').any(|w| matches!(w, "st" | "mt" | "ft")) {
        out.split(' ')
            .map(|w| match w {
                "st" => "saint",
                "mt" => "mount",
                "ft" => "fort",
                w => w,
            })
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        out
    };
    let out = match out.strip_prefix("the ") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => out,
    };
    // "u s a" -> "usa": single letters are an abbreviation.
    if out.contains(' ') && out.split(' ').all(|w| w.chars().count() == 1) {
        return out.replace(' ', "");
    }
    out
}

/// Pushes `c` lower-cased, with its Latin accent dropped.
fn fold(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    // Latin-1 Supplement, U+00C0..U+00FF.
    const LATIN1: &str = "aaaaaaaceeeeiiiidnooooo*ouuuuyts\
                          aaaaaaaceeeeiiiidnooooo/ouuuuyty";
    // Latin Extended-A, U+0100..U+017F, one letter each (Œ and œ are handled above).
    const EXT_A: &str = concat!(
        "aaaaaa",
        "cccccccc",
        "dddd",
        "eeeeeeeeee",
        "gggggggg",
        "hhhh",
        "iiiiiiiiii",
        "ii",
        "jj",
        "kkk",
        "llllllllll",
        "nnnnnnnnn",
        "oooooo",
        "oo",
        "rrrrrr",
        "ssssssss",
        "tttttt",
        "uuuuuuuuuuuu",
        "ww",
        "yyy",
        "zzzzzz",
        "s"
    );
    let code = c as u32;
    let base = match code {
        0xC6 | 0xE6 => Some("ae"),
        0xDF => Some("ss"),
        0x152 | 0x153 => Some("oe"),
        0xC0..=0xFF => {
            let b = LATIN1.as_bytes()[(code - 0xC0) as usize];
            (b.is_ascii_lowercase()).then(|| &LATIN1[(code - 0xC0) as usize..][..1])
        }
        0x100..=0x17F => Some(&EXT_A[(code - 0x100) as usize..][..1]),
        _ => None,
    };
    match base {
        Some(s) => out.push_str(s),
        None => out.extend(c.to_lowercase()),
    }
}

/// A cursor over one section of the payload.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    section: &'static str,
}

impl<'a> Reader<'a> {
    fn corrupt(&self, why: impl Into<String>) -> GazetteerError {
        GazetteerError::Corrupt {
            section: self.section,
            why: why.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], GazetteerError> {
        if self.bytes.len() - self.at < n {
            return Err(self.corrupt(format!(
                "ends early: {n} bytes needed at offset {}, {} left",
                self.at,
                self.bytes.len() - self.at
            )));
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    fn varint(&mut self) -> Result<u64, GazetteerError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.corrupt("a number longer than 64 bits"))
    }

    /// A varint that must be at most `max`.
    fn count(&mut self, what: &str, max: u64) -> Result<usize, GazetteerError> {
        let n = self.varint()?;
        if n > max {
            return Err(self.corrupt(format!("{what} {n} is over {max}")));
        }
        Ok(n as usize)
    }

    /// The next section: its LEB128 length, then its bytes.
    fn section(&mut self, name: &'static str) -> Result<Reader<'a>, GazetteerError> {
        let len = self.count("section length", (self.bytes.len() - self.at) as u64)?;
        let bytes = self.take(len).map_err(|_| GazetteerError::Corrupt {
            section: name,
            why: "ends early".into(),
        })?;
        Ok(Reader {
            bytes,
            at: 0,
            section: name,
        })
    }

    fn finish(&self) -> Result<(), GazetteerError> {
        if self.at != self.bytes.len() {
            return Err(self.corrupt(format!("{} bytes left over", self.bytes.len() - self.at)));
        }
        Ok(())
    }
}

/// Decodes a payload whose checksum has been checked.
fn decode(payload: &[u8]) -> Result<Gazetteer, GazetteerError> {
    let mut file = Reader {
        bytes: payload,
        at: 0,
        section: "payload",
    };
    let limit = payload.len() as u64;
    let mut counts = file.section("counts")?;
    let n = counts.count("entry count", limit)?;
    let n_countries = counts.count("country count", u64::from(NO_COUNTRY))?;
    let n_admin1 = counts.count("division count", u64::from(NO_ADMIN1))?;
    let n_keys = counts.count("key count", limit)?;
    counts.finish()?;

    let mut r = file.section("countries")?;
    let mut countries = Vec::with_capacity(n_countries);
    for _ in 0..n_countries {
        let c = r.take(2)?;
        if !c.iter().all(u8::is_ascii_uppercase) {
            return Err(r.corrupt(format!("country code {c:?} is not two capitals")));
        }
        countries.push([c[0], c[1]]);
    }
    r.finish()?;

    let mut r = file.section("divisions")?;
    for _ in 0..n_admin1 {
        let country = r.take(1)?[0];
        if usize::from(country) >= n_countries {
            return Err(r.corrupt(format!("country index {country} out of range")));
        }
        let len = usize::from(r.take(1)?[0]);
        std::str::from_utf8(r.take(len)?).map_err(|_| r.corrupt("a code is not UTF-8"))?;
    }
    r.finish()?;

    let mut r = file.section("ids")?;
    let mut ids = Vec::with_capacity(n);
    let mut id = 0u64;
    for _ in 0..n {
        id += r.varint()?;
        if id > u64::from(u32::MAX) {
            return Err(r.corrupt("an id is over 2^32"));
        }
        ids.push(id as u32);
    }
    r.finish()?;

    let coords = |file: &mut Reader<'_>, name, max: i32| -> Result<Vec<i32>, GazetteerError> {
        let mut r = file.section(name)?;
        let raw = r.take(n.checked_mul(3).ok_or_else(|| r.corrupt("too long"))?)?;
        r.finish()?;
        raw.chunks_exact(3)
            .map(|b| {
                let v = i32::from(b[0]) | i32::from(b[1]) << 8 | i32::from(b[2]) << 16;
                if v > 2 * max {
                    Err(r.corrupt(format!("value {v} out of range")))
                } else {
                    Ok(v - max)
                }
            })
            .collect()
    };
    let lats = coords(&mut file, "latitudes", 900_000)?;
    let lons = coords(&mut file, "longitudes", 1_800_000)?;

    let mut r = file.section("populations")?;
    let pops = r.take(n)?;
    r.finish()?;
    let mut r = file.section("kinds")?;
    let kinds = r.take(n)?;
    r.finish()?;
    let mut r = file.section("entry countries")?;
    let entry_countries = r.take(n)?;
    r.finish()?;
    let mut r = file.section("entry divisions")?;
    let entry_admin1 = r.take(n.checked_mul(2).ok_or_else(|| r.corrupt("too long"))?)?;
    r.finish()?;

    let mut entries = Vec::with_capacity(n);
    for i in 0..n {
        let Some(kind) = PlaceKind::from_byte(kinds[i]) else {
            return Err(GazetteerError::Corrupt {
                section: "kinds",
                why: format!("entry {i} has unknown kind {}", kinds[i]),
            });
        };
        let country = entry_countries[i];
        if country != NO_COUNTRY && usize::from(country) >= n_countries {
            return Err(GazetteerError::Corrupt {
                section: "entry countries",
                why: format!("entry {i}: country index {country} out of range"),
            });
        }
        let a1 = u16::from_le_bytes([entry_admin1[2 * i], entry_admin1[2 * i + 1]]);
        if a1 != NO_ADMIN1 && usize::from(a1) >= n_admin1 {
            return Err(GazetteerError::Corrupt {
                section: "entry divisions",
                why: format!("entry {i}: division index {a1} out of range"),
            });
        }
        entries.push(Entry {
            id: ids[i],
            lat: lats[i],
            lon: lons[i],
            admin1: a1,
            pop: pops[i],
            kind,
            country,
        });
    }

    let r = file.section("names")?;
    let names = std::str::from_utf8(r.bytes).map_err(|_| r.corrupt("not UTF-8"))?;
    let mut name_ends = Vec::with_capacity(n);
    let mut joined = String::with_capacity(names.len());
    for name in names.split_terminator('\n') {
        joined.push_str(name);
        name_ends.push(u32::try_from(joined.len()).map_err(|_| r.corrupt("too long"))?);
    }
    if name_ends.len() != n || (!names.is_empty() && !names.ends_with('\n')) {
        return Err(r.corrupt(format!("{} names for {n} entries", name_ends.len())));
    }

    let mut r = file.section("keys")?;
    let mut keys: Vec<u8> = Vec::new();
    let mut key_ends = Vec::with_capacity(n_keys);
    let mut prev_start = 0usize;
    for k in 0..n_keys {
        let shared = r.count("shared length", 255)?;
        let rest = r.count("key length", 1024)?;
        let prev_len = keys.len() - prev_start;
        if shared > prev_len {
            return Err(r.corrupt(format!(
                "key {k} shares more than the previous key's length"
            )));
        }
        let start = keys.len();
        keys.extend_from_within(prev_start..prev_start + shared);
        keys.extend_from_slice(r.take(rest)?);
        if keys.len() == start || (k > 0 && keys[prev_start..start] >= keys[start..]) {
            return Err(r.corrupt(format!("key {k} is empty or out of order")));
        }
        prev_start = start;
        key_ends.push(u32::try_from(keys.len()).map_err(|_| r.corrupt("too long"))?);
    }
    r.finish()?;
    let keys = String::from_utf8(keys).map_err(|_| GazetteerError::Corrupt {
        section: "keys",
        why: "not UTF-8".into(),
    })?;
    // Every key must end on a character boundary to be sliced.
    if key_ends.iter().any(|&e| !keys.is_char_boundary(e as usize)) {
        return Err(GazetteerError::Corrupt {
            section: "keys",
            why: "a key ends inside a character".into(),
        });
    }

    let mut r = file.section("postings")?;
    let mut postings = Vec::new();
    let mut post_ends = Vec::with_capacity(n_keys);
    let max_value = (n as u64) * 4;
    for k in 0..n_keys {
        let count = r.count("posting count", max_value)?;
        if count == 0 {
            return Err(r.corrupt(format!("key {k} has no entries")));
        }
        let mut value = 0u64;
        for j in 0..count {
            let delta = r.varint()?;
            if j > 0 && delta == 0 {
                return Err(r.corrupt(format!("key {k} lists an entry twice")));
            }
            value += delta;
            if value >= max_value || value & 3 == 3 {
                return Err(r.corrupt(format!("key {k}: posting {value} out of range")));
            }
            postings.push(value as u32);
        }
        post_ends.push(u32::try_from(postings.len()).map_err(|_| r.corrupt("too long"))?);
    }
    r.finish()?;
    file.finish()?;

    Ok(Gazetteer {
        entries,
        names: joined,
        name_ends,
        countries,
        keys,
        key_ends,
        postings,
        post_ends,
    })
}

/// [`Gazetteer::resolve`] with explicit settings (for the tools).
#[cfg(feature = "internals")]
pub fn resolve_with(
    gazetteer: &Gazetteer,
    text: &str,
    entities: &[Entity],
    settings: Settings,
) -> Vec<Option<Place>> {
    gazetteer.resolve_with(text, entities, settings)
}

/// The population a stored byte stands for (the middle of its bucket).
fn population_of(byte: u8) -> f64 {
    (f64::from(byte) / 8.0).exp2() - 1.0
}

/// The byte a population is stored as.
#[cfg(any(test, feature = "internals"))]
fn population_byte(pop: u64) -> u8 {
    ((pop as f64 + 1.0).log2() * 8.0).round().min(255.0) as u8
}

/// Choosing each mention's entry.
mod resolve {
    use super::{
        name_key, population_of, Entity, Gazetteer, HashMap, PlaceKind, Settings, ALTERNATE,
        DEMONYM, PLACE_LABELS,
    };

    /// The prior's bonus for a kind of place, on top of `log10(population)`.
    fn kind_bonus(kind: PlaceKind) -> f32 {
        match kind {
            PlaceKind::Continent => 5.0,
            PlaceKind::Region => 4.0,
            // Seas have no population: as if they had ten million people.
            PlaceKind::Water => 11.0,
            PlaceKind::Country => 5.0,
            PlaceKind::Admin1 => 2.5,
            PlaceKind::Admin2 => 0.0,
            // A national capital beats a same-named division ("Washington").
            PlaceKind::Capital => 4.5,
            PlaceKind::Seat1 => 0.8,
            PlaceKind::Seat2 => 0.3,
            PlaceKind::Town => 0.0,
            PlaceKind::Section => -1.5,
        }
    }
    /// The prior's cost of matching an alternate name rather than the name.
    const ALTERNATE_COST: f32 = 2.5;
    /// "X, Y": X's candidates inside a candidate of Y.
    const QUALIFIED: f32 = 8.0;
    /// "X, Y": Y's candidates that contain a candidate of X.
    const QUALIFIER: f32 = 1.0;
    /// How much a dateline's place counts, against 1 for any other name.
    const DATELINE: f32 = 3.0;
    /// The country votes of the other places from which a stray place is dropped.
    const STRAY_AFTER: f32 = 2.0;
    /// Places of this many people or more are never strays.
    const STRAY_POPULATION: f64 = 1_000_000.0;
    /// The prior's margin over the runner-up that makes a name count as
    /// context before the context has been applied.
    const CONFIDENT: f32 = 1.5;

    /// One candidate entry of a group.
    struct Candidate {
        entry: u32,
        prior: f32,
        /// The fixed bonus from "X, Y" adjacency.
        adjacency: f32,
    }

    /// The mentions of one key (and the same label family) in a document.
    struct Group {
        candidates: Vec<Candidate>,
        mentions: Vec<usize>,
        /// The weight of this group's vote (a dateline weighs more).
        weight: f32,
    }

    /// The entry chosen for each entity (`None` where nothing fits).
    pub(super) fn pick(
        g: &Gazetteer,
        text: &str,
        entities: &[Entity],
        settings: Settings,
    ) -> Vec<Option<u32>> {
        let mut out = vec![None; entities.len()];
        let mut groups: Vec<Group> = Vec::new();
        let mut by_key: HashMap<(String, bool), usize> = HashMap::new();
        // The group of each entity, if it names a place.
        let mut group_of: Vec<Option<usize>> = vec![None; entities.len()];
        for (i, e) in entities.iter().enumerate() {
            let demonym = e.label == "NORP";
            let wanted = PLACE_LABELS.contains(&e.label)
                || (demonym && settings.demonyms && !settings.population_only);
            if !wanted {
                continue;
            }
            let Some(surface) = text.get(e.span.start..e.span.end) else {
                continue;
            };
            let key = name_key(surface);
            if key.is_empty() {
                continue;
            }
            if let Some(&gi) = by_key.get(&(key.clone(), demonym)) {
                groups[gi].mentions.push(i);
                group_of[i] = Some(gi);
                continue;
            }
            let mut candidates = candidates(g, &key, demonym, settings);
            if e.label == "FAC" {
                candidates.retain(|c| {
                    population_of(g.entries[c.entry as usize].pop)
                        >= settings.facility_min_population as f64
                });
            }
            if candidates.is_empty() && !demonym {
                // "Paris, Texas" as one entity: the head, inside the qualifier.
                if let Some((head, qualifier)) = surface.split_once(',') {
                    let head = candidates_of(g, &name_key(head), settings);
                    let qualifier = candidates_of(g, &name_key(qualifier), settings);
                    candidates = head;
                    qualify(g, &mut candidates, &qualifier);
                }
            }
            if candidates.is_empty() {
                continue;
            }
            let gi = groups.len();
            by_key.insert((key, demonym), gi);
            groups.push(Group {
                candidates,
                mentions: vec![i],
                weight: 1.0,
            });
            group_of[i] = Some(gi);
        }
        if groups.is_empty() {
            return out;
        }
        if settings.context && !settings.population_only {
            adjacency(g, text, entities, &group_of, &mut groups);
            if let Some(gi) = dateline(text, entities, &group_of) {
                groups[gi].weight = DATELINE;
            }
        }
        let mut choice: Vec<usize> = groups
            .iter()
            .map(|grp| best(grp.candidates.iter().map(|c| c.prior + c.adjacency)))
            .collect();
        if settings.context && !settings.population_only {
            for round in 0..2 {
                let first = round == 0;
                let votes = Votes::count(g, &groups, &choice, first);
                for (gi, grp) in groups.iter().enumerate() {
                    let own = if first && !confident(grp) {
                        Votes::default()
                    } else {
                        Votes::single(g, &groups, &choice, gi)
                    };
                    choice[gi] = best(grp.candidates.iter().map(|c| {
                        let e = &g.entries[c.entry as usize];
                        let country = votes.country(e.country) - own.country(e.country);
                        let admin1 = if e.admin1 == super::NO_ADMIN1 {
                            0.0
                        } else {
                            votes.admin1(e.admin1) - own.admin1(e.admin1)
                        };
                        c.prior
                            + c.adjacency
                            + settings.country_context * saturate(country)
                            + settings.admin1_context * saturate(admin1)
                    }));
                }
            }
        }
        // A small place in a country that none of the document's other
        // places is in, while they agree on others, is more often a name
        // the gazetteer lacks ("West Coast") than that place: no place.
        let stray = if settings.context && !settings.population_only {
            let votes = Votes::count(g, &groups, &choice, false);
            let total: f32 = votes.countries.values().sum();
            (0..groups.len())
                .map(|gi| {
                    let e = &g.entries[groups[gi].candidates[choice[gi]].entry as usize];
                    let own = Votes::single(g, &groups, &choice, gi);
                    let others = total - own.countries.values().sum::<f32>();
                    let here = votes.country(e.country) - own.country(e.country);
                    others >= STRAY_AFTER
                        && here <= 0.0
                        && groups[gi].weight <= 1.0
                        && !matches!(
                            e.kind,
                            PlaceKind::Country
                                | PlaceKind::Continent
                                | PlaceKind::Region
                                | PlaceKind::Water
                                | PlaceKind::Capital
                        )
                        && population_of(e.pop) < STRAY_POPULATION
                })
                .collect()
        } else {
            vec![false; groups.len()]
        };
        for ((grp, &c), stray) in groups.iter().zip(&choice).zip(stray) {
            if stray {
                continue;
            }
            for &m in &grp.mentions {
                out[m] = Some(grp.candidates[c].entry);
            }
        }
        out
    }

    /// `1 - e^-w`: the first votes count most.
    fn saturate(w: f32) -> f32 {
        if w <= 0.0 {
            0.0
        } else {
            1.0 - (-w).exp()
        }
    }

    /// The index of the largest score (the first of equals).
    fn best(scores: impl Iterator<Item = f32>) -> usize {
        let mut top = (0, f32::NEG_INFINITY);
        for (i, s) in scores.enumerate() {
            if s > top.1 {
                top = (i, s);
            }
        }
        top.0
    }

    /// The candidates of a key: its names (`demonym` false) or its demonyms.
    fn candidates(g: &Gazetteer, key: &str, demonym: bool, settings: Settings) -> Vec<Candidate> {
        if demonym {
            return g
                .postings(key)
                .iter()
                .filter(|&&p| p & DEMONYM != 0)
                .map(|&p| candidate(g, p >> 2, 0.0))
                .collect();
        }
        candidates_of(g, key, settings)
    }

    /// The candidates of a key by name (alternate names at a cost).
    fn candidates_of(g: &Gazetteer, key: &str, settings: Settings) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = g
            .postings(key)
            .iter()
            .filter(|&&p| p & DEMONYM == 0)
            .map(|&p| {
                let cost = if p & ALTERNATE != 0 {
                    ALTERNATE_COST
                } else {
                    0.0
                };
                candidate(g, p >> 2, cost)
            })
            .collect();
        if settings.population_only {
            // The baseline: population alone decides.
            for c in &mut out {
                c.prior = population_of(g.entries[c.entry as usize].pop) as f32;
            }
        }
        out
    }

    fn candidate(g: &Gazetteer, entry: u32, cost: f32) -> Candidate {
        let e = &g.entries[entry as usize];
        let size = if e.kind == PlaceKind::Water {
            0.0
        } else {
            (population_of(e.pop) as f32 + 1.0).log10()
        };
        Candidate {
            entry,
            prior: size + kind_bonus(e.kind) - cost,
            adjacency: 0.0,
        }
    }

    /// Whether entry `outer` contains entry `inner` (a country its places, a
    /// division its places).
    fn contains(g: &Gazetteer, outer: u32, inner: u32) -> bool {
        let (o, i) = (&g.entries[outer as usize], &g.entries[inner as usize]);
        if outer == inner || o.country == super::NO_COUNTRY || o.country != i.country {
            return false;
        }
        match o.kind {
            PlaceKind::Country => i.kind != PlaceKind::Country,
            PlaceKind::Admin1 => {
                o.admin1 != super::NO_ADMIN1
                    && o.admin1 == i.admin1
                    && !matches!(i.kind, PlaceKind::Admin1 | PlaceKind::Country)
            }
            _ => false,
        }
    }

    /// Raises the candidates of `head` inside a candidate of `qualifier`.
    fn qualify(g: &Gazetteer, head: &mut [Candidate], qualifier: &[Candidate]) {
        for c in head.iter_mut() {
            if qualifier.iter().any(|q| contains(g, q.entry, c.entry)) {
                c.adjacency += QUALIFIED;
            }
        }
    }

    /// "X, Y" in the text: a place entity, a comma, a place entity.
    fn adjacency(
        g: &Gazetteer,
        text: &str,
        entities: &[Entity],
        group_of: &[Option<usize>],
        groups: &mut [Group],
    ) {
        for i in 0..entities.len().saturating_sub(1) {
            let (Some(a), Some(b)) = (group_of[i], group_of[i + 1]) else {
                continue;
            };
            if a == b {
                continue;
            }
            let between = text
                .get(entities[i].span.end..entities[i + 1].span.start)
                .unwrap_or("");
            if between.trim() != "," {
                continue;
            }
            let inner: Vec<u32> = groups[a].candidates.iter().map(|c| c.entry).collect();
            let outer: Vec<u32> = groups[b].candidates.iter().map(|c| c.entry).collect();
            for c in &mut groups[a].candidates {
                if outer.iter().any(|&o| contains(g, o, c.entry)) {
                    c.adjacency = QUALIFIED;
                }
            }
            for c in &mut groups[b].candidates {
                if inner.iter().any(|&x| contains(g, c.entry, x)) {
                    c.adjacency = c.adjacency.max(QUALIFIER);
                }
            }
        }
    }

    /// The group of the document's dateline, if it has one: a place entity
    /// that starts a line near the top, followed (perhaps after a
    /// qualifier such as ", Texas") by an opening bracket or a dash.
    fn dateline(text: &str, entities: &[Entity], group_of: &[Option<usize>]) -> Option<usize> {
        const NEAR_THE_TOP: usize = 1000;
        for (i, e) in entities.iter().enumerate() {
            if e.span.start > NEAR_THE_TOP {
                return None;
            }
            let Some(gi) = group_of[i] else {
                continue;
            };
            let (Some(before), Some(mut rest)) = (text.get(..e.span.start), text.get(e.span.end..))
            else {
                continue;
            };
            let line_start = before.rfind('\n').map_or(0, |n| n + 1);
            if !before[line_start..].trim().is_empty() {
                continue;
            }
            // Skip a qualifier: ", Texas" or ", Calif." (at most 30 bytes).
            if let Some(after) = rest.strip_prefix(',') {
                let cut = after
                    .char_indices()
                    .take_while(|&(at, _)| at <= 30)
                    .find(|&(_, c)| matches!(c, '(' | '\u{2014}' | '\u{2013}' | '-' | ':'))
                    .map(|(at, _)| at);
                if let Some(at) = cut {
                    rest = &after[at..];
                }
            }
            let rest = rest.trim_start_matches([' ', '\t', '\u{a0}']);
            if rest.starts_with(['(', '\u{2014}', '\u{2013}', '-', ':']) {
                return Some(gi);
            }
        }
        None
    }

    /// The votes of the groups' current choices for countries and divisions.
    #[derive(Default)]
    struct Votes {
        countries: HashMap<u8, f32>,
        admin1: HashMap<u16, f32>,
    }

    impl Votes {
        /// Every group's vote; in the first round only the confident ones.
        fn count(g: &Gazetteer, groups: &[Group], choice: &[usize], first: bool) -> Votes {
            let mut v = Votes::default();
            for gi in 0..groups.len() {
                if first && !confident(&groups[gi]) {
                    continue;
                }
                let own = Votes::single(g, groups, choice, gi);
                for (k, w) in own.countries {
                    *v.countries.entry(k).or_default() += w;
                }
                for (k, w) in own.admin1 {
                    *v.admin1.entry(k).or_default() += w;
                }
            }
            v
        }

        /// The vote of group `gi` alone.
        fn single(g: &Gazetteer, groups: &[Group], choice: &[usize], gi: usize) -> Votes {
            let grp = &groups[gi];
            let e = &g.entries[grp.candidates[choice[gi]].entry as usize];
            let w = grp.weight;
            let (to_country, to_admin1) = match e.kind {
                PlaceKind::Country => (1.0, 0.0),
                PlaceKind::Admin1 | PlaceKind::Admin2 => (0.7, 1.0),
                PlaceKind::Continent | PlaceKind::Region | PlaceKind::Water => (0.0, 0.0),
                _ => (0.5, 0.5),
            };
            let mut v = Votes::default();
            if e.country != super::NO_COUNTRY && to_country > 0.0 {
                v.countries.insert(e.country, w * to_country);
            }
            if e.admin1 != super::NO_ADMIN1 && to_admin1 > 0.0 {
                v.admin1.insert(e.admin1, w * to_admin1);
            }
            v
        }

        fn country(&self, c: u8) -> f32 {
            self.countries.get(&c).copied().unwrap_or(0.0)
        }

        fn admin1(&self, a: u16) -> f32 {
            self.admin1.get(&a).copied().unwrap_or(0.0)
        }
    }

    /// A group whose best prior leads the runner-up clearly (or that has one candidate).
    fn confident(grp: &Group) -> bool {
        let mut scores: Vec<f32> = grp
            .candidates
            .iter()
            .map(|c| c.prior + c.adjacency)
            .collect();
        scores.sort_by(|a, b| b.total_cmp(a));
        scores.len() == 1 || scores[0] - scores[1] >= CONFIDENT
    }
}

/// The gazetteer's writer, for the builder (`cargo xtask train gazetteer`)
/// and the tests.
#[cfg(any(test, feature = "internals"))]
pub(crate) mod write {
    use std::collections::{BTreeMap, BTreeSet};

    use super::{
        name_key, population_byte, PlaceKind, ALTERNATE, COORD_SCALE, DEMONYM, FORMAT_VERSION,
        MAGIC, NO_ADMIN1, NO_COUNTRY,
    };

    /// One place to write.
    #[derive(Clone, Debug, PartialEq)]
    pub struct PlaceRecord {
        /// GeoNames id, 0 if it has none.
        pub id: u32,
        /// The display name (no line break).
        pub name: String,
        /// Degrees.
        pub latitude: f64,
        /// Degrees.
        pub longitude: f64,
        /// People (0 if unknown).
        pub population: u64,
        /// What the place is.
        pub kind: PlaceKind,
        /// ISO 3166-1 alpha-2, empty for none.
        pub country: String,
        /// GeoNames admin1 code within the country, empty for none.
        pub admin1: String,
    }

    /// How a name refers to a place.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    pub enum NameKind {
        /// Its name.
        Name,
        /// An alternate name (a prior cost).
        Alternate,
        /// A demonym ("French"), matched by `NORP` entities only.
        Demonym,
    }

    /// LEB128.
    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn section(payload: &mut Vec<u8>, bytes: &[u8]) {
        varint(payload, bytes.len() as u64);
        payload.extend_from_slice(bytes);
    }

    /// The bytes of a gazetteer of `places`, with `names` (a name, the index
    /// of its place in `places`, its kind). Names whose key is empty or over
    /// 1,024 bytes are skipped; a place keeps the best kind a key reaches it by.
    pub fn write_gazetteer(
        places: &[PlaceRecord],
        names: &[(String, usize, NameKind)],
    ) -> Result<Vec<u8>, String> {
        let countries: Vec<&str> = places
            .iter()
            .map(|p| p.country.as_str())
            .filter(|c| !c.is_empty())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if countries.len() >= usize::from(NO_COUNTRY) {
            return Err(format!("{} countries, at most 254", countries.len()));
        }
        if let Some(bad) = countries
            .iter()
            .find(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(format!("country code {bad:?} is not two capitals"));
        }
        let country_index =
            |c: &str| -> u8 { countries.binary_search(&c).map_or(NO_COUNTRY, |i| i as u8) };
        let admin1: Vec<(u8, &str)> = places
            .iter()
            .filter(|p| !p.country.is_empty() && !p.admin1.is_empty())
            .map(|p| (country_index(&p.country), p.admin1.as_str()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if admin1.len() >= usize::from(NO_ADMIN1) {
            return Err(format!("{} divisions, at most 65534", admin1.len()));
        }
        if let Some((_, bad)) = admin1.iter().find(|(_, code)| code.len() > 255) {
            return Err(format!("division code {bad:?} is over 255 bytes"));
        }
        // Entries in id order (ids without a value first).
        let mut order: Vec<usize> = (0..places.len()).collect();
        order.sort_by(|&a, &b| {
            (places[a].id, &places[a].name).cmp(&(places[b].id, &places[b].name))
        });
        let mut new_index = vec![0u32; places.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new as u32;
        }

        let mut counts = Vec::new();
        let mut keys: BTreeMap<String, BTreeMap<u32, NameKind>> = BTreeMap::new();
        for (name, place, kind) in names {
            let Some(&entry) = new_index.get(*place) else {
                return Err(format!(
                    "name {name:?} refers to place {place}, out of range"
                ));
            };
            let key = name_key(name);
            if key.is_empty() || key.len() > 1024 {
                continue;
            }
            let best = keys.entry(key).or_default().entry(entry).or_insert(*kind);
            // A demonym stays a demonym; a name beats an alternate.
            if (*best == NameKind::Demonym) == (*kind == NameKind::Demonym) {
                *best = (*best).min(*kind);
            } else if *kind != NameKind::Demonym {
                // The same key as a name and as a demonym: keep both as names.
                *best = (*kind).min(NameKind::Alternate);
            }
        }
        varint(&mut counts, places.len() as u64);
        varint(&mut counts, countries.len() as u64);
        varint(&mut counts, admin1.len() as u64);
        varint(&mut counts, keys.len() as u64);

        let mut payload = Vec::new();
        section(&mut payload, &counts);
        section(&mut payload, countries.concat().as_bytes());
        let mut a1 = Vec::new();
        for (country, code) in &admin1 {
            a1.push(*country);
            a1.push(code.len() as u8);
            a1.extend_from_slice(code.as_bytes());
        }
        section(&mut payload, &a1);

        let (mut ids, mut lats, mut lons, mut pops, mut kinds, mut cs, mut ads, mut display) = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            String::new(),
        );
        let mut last_id = 0;
        for &i in &order {
            let p = &places[i];
            varint(&mut ids, u64::from(p.id - last_id));
            last_id = p.id;
            if !(-90.0..=90.0).contains(&p.latitude) || !(-180.0..=180.0).contains(&p.longitude) {
                return Err(format!(
                    "{} ({}): coordinates {}, {} out of range",
                    p.name, p.id, p.latitude, p.longitude
                ));
            }
            let lat = ((p.latitude + 90.0) * COORD_SCALE).round() as u32;
            let lon = ((p.longitude + 180.0) * COORD_SCALE).round() as u32;
            lats.extend_from_slice(&lat.to_le_bytes()[..3]);
            lons.extend_from_slice(&lon.to_le_bytes()[..3]);
            pops.push(population_byte(p.population));
            kinds.push(p.kind as u8);
            let c = country_index(&p.country);
            cs.push(c);
            let a = if p.admin1.is_empty() || c == NO_COUNTRY {
                NO_ADMIN1
            } else {
                admin1
                    .binary_search(&(c, p.admin1.as_str()))
                    .map_or(NO_ADMIN1, |k| k as u16)
            };
            ads.extend_from_slice(&a.to_le_bytes());
            if p.name.contains('\n') || p.name.is_empty() {
                return Err(format!(
                    "place {}: the name {:?} is empty or has a line break",
                    p.id, p.name
                ));
            }
            display.push_str(&p.name);
            display.push('\n');
        }
        for column in [&ids, &lats, &lons, &pops, &kinds, &cs, &ads] {
            section(&mut payload, column);
        }
        section(&mut payload, display.as_bytes());

        let (mut key_bytes, mut post_bytes) = (Vec::new(), Vec::new());
        let mut prev: &str = "";
        for (key, entries) in &keys {
            let shared = prev
                .bytes()
                .zip(key.bytes())
                .take_while(|(a, b)| a == b)
                .count()
                .min(255);
            varint(&mut key_bytes, shared as u64);
            varint(&mut key_bytes, (key.len() - shared) as u64);
            key_bytes.extend_from_slice(&key.as_bytes()[shared..]);
            prev = key;
            varint(&mut post_bytes, entries.len() as u64);
            let mut last = 0u64;
            for (&entry, kind) in entries {
                let flags = match kind {
                    NameKind::Name => 0,
                    NameKind::Alternate => ALTERNATE,
                    NameKind::Demonym => DEMONYM,
                };
                let value = u64::from(entry) * 4 + u64::from(flags);
                varint(&mut post_bytes, value - last);
                last = value;
            }
        }
        section(&mut payload, &key_bytes);
        section(&mut payload, &post_bytes);

        let mut out = Vec::with_capacity(payload.len() + 28);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::write::{write_gazetteer, NameKind, PlaceRecord};
    use super::*;
    use crate::span::Span;

    #[allow(clippy::too_many_arguments)]
    fn place(
        id: u32,
        name: &str,
        lat: f64,
        lon: f64,
        pop: u64,
        kind: PlaceKind,
        cc: &str,
        a1: &str,
    ) -> PlaceRecord {
        PlaceRecord {
            id,
            name: name.into(),
            latitude: lat,
            longitude: lon,
            population: pop,
            kind,
            country: cc.into(),
            admin1: a1.into(),
        }
    }

    /// A small invented world (the ids, numbers and coordinates are made up
    /// for the tests, roughly where the real places are).
    fn world() -> Vec<u8> {
        use PlaceKind::*;
        let places = vec![
            place(10, "France", 46.0, 2.0, 67_000_000, Country, "FR", ""),
            place(
                11,
                "United States",
                39.8,
                -98.5,
                330_000_000,
                Country,
                "US",
                "",
            ),
            place(
                12,
                "United Kingdom",
                54.0,
                -2.0,
                67_000_000,
                Country,
                "GB",
                "",
            ),
            place(13, "Canada", 60.0, -95.0, 38_000_000, Country, "CA", ""),
            place(14, "Georgia", 42.0, 43.5, 3_700_000, Country, "GE", ""),
            place(20, "Texas", 31.3, -99.3, 29_000_000, Admin1, "US", "TX"),
            place(21, "Georgia", 32.8, -83.5, 10_000_000, Admin1, "US", "GA"),
            place(22, "Ontario", 49.3, -84.5, 14_000_000, Admin1, "CA", "08"),
            place(30, "Paris", 48.8534, 2.3488, 2_100_000, Capital, "FR", "11"),
            place(31, "Paris", 33.6609, -95.5555, 25_000, Seat2, "US", "TX"),
            place(
                32, "London", 51.5085, -0.1257, 8_900_000, Capital, "GB", "ENG",
            ),
            place(33, "London", 42.9834, -81.233, 380_000, Seat2, "CA", "08"),
            place(
                34, "Toronto", 43.7001, -79.4163, 2_700_000, Seat1, "CA", "08",
            ),
            place(35, "Atlanta", 33.749, -84.388, 500_000, Seat1, "US", "GA"),
            place(
                36, "Tbilisi", 41.6941, 44.8337, 1_100_000, Capital, "GE", "TB",
            ),
            place(
                37, "Dallas", 32.7831, -96.8067, 1_300_000, Seat2, "US", "TX",
            ),
            place(
                38,
                "Edinburgh",
                55.9521,
                -3.1965,
                480_000,
                Seat1,
                "GB",
                "SCT",
            ),
            place(39, "Perth", 56.3954, -3.4314, 47_000, Town, "GB", "SCT"),
            place(
                40, "Perth", -31.9522, 115.8614, 2_100_000, Seat1, "AU", "08",
            ),
            place(0, "Middle East", 29.0, 42.0, 400_000_000, Region, "", ""),
            place(3373405, "Atlantic Ocean", 10.0, -30.0, 0, Water, "", ""),
        ];
        let mut names: Vec<(String, usize, NameKind)> = places
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), i, NameKind::Name))
            .collect();
        for (alias, i) in [
            ("US", 1),
            ("U.S.", 1),
            ("America", 1),
            ("UK", 2),
            ("Britain", 2),
            ("Atlantic", 20),
        ] {
            names.push((alias.into(), i, NameKind::Alternate));
        }
        for (demonym, i) in [("French", 0), ("American", 1), ("British", 2)] {
            names.push((demonym.into(), i, NameKind::Demonym));
        }
        write_gazetteer(&places, &names).unwrap()
    }

    fn gazetteer() -> Gazetteer {
        Gazetteer::from_bytes(&world()).unwrap()
    }

    /// Entities at each `(name, label)`'s first occurrence at or after the previous one.
    fn entities(text: &str, spans: &[(&str, &'static str)]) -> Vec<Entity> {
        let mut from = 0;
        spans
            .iter()
            .map(|&(name, label)| {
                let start = from + text[from..].find(name).unwrap();
                from = start + name.len();
                Entity {
                    span: Span::new(start, start + name.len()),
                    label,
                    score: 1.0,
                }
            })
            .collect()
    }

    /// The country and GeoNames id each entity resolves to.
    fn resolved(
        g: &Gazetteer,
        text: &str,
        spans: &[(&str, &'static str)],
    ) -> Vec<Option<(Option<String>, Option<u32>)>> {
        g.resolve(text, &entities(text, spans))
            .into_iter()
            .map(|p| p.map(|p| (p.country, p.geonames_id)))
            .collect()
    }

    fn id(cc: &str, id: u32) -> Option<(Option<String>, Option<u32>)> {
        Some((Some(cc.to_string()), Some(id)))
    }

    #[test]
    fn keys_fold_case_accents_dots_and_articles() {
        for (name, key) in [
            ("U.S.", "us"),
            ("U. S. A.", "usa"),
            ("the United States", "united states"),
            ("NEW YORK", "new york"),
            ("São Paulo", "sao paulo"),
            ("Côte d’Ivoire", "cote divoire"),
            ("Baden-Württemberg", "baden wurttemberg"),
            ("Łódź", "lodz"),
            ("Straße", "strasse"),
            ("Britain's", "britain"),
            ("  St.  Louis ", "saint louis"),
            ("Mt. Kenya", "mount kenya"),
            ("the", "the"),
            ("", ""),
            ("---", ""),
        ] {
            assert_eq!(name_key(name), key, "{name:?}");
        }
        // Every Latin-1 and Latin Extended-A letter folds to ASCII letters.
        for c in ('\u{c0}'..='\u{17f}').filter(|c| c.is_alphabetic()) {
            let key = name_key(&c.to_string());
            assert!(
                key.bytes().all(|b| b.is_ascii_lowercase()),
                "{c:?} -> {key:?}"
            );
        }
    }

    #[test]
    fn paris_alone_is_in_france_and_paris_texas_is_in_texas() {
        let g = gazetteer();
        let text = "The talks in Paris ended on Friday.";
        assert_eq!(resolved(&g, text, &[("Paris", "GPE")]), [id("FR", 30)]);
        let text = "She grew up in Paris, Texas, and moved away at 18.";
        assert_eq!(
            resolved(&g, text, &[("Paris", "GPE"), ("Texas", "GPE")]),
            [id("US", 31), id("US", 20)]
        );
        // The same as one entity.
        assert_eq!(
            resolved(&g, text, &[("Paris, Texas", "GPE")]),
            [id("US", 31)]
        );
        // Without the qualifier, places of the same state elsewhere in the
        // document do not move a national capital.
        let text = "Ranchers from Dallas drove to Paris on Monday. Texas has had no rain.";
        assert_eq!(
            resolved(
                &g,
                text,
                &[("Dallas", "GPE"), ("Paris", "GPE"), ("Texas", "GPE")]
            ),
            [id("US", 37), id("FR", 30), id("US", 20)]
        );
    }

    #[test]
    fn a_dateline_weighs_more_than_a_name_in_the_text() {
        let g = gazetteer();
        let body = "Officials said the fair in Perth would go ahead.";
        let with = format!("Fair goes ahead\nEDINBURGH (PA) \u{2014} {body}");
        assert_eq!(
            resolved(&g, &with, &[("EDINBURGH", "GPE"), ("Perth", "GPE")]),
            [id("GB", 38), id("GB", 39)]
        );
        let without = format!("{body} Edinburgh was not asked.");
        assert_eq!(
            resolved(&g, &without, &[("Perth", "GPE"), ("Edinburgh", "GPE")]),
            [id("AU", 40), id("GB", 38)]
        );
        // "LONDON, Ontario (CP) -" qualifies the dateline.
        let text = "LONDON, Ontario (CP) - The fair will go ahead.";
        assert_eq!(
            resolved(&g, text, &[("LONDON", "GPE"), ("Ontario", "GPE")]),
            [id("CA", 33), id("CA", 22)]
        );
    }

    #[test]
    fn the_page_names_of_countries_resolve_to_the_country() {
        let g = gazetteer();
        let text = "U.S. and UK officials met. The US team, America's best, left Britain.";
        let got = resolved(
            &g,
            text,
            &[
                ("U.S.", "GPE"),
                ("UK", "GPE"),
                ("US", "GPE"),
                ("America's", "GPE"),
                ("Britain", "GPE"),
            ],
        );
        assert_eq!(
            got,
            [
                id("US", 11),
                id("GB", 12),
                id("US", 11),
                id("US", 11),
                id("GB", 12)
            ]
        );
    }

    #[test]
    fn georgia_follows_its_context() {
        let g = gazetteer();
        let text = "Atlanta, Georgia, is hot.";
        assert_eq!(
            resolved(&g, text, &[("Atlanta", "GPE"), ("Georgia", "GPE")]),
            [id("US", 35), id("US", 21)]
        );
        let text = "Tbilisi is the capital of Georgia.";
        assert_eq!(
            resolved(&g, text, &[("Tbilisi", "GPE"), ("Georgia", "GPE")]),
            [id("GE", 36), id("GE", 14)]
        );
    }

    #[test]
    fn demonyms_resolve_norp_entities_to_their_country_when_asked() {
        let g = gazetteer();
        let text = "French and American farmers met British buyers.";
        let spans = [
            ("French", "NORP"),
            ("American", "NORP"),
            ("British", "NORP"),
        ];
        // Off by default (docs/experiments/places.md: they cost precision).
        assert_eq!(resolved(&g, text, &spans), [None, None, None]);
        let on = Settings {
            demonyms: true,
            ..Settings::default()
        };
        let countries: Vec<Option<String>> = g
            .resolve_with(text, &entities(text, &spans), on)
            .into_iter()
            .map(|p| p.and_then(|p| p.country))
            .collect();
        assert_eq!(
            countries,
            [Some("FR".into()), Some("US".into()), Some("GB".into())]
        );
        // A demonym is not a place name, nor a place name a demonym.
        let places = g.resolve_with(text, &entities(text, &[("French", "GPE")]), on);
        assert_eq!(places, [None]);
        let text = "France won.";
        let places = g.resolve_with(text, &entities(text, &[("France", "NORP")]), on);
        assert_eq!(places, [None]);
        let places = g.resolve_with(text, &entities(text, &[("France", "GPE")]), on);
        assert_eq!(places[0].as_ref().map(|p| p.name.as_str()), Some("France"));
    }

    #[test]
    fn regions_and_seas_without_countries() {
        let g = gazetteer();
        let text = "Ships crossed the Atlantic to the Middle East.";
        let places = g.resolve(
            text,
            &entities(text, &[("Atlantic", "LOC"), ("Middle East", "LOC")]),
        );
        let atlantic = places[0].as_ref().unwrap();
        assert_eq!(
            (atlantic.geonames_id, atlantic.country.as_deref()),
            (Some(3373405), None)
        );
        assert_eq!(atlantic.name, "Atlantic Ocean");
        let middle_east = places[1].as_ref().unwrap();
        assert_eq!(middle_east.geonames_id, None);
    }

    #[test]
    fn unknown_names_other_labels_and_empty_input_give_none() {
        let g = gazetteer();
        let text = "Zorblax Prime and Paris Hilton were at the Marlowe Building.";
        let spans = [
            ("Zorblax Prime", "GPE"),
            ("Paris Hilton", "PERSON"),
            ("Marlowe Building", "FAC"),
        ];
        assert_eq!(resolved(&g, text, &spans), [None, None, None]);
        assert_eq!(resolved(&g, text, &[("Paris", "PERSON")]), [None]);
        assert!(g.resolve("", &[]).is_empty());
        assert!(g.resolve("Paris", &[]).is_empty());
        // Spans that do not fit the text (a caller's mistake) give None, no panic.
        let stray = Entity {
            span: Span::new(3, 99),
            label: "GPE",
            score: 1.0,
        };
        assert_eq!(g.resolve("Paris", std::slice::from_ref(&stray)), [None]);
        let inside = Entity {
            span: Span::new(1, 2),
            label: "GPE",
            score: 1.0,
        };
        assert_eq!(g.resolve("é London", &[inside, stray]), [None, None]);
    }

    #[test]
    fn places_round_trip_with_their_fields() {
        let g = gazetteer();
        assert_eq!(g.len(), 21);
        assert!(!g.is_empty());
        let text = "Paris";
        let p = g.resolve(text, &entities(text, &[("Paris", "GPE")]))[0]
            .clone()
            .unwrap();
        assert_eq!(p.name, "Paris");
        assert_eq!(p.country.as_deref(), Some("FR"));
        assert_eq!(p.geonames_id, Some(30));
        assert!((p.latitude - 48.8534).abs() < 1e-9 && (p.longitude - 2.3488).abs() < 1e-9);
        // Population bytes keep the order of magnitude.
        for pop in [0u64, 1, 999, 25_000, 2_100_000, 1_400_000_000] {
            let back = population_of(population_byte(pop));
            assert!(
                (back + 1.0) / (pop as f64 + 1.0) < 1.05
                    && (pop as f64 + 1.0) / (back + 1.0) < 1.05,
                "{pop} {back}"
            );
        }
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = world();
        for len in 0..bytes.len() {
            let err = Gazetteer::from_bytes(&bytes[..len]).unwrap_err();
            match err {
                GazetteerError::NotAGazetteer => assert!(len < 8, "{len}"),
                GazetteerError::Truncated { expected, found } => {
                    assert!(found < expected && found == len as u64, "{len}")
                }
                other => panic!("{len}: {other:?}"),
            }
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            Gazetteer::from_bytes(&longer),
            Err(GazetteerError::Corrupt {
                section: "header",
                ..
            })
        ));
    }

    #[test]
    fn every_byte_flip_is_an_error() {
        let bytes = world();
        for at in 0..bytes.len() {
            for bit in [0x01, 0x80] {
                let mut b = bytes.clone();
                b[at] ^= bit;
                let err = Gazetteer::from_bytes(&b).unwrap_err();
                let expected = match at {
                    0..=7 => matches!(err, GazetteerError::NotAGazetteer),
                    8..=11 => matches!(err, GazetteerError::UnsupportedVersion { .. }),
                    12..=19 => matches!(
                        err,
                        GazetteerError::Truncated { .. }
                            | GazetteerError::Corrupt {
                                section: "header",
                                ..
                            }
                    ),
                    _ => err == GazetteerError::ChecksumMismatch,
                };
                assert!(expected, "byte {at} ^ {bit:#x}: {err:?}");
                assert!(!err.to_string().is_empty());
            }
        }
    }

    /// Rewrites the checksum so that a changed payload reaches the decoder.
    fn reseal(bytes: &mut [u8]) {
        let sum = xxhash_rust::xxh3::xxh3_64(&bytes[HEADER_LEN..]);
        bytes[20..28].copy_from_slice(&sum.to_le_bytes());
    }

    #[test]
    fn a_resealed_corrupt_payload_is_an_error_or_a_valid_gazetteer_never_a_panic() {
        let bytes = world();
        let mut corrupt = 0;
        for at in HEADER_LEN..bytes.len() {
            for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut b = bytes.clone();
                if b[at] == value {
                    continue;
                }
                b[at] = value;
                reseal(&mut b);
                match Gazetteer::from_bytes(&b) {
                    Ok(g) => {
                        // Whatever loads must resolve without panicking.
                        let text = "Paris, Texas and the U.S. and French";
                        let ents = entities(
                            text,
                            &[
                                ("Paris", "GPE"),
                                ("Texas", "GPE"),
                                ("U.S.", "GPE"),
                                ("French", "NORP"),
                            ],
                        );
                        assert_eq!(g.resolve(text, &ents).len(), 4);
                    }
                    Err(GazetteerError::Corrupt { section, why }) => {
                        corrupt += 1;
                        assert!(!section.is_empty() && !why.is_empty());
                    }
                    Err(other) => panic!("byte {at} = {value:#x}: {other:?}"),
                }
            }
        }
        assert!(corrupt > 100, "{corrupt}");
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let mut bytes = world();
        bytes[8] = 9;
        let message = Gazetteer::from_bytes(&bytes).unwrap_err().to_string();
        assert!(
            message.contains("version 9") && message.contains("reads version 1"),
            "{message}"
        );
        let message = Gazetteer::from_bytes(&world()[..100])
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("truncated") && message.contains("100 found"),
            "{message}"
        );
        let message = Gazetteer::from_bytes(b"").unwrap_err().to_string();
        assert!(message.contains("NMPLACE"), "{message}");
    }

    #[test]
    fn the_writer_refuses_what_it_cannot_store() {
        let mut p = place(1, "Nowhere", 91.0, 0.0, 0, PlaceKind::Town, "", "");
        assert!(write_gazetteer(&[p.clone()], &[])
            .unwrap_err()
            .contains("out of range"));
        p.latitude = 0.0;
        p.country = "usa".into();
        assert!(write_gazetteer(&[p.clone()], &[])
            .unwrap_err()
            .contains("two capitals"));
        p.country = String::new();
        p.name = "Two\nlines".into();
        assert!(write_gazetteer(&[p.clone()], &[]).is_err());
        p.name = "Nowhere".into();
        assert!(write_gazetteer(&[p], &[("Nowhere".into(), 1, NameKind::Name)]).is_err());
    }

    /// The shipped gazetteer, if it has been built, on sentences of our own.
    #[test]
    fn the_shipped_gazetteer_resolves_common_names() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/models/places.nmg");
        let Ok(bytes) = std::fs::read(path) else {
            panic!("{path} is missing: build it with `cargo xtask train gazetteer`");
        };
        let g = Gazetteer::from_bytes(&bytes).unwrap();
        assert!(g.len() > 100_000, "{}", g.len());
        let text = "LONDON (Reuters) - U.S. and French envoys flew from Lagos to Paris, Texas.";
        let spans = [
            ("LONDON", "GPE"),
            ("U.S.", "GPE"),
            ("French", "GPE"),
            ("Lagos", "GPE"),
            ("Paris", "GPE"),
            ("Texas", "GPE"),
        ];
        let got: Vec<Option<String>> = g
            .resolve(text, &entities(text, &spans))
            .into_iter()
            .map(|p| p.and_then(|p| p.country))
            .collect();
        let cc = |c: &str| Some(c.to_string());
        assert_eq!(
            got,
            [cc("GB"), cc("US"), None, cc("NG"), cc("US"), cc("US")]
        );
        let text = "Rain fell on Paris.";
        let paris = g.resolve(text, &entities(text, &[("Paris", "GPE")]))[0]
            .clone()
            .unwrap();
        assert_eq!(
            (paris.country.as_deref(), paris.name.as_str()),
            (Some("FR"), "Paris")
        );
    }
}
