// The newsmark page. The wasm annotator runs in a Web Worker (worker.js);
// this module renders its result. Article text only ever enters the DOM as
// text nodes (textContent / append of strings), never as HTML.
import { SAMPLES } from "./samples.js";
import { groupEntities } from "./groups.js";
import { toHtml, toJson, toWebAnnotation, textUrn } from "./exports.js";

const $ = (id) => document.getElementById(id);
const input = $("input");
const article = $("article");
const statusLine = $("status");
const legend = $("legend");
const panel = $("panel");
const tooltip = $("tooltip");
const progress = $("progress");
const annotateButton = $("annotate");
const cancelButton = $("cancel");
const showBoilerplate = $("show-boilerplate");
const showSentences = $("show-sentences");

/** Texts up to this length are re-annotated as you type. */
const LIVE_LIMIT = 100_000;
/** Texts longer than this are not put into the textarea (its layout alone
 * would block the page for seconds); they are kept aside and annotated. */
const EDITOR_LIMIT = 500_000;

const state = {
  /** A pasted or opened text too long for the textarea, or null. */
  big: null,
  sample: null,
  off: new Set(),
  text: "",
  result: null,
  groups: [],
  marks: [],
  tokens: 0,
  ms: 0,
  version: "",
  labels: new Map(),
  runs: 0,
};

// ---- the worker ------------------------------------------------------------

let worker = null;
let workerReady = null;
let runId = 0;
let pending = null;

function startWorker() {
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  workerReady = new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === "hello") {
        state.labels = new Map(msg.labels.map((l) => [l.name, l.description]));
        state.version = msg.version;
        resolve();
      } else if (msg.type === "error" && msg.id === undefined) {
        reject(new Error(msg.message));
      } else {
        onWorkerMessage(msg);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const message = event.message || "the worker could not start";
      reject(new Error(message));
      if (pending) finishRun(`Error: ${message}`, true);
    };
  });
  return workerReady;
}

function onWorkerMessage(msg) {
  if (!pending || msg.id !== pending.id) return;
  if (msg.type === "progress") {
    progress.hidden = false;
    progress.value = msg.done / msg.total;
    setStatus(`Annotating… ${Math.round((100 * msg.done) / msg.total)}%`);
  } else if (msg.type === "result") {
    const { text } = pending;
    const result = unpack(msg.packed);
    state.tokens = msg.tokens;
    state.ms = msg.ms;
    finishRun(null);
    show(text, result);
  } else if (msg.type === "error") {
    if (msg.trap) {
      // The module trapped: its state is unknown, so start a fresh one.
      worker.terminate();
      startWorker();
      finishRun(`Internal error: ${msg.message}. The annotator was restarted; try again.`, true);
    } else {
      finishRun(`Error: ${msg.message}`, true);
    }
  }
}

/** The typed arrays from the worker as the API's objects. */
function unpack(p) {
  const blocks = [];
  for (let i = 0; i < p.blockKinds.length; i++) {
    const b = { start: p.blocks[2 * i], end: p.blocks[2 * i + 1], kind: p.kinds[p.blockKinds[i]] };
    if (p.blockReasons[i]) b.reason = p.reasons[p.blockReasons[i] - 1];
    blocks.push(b);
  }
  const sentences = [];
  for (let i = 0; i < p.sentences.length; i += 2) sentences.push({ start: p.sentences[i], end: p.sentences[i + 1] });
  const entities = [];
  for (let i = 0; i < p.entityLabels.length; i++) {
    entities.push({ start: p.entities[2 * i], end: p.entities[2 * i + 1], label: p.labels[p.entityLabels[i]], score: p.scores[i] });
  }
  return { blocks, sentences, entities };
}

/** The text to annotate: the textarea's, or the long text kept aside. */
function currentText() {
  return state.big ?? input.value;
}

/** Puts `text` in the textarea, or keeps it aside when it is too long. */
function setInput(text) {
  if (text.length > EDITOR_LIMIT) {
    state.big = text;
    input.value = "";
    input.placeholder = `A long text (${text.length.toLocaleString("en")} characters) is kept aside and shown below once annotated. Type or paste here to replace it.`;
  } else {
    state.big = null;
    input.placeholder = "";
    input.value = text;
  }
}

let typing = 0;

async function run() {
  clearTimeout(typing);
  const text = currentText();
  if (pending) cancel(false);
  const id = ++runId;
  pending = { id, text };
  document.documentElement.dataset.busy = "true";
  annotateButton.disabled = true;
  cancelButton.hidden = false;
  progress.value = 0;
  progress.hidden = text.length < 200_000;
  setStatus("Annotating…");
  try {
    await workerReady;
  } catch (e) {
    finishRun(`Could not load the annotator: ${e.message}`, true);
    return;
  }
  if (pending?.id === id) worker.postMessage({ id, text });
}

function finishRun(message, isError = false) {
  pending = null;
  delete document.documentElement.dataset.busy;
  annotateButton.disabled = false;
  cancelButton.hidden = true;
  progress.hidden = true;
  if (message) setStatus(message, isError);
}

/** Stops the running annotation: the worker is terminated and replaced. */
function cancel(report = true) {
  if (!pending) return;
  worker.terminate();
  startWorker();
  finishRun(report ? "Cancelled." : null);
  if (report) annotateButton.focus();
}

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
}

// ---- rendering -------------------------------------------------------------

let renderToken = 0;

/** Renders the article (in slices, so a huge text never blocks the page). */
async function show(text, result) {
  const token = ++renderToken;
  state.text = text;
  state.result = result;
  state.groups = groupEntities(result.entities.map((e) => ({ label: e.label, text: text.slice(e.start, e.end) })), [...state.labels.keys()]);
  const groupOf = new Int32Array(result.entities.length).fill(-1);
  for (const g of state.groups) for (const i of g.members) groupOf[i] = g.id;
  state.marks = new Array(result.entities.length).fill(null);
  article.replaceChildren();
  article.classList.toggle("large", text.length > 200_000);
  const r = new Renderer(text, result, groupOf);
  let deadline = performance.now() + 12;
  for (let i = 0; i < result.blocks.length; i++) {
    r.block(result.blocks[i]);
    if (performance.now() > deadline) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (token !== renderToken) return;
      deadline = performance.now() + 12;
    }
  }
  state.marks = r.marks;
  renderLegend();
  renderPanel();
  renderStats();
  for (const b of document.querySelectorAll(".exports button")) b.disabled = false;
  state.runs += 1;
  document.documentElement.dataset.runs = String(state.runs);
  document.documentElement.dataset.ready = "true";
}

/** Builds block elements with their entities and sentence markers. */
class Renderer {
  constructor(text, result, groupOf) {
    this.text = text;
    this.entities = result.entities;
    this.sentences = result.sentences;
    this.groupOf = groupOf;
    this.ei = 0;
    this.si = 0;
    this.run = null;
    this.marks = new Array(result.entities.length).fill(null);
  }

  block(b) {
    const { entities, sentences } = this;
    if (b.kind === "boilerplate") {
      if (!this.run) {
        this.run = { el: document.createElement("section"), reasons: new Set(), count: 0 };
        this.run.el.className = "bp-run";
        this.run.summary = document.createElement("p");
        this.run.summary.className = "bp-summary";
        this.run.el.append(this.run.summary);
        article.append(this.run.el);
      }
      this.run.reasons.add((b.reason ?? "other").replace("_", " "));
      this.run.count += 1;
      this.run.summary.textContent = `Boilerplate (${[...this.run.reasons].join(", ")}): ${this.run.count} block${this.run.count > 1 ? "s" : ""}`;
    } else {
      this.run = null;
    }
    const el = document.createElement(b.kind === "title" ? "h2" : "p");
    el.className = `block block-${b.kind}`;
    el.dataset.start = String(b.start);
    if (b.reason) {
      el.dataset.reason = b.reason.replace("_", " ");
    }
    while (this.ei < entities.length && entities[this.ei].start < b.start) this.ei++;
    while (this.si < sentences.length && sentences[this.si].start <= b.start) this.si++;
    let pos = b.start;
    while (this.ei < entities.length && entities[this.ei].start < b.end) {
      const e = entities[this.ei];
      if (e.end > b.end) break;
      this.appendText(el, pos, e.start);
      const mark = document.createElement("mark");
      mark.className = `ent ent-${e.label}`;
      mark.dataset.label = e.label;
      mark.dataset.score = String(e.score);
      mark.dataset.i = String(this.ei);
      mark.dataset.group = String(this.groupOf[this.ei]);
      mark.tabIndex = -1;
      this.appendText(mark, e.start, e.end);
      el.append(mark);
      this.marks[this.ei] = mark;
      pos = e.end;
      this.ei++;
    }
    this.appendText(el, pos, b.end);
    (b.kind === "boilerplate" ? this.run.el : article).append(el);
  }

  /** Appends text[from, to), with a marker at each sentence start inside it. */
  appendText(parent, from, to) {
    const { sentences, text } = this;
    while (this.si < sentences.length && sentences[this.si].start < to) {
      const s = sentences[this.si++].start;
      if (s < from) continue;
      if (s > from) parent.append(text.slice(from, s));
      const marker = document.createElement("span");
      marker.className = "sb";
      marker.setAttribute("aria-hidden", "true");
      parent.append(marker);
      from = s;
    }
    if (to > from) parent.append(text.slice(from, to));
  }
}

function counts() {
  const n = new Map();
  for (const e of state.result?.entities ?? []) n.set(e.label, (n.get(e.label) ?? 0) + 1);
  return n;
}

function renderLegend() {
  const n = counts();
  const items = [...state.labels.keys()]
    .filter((label) => n.has(label))
    .map((label) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = `legend-item ent-${label}`;
      button.dataset.label = label;
      button.setAttribute("aria-pressed", String(!state.off.has(label)));
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.setAttribute("aria-hidden", "true");
      const name = document.createElement("span");
      name.className = "legend-label";
      name.textContent = label;
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = String(n.get(label));
      button.append(swatch, name, " ", count);
      button.title = `${state.labels.get(label) ?? label} (click to show or hide)`;
      li.append(button);
      return li;
    });
  legend.replaceChildren(...items);
}

function renderPanel() {
  const sections = [];
  let current = null;
  for (const g of state.groups) {
    if (state.off.has(g.label)) continue;
    if (!current || current.label !== g.label) {
      const section = document.createElement("section");
      section.className = "panel-label";
      const h = document.createElement("h3");
      h.className = `ent-${g.label}`;
      h.textContent = `${g.label} `;
      const desc = document.createElement("span");
      desc.className = "hint";
      desc.textContent = state.labels.get(g.label) ?? "";
      h.append(desc);
      const ul = document.createElement("ul");
      section.append(h, ul);
      sections.push(section);
      current = { label: g.label, ul };
    }
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "group";
    button.dataset.group = String(g.id);
    button.setAttribute("aria-pressed", "false");
    const name = document.createElement("span");
    name.className = "group-name";
    name.textContent = g.name;
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = String(g.count);
    button.append(name, " ", count);
    const variants = [...new Set(g.members.map((i) => entityText(i)))].filter((v) => v !== g.name);
    if (variants.length) {
      const also = document.createElement("span");
      also.className = "variants";
      also.textContent = ` also: ${variants.join(" · ")}`;
      button.append(also);
    }
    li.append(button);
    current.ul.append(li);
  }
  if (sections.length === 0) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = "No entities shown.";
    sections.push(p);
  }
  panel.replaceChildren(...sections);
}

function entityText(i) {
  const e = state.result.entities[i];
  return state.text.slice(e.start, e.end);
}

function renderStats() {
  const r = state.result;
  const shown = r.entities.filter((e) => !state.off.has(e.label)).length;
  const perSecond = state.ms > 0 ? Math.round((state.tokens / state.ms) * 1000) : 0;
  const fmt = (n) => n.toLocaleString("en");
  const parts = [
    `${fmt(state.tokens)} tokens`,
    `${fmt(r.sentences.length)} sentences`,
    shown === r.entities.length ? `${fmt(shown)} entities` : `${fmt(shown)} of ${fmt(r.entities.length)} entities shown`,
    `${fmt(Math.round(state.ms))} ms`,
    `${fmt(perSecond)} tokens/s`,
  ];
  setStatus(parts.join(" · "));
  statusLine.dataset.entities = String(shown);
}

// ---- interaction -------------------------------------------------------------

function applyToggles() {
  article.dataset.off = [...state.off].join(" ");
  article.classList.toggle("show-boilerplate", showBoilerplate.checked);
  article.classList.toggle("show-sentences", showSentences.checked);
  writeHash();
}

function toggleLabel(label) {
  if (state.off.has(label)) state.off.delete(label);
  else state.off.add(label);
  applyToggles();
  for (const b of legend.querySelectorAll("button")) b.setAttribute("aria-pressed", String(!state.off.has(b.dataset.label)));
  renderPanel();
  renderStats();
}

/** Marks that are visible now, in document order. */
function visibleMarks() {
  return state.marks.filter((m) => m && !state.off.has(m.dataset.label) && (showBoilerplate.checked || !m.closest(".bp-run")));
}

let selectedGroup = null;
const groupCursor = new Map();

function selectGroup(id, button) {
  if (selectedGroup !== id) {
    for (const m of article.querySelectorAll("mark.selected")) m.classList.remove("selected");
    for (const b of panel.querySelectorAll("button[aria-pressed=true]")) b.setAttribute("aria-pressed", "false");
    selectedGroup = id;
    for (const i of state.groups[id].members) state.marks[i]?.classList.add("selected");
    button.setAttribute("aria-pressed", "true");
  }
  // Scroll to the group's next mention.
  const marks = state.groups[id].members.map((i) => state.marks[i]).filter(Boolean);
  if (marks.length === 0) return;
  const next = ((groupCursor.get(id) ?? -1) + 1) % marks.length;
  groupCursor.set(id, next);
  const target = marks[next];
  if (target.closest(".bp-run") && !showBoilerplate.checked) {
    showBoilerplate.checked = true;
    applyToggles();
  }
  for (const m of article.querySelectorAll("mark.current")) m.classList.remove("current");
  target.classList.add("current");
  target.scrollIntoView({ block: "center", behavior: "instant" });
}

/** j / k: focus the next / previous visible entity. */
function step(direction) {
  const marks = visibleMarks();
  if (marks.length === 0) return;
  const at = marks.indexOf(document.activeElement);
  const next = at < 0 ? (direction > 0 ? 0 : marks.length - 1) : (at + direction + marks.length) % marks.length;
  marks[next].focus();
}

function showTooltip(mark) {
  const label = mark.dataset.label;
  const score = Number(mark.dataset.score);
  tooltip.replaceChildren();
  const strong = document.createElement("strong");
  strong.textContent = label;
  tooltip.append(strong, ` ${state.labels.get(label) ?? ""}`, document.createElement("br"), `score ${score.toFixed(2)}`);
  tooltip.hidden = false;
  const rect = mark.getBoundingClientRect();
  tooltip.style.left = `${Math.max(4, rect.left + window.scrollX)}px`;
  tooltip.style.top = `${rect.bottom + window.scrollY + 6}px`;
  mark.setAttribute("aria-describedby", "tooltip");
}

function hideTooltip(mark) {
  tooltip.hidden = true;
  mark?.removeAttribute("aria-describedby");
}

// ---- input -------------------------------------------------------------------

/** HTML source -> readable text, parsed inertly (DOMParser runs no script and loads nothing). */
export function htmlToText(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const el of doc.querySelectorAll("script, style, noscript, template, iframe, object, embed, svg, head")) el.remove();
  const BLOCK = /^(P|DIV|H[1-6]|LI|UL|OL|ARTICLE|SECTION|HEADER|FOOTER|NAV|ASIDE|MAIN|BLOCKQUOTE|FIGURE|FIGCAPTION|TABLE|TR|PRE|ADDRESS|DL|DT|DD|HR)$/;
  const out = [];
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        out.push(child.data.replace(/\s+/g, " "));
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        if (child.tagName === "BR") {
          out.push("\n");
          continue;
        }
        const block = BLOCK.test(child.tagName);
        if (block) out.push("\n\n");
        walk(child);
        if (block) out.push("\n\n");
      }
    }
  };
  if (doc.body) walk(doc.body);
  return out
    .join("")
    .split("\n")
    .map((line) => line.trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

async function openFile(file) {
  if (!file) return;
  let text = await file.text();
  if (/\.html?$/i.test(file.name) || file.type === "text/html") text = htmlToText(text);
  setInput(text);
  state.sample = null;
  writeHash();
  run();
}

function loadSample(key) {
  const sample = SAMPLES[key];
  if (!sample) return;
  state.sample = key;
  setInput(sample.text);
  for (const b of document.querySelectorAll("button.sample")) b.setAttribute("aria-pressed", String(b.dataset.sample === key));
  writeHash();
  run();
}

// ---- URL hash ------------------------------------------------------------------

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const off = params.get("off");
  state.off = new Set(off ? off.split(",").filter((l) => /^[A-Z_]+$/.test(l)) : []);
  showBoilerplate.checked = params.get("boilerplate") === "1";
  showSentences.checked = params.get("sentences") === "1";
  const sample = params.get("sample");
  return params.has("sample") ? (SAMPLES[sample] ? sample : null) : "news";
}

function writeHash() {
  const params = new URLSearchParams();
  if (state.sample) params.set("sample", state.sample);
  else params.set("sample", "");
  if (state.off.size) params.set("off", [...state.off].join(","));
  if (showBoilerplate.checked) params.set("boilerplate", "1");
  if (showSentences.checked) params.set("sentences", "1");
  history.replaceState(null, "", `#${params.toString().replace(/sample=(&|$)/, "sample$1")}`);
}

// ---- exports --------------------------------------------------------------------

function download(name, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

function exportResult() {
  const { text, result } = state;
  const entities = result.entities.map((e) => ({ ...e, text: text.slice(e.start, e.end) }));
  return { blocks: result.blocks, sentences: result.sentences, entities };
}

// ---- start -------------------------------------------------------------------

function wire() {
  annotateButton.addEventListener("click", () => {
    state.sample = null;
    writeHash();
    run();
  });
  cancelButton.addEventListener("click", () => cancel());
  for (const b of document.querySelectorAll("button.sample")) b.addEventListener("click", () => loadSample(b.dataset.sample));
  input.addEventListener("paste", (ev) => {
    const text = ev.clipboardData?.getData("text/plain") ?? "";
    if (text.length <= EDITOR_LIMIT) return;
    ev.preventDefault();
    setInput(text);
    state.sample = null;
    writeHash();
    run();
  });
  input.addEventListener("input", () => {
    clearTimeout(typing);
    if (state.big !== null) {
      state.big = null;
      input.placeholder = "";
    }
    if (state.sample !== null) {
      state.sample = null;
      for (const b of document.querySelectorAll("button.sample")) b.setAttribute("aria-pressed", "false");
      writeHash();
    }
    if (input.value.length <= LIVE_LIMIT) typing = setTimeout(run, 400);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) run();
  });
  $("file").addEventListener("change", (ev) => openFile(ev.target.files[0]));
  input.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    input.classList.add("drop");
  });
  input.addEventListener("dragleave", () => input.classList.remove("drop"));
  input.addEventListener("drop", (ev) => {
    ev.preventDefault();
    input.classList.remove("drop");
    openFile(ev.dataTransfer.files[0]);
  });
  showBoilerplate.addEventListener("change", applyToggles);
  showSentences.addEventListener("change", applyToggles);
  legend.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-label]");
    if (button) toggleLabel(button.dataset.label);
  });
  panel.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-group]");
    if (button) selectGroup(Number(button.dataset.group), button);
  });
  article.addEventListener("mouseover", (ev) => {
    const mark = ev.target.closest("mark.ent");
    if (mark) showTooltip(mark);
  });
  article.addEventListener("mouseout", (ev) => {
    const mark = ev.target.closest("mark.ent");
    if (mark && !mark.contains(ev.relatedTarget)) hideTooltip(mark);
  });
  article.addEventListener("focusin", (ev) => {
    if (ev.target.matches("mark.ent")) showTooltip(ev.target);
  });
  article.addEventListener("focusout", (ev) => {
    if (ev.target.matches("mark.ent")) hideTooltip(ev.target);
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      hideTooltip(document.activeElement?.matches?.("mark.ent") ? document.activeElement : null);
      if (pending) cancel();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.matches("input, textarea, select")) return;
    if (ev.key === "j") step(1);
    else if (ev.key === "k") step(-1);
  });
  $("export-json").addEventListener("click", () => {
    download("newsmark.json", "application/json", toJson(state.text, exportResult(), state.version));
  });
  $("export-jsonld").addEventListener("click", async () => {
    const source = await textUrn(state.text);
    download("newsmark.jsonld", "application/ld+json", toWebAnnotation(state.text, exportResult(), source, state.labels));
  });
  $("export-html").addEventListener("click", () => {
    const title = state.result.blocks.find((b) => b.kind === "title");
    const name = title ? state.text.slice(title.start, title.end).trim() : "Annotated article";
    download("newsmark.html", "text/html", toHtml(article, name));
  });
}

async function main() {
  wire();
  const sample = readHash();
  applyToggles();
  startWorker().then(
    () => {
      annotateButton.disabled = false;
    },
    (e) => setStatus(`Could not load the annotator: ${e.message}`, true),
  );
  if (sample) loadSample(sample);
  else {
    state.sample = null;
    setStatus("Paste an article, drop a file or pick a sample.");
    annotateButton.disabled = false;
  }
}

main();
