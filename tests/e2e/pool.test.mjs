// The worker pool (www/lib/pool.js) and annotateMany()'s checks, in Node: the
// workers are stand-ins that run the real wasm annotator (www/lib/pkg, initSync)
// on this thread and answer with worker.js's messages, in a shuffled order,
// so the pool's dispatch, merge, progress, trap, failure and terminate paths
// are checked without a browser (tests/e2e/page.test.mjs and embed.test.mjs
// check the real workers in Chromium).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./server.mjs";

const LIB = join(ROOT, "www/lib");
const nm = await import(pathToFileURL(join(LIB, "pkg/newsmark.js")).href);
nm.initSync({ module: readFileSync(join(LIB, "pkg/newsmark_bg.wasm")) });
const { CHUNK, cuts, defaultPoolSize, mergePacked, splitAt, POOL_CAP, WorkerPool } = await import(pathToFileURL(join(LIB, "pool.js")).href);
const { pack, unpack } = await import(pathToFileURL(join(LIB, "protocol.js")).href);

const annotator = new nm.Annotator();
const LABELS = annotator.labels().map((l) => l.name);

/** A stand-in for worker.js: says hello, then answers each request after a
 * random delay with worker.js's messages. The text "TRAP" traps. A request
 * sent before the hello is lost (as it is by a worker whose script sets
 * `onmessage` late) and counted in `FakeWorker.early`. */
class FakeWorker {
  static started = [];
  static early = 0;
  constructor({ failLoad = false } = {}) {
    this.terminated = false;
    this.hello = false;
    this.onmessage = null;
    this.onerror = null;
    FakeWorker.started.push(this);
    setTimeout(() => {
      if (this.terminated) return;
      if (failLoad) this.emit({ type: "error", message: "the model could not be loaded: broken", trap: true });
      else {
        this.hello = true;
        this.emit({ type: "hello", labels: annotator.labels(), version: annotator.version });
      }
    }, 1);
  }
  emit(data) {
    if (!this.terminated) this.onmessage?.({ data });
  }
  postMessage({ id, text, labels, tokens }) {
    if (!this.hello) {
      FakeWorker.early += 1;
      return;
    }
    this.held = (this.held ?? 0) + 1;
    this.mostHeld = Math.max(this.mostHeld ?? 0, this.held);
    setTimeout(() => {
      this.held -= 1;
      if (text === "TRAP") {
        this.emit({ id, type: "error", message: "unreachable executed", trap: true });
        return;
      }
      const result = annotator.annotate(text, labels ? { tokens: true, labels } : { tokens: true });
      const count = result.tokens.length;
      if (!tokens) delete result.tokens;
      this.emit({ id, type: "result", packed: pack(result, LABELS), tokens: count, ms: 0 });
    }, Math.floor(Math.random() * 5));
  }
  terminate() {
    this.terminated = true;
  }
}

/** About `n` characters of news paragraphs (invented), blank lines between them. */
function longText(n) {
  const names = ["Peggy Alvarez", "Daniel Reyes", "Nora Lindqvist", "Walter Kessler"];
  const parts = [];
  for (let i = 0, size = 0; size < n; i++) {
    const p = `${names[i % 4]} met officials of Tallis Motors in Ohio on Monday; the firm said it would spend $${i + 10} million. 😀 Shares rose ${i % 7} percent.`;
    parts.push(p);
    size += p.length + 2;
  }
  return parts.join("\n\n");
}

/** The result of the old single worker, which annotated the pieces one after
 * another and shifted their offsets. */
function sequential(text) {
  const starts = cuts(text);
  const out = { blocks: [], sentences: [], entities: [] };
  splitAt(text, starts).forEach((piece, i) => {
    const r = annotator.annotate(piece);
    for (const key of ["blocks", "sentences", "entities"]) {
      for (const x of r[key]) {
        x.start += starts[i];
        x.end += starts[i];
        if (key === "entities") delete x.text;
        out[key].push(x);
      }
    }
  });
  return out;
}

test("default size: one worker per core but one, at least 1, at most POOL_CAP", () => {
  assert.equal(defaultPoolSize(1), 1);
  assert.equal(defaultPoolSize(2), 1);
  assert.equal(defaultPoolSize(3), 2);
  assert.equal(defaultPoolSize(64), POOL_CAP);
  assert.equal(defaultPoolSize(undefined), 1);
});

test("pieces are cut as before and merged in order: 1 and 3 workers give the old worker's result exactly", async () => {
  const text = longText(5 * CHUNK);
  const starts = cuts(text);
  assert.ok(starts.length >= 5, `${starts.length} pieces`);
  assert.equal(splitAt(text, starts).join(""), text);
  for (const s of starts.slice(1)) assert.equal(text.slice(s - 1, s + 1), "\n\n", "cut inside a blank line");
  const expected = sequential(text);
  for (const size of [1, 3]) {
    FakeWorker.started = [];
    const pool = new WorkerPool({ size, spawn: () => new FakeWorker() });
    const done = [];
    const results = await pool.run(splitAt(text, starts).map((t) => ({ text: t })), { onResult: (i) => done.push(i) });
    assert.deepEqual([...done].sort((a, b) => a - b), starts.map((_, i) => i), "one progress call per piece");
    assert.equal(FakeWorker.started.length, size, `${size} workers started`);
    assert.deepEqual(unpack(mergePacked(results.map((r) => r.packed), starts)), expected, `${size} worker(s)`);
    pool.terminate();
  }
});

test("a result merged from pieces with tokens and boilerplate reasons keeps them in order", async () => {
  const text = `${longText(CHUNK)}\n\nHome | News | Sport | Weather | Contact us\n\n${longText(CHUNK)}\n\nComments (12)\n\nPosted by dave99: great news\n\nCopyright 2026 Example Media. All rights reserved.`;
  const starts = cuts(text);
  const pool = new WorkerPool({ size: 2, spawn: () => new FakeWorker() });
  const results = await pool.run(splitAt(text, starts).map((t) => ({ text: t, tokens: true })));
  const merged = unpack(mergePacked(results.map((r) => r.packed), starts), text, true);
  const parts = splitAt(text, starts).map((t) => annotator.annotate(t, { tokens: true }));
  for (const key of ["blocks", "sentences", "tokens", "entities"]) {
    const joined = parts.flatMap((r, i) => r[key].map((x) => ({ ...x, start: x.start + starts[i], end: x.end + starts[i] })));
    assert.deepEqual(merged[key], joined, key);
  }
  pool.terminate();
});

test("a run uses at most `limit` workers, each holding at most two requests; a closed pool refuses work", async () => {
  FakeWorker.started = [];
  const pool = new WorkerPool({ size: 3, spawn: () => new FakeWorker() });
  const text = longText(10 * CHUNK);
  const starts = cuts(text);
  const results = await pool.run(splitAt(text, starts).map((t) => ({ text: t })), { limit: 2 });
  assert.equal(results.length, starts.length);
  assert.equal(FakeWorker.started.length, 2, "two workers for limit 2");
  assert.deepEqual(FakeWorker.started.map((w) => w.mostHeld), [2, 2], "each worker got its next piece before finishing the last");
  pool.close("closed for the test");
  assert.ok(FakeWorker.started.every((w) => w.terminated));
  await assert.rejects(pool.run([{ text: "x" }]), (e) => e.cancelled === true && e.message === "closed for the test");
  assert.equal(pool.workers, 0);
});

test("a trap rejects the run and replaces that worker; the next run works", async () => {
  FakeWorker.started = [];
  const pool = new WorkerPool({ size: 1, spawn: () => new FakeWorker() });
  await assert.rejects(pool.run([{ text: "TRAP" }]), (e) => e.trap === true && e.index === 0 && e.message === "unreachable executed");
  assert.equal(FakeWorker.started.length, 2, "a fresh worker replaced the trapped one");
  assert.ok(FakeWorker.started[0].terminated);
  const [r] = await pool.run([{ text: "Rosa Delgado opened a bakery in Toledo." }]);
  assert.ok(unpack(r.packed).entities.length >= 2);
  pool.terminate();
});

test("terminate() stops every worker and rejects what was running; new workers start lazily", async () => {
  FakeWorker.started = [];
  const pool = new WorkerPool({ size: 3, spawn: () => new FakeWorker() });
  const text = longText(6 * CHUNK);
  const run = pool.run(splitAt(text, cuts(text)).map((t) => ({ text: t })));
  assert.equal(pool.workers, 3);
  pool.terminate("cancelled");
  await assert.rejects(run, (e) => e.cancelled === true);
  assert.ok(FakeWorker.started.every((w) => w.terminated), "every worker terminated");
  assert.equal(pool.workers, 0);
  const [r] = await pool.run([{ text: "Peggy Alvarez visited Ohio." }]);
  assert.ok(r.packed);
  assert.equal(FakeWorker.started.length, 4, "one new worker for one piece");
  pool.terminate();
});

/** A stand-in for worker.js driven by the test: it says hello on `hello()`,
 * keeps what it is posted in `posted`, and answers the oldest on `answer()`. */
class ManualWorker {
  static started = [];
  constructor() {
    this.terminated = false;
    this.onmessage = null;
    this.onerror = null;
    this.posted = [];
    ManualWorker.started.push(this);
  }
  hello() {
    this.onmessage?.({ data: { type: "hello", labels: annotator.labels(), version: annotator.version } });
  }
  postMessage(message) {
    this.posted.push(message);
  }
  answer() {
    const { id, text } = this.posted.shift();
    const result = annotator.annotate(text, { tokens: true });
    const count = result.tokens.length;
    delete result.tokens;
    if (!this.terminated) this.onmessage?.({ data: { id, type: "result", packed: pack(result, LABELS), tokens: count, ms: 0 } });
  }
  terminate() {
    this.terminated = true;
  }
}

test("a run stopped by its signal: idle workers and workers still loading the model stay, only a worker it had posted a request to is terminated; its results never arrive", async () => {
  ManualWorker.started = [];
  const started = ManualWorker.started;
  const pool = new WorkerPool({ size: 2, spawn: () => new ManualWorker() });
  // A first run: one worker, which loads the model, then annotates.
  const first = pool.run([{ text: "Peggy Alvarez visited Ohio." }]);
  started[0].hello();
  started[0].answer();
  assert.ok((await first)[0].packed);
  // A second run goes to that idle worker: no new worker, so no second load of the model.
  const second = pool.run([{ text: "Rosa Delgado opened a bakery in Toledo." }]);
  assert.equal(started.length, 1, "the idle worker took the second run");
  assert.equal(started[0].posted.length, 1);
  started[0].answer();
  assert.ok(unpack((await second)[0].packed).entities.length >= 2);

  // A run of two pieces: one posted to the idle worker, one given to a new
  // worker still loading the model; then a run of another caller (a places
  // request, say) queued behind the first piece on the first worker.
  const stale = new AbortController();
  const seen = [];
  const stopped = pool.run([{ text: "Stale one: Nora Lindqvist in Maine." }, { text: "Stale two: Walter Kessler in Texas." }], {
    signal: stale.signal,
    onResult: (i) => seen.push(i),
  });
  assert.equal(started.length, 2);
  assert.deepEqual(started[0].posted.map((m) => m.text), ["Stale one: Nora Lindqvist in Maine."]);
  assert.deepEqual(started[1].posted, [], "nothing is posted before the hello");
  const other = pool.run([{ text: "Daniel Reyes spoke in Columbus." }], { limit: 1 });
  assert.equal(started[0].posted.length, 2, "the other run's request waits on the first worker");

  stale.abort("superseded");
  await assert.rejects(stopped, (e) => e.cancelled === true && e.message === "superseded");
  assert.equal(started[0].terminated, true, "the worker annotating the stopped run is terminated");
  assert.equal(started[1].terminated, false, "the worker still loading the model stays");
  assert.equal(pool.workers, 1);
  // The other run's request moved to the loading worker, posted once it says hello;
  // the stopped run's second piece never is.
  started[1].hello();
  assert.deepEqual(started[1].posted.map((m) => m.text), ["Daniel Reyes spoke in Columbus."]);
  started[0].answer(); // the terminated worker's late answer goes nowhere
  started[1].answer();
  assert.ok(unpack((await other)[0].packed).entities.length >= 2);
  assert.deepEqual(seen, [], "no result of the stopped run");

  // The next run: the idle worker, no new one; a signal aborted before the run refuses it.
  const next = pool.run([{ text: "Peggy Alvarez flew to Dayton." }], { signal: new AbortController().signal });
  assert.equal(started.length, 2, "no worker started");
  started[1].answer();
  assert.ok((await next)[0].packed);
  const gone = new AbortController();
  gone.abort();
  await assert.rejects(pool.run([{ text: "x" }], { signal: gone.signal }), (e) => e.cancelled === true && e.message === "cancelled");
  assert.equal(started.length, 2);
  pool.terminate();
});

test("a worker that cannot start or load the model fails the pool until it is terminated", async () => {
  const throwing = new WorkerPool({ spawn: () => { throw new Error("blocked by CSP"); } });
  await assert.rejects(throwing.run([{ text: "x" }]), (e) => e.load === true && e.message === "blocked by CSP");
  await assert.rejects(throwing.info, /blocked by CSP/);
  await assert.rejects(throwing.run([{ text: "y" }]), /blocked by CSP/);

  const failing = new WorkerPool({ size: 2, spawn: () => new FakeWorker({ failLoad: true }) });
  await assert.rejects(failing.run([{ text: "a" }, { text: "b" }]), (e) => e.load === true && /could not be loaded/.test(e.message));
  await assert.rejects(failing.info);
  assert.equal(failing.workers, 0);
});

test("no request was sent to a worker before it said hello", () => {
  assert.equal(FakeWorker.early, 0);
});

test("annotateMany: bad input is refused with messages naming the call and the options; in Node it needs Web Workers", async () => {
  const { annotateMany } = await import(pathToFileURL(join(LIB, "highlight.js")).href);
  const cases = [
    [["a", 1], {}, "annotateMany: texts[1] must be a string, got number"],
    ["text", {}, "annotateMany: texts must be an array of strings, got string"],
    [["a"], { tokenz: true }, 'annotateMany: unknown option "tokenz" (options: labels, tokens, clusters, workers, model)'],
    [["a"], { tokens: "yes" }, 'annotateMany: tokens must be true or false, got "yes"'],
    [["a"], { labels: "PERSON" }, "annotateMany: labels must be an array of label names, got string"],
    [["a"], { workers: 0 }, "annotateMany: workers must be a whole number from 1 to 16, got 0"],
    [["a"], { workers: 1.5 }, "annotateMany: workers must be a whole number from 1 to 16, got 1.5"],
    [["a"], 7, "annotateMany: options must be an object (options: labels, tokens, clusters, workers, model), got number"],
    [["a"], { model: "small" }, 'annotateMany: model must be "default", "lite" or "accurate", got "small"'],
  ];
  for (const [texts, options, message] of cases) {
    await assert.rejects(annotateMany(texts, options), { name: "Error", message });
  }
  assert.deepEqual(await annotateMany([]), []);
  await assert.rejects(annotateMany(["Peggy Alvarez"]), {
    message: "annotateMany: this environment has no Web Workers (in Node, call annotate on an Annotator for each text)",
  });
});
