// Types of newsmark's embedding API (highlight.js).
import type { Annotator, AnnotatedEntity } from "./newsmark.js";

/** Elements whose text highlight() never annotates (besides editable elements). */
export const DEFAULT_SKIP: readonly string[];

export interface HighlightOptions {
  /** Keep only entities with these labels, e.g. ["PERSON", "ORG"]. */
  labels?: string[];
  /** Prefix of the mark classes (`nm-entity nm-PERSON`) and highlight names (`nm-PERSON`). Default "nm-". */
  classPrefix?: string;
  /** "mark" (default): wrap entities in <mark>; "highlight": CSS Custom Highlight API, DOM untouched. */
  mode?: "mark" | "highlight";
  /** CSS selectors of elements to skip, besides script, style, textarea, code, pre, … and contenteditable. */
  exclude?: string | string[];
  /** The annotator to use; by default one with the embedded model is created on first use. */
  annotator?: Annotator;
}

interface HandleBase {
  /** The text given to the annotator: the text nodes' text, blocks separated by line breaks. */
  text: string;
  /** The entities found, with UTF-16 offsets into `text`. */
  entities: AnnotatedEntity[];
  /** Undoes the highlighting; in "mark" mode the DOM is restored exactly (same nodes, same innerHTML). */
  remove(): void;
}

export interface MarkHandle extends HandleBase {
  mode: "mark";
  /** The <mark> elements added (an entity crossing elements has several, with data-part first/middle/last). */
  elements: HTMLElement[];
}

export interface HighlightHandle extends HandleBase {
  mode: "highlight";
  /** One Range per entity (a range may cross element boundaries). */
  ranges: Range[];
}

/** Annotates the text inside `root` and highlights its named entities. */
export function highlight(root: Element, options?: HighlightOptions & { mode?: "mark" }): Promise<MarkHandle>;
export function highlight(root: Element, options: HighlightOptions & { mode: "highlight" }): Promise<HighlightHandle>;
