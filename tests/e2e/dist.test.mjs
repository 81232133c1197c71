// `cargo xtask dist`: the npm package folder is complete, npm accepts it,
// and the packaged module loads and annotates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./server.mjs";

const DIST = join(ROOT, "dist");

test("xtask dist builds a package npm pack accepts, and it works", async () => {
  const [cmd, args] = process.env.NEWSMARK_XTASK
    ? [process.env.NEWSMARK_XTASK, ["dist", "--no-build"]]
    : ["cargo", ["xtask", "dist", "--no-build"]];
  execFileSync(cmd, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });

  const manifest = JSON.parse(readFileSync(join(DIST, "package.json"), "utf8"));
  const cargoVersion = readFileSync(join(ROOT, "Cargo.toml"), "utf8").match(/\[package\][^[]*?\nversion = "([^"]+)"/)[1];
  assert.equal(manifest.name, "newsmark");
  assert.equal(manifest.version, cargoVersion);
  assert.equal(manifest.type, "module");
  assert.equal(manifest.types, "./newsmark.d.ts");
  assert.deepEqual(Object.keys(manifest.exports["."]), ["types", "default"], "types before default");
  assert.deepEqual(Object.keys(manifest.exports["./highlight"]), ["types", "default"]);

  const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: DIST, encoding: "utf8" }));
  const files = packed[0].files.map((f) => f.path).sort();
  assert.deepEqual(files, [...manifest.files, "package.json"].sort());

  const highlight = readFileSync(join(DIST, "highlight.js"), "utf8");
  assert.match(highlight, /from "\.\/newsmark\.js"/);
  assert.match(readFileSync(join(DIST, "highlight.d.ts"), "utf8"), /export function highlight\(/);

  const nm = await import(pathToFileURL(join(DIST, manifest.exports["."].default)).href);
  nm.initSync({ module: readFileSync(join(DIST, "newsmark_bg.wasm")) });
  const annotator = new nm.Annotator();
  const text = "Peggy Alvarez flew to Ohio on Monday.";
  const r = annotator.annotate(text);
  assert.ok(r.entities.some((e) => e.label === "PERSON" && e.text === "Peggy Alvarez"), JSON.stringify(r.entities));
  annotator.free();
});
