//! The parsed entries of the last build, held as they were decoded: in
//! chunks of slots, found through an index by source id. At 100 000 posts
//! a one-post rebuild moved every entry (some 650 bytes each) into a map
//! and out of it again; here each is moved once, out of its slot, when the
//! walk claims it.

use super::entries::source_id;
use crate::content::Entry;
use crate::hash::FpMap;

/// One parsed entry: its source path, and the stamp of its file with the
/// entry; `None` once taken.
pub type Slot = Option<(String, (u64, Entry))>;

/// Where an entry is held: found by [`Entries::claim`].
#[derive(Debug, Clone, Copy)]
pub struct Place {
    id: u64,
    c: usize,
    i: usize,
}

/// Parsed entries by source path, each with the stamp of its file.
#[derive(Default)]
pub struct Entries {
    chunks: Vec<Vec<Slot>>,
    /// Source id → chunk and place of its slot. A path is checked against
    /// its slot, so two paths with one id cost a read, never a wrong entry.
    index: FpMap<u64, (u32, u32)>,
}

impl Entries {
    /// Room for `n` entries inserted one by one.
    pub fn with_capacity(n: usize) -> Entries {
        Entries {
            chunks: vec![Vec::with_capacity(n)],
            index: FpMap::with_capacity_and_hasher(n, Default::default()),
        }
    }

    /// The entries of decoded chunks, each slot with its source id.
    pub fn from_chunks(chunks: Vec<(Vec<Slot>, Vec<u64>)>) -> Entries {
        let n = chunks.iter().map(|(s, _)| s.len()).sum();
        let mut index = FpMap::with_capacity_and_hasher(n, Default::default());
        let mut slots = Vec::with_capacity(chunks.len());
        for (c, (chunk, ids)) in chunks.into_iter().enumerate() {
            for (i, id) in ids.into_iter().enumerate() {
                index.insert(id, (c as u32, i as u32));
            }
            slots.push(chunk);
        }
        let mut e = Entries {
            chunks: slots,
            index,
        };
        e.drop_unindexed();
        e
    }

    /// Empties the slots the index does not point to (a path given twice:
    /// the later one counts, as a map's insert would have it).
    fn drop_unindexed(&mut self) {
        if self.index.len() == self.chunks.iter().map(Vec::len).sum::<usize>() {
            return;
        }
        for (c, chunk) in self.chunks.iter_mut().enumerate() {
            for (i, slot) in chunk.iter_mut().enumerate() {
                let here = (c as u32, i as u32);
                let indexed = (slot.as_ref())
                    .is_some_and(|(k, _)| self.index.get(&source_id(k)) == Some(&here));
                if !indexed {
                    *slot = None;
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Where the entry of `source` is, if held.
    fn place(&self, source: &str) -> Option<(u64, usize, usize)> {
        let id = source_id(source);
        let &(c, i) = self.index.get(&id)?;
        let (c, i) = (c as usize, i as usize);
        let (k, _) = self.chunks[c][i].as_ref()?;
        (k == source).then_some((id, c, i))
    }

    /// The entry of `source` and the stamp of its file.
    #[cfg(test)]
    pub fn get(&self, source: &str) -> Option<&(u64, Entry)> {
        let (_, c, i) = self.place(source)?;
        self.chunks[c][i].as_ref().map(|(_, v)| v)
    }

    /// Where the entry of `source` is, if it came from a file of this
    /// `stamp`; to [`Entries::take`] it after asking for many in parallel.
    pub fn claim(&self, source: &str, stamp: u64) -> Option<Place> {
        let (id, c, i) = self.place(source)?;
        let (_, (s, _)) = self.chunks[c][i].as_ref()?;
        (*s == stamp).then_some(Place { id, c, i })
    }

    /// Takes out the entry [`Entries::claim`] found.
    pub fn take(&mut self, p: Place) -> Option<Entry> {
        let (_, (_, e)) = self.chunks.get_mut(p.c)?.get_mut(p.i)?.take()?;
        self.index.remove(&p.id);
        Some(e)
    }

    /// Takes the entry of `source` out.
    pub fn remove(&mut self, source: &str) -> Option<(u64, Entry)> {
        let (id, c, i) = self.place(source)?;
        self.index.remove(&id);
        self.chunks[c][i].take().map(|(_, v)| v)
    }

    /// Holds `v` for `source`, in place of what it held.
    pub fn insert(&mut self, source: String, v: (u64, Entry)) {
        let id = source_id(&source);
        if let Some(&(c, i)) = self.index.get(&id) {
            self.chunks[c as usize][i as usize] = Some((source, v));
            return;
        }
        if self.chunks.is_empty() {
            self.chunks.push(Vec::new());
        }
        let c = self.chunks.len() - 1;
        self.chunks[c].push(Some((source, v)));
        self.index
            .insert(id, (c as u32, (self.chunks[c].len() - 1) as u32));
    }

    /// Forgets the entries of these source ids.
    pub fn remove_ids(&mut self, ids: impl Iterator<Item = u64>) {
        for id in ids {
            if let Some((c, i)) = self.index.remove(&id) {
                self.chunks[c as usize][i as usize] = None;
            }
        }
    }

    pub fn clear(&mut self) {
        self.chunks.clear();
        self.index.clear();
    }

    /// Every entry held, with its source path.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &(u64, Entry))> {
        (self.chunks.iter())
            .flatten()
            .filter_map(|s| s.as_ref().map(|(k, v)| (k, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Kind;

    fn entry(name: &str) -> Entry {
        let text = "+++\ntitle = \"T\"\ndate = 2024-05-06T07:08:09Z\n+++\nBody\n";
        crate::content::parse_entry(
            format!("content/posts/{name}.md"),
            Kind::Post,
            &format!("posts/{name}"),
            false,
            text,
            crate::config::Slugify::On,
        )
        .unwrap()
    }

    fn slot(name: &str, stamp: u64) -> Slot {
        let e = entry(name);
        Some((e.source.clone(), (stamp, e)))
    }

    fn id(name: &str) -> u64 {
        source_id(&format!("content/posts/{name}.md"))
    }

    #[test]
    fn finds_takes_replaces_and_forgets() {
        let chunks = vec![
            (vec![slot("a", 1), slot("b", 2)], vec![id("a"), id("b")]),
            (vec![slot("c", 3)], vec![id("c")]),
        ];
        let mut es = Entries::from_chunks(chunks);
        assert_eq!(es.len(), 3);
        assert_eq!(es.get("content/posts/b.md").map(|v| v.0), Some(2));
        assert!(es.get("content/posts/z.md").is_none());
        assert_eq!(es.remove("content/posts/a.md").map(|v| v.0), Some(1));
        assert!(es.remove("content/posts/a.md").is_none(), "taken once");
        assert_eq!(es.len(), 2);
        es.insert("content/posts/c.md".into(), (9, entry("c")));
        es.insert("content/posts/d.md".into(), (4, entry("d")));
        assert_eq!(es.get("content/posts/c.md").map(|v| v.0), Some(9));
        es.remove_ids([id("b")].into_iter());
        let mut held: Vec<(String, u64)> = es.iter().map(|(k, v)| (k.clone(), v.0)).collect();
        held.sort();
        assert_eq!(
            held,
            [
                ("content/posts/c.md".to_string(), 9),
                ("content/posts/d.md".to_string(), 4)
            ]
        );
        // Claimed for the stamp it was stored with only, and taken once.
        assert!(es.claim("content/posts/d.md", 5).is_none());
        let p = es.claim("content/posts/d.md", 4).unwrap();
        assert!(es.take(p).is_some_and(|e| e.source == "content/posts/d.md"));
        assert!(es.take(p).is_none() && es.claim("content/posts/d.md", 4).is_none());
        assert_eq!(es.len(), 1);
        es.clear();
        assert!(es.is_empty() && es.iter().next().is_none());
    }

    #[test]
    fn a_path_given_twice_keeps_the_later_and_a_shared_id_is_no_match() {
        let chunks = vec![(vec![slot("a", 1), slot("a", 2)], vec![id("a"), id("a")])];
        let es = Entries::from_chunks(chunks);
        assert_eq!(es.len(), 1);
        assert_eq!(es.iter().count(), 1);
        assert_eq!(es.get("content/posts/a.md").map(|v| v.0), Some(2));
        // An index entry pointing at another path's slot (two paths with
        // one id) answers nothing for the path asked.
        let mut es = Entries::from_chunks(vec![(vec![slot("a", 1)], vec![id("b")])]);
        assert!(es.get("content/posts/b.md").is_none());
        assert!(es.remove("content/posts/b.md").is_none());
    }
}
