// End to end: the demo server (strict CSP), the page in headless Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, SHARED } from "./server.mjs";
import { annotate, openDemo, useBrowser } from "./demo_page.mjs";

const SEED = join(SHARED, "data/seeds/003_996c0d9dbc18b283.txt");
const SHOTS = join(ROOT, "docs/screenshots");
const AXE = join(ROOT, "node_modules/axe-core/axe.min.js");

const env = useBrowser();
const openPage = (hash, options) => openDemo(env, hash, options);

const marks = (page) =>
  page.$$eval("#article mark.ent", (ms) => ms.map((m) => ({ label: m.dataset.label, text: m.textContent, i: Number(m.dataset.i) })));

function hasMark(list, label, text) {
  assert.ok(list.some((m) => m.label === label && m.text.includes(text)), `a ${label} mark with ${JSON.stringify(text)} in ${JSON.stringify(list.map((m) => `${m.label}:${m.text}`))}`);
}

/** Removes whitespace, to compare text content across block layout. */
const squeeze = (s) => s.replace(/\s+/g, "");

function rawGet(path) {
  const url = new URL(env.server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: "GET" }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("the server sends MIME types and security headers, refuses traversal, and / leads to the page", async () => {
  const page = await rawGet("/demo/");
  assert.equal(page.status, 200);
  assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
  assert.match(page.headers["content-security-policy"], /default-src 'self'; script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(page.headers["x-content-type-options"], "nosniff");
  for (const [path, to] of [["/", "/demo/"], ["/?workers=2", "/demo/?workers=2"]]) {
    const home = await rawGet(path);
    assert.deepEqual([home.status, home.headers.location], [302, to], path);
  }
  assert.equal((await rawGet("/lib/pkg/newsmark_bg.wasm")).headers["content-type"], "application/wasm");
  assert.equal((await rawGet("/demo/main.js")).headers["content-type"], "text/javascript; charset=utf-8");
  assert.equal((await rawGet("/lib/highlight.js")).headers["content-type"], "text/javascript; charset=utf-8");
  assert.equal((await rawGet("/../Cargo.toml")).status, 403);
  assert.equal((await rawGet("/%2e%2e/Cargo.toml")).status, 403);
  assert.equal((await rawGet("/no-such-file")).status, 404);
});

test("the news sample renders with its entities; screenshots light and dark", async () => {
  const p = await openPage("#sample=news");
  const list = await marks(p.page);
  hasMark(list, "PERSON", "Alvarez");
  hasMark(list, "PERSON", "Daniel Reyes");
  hasMark(list, "ORG", "Tallis Motors");
  hasMark(list, "GPE", "Ohio");
  hasMark(list, "DATE", "Monday");
  hasMark(list, "MONEY", "$1.2 billion");
  assert.equal(await p.page.textContent("h2.block-title"), "Tallis Motors to build $1.2 billion battery plant in Ohio");
  assert.ok((await p.page.locator("p.block-byline").count()) >= 1, "a byline");
  const status = await p.page.textContent("#status");
  // A short text: its time, and no speed (map.test.mjs checks the rule).
  assert.match(status, /^\d+ tokens · \d+ sentences · \d+ entities · [\d,]+ ms$/);
  mkdirSync(SHOTS, { recursive: true });
  await p.page.screenshot({ path: join(SHOTS, "page.png") });
  await p.check();
  await p.close();

  const dark = await openPage("#sample=news", { colorScheme: "dark" });
  const bg = await dark.page.$eval("#article", (el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(bg, "rgb(255, 255, 255)", "dark mode changes the article background");
  await dark.page.screenshot({ path: join(SHOTS, "page-dark.png") });
  await dark.check();
  await dark.close();
});

test("?model=lite: the workers load the lite model (newsmark_core_bg.wasm and ontonotes-lite.nmm) and the news sample renders with its entities", async () => {
  const p = await openPage("?model=lite#sample=news");
  await p.page.waitForSelector("#article mark.ent");
  assert.equal(await p.page.getAttribute("html", "data-model"), "lite");
  const urls = p.workers.map((w) => w.worker.url());
  assert.ok(urls.length >= 1 && urls.every((u) => u.endsWith("/worker.js?model=lite")), JSON.stringify(urls));
  const list = await marks(p.page);
  assert.ok(list.length >= 5, JSON.stringify(list));
  hasMark(list, "GPE", "Ohio");
  await p.check();
  await p.close();
});

test("?model=accurate: the workers load the accurate model (newsmark_core_bg.wasm and ontonotes-accurate.nmm) once: text typed while it loads, and a second run, reuse the worker; a long run counts its seconds; a superseded run never shows", async () => {
  // The model's file held back until the test lets it through: the page's
  // first run (the news sample) waits for it.
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  let held = 0;
  const p = await openPage("?model=accurate", {
    firstRender: false,
    route: {
      match: (url) => url.pathname === "/lib/pkg/ontonotes-accurate.nmm",
      handler: async (route) => {
        held += 1;
        await gate;
        await route.continue();
      },
    },
  });
  const { page } = p;
  assert.equal(await page.getAttribute("html", "data-model"), "accurate");
  await page.waitForFunction(() => document.getElementById("status").textContent === "Loading the accurate model (a 23.2 MB file)…");
  for (let i = 0; i < 200 && held === 0; i++) await page.waitForTimeout(50);
  assert.equal(held, 1, "the worker asked for the model");
  // Everything drawn in the article, to tell whether a replaced run ever showed.
  await page.evaluate(() => {
    window.__drawn = "";
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) window.__drawn += n.textContent;
    }).observe(document.getElementById("article"), { childList: true, subtree: true });
  });
  // Typed while the model loads (sentences: the transformer is slow, and CI
  // stays fast), and run at once with Ctrl+Enter: this run replaces the
  // sample's; the worker loading the model is kept, and the model is fetched once.
  await page.$eval("#input", (el) => {
    el.value = "Nadia Okafor moved from Lagos to Toronto last spring.";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.press("#input", "Control+Enter");
  release();
  await page.waitForSelector("html[data-runs]", { timeout: 60_000 });
  assert.equal(await page.getAttribute("html", "data-runs"), "1", "one result rendered: the typed text's");
  const urls = p.workers.map((w) => w.worker.url());
  assert.ok(urls.length === 1 && urls[0].endsWith("/worker.js?model=accurate"), JSON.stringify(urls));
  const fetched = () => p.requests.map((u) => new URL(u).pathname);
  const modelFetches = () => fetched().filter((u) => u === "/lib/pkg/ontonotes-accurate.nmm").length;
  assert.ok(fetched().includes("/lib/pkg/newsmark_core_bg.wasm"), JSON.stringify(fetched()));
  assert.ok(!fetched().includes("/lib/pkg/newsmark_bg.wasm"), "the default module is not fetched");
  assert.equal(modelFetches(), 1, "the model is fetched once");
  let list = await marks(page);
  hasMark(list, "PERSON", "Nadia Okafor");
  hasMark(list, "GPE", "Lagos");
  hasMark(list, "GPE", "Toronto");
  assert.ok(!(await page.evaluate(() => window.__drawn)).includes("Tallis"), "the replaced sample run never showed");

  // A second run, on the idle worker: no new worker, no second fetch of the model.
  await annotate(page, "Rosa Delgado opened a bakery in Toledo on Friday.");
  hasMark(await marks(page), "PERSON", "Rosa Delgado");
  assert.equal(p.workers.length, 1, "no new worker for the second run");
  assert.equal(p.workers[0].closed, false);
  assert.equal(modelFetches(), 1, "the model was not fetched again");

  // A long run (about 8,000 characters, seconds for this model): the status
  // line counts its seconds and the bar is shown. A new run replaces it
  // before it ends: its worker is terminated, and nothing of it ever shows.
  const runs = Number(await page.getAttribute("html", "data-runs"));
  const long = Array.from({ length: 100 }, (_, i) => `Ingrid Holt ${i} flew from Zanzibar to Nairobi on Tuesday, the ministry said.`).join("\n\n");
  assert.ok(long.length > 5_000 && long.length <= 10_000, `${long.length} characters`);
  await page.$eval("#input", (el, t) => {
    el.value = t;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, long);
  await page.click("#annotate");
  await page.waitForFunction(() => /^Annotating with the accurate model… \d+ s of about \d+ s$/.test(document.getElementById("status").textContent), null, { timeout: 10_000 });
  assert.ok(await page.isVisible("#progress"), "the bar is shown");
  assert.equal(await page.getAttribute("#progress", "value"), null, "with one part, a bar that says 'working'");
  assert.equal(await page.getAttribute("html", "data-busy"), "true");
  // Typed, not clicked (Annotate is disabled while a run goes): re-annotated after the pause.
  await page.$eval("#input", (el) => {
    el.value = "Peggy Alvarez visited Ohio on Monday.";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.waitForFunction((n) => Number(document.documentElement.dataset.runs) > n, runs, { timeout: 30_000 });
  assert.equal(Number(await page.getAttribute("html", "data-runs")), runs + 1, "one result rendered: the last run's");
  list = await marks(page);
  hasMark(list, "PERSON", "Peggy Alvarez");
  assert.ok(!(await page.textContent("#article")).includes("Zanzibar"));
  assert.ok(!(await page.evaluate(() => window.__drawn)).includes("Zanzibar"), "nothing of the replaced run was ever drawn");
  for (let i = 0; i < 100 && !p.workers[0].closed; i++) await page.waitForTimeout(50);
  assert.equal(p.workers[0].closed, true, "the worker busy with the replaced run was terminated");
  assert.equal(p.workers.length, 2, "one new worker took the new run");

  // Longer than the accurate model's live limit: not re-annotated as you type; the status says so.
  await page.$eval("#input", (el, t) => {
    el.value = t;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, `${long}\n\n${long}`);
  assert.equal(await page.textContent("#status"), "Press Annotate (or Ctrl+Enter) to annotate the changed text: the accurate model annotates as you type up to 10,000 characters.");
  await page.waitForTimeout(1000);
  assert.equal(await page.getAttribute("html", "data-busy"), null, "no run started");
  assert.equal(Number(await page.getAttribute("html", "data-runs")), runs + 1);
  assert.ok(!(await page.evaluate(() => window.__drawn)).includes("Zanzibar"), "nothing of the replaced run was drawn later either");
  await p.check();
  await p.close();
});

test("the web page sample: story entities, boilerplate collapsed with its kind, sentence switch", async () => {
  const p = await openPage("#sample=webpage");
  const { page } = p;
  const list = await marks(page);
  hasMark(list, "PERSON", "Daniel Whitcombe");
  hasMark(list, "MONEY", "$48 million");
  hasMark(list, "GPE", "Maine");
  const reasons = await page.$$eval(".bp-run .block", (els) => els.map((e) => e.dataset.reason));
  assert.ok(reasons.includes("comments"), `comments boilerplate in ${reasons}`);
  assert.equal(await page.isVisible(".bp-run .block"), false, "boilerplate is collapsed");
  assert.ok(await page.isVisible(".bp-summary"), "a summary line stands for it");
  await page.check("#show-boilerplate");
  assert.ok(await page.isVisible(".bp-run .block"), "the switch shows it");
  assert.equal(await page.isVisible(".sb >> nth=0"), false);
  await page.check("#show-sentences");
  assert.ok((await page.locator(".sb:visible").count()) > 3, "sentence markers shown");
  assert.match(page.url(), /boilerplate=1/);
  await p.check();
  await p.close();
});

test("seed article 003: nothing lost, blocks shown", async () => {
  const text = readFileSync(SEED, "utf8");
  const p = await openPage();
  await annotate(p.page, text);
  const blocks = await p.page.$$eval("#article .block", (els) => els.map((e) => e.textContent).join(""));
  assert.equal(squeeze(blocks), squeeze(text), "the blocks hold every character of the input");
  assert.ok((await p.page.locator("#article mark.ent").count()) > 0, "entities are marked");
  for (const m of await marks(p.page)) assert.ok(text.includes(m.text));
  await p.check();
  await p.close();
});

test("legend toggles change what is shown and the counts, and survive a reload", async () => {
  const p = await openPage("#sample=news");
  const { page } = p;
  const total = Number(await page.getAttribute("#status", "data-entities"));
  const people = Number(await page.textContent('#legend button[data-label="PERSON"] .count'));
  assert.ok(people >= 3);
  const bg = () => page.$eval('#article mark[data-label="PERSON"]', (m) => getComputedStyle(m).backgroundColor);
  const before = await bg();
  await page.focus('#legend button[data-label="PERSON"]');
  await page.keyboard.press("Enter");
  assert.equal(await page.getAttribute('#legend button[data-label="PERSON"]', "aria-pressed"), "false");
  assert.equal(Number(await page.getAttribute("#status", "data-entities")), total - people);
  assert.match(await page.textContent("#status"), new RegExp(`${total - people} of ${total} entities shown`));
  assert.notEqual(await bg(), before, "PERSON marks lose their colour");
  assert.equal(await page.locator("#panel h3.ent-PERSON").count(), 0, "the panel hides PERSON");
  assert.match(page.url(), /off=PERSON/);
  await page.reload();
  await page.waitForSelector("html[data-runs]");
  assert.equal(await page.getAttribute('#legend button[data-label="PERSON"]', "aria-pressed"), "false", "state kept in the URL hash");
  await page.click('#legend button[data-label="PERSON"]');
  assert.equal(Number(await page.getAttribute("#status", "data-entities")), total);
  await p.check();
  await p.close();
});

test("the entity panel shows the library's clusters of name variants; clicking marks and scrolls to the mentions", async () => {
  const p = await openPage("#sample=news", { viewport: { width: 1280, height: 500 } });
  const { page } = p;
  const groups = await page.$$eval("#panel section", (sections) =>
    sections.map((s) => ({
      label: s.querySelector("h3").className.replace("ent-", ""),
      items: [...s.querySelectorAll("button.group")].map((b) => ({ name: b.querySelector(".group-name").textContent, count: Number(b.querySelector(".count").textContent), variants: b.querySelector(".variants")?.textContent ?? "" })),
    })),
  );
  const people = groups.find((g) => g.label === "PERSON");
  assert.ok(people, JSON.stringify(groups));
  const alvarez = people.items.find((i) => i.name.includes("Alvarez"));
  assert.ok(alvarez && alvarez.count >= 3, `Alvarez grouped: ${JSON.stringify(people.items)}`);
  assert.match(alvarez.variants, /Ms Alvarez|Alvarez/);
  const counts = people.items.map((i) => i.count);
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a), "sorted by count");
  const tallis = groups.find((g) => g.label === "ORG").items.find((i) => i.name === "Tallis Motors");
  assert.ok(tallis && tallis.count >= 2, "Tallis Motors grouped");

  const button = page.locator("#panel button.group", { hasText: alvarez.name }).first();
  await button.click();
  assert.equal(await page.locator("#article mark.selected").count(), alvarez.count);
  const inView = () => page.$eval("#article mark.current", (m) => {
    const r = m.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, text: m.textContent, i: Number(m.dataset.i) };
  });
  const first = await inView();
  assert.ok(first.top >= 0 && first.bottom <= 500, `first mention in view: ${JSON.stringify(first)}`);
  await button.click();
  const second = await inView();
  assert.ok(second.i > first.i && second.top >= 0 && second.bottom <= 500, `next mention in view: ${JSON.stringify(second)}`);
  await p.check();
  await p.close();
});

test("keyboard: j/k move between entities and the tooltip shows on focus", async () => {
  const p = await openPage("#sample=news");
  const { page } = p;
  await page.click("h1");
  await page.keyboard.press("j");
  const first = await page.evaluate(() => document.activeElement.dataset.i);
  assert.equal(first, "0");
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("k");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.i), "1");
  assert.ok(await page.isVisible("#tooltip"));
  const label = await page.evaluate(() => document.activeElement.dataset.label);
  assert.match(await page.textContent("#tooltip"), new RegExp(`^${label} .+score (0\\.\\d\\d|1\\.00)$`));
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-describedby")), "tooltip");
  await page.hover("#article mark.ent >> nth=3");
  assert.ok(await page.isVisible("#tooltip"), "tooltip on hover");
  await p.check();
  await p.close();
});

test("exports: JSON, Web Annotation (code point positions) and standalone HTML", async () => {
  const p = await openPage();
  const { page } = p;
  const text = "😀 Breaking: <b>news</b> & “quotes” — Peggy Alvarez met Daniel Reyes in Columbus, Ohio on Monday. 𝔄 Tallis Motors paid $5 million.";
  await annotate(page, text);
  const grab = async (id) => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(id)]);
    return readFileSync(await download.path(), "utf8");
  };
  const json = JSON.parse(await grab("#export-json"));
  assert.equal(json.text, text);
  assert.ok(json.entities.length >= 3);
  for (const e of json.entities) assert.equal(text.slice(e.start, e.end), e.text, "UTF-16 offsets");

  const ld = JSON.parse(await grab("#export-jsonld"));
  assert.equal(ld.type, "AnnotationPage");
  // One "tagging" annotation per entity, then one "linking" annotation per cluster.
  const tagging = ld.items.filter((a) => a.motivation === "tagging");
  assert.equal(tagging.length, json.entities.length);
  assert.equal(ld.items.length, json.entities.length + json.clusters.length);
  for (const [c, a] of ld.items.slice(json.entities.length).entries()) {
    assert.equal(a.motivation, "linking");
    assert.equal(a.body.value, json.clusters[c].name);
    assert.deepEqual(a.target, json.clusters[c].mentions.map((i) => tagging[i].id));
  }
  const codePoints = Array.from(text);
  for (const [k, a] of tagging.entries()) {
    assert.equal(a.type, "Annotation");
    assert.equal(a.body.value, json.entities[k].label);
    const quote = a.target.selector.find((s) => s.type === "TextQuoteSelector");
    const position = a.target.selector.find((s) => s.type === "TextPositionSelector");
    assert.equal(quote.exact, json.entities[k].text);
    assert.equal(codePoints.slice(position.start, position.end).join(""), quote.exact, "positions count code points");
    assert.ok(text.includes(quote.prefix + quote.exact + quote.suffix));
  }

  const html = await grab("#export-html");
  assert.ok(!html.includes("<b>news</b>"), "article text is escaped");
  const dir = mkdtempSync(join(tmpdir(), "newsmark-"));
  const file = join(dir, "export.html");
  writeFileSync(file, html);
  const view = await page.context().newPage();
  const dialogs = [];
  view.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  await view.goto(pathToFileURL(file).href);
  assert.equal(squeeze(await view.textContent("main")), squeeze(text));
  assert.ok((await view.locator("mark[data-label]").count()) >= 3);
  assert.equal(await view.locator("b, script").count(), 0);
  assert.deepEqual(dialogs, []);
  await view.close();
  await p.check();
  await p.close();
});

test("hostile input is shown as text and runs nothing (paste and .html file)", async () => {
  const p = await openPage();
  const { page } = p;
  const hostile = `<img src=x onerror=alert(1)> <script>alert(1)</script> <svg onload=alert(2)> Angela Merkel visited Paris.`;
  await annotate(page, hostile);
  assert.equal(await page.locator("img, #article script, #article svg").count(), 0, "no element created from the text");
  assert.ok((await page.textContent("#article")).includes("<img src=x onerror=alert(1)>"), "the markup is shown as text");

  const runs = Number(await page.getAttribute("html", "data-runs"));
  await page.setInputFiles("#file", {
    name: "story.html",
    mimeType: "text/html",
    buffer: Buffer.from(`<html><head><script>alert(3)</script><style>p{}</style></head><body><img src=x onerror=alert(4)><h1>Bank merger</h1><p>Peggy Alvarez joined <b>Tallis</b> Motors in Ohio.</p><iframe src="javascript:alert(5)"></iframe></body></html>`),
  });
  await page.waitForFunction((n) => Number(document.documentElement.dataset.runs) > n, runs);
  const value = await page.inputValue("#input");
  assert.equal(value, "Bank merger\n\nPeggy Alvarez joined Tallis Motors in Ohio.");
  assert.equal(await page.locator("img, iframe").count(), 0);
  await page.waitForTimeout(200);
  // DOMParser's inert document reports (and blocks) the file's inline
  // handler and style under the page's CSP; nothing runs either way.
  await p.check({ blocked: ["script-src-attr inline", "style-src-elem inline", "script-src-elem inline"] });
  await p.close();
});

test("dropping a .txt file on the text box annotates it", async () => {
  const p = await openPage();
  const { page } = p;
  const runs = Number(await page.getAttribute("html", "data-runs"));
  await page.$eval("#input", (el) => {
    const data = new DataTransfer();
    data.items.add(new File(["Rosa Delgado opened a bakery in Toledo on Friday."], "story.txt", { type: "text/plain" }));
    el.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction((n) => Number(document.documentElement.dataset.runs) > n, runs);
  assert.equal(await page.inputValue("#input"), "Rosa Delgado opened a bakery in Toledo on Friday.");
  hasMark(await marks(page), "PERSON", "Rosa Delgado");
  assert.match(page.url(), /#sample(&|$)/, "no sample in the hash for own text");
  await p.check();
  await p.close();
});

test("a trap inside the wasm module is reported and the next run works", async () => {
  // Serve lib/worker.js wrapped: the real worker, with Annotator.annotate made to
  // throw a WebAssembly.RuntimeError (what a trap is) for the text "TRAP".
  const context = await env.browser.newContext();
  const wrapper = `import { Annotator } from "./pkg/newsmark.js";
const annotate = Annotator.prototype.annotate;
Annotator.prototype.annotate = function (text, options) {
  if (text === "TRAP") throw new WebAssembly.RuntimeError("unreachable executed");
  return annotate.call(this, text, options);
};
await import("./worker.js?real");`;
  await context.route((url) => url.pathname === "/lib/worker.js" && url.search === "", (route) =>
    route.fulfill({ status: 200, contentType: "text/javascript", body: wrapper }),
  );
  const page = await context.newPage();
  const workers = [];
  page.on("worker", (w) => workers.push(w.url()));
  // The server's root: it redirects to the page.
  await page.goto(env.server.url);
  assert.equal(page.url().split("#")[0], env.server.page);
  await page.waitForSelector("html[data-runs]", { timeout: 30_000 });
  const runs = Number(await page.getAttribute("html", "data-runs"));
  await page.$eval("#input", (el) => {
    el.value = "TRAP";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.click("#annotate");
  await page.waitForSelector("#status.error");
  assert.match(await page.textContent("#status"), /^Internal error: unreachable executed\. The annotator was restarted; try again\.$/);
  await annotate(page, "Rosa Delgado opened a bakery in Toledo on Friday.");
  assert.ok(Number(await page.getAttribute("html", "data-runs")) > runs);
  hasMark(await marks(page), "PERSON", "Rosa Delgado");
  assert.equal(workers.length, 2, `a fresh worker replaced the trapped one: ${workers}`);
  await context.close();
});

/** About `megabytes` MB of varied news text. */
function bigText(megabytes) {
  const names = ["Peggy Alvarez", "Daniel Reyes", "Nora Lindqvist", "Walter Kessler", "Rosa Delgado"];
  const places = ["Ohio", "Maine", "Texas", "Dayton", "Portland"];
  const parts = [];
  let size = 0;
  for (let i = 0; size < megabytes * 1_000_000; i++) {
    const p = `${names[i % 5]} met officials of Tallis Motors in ${places[(i * 3) % 5]} on Monday, and the company said it would spend $${(i % 90) + 10} million on plant number ${i}. Shares rose ${i % 7} percent.\n\n`;
    parts.push(p);
    size += p.length;
  }
  return parts.join("");
}

test("a 5 MB paste: the page stays responsive while the worker works, and Cancel stops it", async () => {
  const p = await openPage();
  const { page } = p;
  const text = bigText(5);
  await page.$eval("#input", (el, t) => {
    const data = new DataTransfer();
    data.setData("text/plain", t);
    el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForSelector("#progress:not([hidden])", { timeout: 10_000 });
  assert.ok(await page.isVisible("#cancel"));
  // The lag of a 20 ms timer on the main thread, sampled for 3 s of work.
  const lag = page.evaluate(
    () =>
      new Promise((resolve) => {
        let worst = 0;
        let last = performance.now();
        const end = last + 3000;
        const tick = () => {
          const now = performance.now();
          worst = Math.max(worst, now - last - 20);
          last = now;
          if (now < end) setTimeout(tick, 20);
          else resolve(worst);
        };
        setTimeout(tick, 20);
      }),
  );
  // A click answered while the worker works: the delay between the input
  // event's creation and its handler running on the page's main thread
  // (measured in the page, so Playwright's own round trip is not counted).
  await page.$eval("#show-sentences", (el) => {
    window.__clickDelay = null;
    el.addEventListener("click", (e) => { window.__clickDelay = performance.now() - e.timeStamp; }, { once: true });
  });
  await page.click("#show-sentences");
  const clickMs = await page.evaluate(() => window.__clickDelay);
  assert.ok(await page.isChecked("#show-sentences"));
  assert.ok(typeof clickMs === "number" && clickMs < 200, `click answered in ${clickMs} ms`);
  const worst = await lag;
  assert.ok(worst < 200, `main thread blocked at most ${worst.toFixed(0)} ms`);
  assert.equal(await page.getAttribute("html", "data-busy"), "true", "still working after 3 s");
  assert.ok(Number(await page.getAttribute("#progress", "value")) > 0, "progress reported");
  assert.match(await page.textContent("#status"), /^Annotating… \d+% \(\d+ of \d+ parts(, \d+ workers)?\)$/);

  // Cancel terminates the worker; the next run works.
  await page.click("#cancel");
  assert.equal(await page.textContent("#status"), "Cancelled.");
  assert.equal(await page.getAttribute("html", "data-busy"), null);
  await annotate(page, "Peggy Alvarez visited Ohio on Monday.");
  assert.ok((await page.locator("#article mark.ent").count()) >= 2);
  await p.check();
  await p.close();
});

/** Pastes `text` (longer than the text box takes) into the page's text box. */
function paste(page, text) {
  return page.$eval("#input", (el, t) => {
    const data = new DataTransfer();
    data.setData("text/plain", t);
    el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

test("?workers=2 gives exactly the result of ?workers=1 on a long paste, and the progress bar counts its parts", async () => {
  const { cuts } = await import(pathToFileURL(join(ROOT, "www/lib/pool.js")).href);
  const text = bigText(0.7);
  const parts = cuts(text).length;
  assert.ok(parts >= 30, `${parts} parts`);
  const exported = [];
  for (const workers of [1, 2]) {
    const p = await openPage(`?workers=${workers}`);
    const { page } = p;
    assert.equal(await page.getAttribute("html", "data-workers"), String(workers));
    // Every value written to the progress bar, in order (each write is one mutation record).
    await page.evaluate(() => {
      window.__progress = [];
      new MutationObserver((records) => {
        for (const r of records) window.__progress.push(r.oldValue);
      }).observe(document.getElementById("progress"), { attributes: true, attributeFilter: ["value"], attributeOldValue: true });
    });
    const runs = Number(await page.getAttribute("html", "data-runs"));
    await paste(page, text);
    await page.waitForFunction((n) => Number(document.documentElement.dataset.runs) > n, runs, { timeout: 120_000 });
    const progress = await page.evaluate(() => [...window.__progress.slice(1), document.getElementById("progress").getAttribute("value")]);
    assert.equal(await page.getAttribute("#progress", "max"), String(parts), "the bar counts parts");
    // The bar is written at most every 100 ms, and for the last part.
    const steps = progress.map(Number);
    assert.equal(steps[0], 0, `the bar starts at 0: ${progress}`);
    assert.equal(steps.at(-1), parts, `and ends at the number of parts: ${progress}`);
    assert.ok(steps.every((v, i) => Number.isInteger(v) && (i === 0 || v > steps[i - 1])), `whole parts, rising: ${progress}`);
    assert.equal(p.workers.length, workers, "workers started");
    if (workers > 1) assert.match(await page.textContent("#status"), / · 2 workers$/);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
    exported.push(JSON.parse(readFileSync(await download.path(), "utf8")));
    await p.check();
    await p.close();
  }
  const [one, two] = exported;
  assert.equal(one.text, text);
  assert.ok(one.entities.length > 10_000 && one.blocks.length > 1000, `${one.entities.length} entities, ${one.blocks.length} blocks`);
  for (const key of ["blocks", "sentences", "entities"]) assert.deepEqual(two[key], one[key], `the same ${key} with 2 workers`);
  for (const e of one.entities) assert.equal(text.slice(e.start, e.end), e.text);
});

test("Cancel terminates every worker of the pool; the next run starts a fresh one and works", async () => {
  const p = await openPage("?workers=2");
  const { page, workers } = p;
  await paste(page, bigText(3));
  // Two parts done: both workers have started and hold pieces.
  await page.waitForFunction(() => Number(document.getElementById("progress").value) >= 2, null, { timeout: 60_000 });
  // On a loaded machine the first worker can finish two parts before the
  // second has started: give it time to show up.
  for (let i = 0; i < 200 && workers.length < 2; i++) await page.waitForTimeout(50);
  assert.equal(workers.length, 2, "the page's first worker and one started for the paste");
  await page.click("#cancel");
  const progress = () => page.evaluate(() => document.getElementById("progress").value);
  const parts = await progress();
  assert.equal(await page.textContent("#status"), "Cancelled.");
  assert.equal(await page.getAttribute("html", "data-busy"), null);
  // Playwright reports a terminated worker's `close` a moment later.
  for (let i = 0; i < 200 && !workers.slice(0, 2).every((w) => w.closed); i++) await page.waitForTimeout(50);
  assert.deepEqual(workers.slice(0, 2).map((w) => w.closed), [true, true], "both workers were terminated");
  assert.equal(workers.length, 3, "one fresh worker for the next run");
  assert.equal(workers[2].closed, false);
  assert.equal(await progress(), parts, "no part of the cancelled run was counted after Cancel");
  assert.equal(await page.textContent("#status"), "Cancelled.");
  await annotate(page, "Peggy Alvarez visited Ohio on Monday.");
  assert.ok((await page.locator("#article mark.ent").count()) >= 2);
  assert.equal(workers.length, 3, "a short text needs one worker");
  await p.check();
  await p.close();
});

test("axe-core finds no serious or critical accessibility violations (light and dark, with the map)", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const p = await openPage("#sample=webpage&boilerplate=1&sentences=1&places=1", { colorScheme });
    await p.page.waitForSelector("html[data-places=ready]", { timeout: 90_000 });
    await p.page.evaluate(readFileSync(AXE, "utf8"));
    const result = await p.page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    assert.deepEqual(bad, [], `${colorScheme}: ${bad.join("\n")}`);
    await p.check();
    await p.close();
  }
});
