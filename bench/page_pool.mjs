// The demo page's worker pool timed in headless Chromium: a long paste (the
// slice's documents joined with blank lines, repeated up to --chars UTF-16
// units) annotated with ?workers=1 and ?workers=2, in a fresh browser context
// each time, the orders alternating over the rounds. Prints one JSON object.
//
//   node page_pool.mjs --url http://127.0.0.1:PORT --data SLICE.jsonl --chars N --runs R [--workers 1,2]
//
// `cargo xtask bench` serves the repository root at --url with the bench's
// static server (with the demo's Content-Security-Policy), so the page
// is /www/demo/index.html. Each run pastes the text the way a user does (a
// `paste` event on the text box; texts this long are kept out of the box)
// and the page measures, with performance.now(), from just before the event
// to the moment it shows the result (`html[data-runs]` moves on, set in the
// same task that puts the article in place). The result is then exported
// with the page's JSON button and hashed, so the runs' results can be compared.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { argv } from "node:process";
import { launchChromium, runThenExit } from "./browser.mjs";

function flag(name, fallback) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

const base = flag("--url");
const data = flag("--data");
const chars = Number(flag("--chars", "5000000"));
const runs = Number(flag("--runs", "3"));
const counts = flag("--workers", "1,2").split(",").map(Number);
const timeoutMs = Number(flag("--timeout-s", "1200")) * 1000;
const executablePath = flag("--chromium", "/usr/bin/chromium");
if (!base || !data) {
  console.error("usage: node page_pool.mjs --url BASE --data SLICE.jsonl [--chars N] [--runs R] [--workers 1,2]");
  process.exit(2);
}
// The page takes a pasted text itself (instead of leaving it to the text box)
// only above its EDITOR_LIMIT (www/demo/state.js); a synthetic paste event does not
// fill the text box, so a shorter text would never be annotated.
const EDITOR_LIMIT = 500_000;
if (!(chars > EDITOR_LIMIT)) {
  console.error(`--chars must be more than ${EDITOR_LIMIT} (the page's EDITOR_LIMIT), got ${chars}`);
  process.exit(2);
}

/** The slice's documents joined with blank lines, again and again, up to `chars` units. */
function pasteText() {
  const docs = readFileSync(data, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l).text);
  const parts = [];
  let size = 0;
  for (let i = 0; size < chars; i++) {
    const t = docs[i % docs.length];
    parts.push(t);
    size += t.length + 2;
  }
  return { text: parts.join("\n\n"), docs: parts.length };
}

const { text, docs } = pasteText();
const browser = await launchChromium(executablePath);

/** Opens the page with `workers` workers, pastes the text, and returns the timing and the exported result's digest. */
async function one(workers) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    let started = 0;
    page.on("worker", () => {
      started += 1;
    });
    await page.goto(new URL(`/www/demo/index.html?workers=${workers}`, base).href, { timeout: 120_000 });
    await page.waitForSelector("html[data-runs]", { timeout: 120_000 });
    await page.evaluate((t) => {
      window.__paste = t;
    }, text);
    const timing = await page.evaluate(
      (timeoutMs) =>
        new Promise((resolve, reject) => {
          const html = document.documentElement;
          const before = Number(html.dataset.runs);
          let t0 = 0;
          setTimeout(() => reject(new Error(`no result after ${timeoutMs / 1000} s; the page says: ${document.getElementById("status").textContent}`)), timeoutMs);
          new MutationObserver((_, observer) => {
            if (Number(html.dataset.runs) > before) {
              observer.disconnect();
              resolve({ ms: performance.now() - t0, status: document.getElementById("status").textContent, parts: Number(document.getElementById("progress").max) });
            }
          }).observe(html, { attributes: true, attributeFilter: ["data-runs"] });
          const data = new DataTransfer();
          data.setData("text/plain", window.__paste);
          const event = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
          t0 = performance.now();
          document.getElementById("input").dispatchEvent(event);
        }),
      timeoutMs,
    );
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: timeoutMs }), page.click("#export-json")]);
    const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
    if (exported.text !== text) throw new Error("the exported text is not the pasted one");
    const digest = createHash("sha256")
      .update(JSON.stringify([exported.blocks, exported.sentences, exported.entities]))
      .digest("hex");
    // The stats line: "N tokens · N sentences · N entities · N ms · N tokens/s[ · N workers]".
    const number = (re) => Number((timing.status.match(re)?.[1] ?? "NaN").replaceAll(",", ""));
    if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
    return {
      workers,
      seconds: timing.ms / 1000,
      annotate_seconds: number(/([\d,]+) ms/) / 1000,
      workers_started: started,
      parts: timing.parts,
      tokens: number(/^([\d,]+) tokens/),
      blocks: exported.blocks.length,
      sentences: exported.sentences.length,
      entities: exported.entities.length,
      digest,
    };
  } finally {
    await context.close();
  }
}

await runThenExit(browser, async () => {
  // A first page load, untimed: the HTTP and compiled-code caches of the browser.
  const warm = await browser.newPage();
  await warm.goto(new URL("/www/demo/index.html", base).href, { timeout: 120_000 });
  await warm.waitForSelector("html[data-runs]", { timeout: 120_000 });
  const info = await warm.evaluate(() => ({ cores: navigator.hardwareConcurrency, workers: Number(document.documentElement.dataset.workers) }));
  await warm.close();
  const out = [];
  for (let round = 0; round < runs; round++) {
    const order = round % 2 === 0 ? counts : [...counts].reverse();
    for (const workers of order) {
      const r = await one(workers);
      console.error(`page-pool: round ${round + 1}, ${workers} worker(s): ${r.seconds.toFixed(2)} s (annotating ${r.annotate_seconds.toFixed(2)} s), ${r.entities} entities`);
      out.push(r);
    }
  }
  console.log(
    JSON.stringify({
      chromium: browser.version(),
      hardware_concurrency: info.cores,
      default_workers: info.workers,
      chars: text.length,
      bytes: Buffer.byteLength(text, "utf8"),
      docs,
      runs: out,
    }),
  );
});
