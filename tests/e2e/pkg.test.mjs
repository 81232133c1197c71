// The built package www/lib/pkg (web target) in Node via initSync: offsets are
// UTF-16 code units, so text.slice(start, end) is the token or entity text,
// also after emoji, curly quotes and a lone surrogate; load.js' loadGazetteer
// finds places.nmg beside the glue and says clearly when it cannot load it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./server.mjs";

const PKG = join(ROOT, "www/lib/pkg");
const nm = await import(pathToFileURL(join(PKG, "newsmark.js")).href);
nm.initSync({ module: readFileSync(join(PKG, "newsmark_bg.wasm")) });

const TEXT = "😀 “Quoted” — Angela Merkel met Emmanuel Macron in Paris on Monday.";

function assertRanges(text, ranges) {
  let previous = 0;
  for (const r of ranges) {
    assert.ok(Number.isInteger(r.start) && Number.isInteger(r.end), JSON.stringify(r));
    assert.ok(previous <= r.start && r.start <= r.end && r.end <= text.length, JSON.stringify(r));
    previous = r.end;
  }
}

test("segment: token offsets index the JS string (emoji, quotes, lone surrogate)", () => {
  const text = `${TEXT} A lone \uD800 surrogate, 华为 and Zoë.`;
  const r = nm.segment(text);
  for (const key of ["blocks", "sentences", "tokens"]) assertRanges(text, r[key]);
  const tokens = r.tokens.map((t) => text.slice(t.start, t.end));
  for (const word of ["Merkel", "Macron", "Paris", "华为", "Zoë"]) {
    assert.ok(tokens.some((t) => t.includes(word)), `${word} in ${JSON.stringify(tokens)}`);
  }
  assert.ok(tokens.every((t) => t.length > 0 && t.trim() === t), "tokens hold no surrounding space");
  assert.deepEqual(r.entities, []);
});

test("errors are thrown as Error with a message", () => {
  assert.throws(() => nm.segment(42), { name: "Error", message: "segment: text must be a string, got number" });
  assert.throws(() => nm.Annotator.fromBytes(new Uint8Array([1, 2, 3])), (e) => e instanceof Error && e.message.startsWith("Annotator.fromBytes: "));
});

test("Annotator: text.slice(e.start, e.end) === e.text for every entity", () => {
  const annotator = new nm.Annotator();
  const r = annotator.annotate(TEXT, { tokens: true });
  assertRanges(TEXT, r.tokens);
  assertRanges(TEXT, r.entities);
  for (const e of r.entities) assert.equal(TEXT.slice(e.start, e.end), e.text);
  assert.ok(r.entities.length > 0, "at least one entity");
  assert.throws(() => annotator.annotate(TEXT, { tokenz: true }), { name: "Error", message: /unknown option "tokenz"/ });
  assert.throws(() => annotator.annotate(TEXT, { labels: ["NOT_A_LABEL"] }), /NOT_A_LABEL/);
  assert.throws(() => annotator.annotate(TEXT, { tokens: "yes" }), /^Error: annotate: bad options/);
  assert.equal(annotator.annotate(TEXT, null).tokens, undefined);
  assert.equal(annotator.annotate(TEXT).entities.length, r.entities.length);
  const label = r.entities[0].label;
  const only = annotator.annotate(TEXT, { labels: [label] }).entities;
  assert.deepEqual(only, r.entities.filter((e) => e.label === label));
  annotator.free();
});

test("loadGazetteer (load.js): places.nmg beside the glue, resolved; a failed fetch or a bad file rejects naming the call, the file and the URL", async (t) => {
  const { loadGazetteer } = await import(pathToFileURL(join(ROOT, "www/lib/load.js")).href);
  // Node's fetch reads no file: URLs: a stand-in serves www/lib/pkg/ and records what was asked for.
  const asked = [];
  const serve = async (url) => {
    asked.push(String(url));
    const path = new URL(url).pathname;
    if (path.endsWith("/offline.nmg")) throw new TypeError("Failed to fetch");
    if (path.endsWith("/missing.nmg")) return new Response("not here", { status: 404, statusText: "Not Found" });
    if (path.endsWith("/bad.nmg")) return new Response(new Uint8Array([1, 2, 3]));
    return new Response(readFileSync(join(PKG, path.split("/").pop())));
  };
  t.mock.method(globalThis, "fetch", serve);
  const gazetteer = await loadGazetteer();
  assert.deepEqual(asked, [pathToFileURL(join(PKG, "places.nmg")).href], "the file beside the glue");
  assert.ok(gazetteer.size > 100_000, `${gazetteer.size} places`);
  const text = "Angela Merkel met Emmanuel Macron in Paris on Monday.";
  const annotator = new nm.Annotator();
  const placed = gazetteer.resolve(text, annotator.annotate(text).entities);
  annotator.free();
  assert.equal(placed.find((e) => e.text === "Paris")?.place?.country, "FR", JSON.stringify(placed));
  gazetteer.free();

  const base = "https://example.com/newsmark/";
  await assert.rejects(loadGazetteer(new URL("missing.nmg", base)), { message: `loadGazetteer: missing.nmg: HTTP 404 Not Found (from ${base}missing.nmg)` });
  await assert.rejects(loadGazetteer(`${base}offline.nmg`), { message: `loadGazetteer: offline.nmg: Failed to fetch (from ${base}offline.nmg)` });
  await assert.rejects(loadGazetteer(`${base}bad.nmg`), { message: /^loadGazetteer: Gazetteer\.fromBytes: not a newsmark gazetteer.* \(from https:\/\/example\.com\/newsmark\/bad\.nmg\)$/ });
  // Without the stand-in, Node's own fetch refuses the file: URL; the message says what to do instead.
  t.mock.restoreAll();
  await assert.rejects(loadGazetteer(), { message: /^loadGazetteer: places\.nmg: .*\(from file:.*\/places\.nmg; Node's fetch reads no file: URL, use Gazetteer\.fromBytes\(readFileSync\(path\)\) there\)$/ });
});
