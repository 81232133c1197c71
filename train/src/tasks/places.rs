//! `cargo xtask predict places`: the places of a geoparsing corpus, in the
//! scorer's format (`../shared/tools/score_places.py`):
//! `{"id", "places": [[start, end, lat, lon], ...]}`, code points into the
//! text, from the pipeline's own entities on the raw text.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};
use newsmark::places_internals::{resolve_with, Settings};
use newsmark::{Gazetteer, OffsetMap, Unit};

use super::util::{self, Result};

/// The flags of `predict places`.
#[derive(Args, Debug)]
pub struct PlacesArgs {
    /// JSONL with {"id", "text"} per line (default
    /// ../shared/data/geo/geowebnews.jsonl; other fields are ignored).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Where to write the predictions.
    #[arg(long, value_name = "PRED.jsonl")]
    pub out: PathBuf,
    /// The gazetteer (default models/places.nmg).
    #[arg(long, value_name = "FILE.nmg")]
    pub gazetteer: Option<PathBuf>,
    /// The NER model (default: the embedded one).
    #[arg(long, value_name = "FILE.nmm")]
    pub model: Option<PathBuf>,
    /// Write a baseline instead: `population`, the most populous gazetteer
    /// entry with the entity's name (GPE, LOC and FAC entities).
    #[arg(long, value_enum)]
    pub baseline: Option<Baseline>,
    /// Also resolve NORP demonyms ("French" -> France).
    #[arg(long)]
    pub demonyms: bool,
    /// FAC entities resolve only to places of at least this many people.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub facility_min_population: u64,
    /// The most the document's votes for a candidate's country add to its score.
    #[arg(long, value_name = "W", default_value_t = Settings::default().country_context)]
    pub country_context: f32,
    /// The most the votes for its first-level division add.
    #[arg(long, value_name = "W", default_value_t = Settings::default().admin1_context)]
    pub admin1_context: f32,
    /// Resolve each name by its prior alone (no document context, no
    /// dateline, no "X, Y").
    #[arg(long)]
    pub no_context: bool,
    /// Also write a TSV of every entity and its place (id, start, end,
    /// label, text, place, country, GeoNames id, lat, lon), to read errors.
    #[arg(long, value_name = "FILE.tsv")]
    pub explain: Option<PathBuf>,
}

/// The baselines of `predict places --baseline`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Baseline {
    /// The most populous entry with the name.
    Population,
}

/// `cargo xtask predict places [--data FILE] --out PRED.jsonl [--gazetteer FILE.nmg] [--baseline population]`.
pub fn predict(args: &PlacesArgs) -> Result {
    let data = args
        .data
        .clone()
        .unwrap_or_else(|| util::shared().join("data/geo/geowebnews.jsonl"));
    let gazetteer_path = args
        .gazetteer
        .clone()
        .unwrap_or_else(|| util::root().join("models/places.nmg"));
    let annotator = util::annotator(args.model.as_deref())?;
    let t = Instant::now();
    let bytes = std::fs::read(&gazetteer_path)
        .map_err(|e| format!("cannot read {}: {e}", gazetteer_path.display()))?;
    let gazetteer =
        Gazetteer::from_bytes(&bytes).map_err(|e| format!("{}: {e}", gazetteer_path.display()))?;
    let load = t.elapsed().as_secs_f64();
    let settings = match args.baseline {
        Some(Baseline::Population) => Settings {
            demonyms: false,
            population_only: true,
            context: false,
            facility_min_population: 0,
            ..Settings::default()
        },
        None => Settings {
            demonyms: args.demonyms,
            population_only: false,
            context: !args.no_context,
            facility_min_population: args.facility_min_population,
            country_context: args.country_context,
            admin1_context: args.admin1_context,
        },
    };

    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&args.out)
            .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?,
    );
    let mut explain = match &args.explain {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        )),
        None => None,
    };
    let (mut annotating, mut resolving) = (0.0, 0.0);
    let (mut docs, mut entities, mut placed) = (0, 0, 0);
    let text = util::read_to_string(&data)?;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", data.display(), n + 1))?;
        let Some(doc_text) = value.get("text").and_then(|t| t.as_str()) else {
            return Err(format!("{}:{}: no \"text\" string", data.display(), n + 1).into());
        };
        let id = value.get("id").cloned().unwrap_or(serde_json::Value::Null);
        let t = Instant::now();
        let doc = annotator.annotate(doc_text);
        annotating += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let places = resolve_with(&gazetteer, doc_text, &doc.entities, settings);
        resolving += t.elapsed().as_secs_f64();
        let map = OffsetMap::new(doc_text, Unit::CodePoint);
        let mut rows = Vec::new();
        for (e, p) in doc.entities.iter().zip(&places) {
            if let Some(w) = &mut explain {
                let (s, t) = map.convert_span(e.span);
                let place = p.as_ref().map_or(String::new(), |p| {
                    format!(
                        "{}\t{}\t{}\t{}\t{}",
                        p.name,
                        p.country.as_deref().unwrap_or(""),
                        p.geonames_id.unwrap_or(0),
                        p.latitude,
                        p.longitude
                    )
                });
                writeln!(
                    w,
                    "{}\t{s}\t{t}\t{}\t{}\t{place}",
                    id.as_str().map_or(id.to_string(), str::to_string),
                    e.label,
                    e.span.slice(doc_text).replace(['\t', '\n'], " ")
                )?;
            }
            if let Some(p) = p {
                let (s, t) = map.convert_span(e.span);
                rows.push(serde_json::json!([s, t, p.latitude, p.longitude]));
            }
        }
        docs += 1;
        entities += doc.entities.len();
        placed += rows.len();
        writeln!(out, "{}", serde_json::json!({"id": id, "places": rows}))?;
    }
    out.flush()?;
    if let Some(w) = &mut explain {
        w.flush()?;
    }
    eprintln!(
        "wrote {} ({docs} documents, {entities} entities, {placed} placed)",
        args.out.display()
    );
    eprintln!(
        "gazetteer {} ({} bytes) loaded in {:.1} ms; annotation {annotating:.3} s, \
         resolution {resolving:.4} s ({:.2}% of annotation time)",
        gazetteer_path.display(),
        bytes.len(),
        load * 1e3,
        100.0 * resolving / annotating.max(1e-9)
    );
    Ok(())
}
