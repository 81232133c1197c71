// The page's state, in one object. Other modules read and change it; the
// DOM holds only what is derived from it, except the two display switches,
// whose checkboxes are their own state.

/** Texts up to this length are re-annotated as you type, this long (ms)
 * after the last keystroke: with the default or lite model, 100,000
 * characters take about a second on one worker. */
export const LIVE_LIMIT = 100_000;
export const TYPING_PAUSE = 400;
/** The same with the accurate model, which reads about 3,000 characters a
 * second on one worker (600 tokens): a typical article (8,000 characters, some
 * 3 s) is still re-annotated as you type, a longer text only with Annotate,
 * since re-running tens of seconds of work at every pause would mostly throw
 * it away; and only after a real pause, since each run costs seconds of a
 * core, and a new run while a worker is still busy with the last one costs
 * that worker (a new one loads the 23 MB model again). */
export const LIVE_LIMIT_ACCURATE = 10_000;
export const TYPING_PAUSE_ACCURATE = 800;
/** Texts longer than this are not put into the textarea (its layout alone
 * would block the page for seconds); they are kept aside and annotated. */
export const EDITOR_LIMIT = 500_000;

export const state = {
  // ---- the input
  /** A pasted or opened text too long for the textarea, or null. */
  big: null,
  /** The key of the shown sample (samples.js), or null for own text. */
  sample: null,
  /** The timer that re-annotates a while after the last keystroke. */
  typingTimer: 0,

  // ---- the annotator (run.js, ../lib/pool.js, ../lib/worker.js)
  /** The WorkerPool; a cancelled or replaced run terminates the workers
   * busy with it (run.js), the idle ones stay. */
  pool: null,
  /** How many workers annotate a long text's pieces at once: `?workers=N`
   * in the page's URL, else one per core but one, at most 4 (main.js). */
  poolSize: 1,
  /** The model the workers load: "default", or "lite" or "accurate" with
   * `?model=lite` or `?model=accurate` in the page's URL (main.js). */
  model: "default",
  /** Resolves once a worker has loaded the model; and whether one has. */
  workerReady: null,
  modelLoaded: false,
  /** The accurate model's speed on one worker, in characters per second,
   * for the estimate of a run's time: 3,000 (about 600 tokens: the README's
   * 750 in Node, less a margin for a busy machine) until a run of a second
   * or more measures it on this one. */
  accurateRate: 3_000,
  /** The id of the last run started. */
  runId: 0,
  /** The run waiting for its result, `{ id, text, controller }` (aborting
   * `controller` stops it in the pool), or null. */
  pending: null,
  /** Label name -> description, and the library version, from the worker. */
  labels: new Map(),
  version: "",

  // ---- the shown result
  text: "",
  /** `{ blocks, sentences, entities }` as the API returns them, or null. */
  result: null,
  /** The entity list: the result's clusters (`{ id, label, name, count,
   * members }`, members as entity indices), per label, sorted by count. */
  groups: [],
  /** The <mark> of each entity (null for one that was not rendered). */
  marks: [],
  /** The places of the shown result (places.js): `{ result, list, of,
   * pending }`, `list` holding `{ place, key, mentions }` per distinct place
   * and `of[i]` entity i's index in it (-1: none); null before they are asked for. */
  places: null,
  /** Tokens, milliseconds (wall clock, from sending the first piece to the
   * last result) and workers used of the last run. */
  tokens: 0,
  ms: 0,
  workersUsed: 1,
  /** Results rendered so far (mirrored in `html[data-runs]`). */
  runs: 0,

  // ---- display
  /** Labels switched off in the legend. */
  off: new Set(),
  /** Whether places are asked for (the switch, `#places=1`), and whether a
   * worker has loaded the gazetteer. */
  placesOn: false,
  gazetteerLoaded: false,
  /** What is outlined in the article: `group:N` (the entity list) or
   * `place:N` (a map marker), or null; and per key the index of the mention
   * scrolled to last. */
  selectedGroup: null,
  groupCursor: new Map(),
};
