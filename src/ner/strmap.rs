//! A map from the strings of a model's word list to ids, built at load time.
//!
//! A model carries word lists of tens of thousands of entries (the `vector`
//! feature's words, the word pieces). A hash map with a boxed string per key
//! cost one allocation, one copy and one hash of a `Box` per word, which was
//! most of the time a model took to load (and a page waits for that before
//! its first result). [`StrMap`] keeps every key in one buffer and the table
//! holds only where each key lies in it.

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;

/// Strings mapped to `u32` ids; the first id given to a string is kept.
#[derive(Clone, Debug, Default)]
pub(crate) struct StrMap {
    /// Every key, one after another.
    text: String,
    /// `(start, end, id)`: the key `text[start..end]` has id `id`.
    table: HashTable<(u32, u32, u32)>,
    /// The longest key, in bytes.
    longest: usize,
}

/// Fx hashing: the keys come from the model file, and a look-up (several per
/// word when splitting into pieces) costs a fraction of SipHash's.
fn hash(key: &str) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl StrMap {
    /// The map of `entries` (key, id), room made for `capacity` of them; a
    /// repeated key keeps its first id. `None` if the keys together pass
    /// 4 GiB (no model file holds that).
    pub(crate) fn new<'a>(
        capacity: usize,
        entries: impl IntoIterator<Item = (&'a str, u32)>,
    ) -> Option<Self> {
        let mut map = StrMap {
            text: String::new(),
            table: HashTable::with_capacity(capacity),
            longest: 0,
        };
        for (key, id) in entries {
            let text = &map.text;
            let at = |&(s, e, _): &(u32, u32, u32)| &text[s as usize..e as usize];
            // One probe finds the key or the slot it goes in.
            let Entry::Vacant(slot) = map
                .table
                .entry(hash(key), |k| at(k) == key, |k| hash(at(k)))
            else {
                continue;
            };
            let start = u32::try_from(text.len()).ok()?;
            let end = u32::try_from(text.len() + key.len()).ok()?;
            slot.insert((start, end, id));
            map.text.push_str(key);
            map.longest = map.longest.max(key.len());
        }
        Some(map)
    }

    /// The id of `key`, if it is in the map.
    #[inline]
    pub(crate) fn get(&self, key: &str) -> Option<u32> {
        if key.len() > self.longest {
            return None;
        }
        self.table
            .find(hash(key), |&(s, e, _)| {
                &self.text[s as usize..e as usize] == key
            })
            .map(|&(_, _, id)| id)
    }

    /// The length of the longest key, in bytes (0 for an empty map).
    pub(crate) fn longest(&self) -> usize {
        self.longest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_their_first_id() {
        let map = StrMap::new(5, [("the", 1), ("über", 2), ("", 3), ("the", 4), ("a", 5)]).unwrap();
        assert_eq!(map.get("the"), Some(1));
        assert_eq!(map.get("über"), Some(2));
        assert_eq!(map.get(""), Some(3));
        assert_eq!(map.get("a"), Some(5));
        assert_eq!(map.get("th"), None);
        assert_eq!(map.get("thee"), None);
        assert_eq!(map.get("übe"), None);
        assert_eq!(map.longest(), "über".len());
        let empty = StrMap::new(0, []).unwrap();
        assert_eq!(
            (empty.get(""), empty.get("x"), empty.longest()),
            (None, None, 0)
        );
    }

    #[test]
    fn many_keys() {
        let words: Vec<String> = (0..50_000).map(|i| format!("w{i}")).collect();
        let map = StrMap::new(
            words.len(),
            words.iter().zip(0..).map(|(w, i)| (w.as_str(), i)),
        )
        .unwrap();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(map.get(w), Some(i as u32));
        }
        assert_eq!(map.get("w50000"), None);
    }
}
