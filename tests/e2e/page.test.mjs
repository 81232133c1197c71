// End to end: the demo server, the page in headless Chromium, a real article.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { dirname, join } from "node:path";
import { ROOT, SHARED, launchBrowser, startServer } from "./server.mjs";

const SEED = join(SHARED, "data/seeds/003_996c0d9dbc18b283.txt");
const SCREENSHOT = join(ROOT, "docs/screenshots/page.png");

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** A raw GET (no URL normalisation, unlike fetch), resolving with status and headers. */
function rawGet(path) {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: "GET" }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("the server sends MIME types and security headers, and refuses traversal", async () => {
  const page = await rawGet("/");
  assert.equal(page.status, 200);
  assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
  assert.match(page.headers["content-security-policy"], /default-src 'self'; script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(page.headers["x-content-type-options"], "nosniff");
  assert.equal((await rawGet("/pkg/newsmark_bg.wasm")).headers["content-type"], "application/wasm");
  assert.equal((await rawGet("/main.js")).headers["content-type"], "text/javascript; charset=utf-8");
  assert.equal((await rawGet("/../Cargo.toml")).status, 403);
  assert.equal((await rawGet("/%2e%2e/Cargo.toml")).status, 403);
  assert.equal((await rawGet("/no-such-file")).status, 404);
});

test("the page annotates seed article 003 without losing text", async () => {
  const text = readFileSync(SEED, "utf8");
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.goto(server.url);
  await page.waitForSelector("html[data-ready]", { timeout: 30_000 });

  // The built-in sample is rendered on load, complete.
  const sample = await page.inputValue("#input");
  assert.equal(await page.textContent("#output"), sample, "the sample renders in full");

  await page.fill("#input", text);
  await page.click("#annotate");
  await page.waitForFunction(
    (n) => document.querySelector("#output").textContent.length === n,
    text.length,
    { timeout: 30_000 },
  );
  assert.equal(await page.textContent("#output"), text, "rendered text equals the input");
  const blocks = await page.locator("#output .block").count();
  assert.ok(blocks > 0, "the text is shown in blocks");

  await page.$eval("#input", (el) => {
    el.scrollTop = 0;
    el.setSelectionRange(0, 0);
  });
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: false });

  const marks = await page.$$eval("#output mark.ent", (ms) =>
    ms.map((m) => ({ label: m.dataset.label, text: m.textContent, cls: m.className })),
  );
  const status = await page.textContent("#status");
  assert.ok(marks.length > 0, `no entities are marked (status: ${status})`);
  for (const m of marks) {
    assert.ok(m.label && m.cls.includes(`ent-${m.label}`), `mark ${JSON.stringify(m)}`);
    assert.ok(text.includes(m.text), `marked text ${JSON.stringify(m.text)} is in the article`);
  }
  assert.deepEqual(problems, [], "no errors or warnings in the page (CSP violations would show here)");
  await page.close();
});
