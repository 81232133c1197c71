// Loading a model: the default one (newsmark_bg.wasm, the module with the
// model embedded), the lite one (newsmark_core_bg.wasm, the module without
// a model, and ontonotes-lite.nmm) or the accurate one (the same module and
// ontonotes-accurate.nmm), into the glue of `./pkg/newsmark.js`; and the
// places gazetteer (places.nmg). Used by worker.js (`worker.js?model=lite`,
// `?model=accurate`), by highlight() on the main thread with
// `{ worker: false }`, and by pages through highlight.js' `loadGazetteer`;
// the only module of the library that imports the glue (`cargo xtask dist`
// checks it, and rewrites `./pkg/` to `./`: in the package the built files
// sit beside it).
import init, { Annotator, Gazetteer } from "./pkg/newsmark.js";
import { MODELS } from "./protocol.js";

/** The directory of the glue, which holds the wasm modules, the lite and
 * accurate models and the gazetteer. */
const GLUE_DIR = new URL("./pkg/", import.meta.url);

/** The files of the lite model, in the directory of the glue. */
export const LITE_FILES = { module: "newsmark_core_bg.wasm", model: "ontonotes-lite.nmm" };

/** The files of the accurate model (a transformer: 23.2 MB, 20.8 MB
 * gzipped, far slower than the default model), in the directory
 * of the glue. */
export const ACCURATE_FILES = { module: "newsmark_core_bg.wasm", model: "ontonotes-accurate.nmm" };

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

/** Initialises the glue with the core module of `files` (if nothing
 * initialised it yet; a module already loaded with the default model reads
 * the other models as well) and resolves with an `Annotator` on the model of
 * `files` (LITE_FILES or ACCURATE_FILES). `dir` is the URL of the directory
 * holding both files. */
export async function loadFiles(files, dir) {
  const [bytes] = await Promise.all([fetchBytes(new URL(files.model, dir)), init({ module_or_path: new URL(files.module, dir) })]);
  return Annotator.fromBytes(bytes);
}

/** {@link loadFiles} of the lite model. */
export function loadLite(dir) {
  return loadFiles(LITE_FILES, dir);
}

/** {@link loadFiles} of the accurate model. */
export function loadAccurate(dir) {
  return loadFiles(ACCURATE_FILES, dir);
}

/** Resolves with an `Annotator` on `model`: "default" (the module with the
 * embedded model), "lite" ({@link loadLite} on the files beside the glue) or
 * "accurate" ({@link loadAccurate}, the same). Rejects on any other name. */
export function loadAnnotator(model) {
  if (model === "lite") return loadLite(GLUE_DIR);
  if (model === "accurate") return loadAccurate(GLUE_DIR);
  if (model === "default") return init().then(() => new Annotator());
  return Promise.reject(new Error(`unknown model ${JSON.stringify(model)} (models: ${MODELS.join(", ")})`));
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
 * `init()` does; after the lite or accurate model (or `init` with any
 * module) it uses that one. The file is large (6.9 MB, 3.8 MB gzipped): load
 * it once, when places are wanted. Rejects with an `Error` starting
 * `loadGazetteer:` that names the file, what went wrong and the URL tried.
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
