// Loading a model: the default one (newsmark_bg.wasm, the module with the
// model embedded) or the lite one (newsmark_core_bg.wasm, the module without
// a model, and ontonotes-lite.nmm), into the glue of `./pkg/newsmark.js`;
// and the places gazetteer (places.nmg). Used by worker.js
// (`worker.js?model=lite`), by highlight() on the main thread with
// `{ worker: false }`, and by pages through highlight.js' `loadGazetteer`;
// the only module of the library that imports the glue (`cargo xtask dist`
// checks it, and rewrites `./pkg/` to `./`: in the package the built files
// sit beside it).
import init, { Annotator, Gazetteer } from "./pkg/newsmark.js";

/** The directory of the glue, which holds the wasm modules, the lite model
 * and the gazetteer. */
const GLUE_DIR = new URL("./pkg/", import.meta.url);

/** The files of the lite model, in the directory of the glue. */
export const LITE_FILES = { module: "newsmark_core_bg.wasm", model: "ontonotes-lite.nmm" };

/** The last part of a URL's path, to name a file in an error. */
function fileName(url) {
  try {
    return new URL(url, globalThis.location?.href).pathname.split("/").pop();
  } catch {
    return String(url);
  }
}

/** The bytes at `url`; rejects with an `Error` that names the file: `places.nmg:
 * HTTP 404 Not Found`, or the network's error (`places.nmg: Failed to fetch`). */
async function fetchBytes(url) {
  const name = fileName(url);
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`${name}: ${e.message}`);
  }
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status} ${response.statusText}`.trim());
  return new Uint8Array(await response.arrayBuffer());
}

/** Initialises the glue with the core module (if nothing initialised it
 * yet; a module already loaded with the default model reads the lite model
 * as well) and resolves with an `Annotator` on the lite model. `dir` is the
 * URL of the directory holding both files. */
export async function loadLite(dir) {
  const [bytes] = await Promise.all([fetchBytes(new URL(LITE_FILES.model, dir)), init({ module_or_path: new URL(LITE_FILES.module, dir) })]);
  return Annotator.fromBytes(bytes);
}

/** Resolves with an `Annotator` on `model`: "default" (the module with the
 * embedded model) or "lite" ({@link loadLite} on the files beside the glue). */
export function loadAnnotator(model) {
  return model === "lite" ? loadLite(GLUE_DIR) : init().then(() => new Annotator());
}

/** In the worker: a `Gazetteer` read from the `.nmg` file at `url`, the glue
 * being initialised already (by the worker's annotator). Errors name the
 * file (`places.nmg: HTTP 404 Not Found`). */
export async function readGazetteer(url) {
  return Gazetteer.fromBytes(await fetchBytes(url));
}

/**
 * Resolves with a `Gazetteer` (GeoNames places; `gazetteer.resolve(text,
 * entities)`) read from `url`: by default `places.nmg` beside the glue, where
 * the npm package ships it (and `cargo xtask wasm` copies it, for www/lib/),
 * named with a literal `new URL(…, import.meta.url)` so that bundlers see it.
 * Initialises the glue if nothing did yet, with the default module, as
 * `init()` does; after the lite model (or `init` with any module) it uses
 * that one. The file is large (6.9 MB, 3.8 MB gzipped): load it once, when
 * places are wanted. Rejects with an `Error` starting `loadGazetteer:` that
 * names the file, what went wrong and the URL tried.
 */
export async function loadGazetteer(url = new URL("./pkg/places.nmg", import.meta.url)) {
  const [bytes] = await Promise.all([
    fetchBytes(url).catch((e) => {
      const node = String(url).startsWith("file:") ? "; Node's fetch reads no file: URL, use Gazetteer.fromBytes(readFileSync(path)) there" : "";
      throw new Error(`loadGazetteer: ${e.message} (from ${url}${node})`);
    }),
    init().catch((e) => {
      throw new Error(`loadGazetteer: the wasm module could not be initialised: ${e.message}`);
    }),
  ]);
  try {
    return Gazetteer.fromBytes(bytes);
  } catch (e) {
    throw new Error(`loadGazetteer: ${e.message} (from ${url})`);
  }
}
