// Sizes of files as shipped: raw, gzip -9 and, for what a browser downloads
// (.wasm, .js), brotli (quality 11, slow on megabytes); for a .js file also its
// esbuild-minified form, measured like the peers' bundles.
//
//   node sizes.mjs [--brotli-quality Q] FILE...
//       prints [{file, raw, gzip, brotli?, brotli_quality?, minified?, minified_gzip?, minified_brotli?}]

import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants as zc } from "node:zlib";
import { argv } from "node:process";

let args = argv.slice(2);
let quality = 11;
if (args[0] === "--brotli-quality") {
  quality = Number(args[1]);
  args = args.slice(2);
}
const gz = (b) => gzipSync(b, { level: 9 }).length;
const br = (b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: quality } }).length;

const out = [];
for (const file of args) {
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
console.log(JSON.stringify(out));
