// The full pipeline of a wasm package that keeps its function names, run over
// the slice under Node's sampling profiler:
//
//   node --cpu-prof --cpu-prof-dir DIR profile_node.mjs --pkg DIR --data SLICE.jsonl --runs N
//
// Run by hand (bench/README.md, "Profiling") on a package built with
// wasm-bindgen without --remove-name-section and no wasm-opt; open the
// profile Node writes in DevTools. This prints one JSON object: the window of the timed passes on the
// profiler's clock (microseconds of the monotonic clock, as the profile's
// timestamps), so that start-up and warm-up can be left out.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { argv, hrtime } from "node:process";
import { detectApi } from "./page/measure.js";

function flag(name, fallback) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

const pkg = resolve(flag("--pkg"));
const runs = Number(flag("--runs", "1"));
const texts = readFileSync(flag("--data"), "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l).text);

const mod = await import(pathToFileURL(`${pkg}/newsmark.js`).href);
mod.initSync({ module: readFileSync(`${pkg}/newsmark_bg.wasm`) });
const api = detectApi(mod);
if (!api.full) throw new Error(api.fullError);
let sink = 0;
for (const t of texts.slice(0, Math.ceil(texts.length / 10))) sink += api.full(t).entities.length;
const micros = () => Number(hrtime.bigint() / 1000n);
const start = micros();
for (let r = 0; r < runs; r++) for (const t of texts) sink += api.full(t).entities.length;
const end = micros();
console.log(JSON.stringify({ window_start_us: start, window_end_us: end, entities: sink }));
