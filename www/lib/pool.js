// A pool of annotator workers (worker.js, one wasm annotator each), shared
// by the demo page (www/demo/run.js) and the embedding API (highlight.js:
// highlight() on large pages, annotateMany()).
//
// Long texts are cut into pieces at blank lines (`cuts`), each piece is one
// request, requests go to idle workers in order, and the pieces' results are
// merged back in input order with their offsets shifted (`mergePacked`), so
// the result does not depend on how many workers ran or which one took which
// piece. Workers start when there is work for them, up to the pool's size and
// the request's `limit`, and stay until the pool is terminated: a later run
// reuses them, without loading the model again. A run stopped by its `signal`
// terminates only the workers it had posted requests to (wasm cannot be
// interrupted otherwise); idle workers, and workers still loading the model,
// stay. A worker that traps is replaced at once; one that cannot start or load
// the model makes the pool refuse work (`failure`) until it is terminated.
import { spawnWorker } from "./protocol.js";

/** The most workers the default size asks for. Each worker holds its own
 * wasm instance (the 2.8 MB module with the embedded model, about 16 MB of
 * linear memory after loading, a few tens of MB while it annotates a piece),
 * and the page's main thread still has to merge and render: past 4 workers
 * the gain is small and the memory is not. */
export const POOL_CAP = 4;

/** The most workers an explicit choice (`?workers=N`, the `workers` option) may ask for. */
export const MAX_WORKERS = 16;

/** The pool size for this machine: one worker per core but one (the page's
 * main thread keeps a core), at least 1, at most POOL_CAP. */
export function defaultPoolSize(cores = globalThis.navigator?.hardwareConcurrency) {
  const n = Number.isInteger(cores) && cores > 0 ? cores : 2;
  return Math.min(POOL_CAP, Math.max(1, n - 1));
}

/** Texts longer than this (UTF-16 units) are annotated in pieces. */
export const CHUNK = 20_000;

/** Cuts `text` into pieces of at most about CHUNK units, preferring a blank
 * line, then a line end, then a space as the cut (never inside a surrogate
 * pair). Returns the pieces' start offsets (the first is 0). */
export function cuts(text) {
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

/** The pieces of `text` that start at `starts` (from `cuts`). */
export function splitAt(text, starts) {
  return starts.map((from, i) => text.slice(from, i + 1 < starts.length ? starts[i + 1] : text.length));
}

/**
 * The packed results (protocol.js `pack`) of pieces that start at `starts`,
 * as one packed result of the whole text: arrays concatenated in order,
 * offsets shifted by each piece's start, boilerplate reasons renumbered.
 * Tokens are kept when every piece has them.
 */
export function mergePacked(parts, starts) {
  if (parts.length === 1 && starts[0] === 0) return parts[0];
  const { kinds, labels } = parts[0];
  const reasons = [...new Set(parts.flatMap((p) => p.reasons))];
  const concat = (key, Type, shift) => {
    const out = new Type(parts.reduce((n, p) => n + p[key].length, 0));
    let at = 0;
    parts.forEach((p, i) => {
      const a = p[key];
      if (shift && starts[i] !== 0) {
        for (let j = 0; j < a.length; j++) out[at + j] = a[j] + starts[i];
      } else {
        out.set(a, at);
      }
      at += a.length;
    });
    return out;
  };
  const blockReasons = concat("blockReasons", Uint8Array, false);
  let at = 0;
  for (const p of parts) {
    const map = p.reasons.map((r) => reasons.indexOf(r) + 1);
    for (let j = 0; j < p.blockReasons.length; j++) {
      const r = p.blockReasons[j];
      if (r) blockReasons[at + j] = map[r - 1];
    }
    at += p.blockReasons.length;
  }
  const merged = {
    kinds,
    reasons,
    labels,
    blocks: concat("blocks", Uint32Array, true),
    blockKinds: concat("blockKinds", Uint8Array, false),
    blockReasons,
    sentences: concat("sentences", Uint32Array, true),
    entities: concat("entities", Uint32Array, true),
    entityLabels: concat("entityLabels", Uint8Array, false),
    scores: concat("scores", Float64Array, false),
  };
  if (parts.every((p) => p.tokens)) merged.tokens = concat("tokens", Uint32Array, true);
  return merged;
}

/** Why a request of the pool failed. `trap`: the worker's wasm instance
 * trapped (the worker was replaced); `load`: no worker could start or load
 * the model; `cancelled`: the pool was terminated; `index`: the request, in
 * the order given to `run`. */
export class PoolError extends Error {
  constructor(message, { trap = false, load = false, cancelled = false, index } = {}) {
    super(message);
    this.name = "Error";
    this.trap = trap;
    this.load = load;
    this.cancelled = cancelled;
    if (index !== undefined) this.index = index;
  }
}

/** Requests a worker holds at once: the one it annotates and the next, so
 * it never waits for the page's main thread (busy drawing the pieces already
 * done) between two pieces. */
const DEPTH = 2;

/**
 * Workers of worker.js. `size`: the most workers it runs at once; `spawn`:
 * starts one (protocol.js `spawnWorker`).
 *
 * `run(messages, { limit, onResult, signal })` sends each message (`{ text,
 * labels?, tokens? }`) to a worker and resolves with the workers' `result`
 * messages (`{ packed, tokens, ms }`) in the order of `messages`; at most
 * `limit` workers take part, and `onResult(index, result)` is called as each
 * one arrives. Requests are handed out in order, to idle workers first, then
 * to new ones, then one more to each busy worker. The first failure rejects
 * the whole run with a PoolError (its other requests are dropped). Aborting
 * `signal` (an AbortSignal) stops the run (`cancel`): it rejects at once with
 * a cancelled PoolError, and `onResult` is not called again.
 */
export class WorkerPool {
  constructor({ size = defaultPoolSize(), spawn = spawnWorker } = {}) {
    this.size = Math.max(1, Math.min(MAX_WORKERS, Math.floor(size)));
    this.spawn = spawn;
    /** `{ worker, ready, jobs }` per live worker (`jobs`: sent, not answered, in order). */
    this.slots = [];
    /** Requests waiting for a worker, in order. */
    this.queue = [];
    /** Why no worker could start or load the model, once that happened. */
    this.failure = null;
    /** Why the pool was closed (`close`), or null: a closed pool takes no more requests. */
    this.closed = null;
    this.nextId = 0;
    this.resetInfo();
  }

  /** `info` resolves with `{ labels, version }` once a worker has loaded the
   * model, and rejects if the pool fails first. */
  resetInfo() {
    this.infoSettled = false;
    this.info = new Promise((resolve, reject) => {
      this.resolveInfo = resolve;
      this.rejectInfo = reject;
    });
    this.info.catch(() => {}); // the callers that need it handle it
  }

  /** Workers started so far and not terminated. */
  get workers() {
    return this.slots.length;
  }

  /** Starts workers until at least `n` run (they load the model meanwhile);
   * returns `info`. */
  start(n = 1) {
    while (this.failure === null && this.closed === null && this.slots.length < Math.min(n, this.size)) {
      if (!this.startOne()) break;
    }
    return this.info;
  }

  run(messages, { limit = this.size, onResult, signal } = {}) {
    if (this.closed !== null) return Promise.reject(new PoolError(this.closed, { cancelled: true }));
    if (this.failure !== null) return Promise.reject(new PoolError(this.failure, { load: true }));
    if (signal?.aborted) return Promise.reject(new PoolError(abortReason(signal), { cancelled: true }));
    return new Promise((resolve, reject) => {
      const group = {
        limit: Math.max(1, Math.min(this.size, Math.floor(limit) || 1)),
        /** The workers holding this run's requests, and how many each. */
        slots: new Map(),
        left: messages.length,
        results: new Array(messages.length),
        done: false,
        resolve,
        reject,
        onResult,
      };
      if (messages.length === 0) {
        group.done = true;
        resolve([]);
        return;
      }
      if (signal) {
        const onAbort = () => this.cancel(group, abortReason(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        group.unlisten = () => signal.removeEventListener("abort", onAbort);
      }
      messages.forEach((message, index) => this.queue.push({ group, index, message, id: 0 }));
      this.pump();
    });
  }

  /**
   * Stops run `group` (its `signal` was aborted): rejects it with a cancelled
   * PoolError and drops its requests still queued, and those given to workers
   * still loading the model (not posted yet: such a worker stays, and keeps
   * loading). A worker that was posted one of its requests is annotating it,
   * or will, and wasm cannot be interrupted: that worker is terminated, and the
   * requests of other runs it held go back to the queue. Idle workers are not
   * touched: the next run finds the model loaded.
   */
  cancel(group, reason = "cancelled") {
    if (group.done) return;
    this.fail(group, new PoolError(reason, { cancelled: true }));
    this.queue = this.queue.filter((job) => job.group !== group);
    for (const slot of [...group.slots.keys()]) {
      if (slot.ready) {
        this.drop(slot);
      } else {
        for (const job of slot.jobs.filter((j) => j.group === group)) this.release(slot, job);
      }
    }
    this.pump();
  }

  /** Terminates every worker and rejects every request not finished with
   * `reason`; the next request starts workers again. */
  terminate(reason = "cancelled") {
    const groups = this.stopAll();
    for (const g of groups) this.fail(g, new PoolError(reason, { cancelled: true }));
    if (this.failure !== null) {
      this.failure = null;
      this.resetInfo();
    }
  }

  /** Terminates the pool for good: like `terminate`, and later requests are refused. */
  close(reason = "closed") {
    this.closed = reason;
    this.terminate(reason);
  }

  /** Terminates every worker, empties the queue; returns the runs that had requests. */
  stopAll() {
    const groups = new Set(this.queue.map((job) => job.group));
    for (const s of this.slots) {
      s.worker.terminate();
      for (const job of s.jobs) groups.add(job.group);
    }
    this.slots = [];
    this.queue = [];
    return groups;
  }

  /** Gives waiting requests to workers, starting workers as needed. */
  pump() {
    for (let i = 0; i < this.queue.length && this.failure === null; ) {
      const job = this.queue[i];
      if (job.group.done) {
        this.queue.splice(i, 1);
        continue;
      }
      const slot = this.pick(job.group);
      if (!slot) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.send(slot, job);
    }
  }

  /** The worker for the next request of run `g`, or null if none may take it now. */
  pick(g) {
    const allowed = (s) => g.slots.has(s) || g.slots.size < g.limit;
    const idle = this.slots.filter((s) => s.jobs.length === 0 && allowed(s));
    if (idle.length > 0) return idle.find((s) => s.ready) ?? idle[0];
    if (this.slots.length < this.size && g.slots.size < g.limit) return this.startOne();
    return this.slots.find((s) => s.jobs.length < DEPTH && allowed(s)) ?? null;
  }

  send(slot, job) {
    const g = job.group;
    g.slots.set(slot, (g.slots.get(slot) ?? 0) + 1);
    slot.jobs.push(job);
    job.id = ++this.nextId;
    // A worker still loading is sent its requests once it says hello: a
    // message that arrives before its script has set `onmessage` (a wrapper
    // that imports worker.js late, say) would be lost.
    if (slot.ready) this.post(slot, job);
  }

  post(slot, job) {
    slot.worker.postMessage({ id: job.id, ...job.message });
  }

  /** Takes `job` off `slot` (answered, or given back). */
  release(slot, job) {
    slot.jobs.splice(slot.jobs.indexOf(job), 1);
    const g = job.group;
    const n = g.slots.get(slot) - 1;
    if (n > 0) g.slots.set(slot, n);
    else g.slots.delete(slot);
  }

  startOne() {
    let worker;
    try {
      worker = this.spawn();
    } catch (e) {
      this.broken(e?.message || String(e));
      return null;
    }
    const slot = { worker, ready: false, jobs: [] };
    worker.onmessage = (event) => this.onMessage(slot, event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      this.onWorkerFailure(slot, event.message || "the worker could not be started");
    };
    this.slots.push(slot);
    return slot;
  }

  onMessage(slot, msg) {
    if (!this.slots.includes(slot)) return; // terminated meanwhile
    if (msg.type === "hello") {
      slot.ready = true;
      for (const job of slot.jobs) this.post(slot, job);
      if (!this.infoSettled) {
        this.infoSettled = true;
        this.resolveInfo({ labels: msg.labels, version: msg.version });
      }
      return;
    }
    if (msg.id === undefined) {
      if (msg.type === "error") this.onWorkerFailure(slot, msg.message);
      return;
    }
    const job = slot.jobs.find((j) => j.id === msg.id);
    if (!job || (msg.type !== "result" && msg.type !== "error")) return;
    this.release(slot, job);
    if (msg.type === "result") {
      // The next request first, then the caller's work on this result.
      this.pump();
      this.finish(job, msg);
    } else {
      // A trap leaves the instance's memory untrustworthy: replace the worker.
      if (msg.trap) this.replace(slot);
      this.fail(job.group, new PoolError(msg.message, { trap: msg.trap, index: job.index }));
      this.pump();
    }
  }

  /** A worker failed outside a request: it could not start, could not load
   * the model, or threw outside the protocol. Before it ever loaded the
   * model, the pool is broken (the next worker would fail the same way);
   * after, it is replaced like a trapped one, failing the request it was
   * annotating. */
  onWorkerFailure(slot, message) {
    if (!this.slots.includes(slot)) return;
    if (!slot.ready) {
      this.broken(message);
      return;
    }
    const job = slot.jobs[0];
    this.replace(slot);
    if (job) this.fail(job.group, new PoolError(message, { trap: true, index: job.index }));
    this.pump();
  }

  /** No worker can run here: stop every worker and refuse every request
   * until `terminate()`. */
  broken(message) {
    this.failure = message;
    if (!this.infoSettled) {
      this.infoSettled = true;
      this.rejectInfo(new PoolError(message, { load: true }));
    }
    for (const g of this.stopAll()) this.fail(g, new PoolError(message, { load: true }));
  }

  /** Terminates `slot`'s worker, gives the requests it held back to the
   * queue (first, in order), and starts a fresh worker. */
  replace(slot) {
    this.drop(slot);
    this.startOne();
  }

  /** Terminates `slot`'s worker and gives the requests it held for runs
   * still going back to the queue (first, in order). */
  drop(slot) {
    slot.worker.terminate();
    this.slots.splice(this.slots.indexOf(slot), 1);
    const orphans = [...slot.jobs];
    for (const job of orphans) this.release(slot, job);
    this.queue.unshift(...orphans.filter((job) => !job.group.done));
  }

  finish(job, msg) {
    const g = job.group;
    if (g.done) return;
    g.results[job.index] = msg;
    g.left--;
    if (g.left === 0) {
      g.done = true;
      g.unlisten?.();
    }
    g.onResult?.(job.index, msg);
    if (g.left === 0) g.resolve(g.results);
  }

  fail(group, error) {
    if (group.done) return;
    group.done = true;
    group.unlisten?.();
    group.reject(error);
  }
}

/** The message of a stopped run's PoolError: the signal's reason when it is
 * a string (`controller.abort("superseded")`), else "cancelled". */
function abortReason(signal) {
  return typeof signal.reason === "string" ? signal.reason : "cancelled";
}
