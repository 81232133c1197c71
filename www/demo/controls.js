// The display controls: the three switches, the legend's label toggles, the
// entity panel's clusters, the map's markers and the mentions with a place
// (places.js), the tooltip on hover and focus, the keyboard (j / k between
// entities, Escape) and the three downloads (downloads.js).
import { cancel } from "./run.js";
import { el, ui } from "./dom.js";
import { toHtml, toJson, toWebAnnotation, textUrn } from "./downloads.js";
import { writeHash } from "./url_state.js";
import { clearPlaceSelection, placeOf, setPlaces, showPlace } from "./places.js";
import { hideTooltip, renderDisplay, renderPanel, renderStats, showTooltip, updateLegend } from "./render.js";
import { state } from "./state.js";

/** Applies the switches and label toggles to the article and the hash. */
export function applyToggles() {
  renderDisplay();
  writeHash();
}

function toggleLabel(label) {
  if (state.off.has(label)) state.off.delete(label);
  else state.off.add(label);
  applyToggles();
  updateLegend();
  renderPanel();
  renderStats();
}

/** Marks that are visible now, in document order. */
function visibleMarks() {
  return state.marks.filter((m) => m && !state.off.has(m.dataset.label) && (ui.showBoilerplate.checked || !m.closest(".bp-run")));
}

/**
 * Outlines the mentions `members` (entity indices) of `key` (`group:N`, a
 * cluster of the entity list, or `place:N`, a marker of the map), presses
 * `button` (if any), and scrolls to the next of them; with `at` (an entity
 * index among them), marks that one current without scrolling.
 */
function selectMentions(key, members, button, at) {
  const { article, panel } = ui;
  if (state.selectedGroup !== key) {
    for (const m of article.querySelectorAll("mark.selected")) m.classList.remove("selected");
    for (const b of panel.querySelectorAll("button.group[aria-pressed=true]")) b.setAttribute("aria-pressed", "false");
    if (!key.startsWith("place:")) clearPlaceSelection();
    state.selectedGroup = key;
    for (const i of members) state.marks[i]?.classList.add("selected");
    button?.setAttribute("aria-pressed", "true");
  }
  const shown = members.filter((i) => state.marks[i]);
  if (shown.length === 0) return;
  const from = at === undefined ? -1 : shown.indexOf(at);
  const next = from >= 0 ? from : ((state.groupCursor.get(key) ?? -1) + 1) % shown.length;
  state.groupCursor.set(key, next);
  for (const m of article.querySelectorAll("mark.current")) m.classList.remove("current");
  state.marks[shown[next]].classList.add("current");
  if (from >= 0) return;
  const target = state.marks[shown[next]];
  if (target.closest(".bp-run") && !ui.showBoilerplate.checked) {
    ui.showBoilerplate.checked = true;
    applyToggles();
  }
  target.scrollIntoView({ block: "center", behavior: "instant" });
}

/** The mentions of place `p` (a marker was clicked), or with `at` the
 * place of that mention (it was clicked): outlined, its marker highlighted
 * and named under the map. */
function selectPlace(p, at) {
  const entry = state.places?.list[p];
  if (!entry) return;
  selectMentions(`place:${p}`, entry.mentions, null, at);
  showPlace(p);
}

/** j / k: focus the next / previous visible entity. */
function step(direction) {
  const marks = visibleMarks();
  if (marks.length === 0) return;
  const at = marks.indexOf(document.activeElement);
  const next = at < 0 ? (direction > 0 ? 0 : marks.length - 1) : (at + direction + marks.length) % marks.length;
  marks[next].focus();
}

function download(name, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** The shown result with each entity's text, for the JSON and Web Annotation exports. */
function exportResult() {
  const { text, result } = state;
  const entities = result.entities.map((e) => ({ ...e, text: text.slice(e.start, e.end) }));
  return { blocks: result.blocks, sentences: result.sentences, entities, clusters: result.clusters };
}

export function wireControls() {
  const { article, legend, panel } = ui;
  ui.showBoilerplate.addEventListener("change", applyToggles);
  ui.showSentences.addEventListener("change", applyToggles);
  ui.showPlaces.addEventListener("change", () => {
    setPlaces(ui.showPlaces.checked);
    applyToggles();
  });
  ui.map.addEventListener("click", (ev) => {
    const marker = ev.target.closest("button.marker");
    if (marker) selectPlace(Number(marker.dataset.place));
  });
  article.addEventListener("click", (ev) => {
    const mark = ev.target.closest("mark.ent");
    if (!mark) return;
    const i = Number(mark.dataset.i);
    const p = placeOf(i);
    if (p >= 0) selectPlace(p, i);
  });
  legend.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-label]");
    if (button) toggleLabel(button.dataset.label);
  });
  panel.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-group]");
    if (button) selectMentions(`group:${button.dataset.group}`, state.groups[Number(button.dataset.group)].members, button);
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
      if (state.pending) cancel();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.matches("input, textarea, select")) return;
    if (ev.key === "j") step(1);
    else if (ev.key === "k") step(-1);
  });
  ui.exportJson.addEventListener("click", () => {
    download("newsmark.json", "application/json", toJson(state.text, exportResult(), state.version));
  });
  ui.exportJsonLd.addEventListener("click", async () => {
    const source = await textUrn(state.text);
    download("newsmark.jsonld", "application/ld+json", toWebAnnotation(state.text, exportResult(), source, state.labels));
  });
  ui.exportHtml.addEventListener("click", () => {
    const title = state.result.blocks.find((b) => b.kind === "title");
    const name = title ? state.text.slice(title.start, title.end).trim() : "Annotated article";
    download("newsmark.html", "text/html", toHtml(article, name));
  });
}
