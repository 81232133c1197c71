// newsmark's embedding API: highlight the named entities inside an element
// of any page, either by wrapping them in <mark> elements (which `remove()`
// takes out again, leaving the DOM exactly as it was) or with the CSS
// Custom Highlight API (the DOM is never touched).
//
// The page is never blocked: the annotator runs in the module workers the
// demo page also uses (worker.js, pool.js, protocol.js), and the DOM work
// (reading the text nodes, wrapping marks, building ranges) is done in slices
// of a few milliseconds with a turn of the event loop between them.
//
// annotateMany() annotates many texts on the same pool of workers, one text
// per worker at a time; closePool() terminates the workers. loadGazetteer()
// (from load.js) loads the places gazetteer shipped beside the glue.
import { isBlock } from "./blocks.js";
import { cuts, defaultPoolSize, MAX_WORKERS, mergePacked, splitAt, WorkerPool } from "./pool.js";
import { MODELS, spawnWorker, unpack, unpackEntities } from "./protocol.js";
import { loadAnnotator } from "./load.js";

export { loadGazetteer } from "./load.js";

/** Elements whose text is never annotated. `pre` is included: it mostly
 * holds code or preformatted data, not prose. */
export const DEFAULT_SKIP = ["script", "style", "textarea", "code", "pre", "noscript", "template", "svg", "math", "select", "option", "input", "kbd", "samp", "iframe", "object"];

const OPTIONS = ["labels", "classPrefix", "mode", "exclude", "annotator", "worker", "workers", "model"];

/** The models the `model` option names (defined in protocol.js, which the
 * demo page imports too): "default", "lite" and "accurate". */
export { MODELS };

/** Longest stretch of DOM work (ms) before the event loop gets a turn: well
 * under the 50 ms that makes a task "long", leaving room for layout. */
const SLICE_MS = 8;

/** Longest time (ms) without a rendering opportunity before the DOM work
 * waits for a frame. */
const FRAME_GAP_MS = 16;

/** Most marks added between two frames. The frame
 * after a slice pays the style and layout of what the slice added: 8 ms of
 * wrapping adds about a thousand marks, whose rendering took 40-60 ms on a
 * loaded 2-core machine. A few hundred keep it a fraction of that. */
const DRAWN_PER_FRAME = 250;

/** The annotator of each model on this thread, loaded once (load.js finds
 * the files beside the glue). */
const annotators = new Map();

function getAnnotator(model) {
  if (!annotators.has(model)) {
    annotators.set(model, loadAnnotator(model));
  }
  return annotators.get(model);
}

/** The worker pool of each model, shared by every highlight() and
 * annotateMany() call, made on first use; closePool() terminates them. */
const pools = new Map();
/** Why the workers of a model could not start, once they failed: later
 * highlight() calls then run on this thread without trying again. */
const workerFailures = new Map();

function sharedPool(model) {
  if (!pools.has(model)) pools.set(model, new WorkerPool({ size: MAX_WORKERS, spawn: () => spawnWorker(model) }));
  return pools.get(model);
}

/** Checks the `model` option of `call`. */
function checkModel(call, model) {
  if (!MODELS.includes(model)) {
    const names = MODELS.map((m) => JSON.stringify(m));
    throw new Error(`${call}: model must be ${names.slice(0, -1).join(", ")} or ${names.at(-1)}, got ${JSON.stringify(model)}`);
  }
  return model;
}

/** Texts at least this long (UTF-16 units, about 1 s of work for one worker)
 * are annotated by several workers at once when highlight() is not told how
 * many: below it, starting more workers (a few hundred ms each, and their
 * memory) would cost about what they save. */
export const POOL_FROM = 400_000;

/** Annotates `text` in the pool: cut into pieces at blank lines, at most
 * `limit` pieces at once; resolves with the merged packed result. */
async function annotateInPool(p, text, labels, limit) {
  const starts = cuts(text);
  const results = await p.run(
    splitAt(text, starts).map((piece) => (labels ? { text: piece, labels } : { text: piece })),
    { limit },
  );
  return mergePacked(results.map((r) => r.packed), starts);
}

/** Gives the event loop a turn: `scheduler.yield()` where there is one
 * (the continuation keeps its priority), else a MessageChannel message
 * (not clamped like nested setTimeout), else setTimeout. */
function yieldToLoop() {
  if (typeof globalThis.scheduler?.yield === "function") return globalThis.scheduler.yield();
  if (typeof MessageChannel === "function") {
    return new Promise((resolve) => {
      const { port1, port2 } = new MessageChannel();
      port1.onmessage = () => {
        port1.close();
        resolve();
      };
      port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Cuts a loop into slices of SLICE_MS: `if (clock.due()) await clock.pause();`.
 * Yielding is not enough on its own: continuations of `scheduler.yield()`
 * run before the page renders, so the style and layout work of everything
 * changed would pile up into one long rendering task at the end. So while
 * the clock runs, a requestAnimationFrame loop notes each frame, and a pause
 * that finds no frame for FRAME_GAP_MS waits for the next one (and then for
 * the rendering itself to finish). Hidden pages render nothing: there, the
 * wait gives up after a moment. `stop()` ends the frame loop. */
function sliceClock() {
  const raf = typeof requestAnimationFrame === "function" ? requestAnimationFrame : null;
  let start = performance.now();
  let lastFrame = start;
  let running = true;
  const onFrame = () => {
    lastFrame = performance.now();
    if (running) raf(onFrame);
  };
  raf?.(onFrame);
  let drawn = 0;
  return {
    due: () => performance.now() - start > SLICE_MS,
    /** Counts one mark added; true when the next frame should
     * render what was added before more is (then `await pause(true)`). */
    drew: () => ++drawn >= DRAWN_PER_FRAME,
    /** Gives the page a turn; waits for a frame if none was seen for
     * FRAME_GAP_MS, or, with `frame`, if anything was drawn since the last. */
    async pause(frame = false) {
      const waitForFrame = (frame && drawn > 0) || performance.now() - lastFrame > FRAME_GAP_MS;
      drawn = 0;
      if (raf && waitForFrame && document.visibilityState === "visible") {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, 100);
          raf(() => {
            clearTimeout(timer);
            // A task queued from the frame callback runs after that frame is drawn.
            setTimeout(resolve, 0);
          });
        });
      } else {
        await yieldToLoop();
      }
      start = performance.now();
    },
    stop() {
      running = false;
    },
  };
}

/** The element that decides where the text of `node` starts a new line. */
function blockOf(node, root) {
  for (let el = node.parentElement; el && el !== root; el = el.parentElement) {
    if (isBlock(el)) return el;
  }
  return root;
}

/**
 * The text nodes under `root` that are annotated, in document order, and
 * the string given to the annotator: the nodes' text, with a line break
 * where a block element separates two nodes. `starts[i]` is where node i
 * begins in that string, `texts[i]` its text as read (so a node the page
 * changes before it is highlighted can be recognised and left alone).
 * Reads the DOM in slices.
 */
async function collect(root, skip, clock) {
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.matches(skip) || node.isContentEditable) return NodeFilter.FILTER_REJECT;
        return NodeFilter.FILTER_SKIP;
      }
      return node.data.length > 0 ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
    },
  });
  const nodes = [];
  const starts = [];
  const texts = [];
  const parts = [];
  let length = 0;
  let lastBlock = null;
  let lastNode = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const block = blockOf(node, root);
    if (lastNode) {
      const gap = block !== lastBlock ? "\n\n" : brBetween(lastNode, node) ? "\n" : "";
      parts.push(gap);
      length += gap.length;
    }
    const data = node.data;
    nodes.push(node);
    starts.push(length);
    texts.push(data);
    parts.push(data);
    length += data.length;
    lastBlock = block;
    lastNode = node;
    if (clock.due()) await clock.pause();
  }
  return { root, nodes, starts, texts, text: parts.join("") };
}

/** Whether a `<br>` or `<hr>` lies between two text nodes of one block (in
 * document order). Walks the nodes between them rather than using a Range:
 * a live Range stays attached to the document until it is garbage
 * collected, and every DOM change has to update each one. */
function brBetween(a, b) {
  for (let n = following(a); n && n !== b; n = following(n)) {
    if (n.nodeName === "BR" || n.nodeName === "HR") return true;
  }
  return false;
}

/** The node after `node` in document order. */
function following(node) {
  if (node.firstChild) return node.firstChild;
  for (let n = node; n; n = n.parentNode) {
    if (n.nextSibling) return n.nextSibling;
  }
  return null;
}

/** Whether text node i is still where and as it was read. */
function intact(found, i) {
  const node = found.nodes[i];
  return node.data === found.texts[i] && found.root.contains(node);
}

/** The first index i with starts[i] <= offset < starts[i] + length (binary search). */
function nodeAt(starts, offset) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The pieces of [start, end) in each text node: `{ node: i, from, to }` (node-local offsets). */
function pieces(found, start, end) {
  const { texts, starts } = found;
  const out = [];
  for (let i = nodeAt(starts, start); i < texts.length && starts[i] < end; i++) {
    const from = Math.max(start, starts[i]) - starts[i];
    const to = Math.min(end, starts[i] + texts[i].length) - starts[i];
    if (to > from) out.push({ node: i, from, to });
  }
  return out;
}

/**
 * Annotates the text inside `root` and highlights its entities.
 *
 * Options: `labels` (keep only these labels), `classPrefix` (default
 * `"nm-"`: marks get the classes `nm-entity nm-PERSON`; highlights are named
 * `nm-PERSON`), `mode` (`"mark"`, the default, or `"highlight"` for the CSS
 * Custom Highlight API), `exclude` (CSS selectors whose elements are
 * skipped, besides script, style, textarea, code, pre and editable
 * elements), `worker` (default true: annotate in module Web Workers;
 * false: on this thread), `workers` (how many workers may annotate the
 * text's pieces at once; default: one, or for texts of POOL_FROM units and
 * more one per core but one, at most 4), `model` (`"default"`; `"lite"`:
 * the smallest download, ontonotes-lite.nmm in the module without a model;
 * `"accurate"`: the most accurate, ontonotes-accurate.nmm in that module, a
 * 20.8 MB gzipped download and far slower, about 500 tokens per second),
 * `annotator` (an `Annotator` to use on this thread; implies `worker: false`).
 *
 * If the worker cannot be started (a CSP without `worker-src`, a
 * cross-origin or file:// module URL) or cannot load the model, the call
 * annotates on this thread instead, and the handle says so: `worker: false`
 * and `workerError` (later calls do not try the worker again).
 *
 * Resolves with `{ mode, text, entities, worker, remove(), elements | ranges }`:
 * `entities` as `annotate` returns them (offsets into the collected `text`);
 * `remove()` undoes everything, restoring the DOM exactly. Text nodes the
 * page changes while the call runs are left unhighlighted.
 */
export async function highlight(root, options = {}) {
  for (const key of Object.keys(options ?? {})) {
    if (!OPTIONS.includes(key)) throw new Error(`highlight: unknown option ${JSON.stringify(key)} (options: ${OPTIONS.join(", ")})`);
  }
  const { labels, classPrefix = "nm-", mode = "mark", exclude = [], annotator } = options ?? {};
  const model = checkModel("highlight", options?.model ?? "default");
  if (options?.model !== undefined && annotator) throw new Error("highlight: model chooses the model the call loads; it cannot be combined with an annotator (which has its own)");
  if (!(root instanceof Element)) throw new Error("highlight: root must be a DOM element");
  if (mode !== "mark" && mode !== "highlight") throw new Error(`highlight: mode must be "mark" or "highlight", got ${JSON.stringify(mode)}`);
  if (mode === "highlight" && !(globalThis.CSS?.highlights && globalThis.Highlight)) {
    throw new Error("highlight: this browser has no CSS Custom Highlight API (use mode: \"mark\")");
  }
  const worker = options?.worker ?? !annotator;
  if (typeof worker !== "boolean") throw new Error(`highlight: worker must be true or false, got ${JSON.stringify(worker)}`);
  if (worker && annotator) throw new Error("highlight: an annotator runs on this thread; it cannot be combined with worker: true");
  const workers = checkWorkers("highlight", options?.workers);
  if (workers !== undefined && !worker) throw new Error("highlight: workers counts the workers that annotate; it cannot be combined with worker: false or an annotator");
  const skip = [...DEFAULT_SKIP, "[contenteditable]:not([contenteditable=false])", ...[exclude].flat()].join(", ");

  // A worker loads the model while the text is being collected.
  let c = null;
  let workerError;
  if (worker && !workerFailures.has(model)) {
    c = sharedPool(model);
    c.start(1);
  } else if (worker) {
    workerError = workerFailures.get(model);
  }
  const clock = sliceClock();
  try {
    return await run(root, { c, workers, workerError, annotator, model, labels, mode, classPrefix, skip, clock });
  } finally {
    clock.stop();
  }
}

/** highlight() once its options are checked: collect, annotate (in the
 * worker pool `c` when there is one), draw. */
async function run(root, { c, workers, workerError, annotator, model, labels, mode, classPrefix, skip, clock }) {
  const found = await collect(root, skip, clock);
  if (c) {
    try {
      await c.info;
    } catch (e) {
      workerFailures.set(model, e.message);
      workerError = e.message;
      c = null;
    }
  }
  let entities;
  if (c) {
    const limit = workers ?? (found.text.length >= POOL_FROM ? defaultPoolSize() : 1);
    const packed = await annotateInPool(c, found.text, labels, limit);
    await clock.pause();
    entities = unpackEntities(packed, found.text);
  } else {
    const a = annotator ?? (await getAnnotator(model));
    entities = a.annotate(found.text, labels ? { labels } : undefined).entities;
    await clock.pause();
  }
  const handle = mode === "mark" ? await wrapMarks(found, entities, classPrefix, clock) : await drawHighlights(found, entities, classPrefix, clock);
  handle.worker = c !== null;
  if (workerError !== undefined) handle.workerError = workerError;
  return handle;
}

/** Wraps every entity piece in a <mark>, in slices; the handle's remove()
 * unwraps and re-joins the split text nodes. */
async function wrapMarks(found, entities, prefix, clock) {
  const doc = found.root.ownerDocument;
  // Cut points per text node, and which piece of which entity each cut segment is.
  const byNode = new Map();
  for (let index = 0; index < entities.length; index++) {
    const e = entities[index];
    const parts = pieces(found, e.start, e.end);
    parts.forEach((p, k) => {
      if (!byNode.has(p.node)) byNode.set(p.node, []);
      const part = parts.length === 1 ? "whole" : k === 0 ? "first" : k === parts.length - 1 ? "last" : "middle";
      byNode.get(p.node).push({ ...p, entity: index, part });
    });
    if (clock.due()) await clock.pause();
  }
  const splits = []; // [original node, its segments]
  const elements = [];
  let drewEnough = false;
  for (const [i, list] of byNode) {
    if (clock.due()) await clock.pause(true);
    if (!intact(found, i)) continue;
    const original = found.nodes[i];
    list.sort((a, b) => a.from - b.from);
    const cuts = [...new Set(list.flatMap((p) => [p.from, p.to]))].filter((c) => c > 0 && c < original.data.length).sort((a, b) => a - b);
    const segments = [original];
    const segmentStart = [0];
    let current = original;
    let consumed = 0;
    for (const c of cuts) {
      current = current.splitText(c - consumed);
      consumed = c;
      segments.push(current);
      segmentStart.push(c);
    }
    splits.push([original, segments]);
    for (const p of list) {
      const segment = segments[segmentStart.indexOf(p.from)];
      const e = entities[p.entity];
      const mark = doc.createElement("mark");
      mark.className = `${prefix}entity ${prefix}${e.label}`;
      mark.dataset.label = e.label;
      mark.dataset.score = String(e.score);
      mark.dataset.entity = String(p.entity);
      if (p.part !== "whole") mark.dataset.part = p.part;
      mark.title = `${e.label} (score ${e.score.toFixed(2)})`;
      segment.before(mark);
      mark.append(segment);
      elements.push(mark);
      drewEnough ||= clock.drew();
    }
    if (drewEnough) {
      drewEnough = false;
      await clock.pause(true);
    }
  }
  let removed = false;
  return {
    mode: "mark",
    text: found.text,
    entities,
    elements,
    remove() {
      if (removed) return;
      removed = true;
      for (const mark of elements) mark.replaceWith(...mark.childNodes);
      for (const [original, segments] of splits) {
        original.data = segments.map((s) => s.data).join("");
        for (const s of segments.slice(1)) s.remove();
      }
    },
  };
}

/** Adds one Range per entity to the highlight named `${prefix}${label}`, in slices. */
async function drawHighlights(found, entities, prefix, clock) {
  const added = [];
  for (const e of entities) {
    if (clock.due()) await clock.pause();
    const parts = pieces(found, e.start, e.end);
    if (parts.length === 0) continue;
    const first = parts[0];
    const last = parts[parts.length - 1];
    if (!intact(found, first.node) || !intact(found, last.node)) continue;
    // A StaticRange, not a live Range: live ranges stay attached to the
    // document (until garbage collected, even after remove()) and make every
    // later DOM change of the page pay for each one.
    const range = new StaticRange({ startContainer: found.nodes[first.node], startOffset: first.from, endContainer: found.nodes[last.node], endOffset: last.to });
    const name = `${prefix}${e.label}`;
    let h = CSS.highlights.get(name);
    if (!h) {
      h = new Highlight();
      CSS.highlights.set(name, h);
    }
    h.add(range);
    added.push([name, range]);
  }
  let removed = false;
  let live = null;
  return {
    mode: "highlight",
    text: found.text,
    entities,
    /** Live Ranges, made from the static ones on first use. */
    get ranges() {
      live ??= added.map(([, r]) => {
        const range = r.startContainer.ownerDocument.createRange();
        range.setStart(r.startContainer, Math.min(r.startOffset, r.startContainer.length));
        range.setEnd(r.endContainer, Math.min(r.endOffset, r.endContainer.length));
        return range;
      });
      return live;
    },
    remove() {
      if (removed) return;
      removed = true;
      for (const [name, range] of added) {
        const h = CSS.highlights.get(name);
        if (!h) continue;
        h.delete(range);
        if (h.size === 0) CSS.highlights.delete(name);
      }
    },
  };
}

/** `workers` as given to `call`: undefined, or a whole number from 1 to MAX_WORKERS. */
function checkWorkers(call, workers) {
  if (workers === undefined) return undefined;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new Error(`${call}: workers must be a whole number from 1 to ${MAX_WORKERS}, got ${JSON.stringify(workers)}`);
  }
  return workers;
}

const MANY_OPTIONS = ["labels", "tokens", "clusters", "workers", "model"];

/** What a value is, for error messages: "number", "null", "array", ... */
function kind(value) {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/**
 * Annotates many texts on a pool of module Web Workers (the ones highlight()
 * uses), one text per worker at a time, and resolves with one result per
 * text, in order, each exactly what `new Annotator().annotate(text, options)`
 * returns (every text is annotated whole, in one call).
 *
 * Options: those of `annotate` (`labels`, `tokens`, `clusters`: the workers
 * send the clusters back packed, as they do for the demo page), `workers`
 * (how many workers may run at once for this call; default: one per core
 * but one, at least 1, at most 4) and `model`. Workers start when there is
 * work for them and stay until closePool().
 *
 * Rejects with an `Error` whose message starts with `annotateMany:` for bad
 * input (naming the valid options), when no worker can be started (no Web
 * Workers, as in Node, or a CSP without `worker-src`), when a text fails
 * (`annotateMany: texts[i]: ...`) and when closePool() stops the call.
 */
export async function annotateMany(texts, options = {}) {
  if (!Array.isArray(texts)) throw new Error(`annotateMany: texts must be an array of strings, got ${kind(texts)}`);
  texts.forEach((t, i) => {
    if (typeof t !== "string") throw new Error(`annotateMany: texts[${i}] must be a string, got ${kind(t)}`);
  });
  if (options !== undefined && options !== null && kind(options) !== "object") {
    throw new Error(`annotateMany: options must be an object (options: ${MANY_OPTIONS.join(", ")}), got ${kind(options)}`);
  }
  for (const key of Object.keys(options ?? {})) {
    if (!MANY_OPTIONS.includes(key)) throw new Error(`annotateMany: unknown option ${JSON.stringify(key)} (options: ${MANY_OPTIONS.join(", ")})`);
  }
  const { labels, tokens, clusters } = options ?? {};
  for (const [name, value] of [["tokens", tokens], ["clusters", clusters]]) {
    if (value !== undefined && typeof value !== "boolean") throw new Error(`annotateMany: ${name} must be true or false, got ${JSON.stringify(value)}`);
  }
  if (labels !== undefined && !(Array.isArray(labels) && labels.every((l) => typeof l === "string"))) {
    throw new Error(`annotateMany: labels must be an array of label names, got ${kind(labels)}`);
  }
  const workers = checkWorkers("annotateMany", options?.workers) ?? defaultPoolSize();
  const model = checkModel("annotateMany", options?.model ?? "default");
  if (texts.length === 0) return [];
  if (typeof globalThis.Worker !== "function") {
    throw new Error("annotateMany: this environment has no Web Workers (in Node, call annotate on an Annotator for each text)");
  }
  const p = sharedPool(model);
  let info;
  try {
    info = await p.start(1);
  } catch (e) {
    throw new Error(`annotateMany: the workers could not start: ${e.message}`);
  }
  if (labels) {
    const names = info.labels.map((l) => l.name);
    const unknown = labels.find((l) => !names.includes(l));
    if (unknown !== undefined) throw new Error(`annotateMany: options.labels: unknown label ${JSON.stringify(unknown)} (this model's labels: ${names.join(", ")})`);
  }
  const message = (text) => {
    const m = { text };
    if (labels) m.labels = labels;
    if (tokens) m.tokens = true;
    if (clusters) m.clusters = true;
    return m;
  };
  let results;
  try {
    results = await p.run(texts.map(message), { limit: workers });
  } catch (e) {
    if (e.cancelled) throw new Error(`annotateMany: stopped by closePool()`);
    throw new Error(e.index !== undefined ? `annotateMany: texts[${e.index}]: ${e.message}` : `annotateMany: ${e.message}`);
  }
  return results.map((r, i) => unpack(r.packed, texts[i], true));
}

/** Terminates the workers of highlight() and annotateMany(); calls still
 * running reject (annotateMany's with "stopped by closePool()"). The next
 * call starts new workers (and tries again if they had failed to start). */
export function closePool() {
  const closing = [...pools.values()];
  pools.clear();
  workerFailures.clear();
  for (const p of closing) p.close("closePool() was called");
}
