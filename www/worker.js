// The page's Web Worker: owns the wasm annotator so long texts never block
// the page. Messages in:  { id, text }.
// Messages out: { id, type: "progress", done, total }  (UTF-16 units done)
//               { id, type: "result", result, tokens, ms }
//               { id, type: "error", message, trap }    (trap: the module must be recreated)
// The page cancels a run by terminating this worker and starting a new one.
import init, { Annotator } from "./pkg/newsmark.js";

/** Texts longer than this (UTF-16 units) are annotated in pieces cut at blank
 * lines (or line ends), so progress can be reported and no single call goes
 * near the library's input limit. */
const CHUNK = 20_000;

const ready = init().then(() => new Annotator());
ready.then(
  (a) => self.postMessage({ type: "hello", labels: a.labels(), version: a.version }),
  (e) => self.postMessage({ type: "error", message: `the model could not be loaded: ${e.message}`, trap: true }),
);

/** Labels by index, for the packed entity labels. */
let labelIndex = null;

/** Cuts `text` into pieces of at most about CHUNK units, preferring a blank
 * line, then a line end, then a space as the cut. Returns start offsets. */
function cuts(text) {
  const starts = [0];
  let from = 0;
  while (text.length - from > CHUNK) {
    const limit = from + CHUNK;
    let cut = text.lastIndexOf("\n\n", limit);
    if (cut <= from + CHUNK / 2) cut = text.lastIndexOf("\n", limit);
    if (cut <= from + CHUNK / 2) cut = text.lastIndexOf(" ", limit);
    if (cut <= from + CHUNK / 2) cut = limit;
    else cut += 1;
    // Never cut between the two halves of a surrogate pair.
    const c = text.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut += 1;
    starts.push(cut);
    from = cut;
  }
  return starts;
}

function shift(ranges, by) {
  if (by === 0) return ranges;
  for (const r of ranges) {
    r.start += by;
    r.end += by;
  }
  return ranges;
}

/** The result as typed arrays (transferred, not copied, so a result with
 * 100,000 entities costs the page no time to receive). */
function pack(result, annotator) {
  labelIndex ??= annotator.labels().map((l) => l.name);
  const kinds = ["title", "byline", "paragraph", "boilerplate"];
  const reasons = [...new Set(result.blocks.map((b) => b.reason).filter(Boolean))];
  const ranges = (list) => {
    const a = new Uint32Array(list.length * 2);
    list.forEach((r, i) => {
      a[2 * i] = r.start;
      a[2 * i + 1] = r.end;
    });
    return a;
  };
  const blocks = ranges(result.blocks);
  const blockKinds = Uint8Array.from(result.blocks, (b) => kinds.indexOf(b.kind));
  const blockReasons = Uint8Array.from(result.blocks, (b) => (b.reason ? reasons.indexOf(b.reason) + 1 : 0));
  const sentences = ranges(result.sentences);
  const entities = ranges(result.entities);
  const entityLabels = Uint8Array.from(result.entities, (e) => labelIndex.indexOf(e.label));
  const scores = Float64Array.from(result.entities, (e) => e.score);
  return {
    kinds, reasons, labels: labelIndex, blocks, blockKinds, blockReasons, sentences, entities, entityLabels, scores,
    buffers: [blocks, blockKinds, blockReasons, sentences, entities, entityLabels, scores].map((a) => a.buffer),
  };
}

self.onmessage = async (event) => {
  const { id, text } = event.data;
  let annotator;
  try {
    annotator = await ready;
  } catch (e) {
    self.postMessage({ id, type: "error", message: `the model could not be loaded: ${e.message}`, trap: true });
    return;
  }
  const t0 = performance.now();
  try {
    const starts = cuts(text);
    const result = { blocks: [], sentences: [], entities: [] };
    let tokens = 0;
    for (let i = 0; i < starts.length; i++) {
      const from = starts[i];
      const to = i + 1 < starts.length ? starts[i + 1] : text.length;
      const part = annotator.annotate(text.slice(from, to), { tokens: true });
      tokens += part.tokens.length;
      result.blocks.push(...shift(part.blocks, from));
      result.sentences.push(...shift(part.sentences, from));
      result.entities.push(...shift(part.entities, from));
      if (starts.length > 1) self.postMessage({ id, type: "progress", done: to, total: text.length });
    }
    const packed = pack(result, annotator);
    self.postMessage({ id, type: "result", packed, tokens, ms: performance.now() - t0 }, packed.buffers);
  } catch (e) {
    // A RuntimeError is a trap inside the module: its memory can no longer
    // be trusted, so the page replaces this worker.
    const trap = e instanceof WebAssembly.RuntimeError;
    self.postMessage({ id, type: "error", message: e.message, trap });
  }
};
