// Getting text in: typing, pasting, opening or dropping a .txt or .html file,
// the samples, the Annotate button. HTML files are read as text with an
// inert DOMParser document; nothing from them is put into the page's DOM.
import { cancel, run } from "./run.js";
import { isBlock } from "../lib/blocks.js";
import { ui } from "./dom.js";
import { writeHash } from "./url_state.js";
import { SAMPLES } from "./samples.js";
import { setStatus } from "./render.js";
import { EDITOR_LIMIT, LIVE_LIMIT, LIVE_LIMIT_ACCURATE, state, TYPING_PAUSE, TYPING_PAUSE_ACCURATE } from "./state.js";

/** Elements of an opened HTML file whose content is not article text. */
const NOT_TEXT = "script, style, noscript, template, iframe, object, embed, svg, head";

/** HTML source -> readable text: blocks become paragraphs, `<br>` a line break. */
function htmlToText(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const node of doc.querySelectorAll(NOT_TEXT)) node.remove();
  const out = [];
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        out.push(child.data.replace(/\s+/g, " "));
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        if (child.tagName === "BR") {
          out.push("\n");
          continue;
        }
        const block = isBlock(child);
        if (block) out.push("\n\n");
        walk(child);
        if (block) out.push("\n\n");
      }
    }
  };
  if (doc.body) walk(doc.body);
  return out
    .join("")
    .split("\n")
    .map((line) => line.trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Puts `text` in the textarea, or keeps it aside when it is too long. */
function setInput(text) {
  if (text.length > EDITOR_LIMIT) {
    state.big = text;
    ui.input.value = "";
    ui.input.placeholder = `A long text (${text.length.toLocaleString("en")} characters) is kept aside and shown below once annotated. Type or paste here to replace it.`;
  } else {
    state.big = null;
    ui.input.placeholder = "";
    ui.input.value = text;
  }
}

const sampleButtons = () => document.querySelectorAll("button.sample");

/** Annotates text that is not a sample. */
function runOwnText() {
  state.sample = null;
  writeHash();
  run();
}

async function openFile(file) {
  if (!file) return;
  let text = await file.text();
  if (/\.html?$/i.test(file.name) || file.type === "text/html") text = htmlToText(text);
  setInput(text);
  runOwnText();
}

/** Shows and annotates the sample `key` (samples.js). */
export function loadSample(key) {
  const sample = SAMPLES[key];
  if (!sample) return;
  state.sample = key;
  setInput(sample.text);
  for (const b of sampleButtons()) b.setAttribute("aria-pressed", String(b.dataset.sample === key));
  writeHash();
  run();
}

export function wireInput() {
  const { input } = ui;
  ui.annotate.addEventListener("click", runOwnText);
  ui.cancel.addEventListener("click", () => cancel());
  for (const b of sampleButtons()) b.addEventListener("click", () => loadSample(b.dataset.sample));
  input.addEventListener("paste", (ev) => {
    const text = ev.clipboardData?.getData("text/plain") ?? "";
    if (text.length <= EDITOR_LIMIT) return;
    ev.preventDefault();
    setInput(text);
    runOwnText();
  });
  input.addEventListener("input", () => {
    clearTimeout(state.typingTimer);
    if (state.big !== null) {
      state.big = null;
      input.placeholder = "";
    }
    if (state.sample !== null) {
      state.sample = null;
      for (const b of sampleButtons()) b.setAttribute("aria-pressed", "false");
      writeHash();
    }
    const accurate = state.model === "accurate";
    const limit = accurate ? LIVE_LIMIT_ACCURATE : LIVE_LIMIT;
    if (input.value.length <= limit) {
      state.typingTimer = setTimeout(run, accurate ? TYPING_PAUSE_ACCURATE : TYPING_PAUSE);
    } else if (!state.pending) {
      const model = accurate ? "the accurate model" : "the page";
      setStatus(`Press Annotate (or Ctrl+Enter) to annotate the changed text: ${model} annotates as you type up to ${limit.toLocaleString("en")} characters.`);
    }
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) run();
  });
  ui.file.addEventListener("change", (ev) => openFile(ev.target.files[0]));
  input.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    input.classList.add("drop");
  });
  input.addEventListener("dragleave", () => input.classList.remove("drop"));
  input.addEventListener("drop", (ev) => {
    ev.preventDefault();
    input.classList.remove("drop");
    openFile(ev.dataTransfer.files[0]);
  });
}
