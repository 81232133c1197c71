// The map's geometry, off the page's main thread: a module worker that
// fetches Natural Earth's country outlines (npm world-atlas, TopoJSON, 1:110m),
// turns them into GeoJSON (topojson-client) and projects them to SVG path
// strings (d3-geo's Natural Earth projection). Projecting the 177 countries
// takes 50-100 ms, which on the main thread would be a long task. The
// vendor/ files are copied from node_modules/ by `cargo xtask wasm` and
// `cargo xtask demo`.
//
//   to the worker:   { id, width, points }  (the map's width in SVG units; the
//                    places to show, [lon, lat] each: the view fits them, or
//                    is the whole world when there are none or they are far apart)
//   from it:         { id, width, height, scale, translate, paths: { sphere, graticule, land, borders } }
//                    { id, error }  (the outlines could not be loaded)
import { geoGraticule10, geoNaturalEarth1, geoPath } from "./vendor/d3-geo.js";
import { feature, mesh } from "./vendor/topojson-client/index.js";

const SPHERE = { type: "Sphere" };

/** The outlines, fetched and converted once: `{ land, borders }` (GeoJSON). */
let outlines = null;

async function load() {
  const response = await fetch(new URL("./vendor/countries-110m.json", import.meta.url));
  if (!response.ok) throw new Error(`countries-110m.json: HTTP ${response.status}`);
  const world = await response.json();
  const countries = world.objects.countries;
  // Borders between two countries only (coasts are the land's outline).
  return { land: feature(world, countries), borders: mesh(world, countries, (a, b) => a !== b) };
}

/** The smallest view around places, in degrees of longitude and latitude,
 * so that one place or a few close ones still show their region. */
const MIN_SPAN = [36, 18];

/** The projection showing `points` ([lon, lat]) in a `width` x `height`
 * map: their box (at least MIN_SPAN) fitted, or the whole world
 * (`world`) when that would show more than the world does. */
function view(points, width, height, world) {
  if (points.length === 0) return world;
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  let [x0, x1, y0, y1] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  if (x1 - x0 > 180) return world;
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  const [w, h] = [Math.max(x1 - x0 + 8, MIN_SPAN[0]), Math.max(y1 - y0 + 6, MIN_SPAN[1])];
  [x0, x1] = [Math.max(-180, cx - w / 2), Math.min(180, cx + w / 2)];
  [y0, y1] = [Math.max(-85, cy - h / 2), Math.min(85, cy + h / 2)];
  const box = { type: "MultiPoint", coordinates: [[x0, y0], [cx, y0], [x1, y0], [x1, cy], [x1, y1], [cx, y1], [x0, y1], [x0, cy]] };
  const pad = 12;
  const fitted = geoNaturalEarth1().fitExtent([[pad, pad], [width - pad, height - pad]], box);
  return fitted.scale() <= world.scale() ? world : fitted.clipExtent([[-4, -4], [width + 4, height + 4]]);
}

self.onmessage = async (event) => {
  const { id, width, points } = event.data;
  try {
    outlines ??= load();
    const { land, borders } = await outlines;
    const world = geoNaturalEarth1().fitWidth(width, SPHERE);
    const height = Math.ceil(geoPath(world).bounds(SPHERE)[1][1]);
    const projection = view(points, width, height, world);
    const path = geoPath(projection).digits(1);
    self.postMessage({
      id,
      width,
      height,
      scale: projection.scale(),
      translate: projection.translate(),
      paths: { sphere: path(SPHERE), graticule: path(geoGraticule10()), land: path(land), borders: path(borders) },
    });
  } catch (e) {
    outlines = null;
    self.postMessage({ id, error: e.message });
  }
};
