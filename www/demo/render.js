// Rendering: the annotated article, the legend, the entity panel, the stats
// line and the tooltip, all built from `state`. Article text enters the DOM
// only as text nodes (strings given to `el()` or `append()`).
import { el, ui } from "./dom.js";
import { clearPlaceSelection } from "./places.js";
import { state } from "./state.js";

export function setStatus(text, isError = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle("error", isError);
}

/**
 * Starts drawing a new result for `text` off the page. `add(part)` appends
 * the blocks of the next part of the result (a piece's `{ blocks, sentences,
 * entities }`, offsets already into `text`, parts in order): the page's
 * annotator calls it as the pieces come back from the workers, so the
 * article is built while the rest is annotated. `finish(result)` (the whole
 * result) puts the article on the page at once and draws the legend, panel
 * and stats. A drawing that is never finished (a cancelled run) is dropped.
 */
export function startRender(text) {
  const fragment = document.createDocumentFragment();
  const builder = new ArticleBuilder(fragment, text);
  return {
    add: (part) => builder.add(part),
    finish(result) {
      state.text = text;
      state.result = result;
      state.groups = clusterGroups(result.clusters, [...state.labels.keys()]);
      state.marks = Array.from({ length: result.entities.length }, (_, i) => builder.marks[i] ?? null);
      // Group and place ids are per result: a selection from the last one means nothing here.
      state.selectedGroup = null;
      state.groupCursor.clear();
      clearPlaceSelection();
      ui.article.classList.toggle("large", text.length > 200_000);
      ui.article.replaceChildren(fragment);
      renderLegend();
      renderPanel();
      renderStats();
      for (const button of [ui.exportJson, ui.exportJsonLd, ui.exportHtml]) button.disabled = false;
      state.runs += 1;
      document.documentElement.dataset.runs = String(state.runs);
      document.documentElement.dataset.ready = "true";
    },
  };
}

/**
 * The entity list's groups: the library's clusters (`annotate(text, {
 * clusters: true })`, joined across pieces by run.js) as `{ id, label, name,
 * count, members }`, sorted by label (in `labelOrder`, then by name), then
 * count (descending), then name; `id` is the index in that order.
 */
function clusterGroups(clusters, labelOrder) {
  const rank = (label) => (labelOrder.includes(label) ? labelOrder.indexOf(label) : labelOrder.length);
  // One collator for every comparison: the same order as localeCompare, without its cost per call.
  const { compare } = new Intl.Collator();
  return clusters
    .map((c) => ({ label: c.label, name: c.name, count: c.mentions.length, members: c.mentions }))
    .sort((a, b) => rank(a.label) - rank(b.label) || compare(a.label, b.label) || b.count - a.count || compare(a.name, b.name))
    .map((g, id) => ({ id, ...g }));
}

/** The marker put at each sentence start (shown by the sentence switch); cloned. */
const SENTENCE_MARK = el("span", { class: "sb", "aria-hidden": "true" });

/** Appends a result's blocks to the article one at a time, with their
 * entities as <mark>s and a marker at each sentence start. Boilerplate runs
 * are gathered in a section headed by a one-line summary. The result comes
 * in parts, in order (`add`). */
class ArticleBuilder {
  constructor(article, text) {
    this.article = article;
    this.text = text;
    /** The entities and sentences of the parts added so far. */
    this.entities = [];
    this.sentences = [];
    /** The next entity and sentence not yet placed. */
    this.ei = 0;
    this.si = 0;
    /** The open boilerplate run: `{ section, summary, reasons, count }`. */
    this.run = null;
    /** The <mark> of each entity placed. */
    this.marks = [];
  }

  /** Appends the blocks of the next part of the result. */
  add(part) {
    for (const e of part.entities) this.entities.push(e);
    for (const s of part.sentences) this.sentences.push(s);
    for (const b of part.blocks) this.block(b);
  }

  block(b) {
    const { entities } = this;
    if (b.kind === "boilerplate") this.addToRun(b);
    else this.run = null;
    const block = el(b.kind === "title" ? "h2" : "p", {
      class: `block block-${b.kind}`,
      dataset: { start: b.start, ...(b.reason ? { reason: b.reason.replace("_", " ") } : {}) },
    });
    while (this.ei < entities.length && entities[this.ei].start < b.start) this.ei++;
    while (this.si < this.sentences.length && this.sentences[this.si].start <= b.start) this.si++;
    let pos = b.start;
    while (this.ei < entities.length && entities[this.ei].start < b.end) {
      const e = entities[this.ei];
      if (e.end > b.end) break;
      this.appendText(block, pos, e.start);
      // The element el() would make, built directly: this runs once per entity
      // (tens of thousands for a long paste), and el()'s generality costs.
      const mark = document.createElement("mark");
      mark.setAttribute("class", `ent ent-${e.label}`);
      mark.setAttribute("data-label", e.label);
      mark.setAttribute("data-score", String(e.score));
      mark.setAttribute("data-i", String(this.ei));
      mark.setAttribute("tabindex", "-1");
      this.appendText(mark, e.start, e.end);
      block.append(mark);
      this.marks[this.ei] = mark;
      pos = e.end;
      this.ei++;
    }
    this.appendText(block, pos, b.end);
    (b.kind === "boilerplate" ? this.run.section : this.article).append(block);
  }

  /** Counts a boilerplate block into the open run (opening one if needed). */
  addToRun(b) {
    if (!this.run) {
      const summary = el("p", { class: "bp-summary" });
      this.run = { section: el("section", { class: "bp-run" }, summary), summary, reasons: new Set(), count: 0 };
      this.article.append(this.run.section);
    }
    const run = this.run;
    run.reasons.add((b.reason ?? "other").replace("_", " "));
    run.count += 1;
    run.summary.textContent = `Boilerplate (${[...run.reasons].join(", ")}): ${run.count} block${run.count > 1 ? "s" : ""}`;
  }

  /** Appends text[from, to), with a marker at each sentence start inside it. */
  appendText(parent, from, to) {
    const { sentences, text } = this;
    while (this.si < sentences.length && sentences[this.si].start < to) {
      const s = sentences[this.si++].start;
      if (s < from) continue;
      if (s > from) parent.append(text.slice(from, s));
      parent.append(SENTENCE_MARK.cloneNode(false));
      from = s;
    }
    if (to > from) parent.append(text.slice(from, to));
  }
}

/** Entities per label in the shown result. */
function counts() {
  const n = new Map();
  for (const e of state.result?.entities ?? []) n.set(e.label, (n.get(e.label) ?? 0) + 1);
  return n;
}

/** The legend: one toggle button per label found, with its count. */
export function renderLegend() {
  const n = counts();
  const items = [...state.labels.keys()]
    .filter((label) => n.has(label))
    .map((label) =>
      el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: `legend-item ent-${label}`,
            dataset: { label },
            "aria-pressed": String(!state.off.has(label)),
            title: `${state.labels.get(label) ?? label} (click to show or hide)`,
          },
          el("span", { class: "swatch", "aria-hidden": "true" }),
          el("span", { class: "legend-label" }, label),
          " ",
          el("span", { class: "count" }, String(n.get(label))),
        ),
      ),
    );
  ui.legend.replaceChildren(...items);
}

/** The legend buttons' pressed state, after a label was switched. */
export function updateLegend() {
  for (const b of ui.legend.querySelectorAll("button")) b.setAttribute("aria-pressed", String(!state.off.has(b.dataset.label)));
}

/** The entity panel: per shown label, its groups as buttons. */
export function renderPanel() {
  const sections = [];
  let current = null;
  for (const g of state.groups) {
    if (state.off.has(g.label)) continue;
    if (!current || current.label !== g.label) {
      const list = el("ul");
      const heading = el("h3", { class: `ent-${g.label}` }, `${g.label} `, el("span", { class: "hint" }, state.labels.get(g.label) ?? ""));
      sections.push(el("section", { class: "panel-label" }, heading, list));
      current = { label: g.label, list };
    }
    const variants = [...new Set(g.members.map(entityText))].filter((v) => v !== g.name);
    const button = el(
      "button",
      { type: "button", class: "group", dataset: { group: g.id }, "aria-pressed": "false" },
      el("span", { class: "group-name" }, g.name),
      " ",
      el("span", { class: "count" }, String(g.count)),
      variants.length > 0 && el("span", { class: "variants" }, ` also: ${variants.join(" · ")}`),
    );
    current.list.append(el("li", {}, button));
  }
  if (sections.length === 0) sections.push(el("p", { class: "hint" }, "No entities shown."));
  ui.panel.replaceChildren(...sections);
}

function entityText(i) {
  const e = state.result.entities[i];
  return state.text.slice(e.start, e.end);
}

/**
 * A speed is shown only for runs at least this long, in tokens and in
 * milliseconds. A run's time includes fixed costs (messages to and from the
 * worker, the first call's warm-up, the wait for a busy main thread) of
 * some 10-40 ms: a 188-token sample done in 29 ms would read "6,505
 * tokens/s", a tenth of the annotator's speed. At 5,000 tokens and 200 ms,
 * those costs are a small share of the time, so the figure means something;
 * shorter runs show their time only.
 */
export const SPEED_MIN_TOKENS = 5_000;
export const SPEED_MIN_MS = 200;

/** The stats line: tokens, sentences, entities shown, time, and the speed for long runs. */
export function renderStats() {
  const r = state.result;
  const shown = r.entities.filter((e) => !state.off.has(e.label)).length;
  const fmt = (n) => n.toLocaleString("en");
  const parts = [
    `${fmt(state.tokens)} tokens`,
    `${fmt(r.sentences.length)} sentences`,
    shown === r.entities.length ? `${fmt(shown)} entities` : `${fmt(shown)} of ${fmt(r.entities.length)} entities shown`,
    `${fmt(Math.round(state.ms))} ms`,
  ];
  if (state.tokens >= SPEED_MIN_TOKENS && state.ms >= SPEED_MIN_MS) parts.push(`${fmt(Math.round((state.tokens / state.ms) * 1000))} tokens/s`);
  if (state.workersUsed > 1) parts.push(`${state.workersUsed} workers`);
  setStatus(parts.join(" · "));
  ui.status.dataset.entities = String(shown);
}

/** The article's classes for the switches and the labels switched off. */
export function renderDisplay() {
  ui.article.dataset.off = [...state.off].join(" ");
  ui.article.classList.toggle("show-boilerplate", ui.showBoilerplate.checked);
  ui.article.classList.toggle("show-sentences", ui.showSentences.checked);
}

/** Shows the tooltip (label, its description, score) under `mark`. */
export function showTooltip(mark) {
  const label = mark.dataset.label;
  const score = Number(mark.dataset.score);
  const { tooltip } = ui;
  tooltip.replaceChildren(el("strong", {}, label), ` ${state.labels.get(label) ?? ""}`, el("br"), `score ${score.toFixed(2)}`);
  tooltip.hidden = false;
  const rect = mark.getBoundingClientRect();
  tooltip.style.left = `${Math.max(4, rect.left + window.scrollX)}px`;
  tooltip.style.top = `${rect.bottom + window.scrollY + 6}px`;
  mark.setAttribute("aria-describedby", "tooltip");
}

export function hideTooltip(mark) {
  ui.tooltip.hidden = true;
  mark?.removeAttribute("aria-describedby");
}
