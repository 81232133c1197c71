// What the page's pieces cost in accuracy: the slice's documents joined with
// blank lines (as a long paste of many articles would be) are annotated by
// the wasm package in Node three ways, and each way's entities are written
// as a prediction file (code-point offsets per document, as `cargo xtask
// predict ner` writes them) for the shared scorer:
//
//   documents: one `annotate` call per document (what `eval` measures);
//   pieces:    the joined text cut as the page cuts it (www/lib/pool.js `cuts`),
//              one call per piece: the document layer sees each piece alone;
//   whole:     the joined text in one call (the library's own limit: it
//              pools within segments of at most 8,192 tokens).
//
//   node pieces.mjs --pkg ../www/lib/pkg --data SLICE.jsonl --out-dir DIR
//
// Prints one JSON object: the counts, and how many documents a piece
// boundary falls inside.

import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { argv } from "node:process";

function flag(name, fallback) {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

const pkg = resolve(flag("--pkg", "../www/lib/pkg"));
const outDir = resolve(flag("--out-dir", "."));
const docs = readFileSync(flag("--data"), "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const mod = await import(pathToFileURL(join(pkg, "newsmark.js")).href);
mod.initSync({ module: readFileSync(join(pkg, "newsmark_bg.wasm")) });
const { cuts, splitAt } = await import(new URL("../www/lib/pool.js", import.meta.url).href);
const annotator = new mod.Annotator();

const SEP = "\n\n";
const starts = [];
let at = 0;
for (const d of docs) {
  starts.push(at);
  at += d.text.length + SEP.length;
}
const joined = docs.map((d) => d.text).join(SEP);

/** Entities with offsets into the joined text -> one prediction line per
 * document, code-point offsets into the document. */
function predictions(entities) {
  const per = docs.map(() => []);
  let k = 0;
  for (const e of entities) {
    while (k + 1 < docs.length && starts[k + 1] <= e.start) k++;
    const text = docs[k].text;
    const from = e.start - starts[k];
    const to = e.end - starts[k];
    if (to > text.length) throw new Error(`an entity crosses the end of document ${docs[k].id}`);
    const cp = (u) => [...text.slice(0, u)].length;
    per[k].push([cp(from), cp(to), e.label]);
  }
  return docs.map((d, i) => JSON.stringify({ id: d.id, entities: per[i] })).join("\n") + "\n";
}

const shifted = (entities, by) => entities.map((e) => ({ start: e.start + by, end: e.end + by, label: e.label, score: e.score }));

const modes = {};
let t = performance.now();
modes.documents = docs.flatMap((d, i) => shifted(annotator.annotate(d.text).entities, starts[i]));
const documentsS = (performance.now() - t) / 1000;
t = performance.now();
const pieceStarts = cuts(joined);
modes.pieces = splitAt(joined, pieceStarts).flatMap((piece, i) => shifted(annotator.annotate(piece).entities, pieceStarts[i]));
const piecesS = (performance.now() - t) / 1000;
t = performance.now();
modes.whole = shifted(annotator.annotate(joined).entities, 0);
const wholeS = (performance.now() - t) / 1000;

for (const [mode, entities] of Object.entries(modes)) writeFileSync(join(outDir, `pieces-${mode}.jsonl`), predictions(entities));

// A cut inside a document: a piece starts after the document's start and before its end.
const docsCut = docs.filter((d, i) => pieceStarts.some((s) => s > starts[i] && s < starts[i] + d.text.length)).map((d) => d.id);
const key = (e) => `${e.start} ${e.end} ${e.label}`;
const differ = (a, b) => {
  const sa = new Set(a.map(key));
  const sb = new Set(b.map(key));
  return a.filter((e) => !sb.has(key(e))).length + b.filter((e) => !sa.has(key(e))).length;
};
console.log(
  JSON.stringify({
    docs: docs.length,
    chars: joined.length,
    pieces: pieceStarts.length,
    docs_cut: docsCut,
    entities: Object.fromEntries(Object.entries(modes).map(([m, e]) => [m, e.length])),
    pieces_vs_documents: differ(modes.pieces, modes.documents),
    pieces_vs_whole: differ(modes.pieces, modes.whole),
    seconds: { documents: documentsS, pieces: piecesS, whole: wholeS },
  }),
);
