// The example site's one call: highlight the story's entities, skipping the advert.
import { highlight } from "../lib/highlight.js";

const story = document.querySelector("article.story");
const status = document.getElementById("embed-status");
const undo = document.getElementById("undo");
const buttons = [document.getElementById("do-mark"), document.getElementById("do-highlight")];
let handle = null;

async function apply(mode) {
  handle?.remove();
  status.textContent = "Annotating…";
  try {
    handle = await highlight(story, { mode, exclude: [".ad"] });
    status.textContent = `${handle.entities.length} entities (${mode} mode)`;
    undo.disabled = false;
  } catch (e) {
    status.textContent = `Error: ${e.message}`;
  }
  document.documentElement.dataset.mode = mode;
}

buttons[0].addEventListener("click", () => apply("mark"));
buttons[1].addEventListener("click", () => apply("highlight"));
undo.addEventListener("click", () => {
  handle?.remove();
  handle = null;
  undo.disabled = true;
  status.textContent = "Removed.";
  delete document.documentElement.dataset.mode;
});
// Highlight on load, unless the page is opened with #plain (the tests do).
if (location.hash !== "#plain") apply("mark");
document.documentElement.dataset.ready = "true";
