// Shared by the end-to-end tests of the demo page and the embedding: one
// demo server and one Chromium per test file, and the demo page opened with
// a record of everything that must never happen.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startServer } from "./server.mjs";

/**
 * Starts the demo server and Chromium before the file's tests and stops
 * them after. Returns an object whose `server` and `browser` are set once
 * the tests run.
 */
export function useBrowser() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    env.server?.stop();
  });
  return env;
}

/** Whether `url` stays on the demo server (or is a blob: or data: URL). */
const local = (server, url) => url.startsWith(server.url) || url.startsWith("blob:") || url.startsWith("data:");

/**
 * Opens the demo page at `hash` in a fresh context (`options`: the
 * context's, plus `route: { match, handler }`, and `firstRender: false` not
 * to wait) and waits for its first render. Records every request's URL (the page's and its workers'), every
 * worker and whether it was closed, and what must never happen: page
 * errors, console errors and warnings, CSP violations, dialogs, requests
 * that leave the server. `check({ blocked, allowed })` asserts none
 * happened; `blocked`: CSP reports expected because the test fed inline code
 * on purpose; `allowed`: patterns of console messages the test expects.
 */
export async function openDemo(env, hash = "", options = {}) {
  const { server, browser } = env;
  const { route, firstRender = true, ...contextOptions } = options;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...contextOptions });
  if (route) await context.route(route.match, route.handler);
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  const workers = [];
  page.on("worker", (worker) => {
    const record = { worker, closed: false };
    workers.push(record);
    worker.on("close", () => {
      record.closed = true;
    });
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  page.on("request", (r) => {
    const url = r.url();
    requests.push(url);
    if (!local(server, url)) problems.push(`request to ${url}`);
  });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${server.page}${hash}`);
  if (firstRender) await page.waitForSelector("html[data-runs]", { timeout: 60_000 });
  return {
    page,
    problems,
    requests,
    workers,
    async check({ blocked = [], allowed = [] } = {}) {
      const violations = await page.evaluate(() => window.__violations);
      assert.deepEqual(violations.filter((v) => !blocked.includes(v)), [], "no CSP violations");
      const cspBlocked = /^console error: .* violates the following Content Security Policy directive .* The action has been blocked\.$/;
      const left = problems.filter((m) => !(blocked.length && cspBlocked.test(m)) && !allowed.some((a) => a.test(m)));
      assert.deepEqual(left, [], "no errors, warnings, dialogs or outside requests");
      assert.ok(requests.every((u) => local(server, u)), "every request to the page's own origin");
    },
    close: () => context.close(),
  };
}

/** Sets the text box to `text` (fast, even for megabytes), clicks Annotate
 * and waits for the render. */
export async function annotate(page, text) {
  const runs = Number(await page.getAttribute("html", "data-runs"));
  await page.$eval(
    "#input",
    (el, t) => {
      el.value = t;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    },
    text,
  );
  await page.click("#annotate");
  await page.waitForFunction((n) => Number(document.documentElement.dataset.runs) > n, runs, { timeout: 90_000 });
}
