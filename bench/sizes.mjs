// Sizes of files as shipped: raw, gzip -9 and brotli (quality 11); for a .js
// file also its esbuild-minified form, measured like the peers' bundles.
//
//   node sizes.mjs FILE...     prints [{file, raw, gzip, brotli, minified?, minified_gzip?}]

import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants as zc } from "node:zlib";
import { argv } from "node:process";

const gz = (b) => gzipSync(b, { level: 9 }).length;
const br = (b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length;

const out = [];
for (const file of argv.slice(2)) {
  const bytes = readFileSync(file);
  const row = { file, raw: bytes.length, gzip: gz(bytes), brotli: br(bytes) };
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
