// The page's three download formats (JSON, Web Annotation, standalone HTML),
// built without ever parsing article text as HTML.

/** The API's result with the text it indexes: `text.slice(e.start, e.end) === e.text`
 * (its `clusters` and each entity's `cluster` too, when the result has them). */
export function toJson(text, result, version) {
  return JSON.stringify({ newsmark: version, units: "utf-16", text, ...result }, null, 2);
}

/** UTF-16 offset -> code point offset, for every offset asked (ascending scan). */
function codePointOffsets(text, offsets) {
  const wanted = [...new Set(offsets)].sort((a, b) => a - b);
  const out = new Map();
  let cp = 0;
  let u = 0;
  for (const w of wanted) {
    while (u < w) {
      const c = text.charCodeAt(u);
      const pair = c >= 0xd800 && c <= 0xdbff && u + 1 < text.length && (text.charCodeAt(u + 1) & 0xfc00) === 0xdc00;
      u += pair ? 2 : 1;
      cp += 1;
    }
    out.set(w, cp);
  }
  return out;
}

/** Up to `n` code points of context before / after. */
const before = (text, at, n) => Array.from(text.slice(Math.max(0, at - 2 * n), at)).slice(-n).join("");
const after = (text, at, n) => Array.from(text.slice(at, at + 2 * n)).slice(0, n).join("");

/**
 * W3C Web Annotation (JSON-LD): an AnnotationPage with one Annotation per
 * entity. Each target has a TextQuoteSelector (exact, prefix, suffix) and a
 * TextPositionSelector whose start/end count Unicode code points, as the
 * Web Annotation model defines them (not UTF-16 units). When the result has
 * clusters, each entity names its cluster (`nm:cluster`) and each cluster is
 * one more Annotation, motivated "linking", whose targets are its entities'
 * annotations and whose body is its name.
 */
export function toWebAnnotation(text, result, source, labelNames) {
  const cps = codePointOffsets(text, result.entities.flatMap((e) => [e.start, e.end]));
  const items = result.entities.map((e, i) => ({
    id: `${source}#entity-${i + 1}`,
    type: "Annotation",
    motivation: "tagging",
    body: {
      type: "TextualBody",
      purpose: "tagging",
      value: e.label,
      ...(labelNames.get(e.label) ? { description: labelNames.get(e.label) } : {}),
    },
    "nm:score": e.score,
    ...(e.cluster !== undefined ? { "nm:cluster": `${source}#cluster-${e.cluster + 1}` } : {}),
    target: {
      source,
      selector: [
        { type: "TextQuoteSelector", exact: e.text, prefix: before(text, e.start, 32), suffix: after(text, e.end, 32) },
        { type: "TextPositionSelector", start: cps.get(e.start), end: cps.get(e.end) },
      ],
    },
  }));
  for (const [c, cluster] of (result.clusters ?? []).entries()) {
    items.push({
      id: `${source}#cluster-${c + 1}`,
      type: "Annotation",
      motivation: "linking",
      body: { type: "TextualBody", purpose: "identifying", value: cluster.name, "nm:label": cluster.label },
      target: cluster.mentions.map((i) => `${source}#entity-${i + 1}`),
    });
  }
  return JSON.stringify(
    {
      "@context": ["http://www.w3.org/ns/anno.jsonld", { nm: "urn:newsmark:" }],
      id: `${source}#annotations`,
      type: "AnnotationPage",
      items,
    },
    null,
    2,
  );
}

/** A URN naming the text by its SHA-256, for the annotations' `source`. */
export async function textUrn(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `urn:sha256:${hex}`;
}

/** The colours of the standalone HTML file (its own style; no script). */
const EXPORT_STYLE = `body{font:17px/1.7 Georgia,serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1d2126;background:#fbfaf7}
.block{margin:0 0 1em;white-space:pre-wrap}.block-title{font-size:1.6em;font-weight:700;line-height:1.3}
.block-byline{color:#555;font-style:italic}.block-boilerplate{color:#888;font-size:.85em}
mark{border-radius:3px;padding:0 .15em;background:#eee;color:inherit}
mark::after{content:" " attr(data-label);font:600 .6em system-ui,sans-serif;color:#555}
mark[data-label=PERSON]{background:#fde2e1}mark[data-label=ORG]{background:#dbeafe}
mark[data-label=GPE]{background:#dcfce7}mark[data-label=LOC]{background:#ecfccb}
mark[data-label=DATE]{background:#e0f2fe}mark[data-label=MONEY]{background:#fef9c3}
mark[data-label=NORP]{background:#f3e5f5}mark[data-label=FAC]{background:#efebe9}`;

/**
 * A standalone HTML document of the annotated article: built as a DOM with
 * text nodes only, then serialised (the serialiser escapes `<`, `&`, quotes).
 * `article` is the rendered article element; interactive attributes are dropped.
 */
export function toHtml(article, title) {
  const doc = document.implementation.createHTMLDocument(title);
  const copy = doc.importNode(article, true);
  copy.removeAttribute("id");
  for (const el of [copy, ...copy.querySelectorAll("*")]) {
    for (const name of ["tabindex", "aria-describedby", "role", "aria-label", "aria-live", "id"]) el.removeAttribute(name);
  }
  for (const el of copy.querySelectorAll(".sb, .bp-summary")) el.remove();
  const main = doc.createElement("main");
  main.append(copy);
  doc.body.append(main);
  const serialise = (node) => new XMLSerializer().serializeToString(node);
  // The head's fixed parts are constant strings; only the title (serialised,
  // so escaped) and the article (serialised DOM) carry text from the input.
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    serialise(doc.querySelector("title")),
    `<style>${EXPORT_STYLE}</style></head><body>`,
    serialise(main),
    "</body></html>",
    "",
  ].join("\n");
}
