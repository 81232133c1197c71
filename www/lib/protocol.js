// The one message protocol between worker.js and the pool that drives it
// (pool.js, used by the demo page's www/demo/run.js and by highlight.js):
//
//   to the worker:    { id, text, labels?, tokens?, clusters? }  (labels: keep only these;
//                                                      tokens: send the tokens back too;
//                                                      clusters: group the entities too)
//                     { id, type: "places", url, text, entities }  (resolve places: `entities`
//                                                      from `packPlaceQuery`; the gazetteer is
//                                                      read from `url` on the first such request)
//   from the worker:  { type: "hello", labels, version }     once the model is loaded
//                     { id, type: "result", packed, tokens, ms }  (tokens: how many)
//                     { id, type: "result", places, ms }     (for "places": see `resolvePlaces`)
//                     { id, type: "error", message, trap }   (trap: the module must be recreated;
//                                                      a gazetteer that does not load is no trap)
//                     { type: "error", message, trap: true } (no id: the model did not load)
//
// The worker annotates each text whole, in one call; long texts are cut into
// pieces by the pool. `packed` holds the result as typed arrays whose buffers
// are transferred, not copied (`pack` in the worker, `unpack` on the
// receiving side).

/** The models a worker loads (`spawnWorker(model)`), which highlight.js
 * exports as the names of its `model` option: the default one, embedded in
 * newsmark_bg.wasm, the lite one (newsmark_core_bg.wasm, the module without
 * a model, and ontonotes-lite.nmm: the smallest download) and the accurate
 * one (the same module and ontonotes-accurate.nmm: a transformer, 23.2 MB,
 * 20.8 MB gzipped, far slower; opt-in). */
export const MODELS = ["default", "lite", "accurate"];

/** Starts the annotator's module worker on `model` (one of MODELS). The URL
 * is resolved against this module, so the worker is found wherever the
 * folder is served from (www/lib/, dist/, node_modules/newsmark/), and
 * bundlers that know
 * `new Worker(new URL(…, import.meta.url))` emit it. Throws if the page may
 * not start it (a cross-origin script, some file:// pages). */
export function spawnWorker(model = "default") {
  const url = new URL("./worker.js", import.meta.url);
  if (model !== "default") url.searchParams.set("model", model);
  return new Worker(url, { type: "module" });
}

const KINDS = ["title", "byline", "paragraph", "boilerplate"];

/** Offsets of a list of ranges, two per range. */
function ranges(list) {
  const a = new Uint32Array(list.length * 2);
  list.forEach((r, i) => {
    a[2 * i] = r.start;
    a[2 * i + 1] = r.end;
  });
  return a;
}

/** An `annotate` result as typed arrays; `labels` are the model's label
 * names (entity labels are sent as indices into it). Tokens are packed when
 * the result has them. `buffers` lists what to transfer. */
export function pack(result, labels) {
  const reasons = [...new Set(result.blocks.map((b) => b.reason).filter(Boolean))];
  const blocks = ranges(result.blocks);
  const blockKinds = Uint8Array.from(result.blocks, (b) => KINDS.indexOf(b.kind));
  const blockReasons = Uint8Array.from(result.blocks, (b) => (b.reason ? reasons.indexOf(b.reason) + 1 : 0));
  const sentences = ranges(result.sentences);
  const entities = ranges(result.entities);
  const entityLabels = Uint8Array.from(result.entities, (e) => labels.indexOf(e.label));
  const scores = Float64Array.from(result.entities, (e) => e.score);
  const packed = { kinds: KINDS, reasons, labels, blocks, blockKinds, blockReasons, sentences, entities, entityLabels, scores };
  const arrays = [blocks, blockKinds, blockReasons, sentences, entities, entityLabels, scores];
  if (result.tokens) {
    packed.tokens = ranges(result.tokens);
    arrays.push(packed.tokens);
  }
  if (result.clusters) {
    // Each cluster's name, label and where its name is; its mentions are the
    // entities whose `entityClusters` entry is its index.
    packed.clusterNames = result.clusters.map((c) => c.name);
    packed.clusterLabels = Uint8Array.from(result.clusters, (c) => labels.indexOf(c.label));
    packed.clusterSpans = ranges(result.clusters);
    packed.entityClusters = Uint32Array.from(result.entities, (e) => e.cluster);
    arrays.push(packed.clusterLabels, packed.clusterSpans, packed.entityClusters);
  }
  packed.buffers = arrays.map((a) => a.buffer);
  return packed;
}

/** `text.slice(start, end)` as the wasm module sees it: a lone surrogate
 * reaches it as U+FFFD, so its entity texts have U+FFFD there too. */
function wellFormedSlice(text, start, end) {
  const s = text.slice(start, end);
  return typeof s.isWellFormed === "function" && !s.isWellFormed() ? s.toWellFormed() : s;
}

/** The entities of a packed result as `annotate` returns them. With `text`
 * (the text sent), each gets its `text` too, in annotate's key order;
 * `wellFormed`: with lone surrogates replaced by U+FFFD, exactly as
 * `annotate` gives it. */
export function unpackEntities(p, text, wellFormed = false) {
  const entities = new Array(p.entityLabels.length);
  const slice = wellFormed ? wellFormedSlice : (t, a, b) => t.slice(a, b);
  for (let i = 0; i < entities.length; i++) {
    const start = p.entities[2 * i];
    const end = p.entities[2 * i + 1];
    const label = p.labels[p.entityLabels[i]];
    entities[i] = text === undefined ? { start, end, label, score: p.scores[i] } : { start, end, label, text: slice(text, start, end), score: p.scores[i] };
    if (p.entityClusters) entities[i].cluster = p.entityClusters[i];
  }
  return entities;
}

/** The clusters of a packed result as `annotate` returns them (`{ start,
 * end, name, label, mentions }`), or undefined if it has none. */
export function unpackClusters(p) {
  if (!p.entityClusters) return undefined;
  const clusters = p.clusterNames.map((name, c) => ({
    start: p.clusterSpans[2 * c],
    end: p.clusterSpans[2 * c + 1],
    name,
    label: p.labels[p.clusterLabels[c]],
    mentions: [],
  }));
  p.entityClusters.forEach((c, i) => clusters[c].mentions.push(i));
  return clusters;
}

/** A packed result back as `annotate` returns it: `{ blocks, sentences,
 * tokens?, entities }` (tokens when packed; entities without `text` unless
 * it is given, see `unpackEntities`). */
export function unpack(p, text, wellFormed = false) {
  const blocks = [];
  for (let i = 0; i < p.blockKinds.length; i++) {
    const b = { start: p.blocks[2 * i], end: p.blocks[2 * i + 1], kind: p.kinds[p.blockKinds[i]] };
    if (p.blockReasons[i]) b.reason = p.reasons[p.blockReasons[i] - 1];
    blocks.push(b);
  }
  const pairs = (a) => {
    const out = new Array(a.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = { start: a[2 * i], end: a[2 * i + 1] };
    return out;
  };
  const result = { blocks, sentences: pairs(p.sentences) };
  if (p.tokens) result.tokens = pairs(p.tokens);
  result.entities = unpackEntities(p, text, wellFormed);
  const clusters = unpackClusters(p);
  if (clusters) result.clusters = clusters;
  return result;
}

/** The labels whose entities the gazetteer reads: GPE, LOC and FAC are
 * resolved, and NORP ("French") votes for its country (src/places.rs). */
export const PLACE_LABELS = ["GPE", "LOC", "FAC", "NORP"];

/** The `entities` of a "places" request: of `entities` (`annotate`'s, UTF-16
 * offsets), those the gazetteer reads, as offsets and label indices, with
 * `index`, each one's index in `entities`. */
export function packPlaceQuery(entities) {
  const index = [];
  entities.forEach((e, i) => {
    if (PLACE_LABELS.includes(e.label)) index.push(i);
  });
  const offsets = new Uint32Array(index.length * 2);
  const labels = new Uint8Array(index.length);
  index.forEach((i, k) => {
    offsets[2 * k] = entities[i].start;
    offsets[2 * k + 1] = entities[i].end;
    labels[k] = PLACE_LABELS.indexOf(entities[i].label);
  });
  return { offsets, labels, index: Uint32Array.from(index) };
}

/** A place's key: its GeoNames id, or for the gazetteer's own regions
 * (no id) its name and position. */
export function placeKey(place) {
  return place.id !== null ? `geonames:${place.id}` : `${place.name}@${place.lat},${place.lon}`;
}

/**
 * In the worker: the places of a "places" request's entities (from
 * `packPlaceQuery`) in `text`, by `gazetteer.resolve`: `{ at, list }`, where
 * `list` holds each distinct place once (`{ id, name, country, lat, lon }`)
 * and `at[k]` is the index in `list` of the k-th entity's place, or -1.
 * `at` follows the query's entities; `query.index` maps them back.
 */
export function resolvePlaces(gazetteer, text, query) {
  const n = query.labels.length;
  const entities = new Array(n);
  for (let k = 0; k < n; k++) {
    entities[k] = { start: query.offsets[2 * k], end: query.offsets[2 * k + 1], label: PLACE_LABELS[query.labels[k]] };
  }
  const resolved = gazetteer.resolve(text, entities);
  const at = new Int32Array(n).fill(-1);
  const list = [];
  const seen = new Map();
  resolved.forEach((e, k) => {
    if (!e.place) return;
    const key = placeKey(e.place);
    if (!seen.has(key)) {
      seen.set(key, list.length);
      list.push(e.place);
    }
    at[k] = seen.get(key);
  });
  return { at, list };
}
