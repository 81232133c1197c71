// End to end: the page's places on a map, its entity list from the library's
// clusters, and its status line. The demo server (strict CSP), the page in
// headless Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./server.mjs";
import { annotate, openDemo, useBrowser } from "./demo_page.mjs";

const SHOTS = join(ROOT, "docs/screenshots");
/** Screenshots to look at, not kept (git ignores *.tmp.png there). */
const TMP_SHOTS = join(ROOT, "tests/e2e/screenshots");

const env = useBrowser();
const openPage = (hash, options) => openDemo(env, hash, options);

/** An invented story (the firms, people and events are made up) with a
 * slash pair of firms and places in three countries and two continents. */
const STORY = `Carriers told to drop Orvane/Keltrix network gear
By Ines Moreau

European carriers must stop installing network equipment from Orvane or Keltrix by 2028, regulators in Brussels said on Tuesday, after a review of Orvane/Keltrix base stations found flaws.

Orvane, the larger of the two Chinese suppliers, said it would appeal. Keltrix declined to comment. Shares of Orvane fell 4 percent in Shenzhen, while Keltrix lost 2 percent.

Operators in Lyon, Marseille and Berlin said replacing the Orvane/Keltrix kit would cost about 3 billion euros. In Lyon, the work would start in March.`;

/** The requests that belong to places: the gazetteer, the map's worker and its files. */
const placeRequests = (requests) => requests.filter((u) => /places\.nmg|\/vendor\/|map_worker\.js/.test(u));

/**
 * Switches places on while a PerformanceObserver records the main thread's
 * long tasks (over 50 ms), as embed.test.mjs does for highlight(): counted
 * are the tasks that end after the click and begin before the markers are
 * drawn or within the next two frames. Resolves with their durations.
 */
async function placesOnTimed(page) {
  await page.evaluate(() => {
    window.__tasks = [];
    window.__observer = new PerformanceObserver((list) => window.__tasks.push(...list.getEntries()));
    window.__observer.observe({ type: "longtask" });
    window.__t0 = performance.now();
  });
  await page.click("#show-places");
  await page.waitForSelector("html[data-places=ready]", { timeout: 90_000 });
  return page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    await frame();
    await frame();
    const t1 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    window.__observer.disconnect();
    return window.__tasks.filter((t) => t.startTime + t.duration > window.__t0 && t.startTime < t1).map((t) => Math.round(t.duration));
  });
}

/** The markers on the map: `{ label, count, pressed }`. */
const markers = (page) =>
  page.$$eval("#map button.marker", (bs) => bs.map((b) => ({ label: b.getAttribute("aria-label"), count: Number(b.dataset.count), pressed: b.getAttribute("aria-pressed") === "true" })));

// The machine running the tests may be shared: a task can be stretched past
// 50 ms by other processes taking the CPU. So the measurement gets up to
// three fresh pages and passes if one had no long task (as embed.test.mjs).
test("places: nothing loads until asked; then a marker per place, no long task, marker -> mentions, mention -> marker, all from the page's origin", async () => {
  const tries = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const p = await openPage("");
    const { page, requests } = p;
    await annotate(page, STORY);
    assert.equal(await page.isVisible("#places"), false, "no map before places are asked for");
    await page.waitForTimeout(300);
    assert.deepEqual(placeRequests(requests), [], "neither the gazetteer nor the map's files are fetched before places are asked for");

    const long = await placesOnTimed(page);
    tries.push(long);
    assert.match(page.url(), /places=1/, "the switch is kept in the URL");
    assert.equal(requests.filter((u) => u.endsWith("/lib/pkg/places.nmg")).length, 1, "the gazetteer is fetched once");
    assert.ok(requests.some((u) => u.endsWith("/demo/vendor/countries-110m.json")), "the outlines come from the page's origin");
    assert.ok((await page.getAttribute("#map svg .map-land", "d")).length > 1000, "the land is drawn");
    const list = await markers(page);
    const labels = list.map((m) => m.label);
    for (const want of ["Lyon, France: 2 mentions", "Berlin, Germany: 1 mention", "Shenzhen, China: 1 mention", "Brussels, Belgium: 1 mention"]) {
      assert.ok(labels.includes(want), `a marker "${want}" in ${JSON.stringify(labels)}`);
    }
    assert.equal(new Set(labels).size, labels.length, "one marker per place");
    assert.match(await page.textContent("#places-status"), /^\d+ places for \d+ mentions\./);
    assert.match((await page.textContent("#places .credit")).replace(/\s+/g, " "), /GeoNames \(CC BY 4\.0\)/);

    // A marker outlines its place's mentions and scrolls to the first.
    const lyon = page.locator('#map button.marker[aria-label^="Lyon"]');
    await lyon.click();
    assert.equal(await lyon.getAttribute("aria-pressed"), "true");
    const selected = await page.$$eval("#article mark.selected", (ms) => ms.map((m) => m.textContent));
    assert.deepEqual(selected, ["Lyon", "Lyon"], "the marker's mentions are outlined");
    assert.equal(await page.locator("#article mark.current").count(), 1);
    assert.match(await page.textContent("#place-info"), /^Lyon, France · 2 mentions · 45\.7\d, 4\.8\d · GeoNames \d+$/);

    // A mention with a place highlights its marker and names it.
    await page.click('#article mark.ent:text-is("Berlin")');
    const after = await markers(page);
    assert.deepEqual(after.filter((m) => m.pressed).map((m) => m.label), ["Berlin, Germany: 1 mention"], "only Berlin's marker is highlighted");
    assert.match(await page.textContent("#place-info"), /^Berlin, Germany · 1 mention/);
    assert.deepEqual(await page.$$eval("#article mark.selected", (ms) => ms.map((m) => m.textContent)), ["Berlin"]);

    // A name of the entity list takes the selection back from the map.
    await page.click('#panel button.group:has(.group-name:text-is("Keltrix"))');
    assert.equal((await markers(page)).filter((m) => m.pressed).length, 0);
    assert.equal(await page.isVisible("#place-info"), false);

    // Switched off, the map goes; on again, nothing is fetched again.
    const fetched = requests.length;
    await page.click("#show-places");
    assert.equal(await page.isVisible("#places"), false);
    await page.click("#show-places");
    await page.waitForSelector("html[data-places=ready]");
    assert.equal(requests.length, fetched, "nothing fetched again");
    await p.check();
    await p.close();
    console.log(`places on: long tasks ${JSON.stringify(long)}`);
    if (long.length === 0) break;
  }
  const best = Math.min(...tries.map((t) => Math.max(0, ...t)));
  assert.ok(best < 50, `no task over 50 ms while the map and places render, in any of ${tries.length} tries: ${JSON.stringify(tries)}`);
});

test("a gazetteer that cannot be loaded: a clear message in the places panel, nothing else lost", async () => {
  const p = await openPage("#sample=news", {
    route: { match: "**/lib/pkg/places.nmg", handler: (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "not here" }) },
  });
  const { page } = p;
  const status = await page.textContent("#status");
  const marked = await page.locator("#article mark.ent").count();
  const groups = await page.locator("#panel button.group").count();
  await page.click("#show-places");
  await page.waitForSelector("html[data-places=error]", { timeout: 60_000 });
  assert.match(await page.textContent("#places-status"), /^Places unavailable: the gazetteer could not be loaded: places\.nmg: HTTP 404 .*The article and its entities are unaffected/);
  assert.ok(await page.isVisible("#places-status.error"));
  assert.equal(await page.textContent("#status"), status, "the status line keeps the run's figures");
  assert.equal(await page.locator("#article mark.ent").count(), marked, "the article keeps its marks");
  assert.equal(await page.locator("#panel button.group").count(), groups, "the entity list stays");
  assert.equal(await page.locator("#map button.marker").count(), 0);
  // The annotator still works.
  await annotate(page, "Rosa Delgado opened a bakery in Toledo on Friday.");
  assert.ok((await page.locator("#article mark.ent").count()) >= 2);
  await p.check({ allowed: [/Failed to load resource: the server responded with a status of 404/] });
  await p.close();
});

test("the entity list shows the library's clusters: a slash pair of firms and each firm are three clusters", async () => {
  const p = await openPage("");
  const { page } = p;
  await annotate(page, STORY);
  const items = await page.$$eval("#panel button.group", (bs) =>
    bs.map((b) => ({ name: b.querySelector(".group-name").textContent, count: Number(b.querySelector(".count").textContent) })),
  );
  const find = (name) => items.find((i) => i.name === name);
  const [orvane, keltrix, pair] = ["Orvane", "Keltrix", "Orvane/Keltrix"].map(find);
  assert.ok(orvane && keltrix && pair, JSON.stringify(items));
  // The story names each firm three times alone and the pair three times: a
  // pair the model splits into its two names joins each firm's cluster (the
  // labels the model gives them may differ), so the sums hold whatever it reads.
  assert.equal(orvane.count + pair.count, 6, JSON.stringify(items));
  assert.equal(keltrix.count + pair.count, 6, JSON.stringify(items));
  assert.ok(pair.count >= 2, JSON.stringify(items));
  assert.equal(items.filter((i) => /Orvane|Keltrix/.test(i.name)).length, 3, "no other cluster of them");
  await page.click('#panel button.group:has(.group-name:text-is("Orvane"))');
  assert.deepEqual(
    await page.$$eval("#article mark.selected", (ms) => ms.map((m) => m.textContent)),
    Array(orvane.count).fill("Orvane"),
  );
  // The JSON export carries the clusters, each entity's among them.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
  const { readFileSync } = await import("node:fs");
  const json = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert.equal(json.clusters.length, items.length);
  for (const [c, cluster] of json.clusters.entries()) for (const i of cluster.mentions) assert.equal(json.entities[i].cluster, c);
  await p.check();
  await p.close();
});

test("the status line gives tokens per second only for runs of at least 5,000 tokens and 200 ms", async () => {
  const p = await openPage("#sample=news");
  const { page } = p;
  assert.match(await page.textContent("#status"), /^\d+ tokens · \d+ sentences · \d+ entities · [\d,]+ ms$/, "a short sample: its time only");
  const long = Array.from({ length: 250 }, (_, i) => `Officials in Lyon said on Monday that Orvane would spend ${i + 10} million euros on site number ${i}, and Ines Moreau said the work would take ${i % 9 + 2} years.\n\n`).join("");
  await annotate(page, long);
  const status = await page.textContent("#status");
  const m = status.match(/^([\d,]+) tokens · [\d,]+ sentences · [\d,]+ entities · ([\d,]+) ms( · ([\d,]+) tokens\/s)?$/);
  assert.ok(m, status);
  const [tokens, ms] = [Number(m[1].replaceAll(",", "")), Number(m[2].replaceAll(",", ""))];
  assert.ok(tokens >= 5000, `${tokens} tokens`);
  assert.equal(Boolean(m[3]), ms >= 200, `speed shown exactly when the run took 200 ms or more: ${status}`);
  await p.check();
  await p.close();
});

test("the map renders in dark mode and at phone width; screenshots", async () => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(TMP_SHOTS, { recursive: true });
  const cases = [
    { name: "page-places.png", dir: SHOTS, options: { colorScheme: "light" } },
    { name: "places-dark.tmp.png", dir: TMP_SHOTS, options: { colorScheme: "dark" } },
    { name: "places-phone.tmp.png", dir: TMP_SHOTS, options: { colorScheme: "light", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
    { name: "places-phone-dark.tmp.png", dir: TMP_SHOTS, options: { colorScheme: "dark", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  ];
  for (const { name, dir, options } of cases) {
    const p = await openPage("#sample=news&places=1", options);
    const { page } = p;
    await page.waitForSelector("html[data-places=ready]", { timeout: 90_000 });
    const shape = await page.evaluate(() => {
      const map = document.getElementById("map").getBoundingClientRect();
      const land = getComputedStyle(document.querySelector("#map .map-land")).fill;
      const sea = getComputedStyle(document.querySelector("#map .map-sphere")).fill;
      const marker = document.querySelector("#map button.marker").getBoundingClientRect();
      return { width: map.width, height: map.height, land, sea, marker: marker.width, overflow: document.documentElement.scrollWidth - window.innerWidth };
    });
    const viewport = page.viewportSize();
    assert.ok(shape.width > 250 && shape.width <= viewport.width && shape.height > 120, `${name}: the map's size ${JSON.stringify(shape)}`);
    assert.ok(shape.marker >= 12, `${name}: markers can be hit`);
    assert.equal(shape.overflow, 0, `${name}: nothing wider than the screen`);
    assert.notEqual(shape.land, shape.sea, "land and sea differ");
    if (options.colorScheme === "dark") assert.equal(shape.sea, "rgb(24, 34, 45)", "the dark sea");
    // How many of the sample's four "Ohio"s are places is the model's call ("the Ohio Statehouse" is a FAC).
    const list = await markers(page);
    assert.ok(list.some((m) => /^Ohio, United States: [34] mentions$/.test(m.label)), JSON.stringify(list));
    await page.locator("#places").scrollIntoViewIfNeeded();
    await page.click('#map button.marker[aria-label^="Columbus"]');
    await page.locator(name.includes("phone") ? "#places" : "h1").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(dir, name) });
    await p.check();
    await p.close();
  }
});
