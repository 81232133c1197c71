// newsmark's wasm package timed inside headless Chromium, with performance.now().
// Query: ?pkg=URL of newsmark.js &data=URL of a JSONL slice &runs=N &memoryBytes=B
// &scaling=SIZE,SIZE,... (one annotate call per size)
// The result lands in window.__benchResult (or window.__benchError).

import { detectApi, measureStages, peakMemory, scalingPoints, FIRST_TEXT } from "./measure.js";

const q = new URLSearchParams(location.search);
const status = document.getElementById("status");

async function main() {
  const mod = await import(q.get("pkg"));
  // Instantiation: fetch + compile + instantiate of the .wasm (streaming).
  const t0 = performance.now();
  const wasm = await mod.default();
  const initMs = performance.now() - t0;
  const api = detectApi(mod);
  (api.full || api.stages.segment)(FIRST_TEXT);
  // performance.now() counts from navigation start: this is the time from
  // opening the page to the first annotation result.
  const firstAnnotationMs = performance.now();
  status.textContent = "measuring";
  const body = await (await fetch(q.get("data"))).text();
  const texts = body
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l).text);
  const memoryBytes = Number(q.get("memoryBytes") || "0");
  const memory = wasm && wasm.memory ? wasm.memory : null;
  const stages = measureStages(api, texts, Number(q.get("runs") || "3"));
  const sizes = (q.get("scaling") || "")
    .split(",")
    .filter((x) => x)
    .map(Number);
  const scaling = sizes.length ? scalingPoints(api, texts, sizes) : null;
  const mem = memory && memoryBytes > 0 ? peakMemory(api, memory, texts, memoryBytes) : null;
  return {
    user_agent: navigator.userAgent,
    api: api.used,
    full_error: api.fullError,
    init_ms: initMs,
    first_annotation_ms: firstAnnotationMs,
    memory: mem,
    scaling,
    stages,
  };
}

main().then(
  (r) => {
    window.__benchResult = r;
    status.textContent = "done";
  },
  (e) => {
    window.__benchError = String(e && e.stack ? e.stack : e);
    status.textContent = "error";
  },
);
