// newsmark's wasm package (www/lib/pkg, built by `cargo xtask wasm`) timed in Node.
//
//   node wasm_node.mjs --pkg ../www/lib/pkg --data SLICE.jsonl --runs N
//        [--long-bytes B --long-runs N] [--scaling SIZE,SIZE,...] [--memory-bytes B]
//
// Prints one JSON object: instantiation time, first annotation, seconds per pass
// for each stage, the long-text rounds (one call on the joined documents vs
// one call per document), the scaling curve (one call per size) and the wasm
// memory for one input of B bytes (one call, last).

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { argv } from "node:process";
import { detectApi, measureStages, peakMemory, longText, scalingPoints, FIRST_TEXT } from "./page/measure.js";

function flag(name, fallback) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

const pkg = resolve(flag("--pkg", "../www/lib/pkg"));
const runs = Number(flag("--runs", "3"));
const memoryBytes = Number(flag("--memory-bytes", "0"));
const longBytes = Number(flag("--long-bytes", "0"));
const longRuns = Number(flag("--long-runs", "0"));
const scaling = flag("--scaling", "")
  .split(",")
  .filter((x) => x)
  .map(Number);
const docs = readFileSync(flag("--data"), "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const texts = docs.map((d) => d.text);

const mod = await import(pathToFileURL(`${pkg}/newsmark.js`).href);
const bytes = readFileSync(`${pkg}/newsmark_bg.wasm`);
const t0 = performance.now();
const wasm = mod.initSync({ module: bytes });
const initMs = performance.now() - t0;
const api = detectApi(mod);
const t1 = performance.now();
(api.full || api.stages.segment)(FIRST_TEXT);
const firstMs = performance.now() - t1;
const memory = wasm && wasm.memory ? wasm.memory : null;
const stages = measureStages(api, texts, runs);
const long = longBytes > 0 ? longText(api, texts, longBytes, longRuns) : null;
const scalingOut = scaling.length ? scalingPoints(api, texts, scaling) : null;
const mem = memory && memoryBytes > 0 ? peakMemory(api, memory, texts, memoryBytes) : null;
console.log(
  JSON.stringify({
    node: process.version,
    api: api.used,
    full_error: api.fullError,
    init_ms: initMs,
    first_annotation_ms: firstMs,
    memory: mem,
    long_text: long,
    scaling: scalingOut,
    stages,
  }),
);
