// Runs the page's annotations: it drives the worker pool of the library
// (../lib/pool.js, whose workers, ../lib/worker.js, each own a wasm Annotator).
// A text is cut into pieces at blank lines, the pieces are annotated by the
// pool's workers (as many as `state.poolSize`), and their results are joined
// in order with their offsets shifted; each piece is drawn (off the page) as
// soon as the ones before it are in, and the article is shown when the last
// one is. Progress counts the pieces done (and, with the slow accurate model,
// the seconds). A new run stops the one still going, and Cancel stops it, by
// aborting its signal: the pool terminates only the workers busy with it, so
// idle workers keep their model loaded for the next run (with the accurate
// model, a 23 MB file that a new worker must fetch and read again).
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

/** With the accurate model, the status line counts the seconds of a run
 * estimated to take at least this long (s), and says how long it should take. */
const SLOW_RUN_S = 2;

/** Starts the pool (once) and one worker in it; resolves once a worker has
 * loaded the model (and sent its labels and version). The other workers
 * start when a text has pieces for them. */
export function startWorker() {
  state.pool ??= new WorkerPool({ size: state.poolSize, spawn: () => spawnWorker(state.model) });
  state.pool.start(1);
  state.workerReady = state.pool.info.then(({ labels, version }) => {
    state.labels = new Map(labels.map((l) => [l.name, l.description]));
    state.version = version;
    state.modelLoaded = true;
  });
  return state.workerReady;
}

/** The progress of a run of `total` parts of `text`: `update(done)` shows
 * that `done` parts are in, at most every PROGRESS_MS (each write to the
 * progress bar costs the page a millisecond or more, and a long paste has
 * hundreds of parts) and always for the last one; nothing once `current()`
 * is false. With the accurate model (seconds per article), a run estimated to
 * take SLOW_RUN_S or more also shows, every second, how long it has taken and
 * about how long it should (from `state.accurateRate`): `Annotating with the
 * accurate model… 4 s of about 9 s (1 of 3 parts, 2 workers)`. */
function progressOf(text, total, current) {
  const workers = Math.min(total, state.poolSize);
  const start = performance.now();
  const estimate = state.model === "accurate" ? text.length / state.accurateRate / workers : 0;
  let latest = 0;
  let written = -1;
  let timer = 0;
  let clock = 0;
  const parts = () => `${latest} of ${total} parts${workers > 1 ? `, ${workers} workers` : ""}`;
  const write = (force = false) => {
    if (!current()) {
      clearInterval(clock);
      return;
    }
    if (latest === written && !force) return;
    written = latest;
    if (total > 1) ui.progress.value = latest;
    if (estimate >= SLOW_RUN_S) {
      const s = Math.floor((performance.now() - start) / 1000);
      setStatus(`Annotating with the accurate model… ${s} s of about ${Math.ceil(estimate)} s${total > 1 ? ` (${parts()})` : ""}`);
    } else if (total > 1) {
      setStatus(`Annotating… ${Math.round((100 * latest) / total)}% (${parts()})`);
    }
  };
  if (estimate >= SLOW_RUN_S) {
    write(true);
    clock = setInterval(() => write(true), 1000);
  }
  return (done) => {
    latest = done;
    if (done === total) {
      clearTimeout(timer);
      clearInterval(clock);
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
  const controller = new AbortController();
  state.pending = { id, text, controller };
  document.documentElement.dataset.busy = "true";
  ui.annotate.disabled = true;
  ui.cancel.hidden = false;
  ui.progress.max = starts.length;
  // One part of a slow model's run: a bar that says "working", not how far.
  const slow = state.model === "accurate" && text.length / state.accurateRate >= SLOW_RUN_S;
  if (slow && starts.length < 2) ui.progress.removeAttribute("value");
  else ui.progress.value = 0;
  ui.progress.hidden = starts.length < 2 && !slow;
  setStatus(state.model === "accurate" && !state.modelLoaded ? "Loading the accurate model (a 23.2 MB file)…" : "Annotating…");
  try {
    await state.workerReady;
  } catch (e) {
    if (state.pending?.id === id) finishRun(`Could not load the annotator: ${e.message}`, true);
    return;
  }
  if (state.pending?.id !== id) return;
  setStatus("Annotating…");
  const t0 = performance.now();
  const render = startRender(text);
  const progress = progressOf(text, starts.length, () => state.pending?.id === id);
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
          progress(done);
        },
        signal: controller.signal,
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
  // This machine's speed on one worker, for the next run's estimate: the
  // workers' own time (no message, no model loading), a second or more of it.
  const workMs = results.reduce((n, r) => n + r.ms, 0);
  if (state.model === "accurate" && workMs >= 1000) state.accurateRate = text.length / (workMs / 1000);
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

/** Stops the running annotation (Cancel, or `report` false: a new run
 * replaces it): the pool terminates the workers busy with it, and keeps the
 * others, their model loaded. After Cancel, one worker is kept ready for the
 * next run (started afresh if every one was busy). */
export function cancel(report = true) {
  if (!state.pending) return;
  const { controller } = state.pending;
  state.pending = null;
  controller.abort(report ? "cancelled" : "superseded");
  if (report) startWorker();
  finishRun(report ? "Cancelled." : null);
  if (report) ui.annotate.focus();
}
