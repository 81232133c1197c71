// Drives bench/page/ in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core) and prints the page's measurements as one JSON object.
//
//   node chromium.mjs --url http://127.0.0.1:PORT --data /target/bench/SLICE.jsonl --runs N --memory-bytes B [--scaling SIZE,...]
//
// `cargo xtask bench` serves the repository root at --url with the bench's
// static server (bench/src/wasm.rs, with the Content-Security-Policy of
// `cargo xtask demo`), so the page loads /www/lib/pkg/newsmark.js as the
// demo does. This script serves nothing itself.

import { argv } from "node:process";
import { launchChromium, runThenExit } from "./browser.mjs";

function flag(name, fallback) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

const base = flag("--url");
const runs = flag("--runs", "3");
const memoryBytes = flag("--memory-bytes", "0");
const data = flag("--data");
const scaling = flag("--scaling", "");
const timeoutMs = Number(flag("--timeout-s", "1200")) * 1000;
const executablePath = flag("--chromium", "/usr/bin/chromium");
if (!base || !data) {
  console.error("usage: node chromium.mjs --url BASE --data /PATH.jsonl [--runs N] [--memory-bytes B]");
  process.exit(2);
}

const browser = await launchChromium(executablePath);
await runThenExit(browser, async () => {
  const page = await browser.newPage();
  const q = new URLSearchParams({ pkg: "/www/lib/pkg/newsmark.js", data, runs, memoryBytes, scaling });
  await page.goto(new URL(`/bench/page/index.html?${q}`, base).href);
  await page.waitForFunction(() => window.__benchResult || window.__benchError, null, { timeout: timeoutMs, polling: 250 });
  const error = await page.evaluate(() => window.__benchError || null);
  if (error) throw new Error(`the bench page failed: ${error}`);
  const result = await page.evaluate(() => window.__benchResult);
  result.chromium = browser.version();
  console.log(JSON.stringify(result));
});
