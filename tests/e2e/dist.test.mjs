// `cargo xtask dist`: the npm package folder is complete, npm accepts it,
// and the packaged module loads and annotates, and finds its gazetteer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
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
  // Every file of www/lib/ (the library's sources) is in the package.
  for (const name of readdirSync(join(ROOT, "www/lib")).filter((f) => f !== "pkg")) {
    assert.ok(manifest.files.includes(name), `www/lib/${name} is packed`);
  }

  // load.js alone imports the glue (for highlight.js and worker.js), and
  // no module still looks for it in pkg/.
  assert.match(readFileSync(join(DIST, "load.js"), "utf8"), /from "\.\/newsmark\.js"/);
  for (const name of manifest.files.filter((f) => f.endsWith(".js"))) {
    assert.doesNotMatch(readFileSync(join(DIST, name), "utf8"), /"\.\/pkg\//, name);
  }
  assert.match(readFileSync(join(DIST, "highlight.d.ts"), "utf8"), /export function highlight\(/);
  assert.match(readFileSync(join(DIST, "highlight.d.ts"), "utf8"), /export function loadGazetteer\(url\?: string \| URL\): Promise<Gazetteer>;/);
  // The gazetteer ships beside the lite model, and the licence says whose data it is.
  assert.ok(manifest.files.includes("places.nmg"));
  assert.equal(manifest.exports["./places.nmg"], "./places.nmg");
  assert.deepEqual(readFileSync(join(DIST, "places.nmg")), readFileSync(join(ROOT, "models/places.nmg")));
  assert.equal(manifest.license, "(MIT OR Apache-2.0) AND CC-BY-4.0");

  const nm = await import(pathToFileURL(join(DIST, manifest.exports["."].default)).href);
  nm.initSync({ module: readFileSync(join(DIST, "newsmark_bg.wasm")) });
  const annotator = new nm.Annotator();
  const text = "Peggy Alvarez flew to Ohio on Monday.";
  const r = annotator.annotate(text);
  assert.ok(r.entities.some((e) => e.label === "PERSON" && e.text === "Peggy Alvarez"), JSON.stringify(r.entities));
  annotator.free();

  // The lite model: the module without a model (a separate instance of the
  // same glue) refuses `new Annotator()` and reads ontonotes-lite.nmm.
  const core = await import(`${pathToFileURL(join(DIST, "newsmark.js")).href}?core`);
  const coreBytes = readFileSync(join(DIST, "newsmark_core_bg.wasm"));
  // (The smallest model, the lite one, is 1.24 MB; the module was 0.42 MB
  // before the accurate model's transformer code, 0.60 MB with it.)
  assert.ok(coreBytes.length < 800_000, `the core module embeds no model: ${coreBytes.length} bytes`);
  core.initSync({ module: coreBytes });
  assert.throws(() => new core.Annotator(), /no embedded model; load one with Annotator\.fromBytes/);
  const lite = core.Annotator.fromBytes(readFileSync(join(DIST, "ontonotes-lite.nmm")));
  assert.equal(lite.labels().length, 18);
  const liteTexts = lite.annotate(text).entities.map((e) => e.text);
  assert.ok(liteTexts.includes("Ohio"), JSON.stringify(liteTexts));
  lite.free();
  // The accurate model (a transformer, slow: one short sentence) in the same module.
  assert.equal(manifest.exports["./ontonotes-accurate.nmm"], "./ontonotes-accurate.nmm");
  const accurate = core.Annotator.fromBytes(readFileSync(join(DIST, "ontonotes-accurate.nmm")));
  assert.equal(accurate.labels().length, 18);
  const accurateFound = accurate.annotate(text).entities;
  const accurateTexts = accurateFound.map((e) => e.text);
  for (const [label, name] of [["PERSON", "Peggy Alvarez"], ["GPE", "Ohio"]]) {
    assert.ok(accurateFound.some((e) => e.label === label && e.text === name), JSON.stringify(accurateFound));
  }
  accurate.free();

  // In a browser, dist/'s highlight() starts dist/'s worker (worker.js and
  // protocol.js beside it, the glue import rewritten) and annotates there.
  const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".html": "text/html" };
  const page = "<!doctype html><meta charset=utf-8><title>dist</title><article><p>Peggy Alvarez flew to Ohio on Monday.</p></article>";
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://localhost").pathname;
    const name = path === "/" ? null : path.slice(1);
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
    // The lite and the accurate model in one option each, in a worker and on
    // this thread: the same entities as in Node (one mark each here).
    const workers = [];
    tab.on("worker", (w) => workers.push(w.url()));
    for (const [model, texts] of [
      ["lite", liteTexts],
      ["accurate", accurateTexts],
    ]) {
      const runs = await tab.evaluate(async (model) => {
        const { highlight } = await import("/highlight.js");
        const article = document.querySelector("article");
        const out = [];
        for (const worker of [true, false]) {
          const handle = await highlight(article, { model, worker });
          out.push({ worker: handle.worker, workerError: handle.workerError, marks: handle.elements.map((m) => m.textContent) });
          handle.remove();
        }
        return out;
      }, model);
      assert.deepEqual(runs.map((l) => l.worker), [true, false], JSON.stringify(runs));
      for (const l of runs) assert.deepEqual(l.marks, texts, JSON.stringify(runs));
      assert.ok(workers.some((u) => u.endsWith(`/worker.js?model=${model}`)), JSON.stringify(workers));
    }
    const { MODELS } = await import(pathToFileURL(join(DIST, "highlight.js")).href);
    assert.deepEqual(MODELS, ["default", "lite", "accurate"]);
    await assert.rejects(
      tab.evaluate(async () => (await import("/highlight.js")).highlight(document.body, { model: "tiny" })),
      /highlight: model must be "default", "lite" or "accurate", got "tiny"/,
    );

    // loadGazetteer() on a fresh page: it initialises the glue (the default
    // module) and fetches places.nmg beside it; the page's own Annotator
    // shares that glue. A missing file rejects with a clear message.
    const fresh = await browser.newPage();
    const fetched = [];
    fresh.on("request", (req) => fetched.push(new URL(req.url()).pathname));
    await fresh.goto(`http://127.0.0.1:${server.address().port}/`);
    const placed = await fresh.evaluate(async () => {
      const { loadGazetteer } = await import("/highlight.js");
      const { Annotator } = await import("/newsmark.js");
      const gazetteer = await loadGazetteer();
      const text = "Peggy Alvarez flew from Paris to Ohio on Monday.";
      const places = gazetteer.resolve(text, new Annotator().annotate(text).entities).filter((e) => e.place);
      const missing = await loadGazetteer("/nowhere/places.nmg").then(() => null, (e) => e.message);
      return { places: places.map((e) => `${e.text}:${e.place.country}`), size: gazetteer.size, missing };
    });
    assert.deepEqual(placed.places, ["Paris:FR", "Ohio:US"], JSON.stringify(placed));
    assert.ok(placed.size > 100_000, JSON.stringify(placed));
    assert.match(placed.missing, /^loadGazetteer: places\.nmg: HTTP 404 Not Found \(from \/nowhere\/places\.nmg\)$/);
    assert.equal(fetched.filter((p) => p === "/places.nmg").length, 1, JSON.stringify(fetched));
    assert.ok(fetched.includes("/newsmark_bg.wasm"), JSON.stringify(fetched));
  } finally {
    await browser.close();
    server.close();
  }
});
