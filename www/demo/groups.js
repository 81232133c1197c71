// Groups entity mentions that name the same thing: "Margaret (Peggy)
// Alvarez", "Peggy Alvarez", "Ms Alvarez", "Alvarez"; "Tallis", "Tallis's".

/** Titles dropped before comparing person names. */
const TITLES = new Set(["mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "mx", "gov", "governor", "president", "sen", "senator", "rep"]);
/** Company-form words dropped before comparing organisation names. */
const COMPANY_FORMS = new Set(["inc", "corp", "corporation", "co", "ltd", "llc", "plc", "ag", "sa", "gmbh", "group", "the"]);

/** The words of a mention, lower-cased, possessive and punctuation removed. */
export function words(text, label) {
  const raw = text
    .normalize("NFKC")
    .replace(/['’]s\b/gu, "")
    .toLowerCase()
    .match(/[\p{L}\p{N}&]+/gu) ?? [];
  const drop = label === "PERSON" ? TITLES : label === "ORG" ? COMPANY_FORMS : null;
  const kept = drop ? raw.filter((w) => !drop.has(w)) : raw;
  return kept.length > 0 ? kept : raw;
}

/**
 * Groups `entities` (objects with `label` and `text`): mentions with the
 * same label and the same words group together; for people and
 * organisations, a mention whose words are all inside a longer name's joins
 * that name's group (the one with most mentions when several fit).
 * Returns groups `{ id, label, name, count, members: [index...] }`, sorted
 * by label (in `labelOrder`, then by name), then count (descending), then name.
 */
export function groupEntities(entities, labelOrder = []) {
  const rank = (label) => (labelOrder.includes(label) ? labelOrder.indexOf(label) : labelOrder.length);
  const byLabel = new Map();
  entities.forEach((e, index) => {
    if (!byLabel.has(e.label)) byLabel.set(e.label, []);
    byLabel.get(e.label).push({ index, text: e.text, words: words(e.text, e.label) });
  });
  const groups = [];
  for (const [label, mentions] of byLabel) {
    const fuzzy = label === "PERSON" || label === "ORG";
    // Longest names first, so short variants find the group of the full name.
    const order = [...mentions].sort((a, b) => b.words.length - a.words.length || a.text.length - b.text.length);
    const mine = [];
    // Indexes, so a mention finds its group without scanning them all (a
    // 5 MB text has tens of thousands of mentions): by key, and for the fuzzy
    // match the groups holding each word, in the order they were made.
    const byKey = new Map();
    const byWord = new Map();
    for (const m of order) {
      const key = m.words.join(" ");
      let home = byKey.get(key);
      if (!home && fuzzy && m.words.length > 0) {
        // The groups holding every word of m are among those holding its rarest one.
        let fewest = null;
        for (const w of m.words) {
          const list = byWord.get(w) ?? [];
          if (fewest === null || list.length < fewest.length) fewest = list;
        }
        const fits = fewest.filter((g) => m.words.every((w) => g.wordSet.has(w)));
        fits.sort((a, b) => b.members.length - a.members.length);
        home = fits[0];
      }
      if (!home) {
        home = { key, wordSet: new Set(m.words), label, name: m.text.trim(), members: [] };
        mine.push(home);
        byKey.set(key, home);
        for (const w of home.wordSet) {
          if (!byWord.has(w)) byWord.set(w, []);
          byWord.get(w).push(home);
        }
      }
      home.members.push(m.index);
    }
    groups.push(...mine);
  }
  // One collator for every comparison: the same order as localeCompare, without its cost per call.
  const { compare } = new Intl.Collator();
  groups.sort((a, b) => rank(a.label) - rank(b.label) || compare(a.label, b.label) || b.members.length - a.members.length || compare(a.name, b.name));
  return groups.map((g, id) => ({
    id,
    label: g.label,
    name: g.name,
    count: g.members.length,
    members: g.members.sort((a, b) => a - b),
  }));
}
