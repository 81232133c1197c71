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

/** The package's limit on one call's input, in UTF-8 bytes (it says so when exceeded). */
export const MAX_CALL_BYTES = 4 * 1024 * 1024;

/**
 * Splits `text` at blank lines into parts of at most `limit` UTF-8 bytes (a
 * paragraph longer than that is cut at a line break or, failing that, anywhere).
 */
export function splitForLimit(text, limit) {
  const enc = new TextEncoder();
  const parts = [];
  let cur = [];
  let size = 0;
  for (const para of text.split("\n\n")) {
    const n = enc.encode(para).length + 2;
    if (size + n > limit && cur.length) {
      parts.push(cur.join("\n\n"));
      cur = [];
      size = 0;
    }
    cur.push(para);
    size += n;
  }
  if (cur.length) parts.push(cur.join("\n\n"));
  return parts;
}

/**
 * Annotates one text of about `bytes` bytes and reports the wasm linear memory
 * before and after (it only grows, so "after" is the peak), with the time taken.
 * A text over the package's per-call limit is annotated the way its error
 * message advises: split at blank lines, one call per part.
 * Run it last: a failed allocation may leave the instance unusable.
 */
export function peakMemory(api, memory, texts, bytes) {
  const run = api.full || api.stages.segment;
  if (!run) return null;
  const text = textOfSize(texts, bytes);
  const parts = splitForLimit(text, MAX_CALL_BYTES - 1024);
  const before = memory.buffer.byteLength;
  const t0 = performance.now();
  let doc = null;
  let error = null;
  let entities = 0;
  try {
    for (const part of parts) {
      doc = run(part);
      if (doc && Array.isArray(doc.entities)) entities += doc.entities.length;
    }
  } catch (e) {
    error = String(e && e.message ? e.message : e);
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = memory.buffer.byteLength;
  return {
    error,
    input_bytes: new TextEncoder().encode(text).length,
    input_chars: text.length,
    before_bytes: before,
    peak_bytes: after,
    seconds,
    call: api.full ? "annotate" : "segment",
    calls: parts.length,
    entities: doc && Array.isArray(doc.entities) ? entities : null,
  };
}

/** A short paragraph of our own for the first annotation after start-up. */
export const FIRST_TEXT =
  "Maria Alvarez, the chief executive of Northwind Traders, said on Monday that the company " +
  "would open a $40 million plant in Porto by March 2027, adding 350 jobs.";
