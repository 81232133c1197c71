// The embedding API on www/embed.html: highlight() in both modes, remove()
// restores the DOM exactly, an entity split across <b> is highlighted.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, launchBrowser, startServer } from "./server.mjs";

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

/** embed.html without its automatic highlight, plus the highlight module. */
async function openEmbed() {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${server.url}embed.html#plain`);
  await page.waitForSelector("html[data-ready]");
  await page.evaluate(async () => {
    window.nm = await import("/highlight.js");
  });
  return {
    page,
    async check() {
      assert.deepEqual(await page.evaluate(() => window.__violations), [], "no CSP violations");
      assert.deepEqual(problems, []);
    },
  };
}

/** Every node under the story, with its type and text: detects split or merged text nodes. */
const shape = (page) =>
  page.$eval("article.story", (root) => {
    const out = [];
    const walk = (n, depth) => {
      for (const c of n.childNodes) {
        out.push(`${depth}:${c.nodeType === 3 ? `#text ${JSON.stringify(c.data)}` : c.nodeName}`);
        walk(c, depth + 1);
      }
    };
    walk(root, 0);
    return out;
  });

test("mark mode wraps entities (also across <b>), skips code/textarea/excluded, and remove() restores the DOM exactly", async () => {
  const { page, check } = await openEmbed();
  const html = await page.$eval("article.story", (el) => el.innerHTML);
  const nodes = await shape(page);
  const info = await page.evaluate(async () => {
    const story = document.querySelector("article.story");
    window.handle = await window.nm.highlight(story, { exclude: [".ad"], classPrefix: "x-" });
    return window.handle.entities.map((e) => `${e.label}:${e.text}`);
  });
  assert.ok(info.length >= 5, JSON.stringify(info));
  const marks = await page.$$eval("article.story mark", (ms) =>
    ms.map((m) => ({ cls: m.className, label: m.dataset.label, score: Number(m.dataset.score), entity: m.dataset.entity, part: m.dataset.part ?? "whole", text: m.textContent, inB: m.parentElement.tagName })),
  );
  for (const m of marks) {
    assert.equal(m.cls, `x-entity x-${m.label}`);
    assert.ok(m.score > 0 && m.score <= 1);
  }
  const texts = marks.map((m) => m.text);
  for (const skipped of ["Frank Miller", "Columbus Zoo", "Maple Ridge", "Linda Park", "Martin Gray", "Akron"]) {
    assert.ok(!texts.some((t) => t.includes(skipped.split(" ")[0])), `${skipped} is not marked (${texts})`);
  }
  // <b>Walter</b> Kessler: one entity, two marks.
  const first = marks.find((m) => m.part === "first" && m.text === "Walter");
  assert.ok(first, `split entity: ${JSON.stringify(marks)}`);
  assert.equal(first.inB, "B");
  assert.equal(first.label, "PERSON");
  const last = marks.find((m) => m.entity === first.entity && m.part === "last");
  assert.equal(last?.text, " Kessler");
  assert.ok(marks.some((m) => m.label === "PERSON" && m.text.includes("Irene Okoye")));
  assert.ok(marks.some((m) => m.label === "GPE" && m.text.includes("Dayton")));

  mkdirSync(join(ROOT, "docs/screenshots"), { recursive: true });
  await page.evaluate(() => window.handle.remove());
  assert.equal(await page.$eval("article.story", (el) => el.innerHTML), html, "innerHTML identical");
  assert.deepEqual(await shape(page), nodes, "text nodes as they were");
  await check();
  await page.close();
});

test("highlight mode uses CSS.highlights and leaves the DOM untouched; remove() clears it", async () => {
  const { page, check } = await openEmbed();
  const html = await page.$eval("article.story", (el) => el.innerHTML);
  const nodes = await shape(page);
  const result = await page.evaluate(async () => {
    const story = document.querySelector("article.story");
    const handle = await window.nm.highlight(story, { mode: "highlight", labels: ["PERSON", "GPE"], exclude: ".ad" });
    const names = [...CSS.highlights.keys()].sort();
    const ranges = handle.ranges.map((r) => r.toString());
    window.handle = handle;
    return { names, ranges, labels: [...new Set(handle.entities.map((e) => e.label))] };
  });
  assert.deepEqual(result.names, ["nm-GPE", "nm-PERSON"]);
  assert.ok(result.ranges.includes("Walter Kessler"), `one range across <b>: ${result.ranges}`);
  assert.deepEqual(result.labels.sort(), ["GPE", "PERSON"]);
  assert.equal(await page.$eval("article.story", (el) => el.innerHTML), html, "DOM untouched");
  assert.deepEqual(await shape(page), nodes);
  await page.evaluate(() => window.handle.remove());
  assert.equal(await page.evaluate(() => CSS.highlights.size), 0);
  await assert.rejects(page.evaluate(() => window.nm.highlight(document.body, { mode: "paint" })), /mode must be "mark" or "highlight"/);
  await assert.rejects(page.evaluate(() => window.nm.highlight(document.body, { colour: "red" })), /unknown option "colour"/);
  await check();
  await page.close();
});

test("embed.html highlights its article with one call on load (screenshot)", async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  await page.goto(`${server.url}embed.html`);
  await page.waitForSelector("html[data-mode=mark]", { timeout: 30_000 });
  assert.ok((await page.locator("article.story mark.nm-entity").count()) >= 5);
  assert.match(await page.textContent("#embed-status"), /^\d+ entities \(mark mode\)$/);
  await page.screenshot({ path: join(ROOT, "docs/screenshots/embed.png") });
  await page.click("#do-highlight");
  await page.waitForSelector("html[data-mode=highlight]");
  assert.equal(await page.locator("article.story mark").count(), 0);
  assert.ok(await page.evaluate(() => CSS.highlights.size > 0));
  await page.close();
});
