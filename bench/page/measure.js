// Timing of the newsmark wasm package, shared by the Node driver
// (bench/wasm_node.mjs) and the Chromium page (bench/page/bench.js), so both
// measure exactly the same calls. Times come from performance.now().

/** Stage exports the bench times when the package has them, in this order. */
const STAGE_EXPORTS = ["blocks", "tokenize", "sentences", "segment"];

/**
 * Finds what the package exports: the full pipeline (`annotate(text)`, or an
 * `Annotator` class with an `annotate` method) and any stage functions.
 * Returns {full, fullError, stages: {name: fn}, used: [names]}; `full` is null
 * (and `fullError` says why) when the annotator cannot be made.
 */
export function detectApi(mod) {
  const used = [];
  let full = null;
  let fullError = null;
  if (typeof mod.annotate === "function") {
    full = (text) => mod.annotate(text);
    used.push("annotate");
  } else if (typeof mod.Annotator === "function") {
    try {
      const annotator = new mod.Annotator();
      full = (text) => annotator.annotate(text);
      used.push("Annotator.annotate");
    } catch (e) {
      fullError = `new Annotator() failed: ${e && e.message ? e.message : e}`;
    }
  }
  const stages = {};
  for (const name of STAGE_EXPORTS) {
    if (typeof mod[name] === "function") {
      stages[name] = (text) => mod[name](text);
      used.push(name);
    }
  }
  if (!full && !fullError) {
    fullError = `the wasm package exports neither annotate() nor Annotator (exports: ${Object.keys(mod).join(", ")})`;
  }
  if (!full && !Object.keys(stages).length) throw new Error(fullError);
  return { full, fullError, stages, used };
}

/** CPU seconds used by this process so far, where the runtime tells (Node). */
function cpuSeconds() {
  const p = globalThis.process;
  if (!p || typeof p.cpuUsage !== "function") return null;
  const u = p.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * A warm-up over the first tenth of the texts (the JIT tiers up on it), then
 * `runs` timed passes of fn over every text:
 * {wall: [seconds per pass], cpu: [process CPU seconds per pass] or null}.
 */
export function timePasses(fn, texts, runs) {
  let sink = 0;
  for (const t of texts.slice(0, Math.ceil(texts.length / 10))) sink += fn(t) ? 1 : 0;
  const wall = [];
  const cpu = [];
  for (let r = 0; r < runs; r++) {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    for (const t of texts) sink += fn(t) ? 1 : 0;
    wall.push((performance.now() - t0) / 1000);
    const c1 = cpuSeconds();
    if (c0 !== null && c1 !== null) cpu.push(c1 - c0);
  }
  if (sink < 0) throw new Error("unreachable");
  return { wall, cpu: cpu.length === wall.length ? cpu : null };
}

/** Times the full pipeline and every stage export over the texts. */
export function measureStages(api, texts, runs) {
  if (runs <= 0) return {};
  const stages = api.full ? { full: timePasses(api.full, texts, runs) } : {};
  for (const [name, fn] of Object.entries(api.stages)) stages[name] = timePasses(fn, texts, runs);
  return stages;
}

/** A text of about `bytes` UTF-8 bytes made by repeating `texts` as paragraphs. */
export function textOfSize(texts, bytes) {
  const enc = new TextEncoder();
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const t = texts[i % texts.length];
    parts.push(t);
    size += enc.encode(t).length + 2;
  }
  return parts.join("\n\n");
}

/** CPU seconds of the process where the runtime tells (Node), else null. */
export function cpuNow() {
  return cpuSeconds();
}

/**
 * Seconds for one call of `fn` on `text`, wall-clock and (Node) process CPU:
 * a sample repeats the call until `minS` have passed (at least once); the
 * median of three samples of 0.2 s, or of three single calls when one call
 * takes over a second, or that one call alone when it took over five (the
 * rule the native scaling uses).
 */
export function secondsPerCall(fn, text) {
  let sink = 0;
  const sample = (minS) => {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    let calls = 0;
    while (calls === 0 || (performance.now() - t0) / 1000 < minS) {
      sink += fn(text) ? 1 : 0;
      calls++;
    }
    const wall = (performance.now() - t0) / 1000 / calls;
    const c1 = cpuSeconds();
    return [wall, c0 !== null && c1 !== null ? (c1 - c0) / calls : null];
  };
  const first = sample(0);
  let samples;
  if (first[0] > 5) samples = [first];
  else if (first[0] > 1) samples = [first, sample(0), sample(0)];
  else samples = [sample(0.2), sample(0.2), sample(0.2)];
  if (sink < 0) throw new Error("unreachable");
  const mid = (i) => {
    if (samples.some((s) => s[i] === null)) return null;
    const v = samples.map((s) => s[i]).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  };
  return { seconds: mid(0), cpu_seconds: mid(1) };
}

/**
 * The scaling curve of the full pipeline: for each size, one text of about
 * that many bytes annotated in ONE call (no splitting), timed by secondsPerCall.
 */
export function scalingPoints(api, texts, sizes) {
  if (!api.full) return [];
  const enc = new TextEncoder();
  const points = [];
  for (const size of sizes) {
    const text = textOfSize(texts, size);
    const t = secondsPerCall(api.full, text);
    points.push({ bytes: enc.encode(text).length, seconds: t.seconds, cpu_seconds: t.cpu_seconds });
  }
  return points;
}

/**
 * Long text vs separate documents: the first documents of the slice, up to
 * about `bytes` UTF-8 bytes, joined as one text (blank lines between them)
 * and annotated in one call, against the same documents annotated one by
 * one. After a warm-up, `runs` rounds, each timing both (alternating which
 * goes first). Returns the number of documents used and the passes of each.
 */
export function longText(api, texts, bytes, runs) {
  if (!api.full || runs <= 0) return null;
  const enc = new TextEncoder();
  const docs = [];
  let size = 0;
  for (const t of texts) {
    if (size >= bytes) break;
    docs.push(t);
    size += enc.encode(t).length + 2;
  }
  const joined = docs.join("\n\n");
  const one = { wall: [], cpu: [] };
  const separate = { wall: [], cpu: [] };
  let sink = 0;
  const time = (into, body) => {
    const c0 = cpuSeconds();
    const t0 = performance.now();
    body();
    into.wall.push((performance.now() - t0) / 1000);
    const c1 = cpuSeconds();
    if (c0 !== null && c1 !== null) into.cpu.push(c1 - c0);
  };
  for (const t of docs.slice(0, Math.ceil(docs.length / 10))) sink += api.full(t) ? 1 : 0;
  const oneCall = () => {
    sink += api.full(joined).entities.length;
  };
  const oneByOne = () => {
    for (const t of docs) sink += api.full(t).entities.length;
  };
  for (let r = 0; r < runs; r++) {
    if (r % 2 === 0) {
      time(one, oneCall);
      time(separate, oneByOne);
    } else {
      time(separate, oneByOne);
      time(one, oneCall);
    }
  }
  if (sink < 0) throw new Error("unreachable");
  const fix = (p) => ({ wall: p.wall, cpu: p.cpu.length === p.wall.length ? p.cpu : null });
  return { docs: docs.length, bytes: enc.encode(joined).length, one_call: fix(one), separate: fix(separate) };
}

/**
 * Annotates one text of about `bytes` bytes in ONE call (the package takes
 * up to 256 MiB per call) and reports the wasm linear memory before and after
 * (it only grows, so "after" is the peak), with the time taken. Call it in a
 * fresh instance, and last: a failed allocation may leave the instance unusable.
 */
export function peakMemory(api, memory, texts, bytes) {
  const run = api.full || api.stages.segment;
  if (!run) return null;
  const text = textOfSize(texts, bytes);
  const before = memory.buffer.byteLength;
  const c0 = cpuSeconds();
  const t0 = performance.now();
  let doc = null;
  let error = null;
  try {
    doc = run(text);
  } catch (e) {
    error = String(e && e.message ? e.message : e);
  }
  const seconds = (performance.now() - t0) / 1000;
  const c1 = cpuSeconds();
  const after = memory.buffer.byteLength;
  return {
    error,
    input_bytes: new TextEncoder().encode(text).length,
    input_chars: text.length,
    before_bytes: before,
    peak_bytes: after,
    seconds,
    cpu_seconds: c0 !== null && c1 !== null ? c1 - c0 : null,
    call: api.full ? "annotate" : "segment",
    entities: doc && Array.isArray(doc.entities) ? doc.entities.length : null,
  };
}

/** A short paragraph of our own for the first annotation after start-up. */
export const FIRST_TEXT =
  "Maria Alvarez, the chief executive of Northwind Traders, said on Monday that the company " +
  "would open a $40 million plant in Porto by March 2027, adding 350 jobs.";
