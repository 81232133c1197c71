// Sizes of files as shipped: raw, gzip -9 and, for what a browser downloads
// (.wasm, .js), brotli (quality 11, slow on megabytes); for a .js file also its
// esbuild-minified form, measured like the peers' bundles. With --split-model,
// the .wasm is also split into the model it embeds and the rest (the code).
//
//   node sizes.mjs [--brotli-quality Q] [--split-model MODEL.nmm] FILE...
//       prints {files: [{file, raw, gzip, brotli?, brotli_quality?, minified?,
//               minified_gzip?, minified_brotli?}], split?: {model_file, wasm_raw,
//               wasm_gzip, model_raw, model_gzip, code_raw, code_gzip, found}}

import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants as zc } from "node:zlib";
import { argv } from "node:process";

let quality = 11;
let splitModel = null;
const files = [];
for (let i = 2; i < argv.length; i++) {
  if (argv[i] === "--brotli-quality") quality = Number(argv[++i]);
  else if (argv[i] === "--split-model") splitModel = argv[++i];
  else if (argv[i].startsWith("--")) throw new Error(`unknown flag ${argv[i]}`);
  else files.push(argv[i]);
}
const gz = (b) => gzipSync(b, { level: 9 }).length;
const br = (b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: quality } }).length;

const out = [];
for (const file of files) {
  const bytes = readFileSync(file);
  const row = { file, raw: bytes.length, gzip: gz(bytes) };
  if (file.endsWith(".wasm") || file.endsWith(".js")) {
    row.brotli = br(bytes);
    row.brotli_quality = quality;
  }
  if (file.endsWith(".js")) {
    const esbuild = await import("esbuild");
    const min = (await esbuild.transform(bytes.toString("utf8"), { minify: true, format: "esm", loader: "js" })).code;
    const minBytes = Buffer.from(min, "utf8");
    row.minified = minBytes.length;
    row.minified_gzip = gz(minBytes);
    row.minified_brotli = br(minBytes);
  }
  out.push(row);
}

// The model goes into the module byte for byte (include_bytes!), but wasm-opt
// cuts its long runs of zeros out (memory packing: each run becomes a gap in
// the data segments, which memory starts with as zeros). So the model is found
// as consecutive pieces: each the next non-zero stretch of the model, starting
// a few bytes (a data segment's header) after the previous one. What lies
// outside the first piece's start and the last piece's end is the code (and
// its own data).
const MAX_GAP = 24;

function locateModel(wasm, model) {
  const head = model.subarray(0, 64);
  const start = wasm.indexOf(head);
  if (start < 0 || wasm.indexOf(head, start + 1) >= 0) return null;
  let i = 0;
  let w = start;
  let pieces = 0;
  while (i < model.length) {
    // The next piece starts at or a little after w.
    let best = -1;
    let bestLen = 0;
    for (let at = w; at <= Math.min(w + MAX_GAP, wasm.length - 1); at++) {
      let n = 0;
      while (i + n < model.length && at + n < wasm.length && model[i + n] === wasm[at + n]) n++;
      if (n > bestLen) {
        best = at;
        bestLen = n;
      }
      if (pieces === 0) break; // the first piece starts exactly at `start`
    }
    if (best < 0) return null;
    i += bestLen;
    w = best + bestLen;
    pieces++;
    while (i < model.length && model[i] === 0) i++;
  }
  return { start, end: w, pieces };
}

function split(wasmFile, modelFile) {
  const wasm = readFileSync(wasmFile);
  const model = readFileSync(modelFile);
  const found = locateModel(wasm, model);
  const wasmGzip = gz(wasm);
  const modelGzip = gz(model);
  const code = found ? Buffer.concat([wasm.subarray(0, found.start), wasm.subarray(found.end)]) : null;
  return {
    model_file: modelFile,
    wasm_raw: wasm.length,
    wasm_gzip: wasmGzip,
    model_raw: model.length,
    model_gzip: modelGzip,
    code_raw: found ? code.length : Math.max(0, wasm.length - model.length),
    code_gzip: found ? gz(code) : Math.max(0, wasmGzip - modelGzip),
    found: Boolean(found),
  };
}

const wasmFile = files.find((f) => f.endsWith(".wasm"));
const result = { files: out };
if (splitModel && wasmFile) result.split = split(wasmFile, splitModel);
console.log(JSON.stringify(result));
