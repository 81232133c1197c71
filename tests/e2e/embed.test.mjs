// The embedding API on www/demo/embed.html: highlight() in both modes, remove()
// restores the DOM exactly, an entity split across <b> is highlighted; the
// annotator runs in the worker and no task of the page's main thread is long
// (on embed.html and on a generated ~300 KB article), `worker: false` and the
// fallback when the page may not start a worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./server.mjs";
import { useBrowser } from "./demo_page.mjs";

const env = useBrowser();

/** embed.html without its automatic highlight, plus the highlight module. */
async function openEmbed(url = `${env.server.page}embed.html#plain`) {
  const page = await env.browser.newPage({ viewport: { width: 1000, height: 900 } });
  const problems = [];
  const workers = [];
  page.on("worker", (w) => workers.push(w.url()));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  await page.waitForSelector("html[data-ready]");
  await page.evaluate(async () => {
    window.nm = await import("/lib/highlight.js");
  });
  return {
    page,
    /** The URLs of the workers the page started. */
    workers,
    async check() {
      assert.deepEqual(await page.evaluate(() => window.__violations), [], "no CSP violations");
      assert.deepEqual(problems, []);
    },
  };
}

/** Every node under the story, with its type and text: detects split or merged text nodes. */
const shape = (page, selector = "article.story") =>
  page.$eval(selector, (root) => {
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
  await assert.rejects(
    page.evaluate(() => window.nm.highlight(document.body, { colour: "red" })),
    /unknown option "colour" \(options: labels, classPrefix, mode, exclude, annotator, worker, workers, model\)/,
  );
  await assert.rejects(page.evaluate(() => window.nm.highlight(document.body, { worker: "yes" })), /worker must be true or false, got "yes"/);
  await check();
  await page.close();
});

test("embed.html highlights its article with one call on load (screenshot)", async () => {
  const page = await env.browser.newPage({ viewport: { width: 1000, height: 760 } });
  await page.goto(`${env.server.page}embed.html`);
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

/**
 * Runs `highlight(document.querySelector(selector), options)` in the page
 * while a PerformanceObserver records the main thread's long tasks (over
 * 50 ms). Counted: the tasks that end after the call starts and begin before
 * it resolves or within the next two frames (the layout of the last marks).
 * Resolves with the handle's summary and the long tasks' durations.
 */
function timedHighlight(page, selector, options) {
  return page.evaluate(
    async ([selector, options]) => {
      const tasks = [];
      const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries()));
      observer.observe({ type: "longtask" });
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      const t0 = performance.now();
      const handle = await window.nm.highlight(document.querySelector(selector), options);
      const resolved = performance.now();
      await frame();
      await frame();
      const t1 = performance.now();
      // Entries are delivered after their task; give the observer a turn.
      await new Promise((resolve) => setTimeout(resolve, 50));
      observer.disconnect();
      window.handle = handle;
      const during = tasks.filter((t) => t.startTime + t.duration > t0 && t.startTime < t1);
      return {
        worker: handle.worker,
        workerError: handle.workerError,
        entities: handle.entities.length,
        // Not handle.ranges: that getter makes live Ranges, which would slow the next calls.
        drawn: handle.mode === "mark" ? handle.elements.length : [...CSS.highlights.values()].reduce((n, h) => n + h.size, 0),
        ms: Math.round(resolved - t0),
        long: during.map((t) => Math.round(t.duration)),
        at: during.map((t) => [Math.round(t.startTime - t0), Math.round(resolved - t0)]),
      };
    },
    [selector, options],
  );
}

test("highlight() annotates in the worker: no long task on the main thread (first and later calls), same entities as worker: false", async () => {
  const { page, check } = await openEmbed();
  const html = await page.$eval("article.story", (el) => el.innerHTML);
  const nodes = await shape(page);
  const first = await timedHighlight(page, "article.story", { exclude: ".ad" });
  const inWorker = await page.evaluate(() => window.handle.entities);
  await page.evaluate(() => window.handle.remove());
  const second = await timedHighlight(page, "article.story", { exclude: ".ad", mode: "highlight" });
  await page.evaluate(() => window.handle.remove());
  console.log(`embed.html: first call ${first.ms} ms, long tasks ${JSON.stringify(first.long)}; second ${second.ms} ms, long tasks ${JSON.stringify(second.long)}`);
  for (const r of [first, second]) {
    assert.equal(r.worker, true, JSON.stringify(r));
    assert.ok(r.entities >= 5, JSON.stringify(r));
    assert.deepEqual(r.long, [], "no long task while highlight() runs");
  }
  // worker: false annotates on this thread and finds exactly the same entities.
  const onThread = await page.evaluate(async () => {
    const handle = await window.nm.highlight(document.querySelector("article.story"), { exclude: ".ad", worker: false });
    window.handle = handle;
    return { worker: handle.worker, entities: handle.entities, marks: handle.elements.length };
  });
  assert.equal(onThread.worker, false);
  assert.deepEqual(onThread.entities, inWorker);
  assert.ok(onThread.marks >= inWorker.length);
  await page.evaluate(() => window.handle.remove());
  assert.equal(await page.$eval("article.story", (el) => el.innerHTML), html);
  assert.deepEqual(await shape(page), nodes);
  await assert.rejects(
    page.evaluate(() => window.nm.highlight(document.body, { worker: true, annotator: {} })),
    /an annotator runs on this thread; it cannot be combined with worker: true/,
  );
  await assert.rejects(
    page.evaluate(() => window.nm.highlight(document.body, { model: "lite", annotator: {} })),
    /highlight: model chooses the model the call loads; it cannot be combined with an annotator/,
  );
  await check();
  await page.close();
});

/** Invented news paragraphs (names, places and firms made up for the test). */
const STORY = [
  "GREENPORT, Maine — The Harlow Transit Authority approved a $42 million plan on Tuesday to extend the harbour tram to Eastfield, said its chair, Marta Velasquez.",
  "Councillor Dev Anand told reporters at City Hall that the line would carry 9,000 riders a day by 2029, and thanked Bramble & Stone Engineering for its survey.",
  "Opponents led by the Eastfield Residents Union argued that the route crosses the Fenwick River twice and would close Quarry Street for eight months.",
  "In Portland, Governor Helen Achebe said the state would match half of the cost if the Federal Transit Administration agrees to fund the rest.",
  "The first cars, built by Okonkwo Rail Works of Halifax, are due in March; Velasquez said fares would stay at $2.",
];

/** Opens embed.html with a generated article of ~300 KB of text in 2,000+
 * blocks (every third paragraph starts in <b>), laid out before returning. */
async function openBig() {
  const opened = await openEmbed();
  const size = await opened.page.evaluate((story) => {
    const article = document.createElement("article");
    article.id = "big";
    let n = 0;
    for (let i = 0; n < 300_000; i++) {
      const p = document.createElement("p");
      const text = story[i % story.length];
      if (i % 3 === 0) {
        // Some inline markup, as real pages have.
        const cut = text.indexOf(" ", 20);
        const b = document.createElement("b");
        b.textContent = text.slice(0, cut);
        p.append(b, text.slice(cut));
      } else {
        p.textContent = text;
      }
      if (i % 50 === 0) {
        const h = document.createElement("h2");
        h.textContent = `Part ${i / 50 + 1}: the Greenport tram`;
        article.append(h);
      }
      article.append(p);
      n += text.length;
    }
    document.querySelector("main").append(article);
    return { chars: article.textContent.length, blocks: article.children.length };
  }, STORY);
  await opened.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100))));
  return { ...opened, size };
}

const summary = (name, r) => `${name}: ${r.entities} entities, ${r.drawn} drawn, ${r.ms} ms, longest task ${Math.max(0, ...r.long)} ms (${r.long.length} long tasks)`;

/**
 * The ~300 KB article annotated with worker: false (the work highlight()
 * keeps off the main thread, about a second in one task on an idle machine),
 * measured once and shared by the tests below: the summary, the worker's
 * summary on the same page, and a check that both found the same entities.
 */
let onThreadRun;
function measureOnThread() {
  onThreadRun ??= (async () => {
    const { page, check } = await openBig();
    const html = await page.$eval("#big", (el) => el.innerHTML);
    const inWorker = await timedHighlight(page, "#big", {});
    await page.evaluate(() => window.handle.remove());
    // Load the model on this thread first: the continuation after its compilation
    // runs as a V8 task, which the long-task observer does not see.
    await page.evaluate(() => window.nm.highlight(document.querySelector("article.story"), { worker: false }).then((h) => h.remove()));
    const onThread = await timedHighlight(page, "#big", { worker: false });
    await page.evaluate(() => window.handle.remove());
    assert.equal(await page.$eval("#big", (el) => el.innerHTML), html);
    console.log(summary("worker: false, mark mode", onThread));
    await check();
    await page.close();
    return { onThread, inWorker };
  })();
  return onThreadRun;
}

test("a ~300 KB article with worker: false: the same entities, annotated on the main thread", async () => {
  const { onThread, inWorker } = await measureOnThread();
  assert.equal(onThread.worker, false);
  assert.equal(onThread.entities, inWorker.entities, "the same entities on this thread");
  assert.equal(onThread.drawn, inWorker.drawn);
  assert.ok(Math.max(...onThread.long) >= 200, `annotating on the main thread is one long task: ${JSON.stringify(onThread.long)}`);
});

// The machines running the tests are shared and not alike: when other
// processes take the CPU, every task of the page stretches (the frames that
// lay out a few hundred new marks take about 25 ms on an idle 2-core
// machine, and 50-70 ms while a training job holds both cores). So the bar
// is a ratio within one run: the longest main-thread task while highlight()
// works in the worker must stay under 1/20 of the same article annotated on
// the main thread (worker: false, measured just before on the same machine),
// and never needs to go under LONG_TASK_MS, the Long Tasks API's 50 ms. Each
// mode gets up to three fresh pages and passes if one of them stays under.
// Drawing all the marks in one task (205-340 ms for this article, loaded) or
// annotating on the main thread fails it.
const LONG_TASK_MS = 50;
test("a ~300 KB article: no long task during highlight() in either mode; remove() restores it exactly", async () => {
  const { onThread } = await measureOnThread();
  const limit = Math.max(LONG_TASK_MS, Math.max(...onThread.long) / 20);
  for (const [name, options] of [["mark mode", {}], ["highlight mode", { mode: "highlight", labels: ["PERSON", "GPE", "ORG"] }]]) {
    const tries = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const { page, check, size } = await openBig();
      const html = await page.$eval("#big", (el) => el.innerHTML);
      const nodes = await shape(page, "#big");
      const r = await timedHighlight(page, "#big", options);
      if (options.mode === "highlight") {
        assert.equal(await page.evaluate(() => window.handle.ranges.length), r.drawn);
      } else {
        assert.equal(await page.$$eval("#big mark", (ms) => ms.length), r.drawn);
      }
      await page.evaluate(() => window.handle.remove());
      assert.equal(await page.$eval("#big", (el) => el.innerHTML), html, "innerHTML identical");
      assert.deepEqual(await shape(page, "#big"), nodes, "text nodes as they were");
      assert.equal(await page.evaluate(() => CSS.highlights.size), 0);
      await check();
      await page.close();
      console.log(`${size.chars} characters in ${size.blocks} blocks; ${summary(`worker, ${name}`, r)}; bar ${Math.round(limit)} ms`);
      assert.equal(r.worker, true);
      assert.ok(r.entities > 1000 && r.drawn >= r.entities * 0.9, JSON.stringify(r));
      tries.push(r);
      if (Math.max(0, ...r.long) < limit) break;
    }
    const best = Math.min(...tries.map((t) => Math.max(0, ...t.long)));
    assert.ok(best < limit, `no task over ${Math.round(limit)} ms (1/20 of annotating on the main thread, at least ${LONG_TASK_MS}) while highlight() runs, in any of ${tries.length} tries: ${JSON.stringify(tries.map((t) => t.long))} (started at, resolved at: ${JSON.stringify(tries.map((t) => t.at))})`);
  }
});

test("a page whose CSP forbids workers: highlight() falls back to this thread and says so", async () => {
  // embed.html served with the demo's CSP plus `worker-src 'none'`.
  const response = await fetch(`${env.server.page}embed.html`);
  const csp = `${response.headers.get("content-security-policy")}; worker-src 'none'`;
  const body = await response.text();
  const page = await env.browser.newPage();
  await page.route("**/embed-no-worker.html", (route) =>
    route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", headers: { "content-security-policy": csp }, body }),
  );
  await page.goto(`${env.server.page}embed-no-worker.html#plain`);
  await page.waitForSelector("html[data-ready]");
  const html = await page.$eval("article.story", (el) => el.innerHTML);
  const r = await page.evaluate(async () => {
    const nm = await import("/lib/highlight.js");
    const story = document.querySelector("article.story");
    const first = await nm.highlight(story, { exclude: ".ad" });
    const out = { worker: first.worker, workerError: first.workerError, marks: first.elements.length };
    first.remove();
    const second = await nm.highlight(story, { exclude: ".ad" });
    out.second = { worker: second.worker, workerError: second.workerError };
    second.remove();
    return out;
  });
  assert.equal(r.worker, false, JSON.stringify(r));
  assert.equal(typeof r.workerError, "string");
  assert.ok(r.marks >= 5, JSON.stringify(r));
  assert.deepEqual(r.second, { worker: false, workerError: r.workerError }, "not tried again");
  assert.equal(await page.$eval("article.story", (el) => el.innerHTML), html);
  await page.close();
});

test("annotateMany: one result per text, each equal to annotate's (with tokens, labels, clusters), on two workers; bad input and closePool() reject with clear errors", async () => {
  const { page, workers, check } = await openEmbed();
  const texts = [
    "😀 “Quoted” — Angela Merkel met Emmanuel Macron in Paris on Monday.",
    "A lone \uD800 surrogate beside Peggy Alvarez of Tallis Motors, and \uDC00 another. Ms. Alvarez said Tallis would stay.",
    "",
    // Longer than the page's pieces: annotateMany gives it to one worker whole.
    STORY.join("\n\n").repeat(60),
    "Rosa Delgado opened a bakery in Toledo, Ohio, on Friday for $20,000.",
  ];
  const r = await page.evaluate(async (texts) => {
    const { default: init, Annotator } = await import("/lib/pkg/newsmark.js");
    await init();
    const annotator = new Annotator();
    const out = {};
    for (const [name, options] of [
      ["default", undefined],
      ["tokens and labels", { tokens: true, labels: ["PERSON", "GPE", "MONEY"] }],
      ["clusters", { clusters: true }],
      // Clusters are made before labels filter the entities; mentions renumbered.
      ["clusters, labels and tokens", { clusters: true, labels: ["PERSON", "ORG"], tokens: true }],
    ]) {
      const many = await window.nm.annotateMany(texts, { ...options, workers: 2 });
      const one = texts.map((t) => annotator.annotate(t, options));
      // JSON.stringify escapes lone surrogates, so the comparison sees them exactly.
      out[name] = { many: JSON.stringify(many), one: JSON.stringify(one) };
    }
    return out;
  }, texts);
  for (const [name, { many, one }] of Object.entries(r)) {
    const [m, o] = [JSON.parse(many), JSON.parse(one)];
    assert.equal(m.length, texts.length);
    assert.deepEqual(m, o, name);
    assert.equal(many, one, `${name}: the same JSON`);
  }
  assert.ok(JSON.parse(r.default.one)[3].entities.length > 100);
  assert.ok(JSON.parse(r["tokens and labels"].one)[0].tokens.length > 10);
  // The clusters came back: every result has them, and some group several mentions.
  for (const name of ["clusters", "clusters, labels and tokens"]) {
    const results = JSON.parse(r[name].many);
    assert.ok(results.every((x) => Array.isArray(x.clusters) && x.entities.every((e) => Number.isInteger(e.cluster))), name);
    // "Ms. Alvarez" joins the earlier mention of her (the cluster's name is
    // the longest mention the model gave: "Peggy Alvarez", or "Alvarez").
    const alvarez = results[1].clusters.find((c) => c.name.endsWith("Alvarez"));
    assert.ok(alvarez?.mentions.length === 2, `${name}: ${JSON.stringify(results[1].clusters)}`);
    assert.ok(results[3].clusters.some((c) => c.mentions.length > 60), name);
  }
  assert.equal(JSON.parse(r.default.many)[0].clusters, undefined, "no clusters unless asked for");
  assert.equal(workers.length, 2, `two workers: ${workers}`);

  const reject = (code) => page.evaluate(code).then(() => null, (e) => e.message);
  assert.match(await reject(() => window.nm.annotateMany("text")), /annotateMany: texts must be an array of strings, got string/);
  assert.match(await reject(() => window.nm.annotateMany(["a", 7])), /annotateMany: texts\[1\] must be a string, got number/);
  assert.match(await reject(() => window.nm.annotateMany(["a"], { tokenz: true })), /annotateMany: unknown option "tokenz" \(options: labels, tokens, clusters, workers, model\)/);
  assert.match(await reject(() => window.nm.annotateMany(["a"], { clusters: "yes" })), /annotateMany: clusters must be true or false, got "yes"/);
  assert.match(await reject(() => window.nm.annotateMany(["a"], { workers: 99 })), /annotateMany: workers must be a whole number from 1 to 16, got 99/);
  assert.match(await reject(() => window.nm.annotateMany(["a"], { labels: ["NOPE"] })), /annotateMany: options.labels: unknown label "NOPE" \(this model's labels: PERSON, /);
  // closePool() stops a call still running; the next call starts new workers.
  const stopped = await page.evaluate(async (text) => {
    const call = window.nm.annotateMany([text, text, text], { workers: 2 });
    window.nm.closePool();
    return call.then(() => "resolved", (e) => e.message);
  }, texts[3]);
  assert.equal(stopped, "annotateMany: stopped by closePool()");
  const again = await page.evaluate(() => window.nm.annotateMany(["Peggy Alvarez flew to Ohio."]).then((rs) => rs[0].entities.map((e) => e.text)));
  assert.ok(again.includes("Peggy Alvarez"), JSON.stringify(again));
  await check();
  await page.close();
});

test("highlight() on a large page with workers: 2 annotates its pieces on two workers: the same entities as with one", async () => {
  const { page, workers, check } = await openBig();
  const one = await page.evaluate(async () => {
    const handle = await window.nm.highlight(document.querySelector("#big"), { workers: 1, mode: "highlight" });
    handle.remove();
    return handle.entities;
  });
  assert.equal(workers.length, 1);
  const two = await page.evaluate(async () => {
    const handle = await window.nm.highlight(document.querySelector("#big"), { workers: 2, mode: "highlight" });
    handle.remove();
    return handle.entities;
  });
  assert.equal(workers.length, 2, "a second worker for workers: 2");
  assert.ok(one.length > 1000);
  assert.deepEqual(two, one);
  await assert.rejects(page.evaluate(() => window.nm.highlight(document.body, { workers: 2, worker: false })), /highlight: workers counts the workers that annotate; it cannot be combined with worker: false or an annotator/);
  await assert.rejects(page.evaluate(() => window.nm.highlight(document.body, { workers: "2" })), /highlight: workers must be a whole number from 1 to 16, got "2"/);
  await check();
  await page.close();
});
