// newsmark's embedding API: highlight the named entities inside an element
// of any page, either by wrapping them in <mark> elements (which `remove()`
// takes out again, leaving the DOM exactly as it was) or with the CSS
// Custom Highlight API (the DOM is never touched).
import { isBlock } from "./blocks.js";
import init, { Annotator } from "./pkg/newsmark.js";

/** Elements whose text is never annotated. `pre` is included: it mostly
 * holds code or preformatted data, not prose. */
export const DEFAULT_SKIP = ["script", "style", "textarea", "code", "pre", "noscript", "template", "svg", "math", "select", "option", "input", "kbd", "samp", "iframe", "object"];

let defaultAnnotator = null;

/** The annotator with the default model, loaded once (the wasm is fetched
 * next to this module's `pkg/newsmark.js`). */
async function getDefaultAnnotator() {
  defaultAnnotator ??= init().then(() => new Annotator());
  return defaultAnnotator;
}

/** The element that decides where the text of `node` starts a new line. */
function blockOf(node, root) {
  for (let el = node.parentElement; el && el !== root; el = el.parentElement) {
    if (isBlock(el)) return el;
  }
  return root;
}

/**
 * The text nodes under `root` that are annotated, in document order, and
 * the string given to the annotator: the nodes' text, with a line break
 * where a block element separates two nodes. `starts[i]` is where node i
 * begins in that string.
 */
function collect(root, skip) {
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.matches(skip) || node.isContentEditable) return NodeFilter.FILTER_REJECT;
        return NodeFilter.FILTER_SKIP;
      }
      return node.data.length > 0 ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
    },
  });
  const nodes = [];
  const starts = [];
  const parts = [];
  let length = 0;
  let lastBlock = null;
  let lastNode = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const block = blockOf(node, root);
    if (lastNode) {
      const gap = block !== lastBlock ? "\n\n" : brBetween(lastNode, node) ? "\n" : "";
      parts.push(gap);
      length += gap.length;
    }
    nodes.push(node);
    starts.push(length);
    parts.push(node.data);
    length += node.data.length;
    lastBlock = block;
    lastNode = node;
  }
  return { nodes, starts, text: parts.join("") };
}

/** Whether a `<br>` (or another block boundary inside the same block) lies between two text nodes. */
function brBetween(a, b) {
  const range = a.ownerDocument.createRange();
  range.setStartAfter(a);
  range.setEndBefore(b);
  const frag = range.cloneContents();
  return frag.querySelector?.("br, hr") != null;
}

/** The first index i with starts[i] <= offset < starts[i] + length (binary search). */
function nodeAt(starts, offset) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The pieces of [start, end) in each text node: `{ node: i, from, to }` (node-local offsets). */
function pieces(found, start, end) {
  const { nodes, starts } = found;
  const out = [];
  for (let i = nodeAt(starts, start); i < nodes.length && starts[i] < end; i++) {
    const from = Math.max(start, starts[i]) - starts[i];
    const to = Math.min(end, starts[i] + nodes[i].data.length) - starts[i];
    if (to > from) out.push({ node: i, from, to });
  }
  return out;
}

/**
 * Annotates the text inside `root` and highlights its entities.
 *
 * Options: `labels` (keep only these labels), `classPrefix` (default
 * `"nm-"`: marks get the classes `nm-entity nm-PERSON`; highlights are named
 * `nm-PERSON`), `mode` (`"mark"`, the default, or `"highlight"` for the CSS
 * Custom Highlight API), `exclude` (CSS selectors whose elements are
 * skipped, besides script, style, textarea, code, pre and editable
 * elements), `annotator` (an `Annotator` to use; by default one with the
 * embedded model is created once).
 *
 * Resolves with `{ entities, elements, remove() }`: `entities` as
 * `annotate` returns them (offsets into the collected `text`) plus `text`;
 * `remove()` undoes everything, restoring the DOM exactly.
 */
export async function highlight(root, options = {}) {
  const known = ["labels", "classPrefix", "mode", "exclude", "annotator"];
  for (const key of Object.keys(options ?? {})) {
    if (!known.includes(key)) throw new Error(`highlight: unknown option ${JSON.stringify(key)} (options: ${known.join(", ")})`);
  }
  const { labels, classPrefix = "nm-", mode = "mark", exclude = [] } = options ?? {};
  if (!(root instanceof Element)) throw new Error("highlight: root must be a DOM element");
  if (mode !== "mark" && mode !== "highlight") throw new Error(`highlight: mode must be "mark" or "highlight", got ${JSON.stringify(mode)}`);
  if (mode === "highlight" && !(globalThis.CSS?.highlights && globalThis.Highlight)) {
    throw new Error("highlight: this browser has no CSS Custom Highlight API (use mode: \"mark\")");
  }
  const annotator = options?.annotator ?? (await getDefaultAnnotator());
  const skip = [...DEFAULT_SKIP, "[contenteditable]:not([contenteditable=false])", ...[exclude].flat()].join(", ");
  const found = collect(root, skip);
  const result = annotator.annotate(found.text, labels ? { labels } : undefined);
  const entities = result.entities;
  return mode === "mark" ? wrapMarks(root, found, entities, classPrefix) : drawHighlights(found, entities, classPrefix);
}

/** Wraps every entity piece in a <mark>; the handle's remove() unwraps and re-joins the split text nodes. */
function wrapMarks(root, found, entities, prefix) {
  const doc = root.ownerDocument;
  // Cut points per text node, and which piece of which entity each cut segment is.
  const byNode = new Map();
  entities.forEach((e, index) => {
    const parts = pieces(found, e.start, e.end);
    parts.forEach((p, k) => {
      if (!byNode.has(p.node)) byNode.set(p.node, []);
      const part = parts.length === 1 ? "whole" : k === 0 ? "first" : k === parts.length - 1 ? "last" : "middle";
      byNode.get(p.node).push({ ...p, entity: index, part });
    });
  });
  const splits = []; // [original node, its segments]
  const elements = [];
  for (const [i, list] of byNode) {
    const original = found.nodes[i];
    list.sort((a, b) => a.from - b.from);
    const cuts = [...new Set(list.flatMap((p) => [p.from, p.to]))].filter((c) => c > 0 && c < original.data.length).sort((a, b) => a - b);
    const segments = [original];
    const segmentStart = [0];
    let current = original;
    let consumed = 0;
    for (const c of cuts) {
      current = current.splitText(c - consumed);
      consumed = c;
      segments.push(current);
      segmentStart.push(c);
    }
    splits.push([original, segments]);
    for (const p of list) {
      const segment = segments[segmentStart.indexOf(p.from)];
      const e = entities[p.entity];
      const mark = doc.createElement("mark");
      mark.className = `${prefix}entity ${prefix}${e.label}`;
      mark.dataset.label = e.label;
      mark.dataset.score = String(e.score);
      mark.dataset.entity = String(p.entity);
      if (p.part !== "whole") mark.dataset.part = p.part;
      mark.title = `${e.label} (score ${e.score.toFixed(2)})`;
      segment.before(mark);
      mark.append(segment);
      elements.push(mark);
    }
  }
  let removed = false;
  return {
    mode: "mark",
    text: found.text,
    entities,
    elements,
    remove() {
      if (removed) return;
      removed = true;
      for (const mark of elements) mark.replaceWith(...mark.childNodes);
      for (const [original, segments] of splits) {
        original.data = segments.map((s) => s.data).join("");
        for (const s of segments.slice(1)) s.remove();
      }
    },
  };
}

/** Adds one Range per entity to the highlight named `${prefix}${label}`. */
function drawHighlights(found, entities, prefix) {
  const doc = found.nodes[0]?.ownerDocument ?? document;
  const added = [];
  for (const e of entities) {
    const parts = pieces(found, e.start, e.end);
    if (parts.length === 0) continue;
    const range = doc.createRange();
    range.setStart(found.nodes[parts[0].node], parts[0].from);
    const last = parts[parts.length - 1];
    range.setEnd(found.nodes[last.node], last.to);
    const name = `${prefix}${e.label}`;
    let h = CSS.highlights.get(name);
    if (!h) {
      h = new Highlight();
      CSS.highlights.set(name, h);
    }
    h.add(range);
    added.push([name, range]);
  }
  let removed = false;
  return {
    mode: "highlight",
    text: found.text,
    entities,
    ranges: added.map(([, r]) => r),
    remove() {
      if (removed) return;
      removed = true;
      for (const [name, range] of added) {
        const h = CSS.highlights.get(name);
        if (!h) continue;
        h.delete(range);
        if (h.size === 0) CSS.highlights.delete(name);
      }
    },
  };
}
