// Helpers for the end-to-end tests: start the demo server (or use
// BASE_URL), and launch Chromium with the closed-network flags.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED = process.env.NEWSMARK_SHARED ?? join(ROOT, "../shared");

/** Chromium flags for a machine whose network is closed, running as root. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launchBrowser() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** A server of www/: `url` is its root (which redirects to the page, and
 * under which the library is /lib/), `page` the demo page (www/demo/). */
function served(url, stop) {
  return { url, page: `${url}demo/`, stop };
}

/**
 * Starts `xtask demo --port 0 --no-build` (the binary in $NEWSMARK_XTASK, or
 * `cargo xtask`) and resolves with `{ url, page, stop }` once it prints
 * its address. With $BASE_URL set (a server of www/ such as `cargo xtask
 * demo`), uses that server instead.
 */
export function startServer() {
  if (process.env.BASE_URL) {
    return Promise.resolve(served(process.env.BASE_URL.replace(/\/?$/, "/"), () => {}));
  }
  const args = ["demo", "--port", "0", "--no-build"];
  const [cmd, argv] = process.env.NEWSMARK_XTASK
    ? [process.env.NEWSMARK_XTASK, args]
    : ["cargo", ["xtask", ...args]];
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => {
    log = (log + d).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the demo server did not start in 120 s:\n${log}`)), 120_000);
    function fail(err) {
      clearTimeout(timer);
      child.kill();
      reject(err);
    }
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(served(m[0], () => child.kill()));
      }
    });
    child.on("error", fail);
    child.on("exit", (code) => fail(new Error(`the demo server exited (${code}) before serving:\n${log}`)));
  });
}
