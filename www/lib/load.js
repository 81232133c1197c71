// Loading a model: the default one (newsmark_bg.wasm, the module with the
// model embedded) or the lite one (newsmark_core_bg.wasm, the module without
// a model, and ontonotes-lite.nmm), into the glue of `./pkg/newsmark.js`.
// Used by worker.js (`worker.js?model=lite`) and by highlight() on the main
// thread with `{ worker: false }`; the only module of the library that
// imports the glue (`cargo xtask dist` checks it, and rewrites `./pkg/` to
// `./`: in the package the built files sit beside it).
import init, { Annotator, Gazetteer } from "./pkg/newsmark.js";

/** The files of the lite model, in the directory of the glue. */
export const LITE_FILES = { module: "newsmark_core_bg.wasm", model: "ontonotes-lite.nmm" };

/** Initialises the glue with the core module (if nothing initialised it
 * yet; a module already loaded with the default model reads the lite model
 * as well) and resolves with an `Annotator` on the lite model. `dir` is the
 * URL of the directory holding both files. */
export async function loadLite(dir) {
  const [bytes] = await Promise.all([
    fetch(new URL(LITE_FILES.model, dir)).then((response) => {
      if (!response.ok) throw new Error(`${LITE_FILES.model}: HTTP ${response.status} ${response.statusText}`);
      return response.arrayBuffer();
    }),
    init({ module_or_path: new URL(LITE_FILES.module, dir) }),
  ]);
  return Annotator.fromBytes(new Uint8Array(bytes));
}

/** Resolves with an `Annotator` on `model`: "default" (the module with the
 * embedded model) or "lite" ({@link loadLite} on the files beside the glue). */
export function loadAnnotator(model) {
  return model === "lite" ? loadLite(new URL("./pkg/", import.meta.url)) : init().then(() => new Annotator());
}

/** Resolves with a `Gazetteer` read from the `.nmg` file at `url` (such as
 * `places.nmg`, built beside the glue by `cargo xtask wasm`). The glue must
 * be initialised first (load an annotator first). The file is large (6.9 MB,
 * 3.8 MB gzipped): fetch it only when places are asked for. */
export async function loadGazetteer(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${new URL(url).pathname.split("/").pop()}: HTTP ${response.status} ${response.statusText}`.trim());
  return Gazetteer.fromBytes(new Uint8Array(await response.arrayBuffer()));
}
