// The three models' speed in wasm, in Node: tokens per second of one
// `annotate(text, { tokens: true })` call on one article, for the default model
// (newsmark_bg.wasm), the lite model and the accurate one (newsmark_core_bg.wasm
// with ontonotes-lite.nmm / ontonotes-accurate.nmm), from www/lib/pkg as
// `cargo xtask wasm` builds it. Not a section of `cargo xtask bench`: the figure
// quoted in www/lib/README.md and docs/embedding.md, on one core, for a reader
// deciding between the models.
//
//   node bench/model_speed.mjs [FILE] [--runs N] [--models default,lite,accurate] [--pkg DIR]
//
// FILE: a plain-text article; by default seed article 003 of the shared data
// ($NEWSMARK_SHARED, else ../shared, /data/seeds/003_996c0d9dbc18b283.txt:
// 8,058 characters, 1,573 tokens). Each model annotates it once to warm up,
// then N times (default 5, and at least 2 s in all); prints per model the
// load time, tokens, the median and best time of a call, tokens per second
// at the median and the wasm memory after the runs. `--pkg`: another build's
// directory (its newsmark.js and the modules and models named below) instead
// of www/lib/pkg, to compare two builds on the same machine at the same time.
import { readFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { argv } from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SHARED = process.env.NEWSMARK_SHARED ?? join(ROOT, "../shared");

function flag(name, fallback) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}
const PKG = resolve(flag("--pkg", join(ROOT, "www/lib/pkg")));
const positional = argv.slice(2).filter((a, i, all) => !a.startsWith("--") && !(i > 0 && all[i - 1].startsWith("--")));
const file = positional[0] ?? join(SHARED, "data/seeds/003_996c0d9dbc18b283.txt");
const runs = Number(flag("--runs", "5"));
const models = flag("--models", "default,lite,accurate").split(",");
const text = readFileSync(file, "utf8");

/** A fresh instance of the glue and module `wasm` (each import with its own
 * query is its own module instance), and an Annotator on `model` (a file in
 * www/lib/pkg, or null for the embedded one). */
async function load(name, wasm, model) {
  const glue = await import(`${pathToFileURL(join(PKG, "newsmark.js")).href}?${name}`);
  const t0 = performance.now();
  const exports = glue.initSync({ module: readFileSync(join(PKG, wasm)) });
  const annotator = model ? glue.Annotator.fromBytes(readFileSync(join(PKG, model))) : new glue.Annotator();
  return { annotator, memory: exports.memory, loadMs: performance.now() - t0 };
}

const FILES = {
  default: ["newsmark_bg.wasm", null],
  lite: ["newsmark_core_bg.wasm", "ontonotes-lite.nmm"],
  accurate: ["newsmark_core_bg.wasm", "ontonotes-accurate.nmm"],
};

const fmt = (n) => Math.round(n).toLocaleString("en");
console.log(`node ${process.version}, ${PKG}, ${file}: ${fmt(text.length)} characters`);
for (const name of models) {
  if (!FILES[name]) throw new Error(`unknown model ${JSON.stringify(name)} (models: ${Object.keys(FILES).join(", ")})`);
  const { annotator, memory, loadMs } = await load(name, ...FILES[name]);
  const tokens = annotator.annotate(text, { tokens: true }).tokens.length;
  const times = [];
  const start = performance.now();
  while (times.length < runs || performance.now() - start < 2000) {
    const t0 = performance.now();
    annotator.annotate(text, { tokens: true });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `${name}: loaded in ${fmt(loadMs)} ms; ${fmt(tokens)} tokens; ${times.length} runs, median ${median.toFixed(1)} ms, best ${times[0].toFixed(1)} ms; ` +
      `${fmt((tokens / median) * 1000)} tokens/s (median), ${fmt((tokens / times[0]) * 1000)} (best); wasm memory ${(memory.buffer.byteLength / 1e6).toFixed(1)} MB`,
  );
  annotator.free();
}
