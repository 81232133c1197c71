// Runs the page's annotations: it drives the worker pool of the library
// (../lib/pool.js, whose workers, ../lib/worker.js, each own a wasm Annotator).
// A text is cut into pieces at blank lines, the pieces are annotated by the
// pool's workers (as many as `state.poolSize`), and their results are joined
// in order with their offsets shifted; each piece is drawn (off the page) as
// soon as the ones before it are in, and the article is shown when the last
// one is. Progress counts the pieces done. Cancel terminates every worker.
// Each piece's entities come with the library's clusters (`clusters: true`),
// joined across pieces by `joinClusters`.
import { ui } from "./dom.js";
import { spawnWorker, unpack } from "../lib/protocol.js";
import { cuts, splitAt, WorkerPool } from "../lib/pool.js";
import { updatePlaces } from "./places.js";
import { setStatus, startRender } from "./render.js";
import { state } from "./state.js";

/** The shortest time between two progress updates, ms. */
const PROGRESS_MS = 100;

/** Starts the pool (once) and one worker in it; resolves once a worker has
 * loaded the model (and sent its labels and version). The other workers
 * start when a text has pieces for them. */
export function startWorker() {
  state.pool ??= new WorkerPool({ size: state.poolSize, spawn: () => spawnWorker(state.model) });
  state.pool.start(1);
  state.workerReady = state.pool.info.then(({ labels, version }) => {
    state.labels = new Map(labels.map((l) => [l.name, l.description]));
    state.version = version;
  });
  return state.workerReady;
}

/** The progress of a run of `total` parts: `update(done)` shows that `done`
 * parts are in, at most every PROGRESS_MS (each write to the progress bar
 * costs the page a millisecond or more, and a long paste has hundreds of
 * parts) and always for the last one; nothing once `current()` is false. */
function progressOf(total, current) {
  let latest = 0;
  let written = 0;
  let timer = 0;
  const write = () => {
    if (!current() || latest === written) return;
    written = latest;
    ui.progress.value = latest;
    const workers = Math.min(total, state.poolSize);
    setStatus(`Annotating… ${Math.round((100 * latest) / total)}% (${latest} of ${total} parts${workers > 1 ? `, ${workers} workers` : ""})`);
  };
  return (done) => {
    latest = done;
    if (done === total) {
      clearTimeout(timer);
      write();
    } else if (!timer) {
      write();
      timer = setTimeout(() => {
        timer = 0;
        write();
      }, PROGRESS_MS);
    }
  };
}

/** Annotates the current text (the textarea's, or the long text kept
 * aside), cancelling a run still going. */
export async function run() {
  clearTimeout(state.typingTimer);
  const text = state.big ?? ui.input.value;
  if (state.pending) cancel(false);
  const id = ++state.runId;
  const starts = cuts(text);
  state.pending = { id, text };
  document.documentElement.dataset.busy = "true";
  ui.annotate.disabled = true;
  ui.cancel.hidden = false;
  ui.progress.max = starts.length;
  ui.progress.value = 0;
  ui.progress.hidden = starts.length < 2;
  setStatus("Annotating…");
  try {
    await state.workerReady;
  } catch (e) {
    if (state.pending?.id === id) finishRun(`Could not load the annotator: ${e.message}`, true);
    return;
  }
  if (state.pending?.id !== id) return;
  const t0 = performance.now();
  const render = startRender(text);
  const progress = progressOf(starts.length, () => state.pending?.id === id);
  // The pieces' results, unpacked and shifted, and the first not yet drawn.
  const parts = new Array(starts.length);
  let drawn = 0;
  let done = 0;
  let results;
  try {
    results = await state.pool.run(
      splitAt(text, starts).map((piece) => ({ text: piece, clusters: true })),
      {
        onResult(i, r) {
          if (state.pending?.id !== id) return;
          parts[i] = shift(unpack(r.packed), starts[i]);
          while (drawn < parts.length && parts[drawn]) render.add(parts[drawn++]);
          done += 1;
          if (starts.length > 1) progress(done);
        },
      },
    );
  } catch (e) {
    if (state.pending?.id !== id) return; // cancelled, or overtaken by a newer run
    if (e.trap) {
      // The pool has already replaced the worker whose module trapped.
      finishRun(`Internal error: ${e.message}. The annotator was restarted; try again.`, true);
    } else if (e.load) {
      finishRun(`Could not load the annotator: ${e.message}`, true);
    } else {
      finishRun(`Error: ${e.message}`, true);
    }
    return;
  }
  if (state.pending?.id !== id) return;
  const result = {
    blocks: parts.flatMap((p) => p.blocks),
    sentences: parts.flatMap((p) => p.sentences),
    entities: parts.flatMap((p) => p.entities),
    clusters: joinClusters(parts),
  };
  state.tokens = results.reduce((n, r) => n + r.tokens, 0);
  state.ms = performance.now() - t0;
  state.workersUsed = Math.min(starts.length, state.poolSize);
  finishRun(null);
  render.finish(result);
  updatePlaces();
}

/**
 * The clusters of the whole text from those of its pieces (each piece's
 * entities already appended in order, each with its piece-local `cluster`):
 * the library clusters each piece on its own (a piece is at most 20,000
 * characters, an article's length), so a cluster of a later piece joins the
 * earlier one with the same name and label, and otherwise starts a new one.
 * Renumbers every entity's `cluster` into the result.
 */
function joinClusters(parts) {
  const clusters = [];
  const byName = new Map();
  let offset = 0;
  for (const part of parts) {
    const local = (part.clusters ?? []).map((c) => {
      const key = `${c.label}\u0000${c.name}`;
      let joined = byName.get(key);
      if (joined === undefined) {
        joined = clusters.length;
        byName.set(key, joined);
        clusters.push({ start: c.start, end: c.end, name: c.name, label: c.label, mentions: [] });
      }
      return joined;
    });
    part.entities.forEach((e, i) => {
      e.cluster = local[e.cluster];
      clusters[e.cluster].mentions.push(offset + i);
    });
    offset += part.entities.length;
  }
  return clusters;
}

/** A piece's result with its offsets moved by `by` (where the piece starts in the text). */
function shift(part, by) {
  if (by === 0) return part;
  for (const list of [part.blocks, part.sentences, part.entities, part.clusters ?? []]) {
    for (const r of list) {
      r.start += by;
      r.end += by;
    }
  }
  return part;
}

function finishRun(message, isError = false) {
  state.pending = null;
  delete document.documentElement.dataset.busy;
  ui.annotate.disabled = false;
  ui.cancel.hidden = true;
  ui.progress.hidden = true;
  if (message) setStatus(message, isError);
}

/** Stops the running annotation: every worker is terminated, and one fresh
 * worker is started for the next run (the others start when needed). */
export function cancel(report = true) {
  if (!state.pending) return;
  state.pending = null;
  state.pool.terminate("cancelled");
  startWorker();
  finishRun(report ? "Cancelled." : null);
  if (report) ui.annotate.focus();
}
