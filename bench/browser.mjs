// Headless Chromium for the bench's page drivers (chromium.mjs, page_pool.mjs):
// Debian's /usr/bin/chromium unless told otherwise, with the flags that keep a
// shared machine quiet (no GPU, no background networking or updates).
import { chromium } from "playwright-core";

/** Launches headless Chromium from `executablePath`. */
export function launchChromium(executablePath) {
  return chromium.launch({
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
}

/** Runs `body`, then closes `browser` and exits: with status 1, and the error
 * on stderr, if `body` threw. */
export async function runThenExit(browser, body) {
  let exitCode = 0;
  try {
    await body();
  } catch (e) {
    console.error(String(e && e.stack ? e.stack : e));
    exitCode = 1;
  } finally {
    await browser.close();
  }
  process.exit(exitCode);
}
