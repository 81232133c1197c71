//! The JavaScript binding (feature `wasm`): the only file that knows about
//! wasm-bindgen.
//!
//! It exports a class `Annotator` and two functions, `segment` and
//! `version`. Results are plain JS objects whose offsets are **UTF-16 code
//! units**, so `text.slice(e.start, e.end) === e.text` holds in JavaScript.
//! With `clusters: true`, `annotate` adds the entities' clusters
//! ([`crate::Document::clusters`]) and each entity's cluster index.
//! Text with lone surrogates arrives here with each one replaced by U+FFFD,
//! which is also one UTF-16 unit long, so the offsets still index the
//! caller's original string.
//!
//! Nothing here panics on any input: every failure becomes a thrown JS
//! `Error` with a message that says what was wrong.

use crate::document::{Block, Document, Entity};
use crate::ner::labels;
use crate::span::{OffsetMap, Span, Unit};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** What a block of the input is. */
export type BlockKind = "title" | "byline" | "paragraph" | "boilerplate";

/** Why a block was judged to be boilerplate. */
export type BoilerplateReason =
  | "comments" | "link_list" | "navigation" | "listing" | "footer" | "template" | "other";

/** A range of the input in UTF-16 code units: `text.slice(start, end)`. */
export interface TextRange {
  start: number;
  end: number;
}

/** A line or paragraph of the input. `reason` is present exactly for boilerplate. */
export interface AnnotatedBlock extends TextRange {
  kind: BlockKind;
  reason?: BoilerplateReason;
}

/** A named entity; `text` equals `input.slice(start, end)`. */
export interface AnnotatedEntity extends TextRange {
  /**
   * One of the model's labels, e.g. "PERSON", "ORG", "GPE", "DATE". A single
   * word the model reads as "ORG" is "PERSON" when a person's full name in the
   * same text holds it, and no organisation's name of two or more words does
   * ("Noem" after "Kristi Noem").
   */
  label: string;
  text: string;
  /**
   * The probability the model gives this exact span with this label, in [0, 1]
   * (for a surname relabelled as above, with the model's own label).
   */
  score: number;
  /** With `clusters: true`: the index of the entity's cluster in `Annotation.clusters`. */
  cluster?: number;
}

/**
 * Entities that name the same person, organisation, place or other thing (with
 * `clusters: true`). `name` is its fullest mention without a leading "the" or a
 * possessive, and `start`/`end` say where that name is.
 */
export interface AnnotatedCluster extends TextRange {
  name: string;
  /** The most frequent label of its mentions. */
  label: string;
  /** Its mentions: indices into `entities`, in text order. */
  mentions: number[];
}

/** The result of `annotate` (and of `segment`, whose `entities` is always empty). */
export interface Annotation {
  blocks: AnnotatedBlock[];
  sentences: TextRange[];
  /** Present when `tokens: true` was asked for (always present from `segment`). */
  tokens?: TextRange[];
  entities: AnnotatedEntity[];
  /** Present when `clusters: true` was asked for: every entity is in exactly one, in order of first mention. */
  clusters?: AnnotatedCluster[];
}

/** Options of `Annotator.annotate`. Unknown keys are an error. */
export interface AnnotateOptions {
  /** Keep only entities with these labels (each must be one of the model's labels). */
  labels?: string[];
  /** Include the tokens in the result (default false). */
  tokens?: boolean;
  /** Group the entities into clusters of the same thing: adds `clusters` and each entity's `cluster`
   * (default false). Clusters are made from all the entities, before `labels` filters them. */
  clusters?: boolean;
}

/** A label the model emits, with what it means. */
export interface LabelInfo {
  name: string;
  description: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The options object of `annotate` (see the TypeScript `AnnotateOptions`).
    #[wasm_bindgen(typescript_type = "AnnotateOptions")]
    pub type AnnotateOptions;

    /// The result object of `annotate` (see the TypeScript `Annotation`).
    #[wasm_bindgen(typescript_type = "Annotation")]
    pub type Annotation;

    /// The array returned by `labels()` (see the TypeScript `LabelInfo`).
    #[wasm_bindgen(typescript_type = "LabelInfo[]")]
    pub type LabelInfoArray;
}

/// Segments and annotates text; in JavaScript, the class `Annotator`.
#[wasm_bindgen(js_name = Annotator)]
pub struct WasmAnnotator {
    inner: crate::Annotator,
}

#[wasm_bindgen(js_class = Annotator)]
impl WasmAnnotator {
    /// `new Annotator()`: an annotator with the default model embedded in the
    /// wasm module (18 OntoNotes labels). The module without a model (the
    /// feature `wasm-no-model`, shipped for the lite model) throws: it has only
    /// `Annotator.fromBytes`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<WasmAnnotator, JsError> {
        #[cfg(feature = "wasm")]
        return crate::Annotator::from_bytes(crate::annotator::DEFAULT_MODEL)
            .map(|inner| WasmAnnotator { inner })
            .map_err(|e| {
                JsError::new(&format!(
                    "the embedded default model could not be loaded: {e}"
                ))
            });
        #[cfg(not(feature = "wasm"))]
        Err(JsError::new(
            "new Annotator(): this module (newsmark_core_bg.wasm) has no embedded model; \
             load one with Annotator.fromBytes(bytes), e.g. the bytes of ontonotes-lite.nmm",
        ))
    }

    /// `Annotator.fromBytes(bytes)`: an annotator with the model in `bytes`
    /// (the contents of a `.nmm` file).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<WasmAnnotator, JsError> {
        crate::Annotator::from_bytes(bytes)
            .map(|inner| WasmAnnotator { inner })
            .map_err(|e| JsError::new(&format!("Annotator.fromBytes: {e}")))
    }

    /// `annotate(text, options?)`: blocks, sentences, (tokens,) entities,
    /// (clusters,) with UTF-16 offsets into `text`.
    pub fn annotate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        options: Option<AnnotateOptions>,
    ) -> Result<Annotation, JsError> {
        let text = string_arg("annotate", text)?;
        let options = Options::parse(options, self.inner.labels())?;
        // Refuses texts over `MAX_INPUT_BYTES` with a clear error instead of trying.
        crate::annotator::check_input_size(&text)
            .map_err(|e| JsError::new(&format!("annotate: {e}")))?;
        // Without `tokens: true` no token list is built: the text is tagged a
        // block at a time, in bounded memory.
        let doc = self.inner.annotate_keeping(&text, options.tokens);
        let mut out = Output::from_document(&text, &doc, options.tokens);
        if options.clusters {
            out.add_clusters(&text, &doc);
        }
        if let Some(keep) = &options.labels {
            out.retain_labels(keep);
        }
        to_js(&out)
    }

    /// `labels()`: the labels this annotator's model emits, with descriptions.
    pub fn labels(&self) -> Result<LabelInfoArray, JsError> {
        let infos: Vec<LabelOut> = self
            .inner
            .labels()
            .iter()
            .map(|&name| LabelOut {
                name,
                description: labels::lookup(name).map_or("", |l| l.description),
            })
            .collect();
        to_js(&infos)
    }

    /// The newsmark version, e.g. `"0.1.0"`.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        version()
    }
}

/// `segment(text)`: blocks, sentences and tokens only (no model needed);
/// `entities` is always empty.
#[wasm_bindgen]
pub fn segment(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<Annotation, JsError> {
    let text = string_arg("segment", text)?;
    crate::annotator::check_input_size(&text)
        .map_err(|e| JsError::new(&format!("segment: {e}")))?;
    let seg = crate::segment::segment(&text);
    let doc = Document {
        blocks: seg.blocks,
        sentences: seg.sentences,
        tokens: seg.tokens,
        entities: Vec::new(),
    };
    to_js(&Output::from_document(&text, &doc, true))
}

/// `version()`: the newsmark version, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// UTF-16 code units converted at a time by [`string_arg`].
const STRING_PIECE: u32 = 1 << 16;

/// Converts a JS argument that must be a string.
///
/// A string is copied into wasm memory piece by piece: wasm-bindgen's own
/// conversion first reserves three bytes per UTF-16 unit for the whole
/// string (30 MB for a 10 MB text), and linear memory never shrinks. Lone
/// surrogates become U+FFFD (one unit for one unit, as `as_string` does),
/// and no piece ends between the two halves of a pair.
fn string_arg(function: &str, value: JsValue) -> Result<String, JsError> {
    let Some(js) = value.dyn_ref::<js_sys::JsString>() else {
        return Err(JsError::new(&format!(
            "{function}: text must be a string, got {}",
            value.js_typeof().as_string().unwrap_or_default()
        )));
    };
    let units = js.length();
    if units <= STRING_PIECE {
        return Ok(js.as_string().unwrap_or_default());
    }
    // Mostly ASCII in practice: one byte per unit, plus room for some more.
    let mut text = String::with_capacity(units as usize + units as usize / 8);
    let mut at = 0;
    while at < units {
        let mut end = (at + STRING_PIECE).min(units);
        if end < units && (0xD800..0xDC00).contains(&(js.char_code_at(end - 1) as u32)) {
            end -= 1;
        }
        text.push_str(&js.slice(at, end).as_string().unwrap_or_default());
        at = end;
    }
    Ok(text)
}

/// Serialises a result into a plain JS object.
fn to_js<T: Serialize, R: JsCast>(value: &T) -> Result<R, JsError> {
    serde_wasm_bindgen::to_value(value)
        .map(JsCast::unchecked_into)
        .map_err(|e| JsError::new(&format!("could not build the result object: {e}")))
}

/// The keys `annotate` accepts in its options object.
const OPTION_NAMES: &[&str] = &["labels", "tokens", "clusters"];

/// The options of `annotate`, as the caller wrote them.
#[derive(Deserialize, Default)]
struct RawOptions {
    labels: Option<Vec<String>>,
    tokens: Option<bool>,
    clusters: Option<bool>,
}

/// The options of `annotate`, checked.
struct Options {
    /// Labels to keep (all when `None`).
    labels: Option<Vec<&'static str>>,
    /// Include the tokens.
    tokens: bool,
    /// Include the clusters.
    clusters: bool,
}

impl Options {
    fn parse(
        options: Option<AnnotateOptions>,
        model_labels: &[&'static str],
    ) -> Result<Options, JsError> {
        let raw: RawOptions = match options {
            None => RawOptions::default(),
            Some(value) if value.is_null() || value.is_undefined() => RawOptions::default(),
            Some(value) => {
                let value: JsValue = value.into();
                // serde-wasm-bindgen reads only the fields it knows, so
                // misspelt keys are caught here.
                if let Some(object) = value.dyn_ref::<js_sys::Object>() {
                    for key in js_sys::Object::keys(object).iter() {
                        let key = key.as_string().unwrap_or_default();
                        if !OPTION_NAMES.contains(&key.as_str()) {
                            return Err(JsError::new(&format!(
                                "annotate: unknown option {key:?} (options: {})",
                                OPTION_NAMES.join(", ")
                            )));
                        }
                    }
                }
                serde_wasm_bindgen::from_value(value).map_err(|e| {
                    let why = e.to_string();
                    let why = why.strip_prefix("Error: ").unwrap_or(&why);
                    JsError::new(&format!("annotate: bad options: {why}"))
                })?
            }
        };
        let labels = match raw.labels {
            None => None,
            Some(names) => {
                let mut keep = Vec::with_capacity(names.len());
                for name in &names {
                    let Some(&known) = model_labels.iter().find(|l| **l == name.as_str()) else {
                        return Err(JsError::new(&format!(
                            "annotate: options.labels: unknown label {name:?} (this model's labels: {})",
                            model_labels.join(", ")
                        )));
                    };
                    keep.push(known);
                }
                Some(keep)
            }
        };
        Ok(Options {
            labels,
            tokens: raw.tokens.unwrap_or(false),
            clusters: raw.clusters.unwrap_or(false),
        })
    }
}

/// A range in UTF-16 code units.
#[derive(Serialize)]
struct RangeOut {
    start: u32,
    end: u32,
}

#[derive(Serialize)]
struct BlockOut {
    start: u32,
    end: u32,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

#[derive(Serialize)]
struct EntityOut<'t> {
    start: u32,
    end: u32,
    label: &'static str,
    text: &'t str,
    score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: Option<u32>,
}

#[derive(Serialize)]
struct ClusterOut<'t> {
    start: u32,
    end: u32,
    name: &'t str,
    label: &'static str,
    mentions: Vec<u32>,
}

#[derive(Serialize)]
struct LabelOut {
    name: &'static str,
    description: &'static str,
}

/// The JS-shaped result, offsets already in UTF-16 code units.
#[derive(Serialize)]
struct Output<'t> {
    blocks: Vec<BlockOut>,
    sentences: Vec<RangeOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tokens: Option<Vec<RangeOut>>,
    entities: Vec<EntityOut<'t>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clusters: Option<Vec<ClusterOut<'t>>>,
}

/// An index or offset as a JS number (those of a 32-bit module's memory
/// always fit).
fn js_index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl<'t> Output<'t> {
    fn from_document(text: &'t str, doc: &Document, with_tokens: bool) -> Self {
        let map = OffsetMap::new(text, Unit::Utf16);
        // Texts longer than 4 GiB cannot reach a 32-bit wasm module, so the
        // conversion to u32 never saturates in practice.
        let at = |byte: usize| u32::try_from(map.convert(byte)).unwrap_or(u32::MAX);
        let range = |s: &Span| RangeOut {
            start: at(s.start),
            end: at(s.end),
        };
        let block = |b: &Block| BlockOut {
            start: at(b.span.start),
            end: at(b.span.end),
            kind: b.kind.as_str(),
            reason: b.reason.map(|r| r.as_str()),
        };
        let entity = |e: &Entity| EntityOut {
            start: at(e.span.start),
            end: at(e.span.end),
            label: e.label,
            text: e.span.slice(text),
            // Four decimals: enough for display, and no float noise like 0.8999999761.
            score: (f64::from(e.score) * 1e4).round() / 1e4,
            cluster: None,
        };
        Output {
            blocks: doc.blocks.iter().map(block).collect(),
            sentences: doc.sentences.iter().map(range).collect(),
            tokens: with_tokens.then(|| doc.tokens.iter().map(range).collect()),
            entities: doc.entities.iter().map(entity).collect(),
            clusters: None,
        }
    }

    /// Adds the clusters of `doc`'s entities (all of them: `entities` must
    /// not be filtered yet) and each entity's cluster index.
    fn add_clusters(&mut self, text: &'t str, doc: &Document) {
        let clusters = doc.clusters(text);
        let map = OffsetMap::new(text, Unit::Utf16);
        let mut out = Vec::with_capacity(clusters.len());
        for (c, cluster) in clusters.into_iter().enumerate() {
            for &m in &cluster.mentions {
                if let Some(e) = self.entities.get_mut(m) {
                    e.cluster = Some(js_index(c));
                }
            }
            let (start, end) = map.convert_span(cluster.name);
            out.push(ClusterOut {
                start: js_index(start),
                end: js_index(end),
                name: cluster.name.slice(text),
                label: cluster.label,
                mentions: cluster.mentions.into_iter().map(js_index).collect(),
            });
        }
        self.clusters = Some(out);
    }

    /// Keeps only the entities whose label is in `keep`. With clusters, the
    /// mentions are renumbered, a cluster left without mentions goes and
    /// the others are renumbered (each keeps its name and label).
    fn retain_labels(&mut self, keep: &[&'static str]) {
        let Some(clusters) = &mut self.clusters else {
            self.entities.retain(|e| keep.contains(&e.label));
            return;
        };
        // The new index of each entity kept.
        let mut kept = 0;
        let new_index: Vec<Option<u32>> = self
            .entities
            .iter()
            .map(|e| {
                keep.contains(&e.label).then(|| {
                    kept += 1;
                    js_index(kept - 1)
                })
            })
            .collect();
        let mut new_cluster = vec![None; clusters.len()];
        let mut next = 0;
        for (c, cluster) in clusters.iter_mut().enumerate() {
            cluster
                .mentions
                .retain_mut(|m| match new_index.get(*m as usize).copied().flatten() {
                    Some(i) => {
                        *m = i;
                        true
                    }
                    None => false,
                });
            if !cluster.mentions.is_empty() {
                new_cluster[c] = Some(next);
                next += 1;
            }
        }
        clusters.retain(|c| !c.mentions.is_empty());
        self.entities.retain(|e| keep.contains(&e.label));
        for e in &mut self.entities {
            e.cluster = e
                .cluster
                .and_then(|c| new_cluster.get(c as usize).copied().flatten());
        }
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_PLACES: &'static str = r#"
/** A place a name was resolved to (a GeoNames entry). */
export interface Place {
  /** The GeoNames id (`https://www.geonames.org/<id>`); null for the gazetteer's own regions. */
  id: number | null;
  name: string;
  /** ISO 3166-1 alpha-2 code, e.g. "FR"; null for continents, oceans and regions. */
  country: string | null;
  lat: number;
  lon: number;
}

/** An entity of `annotate` with its place: null unless a GPE, LOC or FAC the gazetteer holds. */
export interface PlacedEntity extends AnnotatedEntity {
  place: Place | null;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The entities `Gazetteer.resolve` reads (see the TypeScript `AnnotatedEntity`).
    #[wasm_bindgen(typescript_type = "AnnotatedEntity[]")]
    pub type AnnotatedEntities;

    /// The result of `Gazetteer.resolve` (see the TypeScript `PlacedEntity`).
    #[wasm_bindgen(typescript_type = "PlacedEntity[]")]
    pub type PlacedEntities;
}

/// Places for the entities; in JavaScript, the class `Gazetteer`: load the
/// bytes of `places.nmg` with `Gazetteer.fromBytes(bytes)`, then
/// `gazetteer.resolve(text, annotation.entities)`.
#[wasm_bindgen(js_name = Gazetteer)]
pub struct WasmGazetteer {
    inner: crate::Gazetteer,
}

#[wasm_bindgen(js_class = Gazetteer)]
impl WasmGazetteer {
    /// `Gazetteer.fromBytes(bytes)`: the gazetteer in `bytes` (the contents
    /// of a `.nmg` file, such as `places.nmg`).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<WasmGazetteer, JsError> {
        crate::Gazetteer::from_bytes(bytes)
            .map(|inner| WasmGazetteer { inner })
            .map_err(|e| JsError::new(&format!("Gazetteer.fromBytes: {e}")))
    }

    /// `size`: the number of places.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// `resolve(text, entities)`: a copy of each entity (from
    /// `annotate(text)`, UTF-16 offsets) with `place` set: a `Place`, or
    /// null where there is none.
    pub fn resolve(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        entities: AnnotatedEntities,
    ) -> Result<PlacedEntities, JsError> {
        const CALL: &str = "Gazetteer.resolve";
        let text = string_arg(CALL, text)?;
        crate::annotator::check_input_size(&text)
            .map_err(|e| JsError::new(&format!("{CALL}: {e}")))?;
        let entities: JsValue = entities.into();
        let Some(items) = entities.dyn_ref::<js_sys::Array>() else {
            return Err(JsError::new(&format!(
                "{CALL}: entities must be an array of the entities of annotate(text) \
                 ({{start, end, label, ...}}), got {}",
                entities.js_typeof().as_string().unwrap_or_default()
            )));
        };
        let units = text.encode_utf16().count();
        let mut read = Vec::with_capacity(items.length() as usize);
        for (i, item) in items.iter().enumerate() {
            let field = |name: &str| js_sys::Reflect::get(&item, &JsValue::from_str(name)).ok();
            let offset = |name: &str| -> Result<usize, JsError> {
                let value = field(name).and_then(|v| v.as_f64());
                match value {
                    Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= units as f64 => Ok(v as usize),
                    _ => Err(JsError::new(&format!(
                        "{CALL}: entities[{i}].{name} must be a UTF-16 offset into the text \
                         (0 to {units}), as annotate(text) gives"
                    ))),
                }
            };
            let (start, end) = (offset("start")?, offset("end")?);
            if end < start {
                return Err(JsError::new(&format!(
                    "{CALL}: entities[{i}] ends ({end}) before it starts ({start})"
                )));
            }
            let label = field("label").and_then(|v| v.as_string()).ok_or_else(|| {
                JsError::new(&format!(
                    "{CALL}: entities[{i}].label must be a string, e.g. \"GPE\""
                ))
            })?;
            read.push((start, end, labels::lookup(&label).map_or("", |l| l.name)));
        }
        let bytes = utf16_to_bytes(&text, read.iter().flat_map(|r| [r.0, r.1]));
        let spans: Vec<Entity> = read
            .iter()
            .enumerate()
            .map(|(i, &(_, _, label))| Entity {
                span: Span::new(bytes[2 * i], bytes[2 * i + 1].max(bytes[2 * i])),
                label,
                score: 1.0,
            })
            .collect();
        let places = self.inner.resolve(&text, &spans);
        let out = js_sys::Array::new();
        for (item, place) in items.iter().zip(places) {
            let copy = js_sys::Object::assign(&js_sys::Object::new(), &item.unchecked_into());
            let place: JsValue = match place {
                None => JsValue::NULL,
                Some(p) => to_js::<_, JsValue>(&PlaceOut {
                    id: p.geonames_id,
                    name: p.name,
                    country: p.country,
                    lat: p.latitude,
                    lon: p.longitude,
                })?,
            };
            js_sys::Reflect::set(&copy, &JsValue::from_str("place"), &place)
                .map_err(|_| JsError::new(&format!("{CALL}: could not set an entity's place")))?;
            out.push(&copy);
        }
        Ok(out.unchecked_into())
    }
}

/// A place as JavaScript sees it.
#[derive(Serialize)]
struct PlaceOut {
    id: Option<u32>,
    name: String,
    country: Option<String>,
    lat: f64,
    lon: f64,
}

/// Byte offsets of UTF-16 offsets into `text` (any order); an offset inside
/// a surrogate pair is rounded down, one past the end is clamped.
fn utf16_to_bytes(text: &str, offsets: impl Iterator<Item = usize>) -> Vec<usize> {
    let offsets: Vec<usize> = offsets.collect();
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut out = vec![text.len(); offsets.len()];
    let mut chars = text.char_indices().peekable();
    let mut unit = 0;
    for i in order {
        while let Some(&(_, c)) = chars.peek() {
            if unit + c.len_utf16() > offsets[i] {
                break;
            }
            unit += c.len_utf16();
            chars.next();
        }
        out[i] = chars.peek().map_or(text.len(), |&(b, _)| b);
    }
    out
}

/// The wasm build's own kernels (simd128), run by `cargo xtask test`'s wasm
/// step (`--lib`): the same check as the native kernel tests.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn kernels_match_the_plain_product_on_random_shapes() {
        crate::kernels::check_random_shapes(7, 300);
    }
}

/// The JS-shaped result without JS: clusters and the `labels` filter.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod native_tests {
    use super::*;

    fn entity(text: &str, name: &str, nth: usize, label: &'static str) -> Entity {
        let start = text.match_indices(name).nth(nth).expect("in the text").0;
        Entity {
            span: Span::new(start, start + name.len()),
            label,
            score: 0.9,
        }
    }

    #[test]
    fn clusters_survive_the_labels_filter_renumbered_in_utf16() {
        let text = "😀 Ines Okafor met Tallis Motors on Monday. Okafor said Tallis would hire.";
        let doc = Document {
            entities: vec![
                entity(text, "Ines Okafor", 0, "PERSON"),
                entity(text, "Tallis Motors", 0, "ORG"),
                entity(text, "Monday", 0, "DATE"),
                entity(text, "Okafor", 1, "PERSON"),
                entity(text, "Tallis", 1, "ORG"),
            ],
            ..Document::default()
        };
        let mut out = Output::from_document(text, &doc, false);
        out.add_clusters(text, &doc);
        let clusters = out.clusters.as_ref().unwrap();
        let mentions: Vec<&[u32]> = clusters.iter().map(|c| c.mentions.as_slice()).collect();
        assert_eq!(mentions, [&[0, 3][..], &[1, 4], &[2]]);
        let cluster: Vec<Option<u32>> = out.entities.iter().map(|e| e.cluster).collect();
        assert_eq!(cluster, [Some(0), Some(1), Some(2), Some(0), Some(1)]);
        // UTF-16: the emoji is two units, its bytes four.
        assert_eq!((clusters[0].start, clusters[0].end), (3, 14));
        assert_eq!(clusters[0].name, "Ines Okafor");

        out.retain_labels(&["ORG", "DATE"]);
        let clusters = out.clusters.as_ref().unwrap();
        let mentions: Vec<&[u32]> = clusters.iter().map(|c| c.mentions.as_slice()).collect();
        assert_eq!(mentions, [&[0, 2][..], &[1]]);
        assert_eq!(clusters[0].label, "ORG");
        let kept: Vec<(&str, Option<u32>)> =
            out.entities.iter().map(|e| (e.text, e.cluster)).collect();
        assert_eq!(
            kept,
            [
                ("Tallis Motors", Some(0)),
                ("Monday", Some(1)),
                ("Tallis", Some(0))
            ]
        );
    }

    #[test]
    fn without_clusters_the_labels_filter_is_as_before() {
        let text = "Ines Okafor met Tallis Motors.";
        let doc = Document {
            entities: vec![
                entity(text, "Ines Okafor", 0, "PERSON"),
                entity(text, "Tallis Motors", 0, "ORG"),
            ],
            ..Document::default()
        };
        let mut out = Output::from_document(text, &doc, false);
        out.retain_labels(&["ORG"]);
        assert!(out.clusters.is_none());
        assert_eq!(out.entities.len(), 1);
        assert_eq!(out.entities[0].cluster, None);
    }
}
