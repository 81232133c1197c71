// The annotator's module Web Worker, used by the demo page (annotator.js)
// and by highlight() (highlight.js): it owns the wasm annotator, so annotating
// never blocks the page. The messages are described in protocol.js. A user
// cancels a run by terminating this worker and starting a new one.
import init, { Annotator } from "./pkg/newsmark.js";
import { pack } from "./protocol.js";

/** Texts longer than this (UTF-16 units) are annotated in pieces cut at blank
 * lines (or line ends), so progress can be reported and a run can be
 * cancelled between pieces (one call may take up to 256 MiB, but says
 * nothing until it is done). */
const CHUNK = 20_000;

const ready = init().then(() => new Annotator());
ready.then(
  (a) => self.postMessage({ type: "hello", labels: a.labels(), version: a.version }),
  (e) => self.postMessage({ type: "error", message: `the model could not be loaded: ${e.message}`, trap: true }),
);

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

self.onmessage = async (event) => {
  const { id, text, labels } = event.data;
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
      const part = annotator.annotate(text.slice(from, to), labels ? { tokens: true, labels } : { tokens: true });
      tokens += part.tokens.length;
      result.blocks.push(...shift(part.blocks, from));
      result.sentences.push(...shift(part.sentences, from));
      result.entities.push(...shift(part.entities, from));
      if (starts.length > 1) self.postMessage({ id, type: "progress", done: to, total: text.length });
    }
    const packed = pack(result, annotator.labels().map((l) => l.name));
    self.postMessage({ id, type: "result", packed, tokens, ms: performance.now() - t0 }, packed.buffers);
  } catch (e) {
    // A RuntimeError is a trap inside the module: its memory can no longer
    // be trusted, so the page replaces this worker.
    const trap = e instanceof WebAssembly.RuntimeError;
    self.postMessage({ id, type: "error", message: e.message, trap });
  }
};
