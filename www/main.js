// The newsmark page's entry point. The wasm annotator runs in a Web Worker
// (worker.js, driven by annotator.js); state.js holds the page's state,
// render.js draws it, input.js and controls.js handle the user. Article text
// only ever enters the DOM as text nodes, never as HTML.
import { startWorker } from "./annotator.js";
import { applyToggles, wireControls } from "./controls.js";
import { ui } from "./dom.js";
import { readHash } from "./hash.js";
import { loadSample, wireInput } from "./input.js";
import { setStatus } from "./render.js";
import { state } from "./state.js";

wireInput();
wireControls();
const sample = readHash();
applyToggles();
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
