// The URL hash keeps the chosen sample, the labels switched off and the
// three switches: `#sample=webpage&off=CARDINAL,DATE&boilerplate=1&sentences=1&places=1`
// (`#sample` alone for own text).
import { ui } from "./dom.js";
import { SAMPLES } from "./samples.js";
import { state } from "./state.js";

/** Sets the switched-off labels and the switches from the hash; returns the
 * sample to load (`news` when the hash names none), or null for own text. */
export function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const off = params.get("off");
  state.off = new Set(off ? off.split(",").filter((l) => /^[A-Z_]+$/.test(l)) : []);
  ui.showBoilerplate.checked = params.get("boilerplate") === "1";
  ui.showSentences.checked = params.get("sentences") === "1";
  ui.showPlaces.checked = params.get("places") === "1";
  const sample = params.get("sample");
  return params.has("sample") ? (SAMPLES[sample] ? sample : null) : "news";
}

/** Writes the current sample, labels and switches into the hash (no history entry). */
export function writeHash() {
  const params = new URLSearchParams();
  params.set("sample", state.sample || "");
  if (state.off.size) params.set("off", [...state.off].join(","));
  if (ui.showBoilerplate.checked) params.set("boilerplate", "1");
  if (ui.showSentences.checked) params.set("sentences", "1");
  if (ui.showPlaces.checked) params.set("places", "1");
  history.replaceState(null, "", `#${params.toString().replace(/sample=(&|$)/, "sample$1")}`);
}
