// Places on a map, asked for with the "Places on a map" switch. Only then
// does the page load anything for them: the map's outlines (drawn by
// map_worker.js, off the main thread) and the gazetteer (places.nmg, 6.9 MB,
// 3.8 MB gzipped), which one of the pool's workers loads and resolves the
// article's GPE, LOC and FAC entities with (../lib/worker.js, a "places"
// request of ../lib/protocol.js). The map shows one marker per distinct place
// (GeoNames id), sized by its number of mentions; a marker is a button that
// outlines its mentions in the article (controls.js), and clicking a mention
// with a place highlights its marker and names it. Names reach the DOM as
// text only.
import { el, ui } from "./dom.js";
import { packPlaceQuery, placeKey } from "../lib/protocol.js";
import { state } from "./state.js";

/** The gazetteer, beside the wasm modules (`cargo xtask wasm` copies it there). */
const GAZETTEER_URL = new URL("../lib/pkg/places.nmg", import.meta.url).href;

/** The map's width in SVG units (its height follows from the projection). */
const MAP_WIDTH = 960;

const SVG = "http://www.w3.org/2000/svg";

/** Country names from ISO 3166-1 codes ("US" -> "United States"). */
const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
function countryName(code) {
  if (!code) return "";
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Marks the page's places state on `<html data-places>`: "loading", "ready", "error" or "off". */
function mark(value) {
  document.documentElement.dataset.places = value;
}

function setPlacesStatus(text, isError = false) {
  ui.placesStatus.textContent = text;
  ui.placesStatus.classList.toggle("error", isError);
}

/** The map's worker (map_worker.js, kept once started), its requests
 * waiting for an answer by id, and the last id used. */
let mapWorker = null;
const mapWaiting = new Map();
let mapId = 0;

/** The outlines of the view showing `points` ([lon, lat] each; none: the
 * world), as SVG paths, from map_worker.js. */
function geometry(points) {
  if (!mapWorker) {
    mapWorker = new Worker(new URL("./map_worker.js", import.meta.url), { type: "module" });
    mapWorker.onmessage = ({ data }) => {
      const waiting = mapWaiting.get(data.id);
      mapWaiting.delete(data.id);
      if (data.error) waiting?.reject(new Error(`the map could not be drawn: ${data.error}`));
      else waiting?.resolve(data);
    };
    mapWorker.onerror = (e) => {
      e.preventDefault?.();
      mapWorker.terminate();
      mapWorker = null;
      for (const waiting of mapWaiting.values()) waiting.reject(new Error(e.message || "the map worker could not start"));
      mapWaiting.clear();
    };
  }
  const id = ++mapId;
  return new Promise((resolve, reject) => {
    mapWaiting.set(id, { resolve, reject });
    mapWorker.postMessage({ id, width: MAP_WIDTH, points });
  });
}

/** "Columbus, United States"; "France" (a country is not named twice). */
function placeName(place) {
  const country = countryName(place.country);
  return country && country !== place.name ? `${place.name}, ${country}` : place.name;
}

/** The map drawn last: `{ projection, markers, width, height }`. */
let drawn = null;

/** Draws the map around `points` (the world when there are none) and
 * resolves with what markers need; a later call supersedes it (null then). */
async function drawMap(points = []) {
  const mine = ++drawMap.calls;
  // d3-geo is imported here, not at the top: nothing of the map loads unless asked for.
  const [{ geoNaturalEarth1 }, data] = await Promise.all([import("./vendor/d3-geo.js"), geometry(points)]);
  if (mine !== drawMap.calls) return null;
  let svg = ui.map.querySelector("svg");
  if (!svg) {
    svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    for (const name of ["sphere", "graticule", "land", "borders"]) {
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("class", `map-${name}`);
      svg.append(path);
    }
    ui.map.replaceChildren(svg, el("div", { class: "markers", role: "group", "aria-label": "Places mentioned" }));
  }
  svg.setAttribute("viewBox", `0 0 ${data.width} ${data.height}`);
  for (const name of ["sphere", "graticule", "land", "borders"]) svg.querySelector(`.map-${name}`).setAttribute("d", data.paths[name]);
  ui.map.style.aspectRatio = `${data.width} / ${data.height}`;
  const markers = ui.map.querySelector(".markers");
  markers.replaceChildren();
  drawn = { projection: geoNaturalEarth1().scale(data.scale).translate(data.translate), markers, width: data.width, height: data.height };
  return drawn;
}
drawMap.calls = 0;

/** Turns places on or off (the switch). On: draws the map and finds the
 * places of the shown result; off: hides the panel and the selection. */
export function setPlaces(on) {
  state.placesOn = on;
  ui.places.hidden = !on;
  if (!on) {
    clearPlaceSelection();
    mark("off");
    return;
  }
  updatePlaces();
}

/** Finds and draws the places of the shown result, unless done already
 * (called when places are switched on and after every run). */
export async function updatePlaces() {
  if (!state.placesOn) return;
  const { result, text } = state;
  if (!result) {
    if (!drawn) drawMap().catch(() => {});
    return;
  }
  if (state.places?.result === result) {
    // Found already (switched off and on again): shown as they were.
    mark(state.places.pending ? "loading" : "ready");
    return;
  }
  state.places = { result, list: [], of: new Int32Array(result.entities.length).fill(-1), pending: true };
  // The last result's markers go at once.
  drawn?.markers.replaceChildren();
  const first = !state.gazetteerLoaded;
  mark("loading");
  setPlacesStatus(first ? "Loading the places (a 3.8 MB download, once)…" : "Finding the places…");
  const query = packPlaceQuery(result.entities);
  // The world while the places are found (the first time).
  if (!drawn) drawMap().catch(() => {});
  let found;
  let view;
  try {
    found = await state.pool.run([{ type: "places", url: GAZETTEER_URL, text, entities: { offsets: query.offsets, labels: query.labels } }], { limit: 1 });
    if (state.places?.result === result) view = await drawMap(found[0].places.list.map((p) => [p.lon, p.lat]));
  } catch (e) {
    if (state.places?.result !== result) return;
    state.places.pending = false;
    if (e.cancelled) {
      // The pool was terminated (a cancelled run's worker, terminated, gives
      // a places request it held back to the queue instead): ask again.
      state.places = null;
      queueMicrotask(updatePlaces);
      return;
    }
    mark("error");
    setPlacesStatus(`Places unavailable: ${e.message}. The article and its entities are unaffected; switch places off and on to try again.`, true);
    state.places = null;
    return;
  }
  if (state.places?.result !== result || !view) return;
  state.gazetteerLoaded = true;
  const { at, list } = found[0].places;
  const places = list.map((place) => ({ place, key: placeKey(place), mentions: [] }));
  at.forEach((p, k) => {
    if (p < 0) return;
    const i = query.index[k];
    state.places.of[i] = p;
    places[p].mentions.push(i);
  });
  state.places.list = places;
  state.places.pending = false;
  renderMarkers(view);
  const mentions = places.reduce((n, p) => n + p.mentions.length, 0);
  setPlacesStatus(
    places.length === 0
      ? "No places found in this text."
      : `${places.length} place${places.length > 1 ? "s" : ""} for ${mentions} mention${mentions > 1 ? "s" : ""}. Click a marker to find its mentions, or a place in the text to find it here.`,
  );
  mark("ready");
}

/** One button per place over the map, its size growing with its mentions;
 * the most mentioned first, so smaller markers lie on top. */
function renderMarkers({ projection, markers, width, height }) {
  clearPlaceSelection();
  const order = state.places.list.map((_, p) => p).sort((a, b) => state.places.list[b].mentions.length - state.places.list[a].mentions.length);
  const buttons = [];
  for (const p of order) {
    const { place, mentions } = state.places.list[p];
    const xy = projection([place.lon, place.lat]);
    if (!xy || !Number.isFinite(xy[0]) || !Number.isFinite(xy[1])) continue;
    const n = mentions.length;
    const where = placeName(place);
    const button = el("button", {
      type: "button",
      class: "marker",
      dataset: { place: p, count: n },
      "aria-pressed": "false",
      "aria-label": `${where}: ${n} mention${n > 1 ? "s" : ""}`,
      title: `${where} (${n})`,
    });
    // Position and size through the CSSOM (the page's CSP allows no style attributes).
    const size = Math.min(34, 12 + 6 * Math.sqrt(n - 1));
    button.style.left = `${(100 * xy[0]) / width}%`;
    button.style.top = `${(100 * xy[1]) / height}%`;
    button.style.width = `${size}px`;
    button.style.height = `${size}px`;
    buttons.push(button);
  }
  markers.replaceChildren(...buttons);
}

/** Shows place `p` as selected: its marker highlighted and its name, country
 * and mentions under the map. */
export function showPlace(p) {
  const entry = state.places?.list[p];
  if (!entry) return;
  for (const b of ui.map.querySelectorAll(".marker[aria-pressed=true]")) b.setAttribute("aria-pressed", "false");
  const marker = ui.map.querySelector(`.marker[data-place="${p}"]`);
  if (marker) {
    marker.setAttribute("aria-pressed", "true");
    // On top of the markers around it.
    marker.parentNode.append(marker);
  }
  const { place, mentions } = entry;
  const n = mentions.length;
  ui.placeInfo.replaceChildren(
    el("strong", { class: "place-name" }, place.name),
    place.country && countryName(place.country) !== place.name ? el("span", { class: "place-country" }, `, ${countryName(place.country)}`) : "",
    el(
      "span",
      { class: "hint" },
      ` · ${n} mention${n > 1 ? "s" : ""} · ${place.lat.toFixed(2)}, ${place.lon.toFixed(2)}${place.id !== null ? ` · GeoNames ${place.id}` : ""}`,
    ),
  );
  ui.placeInfo.hidden = false;
}

/** No place selected. */
export function clearPlaceSelection() {
  for (const b of ui.map.querySelectorAll(".marker[aria-pressed=true]")) b.setAttribute("aria-pressed", "false");
  ui.placeInfo.replaceChildren();
  ui.placeInfo.hidden = true;
}

/** The place of entity `i` of the shown result, or -1. */
export function placeOf(i) {
  const places = state.places;
  return places && !places.pending && places.result === state.result && state.placesOn ? places.of[i] ?? -1 : -1;
}
