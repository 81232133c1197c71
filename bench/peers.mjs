// JavaScript NER peers for `cargo xtask bench`: compromise (with and without
// compromise-dates) and winkNLP, plus the minified+gzipped browser bundle size
// of each package, measured the same way as newsmark's own glue.
//
//   node peers.mjs ner --system compromise|compromise-dates|wink --data DEV.jsonl --out PRED.jsonl [--runs N]
//   node peers.mjs bundles
//
// Prints one JSON object. Prediction offsets are code points (the scorers' unit).

import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants as zc } from "node:zlib";
import { createRequire } from "node:module";
import { argv } from "node:process";

const require = createRequire(import.meta.url);

function flag(name, fallback) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

function loadJsonl(path) {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** Maps UTF-16 offsets of `text` to code-point offsets. */
function utf16ToCodePoints(text) {
  const map = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      map[i + 1] = cp;
      i++;
    }
    cp++;
  }
  map[text.length] = cp;
  return map;
}

/** Keeps spans in priority order, dropping any that overlap a kept one. */
function resolveOverlaps(spans) {
  const kept = [];
  for (const s of spans) {
    if (s.end <= s.start) continue;
    if (!kept.some((k) => s.start < k.end && k.start < s.end)) kept.push(s);
  }
  return kept.sort((a, b) => a.start - b.start);
}

// compromise: each method's matches, in priority order, with the OntoNotes
// label it stands for. Numbers left over are ORDINAL or CARDINAL.
function compromiseSystem(withDates) {
  const nlp = require("compromise");
  // Each system runs in its own process, so the plugin changes only this one.
  if (withDates) nlp.plugin(require("compromise-dates"));
  const world = nlp;
  const groups = [
    ...(withDates
      ? [
          ["dates", "DATE"],
          ["times", "TIME"],
          ["durations", "DATE"],
        ]
      : []),
    ["money", "MONEY"],
    ["percentages", "PERCENT"],
    ["people", "PERSON"],
    ["places", "GPE"],
    ["organizations", "ORG"],
  ];
  const labels = [...new Set(groups.map((g) => g[1]).concat(["ORDINAL", "CARDINAL"]))];
  const spansOf = (view, label) =>
    view.json({ offset: true, terms: { offset: true } }).flatMap((m) => {
      const terms = m.terms || [];
      if (!terms.length || !terms[0].offset) return [];
      const first = terms[0].offset;
      const last = terms[terms.length - 1].offset;
      return [{ start: first.start, end: last.start + last.length, label }];
    });
  const tag = (text) => {
    const doc = world(text);
    const spans = [];
    for (const [method, label] of groups) {
      if (typeof doc[method] === "function") spans.push(...spansOf(doc[method](), label));
    }
    const numbers = doc.numbers();
    spans.push(...spansOf(numbers.isOrdinal(), "ORDINAL"));
    spans.push(...spansOf(numbers.isCardinal(), "CARDINAL"));
    return resolveOverlaps(spans);
  };
  return { tag, labels, packages: withDates ? ["compromise", "compromise-dates"] : ["compromise"] };
}

// winkNLP: its entity types, mapped to OntoNotes (a duration is a DATE there);
// offsets rebuilt from each token's preceding spaces and value.
function winkSystem() {
  const winkNLP = require("wink-nlp");
  const model = require("wink-eng-lite-web-model");
  const nlp = winkNLP(model);
  const its = nlp.its;
  const map = { DATE: "DATE", TIME: "TIME", DURATION: "DATE", MONEY: "MONEY", PERCENT: "PERCENT", ORDINAL: "ORDINAL", CARDINAL: "CARDINAL" };
  const tag = (text) => {
    const doc = nlp.readDoc(text);
    const values = doc.tokens().out(its.value);
    const spaces = doc.tokens().out(its.precedingSpaces);
    const starts = new Array(values.length);
    const ends = new Array(values.length);
    let at = 0;
    for (let i = 0; i < values.length; i++) {
      at += spaces[i].length;
      // Token values are the text as written; if the walk loses step, look the
      // token up from where we are.
      if (text.startsWith(values[i], at) === false) {
        const found = text.indexOf(values[i], at);
        if (found >= 0) at = found;
      }
      starts[i] = at;
      at += values[i].length;
      ends[i] = at;
    }
    const types = doc.entities().out(its.type);
    const spans = doc.entities().out(its.span);
    const out = [];
    types.forEach((type, k) => {
      const label = map[type];
      const [a, b] = spans[k];
      if (label && starts[a] !== undefined && ends[b] !== undefined) out.push({ start: starts[a], end: ends[b], label });
    });
    return resolveOverlaps(out);
  };
  return { tag, labels: [...new Set(Object.values(map))], packages: ["wink-nlp", "wink-eng-lite-web-model"] };
}

function version(pkg) {
  return JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url), "utf8")).version;
}

function runNer() {
  const system = flag("--system");
  const runs = Number(flag("--runs", "3"));
  const docs = loadJsonl(flag("--data"));
  const sys =
    system === "compromise" ? compromiseSystem(false) : system === "compromise-dates" ? compromiseSystem(true) : system === "wink" ? winkSystem() : null;
  if (!sys) throw new Error(`unknown system ${system}`);
  const times = [];
  const cpu = [];
  let first = null;
  // A peer that throws on a document predicts nothing for it (counted).
  const failed = new Set();
  const tagSafe = (d, i) => {
    try {
      return sys.tag(d.text);
    } catch {
      failed.add(i);
      return [];
    }
  };
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = docs.map(tagSafe);
    times.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    if (r === 0) first = out;
  }
  const lines = docs.map((d, i) => {
    const cp = utf16ToCodePoints(d.text);
    return JSON.stringify({ id: d.id, entities: first[i].map((s) => [cp[s.start], cp[s.end], s.label]) });
  });
  writeFileSync(flag("--out"), lines.join("\n") + "\n");
  const versions = Object.fromEntries(sys.packages.map((p) => [p, version(p)]));
  return { system, runs_s: times, cpu_s: cpu, labels: sys.labels, versions, failed_docs: failed.size };
}

async function bundleSize(name, contents) {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    stdin: { contents, resolveDir: new URL(".", import.meta.url).pathname, loader: "js" },
    bundle: true,
    minify: true,
    write: false,
    format: "esm",
    platform: "browser",
    logLevel: "silent",
  });
  const bytes = result.outputFiles[0].contents;
  return {
    name,
    minified: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

async function runBundles() {
  const items = [
    ["compromise", `import nlp from "compromise"; globalThis.nlp = nlp;`],
    ["compromise-dates", `import nlp from "compromise"; import dates from "compromise-dates"; nlp.plugin(dates); globalThis.nlp = nlp;`],
    ["wink", `import winkNLP from "wink-nlp"; import model from "wink-eng-lite-web-model"; globalThis.nlp = winkNLP(model);`],
  ];
  const out = [];
  for (const [name, src] of items) out.push(await bundleSize(name, src));
  return { bundles: out, esbuild: version("esbuild") };
}

const mode = argv[2];
const result = mode === "ner" ? runNer() : mode === "bundles" ? await runBundles() : null;
if (!result) {
  console.error("usage: node peers.mjs ner|bundles ...");
  process.exit(2);
}
console.log(JSON.stringify(result));
