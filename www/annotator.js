// The page's side of the worker protocol (worker.js, protocol.js): starts the worker,
// sends `{ id, text }`, takes `progress`, `result` and `error` back (answers
// to any run but the pending one are ignored), cancels by replacing the
// worker.
import { ui } from "./dom.js";
import { spawnWorker, unpack } from "./protocol.js";
import { setStatus, show } from "./render.js";
import { state } from "./state.js";

/** Texts at least this long show the progress bar from the start. */
const PROGRESS_FROM = 200_000;

/** Starts a worker; resolves once it has loaded the model (and sent its
 * labels and version). */
export function startWorker() {
  const worker = spawnWorker();
  state.worker = worker;
  state.workerReady = new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === "hello") {
        state.labels = new Map(msg.labels.map((l) => [l.name, l.description]));
        state.version = msg.version;
        resolve();
      } else if (msg.type === "error" && msg.id === undefined) {
        reject(new Error(msg.message));
      } else {
        onMessage(msg);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const message = event.message || "the worker could not start";
      reject(new Error(message));
      if (state.pending) finishRun(`Error: ${message}`, true);
    };
  });
  return state.workerReady;
}

function onMessage(msg) {
  const { pending } = state;
  if (!pending || msg.id !== pending.id) return;
  if (msg.type === "progress") {
    ui.progress.hidden = false;
    ui.progress.value = msg.done / msg.total;
    setStatus(`Annotating… ${Math.round((100 * msg.done) / msg.total)}%`);
  } else if (msg.type === "result") {
    const result = unpack(msg.packed);
    state.tokens = msg.tokens;
    state.ms = msg.ms;
    finishRun(null);
    show(pending.text, result);
  } else if (msg.type === "error") {
    if (msg.trap) {
      // The module trapped: its state is unknown, so start a fresh one.
      state.worker.terminate();
      startWorker();
      finishRun(`Internal error: ${msg.message}. The annotator was restarted; try again.`, true);
    } else {
      finishRun(`Error: ${msg.message}`, true);
    }
  }
}

/** Annotates the current text (the textarea's, or the long text kept
 * aside), cancelling a run still going. */
export async function run() {
  clearTimeout(state.typingTimer);
  const text = state.big ?? ui.input.value;
  if (state.pending) cancel(false);
  const id = ++state.runId;
  state.pending = { id, text };
  document.documentElement.dataset.busy = "true";
  ui.annotate.disabled = true;
  ui.cancel.hidden = false;
  ui.progress.value = 0;
  ui.progress.hidden = text.length < PROGRESS_FROM;
  setStatus("Annotating…");
  try {
    await state.workerReady;
  } catch (e) {
    finishRun(`Could not load the annotator: ${e.message}`, true);
    return;
  }
  if (state.pending?.id === id) state.worker.postMessage({ id, text });
}

function finishRun(message, isError = false) {
  state.pending = null;
  delete document.documentElement.dataset.busy;
  ui.annotate.disabled = false;
  ui.cancel.hidden = true;
  ui.progress.hidden = true;
  if (message) setStatus(message, isError);
}

/** Stops the running annotation: the worker is terminated and replaced. */
export function cancel(report = true) {
  if (!state.pending) return;
  state.worker.terminate();
  startWorker();
  finishRun(report ? "Cancelled." : null);
  if (report) ui.annotate.focus();
}
