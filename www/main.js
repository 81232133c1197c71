// newsmark first page: load the wasm, annotate the textarea, show the text
// with its blocks and entities. Article text only ever enters the DOM as
// text nodes (never as HTML).
import init, { Annotator, segment, version } from "./pkg/newsmark.js";

// Our own invented story, for trying the page out.
const SAMPLE = `Home | Business | Energy | Sign in

Harbor Lights Power wins $48 million tidal contract in Maine
By Miriam Okafor, Staff Writer
March 4, 2026

PORTLAND, Maine — Harbor Lights Power Inc. said on Tuesday that it had won a $48 million contract from the Maine Department of Energy to build a tidal generator near Casco Bay, the first of its kind in New England.

Chief executive Daniel Whitcombe told reporters at the company's headquarters on Commercial Street that construction would begin in April and employ about 120 workers. “We expect the first turbine to turn by October 2027,” he said.

The plan drew criticism from the Gulf of Maine Fishermen's Alliance, whose director, Rosa Delgado, said the state had approved it in just three weeks. Governor Ellen Marsh defended the decision at a press conference in Augusta on Wednesday afternoon.

Shares of Harbor Lights rose 6 percent on the Nasdaq, their biggest gain since the company bought the Norwegian firm Fjordkraft Marine for €210 million in 2023.

Related: Five things to know about tidal energy
Comments (12) | Share on social media
© 2026 The Coastline Ledger. All rights reserved.`;

const $ = (id) => document.getElementById(id);
const input = $("input");
const output = $("output");
const status = $("status");
const legend = $("legend");
const button = $("annotate");

let annotator = null;
let modelProblem = null;
let labelInfo = new Map();

function setStatus(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("error", isError);
}

/** Appends `text.slice(from, to)` with the entities in that range marked. */
function appendMarked(parent, text, from, to, entities, cursor) {
  let pos = from;
  while (cursor.i < entities.length && entities[cursor.i].start < to) {
    const e = entities[cursor.i++];
    if (e.start < pos || e.end > to) continue; // outside this block: skip
    if (e.start > pos) parent.append(text.slice(pos, e.start));
    const mark = document.createElement("mark");
    mark.className = `ent ent-${e.label}`;
    mark.dataset.label = e.label;
    const info = labelInfo.get(e.label);
    mark.title = `${e.label}${info ? `: ${info}` : ""} (score ${e.score.toFixed(2)})`;
    mark.textContent = text.slice(e.start, e.end);
    parent.append(mark);
    pos = e.end;
  }
  if (to > pos) parent.append(text.slice(pos, to));
}

/** Renders the whole text: blocks as spans (kind in the class), the text
 * between blocks as it is, so the output's textContent equals the input. */
function render(text, result) {
  const frag = document.createDocumentFragment();
  const cursor = { i: 0 };
  let pos = 0;
  for (const block of result.blocks) {
    if (block.start < pos) continue;
    if (block.start > pos) frag.append(text.slice(pos, block.start));
    const el = document.createElement("span");
    el.className = `block block-${block.kind}`;
    el.dataset.kind = block.kind;
    if (block.reason) {
      el.dataset.reason = block.reason;
      el.title = `boilerplate: ${block.reason.replace("_", " ")}`;
    }
    while (cursor.i < result.entities.length && result.entities[cursor.i].start < block.start) cursor.i++;
    appendMarked(el, text, block.start, block.end, result.entities, cursor);
    frag.append(el);
    pos = block.end;
  }
  if (pos < text.length) frag.append(text.slice(pos));
  output.replaceChildren(frag);
  renderLegend(result.entities);
}

function renderLegend(entities) {
  const counts = new Map();
  for (const e of entities) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const items = [...counts].sort((a, b) => b[1] - a[1]).map(([label, n]) => {
    const li = document.createElement("li");
    const swatch = document.createElement("mark");
    swatch.className = `ent ent-${label} swatch`;
    swatch.textContent = label;
    li.append(swatch, ` ${n}`);
    li.title = labelInfo.get(label) ?? label;
    return li;
  });
  legend.replaceChildren(...items);
}

function run() {
  const text = input.value;
  const t0 = performance.now();
  let result;
  try {
    result = annotator ? annotator.annotate(text) : segment(text);
  } catch (e) {
    // A thrown Error is a bad input; a RuntimeError is a trap inside the
    // module, after which this instance cannot be trusted.
    const trap = e instanceof WebAssembly.RuntimeError;
    setStatus(trap ? `Internal error (${e.message}); reload the page.` : `Error: ${e.message}`, true);
    if (trap) button.disabled = true;
    return;
  }
  const ms = performance.now() - t0;
  render(text, result);
  const parts = [
    `${text.length.toLocaleString("en")} characters in ${ms.toFixed(0)} ms`,
    `${result.blocks.length} blocks`,
    `${result.sentences.length} sentences`,
  ];
  if (annotator) parts.push(`${result.entities.length} entities`);
  setStatus(modelProblem ? `${parts.join(" · ")} — no entities: ${modelProblem}` : parts.join(" · "), Boolean(modelProblem));
}

async function main() {
  input.value = SAMPLE;
  $("sample").addEventListener("click", () => {
    input.value = SAMPLE;
    run();
  });
  button.addEventListener("click", run);
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) run();
  });
  try {
    await init();
  } catch (e) {
    setStatus(`Could not load the WebAssembly module: ${e.message}`, true);
    return;
  }
  try {
    annotator = new Annotator();
    labelInfo = new Map(annotator.labels().map((l) => [l.name, l.description]));
  } catch (e) {
    modelProblem = e.message;
  }
  document.documentElement.dataset.ready = "true";
  button.disabled = false;
  setStatus(`newsmark ${version()} ready`);
  run();
}

main();
