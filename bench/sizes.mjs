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

// The model goes into the module byte for byte (include_bytes!), so it can be
// found there and cut out: what is left is the code (and its own data).
function split(wasmFile, modelFile) {
  const wasm = readFileSync(wasmFile);
  const model = readFileSync(modelFile);
  const at = wasm.indexOf(model);
  const found = at >= 0;
  const wasmGzip = gz(wasm);
  const modelGzip = gz(model);
  const code = found ? Buffer.concat([wasm.subarray(0, at), wasm.subarray(at + model.length)]) : null;
  return {
    model_file: modelFile,
    wasm_raw: wasm.length,
    wasm_gzip: wasmGzip,
    model_raw: model.length,
    model_gzip: modelGzip,
    code_raw: found ? code.length : Math.max(0, wasm.length - model.length),
    code_gzip: found ? gz(code) : Math.max(0, wasmGzip - modelGzip),
    found,
  };
}

const wasmFile = files.find((f) => f.endsWith(".wasm"));
const result = { files: out };
if (splitModel && wasmFile) result.split = split(wasmFile, splitModel);
console.log(JSON.stringify(result));
