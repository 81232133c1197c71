// `cargo xtask dist`: the npm package folder is complete, npm accepts it,
// and the packaged module loads and annotates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createServer } from "node:http";
import { ROOT, launchBrowser } from "./server.mjs";

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

  // In a browser, dist/'s highlight() starts dist/'s worker (worker.js and
  // protocol.js beside it, the glue import rewritten) and annotates there.
  const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".html": "text/html" };
  const page = "<!doctype html><meta charset=utf-8><title>dist</title><article><p>Peggy Alvarez flew to Ohio on Monday.</p></article>";
  const server = createServer((req, res) => {
    const name = req.url === "/" ? null : req.url.slice(1);
    if (name !== null && !manifest.files.includes(name)) {
      res.writeHead(404).end();
      return;
    }
    const body = name === null ? page : readFileSync(join(DIST, name));
    res.writeHead(200, { "content-type": types[name === null ? ".html" : name.slice(name.lastIndexOf("."))] ?? "application/octet-stream" }).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    const r = await tab.evaluate(async () => {
      const { highlight } = await import("/highlight.js");
      const handle = await highlight(document.querySelector("article"));
      return { worker: handle.worker, workerError: handle.workerError, marks: handle.elements.map((m) => m.textContent) };
    });
    assert.equal(r.worker, true, JSON.stringify(r));
    assert.ok(r.marks.includes("Peggy Alvarez"), JSON.stringify(r));
  } finally {
    await browser.close();
    server.close();
  }
});
