// The one message protocol between worker.js and the pool that drives it
// (pool.js, used by the demo page's www/demo/run.js and by highlight.js):
//
//   to the worker:    { id, text, labels?, tokens? }  (labels: keep only these;
//                                                      tokens: send the tokens back too)
//   from the worker:  { type: "hello", labels, version }     once the model is loaded
//                     { id, type: "result", packed, tokens, ms }  (tokens: how many)
//                     { id, type: "error", message, trap }   (trap: the module must be recreated)
//                     { type: "error", message, trap: true } (no id: the model did not load)
//
// The worker annotates each text whole, in one call; long texts are cut into
// pieces by the pool. `packed` holds the result as typed arrays whose buffers
// are transferred, not copied (`pack` in the worker, `unpack` on the
// receiving side).

/** Starts the annotator's module worker. The URL is resolved against this
 * module, so the worker is found wherever the folder is served from (www/lib/,
 * dist/, node_modules/newsmark/), and bundlers that know
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
  }
  return entities;
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
  return result;
}
