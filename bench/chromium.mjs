// Drives bench/page/ in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core) and prints the page's measurements as one JSON object.
//
//   node chromium.mjs --root REPO --data /target/bench/SLICE.jsonl --runs N --memory-bytes B
//
// A static server on 127.0.0.1 (port chosen by the OS) serves the repository
// root, so the page loads /www/pkg/newsmark.js exactly as the demo does.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { resolve, sep, extname } from "node:path";
import { argv } from "node:process";
import { chromium } from "playwright-core";

function flag(name, fallback) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

const root = resolve(flag("--root", ".."));
const runs = flag("--runs", "3");
const memoryBytes = flag("--memory-bytes", "0");
const data = flag("--data");
const timeoutMs = Number(flag("--timeout-s", "1200")) * 1000;
const executablePath = flag("--chromium", "/usr/bin/chromium");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".jsonl": "application/x-ndjson; charset=utf-8",
};

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname);
  const file = resolve(root, "." + path);
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const port = server.address().port;

const browser = await chromium.launch({
  executablePath,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
  ],
});
let exitCode = 0;
try {
  const page = await browser.newPage();
  const q = new URLSearchParams({ pkg: "/www/pkg/newsmark.js", data, runs, memoryBytes });
  await page.goto(`http://127.0.0.1:${port}/bench/page/index.html?${q}`);
  await page.waitForFunction(() => window.__benchResult || window.__benchError, null, { timeout: timeoutMs, polling: 250 });
  const error = await page.evaluate(() => window.__benchError || null);
  if (error) throw new Error(`the bench page failed: ${error}`);
  const result = await page.evaluate(() => window.__benchResult);
  result.chromium = browser.version();
  console.log(JSON.stringify(result));
} catch (e) {
  console.error(String(e && e.stack ? e.stack : e));
  exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
process.exit(exitCode);
