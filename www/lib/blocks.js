// Which elements end a line of text. Shared by the page (turning an opened
// .html file into text) and the embedding API (highlight.js, collecting the
// text under an element), so both split an article into blocks alike.

/** Tag names (upper case, as `Element.tagName` gives them for HTML) of the
 * elements whose text is not run together with the text around them. */
const BLOCK_TAGS = new Set([
  "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "BR", "DD", "DIV", "DL", "DT", "FIELDSET",
  "FIGCAPTION", "FIGURE", "FOOTER", "FORM", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER",
  "HR", "LI", "MAIN", "NAV", "OL", "P", "PRE", "SECTION", "TABLE", "TD", "TH", "TR", "UL",
]);

/** Whether `element` is a block: its text starts and ends a line. */
export function isBlock(element) {
  return BLOCK_TAGS.has(element.tagName);
}
