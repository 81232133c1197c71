// The one message protocol between worker.js and its two users, the demo
// page (annotator.js) and the embedding API (highlight.js):
//
//   to the worker:    { id, text, labels? }     (labels: keep only these)
//   from the worker:  { type: "hello", labels, version }     once the model is loaded
//                     { id, type: "progress", done, total }  (UTF-16 units done)
//                     { id, type: "result", packed, tokens, ms }
//                     { id, type: "error", message, trap }   (trap: the module must be recreated)
//                     { type: "error", message, trap: true } (no id: the model did not load)
//
// `packed` holds the result as typed arrays whose buffers are transferred,
// not copied (`pack` in the worker, `unpack` on the receiving side).

/** Starts the annotator's module worker. The URL is resolved against this
 * module, so the worker is found wherever the folder is served from (www/,
 * dist/, node_modules/newsmark/), and bundlers that know
 * `new Worker(new URL(…, import.meta.url))` emit it. Throws if the page may
 * not start it (a cross-origin script, some file:// pages). */
export function spawnWorker() {
  return new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
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
 * names (entity labels are sent as indices into it). `buffers` lists what
 * to transfer. */
export function pack(result, labels) {
  const reasons = [...new Set(result.blocks.map((b) => b.reason).filter(Boolean))];
  const blocks = ranges(result.blocks);
  const blockKinds = Uint8Array.from(result.blocks, (b) => KINDS.indexOf(b.kind));
  const blockReasons = Uint8Array.from(result.blocks, (b) => (b.reason ? reasons.indexOf(b.reason) + 1 : 0));
  const sentences = ranges(result.sentences);
  const entities = ranges(result.entities);
  const entityLabels = Uint8Array.from(result.entities, (e) => labels.indexOf(e.label));
  const scores = Float64Array.from(result.entities, (e) => e.score);
  return {
    kinds: KINDS, reasons, labels, blocks, blockKinds, blockReasons, sentences, entities, entityLabels, scores,
    buffers: [blocks, blockKinds, blockReasons, sentences, entities, entityLabels, scores].map((a) => a.buffer),
  };
}

/** The entities of a packed result as `annotate` returns them. With `text`
 * (the text sent), each gets its `text` too, in annotate's key order. */
export function unpackEntities(p, text) {
  const entities = new Array(p.entityLabels.length);
  for (let i = 0; i < entities.length; i++) {
    const start = p.entities[2 * i];
    const end = p.entities[2 * i + 1];
    const label = p.labels[p.entityLabels[i]];
    entities[i] = text === undefined ? { start, end, label, score: p.scores[i] } : { start, end, label, text: text.slice(start, end), score: p.scores[i] };
  }
  return entities;
}

/** A packed result back as `{ blocks, sentences, entities }` (entities
 * without `text` unless it is given). */
export function unpack(p, text) {
  const blocks = [];
  for (let i = 0; i < p.blockKinds.length; i++) {
    const b = { start: p.blocks[2 * i], end: p.blocks[2 * i + 1], kind: p.kinds[p.blockKinds[i]] };
    if (p.blockReasons[i]) b.reason = p.reasons[p.blockReasons[i] - 1];
    blocks.push(b);
  }
  const sentences = [];
  for (let i = 0; i < p.sentences.length; i += 2) sentences.push({ start: p.sentences[i], end: p.sentences[i + 1] });
  return { blocks, sentences, entities: unpackEntities(p, text) };
}
