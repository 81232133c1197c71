//! `cargo xtask api [--bless]`: the public API is exactly what
//! `api/public-api.txt` lists, and wasm-bindgen stays in `src/wasm.rs`.
//!
//! The list comes from rustdoc's JSON output (an unstable rustdoc format,
//! enabled on the stable toolchain with `RUSTC_BOOTSTRAP=1`, as the fuzz
//! task already does for cargo-fuzz): the crate is documented once per
//! feature set (none, `wasm`, `internals`), hidden items included, and walked
//! from the root module. Every reachable item is a line: modules, types,
//! functions, constants, statics, traits, fields, variants, inherent methods
//! and associated items, and the implementations of the standard library's
//! and serde's traits and of our own for public types (derived ones
//! included; auto traits, blanket implementations, the compiler's internal
//! markers and other crates' traits, such as wasm-bindgen's ABI glue, left
//! out). The `wasm` and `internals` sections list only what those features add.
//! A new public item, one made private, or a renamed one changes the list,
//! and the check fails with the difference; after reviewing it,
//! `cargo xtask api --bless` writes the new list, to be committed with the
//! change. Signatures are not compared (a changed argument type keeps the
//! list as it is).

use crate::util::{root, sh, Result};
use clap::Args;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use xshell::cmd;

/// The committed list, relative to the repository root.
const LIST: &str = "api/public-api.txt";

/// The feature sets documented, with the section name of each.
const FEATURE_SETS: &[(&str, &str)] = &[
    ("default", ""),
    ("wasm", "wasm"),
    ("internals", "internals"),
];

/// Crates whose traits' implementations are listed (besides our own).
const TRAIT_CRATES: &[&str] = &["std", "core", "alloc", "serde", "serde_core"];

/// Markers that derives implement for the compiler's own use; they come and
/// go with toolchain versions.
const INTERNAL_MARKERS: &[&str] = &["StructuralPartialEq", "TrivialClone"];

/// The only file under `src/` that may name wasm-bindgen.
const WASM_FILE: &str = "src/wasm.rs";

/// The flags of `cargo xtask api`.
#[derive(Args, Debug, Default)]
pub struct ApiArgs {
    /// Write the current public API to api/public-api.txt instead of checking it.
    #[arg(long)]
    pub bless: bool,
}

/// `cargo xtask api [--bless]`.
pub fn api(args: &ApiArgs) -> Result {
    let confined = wasm_bindgen_confined();
    let listing = listing()?;
    let path = root().join(LIST);
    if args.bless {
        std::fs::create_dir_all(path.parent().unwrap_or(&root()))?;
        std::fs::write(&path, &listing)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {LIST} ({} lines)", listing.lines().count());
        return confined;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let diff = difference(&committed, &listing);
    let mut errors = Vec::new();
    if !diff.is_empty() {
        errors.push(format!(
            "the public API differs from {LIST} (+ public now, - listed but gone):\n{}\n\
             If the change is intended, run `cargo xtask api --bless` and commit {LIST}.",
            diff.join("\n")
        ));
    }
    if let Err(e) = confined {
        errors.push(e.to_string());
    }
    if !errors.is_empty() {
        return Err(errors.join("\n").into());
    }
    eprintln!(
        "public API: {} lines, as {LIST} lists; wasm-bindgen only in {WASM_FILE}",
        listing.lines().filter(|l| !l.starts_with('#')).count()
    );
    Ok(())
}

/// Lines of `now` not in `before` (`+`) and of `before` not in `now` (`-`),
/// section headers included so a line's feature set is visible.
fn difference(before: &str, now: &str) -> Vec<String> {
    let tag = |text: &str| -> BTreeSet<(String, String)> {
        let mut section = String::new();
        let mut out = BTreeSet::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if let Some(s) = line.strip_prefix("# ") {
                section = s.to_string();
            } else {
                out.insert((section.clone(), line.to_string()));
            }
        }
        out
    };
    let (b, n) = (tag(before), tag(now));
    let mut out: Vec<String> = n
        .difference(&b)
        .map(|(s, l)| format!("+ [{s}] {l}"))
        .collect();
    out.extend(b.difference(&n).map(|(s, l)| format!("- [{s}] {l}")));
    out
}

/// Fails if a file under `src/` other than `src/wasm.rs` names wasm-bindgen.
fn wasm_bindgen_confined() -> Result {
    let mut found = Vec::new();
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(root()).unwrap_or(&path);
            if rel == Path::new(WASM_FILE) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                if line.contains("wasm-bindgen") || line.contains("wasm_bindgen") {
                    found.push(format!("{}:{}: {}", rel.display(), n + 1, line.trim()));
                }
            }
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    found.sort();
    Err(format!(
        "wasm-bindgen is named outside {WASM_FILE} (only that file may know about it):\n{}",
        found.join("\n")
    )
    .into())
}

/// The public API of every feature set, as `api/public-api.txt` holds it.
fn listing() -> Result<String> {
    let mut out = String::from(
        "# The public API of newsmark, one item a line, written by `cargo xtask api --bless`\n\
         # and checked by `cargo xtask api` (a step of `cargo xtask test`).\n",
    );
    let mut base: BTreeSet<String> = BTreeSet::new();
    for &(section, features) in FEATURE_SETS {
        let items = public_items(features)?;
        let shown: Vec<&String> = items.iter().filter(|i| !base.contains(*i)).collect();
        out.push_str(&format!("# {section}\n"));
        for item in shown {
            out.push_str(item);
            out.push('\n');
        }
        if section == "default" {
            base = items;
        }
    }
    Ok(out)
}

/// The target directory of the rustdoc runs (apart from the usual one, whose
/// builds `RUSTC_BOOTSTRAP` would otherwise invalidate).
fn api_target_dir() -> PathBuf {
    root().join("target/api")
}

/// Documents the crate with `features` as rustdoc JSON and lists its items.
fn public_items(features: &str) -> Result<BTreeSet<String>> {
    let sh = sh()?;
    sh.set_var("RUSTC_BOOTSTRAP", "1");
    sh.set_var("CARGO_TARGET_DIR", api_target_dir());
    let features: Vec<&str> = match features {
        "" => vec![],
        f => vec!["--features", f],
    };
    cmd!(
        sh,
        "cargo rustdoc --quiet --package newsmark --lib {features...} -- -Z unstable-options --output-format json --document-hidden-items"
    )
    .run()?;
    let path = api_target_dir().join("doc/newsmark.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read rustdoc's {}: {e}", path.display()))?;
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    let mut walker = Walker {
        index: &doc["index"],
        paths: &doc["paths"],
        crates: &doc["external_crates"],
        items: BTreeSet::new(),
        seen: HashSet::new(),
    };
    let root_id = id_key(&doc["root"]);
    walker.module(&root_id, "newsmark")?;
    if walker.items.is_empty() {
        return Err(format!("found no public item in {}", path.display()).into());
    }
    Ok(walker.items)
}

/// An item id as a key of `index` (ids are numbers in recent formats).
fn id_key(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The single key of an externally tagged enum value (`{"struct": {...}}`)
/// and its content; a bare string for unit variants.
fn tagged(v: &Value) -> (&str, &Value) {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, v) = m.iter().next().expect("one entry");
            (k.as_str(), v)
        }
        Value::String(s) => (s.as_str(), &Value::Null),
        _ => ("", &Value::Null),
    }
}

struct Walker<'a> {
    index: &'a Value,
    paths: &'a Value,
    crates: &'a Value,
    items: BTreeSet<String>,
    seen: HashSet<(String, String)>,
}

impl<'a> Walker<'a> {
    fn item(&self, id: &str) -> Option<&'a Value> {
        self.index.get(id)
    }

    /// True if implementations of the trait `t` (an impl's `trait`) are
    /// listed: ours, the standard library's and serde's.
    fn listed_trait(&self, t: &Value) -> bool {
        let name = t["path"].as_str().or(t["name"].as_str()).unwrap_or("");
        if INTERNAL_MARKERS.contains(&name.rsplit("::").next().unwrap_or(name)) {
            return false;
        }
        match self
            .paths
            .get(id_key(&t["id"]))
            .and_then(|p| p["crate_id"].as_u64())
        {
            Some(0) | None => true,
            Some(krate) => self.crates[krate.to_string()]["name"]
                .as_str()
                .is_some_and(|n| TRAIT_CRATES.contains(&n)),
        }
    }

    fn public(item: &Value) -> bool {
        // Items of trait impls and enum variants have "default" visibility:
        // they are as public as their parent.
        matches!(item["visibility"].as_str(), Some("public" | "default"))
    }

    fn add(&mut self, path: &str, kind: &str) {
        self.items.insert(format!("{path} ({kind})"));
    }

    fn module(&mut self, id: &str, path: &str) -> Result {
        let Some(item) = self.item(id) else {
            return Ok(());
        };
        let (_, module) = tagged(&item["inner"]);
        let children: Vec<String> = module["items"]
            .as_array()
            .map(|a| a.iter().map(id_key).collect())
            .unwrap_or_default();
        for child in children {
            self.named(&child, path, None)?;
        }
        Ok(())
    }

    /// The item `id` inside `parent`, under `name` if re-exported as that.
    fn named(&mut self, id: &str, parent: &str, name: Option<&str>) -> Result {
        let Some(item) = self.item(id) else {
            return Ok(());
        };
        if item["visibility"].as_str() != Some("public") {
            return Ok(());
        }
        let (kind, inner) = tagged(&item["inner"]);
        if kind == "use" || kind == "import" {
            let target = id_key(&inner["id"]);
            if inner["is_glob"].as_bool() == Some(true) {
                return self.module(&target, parent);
            }
            let alias = inner["name"].as_str().unwrap_or("?");
            if self.item(&target).is_none() {
                // A re-export of another crate's item.
                let source = inner["source"].as_str().unwrap_or("?");
                self.add(
                    &format!("{parent}::{alias}"),
                    &format!("re-export of {source}"),
                );
                return Ok(());
            }
            return self.named(&target, parent, Some(alias));
        }
        let name = name.or(item["name"].as_str()).unwrap_or("?");
        let path = format!("{parent}::{name}");
        if !self.seen.insert((path.clone(), id.to_string())) {
            return Ok(());
        }
        self.add(&path, kind);
        match kind {
            "module" => self.module(id, &path)?,
            "struct" => {
                let (_, fields) = tagged(&inner["kind"]);
                let fields = match fields {
                    Value::Array(a) => a.clone(),
                    other => other["fields"].as_array().cloned().unwrap_or_default(),
                };
                for f in fields.iter().filter(|f| !f.is_null()) {
                    self.member(&id_key(f), &path)?;
                }
                self.impls(inner, &path)?;
            }
            "enum" => {
                for v in inner["variants"].as_array().cloned().unwrap_or_default() {
                    self.member(&id_key(&v), &path)?;
                }
                self.impls(inner, &path)?;
            }
            "union" => self.impls(inner, &path)?,
            "trait" => {
                for i in inner["items"].as_array().cloned().unwrap_or_default() {
                    self.member(&id_key(&i), &path)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A field, variant or associated item of `parent`.
    fn member(&mut self, id: &str, parent: &str) -> Result {
        let Some(item) = self.item(id) else {
            return Ok(());
        };
        if !Self::public(item) {
            return Ok(());
        }
        let (kind, _) = tagged(&item["inner"]);
        let name = item["name"].as_str().unwrap_or("?");
        self.add(&format!("{parent}::{name}"), kind);
        Ok(())
    }

    /// The inherent items and the (non-auto, non-blanket) trait
    /// implementations of the type at `path`.
    fn impls(&mut self, inner: &Value, path: &str) -> Result {
        for i in inner["impls"].as_array().cloned().unwrap_or_default() {
            let Some(imp) = self.item(&id_key(&i)) else {
                continue;
            };
            let (_, imp) = tagged(&imp["inner"]);
            if imp["is_synthetic"].as_bool() == Some(true) || !imp["blanket_impl"].is_null() {
                continue;
            }
            match &imp["trait"] {
                Value::Null => {
                    for m in imp["items"].as_array().cloned().unwrap_or_default() {
                        let Some(member) = self.item(&id_key(&m)) else {
                            continue;
                        };
                        if member["visibility"].as_str() == Some("public") {
                            self.member(&id_key(&m), path)?;
                        }
                    }
                }
                t if !self.listed_trait(t) => {}
                t => {
                    let name = t["path"].as_str().or(t["name"].as_str()).unwrap_or("?");
                    let trait_name = name.rsplit("::").next().unwrap_or(name);
                    self.add(&format!("{path}: {trait_name}"), "impl");
                }
            }
        }
        Ok(())
    }
}
