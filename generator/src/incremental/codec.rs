//! The byte codec of the cache files: little-endian integers, strings
//! with their length, a bounds-checked reader, and the markdown log's
//! frames. Below every cache file, so that they share it without
//! depending on each other.

use crate::content::content_hash;
use crate::markdown::{Brief, RenderedBody};

pub(super) fn put_u64(w: &mut Vec<u8>, n: u64) {
    w.extend_from_slice(&n.to_le_bytes());
}

pub(super) fn put_str(w: &mut Vec<u8>, s: &str) {
    put_u64(w, s.len() as u64);
    w.extend_from_slice(s.as_bytes());
}

/// A bounds-checked reader; every method returns `None` past the end.
pub(super) struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(b: &'a [u8]) -> Reader<'a> {
        Reader { b, at: 0 }
    }
    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
    pub(super) fn u64(&mut self) -> Option<u64> {
        let s = self.take(8)?;
        Some(u64::from_le_bytes(s.try_into().ok()?))
    }
    pub(super) fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.b.len() - self.at).then_some(n)
    }
    pub(super) fn str(&mut self) -> Option<String> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
    pub(super) fn at(&self) -> usize {
        self.at
    }
    pub(super) fn done(&self) -> bool {
        self.at == self.b.len()
    }
}

/// Everything of a body but its HTML.
fn encode_rest(w: &mut Vec<u8>, r: &Brief) {
    put_str(w, &r.summary_html);
    put_u64(w, u64::from(r.has_more));
    put_u64(w, r.words as u64);
    put_u64(w, r.links.len() as u64);
    for (dest, line) in &r.links {
        put_str(w, dest);
        put_u64(w, *line as u64);
    }
}

/// A body's brief, as [`encode_rest`] wrote it.
pub(super) fn decode_rest(r: &mut Reader<'_>) -> Option<Brief> {
    let summary_html = r.str()?;
    let has_more = r.u64()? != 0;
    let words = usize::try_from(r.u64()?).ok()?;
    let n = r.len()?;
    let mut links = Vec::with_capacity(n.min(4096));
    for _ in 0..n {
        let d = r.str()?;
        links.push((d, usize::try_from(r.u64()?).ok()?));
    }
    Some(Brief {
        summary_html,
        has_more,
        words,
        links,
    })
}

/// Appends one log frame (key, small part and its checksum, HTML and its
/// checksum); returns where in `w` the HTML starts.
pub(super) fn put_frame(w: &mut Vec<u8>, key: u64, body: &RenderedBody) -> usize {
    let brief = body.brief();
    let mut p = Vec::with_capacity(brief.summary_html.len() + 64);
    encode_rest(&mut p, brief);
    put_u64(w, key);
    put_u64(w, p.len() as u64);
    w.extend_from_slice(&p);
    put_u64(w, content_hash(&p));
    put_u64(w, body.html.len() as u64);
    let at = w.len();
    w.extend_from_slice(body.html.as_bytes());
    put_u64(w, content_hash(body.html.as_bytes()));
    at
}
