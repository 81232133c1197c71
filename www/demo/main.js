// The newsmark page's entry point. The wasm annotator runs in a pool of Web
// Workers (../lib/pool.js and ../lib/worker.js, driven by run.js); state.js holds the page's state,
// render.js draws it, input.js and controls.js handle the user. Article text
// only ever enters the DOM as text nodes, never as HTML.
import { startWorker } from "./run.js";
import { applyToggles, wireControls } from "./controls.js";
import { ui } from "./dom.js";
import { readHash } from "./url_state.js";
import { loadSample, wireInput } from "./input.js";
import { defaultPoolSize, MAX_WORKERS } from "../lib/pool.js";
import { MODELS } from "../lib/protocol.js";
import { setPlaces } from "./places.js";
import { setStatus } from "./render.js";
import { state } from "./state.js";

/** `?workers=N` (1 to MAX_WORKERS) chooses how many workers annotate a long
 * text; anything else means the default for this machine. */
function poolSize() {
  const asked = new URLSearchParams(location.search).get("workers");
  const n = asked !== null && /^\d+$/.test(asked) ? Number(asked) : 0;
  return n >= 1 && n <= MAX_WORKERS ? n : defaultPoolSize();
}

state.poolSize = poolSize();
document.documentElement.dataset.workers = String(state.poolSize);
// `?model=lite` or `?model=accurate`: the workers load that model
// (../lib/load.js) instead of the default one; any other value means the default.
const askedModel = new URLSearchParams(location.search).get("model");
state.model = MODELS.includes(askedModel) ? askedModel : "default";
document.documentElement.dataset.model = state.model;
wireInput();
wireControls();
const sample = readHash();
applyToggles();
// `#places=1`: places were asked for (the switch, kept in the hash).
if (ui.showPlaces.checked) setPlaces(true);
startWorker().then(
  () => {
    ui.annotate.disabled = false;
  },
  (e) => setStatus(`Could not load the annotator: ${e.message}`, true),
);
if (sample) {
  loadSample(sample);
} else {
  state.sample = null;
  setStatus("Paste an article, drop a file or pick a sample.");
  ui.annotate.disabled = false;
}
