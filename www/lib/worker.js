// The annotator's module Web Worker, started by the worker pool (pool.js)
// for the demo page (www/demo/run.js) and for highlight.js: it owns one wasm
// annotator, so annotating never blocks the page. The messages are described
// in protocol.js. Each request's text is annotated whole, in one call; long
// texts arrive already cut into pieces by the pool. A user cancels a run by
// terminating the workers (new ones start when there is work again).
// A "places" request loads a gazetteer (once, from the URL it names) and
// resolves the places of the entities it sends.
import { loadAnnotator, readGazetteer } from "./load.js";
import { pack, resolvePlaces } from "./protocol.js";

// `worker.js?model=lite` (or `?model=accurate`): the module without a model
// and the lite (or accurate) model, both beside the glue, instead of the
// module with the default model. Another name fails the worker's start.
const model = new URL(self.location.href).searchParams.get("model") ?? "default";
const ready = loadAnnotator(model);
ready.then(
  (a) => self.postMessage({ type: "hello", labels: a.labels(), version: a.version }),
  (e) => self.postMessage({ type: "error", message: `the model could not be loaded: ${e.message}`, trap: true }),
);

/** The gazetteer being loaded or loaded, by URL; forgotten if it fails, so
 * a later request tries again. */
let gazetteer = null;

function gazetteerAt(url) {
  if (gazetteer?.url !== url) {
    const promise = ready.then(() => readGazetteer(url));
    gazetteer = { url, promise };
    promise.catch(() => {
      if (gazetteer?.promise === promise) gazetteer = null;
    });
  }
  return gazetteer.promise;
}

async function places(id, { url, text, entities }) {
  let g;
  try {
    g = await gazetteerAt(url);
  } catch (e) {
    // The annotator is fine: no trap, the worker stays.
    self.postMessage({ id, type: "error", message: `the gazetteer could not be loaded: ${e.message}`, trap: false });
    return;
  }
  const t0 = performance.now();
  try {
    const result = resolvePlaces(g, text, entities);
    self.postMessage({ id, type: "result", places: result, ms: performance.now() - t0 }, [result.at.buffer]);
  } catch (e) {
    self.postMessage({ id, type: "error", message: e.message, trap: e instanceof WebAssembly.RuntimeError });
  }
}

self.onmessage = async (event) => {
  if (event.data.type === "places") {
    places(event.data.id, event.data);
    return;
  }
  const { id, text, labels, tokens, clusters } = event.data;
  let annotator;
  try {
    annotator = await ready;
  } catch (e) {
    self.postMessage({ id, type: "error", message: `the model could not be loaded: ${e.message}`, trap: true });
    return;
  }
  const t0 = performance.now();
  try {
    // Tokens are always asked for, to count them; they are sent back only on request.
    const options = { tokens: true };
    if (labels) options.labels = labels;
    if (clusters) options.clusters = true;
    const result = annotator.annotate(text, options);
    const count = result.tokens.length;
    if (!tokens) delete result.tokens;
    const packed = pack(result, annotator.labels().map((l) => l.name));
    self.postMessage({ id, type: "result", packed, tokens: count, ms: performance.now() - t0 }, packed.buffers);
  } catch (e) {
    // A RuntimeError is a trap inside the module: its memory can no longer
    // be trusted, so the pool replaces this worker.
    const trap = e instanceof WebAssembly.RuntimeError;
    self.postMessage({ id, type: "error", message: e.message, trap });
  }
};
