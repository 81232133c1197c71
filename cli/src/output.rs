//! One document's JSONL record.

use newsmark::{Document, OffsetMap, Place, Span, Unit};
use std::fmt::Write;

/// The unit of the offsets written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Offsets {
    /// Unicode code points: Python's `str` indices.
    Chars,
    /// UTF-16 code units: JavaScript's string indices.
    Utf16,
    /// Bytes of UTF-8: Rust's `str` indices.
    Bytes,
}

/// Converts the document's byte spans to the chosen unit.
enum Converter<'t> {
    Bytes,
    Map(OffsetMap<'t>),
}

impl Converter<'_> {
    fn span(&self, span: Span) -> (usize, usize) {
        match self {
            Converter::Bytes => (span.start, span.end),
            Converter::Map(map) => map.convert_span(span),
        }
    }
}

/// The record of one document, one line of JSON without its line break:
///
/// `{"id":ID,"blocks":[[start,end,kind,reason],...],"sentences":[[start,end],...],
/// "entities":[[start,end,label,score,cluster],...],
/// "clusters":[[start,end,label,[entity,...]],...]}`, plus
/// `"tokens":[[start,end],...]` when `tokens` is set. `reason` is `null`
/// except for boilerplate blocks; scores are rounded to 3 decimals. Each
/// entity's `cluster` indexes `clusters` ([`Document::clusters`]), whose
/// `start, end` locate the cluster's name and whose last element lists its
/// entities (indices into `entities`).
pub fn record(
    id: &serde_json::Value,
    text: &str,
    doc: &Document,
    offsets: Offsets,
    tokens: bool,
) -> String {
    let conv = match offsets {
        Offsets::Bytes => Converter::Bytes,
        Offsets::Chars => Converter::Map(OffsetMap::new(text, Unit::CodePoint)),
        Offsets::Utf16 => Converter::Map(OffsetMap::new(text, Unit::Utf16)),
    };
    let mut out = String::with_capacity(64 + 16 * (doc.sentences.len() + doc.entities.len()));
    // Serialising a `Value` cannot fail.
    let id = serde_json::to_string(id).unwrap_or_else(|_| "null".to_string());
    // Kinds, reasons and labels are ASCII identifiers: no escaping needed.
    let _ = write!(out, "{{\"id\":{id},\"blocks\":[");
    for (i, block) in doc.blocks.iter().enumerate() {
        let (s, e) = conv.span(block.span);
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(out, "{sep}[{s},{e},\"{}\",", block.kind.as_str());
        match block.reason {
            Some(reason) => {
                let _ = write!(out, "\"{}\"]", reason.as_str());
            }
            None => out.push_str("null]"),
        }
    }
    out.push_str("],\"sentences\":");
    spans(&mut out, &conv, &doc.sentences);
    if tokens {
        out.push_str(",\"tokens\":");
        spans(&mut out, &conv, &doc.tokens);
    }
    let clusters = doc.clusters(text);
    let mut cluster_of = vec![0; doc.entities.len()];
    for (c, cluster) in clusters.iter().enumerate() {
        for &m in &cluster.mentions {
            if let Some(slot) = cluster_of.get_mut(m) {
                *slot = c;
            }
        }
    }
    out.push_str(",\"entities\":[");
    for (i, entity) in doc.entities.iter().enumerate() {
        let (s, e) = conv.span(entity.span);
        let sep = if i == 0 { "" } else { "," };
        let score = (f64::from(entity.score) * 1000.0).round() / 1000.0;
        let _ = write!(
            out,
            "{sep}[{s},{e},\"{}\",{score},{}]",
            entity.label, cluster_of[i]
        );
    }
    out.push_str("],\"clusters\":[");
    for (i, cluster) in clusters.iter().enumerate() {
        let (s, e) = conv.span(cluster.name);
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(out, "{sep}[{s},{e},\"{}\",[", cluster.label);
        for (k, m) in cluster.mentions.iter().enumerate() {
            let sep = if k == 0 { "" } else { "," };
            let _ = write!(out, "{sep}{m}");
        }
        out.push_str("]]");
    }
    out.push_str("]}");
    out
}

fn spans(out: &mut String, conv: &Converter, spans: &[Span]) {
    out.push('[');
    for (i, span) in spans.iter().enumerate() {
        let (s, e) = conv.span(*span);
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(out, "{sep}[{s},{e}]");
    }
    out.push(']');
}

/// Adds `"places":[...]` to a record of [`record`]: one place or `null` per
/// entity, in the entities' order; a place is `{"id":GEONAMES_ID or null,
/// "name":NAME,"country":ISO_CODE or null,"lat":LAT,"lon":LON}`.
pub fn add_places(record: &mut String, places: &[Option<Place>]) {
    if record.pop() != Some('}') {
        return;
    }
    record.push_str(",\"places\":[");
    for (i, place) in places.iter().enumerate() {
        if i > 0 {
            record.push(',');
        }
        match place {
            None => record.push_str("null"),
            Some(p) => {
                let value = serde_json::json!({
                    "id": p.geonames_id,
                    "name": p.name,
                    "country": p.country,
                    "lat": p.latitude,
                    "lon": p.longitude,
                });
                record.push_str(&value.to_string());
            }
        }
    }
    record.push_str("]}");
}
