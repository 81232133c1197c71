// DOM helpers for the page: `el()` builds elements, `ui` holds the page's
// fixed elements (found once, from index.html).

/**
 * A new element: `el("p", { class: "hint", dataset: { i: "3" } }, "text", child)`.
 *
 * Attributes are set with `setAttribute` (`class`, `dataset` and plain
 * attribute names; `null`, `undefined` and `false` values are left out), never
 * as properties, so nothing here can reach `innerHTML`. Children are nodes or
 * strings; strings become text nodes, so text is never parsed as HTML.
 * Arrays of children are flattened; `null`, `undefined` and `false` are skipped.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name === "dataset") {
      for (const [key, v] of Object.entries(value)) node.dataset[key] = String(v);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  node.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return node;
}

const byId = (id) => document.getElementById(id);

/** The page's fixed elements. */
export const ui = Object.freeze({
  input: byId("input"),
  file: byId("file"),
  article: byId("article"),
  status: byId("status"),
  legend: byId("legend"),
  panel: byId("panel"),
  tooltip: byId("tooltip"),
  progress: byId("progress"),
  annotate: byId("annotate"),
  cancel: byId("cancel"),
  showBoilerplate: byId("show-boilerplate"),
  showSentences: byId("show-sentences"),
  showPlaces: byId("show-places"),
  places: byId("places"),
  map: byId("map"),
  placeInfo: byId("place-info"),
  placesStatus: byId("places-status"),
  exportJson: byId("export-json"),
  exportJsonLd: byId("export-jsonld"),
  exportHtml: byId("export-html"),
});
