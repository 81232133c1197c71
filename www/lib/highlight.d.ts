// Types of newsmark's embedding API (highlight.js): highlight(), annotateMany(), closePool(), loadGazetteer().
import type { Annotator, AnnotatedEntity, Annotation, AnnotateOptions, Gazetteer } from "./newsmark.js";

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
  /** true (default): annotate in module Web Workers (worker.js, started when needed and reused); false: on this thread. */
  worker?: boolean;
  /** How many workers may annotate the text's pieces at once (1 to 16). Default: 1, or for texts of `POOL_FROM`
   * characters and more one per core but one, at most 4. Only with `worker: true`. */
  workers?: number;
  /** "default" (the model embedded in newsmark_bg.wasm); "lite": ontonotes-lite.nmm in newsmark_core_bg.wasm (the
   * module without a model), the smallest download; or "accurate": ontonotes-accurate.nmm in newsmark_core_bg.wasm, a
   * transformer, the most accurate (F1 78.0 vs 71.8 on webnews dev) but a 23.2 MB download (20.8 MB gzipped) and far
   * slower (about 500 tokens per second in wasm). The files are fetched beside newsmark.js. Not with `annotator`. */
  model?: Model;
  /** An annotator to use on this thread (implies `worker: false`; `worker: true` with it is an error). */
  annotator?: Annotator;
}

/** The models the `model` option names. */
export type Model = "default" | "lite" | "accurate";
export const MODELS: readonly Model[];

interface HandleBase {
  /** The text given to the annotator: the text nodes' text, blocks separated by line breaks. */
  text: string;
  /** The entities found, with UTF-16 offsets into `text`. */
  entities: AnnotatedEntity[];
  /** Undoes the highlighting; in "mark" mode the DOM is restored exactly (same nodes, same innerHTML). */
  remove(): void;
  /** Whether the text was annotated in the worker. false with `worker: false`, and when the worker could not be started. */
  worker: boolean;
  /** Why the worker could not be started (a CSP without worker-src, a cross-origin or file:// URL, ...); the call then ran on this thread. */
  workerError?: string;
}

export interface MarkHandle extends HandleBase {
  mode: "mark";
  /** The <mark> elements added (an entity crossing elements has several, with data-part first/middle/last). */
  elements: HTMLElement[];
}

export interface HighlightHandle extends HandleBase {
  mode: "highlight";
  /** One live Range per entity drawn (a range may cross element boundaries), made on first access from the StaticRanges
   * given to the Highlight API. Live Ranges make every DOM change of the page update them until garbage collected. */
  readonly ranges: Range[];
}

/** Texts at least this long (UTF-16 code units) are annotated by several workers when `workers` is not given. */
export const POOL_FROM: number;

/** Annotates the text inside `root` and highlights its named entities. */
export function highlight(root: Element, options?: HighlightOptions & { mode?: "mark" }): Promise<MarkHandle>;
export function highlight(root: Element, options: HighlightOptions & { mode: "highlight" }): Promise<HighlightHandle>;

/** `annotate`'s options (`labels`, `tokens`, `clusters`), and the pool's. */
export interface AnnotateManyOptions extends AnnotateOptions {
  /** How many workers may run at once for this call (1 to 16). Default: one per core but one, at least 1, at most 4. */
  workers?: number;
  /** The model the workers load (see `HighlightOptions.model`). Default "default". */
  model?: Model;
}

/** Annotates every text on a pool of module Web Workers (one text per worker at a time); resolves with one result per
 * text, in order, each equal to `new Annotator().annotate(text, options)`. Rejects with an `Error` whose message starts
 * with `annotateMany:` on bad input, when no worker can start (no Web Workers, as in Node; a CSP without `worker-src`),
 * when a text fails (`annotateMany: texts[i]: ...`) or when `closePool()` stops it. */
export function annotateMany(texts: string[], options?: AnnotateManyOptions): Promise<Annotation[]>;

/** Terminates the workers of `highlight()` and `annotateMany()`; calls still running reject. The next call starts new ones. */
export function closePool(): void;

/** Loads the places gazetteer (GeoNames data, CC BY 4.0: credit GeoNames where the places are shown) from `url`, by
 * default `places.nmg` beside newsmark.js (6.9 MB, 3.8 MB gzipped: load it once, when places are wanted); resolve an
 * annotation's places with `gazetteer.resolve(text, entities)`. Initialises the glue with the default module if nothing
 * initialised it yet. Rejects with an `Error` whose message starts with `loadGazetteer:` and names the file, what went
 * wrong (`HTTP 404 Not Found`, the network's error, a corrupt file) and the URL. Needs `fetch` of that URL: in Node, use
 * `Gazetteer.fromBytes(readFileSync(...))`. */
export function loadGazetteer(url?: string | URL): Promise<Gazetteer>;
